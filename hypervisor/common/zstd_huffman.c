/*
 * Huffman coding of zstd's literals, RFC 8878 section 4.2: the tree
 * description (weights sent directly or FSE-compressed, the last weight
 * implied), the decoding table, and decoding one stream.
 *
 * A symbol of weight w > 0 has a code of Max_Number_of_Bits + 1 - w bits.
 * Codes are handed out from the lowest weight up, symbols in order within a
 * weight, so a table indexed by the next Max_Number_of_Bits bits of the
 * stream gives each symbol 2^(w-1) consecutive cells.
 */
#include "zstd_bits.h"
#include "zstd_internal.h"

/*
 * The FSE-compressed weights: two states share one table and take turns,
 * the first emitting even-indexed weights. The stream ends when an update
 * needs more bits than are left; the other state then emits one last
 * weight (4.2.1.2).
 */
static int read_fse_weights(struct zstd_dctx *d, const uint8_t *in, size_t len,
                            uint8_t *w, unsigned int *nw)
{
    const struct fse_table *t = &d->scratch;
    struct zback b;
    size_t used;
    unsigned int n = 0;
    int rc;

    rc = fse_read_table(d, &d->scratch, in, len, ZSTD_HUFW_MAX_LOG,
                        ZSTD_HUFW_MAX_SYM, &used);
    if (rc)
        return rc;
    if (used >= len || zback_init(&b, in + used, len - used))
        return zstd_fail(d, -EINVAL, "zstd: Huffman weights: bad bitstream");

    uint32_t state[2];
    state[0] = (uint32_t)zback_read(&b, t->log);
    state[1] = (uint32_t)zback_read(&b, t->log);
    if (zback_overrun(&b))
        return zstd_fail(d, -EINVAL, "zstd: Huffman weights: truncated");
    for (unsigned int k = 0;; k ^= 1) {
        const struct fse_cell *c = &t->cell[state[k]];
        /* 255 weights at most: the implied one makes 256. */
        if (n >= ZSTD_HUF_MAX_SYMS - 1)
            return zstd_fail(d, -EINVAL, "zstd: Huffman weights: too many");
        w[n++] = c->symbol;
        state[k] = c->baseline + (uint32_t)zback_read(&b, c->nb_bits);
        if (zback_overrun(&b)) {
            if (n >= ZSTD_HUF_MAX_SYMS - 1)
                return zstd_fail(d, -EINVAL, "zstd: Huffman weights: too many");
            w[n++] = t->cell[state[k ^ 1]].symbol;
            break;
        }
    }
    *nw = n;
    return 0;
}

/* Completes the weights with the implied last one and fills the table. */
static int build_huf_table(struct zstd_dctx *d, uint8_t *w, unsigned int n)
{
    struct huf_table *h = &d->huf;
    uint32_t total = 0;

    bool has_one = false;

    for (unsigned int s = 0; s < n; s++) {
        if (w[s] > ZSTD_HUF_MAX_BITS)
            return zstd_fail(d, -EINVAL,
                             "zstd: Huffman weights: weight too large");
        if (w[s])
            total += 1u << (w[s] - 1);
        has_one |= w[s] == 1;
    }
    /* The implied weight makes a second symbol: one given is enough. */
    if (!total)
        return zstd_fail(d, -EINVAL, "zstd: Huffman weights: all zero");
    unsigned int max_bits = zbits_highbit(total) + 1;
    if (max_bits > ZSTD_HUF_MAX_BITS)
        return zstd_fail(d, -EINVAL, "zstd: Huffman weights: codes too long");
    /* The last weight brings the total to a power of two; it must be one. */
    uint32_t rest = (1u << max_bits) - total;
    if (rest & (rest - 1))
        return zstd_fail(d, -EINVAL,
                         "zstd: Huffman weights: no valid last weight");
    w[n++] = (uint8_t)(zbits_highbit(rest) + 1);
    /* The least frequent symbol has weight 1, or the tree is wasteful. */
    if (!has_one && w[n - 1] != 1)
        return zstd_fail(d, -EINVAL, "zstd: Huffman weights: none of weight 1");

    uint32_t pos = 0;
    for (unsigned int weight = 1; weight <= max_bits; weight++) {
        for (unsigned int s = 0; s < n; s++) {
            if (w[s] != weight)
                continue;
            uint32_t cells = 1u << (weight - 1);
            for (uint32_t i = 0; i < cells; i++) {
                h->cell[pos + i].symbol = (uint8_t)s;
                h->cell[pos + i].nb_bits = (uint8_t)(max_bits + 1 - weight);
            }
            pos += cells;
        }
    }
    /* The weights summed to 2^max_bits, so every cell is set. */
    h->max_bits = max_bits;
    h->valid = true;
    return 0;
}

int huf_read_table(struct zstd_dctx *d, const uint8_t *in, size_t len,
                   size_t *used)
{
    uint8_t w[ZSTD_HUF_MAX_SYMS];
    unsigned int n = 0;
    int rc;

    d->huf.valid = false;
    if (!len)
        return zstd_fail(d, -EINVAL, "zstd: Huffman tree description: missing");
    uint8_t header = in[0];
    if (header >= 128) {
        /* Direct: header - 127 weights, 4 bits each, high nibble first. */
        n = header - 127u;
        size_t bytes = (n + 1) / 2;
        if (bytes > len - 1)
            return zstd_fail(d, -EINVAL,
                             "zstd: Huffman tree description: "
                             "truncated");
        for (unsigned int i = 0; i < n; i++) {
            uint8_t byte = in[1 + i / 2];
            w[i] = (i & 1) ? byte & 15 : byte >> 4;
        }
        *used = 1 + bytes;
    } else {
        /* FSE-compressed: header is the compressed size. */
        if (!header || header > len - 1)
            return zstd_fail(d, -EINVAL,
                             "zstd: Huffman tree description: "
                             "truncated");
        rc = read_fse_weights(d, in + 1, header, w, &n);
        if (rc)
            return rc;
        *used = 1 + (size_t)header;
    }
    return build_huf_table(d, w, n);
}

int huf_decode_stream(struct zstd_dctx *d, const uint8_t *in, size_t len,
                      uint8_t *out, size_t n)
{
    const struct huf_table *h = &d->huf;
    unsigned int max_bits = h->max_bits;
    struct zback b;

    if (zback_init(&b, in, len))
        return zstd_fail(d, -EINVAL, "zstd: Huffman stream: no end marker");
    for (size_t i = 0; i < n; i++) {
        const struct huf_cell *c = &h->cell[zback_peek(&b, max_bits)];
        out[i] = c->symbol;
        zback_skip(&b, c->nb_bits);
    }
    /* A stream holds exactly its symbols: leftover or missing bits lie. */
    if (!zback_done(&b))
        return zstd_fail(d, -EINVAL,
                         "zstd: Huffman stream: length does not match "
                         "its symbols");
    return 0;
}
