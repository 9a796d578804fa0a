/*
 * platform_op (7): the control domain's questions about the machine. A
 * hardware-less dom0 (pv-abi.md 2.9) sees the platform that its ACPI
 * tables describe (dom0_acpi.c): one CPU per dom0 vCPU, APIC ID = ACPI ID
 * = vCPU id. Linux 6.9+ reads the boot CPU's APIC ID through
 * XENPF_get_cpuinfo and matches it against that MADT. Firmware, power and
 * microcode control stay -ENOSYS: there is no hardware to control.
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>

#include <xen/platform.h>

static void get_cpuinfo(const struct domain *d, struct xenpf_pcpuinfo *g)
{
    /* Xen's answer for a CPU that is not there: INVALID, call succeeds. */
    if (g->xen_cpuid >= d->nr_vcpus || !d->vcpus[g->xen_cpuid]) {
        g->flags = XEN_PCPU_FLAGS_INVALID;
    } else {
        g->apic_id = g->xen_cpuid;
        g->acpi_id = g->xen_cpuid;
        g->flags = XEN_PCPU_FLAGS_ONLINE;
    }
    g->max_present = d->nr_vcpus - 1;
}

long do_platform_op(HYPERCALL_ARGS)
{
    struct domain *d = current->domain;
    struct xen_platform_op op;

    if (!d->privileged)
        return -EPERM;
    if (copy_from_guest(&op, a1, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XENPF_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    case XENPF_get_cpuinfo:
        get_cpuinfo(d, &op.u.pcpu_info);
        return copy_to_guest(a1 + offsetof(struct xen_platform_op, u),
                             &op.u.pcpu_info, sizeof(op.u.pcpu_info))
                   ? -EFAULT
                   : 0;
    }
    return -ENOSYS;
}
