/*
 * XXH64, the 64-bit xxHash: zstd's content checksum is its low 32 bits
 * (RFC 8878 section 3.1.1, seed 0).
 */
#ifndef VENEER_XXHASH64_H
#define VENEER_XXHASH64_H

#include <veneer/types.h>

uint64_t xxh64(const void *data, size_t len, uint64_t seed);

#endif
