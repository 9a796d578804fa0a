/*
 * The Literals_Section of a compressed block, RFC 8878 section 3.1.1.3.1:
 * the bytes that sequences copy before each match. Raw literals stay in
 * the input (no copy); RLE and Huffman-coded ones are regenerated into the
 * decoder's block-sized buffer. Whatever the header claims is held against
 * the block limit and the bytes actually present.
 */
#include <veneer/lib.h>

#include "zstd_bits.h"
#include "zstd_internal.h"

enum {
    LIT_RAW = 0,
    LIT_RLE = 1,
    LIT_COMPRESSED = 2,
    LIT_TREELESS = 3,
};

/* Huffman-coded literals in one stream or four (jump table first). */
static int decode_streams(struct zstd_dctx *d, const uint8_t *in, size_t len,
                          size_t regen, bool four)
{
    if (!four)
        return huf_decode_stream(d, in, len, d->lit_buf, regen);

    /* Three 16-bit stream sizes; the fourth stream takes the rest. */
    if (len < 6)
        return zstd_fail(d, -EINVAL, "zstd: literals: jump table truncated");
    size_t size[4];
    size[0] = (size_t)in[0] | (size_t)in[1] << 8;
    size[1] = (size_t)in[2] | (size_t)in[3] << 8;
    size[2] = (size_t)in[4] | (size_t)in[5] << 8;
    if (size[0] + size[1] + size[2] > len - 6)
        return zstd_fail(d, -EINVAL,
                         "zstd: literals: streams larger than the "
                         "section");
    size[3] = len - 6 - size[0] - size[1] - size[2];

    /* Streams 1-3 regenerate (regen + 3) / 4 bytes each, the 4th the rest. */
    size_t seg = (regen + 3) / 4;
    if (3 * seg > regen)
        return zstd_fail(d, -EINVAL,
                         "zstd: literals: too few for four streams");
    const uint8_t *p = in + 6;
    uint8_t *out = d->lit_buf;
    for (int i = 0; i < 4; i++) {
        size_t n = i < 3 ? seg : regen - 3 * seg;
        int rc = huf_decode_stream(d, p, size[i], out, n);
        if (rc)
            return rc;
        p += size[i];
        out += n;
    }
    return 0;
}

int zstd_read_literals(struct zstd_dctx *d, const uint8_t *in, size_t len,
                       size_t *used)
{
    size_t hdr, regen, csize = 0;
    bool four = false;
    int rc;

    if (!len)
        return zstd_fail(d, -EINVAL, "zstd: literals: missing");
    unsigned int type = in[0] & 3;
    unsigned int size_format = (in[0] >> 2) & 3;

    if (type == LIT_RAW || type == LIT_RLE) {
        /* 5, 12 or 20 bits of Regenerated_Size. */
        hdr = size_format == 3 ? 3 : size_format == 1 ? 2 : 1;
        if (len < hdr)
            return zstd_fail(d, -EINVAL, "zstd: literals: header truncated");
        if (hdr == 1)
            regen = in[0] >> 3;
        else if (hdr == 2)
            regen = (in[0] >> 4) | (size_t)in[1] << 4;
        else
            regen = (in[0] >> 4) | (size_t)in[1] << 4 | (size_t)in[2] << 12;
    } else {
        /* Regenerated_Size, then Compressed_Size, 10/14/18 bits each. */
        unsigned int bits = size_format <= 1 ? 10 : size_format == 2 ? 14 : 18;
        hdr = size_format <= 1 ? 3 : size_format + 2;
        if (len < hdr)
            return zstd_fail(d, -EINVAL, "zstd: literals: header truncated");
        uint64_t v = zbits_load(in, hdr) >> 4;
        regen = (size_t)(v & zbits_mask(bits));
        csize = (size_t)((v >> bits) & zbits_mask(bits));
        four = size_format != 0;
    }
    if (regen > d->block_max)
        return zstd_fail(d, -EINVAL, "zstd: literals: larger than a block");

    const uint8_t *p = in + hdr;
    size_t left = len - hdr;
    switch (type) {
    case LIT_RAW:
        if (regen > left)
            return zstd_fail(d, -EINVAL, "zstd: literals: raw bytes truncated");
        d->lit = p;
        d->lit_len = regen;
        *used = hdr + regen;
        return 0;
    case LIT_RLE:
        if (!left)
            return zstd_fail(d, -EINVAL, "zstd: literals: RLE byte missing");
        memset(d->lit_buf, p[0], regen);
        d->lit = d->lit_buf;
        d->lit_len = regen;
        *used = hdr + 1;
        return 0;
    default:
        break;
    }

    if (csize > left)
        return zstd_fail(d, -EINVAL,
                         "zstd: literals: compressed size past the "
                         "block");
    size_t tree = 0;
    if (type == LIT_COMPRESSED) {
        rc = huf_read_table(d, p, csize, &tree);
        if (rc)
            return rc;
    } else if (!d->huf.valid) {
        return zstd_fail(d, -EINVAL,
                         "zstd: literals: treeless without a previous "
                         "Huffman table");
    }
    rc = decode_streams(d, p + tree, csize - tree, regen, four);
    if (rc)
        return rc;
    d->lit = d->lit_buf;
    d->lit_len = regen;
    *used = hdr + csize;
    return 0;
}
