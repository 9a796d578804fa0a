/*
 * Watches: registration per connection and event delivery. A change of
 * path P fires every watch on P or on an ancestor of P; removing a subtree
 * also fires watches registered below it (with their own path). Events go
 * only to connections allowed to read the changed node, and for the special
 * paths @introduceDomain/@releaseDomain to those their permission lists
 * admit (dom0 always).
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

void xs_watch_fire(struct xs_daemon *d, const char *path,
                   const struct xs_perm *p, uint32_t np, bool recursive)
{
    int special = path[0] == '@' ? xs_special_index(path) : -1;
    if (special >= 0) {
        p = d->special_perms[special];
        np = d->special_nperms[special];
    }
    for (struct xs_conn *c = d->conns; c; c = c->next) {
        if (c->dead || !c->watches)
            continue;
        if (!(xs_perm_for(c, p, np) & XS_PERM_R))
            continue;
        for (struct xs_watch *w = c->watches; w && !c->dead; w = w->next) {
            if (special >= 0 || path[0] == '@') {
                if (strcmp(w->path, path) == 0)
                    xs_watch_send(c, w, path);
            } else if (w->path[0] != '@' && xs_path_within(path, w->path)) {
                xs_watch_send(c, w, path);
            } else if (recursive && w->path[0] != '@' &&
                       xs_path_within(w->path, path)) {
                xs_watch_send(c, w, w->path);
            }
        }
    }
}
