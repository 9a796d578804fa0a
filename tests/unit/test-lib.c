/*
 * strlcpy() and parse_u64(): the two helpers every parser in the
 * hypervisor leans on, so every edge of them is pinned down here.
 */
#include <stdio.h>
#include <string.h>

#include <veneer/errno.h>
#include <veneer/lib.h>

#include "unit.h"

static void test_strlcpy(void)
{
    char buf[8];

    memset(buf, 'x', sizeof(buf));
    CU_ASSERT_EQUAL(strlcpy(buf, "abc", sizeof(buf)), 3);
    CU_ASSERT_STRING_EQUAL(buf, "abc");
    CU_ASSERT_EQUAL(strlcpy(buf, "0123456789", sizeof(buf)), 10);
    CU_ASSERT_STRING_EQUAL(buf, "0123456");
    CU_ASSERT_EQUAL(strlcpy(buf, "exactly", sizeof(buf)), 7);
    CU_ASSERT_STRING_EQUAL(buf, "exactly");
    CU_ASSERT_EQUAL(strlcpy(buf, "", sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    buf[0] = 'z';
    CU_ASSERT_EQUAL(strlcpy(buf, "abc", 0), 3);
    CU_ASSERT_EQUAL(buf[0], 'z'); /* size 0 writes nothing */
    CU_ASSERT_EQUAL(strlcpy(buf, "abc", 1), 3);
    CU_ASSERT_EQUAL(buf[0], '\0');
}

/* Parses the whole string s. */
static int parse(const char *s, bool suffix, uint64_t *v)
{
    return parse_u64(s, strlen(s), suffix, v);
}

static void test_parse_numbers(void)
{
    uint64_t v = 7;

    CU_ASSERT_EQUAL(parse("0", false, &v), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(parse("1234567890", false, &v), 0);
    CU_ASSERT_EQUAL(v, 1234567890);
    CU_ASSERT_EQUAL(parse("0x1fF", false, &v), 0);
    CU_ASSERT_EQUAL(v, 0x1ff);
    CU_ASSERT_EQUAL(parse("0XdeadBEEF", false, &v), 0);
    CU_ASSERT_EQUAL(v, 0xdeadbeef);
    CU_ASSERT_EQUAL(parse("18446744073709551615", false, &v), 0);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    CU_ASSERT_EQUAL(parse("0xffffffffffffffff", false, &v), 0);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    CU_ASSERT_EQUAL(parse("007", false, &v), 0); /* decimal, not octal */
    CU_ASSERT_EQUAL(v, 7);
    /* len bounds the parse; a NUL inside len ends it too */
    CU_ASSERT_EQUAL(parse_u64("12345", 2, false, &v), 0);
    CU_ASSERT_EQUAL(v, 12);
    CU_ASSERT_EQUAL(parse_u64("42\0junk", 7, false, &v), 0);
    CU_ASSERT_EQUAL(v, 42);
}

static void test_parse_suffixes(void)
{
    uint64_t v = 0;

    CU_ASSERT_EQUAL(parse("4K", true, &v), 0);
    CU_ASSERT_EQUAL(v, KiB(4));
    CU_ASSERT_EQUAL(parse("512m", true, &v), 0);
    CU_ASSERT_EQUAL(v, MiB(512));
    CU_ASSERT_EQUAL(parse("3G", true, &v), 0);
    CU_ASSERT_EQUAL(v, GiB(3));
    CU_ASSERT_EQUAL(parse("0x10M", true, &v), 0);
    CU_ASSERT_EQUAL(v, MiB(16));
    CU_ASSERT_EQUAL(parse("17179869183G", true, &v), 0); /* 2^34-1 GiB */
    CU_ASSERT_EQUAL(v, GiB(17179869183ULL));
    CU_ASSERT_EQUAL(parse("17179869184G", true, &v), -ERANGE);
    CU_ASSERT_EQUAL(parse("4K", false, &v), -EINVAL); /* suffix not allowed */
}

static void test_parse_refusals(void)
{
    static const char *const bad[] = {
        "",    "0x",   "K",   "x10", "-1",  "+1", " 1",    "1 ",    "12a",
        "1.5", "0x1z", "1KK", "K1",  "0xK", "1T", "0b101", "1_000",
    };
    uint64_t v = 0x5a5a;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        int rc = parse(bad[i], true, &v);
        CU_ASSERT_EQUAL(rc, -EINVAL);
        if (rc != -EINVAL)
            fprintf(stderr, "parse_u64(\"%s\") = %d\n", bad[i], rc);
    }
    CU_ASSERT_EQUAL(parse("18446744073709551616", false, &v), -ERANGE);
    CU_ASSERT_EQUAL(parse("99999999999999999999999", false, &v), -ERANGE);
    CU_ASSERT_EQUAL(parse("0x10000000000000000", false, &v), -ERANGE);
    CU_ASSERT_EQUAL(v, 0x5a5a); /* failures never store */
}

static const struct unit_case lib_cases[] = {
    {"strlcpy truncates, terminates and returns strlen(src)", test_strlcpy},
    {"parse_u64 reads decimal and hex up to UINT64_MAX", test_parse_numbers},
    {"parse_u64 applies K/M/G and catches their overflow", test_parse_suffixes},
    {"parse_u64 refuses junk and overflow and stores nothing",
     test_parse_refusals},
    {NULL, NULL},
};
UNIT_SUITE(lib, lib_cases)
