/*
 * Quotas: their defaults (those of Xen 4.17's C xenstored where it has
 * one), their names for the command line and CONTROL quota, and parsing.
 */
#include "daemon.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define Q(f) offsetof(struct xs_quota, f)

const struct xs_quota_desc xs_quota_descs[] = {
    {"nodes", 'E', Q(nodes), "nodes owned per domain"},
    {"node-size", 'S', Q(node_size), "bytes per node (value+perms+children)"},
    {"path-length", 'M', Q(path_len), "path length"},
    {"watches", 'W', Q(watches), "watches per connection"},
    {"transactions", 't', Q(txns), "open transactions per connection"},
    {"permissions", 'A', Q(perms), "entries per permission list"},
    {"transaction-nodes", 'Q', Q(txn_nodes), "nodes touched per transaction"},
    {"memory", 0, Q(memory), "bytes of nodes owned per domain"},
    {"outstanding", 0, Q(outstanding), "unsent replies before throttling"},
    {"output-bytes", 0, Q(out_bytes), "buffered output before cut-off"},
    {NULL, 0, 0, NULL},
};

void xs_quota_defaults(struct xs_quota *q)
{
    q->nodes = 1000;
    q->node_size = 2048;
    q->path_len = 2048;
    q->watches = 128;
    q->txns = 10;
    q->perms = 5;
    q->txn_nodes = 1024;
    q->outstanding = 64;
    q->out_bytes = 1024 * 1024;
    q->memory = 2 * 1024 * 1024; /* xenstored's soft limit */
}

unsigned *xs_quota_field(struct xs_quota *q, const struct xs_quota_desc *d)
{
    return (unsigned *)((char *)q + d->off);
}

int xs_quota_set(struct xs_quota *q, const char *name, const char *val)
{
    char nb[32];
    const char *eq = strchr(name, '=');
    if (!val && eq) {
        size_t l = eq - name;
        if (l >= sizeof(nb))
            return -EINVAL;
        memcpy(nb, name, l);
        nb[l] = 0;
        name = nb;
        val = eq + 1;
    }
    if (!val || val[0] < '0' || val[0] > '9')
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long v = strtoul(val, &end, 10);
    if (*end || errno || v == 0 || v > 0x7fffffff)
        return -EINVAL;
    for (const struct xs_quota_desc *d = xs_quota_descs; d->name; d++) {
        if (strcmp(d->name, name) == 0) {
            *xs_quota_field(q, d) = v;
            return 0;
        }
    }
    return -EINVAL;
}
