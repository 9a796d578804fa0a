/*
 * The life of a PV vCPU on this pCPU: MSR set-up for `syscall`, starting a
 * vCPU, what a `syscall` means (a hypercall from guest kernel mode, a
 * system call from guest user mode), guest kernel/user mode switches, and
 * the exit path that runs before every return to a guest (pv-abi.md 4.8).
 */
#include <veneer/biglock.h>
#include <veneer/exit_frame.h>
#include <veneer/boot_defs.h>
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/io.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/pvclock.h>
#include <veneer/hypercall.h>
#include <veneer/sched.h>
#include <veneer/smp.h>
#include <veneer/x86.h>

#define MSR_STAR         0xc0000081
#define MSR_LSTAR        0xc0000082
#define MSR_CSTAR        0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084

extern char pv_syscall_stubs[];
extern uint64_t pv_syscall_percpu[MAX_CPUS][2];
void pv_do_syscall(struct cpu_regs *regs);
bool pv_exit_path(struct cpu_regs *regs);
void pv_iret_fault(struct cpu_regs *regs);

struct cpu_regs *guest_regs(void)
{
    /* The frame ends where this CPU's cpu_info begins (smp.h). */
    return (struct cpu_regs *)this_cpu() - 1;
}

void pv_cpu_init(void)
{
    unsigned int cpu = smp_processor_id();
    uint64_t stub = (uint64_t)pv_syscall_stubs + 64 * cpu;

    pv_syscall_percpu[cpu][1] = (uint64_t)this_cpu();
    /* sysret would load CS 0xe033 / SS 0xe02b; syscall CS 0xe008. */
    wrmsr(MSR_STAR,
          ((uint64_t)RING3_CS32 << 48) | ((uint64_t)HYPERVISOR_CS << 32));
    wrmsr(MSR_LSTAR, stub);
    wrmsr(MSR_CSTAR, stub);
    wrmsr(MSR_SYSCALL_MASK, X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_IF |
                                X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_AC |
                                X86_EFLAGS_VM);
    /* Guests own SSE: let them use it (FXSAVE-managed state). */
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
}

void pv_load_page_tables(struct vcpu *v)
{
    mfn_t root = v->kernel_mode ? v->guest_table : v->guest_table_user;
    smp_write_cr3(root << PAGE_SHIFT);
}

void pv_toggle_guest_mode(struct vcpu *v)
{
    /* The active GS base belongs to the mode we leave; swapgs makes the
     * other one active (pv-abi.md 1.1). */
    __asm__ volatile("swapgs" ::: "memory");
    v->kernel_mode = !v->kernel_mode;
    pv_load_page_tables(v);
}

static void load_segment_bases(struct vcpu *v)
{
    wrmsr(MSR_FS_BASE, v->fs_base);
    wrmsr(MSR_GS_BASE, v->kernel_mode ? v->gs_base_kernel : v->gs_base_user);
    wrmsr(MSR_SHADOW_GS_BASE,
          v->kernel_mode ? v->gs_base_user : v->gs_base_kernel);
}

void arch_vcpu_init_fpu(struct vcpu *v)
{
    /* The state FNINIT leaves, with SSE exceptions masked (pv-abi 2.7). */
    memset(v->fpu, 0, sizeof(v->fpu));
    *(uint16_t *)&v->fpu[0] = 0x037f;  /* FCW */
    *(uint32_t *)&v->fpu[24] = 0x1f80; /* MXCSR */
}

void pv_set_virt_ts(struct vcpu *v, bool ts)
{
    v->virt_cr0_ts = ts;
    /* The hardware TS follows the running vCPU's virtual one, so that its
     * first FPU instruction raises the #NM it asked for. */
    if (v == current) {
        if (ts)
            write_cr0(read_cr0() | X86_CR0_TS);
        else
            __asm__ volatile("clts");
    }
}

/* Reads the data segment selectors and the segment bases the guest may
 * have changed behind our back (a selector load changes the base). */
static void save_segments(struct vcpu *v)
{
    uint16_t sel;
    __asm__ volatile("mov %%ds, %0" : "=r"(sel));
    v->ds = sel;
    __asm__ volatile("mov %%es, %0" : "=r"(sel));
    v->es = sel;
    __asm__ volatile("mov %%fs, %0" : "=r"(sel));
    v->fs = sel;
    __asm__ volatile("mov %%gs, %0" : "=r"(sel));
    v->gs = sel;
    v->fs_base = rdmsr(MSR_FS_BASE);
    uint64_t active = rdmsr(MSR_GS_BASE), shadow = rdmsr(MSR_SHADOW_GS_BASE);
    v->gs_base_kernel = v->kernel_mode ? active : shadow;
    v->gs_base_user = v->kernel_mode ? shadow : active;
}

/* Loads one data segment selector; 0 if the guest's descriptor tables no
 * longer allow it (null is loaded instead), else 1. */
#define LOAD_SEG(seg, val)                                                  \
    ({                                                                      \
        uint64_t sel_ = (val);                                              \
        uint32_t ok_ = 1;                                                   \
        __asm__ volatile(                                                   \
            "1: mov %w0, %%" seg "\n"                                       \
            "2:\n" EXTABLE("1b", "3f") ".pushsection .text.fixup, \"ax\"\n" \
                                       "3: xor %k0, %k0\n"                  \
                                       "mov %w0, %%" seg "\n"               \
                                       "xor %k1, %k1\n"                     \
                                       "jmp 2b\n"                           \
                                       ".popsection\n"                      \
            : "+r"(sel_), "+r"(ok_)                                         \
            :                                                               \
            : "memory");                                                    \
        ok_;                                                                \
    })

/* False if any selector no longer loads: the caller owes the guest its
 * failsafe callback (Xen's load_segments()). */
static bool load_segments(struct vcpu *v)
{
    uint32_t ok = LOAD_SEG("ds", v->ds);
    ok &= LOAD_SEG("es", v->es);
    ok &= LOAD_SEG("fs", v->fs);
    ok &= LOAD_SEG("gs", v->gs);
    return ok;
}

void arch_vcpu_save(struct vcpu *v)
{
    v->regs = *guest_regs();
    save_segments(v);
    __asm__ volatile("clts"); /* fxsave itself must not #NM */
    __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[512])v->fpu));
}

void arch_vcpu_load(struct vcpu *v)
{
    if (!v->has_run) {
        v->has_run = true;
        pr_info("d%u: starting vCPU %u at %#lx on pCPU %u\n", v->domain->id,
                v->id, v->regs.rip, smp_processor_id());
    }
    *guest_regs() = v->regs;
    pv_gdt_load(v); /* the selectors below are looked up in it */
    bool segs_ok = load_segments(v);
    load_segment_bases(v); /* after: a selector load changes the base */
    pv_load_page_tables(v);
    pv_debugreg_load(v);
    /* As Xen does on every switch: the vCPU's clock record is fresh. */
    if (v->vcpu_info)
        pvclock_update(&v->vcpu_info->time);
    __asm__ volatile("clts");
    __asm__ volatile("fxrstor64 %0" : : "m"(*(uint8_t(*)[512])v->fpu));
    if (v->virt_cr0_ts)
        write_cr0(read_cr0() | X86_CR0_TS);
    /* A selector the guest left behind no longer loads (its descriptor
     * went away while the vCPU was off its pCPU): as Xen, it runs its
     * failsafe callback with the selectors it had (pv-abi.md 4.7). */
    if (!segs_ok)
        pv_bounce_failsafe(v, guest_regs());
}

void arch_load_idle_page_tables(void)
{
    paging_load_idle();
}

/* A guest-user `syscall` goes to the guest kernel's syscall callback. */
static void guest_user_syscall(struct vcpu *v, struct cpu_regs *regs)
{
    if (!v->syscall_cb.address) {
        regs->rip -= 2; /* #UD at the syscall instruction */
        pv_inject_exception(v, regs, X86_EXC_UD, false, 0);
        return;
    }
    regs->rip = regs->rcx;
    regs->rflags = regs->r11;
    pv_bounce(v, regs, v->syscall_cb.address, false, 0,
              v->syscall_cb.mask_events);
    regs->rflags &= ~X86_EFLAGS_DF;
}

void pv_do_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current;

    /* The commonest entries touch only this vCPU and its guest's memory,
     * so they run without the big lock: a system call bounced to the guest
     * kernel, the iret hypercall back, and the other vCPU-local hypercalls
     * of a context switch (hypercall.c; unless traced: the trace prints).
     * The rest take it here; pv_exit_path gives it back. */
    bool lockless = !v->kernel_mode || (hypercall_is_vcpu_local(regs->rax) &&
                                        !v->domain->hypercall_trace);
    if (!lockless)
        biglock_enter();
    local_irq_enable();
    if (v->kernel_mode)
        pv_hypercall(regs);
    else
        guest_user_syscall(v, regs);
    local_irq_disable();
}

bool pv_exit_path(struct cpu_regs *regs)
{
    /* Maybe another vCPU's turn: then `regs` (the frame at the stack top)
     * now holds that vCPU's registers. Read without the lock, the test is
     * a hint: schedule() decides under it, and whatever changes after is
     * followed by a kick that brings us back here. */
    if (this_cpu()->need_resched || !vcpu_runnable(current)) {
        biglock_enter();
        sched_maybe_switch();
    }

    struct vcpu *v = current;

    /* A virtual NMI first (Xen's order): to the trap table's vector 2,
     * events masked if its entry says so; without a handler it is
     * dropped, as in Xen. A plain load first: no locked operation on
     * every exit. */
    if (!v->nmi_masked && __atomic_load_n(&v->nmi_pending, __ATOMIC_RELAXED) &&
        __atomic_exchange_n(&v->nmi_pending, false, __ATOMIC_ACQ_REL) &&
        v->trap_ctxt[X86_EXC_NMI].address) {
        v->nmi_masked = true;
        pv_inject_exception(v, regs, X86_EXC_NMI, false, 0);
    }

    /* Deliver a pending event if the guest has events enabled (4.6). */
    struct vcpu_info *vi = v->vcpu_info;
    if (vi && vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask &&
        v->event_cb.address)
        pv_bounce(v, regs, v->event_cb.address, false, 0, true);

    /* Whatever the frame says, the guest runs at CPL 3 with IF set and
     * IOPL 0 (the virtual IOPL is ours to emulate). */
    regs->cs |= 3;
    regs->ss |= 3;
    regs->rflags = (regs->rflags | X86_EFLAGS_IF) &
                   ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM | X86_EFLAGS_NT);
    /* Interrupts are off until iretq: nothing of ours runs before the
     * guest does. */
    if (biglock_held())
        biglock_release();
    /* entry.S: sysretq when it returns the same frame, else iretq. */
    return exit_frame_allows_sysret(regs);
}

/*
 * The iretq to the guest faulted on the frame the guest gave us (a CS or SS
 * its descriptor tables refuse, a non-canonical RIP): regs is that frame.
 * As Xen (its iretq fixup is handle_exception on the guest's frame), the
 * guest takes the fault itself through its trap table, at the RIP and CS it
 * asked for; without a handler it is crashed.
 */
void pv_iret_fault(struct cpu_regs *regs)
{
    const struct fixup_record *f = &this_cpu()->last_fixup;
    struct vcpu *v = current;

    biglock_enter(); /* pv_exit_path gave it back; it runs again next */
    if (f->vector != X86_EXC_GP && f->vector != X86_EXC_SS &&
        f->vector != X86_EXC_NP) {
        domain_crash(v->domain,
                     "return to guest faulted with vector %lu (rip %#lx "
                     "cs %#lx ss %#lx rsp %#lx)",
                     f->vector, regs->rip, regs->cs, regs->ss, regs->rsp);
        return;
    }
    pv_inject_exception(v, regs, f->vector, true, f->error_code);
}
