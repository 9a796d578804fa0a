/*
 * The hypervisor's own page tables, built once at boot and switched to
 * from the boot tables of head.S:
 *   - the image at HV_VIRT_BASE, 4 KiB pages: text read-only executable,
 *     rodata read-only NX, data and bss writable NX (W^X);
 *   - every RAM range in the direct map, 2 MiB pages, writable NX;
 *   - a fixmap of uncached 4 KiB slots for device registers.
 * No identity map survives: NULL and low addresses fault.
 * All hypervisor mappings are global, so they stay in the TLB across the
 * guest page-table switches to come.
 */
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/smp.h>
#include <veneer/x86.h>

extern const char __text_start[], __text_end[], __rodata_end[];
extern const char __bss_end[], __image_end[];

#define IMAGE_PHYS_START 0x100000UL

bool directmap_ready;
static paddr_t root_pa;
static uint64_t *fixmap_l1;

#define TABLE_FLAGS (_PAGE_PRESENT | _PAGE_RW)

void *early_phys_to_virt(paddr_t pa)
{
    if (directmap_ready)
        return phys_to_virt(pa);
    return (void *)pa; /* boot identity map, first 4 GiB */
}

paddr_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;

    if (v >= DIRECTMAP_BASE && v < DIRECTMAP_BASE + DIRECTMAP_SIZE)
        return v - DIRECTMAP_BASE;
    return v - HV_VIRT_BASE;
}

static uint64_t *table_at(paddr_t pa)
{
    return early_phys_to_virt(pa);
}

static paddr_t new_table(void)
{
    paddr_t pa;

    if (page_allocator()->managed_pages) {
        mfn_t mfn = alloc_pages(0);
        BUG_ON(mfn == INVALID_MFN);
        pa = mfn << PAGE_SHIFT;
    } else {
        /* Below 4 GiB: written through the boot identity map. */
        pa = bootmem_alloc(1, GiB(4));
    }
    memset(table_at(pa), 0, PAGE_SIZE);
    return pa;
}

static uint64_t *walk(uint64_t va, int target_level, uint64_t table_flags)
{
    uint64_t *t = table_at(root_pa);

    for (int level = 4; level > target_level; level--) {
        uint64_t *e = &t[(va >> (12 + 9 * (level - 1))) & 511];
        if (!(*e & _PAGE_PRESENT))
            *e = new_table() | table_flags;
        BUG_ON(*e & _PAGE_PSE);
        t = table_at(*e & PTE_ADDR_MASK);
    }
    return &t[(va >> (12 + 9 * (target_level - 1))) & 511];
}

void paging_map(uint64_t va, paddr_t pa, uint64_t len, uint64_t flags,
                uint64_t table_flags, bool large)
{
    uint64_t step = large ? MiB(2) : PAGE_SIZE;

    for (uint64_t off = 0; off < len; off += step) {
        uint64_t *pte = walk(va + off, large ? 2 : 1, table_flags);
        *pte = (pa + off) | flags | (large ? _PAGE_PSE : 0);
    }
}

static void map_range(uint64_t va, paddr_t pa, uint64_t len, uint64_t flags,
                      bool large)
{
    paging_map(va, pa, len, flags, TABLE_FLAGS, large);
}

uint64_t *paging_l1_entries(uint64_t va, unsigned int n)
{
    BUG_ON(((va >> 12) & 511) + n > 512); /* one L1 table */
    return walk(va, 1, TABLE_FLAGS);
}

void paging_copy_hypervisor_slots(uint64_t *l4)
{
    const uint64_t *root = table_at(root_pa);

    for (unsigned int i = HV_L4_FIRST_SLOT; i <= HV_L4_LAST_SLOT; i++)
        l4[i] = root[i];
}

static void map_image(void)
{
    uint64_t text = (uint64_t)__text_start, text_end = (uint64_t)__text_end;
    uint64_t ro_end = ALIGN_UP((uint64_t)__rodata_end, PAGE_SIZE);
    uint64_t bss_end = (uint64_t)__bss_end;
    uint64_t end = ALIGN_UP((uint64_t)__image_end, PAGE_SIZE);
    uint64_t g = _PAGE_PRESENT | _PAGE_GLOBAL;

    /* head.S's low part (multiboot header, boot tables): data from now on */
    map_range(HV_VIRT_BASE + IMAGE_PHYS_START, IMAGE_PHYS_START,
              text - (HV_VIRT_BASE + IMAGE_PHYS_START), g | _PAGE_RW | _PAGE_NX,
              false);
    map_range(text, text - HV_VIRT_BASE, ALIGN_UP(text_end, PAGE_SIZE) - text,
              g, false);
    map_range(ALIGN_UP(text_end, PAGE_SIZE),
              ALIGN_UP(text_end, PAGE_SIZE) - HV_VIRT_BASE,
              ro_end - ALIGN_UP(text_end, PAGE_SIZE), g | _PAGE_NX, false);
    map_range(ro_end, ro_end - HV_VIRT_BASE, bss_end - ro_end,
              g | _PAGE_RW | _PAGE_NX, false);
    /* the symbol table */
    map_range(bss_end, bss_end - HV_VIRT_BASE, end - bss_end, g | _PAGE_NX,
              false);
}

static void map_directmap(const struct memmap *ram)
{
    uint64_t flags = _PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL | _PAGE_NX;
    paddr_t mapped_to = 0;

    for (unsigned int i = 0; i < ram->n; i++) {
        paddr_t s = ALIGN_DOWN(ram->r[i].start, MiB(2));
        paddr_t e = ALIGN_UP(ram->r[i].end, MiB(2));
        if (s < mapped_to)
            s = mapped_to; /* neighbours can share a 2 MiB page */
        if (e > s)
            map_range(DIRECTMAP_BASE + s, s, e - s, flags, true);
        if (e > mapped_to)
            mapped_to = e;
    }
}

void *fixmap_map(unsigned int slot, paddr_t pa)
{
    BUG_ON(slot >= FIXMAP_SLOTS);
    uint64_t va = FIXMAP_BASE + (uint64_t)slot * PAGE_SIZE;

    fixmap_l1[slot] = (pa & PTE_ADDR_MASK) | _PAGE_PRESENT | _PAGE_RW |
                      _PAGE_PCD | _PAGE_PWT | _PAGE_GLOBAL | _PAGE_NX;
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
    return (void *)va;
}

void paging_load_idle(void)
{
    smp_write_cr3(root_pa);
}

void paging_init(const struct memmap *ram)
{
    root_pa = new_table();
    map_image();
    map_directmap(ram);
    /* The fixmap's L1 table exists from the start, so that mapping a slot
     * later never needs an allocation. */
    uint64_t *l1_entry = walk(FIXMAP_BASE, 1, TABLE_FLAGS);
    fixmap_l1 = (uint64_t *)((uint64_t)l1_entry & ~(PAGE_SIZE - 1));

    write_cr3(root_pa);
    /* Until now tables were reached through the identity map, where a
     * pointer is the physical address; from now on through the direct map. */
    directmap_ready = true;
    fixmap_l1 = phys_to_virt((paddr_t)fixmap_l1);
}
