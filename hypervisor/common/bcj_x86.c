/*
 * The x86 BCJ filter (.xz filter 0x04), decoding side.
 *
 * x86 code is full of `call rel32` (E8) and `jmp rel32` (E9). The encoder
 * turned the relative targets of the plausible ones into absolute addresses
 * (target = rel + position after the instruction), because calls to one
 * function from many places then share the same four bytes and compress
 * better. Decoding subtracts the position again.
 *
 * Which E8/E9 bytes were converted is decided from data both sides see
 * identically, scanning forward:
 *   - an opcode byte at p is considered when p + 5 <= the block's size;
 *   - its operand's top byte (p + 4) must be 00 or FF (a near target);
 *   - of the three bytes before p, at most one may be an opcode byte that
 *     was considered and left alone, and none whose own top byte was 00
 *     or FF (such prefixes make the guess unreliable);
 *   - after a conversion the scan resumes behind the operand, with no
 *     history.
 * When one opcode was left alone i bytes before p (i = 1..3), its operand
 * overlaps ours and its top byte is our byte 3 - i. The encoder made sure
 * that byte does not come out as 00/FF (which would change the decision
 * above for a re-scan): if it would, the low 32 - 8i bits are inverted and
 * the conversion applied once more. One more round is always enough: the
 * inversion turns that byte into 0xff minus the original operand byte,
 * which the history rule guarantees is not 00/FF.
 *
 * The converted operand's top byte is stored as the sign of bit 24, so the
 * filter is exact only for targets within +-16 MiB; the encoder converts
 * nothing else.
 */
#include "xz_internal.h"

static inline bool near_byte(uint8_t b)
{
    return b == 0x00 || b == 0xff;
}

void bcj_x86_decode(uint8_t *buf, size_t len, uint32_t start)
{
    /* For the last opcode byte left alone: bit k set when the byte k
     * positions before it was one too (k = 0 is itself); `flagged` when
     * their top bytes were 00/FF. */
    unsigned int alone = 0, flagged = 0;
    size_t last = 0; /* where that opcode byte is */
    size_t p = 0;

    if (len < 5)
        return;
    while (p <= len - 5) {
        if (buf[p] != 0xe8 && buf[p] != 0xe9) {
            p++;
            continue;
        }
        /* The opcode bytes left alone within the 3 bytes before p, bit
         * i - 1 for p - i. */
        size_t gap = p - last;
        unsigned int near = 0, near_flagged = 0;
        if (alone && gap <= 3) {
            near = (alone << (gap - 1)) & 7;
            near_flagged = (flagged << (gap - 1)) & 7;
        }
        bool convert = near_byte(buf[p + 4]) && !near_flagged &&
                       (near == 0 || near == 1 || near == 2 || near == 4);
        if (!convert) {
            alone = (near << 1) | 1;
            flagged = (near_flagged << 1) | near_byte(buf[p + 4]);
            last = p++;
            continue;
        }

        uint32_t base = start + (uint32_t)p + 5;
        uint32_t v = (uint32_t)buf[p + 1] | (uint32_t)buf[p + 2] << 8 |
                     (uint32_t)buf[p + 3] << 16 | (uint32_t)buf[p + 4] << 24;
        v -= base;
        if (near) {
            unsigned int i = near == 4 ? 3 : near; /* bytes back */
            unsigned int shift = 24 - 8 * i;
            if (near_byte((uint8_t)(v >> shift)))
                v = (v ^ ((1u << (shift + 8)) - 1)) - base;
        }
        buf[p + 1] = (uint8_t)v;
        buf[p + 2] = (uint8_t)(v >> 8);
        buf[p + 3] = (uint8_t)(v >> 16);
        buf[p + 4] = (v >> 24) & 1 ? 0xff : 0x00;
        p += 5;
        alone = flagged = 0;
    }
}
