/*
 * A vCPU's guest-visible time services (pv-abi.md section 6): its
 * single-shot and periodic timers, which raise VIRQ_TIMER, and its
 * runstate (running/blocked, with the time spent in each), mirrored into
 * the area the guest registered; and the frame its vcpu_info moved to.
 * Implemented in common/vcpu_op.c.
 */
#ifndef VENEER_VTIME_H
#define VENEER_VTIME_H

#include <veneer/types.h>

struct domain;
struct vcpu;

/* At vCPU creation / before the vCPU is freed (timers off the list). */
void vcpu_timers_init(struct vcpu *v);
void vcpu_timers_stop(struct vcpu *v);
/* Before a domain's memory goes: timers off, the vcpu_info frames'
 * references dropped (vcpu_info back in shared_info). */
void vcpu_op_teardown(struct domain *d);

/* Enters RUNSTATE_* `state`; writes the guest's copy when it can (the
 * vCPU's kernel page tables are the ones loaded). */
void vcpu_runstate_set(struct vcpu *v, int state);

#endif
