/*
 * Exceptions raised by guest code, and the bounce frame that hands them
 * (and events, and system calls) to the guest kernel. pv-abi.md 4.2-4.3.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/guest_access.h>
#include <veneer/io.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/x86.h>

/* The frame of pv-abi.md 4.2 with `n_extra` words (an error code, or the
 * failsafe callback's DS, ES, FS, GS) between R11 and RIP. */
static int bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t handler,
                  const uint64_t *extra, unsigned int n_extra, bool mask_events)
{
    struct vcpu_info *vi = v->vcpu_info;
    uint8_t saved_mask = vi ? vi->evtchn_upcall_mask : 1;
    bool from_user = !v->kernel_mode;
    uint64_t frame[13];
    unsigned int n = 0;
    uint64_t rsp;

    /* Order matters: the frame records the interrupted context, then the
     * switch to kernel mode gives us the kernel stack to write it on. */
    uint64_t cs = regs->cs, rsp_old = regs->rsp;
    if (from_user) {
        pv_toggle_guest_mode(v);
        rsp = v->kernel_sp;
    } else {
        rsp = regs->rsp;
        cs &= ~3UL; /* guest kernel mode shows as RPL 0 (4.2 step 3) */
    }

    frame[n++] = regs->rcx;
    frame[n++] = regs->r11;
    for (unsigned int i = 0; i < n_extra; i++)
        frame[n++] = extra[i];
    frame[n++] = regs->rip;
    frame[n++] = (cs & 0xffff) | ((uint64_t)saved_mask << 32);
    /* The frame shows the virtual IOPL only to a guest that asked for
     * architectural IOPL (Xen's rule); others see IOPL 0. */
    frame[n++] = (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
                 (saved_mask ? 0 : X86_EFLAGS_IF) |
                 (v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl)
                      ? v->virt_iopl << 12
                      : 0);
    frame[n++] = rsp_old;
    frame[n++] = regs->ss;

    rsp = (rsp & ~15UL) - n * sizeof(uint64_t);
    if (copy_to_guest(rsp, frame, n * sizeof(uint64_t))) {
        domain_crash(v->domain,
                     "cannot write a bounce frame at %#lx (handler %#lx)", rsp,
                     handler);
        return -1;
    }
    if (mask_events && vi)
        vi->evtchn_upcall_mask = 1;
    regs->rip = handler;
    regs->cs = RING3_CS64;
    regs->ss = RING3_DS32;
    regs->rsp = rsp;
    regs->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF |
                      X86_EFLAGS_VM | X86_EFLAGS_AC);
    return 0;
}

int pv_bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t handler,
              bool with_error_code, uint64_t error_code, bool mask_events)
{
    return bounce(v, regs, handler, &error_code, with_error_code ? 1 : 0,
                  mask_events);
}

int pv_bounce_failsafe(struct vcpu *v, struct cpu_regs *regs)
{
    const uint64_t sels[4] = {v->ds, v->es, v->fs, v->gs};

    /* A guest that registered none is entered at address 0, as on Xen. */
    return bounce(v, regs, v->failsafe_cb.address, sels, 4,
                  v->failsafe_cb.mask_events);
}

void pv_inject_exception(struct vcpu *v, struct cpu_regs *regs,
                         unsigned int vector, bool with_error_code,
                         uint64_t error_code)
{
    const struct trap_info *ti = &v->trap_ctxt[vector];

    if (!ti->address) {
        domain_crash(v->domain,
                     "unhandled exception %u (error code %#lx) "
                     "with no guest handler",
                     vector, error_code);
        return;
    }
    /* flags bit 2: "disable events on entry" (a former interrupt gate). */
    pv_bounce(v, regs, ti->address, with_error_code, error_code, ti->flags & 4);
}

static bool has_error_code(unsigned int vector)
{
    return vector == X86_EXC_DF ||
           (vector >= X86_EXC_TS && vector <= X86_EXC_PF) ||
           vector == X86_EXC_AC || vector == X86_EXC_CP;
}

/*
 * A software interrupt `int n` (or int3/into) from guest code: delivered to
 * trap_ctxt[n] if its DPL lets the guest's current mode raise it (kernel
 * mode counts as 1, user mode as 3), else a #GP naming the vector.
 * insn_len is 2 when RIP still points at the `int n` (it came as #GP).
 */
static void guest_software_interrupt(struct vcpu *v, struct cpu_regs *regs,
                                     unsigned int n, unsigned int insn_len)
{
    const struct trap_info *ti = &v->trap_ctxt[n & 255];
    unsigned int cpl = v->kernel_mode ? 1 : 3;

    if (!ti->address || (ti->flags & 3) < cpl) {
        pv_inject_exception(v, regs, X86_EXC_GP, true, (n << 3) | 2);
        return;
    }
    regs->rip += insn_len;
    pv_bounce(v, regs, ti->address, false, 0, ti->flags & 4);
}

void pv_guest_trap(struct cpu_regs *regs)
{
    struct vcpu *v = current;
    unsigned int vector = (unsigned int)regs->vector;
    uint64_t ec = regs->error_code;

    switch (vector) {
    case X86_EXC_UD:
        if (v->kernel_mode && pv_emulate_forced_cpuid(v, regs))
            return;
        break;
    case X86_EXC_GP:
        if (ec == 0 && v->kernel_mode && pv_emulate_privileged(v, regs))
            return;
        /* `int n` through one of our DPL-0 gates: the IDT bit says so. */
        if ((ec & 7) == 2) {
            guest_software_interrupt(v, regs, (unsigned int)(ec >> 3), 2);
            return;
        }
        break;
    case 0x80:
        /* Already past the instruction: int $0x80 is a trap. */
        guest_software_interrupt(v, regs, vector, 0);
        return;
    case X86_EXC_NM:
        /* We never leave TS set for our own use: this #NM is the guest's,
         * because it set its virtual CR0.TS (fpu_taskswitch). */
        if (!v->virt_cr0_ts) {
            __asm__ volatile("clts");
            return;
        }
        /* Delivering it clears the virtual TS, as Xen does (and as a
         * native handler's clts would): the retried instruction runs. */
        pv_set_virt_ts(v, false);
        break;
    case X86_EXC_DB:
        pv_debugreg_guest_db(v); /* its handler reads DR6 with get_debugreg */
        break;
    case X86_EXC_PF: {
        uint64_t cr2 = read_cr2();
        if (pv_ptwr_emulate(v, regs, cr2, ec))
            return;
        if (v->vcpu_info)
            v->vcpu_info->arch.cr2 = cr2;
        /* Hardware says "user" for everything at CPL 3; the guest wants to
         * know whether its user mode faulted. */
        ec = (ec & ~PFEC_USER) | (v->kernel_mode ? 0 : PFEC_USER);
        break;
    }
    default:
        break;
    }
    pv_inject_exception(v, regs, vector, has_error_code(vector), ec);
}

static void dump_guest_stack(uint64_t rsp)
{
    uint64_t words[16];

    if (copy_from_guest(words, rsp, sizeof(words))) {
        pr_err("guest stack at %#lx: unreadable\n", rsp);
        return;
    }
    pr_err("guest stack at %#lx:\n", rsp);
    for (unsigned int i = 0; i < ARRAY_SIZE(words); i += 4)
        pr_err("  %016lx %016lx %016lx %016lx\n", words[i], words[i + 1],
               words[i + 2], words[i + 3]);
}

void pv_dump_guest_state(struct vcpu *v, const struct cpu_regs *r)
{
    pr_err("d%u v%u: %s mode, vector %lu, hardware error code %#lx\n",
           v->domain->id, v->id, v->kernel_mode ? "kernel" : "user", r->vector,
           r->error_code);
    pr_err("RIP: %04lx:%016lx  RFLAGS: %016lx  RSP: %04lx:%016lx\n", r->cs,
           r->rip, r->rflags, r->ss, r->rsp);
    pr_err("RAX: %016lx  RBX: %016lx  RCX: %016lx\n", r->rax, r->rbx, r->rcx);
    pr_err("RDX: %016lx  RSI: %016lx  RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
    pr_err("RBP: %016lx  R8:  %016lx  R9:  %016lx\n", r->rbp, r->r8, r->r9);
    pr_err("R10: %016lx  R11: %016lx  R12: %016lx\n", r->r10, r->r11, r->r12);
    pr_err("R13: %016lx  R14: %016lx  R15: %016lx\n", r->r13, r->r14, r->r15);
    pr_err("CR2: %016lx  kernel L4: mfn %#lx  user L4: %s%#lx\n", read_cr2(),
           v->guest_table,
           v->guest_table_user == INVALID_MFN ? "none " : "mfn ",
           v->guest_table_user == INVALID_MFN ? 0 : v->guest_table_user);
    dump_guest_stack(r->rsp);
}
