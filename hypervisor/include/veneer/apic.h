/* The local APIC of each CPU: its one-shot timer, EOI, and the interrupt
 * command register (INIT, SIPI, IPIs). */
#ifndef VENEER_APIC_H
#define VENEER_APIC_H

#include <veneer/types.h>

void apic_init(void);           /* maps, enables and calibrates the APIC */
void apic_init_secondary(void); /* on each secondary CPU */
void apic_eoi(void);
unsigned int apic_id(void); /* this CPU's */
/* Writes the ICR (destination APIC ID, low word); false if it stayed busy. */
bool apic_send_icr(unsigned int dest, uint32_t low);
#define APIC_DM_FIXED     0x000
#define APIC_DM_INIT      0x500
#define APIC_DM_STARTUP   0x600
#define APIC_LEVEL_ASSERT 0x4000
/* Arms the one-shot timer to fire in delta_ns (clamped to what fits). */
void apic_timer_arm(uint64_t delta_ns);
void apic_timer_disarm(void);
uint64_t apic_timer_hz(void);

#endif
