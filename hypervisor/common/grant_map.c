/*
 * GNTTABOP_map_grant_ref and GNTTABOP_unmap_grant_ref (pv-abi.md 8.2,
 * 9.3): pinning a granted frame for the caller, the grant PTE a host
 * mapping installs (GNTMAP_host_map, at a virtual address or with
 * GNTMAP_contains_pte at a PTE's machine address), device mappings, and
 * undoing all of it on unmap or when a domain dies.
 *
 * Status codes follow Xen 4.17 (xen/common/grant_table.c and
 * arch/x86/pv/grant_table.c) in the same order of checks: a map of a ref
 * beyond the table is GNTST_bad_gntref, of an entry not granted to the
 * caller GNTST_general_error, of a frame the granter does not own
 * GNTST_bad_page, a PTE that is not in a validated L1 of the caller
 * GNTST_general_error.
 */
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/mm.h>
#include <veneer/page_info.h>
#include <veneer/x86.h>

#include "grant_internal.h"

/* ---- host mappings (PTEs) ---------------------------------------------- */

static uint64_t grant_pte(mfn_t frame, uint32_t flags)
{
    uint64_t pte = (frame << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED |
                   _PAGE_DIRTY | _PAGE_USER | _PAGE_NX | PTE_GNTTAB;

    if (!(flags & GNTMAP_readonly))
        pte |= _PAGE_RW;
    /* GNTMAP_guest_avail0.. go to the PTE's available bits 9-11. */
    pte |= ((uint64_t)(flags >> _GNTMAP_guest_avail0) << 9) & PTE_AVAIL;
    return pte;
}

static bool validated_l1(const struct domain *d, mfn_t mfn)
{
    const struct page_info *pg = mfn_to_page(mfn);

    return pg->owner == d->id && pg->type == PGT_L1 && pg->type_count &&
           (pg->type_flags & PGTF_VALIDATED);
}

/*
 * The PTE a host mapping op names: with GNTMAP_contains_pte, host_addr is
 * its machine address; otherwise a virtual address in the caller's
 * current (kernel) page tables. It must be in a validated L1 of ld. On
 * success the caller holds a general reference on that L1.
 */
static int16_t find_pte(struct domain *ld, uint64_t addr, uint32_t flags,
                        mfn_t *l1, unsigned int *idx)
{
    if (flags & GNTMAP_contains_pte) {
        if (addr & 7)
            return GNTST_general_error; /* would straddle two entries */
        *l1 = addr >> PAGE_SHIFT;
        *idx = (unsigned int)((addr & (PAGE_SIZE - 1)) / 8);
    } else {
        mfn_t root = current->guest_table;
        if (!guest_range_ok(addr, 1) || root == INVALID_MFN ||
            pv_mm_find_l1(root, addr, l1, idx))
            return GNTST_general_error;
    }
    if (pv_get_page(ld, *l1))
        return GNTST_general_error;
    if (!validated_l1(ld, *l1)) {
        pv_put_page(*l1);
        return GNTST_general_error;
    }
    return GNTST_okay;
}

static uint64_t pte_maddr(mfn_t l1, unsigned int idx)
{
    return (l1 << PAGE_SHIFT) | (idx * 8UL);
}

/* Installs the grant PTE; keeps the L1 reference for the mapping. */
static int16_t create_host_mapping(struct domain *ld, uint64_t addr,
                                   mfn_t frame, uint32_t flags, uint64_t *maddr)
{
    mfn_t l1;
    unsigned int idx;
    int16_t rc = find_pte(ld, addr, flags, &l1, &idx);
    uint64_t *p, old;

    if (rc)
        return rc;
    p = &pv_mm_table(l1)[idx];
    old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
    if (old & _PAGE_PRESENT) {
        /* Another grant mapping is only undone by its own unmap; an
         * ordinary entry gives its references back through the MMU. */
        if ((old & PTE_GNTTAB) || pv_mm_mod_l1(ld, l1, idx, 0, false, NULL)) {
            pv_put_page(l1);
            return GNTST_general_error;
        }
    }
    __atomic_store_n(p, grant_pte(frame, flags), __ATOMIC_SEQ_CST);
    if (old & _PAGE_PRESENT)
        pv_mm_flush_tlbs();
    *maddr = pte_maddr(l1, idx);
    return GNTST_okay;
}

static bool pte_is_mapping(uint64_t pte, const struct maptrack *m)
{
    uint64_t want = _PAGE_PRESENT | PTE_GNTTAB |
                    (m->flags & GNTMAP_readonly ? 0 : _PAGE_RW);

    return (pte & (_PAGE_PRESENT | PTE_GNTTAB | _PAGE_RW)) == want &&
           ((pte & PTE_ADDR_MASK) >> PAGE_SHIFT) == m->frame;
}

/*
 * Unmap: the PTE named by addr must be the one this handle installed and
 * still map its frame with its rights (Xen checks the frame and the
 * rights; veneer also wants the same PTE, so that a mapping's PTE is
 * always the one its handle records).
 */
static int16_t destroy_host_mapping(struct domain *ld, struct maptrack *m,
                                    uint64_t addr)
{
    mfn_t l1;
    unsigned int idx;
    int16_t rc = find_pte(ld, addr, m->flags, &l1, &idx);
    uint64_t *p;

    if (rc)
        return rc;
    p = &pv_mm_table(l1)[idx];
    if (pte_maddr(l1, idx) != m->pte_maddr ||
        !pte_is_mapping(__atomic_load_n(p, __ATOMIC_SEQ_CST), m))
        rc = GNTST_general_error;
    else
        __atomic_store_n(p, 0, __ATOMIC_SEQ_CST);
    pv_put_page(l1);
    return rc;
}

/* For release and revocation: clears the PTE if it is still ours, in an
 * L1 frame the mapping keeps alive (but which may have stopped being an
 * L1: a devalidated table keeps the entry, refused if validated again). */
static void zap_host_mapping(const struct maptrack *m)
{
    mfn_t l1 = m->pte_maddr >> PAGE_SHIFT;
    const struct page_info *pg = mfn_to_page(l1);
    uint64_t *p = &pv_mm_table(l1)[(m->pte_maddr & (PAGE_SIZE - 1)) / 8];

    if (pg->type_count && pg->type >= PGT_L2 && pg->type <= PGT_L4)
        return; /* now an upper-level table: not ours to touch */
    if (pte_is_mapping(__atomic_load_n(p, __ATOMIC_SEQ_CST), m))
        __atomic_store_n(p, 0, __ATOMIC_SEQ_CST);
}

/* ---- pins and references ----------------------------------------------- */

/*
 * Drops what the `what` part (GNTMAP_host_map and/or GNTMAP_device_map)
 * of a mapping held: its frame references and, unless the granter is
 * gone (an orphan), its pins and the entry's in-use bits nobody needs any
 * more. The PTE is gone already.
 */
static void unpin_mapping(const struct maptrack *m, uint32_t what,
                          bool readonly)
{
    struct domain *rd = m->orphan ? NULL : domain_by_id(m->domid);
    struct grant_table *rgt = rd ? rd->grant_table : NULL;
    struct active_grant *a = NULL;

    if (rgt && m->ref < nr_entries(rgt))
        a = active_entry(rgt, m->ref);
    for (uint32_t bit = GNTMAP_device_map; bit <= GNTMAP_host_map; bit <<= 1) {
        uint8_t *c = NULL;
        if (!(what & bit))
            continue;
        if (!readonly)
            pv_put_page_type(m->frame);
        pv_put_page(m->frame);
        if (bit == GNTMAP_host_map) {
            pv_put_page(m->pte_maddr >> PAGE_SHIFT); /* the PTE's L1 */
            if (a)
                c = readonly ? &a->host_r : &a->host_w;
        } else if (a) {
            c = readonly ? &a->dev_r : &a->dev_w;
        }
        if (c && *c)
            (*c)--;
    }
    if (a)
        gnttab_clear_unused(shared_entry(rgt, m->ref), a, readonly);
}

/* ---- map --------------------------------------------------------------- */

static unsigned int map_kinds(uint32_t flags)
{
    return !!(flags & GNTMAP_device_map) + !!(flags & GNTMAP_host_map);
}

static void add_pins(struct active_grant *a, uint32_t flags, int delta)
{
    bool ro = flags & GNTMAP_readonly;

    if (flags & GNTMAP_device_map)
        *(ro ? &a->dev_r : &a->dev_w) += delta;
    if (flags & GNTMAP_host_map)
        *(ro ? &a->host_r : &a->host_w) += delta;
}

void gnttab_map_one(struct gnttab_map_grant_ref *op)
{
    struct domain *ld = current->domain, *rd;
    struct grant_table *lgt = ld->grant_table, *rgt;
    uint32_t flags = op->flags;
    bool ro = flags & GNTMAP_readonly, have_ref = false;
    struct active_grant *a;
    grant_entry_v1_t *e;
    unsigned int refs = 0, types = 0;
    uint64_t maddr = 0;
    mfn_t frame;
    int16_t rc;
    int handle;

    if (!(flags & (GNTMAP_device_map | GNTMAP_host_map))) {
        op->status = GNTST_bad_gntref;
        return;
    }
    /* Xen looks the granter up by id: DOMID_SELF is no domain here. */
    rd = domain_by_id(op->dom);
    if (!rd || !rd->grant_table || !lgt) {
        op->status = GNTST_bad_domain;
        return;
    }
    handle = gnttab_get_handle(lgt);
    if (handle < 0) {
        op->status = GNTST_no_device_space;
        return;
    }
    rgt = rd->grant_table;
    if (op->ref >= nr_entries(rgt)) {
        rc = GNTST_bad_gntref;
        goto out_handle;
    }
    a = active_entry(rgt, op->ref);
    e = shared_entry(rgt, op->ref);
    if (pinned(a) && (a->domid != ld->id || pin_full(a))) {
        rc = GNTST_general_error;
        goto out_handle;
    }
    if (!pinned(a) || (!ro && !writers(a))) {
        bool first = !pinned(a);
        rc = gnttab_set_in_use(e, !first, ro, true, ld->id);
        if (rc)
            goto out_handle;
        if (first) {
            mfn_t gfn = __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST);
            if (pv_get_page(rd, gfn)) {
                rc = GNTST_bad_page;
                goto out_clear;
            }
            a->domid = ld->id;
            a->frame = gfn;
            have_ref = true;
        }
    }
    add_pins(a, flags, 1);
    frame = a->frame;

    /* What an L1 entry would hold, once per kind of mapping. */
    rc = GNTST_general_error;
    for (unsigned int i = 0; i < map_kinds(flags); i++) {
        if (i == 0 && have_ref) {
            refs++;
            continue;
        }
        if (pv_get_page(rd, frame))
            goto undo;
        refs++;
    }
    for (unsigned int i = 0; !ro && i < map_kinds(flags); i++) {
        if (pv_get_page_type(rd, frame, PGT_WRITABLE))
            goto undo;
        types++;
    }
    /* Unmapping flushes every pCPU anyway; noting the grantee keeps the
     * rule of a type change in one place (mm/pv_mm.c). */
    if (!ro && types)
        pv_mm_note_writable_user(ld, frame);
    if (flags & GNTMAP_host_map) {
        rc = create_host_mapping(ld, op->host_addr, frame, flags, &maddr);
        if (rc)
            goto undo;
    }

    struct maptrack *m = maptrack_entry(lgt, (uint32_t)handle);
    m->domid = op->dom;
    m->ref = op->ref;
    m->frame = frame;
    m->pte_maddr = maddr;
    m->flags = flags;
    op->dev_bus_addr = frame << PAGE_SHIFT;
    op->handle = (grant_handle_t)handle;
    op->status = GNTST_okay;
    return;

undo:
    while (types--)
        pv_put_page_type(frame);
    while (refs--)
        pv_put_page(frame); /* the first pin's reference among them */
    add_pins(a, flags, -1);
out_clear:
    gnttab_clear_unused(e, a, ro);
out_handle:
    gnttab_put_handle(lgt, (uint32_t)handle);
    op->status = rc;
}

/* ---- unmap ------------------------------------------------------------- */

void gnttab_unmap_one(struct gnttab_unmap_grant_ref *op)
{
    struct domain *ld = current->domain, *rd;
    struct grant_table *lgt = ld->grant_table;
    struct maptrack *m;
    uint32_t done = 0;
    bool ro;
    int16_t rc;

    if (!lgt || op->handle >= lgt->maptrack_limit) {
        op->status = GNTST_bad_handle;
        return;
    }
    m = maptrack_entry(lgt, op->handle);
    if (!m->flags) {
        op->status = GNTST_bad_handle;
        return;
    }
    /* An orphan's granter is gone (and its id may be another domain's
     * now): the mapping is undone without it, as Xen does with a dying
     * granter's table. */
    rd = m->orphan ? NULL : domain_by_id(m->domid);
    if (!m->orphan &&
        (!rd || !rd->grant_table || m->ref >= nr_entries(rd->grant_table))) {
        op->status = GNTST_bad_handle;
        return;
    }
    ro = m->flags & GNTMAP_readonly;
    /* Xen 4.17 answers GNTST_bad_dev_addr here (later ones general). */
    if (op->dev_bus_addr && op->dev_bus_addr != (m->frame << PAGE_SHIFT)) {
        op->status = GNTST_bad_dev_addr;
        return;
    }
    if (op->host_addr && (m->flags & GNTMAP_host_map)) {
        rc = destroy_host_mapping(ld, m, op->host_addr);
        if (rc) {
            op->status = rc;
            return;
        }
        /* No stale translation may survive the call (pv-abi.md 8.2). */
        pv_mm_flush_tlbs();
        done |= GNTMAP_host_map;
    }
    if (op->dev_bus_addr && (m->flags & GNTMAP_device_map))
        done |= GNTMAP_device_map;
    m->flags &= ~done;
    unpin_mapping(m, done, ro);
    if (!(m->flags & (GNTMAP_device_map | GNTMAP_host_map)))
        gnttab_put_handle(lgt, op->handle);
    op->status = GNTST_okay;
}

/* Undoes mapping h of d entirely, whatever the guest did to its PTE. */
void gnttab_release_mapping(struct domain *d, uint32_t h)
{
    struct grant_table *gt = d->grant_table;
    struct maptrack *m = maptrack_entry(gt, h);
    uint32_t what = m->flags & (GNTMAP_device_map | GNTMAP_host_map);

    if (what & GNTMAP_host_map) {
        zap_host_mapping(m);
        pv_mm_flush_tlbs();
    }
    unpin_mapping(m, what, m->flags & GNTMAP_readonly);
    gnttab_put_handle(gt, h);
}
