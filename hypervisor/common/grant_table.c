/*
 * Grant tables v1 (pv-abi.md 8.2): the grant_table_op hypercall and the
 * life of a domain's table. Read include/veneer/grant_table.h first for
 * what holds which reference.
 *
 * Status codes and errnos follow Xen 4.17 (xen/common/grant_table.c) case
 * by case and in the same order of checks, because guests act on them: a
 * map of a ref beyond the table is GNTST_bad_gntref, of an entry not
 * granted to the caller GNTST_general_error, of a frame the granter does
 * not own GNTST_bad_page; the hypercall itself fails only for unreadable
 * arguments, a bad count or an unknown command.
 *
 * The granter shares the entries with us: it may change them at any time,
 * so every entry is read once, the in-use bits are set with a
 * compare-exchange of flags and domid together (which re-checks both),
 * and nothing read from an entry is trusted beyond its checks.
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/grant_table.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/page_info.h>
#include <veneer/pv_mm.h>
#include <veneer/x86.h>

/* Xen keeps continuation state above the command bits. */
#define GNTTABOP_CMD_MASK ((1u << 12) - 1)
#define PER_FRAME         GNTTAB_ENTRIES_PER_FRAME

static struct domain *domain_by_any_id(struct domain *self, domid_t id)
{
    return id == DOMID_SELF ? self : domain_by_id(id);
}

/* Xen's dummy XSM policy for setup/query: oneself, or the control domain. */
static bool may_control(const struct domain *self, const struct domain *d)
{
    return self == d || self->privileged;
}

static unsigned int nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * PER_FRAME;
}

static grant_entry_v1_t *shared_entry(struct grant_table *gt, grant_ref_t ref)
{
    grant_entry_v1_t *f =
        (grant_entry_v1_t *)pv_mm_table(gt->frames[ref / PER_FRAME]);
    return &f[ref % PER_FRAME];
}

static struct active_grant *active_entry(struct grant_table *gt,
                                         grant_ref_t ref)
{
    return &gt->active[ref / PER_FRAME][ref % PER_FRAME];
}

static bool pinned(const struct active_grant *a)
{
    return a->host_r || a->host_w || a->dev_r || a->dev_w;
}

static bool writers(const struct active_grant *a)
{
    return a->host_w || a->dev_w;
}

/* Xen refuses a new pin once any counter reaches its top bit. */
static bool pin_full(const struct active_grant *a)
{
    return a->host_r > GNTPIN_MAX || a->host_w > GNTPIN_MAX ||
           a->dev_r > GNTPIN_MAX || a->dev_w > GNTPIN_MAX;
}

static void clear_entry_flags(grant_entry_v1_t *e, uint16_t flags)
{
    if (flags)
        __atomic_fetch_and(&e->flags, (uint16_t)~flags, __ATOMIC_SEQ_CST);
}

/* After a pin went: the in-use bits nobody holds any more. */
static void clear_unused(grant_entry_v1_t *e, const struct active_grant *a,
                         bool readonly)
{
    uint16_t clear = 0;

    if (!readonly && !writers(a))
        clear |= GTF_writing;
    if (!pinned(a))
        clear |= GTF_reading;
    clear_entry_flags(e, clear);
}

/*
 * Xen's _set_status_v1: checks the entry grants access to ldom (only when
 * not pinned yet: a pinned entry is checked already), and sets reading
 * (and writing) in one compare-exchange of flags and domid. A granter
 * racing us gets a few retries, then GNTST_general_error.
 */
static int16_t set_in_use(grant_entry_v1_t *e, bool was_pinned, bool readonly,
                          bool map, domid_t ldom)
{
    uint32_t *raw = (uint32_t *)e; /* flags | domid << 16 */
    uint16_t mask = GTF_type_mask | (map ? GTF_sub_page : 0);
    uint32_t old = __atomic_load_n(raw, __ATOMIC_SEQ_CST);

    for (unsigned int retries = 0;; retries++) {
        uint16_t flags = (uint16_t)old;
        domid_t domid = (domid_t)(old >> 16);
        uint32_t new = old | GTF_reading;

        if (!was_pinned &&
            ((flags & mask) != GTF_permit_access || domid != ldom))
            return GNTST_general_error;
        if (!readonly) {
            if (flags & GTF_readonly)
                return GNTST_general_error;
            new |= GTF_writing;
        }
        if (__atomic_compare_exchange_n(raw, &old, new, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return GNTST_okay;
        if (retries == 4)
            return GNTST_general_error; /* "unstable" entry */
    }
}

/* ---- the table's frames ------------------------------------------------ */

static int grow_table(struct grant_table *gt, unsigned int nr)
{
    while (gt->nr_frames < nr) {
        struct active_grant *act = xzalloc(PER_FRAME * sizeof(*act));
        mfn_t mfn;

        if (!act)
            return -ENOMEM;
        mfn = alloc_pages(0);
        if (mfn == INVALID_MFN) {
            xfree(act);
            return -ENOMEM;
        }
        mfn_to_page(mfn)->owner = OWNER_HYPERVISOR;
        memset(pv_mm_table(mfn), 0, PAGE_SIZE);
        gt->frames[gt->nr_frames] = mfn;
        gt->active[gt->nr_frames] = act;
        gt->nr_frames++;
    }
    return 0;
}

bool gnttab_is_table_frame(const struct domain *d, mfn_t mfn)
{
    const struct grant_table *gt = d->grant_table;

    if (!gt)
        return false;
    for (unsigned int i = 0; i < gt->nr_frames; i++) {
        if (gt->frames[i] == mfn)
            return true;
    }
    return false;
}

int gnttab_init(struct domain *d, unsigned int max_frames)
{
    struct grant_table *gt;

    if (max_frames < GNTTAB_INITIAL_FRAMES || max_frames > GNTTAB_MAX_FRAMES)
        return -EINVAL;
    gt = xzalloc(sizeof(*gt));
    if (!gt)
        return -ENOMEM;
    gt->max_frames = max_frames;
    gt->maptrack_max = MAPTRACK_MAX;
    gt->maptrack_free = MAPTRACK_END;
    d->grant_table = gt;
    if (grow_table(gt, GNTTAB_INITIAL_FRAMES)) {
        gnttab_destroy(d);
        return -ENOMEM;
    }
    return 0;
}

int gnttab_seed_reserved(struct domain *d, domid_t backend, mfn_t console,
                         mfn_t xenstore)
{
    struct grant_table *gt = d->grant_table;
    const mfn_t frames[] = {
        [GNTTAB_RESERVED_CONSOLE] = console,
        [GNTTAB_RESERVED_XENSTORE] = xenstore,
    };

    if (!gt || !gt->nr_frames)
        return -EINVAL;
    for (grant_ref_t ref = 0; ref < ARRAY_SIZE(frames); ref++) {
        grant_entry_v1_t *e = shared_entry(gt, ref);
        if (frames[ref] > UINT32_MAX)
            return -EINVAL; /* a v1 entry holds 32 bits of frame */
        /* The guest's own protocol: domid and frame, then the flags. */
        e->domid = backend;
        e->frame = (uint32_t)frames[ref];
        __atomic_store_n(&e->flags, (uint16_t)GTF_permit_access,
                         __ATOMIC_SEQ_CST);
    }
    return 0;
}

/* ---- maptrack handles -------------------------------------------------- */

static struct maptrack *maptrack_entry(struct grant_table *gt, uint32_t h)
{
    return &gt->maptrack[h / MAPTRACK_PER_CHUNK][h % MAPTRACK_PER_CHUNK];
}

/* A free handle, or -1 when the domain has as many as it may. */
static int get_handle(struct grant_table *gt)
{
    uint32_t h;

    if (gt->maptrack_free == MAPTRACK_END) {
        unsigned int chunk = gt->maptrack_limit / MAPTRACK_PER_CHUNK;
        struct maptrack *m;

        if (gt->maptrack_limit + MAPTRACK_PER_CHUNK > gt->maptrack_max ||
            chunk >= MAPTRACK_CHUNKS)
            return -1;
        m = xzalloc(MAPTRACK_PER_CHUNK * sizeof(*m));
        if (!m)
            return -1;
        gt->maptrack[chunk] = m;
        for (unsigned int i = MAPTRACK_PER_CHUNK; i-- > 0;) {
            m[i].next_free = gt->maptrack_free;
            gt->maptrack_free = gt->maptrack_limit + i;
        }
        gt->maptrack_limit += MAPTRACK_PER_CHUNK;
    }
    h = gt->maptrack_free;
    gt->maptrack_free = maptrack_entry(gt, h)->next_free;
    gt->maptrack_used++;
    return (int)h;
}

static void put_handle(struct grant_table *gt, uint32_t h)
{
    struct maptrack *m = maptrack_entry(gt, h);

    m->flags = 0;
    m->next_free = gt->maptrack_free;
    gt->maptrack_free = h;
    gt->maptrack_used--;
}

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
 * of a mapping held: its frame references and its pins, and the entry's
 * in-use bits nobody needs any more. The PTE is gone already.
 */
static void unpin_mapping(struct domain *rd, const struct maptrack *m,
                          uint32_t what, bool readonly)
{
    struct grant_table *rgt = rd->grant_table;
    struct active_grant *a = active_entry(rgt, m->ref);

    for (uint32_t bit = GNTMAP_device_map; bit <= GNTMAP_host_map; bit <<= 1) {
        if (!(what & bit))
            continue;
        if (!readonly)
            pv_put_page_type(m->frame);
        pv_put_page(m->frame);
        if (bit == GNTMAP_host_map) {
            uint8_t *c = readonly ? &a->host_r : &a->host_w;
            if (*c)
                (*c)--;
            pv_put_page(m->pte_maddr >> PAGE_SHIFT); /* the PTE's L1 */
        } else {
            uint8_t *c = readonly ? &a->dev_r : &a->dev_w;
            if (*c)
                (*c)--;
        }
    }
    clear_unused(shared_entry(rgt, m->ref), a, readonly);
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
    handle = get_handle(lgt);
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
        rc = set_in_use(e, !first, ro, true, ld->id);
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
    clear_unused(e, a, ro);
out_handle:
    put_handle(lgt, (uint32_t)handle);
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
    /* A mapping never outlives its granter (revoked when it dies). */
    rd = m->flags ? domain_by_id(m->domid) : NULL;
    if (!rd || !rd->grant_table || m->ref >= nr_entries(rd->grant_table)) {
        op->status = GNTST_bad_handle;
        return;
    }
    ro = m->flags & GNTMAP_readonly;
    if (op->dev_bus_addr && op->dev_bus_addr != (m->frame << PAGE_SHIFT)) {
        op->status = GNTST_general_error;
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
    unpin_mapping(rd, m, done, ro);
    if (!(m->flags & (GNTMAP_device_map | GNTMAP_host_map)))
        put_handle(lgt, op->handle);
    op->status = GNTST_okay;
}

/* ---- release on domain death ------------------------------------------- */

/* Undoes mapping h of d entirely, whatever the guest did to its PTE. */
static void release_mapping(struct domain *d, uint32_t h)
{
    struct grant_table *gt = d->grant_table;
    struct maptrack *m = maptrack_entry(gt, h);
    uint32_t what = m->flags & (GNTMAP_device_map | GNTMAP_host_map);
    struct domain *rd = domain_by_id(m->domid);

    if (what & GNTMAP_host_map) {
        zap_host_mapping(m);
        pv_mm_flush_tlbs();
    }
    if (rd && rd->grant_table && m->ref < nr_entries(rd->grant_table))
        unpin_mapping(rd, m, what, m->flags & GNTMAP_readonly);
    else if (what & GNTMAP_host_map)
        pv_put_page(m->pte_maddr >> PAGE_SHIFT); /* cannot happen: the
                                                    granter revokes first */
    put_handle(gt, h);
}

void gnttab_release(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    /* The mappings d made. */
    for (uint32_t h = 0; h < gt->maptrack_limit; h++) {
        if (maptrack_entry(gt, h)->flags)
            release_mapping(d, h);
    }
    /* The mappings others made of d's grants: their frames are about to
     * be freed. */
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *o = domains[i];
        if (!o || o == d || !o->grant_table)
            continue;
        for (uint32_t h = 0; h < o->grant_table->maptrack_limit; h++) {
            struct maptrack *m = maptrack_entry(o->grant_table, h);
            if (m->flags && m->domid == d->id)
                release_mapping(o, h);
        }
    }
}

void gnttab_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    for (unsigned int i = 0; i < gt->nr_frames; i++) {
        struct page_info *pg = mfn_to_page(gt->frames[i]);
        /* The domain's own mappings of it went with its page tables; a
         * frame still referenced is left alone rather than reused. */
        if (!pg->count && !pg->type_count)
            free_pages(gt->frames[i], 0);
        xfree(gt->active[i]);
    }
    for (unsigned int i = 0; i < MAPTRACK_CHUNKS; i++)
        xfree(gt->maptrack[i]);
    xfree(gt);
    d->grant_table = NULL;
}

/* ---- copy -------------------------------------------------------------- */

struct copy_buf {
    struct domain *d;
    mfn_t frame;
    grant_ref_t ref;
    bool readonly, have_grant, have_ref, have_type;
};

/* Xen's acquire_grant_for_copy for v1: pins like a host mapping for the
 * duration of the copy, with one general reference on the frame. */
static int16_t acquire_for_copy(struct copy_buf *b, grant_ref_t ref,
                                domid_t ldom)
{
    struct grant_table *rgt = b->d->grant_table;
    struct active_grant *a;
    grant_entry_v1_t *e;
    int16_t rc;

    if (ref >= nr_entries(rgt))
        return GNTST_bad_gntref;
    a = active_entry(rgt, ref);
    e = shared_entry(rgt, ref);
    if (pinned(a) && (a->domid != ldom || pin_full(a)))
        return GNTST_general_error;
    if (!pinned(a) || (!b->readonly && !writers(a))) {
        bool first = !pinned(a);
        rc = set_in_use(e, !first, b->readonly, false, ldom);
        if (rc)
            return rc;
        mfn_t frame =
            first ? __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST) : a->frame;
        if (pv_get_page(b->d, frame)) {
            clear_unused(e, a, b->readonly);
            return GNTST_bad_page;
        }
        if (first) {
            a->domid = ldom;
            a->frame = frame;
        }
    } else if (pv_get_page(b->d, a->frame)) {
        return GNTST_bad_domain; /* no longer the granter's frame */
    }
    *(b->readonly ? &a->host_r : &a->host_w) += 1;
    b->frame = a->frame;
    b->ref = ref;
    b->have_grant = b->have_ref = true;
    return GNTST_okay;
}

static void release_buf(struct copy_buf *b)
{
    if (b->have_grant) {
        struct grant_table *rgt = b->d->grant_table;
        struct active_grant *a = active_entry(rgt, b->ref);
        uint8_t *c = b->readonly ? &a->host_r : &a->host_w;
        if (*c)
            (*c)--;
        clear_unused(shared_entry(rgt, b->ref), a, b->readonly);
    }
    if (b->have_type)
        pv_put_page_type(b->frame);
    if (b->have_ref)
        pv_put_page(b->frame);
    b->have_grant = b->have_type = b->have_ref = false;
}

static int16_t lock_domain(const struct gnttab_copy_ptr *ptr, bool is_gref,
                           struct copy_buf *b)
{
    /* Only DOMID_SELF may name a frame directly. */
    if (ptr->domid != DOMID_SELF && !is_gref)
        return GNTST_permission_denied;
    b->d = domain_by_any_id(current->domain, ptr->domid);
    if (!b->d || !b->d->grant_table)
        return GNTST_bad_domain;
    return GNTST_okay;
}

static int16_t claim_buf(const struct gnttab_copy *op,
                         const struct gnttab_copy_ptr *ptr, struct copy_buf *b,
                         uint16_t gref_flag)
{
    int16_t rc;

    b->readonly = gref_flag == GNTCOPY_source_gref;
    if (op->flags & gref_flag) {
        rc = acquire_for_copy(b, ptr->u.ref, current->domain->id);
        if (rc)
            return rc;
    } else {
        if (pv_get_page(b->d, ptr->u.gmfn))
            return GNTST_bad_page;
        b->frame = ptr->u.gmfn;
        b->have_ref = true;
    }
    if (!b->readonly) {
        /* Never write into a page table or descriptor page. */
        if (pv_get_page_type(b->d, b->frame, PGT_WRITABLE))
            return GNTST_general_error;
        b->have_type = true;
    }
    return GNTST_okay;
}

void gnttab_copy_one(struct gnttab_copy *op)
{
    struct copy_buf src = {0}, dst = {0};
    int16_t rc;

    /* Xen takes both domains first, then the source, then the dest. */
    if ((rc = lock_domain(&op->source, op->flags & GNTCOPY_source_gref,
                          &src)) == GNTST_okay &&
        (rc = lock_domain(&op->dest, op->flags & GNTCOPY_dest_gref, &dst)) ==
            GNTST_okay &&
        (rc = claim_buf(op, &op->source, &src, GNTCOPY_source_gref)) ==
            GNTST_okay &&
        (rc = claim_buf(op, &op->dest, &dst, GNTCOPY_dest_gref)) ==
            GNTST_okay) {
        if ((unsigned int)op->source.offset + op->len > PAGE_SIZE ||
            (unsigned int)op->dest.offset + op->len > PAGE_SIZE) {
            rc = GNTST_bad_copy_arg;
        } else {
            memmove((uint8_t *)pv_mm_table(dst.frame) + op->dest.offset,
                    (const uint8_t *)pv_mm_table(src.frame) + op->source.offset,
                    op->len);
        }
    }
    release_buf(&dst);
    release_buf(&src);
    op->status = rc;
}

/* ---- the hypercall ----------------------------------------------------- */

static long setup_table(uint64_t uop, unsigned int count)
{
    struct gnttab_setup_table op;
    struct domain *d;
    uint64_t list;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    list = (uint64_t)(uintptr_t)op.frame_list.p;
    if (op.nr_frames && !guest_range_ok(list, op.nr_frames * 8UL))
        return -EFAULT;
    d = domain_by_any_id(current->domain, op.dom);
    if (!d || !d->grant_table)
        op.status = GNTST_bad_domain;
    else if (!may_control(current->domain, d))
        op.status = GNTST_permission_denied;
    else if (op.nr_frames > d->grant_table->max_frames)
        op.status = GNTST_general_error;
    else if (grow_table(d->grant_table, op.nr_frames))
        op.status = GNTST_general_error;
    else {
        op.status = GNTST_okay;
        for (unsigned int i = 0; i < op.nr_frames; i++) {
            xen_pfn_t f = d->grant_table->frames[i];
            if (copy_to_guest(list + i * 8UL, &f, sizeof(f)))
                op.status = GNTST_bad_virt_addr;
        }
    }
    if (copy_to_guest(uop + offsetof(struct gnttab_setup_table, status),
                      &op.status, sizeof(op.status)))
        return -EFAULT;
    return 0;
}

static long query_size(uint64_t uop, unsigned int count)
{
    struct gnttab_query_size op;
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    d = domain_by_any_id(current->domain, op.dom);
    if (!d || !d->grant_table) {
        op.status = GNTST_bad_domain;
    } else if (!may_control(current->domain, d)) {
        op.status = GNTST_permission_denied;
    } else {
        op.nr_frames = d->grant_table->nr_frames;
        op.max_nr_frames = d->grant_table->max_frames;
        op.status = GNTST_okay;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/* Only version 1: Xen built with max version 1 answers 2 with -ENOSYS
 * (and reports the version in force either way). */
static long set_version(uint64_t uop)
{
    struct gnttab_set_version op;
    long rc;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    if (op.version != 1 && op.version != 2)
        rc = -EINVAL;
    else if (op.version == 2)
        rc = -ENOSYS;
    else
        rc = 0;
    op.version = 1;
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : rc;
}

static long get_version(uint64_t uop)
{
    struct gnttab_get_version op;
    struct domain *d;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    d = domain_by_any_id(current->domain, op.dom);
    if (!d || !d->grant_table)
        return -ESRCH;
    if (!may_control(current->domain, d))
        return -EPERM;
    op.version = 1;
    if (copy_to_guest(uop + offsetof(struct gnttab_get_version, version),
                      &op.version, sizeof(op.version)))
        return -EFAULT;
    return 0;
}

/* The batched ops: each element in, its status (or all of it) out. */
static long map_batch(uint64_t uop, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        struct gnttab_map_grant_ref op;
        uint64_t at = uop + (uint64_t)i * sizeof(op);
        if (copy_from_guest(&op, at, sizeof(op)))
            return -EFAULT;
        gnttab_map_one(&op);
        if (copy_to_guest(at, &op, sizeof(op)))
            return -EFAULT;
    }
    return 0;
}

static long unmap_batch(uint64_t uop, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        struct gnttab_unmap_grant_ref op;
        uint64_t at = uop + (uint64_t)i * sizeof(op);
        if (copy_from_guest(&op, at, sizeof(op)))
            return -EFAULT;
        gnttab_unmap_one(&op);
        if (copy_to_guest(at + offsetof(struct gnttab_unmap_grant_ref, status),
                          &op.status, sizeof(op.status)))
            return -EFAULT;
    }
    return 0;
}

static long copy_batch(uint64_t uop, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        struct gnttab_copy op;
        uint64_t at = uop + (uint64_t)i * sizeof(op);
        if (copy_from_guest(&op, at, sizeof(op)))
            return -EFAULT;
        gnttab_copy_one(&op);
        if (copy_to_guest(at + offsetof(struct gnttab_copy, status), &op.status,
                          sizeof(op.status)))
            return -EFAULT;
    }
    return 0;
}

/* The whole array must be guest memory before any element is done. */
static bool array_ok(uint64_t uop, unsigned int count, size_t size)
{
    return !count || guest_range_ok(uop, (size_t)count * size);
}

long do_grant_table_op(HYPERCALL_ARGS)
{
    unsigned int cmd = (unsigned int)a1, count = (unsigned int)a3;
    uint64_t uop = a2;

    (void)a4;
    (void)a5;
    if ((int)count < 0)
        return -EINVAL;
    if ((cmd & ~GNTTABOP_CMD_MASK) &&
        (cmd & GNTTABOP_CMD_MASK) != GNTTABOP_cache_flush)
        return -EINVAL;
    switch (cmd & GNTTABOP_CMD_MASK) {
    case GNTTABOP_map_grant_ref:
        if (!array_ok(uop, count, sizeof(struct gnttab_map_grant_ref)))
            return -EFAULT;
        return map_batch(uop, count);
    case GNTTABOP_unmap_grant_ref:
        if (!array_ok(uop, count, sizeof(struct gnttab_unmap_grant_ref)))
            return -EFAULT;
        return unmap_batch(uop, count);
    case GNTTABOP_setup_table:
        return setup_table(uop, count);
    case GNTTABOP_copy:
        if (!array_ok(uop, count, sizeof(struct gnttab_copy)))
            return -EFAULT;
        return copy_batch(uop, count);
    case GNTTABOP_query_size:
        return query_size(uop, count);
    case GNTTABOP_set_version:
        return set_version(uop);
    case GNTTABOP_get_version:
        return get_version(uop);
    default:
        /* dump_table, transfer, unmap_and_replace, get_status_frames,
         * swap_grant_ref, cache_flush: not needed by Linux with v1. */
        return -ENOSYS;
    }
}
