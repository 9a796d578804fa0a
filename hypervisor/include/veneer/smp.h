/*
 * Physical CPUs: which ones exist, which are up, and each one's own data.
 *
 * Per-CPU data lives at the top of each pCPU's stack block (as Xen's
 * get_cpu_info() does), not behind the GS base: a PV guest owns both GS
 * bases while it runs, and the hypervisor would need a third. A block is
 * STACK_SIZE bytes aligned to STACK_SIZE (boot_defs.h):
 *
 *   block + STACK_SIZE  +--------------------------+
 *                       | struct cpu_info          |  CPU_INFO_SIZE
 *   stack top (TSS.rsp0)+--------------------------+
 *                       | guest frame (cpu_regs)   |  pv/entry.S
 *                       | hypervisor stack ...     |
 *   block + 3 pages     +--------------------------+
 *                       | IST stacks: #MC NMI #DF  |
 *   block               +--------------------------+
 *
 * so any code running on any of this CPU's stacks (IST ones included)
 * finds its cpu_info by rounding RSP up. The `syscall` entry, which
 * arrives on the guest's stack, goes through a per-CPU stub that knows
 * its CPU's stack top (pv/entry.S).
 */
#ifndef VENEER_SMP_H
#define VENEER_SMP_H

#include <veneer/boot_defs.h>
#include <veneer/types.h>

struct vcpu;
struct timer;
struct domain;

/* A fault an exception-table fixup caught (arch/x86/traps.c), for whoever
 * arranged it: its vector, error code, CR2 for #PF, the faulting RIP. */
struct fixup_record {
    uint64_t vector, error_code, cr2, rip;
    uint64_t count;
};

struct cpu_info {
    unsigned int cpu;     /* 0 = the boot CPU */
    unsigned int apic_id; /* local APIC ID */
    struct vcpu *curr;    /* the vCPU on this pCPU, NULL if none yet */
    struct timer *timers; /* this CPU's timer list (common/timer.c) */
    bool need_resched;    /* the scheduler runs on the way out */
    bool online;
    volatile bool idle; /* halted in the scheduler, lock dropped */
    /* The domain whose page tables CR3 holds (NULL: the idle tables): the
     * CPUs a remote TLB flush for that domain must reach. */
    struct domain *tlb_domain;
    volatile uint32_t flush_pending; /* a remote flush request (smp.c) */
    uint64_t tsc_skew;       /* this CPU's TSC minus the boot CPU's, at boot */
    uint64_t tlbflush_time;  /* TLB clock tick of its last full flush */
    unsigned int boot_state; /* AP_* (smpboot.c) */
    struct fixup_record last_fixup; /* the last one on this CPU */
};

enum { AP_STARTING, AP_ALIVE, AP_ABANDONED };

_Static_assert(sizeof(struct cpu_info) <= CPU_INFO_SIZE, "cpu_info too big");

static inline struct cpu_info *this_cpu(void)
{
    uint64_t sp;
    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 - CPU_INFO_SIZE);
}

static inline unsigned int smp_processor_id(void)
{
    return this_cpu()->cpu;
}

/* The top of a stack block's usable stack: where the guest frame ends. */
static inline uint64_t stack_block_top(const void *block)
{
    return (uint64_t)block + STACK_SIZE - CPU_INFO_SIZE;
}

/* Every CPU's cpu_info, NULL for CPUs that are not up. */
extern struct cpu_info *cpu_infos[MAX_CPUS];
extern unsigned int nr_cpus_online;

/* smpboot.c, in boot order: reads the firmware's CPU list (while the boot
 * identity map still reaches it), sets up CPU 0's cpu_info (after the
 * APIC), then starts the others: max_cpus counts the boot CPU (0: all),
 * trampoline_ok says the trampoline page is RAM. */
void smp_find_cpus(void);
/* IPIs (arch/x86/smp.c). A kick makes pCPU `cpu` pass through its exit
 * path or idle loop, where it reschedules or delivers a pending event. */
#define KICK_IPI_VECTOR  0xf1
#define FLUSH_IPI_VECTOR 0xf2
void smp_ipi_init(void);
void smp_send_kick(unsigned int cpu);
/* Flushes the TLB here and on every other pCPU whose loaded page tables
 * are d's (d NULL: any guest's), waiting for each to acknowledge. Call
 * with the big lock held. */
void smp_flush_tlbs(const struct domain *d);
/* The same for the pCPUs running the vCPUs of d in the mask (bit = id). */
void smp_flush_vcpus(const struct domain *d, uint64_t vcpus);
/* The same for every pCPU whose last flush came no later than `stamp` on
 * the TLB clock (see smp.c) and that has d's tables loaded (d NULL: any
 * guest's). */
void smp_flush_tlbs_since(const struct domain *d, uint64_t stamp);
uint64_t smp_tlb_clock(void);
/* Every CR3 load goes through here: it ticks the TLB clock. */
void smp_write_cr3(uint64_t cr3);
/* Answers a flush request made to this pCPU, if there is one. */
void smp_flush_service(void);
/* What the IPIs cost (the 'd' debug key prints them). */
struct smp_stats {
    uint64_t kicks, flush_calls, flush_ipis, flush_wait_tsc;
};
extern struct smp_stats smp_stats;
void smp_init_boot_cpu(void);
void smp_boot_cpus(unsigned int max_cpus, bool trampoline_ok);
/* Test hook (smp_test_no_sipi=): APIC ID + 1 of an AP to send no STARTUP
 * IPI, so that it never answers; 0: none. Set before smp_boot_cpus. */
extern unsigned int smp_test_no_sipi;

#endif
