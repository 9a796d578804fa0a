/*
 * From a boot module to the ELF kernel the builder loads. Distributions
 * ship bzImages (pv-abi.md 2.1): the ELF vmlinux is the payload, usually
 * compressed, and Linux appended its decompressed size. We take that many
 * bytes of contiguous frames from the buddy allocator (a whole power-of-two
 * block, its unused tail given back at once), decompress into them through
 * the direct map, and give everything back after the build: the builder
 * copies the segments into the domain's own frames.
 */
#include <veneer/bzimage.h>
#include <veneer/console.h>
#include <veneer/decompress.h>
#include <veneer/errno.h>
#include <veneer/kernel_image.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/time.h>

static unsigned int order_for(uint64_t pages)
{
    unsigned int order = 0;

    while ((1UL << order) < pages)
        order++;
    return order;
}

/* Frees [mfn, mfn + pages) in the largest aligned blocks that fit: the
 * buddy takes back only naturally aligned blocks. */
static void free_range(mfn_t mfn, uint64_t pages)
{
    while (pages) {
        unsigned int order = 0;

        while (order < BUDDY_MAX_ORDER && !(mfn & (1UL << order)) &&
               (2UL << order) <= pages)
            order++;
        free_pages(mfn, order);
        mfn += 1UL << order;
        pages -= 1UL << order;
    }
}

/* pages contiguous frames, or INVALID_MFN. */
static mfn_t alloc_range(uint64_t pages)
{
    unsigned int order = order_for(pages);
    mfn_t mfn;

    if (order > BUDDY_MAX_ORDER)
        return INVALID_MFN;
    mfn = alloc_pages(order);
    if (mfn != INVALID_MFN && pages < (1UL << order))
        free_range(mfn + pages, (1UL << order) - pages);
    return mfn;
}

static int open_bzimage(struct kernel_image *k, unsigned int domid,
                        const void *img, size_t len)
{
    struct bzimage bz;
    const char *why, *fmt;
    size_t out_len;
    uint64_t t0;
    int rc;

    rc = bzimage_parse(img, len, &bz, &why);
    if (rc) {
        pr_err("d%u: kernel is not a usable bzImage: %s\n", domid, why);
        return rc;
    }
    fmt = payload_format(bz.payload, bz.payload_len);
    if (fmt && !strcmp(fmt, "ELF")) {
        /* An uncompressed kernel (CONFIG_KERNEL_UNCOMPRESSED). */
        pr_info("d%u: bzImage (boot protocol %u.%02u), uncompressed ELF "
                "payload of %zu KiB\n",
                domid, bz.version >> 8, bz.version & 0xff,
                bz.payload_len >> 10);
        k->data = bz.payload;
        k->len = bz.payload_len;
        return 0;
    }
    pr_info("d%u: bzImage (boot protocol %u.%02u), %s payload of %zu KiB, "
            "%u KiB decompressed\n",
            domid, bz.version >> 8, bz.version & 0xff, fmt ? fmt : "unknown",
            bz.payload_len >> 10, bz.kernel_size >> 10);

    k->buf_pages = ALIGN_UP((uint64_t)bz.kernel_size, PAGE_SIZE) >> PAGE_SHIFT;
    k->buf = alloc_range(k->buf_pages);
    if (k->buf == INVALID_MFN) {
        pr_err("d%u: bzImage payload: no %u KiB of contiguous memory to "
               "decompress it into\n",
               domid, bz.kernel_size >> 10);
        return -ENOMEM;
    }
    t0 = now_ns();
    rc = payload_decompress(bz.payload, bz.payload_len, mfn_to_virt(k->buf),
                            bz.kernel_size, &out_len, &why);
    if (!rc && out_len != bz.kernel_size) {
        why = "decompressed size differs from the size the bzImage "
              "records";
        rc = -EINVAL;
    }
    if (rc) {
        pr_err("d%u: bzImage payload: %s\n", domid, why);
        kernel_image_put(k);
        return rc == -EOPNOTSUPP ? rc : -ENOEXEC;
    }
    pr_info("d%u: bzImage payload: %s: %zu bytes decompressed in %lu ms\n",
            domid, fmt, out_len, (unsigned long)((now_ns() - t0) / 1000000));
    k->data = mfn_to_virt(k->buf);
    k->len = out_len;
    return 0;
}

int kernel_image_get(struct kernel_image *k, unsigned int domid,
                     const void *img, size_t len)
{
    *k = (struct kernel_image){img, len, INVALID_MFN, 0};
    if (!bzimage_probe(img, len))
        return 0; /* the ELF reader judges it */
    return open_bzimage(k, domid, img, len);
}

void kernel_image_put(struct kernel_image *k)
{
    if (k->buf != INVALID_MFN)
        free_range(k->buf, k->buf_pages);
    k->buf = INVALID_MFN;
    k->buf_pages = 0;
    k->data = NULL;
    k->len = 0;
}
