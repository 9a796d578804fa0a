/*
 * Hypercall handlers. Each takes the five argument registers as the guest
 * passed them (RDI, RSI, RDX, R10, R8) and returns the value for RAX: >= 0
 * on success, a negative Xen errno on failure. The one table that maps
 * numbers to handlers is in arch/x86/pv/hypercall.c.
 */
#ifndef VENEER_HYPERCALL_H
#define VENEER_HYPERCALL_H

#include <veneer/types.h>

#define HYPERCALL_ARGS \
    uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5

typedef long (*hypercall_fn)(HYPERCALL_ARGS);

long do_set_trap_table(HYPERCALL_ARGS);
long do_stack_switch(HYPERCALL_ARGS);
long do_set_gdt(HYPERCALL_ARGS);
long do_update_descriptor(HYPERCALL_ARGS);
long do_set_callbacks(HYPERCALL_ARGS);
long do_fpu_taskswitch(HYPERCALL_ARGS);
long do_set_segment_base(HYPERCALL_ARGS);
long do_callback_op(HYPERCALL_ARGS);
long do_iret(HYPERCALL_ARGS);
long do_console_io(HYPERCALL_ARGS);
long do_xen_version(HYPERCALL_ARGS);
long do_sched_op(HYPERCALL_ARGS);
long do_memory_op(HYPERCALL_ARGS);
long do_multicall(HYPERCALL_ARGS);
long do_vm_assist(HYPERCALL_ARGS);
long do_physdev_op(HYPERCALL_ARGS);
long do_platform_op(HYPERCALL_ARGS);
long do_set_debugreg(HYPERCALL_ARGS);
long do_get_debugreg(HYPERCALL_ARGS);
long do_event_channel_op(HYPERCALL_ARGS);
long do_vcpu_op(HYPERCALL_ARGS);
long do_set_timer_op(HYPERCALL_ARGS);
long do_grant_table_op(HYPERCALL_ARGS);
long do_mmu_update(HYPERCALL_ARGS);
long do_update_va_mapping(HYPERCALL_ARGS);
long do_mmuext_op(HYPERCALL_ARGS);
long do_domctl(HYPERCALL_ARGS); /* common/domctl.c */
/* memory_op's reservation sub-ops (common/memory_reservation.c); -ENOSYS
 * for the others. */
long memory_op_reservation(uint64_t cmd, uint64_t arg);

/* Whether hypercall nr touches only the calling vCPU (and its guest's
 * memory), so that it may run without the big lock. */
bool hypercall_is_vcpu_local(uint64_t nr);
/* Runs one hypercall by number (used by the entry path and multicall). */
long hypercall_dispatch(unsigned int nr, const uint64_t args[5]);

#endif
