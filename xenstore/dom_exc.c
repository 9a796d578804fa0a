/*
 * Domain death, as the hypervisor tells dom0: VIRQ_DOM_EXC fires when a
 * domain shuts down, crashes or dies, and says nothing about which; like
 * Xen's xenstored, we then ask XEN_DOMCTL_getdomaininfo (through
 * /dev/xen/privcmd) about every domain we introduced. Shut down or crashed:
 * @releaseDomain fires (once per life: xs_domain_shutdown); dying or gone:
 * the domain is released (its connection, ring and nodes go, and
 * @releaseDomain fires). The same question answers SET_PERMS whether an
 * owner is a domain at all (xs_hv_domain_exists). domctl is the tools'
 * interface: its definitions need __XEN_TOOLS__ before any Xen header.
 */
#define __XEN_TOOLS__ 1
#define _GNU_SOURCE
#include "xenbus_dom0.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sys/privcmd.h>

#define PRIVCMD_DEV "/dev/xen/privcmd"

/* getdomaininfo of domid into *op: 1 it exists (dying included), 0 it
 * does not, -errno if we cannot tell. */
static int domain_info(int fd, uint32_t domid, struct xen_domctl *op)
{
    *op = (struct xen_domctl){.cmd = XEN_DOMCTL_getdomaininfo,
                              .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                              .domain = (domid_t)domid};
    privcmd_hypercall_t hc = {.op = __HYPERVISOR_domctl,
                              .arg = {(uint64_t)(uintptr_t)op}};
    if (ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
        return errno == ESRCH ? 0 : -errno;
    /* 4.17 answers the next domain up when this one is gone. */
    return op->domain == domid;
}

/* 1 shut down, 2 dying or gone, 0 running, -errno if we cannot tell. */
static int domain_state(int fd, uint32_t domid)
{
    struct xen_domctl op;
    int rc = domain_info(fd, domid, &op);
    if (rc <= 0)
        return rc ? rc : 2;
    if (op.u.getdomaininfo.flags & XEN_DOMINF_dying)
        return 2;
    return (op.u.getdomaininfo.flags & XEN_DOMINF_shutdown) ? 1 : 0;
}

int xs_hv_domain_exists(void *ctx, uint32_t domid)
{
    struct xen_domctl op;
    if (domid >= DOMID_FIRST_RESERVED)
        return 0;
    return domain_info(*(int *)ctx, domid, &op);
}

int xs_hv_open(void)
{
    return open(PRIVCMD_DEV, O_RDWR | O_CLOEXEC);
}

void xs_dom_exc_sweep(struct xs_daemon *d, int *privfd)
{
    if (*privfd < 0) {
        *privfd = xs_hv_open();
        if (*privfd < 0) {
            xs_log(d, "VIRQ_DOM_EXC: %s: %s", PRIVCMD_DEV, strerror(errno));
            return;
        }
    }
    for (struct xs_domain *dom = d->domains; dom; dom = dom->next) {
        if (!dom->introduced || dom->domid == 0)
            continue;
        int st = domain_state(*privfd, dom->domid);
        if (st < 0)
            xs_log(d, "dom%u: getdomaininfo: %s", dom->domid, strerror(-st));
        else if (st == 1)
            xs_domain_shutdown(d, dom->domid);
        else if (st == 2)
            xs_domain_release(d, dom->domid);
    }
}
