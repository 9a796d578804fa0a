/*
 * Console rings of boot-time domUs, drained by the hypervisor (see
 * console_ring.h). The guest writes bytes into out[], advances out_prod and
 * sends on its console port; we copy what lies between out_cons and
 * out_prod into its console lines, advance out_cons and notify it back, so
 * a writer waiting for room wakes up.
 *
 * The ring is guest memory and the guest may scribble on it at any time:
 * indexes are read once, a producer more than a ring ahead is a broken
 * ring (we skip to it, say so once, and carry on), and one notification
 * drains at most one ring's worth. A general reference keeps the frame
 * ours to write until the domain goes, even if the guest gives it back.
 */
#include <veneer/console.h>
#include <veneer/console_ring.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/event.h>
#include <veneer/mm.h>
#include <veneer/pv_mm.h>
#include <veneer/xencons.h>

struct console_ring {
    mfn_t mfn;              /* INVALID_MFN or 0: not connected */
    evtchn_port_t xen_port; /* our end of the channel */
    bool warned;
};

static struct console_ring rings[MAX_DOMAINS];

static void drain(struct domain *d, evtchn_port_t xen_port)
{
    struct console_ring *r = &rings[d->id];
    char buf[2048];
    bool broken;
    size_t n;

    if (!r->mfn || r->mfn == INVALID_MFN || r->xen_port != xen_port)
        return;
    n = xencons_take_output(mfn_to_virt(r->mfn), buf, &broken);
    if (broken && !r->warned)
        pr_warn("d%u: console ring indexes broken; skipping\n", d->id);
    r->warned |= broken;
    guest_console_write(d, buf, n);
    evtchn_notify_via_xen(d, xen_port);
}

int console_ring_connect(struct domain *d, mfn_t ring, evtchn_port_t *port)
{
    struct console_ring *r = &rings[d->id];
    struct evtchn_bind_interdomain bind;
    int xp, rc;

    if (pv_get_page(d, ring))
        return -EINVAL;
    xp = evtchn_alloc_unbound_xen(d, d->id, drain);
    if (xp < 0) {
        pv_put_page(ring);
        return xp;
    }
    bind = (struct evtchn_bind_interdomain){.remote_dom = DOMID_SELF,
                                            .remote_port = (evtchn_port_t)xp};
    rc = evtchn_bind_interdomain(d, &bind);
    if (rc) {
        evtchn_close_any(d, (evtchn_port_t)xp);
        pv_put_page(ring);
        return rc;
    }
    *r = (struct console_ring){.mfn = ring, .xen_port = (evtchn_port_t)xp};
    *port = bind.local_port;
    return 0;
}

void console_ring_disconnect(struct domain *d)
{
    struct console_ring *r = &rings[d->id];

    if (r->mfn && r->mfn != INVALID_MFN)
        pv_put_page(r->mfn);
    *r = (struct console_ring){.mfn = INVALID_MFN};
}
