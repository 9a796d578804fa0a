/*
 * sched_op: yield, block, poll and shutdown (pv-abi.md 4.6). Blocking and
 * yielding only mark the vCPU; the scheduler acts on the way out. Events
 * end a block or poll through vcpu_kick(); the scheduler hands the pCPU
 * back through sched_vcpu_resumed().
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/event.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/io.h>
#include <veneer/pvclock.h>
#include <veneer/sched.h>
#include <veneer/timer.h>
#include <veneer/vtime.h>

#define POLL_MAX_PORTS 128 /* Xen's limit */

/* The event code's wake-up: v has an event for it, or a port it polls was
 * raised. The scheduler sees it runnable again. */
void vcpu_kick(struct vcpu *v)
{
    v->blocked = false;
    sched_wake(v); /* a pCPU looks at it (another one: by IPI) */
}

static void poll_end(struct vcpu *v)
{
    v->domain->evtchn.poll_mask &= ~(1UL << v->id);
    v->evtchn.poll_port = 0;
    timer_stop(&v->poll_timer);
}

void sched_vcpu_resumed(struct vcpu *v)
{
    /* Whatever ended a poll (its port, another event, the timeout), it is
     * over now; a late timer must not end a later block. */
    if (v->domain->evtchn.poll_mask & (1UL << v->id))
        poll_end(v);
    vcpu_runstate_set(v, RUNSTATE_running);
    if (v->vcpu_info)
        pvclock_update(&v->vcpu_info->time); /* time moved on meanwhile */
    vcpu_time_area_update(v);
}

static bool events_need_delivery(const struct vcpu *v)
{
    const struct vcpu_info *vi = v->vcpu_info;
    return vi && vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask;
}

/* SCHEDOP_poll: wait (mask untouched) for one of the ports or the
 * absolute timeout; 0 at once if an upcall is due or a port is pending. */
static long do_poll(struct vcpu *v, uint64_t arg)
{
    struct domain *d = v->domain;
    struct sched_poll sp;
    evtchn_port_t port = 0;
    uint64_t ports;

    if (copy_from_guest(&sp, arg, sizeof(sp)))
        return -EFAULT;
    if (sp.nr_ports > POLL_MAX_PORTS)
        return -EINVAL;
    ports = (uint64_t)(uintptr_t)sp.ports.p;
    if (!guest_range_ok(ports, (size_t)sp.nr_ports * sizeof(port)))
        return -EFAULT;
    /* Interrupts off from the checks until the vCPU is marked as polling:
     * a timer raising a port in between would find no poller to wake. */
    long rc = 0;
    local_irq_disable();
    if (events_need_delivery(v))
        goto out;
    for (unsigned int i = 0; i < sp.nr_ports; i++) {
        rc = -EFAULT;
        if (copy_from_guest(&port, ports + i * sizeof(port), sizeof(port)))
            goto out;
        rc = evtchn_port_poll(d, port);
        if (rc) {
            rc = rc > 0 ? 0 : rc;
            goto out;
        }
    }
    v->evtchn.poll_port = sp.nr_ports == 1 ? (int)port : -1;
    d->evtchn.poll_mask |= 1UL << v->id;
    vcpu_block(v);
    vcpu_runstate_set(v, RUNSTATE_blocked);
    if (sp.timeout)
        timer_set(&v->poll_timer, sp.timeout);
out:
    local_irq_enable();
    return rc;
}

long do_sched_op(HYPERCALL_ARGS)
{
    struct vcpu *v = current;

    switch (a1) {
    case SCHEDOP_yield:
        schedule_yield();
        return 0;
    case SCHEDOP_block: {
        struct vcpu_info *vi = v->vcpu_info;
        if (vi)
            vi->evtchn_upcall_mask = 0; /* blocking enables events */
        /* The scheduler switches away on the way out and back once an
         * event is pending (the return value is already in the frame).
         * Interrupts off from the check to the block, as in do_poll: an
         * event in between is seen by the exit path either way. */
        local_irq_disable();
        if (!vi || !vi->evtchn_upcall_pending) {
            vcpu_block(v);
            vcpu_runstate_set(v, RUNSTATE_blocked);
        }
        local_irq_enable();
        return 0;
    }
    case SCHEDOP_poll:
        return do_poll(v, a2);
    case SCHEDOP_watchdog: {
        struct sched_watchdog w;
        if (copy_from_guest(&w, a2, sizeof(w)))
            return -EFAULT;
        return domain_watchdog(v->domain, w.id, w.timeout);
    }
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(&s, a2, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(v->domain, s.reason);
        return 0;
    }
    }
    return -ENOSYS;
}
