/*
 * libFuzzer harness of message parsing and dispatch: the input is a byte
 * stream fed to one of four connections (dom0, dom0, domain 5, domain 7)
 * in chunks, so that headers and payloads arrive split at any point. The
 * first byte picks the connection (low 2 bits) and the chunk size. After
 * each input the tree must still be consistent and, with a fresh daemon per
 * input, LeakSanitizer sees every allocation come back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon.h"

static void drain(struct xs_conn *c)
{
    const void *p;
    size_t n = xs_conn_out_peek(c, &p);
    if (n)
        xs_conn_out_consume(c, n);
}

/* Every node's parent exists and lists it: else abort for the fuzzer. */
static void check_tree(struct xs_daemon *d)
{
    struct xs_nodemap *m = &d->store.map;
    for (size_t b = 0; b < m->nbuckets; b++) {
        for (struct xs_node *n = m->buckets[b]; n; n = n->hnext) {
            if (n->path_len == 1)
                continue;
            size_t pl = xs_path_parent_len(n->path, n->path_len);
            struct xs_node *p = xs_nodemap_get(m, n->path, pl);
            if (!p)
                abort();
            const char *leaf = n->path + xs_path_leaf(n->path, n->path_len);
            bool found = false;
            for (uint32_t o = 0; o < p->children_len && !found;
                 o += strlen(p->children + o) + 1)
                found = strcmp(p->children + o, leaf) == 0;
            if (!found)
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t domids[4] = {0, 0, 5, 7};
    struct xs_daemon d;
    if (size < 1 || xs_daemon_init(&d))
        return 0;
    d.q.out_bytes = 65536;
    d.q.nodes = 50;
    struct xs_conn *c[4];
    for (int i = 0; i < 4; i++)
        c[i] = xs_conn_new(&d, domids[i], domids[i] != 0, NULL, NULL);
    unsigned sel = data[0] & 3, chunk = (data[0] >> 2) + 1;
    data++;
    size--;
    while (size) {
        size_t n = size < chunk ? size : chunk;
        size_t took = xs_conn_feed(c[sel], data, n);
        drain(c[sel]);
        for (int i = 0; i < 4; i++) {
            if (c[i]->dead) { /* as the socket loop does: reap, reconnect */
                xs_conn_free(c[i]);
                c[i] = xs_conn_new(&d, domids[i], domids[i] != 0, NULL, NULL);
            }
        }
        if (took == 0 && n) /* throttled: skip the rest of this chunk */
            took = n;
        data += took;
        size -= took;
        /* Switch connection at message boundaries now and then. */
        if (took && data[-1] == 0)
            sel = (sel + 1) & 3;
    }
    check_tree(&d);
    xs_daemon_free(&d);
    return 0;
}
