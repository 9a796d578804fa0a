/*
 * Handlers of the per-connection state: WATCH, UNWATCH, RESET_WATCHES,
 * TRANSACTION_START and TRANSACTION_END.
 */
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PATH_BUF (XENSTORE_ABS_PATH_MAX + 64)

/* WATCH/UNWATCH: exactly a path and a token (4.17 refuses the depth
 * argument of newer clients with EINVAL, so do we). */
static int watch_args(struct xs_req *r, char *path, const char **token,
                      bool *relative, bool validate)
{
    const char *argv[2];
    if (xs_req_args(r, argv, 2) != 2)
        return -EINVAL;
    *token = argv[1];
    *relative = argv[0][0] != '/' && argv[0][0] != '@';
    if (validate)
        return xs_canon_path(r->c, argv[0], path, PATH_BUF, true);
    /* UNWATCH only canonicalises: an invalid path is simply not found. */
    if (*relative)
        snprintf(path, PATH_BUF, XS_LOCAL_DOMAIN "%u/%s", r->c->domid, argv[0]);
    else
        snprintf(path, PATH_BUF, "%s", argv[0]);
    return 0;
}

int xs_op_watch(struct xs_req *r)
{
    char path[PATH_BUF];
    const char *token;
    bool relative;
    int rc = watch_args(r, path, &token, &relative, true);
    if (rc || (rc = xs_watch_add(r->c, path, token, relative)))
        return rc;
    xs_reply_str(r, "OK");
    /* Fire on registration: clients rely on one event right away. */
    struct xs_watch *w = r->c->watches;
    while (w->next)
        w = w->next;
    xs_watch_send(r->c, w, path);
    return 0;
}

int xs_op_unwatch(struct xs_req *r)
{
    char path[PATH_BUF];
    const char *token;
    bool relative;
    int rc = watch_args(r, path, &token, &relative, false);
    if (rc)
        return rc;
    return xs_watch_del(r->c, path, token);
}

int xs_op_reset_watches(struct xs_req *r)
{
    xs_watch_clear(r->c);
    while (r->c->txns)
        xs_txn_end(r->c->txns, false);
    return 0;
}

int xs_op_txn_start(struct xs_req *r)
{
    struct xs_txn *t;
    if (r->t)
        return -EBUSY; /* no nesting */
    int rc = xs_txn_new(r->c, &t);
    if (rc)
        return rc;
    char buf[16];
    snprintf(buf, sizeof(buf), "%u", t->id);
    return xs_reply_str(r, buf);
}

int xs_op_txn_end(struct xs_req *r)
{
    const char *argv[1];
    if (xs_req_args(r, argv, 1) != 1)
        return -EINVAL;
    bool commit = strcmp(argv[0], "T") == 0;
    if (!commit && strcmp(argv[0], "F") != 0)
        return -EINVAL;
    if (!r->t)
        return -ENOENT;
    return xs_txn_end(r->t, commit);
}
