/*
 * The decompressor dispatcher: which decompressor a payload needs, by its
 * magic bytes. A format gets a row in `formats` and, once veneer can
 * decode it, a function; until then it is named in the refusal, so a
 * kernel built with another compressor is told apart from garbage.
 */
#include <veneer/decompress.h>
#include <veneer/errno.h>
#include <veneer/lib.h>
#include <veneer/xz.h>
#include <veneer/zstd.h>

typedef int (*decompress_fn)(const void *in, size_t in_len, void *out,
                             size_t out_cap, size_t *out_len, const char **why);

struct format {
    const char *name;
    uint8_t magic[6];
    size_t magic_len;
    decompress_fn decompress; /* NULL: recognised, not supported */
    const char *unsupported;  /* the refusal when decompress is NULL */
};

static const struct format formats[] = {
    {"xz", {0xfd, '7', 'z', 'X', 'Z', 0x00}, 6, xz_decompress, NULL},
    {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4, zstd_decompress, NULL},
    {"ELF", {0x7f, 'E', 'L', 'F'}, 4, NULL, "ELF: not compressed"},
    {"gzip", {0x1f, 0x8b}, 2, NULL, "gzip: not supported"},
    {"bzip2", {'B', 'Z', 'h'}, 3, NULL, "bzip2: not supported"},
    {"lzma", {0x5d, 0x00, 0x00}, 3, NULL, "lzma: not supported"},
    {"lz4", {0x02, 0x21, 0x4c, 0x18}, 4, NULL, "lz4: not supported"},
    {"lzo", {0x89, 'L', 'Z', 'O'}, 4, NULL, "lzo: not supported"},
};

static const struct format *format_of(const void *in, size_t in_len)
{
    for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
        const struct format *f = &formats[i];
        if (in_len >= f->magic_len && !memcmp(in, f->magic, f->magic_len))
            return f;
    }
    return NULL;
}

const char *payload_format(const void *in, size_t in_len)
{
    const struct format *f = format_of(in, in_len);
    return f ? f->name : NULL;
}

int payload_decompress(const void *in, size_t in_len, void *out, size_t out_cap,
                       size_t *out_len, const char **why)
{
    const struct format *f = format_of(in, in_len);

    *out_len = 0;
    if (!f) {
        *why = "unknown compression format";
        return -EOPNOTSUPP;
    }
    if (!f->decompress) {
        *why = f->unsupported;
        return -EOPNOTSUPP;
    }
    return f->decompress(in, in_len, out, out_cap, out_len, why);
}
