/*
 * The request dispatcher: one table of message types with their handler and
 * the rules that apply before the handler runs (privilege, transaction id),
 * so that those rules live in one place. Also the helpers every handler
 * uses: argument splitting, path canonicalisation and the access decision.
 */
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define F_PRIV  1u /* dom0 (or privileged) callers only */
#define F_NOTID 2u /* ignores the header's tx_id (else it must exist) */

static const struct {
    const char *name;
    xs_handler fn;
    unsigned flags;
} ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {"CONTROL", xs_op_control, F_PRIV},
    [XS_DIRECTORY] = {"DIRECTORY", xs_op_directory, 0},
    [XS_READ] = {"READ", xs_op_read, 0},
    [XS_GET_PERMS] = {"GET_PERMS", xs_op_get_perms, 0},
    [XS_WATCH] = {"WATCH", xs_op_watch, F_NOTID},
    [XS_UNWATCH] = {"UNWATCH", xs_op_unwatch, F_NOTID},
    [XS_TRANSACTION_START] = {"TRANSACTION_START", xs_op_txn_start, 0},
    [XS_TRANSACTION_END] = {"TRANSACTION_END", xs_op_txn_end, 0},
    [XS_INTRODUCE] = {"INTRODUCE", xs_op_introduce, F_PRIV},
    [XS_RELEASE] = {"RELEASE", xs_op_release, F_PRIV},
    [XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", xs_op_get_domain_path, 0},
    [XS_WRITE] = {"WRITE", xs_op_write, 0},
    [XS_MKDIR] = {"MKDIR", xs_op_mkdir, 0},
    [XS_RM] = {"RM", xs_op_rm, 0},
    [XS_SET_PERMS] = {"SET_PERMS", xs_op_set_perms, 0},
    [XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", xs_op_is_introduced,
                                 F_PRIV},
    [XS_RESUME] = {"RESUME", xs_op_resume, F_PRIV},
    [XS_SET_TARGET] = {"SET_TARGET", xs_op_set_target, F_PRIV},
    [XS_RESET_WATCHES] = {"RESET_WATCHES", xs_op_reset_watches, 0},
    [XS_DIRECTORY_PART] = {"DIRECTORY_PART", xs_op_directory_part, 0},
};

const char *xs_errname(int err)
{
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    /* Never send a name the clients' table lacks. */
    return "EINVAL";
}

int xs_reply(struct xs_req *r, const void *data, size_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    r->replied = true;
    xs_conn_send(r->c, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, data, len,
                 NULL, 0, true);
    return 0;
}

int xs_reply_str(struct xs_req *r, const char *s)
{
    return xs_reply(r, s, strlen(s) + 1);
}

static void reply_error(struct xs_req *r, int err)
{
    const char *name = xs_errname(err);
    xs_conn_send(r->c, XS_ERROR, r->hdr.req_id, r->hdr.tx_id, name,
                 strlen(name) + 1, NULL, 0, true);
}

int xs_req_args(struct xs_req *r, const char **argv, int max)
{
    uint32_t len = r->hdr.len;
    if (len == 0 || r->data[len - 1] != 0)
        return -EINVAL;
    int n = 0;
    for (uint32_t off = 0; off < len; off += strlen(r->data + off) + 1) {
        if (n == max)
            return -EINVAL;
        argv[n++] = r->data + off;
    }
    return n;
}

static bool valid_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' || ch == '_' ||
           ch == '@';
}

int xs_canon_path(struct xs_conn *c, const char *in, char *buf, size_t len,
                  bool allow_special)
{
    size_t il = strlen(in);
    if (il == 0)
        return -EINVAL;
    if (in[0] == '@') {
        /* Special watch names: anything after '@', as xenstored. */
        if (!allow_special || il > XENSTORE_REL_PATH_MAX || il >= len)
            return -EINVAL;
        memcpy(buf, in, il + 1);
        return 0;
    }
    size_t pl = 0;
    if (in[0] != '/') {
        int n = snprintf(buf, len, XS_LOCAL_DOMAIN "%u/", c->domid);
        if (n < 0 || (size_t)n >= len)
            return -EINVAL;
        pl = n;
    }
    if (pl + il >= len || pl + il > XENSTORE_ABS_PATH_MAX)
        return -EINVAL;
    memcpy(buf + pl, in, il + 1);
    il += pl;
    /* xenstored's is_valid_nodename: the path-length quota counts what
     * follows /local/domain/<id>/, for every caller. */
    unsigned int id;
    int local_off = 0;
    if (sscanf(buf, XS_LOCAL_DOMAIN "%5u/%n", &id, &local_off) != 1)
        local_off = 0;
    if (il > local_off + c->d->q.path_len)
        return -EINVAL;
    /* No "//", no trailing '/', only the permitted characters. */
    for (size_t i = 0; i < il; i++) {
        if (!valid_char(buf[i]) || buf[i] == '@')
            return -EINVAL;
        if (buf[i] == '/' && (buf[i + 1] == '/' || (buf[i + 1] == 0 && i)))
            return -EINVAL;
    }
    return 0;
}

/* The access decision of xenstored's perm_for_conn. */
unsigned xs_perm_for(struct xs_conn *c, const struct xs_perm *p, uint32_t np)
{
    if (xs_conn_privileged(c))
        return XS_PERM_R | XS_PERM_W;
    struct xs_domain *dom = xs_domain_get(c->d, c->domid, false);
    uint32_t target = dom ? dom->target : XS_DOMID_NONE;
    if (np == 0)
        return 0;
    if (p[0].id == c->domid || p[0].id == target)
        return XS_PERM_R | XS_PERM_W;
    for (uint32_t i = 1; i < np; i++)
        if (!(p[i].perms & XS_PERM_IGNORED) &&
            (p[i].id == c->domid || p[i].id == target))
            return p[i].perms & (XS_PERM_R | XS_PERM_W);
    return p[0].perms;
}

void xs_dispatch(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *data)
{
    struct xs_req r = {.c = c, .hdr = *hdr, .data = data};
    int rc;
    c->d->nreq++;
    if (hdr->type >= XS_TYPE_COUNT || !ops[hdr->type].fn) {
        rc = -ENOSYS;
        goto out;
    }
    if (c->d->tracing)
        xs_log(c->d, "conn %llu IN %s tx=%u len=%u", (unsigned long long)c->id,
               ops[hdr->type].name, hdr->tx_id, hdr->len);
    if ((ops[hdr->type].flags & F_PRIV) && !xs_conn_privileged(c)) {
        rc = -EACCES;
        goto out;
    }
    /* As xenstored: every message but WATCH/UNWATCH names an existing
     * transaction of this connection, or none (0). */
    if (!(ops[hdr->type].flags & F_NOTID) && hdr->tx_id) {
        r.t = xs_txn_find(c, hdr->tx_id);
        if (!r.t) {
            rc = -ENOENT;
            goto out;
        }
    }
    rc = ops[hdr->type].fn(&r);
out:
    if (rc < 0)
        reply_error(&r, -rc);
    else if (!r.replied)
        xs_reply_str(&r, "OK");
}
