/*
 * One entry point for the compressed payloads the builder meets (today the
 * kernel inside a bzImage): the format is recognised from the payload's
 * magic and the matching decompressor runs. Portable.
 *
 * Decompressors share one shape (see veneer/xz.h): whole input in memory,
 * the whole output buffer as their window, 0 or a negative errno with a
 * message (-EINVAL corrupt, -ENOSPC output too small, -EOPNOTSUPP feature
 * or format not supported).
 */
#ifndef VENEER_DECOMPRESS_H
#define VENEER_DECOMPRESS_H

#include <veneer/types.h>

/* The payload's format by its magic: "xz", "zstd", "ELF", "gzip", "bzip2",
 * "lzma", "lz4", "lzo", or NULL when unknown. */
const char *payload_format(const void *in, size_t in_len);

/* Decompresses in[0, in_len) into out[0, out_cap). *why names the format
 * ("xz: CRC32 mismatch in block 0"). */
int payload_decompress(const void *in, size_t in_len, void *out, size_t out_cap,
                       size_t *out_len, const char **why);

#endif
