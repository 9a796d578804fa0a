/*
 * FSE (finite state entropy) tables for zstd, RFC 8878 section 4.1: reading
 * a table description, and building the decoding table that the Huffman
 * weights and the three sequence codes use.
 *
 * A decoding table has 2^log cells; cell n says which symbol state n emits
 * and how to form the next state: baseline + the next nb_bits bits. The
 * symbols are spread over the cells in the fixed order the RFC gives, so
 * encoder and decoder agree on every cell without sending it.
 */
#include "zstd_bits.h"
#include "zstd_internal.h"

#define FSE_MAX_SYMS 64 /* larger than every alphabet (ML: 53 codes) */

int fse_read_table(struct zstd_dctx *d, struct fse_table *t, const uint8_t *in,
                   size_t len, unsigned int max_log, unsigned int max_sym,
                   size_t *used)
{
    int16_t norm[FSE_MAX_SYMS];
    unsigned int nsym = 0, present = 0;
    struct zfwd b;

    if (!len)
        return zstd_fail(d, -EINVAL, "zstd: FSE table description: missing");
    zfwd_init(&b, in, len);
    unsigned int log = (unsigned int)zfwd_read(&b, 4) + 5;
    if (log > max_log)
        return zstd_fail(d, -EINVAL,
                         "zstd: FSE table description: accuracy log "
                         "too large");

    /*
     * Each symbol's probability is sent as value + 1 in as few bits as the
     * remaining total allows (4.1.1): while "remaining" (sum still to be
     * given, plus one) is below 2 * threshold, values fit in nb bits, and
     * the small ones in nb - 1.
     */
    int32_t remaining = (1 << log) + 1;
    int32_t threshold = 1 << log;
    unsigned int nb = log + 1;
    while (remaining > 1) {
        if (nsym > max_sym)
            return zstd_fail(d, -EINVAL,
                             "zstd: FSE table description: too many "
                             "symbols");
        int32_t max = 2 * threshold - 1 - remaining;
        int32_t v = (int32_t)zfwd_peek(&b, nb);
        int32_t count;
        if ((v & (threshold - 1)) < max) {
            count = v & (threshold - 1);
            b.pos += nb - 1;
        } else {
            count = v & (2 * threshold - 1);
            if (count >= threshold)
                count -= max;
            b.pos += nb;
        }
        count--; /* -1: "less than 1", one cell at the table's top */
        norm[nsym++] = (int16_t)count;
        present += count != 0;
        remaining -= count < 0 ? -count : count;

        /* A zero is followed by 2-bit counts of further zeros (3: more). */
        if (count == 0) {
            unsigned int rep;
            do {
                rep = (unsigned int)zfwd_read(&b, 2);
                if (nsym + rep > max_sym + 1)
                    return zstd_fail(d, -EINVAL,
                                     "zstd: FSE table description: "
                                     "zeros past the alphabet");
                for (unsigned int i = 0; i < rep; i++)
                    norm[nsym++] = 0;
            } while (rep == 3 && !zfwd_overrun(&b));
        }
        if (zfwd_overrun(&b))
            return zstd_fail(d, -EINVAL,
                             "zstd: FSE table description: truncated");
        while (remaining < threshold) {
            nb--;
            threshold >>= 1;
        }
    }
    if (remaining != 1)
        return zstd_fail(d, -EINVAL,
                         "zstd: FSE table description: probabilities "
                         "do not fill the table");
    /* One symbol alone is what RLE mode is for (RFC 8878 4.1.1). */
    if (present < 2)
        return zstd_fail(d, -EINVAL,
                         "zstd: FSE table description: fewer than two symbols");
    *used = zfwd_bytes(&b);
    return fse_build_table(d, t, norm, nsym, log);
}

int fse_build_table(struct zstd_dctx *d, struct fse_table *t,
                    const int16_t *norm, unsigned int nsym, unsigned int log)
{
    uint32_t size = 1u << log;
    uint32_t mask = size - 1;
    uint32_t step = (size >> 1) + (size >> 3) + 3;
    int32_t high = (int32_t)size - 1; /* cells above are "less than 1" */
    uint16_t next[FSE_MAX_SYMS];
    uint32_t pos = 0;

    t->valid = false;
    if (log > ZSTD_FSE_MAX_LOG || nsym > FSE_MAX_SYMS)
        return zstd_fail(d, -EINVAL, "zstd: FSE table: too large");

    /* "Less than 1" symbols take one cell each, from the top down. */
    for (unsigned int s = 0; s < nsym; s++) {
        if (norm[s] == -1) {
            if (high < 0)
                return zstd_fail(d, -EINVAL, "zstd: FSE table: overfull");
            t->cell[high--].symbol = (uint8_t)s;
            next[s] = 1;
        } else {
            next[s] = (uint16_t)norm[s];
        }
    }

    /* The others are spread with a fixed step, skipping the top cells. */
    for (unsigned int s = 0; s < nsym; s++) {
        for (int i = 0; i < norm[s]; i++) {
            t->cell[pos].symbol = (uint8_t)s;
            do {
                pos = (pos + step) & mask;
            } while ((int32_t)pos > high);
        }
    }
    /* The step is odd, so a full table comes back exactly to cell 0. */
    if (pos != 0)
        return zstd_fail(d, -EINVAL,
                         "zstd: FSE table: probabilities do not fill "
                         "the table");

    /*
     * A symbol with p cells owns states in the order it appears; the k-th
     * cell (counting from p) reads enough bits to cover its share of the
     * 2^log next states.
     */
    for (uint32_t u = 0; u < size; u++) {
        uint8_t s = t->cell[u].symbol;
        if (s >= nsym || !next[s])
            return zstd_fail(d, -EINVAL,
                             "zstd: FSE table: a cell without symbol");
        uint32_t x = next[s]++;
        unsigned int nb = log - zbits_highbit(x);
        t->cell[u].nb_bits = (uint8_t)nb;
        t->cell[u].baseline = (uint16_t)((x << nb) - size);
    }
    t->log = log;
    t->valid = true;
    return 0;
}

void fse_build_rle(struct fse_table *t, uint8_t symbol)
{
    t->log = 0;
    t->cell[0].symbol = symbol;
    t->cell[0].nb_bits = 0;
    t->cell[0].baseline = 0;
    t->valid = true;
}
