/*
 * Round-robin scheduling of vCPUs across the pCPUs (see sched.h).
 *
 * The switch happens on the way out to a guest: the outgoing vCPU's
 * registers are the frame at the top of this pCPU's stack (pv/entry.S), so
 * saving it is a copy, and loading the next one is a copy back. A vCPU
 * blocked in SCHEDOP_block has already got its return value in that frame.
 *
 * SMP design (read this before touching anything shared):
 *
 * - Locking: ONE big hypervisor lock (common/biglock.c). A pCPU takes it on
 *   every entry from a guest (pv_do_syscall, do_trap) and gives it back at
 *   the very end of the exit path (pv_exit_path), with interrupts off, just
 *   before iretq or sysretq. The exceptions touch only the calling vCPU:
 *   a guest user's system call bounced to its kernel, and the LOCAL_HC
 *   hypercalls (pv/hypercall.c: iret, stack_switch, set_segment_base, ...)
 *   run without it. An interrupt taken in the hypervisor takes it unless this
 *   CPU holds it already. So all hypervisor code runs one CPU at a time,
 *   exactly as it did on one pCPU, while guest code runs on all of them in
 *   parallel. That is the honest first step the issue allows: simple and
 *   obviously correct, but it serialises hypercalls, and a CPU spins while
 *   another is in the hypervisor. Finer locks (per domain, per run queue)
 *   are future work. Guest-shared memory (event bits, vcpu_info) was
 *   already written with atomics, because guests run concurrently anyway.
 * - Per-CPU data: struct cpu_info at the top of each pCPU's stack (smp.h):
 *   its current vCPU, its timer list, need_resched, the domain whose page
 *   tables it has loaded. One global round-robin "queue": every vCPU of
 *   every domain in (domain, vCPU) order; a pCPU takes the next runnable
 *   one that no other pCPU is running (vcpu.running / vcpu.pcpu).
 * - Idle: a pCPU with nothing to run saves its vCPU (so any pCPU may take
 *   it next), loads the hypervisor's own page tables, drops the lock and
 *   halts. A wake-up on another CPU (sched_wake) sends it a kick IPI.
 * - IPIs (arch/x86/smp.c): kick (look at the queue again, or deliver an
 *   event to the vCPU running there) and TLB flush. Flushes go to every
 *   pCPU that has the domain's tables loaded and wait for each to
 *   acknowledge; a pCPU spinning for the big lock or waiting for an
 *   acknowledgement itself keeps answering flush requests, and the flush
 *   handler needs no lock, so waiting cannot deadlock.
 * - Secondary pCPUs run vCPUs unless `smp_sched=0` is on the command line
 *   (sched_smp_enabled); with it they stay idle and CPU 0 runs every vCPU,
 *   the one-pCPU scheduler of the start (also `nosmp`, `maxcpus=1`).
 *
 * When no domain is left running at all, the machine stops with the
 * initial domain's verdict.
 */
#include <veneer/biglock.h>
#include <veneer/boot_defs.h>
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/pv.h>
#include <veneer/sched.h>
#include <veneer/smp.h>
#include <veneer/time.h>
#include <veneer/timer.h>
#include <veneer/vtime.h>

_Static_assert(MAX_CPUS_PER_VCPU_STATS == MAX_CPUS, "domain.h's copy");

static struct timer slice_timer[MAX_CPUS];
bool sched_smp_enabled;
unsigned int sched_dump_interval;
bool sched_dump_at_exit;
static uint64_t next_dump_ns;
static volatile bool sched_started; /* CPU 0 has built the domains */

static void slice_expired(struct timer *t, void *data)
{
    this_cpu()->need_resched = true;
    if (smp_processor_id() == 0) {
        keyhandler_poll();
        if (sched_dump_interval && now_ns() >= next_dump_ns) {
            next_dump_ns = now_ns() + sched_dump_interval * 1000000000ULL;
            keyhandler_run('d');
        }
    }
    timer_set(t, now_ns() + SCHED_TIMESLICE_NS);
}

void sched_init(void)
{
    for (unsigned int i = 0; i < MAX_CPUS; i++)
        timer_init(&slice_timer[i], slice_expired, NULL);
}

/* May this pCPU run vCPUs? CPU 0 always; the others with smp_sched. */
static bool cpu_schedules(unsigned int cpu)
{
    return cpu == 0 || sched_smp_enabled;
}

bool vcpu_runnable(const struct vcpu *v)
{
    if (v->domain->state != DOMAIN_RUNNING || !v->online)
        return false;
    if (!v->blocked)
        return true;
    /* Xen's local_events_need_delivery(): an upcall it can take. A vCPU
     * in SCHEDOP_poll keeps events masked and waits for its ports, the
     * timeout or a new event (vcpu_kick), not for an old upcall flag. */
    return v->vcpu_info && v->vcpu_info->evtchn_upcall_pending &&
           !v->vcpu_info->evtchn_upcall_mask;
}

void vcpu_block(struct vcpu *v)
{
    v->blocked = true;
}

/* Runnable and not on another pCPU: this pCPU may take it. */
static bool can_take(const struct vcpu *v)
{
    return vcpu_runnable(v) && (!v->running || v->pcpu == smp_processor_id());
}

/* The next vCPU this pCPU may take after `after` in (domain, vcpu) order
 * (`after` itself last), or NULL. */
static struct vcpu *pick_next(struct vcpu *after)
{
    unsigned int start =
        after ? after->domain->id * MAX_VIRT_CPUS + after->id + 1 : 0;
    unsigned int total = MAX_DOMAINS * MAX_VIRT_CPUS;

    for (unsigned int k = 0; k < total; k++) {
        unsigned int slot = (start + k) % total;
        struct domain *d = domains[slot / MAX_VIRT_CPUS];
        if (!d || slot % MAX_VIRT_CPUS >= d->nr_vcpus)
            continue;
        struct vcpu *v = d->vcpus[slot % MAX_VIRT_CPUS];
        if (can_take(v))
            return v;
    }
    return NULL;
}

static bool any_domain_running(void)
{
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        if (domains[i] && domains[i]->state == DOMAIN_RUNNING)
            return true;
    }
    return false;
}

/* Nothing runs any more: report each domain and stop the machine. The
 * verdict is the initial domain's: a clean poweroff of d0 passes. */
static void __noreturn all_domains_done(void)
{
    int code = VENEER_EXIT_FAIL;

    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domains[i];
        if (!d)
            continue;
        pr_info("d%u: %s (reason %u)\n", d->id,
                d->state == DOMAIN_CRASHED ? "crashed" : "shut down",
                d->shutdown_reason);
        if (d->id == 0 && d->state == DOMAIN_SHUTDOWN &&
            d->shutdown_reason == SHUTDOWN_poweroff)
            code = VENEER_EXIT_PASS;
    }
    if (sched_dump_at_exit)
        keyhandler_run('d');
    pr_info("no domain left to run; stopping (%s)\n",
            code == VENEER_EXIT_PASS ? "d0 powered off"
                                     : "d0 did not power off");
    machine_exit(code);
}

/* prev's state leaves this pCPU (into prev->regs): any pCPU may run it. */
static void switch_out(struct vcpu *prev)
{
    if (prev->runstate.state == RUNSTATE_running)
        vcpu_runstate_set(prev, RUNSTATE_runnable); /* preempted */
    arch_vcpu_save(prev);
    prev->running = false;
    prev->pcpu_ns[prev->pcpu] += now_ns() - prev->run_start;
    this_cpu()->curr = NULL;
}

static void switch_in(struct vcpu *next)
{
    struct cpu_info *ci = this_cpu();

    next->running = true;
    next->pcpu = ci->cpu;
    next->run_start = now_ns();
    ci->curr = next;
    ci->tlb_domain = next->domain;
    arch_vcpu_load(next);
}

/* Nothing to run here: halt until an interrupt (a timer, a kick IPI) may
 * have made something runnable. The lock is dropped meanwhile, and our
 * page tables are the hypervisor's own, so no flush needs to reach us. */
static void idle_wait(void)
{
    struct cpu_info *ci = this_cpu();

    if (ci->tlb_domain) {
        arch_load_idle_page_tables();
        ci->tlb_domain = NULL;
    }
    ci->idle = true;
    biglock_release();
    safe_halt();
    biglock_enter();
    ci->idle = false;
    if (ci->cpu == 0)
        keyhandler_poll();
}

void schedule(void)
{
    struct cpu_info *ci = this_cpu();
    struct vcpu *prev = ci->curr, *next;

    ci->need_resched = false;
    for (;;) {
        next = cpu_schedules(ci->cpu) && sched_started ? pick_next(prev) : NULL;
        if (next)
            break;
        if (sched_started && !any_domain_running())
            all_domains_done();
        if (prev) {
            switch_out(prev);
            prev = NULL;
        }
        idle_wait();
    }
    next->blocked = false;
    if (next != prev) {
        if (prev)
            switch_out(prev);
        switch_in(next);
    }
    sched_vcpu_resumed(next);
}

uint64_t sched_vcpu_ns_on(const struct vcpu *v, unsigned int cpu)
{
    uint64_t ns = cpu < MAX_CPUS ? v->pcpu_ns[cpu] : 0;
    if (v->running && v->pcpu == cpu)
        ns += now_ns() - v->run_start;
    return ns;
}

void sched_wake(struct vcpu *v)
{
    unsigned int me = smp_processor_id();

    if (v->running) {
        /* Its pCPU delivers the event on its way back to the guest. */
        if (v->pcpu != me)
            smp_send_kick(v->pcpu);
        return;
    }
    if (!sched_started || !vcpu_runnable(v))
        return;
    /* An idle pCPU takes it; if none is idle, a timeslice end will. */
    for (unsigned int i = 0; i < MAX_CPUS; i++) {
        struct cpu_info *ci = cpu_infos[i];
        if (ci && ci->idle && cpu_schedules(i)) {
            if (i != me) /* if it is us, we are about to look anyway */
                smp_send_kick(i);
            return;
        }
    }
}

void sched_evict(struct vcpu *v)
{
    if (v->running && v->pcpu != smp_processor_id())
        smp_send_kick(v->pcpu);
}

void schedule_yield(void)
{
    this_cpu()->need_resched = true;
}

void sched_maybe_switch(void)
{
    struct vcpu *v = current;

    if (this_cpu()->need_resched || !vcpu_runnable(v)) {
        schedule();
    } else if (v->blocked) {
        /* It blocked, but an upcall it can take arrived before it left
         * the pCPU (Xen's vcpu_block() re-check): it runs on, and is not
         * blocked any more. Left set, the flag outlived the block: the
         * vCPU went on into its event handler (events masked, upcall
         * flag cleared), the next exit found it "blocked" with nothing
         * to deliver and parked it, and with its selector bits still set
         * no later event could wake it (Linux's RCU stalls with 2-4
         * vCPUs). */
        v->blocked = false;
        sched_vcpu_resumed(v);
    }
}

/* Every pCPU that runs vCPUs: its timeslice ticks, then it looks for work.
 * Called with the big lock held; never returns. */
static void __noreturn run_first(void)
{
    unsigned int cpu = smp_processor_id();

    local_irq_disable(); /* so that no kick is taken before we halt */
    if (cpu_schedules(cpu))
        timer_set(&slice_timer[cpu], now_ns() + SCHED_TIMESLICE_NS);
    schedule(); /* idles until there is a vCPU for us */
    pv_resume_frame(guest_regs());
}

void sched_start(void)
{
    biglock_enter();
    if (!pick_next(NULL))
        all_domains_done();
    sched_started = true;
    pr_info("sched: vCPUs run on %s\n", sched_smp_enabled && nr_cpus_online > 1
                                            ? "every pCPU"
                                            : "pCPU 0 only");
    for (unsigned int i = 1; i < MAX_CPUS; i++) {
        if (cpu_infos[i] && cpu_schedules(i))
            smp_send_kick(i);
    }
    run_first();
}

void sched_idle_secondary(void)
{
    biglock_enter();
    run_first();
}
