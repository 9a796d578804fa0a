/* The boot modules: what each one is, judged from its bytes. */
#ifndef VENEER_MODULES_H
#define VENEER_MODULES_H

#include <veneer/bootinfo.h>
#include <veneer/memmap.h>

enum module_kind {
    MODULE_UNREADABLE, /* outside RAM or empty */
    MODULE_PV_KERNEL,  /* ELF with Xen notes */
    MODULE_ELF_NOT_PV, /* ELF without Xen notes */
    MODULE_ELF_BROKEN, /* starts like ELF, does not parse */
    MODULE_BZIMAGE,
    MODULE_GZIP,
    MODULE_XZ,
    MODULE_ZSTD,
    MODULE_CPIO,
    MODULE_UNKNOWN,
};

/* Classifies one module; *why gets a detail for the broken kinds. */
enum module_kind module_classify(const struct boot_module *m,
                                 const struct memmap *ram, const char **why);
const char *module_kind_name(enum module_kind kind);
/* Prints the module list ("modules: N" and a line per module). */
void modules_report(const struct boot_info *bi, const struct memmap *ram);

#endif
