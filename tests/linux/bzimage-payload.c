/*
 * bzimage-payload: finds the compressed kernel inside a Linux bzImage, so
 * that the harness can hand veneer's builder the ELF vmlinux without ever
 * modifying the kernel package (tests/linux/fetch-kernels decompresses it).
 *
 * The x86 boot protocol (version 2.08 and later) says where it is: the
 * setup header's setup_sects (0x1f1) gives the size of the real-mode part,
 * and payload_offset (0x248) / payload_length (0x24c) locate the payload in
 * the protected-mode part that follows. Linux's build appends the
 * uncompressed size as 4 little-endian bytes to the compressed stream; we
 * strip them, check the stream's magic, and report both.
 *
 * usage: bzimage-payload --info BZIMAGE   prints "FORMAT SIZE" (xz, zstd,
 *                                          gzip, lzma, bzip2, lz4 or lzo)
 *        bzimage-payload BZIMAGE          writes the compressed stream to
 *                                          stdout
 * exit: 0 ok, 1 not a usable bzImage (the reason on stderr), 2 bad usage.
 * The file is untrusted: every offset is checked against its size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IMAGE (256u << 20) /* far above any real bzImage */

static const char *prog = "bzimage-payload";

static uint32_t le32(const unsigned char *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Reads the whole file (bounded), or NULL with a message. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            unsigned char *grown;

            if (cap >= MAX_IMAGE) {
                fprintf(stderr, "%s: %s: larger than %u MiB: not a kernel\n",
                        prog, path, MAX_IMAGE >> 20);
                goto fail;
            }
            cap = cap ? cap * 2 : 1 << 20;
            grown = realloc(buf, cap);
            if (!grown) {
                fprintf(stderr, "%s: out of memory\n", prog);
                goto fail;
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: %s: read error\n", prog, path);
        goto fail;
    }
    fclose(f);
    *len = n;
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}

static const char *format_of(const unsigned char *p, size_t n)
{
    static const struct {
        const char *name;
        unsigned char magic[6];
        size_t len;
    } formats[] = {
        {"xz", {0xfd, '7', 'z', 'X', 'Z', 0}, 6},
        {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4},
        {"gzip", {0x1f, 0x8b}, 2},
        {"bzip2", {'B', 'Z', 'h'}, 3},
        {"lzma", {0x5d, 0, 0}, 3},
        {"lz4", {0x02, 0x21, 0x4c, 0x18}, 4},
        {"lzo", {0x89, 'L', 'Z', 'O'}, 4},
    };

    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (n >= formats[i].len && !memcmp(p, formats[i].magic, formats[i].len))
            return formats[i].name;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int info = argc == 3 && !strcmp(argv[1], "--info");
    const char *path = argv[argc - 1];
    unsigned char *img;
    size_t len, pm_start, off, plen;
    const char *fmt;
    int rc = 1;

    if (!(argc == 2 && argv[1][0] != '-') && !info) {
        fprintf(stderr, "usage: %s [--info] BZIMAGE\n", prog);
        return 2;
    }
    img = slurp(path, &len);
    if (!img)
        return 1;
    if (len < 0x250 || memcmp(img + 0x202, "HdrS", 4)) {
        fprintf(stderr,
                "%s: %s: no boot-protocol header (\"HdrS\" at 0x202): "
                "not a bzImage\n",
                prog, path);
        goto out;
    }
    if (le16(img + 0x206) < 0x208) {
        fprintf(stderr,
                "%s: %s: boot protocol %#x has no payload fields "
                "(needs 2.08)\n",
                prog, path, le16(img + 0x206));
        goto out;
    }
    /* setup_sects 0 means 4, for historical reasons (boot protocol). */
    pm_start = ((size_t)(img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
    off = pm_start + le32(img + 0x248);
    plen = le32(img + 0x24c);
    if (off > len || plen > len - off || plen < 16) {
        fprintf(stderr,
                "%s: %s: payload %zu+%zu lies outside the %zu-byte "
                "file (truncated?)\n",
                prog, path, off, plen, len);
        goto out;
    }
    fmt = format_of(img + off, plen);
    if (!fmt) {
        fprintf(stderr,
                "%s: %s: payload starts with %02x %02x %02x %02x: "
                "no known compression\n",
                prog, path, img[off], img[off + 1], img[off + 2], img[off + 3]);
        goto out;
    }
    /* The last 4 bytes are the uncompressed size (Linux's size_append). */
    plen -= 4;
    if (info) {
        printf("%s %u\n", fmt, le32(img + off + plen));
        rc = 0;
    } else if (fwrite(img + off, 1, plen, stdout) != plen || fflush(stdout)) {
        fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
    } else {
        rc = 0;
    }
out:
    free(img);
    return rc;
}
