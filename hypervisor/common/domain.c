/*
 * Domains: creation, lookup, shutdown, crash and destruction.
 * A crash is how the hypervisor answers a guest that broke the ABI's rules
 * in a way no error code can express: that domain stops, with its reason
 * and registers on the console; nothing else is harmed.
 */
#include <veneer/biglock.h>
#include <veneer/console.h>
#include <veneer/console_ring.h>
#include <veneer/domain.h>
#include <veneer/event.h>
#include <veneer/format.h>
#include <veneer/grant_table.h>
#include <veneer/heap.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/pv_mm.h>
#include <veneer/sched.h>
#include <veneer/vtime.h>

struct domain *domains[MAX_DOMAINS];

struct domain *domain_by_id(domid_t id)
{
    return id < MAX_DOMAINS ? domains[id] : NULL;
}

static void vcpu_destroy(struct vcpu *v)
{
    if (v) {
        vcpu_timers_stop(v);
        xfree(v);
    }
}

struct domain *domain_create(domid_t id, const char *name, bool privileged,
                             unsigned int nr_vcpus)
{
    struct domain *d = NULL;

    if (id >= MAX_DOMAINS || domains[id] || nr_vcpus == 0 ||
        nr_vcpus > MAX_VIRT_CPUS)
        return NULL;
    d = xzalloc(sizeof(*d));
    if (!d)
        return NULL;
    d->id = id;
    strlcpy(d->name, name, sizeof(d->name));
    d->privileged = privileged;
    d->state = DOMAIN_RUNNING;
    d->shared_info_mfn = INVALID_MFN;
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = xzalloc(sizeof(*v));
        if (!v)
            goto fail;
        v->domain = d;
        v->id = i;
        v->guest_table = INVALID_MFN;
        v->guest_table_user = INVALID_MFN;
        arch_vcpu_init_fpu(v);
        pv_debugreg_init(v);
        v->vcpu_info_mfn = INVALID_MFN;
        vcpu_timers_init(v);
        d->vcpus[i] = v;
        d->nr_vcpus++;
    }
    if (evtchn_init(d, EVTCHN_2L_NR_CHANNELS - 1))
        goto fail;
    if (gnttab_init(d, GNTTAB_MAX_FRAMES)) {
        evtchn_destroy(d);
        goto fail;
    }
    domains[id] = d;
    return d;

fail:
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        vcpu_destroy(d->vcpus[i]);
    xfree(d);
    return NULL;
}

mfn_t domain_alloc_frames(struct domain *d, unsigned int order)
{
    mfn_t mfn = alloc_pages(order);

    if (mfn == INVALID_MFN)
        return mfn;
    for (mfn_t i = 0; i < (1UL << order); i++) {
        struct page_info *pg = mfn_to_page(mfn + i);
        pg->owner = d->id;
        pg->count = 1; /* the allocation reference, dropped on destroy */
        pg->flags |= PGF_ALLOCATED;
    }
    d->tot_pages += 1UL << order;
    return mfn;
}

/* The domain stopped: its vCPUs running on other pCPUs leave them now. */
static void domain_evict_vcpus(struct domain *d)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        if (d->vcpus[i])
            sched_evict(d->vcpus[i]);
    }
}

static const char *shutdown_reason_name(unsigned int reason)
{
    static const char *const names[] = {"poweroff", "reboot",   "suspend",
                                        "crash",    "watchdog", "soft_reset"};
    return reason < ARRAY_SIZE(names) ? names[reason] : "unknown";
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    domain_evict_vcpus(d);
    pr_info("d%u: shut down by the guest: %s (%u)\n", d->id,
            shutdown_reason_name(reason), reason);
    send_global_virq(VIRQ_DOM_EXC); /* tell the control domain */
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vformat(why, sizeof(why), fmt, ap);
    va_end(ap);
    /* Also called from the paths that run without the big lock (a bounce
     * or an iret that cannot be done). */
    bool took = biglock_enter();
    if (d->state != DOMAIN_RUNNING) {
        if (took)
            biglock_release();
        return;
    }
    pr_err("d%u: crashed: %s\n", d->id, why);
    if (current && current->domain == d)
        pv_dump_guest_state(current, guest_regs());
    d->state = DOMAIN_CRASHED;
    d->shutdown_reason = SHUTDOWN_crash;
    domain_evict_vcpus(d);
    send_global_virq(VIRQ_DOM_EXC);
    if (took)
        biglock_release();
}

/* Gives back the frames of a domain whose pages hold no typed references
 * (a build that failed, or after the MMU dropped its references). */
void domain_free_memory(struct domain *d)
{
    for (uint64_t pfn = 0; d->p2m && pfn < d->max_pages; pfn++) {
        mfn_t mfn = d->p2m[pfn];
        if (mfn == INVALID_MFN || !mfn_valid(mfn))
            continue;
        struct page_info *pg = mfn_to_page(mfn);
        if (pg->owner != d->id || pg->type_count)
            continue; /* still typed: the MMU's teardown owns it */
        pg->count = 0;
        m2p_set(mfn, M2P_INVALID);
        free_pages(mfn, 0);
        d->p2m[pfn] = INVALID_MFN;
        d->tot_pages--;
    }
    if (d->shared_info) {
        mfn_to_page(d->shared_info_mfn)->owner = OWNER_NONE;
        free_pages(d->shared_info_mfn, 0);
        d->shared_info = NULL;
    }
}

void domain_destroy(struct domain *d)
{
    evtchn_destroy(d); /* while peers can still be found */
    vcpu_op_teardown(d);
    domain_watchdogs_stop(d);
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        pv_gdt_destroy(d->vcpus[i]);
    console_ring_disconnect(d);
    gnttab_release(d); /* grant mappings, while page tables are valid */
    pv_mm_teardown(d); /* drops every reference the MMU holds */
    gnttab_destroy(d); /* its frames, unmapped now */
    domain_free_memory(d);
    domains[d->id] = NULL;
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        vcpu_destroy(d->vcpus[i]);
    xfree(d->p2m);
    xfree(d);
}
