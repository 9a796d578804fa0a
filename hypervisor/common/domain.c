/*
 * Domains: creation, lookup, shutdown, crash and destruction.
 * A crash is how the hypervisor answers a guest that broke the ABI's rules
 * in a way no error code can express: that domain stops, with its reason
 * and registers on the console; nothing else is harmed.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/format.h>
#include <veneer/heap.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv.h>

struct domain *domains[MAX_DOMAINS];
struct vcpu *current;

struct domain *domain_by_id(domid_t id)
{
    return id < MAX_DOMAINS ? domains[id] : NULL;
}

static void vcpu_destroy(struct vcpu *v)
{
    if (v)
        xfree(v);
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
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = xzalloc(sizeof(*v));
        if (!v)
            goto fail;
        v->domain = d;
        v->id = i;
        v->guest_table = INVALID_MFN;
        v->guest_table_user = INVALID_MFN;
        d->vcpus[i] = v;
        d->nr_vcpus++;
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
    }
    d->tot_pages += 1UL << order;
    return mfn;
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
    pr_info("d%u: shut down by the guest: %s (%u)\n", d->id,
            shutdown_reason_name(reason), reason);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vformat(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (d->state != DOMAIN_RUNNING)
        return;
    pr_err("d%u: crashed: %s\n", d->id, why);
    if (current && current->domain == d)
        pv_dump_guest_state(current, guest_regs());
    d->state = DOMAIN_CRASHED;
    d->shutdown_reason = SHUTDOWN_crash;
}

void domain_destroy(struct domain *d)
{
    domains[d->id] = NULL;
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        vcpu_destroy(d->vcpus[i]);
    xfree(d->p2m);
    xfree(d);
}
