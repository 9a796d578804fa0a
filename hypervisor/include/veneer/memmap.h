/*
 * Physical memory maps: sanitising what the firmware reports and carving out
 * what is already in use, so that the frame allocator is handed exactly the
 * free, page-aligned RAM.
 */
#ifndef VENEER_MEMMAP_H
#define VENEER_MEMMAP_H

#include <veneer/types.h>
#include <veneer/bootinfo.h>

struct memmap {
    struct mem_range r[BOOT_MAX_RANGES * 2];
    unsigned int n;
};

/*
 * Builds the usable-RAM map from firmware ranges: keeps MEM_USABLE ranges,
 * removes anything overlapped by a non-usable range (firmware maps overlap
 * in the wild; reserved wins), trims each range inwards to page boundaries,
 * drops empty ones, sorts and merges neighbours.
 */
void memmap_from_ranges(struct memmap *m, const struct mem_range *ranges,
                        unsigned int n);

/* Removes [start, end) from the map (splitting a range when needed).
 * Returns -ENOSPC when the map has no room for a split, else 0; even then
 * [start, end) is gone (the part above it is dropped too), so the map never
 * offers memory that is in use. */
int memmap_remove(struct memmap *m, paddr_t start, paddr_t end);

uint64_t memmap_total(const struct memmap *m);
/* The highest end address in the map (0 when empty). */
paddr_t memmap_top(const struct memmap *m);

#endif
