/* Virtual NMIs (VCPUOP_send_nmi, Linux's NMI IPI): delivery through the
 * trap table's vector 2 or the CALLBACKTYPE_nmi callback, the mask that
 * holds further NMIs until the handler's iret, the argument and vCPU
 * checks, and an NMI with no handler, which is dropped. */
#include "events.h"
#include "traps.h"

static struct {
    unsigned hits, depth, nested, again;
    uint64_t cs, upcall_mask;
} nmi;

static void on_nmi(struct pv_regs *r)
{
    nmi.hits++;
    if (nmi.depth++)
        nmi.nested++;
    nmi.cs = r->cs;
    nmi.upcall_mask = pv.vcpu->evtchn_upcall_mask;
    if (nmi.again) {
        /* Held back until our iret: never nested in this one. */
        nmi.again--;
        hc_vcpu_op(VCPUOP_send_nmi, 0, NULL);
    }
    nmi.depth--;
}

static void nmi_reset(void)
{
    memset(&nmi, 0, sizeof(nmi));
    pv_nmi_hook = on_nmi;
}

/* Back to our own trap table's vector 2 (no event masking). */
static int nmi_done(void)
{
    pv_nmi_hook = NULL;
    CHECK_OK(HC(__HYPERVISOR_set_trap_table, pv_trap_table, 0, 0, 0, 0));
    return PV_PASS;
}

PVTEST(t_nmi_self, "vcpu.send_nmi_self",
       "VCPUOP_send_nmi to ourselves returns 0 and the NMI reaches vector 2 "
       "in kernel mode before the hypercall returns")
{
    nmi_reset();
    long rc = hc_vcpu_op(VCPUOP_send_nmi, 0, NULL);
    unsigned hits = nmi.hits;
    uint64_t cs = nmi.cs;
    nmi_done();
    CHECK_EQ(rc, 0);
    CHECK_EQ(hits, 1);
    CHECK_EQ(cs & 3, 0);
    return PV_PASS;
}

PVTEST(t_nmi_masked, "vcpu.send_nmi_masked_until_iret",
       "an NMI sent while one is being handled waits for the handler's iret "
       "(it is never nested), then arrives once")
{
    nmi_reset();
    nmi.again = 1;
    long rc = hc_vcpu_op(VCPUOP_send_nmi, 0, NULL);
    HC(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    unsigned hits = nmi.hits, nested = nmi.nested;
    nmi_done();
    CHECK_EQ(rc, 0);
    CHECK_EQ(hits, 2);
    CHECK_EQ(nested, 0);
    return PV_PASS;
}

PVTEST(t_nmi_callback, "vcpu.nmi_callback_masks_events",
       "an NMI callback registered with CALLBACKOP_register is entered with "
       "events masked; our trap-table gate (flags 0) leaves them enabled")
{
    nmi_reset();
    events_enable();
    long rc1 = hc_vcpu_op(VCPUOP_send_nmi, 0, NULL);
    uint64_t gate_mask = nmi.upcall_mask;
    extern void trap_nmi(void);
    long reg = hc_callback_register(CALLBACKTYPE_nmi, trap_nmi, 0);
    long rc2 = hc_vcpu_op(VCPUOP_send_nmi, 0, NULL);
    uint64_t cb_mask = nmi.upcall_mask;
    unsigned hits = nmi.hits;
    events_disable();
    nmi_done();
    CHECK_EQ(rc1, 0);
    CHECK_EQ(reg, 0);
    CHECK_EQ(rc2, 0);
    CHECK_EQ(hits, 2);
    CHECK_EQ(gate_mask, 0);
    CHECK_EQ(cb_mask, 1);
    return PV_PASS;
}

PVTEST(t_nmi_no_handler, "vcpu.send_nmi_without_handler",
       "with no NMI handler (CALLBACKOP_unregister) an NMI is dropped, not "
       "kept for a handler registered later")
{
    nmi_reset();
    struct callback_unregister un = {.type = CALLBACKTYPE_nmi};
    long unreg =
        HC(__HYPERVISOR_callback_op, CALLBACKOP_unregister, &un, 0, 0, 0);
    long rc = hc_vcpu_op(VCPUOP_send_nmi, 0, NULL);
    long table = HC(__HYPERVISOR_set_trap_table, pv_trap_table, 0, 0, 0, 0);
    HC(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    unsigned hits = nmi.hits;
    nmi_done();
    CHECK_EQ(unreg, 0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(table, 0);
    CHECK_EQ(hits, 0);
    return PV_PASS;
}

PVTEST(t_nmi_bad, "vcpu.send_nmi_bad",
       "VCPUOP_send_nmi with an argument is -EINVAL, to a vCPU the domain "
       "lacks -ENOENT; neither sends anything")
{
    nmi_reset();
    long arg = hc_vcpu_op(VCPUOP_send_nmi, 0, (void *)&nmi);
    long id = hc_vcpu_op(VCPUOP_send_nmi, 4096, NULL);
    unsigned hits = nmi.hits;
    nmi_done();
    CHECK_EQ(arg, -XEN_EINVAL);
    CHECK_EQ(id, -XEN_ENOENT);
    CHECK_EQ(hits, 0);
    return PV_PASS;
}
