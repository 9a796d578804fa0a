/*
 * The big hypervisor lock: one spinlock for all of the hypervisor's
 * shared state (domains, vCPUs, scheduler, timers, page types, event
 * channels, grant tables), held from every entry from a guest to the exit
 * back to it, and by an idle pCPU only while it looks for work. See the
 * top of common/schedule.c for the whole SMP design and what it costs.
 *
 * It is recursive per CPU in one narrow sense: an interrupt taken while
 * this CPU holds the lock (a hypercall runs with interrupts on) runs its
 * handler under the same hold. A CPU spinning for the lock keeps answering
 * TLB-flush requests (smp_flush_service), so a holder waiting for a flush
 * acknowledgement can never deadlock against it.
 */
#ifndef VENEER_BIGLOCK_H
#define VENEER_BIGLOCK_H

#include <veneer/types.h>

/* Takes the lock unless this CPU holds it already; true if it took it
 * (then it must be given back with biglock_release()). It waits with
 * interrupts off and leaves them as they were. */
bool biglock_enter(void);
void biglock_release(void);
bool biglock_held(void); /* by this CPU */

/* What it costs (the 'd' debug key prints them; updated under the lock). */
struct biglock_stats {
    uint64_t taken, contended, spin_tsc;
};
extern struct biglock_stats biglock_stats;

#endif
