/*
 * Inter-processor interrupts: the kick (a pCPU looks at its vCPU or the
 * run queue again) and the TLB flush, with its acknowledgement. The design
 * they serve is at the top of common/schedule.c.
 *
 * A flush request is a flag in the target's cpu_info plus an IPI; the
 * target flushes and clears the flag, without the big lock (do_trap
 * answers the flush vector before it takes the lock), and a pCPU spinning
 * for the lock or for acknowledgements answers its own flag as it spins.
 * Only the lock holder sends flushes, so there is never more than one
 * flush round in flight.
 */
#include <veneer/apic.h>
#include <veneer/biglock.h>
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/io.h>
#include <veneer/smp.h>
#include <veneer/time.h>
#include <veneer/traps.h>

#define FLUSH_ACK_TIMEOUT_NS 10000000000ULL /* a dead CPU, not a slow one */

static void send_ipi(unsigned int cpu, unsigned int vector)
{
    const struct cpu_info *ci = cpu_infos[cpu];

    if (ci && !apic_send_icr(ci->apic_id, APIC_DM_FIXED | vector))
        pr_warn("warning: smp: IPI %#x to CPU %u not delivered\n", vector, cpu);
}

struct smp_stats smp_stats;

void smp_send_kick(unsigned int cpu)
{
    if (cpu < MAX_CPUS && cpu != smp_processor_id()) {
        smp_stats.kicks++;
        send_ipi(cpu, KICK_IPI_VECTOR);
    }
}

static void kick_interrupt(struct cpu_regs *regs)
{
    /* Nothing to do here: the exit path (or the idle loop) after this
     * interrupt reschedules or delivers the event we were kicked for. */
    apic_eoi();
}

/*
 * The TLB clock (Xen's tlbflush clock, simplified): it ticks before every
 * full flush of any pCPU (every CR3 write: vCPU switches, guest kernel/user
 * toggles, flushes), and each pCPU remembers the tick of its last one. A
 * page stamped with the clock when its last writable mapping (or its last
 * reference as a page table) went has no stale translation or cached
 * paging-structure entry through it on a pCPU whose tick is later, so a
 * type change needs to flush only the others (most often: none, since PV
 * guests switch CR3 on every system call).
 */
static uint64_t tlb_clock = 1;

uint64_t smp_tlb_clock(void)
{
    return __atomic_load_n(&tlb_clock, __ATOMIC_SEQ_CST);
}

void smp_write_cr3(uint64_t cr3)
{
    /* Tick first: a stamp read after this tick sees a later flush. */
    uint64_t t = __atomic_add_fetch(&tlb_clock, 1, __ATOMIC_SEQ_CST);
    write_cr3(cr3);
    __atomic_store_n(&this_cpu()->tlbflush_time, t, __ATOMIC_RELEASE);
}

static void flush_local(void)
{
    /* Guest translations are never global (mm/pv_mm.c strips G). */
    smp_write_cr3(read_cr3());
}

void smp_flush_service(void)
{
    struct cpu_info *ci = this_cpu();

    if (__atomic_load_n(&ci->flush_pending, __ATOMIC_ACQUIRE)) {
        flush_local();
        __atomic_store_n(&ci->flush_pending, 0, __ATOMIC_RELEASE);
    }
}

/* Which pCPUs a flush must reach (tlb_domain and curr change only under
 * the big lock, which the caller holds). */
struct flush_filter {
    const struct domain *d; /* only pCPUs on d's tables; NULL: any guest's */
    uint64_t vcpus;         /* with d: only these vCPUs of d */
    bool since;             /* only pCPUs whose last flush is not after */
    uint64_t stamp;
};

static bool needs_flush(const struct cpu_info *ci, const struct flush_filter *f)
{
    const struct domain *loaded = ci->tlb_domain;

    if (!loaded || (f->d && loaded != f->d))
        return false;
    if (f->d && ci->curr && !(f->vcpus & (1ULL << ci->curr->id)))
        return false;
    return !f->since ||
           __atomic_load_n(&ci->tlbflush_time, __ATOMIC_ACQUIRE) <= f->stamp;
}

static void flush_remote(const struct flush_filter *f)
{
    unsigned int me = smp_processor_id();
    uint32_t waiting = 0;

    for (unsigned int i = 0; i < MAX_CPUS; i++) {
        struct cpu_info *ci = cpu_infos[i];
        if (!ci || i == me || !needs_flush(ci, f))
            continue;
        __atomic_store_n(&ci->flush_pending, 1, __ATOMIC_RELEASE);
        send_ipi(i, FLUSH_IPI_VECTOR);
        waiting |= 1u << i;
        smp_stats.flush_ipis++;
    }
    smp_stats.flush_calls++;
    uint64_t t0 = rdtsc();
    uint64_t deadline = waiting ? now_ns() + FLUSH_ACK_TIMEOUT_NS : 0;
    while (waiting) {
        for (unsigned int i = 0; i < MAX_CPUS; i++) {
            if ((waiting & (1u << i)) &&
                !__atomic_load_n(&cpu_infos[i]->flush_pending,
                                 __ATOMIC_ACQUIRE))
                waiting &= ~(1u << i);
        }
        smp_flush_service();
        cpu_relax();
        if (waiting && now_ns() > deadline)
            panic("smp: CPUs %#x never acknowledged a TLB flush", waiting);
    }
    smp_stats.flush_wait_tsc += rdtsc() - t0;
}

void smp_flush_tlbs(const struct domain *d)
{
    struct flush_filter f = {.d = d, .vcpus = ~0ULL};

    flush_local();
    flush_remote(&f);
}

void smp_flush_vcpus(const struct domain *d, uint64_t vcpus)
{
    struct flush_filter f = {.d = d, .vcpus = vcpus};

    flush_local();
    flush_remote(&f);
}

void smp_flush_tlbs_since(const struct domain *d, uint64_t stamp)
{
    struct flush_filter f = {
        .d = d, .vcpus = ~0ULL, .since = true, .stamp = stamp};

    /* This pCPU too only if it has not flushed since (every guest page
     * table switch flushes): type changes are frequent in Linux. */
    if (__atomic_load_n(&this_cpu()->tlbflush_time, __ATOMIC_ACQUIRE) <= stamp)
        flush_local();
    flush_remote(&f);
}

void smp_ipi_init(void)
{
    set_irq_handler(KICK_IPI_VECTOR, kick_interrupt);
}
