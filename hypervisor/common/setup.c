/*
 * start_veneer(): the story of a boot, in order. head.S arrives here in long
 * mode, on the boot page tables (first 4 GiB identity-mapped and at
 * HV_VIRT_BASE), with a stack and nothing else.
 *
 *   1. COM1 and the exception handlers, so that anything after can be seen;
 *   2. the boot loader's information, copied out, and our command line;
 *   3. memory: the RAM map, our page tables, the frame allocator, the heap;
 *   4. time: the TSC, the local APIC and its timer;
 *   5. the other CPUs (found in the ACPI MADT before the boot identity map
 *      goes), which then wait in the scheduler's idle loop;
 *   6. the boot modules, then "ready"; the self-tests when asked.
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
#include <veneer/domain.h>
#include <veneer/lib.h>
#include <veneer/pv.h>
#include <veneer/pvclock.h>
#include <veneer/sched.h>
#include <veneer/selftest.h>
#include <veneer/smap.h>
#include <veneer/smp.h>
#include <veneer/time.h>
#include <veneer/timer.h>
#include <veneer/traps.h>
#include <veneer/version.h>
#include <veneer/xenstore_ring.h>

void __noreturn start_veneer(uint32_t magic, uint32_t mbi_paddr);

extern const char __image_end[];

#define DOM0_DEFAULT_MEM MiB(256)
#define DOMU_DEFAULT_MEM MiB(64)

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
    gdt_window_init();
    page_alloc_init(&ram);
    xmalloc_init();
    pr_info("memory: %lu MiB free for the frame allocator\n",
            (unsigned long)(page_allocator()->free_pages >> (20 - PAGE_SHIFT)));
}

/* The AP trampoline's page must be RAM that nothing else uses: below 1 MiB
 * (never given to the allocators) and usable in the firmware's map. */
static bool trampoline_in_ram(void)
{
    for (unsigned int i = 0; i < ram.n; i++) {
        if (ram.r[i].start <= AP_TRAMPOLINE_PA &&
            ram.r[i].end >= AP_TRAMPOLINE_PA + PAGE_SIZE)
            return true;
    }
    return false;
}

/* The guest's command line: the module's, without its file name. */
static const char *module_args(const struct boot_module *m)
{
    const char *p = m->cmdline;
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    return p;
}

static bool is_initrd(const struct boot_module *m)
{
    const char *why;
    enum module_kind k = module_classify(m, &ram, &why);
    return k == MODULE_CPIO || k == MODULE_GZIP || k == MODULE_XZ ||
           k == MODULE_ZSTD;
}

/*
 * Boot-time domains from the modules: module 0 is the initial domain's
 * kernel (d0, privileged), each further PV kernel starts an unprivileged
 * domain (d1, d2, ...), and a module that looks like an initramfs right
 * after a kernel is that kernel's initrd. A domain that cannot be built is
 * reported and left out; the others still run. Only d0 is required.
 */
static struct domain *build_boot_domain(domid_t id, unsigned int kernel_idx,
                                        const struct boot_module *initrd,
                                        uint64_t mem)
{
    const struct boot_module *kernel = &boot_info.modules[kernel_idx];
    uint64_t free_bytes = page_allocator()->free_pages * PAGE_SIZE;
    char name[16];

    format(name, sizeof(name), id == 0 ? "Domain-0" : "boot-%u", id);
    /* Leave the hypervisor room for its own allocations. */
    if (mem + MiB(16) > free_bytes) {
        mem =
            free_bytes > MiB(24) ? ALIGN_DOWN(free_bytes - MiB(16), MiB(2)) : 0;
        pr_warn("warning: d%u gets %lu MiB, all that is free\n", id, mem >> 20);
    }
    unsigned int vcpus =
        (id == 0 ? options.dom0_max_vcpus : options.domU_max_vcpus) ?: 1;
    struct domain *d = domain_create(id, name, id == 0, vcpus);
    if (!d) {
        pr_err("error: d%u: cannot allocate the domain\n", id);
        return NULL;
    }
    d->hypercall_trace = options.hypercall_trace;
    int rc = pv_build_domain(d, kernel, initrd, module_args(kernel), mem);
    if (!rc && id != 0 && options.domU_xenstore)
        rc = xenstore_ring_connect(d);
    if (rc) {
        pr_err("error: cannot build d%u from module %u (%d)\n", id, kernel_idx,
               rc);
        domain_destroy(d);
        return NULL;
    }
    return d;
}

static void __noreturn start_boot_domains(void)
{
    domid_t next_id = 0;

    for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
        const struct boot_module *initrd = NULL;
        unsigned int kernel_idx = i;
        if (i + 1 < boot_info.nr_modules &&
            is_initrd(&boot_info.modules[i + 1]))
            initrd = &boot_info.modules[++i];
        if (next_id > 0 && is_initrd(&boot_info.modules[kernel_idx])) {
            pr_warn("warning: module %u is an initramfs with no kernel "
                    "before it; ignored\n",
                    kernel_idx);
            continue;
        }
        uint64_t mem =
            next_id == 0
                ? (options.dom0_mem ? options.dom0_mem : DOM0_DEFAULT_MEM)
                : (options.domU_mem ? options.domU_mem : DOMU_DEFAULT_MEM);
        struct domain *d = build_boot_domain(next_id, kernel_idx, initrd, mem);
        if (!d && next_id == 0) {
            pr_err("error: cannot build the initial domain from module 0; "
                   "nothing to run\n");
            machine_exit(VENEER_EXIT_FAIL);
        }
        if (d)
            next_id++;
        if (next_id >= MAX_DOMAINS)
            break;
    }
    pv_cpu_init();
    sched_start();
}

/* crash=ud|pf|gp: a fault with no fixup, to show (and test) the report a
 * real hypervisor bug would produce. */
static void __attribute__((noinline)) raise_deliberate_fault(enum crash_kind k)
{
    pr_info("raising a deliberate fault (crash= on the command line)\n");
    if (k == CRASH_UD)
        __asm__ volatile("ud2");
    else if (k == CRASH_PF)
        *(volatile uint64_t *)UNMAPPED_PROBE_VA = 0xdead;
    else
        *(volatile uint64_t *)0x8000000000000000UL = 0xdead;
}

void start_veneer(uint32_t magic, uint32_t mbi_paddr)
{
    char id[48];

    serial_init();
    traps_init();
    pr_info("veneer %s (%s build), build id %s\n", VENEER_VERSION,
            VENEER_BUILD_KIND, veneer_build_id(id, sizeof(id)));
    parse_boot_info(magic, mbi_paddr);
    smap_init(options.smap);
    smp_find_cpus();
    setup_memory();

    time_init();
    apic_init();
    smp_init_boot_cpu();
    timers_init();
    m2p_init();
    pvclock_init();
    smp_ipi_init();
    sched_smp_enabled = options.smp_sched;
    sched_dump_interval = options.sched_dump;
    sched_dump_at_exit = options.dump_at_exit;
    sched_init();
    smp_test_no_sipi = options.smp_test_no_sipi;
    smp_boot_cpus(options.nosmp ? 1 : options.max_cpus, trampoline_in_ram());

    modules_report(&boot_info, &ram);
    pr_info("ready\n");

    if (options.crash != CRASH_NONE)
        raise_deliberate_fault(options.crash);
    if (options.selftest) {
        unsigned int failed = selftests_run();
        machine_exit(failed ? VENEER_EXIT_FAIL : VENEER_EXIT_PASS);
    }
    if (boot_info.nr_modules == 0)
        machine_exit(VENEER_EXIT_PASS); /* nothing to run: a clean end */
    start_boot_domains();
}
