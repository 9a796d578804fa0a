/*
 * Bringing up the secondary CPUs (APs), one at a time: the ACPI MADT says
 * which local APIC IDs exist (common/acpi_madt.c, read while the boot
 * identity map still reaches the firmware's tables); each AP gets a stack
 * block (smp.h), the real-mode trampoline (trampoline.S) below 1 MiB and
 * the INIT-SIPI-SIPI sequence. The AP then loads its own TSS, GDT window,
 * the shared IDT, its `syscall` MSRs and its APIC, says it is alive, and
 * goes to the scheduler's idle loop.
 *
 * An AP that does not answer within AP_ANSWER_MS is left alone (reported)
 * and the boot carries on with the CPUs that did; so does a machine with
 * no usable MADT (one CPU). `nosmp` and `maxcpus=N` limit what we start.
 */
#include <veneer/acpi.h>
#include <veneer/apic.h>
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/sched.h>
#include <veneer/smp.h>
#include <veneer/time.h>
#include <veneer/traps.h>

#define AP_ANSWER_MS 2000 /* TCG on a loaded host is slow to start a CPU */

extern const char trampoline_start[], trampoline_end[];
extern uint64_t ap_boot_cr3, ap_boot_stack, ap_boot_cpu;
void __noreturn ap_start(unsigned int cpu);

struct cpu_info *cpu_infos[MAX_CPUS];
unsigned int nr_cpus_online = 1;
static unsigned int next_cpu = 1; /* an AP that failed keeps its number */

static struct acpi_cpus firmware_cpus;
static bool have_cpu_list;
#define TSC_ROUNDS 5
#define TSC_DONE   0xff
static volatile uint64_t ap_tsc;        /* the AP's TSC, for the skew check */
static volatile unsigned int tsc_probe; /* round asked for by the boot CPU */
static uint64_t boot_cr4;

/* The firmware's tables sit below 4 GiB, read through the boot identity
 * map; anything else is refused. */
static const void *read_firmware(void *ctx, paddr_t pa, size_t len)
{
    if (pa == 0 || pa + len < pa || pa + len > GiB(4))
        return NULL;
    return early_phys_to_virt(pa);
}

void smp_find_cpus(void)
{
    const struct acpi_cpus *f = &firmware_cpus;

    have_cpu_list = !acpi_find_cpus(read_firmware, NULL, &firmware_cpus);
    if (!have_cpu_list) {
        pr_info("smp: %s: one CPU\n", f->problem);
        return;
    }
    pr_info("smp: the ACPI MADT lists %u CPU%s (%u more disabled, %u "
            "ignored)\n",
            f->nr, f->nr == 1 ? "" : "s", f->nr_disabled, f->nr_ignored);
    if (f->problem)
        pr_warn("warning: smp: %s\n", f->problem);
}

void smp_init_boot_cpu(void)
{
    struct cpu_info *ci = this_cpu();

    ci->cpu = 0;
    ci->apic_id = apic_id();
    ci->online = true;
    cpu_infos[0] = ci;
}

void __noreturn ap_start(unsigned int cpu)
{
    struct cpu_info *ci = this_cpu();
    uint8_t *block = (uint8_t *)ci + CPU_INFO_SIZE - STACK_SIZE;

    write_cr4(boot_cr4);
    traps_init_secondary(cpu, block);
    pv_cpu_init();
    apic_init_secondary();
    ci->apic_id = apic_id();
    /* Alive, unless the boot CPU gave up on us already: then stay out of
     * everyone's way for good. */
    unsigned int expect = AP_STARTING;
    if (!__atomic_compare_exchange_n(&ci->boot_state, &expect, AP_ALIVE, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        for (;;)
            __asm__ volatile("cli; hlt");
    ci->online = true;
    /* The TSC check: answer each of the boot CPU's probes at once. */
    for (unsigned int round = 1; round <= TSC_ROUNDS; round++) {
        for (int i = 0; i < 100000000 && tsc_probe != round; i++)
            cpu_relax();
        ap_tsc = rdtsc();
    }
    for (int i = 0; i < 100000000 && tsc_probe != TSC_DONE; i++)
        cpu_relax();
    sched_idle_secondary();
}

/* Waits (bounded) for the AP to say it is alive; on timeout, marks it
 * abandoned, so that it halts if it ever gets this far. */
static bool wait_alive(struct cpu_info *ci, uint64_t ms)
{
    uint64_t end = now_ns() + ms * 1000000ULL;

    while (now_ns() < end) {
        if (__atomic_load_n(&ci->boot_state, __ATOMIC_SEQ_CST) == AP_ALIVE)
            return true;
        cpu_relax();
    }
    unsigned int expect = AP_STARTING;
    return !__atomic_compare_exchange_n(&ci->boot_state, &expect, AP_ABANDONED,
                                        false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST);
}

/* The AP's TSC minus ours: a few round trips, the tightest one kept (the
 * host may deschedule a TCG CPU's thread in the middle of one). */
static void check_tsc(struct cpu_info *ci)
{
    uint64_t best_rt = ~0UL, khz = tsc_khz();
    int64_t skew = 0;

    for (int round = 0; round < TSC_ROUNDS; round++) {
        uint64_t t0 = rdtsc();
        __atomic_store_n(&tsc_probe, round + 1, __ATOMIC_SEQ_CST);
        for (int i = 0; i < 100000000 && !ap_tsc; i++)
            cpu_relax();
        uint64_t t1 = rdtsc(), theirs = ap_tsc;
        ap_tsc = 0;
        if (theirs && t1 - t0 < best_rt) {
            best_rt = t1 - t0;
            skew = (int64_t)(theirs - (t0 + (t1 - t0) / 2));
        }
    }
    __atomic_store_n(&tsc_probe, TSC_DONE, __ATOMIC_SEQ_CST);
    ci->tsc_skew = (uint64_t)skew;
    pr_info("smp: CPU %u: TSC %s%ld ns from CPU 0 (round trip %lu ns)\n",
            ci->cpu, skew < 0 ? "-" : "+",
            (long)((skew < 0 ? -skew : skew) * 1000000 / (int64_t)khz),
            best_rt * 1000000 / khz);
}

unsigned int smp_test_no_sipi;

static bool start_ap(unsigned int cpu, uint32_t apic)
{
    mfn_t mfn = alloc_pages(4); /* STACK_SIZE, aligned to its size */

    if (mfn == INVALID_MFN) {
        pr_warn("warning: smp: no memory for CPU %u's stack\n", cpu);
        return false;
    }
    uint8_t *block = mfn_to_virt(mfn);
    memset(block, 0, STACK_SIZE);
    struct cpu_info *ci = (struct cpu_info *)stack_block_top(block);
    ci->cpu = cpu;
    ci->apic_id = apic;

    ap_boot_cr3 = read_cr3();
    ap_boot_stack = stack_block_top(block) - BOOT_STACK_GAP;
    ap_boot_cpu = cpu;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    /* INIT, then two STARTUP IPIs (the second if the first went astray),
     * as the MP specification tells. */
    bool sent = apic_send_icr(apic, APIC_DM_INIT | APIC_LEVEL_ASSERT);
    udelay(10000);
    /* The test hook: this AP stays in wait-for-SIPI, as a dead CPU would;
     * the wait, the give-up and the rest of the boot below are the real
     * path. */
    bool skip_sipi = smp_test_no_sipi && smp_test_no_sipi - 1 == apic;
    if (skip_sipi)
        pr_warn("warning: smp: test hook: no STARTUP IPI to APIC ID %u\n",
                apic);
    for (int i = 0;
         sent && !skip_sipi && i < 2 && ci->boot_state == AP_STARTING; i++) {
        sent = apic_send_icr(apic, APIC_DM_STARTUP | APIC_LEVEL_ASSERT |
                                       (AP_TRAMPOLINE_PA >> 12));
        udelay(200);
    }
    if (!sent || !wait_alive(ci, AP_ANSWER_MS)) {
        /* Back to wait-for-SIPI; the block stays allocated, so that a late
         * AP never runs on memory someone else got. */
        apic_send_icr(apic, APIC_DM_INIT | APIC_LEVEL_ASSERT);
        pr_warn("warning: smp: CPU %u (APIC ID %u) %s; going on without "
                "it\n",
                cpu, apic, sent ? "did not answer" : "IPI not delivered");
        return false;
    }
    cpu_infos[cpu] = ci;
    check_tsc(ci);
    return true;
}

void smp_boot_cpus(unsigned int max_cpus, bool trampoline_ok)
{
    unsigned int bsp = this_cpu()->apic_id;

    if (max_cpus == 0 || max_cpus > MAX_CPUS)
        max_cpus = MAX_CPUS;
    if (have_cpu_list && firmware_cpus.nr > 1 && max_cpus > 1 &&
        !trampoline_ok) {
        pr_warn("warning: smp: no RAM at %#x for the AP trampoline; one "
                "CPU\n",
                AP_TRAMPOLINE_PA);
        have_cpu_list = false;
    }
    if (have_cpu_list) {
        boot_cr4 = read_cr4();
        if (max_cpus > 1)
            memcpy(phys_to_virt(AP_TRAMPOLINE_PA), trampoline_start,
                   (size_t)(trampoline_end - trampoline_start));
        for (unsigned int i = 0; i < firmware_cpus.nr; i++) {
            uint32_t apic = firmware_cpus.apic_ids[i];
            if (apic == bsp || apic > 0xfe)
                continue;
            if (nr_cpus_online >= max_cpus || next_cpu >= MAX_CPUS) {
                pr_info("smp: APIC ID %u not started (maxcpus=%u)\n", apic,
                        max_cpus);
                continue;
            }
            if (start_ap(next_cpu++, apic))
                nr_cpus_online++;
        }
    }
    pr_info("smp: %u CPU%s online:", nr_cpus_online,
            nr_cpus_online == 1 ? "" : "s");
    for (unsigned int i = 0; i < MAX_CPUS; i++) {
        if (cpu_infos[i])
            printk(LOG_INFO, " %u (APIC ID %u)", i, cpu_infos[i]->apic_id);
    }
    printk(LOG_INFO, "\n");
}
