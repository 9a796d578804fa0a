/*
 * Descriptor tables: each pCPU's GDT (with Xen's selector layout, see
 * x86.h) and TSS, whose IST stacks give #DF, NMI and #MC a known-good stack
 * even when the current one is broken, and the one IDT every CPU shares,
 * pointing every vector at its stub in entry.S. The stacks are the CPU's
 * stack block (smp.h).
 */
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/smp.h>
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

/* The boot GDT: only until gdt_window_init() moves to the window. */
static uint64_t gdt[GDT_ENTRIES] __aligned(16);
static struct idt_gate idt[256] __aligned(16);
static struct tss64 tss[MAX_CPUS] __aligned(16);
extern uint8_t cpu0_stack_block[];

#define SEG_CODE64_R0 0x00af9a000000ffffUL
#define SEG_DATA_R0   0x00cf92000000ffffUL
#define SEG_CODE32_R0 0x00cf9a000000ffffUL
#define SEG_CODE32_R3 0x00cffa000000ffffUL
#define SEG_DATA_R3   0x00cff2000000ffffUL
#define SEG_CODE64_R3 0x00affa000000ffffUL

static void set_tss_descriptor(uint64_t *table, unsigned int index,
                               const void *base, uint32_t limit)
{
    uint64_t b = (uint64_t)base;

    table[index] = (limit & 0xffffUL) | ((b & 0xffffffUL) << 16) |
                   (0x89UL << 40) /* present, 64-bit TSS (available) */ |
                   (((uint64_t)limit >> 16) & 0xf) << 48 |
                   ((b >> 24) & 0xffUL) << 56;
    table[index + 1] = b >> 32;
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

static void load_tables(uint64_t gdt_base, uint16_t gdt_limit)
{
    struct desc_ptr gdtr = {gdt_limit, gdt_base};
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
    /* A null LDT, so that every LDT selector (TI=1) faults: out of reset
     * (and INIT for an AP) LDTR is base 0, limit 0xffff, which would make
     * the CPU read descriptors at linear 0-64K, memory the running guest
     * may map, whenever a guest names an LDT selector in a segment load,
     * an iret frame or a far call (a call gate there would lead into our
     * code segment). */
    __asm__ volatile("lldt %w0" : : "r"(0));
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/* The TSS of `cpu`: its ring-0 and IST stacks are in its stack block. */
static void tss_init(unsigned int cpu, uint8_t *block)
{
    struct tss64 *t = &tss[cpu];

    memset(t, 0, sizeof(*t));
    t->rsp[0] = stack_block_top(block);
    t->ist[IST_DF - 1] = (uint64_t)(block + 1 * IST_STACK_SIZE);
    t->ist[IST_NMI - 1] = (uint64_t)(block + 2 * IST_STACK_SIZE);
    t->ist[IST_MC - 1] = (uint64_t)(block + 3 * IST_STACK_SIZE);
    t->iomap_base = sizeof(*t); /* no I/O bitmap: ring 3 gets no ports */
}

void traps_init(void)
{
    gdt[HYPERVISOR_CS >> 3] = SEG_CODE64_R0;
    gdt[HYPERVISOR_DS >> 3] = SEG_DATA_R0;
    gdt[HYPERVISOR_CS32 >> 3] = SEG_CODE32_R0;
    gdt[RING3_CS32 >> 3] = SEG_CODE32_R3;
    gdt[RING3_DS32 >> 3] = SEG_DATA_R3;
    gdt[RING3_CS64 >> 3] = SEG_CODE64_R3;

    tss_init(0, cpu0_stack_block);
    set_tss_descriptor(gdt, TSS_SELECTOR >> 3, &tss[0], sizeof(tss[0]) - 1);

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
    load_tables((uint64_t)gdt, sizeof(gdt) - 1);
    cpu_protections_init();
}

/*
 * The GDT windows (pv-abi.md 1.4): each pCPU's GDTR covers its own 16 pages
 * from gdt_window_va(cpu), in the hypervisor slots every address space
 * shares. Pages 0-13 show the vCPU running on that pCPU (its own GDT
 * frames, or a zero page), page 14 that pCPU's reserved descriptors
 * (selectors 0xe000 and up, the ones guests use; its own TSS), page 15
 * zeros. Switching vCPUs remaps pages 0-13 of the local window only, so
 * only the local TLB needs flushing.
 */
static uint64_t gdt_reserved_page[MAX_CPUS][512] __aligned(4096);
static const uint64_t gdt_zero_page[512] __aligned(4096);
static uint64_t *gdt_window_ptes[MAX_CPUS]; /* the 16 L1 entries of each */

_Static_assert(MAX_CPUS *GDT_WINDOW_PAGES *PAGE_SIZE <
                   UNMAPPED_PROBE_VA - GDT_WINDOW_VA,
               "the GDT windows run into the unmapped probe page");

static uint64_t gdt_window_va(unsigned int cpu)
{
    return GDT_WINDOW_VA + (uint64_t)cpu * GDT_WINDOW_PAGES * PAGE_SIZE;
}

static uint64_t window_pte(paddr_t pa)
{
    /* Writable: the CPU sets the accessed bit of descriptors it loads. */
    return pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_NX;
}

/* Maps cpu's window; its reserved page gets the boot GDT's descriptors
 * with its own TSS. */
static void gdt_window_build(unsigned int cpu)
{
    uint64_t *reserved = gdt_reserved_page[cpu];

    memcpy(reserved, &gdt[GDT_RESERVED_FIRST / 8],
           sizeof(gdt) - GDT_RESERVED_FIRST);
    set_tss_descriptor(reserved, (TSS_SELECTOR - GDT_RESERVED_FIRST) >> 3,
                       &tss[cpu], sizeof(tss[cpu]) - 1);
    gdt_window_ptes[cpu] =
        paging_l1_entries(gdt_window_va(cpu), GDT_WINDOW_PAGES);
    for (unsigned int i = 0; i < GDT_WINDOW_PAGES; i++) {
        const void *page = i == GDT_RESERVED_FIRST / PAGE_SIZE
                               ? (const void *)reserved
                               : (const void *)gdt_zero_page;
        gdt_window_ptes[cpu][i] = window_pte(virt_to_phys(page));
    }
}

void gdt_window_init(void)
{
    gdt_window_build(0);
    struct desc_ptr gdtr = {GDT_WINDOW_PAGES * PAGE_SIZE - 1, gdt_window_va(0)};
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    /* The TSS descriptor is busy in the old table; the CPU keeps using the
     * loaded TSS, so nothing needs reloading. */
}

void traps_init_secondary(unsigned int cpu, uint8_t *block)
{
    tss_init(cpu, block);
    gdt_window_build(cpu);
    load_tables(gdt_window_va(cpu), GDT_WINDOW_PAGES * PAGE_SIZE - 1);
    cpu_protections_init();
}

void gdt_window_show(const mfn_t *frames, unsigned int nr)
{
    unsigned int cpu = smp_processor_id();
    uint64_t *ptes = gdt_window_ptes[cpu];

    for (unsigned int i = 0; i < GDT_RESERVED_FIRST / PAGE_SIZE; i++) {
        paddr_t pa =
            i < nr ? frames[i] << PAGE_SHIFT : virt_to_phys(gdt_zero_page);
        uint64_t pte = window_pte(pa);
        if (ptes[i] != pte) {
            ptes[i] = pte;
            __asm__ volatile("invlpg (%0)"
                             :
                             : "r"(gdt_window_va(cpu) + i * PAGE_SIZE)
                             : "memory");
        }
    }
}
