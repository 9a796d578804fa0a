/*
 * What the boot loader told us, copied out of the multiboot v1 information
 * structure into our own memory before anything else can overwrite it.
 *
 * The parser trusts nothing: every pointer in the structure is checked
 * against the memory the caller says is readable, strings are bounded, and
 * counts are capped. Problems are recorded in `problems` with a message;
 * they never stop the parse.
 */
#ifndef VENEER_BOOTINFO_H
#define VENEER_BOOTINFO_H

#include <veneer/types.h>
#include <veneer/cmdline.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#define BOOT_MAX_RANGES   128
#define BOOT_MAX_MODULES  16
#define BOOT_MAX_PROBLEMS 8

enum mem_type {
    MEM_USABLE = 1, /* multiboot/e820 type 1 */
    MEM_RESERVED = 2,
    MEM_ACPI_RECLAIM = 3,
    MEM_ACPI_NVS = 4,
    MEM_BAD = 5,
};

struct mem_range {
    paddr_t start;
    paddr_t end;   /* exclusive */
    uint32_t type; /* enum mem_type, or the loader's unknown value */
};

struct boot_module {
    paddr_t start;
    paddr_t end;               /* exclusive */
    char cmdline[CMDLINE_MAX]; /* the module's path and arguments */
};

struct boot_info {
    char cmdline[CMDLINE_MAX];
    bool cmdline_truncated;
    char loader[64];
    struct mem_range ranges[BOOT_MAX_RANGES];
    unsigned int nr_ranges;
    struct boot_module modules[BOOT_MAX_MODULES];
    unsigned int nr_modules;
    /* Announced but not in modules[]: beyond BOOT_MAX_MODULES, or not
     * readable / ending before they start (a problem says which). */
    unsigned int nr_modules_dropped;
    uint64_t mem_lower_kib, mem_upper_kib; /* the legacy fields */
    const char *problems[BOOT_MAX_PROBLEMS];
    unsigned int nr_problems;
};

/*
 * Maps len bytes of physical memory at paddr for reading, or returns NULL if
 * that range is not readable (outside RAM, wraps around, ...).
 */
typedef const void *(*phys_reader_fn)(void *ctx, paddr_t paddr, size_t len);

/*
 * Fills bi from the multiboot v1 information at mbi_paddr. Returns 0, or
 * -EINVAL when magic is wrong or the structure itself is unreadable (bi then
 * holds a problem saying why). Missing optional parts are not errors.
 */
int multiboot_parse(uint32_t magic, paddr_t mbi_paddr, phys_reader_fn read,
                    void *ctx, struct boot_info *bi);

#endif
