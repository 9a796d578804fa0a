/*
 * The heap over a host page source that counts its pages and never reuses
 * a freed one, so double frees read memory that is still mapped and a leak
 * shows up as pages never given back.
 */
#include <stdlib.h>
#include <string.h>

#include <veneer/errno.h>
#include <veneer/heap.h>

#include "unit.h"

#define MAX_BLOCKS 4096

struct pages {
    void *live[MAX_BLOCKS]; /* blocks handed to the heap */
    unsigned int live_order[MAX_BLOCKS];
    void *retired[MAX_BLOCKS * 4]; /* freed, kept until teardown */
    unsigned int nr_retired;
    uint64_t pages_out;
    unsigned int limit; /* refuse when this many pages are out (0: none) */
    bool bad_free;      /* the heap freed something we never gave */
};

static void *pages_alloc(void *ctx, unsigned int order)
{
    struct pages *p = ctx;

    if (order > 10 || (p->limit && p->pages_out + (1UL << order) > p->limit))
        return NULL;
    for (unsigned int i = 0; i < MAX_BLOCKS; i++) {
        if (!p->live[i]) {
            void *m = aligned_alloc(PAGE_SIZE, PAGE_SIZE << order);
            if (!m)
                return NULL;
            memset(m, 0x3c, PAGE_SIZE << order); /* garbage */
            p->live[i] = m;
            p->live_order[i] = order;
            p->pages_out += 1UL << order;
            return m;
        }
    }
    return NULL;
}

static void pages_free(void *ctx, void *m, unsigned int order)
{
    struct pages *p = ctx;

    for (unsigned int i = 0; i < MAX_BLOCKS; i++) {
        if (p->live[i] == m && p->live_order[i] == order) {
            p->live[i] = NULL;
            p->pages_out -= 1UL << order;
            if (p->nr_retired < ARRAY_SIZE(p->retired))
                p->retired[p->nr_retired++] = m;
            else
                free(m);
            return;
        }
    }
    p->bad_free = true;
}

static struct pages *pages_new(void)
{
    struct pages *p = calloc(1, sizeof(*p));
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    return p;
}

static void pages_destroy(struct pages *p)
{
    for (unsigned int i = 0; i < MAX_BLOCKS; i++)
        free(p->live[i]);
    for (unsigned int i = 0; i < p->nr_retired; i++)
        free(p->retired[i]);
    free(p);
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fill(void *m, size_t n, unsigned int seed)
{
    unsigned char *c = m;
    for (size_t i = 0; i < n; i++)
        c[i] = (unsigned char)(seed * 131 + i * 7);
}

static bool intact(const void *m, size_t n, unsigned int seed)
{
    const unsigned char *c = m;
    for (size_t i = 0; i < n; i++) {
        if (c[i] != (unsigned char)(seed * 131 + i * 7))
            return false;
    }
    return true;
}

static void test_sizes_and_alignment(void)
{
    static const size_t sizes[] = {1,    15,   16,   17,   31,    32,   33,
                                   100,  255,  256,  257,  1000,  1024, 2047,
                                   2048, 2049, 4000, 4096, 10000, 70000};
    struct pages *p = pages_new();
    struct heap h;
    void *m[ARRAY_SIZE(sizes)];
    uint64_t bytes = 0;

    heap_init(&h, pages_alloc, pages_free, p);
    CU_ASSERT_PTR_NULL(heap_alloc(&h, 0));
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        m[i] = heap_alloc(&h, sizes[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
        CU_ASSERT_EQUAL((uintptr_t)m[i] % 16, 0);
        fill(m[i], sizes[i], (unsigned int)i);
        bytes += sizes[i];
    }
    CU_ASSERT_EQUAL(h.nr_live, ARRAY_SIZE(sizes));
    CU_ASSERT_EQUAL(h.bytes_in_use, bytes);
    CU_ASSERT_EQUAL(h.pages_held, p->pages_out);
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        CU_ASSERT_TRUE(intact(m[i], sizes[i], (unsigned int)i));
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        CU_ASSERT_EQUAL(heap_free(&h, m[i]), 0);
    CU_ASSERT_EQUAL(h.nr_live, 0);
    CU_ASSERT_EQUAL(h.bytes_in_use, 0);
    CU_ASSERT_EQUAL(h.pages_held, 0);
    CU_ASSERT_EQUAL(p->pages_out, 0);
    CU_ASSERT_EQUAL(h.bad_frees, 0);
    CU_ASSERT_FALSE(p->bad_free);
    pages_destroy(p);
}

static void test_zalloc(void)
{
    struct pages *p = pages_new();
    struct heap h;

    heap_init(&h, pages_alloc, pages_free, p);
    for (size_t n = 1; n < 9000; n = n * 3 + 1) {
        unsigned char *m = heap_zalloc(&h, n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        for (size_t i = 0; i < n; i++)
            CU_ASSERT_EQUAL_FATAL(m[i], 0); /* pages came with garbage */
        memset(m, 0xff, n);
        CU_ASSERT_EQUAL(heap_free(&h, m), 0);
    }
    CU_ASSERT_EQUAL(h.pages_held, 0);
    pages_destroy(p);
}

/* Thousands of random sizes live at once, each with its own pattern; any
 * overlap between two objects breaks one of the patterns. */
static void test_random_stress(void)
{
    enum { N = 3000 };
    struct pages *p = pages_new();
    struct heap h;
    void **m = calloc(N, sizeof(*m));
    size_t *sz = calloc(N, sizeof(*sz));

    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sz);
    rng_state = 0xc0ffee1234567ULL;
    heap_init(&h, pages_alloc, pages_free, p);
    for (unsigned int step = 0; step < 20000; step++) {
        unsigned int i = (unsigned int)(rnd() % N);
        if (m[i]) {
            CU_ASSERT_TRUE_FATAL(intact(m[i], sz[i], i));
            CU_ASSERT_EQUAL(heap_free(&h, m[i]), 0);
            m[i] = NULL;
        } else {
            sz[i] = rnd() % 8 ? 1 + rnd() % 2048 : 1 + rnd() % 20000;
            m[i] = heap_alloc(&h, sz[i]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
            CU_ASSERT_EQUAL((uintptr_t)m[i] % 16, 0);
            fill(m[i], sz[i], i);
        }
    }
    uint64_t live = 0, bytes = 0;
    for (unsigned int i = 0; i < N; i++) {
        if (m[i]) {
            CU_ASSERT_TRUE(intact(m[i], sz[i], i));
            live++;
            bytes += sz[i];
        }
    }
    CU_ASSERT_EQUAL(h.nr_live, live);
    CU_ASSERT_EQUAL(h.bytes_in_use, bytes);
    CU_ASSERT_EQUAL(h.pages_held, p->pages_out);
    for (unsigned int i = 0; i < N; i++) {
        if (m[i])
            CU_ASSERT_EQUAL(heap_free(&h, m[i]), 0);
    }
    CU_ASSERT_EQUAL(h.nr_live, 0);
    CU_ASSERT_EQUAL(h.bytes_in_use, 0);
    CU_ASSERT_EQUAL(h.pages_held, 0);
    CU_ASSERT_EQUAL(p->pages_out, 0);
    CU_ASSERT_EQUAL(h.bad_frees, 0);
    CU_ASSERT_FALSE(p->bad_free);
    free(sz);
    free(m);
    pages_destroy(p);
}

static void test_bad_frees(void)
{
    struct pages *p = pages_new();
    struct heap h, other;
    char *a, *b, *big, *keep;
    static char not_ours[3 * 4096];
    char *page = (char *)ALIGN_UP((uintptr_t)not_ours, PAGE_SIZE);

    heap_init(&h, pages_alloc, pages_free, p);
    heap_init(&other, pages_alloc, pages_free, p);
    keep = heap_alloc(&h, 64); /* keeps the slab alive after a's free */
    a = heap_alloc(&h, 64);
    b = heap_alloc(&h, 64);
    big = heap_alloc(&h, 9000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keep);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    uint64_t held = h.pages_held, bytes = h.bytes_in_use;

    CU_ASSERT_EQUAL(heap_free(&h, NULL), 0);
    CU_ASSERT_EQUAL(heap_free(&h, a + 1), -EINVAL);  /* inside an object */
    CU_ASSERT_EQUAL(heap_free(&h, a + 16), -EINVAL); /* not a slot start */
    CU_ASSERT_EQUAL(heap_free(&h, big + 16), -EINVAL);
    CU_ASSERT_EQUAL(heap_free(&h, big + 5000), -EINVAL); /* a later page */
    CU_ASSERT_EQUAL(heap_free(&h, page + 32), -EINVAL);  /* never ours */
    CU_ASSERT_EQUAL(heap_free(&h, page), -EINVAL);
    CU_ASSERT_EQUAL(heap_free(&h, (char *)((uintptr_t)a & PAGE_MASK)),
                    -EINVAL);                       /* the header itself */
    CU_ASSERT_EQUAL(heap_free(&other, a), -EINVAL); /* another heap's */
    /* a slot that was never allocated in a live slab */
    CU_ASSERT_EQUAL(heap_free(&h, b + 64 * 3), -EINVAL);
    CU_ASSERT_EQUAL(h.bad_frees, 8);
    CU_ASSERT_EQUAL(other.bad_frees, 1);
    CU_ASSERT_EQUAL(h.nr_live, 4);
    CU_ASSERT_EQUAL(h.pages_held, held);
    CU_ASSERT_EQUAL(h.bytes_in_use, bytes);

    CU_ASSERT_EQUAL(heap_free(&h, a), 0);
    CU_ASSERT_EQUAL(heap_free(&h, a), -EINVAL); /* double, slab still live */
    CU_ASSERT_EQUAL(heap_free(&h, big), 0);
    CU_ASSERT_EQUAL(heap_free(&h, big), -EINVAL); /* double, pages gone */
    CU_ASSERT_EQUAL(heap_free(&h, b), 0);
    CU_ASSERT_EQUAL(heap_free(&h, keep), 0);
    CU_ASSERT_EQUAL(heap_free(&h, keep), -EINVAL); /* double, slab gone */
    CU_ASSERT_EQUAL(h.bad_frees, 11);
    CU_ASSERT_EQUAL(h.nr_live, 0);
    CU_ASSERT_EQUAL(h.pages_held, 0);
    CU_ASSERT_EQUAL(h.bytes_in_use, 0);
    CU_ASSERT_FALSE(p->bad_free);
    pages_destroy(p);
}

static void test_out_of_pages(void)
{
    struct pages *p = pages_new();
    struct heap h;
    void *m[64];
    unsigned int n = 0;

    p->limit = 3;
    heap_init(&h, pages_alloc, pages_free, p);
    CU_ASSERT_PTR_NULL(heap_alloc(&h, 5 * PAGE_SIZE)); /* order 3 > limit */
    CU_ASSERT_PTR_NULL(heap_alloc(&h, SIZE_MAX));
    CU_ASSERT_PTR_NULL(heap_alloc(&h, SIZE_MAX - 8));
    CU_ASSERT_PTR_NULL(heap_alloc(&h, SIZE_MAX / 2));
    /* 2048-byte objects: one per page, so the fourth one finds no page. */
    while (n < ARRAY_SIZE(m) && (m[n] = heap_alloc(&h, 2048)))
        n++;
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(h.nr_live, 3);
    CU_ASSERT_EQUAL(h.bad_frees, 0);
    while (n)
        CU_ASSERT_EQUAL(heap_free(&h, m[--n]), 0);
    CU_ASSERT_EQUAL(h.pages_held, 0);
    pages_destroy(p);
}

static void test_slab_reuse(void)
{
    struct pages *p = pages_new();
    struct heap h;
    void *m[600];

    heap_init(&h, pages_alloc, pages_free, p);
    /* Many objects of one class share pages: 600 x 16 bytes in a few. */
    for (int i = 0; i < 600; i++) {
        m[i] = heap_alloc(&h, 16);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
    }
    CU_ASSERT(h.pages_held <= 3);
    /* A freed slot is handed out again before a new page is taken. */
    uint64_t held = h.pages_held;
    CU_ASSERT_EQUAL(heap_free(&h, m[7]), 0);
    CU_ASSERT_PTR_EQUAL(heap_alloc(&h, 10), m[7]);
    CU_ASSERT_EQUAL(h.pages_held, held);
    for (int i = 0; i < 600; i++)
        CU_ASSERT_EQUAL(heap_free(&h, m[i]), 0);
    CU_ASSERT_EQUAL(h.pages_held, 0);
    pages_destroy(p);
}

static const struct unit_case heap_cases[] = {
    {"every size class and large sizes: aligned, distinct, counted",
     test_sizes_and_alignment},
    {"zalloc clears memory that came dirty", test_zalloc},
    {"20000 random allocs/frees keep every pattern, free all -> 0 pages",
     test_random_stress},
    {"bad, foreign and double frees are refused and change nothing",
     test_bad_frees},
    {"no pages or absurd sizes give NULL, not corruption", test_out_of_pages},
    {"freed slots are reused before new pages", test_slab_reuse},
    {NULL, NULL},
};
UNIT_SUITE(heap, heap_cases)
