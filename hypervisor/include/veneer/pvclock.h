/*
 * Guest time (pv-abi.md section 6): the vcpu_time_info each vCPU reads its
 * clock from, and the wallclock in shared_info.
 */
#ifndef VENEER_PVCLOCK_H
#define VENEER_PVCLOCK_H

#include <veneer/xen_abi.h>

void pvclock_init(void); /* after time_init(): scale factors, boot RTC */
void pvclock_update(struct vcpu_time_info *t);
void pvclock_set_wallclock(struct shared_info *s);

#endif
