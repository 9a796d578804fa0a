/*
 * The multiboot v1 information structure, read without trusting any of
 * it. Every field is used only when its flag says it is there, every
 * pointer is read through the caller's reader with the exact length we are
 * about to touch, strings and tables are bounded, and whatever is wrong is
 * recorded as a problem while the rest is still parsed: a bad module list
 * should not cost us the memory map, nor the other way round.
 */
#include <veneer/bootinfo.h>
#include <veneer/errno.h>
#include <veneer/lib.h>

/* mbi->flags */
#define MBI_MEM     (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS    (1u << 3)
#define MBI_MMAP    (1u << 6)
#define MBI_LOADER  (1u << 9)

/* Byte offsets in the information structure (multiboot spec, 3.3). */
#define MBI_OFF_MEM_LOWER   4
#define MBI_OFF_MEM_UPPER   8
#define MBI_OFF_CMDLINE     16
#define MBI_OFF_MODS_COUNT  20
#define MBI_OFF_MODS_ADDR   24
#define MBI_OFF_MMAP_LENGTH 44
#define MBI_OFF_MMAP_ADDR   48
#define MBI_OFF_LOADER      64

#define MOD_ENTRY_SIZE  16 /* mod_start, mod_end, string, reserved */
#define MMAP_ENTRY_MIN  20 /* base (8), length (8), type (4) after `size` */
#define MMAP_MAX_WALKED (BOOT_MAX_RANGES * 4) /* incl. skipped empty ones */

struct mb_parser {
    phys_reader_fn read;
    void *ctx;
    struct boot_info *bi;
};

static void problem(struct boot_info *bi, const char *why)
{
    if (bi->nr_problems < BOOT_MAX_PROBLEMS - 1)
        bi->problems[bi->nr_problems++] = why;
    else if (bi->nr_problems == BOOT_MAX_PROBLEMS - 1)
        bi->problems[bi->nr_problems++] = "more problems than can be listed";
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

enum str_result { STR_OK, STR_TRUNCATED, STR_UNREADABLE };

/*
 * Copies the string at paddr into dst[size], always terminated. Reads in
 * chunks up to the next page boundary, falling back to single bytes where a
 * chunk is not readable, so that a string ending just before the end of
 * readable memory is still found whole.
 */
static enum str_result read_string(struct mb_parser *p, paddr_t paddr,
                                   char *dst, size_t size)
{
    size_t got = 0;

    dst[0] = '\0';
    while (got < size) {
        paddr_t at = paddr + got;
        size_t chunk = MIN(size - got, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
        const char *src;

        if (at < paddr)
            return STR_UNREADABLE; /* wrapped around */
        src = p->read(p->ctx, at, chunk);
        if (!src) {
            chunk = 1;
            src = p->read(p->ctx, at, 1);
            if (!src) {
                dst[got] = '\0';
                return STR_UNREADABLE;
            }
        }
        for (size_t i = 0; i < chunk; i++, got++) {
            if (got == size - 1) {
                dst[got] = '\0';
                return src[i] ? STR_TRUNCATED : STR_OK;
            }
            dst[got] = src[i];
            if (!src[i])
                return STR_OK;
        }
    }
    return STR_OK; /* not reached: size - 1 stops the loop */
}

static void parse_cmdline(struct mb_parser *p, uint32_t addr)
{
    struct boot_info *bi = p->bi;

    switch (read_string(p, addr, bi->cmdline, sizeof(bi->cmdline))) {
    case STR_OK:
        break;
    case STR_TRUNCATED:
        bi->cmdline_truncated = true;
        problem(bi, "command line truncated");
        break;
    case STR_UNREADABLE:
        /* Half a command line could mean anything: use none of it. */
        bi->cmdline[0] = '\0';
        problem(bi, "command line not readable (or not terminated)");
        break;
    }
}

static void parse_loader(struct mb_parser *p, uint32_t addr)
{
    struct boot_info *bi = p->bi;

    /* Only shown to people: a truncated name is fine. */
    if (read_string(p, addr, bi->loader, sizeof(bi->loader)) ==
        STR_UNREADABLE) {
        bi->loader[0] = '\0';
        problem(bi, "boot loader name not readable");
    }
}

static void parse_modules(struct mb_parser *p, uint32_t count, uint32_t addr)
{
    struct boot_info *bi = p->bi;
    uint32_t keep = MIN(count, (uint32_t)BOOT_MAX_MODULES);

    if (count > keep) {
        bi->nr_modules_dropped = count - keep;
        problem(bi, "too many modules, the extra ones are ignored");
    }
    for (uint32_t i = 0; i < keep; i++) {
        paddr_t at = (paddr_t)addr + (paddr_t)i * MOD_ENTRY_SIZE;
        const uint8_t *e = p->read(p->ctx, at, MOD_ENTRY_SIZE);
        struct boot_module *mod;

        if (!e) {
            problem(bi, "module list not readable");
            bi->nr_modules_dropped += keep - i;
            return;
        }
        uint32_t start = get32(e), end = get32(e + 4), str = get32(e + 8);
        if (end < start) {
            problem(bi, "module ends before it starts, ignored");
            bi->nr_modules_dropped++;
            continue;
        }
        mod = &bi->modules[bi->nr_modules++];
        mod->start = start;
        mod->end = end;
        mod->cmdline[0] = '\0';
        if (!str)
            continue; /* no string is allowed */
        switch (read_string(p, str, mod->cmdline, sizeof(mod->cmdline))) {
        case STR_OK:
            break;
        case STR_TRUNCATED:
            problem(bi, "module command line truncated");
            break;
        case STR_UNREADABLE:
            mod->cmdline[0] = '\0';
            problem(bi, "module command line not readable");
            break;
        }
    }
}

/*
 * Entries are { u32 size; u64 base; u64 length; u32 type; } and `size`
 * (not counting itself) says where the next one starts. A size below 20
 * or past mmap_length means the table cannot be walked on: stop there and
 * keep what was read.
 */
static void parse_mmap(struct mb_parser *p, uint32_t length, uint32_t addr)
{
    struct boot_info *bi = p->bi;
    uint64_t off = 0;
    unsigned int walked = 0;

    while (off < length) {
        const uint8_t *e;
        uint32_t size;

        if (length - off < 4 + MMAP_ENTRY_MIN) {
            problem(bi, "memory map ends inside an entry");
            return;
        }
        if (++walked > MMAP_MAX_WALKED || bi->nr_ranges == BOOT_MAX_RANGES) {
            problem(bi, "memory map has too many entries, rest ignored");
            return;
        }
        e = p->read(p->ctx, (paddr_t)addr + off, 4 + MMAP_ENTRY_MIN);
        if (!e) {
            problem(bi, "memory map not readable");
            return;
        }
        size = get32(e);
        if (size < MMAP_ENTRY_MIN) {
            problem(bi, "memory map entry too small, rest ignored");
            return;
        }
        if ((uint64_t)size + 4 > length - off) {
            problem(bi, "memory map entry runs past the map, rest ignored");
            return;
        }
        off += (uint64_t)size + 4;

        uint64_t base = get64(e + 4), len = get64(e + 12);
        uint32_t type = get32(e + 20);
        if (!len)
            continue;
        if (base + len < base) {
            problem(bi, "memory map entry wraps around, ignored");
            continue;
        }
        bi->ranges[bi->nr_ranges++] =
            (struct mem_range){base, base + len, type};
    }
}

/* Without a memory map, the legacy fields still describe two ranges of
 * RAM: below 640K and from 1 MiB up to the first hole. */
static void ranges_from_mem_fields(struct boot_info *bi)
{
    if (bi->mem_lower_kib)
        bi->ranges[bi->nr_ranges++] = (struct mem_range){
            0, MIN(bi->mem_lower_kib, 640) * 1024, MEM_USABLE};
    if (bi->mem_upper_kib)
        bi->ranges[bi->nr_ranges++] = (struct mem_range){
            MiB(1), MiB(1) + bi->mem_upper_kib * 1024, MEM_USABLE};
}

int multiboot_parse(uint32_t magic, paddr_t mbi_paddr, phys_reader_fn read,
                    void *ctx, struct boot_info *bi)
{
    struct mb_parser p = {read, ctx, bi};
    uint8_t mbi[MBI_OFF_LOADER + 4];
    const uint8_t *src;
    uint32_t flags;
    size_t need;

    memset(bi, 0, sizeof(*bi));
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        problem(bi, "not started by a multiboot loader (bad magic)");
        return -EINVAL;
    }
    src = read(ctx, mbi_paddr, 4);
    if (!src) {
        problem(bi, "multiboot information not readable");
        return -EINVAL;
    }
    flags = get32(src);
    /* Read exactly as far as the last field that the flags announce. */
    need = flags & MBI_LOADER    ? MBI_OFF_LOADER + 4
           : flags & MBI_MMAP    ? MBI_OFF_MMAP_ADDR + 4
           : flags & MBI_MODS    ? MBI_OFF_MODS_ADDR + 4
           : flags & MBI_CMDLINE ? MBI_OFF_CMDLINE + 4
           : flags & MBI_MEM     ? MBI_OFF_MEM_UPPER + 4
                                 : 4;
    src = read(ctx, mbi_paddr, need);
    if (!src) {
        problem(bi, "multiboot information not readable");
        return -EINVAL;
    }
    /* A copy: the reader's mapping need not outlive the next read. */
    memset(mbi, 0, sizeof(mbi));
    memcpy(mbi, src, need);

    if (flags & MBI_MEM) {
        bi->mem_lower_kib = get32(mbi + MBI_OFF_MEM_LOWER);
        bi->mem_upper_kib = get32(mbi + MBI_OFF_MEM_UPPER);
    }
    if (flags & MBI_CMDLINE)
        parse_cmdline(&p, get32(mbi + MBI_OFF_CMDLINE));
    if (flags & MBI_LOADER)
        parse_loader(&p, get32(mbi + MBI_OFF_LOADER));
    if (flags & MBI_MODS)
        parse_modules(&p, get32(mbi + MBI_OFF_MODS_COUNT),
                      get32(mbi + MBI_OFF_MODS_ADDR));
    if (flags & MBI_MMAP)
        parse_mmap(&p, get32(mbi + MBI_OFF_MMAP_LENGTH),
                   get32(mbi + MBI_OFF_MMAP_ADDR));
    if (!bi->nr_ranges && (flags & MBI_MEM))
        ranges_from_mem_fields(bi);
    if (!bi->nr_ranges)
        problem(bi, "no memory map");
    return 0;
}
