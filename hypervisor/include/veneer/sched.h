/*
 * The scheduler: which vCPU each pCPU runs next. Round-robin over every
 * runnable vCPU of every running domain, with a timeslice; a blocked vCPU
 * becomes runnable again as soon as it has an event pending. The SMP
 * design (locking, per-CPU data, IPIs) is at the top of schedule.c.
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
/* v may have become runnable or has a new event: a pCPU looks at it. */
void sched_wake(struct vcpu *v);
/* v must stop running (down, its domain stopped): its pCPU reschedules. */
void sched_evict(struct vcpu *v);
/* Secondary pCPUs run vCPUs too (default; smp_sched=0 turns it off). */
extern bool sched_smp_enabled;
/* sched_dump=N: CPU 0 runs the 'd' debug key every N seconds; dump_at_exit:
 * once more when the last domain stops. For diagnosing stalls. */
extern unsigned int sched_dump_interval;
extern bool sched_dump_at_exit;
/* Nanoseconds v has run on pCPU cpu (its current stint included). */
uint64_t sched_vcpu_ns_on(const struct vcpu *v, unsigned int cpu);

/* arch hooks for a vCPU switch on this pCPU */
void arch_vcpu_save(struct vcpu *v);
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_init_fpu(struct vcpu *v);
/* An idle pCPU drops guest page tables for the hypervisor's own. */
void arch_load_idle_page_tables(void);

#endif
