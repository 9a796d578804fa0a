/*
 * bzimage-rewrap: a bzImage with another payload, for the builder's tests.
 * Copies BZIMAGE's setup and protected-mode parts with the payload
 * replaced by the file PAYLOAD followed by its size (as Linux's
 * size_append does), and payload_length and syssize updated; the signature
 * after the protected-mode part is dropped. With the ELF vmlinux as
 * PAYLOAD this is what CONFIG_KERNEL_UNCOMPRESSED would have built: the
 * builder must take the ELF in place.
 *
 * The result is for veneer's builder only: code after the payload moves,
 * so Linux's own decompressor could not run it.
 *
 * usage: bzimage-rewrap BZIMAGE PAYLOAD OUT
 * exit: 0 written; 1 unusable input (the reason on stderr); 2 bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <veneer/bzimage.h>

#include "../unit/read_file.h"

static unsigned char *slurp(const char *path, size_t *len)
{
    unsigned char *buf = read_file(path, len);

    if (!buf)
        fprintf(stderr, "bzimage-rewrap: cannot read %s\n", path);
    return buf;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(int argc, char **argv)
{
    unsigned char *img = NULL, *pay = NULL, *out = NULL;
    size_t img_len, pay_len;
    struct bzimage bz;
    const char *why;
    FILE *f = NULL;
    int rc = 1;

    if (argc != 4) {
        fprintf(stderr, "usage: bzimage-rewrap BZIMAGE PAYLOAD OUT\n");
        return 2;
    }
    img = slurp(argv[1], &img_len);
    pay = slurp(argv[2], &pay_len);
    if (!img || !pay)
        goto out;
    if (bzimage_parse(img, img_len, &bz, &why)) {
        fprintf(stderr, "bzimage-rewrap: %s: %s\n", argv[1], why);
        goto out;
    }
    if (pay_len > BZIMAGE_MAX_KERNEL) {
        fprintf(stderr, "bzimage-rewrap: %s is too large\n", argv[2]);
        goto out;
    }
    /* Layout: [0, head) setup and the protected-mode part before the
     * payload, then payload + size, then the rest of the protected-mode
     * part [tail, pm_end). */
    size_t head = (size_t)(bz.payload - img);
    size_t tail = head + bz.payload_len + 4;
    size_t pm_start = ((size_t)(img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
    size_t pm_end = pm_start + (size_t)get32(img + 0x1f4) * 16;
    size_t new_pm = pm_end - pm_start - (bz.payload_len + 4) + pay_len + 4;
    size_t out_len = pm_start + ((new_pm + 15) & ~(size_t)15);

    out = calloc(1, out_len);
    if (!out) {
        fprintf(stderr, "bzimage-rewrap: out of memory\n");
        goto out;
    }
    memcpy(out, img, head);
    memcpy(out + head, pay, pay_len);
    put32(out + head + pay_len, (uint32_t)pay_len);
    memcpy(out + head + pay_len + 4, img + tail, pm_end - tail);
    put32(out + 0x24c, (uint32_t)(pay_len + 4));
    put32(out + 0x1f4, (uint32_t)((new_pm + 15) / 16));
    f = fopen(argv[3], "wb");
    if (!f || fwrite(out, 1, out_len, f) != out_len || fclose(f)) {
        fprintf(stderr, "bzimage-rewrap: cannot write %s\n", argv[3]);
        f = NULL;
        goto out;
    }
    f = NULL;
    rc = 0;
out:
    free(img);
    free(pay);
    free(out);
    return rc;
}
