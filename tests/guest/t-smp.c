/* A second vCPU: VCPUOP_initialise with a full guest context, up, down
 * (by itself), up again. Skipped when the domain has a single vCPU. */
#include "mm.h"
#include "time.h"
#include "traps.h"

extern void ap_entry(void), event_callback(void), failsafe_callback(void),
    syscall_callback(void), ap_failsafe(void);
extern volatile uint32_t ap_fsafe_sel[4], ap_fsafe_live_ds, ap_fsafe_mask,
    ap_failsafes;
extern volatile uint64_t ap_fsafe_rip, ap_fsafe_cs;

/* vCPU 1's first data selectors: LDT selectors, and it has no LDT, so
 * none loads when it first runs (smp.failsafe_first_run). */
#define AP_BAD_DS 0x0f
#define AP_BAD_ES 0x17
#define AP_BAD_FS 0x1f
#define AP_BAD_GS 0x27
extern volatile uint32_t ap_alive, ap_block_for_nmi, ap_fs_seen, ap_cpuid1_ebx,
    ap_cpuid1_ecx, ap_cpuidb_edx;
extern char ap_stack_top[];

/* Waits (yielding) until cond holds; the bound only keeps a broken
 * hypervisor from hanging the run. */
#define WAIT_FOR(cond)                               \
    ({                                               \
        uint64_t until_ = pv_now() + 10000000000ULL; \
        while (!(cond) && pv_now() < until_)         \
            hc_sched_op(SCHEDOP_yield, NULL);        \
        (cond);                                      \
    })

static struct vcpu_guest_context ctx;
static int ap_round(void);

static void ap_context(void)
{
    memset(&ctx, 0, sizeof(ctx));
    /* Not VGCF_online: on Xen it clears "down" without waking the vCPU,
     * so the VCPUOP_up that follows finds nothing to do and the vCPU never
     * runs (Linux passes VGCF_in_kernel only). */
    ctx.flags = VGCF_in_kernel | VGCF_failsafe_disables_events;
    ctx.user_regs.rip = (unsigned long)ap_entry;
    ctx.user_regs.rsp = (unsigned long)ap_stack_top;
    ctx.user_regs.cs = FLAT_KERNEL_CS;
    ctx.user_regs.ss = FLAT_KERNEL_SS;
    ctx.user_regs.rflags = 0x2;
    for (const struct trap_info *t = pv_trap_table; t->address; t++)
        ctx.trap_ctxt[t->vector] = *t;
    ctx.kernel_ss = FLAT_KERNEL_SS;
    ctx.kernel_sp = (unsigned long)ap_stack_top;
    ctx.ctrlreg[3] = xen_pfn_to_cr3(mm.l4_mfn);
    ctx.event_callback_eip = (unsigned long)event_callback;
    ctx.failsafe_callback_eip = (unsigned long)ap_failsafe;
    ctx.user_regs.ds = AP_BAD_DS;
    ctx.user_regs.es = AP_BAD_ES;
    ctx.user_regs.fs = AP_BAD_FS;
    ctx.user_regs.gs = AP_BAD_GS;
    ctx.syscall_callback_eip = (unsigned long)syscall_callback;
}

PVTEST(t_smp_up_down, "smp.initialise_up_down",
       "vCPU 1 starts down; up before initialise is -EINVAL; initialise + "
       "up runs it; it downs itself; up again resumes it; a second "
       "initialise is -EEXIST")
{
    if (hc_vcpu_op(VCPUOP_is_up, 1, NULL) < 0)
        SKIP("the domain has one vCPU");
    CHECK_EQ(hc_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    CHECK_EQ(hc_vcpu_op(VCPUOP_up, 1, NULL), -XEN_EINVAL);
    ap_context();
    CHECK_OK(hc_vcpu_op(VCPUOP_initialise, 1, &ctx));
    uint32_t before = ap_alive;
    CHECK_OK(hc_vcpu_op(VCPUOP_up, 1, NULL));
    CHECK(WAIT_FOR(ap_alive == before + 1));
    CHECK(WAIT_FOR(hc_vcpu_op(VCPUOP_is_up, 1, NULL) == 0));
    CHECK_OK(hc_vcpu_op(VCPUOP_up, 1, NULL));
    CHECK(WAIT_FOR(ap_alive == before + 2));
    CHECK(WAIT_FOR(hc_vcpu_op(VCPUOP_is_up, 1, NULL) == 0));
    CHECK_EQ(hc_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EEXIST);
    return PV_PASS;
}

PVTEST(t_smp_failsafe, "smp.failsafe_first_run",
       "vCPU 1's first context has data selectors that do not load: it "
       "enters its failsafe callback once, with DS, ES, FS, GS in the frame, "
       "null selectors loaded and events masked (VGCF_failsafe_disables_"
       "events), RIP the context's and CS with RPL 0")
{
    if (hc_vcpu_op(VCPUOP_is_up, 1, NULL) < 0)
        SKIP("the domain has one vCPU");
    CHECK(WAIT_FOR(hc_vcpu_op(VCPUOP_is_up, 1, NULL) == 0));
    CHECK_EQ(ap_failsafes, 1); /* smp.initialise_up_down ran it */
    CHECK_EQ(ap_fsafe_sel[0], AP_BAD_DS);
    CHECK_EQ(ap_fsafe_sel[1], AP_BAD_ES);
    CHECK_EQ(ap_fsafe_sel[2], AP_BAD_FS);
    CHECK_EQ(ap_fsafe_sel[3], AP_BAD_GS);
    CHECK_EQ(ap_fsafe_live_ds, 0);
    CHECK_EQ(ap_fsafe_mask, 1);
    CHECK_EQ(ap_fsafe_rip, (uint64_t)ap_entry);
    CHECK_EQ(ap_fsafe_cs & 0xffff, FLAT_KERNEL_CS & ~3);
    /* Its later runs load good selectors: no more failsafe entries. */
    CHECK(ap_round());
    CHECK_EQ(ap_failsafes, 1);
    return PV_PASS;
}

PVTEST(t_smp_bad_context, "smp.initialise_bad",
       "VCPUOP_initialise refuses a missing vCPU (-ENOENT) and an "
       "unreadable context (-EFAULT)")
{
    ap_context();
    CHECK_EQ(hc_vcpu_op(VCPUOP_initialise, 4000, &ctx), -XEN_ENOENT);
    if (hc_vcpu_op(VCPUOP_is_up, 1, NULL) < 0)
        SKIP("the domain has one vCPU");
    CHECK_EQ(hc_vcpu_op(VCPUOP_initialise, 1, (void *)0xffff800000000000UL),
             -XEN_EFAULT);
    return PV_PASS;
}

PVTEST(t_smp_bindings, "smp.per_vcpu_bindings",
       "while vCPU 1 is down its runstate is offline, and VIRQ_TIMER and an "
       "IPI can still be bound to it (status names vCPU 1)")
{
    if (hc_vcpu_op(VCPUOP_is_up, 1, NULL) < 0)
        SKIP("the domain has one vCPU");
    CHECK(WAIT_FOR(hc_vcpu_op(VCPUOP_is_up, 1, NULL) == 0));
    struct vcpu_runstate_info rs;
    CHECK_OK(hc_vcpu_op(VCPUOP_get_runstate_info, 1, &rs));
    CHECK_EQ(rs.state, RUNSTATE_offline);
    struct evtchn_bind_virq bv = {.virq = VIRQ_TIMER, .vcpu = 1};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_bind_virq, &bv));
    struct evtchn_bind_ipi bi = {.vcpu = 1};
    long r_ipi = hc_evtchn_op(EVTCHNOP_bind_ipi, &bi);
    struct evtchn_status st1 = {.dom = DOMID_SELF, .port = bv.port};
    long r_st1 = hc_evtchn_op(EVTCHNOP_status, &st1);
    struct evtchn_status st2 = {.dom = DOMID_SELF, .port = bi.port};
    long r_st2 = r_ipi ? r_ipi : hc_evtchn_op(EVTCHNOP_status, &st2);
    struct evtchn_close c = {.port = bv.port};
    hc_evtchn_op(EVTCHNOP_close, &c);
    if (!r_ipi) {
        c.port = bi.port;
        hc_evtchn_op(EVTCHNOP_close, &c);
    }
    CHECK_OK(r_ipi);
    CHECK_OK(r_st1);
    CHECK_OK(r_st2);
    CHECK_EQ(st1.status, EVTCHNSTAT_virq);
    CHECK_EQ(st1.vcpu, 1);
    CHECK_EQ(st2.status, EVTCHNSTAT_ipi);
    CHECK_EQ(st2.vcpu, 1);
    return PV_PASS;
}

static uint16_t read_fs(void)
{
    uint16_t sel;
    __asm__ volatile("movw %%fs, %0" : "=r"(sel));
    return sel;
}

static uint16_t read_es(void)
{
    uint16_t sel;
    __asm__ volatile("movw %%es, %0" : "=r"(sel));
    return sel;
}

/* vCPU 1 exists, is down and has our context (given here, or already by
 * smp.initialise_up_down): PV_PASS, else the case's skip or failure. */
static int ap_ready(void)
{
    if (hc_vcpu_op(VCPUOP_is_up, 1, NULL) < 0)
        SKIP("the domain has one vCPU");
    CHECK(WAIT_FOR(hc_vcpu_op(VCPUOP_is_up, 1, NULL) == 0));
    ap_context();
    long rc = hc_vcpu_op(VCPUOP_initialise, 1, &ctx);
    CHECK(rc == 0 || rc == -XEN_EEXIST);
    return PV_PASS;
}

/* Runs vCPU 1 once more (it loads its own FS/ES, counts itself and goes
 * down); 0 if it did not come back down in time. */
static int ap_round(void)
{
    uint32_t before = ap_alive;
    if (hc_vcpu_op(VCPUOP_up, 1, NULL))
        return 0;
    return WAIT_FOR(ap_alive == before + 1) &&
           WAIT_FOR(hc_vcpu_op(VCPUOP_is_up, 1, NULL) == 0);
}

PVTEST(t_smp_segments, "smp.segments_per_vcpu",
       "data selectors belong to their vCPU: FS/ES that vCPU 1 loads do not "
       "show up in vCPU 0, and vCPU 1 finds its own FS again after vCPU 0 "
       "ran")
{
    int ready = ap_ready();
    if (ready != PV_PASS)
        return ready;
    __asm__ volatile("movw %w0, %%fs\n movw %w0, %%es" : : "r"(0));
    for (int round = 0; round < 3; round++) {
        CHECK(ap_round());
        CHECK_EQ(read_fs(), 0);
        CHECK_EQ(read_es(), 0);
        /* Woken again after vCPU 0 ran: its FS is still its own. */
        if (round > 0)
            CHECK_EQ(ap_fs_seen, FLAT_RING3_DS32);
    }
    return PV_PASS;
}

static volatile uint32_t ap_nmis;

static void count_nmi(struct pv_regs *r)
{
    (void)r;
    __atomic_add_fetch(&ap_nmis, 1, __ATOMIC_SEQ_CST);
}

/* vCPU 1 ready (ap_ready), no NMI counted yet, and `hook` taking the NMIs
 * vCPU 1 gets. */
static int nmi_case_begin(void (*hook)(struct pv_regs *))
{
    int ready = ap_ready();
    if (ready == PV_PASS) {
        ap_nmis = 0;
        pv_nmi_hook = hook;
    }
    return ready;
}

PVTEST(t_smp_nmi, "smp.send_nmi_other_vcpu",
       "VCPUOP_send_nmi to vCPU 1 while it is down stays pending (two sends "
       "are one NMI) and reaches it once it runs (Linux's NMI IPI)")
{
    int ready = nmi_case_begin(count_nmi);
    if (ready != PV_PASS)
        return ready;
    long s1 = hc_vcpu_op(VCPUOP_send_nmi, 1, NULL);
    long s2 = hc_vcpu_op(VCPUOP_send_nmi, 1, NULL);
    uint32_t while_down = ap_nmis;
    int ran = ap_round();
    uint32_t after = ap_nmis;
    pv_nmi_hook = NULL;
    CHECK_OK(s1);
    CHECK_OK(s2);
    CHECK_EQ(while_down, 0);
    CHECK(ran);
    CHECK_EQ(after, 1);
    return PV_PASS;
}

static void nmi_ends_block(struct pv_regs *r)
{
    ap_block_for_nmi = 0;
    count_nmi(r);
}

static int ap_blocked(void)
{
    struct vcpu_runstate_info rs;
    return hc_vcpu_op(VCPUOP_get_runstate_info, 1, &rs) == 0 &&
           rs.state == RUNSTATE_blocked;
}

PVTEST(t_smp_nmi_wakes, "smp.send_nmi_wakes_blocked",
       "VCPUOP_send_nmi wakes vCPU 1 out of SCHEDOP_block (runstate "
       "blocked, no event bound to it, so nothing else can): it takes the "
       "NMI once and goes on (Linux's NMI IPI to an idle CPU)")
{
    int ready = nmi_case_begin(nmi_ends_block);
    if (ready != PV_PASS)
        return ready;
    ap_block_for_nmi = 1;
    uint32_t before = ap_alive;
    long up = hc_vcpu_op(VCPUOP_up, 1, NULL);
    int blocked = !up && WAIT_FOR(ap_alive == before + 1 && ap_blocked());
    uint32_t while_blocked = ap_nmis;
    long sent = hc_vcpu_op(VCPUOP_send_nmi, 1, NULL);
    int woke = WAIT_FOR(ap_nmis == 1) &&
               WAIT_FOR(hc_vcpu_op(VCPUOP_is_up, 1, NULL) == 0);
    uint32_t nmis = ap_nmis;
    pv_nmi_hook = NULL;
    CHECK_OK(up);
    CHECK(blocked);
    CHECK_EQ(while_blocked, 0);
    CHECK_OK(sent);
    CHECK(woke);
    CHECK_EQ(nmis, 1);
    return PV_PASS;
}

static void xen_cpuid(uint32_t leaf, uint32_t r[4])
{
    uint32_t a = leaf, b, c = 0, d;
    __asm__ volatile(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e\n\tcpuid"
                     : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    r[0] = a, r[1] = b, r[2] = c, r[3] = d;
}

PVTEST(t_smp_cpuid_apic_id, "smp.cpuid_apic_id",
       "emulated CPUID leaf 1 EBX[31:24] (initial APIC ID) is 0 on vCPU 0 "
       "and on vCPU 1, as Xen shows every PV vCPU; leaf 0xb gives an "
       "x2APIC ID (vcpu_id * 2) only if leaf 1 shows x2APIC")
{
    uint32_t r[4], max[4], b[4];
    xen_cpuid(0, max);
    xen_cpuid(1, r);
    xen_cpuid(0xb, b);
    CHECK_EQ(r[1] >> 24, 0);
    int x2apic = max[0] >= 0xb && (r[2] & (1u << 21));
    if (x2apic)
        CHECK_EQ(b[3], 0);
    if (hc_vcpu_op(VCPUOP_is_up, 1, NULL) < 0)
        SKIP("the domain has one vCPU (vCPU 0 checked)");
    CHECK(WAIT_FOR(hc_vcpu_op(VCPUOP_is_up, 1, NULL) == 0));
    ap_cpuid1_ebx = ap_cpuid1_ecx = ap_cpuidb_edx = 0xdeadbeef;
    CHECK(ap_round());
    CHECK(ap_cpuid1_ebx != 0xdeadbeef);
    CHECK_EQ(ap_cpuid1_ebx >> 24, 0);
    CHECK_EQ(ap_cpuid1_ecx & (1u << 21), r[2] & (1u << 21));
    if (x2apic)
        CHECK_EQ(ap_cpuidb_edx, 2);
    return PV_PASS;
}
