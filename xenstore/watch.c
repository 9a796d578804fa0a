/*
 * Watches: registration per connection and event delivery, with xenstored
 * 4.17's rules. A change of path P fires every watch on P or on an ancestor
 * of P; removing a subtree fires, for each node below, the watches on
 * exactly that node, then the removed node as a change. Events go only to
 * connections that may read the node or its parent (or the node under its
 * old permissions, for SET_PERMS), and for @introduceDomain/@releaseDomain
 * to those their permission lists admit (dom0 always).
 */
#include "daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const specials[2] = {"@introduceDomain", "@releaseDomain"};

int xs_special_index(const char *path)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(path, specials[i]) == 0)
            return i;
    return -1;
}

static void watch_free(struct xs_watch *w)
{
    free(w->path);
    free(w->token);
    free(w);
}

int xs_watch_add(struct xs_conn *c, const char *path, const char *token,
                 bool relative)
{
    for (struct xs_watch *w = c->watches; w; w = w->next)
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
            return -EEXIST;
    if (!xs_conn_privileged(c) && c->nwatches >= c->d->q.watches)
        return -E2BIG;
    struct xs_watch *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    w->path = strdup(path);
    w->token = strdup(token);
    if (!w->path || !w->token) {
        watch_free(w);
        return -ENOMEM;
    }
    w->relative = relative;
    /* Appended, so events come in registration order. */
    struct xs_watch **pp = &c->watches;
    while (*pp)
        pp = &(*pp)->next;
    *pp = w;
    c->nwatches++;
    return 0;
}

int xs_watch_del(struct xs_conn *c, const char *path, const char *token)
{
    for (struct xs_watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
        struct xs_watch *w = *pp;
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
            *pp = w->next;
            watch_free(w);
            c->nwatches--;
            return 0;
        }
    }
    return -ENOENT;
}

void xs_watch_clear(struct xs_conn *c)
{
    while (c->watches) {
        struct xs_watch *w = c->watches;
        c->watches = w->next;
        watch_free(w);
    }
    c->nwatches = 0;
}

void xs_watch_send(struct xs_conn *c, struct xs_watch *w, const char *path)
{
    if (w->relative) {
        char home[32];
        int n = snprintf(home, sizeof(home), XS_LOCAL_DOMAIN "%u/", c->domid);
        if (strncmp(path, home, n) == 0)
            path += n;
    }
    xs_conn_send(c, XS_WATCH_EVENT, 0, 0, path, strlen(path) + 1, w->token,
                 strlen(w->token) + 1, false);
}

/* As xenstored's is_child: "/" contains every name (even @specials). */
static bool is_child(const char *child, const char *parent)
{
    size_t l = strlen(parent);
    if (l == 1 && parent[0] == '/')
        return true;
    return strncmp(child, parent, l) == 0 && (child[l] == '/' || child[l] == 0);
}

/* xenstored's watch_permitted: the node, or its parent, readable now, or
 * the node readable under its old permissions (SET_PERMS). */
static bool permitted(struct xs_conn *c, const struct xs_perm *p, uint32_t np,
                      const struct xs_perm *oldp, uint32_t nold,
                      const struct xs_node *parent)
{
    if (oldp && (xs_perm_for(c, oldp, nold) & XS_PERM_R))
        return true;
    if (p && (xs_perm_for(c, p, np) & XS_PERM_R))
        return true;
    return parent &&
           (xs_perm_for(c, parent->perms, parent->nperms) & XS_PERM_R);
}

void xs_watch_fire_perms(struct xs_daemon *d, const char *path,
                         const struct xs_perm *p, uint32_t np,
                         const struct xs_perm *oldp, uint32_t nold, bool exact)
{
    int special = path[0] == '@' ? xs_special_index(path) : -1;
    const struct xs_node *parent = NULL;
    if (path[0] == '/' && path[1]) {
        size_t len = strlen(path);
        parent =
            xs_nodemap_get(&d->store.map, path, xs_path_parent_len(path, len));
    }
    for (struct xs_conn *c = d->conns; c; c = c->next) {
        if (c->dead || !c->watches)
            continue;
        if (special >= 0) {
            if (!(xs_perm_for(c, d->special_perms[special],
                              d->special_nperms[special]) &
                  XS_PERM_R))
                continue;
        } else if (!permitted(c, p, np, oldp, nold, parent)) {
            continue;
        }
        for (struct xs_watch *w = c->watches; w && !c->dead; w = w->next) {
            bool hit =
                exact ? strcmp(path, w->path) == 0 : is_child(path, w->path);
            if (hit)
                xs_watch_send(c, w, path);
        }
    }
}

void xs_watch_fire(struct xs_daemon *d, const char *path,
                   const struct xs_perm *p, uint32_t np, bool exact)
{
    xs_watch_fire_perms(d, path, p, np, NULL, 0, exact);
}

/* Before a live subtree goes: each node below n fires watches on exactly
 * its path (children first), then n fires as an ordinary change. */
static void fire_below(struct xs_daemon *d, const struct xs_node *n)
{
    for (uint32_t off = 0; off < n->children_len;) {
        const char *name = n->children + off;
        off += strlen(name) + 1;
        char *cp = xs_path_join(n->path, n->path_len, name);
        const struct xs_node *c = cp ? xs_store_get(&d->store, cp) : NULL;
        if (c) {
            fire_below(d, c);
            xs_watch_fire(d, c->path, c->perms, c->nperms, true);
        }
        free(cp);
    }
}

void xs_watch_fire_rm(struct xs_daemon *d, const struct xs_node *n)
{
    fire_below(d, n);
    xs_watch_fire(d, n->path, n->perms, n->nperms, false);
}
