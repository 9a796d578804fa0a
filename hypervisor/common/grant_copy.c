/*
 * GNTTABOP_copy (pv-abi.md 8.2): copies within one page on each side,
 * either side named by a grant reference (checked like a mapping: the
 * destination needs a writable grant) or, for the caller's own memory, by
 * frame number. The grant is pinned, and its in-use bits set, only for
 * the duration of the copy. Status codes as Xen 4.17's gnttab_copy(),
 * in its order: both domains, then the source, then the destination,
 * then the bounds.
 */
#include <veneer/errno.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/page_info.h>

#include "grant_internal.h"

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
        rc = gnttab_set_in_use(e, !first, b->readonly, false, ldom);
        if (rc)
            return rc;
        mfn_t frame =
            first ? __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST) : a->frame;
        if (pv_get_page(b->d, frame)) {
            gnttab_clear_unused(e, a, b->readonly);
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
        gnttab_clear_unused(shared_entry(rgt, b->ref), a, b->readonly);
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
