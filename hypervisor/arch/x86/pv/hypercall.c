/*
 * The hypercall table: every number a guest may call, its handler, its
 * argument count (for the trace) and who may call it. Unknown numbers and
 * holes in the table answer -ENOSYS. Read the handlers from here.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/hypercall.h>
#include <veneer/pv.h>
#include <veneer/xen_abi.h>

struct hypercall {
    const char *name;
    hypercall_fn fn;
    uint8_t nargs;
    bool privileged_only; /* the control domain alone may call it */
    bool sets_regs;       /* rewrites the whole frame (iret): no RAX */
};

#define HC(nr, n, args) [nr] = {#n, do_##n, args, false, false}

static const struct hypercall hypercall_table[64] = {
    HC(__HYPERVISOR_set_trap_table, set_trap_table, 1),
    HC(__HYPERVISOR_set_callbacks, set_callbacks, 3),
    HC(__HYPERVISOR_stack_switch, stack_switch, 2),
    HC(__HYPERVISOR_fpu_taskswitch, fpu_taskswitch, 1),
    HC(__HYPERVISOR_set_debugreg, set_debugreg, 2),
    HC(__HYPERVISOR_get_debugreg, get_debugreg, 1),
    HC(__HYPERVISOR_memory_op, memory_op, 2),
    HC(__HYPERVISOR_multicall, multicall, 2),
    HC(__HYPERVISOR_xen_version, xen_version, 2),
    HC(__HYPERVISOR_console_io, console_io, 3),
    HC(__HYPERVISOR_vm_assist, vm_assist, 2),
    HC(__HYPERVISOR_set_segment_base, set_segment_base, 2),
    HC(__HYPERVISOR_sched_op, sched_op, 2),
    HC(__HYPERVISOR_callback_op, callback_op, 2),
    HC(__HYPERVISOR_physdev_op, physdev_op, 2),
    [__HYPERVISOR_iret] = {"iret", do_iret, 0, false, true},
};

const char *hypercall_name(unsigned int nr)
{
    if (nr < ARRAY_SIZE(hypercall_table) && hypercall_table[nr].name)
        return hypercall_table[nr].name;
    return "unknown";
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
    bool sets_regs =
        nr < ARRAY_SIZE(hypercall_table) && hypercall_table[nr].sets_regs;

    if (regs->rax >= ARRAY_SIZE(hypercall_table))
        nr = ~0u; /* never truncate a huge number into a valid one */
    long rc = hypercall_dispatch(nr, args);

    if (v->domain->hypercall_trace || rc == -ENOSYS)
        pr_info("d%u v%u hypercall %lu (%s)(%#lx, %#lx, %#lx) = %ld\n",
                v->domain->id, v->id, regs->rax, hypercall_name(nr), args[0],
                args[1], args[2], rc);
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
