/*
 * The buddy allocator of machine frames.
 *
 * Invariants (buddy_check() verifies all of them):
 *  - a frame is in exactly one state: reserved (PGF_RESERVED: not RAM or
 *    never given to us), free (PGF_FREE: inside a block on a free list), or
 *    allocated (neither flag);
 *  - a free block of order k starts at a multiple of 2^k, its first frame
 *    has PGF_HEAD and order k and sits on free[k], its other frames have
 *    PGF_FREE only;
 *  - two free buddies of the same order never coexist: freeing merges them.
 * Every frame of a block carries its state, so a free of memory that is not
 * allocated (double free, a frame inside a free block, a reserved frame) is
 * found by looking at the frames themselves, and refused.
 */
#include <veneer/buddy.h>
#include <veneer/errno.h>
#include <veneer/lib.h>

#define PGF_BUDDY_MASK (PGF_FREE | PGF_HEAD | PGF_RESERVED)

static void list_add(struct buddy *b, struct page_info *pg, unsigned int order)
{
    pg->flags |= PGF_FREE | PGF_HEAD;
    pg->order = (uint8_t)order;
    pg->prev = NULL;
    pg->next = b->free[order];
    if (pg->next)
        pg->next->prev = pg;
    b->free[order] = pg;
    b->nr_free[order]++;
}

static void list_del(struct buddy *b, struct page_info *pg, unsigned int order)
{
    if (pg->prev)
        pg->prev->next = pg->next;
    else
        b->free[order] = pg->next;
    if (pg->next)
        pg->next->prev = pg->prev;
    pg->next = pg->prev = NULL;
    pg->flags &= ~PGF_HEAD;
    b->nr_free[order]--;
}

void buddy_init(struct buddy *b, struct page_info *frames, mfn_t nr_frames)
{
    memset(b, 0, sizeof(*b));
    b->frames = frames;
    b->nr_frames = nr_frames;
    for (mfn_t i = 0; i < nr_frames; i++) {
        memset(&frames[i], 0, sizeof(frames[i]));
        frames[i].flags = PGF_RESERVED;
    }
}

/* Puts the allocated block [mfn, mfn + 2^order) on the free lists, merging
 * it with its buddy for as long as the buddy is a free block of its size. */
static void free_block(struct buddy *b, mfn_t mfn, unsigned int order)
{
    for (mfn_t i = 0; i < (1UL << order); i++)
        b->frames[mfn + i].flags |= PGF_FREE;
    b->free_pages += 1UL << order;

    while (order < BUDDY_MAX_ORDER) {
        mfn_t buddy = mfn ^ (1UL << order);
        struct page_info *bp;

        if (buddy >= b->nr_frames)
            break;
        bp = &b->frames[buddy];
        if (!(bp->flags & PGF_HEAD) || bp->order != order)
            break;
        list_del(b, bp, order);
        mfn &= ~(1UL << order);
        order++;
    }
    list_add(b, &b->frames[mfn], order);
}

void buddy_add_range(struct buddy *b, mfn_t start, mfn_t end)
{
    end = MIN(end, b->nr_frames);
    /* Frame by frame: merging builds the largest blocks by itself, and a
     * frame given twice (overlapping ranges) is taken only once. */
    for (mfn_t mfn = start; mfn < end; mfn++) {
        struct page_info *pg = &b->frames[mfn];

        if (!(pg->flags & PGF_RESERVED))
            continue;
        pg->flags &= ~PGF_BUDDY_MASK;
        b->managed_pages++;
        free_block(b, mfn, 0);
    }
}

mfn_t buddy_alloc(struct buddy *b, unsigned int order)
{
    unsigned int k = order;
    struct page_info *pg;
    mfn_t mfn;

    if (order > BUDDY_MAX_ORDER)
        return INVALID_MFN;
    while (k <= BUDDY_MAX_ORDER && !b->free[k])
        k++;
    if (k > BUDDY_MAX_ORDER)
        return INVALID_MFN;

    pg = b->free[k];
    list_del(b, pg, k);
    mfn = (mfn_t)(pg - b->frames);
    /* Split: the upper halves go back on the lists, the lower one stays. */
    while (k > order) {
        k--;
        list_add(b, &b->frames[mfn + (1UL << k)], k);
    }
    for (mfn_t i = 0; i < (1UL << order); i++)
        b->frames[mfn + i].flags &= ~(PGF_FREE | PGF_HEAD);
    b->free_pages -= 1UL << order;
    return mfn;
}

int buddy_free(struct buddy *b, mfn_t mfn, unsigned int order)
{
    mfn_t n;

    if (order > BUDDY_MAX_ORDER)
        return -EINVAL;
    n = 1UL << order;
    if (mfn & (n - 1))
        return -EINVAL; /* misaligned */
    if (mfn >= b->nr_frames || n > b->nr_frames - mfn)
        return -EINVAL; /* out of range */
    /* Check the whole block before touching anything. */
    for (mfn_t i = 0; i < n; i++) {
        if (b->frames[mfn + i].flags & (PGF_FREE | PGF_RESERVED))
            return -EINVAL; /* double free, or never ours */
    }
    free_block(b, mfn, order);
    return 0;
}

static int check_list(const struct buddy *b, unsigned int order,
                      uint64_t *pages)
{
    const struct page_info *prev = NULL;
    uint64_t count = 0;
    mfn_t n = 1UL << order;

    for (const struct page_info *pg = b->free[order]; pg; pg = pg->next) {
        mfn_t mfn;

        if (pg < b->frames || pg >= b->frames + b->nr_frames)
            return -EINVAL; /* a link leaves the frame table */
        mfn = (mfn_t)(pg - b->frames);
        if (++count > b->nr_frames || pg->prev != prev)
            return -EINVAL; /* cycle or broken back link */
        if ((pg->flags & PGF_BUDDY_MASK) != (PGF_FREE | PGF_HEAD) ||
            pg->order != order || (mfn & (n - 1)) || n > b->nr_frames - mfn)
            return -EINVAL;
        for (mfn_t i = 1; i < n; i++) {
            if ((b->frames[mfn + i].flags & PGF_BUDDY_MASK) != PGF_FREE)
                return -EINVAL;
        }
        /* An unmerged pair of free buddies means a merge was missed. */
        if (order < BUDDY_MAX_ORDER && (mfn ^ n) < b->nr_frames) {
            const struct page_info *bp = &b->frames[mfn ^ n];
            if ((bp->flags & PGF_HEAD) && bp->order == order)
                return -EINVAL;
        }
        prev = pg;
    }
    if (count != b->nr_free[order])
        return -EINVAL;
    *pages += count << order;
    return 0;
}

int buddy_check(const struct buddy *b)
{
    uint64_t listed = 0, free_frames = 0, managed = 0;

    for (unsigned int k = 0; k <= BUDDY_MAX_ORDER; k++) {
        int rc = check_list(b, k, &listed);
        if (rc)
            return rc;
    }
    /* Every free frame must belong to a listed block, and nothing else. */
    for (mfn_t i = 0; i < b->nr_frames; i++) {
        uint32_t f = b->frames[i].flags;
        if ((f & PGF_RESERVED) && (f & (PGF_FREE | PGF_HEAD)))
            return -EINVAL;
        if ((f & PGF_HEAD) && !(f & PGF_FREE))
            return -EINVAL;
        free_frames += !!(f & PGF_FREE);
        managed += !(f & PGF_RESERVED);
    }
    if (listed != b->free_pages || free_frames != b->free_pages ||
        managed != b->managed_pages)
        return -EINVAL;
    return 0;
}
