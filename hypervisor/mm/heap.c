/*
 * The hypervisor heap (xmalloc's job in Xen).
 *
 * Small requests (up to 2048 bytes) come from slabs: one page per slab, all
 * slots of one size class, a header at the start of the page with a bitmap
 * of used slots and the requested size of each live object. Larger requests
 * get a whole power-of-two block of pages with a header at its start and
 * the object right after it. So every pointer the heap hands out lies in
 * the first page of its block, and that page's first bytes say what it is:
 * heap_free() rounds the pointer down to its page and checks the header's
 * magic (mixed with the page's own address, so a copied header does not
 * pass), the owner, the slot boundary and the used bit before it believes
 * anything. Freed objects are poisoned, so use-after-free reads garbage
 * that looks like garbage.
 */
#include <veneer/errno.h>
#include <veneer/heap.h>
#include <veneer/lib.h>

#define HEAP_MIN_SHIFT   4 /* 16-byte class, 16-byte alignment */
#define HEAP_SLAB_MAX    (16u << (HEAP_NR_CLASSES - 1))
#define HEAP_SLOTS_MAX   (PAGE_SIZE >> HEAP_MIN_SHIFT)
#define HEAP_MAGIC_SLAB  0x5e1ab0c5a1ab5e1aULL
#define HEAP_MAGIC_LARGE 0x1a26eb10c4a11c01ULL
#define HEAP_POISON      0xa5

struct heap_slab {
    uint64_t magic; /* HEAP_MAGIC_SLAB ^ address of this page */
    struct heap *owner;
    struct heap_slab *next, *prev;               /* on owner->partial[cls] */
    uint16_t cls, nr_slots, nr_free, first_slot; /* first_slot: offset */
    uint64_t used[HEAP_SLOTS_MAX / 64];
    uint16_t size[]; /* requested bytes per slot */
};

struct heap_large {
    uint64_t magic; /* HEAP_MAGIC_LARGE ^ address of this page */
    struct heap *owner;
    uint64_t size;      /* requested bytes */
    unsigned int order; /* of the page block */
    uint32_t pad;       /* keeps the object 16-byte aligned */
};

_Static_assert(sizeof(struct heap_large) % 16 == 0, "large header alignment");

/* Slots per page for a class, with the header and its size array. */
static unsigned int class_slots(unsigned int cls, uint16_t *first_slot)
{
    size_t sz = 16u << cls;
    unsigned int n = (unsigned int)((PAGE_SIZE - sizeof(struct heap_slab)) /
                                    (sz + sizeof(uint16_t)));
    size_t off;

    for (;; n--) {
        off = ALIGN_UP(sizeof(struct heap_slab) + n * sizeof(uint16_t),
                       (size_t)16);
        if (off + n * sz <= PAGE_SIZE)
            break;
    }
    *first_slot = (uint16_t)off;
    return n;
}

static uint64_t page_magic(uint64_t magic, const void *page)
{
    return magic ^ (uint64_t)(uintptr_t)page;
}

void heap_init(struct heap *h, heap_pages_alloc_fn alloc,
               heap_pages_free_fn free_fn, void *ctx)
{
    memset(h, 0, sizeof(*h));
    h->pages_alloc = alloc;
    h->pages_free = free_fn;
    h->ctx = ctx;
}

static void partial_add(struct heap *h, struct heap_slab *s)
{
    s->prev = NULL;
    s->next = h->partial[s->cls];
    if (s->next)
        s->next->prev = s;
    h->partial[s->cls] = s;
}

static void partial_del(struct heap *h, struct heap_slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        h->partial[s->cls] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

static struct heap_slab *slab_new(struct heap *h, unsigned int cls)
{
    struct heap_slab *s = h->pages_alloc(h->ctx, 0);

    if (!s)
        return NULL;
    if ((uintptr_t)s & (PAGE_SIZE - 1)) {
        /* A broken page source: refuse rather than corrupt. */
        h->pages_free(h->ctx, s, 0);
        return NULL;
    }
    memset(s, 0, sizeof(*s));
    s->magic = page_magic(HEAP_MAGIC_SLAB, s);
    s->owner = h;
    s->cls = (uint16_t)cls;
    s->nr_slots = (uint16_t)class_slots(cls, &s->first_slot);
    s->nr_free = s->nr_slots;
    h->pages_held++;
    partial_add(h, s);
    return s;
}

static void *slab_alloc(struct heap *h, size_t size)
{
    unsigned int cls = 0;
    struct heap_slab *s;
    unsigned int slot = 0;

    while ((16u << cls) < size)
        cls++;
    s = h->partial[cls];
    if (!s && !(s = slab_new(h, cls)))
        return NULL;

    for (unsigned int w = 0; w < ARRAY_SIZE(s->used); w++) {
        if (~s->used[w]) {
            slot = w * 64 + (unsigned int)__builtin_ctzll(~s->used[w]);
            break;
        }
    }
    /* The partial list only holds slabs with a free slot below nr_slots,
     * and slots >= nr_slots are never marked used, so slot is valid. */
    s->used[slot / 64] |= 1ULL << (slot % 64);
    s->size[slot] = (uint16_t)size;
    if (--s->nr_free == 0)
        partial_del(h, s);
    return (char *)s + s->first_slot + ((size_t)slot << (cls + 4));
}

static void *large_alloc(struct heap *h, size_t size)
{
    unsigned int order = 0;
    struct heap_large *l;

    if (size > (SIZE_MAX >> 1) - sizeof(*l))
        return NULL;
    while ((PAGE_SIZE << order) < size + sizeof(*l))
        order++;
    l = h->pages_alloc(h->ctx, order);
    if (!l)
        return NULL;
    if ((uintptr_t)l & (PAGE_SIZE - 1)) {
        h->pages_free(h->ctx, l, order);
        return NULL;
    }
    l->magic = page_magic(HEAP_MAGIC_LARGE, l);
    l->owner = h;
    l->size = size;
    l->order = order;
    h->pages_held += 1UL << order;
    return l + 1;
}

void *heap_alloc(struct heap *h, size_t size)
{
    void *p;

    if (!size)
        return NULL;
    p = size <= HEAP_SLAB_MAX ? slab_alloc(h, size) : large_alloc(h, size);
    if (p) {
        h->nr_live++;
        h->bytes_in_use += size;
    }
    return p;
}

void *heap_zalloc(struct heap *h, size_t size)
{
    void *p = heap_alloc(h, size);

    if (p)
        memset(p, 0, size);
    return p;
}

static int slab_free(struct heap *h, struct heap_slab *s, void *p)
{
    size_t off = (size_t)((char *)p - (char *)s);
    unsigned int shift = s->cls + 4, slot;

    if (s->cls >= HEAP_NR_CLASSES || off < s->first_slot)
        return -EINVAL;
    off -= s->first_slot;
    slot = (unsigned int)(off >> shift);
    if ((off & ((1UL << shift) - 1)) || slot >= s->nr_slots)
        return -EINVAL; /* not the start of a slot */
    if (!(s->used[slot / 64] & (1ULL << (slot % 64))))
        return -EINVAL; /* double free */

    s->used[slot / 64] &= ~(1ULL << (slot % 64));
    h->bytes_in_use -= s->size[slot];
    memset(p, HEAP_POISON, 1UL << shift);
    if (s->nr_free++ == 0)
        partial_add(h, s);
    if (s->nr_free == s->nr_slots) {
        /* Empty: give the page back, so that an idle heap holds nothing. */
        partial_del(h, s);
        s->magic = 0;
        h->pages_held--;
        h->pages_free(h->ctx, s, 0);
    }
    return 0;
}

static int large_free(struct heap *h, struct heap_large *l, void *p)
{
    if (p != (void *)(l + 1))
        return -EINVAL;
    h->bytes_in_use -= l->size;
    h->pages_held -= 1UL << l->order;
    l->magic = 0; /* a second free of p now fails the magic check */
    h->pages_free(h->ctx, l, l->order);
    return 0;
}

int heap_free(struct heap *h, void *p)
{
    void *page;
    uint64_t magic;
    int rc = -EINVAL;

    if (!p)
        return 0;
    page = (void *)((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1));
    /* Offset 0 of a page is never an object: both headers live there. */
    if (page == p)
        goto out;
    magic = *(const uint64_t *)page;
    if (magic == page_magic(HEAP_MAGIC_SLAB, page) &&
        ((struct heap_slab *)page)->owner == h)
        rc = slab_free(h, page, p);
    else if (magic == page_magic(HEAP_MAGIC_LARGE, page) &&
             ((struct heap_large *)page)->owner == h)
        rc = large_free(h, page, p);
out:
    if (rc)
        h->bad_frees++;
    else
        h->nr_live--;
    return rc;
}
