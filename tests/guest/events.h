/* Event channels (2-level ABI): the upcall, per-port counters, helpers. */
#ifndef PVTEST_EVENTS_H
#define PVTEST_EVENTS_H

#include "pvtest.h"

#define PV_NR_PORTS 4096

/* How many times the upcall saw each port pending (cleared by tests). */
extern volatile uint32_t evtchn_seen[PV_NR_PORTS];
extern volatile uint64_t upcall_count;

void events_upcall(void);
/* Virtual interrupt flag: vcpu_info.evtchn_upcall_mask. Enabling delivers
 * anything pending at once (through a cheap hypercall's exit path). */
void events_enable(void);
void events_disable(void);
/* Close a port, ignoring errors (test cleanup). */
void evtchn_close_port(evtchn_port_t port);
int evtchn_is_pending(evtchn_port_t port);
void evtchn_set_mask(evtchn_port_t port, int masked);
void evtchn_clear(evtchn_port_t port);
/* Our domain id (what DOMID_SELF stands for). */
domid_t pv_domid(void);

#endif
