/*
 * How a guest tells us where its entry points are, and how it returns from
 * them: the trap table, the event/failsafe/syscall callbacks, the kernel
 * stack for events in user mode, segment bases, virtual CR0.TS, debug
 * registers, and the iret hypercall (pv-abi.md 4.1, 4.4, 4.7).
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/io.h>
#include <veneer/lib.h>
#include <veneer/pv.h>
#include <veneer/x86.h>

long do_set_trap_table(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    uint64_t guest = a1;
    struct trap_info ti;

    if (!guest) {
        memset(v->trap_ctxt, 0, sizeof(v->trap_ctxt));
        return 0;
    }
    /* At most one entry per vector; the list ends with address 0. */
    for (unsigned int i = 0; i < 256; i++, guest += sizeof(ti)) {
        if (copy_from_guest(&ti, guest, sizeof(ti)))
            return -EFAULT;
        if (ti.address == 0)
            return 0;
        if (!is_canonical(ti.address))
            return -EINVAL;
        ti.cs |= 3; /* the guest kernel runs at CPL 3 */
        v->trap_ctxt[ti.vector] = ti;
    }
    return 0;
}

long do_stack_switch(HYPERCALL_ARGS)
{
    current->kernel_ss = a1 | 3;
    current->kernel_sp = a2;
    return 0;
}

static int register_callback(struct vcpu *v, unsigned int type,
                             uint64_t address, uint16_t flags)
{
    struct pv_callback cb = {address, flags & CALLBACKF_mask_events};

    if (!is_canonical(address))
        return -EINVAL;
    switch (type) {
    case CALLBACKTYPE_event:
        v->event_cb = cb;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->failsafe_cb = cb;
        return 0;
    case CALLBACKTYPE_syscall:
        v->syscall_cb = cb;
        return 0;
    case CALLBACKTYPE_syscall32:
        v->syscall32_cb = cb;
        return 0;
    case CALLBACKTYPE_sysenter:
        v->sysenter_cb = cb;
        return 0;
    case CALLBACKTYPE_nmi:
        /* A trap-table entry for vector 2 that masks events, as Xen's
         * register_guest_nmi_callback makes it. */
        v->trap_ctxt[X86_EXC_NMI] = (struct trap_info){.vector = X86_EXC_NMI,
                                                       .flags = 4,
                                                       .cs = RING3_CS64,
                                                       .address = address};
        return 0;
    }
    return -ENOSYS;
}

long do_callback_op(HYPERCALL_ARGS)
{
    switch (a1) {
    case CALLBACKOP_register: {
        struct callback_register reg;
        if (copy_from_guest(&reg, a2, sizeof(reg)))
            return -EFAULT;
        return register_callback(current, reg.type, reg.address, reg.flags);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister unreg;
        if (copy_from_guest(&unreg, a2, sizeof(unreg)))
            return -EFAULT;
        if (unreg.type != CALLBACKTYPE_nmi)
            return -EINVAL;
        memset(&current->trap_ctxt[X86_EXC_NMI], 0,
               sizeof(current->trap_ctxt[X86_EXC_NMI]));
        return 0;
    }
    }
    return -ENOSYS;
}

long do_set_callbacks(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    int rc =
        register_callback(v, CALLBACKTYPE_event, a1, CALLBACKF_mask_events);
    if (!rc)
        rc = register_callback(v, CALLBACKTYPE_failsafe, a2,
                               CALLBACKF_mask_events);
    if (!rc)
        rc = register_callback(v, CALLBACKTYPE_syscall, a3,
                               CALLBACKF_mask_events);
    return rc;
}

long do_fpu_taskswitch(HYPERCALL_ARGS)
{
    pv_set_virt_ts(current, a1 != 0);
    return 0;
}

long do_set_segment_base(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    uint64_t base = a2;

    switch (a1) {
    case SEGBASE_FS:
        if (!is_canonical(base))
            return -EINVAL;
        v->fs_base = base;
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        if (!is_canonical(base))
            return -EINVAL;
        v->gs_base_user = base;
        wrmsr(MSR_SHADOW_GS_BASE, base);
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!is_canonical(base))
            return -EINVAL;
        v->gs_base_kernel = base;
        wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL: {
        /* Load a user GS selector; a bad one becomes null (Linux BUG()s on
         * an error, so this never fails: pv-abi 4.7). */
        uint16_t sel = (uint16_t)base;
        if (sel & ~3u)
            sel |= 3;
        __asm__ volatile("swapgs\n"
                         "1: movw %w0, %%gs\n"
                         "jmp 3f\n"
                         "2: xorl %k0, %k0\n"
                         "movw %w0, %%gs\n"
                         "3: swapgs\n" EXTABLE("1b", "2b")
                         : "+r"(sel)
                         :
                         : "memory");
        v->gs_base_user = rdmsr(MSR_SHADOW_GS_BASE);
        return 0;
    }
    }
    return -EINVAL;
}

long do_set_debugreg(HYPERCALL_ARGS)
{
    return pv_set_debugreg(current, (unsigned int)MIN(a1, 8UL), a2);
}

long do_get_debugreg(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    unsigned int reg = (unsigned int)MIN(a1, 8UL);

    if (reg == 4 || reg == 5)
        reg += 2; /* aliases of DR6/DR7 while CR4.DE is clear */
    if (reg > 7)
        return -ENODEV;
    return (long)v->debugreg[reg];
}

/*
 * iret (pv-abi.md 4.4): the guest pushed {rax, r11, rcx, flags, rip, cs,
 * rflags, rsp, ss} and made the call; we return to that context.
 */
long do_iret(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    struct cpu_regs *regs = guest_regs();
    struct iret_context ctx;

    if (copy_from_guest(&ctx, regs->rsp, sizeof(ctx))) {
        domain_crash(v->domain, "iret: frame at %#lx unreadable", regs->rsp);
        return -EFAULT;
    }
    if (!is_canonical(ctx.rip) || !is_canonical(ctx.rsp)) {
        domain_crash(v->domain, "iret: non-canonical rip %#lx or rsp %#lx",
                     (uint64_t)ctx.rip, (uint64_t)ctx.rsp);
        return -EINVAL;
    }
    if ((ctx.cs & 3) == 3 && v->kernel_mode) {
        if (v->guest_table_user == INVALID_MFN) {
            domain_crash(v->domain, "iret to user mode with no user L4");
            return -EINVAL;
        }
        pv_toggle_guest_mode(v);
    }
    regs->rip = ctx.rip;
    regs->cs = ctx.cs | 3;
    regs->ss = ctx.ss | 3;
    regs->rsp = ctx.rsp;
    regs->rflags = (ctx.rflags & ~0x3000UL) | 0x200;
    /* Only a guest that asked for architectural IOPL sets it by iret (as
     * in Xen); Linux sets it once with PHYSDEVOP_set_iopl and relies on it
     * staying for its cli/sti and port I/O. */
    if (v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl))
        v->virt_iopl = (ctx.rflags >> 12) & 3;
    if (v->vcpu_info)
        v->vcpu_info->evtchn_upcall_mask = !(ctx.rflags & 0x200);
    regs->rax = ctx.rax;
    v->nmi_masked = false; /* the end of an NMI handler, if one ran */
    if (!(ctx.flags & VGCF_in_syscall)) {
        regs->rcx = ctx.rcx;
        regs->r11 = ctx.r11;
    }
    return 0;
}
