/*
 * vcpu_op (24) and set_timer_op (15): a vCPU's timers, its vcpu_info
 * placement and its runstate area (pv-abi.md 4.6, 6.3, 6.4).
 *
 * Timers are hypervisor timers (common/timer.c) whose expiry raises
 * VIRQ_TIMER on the vCPU; that also wakes it from SCHEDOP_block. The
 * runstate is kept here and copied to the guest's area whenever it changes
 * while the vCPU's kernel address space is the one loaded.
 *
 * Secondary vCPUs: VCPUOP_initialise gives one a context (pv/
 * vcpu_context.c), up puts it on the scheduler's list, down takes it off
 * (the last one down powers the domain off).
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/event.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/page_info.h>
#include <veneer/pv_mm.h>
#include <veneer/pv.h>
#include <veneer/pvclock.h>
#include <veneer/sched.h>
#include <veneer/time.h>
#include <veneer/vtime.h>

#define MILLISECS(ms)   ((uint64_t)(ms)*1000000ULL)
#define STIME_DELTA_MAX (1ULL << 62)

/* ---- timers ------------------------------------------------------------ */

static void send_timer_event(struct vcpu *v)
{
    send_guest_vcpu_virq(v, VIRQ_TIMER);
}

static void singleshot_fn(struct timer *t, void *data)
{
    send_timer_event(data);
}

static void periodic_fn(struct timer *t, void *data)
{
    struct vcpu *v = data;
    uint64_t next = t->deadline + v->periodic_period;
    uint64_t now = now_ns();

    send_timer_event(v);
    if (!v->periodic_period)
        return;
    /* Missed periods are not made up: one event, then the next period. */
    timer_set(t, next > now ? next : now + v->periodic_period);
}

static void poll_timeout_fn(struct timer *t, void *data)
{
    struct vcpu *v = data;
    struct domain *d = v->domain;

    /* SCHEDOP_poll's timeout: stop polling, wake up (returns 0). */
    if (d->evtchn.poll_mask & (1UL << v->id)) {
        d->evtchn.poll_mask &= ~(1UL << v->id);
        v->evtchn.poll_port = 0;
        vcpu_kick(v);
    }
}

void vcpu_timers_init(struct vcpu *v)
{
    timer_init(&v->singleshot, singleshot_fn, v);
    timer_init(&v->periodic, periodic_fn, v);
    timer_init(&v->poll_timer, poll_timeout_fn, v);
    /* Secondary vCPUs start down (VCPUOP_up brings them in). */
    v->runstate.state = v->id ? RUNSTATE_offline : RUNSTATE_running;
}

void vcpu_timers_stop(struct vcpu *v)
{
    timer_stop(&v->singleshot);
    timer_stop(&v->periodic);
    timer_stop(&v->poll_timer);
}

static void set_periodic(struct vcpu *v, uint64_t period_ns)
{
    v->periodic_period = period_ns;
    if (!period_ns)
        timer_stop(&v->periodic);
    else
        timer_set(&v->periodic, now_ns() + period_ns);
}

long do_set_timer_op(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    int64_t timeout = (int64_t)a1;
    int64_t offset = timeout - (int64_t)now_ns();

    if (timeout == 0) {
        timer_stop(&v->singleshot);
    } else if (timeout < 0 || (offset > 0 && (uint32_t)(offset >> 50))) {
        /* Xen's Linux workaround: a wrapped or ~13-day timeout fires in
         * 100 ms instead of never or at once. */
        timer_set(&v->singleshot, now_ns() + MILLISECS(100));
    } else {
        timer_set(&v->singleshot, (uint64_t)timeout);
    }
    return 0;
}

/* ---- runstate ---------------------------------------------------------- */

/* The guest's copy, with XEN_RUNSTATE_UPDATE set while it is rewritten
 * (vm_assist runstate_update_flag is always on here). */
static void runstate_write_guest(struct vcpu *v)
{
    struct vcpu_runstate_info r = v->runstate;
    uint64_t entry = r.state_entry_time;
    uint64_t va = v->runstate_guest;

    if (!va || v != current || !v->kernel_mode)
        return; /* its address space is not the one loaded */
    r.state_entry_time = entry | XEN_RUNSTATE_UPDATE;
    if (copy_to_guest(va +
                          offsetof(struct vcpu_runstate_info, state_entry_time),
                      &r.state_entry_time, sizeof(r.state_entry_time)))
        return; /* unmapped now: Xen ignores it too */
    __asm__ volatile("" ::: "memory");
    copy_to_guest(va, &r, sizeof(r));
    __asm__ volatile("" ::: "memory");
    copy_to_guest(va + offsetof(struct vcpu_runstate_info, state_entry_time),
                  &entry, sizeof(entry));
}

static void runstate_account(struct vcpu *v, uint64_t now)
{
    struct vcpu_runstate_info *r = &v->runstate;

    if (r->state >= 0 && r->state < 4 && now > r->state_entry_time)
        r->time[r->state] += now - r->state_entry_time;
    r->state_entry_time = now;
}

void vcpu_runstate_set(struct vcpu *v, int state)
{
    if (v->runstate.state == state)
        return;
    runstate_account(v, now_ns());
    v->runstate.state = state;
    runstate_write_guest(v);
}

/* ---- the second time area ---------------------------------------------- */

void vcpu_time_area_update(struct vcpu *v)
{
    struct vcpu_time_info t;

    if (!v->time_area_guest || v != current || !v->kernel_mode || !v->vcpu_info)
        return;
    t = v->vcpu_info->time;
    /* The same update protocol as the primary copy: odd while writing. */
    t.version |= 1;
    if (copy_to_guest(v->time_area_guest, &t.version, sizeof(t.version)))
        return; /* not mapped now: Xen ignores it too */
    __asm__ volatile("" ::: "memory");
    copy_to_guest(v->time_area_guest, &t, sizeof(t));
    __asm__ volatile("" ::: "memory");
    t.version = v->vcpu_info->time.version;
    copy_to_guest(v->time_area_guest, &t.version, sizeof(t.version));
}

/* ---- vcpu_info placement ----------------------------------------------- */

/* A general and a writable type reference on a frame the domain owns
 * (a frame in use as a page table is refused). */
static int get_writable_frame(struct domain *d, mfn_t mfn)
{
    return pv_get_page_and_type(d, mfn, PGT_WRITABLE) ? -EINVAL : 0;
}

static void put_writable_frame(mfn_t mfn)
{
    pv_put_page_and_type(mfn);
}

void vcpu_op_teardown(struct domain *d)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v)
            continue;
        vcpu_timers_stop(v);
        if (v->vcpu_info_mfn != INVALID_MFN) {
            v->vcpu_info = d->shared_info && i < XEN_LEGACY_MAX_VCPUS
                               ? &d->shared_info->vcpu_info[i]
                               : NULL;
            put_writable_frame(v->vcpu_info_mfn);
            v->vcpu_info_mfn = INVALID_MFN;
        }
        v->runstate_guest = 0;
        v->time_area_guest = 0;
    }
}

/*
 * VCPUOP_register_vcpu_info: PV guests name the frame by MFN. The frame
 * must be the domain's own and take a writable type, which it keeps for
 * the rest of the domain's life, so it can never become a page table.
 */
static long register_vcpu_info(struct vcpu *v, uint64_t mfn, uint32_t offset)
{
    struct domain *d = v->domain;
    struct vcpu_info *new_info;

    if (offset > PAGE_SIZE - sizeof(struct vcpu_info))
        return -ENXIO;
    if (offset & (_Alignof(struct vcpu_info) - 1))
        return -ENXIO;
    if (v->vcpu_info_mfn != INVALID_MFN)
        return -EINVAL; /* once per vCPU */
    if (v != current && v->online)
        return -EINVAL; /* only for yourself or a vCPU that is down */
    if (get_writable_frame(d, mfn))
        return -EINVAL;
    new_info = (struct vcpu_info *)((uint8_t *)mfn_to_virt(mfn) + offset);
    memcpy(new_info, v->vcpu_info, sizeof(*new_info));
    v->vcpu_info = new_info;
    v->vcpu_info_mfn = mfn;
    __asm__ volatile("" ::: "memory");
    /* Mark everything pending so nothing raised meanwhile is lost; the
     * guest takes one spurious upcall. */
    __atomic_store_n(&new_info->evtchn_pending_sel, ~0UL, __ATOMIC_SEQ_CST);
    vcpu_mark_events_pending(v);
    pvclock_update(&new_info->time);
    vcpu_time_area_update(v);
    return 0;
}

/* ---- secondary vCPUs ---------------------------------------------------- */

/* A vCPU has a context once it has page tables (the builder gives vCPU 0
 * its own; VCPUOP_initialise the others). */
static bool initialised(const struct vcpu *v)
{
    return v->guest_table != INVALID_MFN;
}

static long initialise(struct vcpu *v, uint64_t arg)
{
    struct vcpu_guest_context *c = xmalloc(sizeof(*c)); /* 5 KiB */
    long rc;

    if (!c)
        return -ENOMEM;
    if (copy_from_guest(c, arg, sizeof(*c)))
        rc = -EFAULT;
    else if (initialised(v))
        rc = -EEXIST; /* Xen's answer for a vCPU that has one */
    else
        rc = pv_vcpu_initialise(v, c);
    /* VGCF_online (an "up" in the same breath) is not honoured: on Xen it
     * leaves the vCPU not running until something wakes it. */
    xfree(c);
    return rc;
}

/* ---- the hypercall ----------------------------------------------------- */

long do_vcpu_op(HYPERCALL_ARGS)
{
    struct vcpu *self = current;
    struct domain *d = self->domain;
    unsigned int cmd = (unsigned int)a1;
    struct vcpu *v;

    /* Any id the domain lacks is -ENOENT, whatever the command: Linux
     * probes every possible CPU with is_up. */
    if (a2 >= d->nr_vcpus || !(v = d->vcpus[a2]))
        return -ENOENT;

    switch (cmd) {
    case VCPUOP_is_up:
        return v->online;

    case VCPUOP_initialise:
        return initialise(v, a3);

    case VCPUOP_up:
        /* A vCPU comes up only once it has a context (vCPU 0 from the
         * builder, the others from VCPUOP_initialise). */
        if (!initialised(v))
            return -EINVAL;
        if (!v->online) {
            v->online = true;
            vcpu_runstate_set(v, RUNSTATE_runnable);
            sched_wake(v);
        }
        return 0;

    case VCPUOP_down: {
        bool others = false;
        for (unsigned int i = 0; i < d->nr_vcpus; i++) {
            if (i != v->id && d->vcpus[i] && d->vcpus[i]->online)
                others = true;
        }
        if (!others) {
            /* The last vCPU going down powers the domain off (Xen). */
            domain_shutdown(d, SHUTDOWN_poweroff);
            return 0;
        }
        /* Off the pCPU on the way out if it is the caller; its state
         * stays for VCPUOP_up (the return value is already 0). */
        v->online = false;
        vcpu_runstate_set(v, RUNSTATE_offline);
        sched_evict(v); /* if it runs on another pCPU, off it now */
        return 0;
    }

    case VCPUOP_send_nmi:
        /* Linux's NMI IPI (nmi_backtrace); no argument, as in Xen. A
         * second one before the first is taken is the same NMI. */
        if (a3)
            return -EINVAL;
        if (!__atomic_exchange_n(&v->nmi_pending, true, __ATOMIC_ACQ_REL))
            vcpu_kick(v);
        return 0;

    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info r;
        runstate_account(v, now_ns());
        r = v->runstate;
        if (copy_to_guest(a3, &r, sizeof(r)))
            return -EFAULT;
        return 0;
    }

    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area area;
        if (copy_from_guest(&area, a3, sizeof(area)))
            return -EFAULT;
        if (!guest_range_ok(area.addr.p, sizeof(struct vcpu_runstate_info)))
            return -EFAULT;
        v->runstate_guest = area.addr.p;
        runstate_account(v, now_ns());
        /* The first copy; only possible when it is our own address
         * space, which for a vCPU asking for itself it is. */
        runstate_write_guest(v);
        return 0;
    }

    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer set;
        if (copy_from_guest(&set, a3, sizeof(set)))
            return -EFAULT;
        if (set.period_ns < MILLISECS(1) || set.period_ns > STIME_DELTA_MAX)
            return -EINVAL;
        set_periodic(v, set.period_ns);
        return 0;
    }

    case VCPUOP_stop_periodic_timer:
        set_periodic(v, 0);
        return 0;

    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer set;
        if (v != self)
            return -EINVAL;
        if (copy_from_guest(&set, a3, sizeof(set)))
            return -EFAULT;
        if (set.timeout_abs_ns < now_ns()) {
            /* Already past: the event now (the "future" flag is ignored,
             * as by Xen 4.17). */
            timer_stop(&v->singleshot);
            send_timer_event(v);
            return 0;
        }
        timer_set(&v->singleshot, set.timeout_abs_ns);
        return 0;
    }

    case VCPUOP_stop_singleshot_timer:
        if (v != self)
            return -EINVAL;
        timer_stop(&v->singleshot);
        return 0;

    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info info;
        if (copy_from_guest(&info, a3, sizeof(info)))
            return -EFAULT;
        return register_vcpu_info(v, info.mfn, info.offset);
    }

    case VCPUOP_register_vcpu_time_memory_area: {
        /* A second vcpu_time_info (Linux's vDSO clock), kept like the
         * runstate area: rewritten whenever this vCPU's time is, while
         * its address space is the one loaded. */
        struct vcpu_register_time_memory_area area;
        if (copy_from_guest(&area, a3, sizeof(area)))
            return -EFAULT;
        if (!guest_range_ok(area.addr.p, sizeof(struct vcpu_time_info)))
            return -EFAULT;
        v->time_area_guest = area.addr.p;
        vcpu_time_area_update(v);
        return 0;
    }
    }
    return -ENOSYS;
}
