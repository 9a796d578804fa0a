/*
 * memory_op: what a guest may learn and change about its memory
 * (pv-abi.md 3.8). Fixed-size domains for now: the reservation calls only
 * report; populate/decrease (ballooning) answer -ENOSYS until needed.
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>
#include <veneer/mm.h>

/* The low 6 bits are the command; Xen keeps a continuation extent above. */
#define MEMOP_CMD_MASK 0x3f

struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __packed;

static long target_domain_pages(uint64_t arg, bool max)
{
    domid_t id;
    struct domain *d;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -EFAULT;
    d = id == DOMID_SELF ? current->domain : domain_by_id(id);
    if (!d)
        return -ESRCH;
    if (d != current->domain && !current->domain->privileged)
        return -EPERM;
    return (long)(max ? d->max_pages : d->tot_pages);
}

long do_memory_op(HYPERCALL_ARGS)
{
    struct domain *d = current->domain;
    uint64_t arg = a2;

    switch (a1 & MEMOP_CMD_MASK) {
    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = MACH2PHYS_VIRT_START,
            .v_end = MACH2PHYS_VIRT_END,
            .max_mfn = nr_machine_frames - 1,
        };
        return copy_to_guest(arg, &m, sizeof(m)) ? -EFAULT : 0;
    }
    case XENMEM_maximum_ram_page:
        return (long)(nr_machine_frames - 1);
    case XENMEM_current_reservation:
        return target_domain_pages(arg, false);
    case XENMEM_maximum_reservation:
        return target_domain_pages(arg, true);
    case XENMEM_memory_map:
    case XENMEM_machine_memory_map: {
        struct xen_memory_map map;
        struct e820_entry ram = {0, d->max_pages << PAGE_SHIFT, 1};
        if ((a1 & MEMOP_CMD_MASK) == XENMEM_machine_memory_map &&
            !d->privileged)
            return -EPERM;
        if (copy_from_guest(&map, arg, sizeof(map)))
            return -EFAULT;
        /* A hardware-less domain sees one RAM range: its own pages
         * (pv-abi.md 2.9; dom0 on real hardware would see the host map). */
        if (map.nr_entries < 1)
            return -EINVAL;
        if (copy_to_guest((uint64_t)map.buffer.p, &ram, sizeof(ram)))
            return -EFAULT;
        map.nr_entries = 1;
        return copy_to_guest(arg, &map, sizeof(map)) ? -EFAULT : 0;
    }
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
    case XENMEM_maximum_gpfn:
    case XENMEM_exchange:
        return memory_op_reservation(a1, arg);
    }
    return -ENOSYS;
}
