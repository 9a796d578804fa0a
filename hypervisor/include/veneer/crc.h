/*
 * CRC32 (IEEE 802.3, the one zlib, gzip and .xz use) and CRC64 (ECMA-182,
 * the .xz CRC64 check), both in their reflected form with the customary
 * pre- and post-inversion. Portable: the unit tier compiles them too.
 *
 * Incremental use: crc = crc32(0, a, n); crc = crc32(crc, b, m) gives the
 * CRC of a followed by b.
 */
#ifndef VENEER_CRC_H
#define VENEER_CRC_H

#include <veneer/types.h>

uint32_t crc32(uint32_t crc, const void *buf, size_t len);
uint64_t crc64(uint64_t crc, const void *buf, size_t len);

#endif
