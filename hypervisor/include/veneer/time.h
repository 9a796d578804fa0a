/*
 * Time in the hypervisor: nanoseconds since boot, from the TSC, calibrated
 * once against the PIT. The scaling is pvclock's (multiply, shift), which
 * is what guests will be given too.
 */
#ifndef VENEER_TIME_H
#define VENEER_TIME_H

#include <veneer/types.h>

void time_init(void); /* calibrates the TSC */
uint64_t tsc_khz(void);
uint64_t now_ns(void);    /* monotonic, since time_init() */
void udelay(uint64_t us); /* busy wait */

#endif
