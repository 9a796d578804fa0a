/*
 * Grant tables v1 (pv-abi.md 8.2): a domain's table of grant entries (the
 * frames it shares with us), the in-use protocol of those entries, the
 * maptrack handles, seeding for a backend, and what happens when a domain
 * dies. Read include/veneer/grant_table.h first for what holds which
 * reference, and grant_internal.h for how the files divide the work.
 *
 * The granter shares the entries with us: it may change them at any time,
 * so every entry is read once, the in-use bits are set with a
 * compare-exchange of flags and domid together (which re-checks both),
 * and nothing read from an entry is trusted beyond its checks.
 */
#include <veneer/errno.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/page_info.h>

#include "grant_internal.h"

static void clear_entry_flags(grant_entry_v1_t *e, uint16_t flags)
{
    if (flags)
        __atomic_fetch_and(&e->flags, (uint16_t)~flags, __ATOMIC_SEQ_CST);
}

/* After a pin went: the in-use bits nobody holds any more. */
void gnttab_clear_unused(grant_entry_v1_t *e, const struct active_grant *a,
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
int16_t gnttab_set_in_use(grant_entry_v1_t *e, bool was_pinned, bool readonly,
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

int gnttab_grow(struct grant_table *gt, unsigned int nr)
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
    if (gnttab_grow(gt, GNTTAB_INITIAL_FRAMES)) {
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

/* A free handle, or -1 when the domain has as many as it may. */
int gnttab_get_handle(struct grant_table *gt)
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

void gnttab_put_handle(struct grant_table *gt, uint32_t h)
{
    struct maptrack *m = maptrack_entry(gt, h);

    m->flags = 0;
    m->orphan = false;
    m->next_free = gt->maptrack_free;
    gt->maptrack_free = h;
    gt->maptrack_used--;
}

/* ---- domain death ------------------------------------------------------ */

void gnttab_release(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    /* The mappings d made. */
    for (uint32_t h = 0; h < gt->maptrack_limit; h++) {
        if (maptrack_entry(gt, h)->flags)
            gnttab_release_mapping(d, h);
    }
    /* The mappings others made of d's grants stay, as in Xen: a backend
     * may still touch a dead frontend's ring. Their references keep the
     * frames alive (the MMU's teardown hands them to OWNER_DYING); only
     * d's table goes, so they become orphans, undone without it. */
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *o = domains[i];
        if (!o || o == d || !o->grant_table)
            continue;
        for (uint32_t h = 0; h < o->grant_table->maptrack_limit; h++) {
            struct maptrack *m = maptrack_entry(o->grant_table, h);
            if (m->flags && m->domid == d->id)
                m->orphan = true;
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
        /* The domain's own mappings of it went with its page tables; one
         * another domain still maps (through a grant of it) goes with
         * that mapping's last reference, like the MMU's dying frames. */
        if (pg->count || pg->type_count)
            pg->owner = OWNER_DYING;
        else
            free_pages(gt->frames[i], 0);
        xfree(gt->active[i]);
    }
    for (unsigned int i = 0; i < MAPTRACK_CHUNKS; i++)
        xfree(gt->maptrack[i]);
    xfree(gt);
    d->grant_table = NULL;
}
