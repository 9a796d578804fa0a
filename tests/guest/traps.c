/*
 * The trap table and the C side of every guest entry point: exceptions
 * either end an armed TRAP_TRY (recorded in pv_trap) or fail the running
 * case and resume the runner; events go to events.c; entries from guest
 * user mode to the user-mode cases (t-user.c); the failsafe callback is always
 * fatal.
 */
#include "pvtest.h"
#include "events.h"
#include "traps.h"

struct pv_trap pv_trap;
void (*pv_user_hook)(struct pv_regs *regs);
void (*pv_nmi_hook)(struct pv_regs *regs);
uint64_t pv_last_upcall_cs, pv_last_upcall_rip;

extern void trap_de(void), trap_db(void), trap_nmi(void), trap_bp(void),
    trap_of(void), trap_br(void), trap_ud(void), trap_nm(void), trap_df(void),
    trap_ts(void), trap_np(void), trap_ss(void), trap_gp(void), trap_pf(void),
    trap_mf(void), trap_ac(void), trap_mc(void), trap_xm(void), trap_sw(void);
extern void event_callback(void), failsafe_callback(void),
    syscall_callback(void);

#define GATE(v, dpl, fn)                                     \
    {                                                        \
        .vector = (v), .flags = (dpl), .cs = FLAT_KERNEL_CS, \
        .address = (unsigned long)(fn)                       \
    }

/* int3 and into may be raised from any ring (DPL 3), like on bare metal;
 * 0x80 is a software interrupt the kernel may raise (DPL 1). */
const struct trap_info pv_trap_table[] = {
    GATE(0, 0, trap_de),    GATE(1, 0, trap_db),  GATE(2, 0, trap_nmi),
    GATE(3, 3, trap_bp),    GATE(4, 3, trap_of),  GATE(5, 0, trap_br),
    GATE(6, 0, trap_ud),    GATE(7, 0, trap_nm),  GATE(8, 0, trap_df),
    GATE(10, 0, trap_ts),   GATE(11, 0, trap_np), GATE(12, 0, trap_ss),
    GATE(13, 0, trap_gp),   GATE(14, 0, trap_pf), GATE(16, 0, trap_mf),
    GATE(17, 0, trap_ac),   GATE(18, 0, trap_mc), GATE(19, 0, trap_xm),
    GATE(0x80, 1, trap_sw), {0, 0, 0, 0},
};

void traps_init(void)
{
    long rc = HC(__HYPERVISOR_set_trap_table, pv_trap_table, 0, 0, 0, 0);
    if (rc)
        pv_panic("set_trap_table: %ld", rc);
    rc = hc_callback_register(CALLBACKTYPE_event, event_callback,
                              CALLBACKF_mask_events);
    if (rc)
        pv_panic("callback_op(register event): %ld", rc);
    rc = hc_callback_register(CALLBACKTYPE_failsafe, failsafe_callback,
                              CALLBACKF_mask_events);
    if (rc)
        pv_panic("callback_op(register failsafe): %ld", rc);
    rc = hc_callback_register(CALLBACKTYPE_syscall, syscall_callback,
                              CALLBACKF_mask_events);
    if (rc)
        pv_panic("callback_op(register syscall): %ld", rc);
}

void trap_reset(void)
{
    memset(&pv_trap, 0, sizeof(pv_trap));
}

static void record(struct pv_regs *r)
{
    pv_trap.hits++;
    pv_trap.vector = r->vector;
    pv_trap.error = r->error;
    pv_trap.rip = r->rip;
    pv_trap.cs = r->cs;
    pv_trap.rflags = r->rflags;
    pv_trap.rsp = r->rsp;
    pv_trap.ss = r->ss;
    if (r->vector == 14)
        pv_trap.cr2 = pv.vcpu->arch.cr2;
}

/* Abandon the running case: resume in the runner through pv_longjmp. */
static void abandon(struct pv_regs *r)
{
    r->rip = (uint64_t)pv_longjmp;
    r->rdi = (uint64_t)&pv_runner_jmp;
    r->rsi = 1;
    /* RPL 0 in the iret frame: stay in guest kernel mode. */
    r->cs = FLAT_KERNEL_CS & ~3;
    r->ss = FLAT_KERNEL_SS;
}

static int in_entry;

static unsigned long cr2(void)
{
    return pv.vcpu ? pv.vcpu->arch.cr2 : 0;
}

void pv_entry(struct pv_regs *r)
{
    if (r->vector == PV_VEC_EVENT) {
        pv_last_upcall_cs = r->cs;
        pv_last_upcall_rip = r->rip;
        events_upcall();
        return;
    }
    if (r->vector == 2 && pv_nmi_hook) {
        pv_nmi_hook(r); /* and back to where the NMI came */
        return;
    }
    if ((r->cs & 3) == 3 && pv_user_hook) {
        pv_user_hook(r);
        return;
    }
    if (r->vector == PV_VEC_FAILSAFE)
        pv_panic("failsafe callback, rip %#lx", (unsigned long)r->rip);
    if (pv_trap.fixup && (r->cs & 3) == 0) {
        record(r);
        r->rip = pv_trap.fixup;
        pv_trap.fixup = 0;
        /* The trapping frame may hold selectors the CPU refused
         * (iret.bad_selector_faults): resume on ours. */
        r->cs = FLAT_KERNEL_CS & ~3;
        r->ss = FLAT_KERNEL_SS;
        return;
    }
    if (in_entry || r->vector == PV_VEC_SYSCALL || pv_current_case()[0] == '(')
        pv_panic("vector %#lx error %#lx at rip %#lx cs %#lx cr2 %#lx",
                 (unsigned long)r->vector, (unsigned long)r->error,
                 (unsigned long)r->rip, (unsigned long)r->cs, cr2());
    in_entry = 1;
    pv_fail(__FILE__, __LINE__,
            "unexpected vector %lu error %#lx at rip %#lx cs %#lx (cr2 %#lx)",
            (unsigned long)r->vector, (unsigned long)r->error,
            (unsigned long)r->rip, (unsigned long)r->cs, cr2());
    in_entry = 0;
    abandon(r);
}

int probe_read(unsigned long va, uint64_t *val)
{
    uint64_t v = 0, at;
    trap_reset();
    __asm__ volatile("lea 9f(%%rip), %%r11\n\t"
                     "mov %%r11, pv_trap(%%rip)\n\t"
                     "lea 8f(%%rip), %[at]\n\t"
                     "8: mov (%[va]), %[v]\n\t"
                     "9:\n\t"
                     : [at] "=&r"(at), [v] "+r"(v)
                     : [va] "r"(va)
                     : "r11", "memory");
    pv_trap.fixup = 0;
    *val = v;
    return pv_trap.hits ? (int)pv_trap.vector : -1;
}

int probe_write(unsigned long va, uint64_t val)
{
    uint64_t at;
    trap_reset();
    __asm__ volatile("lea 9f(%%rip), %%r11\n\t"
                     "mov %%r11, pv_trap(%%rip)\n\t"
                     "lea 8f(%%rip), %[at]\n\t"
                     "8: mov %[v], (%[va])\n\t"
                     "9:\n\t"
                     : [at] "=&r"(at)
                     : [va] "r"(va), [v] "r"(val)
                     : "r11", "memory");
    pv_trap.fixup = 0;
    return pv_trap.hits ? (int)pv_trap.vector : -1;
}
