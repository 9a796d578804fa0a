/*
 * Boot-time guests with a xenstore (domU_xenstore on the command line).
 * The builder already sets a page aside for each domU's store ring and
 * names it in start_info.store_mfn; here it gets what a toolstack gives it
 * on Xen: an unbound event channel whose far end is dom0 (where vstored
 * runs) in start_info.store_evtchn, and grant entries 0 (console) and
 * 1 (xenstore, GNTTAB_RESERVED_XENSTORE) granting dom0 access, as Xen's
 * domain builder seeds them: vstored maps the ring through grant 1.
 *
 * How dom0 learns of them: Xen's own boot-time domains (dom0less) publish
 * their store as HVM_PARAM_STORE_PFN/_STORE_EVTCHN, which Xen's
 * init-dom0less reads with HVMOP_get_param before it INTRODUCEs them; we
 * answer the same two parameters, to the control domain (or the domain
 * itself), for the domains that have a store. Everything else of hvm_op
 * is what Xen answers a PV domain: -EINVAL for a parameter of a domain
 * without one, -ENOSYS for the other sub-ops (no HVM guests here).
 *
 * Given a store port, Linux's xenbus waits in its boot until the store
 * answers: without domU_xenstore, guests get none and go without xenbus.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/event.h>
#include <veneer/grant_table.h>
#include <veneer/guest_access.h>
#include <veneer/mm.h>
#include <veneer/xenstore_ring.h>

int xenstore_ring_connect(struct domain *d)
{
    struct start_info *si = mfn_to_virt(d->start_info_mfn);
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = 0};
    int rc;

    if (d->privileged || !si->store_mfn)
        return -EINVAL;
    rc = gnttab_seed_reserved(d, 0, si->console.domU.mfn, si->store_mfn);
    if (rc)
        return rc;
    rc = evtchn_alloc_unbound(d, &a);
    if (rc)
        return rc;
    d->store_mfn = si->store_mfn;
    d->store_evtchn = a.port;
    si->store_evtchn = a.port;
    pr_info("d%u: xenstore ring at mfn %#lx, port %u for dom0\n", d->id,
            d->store_mfn, a.port);
    return 0;
}

long do_hvm_op(HYPERCALL_ARGS)
{
    struct domain *self = current->domain, *d;
    struct xen_hvm_param p;

    if (a1 != HVMOP_get_param)
        return -ENOSYS;
    if (copy_from_guest(&p, a2, sizeof(p)))
        return -EFAULT;
    d = p.domid == DOMID_SELF ? self : domain_by_id(p.domid);
    if (!d)
        return -ESRCH;
    if (d != self && !self->privileged)
        return -EPERM;
    if (!d->store_evtchn)
        return -EINVAL; /* a PV domain: no HVM parameters */
    switch (p.index) {
    case HVM_PARAM_STORE_PFN:
        p.value = d->store_mfn; /* PV: the guest's frame number is the mfn */
        break;
    case HVM_PARAM_STORE_EVTCHN:
        p.value = d->store_evtchn;
        break;
    default:
        return -EINVAL;
    }
    return copy_to_guest(a2, &p, sizeof(p)) ? -EFAULT : 0;
}
