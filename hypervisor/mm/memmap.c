/*
 * Physical memory maps: from the firmware's list of ranges to exactly the
 * free, page-aligned RAM that the frame allocator may hand out.
 *
 * Firmware maps are hints written by someone else: ranges overlap, come
 * unsorted, start mid-page, or mark the same bytes usable and reserved.
 * The rule is that any doubt costs RAM, never correctness: a byte that any
 * non-usable range mentions is not RAM, and partial pages are dropped.
 */
#include <veneer/errno.h>
#include <veneer/lib.h>
#include <veneer/memmap.h>

#define MEMMAP_CAP ARRAY_SIZE(((struct memmap *)0)->r)

static void sort_and_merge(struct memmap *m)
{
    unsigned int out = 0;

    /* Insertion sort: at most a few hundred ranges, usually sorted. */
    for (unsigned int i = 1; i < m->n; i++) {
        struct mem_range r = m->r[i];
        unsigned int j = i;
        while (j && m->r[j - 1].start > r.start) {
            m->r[j] = m->r[j - 1];
            j--;
        }
        m->r[j] = r;
    }
    for (unsigned int i = 0; i < m->n; i++) {
        if (out && m->r[i].start <= m->r[out - 1].end) {
            m->r[out - 1].end = MAX(m->r[out - 1].end, m->r[i].end);
            continue;
        }
        m->r[out++] = m->r[i];
    }
    m->n = out;
}

void memmap_from_ranges(struct memmap *m, const struct mem_range *ranges,
                        unsigned int n)
{
    unsigned int out = 0;

    memset(m, 0, sizeof(*m));
    for (unsigned int i = 0; i < n; i++) {
        const struct mem_range *r = &ranges[i];

        if (r->type != MEM_USABLE || r->start >= r->end)
            continue;
        if (m->n == MEMMAP_CAP) {
            sort_and_merge(m); /* overlaps and neighbours make room */
            if (m->n == MEMMAP_CAP)
                break; /* still full: the rest of RAM goes unused */
        }
        m->r[m->n++] = (struct mem_range){r->start, r->end, MEM_USABLE};
    }
    sort_and_merge(m);

    /* Reserved wins, at byte precision, before rounding to pages. */
    for (unsigned int i = 0; i < n; i++) {
        if (ranges[i].type != MEM_USABLE && ranges[i].start < ranges[i].end)
            memmap_remove(m, ranges[i].start, ranges[i].end);
    }

    /* Trim inwards to whole pages; a range that wraps when rounded up
     * lies in the last page of the address space and is dropped. */
    for (unsigned int i = 0; i < m->n; i++) {
        paddr_t start = m->r[i].start, end = ALIGN_DOWN(m->r[i].end, PAGE_SIZE);

        if (start > ~(paddr_t)0 - (PAGE_SIZE - 1))
            continue;
        start = ALIGN_UP(start, PAGE_SIZE);
        if (start >= end)
            continue;
        m->r[out++] = (struct mem_range){start, end, MEM_USABLE};
    }
    m->n = out;
    sort_and_merge(m);
}

int memmap_remove(struct memmap *m, paddr_t start, paddr_t end)
{
    int rc = 0;

    if (start >= end)
        return 0;
    for (unsigned int i = 0; i < m->n; i++) {
        struct mem_range *r = &m->r[i];

        if (r->end <= start || r->start >= end)
            continue; /* no overlap */
        if (r->start < start && r->end > end) {
            /* [start, end) is strictly inside: split in two. */
            if (m->n == MEMMAP_CAP) {
                /* No room for the upper part: drop it too, so the map
                 * still never holds [start, end). */
                r->end = start;
                rc = -ENOSPC;
                continue;
            }
            m->r[m->n++] = (struct mem_range){end, r->end, r->type};
            r->end = start;
        } else if (r->start < start) {
            r->end = start; /* keep the lower part */
        } else if (r->end > end) {
            r->start = end; /* keep the upper part */
        } else {
            /* wholly inside: delete, and look at what moved into i */
            m->r[i--] = m->r[--m->n];
        }
    }
    sort_and_merge(m);
    return rc;
}

uint64_t memmap_total(const struct memmap *m)
{
    uint64_t total = 0;

    for (unsigned int i = 0; i < m->n; i++)
        total += m->r[i].end - m->r[i].start;
    return total;
}

paddr_t memmap_top(const struct memmap *m)
{
    paddr_t top = 0;

    for (unsigned int i = 0; i < m->n; i++)
        top = MAX(top, m->r[i].end);
    return top;
}
