/*
 * XXH64 in one call, as the xxHash specification describes it: four lanes
 * over 32-byte stripes, then the 8-, 4- and 1-byte tail, then the
 * avalanche. Reads bytes one at a time into little-endian words, so the
 * input needs no alignment.
 */
#include <veneer/xxhash64.h>

#define PRIME1 0x9E3779B185EBCA87ULL
#define PRIME2 0xC2B2AE3D27D4EB4FULL
#define PRIME3 0x165667B19E3779F9ULL
#define PRIME4 0x85EBCA77C2B2AE63ULL
#define PRIME5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl64(uint64_t x, unsigned int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* One lane step: accumulate an 8-byte input word. */
static inline uint64_t lane_round(uint64_t acc, uint64_t input)
{
    acc += input * PRIME2;
    acc = rotl64(acc, 31);
    return acc * PRIME1;
}

/* Folds a finished lane into the hash. */
static inline uint64_t merge_lane(uint64_t h, uint64_t lane)
{
    h ^= lane_round(0, lane);
    return h * PRIME1 + PRIME4;
}

uint64_t xxh64(const void *data, size_t len, uint64_t seed)
{
    const uint8_t *p = data;
    const uint8_t *end = p + len;
    uint64_t h;

    if (len >= 32) {
        uint64_t v1 = seed + PRIME1 + PRIME2;
        uint64_t v2 = seed + PRIME2;
        uint64_t v3 = seed;
        uint64_t v4 = seed - PRIME1;

        while (end - p >= 32) {
            v1 = lane_round(v1, le64(p));
            v2 = lane_round(v2, le64(p + 8));
            v3 = lane_round(v3, le64(p + 16));
            v4 = lane_round(v4, le64(p + 24));
            p += 32;
        }
        h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
        h = merge_lane(h, v1);
        h = merge_lane(h, v2);
        h = merge_lane(h, v3);
        h = merge_lane(h, v4);
    } else {
        h = seed + PRIME5;
    }
    h += (uint64_t)len;

    while (end - p >= 8) {
        h ^= lane_round(0, le64(p));
        h = rotl64(h, 27) * PRIME1 + PRIME4;
        p += 8;
    }
    if (end - p >= 4) {
        h ^= (uint64_t)le32(p) * PRIME1;
        h = rotl64(h, 23) * PRIME2 + PRIME3;
        p += 4;
    }
    while (p < end) {
        h ^= (uint64_t)*p * PRIME5;
        h = rotl64(h, 11) * PRIME1;
        p++;
    }

    h ^= h >> 33;
    h *= PRIME2;
    h ^= h >> 29;
    h *= PRIME3;
    h ^= h >> 32;
    return h;
}
