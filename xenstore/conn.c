/*
 * Connections: framing of the byte stream into messages (header, then at
 * most XENSTORE_PAYLOAD_MAX payload bytes), and the output queue with its
 * two limits: past q.outstanding unsent replies the transport stops
 * reading input (the client is throttled), past q.out_bytes of buffered
 * output the connection is cut off. Either way the daemon never waits for
 * a client.
 */
#include "daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct xs_conn *xs_conn_new(struct xs_daemon *d, uint32_t domid, bool is_domain,
                            const struct xs_conn_ops *ops, void *priv)
{
    struct xs_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->d = d;
    c->domid = domid;
    c->is_domain = is_domain;
    c->ops = ops;
    c->priv = priv;
    c->id = ++d->next_conn_id;
    c->next = d->conns;
    if (d->conns)
        d->conns->prev = c;
    d->conns = c;
    return c;
}

void xs_conn_free(struct xs_conn *c)
{
    if (!c)
        return;
    struct xs_daemon *d = c->d;
    xs_watch_clear(c);
    while (c->txns)
        xs_txn_end(c->txns, false);
    if (c->prev)
        c->prev->next = c->next;
    else
        d->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    for (struct xs_domain *dom = d->domains; dom; dom = dom->next)
        if (dom->conn == c)
            dom->conn = NULL;
    free(c->out);
    free(c->reply_end);
    free(c);
}

void xs_conn_kill(struct xs_conn *c, const char *why)
{
    if (c->dead)
        return;
    c->dead = true;
    c->dead_why = why;
    xs_log(c->d, "conn %llu (dom%u): closed: %s", (unsigned long long)c->id,
           c->domid, why);
    if (c->ops && c->ops->kick)
        c->ops->kick(c);
}

bool xs_conn_privileged(const struct xs_conn *c)
{
    return c->domid == 0;
}

bool xs_conn_throttled(const struct xs_conn *c)
{
    return c->dead || c->re_count >= c->d->q.outstanding;
}

size_t xs_conn_in_space(struct xs_conn *c, void **p)
{
    *p = c->in + c->in_used;
    return sizeof(c->in) - c->in_used;
}

/* Dispatches every complete message in the input buffer. */
static void process_input(struct xs_conn *c)
{
    if (c->busy)
        return;
    c->busy = true;
    while (!c->dead && !xs_conn_throttled(c) && c->in_used >= XS_HDR_SIZE) {
        struct xsd_sockmsg hdr;
        memcpy(&hdr, c->in, sizeof(hdr));
        if (hdr.len > XENSTORE_PAYLOAD_MAX) {
            xs_conn_kill(c, "payload longer than 4096");
            break;
        }
        size_t total = XS_HDR_SIZE + hdr.len;
        if (c->in_used < total)
            break;
        /* One spare byte so handlers may rely on a terminating NUL. */
        char data[XENSTORE_PAYLOAD_MAX + 1];
        memcpy(data, c->in + XS_HDR_SIZE, hdr.len);
        data[hdr.len] = 0;
        memmove(c->in, c->in + total, c->in_used - total);
        c->in_used -= total;
        xs_dispatch(c, &hdr, data);
    }
    c->busy = false;
}

void xs_conn_in_commit(struct xs_conn *c, size_t n)
{
    c->in_used += n;
    process_input(c);
}

size_t xs_conn_feed(struct xs_conn *c, const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len && !c->dead && !xs_conn_throttled(c)) {
        void *p;
        size_t space = xs_conn_in_space(c, &p);
        size_t n = len - done < space ? len - done : space;
        if (n == 0)
            break;
        memcpy(p, (const char *)buf + done, n);
        done += n;
        xs_conn_in_commit(c, n);
    }
    return done;
}

size_t xs_conn_out_peek(struct xs_conn *c, const void **p)
{
    *p = c->out + c->out_head;
    return c->out_len - c->out_head;
}

void xs_conn_out_consume(struct xs_conn *c, size_t n)
{
    c->out_head += n;
    c->sent_total += n;
    while (c->re_count && c->reply_end[c->re_head] <= c->sent_total) {
        c->re_head = (c->re_head + 1) % c->re_cap;
        c->re_count--;
    }
    if (c->out_head == c->out_len)
        c->out_head = c->out_len = 0;
    /* Input may have been paused by the outstanding-reply limit. */
    process_input(c);
}

static int out_reserve(struct xs_conn *c, size_t n)
{
    if (c->out_head && c->out_head >= c->out_cap / 2) {
        memmove(c->out, c->out + c->out_head, c->out_len - c->out_head);
        c->out_len -= c->out_head;
        c->out_head = 0;
    }
    if (c->out_len + n <= c->out_cap)
        return 0;
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap < c->out_len + n)
        cap *= 2;
    char *o = realloc(c->out, cap);
    if (!o)
        return -ENOMEM;
    c->out = o;
    c->out_cap = cap;
    return 0;
}

static int note_reply(struct xs_conn *c)
{
    if (c->re_count == c->re_cap) {
        unsigned cap = c->re_cap ? c->re_cap * 2 : 16;
        uint64_t *r = malloc(cap * sizeof(*r));
        if (!r)
            return -ENOMEM;
        for (unsigned i = 0; i < c->re_count; i++)
            r[i] = c->reply_end[(c->re_head + i) % c->re_cap];
        free(c->reply_end);
        c->reply_end = r;
        c->re_head = 0;
        c->re_cap = cap;
    }
    c->reply_end[(c->re_head + c->re_count) % c->re_cap] = c->out_total;
    c->re_count++;
    return 0;
}

int xs_conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id,
                 uint32_t tx_id, const void *a, size_t alen, const void *b,
                 size_t blen, bool is_reply)
{
    if (c->dead)
        return -EPIPE;
    size_t n = XS_HDR_SIZE + alen + blen;
    if (c->out_len - c->out_head + n > c->d->q.out_bytes) {
        c->d->ncutoff++;
        xs_conn_kill(c, "output quota exceeded (client does not read)");
        return -ENOSPC;
    }
    if (out_reserve(c, n)) {
        xs_conn_kill(c, "out of memory");
        return -ENOMEM;
    }
    struct xsd_sockmsg h = {type, req_id, tx_id, alen + blen};
    char *p = c->out + c->out_len;
    memcpy(p, &h, sizeof(h));
    if (alen)
        memcpy(p + XS_HDR_SIZE, a, alen);
    if (blen)
        memcpy(p + XS_HDR_SIZE + alen, b, blen);
    c->out_len += n;
    c->out_total += n;
    if (is_reply && note_reply(c)) {
        xs_conn_kill(c, "out of memory");
        return -ENOMEM;
    }
    if (c->ops && c->ops->kick)
        c->ops->kick(c);
    return 0;
}
