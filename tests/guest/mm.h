/* Memory: the kernel's own page tables (built through hypercalls at boot),
 * pfn/mfn/va conversions, a page allocator and PTE helpers. */
#ifndef PVTEST_MM_H
#define PVTEST_MM_H

#include "pvtest.h"

#define VIRT_BASE 0xffffffff80000000UL
#define PTE_P     0x001UL
#define PTE_RW    0x002UL
#define PTE_US    0x004UL
#define PTE_A     0x020UL
#define PTE_D     0x040UL
#define PTE_NX    (1UL << 63)
#define PTE_ADDR  0x000ffffffffff000UL
/* What we put in our own entries: Xen forces US anyway. */
#define PTE_KERN_RW (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define PTE_KERN_RO (PTE_P | PTE_US | PTE_A)
#define PTE_TABLE   (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)

#define FIXMAP_SLOTS  512
#define MAP_PAGES_MAX (64UL << (20 - PAGE_SHIFT))
/* Fixmap slots with a fixed use. */
enum { FIX_SHARED_INFO, FIX_GNTTAB, FIX_TEST0 = 16 };

struct pv_mm {
    unsigned long nr_pages;  /* from start_info */
    unsigned long map_pages; /* pfns [0, map_pages) mapped at VIRT_BASE */
    unsigned long *p2m;      /* start_info mfn_list */
    unsigned long l4_mfn;    /* our kernel L4, pinned, in CR3 */
    unsigned long l3_mfn, l2_mfn;
    unsigned long nr_l1; /* including the fixmap L1 (the last) */
    unsigned long l1_mfn[MAP_PAGES_MAX / 512 + 1];
    unsigned long l1_pfn[MAP_PAGES_MAX / 512 + 1];
    unsigned long fix_base; /* VA of fixmap slot 0 */
    unsigned long old_l4_mfn;
    long old_unpin_rc;
};
extern struct pv_mm mm;

static inline unsigned long pfn_to_mfn(unsigned long pfn)
{
    return mm.p2m[pfn];
}
static inline unsigned long mfn_to_pfn(unsigned long mfn)
{
    return machine_to_phys_mapping[mfn];
}
static inline void *pfn_to_va(unsigned long pfn)
{
    return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT));
}
static inline unsigned long va_to_pfn(const void *va)
{
    return ((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT;
}
static inline unsigned long va_to_mfn(const void *va)
{
    return pfn_to_mfn(va_to_pfn(va));
}
static inline unsigned long fixmap_va(unsigned slot)
{
    return mm.fix_base + (unsigned long)slot * PAGE_SIZE;
}

int mm_init(void);
/* Machine address of the L1 entry that maps va (inside our region). */
uint64_t pte_maddr(unsigned long va);
uint64_t pte_read(unsigned long va);
/* A zeroed, RW-mapped page, or NULL when none is left. */
void *page_alloc(void);
void page_free(void *va);
/* Remap one of our pages read-only (to become a page table) or back. */
long page_set_ro(void *va, int ro);
long mmu_update1(uint64_t ptr, uint64_t val);
long mmuext1(unsigned cmd, unsigned long arg1, unsigned long arg2);

#endif
