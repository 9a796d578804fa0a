/*
 * The Sequences_Section of a compressed block, RFC 8878 sections 3.1.1.3.2
 * to 3.1.1.5: three FSE-coded streams of codes (literal length, offset,
 * match length) interleaved in one backward bitstream, and their execution:
 * copy so many literals, then copy a match from so far back.
 *
 * Execution writes straight into the caller's buffer, which holds the whole
 * frame, so a match may reach back to the frame's first byte. Every length
 * is checked against the literals left, the block limit and the buffer;
 * every offset against the bytes this frame has produced.
 */
#include <veneer/lib.h>

#include "zstd_bits.h"
#include "zstd_internal.h"

enum {
    MODE_PREDEFINED = 0,
    MODE_RLE = 1,
    MODE_FSE = 2,
    MODE_REPEAT = 3,
};

/* Literal length codes: baseline and extra bits (3.1.1.3.2.1.1). */
static const uint32_t ll_base[ZSTD_LL_MAX_SYM + 1] = {
    0,  1,  2,   3,   4,   5,    6,    7,    8,    9,     10,    11,
    12, 13, 14,  15,  16,  18,   20,   22,   24,   28,    32,    40,
    48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
};
static const uint8_t ll_bits[ZSTD_LL_MAX_SYM + 1] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0,  0,  0,  0,  1,  1,
    1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

/* Match length codes (3.1.1.3.2.1.1). */
static const uint32_t ml_base[ZSTD_ML_MAX_SYM + 1] = {
    3,  4,   5,   6,   7,    8,    9,    10,   11,    12,    13,    14, 15, 16,
    17, 18,  19,  20,  21,   22,   23,   24,   25,    26,    27,    28, 29, 30,
    31, 32,  33,  34,  35,   37,   39,   41,   43,    47,    51,    59, 67, 83,
    99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
};
static const uint8_t ml_bits[ZSTD_ML_MAX_SYM + 1] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0,  0,  0,  0,  0,  0,  0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0,  0,  0,  1,  1,  1,  1,
    2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

/* The predefined distributions (3.1.1.3.2.2). */
static const int16_t ll_default[ZSTD_LL_MAX_SYM + 1] = {
    4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1,  1,  2,  2,
    2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1,
};
static const int16_t ml_default[ZSTD_ML_MAX_SYM + 1] = {
    1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1,  1,  1,  1,  1,  1,  1,  1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1,  1,  1,  1,  1,  1,  1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
};
static const int16_t of_default[29] = {
    1, 1, 1, 1, 1, 1, 2, 2, 2, 1,  1,  1,  1,  1,  1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
};

struct seq_kind {
    const char *bad_rle; /* the error for an RLE symbol out of range */
    unsigned int max_log, max_sym;
    const int16_t *def;
    unsigned int def_syms, def_log;
};

static const struct seq_kind ll_kind = {
    "zstd: sequences: RLE literal length code out of range",
    ZSTD_LL_MAX_LOG,
    ZSTD_LL_MAX_SYM,
    ll_default,
    ZSTD_LL_MAX_SYM + 1,
    6,
};
static const struct seq_kind of_kind = {
    "zstd: sequences: RLE offset code out of range",
    ZSTD_OF_MAX_LOG,
    ZSTD_OF_MAX_SYM,
    of_default,
    29,
    5,
};
static const struct seq_kind ml_kind = {
    "zstd: sequences: RLE match length code out of range",
    ZSTD_ML_MAX_LOG,
    ZSTD_ML_MAX_SYM,
    ml_default,
    ZSTD_ML_MAX_SYM + 1,
    6,
};

/* Sets up one code's table for this block as its mode says (3.1.1.3.2.1). */
static int seq_table(struct zstd_dctx *d, struct fse_table *t,
                     const struct seq_kind *k, unsigned int mode,
                     const uint8_t *in, size_t len, size_t *used)
{
    *used = 0;
    switch (mode) {
    case MODE_PREDEFINED:
        return fse_build_table(d, t, k->def, k->def_syms, k->def_log);
    case MODE_RLE:
        if (!len)
            return zstd_fail(d, -EINVAL, "zstd: sequences: RLE symbol missing");
        if (in[0] > k->max_sym)
            return zstd_fail(d, -EINVAL, k->bad_rle);
        fse_build_rle(t, in[0]);
        *used = 1;
        return 0;
    case MODE_FSE:
        return fse_read_table(d, t, in, len, k->max_log, k->max_sym, used);
    default:
        if (!t->valid)
            return zstd_fail(d, -EINVAL,
                             "zstd: sequences: repeat mode without a "
                             "previous table");
        return 0;
    }
}

/*
 * Turns an Offset_Value into an offset, keeping the three repeat offsets
 * current (3.1.1.5). Values 1-3 name a repeat offset; with no literals
 * before the match they shift by one, and the last means Repeat1 - 1.
 */
static uint64_t resolve_offset(uint64_t *rep, uint64_t value, size_t ll)
{
    uint64_t off;

    if (value > 3) {
        off = value - 3;
    } else {
        unsigned int idx = (unsigned int)value - 1 + (ll == 0);
        if (idx == 0)
            return rep[0];
        off = idx == 3 ? rep[0] - 1 : rep[idx];
        if (idx == 1) {
            rep[1] = rep[0];
            rep[0] = off;
            return off;
        }
    }
    rep[2] = rep[1];
    rep[1] = rep[0];
    rep[0] = off;
    return off;
}

/* Appends n bytes of the block's literals to the output. */
static int copy_literals(struct zstd_dctx *d, size_t n)
{
    zstd_copy(d->out + d->pos, d->lit, n);
    d->lit += n;
    d->lit_len -= n;
    d->pos += n;
    return 0;
}

/* Checks that ll literals then a match of ml bytes fit, then does them. */
static int execute(struct zstd_dctx *d, size_t block_start, size_t ll,
                   size_t ml, uint64_t off)
{
    if (ll > d->lit_len)
        return zstd_fail(d, -EINVAL,
                         "zstd: sequences: more literals than the "
                         "block has");
    if (ll + ml > d->block_max - (d->pos - block_start))
        return zstd_fail(d, -EINVAL,
                         "zstd: sequences: block larger than "
                         "Block_Maximum_Size");
    if (ll + ml > d->out_cap - d->pos)
        return zstd_fail(d, -ENOSPC, "zstd: output buffer too small");
    copy_literals(d, ll);
    if (!off || off > d->pos - d->frame_start)
        return zstd_fail(d, -EINVAL,
                         "zstd: sequences: offset before the frame's "
                         "first byte");
    if (off > d->window_size)
        return zstd_fail(d, -EINVAL,
                         "zstd: sequences: offset larger than the "
                         "window");

    /*
     * The match may overlap its source (off < ml): copy in rounds whose
     * source stays behind the destination, doubling as the period repeats.
     */
    uint8_t *dst = d->out + d->pos;
    const uint8_t *src = dst - off;
    size_t done = 0;
    while (done < ml) {
        size_t n = done + (size_t)off;
        if (n > ml - done)
            n = ml - done;
        zstd_copy(dst + done, src, n);
        done += n;
    }
    d->pos += ml;
    return 0;
}

int zstd_execute_sequences(struct zstd_dctx *d, const uint8_t *in, size_t len)
{
    size_t block_start = d->pos;
    size_t nseq, h, used;
    int rc;

    if (!len)
        return zstd_fail(d, -EINVAL, "zstd: sequences: header missing");
    if (in[0] < 128) {
        nseq = in[0];
        h = 1;
    } else if (in[0] < 255) {
        if (len < 2)
            return zstd_fail(d, -EINVAL, "zstd: sequences: header truncated");
        nseq = ((size_t)(in[0] - 128) << 8) + in[1];
        h = 2;
    } else {
        if (len < 3)
            return zstd_fail(d, -EINVAL, "zstd: sequences: header truncated");
        nseq = in[1] + ((size_t)in[2] << 8) + 0x7F00;
        h = 3;
    }

    if (!nseq) {
        /* Literals only; nothing may follow the header. */
        if (h != len)
            return zstd_fail(d, -EINVAL,
                             "zstd: sequences: bytes after an empty "
                             "section");
        goto last_literals;
    }

    if (h >= len)
        return zstd_fail(d, -EINVAL,
                         "zstd: sequences: compression modes missing");
    uint8_t modes = in[h++];
    if (modes & 3)
        return zstd_fail(d, -EINVAL, "zstd: sequences: reserved mode bits set");
    rc = seq_table(d, &d->ll, &ll_kind, modes >> 6, in + h, len - h, &used);
    if (rc)
        return rc;
    h += used;
    rc = seq_table(d, &d->of, &of_kind, (modes >> 4) & 3, in + h, len - h,
                   &used);
    if (rc)
        return rc;
    h += used;
    rc = seq_table(d, &d->ml, &ml_kind, (modes >> 2) & 3, in + h, len - h,
                   &used);
    if (rc)
        return rc;
    h += used;

    struct zback b;
    if (h >= len || zback_init(&b, in + h, len - h))
        return zstd_fail(d, -EINVAL,
                         "zstd: sequences: bitstream missing or without "
                         "end marker");

    /* States start in the order LL, OF, ML (3.1.1.3.2.2). */
    const struct fse_table *tll = &d->ll, *tof = &d->of, *tml = &d->ml;
    uint32_t sll = (uint32_t)zback_read(&b, tll->log);
    uint32_t sof = (uint32_t)zback_read(&b, tof->log);
    uint32_t sml = (uint32_t)zback_read(&b, tml->log);

    for (size_t i = 0; i < nseq; i++) {
        const struct fse_cell *cll = &tll->cell[sll];
        const struct fse_cell *cof = &tof->cell[sof];
        const struct fse_cell *cml = &tml->cell[sml];

        /* Extra bits: offset, then match length, then literal length. */
        unsigned int of_code = cof->symbol;
        uint64_t of_value = (1ULL << of_code) + zback_read(&b, of_code);
        size_t ml = ml_base[cml->symbol] + zback_read(&b, ml_bits[cml->symbol]);
        size_t ll = ll_base[cll->symbol] + zback_read(&b, ll_bits[cll->symbol]);

        /* Then the states move on, LL, ML, OF; not after the last. */
        if (i + 1 < nseq) {
            sll = cll->baseline + (uint32_t)zback_read(&b, cll->nb_bits);
            sml = cml->baseline + (uint32_t)zback_read(&b, cml->nb_bits);
            sof = cof->baseline + (uint32_t)zback_read(&b, cof->nb_bits);
        }
        if (zback_overrun(&b))
            return zstd_fail(d, -EINVAL,
                             "zstd: sequences: bitstream truncated");

        uint64_t off = resolve_offset(d->rep, of_value, ll);
        rc = execute(d, block_start, ll, ml, off);
        if (rc)
            return rc;
    }
    if (!zback_done(&b))
        return zstd_fail(d, -EINVAL,
                         "zstd: sequences: bitstream longer than its "
                         "sequences");

last_literals:
    if (d->lit_len > d->block_max - (d->pos - block_start))
        return zstd_fail(d, -EINVAL,
                         "zstd: sequences: block larger than "
                         "Block_Maximum_Size");
    if (d->lit_len > d->out_cap - d->pos)
        return zstd_fail(d, -ENOSPC, "zstd: output buffer too small");
    return copy_literals(d, d->lit_len);
}
