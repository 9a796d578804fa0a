/*
 * VCPUOP_initialise's x86 half: a secondary vCPU's whole state from a
 * struct vcpu_guest_context, checked as Xen's arch_set_info_guest() checks
 * it for a 64-bit PV guest. Every reference it takes (the L4 roots, the
 * GDT frames) is taken before anything of the vCPU changes, so a refused
 * context leaves the vCPU as it was.
 */
#include <veneer/boot_defs.h>
#include <veneer/domain.h>
#include <veneer/guest_access.h>
#include <veneer/errno.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/pv_mm.h>
#include <veneer/sched.h>
#include <veneer/segdesc.h>
#include <veneer/x86.h>

static int check_context(const struct vcpu_guest_context *c)
{
    if (!is_canonical(c->user_regs.rip) || !is_canonical(c->user_regs.rsp) ||
        !is_canonical(c->event_callback_eip) ||
        !is_canonical(c->failsafe_callback_eip) ||
        !is_canonical(c->syscall_callback_eip) || !is_canonical(c->fs_base) ||
        !is_canonical(c->gs_base_kernel) || !is_canonical(c->gs_base_user) ||
        !is_canonical(c->kernel_sp))
        return -EINVAL;
    for (unsigned int i = 0; i < 256; i++) {
        if (!is_canonical(c->trap_ctxt[i].address))
            return -EINVAL;
    }
    /* No LDTs here, as for MMUEXT_SET_LDT. */
    if (c->ldt_ents)
        return -EINVAL;
    if (c->gdt_ents > GUEST_GDT_MAX_ENTRIES)
        return -EINVAL;
    return 0;
}

int pv_vcpu_initialise(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct domain *d = v->domain;
    unsigned int nr_gdt = (unsigned int)((c->gdt_ents + 511) / 512);
    mfn_t kernel_l4 = xen_cr3_to_pfn(c->ctrlreg[3]);
    mfn_t user_l4 = c->ctrlreg[1] ? xen_cr3_to_pfn(c->ctrlreg[1]) : INVALID_MFN;
    mfn_t new_kernel = INVALID_MFN, new_user = INVALID_MFN;
    unsigned int taken = 0;
    int rc = check_context(c);

    if (rc)
        return rc;
    /* References first: the roots, then the GDT frames. */
    rc = -EINVAL;
    if (!mfn_valid(kernel_l4) || pv_mm_set_base(d, &new_kernel, kernel_l4))
        goto fail;
    if (user_l4 != INVALID_MFN &&
        (!mfn_valid(user_l4) || pv_mm_set_base(d, &new_user, user_l4)))
        goto fail;
    for (; taken < nr_gdt; taken++) {
        if (!mfn_valid(c->gdt_frames[taken]) ||
            pv_get_page_and_type(d, c->gdt_frames[taken], PGT_SEG_DESC))
            goto fail;
    }

    /* The vCPU is down (never run, or off the pCPU): no live state. */
    pv_gdt_destroy(v);
    for (unsigned int i = 0; i < nr_gdt; i++)
        v->gdt_frames[i] = c->gdt_frames[i];
    v->gdt_nr_frames = nr_gdt;
    v->gdt_ents = (unsigned int)c->gdt_ents;
    pv_mm_set_base(d, &v->guest_table, INVALID_MFN);
    pv_mm_set_base(d, &v->guest_table_user, INVALID_MFN);
    v->guest_table = new_kernel; /* the references move with the values */
    v->guest_table_user = new_user;

    const struct cpu_user_regs *u = &c->user_regs;
    v->regs = (struct cpu_regs){
        .r15 = u->r15,
        .r14 = u->r14,
        .r13 = u->r13,
        .r12 = u->r12,
        .r11 = u->r11,
        .r10 = u->r10,
        .r9 = u->r9,
        .r8 = u->r8,
        .rbp = u->rbp,
        .rdi = u->rdi,
        .rsi = u->rsi,
        .rdx = u->rdx,
        .rcx = u->rcx,
        .rbx = u->rbx,
        .rax = u->rax,
        .rip = u->rip,
        .cs = u->cs | 3,
        .rflags = (u->rflags & ~0x3000UL) | 0x202,
        .rsp = u->rsp,
        .ss = u->ss | 3,
    };
    /* The virtual IOPL comes with the flags, as Xen keeps it: Linux starts
     * its CPUs at IOPL 1, and without it the new CPU's first port access
     * is a #GP that panics the kernel. */
    v->virt_iopl = (u->rflags >> 12) & 3;
    v->kernel_mode = c->flags & VGCF_in_kernel;
    if (!v->kernel_mode && v->guest_table_user == INVALID_MFN)
        v->kernel_mode = true; /* no user tables to run on */
    v->kernel_ss = c->kernel_ss | 3;
    v->kernel_sp = c->kernel_sp;
    v->fs_base = c->fs_base;
    v->ds = u->ds;
    v->es = u->es;
    v->fs = u->fs;
    v->gs = u->gs;
    v->gs_base_kernel = c->gs_base_kernel;
    v->gs_base_user = c->gs_base_user;
    for (unsigned int i = 0; i < 256; i++) {
        v->trap_ctxt[i] = c->trap_ctxt[i];
        v->trap_ctxt[i].vector = (uint8_t)i;
        v->trap_ctxt[i].cs |= 3;
    }
    v->event_cb = (struct pv_callback){c->event_callback_eip, true};
    v->failsafe_cb = (struct pv_callback){
        c->failsafe_callback_eip, c->flags & VGCF_failsafe_disables_events};
    v->syscall_cb = (struct pv_callback){
        c->syscall_callback_eip, c->flags & VGCF_syscall_disables_events};
    if (c->flags & VGCF_i387_valid)
        memcpy(v->fpu, &c->fpu_ctxt, sizeof(v->fpu));
    else
        arch_vcpu_init_fpu(v);
    pv_set_virt_ts(v, c->ctrlreg[0] & X86_CR0_TS);
    return 0;

fail:
    while (taken-- > 0)
        pv_put_page_and_type(c->gdt_frames[taken]);
    pv_mm_set_base(d, &new_user, INVALID_MFN);
    pv_mm_set_base(d, &new_kernel, INVALID_MFN);
    return rc;
}
