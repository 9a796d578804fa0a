/*
 * The layers of the .xz decoder, innermost first (read them in this order):
 *   lzma_decode.c  the LZMA symbol decoder with its range decoder: one
 *                  LZMA2 chunk of compressed bytes into the dictionary;
 *   lzma2.c        LZMA2 chunks: control bytes, resets, uncompressed
 *                  chunks, sizes, the properties byte;
 *   bcj_x86.c      the x86 branch converter (filter 0x04), undone in place
 *                  after LZMA2 produced a block;
 *   xz_stream.c    the container: stream header and footer, block headers,
 *                  checks, the index.
 * Everything works on buffers that are wholly in memory; every length is
 * checked before a byte is read or written.
 */
#ifndef VENEER_XZ_INTERNAL_H
#define VENEER_XZ_INTERNAL_H

#include <veneer/types.h>

/* LZMA's probability model, as LZMA2 uses it (lc + lp <= 4). */
#define LZMA_STATES       12
#define LZMA_POS_STATES   16 /* 1 << pb, pb <= 4 */
#define LZMA_LITERAL_SIZE 0x300
#define LZMA_LCLP_MAX     4
#define LZMA_DIST_STATES  4  /* distance slot trees, by match length */
#define LZMA_DIST_MODELED 14 /* slots below this code their low bits */
#define LZMA_ALIGN_BITS   4

struct lzma_props {
    unsigned int lc, lp, pb;
};

struct lzma_len_probs {
    uint16_t choice, choice2;
    uint16_t low[LZMA_POS_STATES][8], mid[LZMA_POS_STATES][8];
    uint16_t high[256];
};

struct lzma_dec {
    struct lzma_props props;
    unsigned int state;
    uint32_t rep[4]; /* the last four distances, minus one */
    uint16_t is_match[LZMA_STATES][LZMA_POS_STATES];
    uint16_t is_rep[LZMA_STATES], is_rep0[LZMA_STATES];
    uint16_t is_rep1[LZMA_STATES], is_rep2[LZMA_STATES];
    uint16_t is_rep0_long[LZMA_STATES][LZMA_POS_STATES];
    uint16_t dist_slot[LZMA_DIST_STATES][64];
    /* Reverse bit trees of slots 4..13, packed as LZMA lays them out:
     * slot s uses entries (base(s) - s) + 1 ... */
    uint16_t
        dist_special[1 + (1 << (LZMA_DIST_MODELED / 2)) - LZMA_DIST_MODELED];
    uint16_t dist_align[1 << LZMA_ALIGN_BITS];
    struct lzma_len_probs match_len, rep_len;
    uint16_t literal[LZMA_LITERAL_SIZE << LZMA_LCLP_MAX];
};

/* A state reset: every probability to one half, state and distances 0. */
void lzma_reset(struct lzma_dec *d, struct lzma_props props);

/*
 * Decodes one LZMA2 chunk: exactly in_len compressed bytes must produce
 * exactly dict[pos, end), where dict[0, pos) is the history since the last
 * dictionary reset. Returns 0 or -EINVAL with *why.
 */
int lzma_decode_chunk(struct lzma_dec *d, const uint8_t *in, size_t in_len,
                      uint8_t *dict, size_t pos, size_t end, const char **why);

/*
 * Decodes one LZMA2 stream (a block's compressed data) from in[0, in_len)
 * into out[0, out_cap): *in_used and *out_len say how much each it took.
 * Returns 0, -EINVAL (corrupt) or -ENOSPC (out_cap too small), with *why.
 */
int lzma2_decode(const uint8_t *in, size_t in_len, size_t *in_used,
                 uint8_t *out, size_t out_cap, size_t *out_len,
                 const char **why);

/* Undoes the x86 BCJ filter on a whole block, in place. start is the
 * filter's start offset (its properties; 0 by default). */
void bcj_x86_decode(uint8_t *buf, size_t len, uint32_t start);

#endif
