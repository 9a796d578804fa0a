/*
 * The two bit readers of zstd (RFC 8878 section 4.1, "FSE"):
 *
 *   zfwd   a little-endian bitstream read from its first bit upwards; the
 *          FSE table descriptions use it.
 *   zback  a bitstream read backwards, from its last bit down to bit 0:
 *          Huffman streams, the FSE-compressed Huffman weights and the
 *          sequences. The last byte holds a 1 marking where the data starts;
 *          the bits above it are padding.
 *
 * Both read at most 56 bits at a time and never touch a byte outside the
 * stream: bits past either end read as zeros and the reader records the
 * overrun in its position (zback: pos < 0; zfwd: pos > 8 * len), so the
 * caller decides whether that is corruption. Callers check once at the end
 * of a stream instead of at every read, which is safe because the loops
 * that read are bounded by symbol counts, not by the stream.
 */
#ifndef VENEER_ZSTD_BITS_H
#define VENEER_ZSTD_BITS_H

#include <veneer/types.h>

/* The hot readers: inlined even where the compiler would rather call. */
#define ZBITS_HOT static inline __attribute__((always_inline))

/* Up to 8 bytes from p as a little-endian word; bytes past avail are 0. */
static inline uint64_t zbits_load(const uint8_t *p, size_t avail)
{
    uint64_t v = 0;

    if (avail >= 8)
        return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
               (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
               (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
               (uint64_t)p[7] << 56;
    for (size_t i = 0; i < avail; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline uint64_t zbits_mask(unsigned int n)
{
    return n ? ~0ULL >> (64 - n) : 0;
}

/* Index of the highest set bit of a non-zero value. */
static inline unsigned int zbits_highbit(uint32_t v)
{
    return 31 - (unsigned int)__builtin_clz(v);
}

struct zfwd {
    const uint8_t *p;
    size_t len;
    uint64_t pos; /* bits [0, pos) are read */
};

static inline void zfwd_init(struct zfwd *b, const uint8_t *p, size_t len)
{
    b->p = p;
    b->len = len;
    b->pos = 0;
}

static inline uint64_t zfwd_peek(const struct zfwd *b, unsigned int n)
{
    size_t byte = (size_t)(b->pos >> 3);
    size_t avail = byte < b->len ? b->len - byte : 0;

    if (!avail)
        return 0;
    return (zbits_load(b->p + byte, avail) >> (b->pos & 7)) & zbits_mask(n);
}

static inline uint64_t zfwd_read(struct zfwd *b, unsigned int n)
{
    uint64_t v = zfwd_peek(b, n);

    b->pos += n;
    return v;
}

static inline bool zfwd_overrun(const struct zfwd *b)
{
    return b->pos > (uint64_t)b->len * 8;
}

/* Whole bytes the reader has started: where the next structure begins. */
static inline size_t zfwd_bytes(const struct zfwd *b)
{
    return (size_t)((b->pos + 7) >> 3);
}

/*
 * The backward reader keeps the next 57 to 64 bits in a window, first bit
 * highest, so that a read is a shift; the window is reloaded from the
 * stream when fewer bits are left in it than a read needs.
 */
struct zback {
    const uint8_t *p;
    size_t len;
    int64_t pos;        /* bits [0, pos) are unread; below 0: read past */
    uint64_t win;       /* bits [pos - 64, pos), zeros below bit 0 */
    unsigned int valid; /* how many of win's top bits are loaded */
};

/* Reloads the window at pos: at least 57 bits, or all that remain. */
static inline void zback_refill(struct zback *b)
{
    if (b->pos >= 57) {
        /* The 8 bytes ending at the byte that holds bit pos - 1. */
        size_t end = (size_t)(b->pos + 7) >> 3;
        unsigned int pad = (unsigned int)(end * 8 - (size_t)b->pos);
        b->win = zbits_load(b->p + end - 8, 8) << pad;
        b->valid = 64 - pad;
    } else if (b->pos > 0) {
        /* Near the start: what is left, zeros below it. */
        b->win = zbits_load(b->p, b->len) << (64 - b->pos);
        b->valid = 64;
    } else {
        b->win = 0;
        b->valid = 64;
    }
}

/* Fails on an empty stream or a last byte without its marker bit. */
static inline int zback_init(struct zback *b, const uint8_t *p, size_t len)
{
    if (!len || !p[len - 1])
        return -1;
    b->p = p;
    b->len = len;
    b->pos = (int64_t)(len - 1) * 8 + zbits_highbit(p[len - 1]);
    zback_refill(b);
    return 0;
}

/* The next n bits (n <= 56) without consuming them, first bit highest. */
ZBITS_HOT uint64_t zback_peek(struct zback *b, unsigned int n)
{
    if (b->valid < n)
        zback_refill(b);
    /* Two shifts: n may be 0, and a shift by 64 is undefined. */
    return (b->win >> (63 - n)) >> 1;
}

ZBITS_HOT void zback_skip(struct zback *b, unsigned int n)
{
    b->pos -= n;
    b->win <<= n;
    b->valid -= n;
}

ZBITS_HOT uint64_t zback_read(struct zback *b, unsigned int n)
{
    uint64_t v = zback_peek(b, n);

    zback_skip(b, n);
    return v;
}

static inline bool zback_overrun(const struct zback *b)
{
    return b->pos < 0;
}

/* Exactly consumed: every stream of a valid frame ends like this. */
static inline bool zback_done(const struct zback *b)
{
    return b->pos == 0;
}

#endif
