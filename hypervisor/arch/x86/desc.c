/*
 * Descriptor tables of the boot CPU: the GDT (with Xen's selector layout,
 * see x86.h), the TSS whose IST stacks give #DF, NMI and #MC a known-good
 * stack even when the current one is broken, and the IDT pointing every
 * vector at its stub in entry.S.
 */
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/traps.h>
#include <veneer/x86.h>

struct __packed tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct __packed idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};

struct __packed desc_ptr {
    uint16_t limit;
    uint64_t base;
};

extern const char exception_stubs[];

static uint64_t gdt[GDT_ENTRIES] __aligned(16);
static struct idt_gate idt[256] __aligned(16);
static struct tss64 tss __aligned(16);
static uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);

/* The ring-0 stack used when an interrupt, exception or syscall arrives
 * from ring 3 (a guest); pv/entry.S keeps the guest's frame at its top. */
static uint8_t ring0_stack[16384] __aligned(16);
uint8_t *const ring0_stack_top = ring0_stack + sizeof(ring0_stack);

#define SEG_CODE64_R0 0x00af9a000000ffffUL
#define SEG_DATA_R0   0x00cf92000000ffffUL
#define SEG_CODE32_R0 0x00cf9a000000ffffUL
#define SEG_CODE32_R3 0x00cffa000000ffffUL
#define SEG_DATA_R3   0x00cff2000000ffffUL
#define SEG_CODE64_R3 0x00affa000000ffffUL

static void set_tss_descriptor(unsigned int index, const void *base,
                               uint32_t limit)
{
    uint64_t b = (uint64_t)base;

    gdt[index] = (limit & 0xffffUL) | ((b & 0xffffffUL) << 16) |
                 (0x89UL << 40) /* present, 64-bit TSS (available) */ |
                 (((uint64_t)limit >> 16) & 0xf) << 48 |
                 ((b >> 24) & 0xffUL) << 56;
    gdt[index + 1] = b >> 32;
}

static void set_gate(unsigned int vec, const void *handler, unsigned int ist,
                     unsigned int dpl)
{
    uint64_t h = (uint64_t)handler;

    idt[vec] = (struct idt_gate){
        .offset_lo = (uint16_t)h,
        .selector = HYPERVISOR_CS,
        .ist = (uint8_t)ist,
        /* present, 64-bit interrupt gate, DPL: who may `int n` to it */
        .type_attr = (uint8_t)(0x8e | (dpl << 5)),
        .offset_mid = (uint16_t)(h >> 16),
        .offset_hi = (uint32_t)(h >> 32),
    };
}

static void load_tables(void)
{
    struct desc_ptr gdtr = {sizeof(gdt) - 1, (uint64_t)gdt};
    struct desc_ptr idtr = {sizeof(idt) - 1, (uint64_t)idt};

    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    /* Reload CS with a far return, then the data segments. */
    __asm__ volatile("pushq %[cs]\n"
                     "leaq 1f(%%rip), %%rax\n"
                     "pushq %%rax\n"
                     "lretq\n"
                     "1:\n"
                     "movl %[ds], %%eax\n"
                     "movl %%eax, %%ss\n"
                     "xorl %%eax, %%eax\n"
                     "movl %%eax, %%ds\n"
                     "movl %%eax, %%es\n"
                     "movl %%eax, %%fs\n"
                     "movl %%eax, %%gs\n"
                     :
                     : [cs] "i"(HYPERVISOR_CS), [ds] "i"(HYPERVISOR_DS)
                     : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"(TSS_SELECTOR));
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void traps_init(void)
{
    gdt[HYPERVISOR_CS >> 3] = SEG_CODE64_R0;
    gdt[HYPERVISOR_DS >> 3] = SEG_DATA_R0;
    gdt[HYPERVISOR_CS32 >> 3] = SEG_CODE32_R0;
    gdt[RING3_CS32 >> 3] = SEG_CODE32_R3;
    gdt[RING3_DS32 >> 3] = SEG_DATA_R3;
    gdt[RING3_CS64 >> 3] = SEG_CODE64_R3;

    memset(&tss, 0, sizeof(tss));
    tss.rsp[0] = (uint64_t)ring0_stack_top;
    tss.ist[IST_DF - 1] = (uint64_t)(ist_stacks[0] + IST_STACK_SIZE);
    tss.ist[IST_NMI - 1] = (uint64_t)(ist_stacks[1] + IST_STACK_SIZE);
    tss.ist[IST_MC - 1] = (uint64_t)(ist_stacks[2] + IST_STACK_SIZE);
    tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */
    set_tss_descriptor(TSS_SELECTOR >> 3, &tss, sizeof(tss) - 1);

    for (unsigned int v = 0; v < 256; v++) {
        unsigned int ist = 0;
        if (v == X86_EXC_DF)
            ist = IST_DF;
        else if (v == X86_EXC_NMI)
            ist = IST_NMI;
        else if (v == X86_EXC_MC)
            ist = IST_MC;
        /* int3, into and int $0x80 reach their vector straight from guest
         * code (pv-abi 4.3); any other `int n` from ring 3 is a #GP that
         * pv/traps.c turns into the guest's software interrupt. */
        bool user_gate = v == X86_EXC_BP || v == X86_EXC_OF || v == 0x80;
        set_gate(v, exception_stubs + 16 * v, ist, user_gate ? 3 : 0);
    }
    load_tables();
}

/*
 * The GDT window (pv-abi.md 1.4): GDTR covers 16 pages at GDT_WINDOW_VA.
 * Pages 0-13 show the running vCPU's own GDT frames (or a zero page), page
 * 14 our reserved descriptors (selectors 0xe000 and up, the ones guests
 * use), page 15 zeros. Switching vCPUs remaps pages 0-13 only.
 */
static uint64_t gdt_reserved_page[512] __aligned(4096);
static const uint64_t gdt_zero_page[512] __aligned(4096);
static uint64_t *gdt_window_ptes; /* the 16 L1 entries of the window */

static uint64_t window_pte(paddr_t pa)
{
    /* Writable: the CPU sets the accessed bit of descriptors it loads. */
    return pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_NX;
}

void gdt_window_init(void)
{
    /* Our descriptors move from the boot GDT to the reserved page. */
    memcpy(gdt_reserved_page, &gdt[GDT_RESERVED_FIRST / 8],
           sizeof(gdt) - GDT_RESERVED_FIRST);
    gdt_window_ptes = paging_l1_entries(GDT_WINDOW_VA, GDT_WINDOW_PAGES);
    for (unsigned int i = 0; i < GDT_WINDOW_PAGES; i++) {
        const void *page = i == GDT_RESERVED_FIRST / PAGE_SIZE
                               ? (const void *)gdt_reserved_page
                               : (const void *)gdt_zero_page;
        gdt_window_ptes[i] = window_pte(virt_to_phys(page));
    }
    struct desc_ptr gdtr = {GDT_WINDOW_PAGES * PAGE_SIZE - 1, GDT_WINDOW_VA};
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    /* The TSS descriptor is busy in the old table; the CPU keeps using the
     * loaded TSS, so nothing needs reloading. */
}

void gdt_window_show(const mfn_t *frames, unsigned int nr)
{
    for (unsigned int i = 0; i < GDT_RESERVED_FIRST / PAGE_SIZE; i++) {
        paddr_t pa =
            i < nr ? frames[i] << PAGE_SHIFT : virt_to_phys(gdt_zero_page);
        uint64_t pte = window_pte(pa);
        if (gdt_window_ptes[i] != pte) {
            gdt_window_ptes[i] = pte;
            __asm__ volatile("invlpg (%0)"
                             :
                             : "r"(GDT_WINDOW_VA + i * PAGE_SIZE)
                             : "memory");
        }
    }
}
