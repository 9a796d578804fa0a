/*
 * CRC32 with the reflected IEEE polynomial 0xedb88320, a byte at a time
 * from a 256-entry table that is built on first use (the hypervisor has no
 * constructors, and 1 KiB of code-generated constants would be no clearer).
 * The .xz container checks its headers, its index and (usually) its data
 * with it.
 */
#include <veneer/crc.h>

#define CRC32_POLY 0xedb88320u

static uint32_t table[256];
static bool table_ready;

static void build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t r = i;
        for (int bit = 0; bit < 8; bit++)
            r = (r >> 1) ^ (CRC32_POLY & (0u - (r & 1)));
        table[i] = r;
    }
    table_ready = true;
}

uint32_t crc32(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (!table_ready)
        build_table();
    crc = ~crc;
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}
