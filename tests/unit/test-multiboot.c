/*
 * multiboot_parse() against information structures built in a host buffer
 * that stands for physical memory. The reader refuses anything outside the
 * buffer (exactly like the hypervisor's reader refuses what is not RAM),
 * so a parser that follows a pointer unchecked fails here instead of
 * reading the host's memory; valgrind watches the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <veneer/bootinfo.h>
#include <veneer/errno.h>

#include "unit.h"

#define MEM_BASE 0x10000u /* "physical" address of mem[0] */
#define MEM_SIZE 0x20000u

struct phys {
    uint8_t *mem;
    unsigned long reads, refused;
};

static const void *reader(void *ctx, paddr_t paddr, size_t len)
{
    struct phys *p = ctx;

    CU_ASSERT(len > 0);
    p->reads++;
    if (paddr < MEM_BASE || paddr - MEM_BASE > MEM_SIZE ||
        len > MEM_SIZE - (paddr - MEM_BASE)) {
        p->refused++;
        return NULL;
    }
    return p->mem + (paddr - MEM_BASE);
}

/* Building blocks: offsets into mem, written little-endian like x86. */
static void put32(struct phys *p, uint32_t paddr, uint32_t v)
{
    memcpy(p->mem + paddr - MEM_BASE, &v, 4);
}

static void put64(struct phys *p, uint32_t paddr, uint64_t v)
{
    memcpy(p->mem + paddr - MEM_BASE, &v, 8);
}

static void put_str(struct phys *p, uint32_t paddr, const char *s)
{
    memcpy(p->mem + paddr - MEM_BASE, s, strlen(s) + 1);
}

#define MBI      0x10000u
#define CMDLINE  0x11000u
#define LOADER   0x11800u
#define MODS     0x12000u
#define MOD_STRS 0x16000u /* past a 1000-entry module table */
#define MMAP     0x18000u

static struct phys *phys_new(void)
{
    struct phys *p = calloc(1, sizeof(*p));
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p->mem = calloc(1, MEM_SIZE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->mem);
    return p;
}

static void phys_free(struct phys *p)
{
    free(p->mem);
    free(p);
}

static void put_mmap_entry(struct phys *p, uint32_t *at, uint32_t size,
                           uint64_t base, uint64_t len, uint32_t type)
{
    put32(p, *at, size);
    put64(p, *at + 4, base);
    put64(p, *at + 12, len);
    put32(p, *at + 20, type);
    *at += size + 4;
}

/* A complete, well-formed MBI like QEMU's: flags 0x24f. */
static void build_good(struct phys *p, unsigned int nr_mods)
{
    uint32_t at = MMAP;

    put32(p, MBI, 0x1 | 0x4 | 0x8 | 0x40 | 0x200);
    put32(p, MBI + 4, 639);
    put32(p, MBI + 8, 130048);
    put32(p, MBI + 16, CMDLINE);
    put_str(p, CMDLINE, "veneer.bin loglvl=debug selftest");
    put32(p, MBI + 64, LOADER);
    put_str(p, LOADER, "qemu");
    put32(p, MBI + 20, nr_mods);
    put32(p, MBI + 24, MODS);
    for (unsigned int i = 0; i < nr_mods && i < 1000; i++) {
        /* 64 distinct strings; later modules reuse them */
        uint32_t e = MODS + i * 16, s = MOD_STRS + (i % 64) * 32;
        put32(p, e, 0x200000 + i * 0x10000);
        put32(p, e + 4, 0x200000 + i * 0x10000 + 0x1234);
        put32(p, e + 8, s);
        put32(p, e + 12, 0);
        char name[32];
        snprintf(name, sizeof(name), "mod%u arg=%u", i, i);
        if (i < 64)
            put_str(p, s, name);
    }
    put_mmap_entry(p, &at, 20, 0, 0x9fc00, MEM_USABLE);
    put_mmap_entry(p, &at, 20, 0x9fc00, 0x400, MEM_RESERVED);
    put_mmap_entry(p, &at, 20, 0x100000, 0x7ee0000, MEM_USABLE);
    put_mmap_entry(p, &at, 20, 0xfffc0000, 0x40000, MEM_RESERVED);
    put32(p, MBI + 44, at - MMAP);
    put32(p, MBI + 48, MMAP);
}

static bool has_problem(const struct boot_info *bi, const char *word)
{
    for (unsigned int i = 0; i < bi->nr_problems; i++) {
        if (strstr(bi->problems[i], word))
            return true;
    }
    return false;
}

static struct boot_info *bi_new(void)
{
    struct boot_info *bi = malloc(sizeof(*bi));
    CU_ASSERT_PTR_NOT_NULL_FATAL(bi);
    memset(bi, 0x5a, sizeof(*bi)); /* parse must not rely on zeroes */
    return bi;
}

static void test_good(void)
{
    struct phys *p = phys_new();
    struct boot_info *bi = bi_new();

    build_good(p, 2);
    CU_ASSERT_EQUAL(
        multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi), 0);
    CU_ASSERT_EQUAL(bi->nr_problems, 0);
    CU_ASSERT_STRING_EQUAL(bi->cmdline, "veneer.bin loglvl=debug selftest");
    CU_ASSERT_FALSE(bi->cmdline_truncated);
    CU_ASSERT_STRING_EQUAL(bi->loader, "qemu");
    CU_ASSERT_EQUAL(bi->mem_lower_kib, 639);
    CU_ASSERT_EQUAL(bi->mem_upper_kib, 130048);
    CU_ASSERT_EQUAL_FATAL(bi->nr_modules, 2);
    CU_ASSERT_EQUAL(bi->nr_modules_dropped, 0);
    CU_ASSERT_EQUAL(bi->modules[0].start, 0x200000);
    CU_ASSERT_EQUAL(bi->modules[0].end, 0x201234);
    CU_ASSERT_STRING_EQUAL(bi->modules[0].cmdline, "mod0 arg=0");
    CU_ASSERT_EQUAL(bi->modules[1].start, 0x210000);
    CU_ASSERT_STRING_EQUAL(bi->modules[1].cmdline, "mod1 arg=1");
    CU_ASSERT_EQUAL_FATAL(bi->nr_ranges, 4);
    CU_ASSERT_EQUAL(bi->ranges[0].start, 0);
    CU_ASSERT_EQUAL(bi->ranges[0].end, 0x9fc00);
    CU_ASSERT_EQUAL(bi->ranges[0].type, MEM_USABLE);
    CU_ASSERT_EQUAL(bi->ranges[1].type, MEM_RESERVED);
    CU_ASSERT_EQUAL(bi->ranges[2].end, 0x7fe0000);
    CU_ASSERT_EQUAL(bi->ranges[3].end, 0x100000000ULL);
    CU_ASSERT_EQUAL(p->refused, 0);
    free(bi);
    phys_free(p);
}

static void test_flags_guard_fields(void)
{
    struct phys *p = phys_new();
    struct boot_info *bi = bi_new();

    /* Garbage in every field, but no flags: none of it may be used. */
    memset(p->mem, 0xee, MEM_SIZE);
    put32(p, MBI, 0);
    CU_ASSERT_EQUAL(
        multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi), 0);
    CU_ASSERT_STRING_EQUAL(bi->cmdline, "");
    CU_ASSERT_STRING_EQUAL(bi->loader, "");
    CU_ASSERT_EQUAL(bi->nr_modules, 0);
    CU_ASSERT_EQUAL(bi->nr_ranges, 0);
    CU_ASSERT_EQUAL(bi->mem_upper_kib, 0);
    CU_ASSERT_TRUE(has_problem(bi, "no memory map"));
    CU_ASSERT_EQUAL(p->refused, 0);

    /* Only the mem fields: two ranges are made from them. */
    put32(p, MBI, 0x1);
    put32(p, MBI + 4, 640);
    put32(p, MBI + 8, 31 * 1024);
    CU_ASSERT_EQUAL(
        multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi), 0);
    CU_ASSERT_EQUAL(bi->nr_problems, 0);
    CU_ASSERT_EQUAL_FATAL(bi->nr_ranges, 2);
    CU_ASSERT_EQUAL(bi->ranges[0].end, 640 * 1024);
    CU_ASSERT_EQUAL(bi->ranges[1].start, MiB(1));
    CU_ASSERT_EQUAL(bi->ranges[1].end, MiB(32));
    free(bi);
    phys_free(p);
}

static void test_bad_magic_and_mbi(void)
{
    struct phys *p = phys_new();
    struct boot_info *bi = bi_new();

    build_good(p, 1);
    CU_ASSERT_EQUAL(multiboot_parse(0x36d76289, MBI, reader, p, bi), -EINVAL);
    CU_ASSERT_TRUE(has_problem(bi, "magic"));
    CU_ASSERT_EQUAL(p->reads, 0); /* nothing read on a bad magic */
    CU_ASSERT_EQUAL(
        multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, 0x1000, reader, p, bi),
        -EINVAL);
    CU_ASSERT_TRUE(has_problem(bi, "not readable"));
    /* The header itself straddles the end of memory. */
    put32(p, MBI + MEM_SIZE - 8, 0x24f);
    CU_ASSERT_EQUAL(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC,
                                    MBI + MEM_SIZE - 8, reader, p, bi),
                    -EINVAL);
    CU_ASSERT_EQUAL(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC,
                                    0xfffffffffffffffeULL, reader, p, bi),
                    -EINVAL);
    free(bi);
    phys_free(p);
}

static void test_cmdline_hostile(void)
{
    struct phys *p = phys_new();
    struct boot_info *bi = bi_new();

    /* Longer than CMDLINE_MAX: kept truncated, flagged. */
    build_good(p, 0);
    memset(p->mem + CMDLINE - MEM_BASE, 'a', 3000);
    p->mem[CMDLINE - MEM_BASE + 3000] = '\0';
    CU_ASSERT_EQUAL(
        multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi), 0);
    CU_ASSERT_TRUE(bi->cmdline_truncated);
    CU_ASSERT_EQUAL(strlen(bi->cmdline), CMDLINE_MAX - 1);
    CU_ASSERT_TRUE(has_problem(bi, "truncated"));
    CU_ASSERT_EQUAL(bi->nr_ranges, 4); /* the rest still parsed */

    /* Exactly CMDLINE_MAX - 1 characters fit. */
    p->mem[CMDLINE - MEM_BASE + CMDLINE_MAX - 1] = '\0';
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_FALSE(bi->cmdline_truncated);
    CU_ASSERT_EQUAL(bi->nr_problems, 0);

    /* Unterminated up to the very end of memory: not used at all. */
    uint32_t tail = MEM_BASE + MEM_SIZE - 100;
    memset(p->mem + tail - MEM_BASE, 'b', 100);
    put32(p, MBI + 16, tail);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_STRING_EQUAL(bi->cmdline, "");
    CU_ASSERT_TRUE(has_problem(bi, "command line not readable"));

    /* Terminated in the very last byte: read whole. */
    p->mem[MEM_SIZE - 1] = '\0';
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(strlen(bi->cmdline), 99);
    CU_ASSERT_EQUAL(bi->nr_problems, 0);

    /* Pointers to nowhere: cmdline and loader name. */
    put32(p, MBI + 16, 0);
    put32(p, MBI + 64, 0xfffffff0);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_STRING_EQUAL(bi->cmdline, "");
    CU_ASSERT_STRING_EQUAL(bi->loader, "");
    CU_ASSERT_TRUE(has_problem(bi, "command line not readable"));
    CU_ASSERT_TRUE(has_problem(bi, "loader name"));
    CU_ASSERT_EQUAL(bi->nr_ranges, 4);

    /* A long loader name is cut to fit, silently. */
    put32(p, MBI + 64, LOADER);
    memset(p->mem + LOADER - MEM_BASE, 'L', 500);
    p->mem[LOADER - MEM_BASE + 500] = '\0';
    put32(p, MBI + 16, CMDLINE);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(strlen(bi->loader), sizeof(bi->loader) - 1);
    free(bi);
    phys_free(p);
}

static void test_modules_hostile(void)
{
    struct phys *p = phys_new();
    struct boot_info *bi = bi_new();

    /* 1000 modules: the first BOOT_MAX_MODULES kept, the rest counted. */
    build_good(p, 1000);
    CU_ASSERT_EQUAL(
        multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi), 0);
    CU_ASSERT_EQUAL(bi->nr_modules, BOOT_MAX_MODULES);
    CU_ASSERT_EQUAL(bi->nr_modules_dropped, 1000 - BOOT_MAX_MODULES);
    CU_ASSERT_STRING_EQUAL(bi->modules[15].cmdline, "mod15 arg=15");
    CU_ASSERT_TRUE(has_problem(bi, "too many modules"));
    CU_ASSERT(p->reads < 200); /* the dropped ones are not even read */

    /* mods_count of 2^32-1 at a table near the end of memory. */
    put32(p, MBI + 20, 0xffffffff);
    put32(p, MBI + 24, MEM_BASE + MEM_SIZE - 16 * 3);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(bi->nr_modules, 3);
    CU_ASSERT_EQUAL(bi->nr_modules_dropped, 0xffffffffu - 3);
    CU_ASSERT_TRUE(has_problem(bi, "module list not readable"));
    CU_ASSERT_EQUAL(bi->nr_ranges, 4);

    /* The table pointer out of range altogether. */
    put32(p, MBI + 20, 2);
    put32(p, MBI + 24, 0xfffffff8);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(bi->nr_modules, 0);
    CU_ASSERT_EQUAL(bi->nr_modules_dropped, 2);
    CU_ASSERT_TRUE(has_problem(bi, "module list not readable"));

    /* end < start, a string pointer to nowhere, no string at all. */
    build_good(p, 4);
    put32(p, MODS + 4, 0x1000); /* module 0 ends before it starts */
    put32(p, MODS + 16 + 8, 0xfffffff0);
    put32(p, MODS + 32 + 8, 0);
    put32(p, MODS + 48, 0x300000); /* empty module: allowed */
    put32(p, MODS + 48 + 4, 0x300000);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL_FATAL(bi->nr_modules, 3);
    CU_ASSERT_EQUAL(bi->nr_modules_dropped, 1);
    CU_ASSERT_TRUE(has_problem(bi, "ends before it starts"));
    CU_ASSERT_TRUE(has_problem(bi, "module command line not readable"));
    CU_ASSERT_STRING_EQUAL(bi->modules[0].cmdline, "");
    CU_ASSERT_STRING_EQUAL(bi->modules[1].cmdline, "");
    CU_ASSERT_EQUAL(bi->modules[2].start, bi->modules[2].end);
    CU_ASSERT_STRING_EQUAL(bi->modules[2].cmdline, "mod3 arg=3");
    free(bi);
    phys_free(p);
}

static void test_mmap_hostile(void)
{
    struct phys *p = phys_new();
    struct boot_info *bi = bi_new();
    uint32_t at;

    /* size 0 in the second entry: the first is kept, the walk stops. */
    build_good(p, 0);
    put32(p, MMAP + 24, 0);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(bi->nr_ranges, 1);
    CU_ASSERT_TRUE(has_problem(bi, "too small"));

    /* a huge size field: runs past mmap_length */
    put32(p, MMAP + 24, 0xfffffff0);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(bi->nr_ranges, 1);
    CU_ASSERT_TRUE(has_problem(bi, "runs past"));

    /* a bigger-than-usual size is fine: entries grow at the end */
    at = MMAP;
    put_mmap_entry(p, &at, 28, 0, 0x9f000, MEM_USABLE);
    put_mmap_entry(p, &at, 20, 0x100000, 0x100000, MEM_USABLE);
    put_mmap_entry(p, &at, 20, 0x200000, 0, MEM_USABLE); /* empty: skipped */
    put_mmap_entry(p, &at, 20, 0xfffffffffffff000ULL, 0x2000, MEM_USABLE);
    put32(p, MBI + 44, at - MMAP);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(bi->nr_ranges, 2);
    CU_ASSERT_EQUAL(bi->ranges[1].start, 0x100000);
    CU_ASSERT_TRUE(has_problem(bi, "wraps"));

    /* mmap_length cutting the last entry in half */
    put32(p, MBI + 44, 24 + 32 + 10);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(bi->nr_ranges, 2);
    CU_ASSERT_TRUE(has_problem(bi, "ends inside an entry"));

    /* mmap_length of 4 GiB - 1 over a table reaching the end of memory */
    at = MMAP;
    while (at + 24 <= MEM_BASE + MEM_SIZE)
        put_mmap_entry(p, &at, 20, 0, 0, MEM_USABLE);
    put32(p, MBI + 44, 0xffffffff);
    p->reads = 0;
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_TRUE(has_problem(bi, "too many entries"));
    CU_ASSERT(p->reads < 1000); /* bounded walk */

    /* more entries than BOOT_MAX_RANGES */
    at = MMAP;
    for (int i = 0; i < 200; i++)
        put_mmap_entry(p, &at, 20, (uint64_t)i << 20, 4096, MEM_USABLE);
    put32(p, MBI + 44, at - MMAP);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(bi->nr_ranges, BOOT_MAX_RANGES);
    CU_ASSERT_TRUE(has_problem(bi, "too many entries"));

    /* the map pointer out of range: fall back to the mem fields */
    put32(p, MBI + 48, 0x100);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_TRUE(has_problem(bi, "memory map not readable"));
    CU_ASSERT_EQUAL(bi->nr_ranges, 2);
    CU_ASSERT_EQUAL(bi->ranges[1].end, MiB(1) + KiB(130048));
    free(bi);
    phys_free(p);
}

static void test_problem_cap(void)
{
    struct phys *p = phys_new();
    struct boot_info *bi = bi_new();

    /* Every module bad: far more problems than slots. */
    build_good(p, 16);
    for (int i = 0; i < 16; i++)
        put32(p, MODS + i * 16 + 4, 0);
    multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
    CU_ASSERT_EQUAL(bi->nr_problems, BOOT_MAX_PROBLEMS);
    CU_ASSERT_TRUE(has_problem(bi, "more problems"));
    CU_ASSERT_EQUAL(bi->nr_modules, 0);
    CU_ASSERT_EQUAL(bi->nr_modules_dropped, 16);
    free(bi);
    phys_free(p);
}

/* Random bytes as an MBI, with every flag: the parser must survive and
 * its output must stay within its bounds. */
static void test_random_garbage(void)
{
    struct phys *p = phys_new();
    struct boot_info *bi = bi_new();
    uint64_t s = 0x853c49e6748fea9bULL;

    for (int round = 0; round < 300; round++) {
        for (uint32_t i = 0; i < MEM_SIZE; i += 8) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            /* pointers land in memory often enough to be followed */
            uint64_t v = s % 3 ? MEM_BASE + (s >> 40) % MEM_SIZE : s;
            memcpy(p->mem + i, &v, 8);
        }
        put32(p, MBI, 0xffffffff);
        multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI, reader, p, bi);
        CU_ASSERT_FATAL(bi->nr_ranges <= BOOT_MAX_RANGES);
        CU_ASSERT_FATAL(bi->nr_modules <= BOOT_MAX_MODULES);
        CU_ASSERT_FATAL(bi->nr_problems <= BOOT_MAX_PROBLEMS);
        CU_ASSERT_FATAL(strlen(bi->cmdline) < CMDLINE_MAX);
        CU_ASSERT_FATAL(strlen(bi->loader) < sizeof(bi->loader));
        for (unsigned int i = 0; i < bi->nr_ranges; i++)
            CU_ASSERT_FATAL(bi->ranges[i].start < bi->ranges[i].end);
        for (unsigned int i = 0; i < bi->nr_modules; i++) {
            CU_ASSERT_FATAL(bi->modules[i].start <= bi->modules[i].end);
            CU_ASSERT_FATAL(strlen(bi->modules[i].cmdline) < CMDLINE_MAX);
        }
    }
    free(bi);
    phys_free(p);
}

static const struct unit_case multiboot_cases[] = {
    {"a QEMU-like MBI gives cmdline, loader, modules and map", test_good},
    {"fields are read only when their flag is set; mem fields fall back",
     test_flags_guard_fields},
    {"bad magic, unreadable or truncated MBI return -EINVAL",
     test_bad_magic_and_mbi},
    {"long, unterminated and dangling strings are bounded",
     test_cmdline_hostile},
    {"1000 modules, huge counts, bad tables and bad modules",
     test_modules_hostile},
    {"mmap size 0 or huge, cut tables, wraps, too many entries",
     test_mmap_hostile},
    {"problems are capped with a final 'more problems' entry",
     test_problem_cap},
    {"300 random MBIs with every flag stay within bounds", test_random_garbage},
    {NULL, NULL},
};
UNIT_SUITE(multiboot, multiboot_cases)
