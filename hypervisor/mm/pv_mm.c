/*
 * The PV MMU's type system: references, page types, validation of L1-L4
 * tables against pv-abi.md 7.2, entry updates, pinning and the teardown of
 * a domain's memory. Read include/veneer/pv_mm.h first for the counts.
 *
 * Errnos follow Xen 4.17 (xen/arch/x86/mm.c) because guests test them:
 * an L1 entry whose frame cannot be referenced is -EBUSY, bad flags and
 * anything wrong in an upper-level entry are -EINVAL, an L1 entry naming
 * a frame outside RAM is -EPERM for a domain without I/O privilege.
 */
#include <veneer/errno.h>
#include <veneer/grant_table.h>
#include <veneer/mm.h>
#include <veneer/pv_mm.h>
#include <veneer/segdesc.h>
#include <veneer/x86.h>

/* Flags allowed at every level, and additionally at L1 (pv-abi.md 1.5). */
#define BASE_ALLOWED                                                        \
    (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | \
     PTE_AVAIL | PTE_AVAIL_HIGH | _PAGE_NX)
#define PTE_FLAGS_MASK (~PTE_ADDR_MASK)
#define CACHE_ATTRS    (_PAGE_PWT | _PAGE_PCD | PTE_PAT_4K)
/* Bits an update may change without new references (Xen's fast path). */
#define FASTPATH_FLAGS                                                    \
    (_PAGE_NX | PTE_AVAIL_HIGH | PTE_AVAIL | _PAGE_GLOBAL | _PAGE_DIRTY | \
     _PAGE_ACCESSED | _PAGE_USER)

static inline mfn_t pte_mfn(uint64_t e)
{
    return (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

static bool is_table_type(unsigned int t)
{
    return t >= PGT_L1 && t <= PGT_L4;
}

static bool guest_l4_slot(unsigned int i)
{
    return i < HV_L4_FIRST_SLOT || i > HV_L4_LAST_SLOT;
}

bool pv_mm_shared_with(const struct domain *d, mfn_t mfn)
{
    return mfn_valid(mfn) && mfn_to_page(mfn)->owner == OWNER_HYPERVISOR &&
           (mfn == d->shared_info_mfn || gnttab_is_table_frame(d, mfn));
}

bool pv_mm_is_l1(const struct domain *d, mfn_t mfn)
{
    const struct page_info *pg;

    if (!mfn_valid(mfn))
        return false;
    pg = mfn_to_page(mfn);
    return pg->owner == d->id && pg->count && pg->type == PGT_L1 &&
           pg->type_count && (pg->type_flags & PGTF_VALIDATED);
}

/* ---- general references ---- */

static bool may_use(const struct domain *d, mfn_t mfn)
{
    const struct page_info *pg;

    if (!mfn_valid(mfn))
        return false;
    pg = mfn_to_page(mfn);
    if (pg->owner == d->id)
        return pg->count > 0; /* allocated (held) frames only */
    return pv_mm_shared_with(d, mfn);
}

int pv_get_page(struct domain *d, mfn_t mfn)
{
    struct page_info *pg;

    if (!may_use(d, mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (pg->count == UINT32_MAX)
        return -EINVAL;
    pg->count++;
    return 0;
}

/* The domain owning a frame; NULL for the hypervisor's, free or dying
 * frames, and for an owner already gone. */
static struct domain *page_owner(const struct page_info *pg)
{
    return pg->owner < MAX_DOMAINS ? domain_by_id(pg->owner) : NULL;
}

void pv_mm_note_writable_user(const struct domain *d, mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (pg->owner != d->id)
        pg->type_flags |= PGTF_FOREIGN_RW;
}

/* The last reference of a domain frame gone (given back and unmapped):
 * it returns to the allocator, after a flush, because the guest may not
 * have flushed the translation it just removed and the frame can go to
 * someone else next. Hypervisor frames are freed by their owner
 * (teardown for shared_info). */
static void frame_released(mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);
    struct domain *d = page_owner(pg);

    if (pg->owner == OWNER_HYPERVISOR || pg->owner == OWNER_NONE)
        return;
    if (pg->owner != OWNER_DYING && d && d->tot_pages)
        d->tot_pages--;
    pv_mm_flush_tlbs();
    free_pages(mfn, 0);
}

void pv_put_page(mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (pg->count == 0)
        return; /* never underflow; a bug elsewhere, not a guest's doing */
    if (--pg->count == 0)
        frame_released(mfn);
}

/* ---- validation ---- */

/*
 * The legacy first MiB (BIOS data, EBDA, VGA, option ROMs): no domain ever
 * owns these frames (the allocator never gets them), and a control domain
 * maps them as Xen lets dom0 do (Linux 6.12 scans 0x80000-0xfffff for an
 * iBFT through early_memremap). No references are taken for them.
 */
#define LEGACY_IO_FRAMES 0x100

static bool is_legacy_io_frame(mfn_t mfn)
{
    return mfn < LEGACY_IO_FRAMES && mfn_valid(mfn) &&
           mfn_to_page(mfn)->owner == OWNER_NONE;
}

static bool io_frame_for(const struct domain *d, mfn_t mfn)
{
    return d->privileged && is_legacy_io_frame(mfn);
}

/* Frames mapped without references: never to be put. */
static bool is_io_frame(mfn_t mfn)
{
    return !mfn_valid(mfn) || is_legacy_io_frame(mfn);
}

/* d: the table's owner (flag rules); pg_owner: whose frames it may map
 * (d itself, or the domain a privileged d named in mmu_update). */
static int get_page_from_l1e(struct domain *d, struct domain *pg_owner,
                             uint64_t e)
{
    mfn_t mfn = pte_mfn(e);
    uint64_t disallow = ~(BASE_ALLOWED | _PAGE_GLOBAL | PTE_ADDR_MASK);
    int rc;

    if (!(e & _PAGE_PRESENT))
        return 0;
    if (d->privileged)
        disallow &= ~CACHE_ATTRS;
    disallow |= PTE_GNTTAB; /* grant mappings come from grant ops only */
    if (e & disallow)
        return -EINVAL;
    if (io_frame_for(d, mfn))
        return 0;
    if (!mfn_valid(mfn))
        return -EPERM; /* MMIO: no I/O memory permissions yet */
    if (pv_get_page(pg_owner, mfn))
        return -EBUSY;
    if (e & _PAGE_RW) {
        rc = pv_get_page_type(pg_owner, mfn, PGT_WRITABLE);
        if (rc) {
            pv_put_page(mfn);
            return -EBUSY;
        }
        pv_mm_note_writable_user(d, mfn);
    }
    return 0;
}

static void put_page_from_l1e(uint64_t e)
{
    mfn_t mfn = pte_mfn(e);

    if (!(e & _PAGE_PRESENT) || is_io_frame(mfn))
        return;
    /* A grant mapping's references belong to its maptrack entry
     * (grant_table.c), which drops them when it is unmapped. */
    if (e & PTE_GNTTAB)
        return;
    if (e & _PAGE_RW)
        pv_put_page_type(mfn);
    pv_put_page(mfn);
}

/* Entry of an Lk table (k >= 2): a present entry references an L(k-1). */
static int get_page_from_lne(struct domain *d, uint64_t e, enum page_type level)
{
    if (!(e & _PAGE_PRESENT))
        return 0;
    /* Base flags only: no PSE (superpages), no G, no cache attributes. */
    if (e & ~(BASE_ALLOWED | PTE_ADDR_MASK))
        return -EINVAL;
    /* A linear (recursive) entry points at a table of its own level: the
     * type check refuses it, as pv-abi.md 7.2 wants. */
    return pv_get_page_and_type(d, pte_mfn(e), level - 1);
}

static void put_page_from_lne(uint64_t e)
{
    if (e & _PAGE_PRESENT)
        pv_put_page_and_type(pte_mfn(e));
}

/* What the hypervisor stores for a valid guest entry: _PAGE_USER forced
 * (the guest kernel runs in ring 3), _PAGE_GLOBAL dropped (a global guest
 * translation would survive the switch to another address space). */
static uint64_t adjust_entry(uint64_t e)
{
    if (e & _PAGE_PRESENT)
        e = (e | _PAGE_USER) & ~_PAGE_GLOBAL;
    return e;
}

static bool slot_checked(enum page_type level, unsigned int i)
{
    return level != PGT_L4 || guest_l4_slot(i);
}

static int get_entry(struct domain *d, enum page_type level, uint64_t e)
{
    return level == PGT_L1 ? get_page_from_l1e(d, d, e)
                           : get_page_from_lne(d, e, level);
}

static void put_entry(enum page_type level, uint64_t e)
{
    if (level == PGT_L1)
        put_page_from_l1e(e);
    else
        put_page_from_lne(e);
}

static int validate_table(struct domain *d, mfn_t mfn, enum page_type level)
{
    uint64_t *t = pv_mm_table(mfn);
    unsigned int i;
    int rc = 0;

    for (i = 0; i < 512; i++) {
        if (!slot_checked(level, i))
            continue;
        rc = get_entry(d, level, t[i]);
        if (rc)
            break;
        t[i] = adjust_entry(t[i]);
    }
    if (rc) {
        while (i-- > 0) {
            if (slot_checked(level, i))
                put_entry(level, t[i]);
        }
        return rc;
    }
    if (level == PGT_L4)
        paging_copy_hypervisor_slots(t);
    return 0;
}

static void devalidate_table(mfn_t mfn, enum page_type level)
{
    uint64_t *t = pv_mm_table(mfn);

    for (unsigned int i = 0; i < 512; i++) {
        if (slot_checked(level, i))
            put_entry(level, t[i]);
    }
}

/* ---- type references ---- */

int pv_get_page_type(struct domain *d, mfn_t mfn, enum page_type type)
{
    struct page_info *pg = mfn_to_page(mfn);
    int rc;

    if (type != PGT_WRITABLE && type != PGT_SEG_DESC && !is_table_type(type))
        return -EINVAL;
    if (pg->type_count == UINT32_MAX)
        return -EINVAL;
    if (pg->type_count) {
        if (pg->type != type || !(pg->type_flags & PGTF_VALIDATED))
            return -EINVAL;
        pg->type_count++;
        return 0;
    }
    /* 0 -> 1: the type may change; tables are (re)validated. */
    if (pg->type != type || !(pg->type_flags & PGTF_VALIDATED)) {
        /*
         * A change of type flushes the pCPUs that may still hold a stale
         * translation and have not flushed since the old type's last
         * reference went (Xen does the same):
         * - writable -> table or descriptor page: no stale writable
         *   translation may let the guest edit what we validate (7.1);
         * - table -> anything: a paging-structure cache may still point
         *   at this frame as a table (its parent entry is gone, but the
         *   guest need not have flushed), and once the guest may write
         *   the frame, a TLB miss through that cached pointer would walk
         *   entries nobody validated.
         * Same type again (revalidation) needs none: no one could write
         * the frame in between.
         * On SMP the writable -> table direction (the one that matters for
         * isolation) is safe as it stands: vCPUs of the guest run on other
         * pCPUs meanwhile, but the flush returns only when every pCPU that
         * may hold a writable translation has acknowledged it (smp.c), so
         * validation below reads a frame no one can write any more; and
         * from type_count 1 on, a new writable mapping is refused (-EINVAL
         * above) until the table's last reference goes.
         */
        if (pg->type == PGT_WRITABLE && type != PGT_WRITABLE) {
            /* Only pCPUs on the owner's tables, unless another domain
             * (the control domain through mmu_update, a grantee) mapped
             * the frame writable since the last change: then any
             * guest's. A frame changing hands was flushed everywhere
             * when it was freed (frame_released). */
            pv_mm_flush_tlbs_since(
                pg->type_flags & PGTF_FOREIGN_RW ? NULL : page_owner(pg),
                pg->tlbflush_stamp);
            pg->type_flags &= ~PGTF_FOREIGN_RW;
        } else if (is_table_type(pg->type) && type != pg->type)
            /* Only pCPUs on the owner's tables: no other domain can have
             * used this frame as a table (tables hold own frames only),
             * and a pCPU that switched tables since has flushed. Keeps a
             * guest's fork storm from interrupting dom0's pCPUs. */
            pv_mm_flush_tlbs_since(page_owner(pg), pg->tlbflush_stamp);
        pg->type = (uint8_t)type;
        pg->type_flags &= ~(PGTF_VALIDATED | PGTF_PINNED);
    }
    pg->type_count = 1;
    if (!(pg->type_flags & PGTF_VALIDATED)) {
        if (is_table_type(type)) {
            rc = validate_table(d, mfn, type);
            if (rc) {
                pg->type_count = 0;
                return rc;
            }
        } else if (type == PGT_SEG_DESC &&
                   segdesc_check_page(pv_mm_table(mfn))) {
            pg->type_count = 0;
            return -EINVAL; /* a descriptor no guest may have (7.7) */
        }
        pg->type_flags |= PGTF_VALIDATED;
    }
    return 0;
}

void pv_put_page_type(mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (pg->type_count == 0)
        return;
    if (pg->type_count == 1 && is_table_type(pg->type) &&
        (pg->type_flags & PGTF_VALIDATED)) {
        /* Keep the count while the entries let go, so that nothing below
         * can take this frame as another type meanwhile. */
        devalidate_table(mfn, pg->type);
        pg->type_flags &= ~(PGTF_VALIDATED | PGTF_PINNED);
    }
    pg->type_count--;
    if (pg->type_count == 0 &&
        (pg->type == PGT_WRITABLE || is_table_type(pg->type)))
        pg->tlbflush_stamp = pv_mm_tlb_clock();
}

int pv_get_page_and_type(struct domain *d, mfn_t mfn, enum page_type type)
{
    int rc;

    if (pv_get_page(d, mfn))
        return -EINVAL;
    rc = pv_get_page_type(d, mfn, type);
    if (rc)
        pv_put_page(mfn);
    return rc;
}

void pv_put_page_and_type(mfn_t mfn)
{
    pv_put_page_type(mfn);
    pv_put_page(mfn);
}

/* ---- pinning ---- */

int pv_mm_pin(struct domain *d, mfn_t mfn, enum page_type type)
{
    struct page_info *pg;
    int rc;

    if (!is_table_type(type))
        return -EINVAL;
    rc = pv_get_page_and_type(d, mfn, type);
    if (rc)
        return rc;
    pg = mfn_to_page(mfn);
    if (pg->type_flags & PGTF_PINNED) {
        pv_put_page_and_type(mfn);
        return -EINVAL;
    }
    /* The pin keeps the type reference and the general reference. */
    pg->type_flags |= PGTF_PINNED;
    return 0;
}

int pv_mm_unpin(struct domain *d, mfn_t mfn)
{
    struct page_info *pg;

    if (pv_get_page(d, mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (!(pg->type_flags & PGTF_PINNED) || !pg->type_count) {
        pv_put_page(mfn);
        return -EINVAL;
    }
    pg->type_flags &= ~PGTF_PINNED;
    pv_put_page_and_type(mfn);
    pv_put_page(mfn);
    return 0;
}

/* ---- entry updates ---- */

static void write_entry(uint64_t *p, uint64_t val, bool preserve_ad)
{
    if (preserve_ad) {
        uint64_t old = __atomic_load_n(p, __ATOMIC_RELAXED);
        for (;;) {
            uint64_t nv = val | (old & (_PAGE_ACCESSED | _PAGE_DIRTY));
            if (__atomic_compare_exchange_n(p, &old, nv, false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
                return;
        }
    }
    __atomic_store_n(p, val, __ATOMIC_SEQ_CST);
}

/* Entry idx of d's validated table mfn at level becomes val; an L1 entry
 * may map pg_owner's frames. */
static int mod_entry(struct domain *d, struct domain *pg_owner, mfn_t mfn,
                     enum page_type level, unsigned int idx, uint64_t val,
                     bool preserve_ad, const uint64_t *expect, uint64_t *seen)
{
    uint64_t *p = &pv_mm_table(mfn)[idx];
    uint64_t old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
    uint64_t allowed = level == PGT_L1 ? BASE_ALLOWED | _PAGE_GLOBAL |
                                             (d->privileged ? CACHE_ATTRS : 0)
                                       : BASE_ALLOWED;
    uint64_t fast =
        level == PGT_L1 ? FASTPATH_FLAGS : FASTPATH_FLAGS | _PAGE_RW;
    int rc;

    if (!slot_checked(level, idx) || (level != PGT_L1 && pg_owner != d))
        return -EINVAL;
    if (expect && old != *expect) {
        *seen = old;
        return -EAGAIN;
    }
    /* Grant mappings go only through grant_table_op (pv-abi.md 7.2). */
    if (level == PGT_L1 && (old & _PAGE_PRESENT) && (old & PTE_GNTTAB))
        return -EINVAL;
    if (val & _PAGE_PRESENT) {
        if ((val & PTE_FLAGS_MASK & ~allowed) ||
            (level == PGT_L1 && (val & PTE_GNTTAB)))
            return -EINVAL;
        val = adjust_entry(val);
        /* Same frame and same rights: no reference changes hands. */
        if ((old & _PAGE_PRESENT) && !((old ^ val) & ~fast)) {
            write_entry(p, val, preserve_ad);
            return 0;
        }
        rc = level == PGT_L1 ? get_page_from_l1e(d, pg_owner, val)
                             : get_entry(d, level, val);
        if (rc)
            return rc;
    }
    write_entry(p, val, preserve_ad);
    put_entry(level, old);
    return 0;
}

int pv_mm_mod_l1(struct domain *d, mfn_t l1, unsigned int idx, uint64_t val,
                 bool preserve_ad, const uint64_t *expect)
{
    struct page_info *pg;
    uint64_t seen;
    int rc;

    if (idx >= 512 || !may_use(d, l1))
        return -EINVAL;
    pg = mfn_to_page(l1);
    if (pg->type != PGT_L1 || !pg->type_count ||
        !(pg->type_flags & PGTF_VALIDATED))
        return -EINVAL;
    rc = mod_entry(d, d, l1, PGT_L1, idx, val, preserve_ad, expect, &seen);
    if (rc == -EAGAIN && expect)
        *(uint64_t *)expect = seen;
    return rc;
}

int pv_mm_update_entry(struct domain *d, struct domain *pg_owner,
                       uint64_t maddr, uint64_t val, bool preserve_ad)
{
    mfn_t mfn = maddr >> PAGE_SHIFT;
    unsigned int idx = (maddr & (PAGE_SIZE - 1)) / 8;
    struct page_info *pg;
    int rc = -EINVAL;

    if (pv_get_page(d, mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (pg->type_count && (pg->type_flags & PGTF_VALIDATED)) {
        switch (pg->type) {
        case PGT_L1:
        case PGT_L2:
        case PGT_L3:
        case PGT_L4:
            rc = mod_entry(d, pg_owner, mfn, pg->type, idx, val, preserve_ad, 0,
                           0);
            break;
        case PGT_WRITABLE:
            pv_mm_table(mfn)[idx] = val;
            rc = 0;
            break;
        default:
            break; /* segment descriptors: update_descriptor only */
        }
    } else if (!pv_get_page_type(d, mfn, PGT_WRITABLE)) {
        /* Not in use as a table: a plain write (Linux fills tables
         * before pinning them). */
        pv_mm_table(mfn)[idx] = val;
        pv_put_page_type(mfn);
        rc = 0;
    }
    pv_put_page(mfn);
    return rc;
}

int pv_mm_find_l1(mfn_t root, uint64_t va, mfn_t *l1, unsigned int *idx)
{
    mfn_t mfn = root;

    for (int shift = 39; shift >= 21; shift -= 9) {
        uint64_t e;
        if (!mfn_valid(mfn))
            return -EINVAL;
        e = pv_mm_table(mfn)[(va >> shift) & 511];
        if (!(e & _PAGE_PRESENT) || (shift < 39 && (e & _PAGE_PSE)))
            return -EINVAL;
        mfn = pte_mfn(e);
    }
    if (!mfn_valid(mfn))
        return -EINVAL;
    *l1 = mfn;
    *idx = (va >> 12) & 511;
    return 0;
}

/* ---- base pointers, builder, reservation, teardown ---- */

int pv_mm_set_base(struct domain *d, mfn_t *slot, mfn_t mfn)
{
    mfn_t old = *slot;
    int rc;

    if (old == mfn)
        return 0;
    if (mfn != INVALID_MFN) {
        rc = pv_get_page_and_type(d, mfn, PGT_L4);
        if (rc)
            return rc;
    }
    *slot = mfn;
    if (old != INVALID_MFN)
        pv_put_page_and_type(old);
    return 0;
}

int pv_mm_adopt_initial_tables(struct domain *d, mfn_t l4)
{
    struct vcpu *v = d->vcpus[0];
    int rc;

    rc = pv_mm_pin(d, l4, PGT_L4);
    if (rc)
        return rc;
    v->guest_table = INVALID_MFN;
    rc = pv_mm_set_base(d, &v->guest_table, l4);
    if (rc)
        pv_mm_unpin(d, l4);
    return rc;
}

int pv_mm_release_frame(struct domain *d, mfn_t mfn)
{
    struct page_info *pg;

    if (!mfn_valid(mfn))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    /* Only once: the mappings' references are not the guest's to drop. */
    if (pg->owner != d->id || !pg->count || !(pg->flags & PGF_ALLOCATED))
        return -EINVAL;
    pg->flags &= ~PGF_ALLOCATED;
    if (pg->type_flags & PGTF_PINNED) {
        pg->type_flags &= ~PGTF_PINNED;
        pv_put_page_and_type(mfn);
    }
    /* The allocation reference; mappings keep the frame alive (and
     * owned by d, so nobody else gets it) until they go. */
    pv_put_page(mfn);
    return 0;
}

static bool owned_by(mfn_t mfn, const struct domain *d)
{
    const struct page_info *pg = mfn_to_page(mfn);
    return pg->owner == d->id && pg->count > 0;
}

uint64_t pv_mm_teardown(struct domain *d)
{
    uint64_t freed = 0;

    /* No translation of d's may survive its frames going elsewhere. */
    pv_mm_flush_tlbs();

    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v)
            continue;
        pv_mm_set_base(d, &v->guest_table, INVALID_MFN);
        pv_mm_set_base(d, &v->guest_table_user, INVALID_MFN);
    }
    /* Pins are the other roots: dropping them devalidates every table
     * that hangs only from them, top-down. */
    for (enum page_type t = PGT_L4; t >= PGT_L1; t--) {
        for (mfn_t mfn = 0; mfn < nr_machine_frames; mfn++) {
            struct page_info *pg = mfn_to_page(mfn);
            if (owned_by(mfn, d) && pg->type == t &&
                (pg->type_flags & PGTF_PINNED)) {
                pg->type_flags &= ~PGTF_PINNED;
                pv_put_page_and_type(mfn);
            }
        }
    }
    /* A table still typed (a reference nobody tracked) is forced down
     * top-down, so its entries release what they hold below. Writable
     * references left are other domains' mappings: they stay. */
    for (enum page_type t = PGT_L4; t >= PGT_L1; t--) {
        for (mfn_t mfn = 0; mfn < nr_machine_frames; mfn++) {
            struct page_info *pg = mfn_to_page(mfn);
            if (pg->owner != d->id || pg->type != t || !pg->type_count)
                continue;
            if (is_table_type(t) && (pg->type_flags & PGTF_VALIDATED))
                devalidate_table(mfn, t);
            pg->type_count = 0;
            pg->type_flags = 0;
        }
    }
    /* Each frame now holds its allocation reference, plus the references
     * of other domains' mappings (a control domain's foreign mappings).
     * Frames nobody else holds are freed now; the others change hands to
     * OWNER_DYING, out of everyone's reach, until the last one goes. */
    for (mfn_t mfn = 0; mfn < nr_machine_frames; mfn++) {
        struct page_info *pg = mfn_to_page(mfn);
        if (pg->owner != d->id || !pg->count)
            continue;
        if (pg->flags & PGF_ALLOCATED) {
            pg->flags &= ~PGF_ALLOCATED;
            pg->count--;
        }
        if (pg->count || pg->type_count) {
            pg->owner = OWNER_DYING;
            continue;
        }
        free_pages(mfn, 0);
        freed++;
    }
    d->tot_pages = 0;
    if (d->shared_info_mfn != INVALID_MFN && mfn_valid(d->shared_info_mfn) &&
        mfn_to_page(d->shared_info_mfn)->owner == OWNER_HYPERVISOR) {
        struct page_info *pg = mfn_to_page(d->shared_info_mfn);
        if (pg->count || pg->type_count) {
            pg->owner = OWNER_DYING;
        } else {
            free_pages(d->shared_info_mfn, 0);
            freed++;
        }
        d->shared_info_mfn = INVALID_MFN;
        d->shared_info = 0;
    }
    return freed;
}
