/*
 * Self-tests of the frame allocator and the heap on real memory: stress
 * them, check every block is distinct and intact, then check that freeing
 * everything gives back exactly what there was (no leak).
 */
#include <veneer/buddy.h>
#include <veneer/errno.h>
#include <veneer/heap.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/selftest.h>

static uint64_t lcg_state = 12345;

static uint64_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg_state >> 33;
}

/* Allocated blocks are chained through their own first words. */
struct block_head {
    struct block_head *next;
    uint64_t mfn;
    unsigned int order;
};

SELFTEST(buddy_stress, "allocate all memory in random orders, free, no leak")
{
    struct buddy *b = page_allocator();
    uint64_t free_before = b->free_pages;
    struct block_head *list = NULL;
    unsigned long nr = 0, pages = 0;

    if (buddy_check(b))
        return selftest_fail("allocator inconsistent before the test");
    for (;;) {
        unsigned int order = (unsigned int)(lcg() % 6);
        mfn_t mfn = alloc_pages(order);
        if (mfn == INVALID_MFN) {
            mfn = alloc_pages(0);
            if (mfn == INVALID_MFN)
                break; /* all memory taken */
            order = 0;
        }
        struct block_head *h = phys_to_virt(mfn << PAGE_SHIFT);
        /* Stamp every page: an overlap would overwrite another's stamp. */
        for (unsigned long i = 1; i < (1UL << order); i++)
            *(uint64_t *)((char *)h + i * PAGE_SIZE) = mfn + i;
        *h = (struct block_head){list, mfn, order};
        list = h;
        nr++;
        pages += 1UL << order;
    }
    if (b->free_pages != 0)
        return selftest_fail("%lu pages left free after allocating all",
                             (unsigned long)b->free_pages);
    if (pages != free_before)
        return selftest_fail("allocated %lu pages, %lu were free", pages,
                             (unsigned long)free_before);
    while (list) {
        struct block_head *h = list;
        list = h->next;
        if (virt_to_phys(h) >> PAGE_SHIFT != h->mfn)
            return selftest_fail("block stamp corrupted at %p", (void *)h);
        for (unsigned long i = 1; i < (1UL << h->order); i++) {
            if (*(uint64_t *)((char *)h + i * PAGE_SIZE) != h->mfn + i)
                return selftest_fail("page %lu of block %#lx overwritten", i,
                                     (unsigned long)h->mfn);
        }
        free_pages(h->mfn, h->order);
    }
    if (b->free_pages != free_before)
        return selftest_fail("%lu pages free after the test, %lu before",
                             (unsigned long)b->free_pages,
                             (unsigned long)free_before);
    if (buddy_check(b))
        return selftest_fail("allocator inconsistent after the test");
    return 0;
}

SELFTEST(heap_stress, "heap allocations of many sizes stay intact, no leak")
{
    struct heap *h = hypervisor_heap();
    uint64_t live_before = h->nr_live, pages_before = h->pages_held;
    enum { N = 512 };
    static unsigned char *ptr[N];
    static size_t size[N];

    for (unsigned int i = 0; i < N; i++) {
        size[i] = 1 + (size_t)(lcg() % (i % 8 == 7 ? 20000 : 600));
        ptr[i] = xmalloc(size[i]);
        if (!ptr[i])
            return selftest_fail("xmalloc(%zu) failed", size[i]);
        if ((uintptr_t)ptr[i] & 15)
            return selftest_fail("xmalloc(%zu) = %p is not 16-byte aligned",
                                 size[i], (void *)ptr[i]);
        memset(ptr[i], (int)(i & 0xff), size[i]);
    }
    /* Free every other one, then the rest, checking contents each time. */
    for (unsigned int pass = 0; pass < 2; pass++) {
        for (unsigned int i = pass; i < N; i += 2) {
            for (size_t j = 0; j < size[i]; j++) {
                if (ptr[i][j] != (unsigned char)(i & 0xff))
                    return selftest_fail("allocation %u byte %zu corrupted", i,
                                         j);
            }
            xfree(ptr[i]);
        }
    }
    if (h->nr_live != live_before)
        return selftest_fail("%lu allocations still live",
                             (unsigned long)(h->nr_live - live_before));
    if (h->pages_held != pages_before)
        return selftest_fail("heap holds %lu pages, %lu before",
                             (unsigned long)h->pages_held,
                             (unsigned long)pages_before);
    return 0;
}

SELFTEST(heap_double_free, "the heap refuses a double free and a stray pointer")
{
    struct heap *h = hypervisor_heap();
    void *keep = xmalloc(32), *victim = xmalloc(32);
    static char not_heap[64];
    int rc_double, rc_stray;

    if (!keep || !victim)
        return selftest_fail("xmalloc(32) failed");
    xfree(victim);
    rc_double = heap_free(h, victim);
    rc_stray = heap_free(h, not_heap + 16);
    xfree(keep);
    if (rc_double != -EINVAL)
        return selftest_fail("double free returned %d", rc_double);
    if (rc_stray != -EINVAL)
        return selftest_fail("free of a non-heap pointer returned %d",
                             rc_stray);
    return 0;
}
