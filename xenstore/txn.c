/*
 * Tree access with and without a transaction, and the transactions
 * themselves. A transaction never copies the database: it keeps an overlay
 * of the nodes it touched (a private copy of those it changed, a read record
 * with the generation it saw for those it only looked at, tombstones for
 * those it deleted). Commit checks that every touched node still has the
 * generation the transaction saw (else EAGAIN, nothing applied), then
 * replays deletions deepest first and creations/updates shallowest first.
 * Watches fire for live changes at once and for transactional ones at
 * commit.
 */
#include "daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int txn_limit(struct xs_txn *t)
{
    struct xs_conn *c = t->conn;
    if (!xs_conn_privileged(c) && t->ov.count >= c->d->q.txn_nodes)
        return -ENOSPC;
    return 0;
}

/* Records (once) that the transaction saw path with the live generation. */
static struct xs_node *txn_record(struct xs_daemon *d, struct xs_txn *t,
                                  const char *path, size_t len, int *err)
{
    struct xs_node *e = xs_nodemap_get(&t->ov, path, len);
    if (e)
        return e;
    if ((*err = txn_limit(t)))
        return NULL;
    struct xs_node *live = xs_nodemap_get(&d->store.map, path, len);
    e = xs_node_new(path, len);
    if (!e) {
        *err = -ENOMEM;
        return NULL;
    }
    e->base_gen = live ? live->gen : 0;
    xs_nodemap_put(&t->ov, e);
    return e;
}

struct xs_node *xs_view_get(struct xs_daemon *d, struct xs_txn *t,
                            const char *path, int *err)
{
    size_t len = strlen(path);
    *err = -ENOENT;
    if (!t) {
        struct xs_node *n = xs_nodemap_get(&d->store.map, path, len);
        return n;
    }
    struct xs_node *e = txn_record(d, t, path, len, err);
    if (!e)
        return NULL;
    *err = -ENOENT;
    if (e->flags & XS_NODE_DELETED)
        return NULL;
    if (e->flags & XS_NODE_COPY)
        return e;
    return xs_nodemap_get(&d->store.map, path, len);
}

/* The transaction's private, writable copy of an existing node. */
static struct xs_node *txn_own(struct xs_daemon *d, struct xs_txn *t,
                               const char *path, int *err)
{
    size_t len = strlen(path);
    struct xs_node *e = txn_record(d, t, path, len, err);
    if (!e)
        return NULL;
    *err = -ENOENT;
    if (e->flags & XS_NODE_DELETED)
        return NULL;
    if (e->flags & XS_NODE_COPY)
        return e;
    struct xs_node *live = xs_nodemap_get(&d->store.map, path, len);
    if (!live)
        return NULL;
    struct xs_node *copy = xs_node_clone(live);
    if (!copy) {
        *err = -ENOMEM;
        return NULL;
    }
    /* Keep the generation seen first, not the current one. */
    copy->base_gen = e->base_gen;
    copy->flags = XS_NODE_COPY;
    xs_nodemap_del(&t->ov, e);
    xs_node_free(e);
    xs_nodemap_put(&t->ov, copy);
    return copy;
}

int xs_view_create(struct xs_daemon *d, struct xs_txn *t, const char *path,
                   const void *v, uint32_t vlen, const struct xs_perm *p,
                   uint32_t np)
{
    int err = 0;
    size_t len = strlen(path);
    if (!t) {
        if (!xs_store_create(&d->store, path, v, vlen, p, np))
            return -ENOMEM;
        return 0;
    }
    char parent[XENSTORE_ABS_PATH_MAX + 1];
    size_t pl = xs_path_parent_len(path, len);
    memcpy(parent, path, pl);
    parent[pl] = 0;
    struct xs_node *pn = txn_own(d, t, parent, &err);
    if (!pn)
        return err;
    struct xs_node *e = txn_record(d, t, path, len, &err);
    if (!e)
        return err;
    if (xs_node_set_value(e, v, vlen) || xs_node_set_perms(e, p, np) ||
        xs_node_add_child(pn, path + xs_path_leaf(path, len)))
        return -ENOMEM;
    free(e->children);
    e->children = NULL;
    e->children_len = e->nchildren = 0;
    e->flags = (e->flags & XS_NODE_FIRE) | XS_NODE_COPY | XS_NODE_CREATED |
               XS_NODE_DIRTY;
    e->seq = ++t->seq;
    t->created++;
    return 0;
}

int xs_view_update(struct xs_daemon *d, struct xs_txn *t, const char *path,
                   const void *v, uint32_t vlen, const struct xs_perm *p,
                   uint32_t np)
{
    int err = 0;
    struct xs_node *n;
    if (!t) {
        n = xs_store_get(&d->store, path);
        if (!n)
            return -ENOENT;
        if (v && xs_store_write(&d->store, n, v, vlen))
            return -ENOMEM;
        if (p && xs_store_chmod(&d->store, n, p, np))
            return -ENOMEM;
        return 0;
    }
    n = txn_own(d, t, path, &err);
    if (!n)
        return err;
    if (v && xs_node_set_value(n, v, vlen))
        return -ENOMEM;
    if (p && xs_node_set_perms(n, p, np))
        return -ENOMEM;
    n->flags |= XS_NODE_DIRTY;
    return 0;
}

/* Tombstones path and everything below it in the transaction's view. */
static int txn_delete(struct xs_daemon *d, struct xs_txn *t, const char *path)
{
    int err = 0;
    struct xs_node *n = txn_own(d, t, path, &err);
    if (!n)
        return err;
    for (uint32_t off = 0; off < n->children_len;) {
        const char *name = n->children + off;
        off += strlen(name) + 1;
        char *cp = xs_path_join(n->path, n->path_len, name);
        if (!cp)
            return -ENOMEM;
        err = txn_delete(d, t, cp);
        if (!err) {
            struct xs_node *ce = xs_nodemap_get(&t->ov, cp, strlen(cp));
            if (ce)
                ce->flags |= XS_NODE_FIRE_EXACT;
        }
        free(cp);
        if (err && err != -ENOENT)
            return err;
    }
    free(n->children);
    n->children = NULL;
    n->children_len = n->nchildren = 0;
    n->flags =
        (n->flags & ~(XS_NODE_CREATED | XS_NODE_DIRTY)) | XS_NODE_DELETED;
    return 0;
}

int xs_view_delete(struct xs_daemon *d, struct xs_txn *t, const char *path)
{
    int err = 0;
    if (!t) {
        struct xs_node *n = xs_store_get(&d->store, path);
        if (!n)
            return -ENOENT;
        xs_store_delete(&d->store, n);
        return 0;
    }
    size_t len = strlen(path);
    char parent[XENSTORE_ABS_PATH_MAX + 1];
    size_t pl = xs_path_parent_len(path, len);
    memcpy(parent, path, pl);
    parent[pl] = 0;
    struct xs_node *pn = txn_own(d, t, parent, &err);
    if (!pn)
        return err;
    err = txn_delete(d, t, path);
    if (err)
        return err;
    xs_node_del_child(pn, path + xs_path_leaf(path, len));
    return 0;
}

int xs_txn_new(struct xs_conn *c, struct xs_txn **out)
{
    struct xs_daemon *d = c->d;
    if (!xs_conn_privileged(c) && c->ntxns >= d->q.txns)
        return -ENOSPC;
    struct xs_txn *t = calloc(1, sizeof(*t));
    if (!t || xs_nodemap_init(&t->ov, 64)) {
        free(t);
        return -ENOMEM;
    }
    /* Ids are never 0 and not reused while live. */
    do {
        t->id = ++d->next_txid;
    } while (t->id == 0 || xs_txn_find(c, t->id));
    t->conn = c;
    t->next = c->txns;
    c->txns = t;
    c->ntxns++;
    *out = t;
    return 0;
}

struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id)
{
    for (struct xs_txn *t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

void xs_txn_free(struct xs_txn *t)
{
    struct xs_conn *c = t->conn;
    for (struct xs_txn **pp = &c->txns; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            c->ntxns--;
            break;
        }
    }
    xs_nodemap_free(&t->ov);
    free(t);
}

static unsigned depth(const struct xs_node *n)
{
    unsigned k = 0;
    for (size_t i = 0; i < n->path_len; i++)
        k += n->path[i] == '/';
    return n->path_len == 1 ? 0 : k;
}

static int by_depth(const void *a, const void *b)
{
    const struct xs_node *x = *(struct xs_node *const *)a;
    const struct xs_node *y = *(struct xs_node *const *)b;
    unsigned dx = depth(x), dy = depth(y);
    if (dx != dy)
        return dx < dy ? -1 : 1;
    /* Siblings are created in the order the transaction made them. */
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int txn_commit(struct xs_daemon *d, struct xs_txn *t)
{
    size_t n = 0;
    struct xs_node **v = malloc((t->ov.count + 1) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t b = 0; b < t->ov.nbuckets; b++) {
        for (struct xs_node *e = t->ov.buckets[b]; e; e = e->hnext) {
            struct xs_node *live =
                xs_nodemap_get(&d->store.map, e->path, e->path_len);
            if ((live ? live->gen : 0) != e->base_gen) {
                free(v);
                return -EAGAIN;
            }
            v[n++] = e;
        }
    }
    qsort(v, n, sizeof(*v), by_depth);
    /* Deletions: events first, while the nodes are there to be seen (each
     * node below a removed root fires exactly, the root as a change), then
     * each deleted subtree once, from its top (all its live nodes are
     * tombstones here, or the generation check failed). */
    for (size_t i = n; i-- > 0;) {
        struct xs_node *e = v[i];
        if ((e->flags & XS_NODE_DELETED) &&
            (e->flags & (XS_NODE_FIRE | XS_NODE_FIRE_EXACT)) &&
            xs_store_get(&d->store, e->path))
            xs_watch_fire(d, e->path, e->perms, e->nperms,
                          !(e->flags & XS_NODE_FIRE));
    }
    for (size_t i = 0; i < n; i++) {
        struct xs_node *e = v[i];
        if (!(e->flags & XS_NODE_DELETED) || e->path_len == 1)
            continue;
        size_t pl = xs_path_parent_len(e->path, e->path_len);
        struct xs_node *pe = xs_nodemap_get(&t->ov, e->path, pl);
        if (pe && (pe->flags & XS_NODE_DELETED))
            continue;
        struct xs_node *live = xs_store_get(&d->store, e->path);
        if (live)
            xs_store_delete(&d->store, live);
    }
    for (size_t i = 0; i < n; i++) {
        struct xs_node *e = v[i];
        if (e->flags & XS_NODE_DELETED)
            continue;
        if (e->flags & XS_NODE_DIRTY) {
            struct xs_node *live = xs_store_get(&d->store, e->path);
            if (!live) {
                if (!xs_store_create(&d->store, e->path, e->value, e->value_len,
                                     e->perms, e->nperms))
                    continue;
            } else {
                xs_store_write(&d->store, live, e->value, e->value_len);
                xs_store_chmod(&d->store, live, e->perms, e->nperms);
            }
        }
        if (e->flags & XS_NODE_FIRE)
            xs_watch_fire(d, e->path, e->perms, e->nperms, false);
    }
    /* The replay above made the same children, but appended in replay
     * order; the transaction's own lists have the order it produced. */
    for (size_t i = 0; i < n; i++) {
        struct xs_node *e = v[i];
        if (!(e->flags & XS_NODE_COPY) || (e->flags & XS_NODE_DELETED))
            continue;
        struct xs_node *live = xs_store_get(&d->store, e->path);
        if (live && live->children_len == e->children_len &&
            live->nchildren == e->nchildren)
            memcpy(live->children, e->children, e->children_len);
    }
    free(v);
    return 0;
}

void xs_txn_note_change(struct xs_txn *t, const char *path)
{
    struct xs_node *e = xs_nodemap_get(&t->ov, path, strlen(path));
    if (e)
        e->flags |= XS_NODE_FIRE;
}

int xs_txn_end(struct xs_txn *t, bool commit)
{
    int rc = commit ? txn_commit(t->conn->d, t) : 0;
    xs_txn_free(t);
    return rc;
}
