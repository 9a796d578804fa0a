/*
 * The .xz decompressor of the domain builder (hypervisor/common/xz_*.c),
 * written from the .xz file format specification and the LZMA/LZMA2
 * descriptions. Single-call: the whole input is in memory, and the whole
 * output buffer is the LZMA2 dictionary, so nothing is allocated.
 *
 * Supported: concatenated streams with stream padding; blocks with and
 * without sizes in their headers; the filter chains [x86 BCJ...] LZMA2;
 * the checks none, CRC32 and CRC64. Refused with -EOPNOTSUPP: SHA-256 and
 * the reserved check types, other filters, reserved header flags.
 *
 * Not reentrant: the LZMA probability tables (about 28 KiB, too much for a
 * hypervisor stack) are static. The builder decompresses on the boot CPU,
 * one kernel at a time.
 */
#ifndef VENEER_XZ_H
#define VENEER_XZ_H

#include <veneer/types.h>

/*
 * Decompresses the .xz data in[0, in_len) into out[0, out_cap). Returns 0
 * with *out_len set, or a negative errno with *why set to a message that
 * stays valid until the next call:
 *   -EINVAL      the data is corrupt or not .xz (bad magic, bad CRC, ...);
 *   -ENOSPC      out_cap is too small for the data;
 *   -EOPNOTSUPP  a feature this decoder does not have (SHA-256, ...).
 * Never reads outside in[0, in_len) or writes outside out[0, out_cap),
 * whatever the input; out may be partly written on failure.
 */
int xz_decompress(const void *in, size_t in_len, void *out, size_t out_cap,
                  size_t *out_len, const char **why);

#endif
