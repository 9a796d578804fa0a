/*
 * zstd_decompress() against the real zstd CLI: data is compressed here, at
 * test time, by /usr/bin/zstd (levels 1 to 22, --long, with and without
 * checksums, from a file and from a pipe) and must come back byte for byte.
 * Frames zstd never writes (every header form, dictionary ids, skippable
 * frames) are built by hand. Then the hostile side: every truncation,
 * every byte flipped, random corruption, too small a buffer, a wrong
 * checksum. Last, Debian's 6.12 kernel payload against `zstd -d`.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <veneer/decompress.h>
#include <veneer/errno.h>
#include <veneer/xxhash64.h>
#include <veneer/zstd.h>

#include "read_file.h"
#include "unit.h"

/* ---- test data, deterministic ---- */

static uint64_t rng_state;

static uint32_t rng(void)
{
    /* xorshift64*: reproducible across runs and machines. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint8_t *gen_random(size_t n, uint64_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    rng_state = seed | 1;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rng();
    return p;
}

/* Words with skewed frequencies: Huffman literals and many matches. */
static uint8_t *gen_text(size_t n, uint64_t seed)
{
    static const char *const words[] = {
        "the ",    "hypervisor ", "guest ",  "page ",   "table ", "frame ",
        "event ",  "channel ",    "grant ",  "domain ", "vcpu ",  "of ",
        "and ",    "a ",          "to ",     "mfn ",    "0x",     "\n",
        "return ", "-EINVAL; ",   "struct ", "{ ",      "} ",     "if (",
    };
    uint8_t *p = malloc(n ? n : 1);
    size_t i = 0;

    rng_state = seed | 1;
    while (i < n) {
        uint32_t r = rng();
        /* Square the index's chance so that early words dominate. */
        size_t w = ((r & 0xff) * ((r >> 8) & 0xff) >> 8) %
                   (sizeof(words) / sizeof(words[0]));
        const char *s = words[w];
        char num[12];
        if (w == 16) {
            snprintf(num, sizeof(num), "%x ", (r >> 16) & 0xfff);
            s = num;
        }
        for (; *s && i < n; s++)
            p[i++] = (uint8_t)*s;
    }
    return p;
}

/* Bytes from a 40-letter alphabet: Huffman codes them, matches are rare. */
static uint8_t *gen_letters(size_t n, uint64_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    rng_state = seed | 1;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)('0' + rng() % 40);
    return p;
}

/* Runs of one byte, of random lengths: RLE blocks and literals. */
static uint8_t *gen_runs(size_t n, uint64_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    size_t i = 0;

    rng_state = seed | 1;
    while (i < n) {
        uint32_t r = rng();
        size_t run = 1 + (r % 300);
        if ((r >> 20) % 16 == 0)
            run *= 1000; /* now and then a run longer than a block */
        for (size_t k = 0; k < run && i < n; k++)
            p[i++] = (uint8_t)(r >> 24);
    }
    return p;
}

static int write_all(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = n ? fwrite(p, 1, n, f) : 0;
    return (fclose(f) || put != n) ? -1 : 0;
}

/* ---- the real zstd CLI ---- */

/*
 * Compresses data with `zstd args`, reading a file (the frame then records
 * the content size) or a pipe (it cannot). NULL if zstd failed.
 */
static uint8_t *zstd_cli(const char *args, const uint8_t *data, size_t len,
                         bool from_pipe, size_t *zlen)
{
    char in[] = "/tmp/veneer-zstd-in-XXXXXX";
    char out[] = "/tmp/veneer-zstd-out-XXXXXX";
    char cmd[512];
    uint8_t *z = NULL;
    int fd_in = mkstemp(in), fd_out = mkstemp(out);

    if (fd_in < 0 || fd_out < 0)
        goto out;
    close(fd_in);
    close(fd_out);
    if (write_all(in, data, len))
        goto out;
    snprintf(cmd, sizeof(cmd), "zstd -q -f -c %s %s%s > %s", args,
             from_pipe ? "< " : "", in, out);
    if (system(cmd) != 0) {
        fprintf(stderr, "\n  failed: %s\n", cmd);
        goto out;
    }
    z = read_file(out, zlen);
out:
    if (fd_in >= 0)
        unlink(in);
    if (fd_out >= 0)
        unlink(out);
    return z;
}

/* Decodes z into a buffer of exactly len bytes; it must give back data. */
static void expect_roundtrip(const char *what, const uint8_t *z, size_t zlen,
                             const uint8_t *data, size_t len)
{
    uint8_t *out = malloc(len ? len : 1);
    size_t olen = 0;
    const char *why = NULL;
    int rc = zstd_decompress(z, zlen, out, len, &olen, &why);

    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(olen, len);
    CU_ASSERT(olen == len && !memcmp(out, data, len));
    if (rc || olen != len || memcmp(out, data, len))
        fprintf(stderr, "\n  %s: rc %d (%s), %zu of %zu bytes\n", what, rc, why,
                olen, len);
    free(out);
}

/*
 * zstd args on data, from a file and (the slow high levels aside) from a
 * pipe, decoded back.
 */
static void roundtrip(const char *args, const uint8_t *data, size_t len)
{
    int pipes = strstr(args, "-19") || strstr(args, "-22") ? 1 : 2;

    for (int pipe = 0; pipe < pipes; pipe++) {
        size_t zlen = 0;
        uint8_t *z = zstd_cli(args, data, len, pipe, &zlen);
        char what[160];

        CU_ASSERT_PTR_NOT_NULL(z);
        if (!z)
            return;
        snprintf(what, sizeof(what), "zstd %s%s, %zu bytes", args,
                 pipe ? " (pipe)" : "", len);
        expect_roundtrip(what, z, zlen, data, len);
        free(z);
    }
}

/* ---- hand-built frames ---- */

struct buf {
    uint8_t b[4096];
    size_t n;
};

static void put(struct buf *f, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        f->b[f->n++] = (uint8_t)(v >> (8 * i));
}

static void put_block(struct buf *f, bool last, unsigned int type, size_t size)
{
    put(f, (uint64_t)last | (uint64_t)type << 1 | (uint64_t)size << 3, 3);
}

/*
 * A frame of a raw block (100 bytes of content) and an RLE block (the
 * rest), with the header fields given. did is written in did_flag's size.
 */
static void build_frame(struct buf *f, const uint8_t *content, size_t len,
                        unsigned int fcs_flag, bool single, bool checksum,
                        unsigned int did_flag, uint32_t did)
{
    static const size_t did_bytes[4] = {0, 1, 2, 4};
    static const size_t fcs_bytes[4] = {0, 2, 4, 8};
    size_t fcs_len = fcs_bytes[fcs_flag];

    f->n = 0;
    put(f, 0xFD2FB528u, 4);
    put(f, fcs_flag << 6 | single << 5 | checksum << 2 | did_flag, 1);
    if (!single)
        put(f, 0, 1); /* Window_Descriptor: 1 KiB */
    put(f, did, did_bytes[did_flag]);
    if (single && !fcs_len)
        fcs_len = 1;
    put(f, fcs_len == 2 ? len - 256 : len, fcs_len);
    put_block(f, false, 0, 100);
    memcpy(f->b + f->n, content, 100);
    f->n += 100;
    put_block(f, true, 1, len - 100);
    put(f, content[100], 1);
    if (checksum)
        put(f, (uint32_t)xxh64(content, len, 0), 4);
}

/* 100 varied bytes then one byte repeated: what build_frame() encodes. */
static void frame_content(uint8_t *c, size_t len)
{
    for (size_t i = 0; i < len; i++)
        c[i] = i < 100 ? (uint8_t)(i * 7 + 1) : 0x5a;
}

static int decode(const uint8_t *z, size_t zlen, uint8_t *out, size_t cap,
                  size_t *olen, const char **why)
{
    size_t dummy_len;
    const char *dummy_why;
    return zstd_decompress(z, zlen, out, cap, olen ? olen : &dummy_len,
                           why ? why : &dummy_why);
}

/* ---- the cases ---- */

static void test_xxh64(void)
{
    /* The published value for no input, then zstd's own checksums. */
    CU_ASSERT_EQUAL(xxh64("", 0, 0), 0xEF46DB3751D8E999ULL);
    static const size_t sizes[] = {0,  1,  3,  4,  5,  7,  8,   9,    15,
                                   16, 31, 32, 33, 63, 64, 100, 1000, 65537};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *data = gen_random(sizes[i], 77 + i);
        size_t zlen = 0;
        uint8_t *z = zstd_cli("--check -1", data, sizes[i], false, &zlen);
        CU_ASSERT_FATAL(z && zlen >= 4);
        uint32_t want = (uint32_t)z[zlen - 4] | (uint32_t)z[zlen - 3] << 8 |
                        (uint32_t)z[zlen - 2] << 16 |
                        (uint32_t)z[zlen - 1] << 24;
        CU_ASSERT_EQUAL((uint32_t)xxh64(data, sizes[i], 0), want);
        free(z);
        free(data);
    }
}

static void test_levels(void)
{
    static const char *const levels[] = {"-1", "-3", "-19", "-22 --ultra"};
    size_t exe_len = 0;
    uint8_t *exe = read_file("/proc/self/exe", &exe_len);
    uint8_t *text = gen_text(700000, 1);
    uint8_t *runs = gen_runs(400000, 2);
    uint8_t *rnd = gen_random(200000, 3);
    uint8_t *letters = gen_letters(300000, 4);

    CU_ASSERT_PTR_NOT_NULL_FATAL(exe);
    if (exe_len > 400000)
        exe_len = 400000; /* enough code to compress, less time */
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        roundtrip(levels[i], text, 700000);
        roundtrip(levels[i], runs, 400000);
        roundtrip(levels[i], rnd, 200000);
        roundtrip(levels[i], letters, 300000);
        roundtrip(levels[i], exe, exe_len);
    }
    free(exe);
    free(text);
    free(runs);
    free(rnd);
    free(letters);
}

/* Matches 1.5 MiB back: only a window that large (--long) reaches them. */
static void test_long_window(void)
{
    size_t half = 1536 * 1024;
    uint8_t *data = gen_random(2 * half, 4);
    size_t zlen = 0;

    memcpy(data + half, data, half);
    for (size_t i = half; i < 2 * half; i += 4099)
        data[i] ^= 0x55; /* keep it honest: not a pure repeat */
    uint8_t *z = zstd_cli("--long=27 -3", data, 2 * half, false, &zlen);
    CU_ASSERT_FATAL(z != NULL);
    /* Compressed well below the random half: the far matches were used. */
    CU_ASSERT(zlen < half + half / 4);
    expect_roundtrip("zstd --long=27", z, zlen, data, 2 * half);
    free(z);
    roundtrip("--long=27 -1", data, 2 * half);
    free(data);
}

static void test_checksum_flag(void)
{
    uint8_t *data = gen_text(50000, 5);
    size_t zc = 0, zn = 0;
    uint8_t *c = zstd_cli("--check -3", data, 50000, false, &zc);
    uint8_t *n = zstd_cli("--no-check -3", data, 50000, false, &zn);

    CU_ASSERT_FATAL(c && n);
    CU_ASSERT(c[4] & 0x04);    /* Content_Checksum_Flag */
    CU_ASSERT(!(n[4] & 0x04)); /* and without */
    CU_ASSERT_EQUAL(zc, zn + 4);
    expect_roundtrip("--check", c, zc, data, 50000);
    expect_roundtrip("--no-check", n, zn, data, 50000);
    free(c);
    free(n);
    free(data);
}

static void test_empty(void)
{
    uint8_t out[1];
    size_t zlen = 0, olen = 99;
    const char *why = NULL;
    uint8_t *z = zstd_cli("--check", (const uint8_t *)"", 0, false, &zlen);

    CU_ASSERT_FATAL(z != NULL);
    CU_ASSERT_EQUAL(zstd_decompress(z, zlen, out, 0, &olen, &why), 0);
    CU_ASSERT_EQUAL(olen, 0);
    free(z);
    z = zstd_cli("", (const uint8_t *)"", 0, true, &zlen);
    CU_ASSERT_FATAL(z != NULL);
    CU_ASSERT_EQUAL(zstd_decompress(z, zlen, out, 0, &olen, &why), 0);
    CU_ASSERT_EQUAL(olen, 0);
    free(z);
    /* No frame at all is not a zstd stream. */
    CU_ASSERT_EQUAL(zstd_decompress(out, 0, out, 1, &olen, &why), -EINVAL);
}

static void test_tiny(void)
{
    for (size_t n = 1; n <= 40; n++) {
        uint8_t *t = gen_text(n, 6 + n);
        uint8_t *r = gen_random(n, 7 + n);
        roundtrip("-19", t, n);
        roundtrip("-1", r, n);
        free(t);
        free(r);
    }
}

static void test_frames_and_skippable(void)
{
    uint8_t *a = gen_text(30000, 8), *b = gen_runs(200000, 9);
    uint8_t *c = gen_random(5000, 10);
    size_t la, lb, lc;
    uint8_t *za = zstd_cli("-19 --check", a, 30000, false, &la);
    uint8_t *zb = zstd_cli("-1", b, 200000, true, &lb);
    uint8_t *zc = zstd_cli("-3 --no-check", c, 5000, false, &lc);
    static const uint8_t skip[] = {0x5e, 0x2a, 0x4d, 0x18, 5,   0,  0,
                                   0,    'h',  'e',  'l',  'l', 'o'};

    CU_ASSERT_FATAL(za && zb && zc);
    size_t zlen = la + sizeof(skip) + lb + lc + sizeof(skip);
    uint8_t *z = malloc(zlen), *want = malloc(235000);
    memcpy(z, za, la);
    memcpy(z + la, skip, sizeof(skip));
    memcpy(z + la + sizeof(skip), zb, lb);
    memcpy(z + la + sizeof(skip) + lb, zc, lc);
    memcpy(z + la + sizeof(skip) + lb + lc, skip, sizeof(skip));
    memcpy(want, a, 30000);
    memcpy(want + 30000, b, 200000);
    memcpy(want + 230000, c, 5000);
    expect_roundtrip("three frames, two skippable", z, zlen, want, 235000);

    /* Only a skippable frame: valid, and empty. */
    size_t olen = 1;
    CU_ASSERT_EQUAL(decode(skip, sizeof(skip), want, 10, &olen, NULL), 0);
    CU_ASSERT_EQUAL(olen, 0);
    /* A skippable frame claiming more than there is. */
    CU_ASSERT_EQUAL(decode(skip, sizeof(skip) - 1, want, 10, NULL, NULL),
                    -EINVAL);
    /* Anything but a frame after the last one. */
    z[zlen - sizeof(skip)] ^= 0x80;
    CU_ASSERT_EQUAL(decode(z, zlen, want, 235000, NULL, NULL), -EINVAL);
    CU_ASSERT_EQUAL(decode(z, la + 3, want, 235000, NULL, NULL), -EINVAL);
    free(z);
    free(want);
    free(za);
    free(zb);
    free(zc);
    free(a);
    free(b);
    free(c);
}

static void test_header_forms(void)
{
    uint8_t content[300], out[512];
    struct buf f;

    for (unsigned int fcs = 0; fcs < 4; fcs++) {
        for (int single = 0; single < 2; single++) {
            for (unsigned int did = 0; did < 4; did++) {
                for (int ck = 0; ck < 2; ck++) {
                    /* Enough content for the FCS field to be legal. */
                    size_t len = (fcs == 0 && single) ? 200 : 300;
                    size_t olen = 0;
                    const char *why = NULL;
                    frame_content(content, len);
                    build_frame(&f, content, len, fcs, single, ck, did, 0);
                    int rc = decode(f.b, f.n, out, len, &olen, &why);
                    CU_ASSERT_EQUAL(rc, 0);
                    CU_ASSERT(olen == len && !memcmp(out, content, len));
                    if (rc)
                        fprintf(stderr, "\n  fcs %u single %d did %u: %s\n",
                                fcs, single, did, why);
                    /* A content size that lies is refused. */
                    if (fcs || single) {
                        size_t at =
                            4 + 1 + !single + (did ? 1u << (did - 1) : 0);
                        f.b[at] ^= 1;
                        CU_ASSERT_EQUAL(decode(f.b, f.n, out, 512, 0, 0),
                                        -EINVAL);
                    }
                }
            }
        }
    }
    /* The reserved bit of the descriptor must be clear. */
    frame_content(content, 300);
    build_frame(&f, content, 300, 1, false, false, 0, 0);
    f.b[4] |= 0x08;
    CU_ASSERT_EQUAL(decode(f.b, f.n, out, 300, NULL, NULL), -EINVAL);
    /* A block larger than the window (1 KiB here). */
    build_frame(&f, content, 300, 1, false, false, 0, 0);
    f.b[f.n - 2] |= 0x01; /* the RLE block: 200 -> 8192 + 200 bytes */
    CU_ASSERT_EQUAL(decode(f.b, f.n, out, 300, NULL, NULL), -EINVAL);
}

/*
 * Compressed blocks zstd rarely writes: one with no sequences (its
 * literals are the block), and one with 32768 sequences, which needs the
 * 3-byte Number_of_Sequences. All three codes in RLE mode read no bits:
 * literal length 1, match length 3, offset = Repeated_Offset1 = 1, so each
 * sequence turns one literal into four copies of it.
 */
static void test_handmade_blocks(void)
{
    static struct buf f;
    size_t nlit = 32768, out_len = 4 * 32768;
    uint8_t *out = malloc(out_len + 104), *want = malloc(out_len);
    uint8_t lits[32768];
    const char *why = NULL;
    size_t olen = 0;

    for (size_t i = 0; i < nlit; i++) {
        lits[i] = (uint8_t)(i * 13 + (i >> 8));
        memset(want + 4 * i, lits[i], 4);
    }

    /* Window 128 KiB (exponent 7), no content size, no checksum. */
    f.n = 0;
    put(&f, 0xFD2FB528u, 4);
    put(&f, 0x00, 1);
    put(&f, 7 << 3, 1);
    /* A compressed block with literals only: raw, 12-bit size, nseq 0. */
    put_block(&f, false, 2, 2 + 100 + 1);
    put(&f, 0 | 1 << 2 | (100 & 15) << 4, 1);
    put(&f, 100 >> 4, 1);
    memcpy(f.b + f.n, lits, 100);
    f.n += 100;
    put(&f, 0, 1);
    CU_ASSERT_EQUAL(decode(f.b, f.n - 3 - 103, out, 100, &olen, &why),
                    -EINVAL); /* no block at all */
    size_t first = f.n;

    /* The big one, built in a heap buffer: 3-byte literals header. */
    size_t bsize = 3 + nlit + 3 + 1 + 3 + 1;
    size_t zlen = first + 3 + bsize;
    uint8_t *z = malloc(zlen + 8);
    memcpy(z, f.b, first);
    size_t n = first;
    uint32_t bh = 1 | 2 << 1 | (uint32_t)bsize << 3;
    z[n++] = (uint8_t)bh;
    z[n++] = (uint8_t)(bh >> 8);
    z[n++] = (uint8_t)(bh >> 16);
    uint32_t lh = 0 | 3 << 2 | (uint32_t)nlit << 4;
    z[n++] = (uint8_t)lh;
    z[n++] = (uint8_t)(lh >> 8);
    z[n++] = (uint8_t)(lh >> 16);
    memcpy(z + n, lits, nlit);
    n += nlit;
    z[n++] = 255; /* Number_of_Sequences = 0x7F00 + 256 */
    z[n++] = 0x00;
    z[n++] = 0x01;
    z[n++] = 1 << 6 | 1 << 4 | 1 << 2; /* LL, OF, ML: RLE */
    z[n++] = 1;                        /* literal length code 1 */
    z[n++] = 0;                        /* offset code 0: value 1 */
    z[n++] = 0;                        /* match length code 0: 3 */
    z[n++] = 0x01;                     /* bitstream: its end marker only */
    CU_ASSERT_EQUAL_FATAL(n, zlen);

    uint8_t *all = malloc(100 + out_len);
    memcpy(all, lits, 100);
    memcpy(all + 100, want, out_len);
    expect_roundtrip("hand-made blocks", z, zlen, all, 100 + out_len);

    /* Match length 4 instead of 3: the block outgrows 128 KiB. */
    z[first + 3 + 3 + nlit + 6] = 1;
    CU_ASSERT_EQUAL(decode(z, zlen, out, out_len + 104, NULL, &why), -EINVAL);
    CU_ASSERT(why && strstr(why, "Block_Maximum_Size"));

    /*
     * One literal, then a match: offset code 0 (Repeated_Offset1 = 1)
     * works; offset code 5 with 5 zero bits is offset 29, before the
     * frame's first byte.
     */
    static const uint8_t one[] = {
        0x28,
        0xb5,
        0x2f,
        0xfd,
        0x00,
        7 << 3, /* frame header */
        1 | 2 << 1 | 8 << 3,
        0,
        0, /* last, compressed, 8 */
        1 << 3,
        'A', /* raw literals: "A" */
        1,
        1 << 6 | 1 << 4 | 1 << 2, /* 1 sequence, all RLE */
        1,
        0,
        0,    /* LL 1, OF 0, ML 3 */
        0x01, /* no bits */
    };
    uint8_t m[sizeof(one)];
    memcpy(m, one, sizeof(one));
    expect_roundtrip("one sequence", m, sizeof(m), (const uint8_t *)"AAAA", 4);
    m[14] = 5;
    m[16] = 0x20; /* five zero bits under the marker */
    CU_ASSERT_EQUAL(decode(m, sizeof(m), out, 100, NULL, &why), -EINVAL);
    CU_ASSERT(why && strstr(why, "offset"));
    m[16] = 0x01; /* the bits missing */
    CU_ASSERT_EQUAL(decode(m, sizeof(m), out, 100, NULL, &why), -EINVAL);
    CU_ASSERT(why && strstr(why, "truncated"));
    m[14] = 32; /* no offset code 32 */
    CU_ASSERT_EQUAL(decode(m, sizeof(m), out, 100, NULL, &why), -EINVAL);
    CU_ASSERT(why && strstr(why, "out of range"));
    free(all);
    free(z);
    free(out);
    free(want);
}

static void test_dictionary(void)
{
    uint8_t content[300], out[300];
    struct buf f;
    const char *why = NULL;

    frame_content(content, 300);
    for (unsigned int did = 1; did < 4; did++) {
        build_frame(&f, content, 300, 1, did & 1, true, did, 0x7b);
        CU_ASSERT_EQUAL(decode(f.b, f.n, out, 300, NULL, &why), -EOPNOTSUPP);
        CU_ASSERT(why && strstr(why, "dictionary"));
    }
}

static void test_output_too_small(void)
{
    uint8_t *t = gen_text(100000, 11), *r = gen_random(100000, 12);
    uint8_t *u = gen_runs(100000, 13);
    const uint8_t *const data[] = {t, r, u};

    for (size_t i = 0; i < 3; i++) {
        for (int pipe = 0; pipe < 2; pipe++) {
            size_t zlen = 0;
            uint8_t *z = zstd_cli("-3", data[i], 100000, pipe, &zlen);
            uint8_t *out = malloc(100000);
            static const size_t caps[] = {0, 1, 50000, 99999};
            CU_ASSERT_FATAL(z != NULL);
            for (size_t k = 0; k < 4; k++) {
                size_t olen = 0;
                const char *why = NULL;
                CU_ASSERT_EQUAL(decode(z, zlen, out, caps[k], &olen, &why),
                                -ENOSPC);
                CU_ASSERT(olen <= caps[k]);
                CU_ASSERT(!memcmp(out, data[i], olen));
            }
            free(out);
            free(z);
        }
    }
    free(t);
    free(r);
    free(u);
}

static void test_bad_checksum(void)
{
    uint8_t *data = gen_text(20000, 14), out[20000];
    size_t zlen = 0;
    uint8_t *z = zstd_cli("--check -3", data, 20000, false, &zlen);

    CU_ASSERT_FATAL(z != NULL);
    for (size_t i = zlen - 4; i < zlen; i++) {
        for (int bit = 0; bit < 8; bit++) {
            const char *why = NULL;
            z[i] ^= 1 << bit;
            CU_ASSERT_EQUAL(decode(z, zlen, out, 20000, NULL, &why), -EINVAL);
            CU_ASSERT(why && strstr(why, "checksum"));
            z[i] ^= 1 << bit;
        }
    }
    CU_ASSERT_EQUAL(decode(z, zlen, out, 20000, NULL, NULL), 0);
    free(z);
    free(data);
}

/* Small frames of every kind, for the hostile cases. */
struct sample {
    const char *args;
    uint8_t *(*gen)(size_t, uint64_t);
    size_t len;
};

static const struct sample samples[] = {
    {"-19 --check", gen_text, 6000},   {"-1 --no-check", gen_text, 6000},
    {"-22 --ultra", gen_text, 3000},   {"-3 --check", gen_runs, 6000},
    {"-3 --check", gen_random, 300},   {"-19 --check", gen_text, 40},
    {"-19 --check", gen_runs, 300000},
};

static void test_truncations(void)
{
    for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
        uint8_t *data = samples[s].gen(samples[s].len, 15 + s);
        uint8_t *out = malloc(samples[s].len);
        size_t zlen = 0;
        uint8_t *z =
            zstd_cli(samples[s].args, data, samples[s].len, false, &zlen);
        CU_ASSERT_FATAL(z != NULL);
        /* Every cut of small frames; of large ones, a spread and the end. */
        size_t step = zlen > 4096 ? zlen / 1024 : 1;
        for (size_t cut = 0; cut < zlen; cut += (zlen - cut > 64) ? step : 1) {
            int rc = decode(z, cut, out, samples[s].len, NULL, NULL);
            CU_ASSERT_EQUAL(rc, -EINVAL);
            if (rc != -EINVAL)
                fprintf(stderr, "\n  zstd %s cut at %zu of %zu: rc %d\n",
                        samples[s].args, cut, zlen, rc);
        }
        free(z);
        free(out);
        free(data);
    }
}

/*
 * Every byte flipped in turn (all bits, then the low one). Any answer but
 * a crash is allowed; with a checksum, success must mean the right bytes.
 */
static void test_byte_flips(void)
{
    for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
        if (samples[s].len > 10000)
            continue;
        uint8_t *data = samples[s].gen(samples[s].len, 15 + s);
        uint8_t *out = malloc(samples[s].len);
        size_t zlen = 0, refused = 0;
        bool checked = strstr(samples[s].args, "--no-check") == NULL;
        uint8_t *z =
            zstd_cli(samples[s].args, data, samples[s].len, false, &zlen);
        CU_ASSERT_FATAL(z != NULL);
        for (size_t i = 0; i < zlen; i++) {
            static const uint8_t masks[] = {0xff, 0x01, 0x80};
            for (size_t m = 0; m < sizeof(masks); m++) {
                size_t olen = 0;
                z[i] ^= masks[m];
                int rc = decode(z, zlen, out, samples[s].len, &olen, NULL);
                z[i] ^= masks[m];
                CU_ASSERT(rc == 0 || rc == -EINVAL || rc == -ENOSPC ||
                          rc == -EOPNOTSUPP);
                CU_ASSERT(olen <= samples[s].len);
                if (rc)
                    refused++;
                else if (checked)
                    CU_ASSERT(olen == samples[s].len &&
                              !memcmp(out, data, olen));
            }
        }
        CU_ASSERT(refused > 0);
        free(z);
        free(out);
        free(data);
    }
}

/* Many random flips at once, and random bytes behind a valid header. */
static void test_random_corruption(void)
{
    uint8_t *data = gen_text(20000, 30), *out = malloc(20000);
    size_t zlen = 0;
    uint8_t *z = zstd_cli("-19", data, 20000, true, &zlen);
    uint8_t *m = malloc(zlen);

    CU_ASSERT_FATAL(z != NULL);
    rng_state = 31;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(m, z, zlen);
        int flips = 1 + (int)(rng() % 8);
        for (int k = 0; k < flips; k++) {
            size_t at = 4 + rng() % (zlen - 4);
            m[at] ^= (uint8_t)(1u << (rng() % 8));
        }
        size_t olen = 0;
        int rc = decode(m, zlen, out, 20000, &olen, NULL);
        CU_ASSERT(rc == 0 || rc == -EINVAL || rc == -ENOSPC ||
                  rc == -EOPNOTSUPP);
        CU_ASSERT(olen <= 20000);
    }
    /* A header, then noise in place of blocks. */
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = 6 + rng() % 600;
        uint8_t *g = gen_random(n, 1000 + iter);
        memcpy(g, z, 6);
        size_t olen = 0;
        int rc = decode(g, n, out, 20000, &olen, NULL);
        CU_ASSERT(rc == -EINVAL || rc == -ENOSPC || rc == 0);
        free(g);
    }
    free(m);
    free(z);
    free(out);
    free(data);
}

/* The builder reaches the decoder through the payload dispatcher. */
static void test_dispatcher(void)
{
    uint8_t *data = gen_text(30000, 40), *out = malloc(30000);
    uint8_t content[300];
    size_t zlen = 0, olen = 0;
    const char *why = NULL;
    uint8_t *z = zstd_cli("-19", data, 30000, false, &zlen);
    struct buf f;

    CU_ASSERT_FATAL(z != NULL);
    CU_ASSERT_STRING_EQUAL(payload_format(z, zlen), "zstd");
    CU_ASSERT_EQUAL(payload_decompress(z, zlen, out, 30000, &olen, &why), 0);
    CU_ASSERT(olen == 30000 && !memcmp(out, data, 30000));
    z[zlen - 1] ^= 1;
    CU_ASSERT_EQUAL(payload_decompress(z, zlen, out, 30000, &olen, &why),
                    -EINVAL);
    CU_ASSERT(why && !strncmp(why, "zstd: ", 6));
    frame_content(content, 300);
    build_frame(&f, content, 300, 1, false, false, 2, 0x1234);
    CU_ASSERT_EQUAL(payload_decompress(f.b, f.n, out, 300, &olen, &why),
                    -EOPNOTSUPP);
    CU_ASSERT(why && strstr(why, "dictionary"));
    free(z);
    free(out);
    free(data);
}

/*
 * Debian's 6.12 bzImage: its payload (setup header at 0x248) is a zstd
 * frame followed by the 4-byte uncompressed size. Decoded here and by
 * `zstd -d`, byte for byte. Skipped, saying so, when it is not cached.
 */
static void test_debian_612_kernel(void)
{
    const char *cache = getenv("VENEER_CACHE");
    char pattern[512], cmd[1200];
    char zpath[] = "/tmp/veneer-zstd-kernel-XXXXXX";
    char rpath[] = "/tmp/veneer-zstd-kernel-raw-XXXXXX";
    glob_t g;

    if (cache)
        snprintf(pattern, sizeof(pattern),
                 "%s/pkgs/linux-image-6.12*/boot/vmlinuz-6.12*", cache);
    else
        snprintf(pattern, sizeof(pattern),
                 "%s/.cache/veneer/pkgs/linux-image-6.12*/boot/vmlinuz-6.12*",
                 getenv("HOME") ? getenv("HOME") : "/root");
    if (glob(pattern, 0, NULL, &g) != 0) {
        printf("\n  skipped: no Debian 6.12 kernel cached (%s); "
               "tests/linux/fetch-kernels fetches it ",
               pattern);
        return;
    }

    size_t klen = 0;
    uint8_t *k = read_file(g.gl_pathv[0], &klen);
    globfree(&g);
    CU_ASSERT_FATAL(k && klen > 0x250);
    size_t setup = ((size_t)k[0x1f1] + 1) * 512;
    uint32_t off =
        k[0x248] | k[0x249] << 8 | k[0x24a] << 16 | (uint32_t)k[0x24b] << 24;
    uint32_t plen =
        k[0x24c] | k[0x24d] << 8 | k[0x24e] << 16 | (uint32_t)k[0x24f] << 24;
    CU_ASSERT_FATAL(plen > 4 && setup + off <= klen &&
                    plen <= klen - setup - off);
    const uint8_t *payload = k + setup + off;
    CU_ASSERT_FATAL(payload[0] == 0x28 && payload[1] == 0xb5 &&
                    payload[2] == 0x2f && payload[3] == 0xfd);
    const uint8_t *tail = payload + plen - 4;
    size_t size =
        tail[0] | tail[1] << 8 | tail[2] << 16 | (size_t)tail[3] << 24;

    /* The oracle: zstd -d on the frame alone. */
    int zfd = mkstemp(zpath), rfd = mkstemp(rpath);
    CU_ASSERT_FATAL(zfd >= 0 && rfd >= 0);
    close(zfd);
    close(rfd);
    CU_ASSERT_FATAL(write_all(zpath, payload, plen - 4) == 0);
    snprintf(cmd, sizeof(cmd), "zstd -q -d -c %s > %s", zpath, rpath);
    int rc = system(cmd);
    size_t want_len = 0;
    uint8_t *want = read_file(rpath, &want_len);
    unlink(zpath);
    unlink(rpath);
    CU_ASSERT_FATAL(rc == 0 && want != NULL);
    CU_ASSERT_EQUAL(want_len, size);

    uint8_t *out = malloc(size);
    size_t olen = 0;
    const char *why = NULL;
    rc = zstd_decompress(payload, plen - 4, out, size, &olen, &why);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc)
        fprintf(stderr, "\n  6.12 payload: %s\n", why);
    CU_ASSERT(olen == want_len && !memcmp(out, want, olen));
    /* With the size word left on, it is not a frame: refused. */
    CU_ASSERT_EQUAL(zstd_decompress(payload, plen, out, size, &olen, &why),
                    -EINVAL);
    free(out);
    free(want);
    free(k);
}

static const struct unit_case zstd_cases[] = {
    {"xxh64 matches the checksums zstd writes", test_xxh64},
    {"levels 1, 3, 19, 22 on text, runs, random, letters, ELF", test_levels},
    {"--long: matches 1.5 MiB back", test_long_window},
    {"--check and --no-check", test_checksum_flag},
    {"empty content, and no frame at all", test_empty},
    {"inputs of 1 to 40 bytes", test_tiny},
    {"several frames with skippable frames between", test_frames_and_skippable},
    {"every frame header form, built by hand", test_header_forms},
    {"literals-only block, 32768 RLE-mode sequences", test_handmade_blocks},
    {"a dictionary id is -EOPNOTSUPP", test_dictionary},
    {"output buffer too small is -ENOSPC", test_output_too_small},
    {"a wrong checksum is -EINVAL", test_bad_checksum},
    {"every truncation is -EINVAL", test_truncations},
    {"every byte flipped: no crash, no wrong success", test_byte_flips},
    {"random corruption and noise after a header", test_random_corruption},
    {"the payload dispatcher hands zstd frames over", test_dispatcher},
    {"Debian 6.12 payload equals zstd -d", test_debian_612_kernel},
    {NULL, NULL},
};

UNIT_SUITE(zstd, zstd_cases)
