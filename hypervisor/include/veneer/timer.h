/*
 * Software timers: a sorted list of deadlines (ns since boot) per pCPU,
 * driven by that CPU's local APIC one-shot timer. Callbacks run in interrupt
 * context with interrupts off; they may set or stop timers, including their
 * own.
 */
#ifndef VENEER_TIMER_H
#define VENEER_TIMER_H

#include <veneer/types.h>

struct timer;
typedef void (*timer_fn)(struct timer *t, void *data);

struct timer {
    uint64_t deadline;
    timer_fn fn;
    void *data;
    struct timer *next;
    bool active;
    unsigned int cpu; /* whose list it is on, while active */
};

void timer_init(struct timer *t, timer_fn fn, void *data);
void timer_set(struct timer *t, uint64_t deadline_ns);
void timer_stop(struct timer *t);
void timers_init(void); /* installs the APIC timer interrupt handler */
unsigned int timers_pending(void);

#endif
