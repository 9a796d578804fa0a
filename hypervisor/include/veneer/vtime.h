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

/* SCHEDOP_watchdog (common/watchdog.c): returns the id, 0, or an errno. */
long domain_watchdog(struct domain *d, uint32_t id, uint32_t timeout);
void domain_watchdogs_stop(struct domain *d);

/* Rewrites the vCPU's registered second vcpu_time_info (and nothing if
 * there is none or its address space is not the one loaded). */
void vcpu_time_area_update(struct vcpu *v);

/* Enters RUNSTATE_* `state`; writes the guest's copy when it can (the
 * vCPU's kernel page tables are the ones loaded). */
void vcpu_runstate_set(struct vcpu *v, int state);

#endif
