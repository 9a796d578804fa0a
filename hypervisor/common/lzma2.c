/*
 * LZMA2: a sequence of chunks, each announced by a control byte, ended by
 * a zero byte.
 *
 *   0x00          end of the LZMA2 data
 *   0x01          uncompressed chunk, dictionary reset first
 *   0x02          uncompressed chunk
 *   0x03-0x7f     invalid
 *   0x80-0xff     LZMA chunk; bits 5-6 say what is reset first:
 *                 0 nothing, 1 the LZMA state, 2 the state with new
 *                 properties, 3 all that and the dictionary; bits 0-4 are
 *                 bits 16-20 of (uncompressed size - 1)
 *
 * An uncompressed chunk has a 16-bit big-endian (size - 1); an LZMA chunk
 * has 16 more bits of (uncompressed size - 1), a 16-bit (compressed size
 * - 1) and, when it resets the properties, the lc/lp/pb byte.
 *
 * The rules enforced on top of the syntax: the first chunk resets the
 * dictionary; after a dictionary reset, the next LZMA chunk brings new
 * properties (so that no stale state or distance reaches the new
 * dictionary); lc + lp <= 4. A dictionary reset moves the dictionary's
 * start to the current output position: matches cannot reach behind it.
 */
#include <veneer/errno.h>
#include <veneer/lib.h>

#include "xz_internal.h"

#define CTRL_END        0x00
#define CTRL_COPY_RESET 0x01
#define CTRL_COPY       0x02
#define CTRL_LZMA       0x80
#define RESET_STATE     1
#define RESET_PROPS     2
#define RESET_DICT      3
#define PROPS_LIMIT     (9 * 5 * 5) /* lc < 9, lp < 5, pb < 5 */

/* The probability tables live here, not on the stack (see xz.h). */
static struct lzma_dec lzma;

static int props_decode(uint8_t byte, struct lzma_props *p, const char **why)
{
    if (byte >= PROPS_LIMIT) {
        *why = "lzma2: invalid LZMA properties byte";
        return -EINVAL;
    }
    p->lc = byte % 9;
    byte /= 9;
    p->lp = byte % 5;
    p->pb = byte / 5;
    if (p->lc + p->lp > LZMA_LCLP_MAX) {
        *why = "lzma2: LZMA properties with lc + lp above 4";
        return -EINVAL;
    }
    return 0;
}

static size_t be16(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

int lzma2_decode(const uint8_t *in, size_t in_len, size_t *in_used,
                 uint8_t *out, size_t out_cap, size_t *out_len,
                 const char **why)
{
    size_t ip = 0, op = 0, dict = 0; /* dict: where the dictionary starts */
    bool need_dict_reset = true, need_props = true;
    int rc;

    for (;;) {
        uint8_t ctrl;
        size_t usize, csize;

        if (ip >= in_len)
            goto truncated;
        ctrl = in[ip++];
        if (ctrl == CTRL_END)
            break;
        if (ctrl > CTRL_COPY && ctrl < CTRL_LZMA) {
            *why = "lzma2: invalid chunk control byte";
            return -EINVAL;
        }
        if (ctrl == CTRL_COPY_RESET ||
            (ctrl >= CTRL_LZMA && (ctrl >> 5 & 3) == RESET_DICT)) {
            dict = op;
            need_dict_reset = false;
            need_props = true;
        } else if (need_dict_reset) {
            *why = "lzma2: the first chunk does not reset the dictionary";
            return -EINVAL;
        }

        if (ctrl < CTRL_LZMA) {
            if (in_len - ip < 2)
                goto truncated;
            usize = be16(in + ip) + 1;
            ip += 2;
            if (usize > in_len - ip)
                goto truncated;
            if (usize > out_cap - op)
                goto no_space;
            memcpy(out + op, in + ip, usize);
            ip += usize;
            op += usize;
            continue;
        }

        if (in_len - ip < 4)
            goto truncated;
        usize = ((size_t)(ctrl & 0x1f) << 16) + be16(in + ip) + 1;
        csize = be16(in + ip + 2) + 1;
        ip += 4;
        if ((ctrl >> 5 & 3) >= RESET_PROPS) {
            struct lzma_props props;

            if (ip >= in_len)
                goto truncated;
            rc = props_decode(in[ip++], &props, why);
            if (rc)
                return rc;
            need_props = false;
            lzma_reset(&lzma, props);
        } else if (need_props) {
            *why = "lzma2: an LZMA chunk after a dictionary reset brings no "
                   "properties";
            return -EINVAL;
        } else if ((ctrl >> 5 & 3) == RESET_STATE) {
            lzma_reset(&lzma, lzma.props);
        }
        if (csize > in_len - ip)
            goto truncated;
        if (usize > out_cap - op)
            goto no_space;
        rc = lzma_decode_chunk(&lzma, in + ip, csize, out + dict, op - dict,
                               op - dict + usize, why);
        if (rc)
            return rc;
        ip += csize;
        op += usize;
    }
    *in_used = ip;
    *out_len = op;
    return 0;

truncated:
    *why = "lzma2: the data ends inside a chunk (truncated?)";
    return -EINVAL;
no_space:
    *why = "lzma2: the output buffer is too small";
    return -ENOSPC;
}
