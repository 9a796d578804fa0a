/* Xen system time from our vcpu_info's vcpu_time_info and the TSC. */
#ifndef PVTEST_TIME_H
#define PVTEST_TIME_H

#include <stdint.h>

/* Nanoseconds since the hypervisor booted (the timers' time base). */
uint64_t pv_now(void);
/* Block (events enabled) until port has been seen by the upcall, at most
 * `tries` wake-ups; returns 1 if it was. */
int pv_block_until_seen(unsigned port, unsigned tries);

#endif
