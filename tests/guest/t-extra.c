/* More corners of the ABI that Linux touches: vm_assist, debug registers,
 * LDT, the legacy set_callbacks, nested multicalls, update_va_mapping
 * flush flags, runstate/time areas, event-channel binding to a vCPU,
 * SCHEDOP_watchdog and the remaining xen_version strings. */
#include "events.h"
#include "mm.h"
#include "time.h"
#include "traps.h"

PVTEST(t_vm_assist, "misc.vm_assist",
       "vm_assist enables the types Linux asks for; an unknown type is "
       "-EINVAL, an unknown command -ENOSYS")
{
    CHECK_OK(HC(__HYPERVISOR_vm_assist, VMASST_CMD_enable,
                VMASST_TYPE_writable_pagetables, 0, 0, 0));
    CHECK_OK(HC(__HYPERVISOR_vm_assist, VMASST_CMD_enable,
                VMASST_TYPE_pae_extended_cr3, 0, 0, 0));
    CHECK_OK(HC(__HYPERVISOR_vm_assist, VMASST_CMD_enable,
                VMASST_TYPE_runstate_update_flag, 0, 0, 0));
    CHECK_EQ(HC(__HYPERVISOR_vm_assist, VMASST_CMD_enable, 31, 0, 0, 0),
             -XEN_EINVAL);
    CHECK_EQ(
        HC(__HYPERVISOR_vm_assist, 7, VMASST_TYPE_writable_pagetables, 0, 0, 0),
        -XEN_ENOSYS);
    return PV_PASS;
}

PVTEST(t_debugreg, "misc.debugreg",
       "set_debugreg/get_debugreg keep DR0 and DR7; DR6 reads its reset "
       "value; register 8 is -ENODEV")
{
    static uint64_t watched;
    CHECK_OK(HC(__HYPERVISOR_set_debugreg, 0, &watched, 0, 0, 0));
    CHECK_EQ(HC(__HYPERVISOR_get_debugreg, 0, 0, 0, 0, 0),
             (long)(unsigned long)&watched);
    CHECK_OK(HC(__HYPERVISOR_set_debugreg, 7, 0, 0, 0, 0));
    CHECK_EQ(HC(__HYPERVISOR_get_debugreg, 7, 0, 0, 0, 0) & 0xff, 0);
    long dr6 = HC(__HYPERVISOR_get_debugreg, 6, 0, 0, 0, 0);
    printk("pvtest: dr6 %#lx dr7 %#lx\n", (unsigned long)dr6,
           (unsigned long)HC(__HYPERVISOR_get_debugreg, 7, 0, 0, 0, 0));
    CHECK_EQ(dr6 & 0xf, 0);
    long set8 = HC(__HYPERVISOR_set_debugreg, 8, 0, 0, 0, 0);
    long get8 = HC(__HYPERVISOR_get_debugreg, 8, 0, 0, 0, 0);
    printk("pvtest: debugreg 8: set %ld get %ld\n", set8, get8);
    CHECK_EQ(set8, -XEN_ENODEV);
    CHECK_EQ(get8, -XEN_ENODEV);
    CHECK_OK(HC(__HYPERVISOR_set_debugreg, 0, 0, 0, 0, 0));
    return PV_PASS;
}

PVTEST(t_set_ldt, "mm.set_ldt",
       "MMUEXT_SET_LDT (0, 0) clears the LDT; a misaligned base or too "
       "many entries is -EINVAL")
{
    struct mmuext_op op = {.cmd = MMUEXT_SET_LDT};
    op.arg1.linear_addr = 0;
    op.arg2.nr_ents = 0;
    CHECK_OK(hc_mmuext_op(&op, 1, NULL, DOMID_SELF));
    op.arg1.linear_addr = fixmap_va(FIX_TEST0 + 60) + 8;
    op.arg2.nr_ents = 1;
    CHECK_EQ(hc_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    op.arg1.linear_addr = fixmap_va(FIX_TEST0 + 60);
    op.arg2.nr_ents = 8193;
    CHECK_EQ(hc_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_uvm_flags, "mm.update_va_mapping_flags",
       "update_va_mapping accepts UVMF_TLB_FLUSH/INVLPG with LOCAL, ALL "
       "and a vCPU mask pointer")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long va = fixmap_va(FIX_TEST0 + 61);
    uint64_t pte = ((uint64_t)va_to_mfn(page) << PAGE_SHIFT) | PTE_KERN_RW;
    unsigned long mask = 1;
    CHECK_OK(hc_update_va_mapping(va, pte, UVMF_TLB_FLUSH | UVMF_LOCAL));
    CHECK_OK(hc_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_ALL));
    CHECK_OK(hc_update_va_mapping(va, pte, UVMF_TLB_FLUSH | UVMF_ALL));
    CHECK_OK(hc_update_va_mapping(va, pte, UVMF_INVLPG | (unsigned long)&mask));
    CHECK_OK(hc_update_va_mapping(va, 0, UVMF_INVLPG | UVMF_LOCAL));
    page_free(page);
    return PV_PASS;
}

PVTEST(t_set_callbacks, "misc.set_callbacks",
       "the legacy set_callbacks hypercall re-registers event, failsafe "
       "and syscall entry points")
{
    extern void event_callback(void), failsafe_callback(void),
        syscall_callback(void);
    CHECK_OK(HC(__HYPERVISOR_set_callbacks, event_callback, failsafe_callback,
                syscall_callback, 0, 0));
    /* Events still arrive through it. */
    struct evtchn_bind_ipi b = {.vcpu = 0};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_bind_ipi, &b));
    evtchn_clear(b.port);
    struct evtchn_send s = {.port = b.port};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_send, &s));
    events_enable();
    events_disable();
    unsigned seen = evtchn_seen[b.port];
    evtchn_close_port(b.port);
    CHECK_EQ(seen, 1);
    return PV_PASS;
}

PVTEST(t_multicall_nested, "multicall.nested",
       "a multicall inside a multicall is refused (-EINVAL in its entry's "
       "result); the batch goes on")
{
    multicall_entry_t inner[1] = {
        {.op = __HYPERVISOR_xen_version, .args = {XENVER_pagesize}}};
    multicall_entry_t outer[2] = {
        {.op = __HYPERVISOR_multicall, .args = {(unsigned long)inner, 1}},
        {.op = __HYPERVISOR_xen_version, .args = {XENVER_pagesize}},
    };
    inner[0].result = 0xdead;
    CHECK_OK(HC(__HYPERVISOR_multicall, outer, 2, 0, 0, 0));
    printk("pvtest: nested multicall result %ld, inner %ld\n",
           (long)outer[0].result, (long)inner[0].result);
    CHECK_EQ((long)outer[0].result, -XEN_EINVAL);
    CHECK_EQ(inner[0].result, 0xdead);
    CHECK_EQ(outer[1].result, 4096);
    return PV_PASS;
}

PVTEST(t_runstate_info, "vcpu.get_runstate_info",
       "VCPUOP_get_runstate_info reports vCPU 0 running")
{
    struct vcpu_runstate_info rs;
    memset(&rs, 0xff, sizeof(rs));
    CHECK_OK(hc_vcpu_op(VCPUOP_get_runstate_info, 0, &rs));
    CHECK_EQ(rs.state, RUNSTATE_running);
    CHECK(rs.state_entry_time <= pv_now());
    return PV_PASS;
}

PVTEST(t_time_area, "vcpu.time_memory_area",
       "VCPUOP_register_vcpu_time_memory_area fills a second "
       "vcpu_time_info that agrees with the first")
{
    static struct vcpu_time_info ti;
    memset(&ti, 0, sizeof(ti));
    struct vcpu_register_time_memory_area a;
    a.addr.v = &ti;
    long rc = hc_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &a);
    /* Filled at the next update: a reschedule does it. */
    hc_sched_op(SCHEDOP_yield, NULL);
    uint32_t mul = ti.tsc_to_system_mul;
    a.addr.v = NULL;
    hc_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &a);
    CHECK_OK(rc);
    printk("pvtest: time area version %u mul %u\n", ti.version, mul);
    CHECK_EQ(mul, pv.vcpu->time.tsc_to_system_mul);
    return PV_PASS;
}

PVTEST(t_ev_bind_vcpu, "evtchn.bind_vcpu",
       "EVTCHNOP_bind_vcpu moves an interdomain port to vCPU 0; an IPI "
       "port cannot move (-EINVAL); a missing vCPU is -ENOENT")
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
                                     .remote_dom = DOMID_SELF};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_alloc_unbound, &a));
    struct evtchn_bind_vcpu bv = {.port = a.port, .vcpu = 0};
    long r_unbound = hc_evtchn_op(EVTCHNOP_bind_vcpu, &bv);
    bv.vcpu = 100;
    long r_novcpu = hc_evtchn_op(EVTCHNOP_bind_vcpu, &bv);
    evtchn_close_port(a.port);
    struct evtchn_bind_ipi b = {.vcpu = 0};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_bind_ipi, &b));
    struct evtchn_bind_vcpu bi = {.port = b.port, .vcpu = 0};
    long r_ipi = hc_evtchn_op(EVTCHNOP_bind_vcpu, &bi);
    evtchn_close_port(b.port);
    printk("pvtest: bind_vcpu unbound %ld, vcpu 100 %ld, ipi %ld\n", r_unbound,
           r_novcpu, r_ipi);
    CHECK_OK(r_unbound);
    CHECK_EQ(r_novcpu, -XEN_ENOENT);
    CHECK_EQ(r_ipi, -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_ev_foreign, "evtchn.foreign_domain",
       "alloc_unbound and status for a domain that does not exist are "
       "-ESRCH")
{
    struct evtchn_alloc_unbound a = {.dom = 0x7fe0, .remote_dom = DOMID_SELF};
    long r_alloc = hc_evtchn_op(EVTCHNOP_alloc_unbound, &a);
    struct evtchn_status st = {.dom = 0x7fe0, .port = 1};
    long r_status = hc_evtchn_op(EVTCHNOP_status, &st);
    struct evtchn_bind_interdomain bi = {.remote_dom = 0x7fe0,
                                         .remote_port = 1};
    long r_bind = hc_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    printk("pvtest: foreign alloc %ld status %ld bind %ld\n", r_alloc, r_status,
           r_bind);
    CHECK_EQ(r_alloc, -XEN_ESRCH);
    CHECK_EQ(r_status, -XEN_ESRCH);
    CHECK_EQ(r_bind, -XEN_ESRCH);
    return PV_PASS;
}

PVTEST(t_sched_watchdog, "sched.watchdog",
       "SCHEDOP_watchdog creates a watchdog (id > 0) and destroys it; an "
       "unknown id is refused")
{
    struct sched_watchdog w = {.id = 0, .timeout = 3600};
    long id = hc_sched_op(SCHEDOP_watchdog, &w);
    CHECK(id > 0);
    w.id = (uint32_t)id;
    w.timeout = 0;
    CHECK_OK(hc_sched_op(SCHEDOP_watchdog, &w));
    long again = hc_sched_op(SCHEDOP_watchdog, &w);
    printk("pvtest: watchdog id %ld, destroy again %ld\n", id, again);
    CHECK_EQ(again, -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_ver_strings, "version.other_subops",
       "compile_info, changeset and build_id answer; guest_handle is 16 "
       "bytes; maximum_ram_page covers our frames")
{
    static xen_compile_info_t ci;
    static xen_changeset_info_t cs;
    CHECK_OK(hc_xen_version(XENVER_compile_info, &ci));
    CHECK(strnlen(ci.compiler, sizeof(ci.compiler)) < sizeof(ci.compiler));
    CHECK_OK(hc_xen_version(XENVER_changeset, cs));
    CHECK(strnlen(cs, sizeof(cs)) < sizeof(cs));
    static xen_domain_handle_t h;
    CHECK_OK(hc_xen_version(XENVER_guest_handle, h));
    static struct {
        xen_build_id_t b;
        unsigned char buf[64];
    } bid = {.b = {.len = 64}};
    long n = hc_xen_version(XENVER_build_id, &bid);
    printk("pvtest: compiler '%s' changeset '%s' build_id %ld bytes\n",
           ci.compiler, cs, n);
    CHECK(n > 0 || n == -XEN_ENODATA);
    long maxram = hc_memory_op(XENMEM_maximum_ram_page, NULL);
    for (unsigned long pfn = 0; pfn < mm.nr_pages; pfn++)
        CHECK((long)pfn_to_mfn(pfn) <= maxram);
    return PV_PASS;
}

PVTEST(t_db_watchpoint, "trap.db_watchpoint",
       "a DR0 write watchpoint raises #DB after the write; DR6 (read "
       "back with get_debugreg) flags breakpoint 0")
{
    static volatile uint64_t watched;
    uint64_t at;
    CHECK_OK(HC(__HYPERVISOR_set_debugreg, 0, &watched, 0, 0, 0));
    /* L0, break on data writes (RW0 = 01), 8 bytes (LEN0 = 10). */
    CHECK_OK(
        HC(__HYPERVISOR_set_debugreg, 7, 0x1 | (1 << 16) | (2 << 18), 0, 0, 0));
    trap_reset();
    /* RAX: a fixed 7-byte encoding of the movq. */
    TRAP_TRY(at, "movq $5, (%[p])\n\tnop", [p] "a"(&watched));
    long dr6 = HC(__HYPERVISOR_get_debugreg, 6, 0, 0, 0, 0);
    HC(__HYPERVISOR_set_debugreg, 7, 0, 0, 0, 0);
    HC(__HYPERVISOR_set_debugreg, 6, 0xffff0ff0, 0, 0, 0);
    HC(__HYPERVISOR_set_debugreg, 0, 0, 0, 0, 0);
    printk("pvtest: #DB hits %lu vector %lu rip %#lx (insn %#lx) dr6 %#lx\n",
           (unsigned long)pv_trap.hits, (unsigned long)pv_trap.vector,
           (unsigned long)pv_trap.rip, (unsigned long)at, (unsigned long)dr6);
    CHECK_EQ(watched, 5);
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 1);
    CHECK_EQ(pv_trap.rip, at + 7); /* a trap: after the 7-byte movq */
    CHECK(dr6 & 1);
    return PV_PASS;
}

PVTEST(t_db_in_hypervisor, "trap.db_hypervisor_write",
       "a DR0 write watchpoint on memory the hypervisor writes for us "
       "(xen_version's extraversion) neither kills the hypervisor nor "
       "reaches us as #DB; the write happens")
{
    static char extra[XEN_EXTRAVERSION_LEN] __attribute__((aligned(16)));
    memset(extra, 0, sizeof(extra));
    CHECK_OK(HC(__HYPERVISOR_set_debugreg, 0, extra, 0, 0, 0));
    /* L0, break on data writes (RW0 = 01), 8 bytes (LEN0 = 10). */
    CHECK_OK(
        HC(__HYPERVISOR_set_debugreg, 7, 0x1 | (1 << 16) | (2 << 18), 0, 0, 0));
    trap_reset();
    long rc = hc_xen_version(XENVER_extraversion, extra);
    HC(__HYPERVISOR_set_debugreg, 7, 0, 0, 0, 0);
    HC(__HYPERVISOR_set_debugreg, 6, 0xffff0ff0, 0, 0, 0);
    HC(__HYPERVISOR_set_debugreg, 0, 0, 0, 0, 0);
    printk("pvtest: extraversion '%s', #DB hits %lu\n", extra,
           (unsigned long)pv_trap.hits);
    CHECK_OK(rc);
    CHECK(extra[0] != 0);
    CHECK_EQ(pv_trap.hits, 0);
    return PV_PASS;
}
