/*
 * The kernel's own page tables. At boot we build a fresh L4/L3/L2/L1 set
 * mapping every pfn at VIRT_BASE + pfn * 4K (plus one L1 of fixmap slots),
 * make the new table pages read-only in the builder's tables, pin the L4,
 * switch to it with NEW_BASEPTR and unpin the builder's L4. From then on
 * every PTE change goes through mmu_update/update_va_mapping.
 */
#include "mm.h"

struct pv_mm mm;

static unsigned long next_free, free_end;
static void *free_list;

/* The builder's initial region ends after its page tables and one stack
 * page; Xen maps at least 512 KiB beyond (pv-abi.md 2.3). */
static unsigned long first_free_pfn(start_info_t *si)
{
    extern char _image_end[];
    unsigned long end = (unsigned long)_image_end;
    unsigned long p2m_end = si->mfn_list + si->nr_pages * 8;
    unsigned long pt_end = si->pt_base + si->nr_pt_frames * PAGE_SIZE;
    unsigned long si_end = (unsigned long)si + PAGE_SIZE;
    if (p2m_end > end)
        end = p2m_end;
    if (pt_end > end)
        end = pt_end;
    if (si_end > end)
        end = si_end;
    if (si->mod_start && !(si->flags & SIF_MOD_START_PFN) &&
        si->mod_start + si->mod_len > end)
        end = si->mod_start + si->mod_len;
    return ((end - VIRT_BASE + PAGE_SIZE - 1) >> PAGE_SHIFT) + 1;
}

long mmu_update1(uint64_t ptr, uint64_t val)
{
    mmu_update_t req = {.ptr = ptr, .val = val};
    return hc_mmu_update(&req, 1, NULL, DOMID_SELF);
}

long mmuext1(unsigned cmd, unsigned long arg1, unsigned long arg2)
{
    struct mmuext_op op = {.cmd = cmd};
    op.arg1.mfn = arg1;
    op.arg2.nr_ents = (unsigned)arg2;
    return hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static int in_range(unsigned long pfn, unsigned long start, unsigned long n)
{
    return pfn >= start && pfn < start + n;
}

int mm_init(void)
{
    start_info_t *si = pv.si;
    mm.nr_pages = si->nr_pages;
    mm.p2m = (unsigned long *)si->mfn_list;
    mm.map_pages = mm.nr_pages;
    /* 64 MiB is plenty for the cases, and its 32 L1s fit in the slack the
     * builder leaves after its boot stack (at least 512 KiB, 2.3). */
    if (mm.map_pages > MAP_PAGES_MAX)
        mm.map_pages = MAP_PAGES_MAX;
    unsigned long main_l1 = (mm.map_pages + 511) / 512;
    mm.nr_l1 = main_l1 + 1;
    unsigned long ntables = 3 + mm.nr_l1;

    unsigned long first = first_free_pfn(si);
    if (first + ntables + 16 > mm.map_pages) {
        printk("pvtest: mm: too little memory (%lu pages)\n", mm.nr_pages);
        return -1;
    }
    unsigned long old_pt_pfn = (si->pt_base - VIRT_BASE) >> PAGE_SHIFT;
    mm.old_l4_mfn = pfn_to_mfn(old_pt_pfn);

    /* Tables: L4, L3, L2, then the L1s, all in the builder's RW region. */
    unsigned long t = first;
    uint64_t *l4 = pfn_to_va(t), *l3 = pfn_to_va(t + 1), *l2 = pfn_to_va(t + 2);
    mm.l4_mfn = pfn_to_mfn(t);
    mm.l3_mfn = pfn_to_mfn(t + 1);
    mm.l2_mfn = pfn_to_mfn(t + 2);
    for (unsigned long i = 0; i < ntables; i++)
        memset(pfn_to_va(t + i), 0, PAGE_SIZE);
    for (unsigned long i = 0; i < mm.nr_l1; i++) {
        mm.l1_pfn[i] = t + 3 + i;
        mm.l1_mfn[i] = pfn_to_mfn(t + 3 + i);
    }
    for (unsigned long pfn = 0; pfn < mm.map_pages; pfn++) {
        uint64_t *l1 = pfn_to_va(mm.l1_pfn[pfn / 512]);
        unsigned long mfn = pfn_to_mfn(pfn);
        if (mfn == ~0UL) /* a hole in the P2M */
            continue;
        int table = in_range(pfn, old_pt_pfn, si->nr_pt_frames) ||
                    in_range(pfn, t, ntables);
        l1[pfn % 512] =
            ((uint64_t)mfn << PAGE_SHIFT) | (table ? PTE_KERN_RO : PTE_KERN_RW);
    }
    for (unsigned long i = 0; i < mm.nr_l1; i++)
        l2[i] = ((uint64_t)mm.l1_mfn[i] << PAGE_SHIFT) | PTE_TABLE;
    l3[510] = ((uint64_t)mm.l2_mfn << PAGE_SHIFT) | PTE_TABLE;
    l4[511] = ((uint64_t)mm.l3_mfn << PAGE_SHIFT) | PTE_TABLE;
    mm.fix_base = VIRT_BASE + main_l1 * 512 * PAGE_SIZE;

    /* A page table must have no writable mapping left before it is
     * validated: remap each new table page read-only in the builder's
     * tables. */
    for (unsigned long i = 0; i < ntables; i++) {
        long rc = hc_update_va_mapping(
            (unsigned long)pfn_to_va(t + i),
            ((uint64_t)pfn_to_mfn(t + i) << PAGE_SHIFT) | PTE_KERN_RO,
            UVMF_INVLPG | UVMF_LOCAL);
        if (rc) {
            printk("pvtest: mm: remap table %lu read-only: %ld\n", i, rc);
            return -1;
        }
    }
    long rc = mmuext1(MMUEXT_PIN_L4_TABLE, mm.l4_mfn, 0);
    if (rc) {
        printk("pvtest: mm: pin new L4: %ld\n", rc);
        return -1;
    }
    rc = mmuext1(MMUEXT_NEW_BASEPTR, mm.l4_mfn, 0);
    if (rc) {
        printk("pvtest: mm: new baseptr: %ld\n", rc);
        return -1;
    }
    /* The builder pinned its L4; we no longer need it. */
    mm.old_unpin_rc = mmuext1(MMUEXT_UNPIN_TABLE, mm.old_l4_mfn, 0);

    next_free = t + ntables;
    free_end = mm.map_pages;
    return 0;
}

uint64_t pte_maddr(unsigned long va)
{
    unsigned long idx = (va - VIRT_BASE) >> 21;
    return ((uint64_t)mm.l1_mfn[idx] << PAGE_SHIFT) + ((va >> 12) & 511) * 8;
}

uint64_t pte_read(unsigned long va)
{
    unsigned long idx = (va - VIRT_BASE) >> 21;
    const volatile uint64_t *l1 = pfn_to_va(mm.l1_pfn[idx]);
    return l1[(va >> 12) & 511];
}

void *page_alloc(void)
{
    void *p = free_list;
    if (p) {
        free_list = *(void **)p;
    } else {
        if (next_free >= free_end)
            return NULL;
        p = pfn_to_va(next_free++);
    }
    memset(p, 0, PAGE_SIZE);
    return p;
}

void page_free(void *va)
{
    *(void **)va = free_list;
    free_list = va;
}

long page_set_ro(void *va, int ro)
{
    uint64_t pte = ((uint64_t)va_to_mfn(va) << PAGE_SHIFT) |
                   (ro ? PTE_KERN_RO : PTE_KERN_RW);
    return hc_update_va_mapping((unsigned long)va, pte,
                                UVMF_INVLPG | UVMF_LOCAL);
}
