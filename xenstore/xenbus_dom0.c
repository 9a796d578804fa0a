/*
 * vstored in a Linux control domain: the production binding of the ring
 * transport (ring.c) to Linux's Xen devices.
 *
 * dom0's own xenbus: when start_info gives the initial domain no store
 * event channel, Linux allocates the store page and an unbound event
 * channel (remote end: itself) and waits for a local xenstored (its
 * xenbus_probe thread sleeps until the first event). It publishes both as
 * /proc/xen/xsd_kva (mmap) and /proc/xen/xsd_port (xenfs), and as
 * /dev/xen/xenbus_backend (mmap, IOCTL_XENBUS_BACKEND_EVTCHN). We map the
 * page, bind an interdomain channel to dom0's own port through
 * /dev/xen/evtchn, connect the ring and notify: the kernel's xenbus comes
 * up, and /dev/xen/xenbus and the kernel's watches run over our ring.
 * This is what Xen's xenstored does at start (dom0_init), and it works the
 * same on veneer and on real Xen.
 *
 * Guests (INTRODUCE domid gfn port): their page through grant reference 1
 * (GNTTAB_RESERVED_XENSTORE) with /dev/xen/gntdev, as xenstored prefers,
 * and an interdomain channel to their unbound port.
 *
 * At start we also write what Xen's xen-init-dom0 writes (4.17):
 * /local/domain/0/{domid,name}, /local/domain/0/device-model and
 * /local/pool/0/name, unless already there (xl reads names from them).
 */
#define _GNU_SOURCE
#include "xenbus_dom0.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/xen.h> /* domid_t and evtchn_port_t for the Linux headers */
#include <xen/event_channel.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>
#include <xen/sys/xenbus_dev.h>

#define XSD_KVA        "/proc/xen/xsd_kva"
#define XSD_PORT       "/proc/xen/xsd_port"
#define XENBUS_BACKEND "/dev/xen/xenbus_backend"
#define EVTCHN_DEV     "/dev/xen/evtchn"
#define GNTDEV_DEV     "/dev/xen/gntdev"
#define XS_GRANT_REF   1 /* GNTTAB_RESERVED_XENSTORE */
#define PAGE_BYTES     4096

struct bound {
    uint32_t domid;
    uint32_t local_port; /* our end, in /dev/xen/evtchn */
    void *page;
    uint64_t gnt_index; /* gntdev mapping of a guest's page */
    bool granted;
};

struct xs_xenbus {
    struct xs_daemon *d;
    int evfd;
    int gntfd;  /* opened on the first guest */
    int privfd; /* opened on the first VIRQ_DOM_EXC */
    int virq;   /* our port of VIRQ_DOM_EXC, -1 if none */
    struct bound *b;
    size_t nb, capb;
    struct xs_ring_backend be;
};

static struct bound *find_dom(struct xs_xenbus *x, uint32_t domid)
{
    for (size_t i = 0; i < x->nb; i++)
        if (x->b[i].domid == domid)
            return &x->b[i];
    return NULL;
}

static int bind_port(struct xs_xenbus *x, uint32_t domid, uint32_t port)
{
    struct ioctl_evtchn_bind_interdomain bi = {.remote_domain = domid,
                                               .remote_port = port};
    int rc = ioctl(x->evfd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bi);
    return rc < 0 ? -errno : rc;
}

static void unbind_port(struct xs_xenbus *x, uint32_t local)
{
    struct ioctl_evtchn_unbind u = {.port = local};
    ioctl(x->evfd, IOCTL_EVTCHN_UNBIND, &u);
}

static void be_notify(void *ctx, uint32_t domid)
{
    struct xs_xenbus *x = ctx;
    struct bound *b = find_dom(x, domid);
    if (b) {
        struct ioctl_evtchn_notify n = {.port = b->local_port};
        if (ioctl(x->evfd, IOCTL_EVTCHN_NOTIFY, &n) < 0)
            xs_log(x->d, "dom%u: notify port %u: %s", domid, b->local_port,
                   strerror(errno));
    }
}

static void unmap_guest(struct xs_xenbus *x, struct bound *b)
{
    munmap(b->page, PAGE_BYTES);
    if (b->granted) {
        struct ioctl_gntdev_unmap_grant_ref u = {.index = b->gnt_index,
                                                 .count = 1};
        ioctl(x->gntfd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
    }
}

/* A guest's ring page: grant reference 1 of domid through gntdev. */
static int map_guest(struct xs_xenbus *x, uint32_t domid, struct bound *b)
{
    if (x->gntfd < 0) {
        x->gntfd = open(GNTDEV_DEV, O_RDWR | O_CLOEXEC);
        if (x->gntfd < 0)
            return -errno;
    }
    struct ioctl_gntdev_map_grant_ref m = {.count = 1};
    m.refs[0].domid = domid;
    m.refs[0].ref = XS_GRANT_REF;
    if (ioctl(x->gntfd, IOCTL_GNTDEV_MAP_GRANT_REF, &m) < 0)
        return -errno;
    b->gnt_index = m.index;
    b->granted = true;
    b->page = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
                   x->gntfd, (off_t)m.index);
    if (b->page == MAP_FAILED) {
        int rc = -errno;
        struct ioctl_gntdev_unmap_grant_ref u = {.index = m.index, .count = 1};
        ioctl(x->gntfd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
        return rc;
    }
    return 0;
}

static int be_attach(void *ctx, uint32_t domid, uint64_t gfn, uint32_t port,
                     struct xenstore_domain_interface **intf)
{
    struct xs_xenbus *x = ctx;
    (void)gfn; /* the grant names the same page (xenstored ignores it too) */
    if (find_dom(x, domid))
        return -EEXIST;
    if (x->nb == x->capb) {
        size_t cap = x->capb ? x->capb * 2 : 8;
        struct bound *nb = realloc(x->b, cap * sizeof(*nb));
        if (!nb)
            return -ENOMEM;
        x->b = nb;
        x->capb = cap;
    }
    struct bound b = {.domid = domid};
    int rc = map_guest(x, domid, &b);
    if (rc) {
        xs_log(x->d, "dom%u: cannot map its ring (grant %d): %s", domid,
               XS_GRANT_REF, strerror(-rc));
        return -EINVAL;
    }
    rc = bind_port(x, domid, port);
    if (rc < 0) {
        xs_log(x->d, "dom%u: cannot bind its port %u: %s", domid, port,
               strerror(-rc));
        unmap_guest(x, &b);
        return -EINVAL;
    }
    b.local_port = (uint32_t)rc;
    x->b[x->nb++] = b;
    *intf = b.page;
    return 0;
}

static int be_rebind(void *ctx, uint32_t domid, uint32_t port)
{
    struct xs_xenbus *x = ctx;
    struct bound *b = find_dom(x, domid);
    if (!b)
        return -ENOENT;
    int rc = bind_port(x, domid, port);
    if (rc < 0)
        return rc;
    unbind_port(x, b->local_port);
    b->local_port = (uint32_t)rc;
    return 0;
}

static void be_detach(void *ctx, uint32_t domid)
{
    struct xs_xenbus *x = ctx;
    struct bound *b = find_dom(x, domid);
    if (!b || domid == 0) /* dom0's ring lives as long as the daemon */
        return;
    unbind_port(x, b->local_port);
    unmap_guest(x, b);
    *b = x->b[--x->nb];
}

/* dom0's page and port, as Linux publishes them. */
static int dom0_page(void **page, uint32_t *port, char *why, size_t len)
{
    int fd = open(XSD_KVA, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        char buf[32];
        int pfd = open(XSD_PORT, O_RDONLY | O_CLOEXEC);
        ssize_t n = pfd >= 0 ? read(pfd, buf, sizeof(buf) - 1) : -1;
        if (pfd >= 0)
            close(pfd);
        char *end;
        unsigned long p = 0;
        if (n > 0) {
            buf[n] = 0;
            p = strtoul(buf, &end, 0);
        }
        if (n <= 0 || end == buf || p == 0 || p > UINT32_MAX) {
            snprintf(why, len, "%s: no usable port", XSD_PORT);
            close(fd);
            return -EINVAL;
        }
        *port = (uint32_t)p;
    } else {
        fd = open(XENBUS_BACKEND, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            snprintf(why, len, "neither %s nor %s: %s", XSD_KVA, XENBUS_BACKEND,
                     strerror(errno));
            return -ENOENT;
        }
        int p = ioctl(fd, IOCTL_XENBUS_BACKEND_EVTCHN, 0);
        if (p <= 0) {
            /* ENODEV: the kernel's xenstore is elsewhere (start_info) */
            snprintf(why, len, "%s: no local store port: %s", XENBUS_BACKEND,
                     p < 0 ? strerror(errno) : "port 0");
            close(fd);
            return -ENODEV;
        }
        *port = (uint32_t)p;
    }
    *page = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int err = errno;
    close(fd);
    if (*page == MAP_FAILED) {
        snprintf(why, len, "cannot map dom0's store page: %s", strerror(err));
        return -err;
    }
    return 0;
}

int xs_xenbus_request(struct xs_daemon *d, uint32_t type, const void *payload,
                      size_t len, char *err, size_t errlen)
{
    struct xs_conn *c = xs_conn_new(d, 0, false, NULL, NULL);
    if (!c)
        return -ENOMEM;
    struct xsd_sockmsg h = {type, 0, 0, (uint32_t)len};
    char msg[XS_HDR_SIZE + 256];
    int rc = -EINVAL;
    if (sizeof(h) + len <= sizeof(msg)) {
        memcpy(msg, &h, sizeof(h));
        memcpy(msg + sizeof(h), payload, len);
        xs_conn_feed(c, msg, sizeof(h) + len);
        const char *p;
        struct xsd_sockmsg r;
        size_t n = xs_conn_out_peek(c, (const void **)&p);
        rc = -EIO;
        if (n >= sizeof(r)) {
            memcpy(&r, p, sizeof(r));
            rc = r.type == XS_ERROR ? -EIO : 0;
            if (rc && err && errlen)
                snprintf(err, errlen, "%.*s", (int)(n - sizeof(r)),
                         p + sizeof(r));
        }
    }
    xs_conn_free(c);
    return rc;
}

/* A path and an optional string value (WRITE: the value without NUL). */
static int request(struct xs_daemon *d, uint32_t type, const char *a,
                   const char *b)
{
    char buf[256];
    size_t alen = strlen(a) + 1, blen = b ? strlen(b) : 0;
    if (alen + blen > sizeof(buf))
        return -EINVAL;
    memcpy(buf, a, alen);
    memcpy(buf + alen, b, blen);
    return xs_xenbus_request(d, type, buf, alen + blen, NULL, 0);
}

/* What xen-init-dom0 writes, once. */
static int init_dom0_tree(struct xs_daemon *d)
{
    if (xs_store_get(&d->store, "/local/domain/0/name"))
        return 0;
    int rc = request(d, XS_WRITE, "/local/domain/0/domid", "0");
    if (!rc)
        rc = request(d, XS_WRITE, "/local/domain/0/name", "Domain-0");
    if (!rc)
        rc = request(d, XS_MKDIR, "/local/domain/0/device-model", NULL);
    if (!rc)
        rc = request(d, XS_WRITE, "/local/pool/0/name", "Pool-0");
    return rc;
}

bool xs_xenbus_present(void)
{
    return access(EVTCHN_DEV, F_OK) == 0 &&
           (access(XSD_PORT, F_OK) == 0 || access(XENBUS_BACKEND, F_OK) == 0);
}

int xs_xenbus_open(struct xs_daemon *d, struct xs_xenbus **out, char *why,
                   size_t whylen)
{
    struct xs_xenbus *x = calloc(1, sizeof(*x));
    void *page = NULL;
    uint32_t port = 0;
    int rc;
    if (!x) {
        snprintf(why, whylen, "out of memory");
        return -ENOMEM;
    }
    x->d = d;
    x->gntfd = x->privfd = x->virq = -1;
    x->be =
        (struct xs_ring_backend){be_attach, be_rebind, be_notify, be_detach, x};
    x->evfd = open(EVTCHN_DEV, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (x->evfd < 0) {
        rc = -errno;
        snprintf(why, whylen, "%s: %s", EVTCHN_DEV, strerror(errno));
        free(x);
        return rc;
    }
    if ((rc = dom0_page(&page, &port, why, whylen)))
        goto fail;
    x->b = calloc(8, sizeof(*x->b));
    if (!x->b) {
        rc = -ENOMEM;
        snprintf(why, whylen, "out of memory");
        goto fail;
    }
    x->capb = 8;
    rc = bind_port(x, 0, port);
    if (rc < 0) {
        snprintf(why, whylen, "cannot bind dom0's store port %u: %s", port,
                 strerror(-rc));
        goto fail;
    }
    x->b[0] =
        (struct bound){.domid = 0, .local_port = (uint32_t)rc, .page = page};
    x->nb = 1;
    struct xs_domain *dom0 = xs_domain_get(d, 0, true);
    if (!dom0 || (rc = xs_ring_attach(d, dom0, page))) {
        rc = -ENOMEM;
        snprintf(why, whylen, "out of memory");
        goto fail;
    }
    d->ring = &x->be;
    if ((rc = init_dom0_tree(d)))
        xs_log(d, "cannot write dom0's entries: %s", strerror(-rc));
    xs_log(d, "dom0's xenbus: page mapped, port %u bound to local port %u",
           port, x->b[0].local_port);
    /* Domains that shut down or die: @releaseDomain (dom_exc.c). */
    struct ioctl_evtchn_bind_virq bv = {.virq = VIRQ_DOM_EXC};
    x->virq = ioctl(x->evfd, IOCTL_EVTCHN_BIND_VIRQ, &bv);
    if (x->virq < 0)
        xs_log(d, "VIRQ_DOM_EXC: %s: no @releaseDomain on domain death",
               strerror(errno));
    /* Requests the kernel queued before we came, then the wake-up that
     * starts its xenbus_probe thread. */
    xs_ring_service(dom0->conn);
    be_notify(x, 0);
    *out = x;
    return 0;
fail:
    if (x->nb)
        unbind_port(x, x->b[0].local_port);
    if (page)
        munmap(page, PAGE_BYTES);
    free(x->b);
    close(x->evfd);
    free(x);
    return rc;
}

int xs_xenbus_fd(const struct xs_xenbus *x)
{
    return x->evfd;
}

void xs_xenbus_event(void *arg)
{
    struct xs_xenbus *x = arg;
    evtchn_port_t ports[64];
    ssize_t n = read(x->evfd, ports, sizeof(ports));
    if (n <= 0)
        return;
    size_t np = (size_t)n / sizeof(ports[0]);
    /* Unmask first: an event that arrives while we service is not lost. */
    if (write(x->evfd, ports, np * sizeof(ports[0])) < 0)
        xs_log(x->d, "evtchn unmask: %s", strerror(errno));
    for (size_t i = 0; i < np; i++) {
        if (x->virq >= 0 && (uint32_t)ports[i] == (uint32_t)x->virq) {
            xs_log(x->d, "VIRQ_DOM_EXC");
            xs_dom_exc_sweep(x->d, &x->privfd);
            continue;
        }
        for (size_t j = 0; j < x->nb; j++) {
            if (x->b[j].local_port != (uint32_t)ports[i])
                continue;
            struct xs_domain *dom = xs_domain_get(x->d, x->b[j].domid, false);
            if (dom && dom->conn)
                xs_ring_service(dom->conn);
            break;
        }
    }
}

void xs_xenbus_close(struct xs_xenbus *x)
{
    if (!x)
        return;
    if (x->d->ring == &x->be) {
        struct xs_domain *dom0 = xs_domain_get(x->d, 0, false);
        if (dom0 && dom0->conn) {
            struct xs_conn *c = dom0->conn;
            xs_ring_detach(c);
            xs_conn_free(c);
        }
        x->d->ring = NULL;
    }
    for (size_t i = 0; i < x->nb; i++) {
        unbind_port(x, x->b[i].local_port);
        if (x->b[i].domid == 0)
            munmap(x->b[i].page, PAGE_BYTES);
        else
            unmap_guest(x, &x->b[i]);
    }
    free(x->b);
    if (x->gntfd >= 0)
        close(x->gntfd);
    if (x->privfd >= 0)
        close(x->privfd);
    close(x->evfd);
    free(x);
}
