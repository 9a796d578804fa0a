/*
 * Boot modules are untrusted bytes from the boot loader. Before any domain
 * builder touches them we say what each one is: a PV kernel (ELF with Xen
 * notes), another ELF, a bzImage, a compressed blob, an initramfs (cpio), or
 * something unrecognised, so that a wrong module is named in the log and
 * never half-used.
 */
#include <veneer/console.h>
#include <veneer/elf.h>
#include <veneer/format.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/modules.h>

static bool inside_ram(const struct memmap *ram, paddr_t s, paddr_t e)
{
    for (unsigned int i = 0; i < ram->n; i++) {
        if (s >= ram->r[i].start && e <= ram->r[i].end)
            return true;
    }
    return false;
}

static int find_xen_note(void *ctx, const char *name, uint32_t type,
                         const void *desc, size_t desc_len)
{
    return strcmp(name, "Xen") == 0 ? 1 : 0;
}

static bool starts_with(const uint8_t *p, size_t len, const char *magic,
                        size_t n)
{
    return len >= n && memcmp(p, magic, n) == 0;
}

enum module_kind module_classify(const struct boot_module *m,
                                 const struct memmap *ram, const char **why)
{
    *why = NULL;
    if (m->end <= m->start || !inside_ram(ram, m->start, m->end)) {
        *why = m->end <= m->start ? "empty" : "not inside RAM";
        return MODULE_UNREADABLE;
    }
    const uint8_t *p = phys_to_virt(m->start);
    size_t len = (size_t)(m->end - m->start);

    if (starts_with(p, len, "\177ELF", 4)) {
        static struct elf_image img;
        if (elf_parse(&img, p, len)) {
            *why = img.error;
            return MODULE_ELF_BROKEN;
        }
        int rc = elf_for_each_note(&img, find_xen_note, NULL);
        if (rc < 0) {
            *why = img.error;
            return MODULE_ELF_BROKEN;
        }
        return rc == 1 ? MODULE_PV_KERNEL : MODULE_ELF_NOT_PV;
    }
    if (len > 0x206 && memcmp(p + 0x202, "HdrS", 4) == 0)
        return MODULE_BZIMAGE;
    if (starts_with(p, len, "\x1f\x8b", 2))
        return MODULE_GZIP;
    if (starts_with(p, len,
                    "\xfd"
                    "7zXZ\0",
                    6))
        return MODULE_XZ;
    if (starts_with(p, len, "\x28\xb5\x2f\xfd", 4))
        return MODULE_ZSTD;
    if (starts_with(p, len, "070701", 6) || starts_with(p, len, "070702", 6))
        return MODULE_CPIO;
    return MODULE_UNKNOWN;
}

const char *module_kind_name(enum module_kind kind)
{
    switch (kind) {
    case MODULE_UNREADABLE:
        return "unreadable";
    case MODULE_PV_KERNEL:
        return "ELF kernel with Xen notes (PV kernel)";
    case MODULE_ELF_NOT_PV:
        return "ELF image without Xen notes (not a PV kernel)";
    case MODULE_ELF_BROKEN:
        return "malformed ELF image";
    case MODULE_BZIMAGE:
        return "Linux bzImage";
    case MODULE_GZIP:
        return "gzip data (initramfs?)";
    case MODULE_XZ:
        return "xz data (initramfs?)";
    case MODULE_ZSTD:
        return "zstd data (initramfs?)";
    case MODULE_CPIO:
        return "cpio archive (initramfs)";
    case MODULE_UNKNOWN:
        break;
    }
    return "unrecognised data";
}

void modules_report(const struct boot_info *bi, const struct memmap *ram)
{
    char size[32];

    if (bi->nr_modules == 0) {
        pr_info("no modules: nothing to run as the initial domain\n");
        return;
    }
    pr_info("modules: %u\n", bi->nr_modules);
    for (unsigned int i = 0; i < bi->nr_modules; i++) {
        const struct boot_module *m = &bi->modules[i];
        const char *why;
        enum module_kind kind = module_classify(m, ram, &why);
        pr_info("  module %u: %#lx-%#lx (%s) \"%s\": %s%s%s\n", i, m->start,
                m->end,
                format_size(size, sizeof(size),
                            m->end > m->start ? m->end - m->start : 0),
                m->cmdline, module_kind_name(kind), why ? ": " : "",
                why ? why : "");
        if (kind == MODULE_UNKNOWN || kind == MODULE_UNREADABLE ||
            kind == MODULE_ELF_BROKEN)
            pr_warn("warning: module %u is not usable: %s\n", i,
                    module_kind_name(kind));
    }
    if (bi->nr_modules_dropped)
        pr_warn("warning: %u more modules ignored (at most %u)\n",
                bi->nr_modules_dropped, BOOT_MAX_MODULES);
}
