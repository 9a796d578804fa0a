/*
 * A Zstandard decoder (RFC 8878) for the domain builder: Debian's bzImage
 * since 6.12 carries its kernel as a zstd frame. Single call, whole input to
 * whole output: the output buffer is the window, so no history is kept
 * apart and frames of any window size decode in fixed memory.
 *
 * The input is untrusted. Every field is checked; a bad frame gets a
 * negative errno and *why names what was wrong (a static string).
 *
 * Not re-entrant: the decoder's tables and literal buffer are static (about
 * 150 KiB), so one caller at a time (the domain builder runs one build at a
 * time).
 */
#ifndef VENEER_ZSTD_H
#define VENEER_ZSTD_H

#include <veneer/types.h>

/*
 * Decodes every frame of in[0, in_len) (zstd frames and skippable frames,
 * back to back, nothing after the last) into out[0, out_cap).
 * Returns 0 with *out_len = bytes written, or
 *   -EINVAL      corrupt or truncated input, bad checksum, trailing bytes
 *   -ENOSPC      the content does not fit in out_cap
 *   -EOPNOTSUPP  a frame needs a dictionary (Dictionary_ID != 0)
 * On error *out_len is what was written before the error was found.
 * *why says what was wrong ("zstd: ..."; "no error" on success); why may
 * be NULL.
 * in and out must not overlap.
 */
int zstd_decompress(const void *in, size_t in_len, void *out, size_t out_cap,
                    size_t *out_len, const char **why);

#endif
