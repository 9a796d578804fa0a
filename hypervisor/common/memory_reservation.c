/*
 * memory_op's reservation changes (pv-abi.md 3.8): a guest gives frames
 * back (decrease_reservation) or asks for new ones at pseudo-physical
 * frames of its choice (populate_physmap), and learns its highest
 * pseudo-physical frame (maximum_gpfn). Frames change hands only through
 * the PV MMU's reference counts: a frame given back stays out of the
 * allocator while any mapping still refers to it.
 *
 * The argument layout is Xen's struct xen_memory_reservation; both calls
 * return the number of extents done (Xen's "start_extent" continuation
 * index in the command's upper bits is honoured).
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv_mm.h>

#define MEMOP_EXTENT_SHIFT 6
#define MAX_EXTENT_ORDER   9 /* Xen's limit for guests without I/O memory */

static struct domain *target_domain(domid_t id, long *err)
{
    struct domain *d = id == DOMID_SELF ? current->domain : domain_by_id(id);

    *err = 0;
    if (!d)
        *err = -ESRCH;
    else if (d != current->domain && !current->domain->privileged)
        *err = -EPERM;
    return *err ? NULL : d;
}

static int release_extent(struct domain *d, mfn_t mfn, unsigned int order)
{
    for (mfn_t i = 0; i < (1UL << order); i++) {
        if (pv_mm_release_frame(d, mfn + i))
            return -EINVAL;
        m2p_set(mfn + i, M2P_INVALID);
    }
    return 0;
}

static int populate_extent(struct domain *d, uint64_t gpfn, unsigned int order,
                           mfn_t *out)
{
    mfn_t mfn;

    if (d->tot_pages + (1UL << order) > d->max_pages)
        return -ENOMEM;
    mfn = domain_alloc_frames(d, order);
    if (mfn == INVALID_MFN)
        return -ENOMEM;
    for (mfn_t i = 0; i < (1UL << order); i++) {
        memset(mfn_to_virt(mfn + i), 0, PAGE_SIZE);
        m2p_set(mfn + i, gpfn + i);
    }
    *out = mfn;
    return 0;
}

static long reservation(unsigned int cmd, uint64_t start, uint64_t arg)
{
    struct xen_memory_reservation r;
    struct domain *d;
    uint64_t list, i;
    long err;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    d = target_domain(r.domid, &err);
    if (!d)
        return err;
    if (start >= r.nr_extents)
        return (long)start;
    if (r.extent_order > MAX_EXTENT_ORDER)
        return (long)start;
    list = (uint64_t)r.extent_start.p;
    if (!guest_range_ok(list, r.nr_extents * sizeof(xen_pfn_t)))
        return (long)start;
    for (i = start; i < r.nr_extents; i++) {
        xen_pfn_t v;
        if (copy_from_guest(&v, list + i * sizeof(v), sizeof(v)))
            break;
        if (cmd == XENMEM_decrease_reservation) {
            if (release_extent(d, v, r.extent_order))
                break;
        } else {
            mfn_t mfn;
            if (populate_extent(d, v, r.extent_order, &mfn))
                break;
            v = mfn; /* a PV guest learns the machine frame */
            if (copy_to_guest(list + i * sizeof(v), &v, sizeof(v)))
                break;
        }
    }
    return (long)i;
}

long memory_op_reservation(uint64_t a1, uint64_t arg)
{
    unsigned int cmd = a1 & ((1U << MEMOP_EXTENT_SHIFT) - 1);
    uint64_t start = a1 >> MEMOP_EXTENT_SHIFT;

    switch (cmd) {
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(cmd, start, arg);
    case XENMEM_maximum_gpfn: {
        domid_t id;
        struct domain *d;
        long err;
        if (copy_from_guest(&id, arg, sizeof(id)))
            return -EFAULT;
        d = target_domain(id, &err);
        if (!d)
            return err;
        /* Xen: a PV guest's highest pfn is what it wrote into
         * shared_info's max_pfn, minus one (0 if it wrote nothing). */
        uint64_t max_pfn = d->shared_info ? d->shared_info->arch.max_pfn : 0;
        return max_pfn ? (long)(max_pfn - 1) : 0;
    }
    }
    return -ENOSYS;
}
