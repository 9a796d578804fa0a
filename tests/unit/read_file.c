/* Whole-file reads for the host-side tests and tools (read_file.h). */
#include "read_file.h"

#include <stdlib.h>

uint8_t *read_stream(FILE *f, size_t *len)
{
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;

    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (!got)
            break;
        n += got;
    }
    *len = n;
    return buf;
}

uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;

    if (!f)
        return NULL;
    buf = read_stream(f, len);
    fclose(f);
    return buf;
}
