/*
 * Guest segment descriptors (hypervisor/mm/segdesc.c): what may stand in a
 * PV guest's GDT, and what is fixed on the way in.
 */
#include <string.h>

#include <veneer/errno.h>
#include <veneer/segdesc.h>

#include "unit.h"

#define CODE64_DPL0 0x00af9a000000ffffULL
#define CODE64_DPL3 0x00affa000000ffffULL
#define DATA_DPL1   0x00cfb2000000ffffULL
#define DATA_DPL3   0x00cff2000000ffffULL
#define TSS64       0x0000890000000067ULL
#define LDT         0x0000820000000fffULL
#define INTR_GATE   0x00008e0000100000ULL /* selector 0x10 */
#define CALL_GATE(sel, dpl) \
    (0x00008c0000000000ULL | ((uint64_t)(sel) << 16) | ((uint64_t)(dpl) << 45))

static void test_code_data_dpl_raised(void)
{
    uint64_t d = CODE64_DPL0;
    CU_ASSERT_EQUAL(segdesc_check(&d), 0);
    CU_ASSERT_EQUAL(d, CODE64_DPL3);
    d = DATA_DPL1;
    CU_ASSERT_EQUAL(segdesc_check(&d), 0);
    CU_ASSERT_EQUAL(d, DATA_DPL3);
    d = DATA_DPL3;
    CU_ASSERT_EQUAL(segdesc_check(&d), 0);
    CU_ASSERT_EQUAL(d, DATA_DPL3);
}

static void test_not_present_untouched(void)
{
    uint64_t d = TSS64 & ~(1ULL << 47); /* a TSS, but not present */
    CU_ASSERT_EQUAL(segdesc_check(&d), 0);
    CU_ASSERT_EQUAL(d, TSS64 & ~(1ULL << 47));
    d = 0;
    CU_ASSERT_EQUAL(segdesc_check(&d), 0);
}

static void test_system_refused(void)
{
    uint64_t tss = TSS64, ldt = LDT, gate = INTR_GATE;
    CU_ASSERT_EQUAL(segdesc_check(&tss), -EINVAL);
    CU_ASSERT_EQUAL(tss, TSS64);
    CU_ASSERT_EQUAL(segdesc_check(&ldt), -EINVAL);
    CU_ASSERT_EQUAL(segdesc_check(&gate), -EINVAL);
}

static void test_call_gates(void)
{
    uint64_t ok = CALL_GATE(0x10, 3), kernel = CALL_GATE(0xe033, 3),
             ours = CALL_GATE(0xe008, 3);
    CU_ASSERT_EQUAL(segdesc_check(&ok), 0);
    CU_ASSERT_EQUAL(ok, CALL_GATE(0x10, 0)); /* DPL 0: using it traps */
    CU_ASSERT_EQUAL(segdesc_check(&kernel), 0);
    CU_ASSERT_EQUAL(segdesc_check(&ours), -EINVAL);
}

static void test_page_all_or_nothing(void)
{
    static uint64_t page[512], copy[512];
    memset(page, 0, sizeof(page));
    page[2] = CODE64_DPL0;
    page[400] = TSS64;
    memcpy(copy, page, sizeof(page));
    CU_ASSERT_EQUAL(segdesc_check_page(page), -EINVAL);
    CU_ASSERT_EQUAL(memcmp(page, copy, sizeof(page)), 0); /* untouched */
    page[400] = 0;
    CU_ASSERT_EQUAL(segdesc_check_page(page), 0);
    CU_ASSERT_EQUAL(page[2], CODE64_DPL3);
}

static const struct unit_case segdesc_cases[] = {
    {"code and data descriptors get DPL 3", test_code_data_dpl_raised},
    {"not-present descriptors are left alone", test_not_present_untouched},
    {"TSS, LDT and interrupt gates are refused", test_system_refused},
    {"call gates: DPL 0, never into our selectors", test_call_gates},
    {"a page is checked all or nothing", test_page_all_or_nothing},
    {NULL, NULL},
};
UNIT_SUITE(segdesc, segdesc_cases)
