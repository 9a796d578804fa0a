/*
 * The production binding of vstored's ring transport in a Linux control
 * domain (xenbus_dom0.c): dom0's own xenbus ring, and the rings of the
 * guests that INTRODUCE names, through Linux's Xen devices.
 */
#ifndef VSTORE_XENBUS_DOM0_H
#define VSTORE_XENBUS_DOM0_H

#include "daemon.h"

struct xs_xenbus;

/* True if this looks like a Linux dom0 that waits for a local xenstored:
 * /dev/xen/evtchn and either /proc/xen/xsd_port or /dev/xen/xenbus_backend. */
bool xs_xenbus_present(void);

/* Maps dom0's store page, binds its event channel, connects dom0's ring
 * to the daemon d (which then uses this binding for INTRODUCE too),
 * writes dom0's entries as xen-init-dom0 does, and wakes the kernel.
 * On failure returns -errno and puts the reason into why. */
int xs_xenbus_open(struct xs_daemon *d, struct xs_xenbus **out, char *why,
                   size_t whylen);
/* The event channel device: readable when a bound port fired. */
int xs_xenbus_fd(const struct xs_xenbus *x);
/* Call when xs_xenbus_fd is readable: services the rings that fired. */
void xs_xenbus_event(void *x);
void xs_xenbus_close(struct xs_xenbus *x);

#endif
