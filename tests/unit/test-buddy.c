/*
 * The buddy allocator on a host frame table: random alloc/free sequences
 * checked against a shadow bitmap of what we hold, buddy_check() after
 * every step, full merging once all is freed, and refusal of every misuse
 * with the allocator left exactly as it was.
 */
#include <stdlib.h>
#include <string.h>

#include <veneer/buddy.h>
#include <veneer/errno.h>

#include "unit.h"

/* A small deterministic PRNG, so failures reproduce. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

struct fixture {
    struct buddy b;
    struct page_info *frames;
    mfn_t nr;
};

static void setup(struct fixture *f, mfn_t nr)
{
    f->nr = nr;
    f->frames = malloc(nr * sizeof(*f->frames));
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->frames);
    memset(f->frames, 0xa5, nr * sizeof(*f->frames)); /* garbage */
    buddy_init(&f->b, f->frames, nr);
}

static void teardown(struct fixture *f)
{
    free(f->frames);
}

static void test_init_reserved(void)
{
    struct fixture f;

    setup(&f, 64);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    CU_ASSERT_EQUAL(f.b.free_pages, 0);
    for (mfn_t i = 0; i < f.nr; i++)
        CU_ASSERT_EQUAL(f.frames[i].flags, PGF_RESERVED);
    CU_ASSERT_EQUAL(buddy_alloc(&f.b, 0), INVALID_MFN);
    CU_ASSERT_EQUAL(buddy_free(&f.b, 0, 0), -EINVAL); /* reserved frame */
    teardown(&f);
}

static void test_add_range_blocks(void)
{
    struct fixture f;

    /* [3, 37): blocks 3(0) 4(2) 8(3) 16(4) 32(2) 36(0) */
    setup(&f, 64);
    buddy_add_range(&f.b, 3, 37);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    CU_ASSERT_EQUAL(f.b.free_pages, 34);
    CU_ASSERT_EQUAL(f.b.managed_pages, 34);
    CU_ASSERT_EQUAL(f.b.nr_free[0], 2);
    CU_ASSERT_EQUAL(f.b.nr_free[1], 0);
    CU_ASSERT_EQUAL(f.b.nr_free[2], 2);
    CU_ASSERT_EQUAL(f.b.nr_free[3], 1);
    CU_ASSERT_EQUAL(f.b.nr_free[4], 1);
    /* Overlapping and out-of-range additions take each frame once. */
    buddy_add_range(&f.b, 0, 10);
    buddy_add_range(&f.b, 60, 1000);
    buddy_add_range(&f.b, 500, 600);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    CU_ASSERT_EQUAL(f.b.managed_pages, 34 + 3 + 4);
    CU_ASSERT_EQUAL(f.b.free_pages, 41);
    CU_ASSERT_EQUAL(f.b.nr_free[5], 1); /* [0, 32) merged */
    teardown(&f);
}

static void test_alloc_exact_and_exhaust(void)
{
    struct fixture f;
    mfn_t m;

    setup(&f, 1024);
    buddy_add_range(&f.b, 0, 1024);
    CU_ASSERT_EQUAL(f.b.nr_free[10], 1);
    m = buddy_alloc(&f.b, 10);
    CU_ASSERT_EQUAL(m, 0);
    CU_ASSERT_EQUAL(buddy_alloc(&f.b, 0), INVALID_MFN);
    CU_ASSERT_EQUAL(buddy_alloc(&f.b, BUDDY_MAX_ORDER + 1), INVALID_MFN);
    CU_ASSERT_EQUAL(buddy_free(&f.b, m, 10), 0);
    /* Single frames until empty: each distinct, all accounted. */
    for (int i = 0; i < 1024; i++) {
        m = buddy_alloc(&f.b, 0);
        CU_ASSERT_NOT_EQUAL_FATAL(m, INVALID_MFN);
        CU_ASSERT_EQUAL(f.frames[m].flags & (PGF_FREE | PGF_RESERVED), 0);
    }
    CU_ASSERT_EQUAL(f.b.free_pages, 0);
    CU_ASSERT_EQUAL(buddy_alloc(&f.b, 0), INVALID_MFN);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    for (mfn_t i = 0; i < 1024; i++)
        CU_ASSERT_EQUAL(buddy_free(&f.b, (i * 7) % 1024, 0), 0);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    CU_ASSERT_EQUAL(f.b.nr_free[10], 1); /* merged all the way back */
    CU_ASSERT_EQUAL(f.b.free_pages, 1024);
    teardown(&f);
}

static void test_refuse_misuse(void)
{
    struct fixture f;
    struct page_info *copy;
    struct buddy before;
    mfn_t a;

    setup(&f, 256);
    buddy_add_range(&f.b, 16, 256);
    a = buddy_alloc(&f.b, 2);
    CU_ASSERT_NOT_EQUAL_FATAL(a, INVALID_MFN);
    copy = malloc(f.nr * sizeof(*copy));
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, f.frames, f.nr * sizeof(*copy));
    before = f.b;

    CU_ASSERT_EQUAL(buddy_free(&f.b, a + 1, 2), -EINVAL); /* misaligned */
    CU_ASSERT_EQUAL(buddy_free(&f.b, a + 2, 1), 0);       /* a sub-block */
    CU_ASSERT_EQUAL(buddy_free(&f.b, a + 2, 1), -EINVAL); /* double */
    CU_ASSERT_EQUAL(buddy_free(&f.b, a, 2), -EINVAL);     /* half free */
    CU_ASSERT_EQUAL(buddy_free(&f.b, a + 3, 0), -EINVAL); /* inside free */
    CU_ASSERT_EQUAL(buddy_free(&f.b, a, 1), 0);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    CU_ASSERT_EQUAL(f.b.free_pages, 240);
    /* Reserved frames, out of range, wrapping, absurd orders. */
    CU_ASSERT_EQUAL(buddy_free(&f.b, 0, 0), -EINVAL);
    CU_ASSERT_EQUAL(buddy_free(&f.b, 0, 4), -EINVAL);
    CU_ASSERT_EQUAL(buddy_free(&f.b, 256, 0), -EINVAL);
    CU_ASSERT_EQUAL(buddy_free(&f.b, 0, 9), -EINVAL);
    CU_ASSERT_EQUAL(buddy_free(&f.b, ~(mfn_t)0, 0), -EINVAL);
    CU_ASSERT_EQUAL(buddy_free(&f.b, INVALID_MFN & ~0xffUL, 8), -EINVAL);
    CU_ASSERT_EQUAL(buddy_free(&f.b, 0, BUDDY_MAX_ORDER + 1), -EINVAL);
    CU_ASSERT_EQUAL(buddy_free(&f.b, 0, 200), -EINVAL);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);

    /* A refused free leaves every byte of the state as it was. */
    a = buddy_alloc(&f.b, 2);
    CU_ASSERT_EQUAL(buddy_free(&f.b, a + 1, 0), 0);
    memcpy(copy, f.frames, f.nr * sizeof(*copy));
    before = f.b;
    CU_ASSERT_EQUAL(buddy_free(&f.b, a, 2), -EINVAL);
    CU_ASSERT_EQUAL(buddy_free(&f.b, a + 1, 0), -EINVAL);
    CU_ASSERT_EQUAL(memcmp(copy, f.frames, f.nr * sizeof(*copy)), 0);
    CU_ASSERT_EQUAL(memcmp(&before, &f.b, sizeof(before)), 0);
    free(copy);
    teardown(&f);
}

static void test_check_catches_corruption(void)
{
    struct fixture f;
    mfn_t a;

    setup(&f, 128);
    buddy_add_range(&f.b, 0, 128);
    a = buddy_alloc(&f.b, 0);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    f.frames[a].flags |= PGF_FREE; /* a stray free frame */
    CU_ASSERT_NOT_EQUAL(buddy_check(&f.b), 0);
    f.frames[a].flags &= ~PGF_FREE;
    f.b.nr_free[0]++;
    CU_ASSERT_NOT_EQUAL(buddy_check(&f.b), 0);
    f.b.nr_free[0]--;
    f.frames[64].order = 3; /* a head with the wrong order */
    CU_ASSERT_NOT_EQUAL(buddy_check(&f.b), 0);
    f.frames[64].order = 6;
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    f.frames[64].next = &f.frames[64]; /* a cycle */
    CU_ASSERT_NOT_EQUAL(buddy_check(&f.b), 0);
    teardown(&f);
}

struct held {
    mfn_t mfn;
    unsigned int order;
};

/* Random orders and frees over several RAM ranges with holes; the shadow
 * map proves no frame is handed out twice or outside managed RAM. */
static void stress(uint64_t seed, mfn_t nr, unsigned int steps)
{
    struct fixture f;
    unsigned char *shadow = calloc(nr, 1); /* 1 = we hold this frame */
    struct held *held = calloc(nr, sizeof(*held));
    unsigned int nr_held = 0, failures = 0;
    uint64_t counts[BUDDY_MAX_ORDER + 1];

    CU_ASSERT_PTR_NOT_NULL_FATAL(shadow);
    CU_ASSERT_PTR_NOT_NULL_FATAL(held);
    rng_state = seed;
    setup(&f, nr);
    buddy_add_range(&f.b, 1, nr / 3);
    buddy_add_range(&f.b, nr / 3 + 5, nr - 7);
    buddy_add_range(&f.b, nr / 2, nr / 2 + 100); /* overlap */
    CU_ASSERT_EQUAL_FATAL(buddy_check(&f.b), 0);
    uint64_t total = f.b.free_pages;
    memcpy(counts, f.b.nr_free, sizeof(counts));

    for (unsigned int step = 0; step < steps; step++) {
        bool do_alloc = nr_held == 0 || rnd() % 100 < 55;

        if (do_alloc) {
            unsigned int order = (unsigned int)(rnd() % 7);
            if (rnd() % 50 == 0)
                order = (unsigned int)(rnd() % (BUDDY_MAX_ORDER + 1));
            mfn_t m = buddy_alloc(&f.b, order);
            if (m == INVALID_MFN) {
                failures++;
                /* Only refused when no block of that order is free. */
                for (unsigned int k = order; k <= BUDDY_MAX_ORDER; k++)
                    CU_ASSERT_EQUAL(f.b.nr_free[k], 0);
                continue;
            }
            CU_ASSERT_EQUAL(m & ((1UL << order) - 1), 0);
            CU_ASSERT_FATAL(m + (1UL << order) <= nr);
            for (mfn_t i = m; i < m + (1UL << order); i++) {
                /* never handed out twice, never a hole */
                CU_ASSERT_EQUAL_FATAL(shadow[i], 0);
                CU_ASSERT_FATAL(i >= 1 && i < nr - 7 &&
                                !(i >= nr / 3 && i < nr / 3 + 5));
                shadow[i] = 1;
            }
            held[nr_held++] = (struct held){m, order};
        } else {
            unsigned int k = (unsigned int)(rnd() % nr_held);
            struct held h = held[k];
            held[k] = held[--nr_held];
            CU_ASSERT_EQUAL(buddy_free(&f.b, h.mfn, h.order), 0);
            for (mfn_t i = h.mfn; i < h.mfn + (1UL << h.order); i++)
                shadow[i] = 0;
            /* every other free of the same block must now fail */
            if (rnd() % 8 == 0)
                CU_ASSERT_EQUAL(buddy_free(&f.b, h.mfn, h.order), -EINVAL);
        }
        CU_ASSERT_EQUAL_FATAL(buddy_check(&f.b), 0);
        uint64_t held_pages = 0;
        for (unsigned int i = 0; i < nr_held; i++)
            held_pages += 1UL << held[i].order;
        CU_ASSERT_EQUAL_FATAL(f.b.free_pages + held_pages, total);
    }
    CU_ASSERT(failures < steps); /* the test did allocate */
    while (nr_held) {
        struct held h = held[--nr_held];
        CU_ASSERT_EQUAL(buddy_free(&f.b, h.mfn, h.order), 0);
    }
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    CU_ASSERT_EQUAL(f.b.free_pages, total);
    /* Fully merged: the same blocks as right after adding the RAM. */
    CU_ASSERT_EQUAL(memcmp(counts, f.b.nr_free, sizeof(counts)), 0);
    free(held);
    free(shadow);
    teardown(&f);
}

static void test_stress_small(void)
{
    stress(0x1234567887654321ULL, 600, 4000);
}

static void test_stress_large(void)
{
    stress(0x9e3779b97f4a7c15ULL, 5000, 3000);
}

static void test_max_order(void)
{
    struct fixture f;
    mfn_t nr = (1UL << BUDDY_MAX_ORDER) * 2 + 3;

    setup(&f, nr);
    buddy_add_range(&f.b, 0, nr);
    CU_ASSERT_EQUAL(f.b.nr_free[BUDDY_MAX_ORDER], 2); /* never merged above */
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    mfn_t a = buddy_alloc(&f.b, BUDDY_MAX_ORDER);
    mfn_t b = buddy_alloc(&f.b, BUDDY_MAX_ORDER);
    CU_ASSERT_EQUAL(a ^ b, 1UL << BUDDY_MAX_ORDER);
    CU_ASSERT_EQUAL(buddy_alloc(&f.b, BUDDY_MAX_ORDER), INVALID_MFN);
    CU_ASSERT_EQUAL(buddy_free(&f.b, a, BUDDY_MAX_ORDER), 0);
    CU_ASSERT_EQUAL(buddy_free(&f.b, b, BUDDY_MAX_ORDER), 0);
    CU_ASSERT_EQUAL(f.b.nr_free[BUDDY_MAX_ORDER], 2);
    CU_ASSERT_EQUAL(buddy_check(&f.b), 0);
    teardown(&f);
}

static const struct unit_case buddy_cases[] = {
    {"init leaves every frame reserved, nothing allocatable",
     test_init_reserved},
    {"add_range builds maximal aligned blocks, counts frames once",
     test_add_range_blocks},
    {"allocation exhausts exactly, frees merge back to one block",
     test_alloc_exact_and_exhaust},
    {"misaligned, double, partial and out-of-range frees are refused",
     test_refuse_misuse},
    {"buddy_check notices corrupted flags, counts, orders and links",
     test_check_catches_corruption},
    {"random alloc/free never overlaps and merges fully (600 frames)",
     test_stress_small},
    {"random alloc/free never overlaps and merges fully (5000 frames)",
     test_stress_large},
    {"blocks stop at BUDDY_MAX_ORDER", test_max_order},
    {NULL, NULL},
};
UNIT_SUITE(buddy, buddy_cases)
