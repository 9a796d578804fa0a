/*
 * The LZMA decoder proper: a binary range decoder driven by adaptive
 * probabilities, and the literal / match / repeated-match grammar on top of
 * it, as LZMA2 chunks use it (no end marker, sizes known in advance).
 *
 * The range decoder keeps code < range at all times (a fresh decoder
 * refuses code == 0xffffffff, and every step preserves it), so garbage
 * input gives garbage symbols, never undefined arithmetic. Input is read
 * only inside the chunk: past its end the decoder feeds zeros and raises
 * `overrun`, which the symbol loop checks once per symbol (a symbol reads
 * a bounded number of bytes), so a short chunk ends the loop promptly.
 *
 * Every distance is checked against the history since the last dictionary
 * reset, and every match against the chunk's end, before a byte is
 * copied: the decoder never touches memory outside dict[0, end).
 */
#include <veneer/errno.h>
#include <veneer/lib.h>

#include "xz_internal.h"

#define PROB_BITS   11 /* probabilities are 11-bit fractions of one */
#define PROB_ONE    (1u << PROB_BITS)
#define PROB_SHIFT  5 /* adaptation speed */
#define RC_TOP      (1u << 24)
#define END_MARKER  0xffffffffu
#define MIN_MATCH   2
#define LIT_STATES  7 /* states below this follow a literal */
#define END_OF_INIT 5 /* a zero byte, then the 32-bit code */

struct rc {
    uint32_t range, code;
    const uint8_t *in, *end;
    bool overrun;
};

static inline void rc_normalize(struct rc *rc)
{
    if (rc->range < RC_TOP) {
        rc->range <<= 8;
        rc->code <<= 8;
        if (rc->in < rc->end)
            rc->code |= *rc->in++;
        else
            rc->overrun = true;
    }
}

/* One bit under probability *p (of a 0), which then adapts. */
static inline unsigned int rc_bit(struct rc *rc, uint16_t *p)
{
    uint32_t bound = (rc->range >> PROB_BITS) * *p;
    unsigned int bit;

    if (rc->code < bound) {
        rc->range = bound;
        *p += (PROB_ONE - *p) >> PROB_SHIFT;
        bit = 0;
    } else {
        rc->range -= bound;
        rc->code -= bound;
        *p -= *p >> PROB_SHIFT;
        bit = 1;
    }
    rc_normalize(rc);
    return bit;
}

/* n bits at probability one half, most significant first. */
static inline uint32_t rc_direct(struct rc *rc, unsigned int n)
{
    uint32_t v = 0;

    while (n--) {
        uint32_t bit;

        rc->range >>= 1;
        bit = rc->code >= rc->range;
        if (bit)
            rc->code -= rc->range;
        v = (v << 1) | bit;
        rc_normalize(rc);
    }
    return v;
}

/* A bits-bit number through a tree of probabilities, most significant
 * bit first: node m's children are 2m and 2m+1, the root is 1. */
static inline unsigned int rc_tree(struct rc *rc, uint16_t *probs,
                                   unsigned int bits)
{
    unsigned int m = 1;

    for (unsigned int i = 0; i < bits; i++)
        m = (m << 1) | rc_bit(rc, &probs[m]);
    return m - (1u << bits);
}

/* The same tree walked from the least significant bit. */
static inline unsigned int rc_tree_reverse(struct rc *rc, uint16_t *probs,
                                           unsigned int bits)
{
    unsigned int m = 1, v = 0;

    for (unsigned int i = 0; i < bits; i++) {
        unsigned int bit = rc_bit(rc, &probs[m]);
        m = (m << 1) | bit;
        v |= bit << i;
    }
    return v;
}

static void probs_init(uint16_t *p, size_t n)
{
    while (n--)
        *p++ = PROB_ONE / 2;
}

void lzma_reset(struct lzma_dec *d, struct lzma_props props)
{
    /* Every table from is_match to the end of the literal coders is a
     * uint16_t array; only the literal coders in use need setting. */
    size_t literals = (size_t)LZMA_LITERAL_SIZE << (props.lc + props.lp);
    size_t head =
        (size_t)((char *)d->literal - (char *)d->is_match) / sizeof(uint16_t);

    d->props = props;
    d->state = 0;
    d->rep[0] = d->rep[1] = d->rep[2] = d->rep[3] = 0;
    probs_init(&d->is_match[0][0], head + literals);
}

/* A match length minus MIN_MATCH: 0-7, 8-15 or 16-271. */
static inline unsigned int decode_len(struct rc *rc, struct lzma_len_probs *l,
                                      unsigned int pos_state)
{
    if (!rc_bit(rc, &l->choice))
        return rc_tree(rc, l->low[pos_state], 3);
    if (!rc_bit(rc, &l->choice2))
        return 8 + rc_tree(rc, l->mid[pos_state], 3);
    return 16 + rc_tree(rc, l->high, 8);
}

/* A match distance minus one. The 6-bit slot gives the top two bits and
 * the number of bits below them; the low bits come from reverse trees
 * (small slots), or from direct bits plus a 4-bit aligned tree. */
static inline uint32_t decode_dist(struct rc *rc, struct lzma_dec *d,
                                   unsigned int len)
{
    unsigned int slot = rc_tree(
        rc, d->dist_slot[MIN(len, (unsigned int)LZMA_DIST_STATES - 1)], 6);
    unsigned int bits;
    uint32_t dist;

    if (slot < 4)
        return slot;
    bits = (slot >> 1) - 1;
    dist = (2u | (slot & 1)) << bits;
    if (slot < LZMA_DIST_MODELED)
        return dist + rc_tree_reverse(rc, d->dist_special + dist - slot, bits);
    dist += rc_direct(rc, bits - LZMA_ALIGN_BITS) << LZMA_ALIGN_BITS;
    return dist + rc_tree_reverse(rc, d->dist_align, LZMA_ALIGN_BITS);
}

static inline unsigned int next_state_literal(unsigned int s)
{
    return s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
}

static inline unsigned int decode_literal(struct rc *rc, struct lzma_dec *d,
                                          const uint8_t *dict, size_t pos,
                                          unsigned int state, uint32_t rep0)
{
    unsigned int lc = d->props.lc;
    unsigned int prev = pos ? dict[pos - 1] : 0;
    size_t ctx = ((pos & ((1u << d->props.lp) - 1)) << lc) + (prev >> (8 - lc));
    uint16_t *probs = d->literal + LZMA_LITERAL_SIZE * ctx;
    unsigned int sym = 1;

    if (state >= LIT_STATES) {
        /* After a match, the byte at the last distance steers the
         * probabilities while the decoded bits agree with it. The caller
         * checked that rep0 < pos. */
        unsigned int match = dict[pos - rep0 - 1];

        do {
            unsigned int match_bit = (match >> 7) & 1;
            unsigned int bit;

            match <<= 1;
            bit = rc_bit(rc, &probs[0x100 + (match_bit << 8) + sym]);
            sym = (sym << 1) | bit;
            if (bit != match_bit)
                break;
        } while (sym < 0x100);
    }
    while (sym < 0x100)
        sym = (sym << 1) | rc_bit(rc, &probs[sym]);
    return sym & 0xff;
}

int lzma_decode_chunk(struct lzma_dec *d, const uint8_t *in, size_t in_len,
                      uint8_t *dict, size_t pos, size_t end, const char **why)
{
    struct rc rc;
    unsigned int pb_mask = (1u << d->props.pb) - 1;
    unsigned int state = d->state;
    uint32_t rep0 = d->rep[0], rep1 = d->rep[1], rep2 = d->rep[2],
             rep3 = d->rep[3];

    if (in_len < END_OF_INIT || in[0] != 0) {
        *why = "lzma: a chunk does not start like range-coded data";
        return -EINVAL;
    }
    rc.code = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 |
              (uint32_t)in[3] << 8 | in[4];
    rc.range = 0xffffffffu;
    rc.in = in + END_OF_INIT;
    rc.end = in + in_len;
    rc.overrun = false;
    if (rc.code == rc.range) {
        *why = "lzma: a chunk's range coder starts out of range";
        return -EINVAL;
    }

    while (pos < end && !rc.overrun) {
        unsigned int pos_state = pos & pb_mask;
        unsigned int len;

        if (!rc_bit(&rc, &d->is_match[state][pos_state])) {
            if (state >= LIT_STATES && rep0 >= pos)
                goto bad_distance;
            dict[pos] = (uint8_t)decode_literal(&rc, d, dict, pos, state, rep0);
            pos++;
            state = next_state_literal(state);
            continue;
        }
        if (!rc_bit(&rc, &d->is_rep[state])) {
            /* A match with a new distance. */
            len = decode_len(&rc, &d->match_len, pos_state);
            state = state < LIT_STATES ? 7 : 10;
            uint32_t dist = decode_dist(&rc, d, len);
            if (dist == END_MARKER) {
                *why = "lzma: an end marker inside an LZMA2 chunk";
                return -EINVAL;
            }
            rep3 = rep2;
            rep2 = rep1;
            rep1 = rep0;
            rep0 = dist;
        } else {
            /* A match at one of the last four distances. */
            if (!rc_bit(&rc, &d->is_rep0[state])) {
                if (!rc_bit(&rc, &d->is_rep0_long[state][pos_state])) {
                    /* "Short rep": one byte from distance rep0. */
                    state = state < LIT_STATES ? 9 : 11;
                    if (rep0 >= pos)
                        goto bad_distance;
                    dict[pos] = dict[pos - rep0 - 1];
                    pos++;
                    continue;
                }
            } else {
                uint32_t dist;

                if (!rc_bit(&rc, &d->is_rep1[state])) {
                    dist = rep1;
                } else {
                    if (!rc_bit(&rc, &d->is_rep2[state])) {
                        dist = rep2;
                    } else {
                        dist = rep3;
                        rep3 = rep2;
                    }
                    rep2 = rep1;
                }
                rep1 = rep0;
                rep0 = dist;
            }
            len = decode_len(&rc, &d->rep_len, pos_state);
            state = state < LIT_STATES ? 8 : 11;
        }

        len += MIN_MATCH;
        if (rep0 >= pos)
            goto bad_distance;
        if (len > end - pos) {
            *why = "lzma: a match runs past the end of its chunk";
            return -EINVAL;
        }
        uint8_t *dst = dict + pos;
        const uint8_t *src = dst - rep0 - 1;
        pos += len;
        if (rep0 + 1 >= len) {
            memcpy(dst, src, len);
        } else {
            /* Overlapping: the copy repeats the last rep0+1 bytes. */
            while (len--)
                *dst++ = *src++;
        }
    }

    d->state = state;
    d->rep[0] = rep0;
    d->rep[1] = rep1;
    d->rep[2] = rep2;
    d->rep[3] = rep3;
    if (rc.overrun) {
        *why = "lzma: a chunk's compressed data ends too early";
        return -EINVAL;
    }
    if (rc.in != rc.end) {
        *why = "lzma: a chunk has compressed data left over";
        return -EINVAL;
    }
    if (rc.code != 0) {
        *why = "lzma: a chunk's range coder does not end cleanly";
        return -EINVAL;
    }
    return 0;

bad_distance:
    *why = "lzma: a match distance reaches before the dictionary";
    return -EINVAL;
}
