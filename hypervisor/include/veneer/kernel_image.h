/*
 * The kernel a boot module holds, as the domain builder reads it
 * (hypervisor/common/kernel_image.c): an ELF image used in place, or the
 * ELF inside a Linux bzImage, decompressed into frames of the hypervisor's
 * own that go back to the allocator when the build is over.
 */
#ifndef VENEER_KERNEL_IMAGE_H
#define VENEER_KERNEL_IMAGE_H

#include <veneer/types.h>

struct kernel_image {
    const void *data; /* what the ELF reader gets */
    size_t len;
    mfn_t buf; /* decompression buffer, or INVALID_MFN */
    uint64_t buf_pages;
};

/*
 * Opens module bytes img[0, len) for domain `domid`. A bzImage is parsed
 * and its payload decompressed (or, if it is a bare ELF, used in place);
 * anything else is passed through for the ELF reader to judge. Every
 * refusal is logged with the domain and the reason. Returns 0 or a
 * negative errno; on success kernel_image_put() must follow.
 */
int kernel_image_get(struct kernel_image *k, unsigned int domid,
                     const void *img, size_t len);
void kernel_image_put(struct kernel_image *k);

#endif
