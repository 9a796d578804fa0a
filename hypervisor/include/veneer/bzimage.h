/*
 * Linux bzImages, as distributions ship them (hypervisor/common/bzimage.c):
 * the x86 boot protocol's setup header says where the compressed kernel
 * (an ELF vmlinux, plus relocations) lies inside the file. Portable: the
 * unit tier compiles it too.
 */
#ifndef VENEER_BZIMAGE_H
#define VENEER_BZIMAGE_H

#include <veneer/types.h>

/* Above this, the size Linux appended to its payload is not believed. */
#define BZIMAGE_MAX_KERNEL MiB(512)

struct bzimage {
    uint16_t version;       /* boot protocol, e.g. 0x20f */
    const uint8_t *payload; /* the compressed stream (or a bare ELF) */
    size_t payload_len;     /* without the 4-byte size Linux appends */
    uint32_t kernel_size;   /* that size: the payload's decompressed length */
};

/* True when img looks like a bzImage at all ("HdrS" in its setup header);
 * bzimage_parse() then decides whether it is a usable one. */
bool bzimage_probe(const void *img, size_t len);

/*
 * Validates the setup header of img[0, len) (untrusted: every offset and
 * length is checked against len) and locates the payload. Returns 0, or
 * -ENOEXEC with *why set to a static message.
 */
int bzimage_parse(const void *img, size_t len, struct bzimage *bz,
                  const char **why);

#endif
