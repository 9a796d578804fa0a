/*
 * Guest user mode: a user L4 (NEW_USER_BASEPTR) mapping one code page and
 * one stack page low in the address space, entered with the iret
 * hypercall. The user code's syscall arrives at our syscall callback, its
 * faults at our trap table, both with a user-mode frame (CS RPL 3) on the
 * kernel stack we gave stack_switch.
 */
#include "mm.h"
#include "events.h"
#include "traps.h"

#define UVA_CODE  0x400000UL
#define UVA_STACK 0x500000UL

extern const char user_blob[], user_blob_end[], user_syscall[],
    user_syscall_ret[], user_segs[], user_cli[], user_int3[], user_int3_ret[],
    user_kread[], user_wcode[], user_spin[], user_ldt_sel[];
void user_iret(uint64_t rip, uint64_t rsp, uint64_t rflags)
    __attribute__((noreturn));

#define UADDR(sym) (UVA_CODE + (unsigned long)((sym)-user_blob))

static struct pv_jmp user_jmp;
static struct pv_regs seen; /* the frame the kernel got back */
static uint64_t seen_cr2;
static uint8_t kstack[8192] __attribute__((aligned(16)));

/* From pv_entry: any entry from user mode ends the excursion (events are
 * handled by pv_entry before it asks us). */
static void user_back(struct pv_regs *r)
{
    seen = *r;
    seen_cr2 = pv.vcpu->arch.cr2;
    r->rip = (uint64_t)pv_longjmp;
    r->rdi = (uint64_t)&user_jmp;
    r->rsi = 1;
    r->cs = FLAT_KERNEL_CS & ~3; /* RPL 0: stay in kernel mode */
    r->ss = FLAT_KERNEL_SS;
    r->rsp = (uint64_t)r - 512;
    r->rflags = 0x2; /* events masked again */
}

struct uspace {
    uint64_t *l4, *l3, *l2, *l1;
    uint8_t *code;
    uint64_t *stack;
};

static void uspace_free(struct uspace *u)
{
    uint64_t *t[4] = {u->l4, u->l3, u->l2, u->l1};
    if (u->l4) {
        mmuext1(MMUEXT_NEW_USER_BASEPTR, 0, 0);
        mmuext1(MMUEXT_UNPIN_TABLE, va_to_mfn(u->l4), 0);
    }
    for (int i = 0; i < 4; i++)
        if (t[i] && !page_set_ro(t[i], 0))
            page_free(t[i]);
    if (u->code)
        page_free(u->code);
    if (u->stack)
        page_free(u->stack);
}

static long uspace_build(struct uspace *u)
{
    memset(u, 0, sizeof(*u));
    uint64_t **t[4] = {&u->l4, &u->l3, &u->l2, &u->l1};
    for (int i = 0; i < 4; i++)
        if (!(*t[i] = page_alloc()))
            return -XEN_ENOMEM;
    u->code = page_alloc();
    u->stack = page_alloc();
    if (!u->code || !u->stack)
        return -XEN_ENOMEM;
    memcpy(u->code, user_blob, (size_t)(user_blob_end - user_blob));
    u->l4[0] = ((uint64_t)va_to_mfn(u->l3) << 12) | PTE_TABLE;
    u->l3[0] = ((uint64_t)va_to_mfn(u->l2) << 12) | PTE_TABLE;
    u->l2[UVA_CODE >> 21] = ((uint64_t)va_to_mfn(u->l1) << 12) | PTE_TABLE;
    u->l1[0] = ((uint64_t)va_to_mfn(u->code) << 12) | PTE_KERN_RO;
    u->l1[(UVA_STACK - UVA_CODE) >> 12] =
        ((uint64_t)va_to_mfn(u->stack) << 12) | PTE_KERN_RW;
    for (int i = 0; i < 4; i++) {
        long rc = page_set_ro(*t[i], 1);
        if (rc)
            return rc;
    }
    long rc = mmuext1(MMUEXT_PIN_L4_TABLE, va_to_mfn(u->l4), 0);
    if (rc)
        return rc;
    return mmuext1(MMUEXT_NEW_USER_BASEPTR, va_to_mfn(u->l4), 0);
}

/* Runs user code at rip until it comes back; the frame is in `seen`.
 * Events stay masked in user mode unless events_on. */
static long user_run_flags(uint64_t rip, int events_on)
{
    long rc = HC(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS,
                 kstack + sizeof(kstack), 0, 0, 0);
    if (rc)
        return rc;
    memset(&seen, 0, sizeof(seen));
    pv_user_hook = user_back;
    if (pv_setjmp(&user_jmp) == 0)
        user_iret(rip, UVA_STACK + PAGE_SIZE - 64, events_on ? 0x202 : 0x2);
    pv_user_hook = NULL;
    return 0;
}

static long user_run(uint64_t rip)
{
    return user_run_flags(rip, 0);
}

#define USER_CASE_BEGIN                                    \
    struct uspace u;                                       \
    long rc_ = uspace_build(&u);                           \
    if (rc_) {                                             \
        uspace_free(&u);                                   \
        FAIL("building the user address space: %ld", rc_); \
    }

/* Checks common to every return from user mode. */
static int user_frame_ok(void)
{
    CHECK_EQ(seen.cs & 0xffff, FLAT_USER_CS);
    CHECK_EQ(seen.ss & 0xffff, FLAT_USER_SS);
    CHECK_EQ(pv.vcpu->evtchn_upcall_mask, 1);
    return PV_PASS;
}

PVTEST(t_user_syscall, "user.syscall",
       "iret to guest user mode; its syscall reaches the syscall callback "
       "with the user RIP/RSP/registers and CS RPL 3")
{
    USER_CASE_BEGIN
    long rc = user_run(UADDR(user_syscall));
    uspace_free(&u);
    CHECK_OK(rc);
    CHECK_EQ(seen.vector, PV_VEC_SYSCALL);
    CHECK_EQ(seen.rdi, 0x1234);
    CHECK_EQ(seen.rsi, 0x5678);
    CHECK_EQ(seen.rip, UADDR(user_syscall_ret));
    CHECK_EQ(seen.rcx, UADDR(user_syscall_ret));
    CHECK_EQ(seen.rsp, UVA_STACK + PAGE_SIZE - 64);
    return user_frame_ok();
}

PVTEST(t_user_segbase, "user.segment_bases",
       "FS and GS_USER bases set by set_segment_base are the ones user "
       "mode sees; the kernel GS base is untouched")
{
    USER_CASE_BEGIN
    static uint64_t kgs = 0x4b4b4b4b;
    u.stack[0x100 / 8] = 0xf5f5;
    u.stack[0x200 / 8] = 0x9595;
    long rc = HC(__HYPERVISOR_set_segment_base, SEGBASE_FS, UVA_STACK + 0x100,
                 0, 0, 0);
    long rc2 = HC(__HYPERVISOR_set_segment_base, SEGBASE_GS_USER,
                  UVA_STACK + 0x200, 0, 0, 0);
    long rc3 =
        HC(__HYPERVISOR_set_segment_base, SEGBASE_GS_KERNEL, &kgs, 0, 0, 0);
    long rc4 = user_run(UADDR(user_segs));
    uint64_t kv;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(kv));
    HC(__HYPERVISOR_set_segment_base, SEGBASE_FS, 0, 0, 0, 0);
    HC(__HYPERVISOR_set_segment_base, SEGBASE_GS_USER, 0, 0, 0, 0);
    HC(__HYPERVISOR_set_segment_base, SEGBASE_GS_KERNEL, 0, 0, 0, 0);
    uspace_free(&u);
    CHECK_OK(rc);
    CHECK_OK(rc2);
    CHECK_OK(rc3);
    CHECK_OK(rc4);
    CHECK_EQ(seen.vector, PV_VEC_SYSCALL);
    CHECK_EQ(seen.rdi, 0xf5f5);
    CHECK_EQ(seen.rsi, 0x9595);
    CHECK_EQ(kv, 0x4b4b4b4b);
    return user_frame_ok();
}

PVTEST(t_user_gp, "user.privileged_gp",
       "cli in guest user mode raises #GP(0) at the instruction")
{
    USER_CASE_BEGIN
    long rc = user_run(UADDR(user_cli));
    uspace_free(&u);
    CHECK_OK(rc);
    CHECK_EQ(seen.vector, 13);
    CHECK_EQ(seen.error, 0);
    CHECK_EQ(seen.rip, UADDR(user_cli));
    return user_frame_ok();
}

PVTEST(t_user_int3, "user.int3",
       "int3 in user mode reaches the DPL-3 #BP gate, RIP after it")
{
    USER_CASE_BEGIN
    long rc = user_run(UADDR(user_int3));
    uspace_free(&u);
    CHECK_OK(rc);
    CHECK_EQ(seen.vector, 3);
    CHECK_EQ(seen.rip, UADDR(user_int3_ret));
    return user_frame_ok();
}

PVTEST(t_user_pf_kernel, "user.pf_kernel_va",
       "user mode cannot see kernel memory: #PF, error U (4), CR2 = VA")
{
    USER_CASE_BEGIN
    long rc = user_run(UADDR(user_kread));
    uspace_free(&u);
    CHECK_OK(rc);
    CHECK_EQ(seen.vector, 14);
    CHECK_EQ(seen.error, 4);
    CHECK_EQ(seen_cr2, 0xffffffff80100000UL);
    return user_frame_ok();
}

PVTEST(t_user_pf_ro, "user.pf_write_ro",
       "a user write to its read-only code page: #PF, error U|W|P (7)")
{
    USER_CASE_BEGIN
    long rc = user_run(UADDR(user_wcode));
    uspace_free(&u);
    CHECK_OK(rc);
    CHECK_EQ(seen.vector, 14);
    CHECK_EQ(seen.error, 7);
    CHECK_EQ(seen_cr2, UVA_CODE);
    return user_frame_ok();
}

PVTEST(t_user_event, "user.event_in_user_mode",
       "an event pending when iret enters user mode with IF set is "
       "delivered at once with a user-mode frame (CS RPL 3, the user RIP), "
       "and the upcall's iret goes back to user mode")
{
    USER_CASE_BEGIN
    struct evtchn_bind_ipi b = {.vcpu = 0};
    long rc = hc_evtchn_op(EVTCHNOP_bind_ipi, &b);
    if (rc) {
        uspace_free(&u);
        FAIL("bind_ipi: %ld", rc);
    }
    evtchn_clear(b.port);
    struct evtchn_send s = {.port = b.port};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_send, &s));
    pv_last_upcall_cs = pv_last_upcall_rip = 0;
    long rc2 = user_run_flags(UADDR(user_spin), 1);
    unsigned seen_port = evtchn_seen[b.port];
    evtchn_close_port(b.port);
    uspace_free(&u);
    CHECK_OK(rc2);
    CHECK_EQ(seen_port, 1);
    CHECK_EQ(pv_last_upcall_cs & 3, 3);
    CHECK_EQ(pv_last_upcall_rip, UADDR(user_spin));
    CHECK_EQ(seen.vector, PV_VEC_SYSCALL);
    CHECK_EQ(seen.rdi, 0x4242);
    CHECK_EQ(seen.cs & 0xffff, FLAT_USER_CS);
    return PV_PASS;
}

PVTEST(t_user_ldt_sel, "user.ldt_selector_without_ldt",
       "with no LDT set, loading an LDT selector raises #GP (error code the "
       "selector) even though the guest maps linear 0 with a valid "
       "descriptor where a reset-state LDTR (base 0) would find it")
{
    USER_CASE_BEGIN
    uint64_t *l1 = page_alloc(), *descs = page_alloc();
    long rc = l1 && descs ? 0 : -XEN_ENOMEM;
    uint64_t l2_entry0 = (uint64_t)va_to_mfn(u.l2) << 12;
    if (!rc) {
        descs[1] = 0x00cff3000000ffffULL; /* flat data, DPL 3, present */
        l1[0] = ((uint64_t)va_to_mfn(descs) << 12) | PTE_KERN_RO;
        rc = page_set_ro(l1, 1);
    }
    if (!rc)
        rc =
            mmu_update1(l2_entry0, ((uint64_t)va_to_mfn(l1) << 12) | PTE_TABLE);
    long ran = rc ? rc : user_run(UADDR(user_ldt_sel));
    uint16_t es;
    __asm__ volatile("mov %%es, %0" : "=r"(es));
    __asm__ volatile("mov %0, %%es" : : "r"(0));
    if (!rc)
        mmu_update1(l2_entry0, 0);
    if (l1 && !page_set_ro(l1, 0))
        page_free(l1);
    if (descs)
        page_free(descs);
    uspace_free(&u);
    CHECK_OK(rc);
    CHECK_OK(ran);
    CHECK_EQ(seen.vector, 13);
    CHECK_EQ(seen.error, 0x0c);
    CHECK_EQ(seen.rip, UADDR(user_ldt_sel) + 5);
    CHECK(es != 0x0f);
    return PV_PASS;
}
