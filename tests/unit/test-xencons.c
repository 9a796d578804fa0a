/*
 * The console ring's output side (hypervisor/common/xencons.c) with the
 * indexes a guest may write: normal, wrapped around the ring and the
 * 32-bit counter, full, empty, and nonsense.
 */
#include <string.h>

#include <veneer/xencons.h>

#include "unit.h"

static struct xencons_interface ring;

static void produce(const char *s)
{
    for (size_t i = 0; s[i]; i++)
        ring.out[MASK_XENCONS_IDX(ring.out_prod++, ring.out)] = s[i];
}

static void test_plain_and_empty(void)
{
    char buf[2048];
    bool broken;

    memset(&ring, 0, sizeof(ring));
    CU_ASSERT_EQUAL(xencons_take_output(&ring, buf, &broken), 0);
    CU_ASSERT_FALSE(broken);
    produce("hello\n");
    CU_ASSERT_EQUAL(xencons_take_output(&ring, buf, &broken), 6);
    CU_ASSERT_FALSE(broken);
    CU_ASSERT_EQUAL(memcmp(buf, "hello\n", 6), 0);
    CU_ASSERT_EQUAL(ring.out_cons, ring.out_prod);
    CU_ASSERT_EQUAL(xencons_take_output(&ring, buf, &broken), 0);
}

static void test_wraps(void)
{
    char buf[2048];
    bool broken;

    /* Across the end of out[] and across 2^32. */
    memset(&ring, 0, sizeof(ring));
    ring.out_cons = ring.out_prod = 0xfffffffcu;
    produce("0123456789");
    CU_ASSERT_EQUAL(ring.out_prod, 6);
    CU_ASSERT_EQUAL(xencons_take_output(&ring, buf, &broken), 10);
    CU_ASSERT_FALSE(broken);
    CU_ASSERT_EQUAL(memcmp(buf, "0123456789", 10), 0);
    CU_ASSERT_EQUAL(ring.out_cons, 6);
    /* A full ring is taken whole. */
    ring.out_prod = ring.out_cons + sizeof(ring.out);
    CU_ASSERT_EQUAL(xencons_take_output(&ring, buf, &broken), sizeof(ring.out));
    CU_ASSERT_FALSE(broken);
}

static void test_nonsense(void)
{
    char buf[2048];
    bool broken;
    const XENCONS_RING_IDX ahead[] = {sizeof(ring.out) + 1, 0x80000000u,
                                      0xffffffffu};

    for (unsigned int i = 0; i < 3; i++) {
        memset(&ring, 0, sizeof(ring));
        ring.out_cons = 100;
        ring.out_prod = 100 + ahead[i];
        CU_ASSERT_EQUAL(xencons_take_output(&ring, buf, &broken), 0);
        CU_ASSERT_TRUE(broken);
        CU_ASSERT_EQUAL(ring.out_cons, ring.out_prod); /* resynchronised */
        produce("ok");
        CU_ASSERT_EQUAL(xencons_take_output(&ring, buf, &broken), 2);
        CU_ASSERT_FALSE(broken);
    }
}

static const struct unit_case xencons_cases[] = {
    {"plain output and an empty ring", test_plain_and_empty},
    {"indexes wrap around the ring and 2^32; full ring", test_wraps},
    {"a producer more than a ring ahead is skipped", test_nonsense},
    {NULL, NULL},
};

UNIT_SUITE(xencons, xencons_cases)
