/*
 * The setup header of a Linux bzImage (the x86 boot protocol, version 2.08
 * and later), read as untrusted bytes. What we use:
 *
 *   0x1f1  setup_sects     real-mode sectors after the boot sector (0: 4)
 *   0x1f4  syssize         protected-mode part, in 16-byte units
 *   0x1fe  boot_flag       0xaa55
 *   0x202  header          "HdrS"
 *   0x206  version         0x208 or later (payload fields)
 *   0x211  loadflags       bit 0: loaded high (a bzImage, not a zImage)
 *   0x248  payload_offset  from the start of the protected-mode part
 *   0x24c  payload_length  including the 4-byte size Linux appends
 *
 * The protected-mode part starts at (setup_sects + 1) * 512. The payload
 * is the compressed vmlinux (arch/x86/boot/compressed: the stripped ELF
 * and, for relocatable kernels, its relocations), followed by the
 * uncompressed size as 32-bit little-endian (Linux's size_append).
 * A signed image carries its signature after the protected-mode part.
 */
#include <veneer/bzimage.h>
#include <veneer/errno.h>
#include <veneer/lib.h>

#define OFF_SETUP_SECTS    0x1f1
#define OFF_SYSSIZE        0x1f4
#define OFF_BOOT_FLAG      0x1fe
#define OFF_HEADER         0x202
#define OFF_VERSION        0x206
#define OFF_LOADFLAGS      0x211
#define OFF_PAYLOAD_OFFSET 0x248
#define OFF_PAYLOAD_LENGTH 0x24c
#define HEADER_END         0x250 /* every field above lies below this */
#define BOOT_FLAG          0xaa55
#define MIN_VERSION        0x208
#define LOADED_HIGH        0x01
#define SECTOR             512
#define SIZE_APPENDED      4

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

bool bzimage_probe(const void *img, size_t len)
{
    return img && len >= HEADER_END &&
           !memcmp((const uint8_t *)img + OFF_HEADER, "HdrS", 4);
}

static int refuse(const char **why, const char *msg)
{
    *why = msg;
    return -ENOEXEC;
}

int bzimage_parse(const void *img, size_t len, struct bzimage *bz,
                  const char **why)
{
    const uint8_t *p = img;
    uint64_t pm_start, pm_len, off, plen;

    memset(bz, 0, sizeof(*bz));
    if (!bzimage_probe(img, len))
        return refuse(why, "no boot-protocol header (\"HdrS\" at 0x202)");
    if (le16(p + OFF_BOOT_FLAG) != BOOT_FLAG)
        return refuse(why, "no 0xaa55 boot flag");
    bz->version = le16(p + OFF_VERSION);
    if (bz->version < MIN_VERSION)
        return refuse(why, "boot protocol older than 2.08 (no payload "
                           "fields)");
    if (!(p[OFF_LOADFLAGS] & LOADED_HIGH))
        return refuse(why, "a zImage, not a bzImage (not loaded high)");

    /* All in 64 bits: no sum below can overflow. */
    pm_start =
        ((uint64_t)(p[OFF_SETUP_SECTS] ? p[OFF_SETUP_SECTS] : 4) + 1) * SECTOR;
    pm_len = (uint64_t)le32(p + OFF_SYSSIZE) * 16;
    if (pm_start > len || pm_len > len - pm_start)
        return refuse(why, "the protected-mode part runs past the end of the "
                           "image (truncated?)");
    off = le32(p + OFF_PAYLOAD_OFFSET);
    plen = le32(p + OFF_PAYLOAD_LENGTH);
    if (off > pm_len || plen > pm_len - off)
        return refuse(why, "the payload lies outside the protected-mode part");
    if (plen <= SIZE_APPENDED)
        return refuse(why, "the payload is empty");

    bz->payload = p + pm_start + off;
    bz->payload_len = (size_t)(plen - SIZE_APPENDED);
    bz->kernel_size = le32(bz->payload + bz->payload_len);
    if (bz->kernel_size == 0)
        return refuse(why, "the payload's appended size is zero");
    if (bz->kernel_size > BZIMAGE_MAX_KERNEL)
        return refuse(why, "the payload's appended size is absurd (over "
                           "512 MiB)");
    return 0;
}
