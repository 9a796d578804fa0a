/*
 * Self-tests of exception handling and page protections: faults raised on
 * purpose at instructions listed in the fixup table must come back to the
 * fixup with the right vector, error code and faulting address.
 */
#include <veneer/console.h>
#include <veneer/mm.h>
#include <veneer/selftest.h>
#include <veneer/smap.h>
#include <veneer/smp.h>
#include <veneer/traps.h>
#include <veneer/x86.h>

extern const char __text_start[];

/* This CPU's record of the last fault a fixup caught (the selftests run
 * on one CPU from start to end). */
static const struct fixup_record *fixup(void)
{
    return &this_cpu()->last_fixup;
}

static int expect_fixup(uint64_t count_before, uint64_t vector)
{
    if (fixup()->count != count_before + 1)
        return selftest_fail("no fault was taken");
    if (fixup()->vector != vector)
        return selftest_fail("vector %lu, expected %lu", fixup()->vector,
                             vector);
    return 0;
}

SELFTEST(ud_fixup, "#UD from ud2 is caught and resumes at its fixup")
{
    uint64_t before = fixup()->count;
    __asm__ volatile("1: ud2\n2:\n" EXTABLE("1b", "2b"));
    return expect_fixup(before, X86_EXC_UD);
}

SELFTEST(pf_fixup, "#PF on an unmapped address reports CR2 and not-present")
{
    uint64_t before = fixup()->count, value = 0;
    const volatile uint64_t *p = (const uint64_t *)UNMAPPED_PROBE_VA;

    __asm__ volatile("1: movq (%1), %0\n2:\n" EXTABLE("1b", "2b")
                     : "+r"(value)
                     : "r"(p)
                     : "memory");
    if (expect_fixup(before, X86_EXC_PF))
        return -1;
    if (fixup()->cr2 != UNMAPPED_PROBE_VA)
        return selftest_fail("CR2 %#lx, expected %#lx", fixup()->cr2,
                             UNMAPPED_PROBE_VA);
    if (fixup()->error_code & (PFEC_PRESENT | PFEC_WRITE | PFEC_USER))
        return selftest_fail("error code %#lx, expected a supervisor read "
                             "of a missing page",
                             fixup()->error_code);
    return 0;
}

SELFTEST(text_readonly, "writing to hypervisor text faults (W^X)")
{
    uint64_t before = fixup()->count;
    volatile char *text = (volatile char *)__text_start;
    char c = *text; /* readable */

    __asm__ volatile("1: movb %1, (%0)\n2:\n" EXTABLE("1b", "2b")
                     :
                     : "r"(text), "r"(c)
                     : "memory");
    if (expect_fixup(before, X86_EXC_PF))
        return -1;
    if ((fixup()->error_code & (PFEC_PRESENT | PFEC_WRITE)) !=
        (PFEC_PRESENT | PFEC_WRITE))
        return selftest_fail("error code %#lx, expected a write protection "
                             "fault",
                             fixup()->error_code);
    return 0;
}

SELFTEST(gp_fixup, "#GP on a non-canonical address is caught")
{
    uint64_t before = fixup()->count, value = 0;
    const volatile uint64_t *p = (const uint64_t *)0x8000000000000000UL;

    __asm__ volatile("1: movq (%1), %0\n2:\n" EXTABLE("1b", "2b")
                     : "+r"(value)
                     : "r"(p)
                     : "memory");
    return expect_fixup(before, X86_EXC_GP);
}

SELFTEST(null_unmapped, "the NULL page is not mapped")
{
    uint64_t before = fixup()->count, value = 0;
    const volatile uint64_t *p = (const uint64_t *)0;

    __asm__ volatile("1: movq (%1), %0\n2:\n" EXTABLE("1b", "2b")
                     : "+r"(value)
                     : "r"(p)
                     : "memory");
    return expect_fixup(before, X86_EXC_PF);
}

/* A page ring 3 may reach (user at every level, executable), mapped in the
 * idle tables' lower half where guests never look, at an address the
 * exception table names: jumping there faults (SMEP) or, without SMEP,
 * runs the ud2 it holds; either way the fault comes back to the fixup. */
#define SMEP_PROBE_VA     0x0000004000000000UL
#define SMEP_PROBE_VA_STR "0x0000004000000000"

SELFTEST(smep, "ring 0 cannot execute a page guests may reach (SMEP)")
{
    if (!cpu_has_smep()) {
        pr_info("selftest smep: this CPU has no SMEP, nothing to check\n");
        return 0;
    }
    mfn_t mfn = alloc_pages(0);
    if (mfn == INVALID_MFN)
        return selftest_fail("no free page");
    uint8_t *code = mfn_to_virt(mfn);
    code[0] = 0x0f, code[1] = 0x0b; /* ud2 */
    paging_map(SMEP_PROBE_VA, mfn << PAGE_SHIFT, PAGE_SIZE,
               _PAGE_PRESENT | _PAGE_USER,
               _PAGE_PRESENT | _PAGE_RW | _PAGE_USER, false);
    uint64_t before = fixup()->count;
    __asm__ volatile("jmp *%0\n"
                     "2:\n" EXTABLE(SMEP_PROBE_VA_STR, "2b")
                     :
                     : "r"(SMEP_PROBE_VA)
                     : "memory");
    *paging_l1_entries(SMEP_PROBE_VA, 1) = 0;
    __asm__ volatile("invlpg (%0)" : : "r"(SMEP_PROBE_VA) : "memory");
    free_pages(mfn, 0);
    if (expect_fixup(before, X86_EXC_PF))
        return -1;
    uint64_t ec = fixup()->error_code;
    if ((ec & (PFEC_PRESENT | PFEC_INSN | PFEC_USER)) !=
        (PFEC_PRESENT | PFEC_INSN))
        return selftest_fail("error code %#lx, expected a supervisor "
                             "instruction fetch from a present page",
                             ec);
    return 0;
}

/* A user page (as every guest page is) beside the SMEP probe. */
#define SMAP_PROBE_VA 0x0000004000200000UL

SELFTEST(smap, "ring 0 reads a page guests may reach only inside a "
               "guest_access window (SMAP)")
{
    if (!smap_enabled) {
        pr_info("selftest smap: SMAP is off here (the smap: line says why), "
                "nothing to check\n");
        return 0;
    }
    mfn_t mfn = alloc_pages(0);
    if (mfn == INVALID_MFN)
        return selftest_fail("no free page");
    *(volatile uint64_t *)mfn_to_virt(mfn) = 0x5eed5eed5eed5eedUL;
    paging_map(SMAP_PROBE_VA, mfn << PAGE_SHIFT, PAGE_SIZE,
               _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_NX,
               _PAGE_PRESENT | _PAGE_RW | _PAGE_USER, false);
    const volatile uint64_t *p = (const uint64_t *)SMAP_PROBE_VA;
    uint64_t before = fixup()->count, outside = 0, inside = 0;
    __asm__ volatile("1: movq (%1), %0\n2:\n" EXTABLE("1b", "2b")
                     : "+r"(outside)
                     : "r"(p)
                     : "memory");
    uint64_t ec = fixup()->error_code;
    int faulted = expect_fixup(before, X86_EXC_PF);
    guest_access_begin();
    inside = *p;
    guest_access_end();
    *paging_l1_entries(SMAP_PROBE_VA, 1) = 0;
    __asm__ volatile("invlpg (%0)" : : "r"(SMAP_PROBE_VA) : "memory");
    free_pages(mfn, 0);
    if (faulted)
        return -1;
    if ((ec & (PFEC_PRESENT | PFEC_WRITE | PFEC_USER | PFEC_INSN)) !=
        PFEC_PRESENT)
        return selftest_fail("error code %#lx, expected a supervisor read "
                             "of a present page",
                             ec);
    if (outside != 0)
        return selftest_fail("the read outside the window got %#lx", outside);
    if (inside != 0x5eed5eed5eed5eedUL)
        return selftest_fail("the read inside the window got %#lx, not the "
                             "page's value",
                             inside);
    return 0;
}
