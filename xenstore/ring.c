/*
 * The guest side of xenstore: a domain's shared ring page
 * (struct xenstore_domain_interface) as a transport of the daemon core.
 * Indexes are free-running uint32; prod - cons never exceeds the ring size
 * (else the guest is broken: error field set, connection stopped). The
 * binding to a real hypervisor (mapping the page, the event channel) is
 * behind struct xs_ring_backend; xs_ring_service is called whenever the
 * domain's event channel fires, and notifies back when indexes moved.
 */
#include "daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ring {
    struct xenstore_domain_interface *intf;
    bool in_service, again;
};

static void ring_kick(struct xs_conn *c)
{
    xs_ring_service(c);
}

static const struct xs_conn_ops ring_ops = {.kick = ring_kick};

int xs_ring_attach(struct xs_daemon *d, struct xs_domain *dom,
                   struct xenstore_domain_interface *intf)
{
    struct ring *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->intf = intf;
    struct xs_conn *c = xs_conn_new(d, dom->domid, true, &ring_ops, r);
    if (!c) {
        free(r);
        return -ENOMEM;
    }
    dom->conn = c;
    dom->ring = r;
    intf->server_features =
        XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR;
    intf->connection = XENSTORE_CONNECTED;
    intf->error = XENSTORE_ERROR_NONE;
    return 0;
}

void xs_ring_detach(struct xs_conn *c)
{
    struct xs_domain *dom = xs_domain_get(c->d, c->domid, false);
    if (dom) {
        dom->ring = NULL;
        dom->conn = NULL;
    }
    free(c->priv);
    c->priv = NULL;
    c->ops = NULL;
}

static void notify(struct xs_conn *c)
{
    const struct xs_ring_backend *b = c->d->ring;
    if (b && b->notify)
        b->notify(b->ctx, c->domid);
}

/* The guest asked to reconnect: forget everything in flight. */
static void reconnect(struct xs_conn *c, struct xenstore_domain_interface *i)
{
    xs_watch_clear(c);
    while (c->txns)
        xs_txn_end(c->txns, false);
    c->in_used = 0;
    c->out_head = c->out_len = 0;
    c->sent_total = c->out_total;
    c->re_count = 0;
    i->req_cons = i->req_prod = 0;
    i->rsp_cons = i->rsp_prod = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    i->connection = XENSTORE_CONNECTED;
}

static bool broken(struct xs_conn *c, struct xenstore_domain_interface *i,
                   uint32_t err, const char *why)
{
    i->error = err;
    xs_conn_kill(c, why);
    return true;
}

/* One pass in each direction; true if an index moved. */
static bool move_bytes(struct xs_conn *c, struct xenstore_domain_interface *i)
{
    bool moved = false;
    while (!xs_conn_throttled(c)) {
        uint32_t cons = i->req_cons, prod = i->req_prod;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (prod - cons > XENSTORE_RING_SIZE)
            return broken(c, i, XENSTORE_ERROR_RINGIDX, "bad req index");
        void *p;
        size_t n = xs_conn_in_space(c, &p);
        size_t contig = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
        if (n > prod - cons)
            n = prod - cons;
        if (n > contig)
            n = contig;
        if (n == 0)
            break;
        memcpy(p, i->req + MASK_XENSTORE_IDX(cons), n);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        i->req_cons = cons + n;
        moved = true;
        xs_conn_in_commit(c, n);
        if (c->dead && c->dead_why &&
            strstr(c->dead_why, "longer than") != NULL)
            return broken(c, i, XENSTORE_ERROR_PROTO, c->dead_why);
    }
    for (;;) {
        const void *src;
        size_t n = xs_conn_out_peek(c, &src);
        uint32_t cons = i->rsp_cons, prod = i->rsp_prod;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (prod - cons > XENSTORE_RING_SIZE)
            return broken(c, i, XENSTORE_ERROR_RINGIDX, "bad rsp index");
        size_t space = XENSTORE_RING_SIZE - (prod - cons);
        size_t contig = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
        if (n > space)
            n = space;
        if (n > contig)
            n = contig;
        if (n == 0)
            break;
        memcpy(i->rsp + MASK_XENSTORE_IDX(prod), src, n);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        i->rsp_prod = prod + n;
        moved = true;
        xs_conn_out_consume(c, n);
    }
    return moved;
}

void xs_ring_service(struct xs_conn *c)
{
    struct ring *r = c->priv;
    if (!r)
        return;
    if (r->in_service) {
        r->again = true; /* output queued while we were moving bytes */
        return;
    }
    r->in_service = true;
    struct xenstore_domain_interface *i = r->intf;
    bool any = false;
    do {
        r->again = false;
        if (i->connection == XENSTORE_RECONNECT) {
            reconnect(c, i);
            any = true;
        }
        if (c->dead)
            break;
        any |= move_bytes(c, i);
    } while (r->again && !c->dead);
    r->in_service = false;
    if (any || c->dead)
        notify(c);
}
