/*
 * vformat() against the host's snprintf: the same format and arguments must
 * give the same bytes and the same return value.
 */
#include <stdio.h>
#include <string.h>

#include <veneer/format.h>

#include "unit.h"

/* Some cases feed deliberately malformed formats and NULL strings. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

#define SAME(fmt, ...)                                     \
    do {                                                   \
        char a[128], b[128];                               \
        int ra = format(a, sizeof(a), fmt, __VA_ARGS__);   \
        int rb = snprintf(b, sizeof(b), fmt, __VA_ARGS__); \
        CU_ASSERT_EQUAL(ra, rb);                           \
        CU_ASSERT_STRING_EQUAL(a, b);                      \
    } while (0)

static void test_integers(void)
{
    SAME("%d %i %u", -42, 17, 3000000000u);
    SAME("%ld %lu %lld %llu", -1L, ~0UL, (long long)-9223372036854775807LL - 1,
         18446744073709551615ULL);
    SAME("%hhd %hd %hhu %hu", 300, 70000, 300, 70000);
    SAME("%zu %zx %td", (size_t)123456789, (size_t)0xdeadbeef, (ptrdiff_t)-5);
    SAME("%x %X %#x %#X %o %#o", 0xabcdu, 0xabcdu, 0xabcdu, 0xabcdu, 8u, 8u);
    SAME("%#x %#o", 0u, 0u);
}

static void test_width_precision_flags(void)
{
    SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
    SAME("[%08.3d] [%.0d] [%.5x] [%-#10x]", 7, 0, 0x1f, 0x1f);
    SAME("[%*d] [%-*d] [%.*d]", 6, 1, 6, 1, 4, 9);
    SAME("[%10s] [%-10s] [%.3s] [%*.*s]", "abc", "abc", "abcdef", 6, 2, "xyz");
    SAME("[%c] [%3c] [%-3c] [%%]", 'q', 'r', 's', 0);
    SAME("[%016llx] [%-16lx]", 0x123ULL, 0xfUL);
}

static void test_pointers_and_strings(void)
{
    SAME("%p", (void *)0xffff82d040001000UL);
    SAME("%s|%s", "", "hello");
    char buf[32];
    CU_ASSERT_EQUAL(format(buf, sizeof(buf), "%s", (char *)NULL), 6);
    CU_ASSERT_STRING_EQUAL(buf, "(null)");
}

static void test_truncation(void)
{
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    CU_ASSERT_EQUAL(format(buf, sizeof(buf), "%s", "0123456789"), 10);
    CU_ASSERT_STRING_EQUAL(buf, "0123456");
    CU_ASSERT_EQUAL(format(buf, 1, "%d", 12345), 5);
    CU_ASSERT_EQUAL(buf[0], '\0');
    buf[0] = 'z';
    CU_ASSERT_EQUAL(format(buf, 0, "abc"), 3);
    CU_ASSERT_EQUAL(buf[0], 'z'); /* size 0 writes nothing */
}

static void test_malformed_formats(void)
{
    char buf[32];
    /* Unknown conversions are shown, never used to fetch an argument. */
    CU_ASSERT_EQUAL(format(buf, sizeof(buf), "a%qb"), 4);
    CU_ASSERT_STRING_EQUAL(buf, "a%qb");
    CU_ASSERT_EQUAL(format(buf, sizeof(buf), "end%"), 3);
    CU_ASSERT_STRING_EQUAL(buf, "end");
}

static void test_format_size(void)
{
    char buf[32];
    CU_ASSERT_STRING_EQUAL(format_size(buf, sizeof(buf), 0), "0 bytes");
    CU_ASSERT_STRING_EQUAL(format_size(buf, sizeof(buf), 512), "512 bytes");
    CU_ASSERT_STRING_EQUAL(format_size(buf, sizeof(buf), 4096), "4 KiB");
    CU_ASSERT_STRING_EQUAL(format_size(buf, sizeof(buf), MiB(1536)),
                           "1536 MiB");
    CU_ASSERT_STRING_EQUAL(format_size(buf, sizeof(buf), GiB(2)), "2 GiB");
    CU_ASSERT_STRING_EQUAL(format_size(buf, sizeof(buf), MiB(1) + 1),
                           "1048577 bytes");
}

static const struct unit_case format_cases[] = {
    {"integers of every length match snprintf", test_integers},
    {"width, precision and flags match snprintf", test_width_precision_flags},
    {"pointers and strings match snprintf", test_pointers_and_strings},
    {"output is truncated and terminated like snprintf", test_truncation},
    {"malformed formats never consume arguments", test_malformed_formats},
    {"format_size picks the largest whole unit", test_format_size},
    {NULL, NULL},
};
UNIT_SUITE(format, format_cases)
