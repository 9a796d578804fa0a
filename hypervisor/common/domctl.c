/*
 * domctl, the toolstack's domain control: for now XEN_DOMCTL_getdomaininfo
 * alone, which is what a xenstore daemon asks after VIRQ_DOM_EXC to learn
 * which domains shut down or died (vstored in dom0 does, for the boot-time
 * guests it introduced). The control domain only. Xen 4.17's semantics:
 * the first domain whose id is >= the one asked (-ESRCH past the last),
 * -EACCES for another interface version. The other commands answer
 * -ENOSYS until the toolstack interface exists.
 */
#define __XEN_TOOLS__ 1 /* xen/domctl.h is the tools' interface */

#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>
#include <veneer/xen_abi.h>

#include <xen/domctl.h>

static void fill_info(const struct domain *d,
                      struct xen_domctl_getdomaininfo *info)
{
    unsigned int online = 0, running = 0, blocked = 0;
    uint64_t cpu_time = 0;

    memset(info, 0, sizeof(*info));
    info->domain = d->id;
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];
        if (!v || !v->online)
            continue;
        online++;
        blocked += v->blocked;
        running += !v->blocked;
        cpu_time += v->runstate.time[RUNSTATE_running];
    }
    if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED)
        info->flags |=
            XEN_DOMINF_shutdown | (d->shutdown_reason & XEN_DOMINF_shutdownmask)
                                      << XEN_DOMINF_shutdownshift;
    else if (d->state == DOMAIN_DEAD)
        info->flags |= XEN_DOMINF_dying;
    else if (running)
        info->flags |= XEN_DOMINF_running;
    else if (blocked)
        info->flags |= XEN_DOMINF_blocked;
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = d->shared_info_mfn;
    info->cpu_time = cpu_time;
    info->nr_online_vcpus = online;
    info->max_vcpu_id = d->nr_vcpus ? d->nr_vcpus - 1 : XEN_INVALID_MAX_VCPU_ID;
    info->gpaddr_bits = 52;
}

long do_domctl(HYPERCALL_ARGS)
{
    struct xen_domctl op;

    if (copy_from_guest(&op, a1, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    if (op.cmd != XEN_DOMCTL_getdomaininfo)
        return -ENOSYS;
    for (unsigned int id = op.domain; id < MAX_DOMAINS; id++) {
        const struct domain *d = domains[id];
        if (!d)
            continue;
        fill_info(d, &op.u.getdomaininfo);
        op.domain = d->id;
        return copy_to_guest(a1, &op, sizeof(op)) ? -EFAULT : 0;
    }
    return -ESRCH;
}
