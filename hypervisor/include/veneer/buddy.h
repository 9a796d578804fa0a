/*
 * The buddy allocator of machine frames. Blocks are 2^order frames, aligned
 * to their size; freeing merges a block with its free buddy, so memory does
 * not fragment into single pages. All state lives in the frame table, so the
 * allocator needs no memory of its own and can be tested on the host.
 *
 * Frames start reserved; buddy_add_range() gives RAM to the allocator.
 * Misuse (double free, misaligned or out-of-range free) is refused with
 * -EINVAL and leaves the allocator unchanged.
 */
#ifndef VENEER_BUDDY_H
#define VENEER_BUDDY_H

#include <veneer/types.h>
#include <veneer/page_info.h>

#define BUDDY_MAX_ORDER 18 /* 1 GiB blocks */

struct buddy {
    struct page_info *frames;
    mfn_t nr_frames;
    struct page_info *free[BUDDY_MAX_ORDER + 1];
    uint64_t nr_free[BUDDY_MAX_ORDER + 1]; /* blocks per order */
    uint64_t free_pages;
    uint64_t managed_pages; /* pages ever added */
};

/* frames[0..nr_frames) must be zeroed or hold garbage: init marks all of
 * them reserved. */
void buddy_init(struct buddy *b, struct page_info *frames, mfn_t nr_frames);
/* Gives frames [start, end) to the allocator (clipped to nr_frames). */
void buddy_add_range(struct buddy *b, mfn_t start, mfn_t end);
/* Returns the first MFN of a free block of 2^order frames, or INVALID_MFN. */
mfn_t buddy_alloc(struct buddy *b, unsigned int order);
int buddy_free(struct buddy *b, mfn_t mfn, unsigned int order);
/* Walks every list and checks the counters and flags; 0 when consistent. */
int buddy_check(const struct buddy *b);

#endif
