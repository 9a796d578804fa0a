/*
 * zstd_decompress(): frames and blocks, RFC 8878 section 3.1. The input is
 * a run of frames, each a zstd frame (header, blocks, optional checksum)
 * or a skippable frame, with nothing after the last one. A zstd frame's
 * blocks are raw bytes, one repeated byte, or compressed (literals then
 * sequences: zstd_literals.c, zstd_sequences.c).
 *
 * Read this file first; it owns the decoder context and resets what a frame
 * may not inherit from the one before it (tables, repeat offsets).
 */
#include <veneer/lib.h>
#include <veneer/xxhash64.h>
#include <veneer/zstd.h>

#include "zstd_bits.h"
#include "zstd_internal.h"

#define ZSTD_MAGIC      0xFD2FB528u
#define SKIPPABLE_MAGIC 0x184D2A50u /* low 4 bits free */
#define SKIPPABLE_MASK  0xFFFFFFF0u

enum {
    BLOCK_RAW = 0,
    BLOCK_RLE = 1,
    BLOCK_COMPRESSED = 2,
};

/* Static: see zstd.h (one caller at a time). */
static struct zstd_dctx zstd_ctx;

struct frame_header {
    uint64_t window_size;
    uint64_t content_size;
    bool has_content_size;
    bool has_checksum;
};

/* Frame_Header after the magic number (3.1.1.1). */
static int read_frame_header(struct zstd_dctx *d, const uint8_t *in, size_t len,
                             struct frame_header *fh, size_t *used)
{
    static const uint8_t did_bytes[4] = {0, 1, 2, 4};
    static const uint8_t fcs_bytes[4] = {0, 2, 4, 8};
    size_t h = 1;

    if (!len)
        return zstd_fail(d, -EINVAL, "zstd: frame header truncated");
    uint8_t fhd = in[0];
    bool single_segment = fhd & 0x20;
    if (fhd & 0x08)
        return zstd_fail(d, -EINVAL, "zstd: frame header: reserved bit set");
    fh->has_checksum = fhd & 0x04;

    fh->window_size = 0;
    if (!single_segment) {
        if (h >= len)
            return zstd_fail(d, -EINVAL, "zstd: frame header truncated");
        unsigned int exponent = in[h] >> 3, mantissa = in[h] & 7;
        uint64_t base = 1ULL << (10 + exponent);
        fh->window_size = base + (base / 8) * mantissa;
        h++;
    }

    size_t did_len = did_bytes[fhd & 3];
    size_t fcs_len = fcs_bytes[fhd >> 6];
    if (single_segment && !fcs_len)
        fcs_len = 1;
    if (did_len + fcs_len > len - h)
        return zstd_fail(d, -EINVAL, "zstd: frame header truncated");
    uint64_t did = zbits_load(in + h, did_len);
    h += did_len;
    fh->content_size = zbits_load(in + h, fcs_len);
    if (fcs_len == 2)
        fh->content_size += 256;
    h += fcs_len;
    fh->has_content_size = fcs_len != 0;

    /* Dictionary_ID 0 is the same as none. */
    if (did)
        return zstd_fail(d, -EOPNOTSUPP, "zstd: frame needs a dictionary");
    if (single_segment)
        fh->window_size = fh->content_size;
    *used = h;
    return 0;
}

static int decode_block(struct zstd_dctx *d, const uint8_t *in, size_t len,
                        unsigned int type, size_t size, size_t *used)
{
    size_t lit_used;
    int rc;

    if (size > d->block_max)
        return zstd_fail(d, -EINVAL,
                         "zstd: block larger than Block_Maximum_Size");
    switch (type) {
    case BLOCK_RAW:
        if (size > len)
            return zstd_fail(d, -EINVAL, "zstd: raw block truncated");
        if (size > d->out_cap - d->pos)
            return zstd_fail(d, -ENOSPC, "zstd: output buffer too small");
        zstd_copy(d->out + d->pos, in, size);
        d->pos += size;
        *used = size;
        return 0;
    case BLOCK_RLE:
        if (!len)
            return zstd_fail(d, -EINVAL, "zstd: RLE block truncated");
        if (size > d->out_cap - d->pos)
            return zstd_fail(d, -ENOSPC, "zstd: output buffer too small");
        memset(d->out + d->pos, in[0], size);
        d->pos += size;
        *used = 1;
        return 0;
    case BLOCK_COMPRESSED:
        if (size > len)
            return zstd_fail(d, -EINVAL, "zstd: compressed block truncated");
        rc = zstd_read_literals(d, in, size, &lit_used);
        if (rc)
            return rc;
        rc = zstd_execute_sequences(d, in + lit_used, size - lit_used);
        if (rc)
            return rc;
        *used = size;
        return 0;
    default:
        return zstd_fail(d, -EINVAL, "zstd: reserved block type");
    }
}

/* One zstd frame, after its magic number; *used is its remaining size. */
static int decode_frame(struct zstd_dctx *d, const uint8_t *in, size_t len,
                        size_t *used)
{
    struct frame_header fh;
    size_t h, n;
    int rc;

    rc = read_frame_header(d, in, len, &fh, &h);
    if (rc)
        return rc;
    if (fh.has_content_size && fh.content_size > d->out_cap - d->pos)
        return zstd_fail(d, -ENOSPC, "zstd: output buffer too small");

    /* A frame starts afresh: no tables or offsets from the last one. */
    d->frame_start = d->pos;
    d->window_size = fh.window_size;
    d->block_max = fh.window_size < ZSTD_BLOCK_MAX ? (size_t)fh.window_size
                                                   : ZSTD_BLOCK_MAX;
    d->rep[0] = 1;
    d->rep[1] = 4;
    d->rep[2] = 8;
    d->huf.valid = false;
    d->ll.valid = d->of.valid = d->ml.valid = false;

    /* Every block consumes at least its 3-byte header: this ends. */
    for (bool last = false; !last;) {
        if (len - h < 3)
            return zstd_fail(d, -EINVAL, "zstd: block header truncated");
        uint32_t bh = (uint32_t)zbits_load(in + h, 3);
        h += 3;
        last = bh & 1;
        rc = decode_block(d, in + h, len - h, (bh >> 1) & 3, bh >> 3, &n);
        if (rc)
            return rc;
        h += n;
    }

    size_t produced = d->pos - d->frame_start;
    if (fh.has_content_size && produced != fh.content_size)
        return zstd_fail(d, -EINVAL,
                         "zstd: content size differs from the frame "
                         "header's");
    if (fh.has_checksum) {
        if (len - h < 4)
            return zstd_fail(d, -EINVAL, "zstd: content checksum truncated");
        uint32_t want = (uint32_t)zbits_load(in + h, 4);
        uint32_t got = (uint32_t)xxh64(d->out + d->frame_start, produced, 0);
        if (want != got)
            return zstd_fail(d, -EINVAL, "zstd: content checksum mismatch");
        h += 4;
    }
    *used = h;
    return 0;
}

int zstd_decompress(const void *in, size_t in_len, void *out, size_t out_cap,
                    size_t *out_len, const char **why)
{
    struct zstd_dctx *d = &zstd_ctx;
    const uint8_t *p = in;
    size_t left = in_len, used;
    int rc = 0;

    d->why = "no error";
    d->out = out;
    d->out_cap = out_cap;
    d->pos = 0;
    if (!in_len)
        rc = zstd_fail(d, -EINVAL, "zstd: empty input: no frame");

    while (!rc && left) {
        if (left < 4) {
            rc = zstd_fail(d, -EINVAL,
                           "zstd: trailing bytes after the last frame");
            break;
        }
        uint32_t magic = (uint32_t)zbits_load(p, 4);
        if (magic == ZSTD_MAGIC) {
            rc = decode_frame(d, p + 4, left - 4, &used);
            used += 4;
        } else if ((magic & SKIPPABLE_MASK) == SKIPPABLE_MAGIC) {
            /* Magic, 4-byte size, then that many bytes we ignore. */
            if (left < 8 || zbits_load(p + 4, 4) > left - 8)
                rc = zstd_fail(d, -EINVAL, "zstd: skippable frame truncated");
            else
                used = 8 + (size_t)zbits_load(p + 4, 4);
        } else {
            rc = zstd_fail(d, -EINVAL,
                           "zstd: not a zstd frame (bad magic number)");
        }
        if (!rc) {
            p += used;
            left -= used;
        }
    }

    if (out_len)
        *out_len = d->pos;
    if (why)
        *why = d->why;
    return rc;
}
