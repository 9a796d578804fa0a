/*
 * Symbol lookup for backtraces, over the table that tools/gen-symbols
 * appends to the image at build time.
 */
#include <veneer/format.h>
#include <veneer/symbols.h>

extern const uint8_t __symbols_start[], __symbols_end[];

#define RECORD_HEADER 9 /* 8-byte address + 1-byte length */

const char *symbol_lookup(uint64_t addr, char *buf, size_t size)
{
    const uint8_t *p = __symbols_start, *best = NULL;
    uint64_t best_addr = 0;

    while (p + RECORD_HEADER <= __symbols_end) {
        uint64_t a;
        __builtin_memcpy(&a, p, 8);
        uint8_t len = p[8];
        if (p + RECORD_HEADER + len > __symbols_end || a > addr)
            break;
        best = p;
        best_addr = a;
        p += RECORD_HEADER + len;
    }
    if (!best)
        return NULL;
    format(buf, size, "%.*s+%#lx", (int)best[8],
           (const char *)best + RECORD_HEADER, addr - best_addr);
    return buf;
}
