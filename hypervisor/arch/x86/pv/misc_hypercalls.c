/*
 * Small hypercalls with x86 PV meaning: vm_assist (the behaviours Linux
 * asks to switch on, all of which we provide unconditionally) and the
 * physdev_op subset a guest without hardware uses (virtual IOPL).
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>

long do_vm_assist(HYPERCALL_ARGS)
{
    if (a1 != VMASST_CMD_enable && a1 != VMASST_CMD_disable)
        return -ENOSYS;
    switch (a2) {
    case VMASST_TYPE_4gb_segments:
    case VMASST_TYPE_4gb_segments_notify:
    case VMASST_TYPE_writable_pagetables:
    case VMASST_TYPE_pae_extended_cr3:
    case VMASST_TYPE_architectural_iopl:
    case VMASST_TYPE_runstate_update_flag:
        /* Recorded for the few that change behaviour (architectural_iopl:
         * iret and bounce frames carry the virtual IOPL). */
        if (a1 == VMASST_CMD_enable)
            current->domain->vm_assist |= 1UL << a2;
        else
            current->domain->vm_assist &= ~(1UL << a2);
        return 0;
    }
    return -EINVAL;
}

long do_physdev_op(HYPERCALL_ARGS)
{
    switch (a1) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl s;
        if (copy_from_guest(&s, a2, sizeof(s)))
            return -EFAULT;
        if (s.iopl > 3)
            return -EINVAL;
        current->virt_iopl = s.iopl;
        return 0;
    }
    }
    return -ENOSYS;
}
