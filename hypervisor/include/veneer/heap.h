/*
 * The hypervisor heap: small objects from per-size-class slabs (one page
 * each), large ones as whole buddy blocks. Every allocation is 16-byte
 * aligned and starts in a page whose first bytes say what it is, so free()
 * needs no size and catches pointers it never handed out.
 *
 * The heap gets its pages through two callbacks, so the same code runs on
 * top of the buddy allocator in the hypervisor and of malloc in unit tests.
 */
#ifndef VENEER_HEAP_H
#define VENEER_HEAP_H

#include <veneer/types.h>

#define HEAP_NR_CLASSES 8 /* 16, 32, ..., 2048 bytes */

typedef void *(*heap_pages_alloc_fn)(void *ctx, unsigned int order);
typedef void (*heap_pages_free_fn)(void *ctx, void *pages, unsigned int order);

struct heap_slab; /* private to heap.c */

struct heap {
    heap_pages_alloc_fn pages_alloc;
    heap_pages_free_fn pages_free;
    void *ctx;
    struct heap_slab *partial[HEAP_NR_CLASSES]; /* slabs with free slots */
    uint64_t bytes_in_use; /* requested bytes of live allocations */
    uint64_t nr_live;      /* live allocations */
    uint64_t pages_held;   /* pages taken from pages_alloc */
    uint64_t bad_frees;    /* free() of a pointer we never handed out */
};

void heap_init(struct heap *h, heap_pages_alloc_fn alloc,
               heap_pages_free_fn free_fn, void *ctx);
void *heap_alloc(struct heap *h, size_t size); /* NULL on 0 or no memory */
void *heap_zalloc(struct heap *h, size_t size);
/* Frees p (NULL is fine). Returns -EINVAL for a pointer the heap does not
 * own or a double free, counted in bad_frees, and changes nothing. */
int heap_free(struct heap *h, void *p);

#endif
