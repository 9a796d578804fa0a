/*
 * Memory management of the hypervisor itself: the address-space layout,
 * the boot-time allocator, the page tables, the frame allocator and the
 * heap. Read this before mm/page_alloc.c and arch/x86/paging.c.
 *
 * Layout (inside the slot Xen reserves for itself, so PV guests keep
 * everything from 0xffff880000000000 up):
 *   0xffff82d040000000  HV_VIRT_BASE: physical address 0 as the image sees it
 *   0xffff82d07fe00000  FIXMAP_BASE: uncached device pages (local APIC)
 *   0xffff830000000000  DIRECTMAP_BASE: all RAM, phys + base, NX
 */
#ifndef VENEER_MM_H
#define VENEER_MM_H

#include <veneer/buddy.h>
#include <veneer/memmap.h>
#include <veneer/types.h>

#define HV_VIRT_BASE 0xffff82d040000000UL
#define FIXMAP_BASE  0xffff82d07fe00000UL
#define FIXMAP_SLOTS 16
#define FIXMAP_APIC  0
/* The GDT window: 16 pages below the fixmap (arch/x86/desc.c). */
#define GDT_WINDOW_VA    (FIXMAP_BASE - 0x100000UL)
#define GDT_WINDOW_PAGES 16
/* Never mapped: the #PF self-test reads it. */
#define UNMAPPED_PROBE_VA (FIXMAP_BASE - 0x1000UL)
#define DIRECTMAP_BASE    0xffff830000000000UL
#define DIRECTMAP_SIZE    (5UL << 40)

/* Below this much usable RAM veneer refuses to start. */
#define MIN_USABLE_RAM MiB(48)

extern bool directmap_ready;

static inline void *phys_to_virt(paddr_t pa)
{
    return (void *)(DIRECTMAP_BASE + pa);
}

/* Valid for direct-map and image addresses. */
paddr_t virt_to_phys(const void *va);

/*
 * Early physical access: through the boot identity map (first 4 GiB) until
 * paging_init() switches tables, through the direct map afterwards.
 */
void *early_phys_to_virt(paddr_t pa);

/* Boot-time page allocator: carves pages out of the free-RAM map. */
void bootmem_init(struct memmap *free_ram);
paddr_t bootmem_alloc(size_t pages, paddr_t below);

/* Builds the final page tables for the RAM in `ram` and switches to them. */
void paging_init(const struct memmap *ram);
/* Loads the hypervisor's own tables (no guest mappings): idle pCPUs. */
void paging_load_idle(void);
/* Maps [va, va+len) to [pa, ...) in the hypervisor's tables (and so in
 * every guest's, for the shared slots), creating tables with table_flags. */
void paging_map(uint64_t va, paddr_t pa, uint64_t len, uint64_t flags,
                uint64_t table_flags, bool large);
/* The L4 slots 256-271 every guest L4 carries: ours (pv-abi.md 1.2). */
#define HV_L4_FIRST_SLOT 256
#define HV_L4_LAST_SLOT  271
void paging_copy_hypervisor_slots(uint64_t *l4);
void *fixmap_map(unsigned int slot, paddr_t pa);
/* The L1 entries that map [va, va + n pages), inside one L1 table,
 * created empty: for mappings that change at run time (the GDT window). */
uint64_t *paging_l1_entries(uint64_t va, unsigned int n);

/* The frame table, indexed by MFN (see page_info.h). */
extern struct page_info *frame_table;
extern mfn_t nr_machine_frames;

static inline struct page_info *mfn_to_page(mfn_t mfn)
{
    return &frame_table[mfn];
}

static inline bool mfn_valid(mfn_t mfn)
{
    return mfn < nr_machine_frames;
}

static inline void *mfn_to_virt(mfn_t mfn)
{
    return phys_to_virt(mfn << PAGE_SHIFT);
}

/* The frame allocator: everything bootmem did not take goes to the buddy.
 * Frames come out owned by nobody (OWNER_NONE) and must go back with no
 * references left. */
void page_alloc_init(const struct memmap *ram);
struct buddy *page_allocator(void);
mfn_t alloc_pages(unsigned int order);
void free_pages(mfn_t mfn, unsigned int order);

/* The machine-to-physical table (mm/m2p.c): written by us, read by every
 * guest at MACH2PHYS_VIRT_START. */
#define M2P_INVALID (~0UL)
extern uint64_t *m2p;
void m2p_init(void);
static inline void m2p_set(mfn_t mfn, uint64_t pfn)
{
    m2p[mfn] = pfn;
}

/* The hypervisor heap (mm/xmalloc.c). */
struct heap;
void xmalloc_init(void);
struct heap *hypervisor_heap(void);
void *xmalloc(size_t size);
void *xzalloc(size_t size);
void xfree(void *p);

#endif
