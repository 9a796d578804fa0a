/*
 * The scheduler: which vCPU this pCPU runs next. Round-robin over every
 * runnable vCPU of every running domain, with a timeslice; a blocked vCPU
 * becomes runnable again as soon as it has an event pending. One pCPU for
 * now.
 */
#ifndef VENEER_SCHED_H
#define VENEER_SCHED_H

#include <veneer/domain.h>

#define SCHED_TIMESLICE_NS 10000000ULL /* 10 ms */

void sched_init(void);
/* Called on the way back to a guest: switches vCPUs when the timeslice
 * is over or the current vCPU cannot run. Never returns to a dead vCPU. */
void schedule(void);
/* schedule() if the timeslice is over or the current vCPU cannot run. */
void sched_maybe_switch(void);
/* Gives the pCPU to another runnable vCPU, if any, on the way out. */
void schedule_yield(void);
/* Marks the current vCPU blocked until an event is pending for it. */
void vcpu_block(struct vcpu *v);
bool vcpu_runnable(const struct vcpu *v);
/* sched_op.c's side of a wake-up, run when v gets the pCPU back: ends its
 * poll, marks it running, refreshes its time. */
void sched_vcpu_resumed(struct vcpu *v);
/* Starts running vCPUs: never returns. */
void __noreturn sched_start(void);
/* Where a secondary pCPU goes once it is up: never returns. */
void __noreturn sched_idle_secondary(void);

/* arch hooks for a vCPU switch on this pCPU */
void arch_vcpu_save(struct vcpu *v);
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_init_fpu(struct vcpu *v);

#endif
