/*
 * start_veneer(): the story of a boot, in order. head.S arrives here in long
 * mode, on the boot page tables (first 4 GiB identity-mapped and at
 * HV_VIRT_BASE), with a stack and nothing else.
 *
 *   1. COM1 and the exception handlers, so that anything after can be seen;
 *   2. the boot loader's information, copied out, and our command line;
 *   3. memory: the RAM map, our page tables, the frame allocator, the heap;
 *   4. time: the TSC, the local APIC and its timer;
 *   5. the boot modules, then "ready"; the self-tests when asked.
 */
#include <veneer/apic.h>
#include <veneer/boot_defs.h>
#include <veneer/bootinfo.h>
#include <veneer/cmdline.h>
#include <veneer/console.h>
#include <veneer/format.h>
#include <veneer/heap.h>
#include <veneer/memmap.h>
#include <veneer/mm.h>
#include <veneer/modules.h>
#include <veneer/selftest.h>
#include <veneer/time.h>
#include <veneer/timer.h>
#include <veneer/traps.h>
#include <veneer/version.h>

void __noreturn start_veneer(uint32_t magic, uint32_t mbi_paddr);

extern const char __image_end[];

static struct boot_info boot_info;
static struct hv_options options;
static struct memmap ram, free_ram;

/* The multiboot data sits below 4 GiB, reachable through the boot
 * identity map; anything else is refused. */
static const void *read_boot_memory(void *ctx, paddr_t pa, size_t len)
{
    if (pa == 0 || pa + len < pa || pa + len > GiB(4))
        return NULL;
    return (const void *)pa;
}

static void report_cmdline_problem(void *ctx, const char *option,
                                   const char *why)
{
    pr_warn("warning: command line: %s: %s\n", option, why);
}

static const char *mem_type_name(uint32_t type)
{
    switch (type) {
    case MEM_USABLE:
        return "usable";
    case MEM_RESERVED:
        return "reserved";
    case MEM_ACPI_RECLAIM:
        return "ACPI data";
    case MEM_ACPI_NVS:
        return "ACPI NVS";
    case MEM_BAD:
        return "bad memory";
    }
    return "unknown type";
}

static void parse_boot_info(uint32_t magic, uint32_t mbi_paddr)
{
    int rc =
        multiboot_parse(magic, mbi_paddr, read_boot_memory, NULL, &boot_info);

    for (unsigned int i = 0; i < boot_info.nr_problems; i++)
        pr_warn("warning: boot information: %s\n", boot_info.problems[i]);
    if (rc) {
        pr_err("error: not started by a multiboot v1 loader (magic %#x); "
               "cannot go on\n",
               magic);
        machine_exit(VENEER_EXIT_FAIL);
    }

    cmdline_defaults(&options);
    if (boot_info.cmdline_truncated)
        pr_warn("warning: command line truncated to %u bytes\n",
                CMDLINE_MAX - 1);
    cmdline_parse(boot_info.cmdline, &options, report_cmdline_problem, NULL);
    console_set_level(options.loglvl);
    console_set_kind(options.console);
    pr_info("command line: %s\n", boot_info.cmdline);
}

static void setup_memory(void)
{
    pr_info("memory map:\n");
    for (unsigned int i = 0; i < boot_info.nr_ranges; i++) {
        const struct mem_range *r = &boot_info.ranges[i];
        pr_info("  %016lx-%016lx %s\n", r->start, r->end,
                mem_type_name(r->type));
    }
    memmap_from_ranges(&ram, boot_info.ranges, boot_info.nr_ranges);
    uint64_t total = memmap_total(&ram);
    pr_info("RAM: %lu MiB usable\n", total >> 20);
    if (total < MIN_USABLE_RAM) {
        pr_err("error: not enough memory: %lu MiB usable, veneer needs at "
               "least %lu MiB\n",
               total >> 20, MIN_USABLE_RAM >> 20);
        machine_exit(VENEER_EXIT_FAIL);
    }

    /* Free RAM = RAM minus the first MiB (firmware), our image and the
     * modules, which the domain builder will read later. */
    free_ram = ram;
    int rc = memmap_remove(&free_ram, 0, MiB(1));
    rc |=
        memmap_remove(&free_ram, MiB(1),
                      ALIGN_UP((paddr_t)__image_end - HV_VIRT_BASE, PAGE_SIZE));
    for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
        const struct boot_module *m = &boot_info.modules[i];
        rc |= memmap_remove(&free_ram, ALIGN_DOWN(m->start, PAGE_SIZE),
                            ALIGN_UP(m->end, PAGE_SIZE));
    }
    if (rc)
        panic("memory map too fragmented to reserve the boot modules");

    bootmem_init(&free_ram);
    paging_init(&ram);
    page_alloc_init(&ram);
    xmalloc_init();
    pr_info("memory: %lu MiB free for the frame allocator\n",
            (unsigned long)(page_allocator()->free_pages >> (20 - PAGE_SHIFT)));
}

void start_veneer(uint32_t magic, uint32_t mbi_paddr)
{
    char id[48];

    serial_init();
    traps_init();
    pr_info("veneer %s (%s build), build id %s\n", VENEER_VERSION,
            VENEER_BUILD_KIND, veneer_build_id(id, sizeof(id)));
    parse_boot_info(magic, mbi_paddr);
    setup_memory();

    time_init();
    apic_init();
    timers_init();

    modules_report(&boot_info, &ram);
    pr_info("ready\n");

    if (options.selftest) {
        unsigned int failed = selftests_run();
        machine_exit(failed ? VENEER_EXIT_FAIL : VENEER_EXIT_PASS);
    }
    pr_info("nothing more to do yet: the domain builder comes with the PV "
            "core; powering off\n");
    machine_exit(VENEER_EXIT_PASS);
}
