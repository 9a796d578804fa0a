/*
 * Who we are: the version from configure and the linker's build id (a SHA-1
 * of the image), so a serial log always says exactly which build ran.
 */
#include <veneer/format.h>
#include <veneer/version.h>

extern const uint8_t __build_id_note[], __build_id_note_end[];

const uint8_t *veneer_build_id_bytes(size_t *size)
{
    /* ELF note: namesz, descsz, type, "GNU\0", then the id bytes. */
    const uint32_t *hdr = (const uint32_t *)__build_id_note;
    size_t have = (size_t)(__build_id_note_end - __build_id_note);

    *size = 0;
    if (have < 12)
        return NULL;
    size_t namesz = ALIGN_UP(hdr[0], 4), descsz = hdr[1];
    if (12 + namesz + descsz > have)
        return NULL;
    *size = descsz;
    return __build_id_note + 12 + namesz;
}

const char *veneer_build_id(char *buf, size_t size)
{
    size_t n, used = 0;
    const uint8_t *id = veneer_build_id_bytes(&n);

    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 3 <= size; i++)
        used += (size_t)format(buf + used, size - used, "%02x", id[i]);
    return buf;
}
