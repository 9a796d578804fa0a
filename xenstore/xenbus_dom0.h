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

/* One request as dom0's tools send it (payload: the message's bytes),
 * answered in place: 0, or -EIO with the error name in err. */
int xs_xenbus_request(struct xs_daemon *d, uint32_t type, const void *payload,
                      size_t len, char *err, size_t errlen);

/* boot_domains.c: the hypervisor's boot-time guests with a xenstore ring
 * get their home in the tree and are introduced. Returns how many. Call
 * it in the daemon's final process: gntdev mappings do not survive fork. */
int xs_boot_domains_introduce(struct xs_daemon *d);

/* dom_exc.c: after VIRQ_DOM_EXC, what became of the domains we introduced
 * (getdomaininfo through privcmd, opened into *privfd on first use). */
void xs_dom_exc_sweep(struct xs_daemon *d, int *privfd);
/* The hypervisor's answer for SET_PERMS owners (daemon.h's domain_exists;
 * ctx points to an fd from xs_hv_open, which is -1 outside a Xen domain). */
int xs_hv_domain_exists(void *ctx, uint32_t domid);
int xs_hv_open(void);

#endif
