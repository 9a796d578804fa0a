/*
 * Memory-map sanitising: whatever the firmware says, the result must be
 * sorted, disjoint, page-aligned, and contain no byte that a non-usable
 * range mentions. A brute-force byte-level oracle checks random maps.
 */
#include <stdlib.h>
#include <string.h>

#include <veneer/errno.h>
#include <veneer/memmap.h>

#include "unit.h"

#define R(s, e, t) ((struct mem_range){(s), (e), (t)})

static void assert_well_formed(const struct memmap *m)
{
    for (unsigned int i = 0; i < m->n; i++) {
        CU_ASSERT(m->r[i].start < m->r[i].end);
        CU_ASSERT_EQUAL(m->r[i].start % PAGE_SIZE, 0);
        CU_ASSERT_EQUAL(m->r[i].end % PAGE_SIZE, 0);
        CU_ASSERT_EQUAL(m->r[i].type, MEM_USABLE);
        if (i) /* sorted, disjoint and not adjacent (merged) */
            CU_ASSERT(m->r[i - 1].end < m->r[i].start);
    }
}

static void test_typical_qemu(void)
{
    const struct mem_range in[] = {
        R(0, 0x9fc00, MEM_USABLE),
        R(0x9fc00, 0xa0000, MEM_RESERVED),
        R(0xf0000, 0x100000, MEM_RESERVED),
        R(0x100000, 0x7fe0000, MEM_USABLE),
        R(0x7fe0000, 0x8000000, MEM_RESERVED),
        R(0xfffc0000, 0x100000000, MEM_RESERVED),
    };
    struct memmap m;

    memmap_from_ranges(&m, in, ARRAY_SIZE(in));
    assert_well_formed(&m);
    CU_ASSERT_EQUAL_FATAL(m.n, 2);
    CU_ASSERT_EQUAL(m.r[0].start, 0);
    CU_ASSERT_EQUAL(m.r[0].end, 0x9f000); /* partial page dropped */
    CU_ASSERT_EQUAL(m.r[1].start, 0x100000);
    CU_ASSERT_EQUAL(m.r[1].end, 0x7fe0000);
    CU_ASSERT_EQUAL(memmap_total(&m), 0x9f000 + 0x7ee0000);
    CU_ASSERT_EQUAL(memmap_top(&m), 0x7fe0000);
}

static void test_unsorted_overlapping(void)
{
    const struct mem_range in[] = {
        R(0x500000, 0x800000, MEM_USABLE), R(0x100000, 0x300000, MEM_USABLE),
        R(0x200000, 0x600000, MEM_USABLE), /* bridges the two */
        R(0x900000, 0x900000, MEM_USABLE), /* empty */
        R(0xa00000, 0x9000000, 7),         /* unknown type: not RAM */
        R(0xc00000, 0xb00000, MEM_USABLE), /* backwards */
        R(0x800000, 0x900000, MEM_USABLE), /* adjacent: merged */
    };
    struct memmap m;

    memmap_from_ranges(&m, in, ARRAY_SIZE(in));
    assert_well_formed(&m);
    CU_ASSERT_EQUAL_FATAL(m.n, 1);
    CU_ASSERT_EQUAL(m.r[0].start, 0x100000);
    CU_ASSERT_EQUAL(m.r[0].end, 0x900000);
}

static void test_reserved_wins(void)
{
    const struct mem_range in[] = {
        R(0x1000, 0x100000, MEM_USABLE),
        R(0x10000, 0x20000, MEM_RESERVED),      /* hole in the middle */
        R(0x40001, 0x40002, MEM_ACPI_NVS),      /* one byte costs a page */
        R(0x0, 0x2000, MEM_BAD),                /* cuts the start */
        R(0xff800, 0x200000, MEM_ACPI_RECLAIM), /* cuts the end mid-page */
        R(0x50000, 0x60000, MEM_USABLE),        /* usable inside usable */
    };
    struct memmap m;

    memmap_from_ranges(&m, in, ARRAY_SIZE(in));
    assert_well_formed(&m);
    CU_ASSERT_EQUAL_FATAL(m.n, 3);
    CU_ASSERT_EQUAL(m.r[0].start, 0x2000);
    CU_ASSERT_EQUAL(m.r[0].end, 0x10000);
    CU_ASSERT_EQUAL(m.r[1].start, 0x20000);
    CU_ASSERT_EQUAL(m.r[1].end, 0x40000);
    CU_ASSERT_EQUAL(m.r[2].start, 0x41000);
    CU_ASSERT_EQUAL(m.r[2].end, 0xff000);
}

static void test_unaligned_and_extremes(void)
{
    const struct mem_range in[] = {
        R(0x1001, 0x1fff, MEM_USABLE), /* less than a page inside */
        R(0x2001, 0x5fff, MEM_USABLE), /* trimmed to 0x3000-0x5000 */
        R(0xfffffffffffff001ULL, 0xffffffffffffffffULL, MEM_USABLE),
        R(0xffffffffffffe000ULL, 0xfffffffffffff800ULL, MEM_USABLE),
    };
    struct memmap m;

    memmap_from_ranges(&m, in, ARRAY_SIZE(in));
    assert_well_formed(&m);
    CU_ASSERT_EQUAL_FATAL(m.n, 2);
    CU_ASSERT_EQUAL(m.r[0].start, 0x3000);
    CU_ASSERT_EQUAL(m.r[0].end, 0x5000);
    CU_ASSERT_EQUAL(m.r[1].start, 0xffffffffffffe000ULL);
    CU_ASSERT_EQUAL(m.r[1].end, 0xfffffffffffff000ULL);
    memmap_from_ranges(&m, NULL, 0);
    CU_ASSERT_EQUAL(m.n, 0);
    CU_ASSERT_EQUAL(memmap_total(&m), 0);
    CU_ASSERT_EQUAL(memmap_top(&m), 0);
}

static void test_remove(void)
{
    const struct mem_range in[] = {
        R(0x100000, 0x800000, MEM_USABLE),
        R(0x1000000, 0x2000000, MEM_USABLE),
    };
    struct memmap m;

    memmap_from_ranges(&m, in, ARRAY_SIZE(in));
    CU_ASSERT_EQUAL(memmap_remove(&m, 0x200000, 0x300000), 0);   /* split */
    CU_ASSERT_EQUAL(memmap_remove(&m, 0x0, 0x180000), 0);        /* head */
    CU_ASSERT_EQUAL(memmap_remove(&m, 0x700000, 0x1100000), 0);  /* bridge */
    CU_ASSERT_EQUAL(memmap_remove(&m, 0x1f00000, 0x3000000), 0); /* tail */
    CU_ASSERT_EQUAL(memmap_remove(&m, 0x5000, 0x4000), 0);       /* backwards */
    assert_well_formed(&m);
    CU_ASSERT_EQUAL_FATAL(m.n, 3);
    CU_ASSERT_EQUAL(m.r[0].start, 0x180000);
    CU_ASSERT_EQUAL(m.r[0].end, 0x200000);
    CU_ASSERT_EQUAL(m.r[1].start, 0x300000);
    CU_ASSERT_EQUAL(m.r[1].end, 0x700000);
    CU_ASSERT_EQUAL(m.r[2].start, 0x1100000);
    CU_ASSERT_EQUAL(m.r[2].end, 0x1f00000);
    CU_ASSERT_EQUAL(memmap_remove(&m, 0, ~0ULL), 0);
    CU_ASSERT_EQUAL(m.n, 0);
}

static void test_remove_full_map(void)
{
    struct memmap m;
    const unsigned int cap = ARRAY_SIZE(m.r);

    memset(&m, 0, sizeof(m));
    for (unsigned int i = 0; i < cap; i++)
        m.r[m.n++] = R(MiB(2) * i, MiB(2) * i + MiB(1), MEM_USABLE);
    /* No room to split: the range is still removed, the rest above it in
     * that range goes too, and the caller hears about it. */
    CU_ASSERT_EQUAL(memmap_remove(&m, 0x1000, 0x2000), -ENOSPC);
    CU_ASSERT_EQUAL(m.n, cap);
    CU_ASSERT_EQUAL(m.r[0].start, 0);
    CU_ASSERT_EQUAL(m.r[0].end, 0x1000);
    CU_ASSERT_EQUAL(memmap_remove(&m, MiB(2), MiB(2) + 0x1000), 0);
    CU_ASSERT_EQUAL(m.r[1].start, MiB(2) + 0x1000);
}

/* Random maps on a 64-page world, checked byte by byte (at page
 * granularity, as every input is page-multiple here or at a known cut). */
static void test_random_oracle(void)
{
    enum { PAGES = 64 };
    uint64_t seed = 0x2545f4914f6cdd1dULL;

    for (int round = 0; round < 2000; round++) {
        struct mem_range in[12];
        unsigned int n = 1 + (unsigned int)(round % 12);
        bool usable[PAGES * 4], reserved[PAGES * 4];
        struct memmap m;

        memset(usable, 0, sizeof(usable));
        memset(reserved, 0, sizeof(reserved));
        for (unsigned int i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            /* quarter-page units, so unaligned edges happen */
            uint64_t a = (seed >> 20) % (PAGES * 4);
            uint64_t b = (seed >> 40) % (PAGES * 4);
            uint32_t t = (seed >> 60) % 3 ? MEM_USABLE : MEM_RESERVED;
            in[i] = R(a * 1024, b * 1024, t);
            for (uint64_t q = a; q < b; q++)
                (t == MEM_USABLE ? usable : reserved)[q] = true;
        }
        memmap_from_ranges(&m, in, n);
        assert_well_formed(&m);
        for (unsigned int pg = 0; pg < PAGES; pg++) {
            bool want = true, got = false;
            for (unsigned int q = pg * 4; q < pg * 4 + 4; q++)
                want = want && usable[q] && !reserved[q];
            for (unsigned int i = 0; i < m.n; i++)
                got = got || (m.r[i].start <= pg * PAGE_SIZE &&
                              pg * PAGE_SIZE < m.r[i].end);
            CU_ASSERT_EQUAL_FATAL(got, want);
        }
    }
}

static const struct unit_case memmap_cases[] = {
    {"a QEMU-like map keeps whole usable pages only", test_typical_qemu},
    {"unsorted, overlapping, empty, backwards, unknown-type input",
     test_unsorted_overlapping},
    {"reserved wins over usable, to the byte, rounded to pages",
     test_reserved_wins},
    {"unaligned edges and ranges near 2^64 never wrap",
     test_unaligned_and_extremes},
    {"memmap_remove splits, trims, bridges and deletes", test_remove},
    {"memmap_remove on a full map still removes, says -ENOSPC",
     test_remove_full_map},
    {"2000 random maps agree with a page-by-page oracle", test_random_oracle},
    {NULL, NULL},
};
UNIT_SUITE(memmap, memmap_cases)
