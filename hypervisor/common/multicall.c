/*
 * multicall: a batch of hypercalls in one trap (pv-abi.md 3.4). Entries
 * run in order, each result is written back; iret and nested multicalls
 * are refused in a batch. The batch stops early if the domain died.
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>

#define MULTICALL_MAX 512

long do_multicall(HYPERCALL_ARGS)
{
    uint64_t list = a1, nr = a2;
    struct multicall_entry e;

    if (nr > MULTICALL_MAX)
        return -EINVAL;
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t at = list + i * sizeof(e);
        if (copy_from_guest(&e, at, sizeof(e)))
            return -EFAULT;
        if (e.op == __HYPERVISOR_multicall || e.op == __HYPERVISOR_iret)
            e.result = (uint64_t)-EINVAL;
        else
            e.result = (uint64_t)hypercall_dispatch(
                e.op > 0xffffffffUL ? ~0u : (unsigned int)e.op,
                (const uint64_t *)e.args);
        if (copy_to_guest(at + offsetof(struct multicall_entry, result),
                          &e.result, sizeof(e.result)))
            return -EFAULT;
        if (current->domain->state != DOMAIN_RUNNING)
            break;
    }
    return 0;
}
