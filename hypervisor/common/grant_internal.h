/*
 * What the grant-table files (common/grant_*.c) share and nobody else
 * needs: finding entries, the pin counters of active entries, the in-use
 * protocol of the shared entries, and maptrack handles.
 *
 *   grant_table.c     the table's frames, handles, seeding, domain death
 *   grant_map.c       map/unmap and the grant PTEs
 *   grant_copy.c      GNTTABOP_copy
 *   grant_table_op.c  the hypercall: argument copies and the small sub-ops
 */
#ifndef VENEER_GRANT_INTERNAL_H
#define VENEER_GRANT_INTERNAL_H

#include <veneer/domain.h>
#include <veneer/grant_table.h>
#include <veneer/pv_mm.h>

#define PER_FRAME GNTTAB_ENTRIES_PER_FRAME

static inline struct domain *domain_by_any_id(struct domain *self, domid_t id)
{
    return id == DOMID_SELF ? self : domain_by_id(id);
}

static inline unsigned int nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * PER_FRAME;
}

/* Callers check ref < nr_entries() first. */
static inline grant_entry_v1_t *shared_entry(struct grant_table *gt,
                                             grant_ref_t ref)
{
    grant_entry_v1_t *f =
        (grant_entry_v1_t *)pv_mm_table(gt->frames[ref / PER_FRAME]);
    return &f[ref % PER_FRAME];
}

static inline struct active_grant *active_entry(struct grant_table *gt,
                                                grant_ref_t ref)
{
    return &gt->active[ref / PER_FRAME][ref % PER_FRAME];
}

static inline bool pinned(const struct active_grant *a)
{
    return a->host_r || a->host_w || a->dev_r || a->dev_w;
}

static inline bool writers(const struct active_grant *a)
{
    return a->host_w || a->dev_w;
}

/* Xen refuses a new pin once any counter reaches its top bit. */
static inline bool pin_full(const struct active_grant *a)
{
    return a->host_r > GNTPIN_MAX || a->host_w > GNTPIN_MAX ||
           a->dev_r > GNTPIN_MAX || a->dev_w > GNTPIN_MAX;
}

static inline struct maptrack *maptrack_entry(struct grant_table *gt,
                                              uint32_t h)
{
    return &gt->maptrack[h / MAPTRACK_PER_CHUNK][h % MAPTRACK_PER_CHUNK];
}

/* grant_table.c */
int16_t gnttab_set_in_use(grant_entry_v1_t *e, bool was_pinned, bool readonly,
                          bool map, domid_t ldom);
void gnttab_clear_unused(grant_entry_v1_t *e, const struct active_grant *a,
                         bool readonly);
int gnttab_grow(struct grant_table *gt, unsigned int nr);
int gnttab_get_handle(struct grant_table *gt);
void gnttab_put_handle(struct grant_table *gt, uint32_t h);

/* grant_map.c: undoes mapping h of d entirely (d or its granter dies). */
void gnttab_release_mapping(struct domain *d, uint32_t h);

#endif
