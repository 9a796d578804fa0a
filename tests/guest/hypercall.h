/* Hypercall entry: through the hypercall page Xen fills (hcall) or with a
 * raw syscall (hcall_raw), plus typed wrappers used everywhere. */
#ifndef PVTEST_HYPERCALL_H
#define PVTEST_HYPERCALL_H

#include "xen.h"

long hcall(unsigned long nr, unsigned long a1, unsigned long a2,
           unsigned long a3, unsigned long a4, unsigned long a5);
long hcall_raw(unsigned long nr, unsigned long a1, unsigned long a2,
               unsigned long a3, unsigned long a4, unsigned long a5);

#define HC(nr, a1, a2, a3, a4, a5)                                             \
    hcall((nr), (unsigned long)(a1), (unsigned long)(a2), (unsigned long)(a3), \
          (unsigned long)(a4), (unsigned long)(a5))

static inline long hc_console_write(const char *buf, unsigned long len)
{
    return HC(__HYPERVISOR_console_io, CONSOLEIO_write, len, buf, 0, 0);
}
static inline long hc_xen_version(int cmd, void *arg)
{
    return HC(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0);
}
static inline long hc_memory_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
}
static inline long hc_mmu_update(mmu_update_t *req, unsigned count,
                                 unsigned *done, domid_t dom)
{
    return HC(__HYPERVISOR_mmu_update, req, count, done, dom, 0);
}
static inline long hc_mmuext_op(struct mmuext_op *op, unsigned count,
                                unsigned *done, domid_t dom)
{
    return HC(__HYPERVISOR_mmuext_op, op, count, done, dom, 0);
}
static inline long hc_update_va_mapping(unsigned long va, uint64_t pte,
                                        unsigned long flags)
{
    return HC(__HYPERVISOR_update_va_mapping, va, pte, flags, 0, 0);
}
static inline long hc_sched_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}
static inline long hc_evtchn_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}
static inline long hc_vcpu_op(int cmd, unsigned vcpu, void *arg)
{
    return HC(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0);
}
static inline long hc_callback_register(unsigned type, void (*fn)(void),
                                        unsigned flags)
{
    struct callback_register cb = {
        .type = type, .flags = flags, .address = (unsigned long)fn};
    return HC(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb, 0, 0, 0);
}
static inline long hc_grant_table_op(unsigned cmd, void *arg, unsigned count)
{
    return HC(__HYPERVISOR_grant_table_op, cmd, arg, count, 0, 0);
}

#endif
