/* Negative cases: unknown hypercalls and sub-ops, bad pointers, bad
 * addresses. Each must get an error, never a crash. */
#include "events.h"
#include "mm.h"

#define XEN_HOLE 0xffff800000000000UL /* hypervisor-reserved VA */

PVTEST(t_neg_unknown_hcall, "neg.unknown_hypercall",
       "unused hypercall numbers (through the page and raw) are -ENOSYS")
{
    CHECK_EQ(HC(60, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(HC(127, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(hcall_raw(128, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(hcall_raw(4096, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(hcall_raw(0xffffffffUL, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(hcall_raw(0x8000000000000000UL, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    return PV_PASS;
}

PVTEST(t_neg_unknown_subop, "neg.unknown_subops",
       "unknown sub-ops of console_io, memory_op, vcpu_op, xen_version, "
       "mmuext_op and callback_op are refused")
{
    long con = HC(__HYPERVISOR_console_io, 99, 0, 0, 0, 0);
    long mem = hc_memory_op(99, NULL);
    long vcpu = hc_vcpu_op(99, 0, NULL);
    long ver = hc_xen_version(99, NULL);
    struct mmuext_op op = {.cmd = 99};
    long ext = hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
    struct callback_register cb = {.type = 99, .address = 0x1000};
    long cbr = HC(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb, 0, 0, 0);
    long cbo = HC(__HYPERVISOR_callback_op, 99, &cb, 0, 0, 0);
    printk("pvtest: subop 99: console %ld memory %ld vcpu %ld version %ld "
           "mmuext %ld callback type %ld callback op %ld\n",
           con, mem, vcpu, ver, ext, cbr, cbo);
    CHECK_EQ(con, -XEN_ENOSYS);
    CHECK_EQ(mem, -XEN_ENOSYS);
    CHECK_EQ(vcpu, -XEN_ENOSYS);
    CHECK_EQ(ver, -XEN_ENOSYS);
    CHECK_EQ(ext, -XEN_ENOSYS);
    CHECK_EQ(cbr, -XEN_ENOSYS); /* an unknown callback type */
    CHECK_EQ(cbo, -XEN_ENOSYS);
    return PV_PASS;
}

PVTEST(t_neg_bad_pointers, "neg.bad_pointers",
       "argument pointers to NULL, the hypervisor hole or non-canonical "
       "addresses give -EFAULT")
{
    static const unsigned long bad[] = {0, 16, XEN_HOLE, XEN_HOLE + 0x1000,
                                        0x8000000000000000UL};
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        void *p = (void *)bad[i];
        long r[6];
        r[0] = HC(__HYPERVISOR_console_io, CONSOLEIO_write, 8, p, 0, 0);
        r[1] = hc_xen_version(XENVER_extraversion, p);
        r[2] = hc_memory_op(XENMEM_machphys_mapping, p);
        r[3] = hc_evtchn_op(EVTCHNOP_alloc_unbound, p);
        r[4] = hc_mmuext_op(p, 1, NULL, DOMID_SELF);
        r[5] = hc_sched_op(SCHEDOP_poll, p);
        for (int k = 0; k < 6; k++)
            if (r[k] != -XEN_EFAULT)
                FAIL("pointer %#lx, call %d: %ld, expected -EFAULT", bad[i], k,
                     r[k]);
    }
    return PV_PASS;
}

PVTEST(t_neg_bad_va, "neg.update_va_mapping_bad",
       "update_va_mapping of a VA in the hypervisor hole or without an L1 "
       "is -EINVAL; a PTE for a frame beyond RAM is -EPERM")
{
    uint64_t pte = ((uint64_t)va_to_mfn(pv.si) << PAGE_SHIFT) | PTE_KERN_RO;
    long hole = hc_update_va_mapping(XEN_HOLE + 0x10000, pte, 0);
    long nol1 = hc_update_va_mapping(0x40000000UL, pte, 0);
    long huge = hc_update_va_mapping(fixmap_va(FIX_TEST0 + 50),
                                     (1ULL << 51) | PTE_KERN_RO,
                                     UVMF_INVLPG | UVMF_LOCAL);
    printk("pvtest: uvm hole %ld, no L1 %ld, huge mfn %ld\n", hole, nol1, huge);
    CHECK_EQ(hole, -XEN_EINVAL);
    CHECK_EQ(nol1, -XEN_EINVAL);
    CHECK_EQ(huge, -XEN_EPERM); /* not RAM: I/O memory we may not map */
    return PV_PASS;
}

PVTEST(t_neg_mmu_bad, "neg.mmu_update_bad",
       "mmu_update and MMU_MACHPHYS_UPDATE on a frame past max_mfn are "
       "-EINVAL")
{
    /* A machine address past every frame we own. */
    struct xen_machphys_mapping m = {0};
    hc_memory_op(XENMEM_machphys_mapping, &m);
    long notours = mmu_update1((uint64_t)(m.max_mfn + 1) << PAGE_SHIFT, 0);
    long mpbad = mmu_update1(
        ((uint64_t)(m.max_mfn + 1) << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0);
    CHECK_EQ(notours, -XEN_EINVAL);
    CHECK_EQ(mpbad, -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_neg_mmu_cmd, "neg.mmu_update_command",
       "the low 3 bits of an mmu_update ptr are the command: ptr + 4 is "
       "command 4, which does not exist (-ENOSYS), and nothing is written")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    uint64_t ptr = ((uint64_t)va_to_mfn(page) << PAGE_SHIFT) + 8 * 17;
    long rc = mmu_update1(ptr + 4, 0x55);
    uint64_t v16 = page[16], v17 = page[17], v18 = page[18];
    page_free(page);
    CHECK_EQ(rc, -XEN_ENOSYS);
    CHECK_EQ(v16 | v17 | v18, 0);
    return PV_PASS;
}

uint64_t hcall_clobbers(void);

PVTEST(t_hcall_preserves, "hypercall.preserved_registers",
       "a hypercall preserves RBX, RBP, R9 and R12-R15")
{
    uint64_t lost = hcall_clobbers();
    if (lost)
        FAIL("registers lost across a hypercall: mask %#lx (1 RBX, 2 RBP, "
             "4 R9, 8.. R12-R15)",
             (unsigned long)lost);
    return PV_PASS;
}
