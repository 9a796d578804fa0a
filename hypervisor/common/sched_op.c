/*
 * sched_op: yield, block, poll and shutdown (pv-abi.md 4.6). Blocking and
 * yielding only mark the vCPU; the scheduler acts on the way out.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/io.h>
#include <veneer/sched.h>

long do_sched_op(HYPERCALL_ARGS)
{
    struct vcpu *v = current;

    switch (a1) {
    case SCHEDOP_yield:
        schedule_yield();
        return 0;
    case SCHEDOP_block: {
        struct vcpu_info *vi = v->vcpu_info;
        if (vi)
            vi->evtchn_upcall_mask = 0; /* blocking enables events */
        /* The scheduler switches away on the way out and back once an
         * event is pending (the return value is already in the frame). */
        if (!vi || !vi->evtchn_upcall_pending)
            vcpu_block(v);
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
