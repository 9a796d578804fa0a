/*
 * Boot-time guests with a xenstore ring (veneer's domU_xenstore): vstored
 * in dom0 finds them and introduces them, as Xen's init-dom0less does for
 * Xen's own boot-time (dom0less) domains. The hypervisor publishes each
 * one's ring frame and unbound port as HVM_PARAM_STORE_PFN and
 * HVM_PARAM_STORE_EVTCHN; we read them with HVMOP_get_param through
 * /dev/xen/privcmd for every possible domain id (ESRCH: no such domain,
 * EINVAL: one without a store, e.g. every PV guest on real Xen), write
 * the home a toolstack would (libxl's layout: /local/domain/N readable by
 * N, its control, device, data... owned by N; name "boot-N" as the
 * hypervisor calls it), then INTRODUCE it: the ring binding maps the page
 * through grant 1 and binds the port, and the guest's xenbus, waiting in
 * its boot, connects.
 */
#define _GNU_SOURCE
#include "xenbus_dom0.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/sys/privcmd.h>

#define PRIVCMD_DEV  "/dev/xen/privcmd"
#define MAX_BOOT_DOM 64 /* the hypervisor's MAX_DOMAINS */

static int get_param(int fd, uint32_t domid, uint32_t index, uint64_t *val)
{
    struct xen_hvm_param p = {.domid = (domid_t)domid, .index = index};
    privcmd_hypercall_t hc = {
        .op = __HYPERVISOR_hvm_op,
        .arg = {HVMOP_get_param, (uint64_t)(uintptr_t)&p},
    };
    if (ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
        return -errno;
    *val = p.value;
    return 0;
}

/* Builds "s1\0s2\0..." (count strings) into buf; its length or -1. */
static int strings(char *buf, size_t len, int count, ...)
{
    va_list ap;
    size_t off = 0;
    va_start(ap, count);
    for (int i = 0; i < count; i++) {
        const char *s = va_arg(ap, const char *);
        size_t n = strlen(s) + 1;
        if (off + n > len) {
            va_end(ap);
            return -1;
        }
        memcpy(buf + off, s, n);
        off += n;
    }
    va_end(ap);
    return (int)off;
}

static int req(struct xs_daemon *d, uint32_t type, const char *buf, int len,
               bool value, const char *what)
{
    char err[32] = "";
    /* WRITE's value is not NUL-terminated. */
    int rc = len < 0 ? -EINVAL
                     : xs_xenbus_request(d, type, buf, len - (value ? 1 : 0),
                                         err, sizeof(err));
    if (rc)
        xs_log(d, "boot domain: %s: %s", what, err[0] ? err : strerror(-rc));
    return rc;
}

static int make_home(struct xs_daemon *d, uint32_t domid, uint64_t pfn,
                     uint64_t port)
{
    static const char *const own[] = {"control", "device", "data", "drivers",
                                      "feature", "attr",   "error"};
    char home[64], path[96], v[32], r[16], n[16], buf[256];
    int rc;
    snprintf(home, sizeof(home), XS_LOCAL_DOMAIN "%u", domid);
    snprintf(r, sizeof(r), "r%u", domid);
    snprintf(n, sizeof(n), "n%u", domid);
    if ((rc = req(d, XS_MKDIR, buf, strings(buf, sizeof(buf), 1, home), false,
                  home)) ||
        (rc = req(d, XS_SET_PERMS, buf,
                  strings(buf, sizeof(buf), 3, home, "n0", r), false, home)))
        return rc;
    snprintf(v, sizeof(v), "%u", domid);
    snprintf(path, sizeof(path), "%s/domid", home);
    rc = req(d, XS_WRITE, buf, strings(buf, sizeof(buf), 2, path, v), true,
             path);
    snprintf(v, sizeof(v), "boot-%u", domid);
    snprintf(path, sizeof(path), "%s/name", home);
    rc = rc
             ?: req(d, XS_WRITE, buf, strings(buf, sizeof(buf), 2, path, v),
                    true, path);
    snprintf(v, sizeof(v), "%llu", (unsigned long long)port);
    snprintf(path, sizeof(path), "%s/store/port", home);
    rc = rc
             ?: req(d, XS_WRITE, buf, strings(buf, sizeof(buf), 2, path, v),
                    true, path);
    snprintf(v, sizeof(v), "%llu", (unsigned long long)pfn);
    snprintf(path, sizeof(path), "%s/store/ring-ref", home);
    rc = rc
             ?: req(d, XS_WRITE, buf, strings(buf, sizeof(buf), 2, path, v),
                    true, path);
    for (size_t i = 0; !rc && i < sizeof(own) / sizeof(own[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", home, own[i]);
        rc = req(d, XS_MKDIR, buf, strings(buf, sizeof(buf), 1, path), false,
                 path)
                 ?: req(d, XS_SET_PERMS, buf,
                        strings(buf, sizeof(buf), 2, path, n), false, path);
    }
    return rc;
}

int xs_boot_domains_introduce(struct xs_daemon *d)
{
    int fd = open(PRIVCMD_DEV, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        xs_log(d, "boot domains: %s: %s", PRIVCMD_DEV, strerror(errno));
        return 0;
    }
    int found = 0;
    for (uint32_t domid = 1; domid < MAX_BOOT_DOM; domid++) {
        uint64_t port, pfn;
        struct xs_domain *dom = xs_domain_get(d, domid, false);
        if (dom && dom->introduced)
            continue;
        if (get_param(fd, domid, HVM_PARAM_STORE_EVTCHN, &port) || !port ||
            get_param(fd, domid, HVM_PARAM_STORE_PFN, &pfn))
            continue;
        char buf[96], what[32];
        snprintf(what, sizeof(what), "INTRODUCE %u", domid);
        int len =
            snprintf(buf, sizeof(buf), "%u%c%llu%c%llu", domid, 0,
                     (unsigned long long)pfn, 0, (unsigned long long)port) +
            1;
        if (make_home(d, domid, pfn, port) ||
            req(d, XS_INTRODUCE, buf, len, false, what))
            continue;
        xs_log(d, "boot domain %u introduced (ring frame %#llx, port %llu)",
               domid, (unsigned long long)pfn, (unsigned long long)port);
        found++;
    }
    close(fd);
    return found;
}
