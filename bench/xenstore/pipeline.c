/*
 * The pipelined client (pipeline.h). Each of its PIPELINE_DEPTH slots is
 * one operation in progress, named by the req_id of its requests, so that
 * replies may come in any order; the replies that one read() brings are
 * all handled before the slots' next requests go out in one write(). A
 * watch event names its slot by the node it fires for.
 */
#define _GNU_SOURCE
#include "pipeline.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

#define HDR       sizeof(struct xsd_sockmsg)
#define SETUP_REQ PIPELINE_DEPTH /* the req_id of the watch's registration */

enum { GOT_REPLY = 1, GOT_EVENT = 2 };

struct slot {
    int step;    /* transaction: 0 start, 1 write, 2 end; watch: GOT_* */
    uint32_t tx; /* the transaction's id */
    bool failed; /* the transaction's write failed: it ends aborted */
};

struct pipe {
    int fd, id, nodes;
    enum op op;
    unsigned *seed;
    long ops, errors;
    struct slot slot[PIPELINE_DEPTH];
    size_t in_len, out_len;
    char in[2 * (HDR + XENSTORE_PAYLOAD_MAX)];
    char out[(PIPELINE_DEPTH + 1) * (HDR + 128)];
};

static void put_request(struct pipe *p, uint32_t type, uint32_t req_id,
                        uint32_t tx, const char *a, size_t alen, const char *b,
                        size_t blen)
{
    struct xsd_sockmsg h = {type, req_id, tx, alen + blen};
    if (p->out_len + HDR + alen + blen > sizeof(p->out))
        abort(); /* a slot issues one request per reply: cannot happen */
    memcpy(p->out + p->out_len, &h, HDR);
    memcpy(p->out + p->out_len + HDR, a, alen);
    if (blen)
        memcpy(p->out + p->out_len + HDR + alen, b, blen);
    p->out_len += HDR + alen + blen;
}

/* Queues slot s's next request. */
static void issue(struct pipe *p, int s)
{
    struct slot *sl = &p->slot[s];
    char path[96], val[16];
    int i = rand_r(p->seed) % p->nodes, n;
    switch (p->op) {
    case OP_READ:
        n = snprintf(path, sizeof(path), "/bench/pop/%d/%d", i / 100, i % 100);
        put_request(p, XS_READ, s, 0, path, n + 1, NULL, 0);
        break;
    case OP_WRITE:
        n = snprintf(path, sizeof(path), "/bench/wr/%d/%d", p->id, i % 100);
        put_request(p, XS_WRITE, s, 0, path, n + 1, val,
                    snprintf(val, sizeof(val), "%d", i));
        break;
    case OP_DIR:
        n = snprintf(path, sizeof(path), "/bench/pop/%d", i / 100);
        put_request(p, XS_DIRECTORY, s, 0, path, n + 1, NULL, 0);
        break;
    case OP_WATCH:
        n = snprintf(path, sizeof(path), "/bench/w/%d/s%d", p->id, s);
        put_request(p, XS_WRITE, s, 0, path, n + 1, "1", 1);
        break;
    case OP_TXN:
        if (sl->step == 0) {
            put_request(p, XS_TRANSACTION_START, s, 0, "", 1, NULL, 0);
        } else if (sl->step == 1) {
            /* A node of this slot's own: concurrent transactions of one
             * client never conflict. */
            n = snprintf(path, sizeof(path), "/bench/tx/%d/%d", p->id, s);
            put_request(p, XS_WRITE, s, sl->tx, path, n + 1, "v", 1);
        } else {
            put_request(p, XS_TRANSACTION_END, s, sl->tx,
                        sl->failed ? "F" : "T", 2, NULL, 0);
        }
        break;
    default:
        break;
    }
}

static void watch_progress(struct pipe *p, int s, int got)
{
    struct slot *sl = &p->slot[s];
    sl->step |= got;
    if (sl->step == (GOT_REPLY | GOT_EVENT)) {
        p->ops++;
        sl->step = 0;
        issue(p, s);
    }
}

/* Handles one message from the daemon. false: the protocol is lost. */
static bool handle(struct pipe *p, const struct xsd_sockmsg *h,
                   const char *body)
{
    if (h->type == XS_WATCH_EVENT) {
        /* ".../s<slot>"; the registration's event (.../<id>) has no slot. */
        const char *last = memrchr(body, '/', h->len);
        if (last && last[1] == 's') {
            int s = atoi(last + 2);
            if (s >= 0 && s < PIPELINE_DEPTH)
                watch_progress(p, s, GOT_EVENT);
        }
        return true;
    }
    bool err = h->type == XS_ERROR;
    if (h->req_id == SETUP_REQ)
        return !err;
    if (h->req_id >= PIPELINE_DEPTH)
        return false;
    int s = h->req_id;
    struct slot *sl = &p->slot[s];
    switch (p->op) {
    case OP_WATCH:
        if (err) {
            p->errors++;
            sl->step = 0;
            issue(p, s);
        } else {
            watch_progress(p, s, GOT_REPLY);
        }
        return true;
    case OP_TXN:
        if (sl->step == 0) {
            if (err) {
                p->errors++;
            } else {
                sl->tx = strtoul(body, NULL, 10);
                sl->failed = false;
                sl->step = 1;
            }
        } else if (sl->step == 1) {
            sl->failed = err;
            sl->step = 2;
        } else {
            err || sl->failed ? p->errors++ : p->ops++;
            sl->step = 0;
        }
        issue(p, s);
        return true;
    default:
        err ? p->errors++ : p->ops++;
        issue(p, s);
        return true;
    }
}

static bool write_all(int fd, const char *b, size_t n)
{
    while (n) {
        ssize_t k = write(fd, b, n);
        if (k <= 0)
            return false;
        b += k;
        n -= k;
    }
    return true;
}

/* Handles every whole message in the input; keeps a partial one. */
static bool drain(struct pipe *p)
{
    size_t at = 0;
    while (p->in_len - at >= HDR) {
        struct xsd_sockmsg h;
        memcpy(&h, p->in + at, HDR);
        if (h.len > XENSTORE_PAYLOAD_MAX)
            return false;
        if (p->in_len - at < HDR + h.len)
            break;
        char body[XENSTORE_PAYLOAD_MAX + 1];
        memcpy(body, p->in + at + HDR, h.len);
        body[h.len] = 0;
        if (!handle(p, &h, body))
            return false;
        at += HDR + h.len;
    }
    memmove(p->in, p->in + at, p->in_len - at);
    p->in_len -= at;
    return true;
}

bool pipeline_run(const char *sock, enum op op, int id, int nodes,
                  unsigned *seed, volatile int *stop, long *ops, long *errors)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct pipe *p = calloc(1, sizeof(*p));
    if (!p)
        return false;
    *p = (struct pipe){.id = id, .nodes = nodes, .op = op, .seed = seed};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
    p->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok =
        p->fd >= 0 && connect(p->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (ok && op == OP_WATCH) {
        char path[64];
        int n = snprintf(path, sizeof(path), "/bench/w/%d", id);
        put_request(p, XS_WATCH, SETUP_REQ, 0, path, n + 1, "t", 2);
    }
    for (int s = 0; ok && s < PIPELINE_DEPTH; s++)
        issue(p, s);
    while (ok && !*stop) {
        ok = write_all(p->fd, p->out, p->out_len);
        p->out_len = 0;
        ssize_t n =
            ok ? read(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len) : -1;
        ok = n > 0;
        if (ok) {
            p->in_len += n;
            ok = drain(p);
        }
    }
    /* Requests still in flight are dropped with the connection. */
    if (p->fd >= 0)
        close(p->fd);
    *ops += p->ops;
    *errors += p->errors;
    free(p);
    return ok;
}
