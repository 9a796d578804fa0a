/*
 * The hypervisor as the console backend of boot-time domUs (pv-abi.md
 * 2.6): it drains each domU's console ring (struct xencons_interface in the
 * page start_info names) into "(dN) ..." lines, over an event channel
 * whose far end is the hypervisor itself.
 */
#ifndef VENEER_CONSOLE_RING_H
#define VENEER_CONSOLE_RING_H

#include <veneer/types.h>
#include <veneer/xen_abi.h>

struct domain;

/* Connects d's console ring in frame `ring` (d's own): returns 0 and the
 * guest's port for start_info, or a negative errno. */
int console_ring_connect(struct domain *d, mfn_t ring, evtchn_port_t *port);
/* Before d's memory goes: stop using its ring. */
void console_ring_disconnect(struct domain *d);

/* Adds guest bytes to d's console line (common/console_io.c). */
void guest_console_write(struct domain *d, const char *s, size_t n);

#endif
