/* The local APIC of the boot CPU: its one-shot timer and EOI. */
#ifndef VENEER_APIC_H
#define VENEER_APIC_H

#include <veneer/types.h>

void apic_init(void); /* maps, enables and calibrates the APIC */
void apic_eoi(void);
/* Arms the one-shot timer to fire in delta_ns (clamped to what fits). */
void apic_timer_arm(uint64_t delta_ns);
void apic_timer_disarm(void);
uint64_t apic_timer_hz(void);

#endif
