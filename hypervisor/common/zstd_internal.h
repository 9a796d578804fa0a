/*
 * What the zstd decoder's files share (RFC 8878 section numbers in the
 * comments). One decoder context holds everything a frame needs besides
 * its input and output: the entropy tables that later blocks may repeat,
 * the repeat offsets and the current block's literals.
 *
 *   zstd_frame.c      frames, frame headers, blocks, checksum: the entry
 *   zstd_literals.c   the Literals_Section of a compressed block
 *   zstd_huffman.c    Huffman tree descriptions, tables and streams
 *   zstd_fse.c        FSE table descriptions and decoding tables
 *   zstd_sequences.c  the Sequences_Section: decode and execute
 *   zstd_bits.h       the forward and backward bit readers
 */
#ifndef VENEER_ZSTD_INTERNAL_H
#define VENEER_ZSTD_INTERNAL_H

#include <veneer/errno.h>
#include <veneer/types.h>

#define ZSTD_BLOCK_MAX (128 * 1024) /* Block_Maximum_Size's ceiling */

/* FSE accuracy limits (4.1.1) and the largest symbol of each alphabet. */
#define ZSTD_LL_MAX_LOG   9
#define ZSTD_ML_MAX_LOG   9
#define ZSTD_OF_MAX_LOG   8
#define ZSTD_HUFW_MAX_LOG 6 /* the FSE table of Huffman weights (4.2.1.2) */
#define ZSTD_FSE_MAX_LOG  9
#define ZSTD_LL_MAX_SYM   35
#define ZSTD_ML_MAX_SYM   52
#define ZSTD_OF_MAX_SYM   31
#define ZSTD_HUFW_MAX_SYM 11

#define ZSTD_HUF_MAX_BITS 11 /* Max_Number_of_Bits (4.2.1) */
#define ZSTD_HUF_MAX_SYMS 256

/*
 * One FSE decoding state: which symbol it emits, and how the next state is
 * formed (baseline + nb_bits read from the stream).
 */
struct fse_cell {
    uint16_t baseline;
    uint8_t symbol;
    uint8_t nb_bits;
};

struct fse_table {
    bool valid; /* set once built; "Repeat" mode needs a previous table */
    unsigned int log;
    struct fse_cell cell[1 << ZSTD_FSE_MAX_LOG];
};

/* Indexed by the next Max_Number_of_Bits bits of a Huffman stream. */
struct huf_cell {
    uint8_t symbol;
    uint8_t nb_bits;
};

struct huf_table {
    bool valid; /* "Treeless" literals need a previous table */
    unsigned int max_bits;
    struct huf_cell cell[1 << ZSTD_HUF_MAX_BITS];
};

struct zstd_dctx {
    const char *why; /* set with the error */

    /* The output and where the current frame's content starts in it. */
    uint8_t *out;
    size_t out_cap;
    size_t pos;
    size_t frame_start;
    uint64_t window_size;
    size_t block_max; /* Block_Maximum_Size: min(window, 128 KiB) */

    uint64_t rep[3]; /* Repeated_Offset1..3 (3.1.1.5) */
    struct huf_table huf;
    struct fse_table ll, of, ml;
    struct fse_table scratch; /* the Huffman weights' table */

    /* The current block's literals: into lit_buf, or the input (raw). */
    const uint8_t *lit;
    size_t lit_len;
    uint8_t lit_buf[ZSTD_BLOCK_MAX];
};

/*
 * Copies n bytes, 8 at a time: the hypervisor's memcpy goes byte by byte
 * and most of a kernel's bytes pass through here. The ranges must not
 * overlap: matches are copied in rounds that do not (zstd_sequences.c).
 */
static inline void zstd_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    uint64_t v;
    uint32_t w;

    if (n >= 8) {
        /* Whole words, then the last 8 bytes again (same values). */
        for (size_t i = 0; i + 8 <= n; i += 8) {
            __builtin_memcpy(&v, src + i, 8);
            __builtin_memcpy(dst + i, &v, 8);
        }
        __builtin_memcpy(&v, src + n - 8, 8);
        __builtin_memcpy(dst + n - 8, &v, 8);
    } else if (n >= 4) {
        __builtin_memcpy(&w, src, 4);
        __builtin_memcpy(dst, &w, 4);
        __builtin_memcpy(&w, src + n - 4, 4);
        __builtin_memcpy(dst + n - 4, &w, 4);
    } else {
        while (n--)
            *dst++ = *src++;
    }
}

/* Records why decoding stopped; returns err for a one-line "return". */
static inline int zstd_fail(struct zstd_dctx *d, int err, const char *why)
{
    d->why = why;
    return err;
}

/*
 * Parses an FSE table description (4.1.1) from in[0, len) and builds its
 * decoding table into t. *used is the description's size in bytes.
 */
int fse_read_table(struct zstd_dctx *d, struct fse_table *t, const uint8_t *in,
                   size_t len, unsigned int max_log, unsigned int max_sym,
                   size_t *used);

/* Builds t from a normalised distribution (the predefined ones). */
int fse_build_table(struct zstd_dctx *d, struct fse_table *t,
                    const int16_t *norm, unsigned int nsym, unsigned int log);

/* The one-state table of an RLE mode: always symbol, no bits. */
void fse_build_rle(struct fse_table *t, uint8_t symbol);

/*
 * Reads a Huffman_Tree_Description (4.2.1) from in[0, len) into d->huf.
 * *used is its size in bytes.
 */
int huf_read_table(struct zstd_dctx *d, const uint8_t *in, size_t len,
                   size_t *used);

/* Decodes one Huffman stream of exactly n symbols into out. */
int huf_decode_stream(struct zstd_dctx *d, const uint8_t *in, size_t len,
                      uint8_t *out, size_t n);

/*
 * Reads the Literals_Section (3.1.1.3.1) at the start of a compressed
 * block's content: sets d->lit, d->lit_len; *used is its size.
 */
int zstd_read_literals(struct zstd_dctx *d, const uint8_t *in, size_t len,
                       size_t *used);

/*
 * Decodes the Sequences_Section (3.1.1.3.2), which is the rest of the
 * block, and executes it against d->lit into d->out at d->pos.
 */
int zstd_execute_sequences(struct zstd_dctx *d, const uint8_t *in, size_t len);

#endif
