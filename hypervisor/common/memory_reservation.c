/*
 * memory_op's reservation changes (pv-abi.md 3.8): a guest gives frames
 * back (decrease_reservation) or asks for new ones at pseudo-physical
 * frames of its choice (populate_physmap), trades frames for
 * machine-contiguous ones (exchange), and learns its highest
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

/* A frame the guest may give away in an exchange: its own, allocated,
 * referenced by nothing else (not mapped, not typed, not pinned). */
static bool stealable(const struct domain *d, mfn_t mfn)
{
    const struct page_info *pg;

    if (!mfn_valid(mfn))
        return false;
    pg = mfn_to_page(mfn);
    return pg->owner == d->id && (pg->flags & PGF_ALLOCATED) &&
           pg->count == 1 && pg->type_count == 0;
}

static void give_back(struct domain *d, mfn_t mfn, unsigned int order)
{
    for (mfn_t i = 0; i < (1UL << order); i++) {
        struct page_info *pg = mfn_to_page(mfn + i);
        pg->flags &= ~PGF_ALLOCATED;
        pg->count = 0;
        m2p_set(mfn + i, M2P_INVALID);
        free_pages(mfn + i, 0);
    }
    d->tot_pages -= 1UL << order;
}

/* One chunk: 2^in_chunk input extents for 2^out_chunk output extents of
 * the same total size. Nothing changes unless all of it succeeds. The
 * inputs are read from the guest once, into `claimed`; the outputs wait
 * in a list chained through their own first words (they are fresh, and
 * zeroed before the guest sees them). */
static long exchange_chunk(struct domain *d,
                           const struct xen_memory_exchange *x, uint64_t i,
                           unsigned int in_chunk, unsigned int out_chunk,
                           uint64_t addr_limit, mfn_t *claimed)
{
    uint64_t in_list = (uint64_t)x->in.extent_start.p;
    uint64_t out_list = (uint64_t)x->out.extent_start.p;
    unsigned int order = x->out.extent_order, in_order = x->in.extent_order;
    uint64_t n = 0, total = (1UL << in_chunk) << in_order;
    mfn_t head = INVALID_MFN, mfn;
    long rc = 0;

    /* Claim the inputs (PGF_ALLOCATED comes off, so a frame listed twice
     * is refused the second time; it comes back if anything fails). */
    for (; n < total; n++) {
        xen_pfn_t gmfn;
        uint64_t j = n >> in_order;
        if (copy_from_guest(&gmfn, in_list + ((i << in_chunk) + j) * 8, 8)) {
            rc = -EFAULT;
            break;
        }
        claimed[n] = gmfn + (n & ((1UL << in_order) - 1));
        if (!stealable(d, claimed[n])) {
            rc = -EINVAL;
            break;
        }
        mfn_to_page(claimed[n])->flags &= ~PGF_ALLOCATED;
    }
    for (unsigned int got = 0; !rc && got < (1U << out_chunk); got++) {
        mfn = domain_alloc_frames(d, order);
        if (mfn != INVALID_MFN &&
            ((mfn + (1UL << order)) << PAGE_SHIFT) > addr_limit) {
            give_back(d, mfn, order);
            mfn = INVALID_MFN;
        }
        if (mfn == INVALID_MFN) {
            rc = -ENOMEM;
            break;
        }
        *(mfn_t *)mfn_to_virt(mfn) = head;
        head = mfn;
    }
    if (rc) {
        while (head != INVALID_MFN) {
            mfn = head;
            head = *(mfn_t *)mfn_to_virt(mfn);
            give_back(d, mfn, order);
        }
        while (n-- > 0)
            mfn_to_page(claimed[n])->flags |= PGF_ALLOCATED;
        return rc;
    }
    /* Committed: the inputs go (after a flush: the guest unmapped them
     * but may not have flushed yet), the outputs take their guest frames. */
    pv_mm_flush_tlbs();
    for (n = 0; n < total; n++)
        give_back(d, claimed[n], 0);
    for (uint64_t j = 0; head != INVALID_MFN; j++) {
        uint64_t slot = out_list + ((i << out_chunk) + j) * 8;
        xen_pfn_t gpfn = 0;
        mfn = head;
        head = *(mfn_t *)mfn_to_virt(mfn);
        if (copy_from_guest(&gpfn, slot, 8))
            rc = -EFAULT;
        for (mfn_t k = 0; k < (1UL << order); k++) {
            memset(mfn_to_virt(mfn + k), 0, PAGE_SIZE);
            m2p_set(mfn + k, rc ? M2P_INVALID : gpfn + k);
        }
        if (copy_to_guest(slot, &mfn, 8))
            rc = -EFAULT;
    }
    return rc;
}

/*
 * XENMEM_exchange: the guest trades frames for others, typically for
 * machine-contiguous ones below an address limit (Linux's
 * xen_create_contiguous_region for swiotlb and DMA buffers). Errnos and
 * the nr_exchanged protocol as Xen 4.17's memory_exchange().
 */
static long exchange(uint64_t arg)
{
    struct xen_memory_exchange x;
    unsigned int in_chunk, out_chunk, bits;
    uint64_t nr_out_done, addr_limit;
    struct domain *d;
    long rc = 0;

    if (copy_from_guest(&x, arg, sizeof(x)))
        return -EFAULT;
    if (MAX(x.in.extent_order, x.out.extent_order) > MAX_EXTENT_ORDER) {
        rc = -EPERM;
        goto out;
    }
    if (x.nr_exchanged > x.in.nr_extents || x.in.domid != x.out.domid ||
        (~0UL >> x.in.extent_order) < x.in.nr_extents ||
        (~0UL >> x.out.extent_order) < x.out.nr_extents ||
        (x.in.nr_extents << x.in.extent_order) !=
            (x.out.nr_extents << x.out.extent_order)) {
        rc = -EINVAL;
        goto out;
    }
    if (x.nr_exchanged == x.in.nr_extents)
        return 0;
    if (x.in.extent_order <= x.out.extent_order) {
        in_chunk = x.out.extent_order - x.in.extent_order;
        out_chunk = 0;
        nr_out_done = x.nr_exchanged >> in_chunk;
    } else {
        in_chunk = 0;
        out_chunk = x.in.extent_order - x.out.extent_order;
        nr_out_done = x.nr_exchanged << out_chunk;
    }
    if (!guest_range_ok((uint64_t)x.in.extent_start.p + x.nr_exchanged * 8,
                        (x.in.nr_extents - x.nr_exchanged) * 8) ||
        !guest_range_ok((uint64_t)x.out.extent_start.p + nr_out_done * 8,
                        (x.out.nr_extents - nr_out_done) * 8)) {
        rc = -EFAULT;
        goto out;
    }
    /* One NUMA node: an exact request for another one cannot be met. */
    if ((x.out.mem_flags & XENMEMF_exact_node_request) &&
        ((x.out.mem_flags >> 8) & 0xff) != 1) {
        rc = -EINVAL;
        goto out;
    }
    d = target_domain(x.in.domid, &rc);
    if (!d)
        goto out;
    bits = XENMEMF_get_address_bits(x.out.mem_flags);
    addr_limit = bits && bits < 64 ? 1UL << bits : ~0UL;

    /* A chunk is at most 2^MAX_EXTENT_ORDER frames on each side. */
    mfn_t *claimed = xmalloc(sizeof(mfn_t) << MAX_EXTENT_ORDER);
    if (!claimed) {
        rc = -ENOMEM;
        goto out;
    }
    uint64_t i;
    for (i = x.nr_exchanged >> in_chunk; i < (x.in.nr_extents >> in_chunk);
         i++) {
        rc = exchange_chunk(d, &x, i, in_chunk, out_chunk, addr_limit, claimed);
        if (rc)
            break;
    }
    xfree(claimed);
    x.nr_exchanged = i << in_chunk;
out:
    if (copy_to_guest(arg + offsetof(struct xen_memory_exchange, nr_exchanged),
                      &x.nr_exchanged, sizeof(x.nr_exchanged)))
        rc = -EFAULT;
    return rc;
}

long memory_op_reservation(uint64_t a1, uint64_t arg)
{
    unsigned int cmd = a1 & ((1U << MEMOP_EXTENT_SHIFT) - 1);
    uint64_t start = a1 >> MEMOP_EXTENT_SHIFT;

    switch (cmd) {
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(cmd, start, arg);
    case XENMEM_exchange:
        return exchange(arg);
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
