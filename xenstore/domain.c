/*
 * Domains as the daemon sees them: node and memory accounting per owner, the
 * introduced/released life cycle with its @introduceDomain/@releaseDomain
 * events, SET_TARGET's delegation, and the orphan cleanup on release
 * (nodes owned by a released domain are deleted, as xenstored does unless
 * told to keep orphans).
 */
#include "daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct xs_domain *xs_domain_get(struct xs_daemon *d, uint32_t domid,
                                bool create)
{
    for (struct xs_domain *dom = d->domains; dom; dom = dom->next)
        if (dom->domid == domid)
            return dom;
    if (!create)
        return NULL;
    struct xs_domain *dom = calloc(1, sizeof(*dom));
    if (!dom)
        return NULL;
    dom->domid = domid;
    dom->target = XS_DOMID_NONE;
    dom->next = d->domains;
    d->domains = dom;
    return dom;
}

void xs_domain_account(void *arg, uint32_t owner, int nodes, long bytes)
{
    struct xs_domain *dom = xs_domain_get(arg, owner, true);
    if (dom) {
        dom->nnodes += nodes;
        dom->nbytes += bytes;
    }
}

int xs_domain_introduce(struct xs_daemon *d, uint32_t domid, uint64_t gfn,
                        uint32_t port)
{
    struct xs_domain *dom = xs_domain_get(d, domid, true);
    if (!dom)
        return -ENOMEM;
    if (dom->introduced) {
        /* Again after resume or an event channel reset: rebind only. */
        if (d->ring && dom->conn && d->ring->rebind &&
            d->ring->rebind(d->ring->ctx, domid, port))
            return -EINVAL;
        dom->port = port;
        return 0;
    }
    if (d->ring) {
        struct xenstore_domain_interface *intf = NULL;
        int rc = d->ring->attach(d->ring->ctx, domid, gfn, port, &intf);
        if (rc)
            return rc;
        if ((rc = xs_ring_attach(d, dom, intf))) {
            d->ring->detach(d->ring->ctx, domid);
            return rc;
        }
    }
    dom->introduced = true;
    dom->released_fired = false;
    dom->gfn = gfn;
    dom->port = port;
    xs_log(d, "domain %u introduced (gfn %#llx port %u)", domid,
           (unsigned long long)gfn, port);
    xs_watch_fire(d, "@introduceDomain", NULL, 0, true);
    /* What the guest queued before it was introduced. */
    if (dom->conn)
        xs_ring_service(dom->conn);
    return 0;
}

/* Deletes every node owned by domid (and what lies below it). */
static void delete_orphans(struct xs_daemon *d, uint32_t domid)
{
    struct xs_nodemap *m = &d->store.map;
    size_t n = 0;
    char **paths = malloc((m->count + 1) * sizeof(*paths));
    if (!paths)
        return;
    for (size_t b = 0; b < m->nbuckets; b++)
        for (struct xs_node *x = m->buckets[b]; x; x = x->hnext)
            if (x->nperms && x->perms[0].id == domid && x->path_len > 1)
                paths[n++] = strdup(x->path);
    for (size_t i = 0; i < n; i++) {
        struct xs_node *x = paths[i] ? xs_store_get(&d->store, paths[i]) : 0;
        if (x) {
            xs_watch_fire_rm(d, x);
            xs_store_delete(&d->store, x);
        }
        free(paths[i]);
    }
    free(paths);
}

int xs_domain_release(struct xs_daemon *d, uint32_t domid)
{
    struct xs_domain *dom = xs_domain_get(d, domid, false);
    if (!dom || !dom->introduced)
        return -ENOENT;
    if (dom->conn) {
        struct xs_conn *c = dom->conn;
        xs_ring_detach(c);
        xs_conn_free(c);
    }
    if (d->ring)
        d->ring->detach(d->ring->ctx, domid);
    dom->introduced = false;
    dom->target = XS_DOMID_NONE;
    delete_orphans(d, domid);
    xs_log(d, "domain %u released", domid);
    if (!dom->released_fired) {
        dom->released_fired = true;
        xs_watch_fire(d, "@releaseDomain", NULL, 0, true);
    }
    return 0;
}

/* The hypervisor binding reports that domid shut down, crashed or died
 * (Xen's daemon learns it from VIRQ_DOM_EXC): listeners of @releaseDomain
 * hear it once per life of the domain; RESUME re-arms it. */
int xs_domain_shutdown(struct xs_daemon *d, uint32_t domid)
{
    struct xs_domain *dom = xs_domain_get(d, domid, false);
    if (!dom || !dom->introduced)
        return -ENOENT;
    if (!dom->released_fired) {
        dom->released_fired = true;
        xs_log(d, "domain %u shut down", domid);
        xs_watch_fire(d, "@releaseDomain", NULL, 0, true);
    }
    return 0;
}

void xs_domain_free_all(struct xs_daemon *d)
{
    while (d->domains) {
        struct xs_domain *dom = d->domains;
        d->domains = dom->next;
        free(dom);
    }
}
