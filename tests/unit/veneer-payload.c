/*
 * veneer-payload: the domain builder's bzImage path on the host. Reads a
 * bzImage, decompresses its payload with veneer's own decoders
 * (hypervisor/common/bzimage.c, payload_decompress.c) and compares the
 * result byte for byte with a reference file (what xz -d or zstd -d made
 * of the same payload). Used by tests/tiers/12-bzimage on Debian's kernels.
 *
 * usage: veneer-payload BZIMAGE REFERENCE
 * exit: 0 identical; 1 refused or different (the reason on stdout);
 *       77 the payload's format is not supported yet; 2 bad usage or I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <veneer/bzimage.h>

#include "read_file.h"
#include <veneer/decompress.h>
#include <veneer/errno.h>

static unsigned char *slurp(const char *path, size_t *len)
{
    unsigned char *buf = read_file(path, len);

    if (!buf)
        fprintf(stderr, "veneer-payload: cannot read %s\n", path);
    return buf;
}

int main(int argc, char **argv)
{
    unsigned char *img = NULL, *ref = NULL, *out = NULL;
    size_t img_len, ref_len, out_len;
    struct bzimage bz;
    const char *why;
    struct timespec t0, t1;
    int rc, status = 2;

    if (argc != 3) {
        fprintf(stderr, "usage: veneer-payload BZIMAGE REFERENCE\n");
        return 2;
    }
    img = slurp(argv[1], &img_len);
    ref = slurp(argv[2], &ref_len);
    if (!img || !ref)
        goto out;
    status = 1;
    if (bzimage_parse(img, img_len, &bz, &why)) {
        printf("not a usable bzImage: %s\n", why);
        goto out;
    }
    out = malloc(bz.kernel_size);
    if (!out) {
        printf("out of memory\n");
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = payload_decompress(bz.payload, bz.payload_len, out, bz.kernel_size,
                            &out_len, &why);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == -EOPNOTSUPP) {
        printf("%s\n", why);
        status = 77;
        goto out;
    }
    if (rc) {
        printf("refused: %s (%d)\n", why, rc);
        goto out;
    }
    if (out_len != bz.kernel_size || out_len != ref_len ||
        memcmp(out, ref, ref_len)) {
        size_t i = 0;
        while (i < out_len && i < ref_len && out[i] == ref[i])
            i++;
        printf("differs from the reference: %zu bytes (recorded %u, "
               "reference %zu), first difference at %zu\n",
               out_len, bz.kernel_size, ref_len, i);
        goto out;
    }
    printf("%s payload of %zu bytes: %zu bytes identical to the reference "
           "(%.2f s)\n",
           payload_format(bz.payload, bz.payload_len), bz.payload_len, out_len,
           (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    status = 0;
out:
    free(img);
    free(ref);
    free(out);
    return status;
}
