/*
 * CRC64 with the reflected ECMA-182 polynomial 0xc96c5795d7870f42: the
 * .xz format's "CRC64" integrity check (xz's default). Same shape as
 * crc32.c: a table built on first use, a byte at a time.
 */
#include <veneer/crc.h>

#define CRC64_POLY 0xc96c5795d7870f42ull

static uint64_t table[256];
static bool table_ready;

static void build_table(void)
{
    for (uint64_t i = 0; i < 256; i++) {
        uint64_t r = i;
        for (int bit = 0; bit < 8; bit++)
            r = (r >> 1) ^ (CRC64_POLY & (0ull - (r & 1)));
        table[i] = r;
    }
    table_ready = true;
}

uint64_t crc64(uint64_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (!table_ready)
        build_table();
    crc = ~crc;
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}
