/*
 * Handlers of the messages that read and change the tree: READ, WRITE,
 * MKDIR, RM, DIRECTORY, DIRECTORY_PART, GET_PERMS, SET_PERMS. Each one:
 * parse the arguments, canonicalise the path, check access and quotas,
 * act through the (possibly transactional) view, reply, fire watches.
 */
#include "daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PATH_BUF (XENSTORE_ABS_PATH_MAX + 64)

/* The single path argument of READ, MKDIR, RM, DIRECTORY, GET_PERMS. */
static int one_path(struct xs_req *r, char *buf, bool special)
{
    const char *argv[1];
    int n = xs_req_args(r, argv, 1);
    if (n < 0)
        return n;
    return xs_canon_path(r->c, argv[0], buf, PATH_BUF, special);
}

/* xenstored's errno_from_parents: a missing node is ENOENT only to those
 * with the access they asked for on its nearest existing ancestor; others
 * get EACCES and learn nothing about what exists. */
static int missing_errno(struct xs_req *r, const char *path, unsigned need)
{
    char buf[PATH_BUF];
    size_t len = strlen(path);
    if (xs_conn_privileged(r->c) || len >= sizeof(buf))
        return -ENOENT;
    memcpy(buf, path, len + 1);
    while (len > 1) {
        int err;
        len = xs_path_parent_len(buf, len);
        buf[len] = 0;
        struct xs_node *a = xs_view_get(r->c->d, r->t, buf, &err);
        if (a)
            return (xs_perm_for(r->c, a->perms, a->nperms) & need) == need
                       ? -ENOENT
                       : -EACCES;
        if (err != -ENOENT)
            return err;
    }
    return -ENOENT;
}

static int get_node(struct xs_req *r, const char *path, unsigned need,
                    struct xs_node **out)
{
    int err;
    struct xs_node *n = xs_view_get(r->c->d, r->t, path, &err);
    if (!n)
        return err == -ENOENT ? missing_errno(r, path, need) : err;
    if ((xs_perm_for(r->c, n->perms, n->nperms) & need) != need)
        return -EACCES;
    *out = n;
    return 0;
}

int xs_op_read(struct xs_req *r)
{
    char path[PATH_BUF];
    struct xs_node *n;
    int rc = one_path(r, path, false);
    if (rc || (rc = get_node(r, path, XS_PERM_R, &n)))
        return rc;
    return xs_reply(r, n->value, n->value_len);
}

int xs_op_directory(struct xs_req *r)
{
    char path[PATH_BUF];
    struct xs_node *n;
    int rc = one_path(r, path, false);
    if (rc || (rc = get_node(r, path, XS_PERM_R, &n)))
        return rc;
    return xs_reply(r, n->children, n->children_len);
}

int xs_op_directory_part(struct xs_req *r)
{
    const char *argv[2];
    char path[PATH_BUF], *end;
    struct xs_node *n;
    int rc = xs_req_args(r, argv, 2);
    if (rc != 2)
        return -EINVAL;
    if ((rc = xs_canon_path(r->c, argv[0], path, sizeof(path), false)))
        return rc;
    /* The offset is read as xenstored does (atoi): junk reads as 0. */
    unsigned int off = (unsigned int)strtol(argv[1], &end, 10);
    if ((rc = get_node(r, path, XS_PERM_R, &n)))
        return rc;
    char buf[XENSTORE_PAYLOAD_MAX];
    int gl = snprintf(buf, sizeof(buf), "%" PRIu64, n->gen) + 1;
    size_t room = sizeof(buf) - gl - 1; /* keep one for the final "" */
    size_t take = 0;
    while (off < n->children_len && off + take < n->children_len) {
        size_t l = strlen(n->children + off + take) + 1;
        if (take + l > room)
            break;
        take += l;
    }
    if (take)
        memcpy(buf + gl, n->children + off, take);
    size_t len = gl + take;
    if (off >= n->children_len || off + take == n->children_len)
        buf[len++] = 0; /* an empty string marks the end */
    return xs_reply(r, buf, len);
}

/* Walks up from path to the nearest node that exists in the view. */
static int nearest_ancestor(struct xs_req *r, const char *path,
                            struct xs_node **out, unsigned *missing)
{
    char buf[PATH_BUF];
    size_t len = strlen(path);
    memcpy(buf, path, len + 1);
    *missing = 0;
    for (;;) {
        int err;
        struct xs_node *n = xs_view_get(r->c->d, r->t, buf, &err);
        if (n) {
            *out = n;
            return 0;
        }
        if (err != -ENOENT)
            return err;
        (*missing)++;
        len = xs_path_parent_len(buf, len);
        buf[len] = 0;
    }
}

static int node_quota(struct xs_req *r, uint32_t owner, unsigned more)
{
    struct xs_conn *c = r->c;
    if (xs_conn_privileged(c))
        return 0;
    struct xs_domain *dom = xs_domain_get(c->d, owner, false);
    unsigned have = (dom ? dom->nnodes : 0) + (r->t ? r->t->created : 0);
    return have + more > c->d->q.nodes ? -ENOSPC : 0;
}

/* Bytes owned per domain (paths, values, perms, child names). */
static int mem_quota(struct xs_req *r, uint32_t owner, long more)
{
    struct xs_conn *c = r->c;
    if (xs_conn_privileged(c) || more <= 0)
        return 0;
    struct xs_domain *dom = xs_domain_get(c->d, owner, false);
    long have = dom ? dom->nbytes : 0;
    return have + more > (long)c->d->q.memory ? -ENOSPC : 0;
}

static int size_quota(struct xs_req *r, size_t vlen, const struct xs_node *n)
{
    if (xs_conn_privileged(r->c))
        return 0;
    size_t sz = vlen + (n ? n->nperms * sizeof(struct xs_perm) + n->children_len
                          : sizeof(struct xs_perm));
    return sz > r->c->d->q.node_size ? -ENOSPC : 0;
}

/* Creates path and its missing ancestors; they inherit the permissions of
 * the nearest existing ancestor, owned by the creator if unprivileged. */
static int create_path(struct xs_req *r, const char *path, const void *v,
                       uint32_t vlen)
{
    struct xs_daemon *d = r->c->d;
    struct xs_node *anc = NULL;
    unsigned missing;
    int rc = nearest_ancestor(r, path, &anc, &missing);
    if (rc)
        return rc;
    if (!(xs_perm_for(r->c, anc->perms, anc->nperms) & XS_PERM_W))
        return -EACCES;
    uint32_t np = anc->nperms;
    struct xs_perm *p = malloc(np * sizeof(*p) + 1);
    if (!p)
        return -ENOMEM;
    memcpy(p, anc->perms, np * sizeof(*p));
    if (!xs_conn_privileged(r->c))
        p[0].id = r->c->domid;
    /* A bound on the new memory: each new node's path, perms and its name
     * in its parent's list, plus the value. */
    size_t len = strlen(path), l = len;
    long more = (long)missing * (2 * len + 2 + np * sizeof(*p)) + vlen;
    if ((rc = node_quota(r, p[0].id, missing)) ||
        (rc = size_quota(r, vlen, NULL)) || (rc = mem_quota(r, p[0].id, more)))
        goto out;
    /* Create top-down: each component's parent exists when it is made.
     * cut[i] is the length of the i-th missing path, deepest first. */
    size_t *cut = malloc(missing * sizeof(*cut));
    char buf[PATH_BUF];
    rc = -ENOMEM;
    if (!cut)
        goto out;
    memcpy(buf, path, len + 1);
    for (unsigned i = 0; i < missing; i++) {
        cut[i] = l;
        l = xs_path_parent_len(buf, l);
    }
    rc = 0;
    for (unsigned i = missing; i-- > 0 && !rc;) {
        char save = buf[cut[i]];
        bool last = i == 0;
        buf[cut[i]] = 0;
        rc = xs_view_create(d, r->t, buf, last ? v : NULL, last ? vlen : 0, p,
                            np);
        buf[cut[i]] = save;
    }
    free(cut);
    if (rc)
        goto out;
    if (!r->t)
        xs_watch_fire(d, path, p, np, false);
    else
        xs_txn_note_change(r->t, path);
out:
    free(p);
    return rc;
}

static int write_or_mkdir(struct xs_req *r, const char *path, const void *v,
                          uint32_t vlen, bool mkdir)
{
    int err;
    struct xs_node *n = xs_view_get(r->c->d, r->t, path, &err);
    if (!n) {
        if (err != -ENOENT)
            return err;
        return create_path(r, path, v, vlen);
    }
    if (!(xs_perm_for(r->c, n->perms, n->nperms) & XS_PERM_W))
        return -EACCES;
    if (mkdir)
        return 0;
    if ((err = size_quota(r, vlen, n)) ||
        (err = mem_quota(r, n->nperms ? n->perms[0].id : 0,
                         (long)vlen - n->value_len)))
        return err;
    if ((err = xs_view_update(r->c->d, r->t, path, v, vlen, NULL, 0)))
        return err;
    if (!r->t) {
        n = xs_store_get(&r->c->d->store, path);
        xs_watch_fire(r->c->d, path, n->perms, n->nperms, false);
    } else {
        xs_txn_note_change(r->t, path);
    }
    return 0;
}

int xs_op_write(struct xs_req *r)
{
    char path[PATH_BUF];
    size_t plen = strnlen(r->data, r->hdr.len);
    if (plen == r->hdr.len)
        return -EINVAL; /* no NUL after the path */
    int rc = xs_canon_path(r->c, r->data, path, sizeof(path), false);
    if (rc)
        return rc;
    return write_or_mkdir(r, path, r->data + plen + 1, r->hdr.len - plen - 1,
                          false);
}

int xs_op_mkdir(struct xs_req *r)
{
    char path[PATH_BUF];
    int rc = one_path(r, path, false);
    if (rc)
        return rc;
    return write_or_mkdir(r, path, NULL, 0, true);
}

int xs_op_rm(struct xs_req *r)
{
    char path[PATH_BUF];
    int rc = one_path(r, path, false);
    if (rc)
        return rc;
    if (strcmp(path, "/") == 0)
        return -EINVAL;
    int err;
    struct xs_daemon *d = r->c->d;
    struct xs_node *n = xs_view_get(d, r->t, path, &err);
    if (!n) {
        if (err != -ENOENT)
            return err;
        if ((err = missing_errno(r, path, XS_PERM_W)) != -ENOENT)
            return err;
        /* Removing a missing node is fine if its parent exists. */
        size_t pl = xs_path_parent_len(path, strlen(path));
        path[pl] = 0;
        return xs_view_get(d, r->t, path, &err) ? 0 : err;
    }
    if (!(xs_perm_for(r->c, n->perms, n->nperms) & XS_PERM_W))
        return -EACCES;
    if (r->t) {
        if ((rc = xs_view_delete(d, r->t, path)))
            return rc;
        xs_txn_note_change(r->t, path);
        return 0;
    }
    /* Watches fire while the subtree is still there to be seen. */
    xs_watch_fire_rm(d, n);
    return xs_view_delete(d, NULL, path);
}

int xs_op_get_perms(struct xs_req *r)
{
    char path[PATH_BUF];
    const struct xs_perm *p;
    uint32_t np;
    /* No '@' names here: xenstored 4.17 answers EINVAL for them too. */
    int rc = one_path(r, path, false);
    if (rc)
        return rc;
    struct xs_node *n;
    if ((rc = get_node(r, path, XS_PERM_R, &n)))
        return rc;
    p = n->perms;
    np = n->nperms;
    char buf[XENSTORE_PAYLOAD_MAX + 16];
    size_t len = 0;
    for (uint32_t i = 0; i < np && len < XENSTORE_PAYLOAD_MAX; i++)
        len += xs_perm_format(&p[i], buf + len, sizeof(buf) - len) + 1;
    return xs_reply(r, buf, len);
}

/* dom0, a domain introduced to us, or one the hypervisor knows (when we
 * can ask it; when it cannot tell, the domain is taken to exist). */
static bool domain_exists(struct xs_daemon *d, uint32_t domid)
{
    if (domid == 0 || !d->domain_exists)
        return true;
    const struct xs_domain *dom = xs_domain_get(d, domid, false);
    if (dom && dom->introduced)
        return true;
    return d->domain_exists(d->domain_exists_ctx, domid) != 0;
}

int xs_op_set_perms(struct xs_req *r)
{
    enum { MAXP = XENSTORE_PAYLOAD_MAX / 3 + 2 };
    const char **argv = malloc(MAXP * sizeof(*argv));
    struct xs_perm *p = malloc(MAXP * sizeof(*p));
    char path[PATH_BUF];
    struct xs_daemon *d = r->c->d;
    struct xs_conn *c = r->c;
    int rc = -ENOMEM;
    if (!argv || !p)
        goto out;
    int argc = xs_req_args(r, argv, MAXP);
    if (argc < 2) {
        rc = -EINVAL;
        goto out;
    }
    uint32_t np = argc - 1;
    if (!xs_conn_privileged(c) && np > d->q.perms) {
        rc = -ENOSPC;
        goto out;
    }
    for (uint32_t i = 0; i < np; i++)
        if ((rc = xs_perm_parse(argv[i + 1], &p[i])))
            goto out;
    /* An owner that is no domain: ENOENT, before the path is looked at,
     * as xenstored's domain_alloc_permrefs; later entries naming no domain
     * are kept but grant nothing (xenstored marks them ignored too). */
    for (uint32_t i = 0; i < np; i++)
        if (!domain_exists(d, p[i].id))
            p[i].perms |= XS_PERM_IGNORED;
    if (p[0].perms & XS_PERM_IGNORED) {
        rc = -ENOENT;
        goto out;
    }
    if ((rc = xs_canon_path(c, argv[0], path, sizeof(path), true)))
        goto out;
    int sp = xs_special_index(path);
    if (path[0] == '@') {
        rc = -EINVAL;
        if (sp < 0)
            goto out;
        /* Write access and ownership, as xenstored's set_perms_special. */
        const struct xs_perm *sp0 = d->special_perms[sp];
        struct xs_domain *dom = xs_domain_get(d, c->domid, false);
        uint32_t target = dom ? dom->target : XS_DOMID_NONE;
        rc = -EACCES;
        if (!xs_conn_privileged(c) && sp0[0].id != c->domid &&
            sp0[0].id != target)
            goto out;
        rc = -ENOSPC;
        if (np > 8)
            goto out;
        memcpy(d->special_perms[sp], p, np * sizeof(*p));
        d->special_nperms[sp] = np;
        rc = 0;
        goto out;
    }
    struct xs_node *n;
    if ((rc = get_node(r, path, XS_PERM_W, &n)))
        goto out;
    if (!xs_conn_privileged(c)) {
        /* Only the owner may change permissions, and not the owner. */
        struct xs_domain *dom = xs_domain_get(d, c->domid, false);
        uint32_t target = dom ? dom->target : XS_DOMID_NONE;
        uint32_t owner = n->nperms ? n->perms[0].id : 0;
        rc = -EACCES;
        if (owner != c->domid && owner != target)
            goto out;
        rc = -EPERM;
        if (p[0].id != owner)
            goto out;
    }
    /* Watchers who could read the node before the change hear of it. */
    struct xs_perm oldp[8];
    uint32_t nold = n->nperms < 8 ? n->nperms : 8;
    memcpy(oldp, n->perms, nold * sizeof(*oldp));
    if ((rc = xs_view_update(d, r->t, path, NULL, 0, p, np)))
        goto out;
    if (!r->t)
        xs_watch_fire_perms(d, path, p, np, oldp, nold, false);
    else
        xs_txn_note_change(r->t, path);
out:
    free(argv);
    free(p);
    return rc;
}
