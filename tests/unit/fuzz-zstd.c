/*
 * libFuzzer harness of zstd_decompress(), with ASan and UBSan: any input,
 * a 256 KiB output buffer. When the system's libzstd.so.1 can be loaded
 * (it is the zstd CLI's own library; we call it through its public ABI,
 * declared here, no headers needed) it is the oracle: when both decoders
 * accept an input their outputs must be identical. ZSTD_FUZZ_STRICT=1 also
 * stops on inputs that one accepts and the other refuses, to study where
 * the two draw the line (libzstd's window limit aside: it allocates a
 * window, we decode into the output).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <veneer/errno.h>
#include <veneer/zstd.h>

#define OUT_CAP (256 * 1024)

typedef size_t (*zstd_decompress_fn)(void *dst, size_t cap, const void *src,
                                     size_t len);
typedef unsigned (*zstd_is_error_fn)(size_t code);
typedef const char *(*zstd_error_name_fn)(size_t code);

static zstd_decompress_fn ref_decompress;
static zstd_is_error_fn ref_is_error;
static zstd_error_name_fn ref_error_name;
static int strict;
static uint8_t out[OUT_CAP], ref_out[OUT_CAP];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    void *h = dlopen("libzstd.so.1", RTLD_NOW);

    (void)argc;
    (void)argv;
    if (h) {
        ref_decompress = (zstd_decompress_fn)dlsym(h, "ZSTD_decompress");
        ref_is_error = (zstd_is_error_fn)dlsym(h, "ZSTD_isError");
        ref_error_name = (zstd_error_name_fn)dlsym(h, "ZSTD_getErrorName");
    }
    if (!ref_decompress || !ref_is_error || !ref_error_name) {
        ref_decompress = NULL;
        fprintf(stderr, "fuzz-zstd: no libzstd.so.1, no oracle\n");
    }
    strict = getenv("ZSTD_FUZZ_STRICT") != NULL;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t olen = 0;
    const char *why = NULL;
    int rc = zstd_decompress(data, size, out, OUT_CAP, &olen, &why);

    if (rc != 0 && rc != -EINVAL && rc != -ENOSPC && rc != -EOPNOTSUPP)
        abort();
    if (olen > OUT_CAP || !why)
        abort();
    if (!ref_decompress || !size)
        return 0;

    size_t r = ref_decompress(ref_out, OUT_CAP, data, size);
    bool ref_ok = !ref_is_error(r);
    if (rc == 0 && ref_ok && (r != olen || memcmp(out, ref_out, olen))) {
        fprintf(stderr, "fuzz-zstd: both accept, outputs differ\n");
        abort();
    }
    /* libzstd caps the window it will allocate; we need no window. */
    if (!ref_ok && strstr(ref_error_name(r), "too much memory"))
        return 0;
    /*
     * Where the RFC is stricter than libzstd, so are we: a Huffman stream
     * (4.2.2: ending in its marker byte) and the sequences' bitstream
     * (3.1.1.3.2.2) must be consumed exactly, neither bits left nor bits read
     * before its start; and a block never outgrows Block_Maximum_Size =
     * min(window, 128 KiB) (3.1.1.2), which libzstd holds only against 128 KiB;
     * reserved bits are zero.
     */
    if (rc && ref_ok &&
        (strstr(why, "Huffman stream:") || strstr(why, "reserved") ||
         strstr(why, "Block_Maximum_Size") ||
         strstr(why, "sequences: bitstream truncated") ||
         strstr(why, "bitstream longer than its sequences")))
        return 0;
    if (strict && (rc == 0) != ref_ok) {
        fprintf(stderr, "fuzz-zstd: veneer %d (%s), libzstd %s\n", rc, why,
                ref_ok ? "ok" : ref_error_name(r));
        abort();
    }
    return 0;
}
