/* Writable page tables (pv-abi.md 7.5): Linux writes the entries of its
 * validated L1 tables directly, through their read-only mappings, with a
 * handful of instructions; the hypervisor traps, validates and performs
 * each write. An entry the rules refuse is the guest's page fault. */
#include "mm.h"
#include "traps.h"

#define PTWR_VA(k) fixmap_va(FIX_TEST0 + 60 + (k))

/* Our read-only view of the L1 entry that maps va. */
static volatile uint64_t *pte_alias(unsigned long va)
{
    unsigned long idx = (va - VIRT_BASE) >> 21;
    return (volatile uint64_t *)pfn_to_va(mm.l1_pfn[idx]) + ((va >> 12) & 511);
}

static uint64_t pte_of(void *page, uint64_t flags)
{
    return ((uint64_t)va_to_mfn(page) << PAGE_SHIFT) | flags;
}

static long flush(unsigned long va)
{
    return mmuext1(MMUEXT_INVLPG_LOCAL, va, 0);
}

PVTEST(t_ptwr_mov, "ptwr.mov",
       "a plain 64-bit mov into a validated L1 maps a page, and a mov of "
       "an immediate 0 unmaps it")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    page[3] = 0x5eed;
    unsigned long va = PTWR_VA(0);
    volatile uint64_t *e = pte_alias(va);
    uint64_t pte = pte_of(page, PTE_KERN_RW);
    __asm__ volatile("movq %1, %0" : "=m"(*e) : "r"(pte) : "memory");
    CHECK_EQ(pte_read(va) & PTE_ADDR, pte & PTE_ADDR);
    CHECK_OK(flush(va));
    uint64_t v = 0;
    CHECK_EQ(probe_read(va + 24, &v), -1);
    CHECK_EQ(v, 0x5eed);
    __asm__ volatile("movq $0, %0" : "=m"(*e) : : "memory");
    CHECK_EQ(pte_read(va), 0);
    CHECK_OK(flush(va));
    CHECK_EQ(probe_read(va, &v), 14);
    page_free(page);
    return PV_PASS;
}

PVTEST(t_ptwr_mov32, "ptwr.mov32",
       "two 32-bit movs (low half, then high half) build one entry")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long va = PTWR_VA(1);
    volatile uint64_t *e = pte_alias(va);
    uint64_t pte = pte_of(page, PTE_KERN_RW | PTE_NX);
    volatile uint32_t *half = (volatile uint32_t *)e;
    __asm__ volatile("movl %1, %0"
                     : "=m"(half[1])
                     : "r"((uint32_t)(pte >> 32))
                     : "memory");
    __asm__ volatile("movl %1, %0"
                     : "=m"(half[0])
                     : "r"((uint32_t)pte)
                     : "memory");
    CHECK_EQ(pte_read(va) & (PTE_ADDR | PTE_NX | PTE_P),
             pte & (PTE_ADDR | PTE_NX | PTE_P));
    CHECK_OK(flush(va));
    CHECK_EQ(probe_write(va, 9), -1);
    CHECK_EQ(page[0], 9);
    CHECK_OK(mmu_update1(pte_maddr(va), 0));
    page_free(page);
    return PV_PASS;
}

PVTEST(t_ptwr_lock_and, "ptwr.lock_and",
       "lock and on the low byte write-protects an entry (fork's "
       "ptep_set_wrprotect), lock and of a register too")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long va = PTWR_VA(2);
    volatile uint64_t *e = pte_alias(va);
    CHECK_OK(mmu_update1(pte_maddr(va), pte_of(page, PTE_KERN_RW)));
    __asm__ volatile("lock andb %1, %0"
                     : "+m"(*(volatile uint8_t *)e)
                     : "i"(~PTE_RW & 0xff)
                     : "memory", "cc");
    CHECK_EQ(pte_read(va) & (PTE_RW | PTE_P), PTE_P);
    CHECK_OK(flush(va));
    CHECK_EQ(probe_write(va, 1), 14);
    CHECK_EQ(pv_trap.error, 3);
    uint64_t keep = ~PTE_P;
    __asm__ volatile("lock andq %1, %0"
                     : "+m"(*e)
                     : "r"(keep)
                     : "memory", "cc");
    CHECK_EQ(pte_read(va) & PTE_P, 0);
    CHECK_OK(mmu_update1(pte_maddr(va), 0));
    page_free(page);
    return PV_PASS;
}

PVTEST(t_ptwr_xchg, "ptwr.xchg",
       "xchg clears an entry and returns the old one (ptep_get_and_clear)")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long va = PTWR_VA(3);
    volatile uint64_t *e = pte_alias(va);
    uint64_t pte = pte_of(page, PTE_KERN_RW);
    CHECK_OK(mmu_update1(pte_maddr(va), pte));
    uint64_t old = 0;
    __asm__ volatile("xchgq %0, %1" : "+r"(old), "+m"(*e) : : "memory");
    CHECK_EQ(old & (PTE_ADDR | PTE_P | PTE_RW),
             pte & (PTE_ADDR | PTE_P | PTE_RW));
    CHECK_EQ(pte_read(va), 0);
    page_free(page);
    return PV_PASS;
}

PVTEST(t_ptwr_cmpxchg, "ptwr.cmpxchg",
       "lock cmpxchg stores only over the expected value, and reports the "
       "current one (ZF and RAX) when it differs")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long va = PTWR_VA(4);
    volatile uint64_t *e = pte_alias(va);
    uint64_t pte = pte_of(page, PTE_KERN_RO);
    CHECK_OK(mmu_update1(pte_maddr(va), pte));
    uint64_t cur = pte_read(va);
    uint64_t expect = cur ^ 0x1000; /* wrong */
    uint8_t zf;
    uint64_t nv = pte_of(page, PTE_KERN_RW);
    __asm__ volatile("lock cmpxchgq %3, %1; sete %2"
                     : "+a"(expect), "+m"(*e), "=q"(zf)
                     : "r"(nv)
                     : "memory", "cc");
    CHECK_EQ(zf, 0);
    CHECK_EQ(expect, cur);
    CHECK_EQ(pte_read(va), cur);
    __asm__ volatile("lock cmpxchgq %3, %1; sete %2"
                     : "+a"(expect), "+m"(*e), "=q"(zf)
                     : "r"(nv)
                     : "memory", "cc");
    CHECK_EQ(zf, 1);
    CHECK_EQ(pte_read(va) & (PTE_RW | PTE_ADDR), nv & (PTE_RW | PTE_ADDR));
    CHECK_OK(flush(va));
    CHECK_EQ(probe_write(va, 3), -1);
    CHECK_OK(mmu_update1(pte_maddr(va), 0));
    page_free(page);
    return PV_PASS;
}

PVTEST(t_ptwr_btr, "ptwr.btr_bts",
       "lock btr clears the accessed bit and reports it in CF "
       "(ptep_test_and_clear_young); lock bts sets it again")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long va = PTWR_VA(5);
    volatile uint64_t *e = pte_alias(va);
    CHECK_OK(mmu_update1(pte_maddr(va), pte_of(page, PTE_KERN_RO)));
    uint8_t cf;
    __asm__ volatile("lock btrq $5, %0; setc %1"
                     : "+m"(*e), "=q"(cf)
                     :
                     : "memory", "cc");
    CHECK_EQ(cf, 1);
    CHECK_EQ(pte_read(va) & PTE_A, 0);
    __asm__ volatile("lock btrq $5, %0; setc %1"
                     : "+m"(*e), "=q"(cf)
                     :
                     : "memory", "cc");
    CHECK_EQ(cf, 0);
    uint64_t bit = 5;
    __asm__ volatile("lock btsq %2, %0; setc %1"
                     : "+m"(*e), "=q"(cf)
                     : "r"(bit)
                     : "memory", "cc");
    CHECK_EQ(cf, 0);
    CHECK_EQ(pte_read(va) & PTE_A, PTE_A);
    CHECK_OK(mmu_update1(pte_maddr(va), 0));
    page_free(page);
    return PV_PASS;
}

PVTEST(t_ptwr_refused, "ptwr.refused",
       "a direct write the rules refuse (a writable mapping of a page "
       "table) is the guest's #PF, and the entry is unchanged")
{
    unsigned long va = PTWR_VA(6);
    volatile uint64_t *e = pte_alias(va);
    uint64_t bad = ((uint64_t)mm.l4_mfn << PAGE_SHIFT) | PTE_KERN_RW;
    uint64_t at;
    CHECK_OK(mmu_update1(pte_maddr(va), 0));
    trap_reset();
    TRAP_TRY(at, "movq %[v], (%[p])", [v] "r"(bad), [p] "r"(e));
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 14);
    CHECK_EQ(pv_trap.error, 3); /* present, write, kernel mode */
    CHECK_EQ(pv_trap.cr2, (unsigned long)e);
    CHECK_EQ(pv_trap.rip, at);
    CHECK_EQ(pte_read(va), 0);
    return PV_PASS;
}
