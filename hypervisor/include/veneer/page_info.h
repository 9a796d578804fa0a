/*
 * The frame table: one struct page_info per machine frame, indexed by MFN.
 * The buddy allocator uses the list links and order of free frames; the PV
 * MMU will add the owner, the type and the reference counts here.
 */
#ifndef VENEER_PAGE_INFO_H
#define VENEER_PAGE_INFO_H

#include <veneer/types.h>

/* page_info.flags */
#define PGF_FREE     (1u << 0) /* in the buddy allocator's free lists */
#define PGF_HEAD     (1u << 1) /* first frame of a free block (order valid) */
#define PGF_RESERVED (1u << 2) /* not RAM, or never given to the allocator */

struct page_info {
    struct page_info *next, *prev; /* free-list links, valid when PGF_HEAD */
    uint32_t flags;
    uint8_t order; /* block order, valid when PGF_HEAD */
};

#endif
