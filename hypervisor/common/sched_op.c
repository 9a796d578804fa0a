/*
 * sched_op: yield, block, poll and shutdown (pv-abi.md 4.6). With one vCPU
 * per pCPU for now, yield has nothing to yield to and block waits here, in
 * the hypervisor, for the event that wakes the vCPU.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/io.h>

long do_sched_op(HYPERCALL_ARGS)
{
    struct vcpu *v = current;

    switch (a1) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block: {
        struct vcpu_info *vi = v->vcpu_info;
        if (vi)
            vi->evtchn_upcall_mask = 0; /* blocking enables events */
        /* Wait for an interrupt that leaves an event pending; the timer
         * interrupt is what ends most blocks. */
        while (vi && !vi->evtchn_upcall_pending &&
               v->domain->state == DOMAIN_RUNNING)
            safe_halt();
        return 0;
    }
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(&s, a2, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(v->domain, s.reason);
        return 0;
    }
    }
    return -ENOSYS;
}
