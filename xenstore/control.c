/*
 * CONTROL (alias DEBUG), dom0 only: help, log, print, quota, check,
 * memreport. The reply is NUL-terminated text, as xenstore-control prints.
 */
#include "daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int ctl_help(struct xs_req *r, int argc, const char **argv);

/* Text built up to the payload limit. */
struct text {
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t len;
};

static void addf(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void addf(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof(t->buf) - t->len
                      ? (size_t)n
                      : sizeof(t->buf) - t->len - 1;
}

static int ctl_log(struct xs_req *r, int argc, const char **argv)
{
    if (argc != 1)
        return -EINVAL;
    if (strcmp(argv[0], "on") == 0)
        r->c->d->tracing = true;
    else if (strcmp(argv[0], "off") == 0)
        r->c->d->tracing = false;
    else
        return -EINVAL;
    return xs_reply_str(r, "OK");
}

static int ctl_print(struct xs_req *r, int argc, const char **argv)
{
    if (argc != 1)
        return -EINVAL;
    xs_log(r->c->d, "print: %s", argv[0]);
    return xs_reply_str(r, "OK");
}

static int ctl_quota(struct xs_req *r, int argc, const char **argv)
{
    struct xs_quota *q = &r->c->d->q;
    if (argc == 0) {
        struct text t = {.len = 0};
        for (const struct xs_quota_desc *d = xs_quota_descs; d->name; d++)
            addf(&t, "%-18s %u  %s\n", d->name, *xs_quota_field(q, d), d->help);
        return xs_reply(r, t.buf, t.len + 1);
    }
    if (argc != 2)
        return -EINVAL;
    int rc = xs_quota_set(q, argv[0], argv[1]);
    return rc ? rc : xs_reply_str(r, "OK");
}

/* Consistency of the tree: every node's parent exists and lists it. */
static int ctl_check(struct xs_req *r, int argc, const char **argv)
{
    struct xs_store *s = &r->c->d->store;
    struct text t = {.len = 0};
    size_t bad = 0;
    for (size_t b = 0; b < s->map.nbuckets; b++) {
        for (struct xs_node *n = s->map.buckets[b]; n; n = n->hnext) {
            if (n->path_len == 1)
                continue;
            size_t pl = xs_path_parent_len(n->path, n->path_len);
            struct xs_node *p = xs_nodemap_get(&s->map, n->path, pl);
            const char *leaf = n->path + xs_path_leaf(n->path, n->path_len);
            bool listed = false;
            for (uint32_t o = 0; p && o < p->children_len && !listed;
                 o += strlen(p->children + o) + 1)
                listed = strcmp(p->children + o, leaf) == 0;
            if (!listed && bad++ < 8)
                addf(&t, "orphan: %s\n", n->path);
        }
    }
    if (!bad)
        addf(&t, "OK\n");
    return xs_reply(r, t.buf, t.len + 1);
}

static int ctl_memreport(struct xs_req *r, int argc, const char **argv)
{
    struct xs_daemon *d = r->c->d;
    struct text t = {.len = 0};
    unsigned nconn = 0;
    for (struct xs_conn *c = d->conns; c; c = c->next)
        nconn++;
    addf(&t, "nodes %zu\nconnections %u\nrequests %llu\ncut-offs %llu\n",
         d->store.map.count, nconn, (unsigned long long)d->nreq,
         (unsigned long long)d->ncutoff);
    for (struct xs_domain *dom = d->domains; dom; dom = dom->next)
        addf(&t, "domain %u: %u nodes, %ld bytes%s\n", dom->domid, dom->nnodes,
             dom->nbytes, dom->introduced ? ", introduced" : "");
    return xs_reply(r, t.buf, t.len + 1);
}

static const struct {
    const char *name;
    int (*fn)(struct xs_req *r, int argc, const char **argv);
    const char *help;
} cmds[] = {
    {"check", ctl_check, "check: verify the tree's consistency"},
    {"help", ctl_help, "help: this list"},
    {"log", ctl_log, "log on|off: trace every request to the log"},
    {"memreport", ctl_memreport, "memreport: nodes, connections, domains"},
    {"print", ctl_print, "print <text>: write text to the log"},
    {"quota", ctl_quota, "quota [<name> <value>]: show or set a quota"},
};

static int ctl_help(struct xs_req *r, int argc, const char **argv)
{
    struct text t = {.len = 0};
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        addf(&t, "%s\n", cmds[i].help);
    return xs_reply(r, t.buf, t.len + 1);
}

int xs_op_control(struct xs_req *r)
{
    const char *argv[8];
    int argc = xs_req_args(r, argv, 8);
    if (argc < 1)
        return -EINVAL;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(cmds[i].name, argv[0]) == 0)
            return cmds[i].fn(r, argc - 1, argv + 1);
    return -EINVAL;
}
