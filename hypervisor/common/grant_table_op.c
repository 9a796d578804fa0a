/*
 * The grant_table_op hypercall (20): copying the guest's argument arrays
 * in and the statuses out, and the small sub-ops (setup_table, query_size,
 * set_version, get_version). The hypercall itself fails only for an
 * unreadable argument, a bad count or an unknown command; everything
 * else is a per-op status, as in Xen 4.17.
 *
 * Xen preempts long batches with continuations; veneer has none and runs
 * a batch to its end (each op is bounded work, and the whole array must
 * be guest memory before the first op runs).
 */
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>

#include "grant_internal.h"

/* Xen keeps continuation state above the command bits. */
#define GNTTABOP_CMD_MASK ((1u << 12) - 1)

/* Xen's dummy XSM policy for setup/query: oneself, or the control domain. */
static bool may_control(const struct domain *self, const struct domain *d)
{
    return self == d || self->privileged;
}

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
    else if (gnttab_grow(d->grant_table, op.nr_frames))
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
