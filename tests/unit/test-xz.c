/*
 * The .xz decoder (hypervisor/common/xz_*.c, lzma*.c, bcj_x86.c) against
 * real xz output made here by xz-utils' `xz`: sizes, filters, check types,
 * blocks, presets; then hostile input (truncations, every byte flipped,
 * bad checks, a forged index, short output buffers). Inputs and outputs
 * live in exactly-sized heap buffers, so that valgrind (the unit tier's
 * runner) sees any read or write outside them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <veneer/crc.h>
#include <veneer/decompress.h>
#include <veneer/errno.h>
#include <veneer/xz.h>

#include "../../hypervisor/common/xz_internal.h"
#include "read_file.h"
#include "unit.h"

struct buf {
    uint8_t *p;
    size_t len;
};

static void buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

static struct buf read_all(FILE *f)
{
    struct buf b = {NULL, 0};

    b.p = read_stream(f, &b.len);
    CU_ASSERT_FATAL(b.p != NULL);
    return b;
}

/* Compresses data with `xz ARGS` (through a temporary file). */
static struct buf xz_compress(const char *args, const uint8_t *data, size_t len)
{
    char tmpl[] = "/tmp/veneer-xz-XXXXXX", cmd[256];
    int fd = mkstemp(tmpl);
    struct buf out = {NULL, 0};
    FILE *f;

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, data, len) == (ssize_t)len);
    close(fd);
    snprintf(cmd, sizeof(cmd), "xz -c -q %s < %s", args, tmpl);
    f = popen(cmd, "r");
    CU_ASSERT_FATAL(f != NULL);
    out = read_all(f);
    int status = pclose(f);
    unlink(tmpl);
    if (status != 0 || out.len == 0) {
        fprintf(stderr,
                "\n  `xz %s` failed (status %d): is xz-utils "
                "installed? (scripts/setup)\n",
                args, status);
        CU_FAIL_FATAL("xz did not run");
    }
    return out;
}

/* Deterministic test data. */
enum kind { TEXT, RANDOM, CODE, BRANCHY };

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245 + 12345;
    return rng_state >> 8;
}

static struct buf make_data(enum kind kind, size_t len)
{
    static const char *words[] = {
        "page ",   "table ", "hypercall ", "grant ",  "event ", "channel ",
        "domain ", "vcpu\n", "xen ",       "veneer ", "frame ", "0x1000 "};
    struct buf b = {malloc(len ? len : 1), len};

    CU_ASSERT_FATAL(b.p != NULL);
    rng_state = 12345 + (uint32_t)kind * 7 + (uint32_t)len;
    if (kind == CODE) {
        /* This test binary: real x86-64 code with its calls and jumps. */
        FILE *f = fopen("/proc/self/exe", "rb");
        CU_ASSERT_FATAL(f != NULL);
        struct buf exe = read_all(f);
        fclose(f);
        for (size_t i = 0; i < len; i++)
            b.p[i] = exe.p[i % exe.len];
        buf_free(&exe);
        return b;
    }
    for (size_t i = 0; i < len;) {
        if (kind == RANDOM) {
            b.p[i++] = (uint8_t)rng();
            continue;
        }
        if (kind == BRANCHY) {
            /* Opcodes and 00/FF bytes packed densely: every rule of the
             * x86 filter (neighbouring opcodes, the second round) fires. */
            static const uint8_t pick[] = {0xe8, 0xe9, 0x00, 0xff,
                                           0x00, 0xff, 0xe8, 0x12};
            uint32_t r = rng();
            b.p[i++] = r & 0x100 ? (uint8_t)r : pick[r % ARRAY_SIZE(pick)];
            continue;
        }
        const char *w = words[rng() % ARRAY_SIZE(words)];
        while (*w && i < len)
            b.p[i++] = (uint8_t)*w++;
    }
    return b;
}

/* Decodes in[0, len) (copied into an exact-size buffer) into an exact-size
 * buffer of out_cap bytes. */
static int decode(const uint8_t *in, size_t len, size_t out_cap,
                  struct buf *out, const char **why)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    CU_ASSERT_FATAL(copy != NULL);
    memcpy(copy, in, len);
    out->p = malloc(out_cap ? out_cap : 1);
    CU_ASSERT_FATAL(out->p != NULL);
    *why = NULL;
    rc = xz_decompress(copy, len, out->p, out_cap, &out->len, why);
    free(copy);
    CU_ASSERT(rc == 0 || rc == -EINVAL || rc == -ENOSPC || rc == -EOPNOTSUPP);
    CU_ASSERT(out->len <= out_cap);
    if (rc) {
        CU_ASSERT(*why != NULL && strlen(*why) > 3);
        CU_ASSERT(out->len == 0);
    }
    return rc;
}

/* Compresses data with args and checks the round trip, and that one byte
 * less of output space is refused. */
static void roundtrip(const char *args, const struct buf *data)
{
    struct buf xz = xz_compress(args, data->p, data->len), out;
    const char *why;
    int rc = decode(xz.p, xz.len, data->len, &out, &why);

    if (rc)
        fprintf(stderr, "\n  xz %s, %zu bytes: %d %s\n", args, data->len, rc,
                why);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(out.len, data->len);
    CU_ASSERT(out.len == data->len && !memcmp(out.p, data->p, data->len));
    buf_free(&out);
    if (data->len) {
        CU_ASSERT_EQUAL(decode(xz.p, xz.len, data->len - 1, &out, &why),
                        -ENOSPC);
        buf_free(&out);
    }
    buf_free(&xz);
}

static void test_crc_vectors(void)
{
    /* The check values of "123456789" (the catalogue's standard). */
    CU_ASSERT_EQUAL(crc32(0, "123456789", 9), 0xcbf43926u);
    CU_ASSERT_EQUAL(crc64(0, "123456789", 9), 0x995dc9bbdf1939faull);
    CU_ASSERT_EQUAL(crc32(crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
    CU_ASSERT_EQUAL(crc32(0, "", 0), 0);
}

static void test_sizes(void)
{
    static const size_t sizes[] = {0, 1, 5, 100, 4096, 65536 + 7, 300000};

    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        struct buf d = make_data(TEXT, sizes[i]);
        roundtrip("", &d);
        buf_free(&d);
    }
}

static void test_x86_filter(void)
{
    struct buf d = make_data(CODE, 400000);
    struct buf plain = xz_compress("", d.p, d.len);
    struct buf x86 = xz_compress("--x86 --lzma2=preset=6", d.p, d.len);

    /* The filter did something: the streams differ, both decode. */
    CU_ASSERT(plain.len != x86.len || memcmp(plain.p, x86.p, x86.len));
    roundtrip("--x86 --lzma2=preset=6", &d);
    /* A start offset, and two x86 filters in a row. */
    roundtrip("--x86=start=4096 --lzma2", &d);
    roundtrip("--x86 --x86=start=77 --lzma2", &d);
    /* The way Linux compresses its x86 kernels (scripts/Makefile.lib). */
    roundtrip("--check=crc32 --x86 --lzma2=,dict=32MiB", &d);
    buf_free(&plain);
    buf_free(&x86);
    buf_free(&d);
    d = make_data(BRANCHY, 100000);
    roundtrip("--x86 --lzma2", &d);
    roundtrip("--x86=start=12345 --lzma2", &d);
    buf_free(&d);
}

static void test_bcj_known(void)
{
    /* At offset 0, call +0x10 was stored as the absolute 0x10 + 5; the
     * second call's target is far (top byte 0x12): left alone. At 11, a
     * jmp -2 (FE FF FF FF) was stored as -2 + 11 + 5 = 14. */
    uint8_t buf[] = {0xe8, 0x15, 0,    0,    0,    0xe8, 0x78, 0x56,
                     0x34, 0x12, 0x90, 0xe9, 0x0e, 0,    0,    0};
    static const uint8_t want[] = {0xe8, 0x10, 0,    0,    0,    0xe8,
                                   0x78, 0x56, 0x34, 0x12, 0x90, 0xe9,
                                   0xfe, 0xff, 0xff, 0xff};

    bcj_x86_decode(buf, sizeof(buf), 0);
    CU_ASSERT(!memcmp(buf, want, sizeof(want)));
    /* The start offset shifts every position; fewer than 5 bytes: no-op. */
    uint8_t off[] = {0xe8, 0x15 + 100, 0, 0, 0};
    bcj_x86_decode(off, sizeof(off), 100);
    CU_ASSERT(off[1] == 0x10 && off[4] == 0);
    uint8_t tiny[] = {0xe8, 1, 2, 3};
    bcj_x86_decode(tiny, sizeof(tiny), 0);
    CU_ASSERT(tiny[1] == 1 && tiny[3] == 3);
}

static void test_checks(void)
{
    struct buf d = make_data(TEXT, 50000);
    struct buf sha, out;
    const char *why;

    roundtrip("--check=none", &d);
    roundtrip("--check=crc32", &d);
    roundtrip("--check=crc64", &d);
    sha = xz_compress("--check=sha256", d.p, d.len);
    CU_ASSERT_EQUAL(decode(sha.p, sha.len, d.len, &out, &why), -EOPNOTSUPP);
    CU_ASSERT(why && strstr(why, "SHA-256"));
    buf_free(&out);
    buf_free(&sha);
    buf_free(&d);
}

static void test_blocks(void)
{
    struct buf d = make_data(CODE, 200000);

    roundtrip("--block-size=10000", &d);
    roundtrip("--block-size=65537 --x86 --lzma2", &d);
    /* Multi-threaded xz records both sizes in each block header. */
    roundtrip("-T2 --block-size=30000", &d);
    buf_free(&d);
}

static void test_presets(void)
{
    struct buf d = make_data(TEXT, 150000);

    roundtrip("-0", &d);
    roundtrip("-9e", &d);
    roundtrip("--lzma2=preset=6,lc=0,lp=0,pb=0", &d);
    roundtrip("--lzma2=preset=6,lc=0,lp=4,pb=4", &d);
    roundtrip("--lzma2=preset=1,lc=4,lp=0,pb=2,mf=hc3,mode=fast", &d);
    roundtrip("--lzma2=preset=6,dict=4KiB", &d);
    buf_free(&d);
}

static void test_uncompressible(void)
{
    /* LZMA2 stores random data in uncompressed chunks; mixed data
     * switches between chunk kinds with state resets. */
    struct buf r = make_data(RANDOM, 200000), t = make_data(TEXT, 100000);
    struct buf mix = {malloc(300000), 300000};

    CU_ASSERT_FATAL(mix.p != NULL);
    roundtrip("", &r);
    roundtrip("-9e --check=crc32", &r);
    memcpy(mix.p, t.p, 50000);
    memcpy(mix.p + 50000, r.p, 200000);
    memcpy(mix.p + 250000, t.p + 50000, 50000);
    roundtrip("", &mix);
    buf_free(&mix);
    buf_free(&r);
    buf_free(&t);
}

static void test_concatenated(void)
{
    struct buf a = make_data(TEXT, 3000), b = make_data(CODE, 3000);
    struct buf xa = xz_compress("", a.p, a.len);
    struct buf xb = xz_compress("--check=crc32 --x86 --lzma2", b.p, b.len);
    size_t n = xa.len + 8 + xb.len;
    uint8_t *cat = calloc(1, n + 3);
    struct buf out;
    const char *why;

    CU_ASSERT_FATAL(cat != NULL);
    memcpy(cat, xa.p, xa.len);
    memcpy(cat + xa.len + 8, xb.p, xb.len); /* 8 bytes of stream padding */
    CU_ASSERT_EQUAL(decode(cat, n, 6000, &out, &why), 0);
    CU_ASSERT(out.len == 6000 && !memcmp(out.p, a.p, 3000) &&
              !memcmp(out.p + 3000, b.p, 3000));
    buf_free(&out);
    /* Trailing padding that is a multiple of 4: fine; 3 bytes: not. */
    CU_ASSERT_EQUAL(decode(cat, xa.len + 4, 3000, &out, &why), 0);
    buf_free(&out);
    CU_ASSERT_EQUAL(decode(cat, xa.len + 3, 3000, &out, &why), -EINVAL);
    CU_ASSERT(why && strstr(why, "padding"));
    buf_free(&out);
    /* Garbage after a stream. */
    memcpy(cat + xa.len, "junk", 4);
    CU_ASSERT_EQUAL(decode(cat, xa.len + 4, 3000, &out, &why), -EINVAL);
    CU_ASSERT(why && strstr(why, "after the end"));
    buf_free(&out);
    free(cat);
    buf_free(&xa);
    buf_free(&xb);
    buf_free(&a);
    buf_free(&b);
}

static void test_not_xz(void)
{
    struct buf d = make_data(TEXT, 2000), out;
    struct buf lz = xz_compress("--format=lzma", d.p, d.len);
    struct buf delta = xz_compress("--delta=dist=4 --lzma2", d.p, d.len);
    const char *why;

    CU_ASSERT_EQUAL(decode(lz.p, lz.len, d.len, &out, &why), -EINVAL);
    CU_ASSERT(why && strstr(why, "magic"));
    buf_free(&out);
    CU_ASSERT_EQUAL(decode(delta.p, delta.len, d.len, &out, &why), -EOPNOTSUPP);
    CU_ASSERT(why && strstr(why, "filter"));
    buf_free(&out);
    CU_ASSERT_EQUAL(decode(d.p, 0, 10, &out, &why), -EINVAL);
    buf_free(&out);
    buf_free(&lz);
    buf_free(&delta);
    buf_free(&d);
}

/* Every strict prefix of a stream is refused: at every offset near both
 * ends and at a stride in between. */
static void test_truncated(void)
{
    struct buf d = make_data(CODE, 30000);
    struct buf xz = xz_compress("--x86 --lzma2 --check=crc32", d.p, d.len);
    unsigned int tried = 0;

    for (size_t cut = 0; cut < xz.len; cut++) {
        struct buf out;
        const char *why;

        if (cut > 200 && cut + 200 < xz.len && cut % 37)
            continue;
        CU_ASSERT_EQUAL(decode(xz.p, cut, d.len, &out, &why), -EINVAL);
        buf_free(&out);
        tried++;
    }
    CU_ASSERT(tried > 400);
    buf_free(&xz);
    buf_free(&d);
}

/* Every byte inverted (and bit 0 and bit 7 flipped) in turn: with a CRC
 * each change is caught; with no check, nothing crashes. */
static void flip_all(const char *args, bool must_fail)
{
    struct buf d = make_data(TEXT, 4000);
    struct buf xz = xz_compress(args, d.p, d.len);
    static const uint8_t masks[] = {0xff, 0x01, 0x80};
    unsigned int refused = 0, total = 0;

    for (size_t i = 0; i < xz.len; i++) {
        for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
            struct buf out;
            const char *why;
            int rc;

            xz.p[i] ^= masks[m];
            rc = decode(xz.p, xz.len, d.len, &out, &why);
            xz.p[i] ^= masks[m];
            if (must_fail && rc == 0)
                fprintf(stderr, "\n  %s: byte %zu ^ %#x accepted\n", args, i,
                        masks[m]);
            if (must_fail)
                CU_ASSERT(rc != 0);
            refused += rc != 0;
            total++;
            buf_free(&out);
        }
    }
    CU_ASSERT(total > 300);
    CU_ASSERT(refused > 0);
    buf_free(&xz);
    buf_free(&d);
}

static void test_flip_crc32(void)
{
    flip_all("--check=crc32", true);
}

static void test_flip_crc64_x86(void)
{
    flip_all("--check=crc64 --x86 --lzma2", true);
}

static void test_flip_none(void)
{
    flip_all("--check=none", false);
}

static void test_bad_check(void)
{
    struct buf d = make_data(TEXT, 10000), out;
    struct buf c32 = xz_compress("--check=crc32", d.p, d.len);
    struct buf c64 = xz_compress("--check=crc64", d.p, d.len);
    const char *why;

    /* The block check sits right before the index: footer 12 bytes, the
     * index of one block is 12 bytes (indicator, count, two VLIs, padding,
     * CRC32) for these sizes; the check is the bytes before it. */
    size_t idx32 = c32.len - 12 - 12, idx64 = c64.len - 12 - 12;
    c32.p[idx32 - 1] ^= 0x40;
    CU_ASSERT_EQUAL(decode(c32.p, c32.len, d.len, &out, &why), -EINVAL);
    CU_ASSERT(why && !strcmp(why, "xz: CRC32 mismatch in block 0"));
    buf_free(&out);
    c64.p[idx64 - 8] ^= 0x01;
    CU_ASSERT_EQUAL(decode(c64.p, c64.len, d.len, &out, &why), -EINVAL);
    CU_ASSERT(why && !strcmp(why, "xz: CRC64 mismatch in block 0"));
    buf_free(&out);
    buf_free(&c32);
    buf_free(&c64);
    buf_free(&d);
}

static size_t vli_len(const uint8_t *p)
{
    size_t n = 1;
    while (p[n - 1] & 0x80)
        n++;
    return n;
}

/* An index whose records are in the wrong order, or whose sizes are
 * changed, with its CRC32 made right again: refused all the same. */
static void test_index_mismatch(void)
{
    struct buf d = make_data(CODE, 100000);
    struct buf xz = xz_compress("--block-size=30000", d.p, d.len), out;
    const char *why;
    uint32_t backward;

    memcpy(&backward, xz.p + xz.len - 8, 4);
    size_t isize = ((size_t)backward + 1) * 4, istart = xz.len - 12 - isize;
    uint8_t *ix = xz.p + istart;
    CU_ASSERT_FATAL(ix[0] == 0 && ix[1] == 4); /* 4 blocks */

    /* Swap the first two records (block 0 and 1 differ in size). */
    size_t r0 = 2, r0len = vli_len(ix + r0);
    r0len += vli_len(ix + r0 + r0len);
    size_t r1 = r0 + r0len, r1len = vli_len(ix + r1);
    r1len += vli_len(ix + r1 + r1len);
    uint8_t saved[64];
    memcpy(saved, ix + r0, r0len + r1len);
    memcpy(ix + r0, saved + r0len, r1len);
    memcpy(ix + r0 + r1len, saved, r0len);
    uint32_t crc = crc32(0, ix, isize - 4);
    memcpy(ix + isize - 4, &crc, 4);
    if (!memcmp(saved, saved + r0len, r0len)) {
        CU_FAIL("blocks 0 and 1 have identical records; pick other data");
    } else {
        CU_ASSERT_EQUAL(decode(xz.p, xz.len, d.len, &out, &why), -EINVAL);
        CU_ASSERT(why && !strcmp(why, "xz: the index does not match the "
                                      "blocks"));
        buf_free(&out);
    }
    /* Without the CRC fixed, the CRC is what is reported. */
    ix[isize - 4] ^= 1;
    CU_ASSERT_EQUAL(decode(xz.p, xz.len, d.len, &out, &why), -EINVAL);
    CU_ASSERT(why && strstr(why, "CRC32 mismatch in the index"));
    buf_free(&out);
    buf_free(&xz);
    buf_free(&d);
}

static void test_output_too_small(void)
{
    struct buf d = make_data(TEXT, 100000), out;
    struct buf sized = xz_compress("-T2 --block-size=40000", d.p, d.len);
    const char *why;

    for (size_t cap = 0; cap < d.len; cap += 9973) {
        CU_ASSERT_EQUAL(decode(sized.p, sized.len, cap, &out, &why), -ENOSPC);
        CU_ASSERT(why && strstr(why, "too small"));
        buf_free(&out);
    }
    buf_free(&sized);
    buf_free(&d);
}

static void test_dispatcher(void)
{
    struct buf d = make_data(TEXT, 1000), out = {malloc(1000), 0};
    struct buf xz = xz_compress("", d.p, d.len);
    static const uint8_t zstd[] = {0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0};
    const char *why;

    CU_ASSERT_STRING_EQUAL(payload_format(xz.p, xz.len), "xz");
    CU_ASSERT_STRING_EQUAL(payload_format(zstd, sizeof(zstd)), "zstd");
    CU_ASSERT_STRING_EQUAL(payload_format("\x7f"
                                          "ELF",
                                          4),
                           "ELF");
    CU_ASSERT_PTR_NULL(payload_format("hello", 5));
    CU_ASSERT_PTR_NULL(payload_format("", 0));
    CU_ASSERT_EQUAL(
        payload_decompress(xz.p, xz.len, out.p, 1000, &out.len, &why), 0);
    CU_ASSERT(out.len == 1000 && !memcmp(out.p, d.p, 1000));
    CU_ASSERT_EQUAL(payload_decompress("hello", 5, out.p, 1000, &out.len, &why),
                    -EOPNOTSUPP);
    CU_ASSERT_STRING_EQUAL(why, "unknown compression format");
    buf_free(&out);
    buf_free(&xz);
    buf_free(&d);
}

static const struct unit_case xz_cases[] = {
    {"CRC32 and CRC64 give the catalogue's check values", test_crc_vectors},
    {"xz output of 0 to 300000 bytes decodes exactly", test_sizes},
    {"x86 BCJ streams (also Linux's options, start offsets) decode",
     test_x86_filter},
    {"a hand-made call/jump block survives the x86 filter", test_bcj_known},
    {"checks none, CRC32, CRC64 pass; SHA-256 is refused", test_checks},
    {"several blocks, with and without sizes in their headers", test_blocks},
    {"presets 0 and 9e and unusual lc/lp/pb/dictionary", test_presets},
    {"uncompressible and mixed data (uncompressed chunks)",
     test_uncompressible},
    {"concatenated streams, stream padding, trailing garbage",
     test_concatenated},
    {"LZMA-alone data and unsupported filters are refused", test_not_xz},
    {"every truncation of a stream is refused", test_truncated},
    {"every flipped byte of a CRC32 stream is refused", test_flip_crc32},
    {"every flipped byte of a CRC64 x86 stream is refused",
     test_flip_crc64_x86},
    {"flipped bytes without a check never crash", test_flip_none},
    {"a bad block check is named with its block", test_bad_check},
    {"a reordered index with a valid CRC32 is refused", test_index_mismatch},
    {"too small an output buffer gives -ENOSPC", test_output_too_small},
    {"the dispatcher recognises formats and runs xz", test_dispatcher},
    {NULL, NULL},
};

UNIT_SUITE(xz, xz_cases)
