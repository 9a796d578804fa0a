/*
 * The guest's own descriptor tables (pv-abi.md 7.7): set_gdt takes frames
 * the guest no longer maps writable, fixes code/data DPLs to 3 and refuses
 * system descriptors; update_descriptor checks one entry the same way.
 */
#include "mm.h"
#include "traps.h"

#define DESC_CODE64_DPL0 0x00af9a000000ffffUL
#define DESC_CODE64_DPL3 0x00affa000000ffffUL
#define DESC_DATA_DPL0   0x00cf92000000ffffUL
#define DESC_DATA_DPL3   0x00cff2000000ffffUL
#define DESC_TSS64       0x0000890000000067UL /* present 64-bit TSS */

static long set_gdt(unsigned long *frames, unsigned long entries)
{
    return HC(__HYPERVISOR_set_gdt, frames, entries, 0, 0, 0);
}

static long update_descriptor(unsigned long maddr, uint64_t desc)
{
    return HC(__HYPERVISOR_update_descriptor, maddr, desc, 0, 0, 0);
}

PVTEST(t_desc_set_gdt, "desc.set_gdt",
       "set_gdt refuses a writable frame and too many entries, takes a "
       "read-only one with DPLs raised to 3; its selectors load")
{
    uint64_t *gdt = page_alloc();
    CHECK(gdt);
    memset(gdt, 0, PAGE_SIZE);
    gdt[2] = DESC_CODE64_DPL0;
    gdt[3] = DESC_DATA_DPL0;
    unsigned long mfn = va_to_mfn(gdt);

    long rc_rw = set_gdt(&mfn, 16);    /* still mapped writable */
    long rc_big = set_gdt(&mfn, 7169); /* into the reserved page */
    CHECK_OK(page_set_ro(gdt, 1));
    long rc = set_gdt(&mfn, 16);
    uint64_t code = gdt[2], data = gdt[3];
    unsigned long sel = 0x1b, es_after = 0;
    if (rc == 0) {
        __asm__ volatile("mov %1, %%es\n\tmov %%es, %0\n\tmov %2, %%es"
                         : "=r"(es_after)
                         : "r"(sel), "r"(0UL));
    }
    long rc_clear = set_gdt(NULL, 0);
    long rc_back = page_set_ro(gdt, 0); /* writable again once released */
    page_free(gdt);

    CHECK_EQ(rc_rw, -XEN_EINVAL);
    CHECK_EQ(rc_big, -XEN_EINVAL);
    CHECK_OK(rc);
    CHECK_EQ(code, DESC_CODE64_DPL3);
    CHECK_EQ(data, DESC_DATA_DPL3);
    CHECK_EQ(es_after & 0xffff, sel);
    CHECK_OK(rc_clear);
    CHECK_OK(rc_back);
    return PV_PASS;
}

PVTEST(t_desc_system_refused, "desc.system_refused",
       "a frame holding a TSS descriptor cannot become a GDT frame")
{
    uint64_t *gdt = page_alloc();
    CHECK(gdt);
    memset(gdt, 0, PAGE_SIZE);
    gdt[8] = DESC_TSS64;
    unsigned long mfn = va_to_mfn(gdt);
    CHECK_OK(page_set_ro(gdt, 1));
    long rc = set_gdt(&mfn, 16);
    CHECK_OK(page_set_ro(gdt, 0));
    page_free(gdt);
    CHECK_EQ(rc, -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_desc_update, "desc.update_descriptor",
       "update_descriptor writes a checked entry (DPL raised to 3), refuses "
       "system descriptors, unaligned addresses and page-table frames")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    memset(page, 0, PAGE_SIZE);
    unsigned long ma = va_to_mfn(page) << PAGE_SHIFT;

    long rc = update_descriptor(ma + 8 * 5, DESC_CODE64_DPL0);
    long rc_tss = update_descriptor(ma + 8 * 6, DESC_TSS64);
    long rc_align = update_descriptor(ma + 4, DESC_DATA_DPL3);
    uint64_t got = page[5], untouched = page[6];
    page_free(page);
    /* An empty page pinned as an L1 table. */
    uint64_t *l1 = page_alloc();
    CHECK(l1);
    memset(l1, 0, PAGE_SIZE);
    CHECK_OK(page_set_ro(l1, 1));
    unsigned long l1_mfn = va_to_mfn(l1);
    CHECK_OK(mmuext1(MMUEXT_PIN_L1_TABLE, l1_mfn, 0));
    long rc_table = update_descriptor(l1_mfn << PAGE_SHIFT, DESC_DATA_DPL3);
    CHECK_OK(mmuext1(MMUEXT_UNPIN_TABLE, l1_mfn, 0));
    CHECK_OK(page_set_ro(l1, 0));
    page_free(l1);

    CHECK_OK(rc);
    CHECK_EQ(got, DESC_CODE64_DPL3);
    CHECK_EQ(rc_tss, -XEN_EINVAL);
    CHECK_EQ(untouched, 0);
    CHECK_EQ(rc_align, -XEN_EINVAL);
    CHECK_EQ(rc_table, -XEN_EINVAL);
    return PV_PASS;
}
