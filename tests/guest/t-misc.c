/* multicall, vcpu_info registration, FPU task switching and kernel segment
 * bases; hvm_op as a PV domain sees it. */
#include "events.h"
#include "mm.h"
#include "time.h"
#include "traps.h"

#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>

PVTEST(t_multicall, "multicall.basic",
       "a multicall runs its entries in order and stores each result")
{
    static const char msg[] = "pvtest: (from a multicall)\n";
    multicall_entry_t mc[3] = {
        {.op = __HYPERVISOR_xen_version, .args = {XENVER_version}},
        {.op = __HYPERVISOR_console_io,
         .args = {CONSOLEIO_write, sizeof(msg) - 1, (unsigned long)msg}},
        {.op = __HYPERVISOR_xen_version, .args = {XENVER_pagesize}},
    };
    for (int i = 0; i < 3; i++)
        mc[i].result = 0xdead;
    CHECK_OK(HC(__HYPERVISOR_multicall, mc, 3, 0, 0, 0));
    CHECK_EQ(mc[0].result, hc_xen_version(XENVER_version, NULL));
    CHECK_EQ(mc[1].result, 0);
    CHECK_EQ(mc[2].result, 4096);
    return PV_PASS;
}

PVTEST(t_multicall_errors, "multicall.entry_errors",
       "a failing entry only sets its own result (-ENOSYS for an unknown "
       "op) and the batch goes on")
{
    multicall_entry_t mc[3] = {
        {.op = 60},
        {.op = __HYPERVISOR_xen_version, .args = {XENVER_pagesize}},
        {.op = __HYPERVISOR_mmuext_op, .args = {0, 1, 0, DOMID_SELF}},
    };
    struct mmuext_op bad = {.cmd = MMUEXT_UNPIN_TABLE};
    bad.arg1.mfn = va_to_mfn(pv.si);
    mc[2].args[0] = (unsigned long)&bad;
    CHECK_OK(HC(__HYPERVISOR_multicall, mc, 3, 0, 0, 0));
    CHECK_EQ((long)mc[0].result, -XEN_ENOSYS);
    CHECK_EQ(mc[1].result, 4096);
    CHECK_EQ((long)mc[2].result, -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_vcpu_info, "vcpu.register_vcpu_info",
       "register_vcpu_info moves vcpu_info into our page with its state "
       "(crossing the page end: -ENXIO; again: -EINVAL); events and time "
       "work there")
{
    uint8_t *page = page_alloc();
    CHECK(page);
    struct vcpu_register_vcpu_info r = {.mfn = va_to_mfn(page), .offset = 192};
    struct vcpu_register_vcpu_info misaligned = r;
    misaligned.offset = 4096 - 32;
    CHECK_EQ(hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &misaligned),
             -XEN_ENXIO); /* vcpu_info would cross the page end */
    misaligned.offset = 196;
    CHECK_EQ(hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &misaligned),
             -XEN_ENXIO); /* not 8-byte aligned */
    /* Frames we may not write: our pinned L4, one past all RAM. */
    struct vcpu_register_vcpu_info bad = r;
    bad.mfn = mm.l4_mfn;
    CHECK_EQ(hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &bad), -XEN_EINVAL);
    bad.mfn = 1UL << 40;
    CHECK_EQ(hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &bad), -XEN_EINVAL);
    CHECK_OK(hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &r));
    struct vcpu_info *v = (struct vcpu_info *)(page + 192);
    pv.vcpu = v; /* the page stays ours for the rest of the run */
    CHECK_EQ(v->evtchn_upcall_mask, 1);
    CHECK_EQ(hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL);
    CHECK(v->time.tsc_to_system_mul != 0);
    CHECK((v->time.version & 1) == 0);
    uint64_t t0 = pv_now();
    hc_sched_op(SCHEDOP_yield, NULL);
    CHECK(pv_now() >= t0);
    /* An IPI now raises the upcall through the new location. */
    struct evtchn_bind_ipi b = {.vcpu = 0};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_bind_ipi, &b));
    events_enable(); /* drain whatever the move left pending */
    events_disable();
    evtchn_clear(b.port);
    struct evtchn_send s = {.port = b.port};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_send, &s));
    CHECK(v->evtchn_upcall_pending);
    events_enable();
    events_disable();
    unsigned seen = evtchn_seen[b.port];
    evtchn_close_port(b.port);
    CHECK_EQ(seen, 1);
    return PV_PASS;
}

PVTEST(t_fpu_taskswitch, "fpu.taskswitch",
       "fpu_taskswitch(1) sets the virtual CR0.TS: the next x87 insn raises "
       "#NM; fpu_taskswitch(0) clears it")
{
    uint64_t cr0, at;
    CHECK_OK(HC(__HYPERVISOR_fpu_taskswitch, 1, 0, 0, 0, 0));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    CHECK(cr0 & 8);
    trap_reset();
    TRAP_TRY(at, "fnop");
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 7);
    CHECK_EQ(pv_trap.rip, at);
    /* Xen clears the virtual TS as it delivers #NM (as a native handler's
     * clts would), so the retry runs. */
    trap_reset();
    TRAP_TRY(at, "fnop");
    uint64_t second = pv_trap.hits;
    CHECK_OK(HC(__HYPERVISOR_fpu_taskswitch, 0, 0, 0, 0, 0));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    CHECK_EQ(cr0 & 8, 0);
    trap_reset();
    TRAP_TRY(at, "fnop");
    CHECK_EQ(pv_trap.hits, 0);
    CHECK_EQ(second, 0);
    return PV_PASS;
}

PVTEST(t_segbase_kernel, "segment.kernel_bases",
       "set_segment_base FS and GS_KERNEL set the bases our %fs/%gs loads "
       "use; a non-canonical base is -EINVAL")
{
    static uint64_t fsvar = 0xf5f5f5f5, gsvar = 0x65656565;
    uint64_t fsv, gsv;
    CHECK_OK(HC(__HYPERVISOR_set_segment_base, SEGBASE_FS, &fsvar, 0, 0, 0));
    CHECK_OK(
        HC(__HYPERVISOR_set_segment_base, SEGBASE_GS_KERNEL, &gsvar, 0, 0, 0));
    __asm__ volatile("mov %%fs:0, %0" : "=r"(fsv));
    __asm__ volatile("mov %%gs:0, %0" : "=r"(gsv));
    long bad = HC(__HYPERVISOR_set_segment_base, SEGBASE_FS,
                  0x8000000000000000UL, 0, 0, 0);
    long badwhich = HC(__HYPERVISOR_set_segment_base, 9, 0, 0, 0, 0);
    HC(__HYPERVISOR_set_segment_base, SEGBASE_FS, 0, 0, 0, 0);
    HC(__HYPERVISOR_set_segment_base, SEGBASE_GS_KERNEL, 0, 0, 0, 0);
    CHECK_EQ(fsv, 0xf5f5f5f5);
    CHECK_EQ(gsv, 0x65656565);
    CHECK_EQ(bad, -XEN_EINVAL);
    CHECK_EQ(badwhich, -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_hvm_param_pv, "hvm_op.get_param_pv",
       "HVMOP_get_param: a PV domain has no HVM parameters (-EINVAL, also "
       "for its xenstore ones), no such domain is -ESRCH, an unknown "
       "sub-op -ENOSYS")
{
    struct xen_hvm_param p = {.domid = DOMID_SELF,
                              .index = HVM_PARAM_STORE_EVTCHN};
    CHECK_EQ(HC(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, 0, 0, 0),
             -XEN_EINVAL);
    p.index = HVM_PARAM_STORE_PFN;
    CHECK_EQ(HC(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, 0, 0, 0),
             -XEN_EINVAL);
    p.domid = 0x7fe0; /* below the reserved ids, never created here */
    CHECK_EQ(HC(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, 0, 0, 0), -XEN_ESRCH);
    CHECK_EQ(HC(__HYPERVISOR_hvm_op, 0x7f, &p, 0, 0, 0), -XEN_ENOSYS);
    return PV_PASS;
}
