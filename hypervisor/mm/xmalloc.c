/*
 * The hypervisor's heap: mm/heap.c's allocator fed with buddy pages seen
 * through the direct map.
 */
#include <veneer/console.h>
#include <veneer/heap.h>
#include <veneer/mm.h>

static struct heap heap;

static void *heap_pages_alloc(void *ctx, unsigned int order)
{
    mfn_t mfn = alloc_pages(order);
    return mfn == INVALID_MFN ? NULL : phys_to_virt(mfn << PAGE_SHIFT);
}

static void heap_pages_free(void *ctx, void *pages, unsigned int order)
{
    free_pages(virt_to_phys(pages) >> PAGE_SHIFT, order);
}

void xmalloc_init(void)
{
    heap_init(&heap, heap_pages_alloc, heap_pages_free, NULL);
}

struct heap *hypervisor_heap(void)
{
    return &heap;
}

void *xmalloc(size_t size)
{
    return heap_alloc(&heap, size);
}

void *xzalloc(size_t size)
{
    return heap_zalloc(&heap, size);
}

void xfree(void *p)
{
    if (heap_free(&heap, p))
        pr_err("xfree(%p): not a live heap allocation\n", p);
}
