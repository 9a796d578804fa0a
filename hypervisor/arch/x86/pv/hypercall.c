/*
 * The hypercall table: every number a guest may call, its handler, its
 * argument count (for the trace) and who may call it. Unknown numbers and
 * holes in the table answer -ENOSYS. Read the handlers from here.
 */
#include <veneer/biglock.h>
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/hypercall.h>
#include <veneer/pv.h>
#include <veneer/xen_abi.h>
#include <veneer/xenstore_ring.h>

struct hypercall {
    const char *name;
    hypercall_fn fn;
    uint8_t nargs;
    bool privileged_only; /* the control domain alone may call it */
    bool sets_regs;       /* rewrites the whole frame (iret): no RAX */
    bool vcpu_local;      /* touches only the caller's vCPU: no big lock */
};

#define HC(nr, n, args) [nr] = {#n, do_##n, args, false, false, false}
/* Handlers that read or write nothing but the calling vCPU, this pCPU's
 * registers and the guest's own memory (through guest_access, which
 * survives a concurrent unmap by its fixups, as iret's frame read does).
 * Linux makes them on every context switch (stack_switch,
 * set_segment_base), so they skip the big lock: pv_do_syscall. */
#define LOCAL_HC(nr, n, args) [nr] = {#n, do_##n, args, false, false, true}

static const struct hypercall hypercall_table[64] = {
    HC(__HYPERVISOR_set_trap_table, set_trap_table, 1),
    HC(__HYPERVISOR_set_callbacks, set_callbacks, 3),
    HC(__HYPERVISOR_set_gdt, set_gdt, 2),
    HC(__HYPERVISOR_update_descriptor, update_descriptor, 2),
    LOCAL_HC(__HYPERVISOR_stack_switch, stack_switch, 2),
    LOCAL_HC(__HYPERVISOR_fpu_taskswitch, fpu_taskswitch, 1),
    HC(__HYPERVISOR_set_debugreg, set_debugreg, 2),
    HC(__HYPERVISOR_get_debugreg, get_debugreg, 1),
    HC(__HYPERVISOR_memory_op, memory_op, 2),
    HC(__HYPERVISOR_multicall, multicall, 2),
    LOCAL_HC(__HYPERVISOR_xen_version, xen_version, 2),
    HC(__HYPERVISOR_console_io, console_io, 3),
    HC(__HYPERVISOR_vm_assist, vm_assist, 2),
    LOCAL_HC(__HYPERVISOR_set_segment_base, set_segment_base, 2),
    HC(__HYPERVISOR_sched_op, sched_op, 2),
    HC(__HYPERVISOR_callback_op, callback_op, 2),
    HC(__HYPERVISOR_physdev_op, physdev_op, 2),
    HC(__HYPERVISOR_event_channel_op, event_channel_op, 2),
    HC(__HYPERVISOR_vcpu_op, vcpu_op, 3),
    HC(__HYPERVISOR_set_timer_op, set_timer_op, 1),
    HC(__HYPERVISOR_grant_table_op, grant_table_op, 3),
    HC(__HYPERVISOR_mmu_update, mmu_update, 4),
    HC(__HYPERVISOR_update_va_mapping, update_va_mapping, 3),
    HC(__HYPERVISOR_mmuext_op, mmuext_op, 4),
    HC(__HYPERVISOR_hvm_op, hvm_op, 2),
    [__HYPERVISOR_domctl] = {"domctl", do_domctl, 1, true, false},
    [__HYPERVISOR_iret] = {"iret", do_iret, 0, false, true, true},
    [__HYPERVISOR_platform_op] = {"platform_op", do_platform_op, 1, true,
                                  false},
};

/*
 * Numbers answered -ENOSYS on purpose, and why. Every __HYPERVISOR_*
 * number of the ABI is either in hypercall_table or here: the abi tier
 * checks it, and docs/abi-coverage.md is generated from both tables.
 */
#define REFUSED(nr, why) [nr] = why
static const char *const refused[64] = {
    REFUSED(__HYPERVISOR_sched_op_compat,
            "pre-3.0.2 interface; guests use sched_op (29)"),
    REFUSED(__HYPERVISOR_event_channel_op_compat,
            "pre-3.0.2 interface; guests use event_channel_op (32)"),
    REFUSED(__HYPERVISOR_physdev_op_compat,
            "pre-3.0.2 interface; guests use physdev_op (33)"),
    REFUSED(__HYPERVISOR_update_va_mapping_otherdomain,
            "foreign mappings go through mmu_update's foreigndom"),
    REFUSED(__HYPERVISOR_xsm_op, "no XSM/FLASK: one fixed policy"),
    REFUSED(__HYPERVISOR_nmi_op, "NMIs are not forwarded to guests"),
    REFUSED(__HYPERVISOR_xenoprof_op, "no profiling interface"),
    REFUSED(__HYPERVISOR_sysctl, "not yet: the toolstack interface"),
    REFUSED(__HYPERVISOR_kexec_op, "no kexec of the hypervisor"),
    REFUSED(__HYPERVISOR_tmem_op, "transcendent memory was removed from Xen"),
    REFUSED(__HYPERVISOR_argo_op, "no Argo inter-domain messaging"),
    REFUSED(__HYPERVISOR_xenpmu_op,
            "no virtual PMU; Linux prints 'VPMU disabled' and goes on"),
    REFUSED(__HYPERVISOR_dm_op, "PV only: no device models"),
    REFUSED(__HYPERVISOR_hypfs_op, "no hypervisor file system"),
    REFUSED(__HYPERVISOR_arch_0, "x86 machine-check interface: not emulated"),
    REFUSED(__HYPERVISOR_arch_1, "x86 paging_domctl_cont: HVM only"),
    REFUSED(__HYPERVISOR_arch_2, "unused by x86 PV"),
    REFUSED(__HYPERVISOR_arch_3, "unused by x86 PV"),
    REFUSED(__HYPERVISOR_arch_4, "unused by x86 PV"),
    REFUSED(__HYPERVISOR_arch_5, "unused by x86 PV"),
    REFUSED(__HYPERVISOR_arch_6, "unused by x86 PV"),
    REFUSED(__HYPERVISOR_arch_7, "unused by x86 PV"),
};

const char *hypercall_name(unsigned int nr)
{
    if (nr < ARRAY_SIZE(hypercall_table) && hypercall_table[nr].name)
        return hypercall_table[nr].name;
    return "unknown";
}

bool hypercall_is_vcpu_local(uint64_t nr)
{
    return nr < ARRAY_SIZE(hypercall_table) && hypercall_table[nr].vcpu_local;
}

long hypercall_dispatch(unsigned int nr, const uint64_t args[5])
{
    const struct hypercall *h;

    if (nr >= ARRAY_SIZE(hypercall_table) || !hypercall_table[nr].fn)
        return -ENOSYS;
    h = &hypercall_table[nr];
    if (h->privileged_only && !current->domain->privileged)
        return -EPERM;
    return h->fn(args[0], args[1], args[2], args[3], args[4]);
}

long pv_hypercall(struct cpu_regs *regs)
{
    struct vcpu *v = current;
    unsigned int nr = (unsigned int)regs->rax;
    const uint64_t args[5] = {regs->rdi, regs->rsi, regs->rdx, regs->r10,
                              regs->r8};
    const uint64_t number = regs->rax; /* iret rewrites rax */
    bool sets_regs =
        nr < ARRAY_SIZE(hypercall_table) && hypercall_table[nr].sets_regs;

    if (regs->rax >= ARRAY_SIZE(hypercall_table))
        nr = ~0u; /* never truncate a huge number into a valid one */
    long rc = hypercall_dispatch(nr, args);

    /* Each -ENOSYS number is logged once per domain (a guest probing or
     * looping on garbage must not flood the console); the trace logs all. */
    bool first_enosys = false;
    if (rc == -ENOSYS) {
        /* A vCPU-local call (xen_version's unknown sub-ops) came without
         * the lock: the domain's record and the console need it.
         * pv_exit_path gives it back. */
        biglock_enter();
        uint64_t bit = 1ULL << (nr < 64 ? nr : 63);
        first_enosys = !(v->domain->enosys_seen & bit);
        v->domain->enosys_seen |= bit;
    }
    if (v->domain->hypercall_trace || first_enosys) {
        const char *why = nr < ARRAY_SIZE(refused) && !hypercall_table[nr].fn
                              ? refused[nr]
                              : NULL;
        pr_info("d%u v%u hypercall %lu (%s)(%#lx, %#lx, %#lx) = %ld%s%s\n",
                v->domain->id, v->id, number, hypercall_name(nr), args[0],
                args[1], args[2], rc, why ? ": refused: " : "", why ? why : "");
    }
    if (!sets_regs)
        regs->rax = (uint64_t)rc;
#ifdef VENEER_DEBUG
    /* Guests must not rely on argument registers surviving a call. */
    if (!sets_regs) {
        regs->rdi = regs->rsi = regs->rdx = regs->r10 = regs->r8 =
            0xdeadbeefdeadf00dUL;
    }
#endif
    return rc;
}
