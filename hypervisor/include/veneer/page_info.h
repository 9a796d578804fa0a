/*
 * The frame table: one struct page_info per machine frame, indexed by MFN.
 * The buddy allocator uses the list links and order of free frames; the PV
 * MMU the owner, the type and the reference counts.
 */
#ifndef VENEER_PAGE_INFO_H
#define VENEER_PAGE_INFO_H

#include <veneer/types.h>

/* page_info.flags */
#define PGF_FREE      (1u << 0) /* in the buddy allocator's free lists */
#define PGF_HEAD      (1u << 1) /* first frame of a free block (order valid) */
#define PGF_RESERVED  (1u << 2) /* not RAM, or never given to the allocator */
#define PGF_ALLOCATED (1u << 3) /* a domain's memory: count holds its ref */

/*
 * Page types of the PV MMU (pv-abi.md 7.1): a frame has one type at a time,
 * changed only when its type count is zero.
 */
enum page_type {
    PGT_NONE = 0,
    PGT_WRITABLE,
    PGT_L1,
    PGT_L2,
    PGT_L3,
    PGT_L4,
    PGT_SEG_DESC,
};

/* page_info.owner for frames no domain owns. */
#define OWNER_NONE       0xffffu /* free, or the hypervisor's own */
#define OWNER_HYPERVISOR 0xfffeu /* a hypervisor page guests may map */
#define OWNER_DYING                                   \
    0xfffdu /* of a destroyed domain, still mapped by \
               another: freed with the last reference */

/* page_info.type_flags */
#define PGTF_VALIDATED (1u << 0)
#define PGTF_PINNED    (1u << 1)
/* A domain other than the owner held a writable mapping of the frame since
 * its last change of type: that change must flush every guest's pCPUs, not
 * only the owner's (mm/pv_mm.c). */
#define PGTF_FOREIGN_RW (1u << 2)

struct page_info {
    struct page_info *next, *prev; /* free-list links, valid when PGF_HEAD */
    uint32_t flags;
    uint8_t order; /* block order, valid when PGF_HEAD */
    /* PV MMU bookkeeping (pv-abi.md section 7) */
    uint8_t type;        /* enum page_type */
    uint8_t type_flags;  /* PGTF_* */
    uint16_t owner;      /* domain id, or OWNER_* */
    uint32_t count;      /* general references */
    uint32_t type_count; /* references of the current type */
    /* The TLB clock (arch/x86/smp.c) when its last writable mapping went:
     * a pCPU that flushed since has no stale writable translation. */
    uint64_t tlbflush_stamp;
};

#endif
