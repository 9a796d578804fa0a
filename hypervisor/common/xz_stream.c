/*
 * The .xz container (the "xz file format" specification, version 1.x):
 *
 *   stream   = header, block*, index, footer; streams may follow each other,
 *              separated by stream padding (zero bytes, a multiple of 4)
 *   header   = FD '7' 'z' 'X' 'Z' 00, flags (00, check type), CRC32(flags)
 *   block    = block header, compressed data, padding to 4, check
 *   b.header = size/4 - 1, flags, [compressed size], [uncompressed size],
 *              filter flags..., zero padding, CRC32 of all that
 *   index    = 00, record count, (unpadded size, uncompressed size)...,
 *              zero padding to 4, CRC32
 *   footer   = CRC32(backward size, flags), backward size (index size/4 - 1),
 *              flags (as in the header), 'Y' 'Z'
 *
 * Numbers in headers are VLIs: 7 bits a byte, least significant first, the
 * top bit set on every byte but the last, at most 9 bytes, no redundant
 * trailing zero byte. The index must describe exactly the blocks that were
 * decoded: we fold each block's (unpadded, uncompressed) pair and each
 * index record into a count, two sums and a CRC32, and compare them.
 */
#include <veneer/crc.h>
#include <veneer/errno.h>
#include <veneer/format.h>
#include <veneer/lib.h>
#include <veneer/xz.h>

#include "xz_internal.h"

#define STREAM_HDR_SIZE  12
#define CHECK_NONE       0x0
#define CHECK_CRC32      0x1
#define CHECK_CRC64      0x4
#define CHECK_SHA256     0xa
#define VLI_MAX_BYTES    9
#define FILTER_X86       0x04
#define FILTER_LZMA2     0x21
#define MAX_FILTERS      4
#define LZMA2_DICT_MAX   40 /* dictionary size byte: 40 means 4 GiB - 1 */
#define BLOCK_FLAG_CSIZE 0x40
#define BLOCK_FLAG_USIZE 0x80
#define BLOCK_FLAG_RSVD  0x3c

static const uint8_t header_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const uint8_t footer_magic[2] = {'Y', 'Z'};

/* What a stream's blocks were, to compare with its index. */
struct record_sum {
    uint64_t count, unpadded, uncompressed;
    uint32_t crc;
};

struct xz {
    const uint8_t *in;
    size_t in_len, ip;
    uint8_t *out;
    size_t out_cap, op;
    unsigned int check; /* check type of the current stream */
    uint64_t block_nr;  /* counts blocks over all streams */
    const char *why;
};

/* Messages naming a block are formatted here; they stay valid until the
 * next call (xz.h). */
static char why_buf[96];

static int fail(struct xz *x, int err, const char *why)
{
    x->why = why;
    return err;
}

static int fail_block(struct xz *x, int err, const char *why)
{
    /* The LZMA2 and LZMA layers' messages get the container's prefix. */
    format(why_buf, sizeof(why_buf), "%s%s in block %lu",
           strncmp(why, "xz: ", 4) ? "xz: " : "", why,
           (unsigned long)x->block_nr);
    x->why = why_buf;
    return err;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Reads a VLI from p[*pos, end); advances *pos. */
static int read_vli(const uint8_t *p, size_t end, size_t *pos, uint64_t *v)
{
    uint64_t value = 0;

    for (unsigned int i = 0; i < VLI_MAX_BYTES; i++) {
        uint8_t b;

        if (*pos >= end)
            return -EINVAL;
        b = p[(*pos)++];
        value |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0)
                return -EINVAL; /* redundant encoding */
            *v = value;
            return 0;
        }
    }
    return -EINVAL;
}

static size_t check_size(unsigned int check)
{
    /* The specification fixes the sizes of all 16 check IDs, in groups
     * of three: 0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, ... */
    return check == 0 ? 0 : (size_t)4 << ((check - 1) / 3);
}

static int stream_header(struct xz *x)
{
    const uint8_t *h = x->in + x->ip;

    if (x->in_len - x->ip < STREAM_HDR_SIZE)
        return fail(x, -EINVAL, "xz: truncated stream header");
    if (memcmp(h, header_magic, sizeof(header_magic)))
        return fail(x, -EINVAL, "xz: not xz data (bad magic)");
    if (crc32(0, h + 6, 2) != le32(h + 8))
        return fail(x, -EINVAL, "xz: CRC32 mismatch in the stream header");
    if (h[6] != 0 || h[7] > 0xf)
        return fail(x, -EOPNOTSUPP,
                    "xz: stream header uses reserved flags (newer format?)");
    x->check = h[7];
    if (x->check == CHECK_SHA256)
        return fail(x, -EOPNOTSUPP,
                    "xz: SHA-256 integrity check not supported");
    if (x->check != CHECK_NONE && x->check != CHECK_CRC32 &&
        x->check != CHECK_CRC64)
        return fail(x, -EOPNOTSUPP, "xz: unknown integrity check type");
    x->ip += STREAM_HDR_SIZE;
    return 0;
}

struct block_header {
    size_t size;
    bool has_csize, has_usize;
    uint64_t csize, usize;
    unsigned int nr_bcj;
    uint32_t bcj_start[MAX_FILTERS - 1]; /* x86 filters, in chain order */
};

/* The filter flags in h[*pos, end): x86 BCJ filters, then LZMA2 last. */
static int filter_flags(struct xz *x, const uint8_t *h, size_t end, size_t *pos,
                        unsigned int nr_filters, struct block_header *bh)
{
    for (unsigned int i = 0; i < nr_filters; i++) {
        bool last = i == nr_filters - 1;
        uint64_t id, props_size;

        if (read_vli(h, end, pos, &id) || read_vli(h, end, pos, &props_size))
            return fail_block(x, -EINVAL, "xz: malformed filter flags");
        if (props_size > end - *pos)
            return fail_block(x, -EINVAL, "xz: filter properties overrun");
        if (id == FILTER_LZMA2) {
            if (!last || props_size != 1)
                return fail_block(x, -EINVAL, "xz: misplaced LZMA2 filter");
            if ((h[*pos] & 0x3f) > LZMA2_DICT_MAX || (h[*pos] & 0xc0))
                return fail_block(x, -EINVAL,
                                  "xz: invalid LZMA2 dictionary size");
        } else if (id == FILTER_X86) {
            if (last)
                return fail_block(x, -EINVAL,
                                  "xz: the filter chain does not end in LZMA2");
            if (props_size != 0 && props_size != 4)
                return fail_block(x, -EINVAL,
                                  "xz: invalid x86 filter properties");
            bh->bcj_start[bh->nr_bcj++] = props_size ? le32(h + *pos) : 0;
        } else {
            return fail_block(x, -EOPNOTSUPP,
                              "xz: a filter other than x86 BCJ and LZMA2");
        }
        *pos += props_size;
    }
    return 0;
}

static int block_header(struct xz *x, struct block_header *bh)
{
    const uint8_t *h = x->in + x->ip;
    size_t avail = x->in_len - x->ip, pos = 2, end;
    int rc;

    *bh = (struct block_header){0};
    bh->size = ((size_t)h[0] + 1) * 4;
    if (bh->size > avail)
        return fail_block(x, -EINVAL, "xz: truncated block header");
    end = bh->size - 4;
    if (crc32(0, h, end) != le32(h + end))
        return fail_block(x, -EINVAL, "xz: block header CRC32 mismatch");
    if (h[1] & BLOCK_FLAG_RSVD)
        return fail_block(x, -EOPNOTSUPP, "xz: reserved block flags");
    if (h[1] & BLOCK_FLAG_CSIZE) {
        bh->has_csize = true;
        if (read_vli(h, end, &pos, &bh->csize) || bh->csize == 0)
            return fail_block(x, -EINVAL, "xz: invalid compressed size");
    }
    if (h[1] & BLOCK_FLAG_USIZE) {
        bh->has_usize = true;
        if (read_vli(h, end, &pos, &bh->usize))
            return fail_block(x, -EINVAL, "xz: invalid uncompressed size");
    }
    rc = filter_flags(x, h, end, &pos, (h[1] & 3) + 1, bh);
    if (rc)
        return rc;
    while (pos < end) {
        if (h[pos++])
            return fail_block(x, -EOPNOTSUPP,
                              "xz: non-zero block header padding");
    }
    x->ip += bh->size;
    return 0;
}

static bool check_matches(unsigned int check, const uint8_t *data, size_t len,
                          const uint8_t *stored)
{
    if (check == CHECK_CRC32)
        return crc32(0, data, len) == le32(stored);
    if (check == CHECK_CRC64)
        return crc64(0, data, len) == le64(stored);
    return true; /* CHECK_NONE */
}

static void record_add(struct record_sum *s, uint64_t unpadded,
                       uint64_t uncompressed)
{
    uint8_t rec[16];

    for (unsigned int i = 0; i < 8; i++) {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(uncompressed >> (8 * i));
    }
    s->count++;
    s->unpadded += unpadded;
    s->uncompressed += uncompressed;
    s->crc = crc32(s->crc, rec, sizeof(rec));
}

static int block(struct xz *x, struct record_sum *blocks)
{
    struct block_header bh;
    size_t in_avail, in_used, compressed, out_len;
    size_t csum_size = check_size(x->check);
    uint8_t *out;
    int rc;

    rc = block_header(x, &bh);
    if (rc)
        return rc;
    in_avail = x->in_len - x->ip;
    if (bh.has_csize) {
        if (bh.csize > in_avail)
            return fail_block(x, -EINVAL,
                              "xz: compressed size beyond the end of the data");
        in_avail = bh.csize;
    }
    if (bh.has_usize && bh.usize > x->out_cap - x->op)
        return fail_block(x, -ENOSPC, "xz: output buffer too small");

    out = x->out + x->op;
    rc = lzma2_decode(x->in + x->ip, in_avail, &in_used, out,
                      x->out_cap - x->op, &out_len, &x->why);
    if (rc)
        return fail_block(x, rc, x->why);
    if (bh.has_csize && in_used != bh.csize)
        return fail_block(x, -EINVAL,
                          "xz: compressed size differs from the header's");
    if (bh.has_usize && out_len != bh.usize)
        return fail_block(x, -EINVAL,
                          "xz: uncompressed size differs from the header's");
    /* The filters run in chain order when compressing: undo them last
     * first. */
    for (unsigned int i = bh.nr_bcj; i-- > 0;)
        bcj_x86_decode(out, out_len, bh.bcj_start[i]);
    x->ip += in_used;
    compressed = in_used;

    /* Block padding to a multiple of 4, then the check. */
    while (in_used & 3) {
        if (x->ip >= x->in_len)
            return fail_block(x, -EINVAL, "xz: truncated block padding");
        if (x->in[x->ip++])
            return fail_block(x, -EINVAL, "xz: non-zero block padding");
        in_used++;
    }
    if (csum_size > x->in_len - x->ip)
        return fail_block(x, -EINVAL, "xz: truncated block check");
    if (!check_matches(x->check, out, out_len, x->in + x->ip))
        return fail_block(x, -EINVAL,
                          x->check == CHECK_CRC32 ? "xz: CRC32 mismatch"
                                                  : "xz: CRC64 mismatch");
    x->ip += csum_size;
    /* Unpadded size: header, compressed data and check, no padding. */
    record_add(blocks, bh.size + compressed + csum_size, out_len);
    x->op += out_len;
    x->block_nr++;
    return 0;
}

/* The index, from its indicator byte to its CRC32; *size gets its size. */
static int stream_index(struct xz *x, const struct record_sum *blocks,
                        size_t *size)
{
    const uint8_t *p = x->in;
    size_t start = x->ip, pos = x->ip + 1; /* past the 00 indicator */
    struct record_sum records = {0};
    uint64_t count;

    if (read_vli(p, x->in_len, &pos, &count))
        return fail(x, -EINVAL, "xz: malformed index");
    if (count != blocks->count)
        return fail(x, -EINVAL,
                    "xz: the index counts a different number "
                    "of blocks");
    for (uint64_t i = 0; i < count; i++) {
        uint64_t unpadded, uncompressed;

        if (read_vli(p, x->in_len, &pos, &unpadded) ||
            read_vli(p, x->in_len, &pos, &uncompressed))
            return fail(x, -EINVAL, "xz: malformed index record");
        record_add(&records, unpadded, uncompressed);
    }
    while ((pos - start) & 3) {
        if (pos >= x->in_len || p[pos++])
            return fail(x, -EINVAL, "xz: bad index padding");
    }
    if (x->in_len - pos < 4)
        return fail(x, -EINVAL, "xz: truncated index");
    if (crc32(0, p + start, pos - start) != le32(p + pos))
        return fail(x, -EINVAL, "xz: CRC32 mismatch in the index");
    if (records.unpadded != blocks->unpadded ||
        records.uncompressed != blocks->uncompressed ||
        records.crc != blocks->crc)
        return fail(x, -EINVAL, "xz: the index does not match the blocks");
    pos += 4;
    *size = pos - start;
    x->ip = pos;
    return 0;
}

static int stream_footer(struct xz *x, size_t index_size)
{
    const uint8_t *f = x->in + x->ip;

    if (x->in_len - x->ip < STREAM_HDR_SIZE)
        return fail(x, -EINVAL, "xz: truncated stream footer");
    if (memcmp(f + 10, footer_magic, sizeof(footer_magic)))
        return fail(x, -EINVAL, "xz: bad stream footer magic");
    if (crc32(0, f + 4, 6) != le32(f))
        return fail(x, -EINVAL, "xz: CRC32 mismatch in the stream footer");
    if (((uint64_t)le32(f + 4) + 1) * 4 != index_size)
        return fail(x, -EINVAL, "xz: the stream footer's index size is wrong");
    if (f[8] != 0 || f[9] != x->check)
        return fail(x, -EINVAL,
                    "xz: stream footer flags differ from the header's");
    x->ip += STREAM_HDR_SIZE;
    return 0;
}

static int stream(struct xz *x)
{
    struct record_sum blocks = {0};
    size_t index_size;
    int rc;

    rc = stream_header(x);
    if (rc)
        return rc;
    for (;;) {
        if (x->ip >= x->in_len)
            return fail(x, -EINVAL, "xz: the data ends before the index");
        if (x->in[x->ip] == 0)
            break; /* the index indicator */
        rc = block(x, &blocks);
        if (rc)
            return rc;
    }
    rc = stream_index(x, &blocks, &index_size);
    if (rc)
        return rc;
    return stream_footer(x, index_size);
}

int xz_decompress(const void *in, size_t in_len, void *out, size_t out_cap,
                  size_t *out_len, const char **why)
{
    struct xz x = {.in = in, .in_len = in_len, .out = out, .out_cap = out_cap};
    int rc;

    *out_len = 0;
    if (in_len == 0) {
        *why = "xz: no data";
        return -EINVAL;
    }
    do {
        size_t zeros = 0;

        if (x.ip && (x.in_len - x.ip < sizeof(header_magic) ||
                     memcmp(x.in + x.ip, header_magic, sizeof(header_magic)))) {
            rc = fail(&x, -EINVAL, "xz: data after the end of the stream");
            break;
        }
        rc = stream(&x);
        if (rc)
            break;
        /* Stream padding: zero bytes in multiples of four, then the end
         * or another stream. */
        while (x.ip < x.in_len && x.in[x.ip] == 0) {
            x.ip++;
            zeros++;
        }
        if (zeros & 3)
            rc = fail(&x, -EINVAL,
                      "xz: stream padding is not a multiple "
                      "of 4 bytes");
    } while (!rc && x.ip < x.in_len);

    if (rc) {
        *why = x.why;
        return rc;
    }
    *out_len = x.op;
    return 0;
}
