/*
 * Round-robin scheduling of vCPUs on this pCPU (see sched.h).
 *
 * The switch happens on the way out to a guest: the outgoing vCPU's
 * registers are the frame at the top of the stack (pv/entry.S), so saving
 * it is a copy, and loading the next one is a copy back. A vCPU blocked in
 * SCHEDOP_block has already got its return value in that frame.
 *
 * When nothing can run, the pCPU waits with interrupts on: the timer (or
 * any interrupt) may make an event pending and so a vCPU runnable. When
 * no domain is left running at all, the machine stops with the initial
 * domain's verdict.
 */
#include <veneer/boot_defs.h>
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/pv.h>
#include <veneer/sched.h>
#include <veneer/time.h>
#include <veneer/timer.h>
#include <veneer/vtime.h>

static struct timer slice_timer;
static bool need_resched;

static void slice_expired(struct timer *t, void *data)
{
    need_resched = true;
    keyhandler_poll();
    timer_set(t, now_ns() + SCHED_TIMESLICE_NS);
}

void sched_init(void)
{
    timer_init(&slice_timer, slice_expired, NULL);
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

/* The next runnable vCPU after `after` in (domain, vcpu) order, or NULL. */
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
        if (vcpu_runnable(v))
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
    pr_info("no domain left to run; stopping (%s)\n",
            code == VENEER_EXIT_PASS ? "d0 powered off"
                                     : "d0 did not power off");
    machine_exit(code);
}

static void switch_to(struct vcpu *prev, struct vcpu *next)
{
    if (prev)
        arch_vcpu_save(prev);
    current = next;
    arch_vcpu_load(next);
}

void schedule(void)
{
    struct vcpu *prev = current, *next;

    need_resched = false;
    for (;;) {
        next = pick_next(prev);
        if (next)
            break;
        if (!any_domain_running())
            all_domains_done();
        /* Idle: wait for an interrupt to make something runnable. */
        safe_halt();
        keyhandler_poll();
    }
    next->blocked = false;
    if (next != prev) {
        if (prev && prev->runstate.state == RUNSTATE_running)
            vcpu_runstate_set(prev, RUNSTATE_runnable); /* preempted */
        switch_to(prev, next);
    }
    sched_vcpu_resumed(next);
}

void schedule_yield(void)
{
    need_resched = true;
}

void sched_maybe_switch(void)
{
    if (need_resched || !vcpu_runnable(current))
        schedule();
}

void sched_idle_secondary(void)
{
    /* Secondary pCPUs run no vCPU yet: they wait with interrupts on. */
    for (;;)
        safe_halt();
}

void sched_start(void)
{
    struct vcpu *first = pick_next(NULL);

    if (!first)
        all_domains_done();
    timer_set(&slice_timer, now_ns() + SCHED_TIMESLICE_NS);
    pv_start(first);
}
