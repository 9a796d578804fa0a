/*
 * The PV MMU hypercalls: mmu_update (1), update_va_mapping (14) and
 * mmuext_op (26), pv-abi.md 7.3-7.4, on top of the type system in
 * mm/pv_mm.c. Also the two machine-dependent services that core needs:
 * the direct map of a frame and the TLB flush.
 *
 * Batches run in order and stop at the first error; *done (if given)
 * counts the entries completed, as Xen reports it.
 *
 * Flushes: a LOCAL one is this pCPU's; ALL and MULTI reach every pCPU that
 * has the caller's page tables loaded (the vCPU mask is read for its
 * validity only: flushing a few more pCPUs is always safe). The safety
 * flushes the type system asks for (pv_mm_flush_tlbs) reach every pCPU
 * with any guest's tables loaded, since a stale writable mapping may be
 * another domain's.
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/io.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/pv_mm.h>
#include <veneer/smp.h>
#include <veneer/x86.h>
#include <veneer/xen_abi.h>

uint64_t *pv_mm_table(mfn_t mfn)
{
    return mfn_to_virt(mfn);
}

void pv_mm_flush_tlbs(void)
{
    smp_flush_tlbs(NULL);
}

uint64_t pv_mm_tlb_clock(void)
{
    return smp_tlb_clock();
}

void pv_mm_flush_tlbs_since(const struct domain *d, uint64_t stamp)
{
    smp_flush_tlbs_since(d, stamp);
}

static void flush_one(uint64_t va)
{
    /* invlpg of a non-canonical address would #GP in the hypervisor. */
    if (guest_range_ok(va, 1))
        __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* A guest's flush of all its TLB entries, or of the one for va: here
 * only (local), or on the pCPUs running its vCPUs in `vcpus`, where it is
 * a full flush. */
static void flush_guest(const struct domain *d, bool local, uint64_t vcpus,
                        bool one, uint64_t va)
{
    if (!local)
        smp_flush_vcpus(d, vcpus);
    else if (one)
        flush_one(va);
    else
        smp_write_cr3(read_cr3()); /* guest translations are never global */
}

/* DOMID_XEN as a page owner: a domain that owns no frame. */
static struct domain dom_xen = {.id = DOMID_XEN,
                                .shared_info_mfn = INVALID_MFN};

/*
 * foreigndom's page owner (low 16 bits), as Xen's get_pg_owner(): DOMID_SELF
 * is the caller; naming oneself explicitly or an unknown domain is -ESRCH;
 * another domain (or DOMID_XEN) needs the control domain (-EPERM
 * otherwise). DOMID_IO (machine frames outside RAM) is refused: veneer
 * gives no domain I/O memory yet.
 */
static struct domain *pg_owner_of(struct domain *d, unsigned int foreigndom,
                                  long *err)
{
    domid_t id = foreigndom & 0xffff;
    struct domain *o;

    *err = 0;
    if (id == DOMID_SELF)
        return d;
    if (id == d->id) {
        *err = -ESRCH;
        return NULL;
    }
    if (id == DOMID_IO) {
        *err = -EPERM;
        return NULL;
    }
    o = id == DOMID_XEN ? &dom_xen : domain_by_id(id);
    if (!o)
        *err = -ESRCH;
    else if (!d->privileged)
        *err = -EPERM;
    return *err ? NULL : o;
}

/* A vCPU bitmap from the guest (one word: MAX_VIRT_CPUS fits). */
static int read_vcpumask(uint64_t ptr, uint64_t *mask)
{
    return copy_from_guest(mask, ptr, sizeof(*mask)) ? -EFAULT : 0;
}

static void report_done(uint64_t pdone, unsigned int done)
{
    if (pdone)
        (void)copy_to_guest(pdone, &done, sizeof(done));
}

#define MMU_UPDATE_PREEMPTED_FLAG (~(~0U >> 1))

/* mmu_update(reqs, count, done, foreigndom) */
long do_mmu_update(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    struct domain *d = v->domain, *pt_owner = d, *pg_owner;
    uint64_t ureqs = a1, pdone = a3;
    unsigned int count = (unsigned int)a2, foreigndom = (unsigned int)a4;
    unsigned int i, done = 0, pt_dom = foreigndom >> 16;
    long rc = 0;

    if (count & MMU_UPDATE_PREEMPTED_FLAG) {
        /* A continuation in Xen; we never create them, but honour the
         * format: the done count so far comes from the guest. */
        count &= ~MMU_UPDATE_PREEMPTED_FLAG;
        if (pdone && copy_from_guest(&done, pdone, sizeof(done)))
            done = 0;
    }
    if (!guest_range_ok(ureqs, (uint64_t)count * sizeof(struct mmu_update)))
        return -EFAULT;
    if (pt_dom) {
        /* Page tables of another domain: the control domain only. */
        pt_owner = domain_by_id(pt_dom - 1);
        if (!pt_owner)
            return -ESRCH;
        if (pt_owner != d && !d->privileged)
            return -EPERM;
    }
    pg_owner = pg_owner_of(d, foreigndom, &rc);
    if (!pg_owner)
        return rc;

    for (i = 0; i < count; i++) {
        struct mmu_update req;

        if (copy_from_guest(&req, ureqs + (uint64_t)i * sizeof(req),
                            sizeof(req))) {
            rc = -EFAULT;
            break;
        }
        /* Xen: the command is the entry's low 3 bits (4-7: -ENOSYS). */
        unsigned int cmd = req.ptr & 7;
        req.ptr -= cmd;
        switch (cmd) {
        case MMU_NORMAL_PT_UPDATE:
        case MMU_PT_UPDATE_PRESERVE_AD:
        case MMU_PT_UPDATE_NO_TRANSLATE:
            rc = pv_mm_update_entry(pt_owner, pg_owner, req.ptr, req.val,
                                    cmd == MMU_PT_UPDATE_PRESERVE_AD);
            break;
        case MMU_MACHPHYS_UPDATE: {
            mfn_t mfn = req.ptr >> PAGE_SHIFT;
            if (pt_owner != d) {
                rc = -EPERM;
                break;
            }
            rc = pv_get_page(pg_owner, mfn);
            if (rc)
                break;
            m2p_set(mfn, req.val);
            pv_put_page(mfn);
            break;
        }
        default:
            rc = -ENOSYS;
            break;
        }
        if (rc)
            break;
    }
    report_done(pdone, done + i);
    return rc;
}

/* update_va_mapping(va, val, flags) */
long do_update_va_mapping(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    uint64_t va = a1, val = a2, flags = a3, bmap = flags & ~3UL;
    uint64_t mask = ~0ULL;
    mfn_t l1;
    unsigned int idx;
    int rc;

    if (!guest_range_ok(va, 1) || v->guest_table == INVALID_MFN)
        return -EINVAL;
    rc = pv_mm_find_l1(v->guest_table, va, &l1, &idx);
    if (rc)
        return rc;
    rc = pv_mm_mod_l1(v->domain, l1, idx, val, false, 0);
    if (rc)
        return rc;

    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_TLB_FLUSH:
    case UVMF_INVLPG:
        if (bmap != UVMF_LOCAL && bmap != UVMF_ALL)
            rc = read_vcpumask(bmap, &mask);
        if (rc)
            mask = ~0ULL; /* flush anyway: the mapping did change */
        flush_guest(v->domain, bmap == UVMF_LOCAL, mask,
                    (flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG, va);
        break;
    }
    return rc;
}

static int new_baseptr(struct vcpu *v, mfn_t mfn)
{
    mfn_t old = v->guest_table;
    int rc;

    if (mfn == old) {
        pv_load_page_tables(v);
        return 0;
    }
    rc = pv_get_page_and_type(v->domain, mfn, PGT_L4);
    if (rc)
        return rc;
    /* Hypercalls come from kernel mode: the new root goes live now, and
     * only then may the old one lose its references. */
    v->guest_table = mfn;
    pv_load_page_tables(v);
    if (old != INVALID_MFN)
        pv_put_page_and_type(old);
    return 0;
}

static int new_user_baseptr(struct vcpu *v, mfn_t mfn)
{
    /* The guest says 0 for "no user tables" (kernel threads). */
    return pv_mm_set_base(v->domain, &v->guest_table_user,
                          mfn ? mfn : INVALID_MFN);
}

/* SET_LDT: only the empty LDT Linux sets on every CPU, for now. */
static int set_ldt(uint64_t ptr, unsigned int ents)
{
    if (ents > 8192 ||
        (ents && ((ptr & (PAGE_SIZE - 1)) || !guest_range_ok(ptr, ents * 8UL))))
        return -EINVAL;
    return ents ? -EINVAL : 0;
}

/* mmuext_op(ops, count, done, foreigndom) */
long do_mmuext_op(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    struct domain *d = v->domain, *pg_owner;
    uint64_t uops = a1, pdone = a3;
    unsigned int count = (unsigned int)a2, foreigndom = (unsigned int)a4;
    unsigned int i, done = 0;
    long rc = 0;

    if (count & MMU_UPDATE_PREEMPTED_FLAG) {
        count &= ~MMU_UPDATE_PREEMPTED_FLAG;
        if (pdone && copy_from_guest(&done, pdone, sizeof(done)))
            done = 0;
    }
    if (!guest_range_ok(uops, (uint64_t)count * sizeof(struct mmuext_op)))
        return -EFAULT;
    pg_owner = pg_owner_of(d, foreigndom, &rc);
    if (!pg_owner)
        return rc;
    if (pg_owner == &dom_xen)
        return -EINVAL; /* Xen: not a PV domain */

    for (i = 0; i < count; i++) {
        struct mmuext_op op;

        if (copy_from_guest(&op, uops + (uint64_t)i * sizeof(op), sizeof(op))) {
            rc = -EFAULT;
            break;
        }
        /* Commands 5-15 (base pointers, flushes, the LDT) act on the
         * caller itself: -EPERM with a foreign page owner, as in Xen. 14 is
         * not a command. */
        if (pg_owner != d && op.cmd >= MMUEXT_NEW_BASEPTR &&
            op.cmd <= MMUEXT_NEW_USER_BASEPTR && op.cmd != 14) {
            rc = -EPERM;
            break;
        }
        switch (op.cmd) {
        case MMUEXT_PIN_L1_TABLE:
        case MMUEXT_PIN_L2_TABLE:
        case MMUEXT_PIN_L3_TABLE:
        case MMUEXT_PIN_L4_TABLE:
            /* The control domain may pin another domain's tables (a
             * toolstack building it): validated as that domain's. */
            rc = pv_mm_pin(pg_owner, op.arg1.mfn,
                           PGT_L1 + (op.cmd - MMUEXT_PIN_L1_TABLE));
            break;
        case MMUEXT_UNPIN_TABLE:
            rc = pv_mm_unpin(pg_owner, op.arg1.mfn);
            break;
        case MMUEXT_NEW_BASEPTR:
            rc = new_baseptr(v, op.arg1.mfn);
            break;
        case MMUEXT_NEW_USER_BASEPTR:
            rc = new_user_baseptr(v, op.arg1.mfn);
            break;
        case MMUEXT_TLB_FLUSH_LOCAL:
        case MMUEXT_TLB_FLUSH_ALL:
            flush_guest(d, op.cmd == MMUEXT_TLB_FLUSH_LOCAL, ~0ULL, false, 0);
            break;
        case MMUEXT_INVLPG_LOCAL:
        case MMUEXT_INVLPG_ALL:
            flush_guest(d, op.cmd == MMUEXT_INVLPG_LOCAL, ~0ULL, true,
                        op.arg1.linear_addr);
            break;
        case MMUEXT_TLB_FLUSH_MULTI:
        case MMUEXT_INVLPG_MULTI: {
            uint64_t mask;
            /* Xen answers an unreadable bitmap with -EINVAL here. */
            if (read_vcpumask((uint64_t)op.arg2.vcpumask.p, &mask))
                rc = -EINVAL;
            else
                flush_guest(d, false, mask, op.cmd == MMUEXT_INVLPG_MULTI,
                            op.arg1.linear_addr);
            break;
        }
        case MMUEXT_SET_LDT:
            rc = set_ldt(op.arg1.linear_addr, op.arg2.nr_ents);
            break;
        case MMUEXT_MARK_SUPER:
        case MMUEXT_UNMARK_SUPER:
            rc = -EOPNOTSUPP;
            break;
        default:
            rc = -ENOSYS;
            break;
        }
        if (rc)
            break;
    }
    report_done(pdone, done + i);
    return rc;
}
