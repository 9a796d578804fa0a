/*
 * Handlers of the per-connection state: WATCH, UNWATCH, RESET_WATCHES,
 * TRANSACTION_START and TRANSACTION_END.
 */
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PATH_BUF (XENSTORE_ABS_PATH_MAX + 64)

/* WATCH/UNWATCH: path, token and (WATCH, newer clients) a depth we ignore. */
static int watch_args(struct xs_req *r, char *path, const char **token,
                      bool *relative, int max)
{
    const char *argv[3];
    int n = xs_req_args(r, argv, max);
    if (n < 2)
        return -EINVAL;
    *token = argv[1];
    *relative = argv[0][0] != '/' && argv[0][0] != '@';
    return xs_canon_path(r->c, argv[0], path, PATH_BUF, true);
}

int xs_op_watch(struct xs_req *r)
{
    char path[PATH_BUF];
    const char *token;
    bool relative;
    int rc = watch_args(r, path, &token, &relative, 3);
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
    int rc = watch_args(r, path, &token, &relative, 2);
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
    if (r->hdr.tx_id)
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
    struct xs_txn *t = xs_txn_find(r->c, r->hdr.tx_id);
    if (!t)
        return -ENOENT;
    return xs_txn_end(t, commit);
}
