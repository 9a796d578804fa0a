/*
 * From the boot memory map to the frame allocator.
 *
 * During boot, bootmem_alloc() takes whole pages from the start of the
 * free-RAM ranges (the page tables, the frame table). page_alloc_init()
 * then allocates the frame table and hands every page still free to the
 * buddy allocator; bootmem is closed from then on, so nothing is ever
 * handed out twice.
 */
#include <veneer/buddy.h>
#include <veneer/console.h>
#include <veneer/lib.h>
#include <veneer/mm.h>

static struct memmap *bootmem_free;
static bool bootmem_closed;
static struct buddy buddy;
struct page_info *frame_table;
mfn_t nr_machine_frames;

void bootmem_init(struct memmap *free_ram)
{
    bootmem_free = free_ram;
}

paddr_t bootmem_alloc(size_t pages, paddr_t below)
{
    uint64_t bytes = (uint64_t)pages * PAGE_SIZE;

    BUG_ON(bootmem_closed || !bootmem_free);
    for (unsigned int i = 0; i < bootmem_free->n; i++) {
        struct mem_range *r = &bootmem_free->r[i];
        if (r->end - r->start >= bytes && r->start + bytes <= below) {
            paddr_t pa = r->start;
            r->start += bytes;
            return pa;
        }
    }
    panic("out of boot memory: no free range holds %zu pages below %#lx", pages,
          below);
}

void page_alloc_init(const struct memmap *ram)
{
    mfn_t nr_frames = memmap_top(ram) >> PAGE_SHIFT;
    size_t table_pages =
        ALIGN_UP(nr_frames * sizeof(struct page_info), PAGE_SIZE) / PAGE_SIZE;
    paddr_t table_pa = bootmem_alloc(table_pages, ~(paddr_t)0);

    buddy_init(&buddy, phys_to_virt(table_pa), nr_frames);
    frame_table = buddy.frames;
    nr_machine_frames = nr_frames;
    /* Zero would read as "owned by domain 0": no frame starts owned. */
    for (mfn_t mfn = 0; mfn < nr_frames; mfn++)
        frame_table[mfn].owner = OWNER_NONE;
    bootmem_closed = true;
    for (unsigned int i = 0; i < bootmem_free->n; i++) {
        const struct mem_range *r = &bootmem_free->r[i];
        if (r->end > r->start)
            buddy_add_range(&buddy, r->start >> PAGE_SHIFT,
                            r->end >> PAGE_SHIFT);
    }
}

struct buddy *page_allocator(void)
{
    return &buddy;
}

mfn_t alloc_pages(unsigned int order)
{
    return buddy_alloc(&buddy, order);
}

void free_pages(mfn_t mfn, unsigned int order)
{
    /* A frame goes back only when nothing refers to it any more. */
    for (mfn_t i = 0; i < (1UL << order); i++) {
        struct page_info *pg = &frame_table[mfn + i];
        BUG_ON(pg->count || pg->type_count);
        pg->owner = OWNER_NONE;
        pg->type = PGT_NONE;
        pg->type_flags = 0;
    }
    int rc = buddy_free(&buddy, mfn, order);
    BUG_ON(rc != 0);
}
