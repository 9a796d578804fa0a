/*
 * The event loop on io_uring. Every client socket keeps a receive in
 * flight, and sends its output from a copy; the listening socket, the
 * signalfd and other fds (dom0's xenbus) are polled. A reply goes out
 * linked to the receive of the next request, and only a failed send
 * reports back, so one io_uring_enter per request both sends the reply and
 * waits for the next one, where the epoll loop needs epoll_wait, read and
 * send: in a PV dom0 every syscall goes through the hypervisor, and that,
 * not the store, is what a request costs there.
 *
 * Where io_uring cannot be used (a kernel without it, a seccomp filter),
 * xs_uring_run says so before doing anything and socket.c keeps epoll.
 * The ring is made here, in the daemon's final process, never before a
 * fork.
 */
#define _GNU_SOURCE
#include "socket_loop.h"

#include <liburing.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RING_ENTRIES 256
#define RX_SIZE      (2 * (XS_HDR_SIZE + XENSTORE_PAYLOAD_MAX))
#define TX_MAX       (64 * 1024) /* per send; the rest goes next round */

/* A completion's user data: what it is for, in the low bits of an
 * 8-aligned address (a sock, an fdhook, a tag). */
enum kind { K_RECV = 1, K_SEND, K_POLL, K_CANCEL };
#define KIND_MASK 7u

struct uring_loop {
    struct io_uring ring;
    struct xs_loop *l;
    unsigned recvs;  /* receives in flight: they write into our memory */
    bool link_sends; /* the kernel can skip a successful send's report */
    bool listen_armed;
};

static uint64_t tag(void *p, enum kind k)
{
    return (uint64_t)(uintptr_t)p | k;
}

/* Room for n submissions in a row (a linked pair must not be split by a
 * submission in between): what is queued goes in first if need be. */
static bool room_for(struct uring_loop *u, unsigned n)
{
    if (io_uring_sq_space_left(&u->ring) < n)
        io_uring_submit(&u->ring);
    return io_uring_sq_space_left(&u->ring) >= n;
}

static struct io_uring_sqe *sqe_for(struct uring_loop *u, void *p, enum kind k)
{
    if (!room_for(u, 1))
        return NULL;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
    io_uring_sqe_set_data64(sqe, tag(p, k));
    return sqe;
}

static void poll_fd(struct uring_loop *u, int fd, void *p)
{
    struct io_uring_sqe *sqe = sqe_for(u, p, K_POLL);
    if (sqe)
        io_uring_prep_poll_add(sqe, fd, POLLIN);
}

/* Hands bytes received to the connection as far as it takes them. */
static void feed(struct sock *s)
{
    if (s->rx_len == s->rx_off || s->c->dead)
        return;
    s->rx_off += xs_conn_feed(s->c, s->rx + s->rx_off, s->rx_len - s->rx_off);
    if (s->rx_off == s->rx_len)
        s->rx_off = s->rx_len = 0;
}

/* Queues what a socket needs next: the send of its output and the
 * receive of its next request, linked when both are due, or, once its
 * connection died, a shutdown that makes whatever is in flight complete,
 * and then its closing. false: s is gone. */
static bool sock_arm(struct uring_loop *u, struct sock *s)
{
    struct xs_conn *c = s->c;
    /* Bytes received and not yet taken (the connection was throttled). */
    feed(s);
    /* calloc: valgrind cannot see the kernel fill it through the ring. */
    if (!c->dead && !s->rx && !(s->rx = calloc(1, RX_SIZE)))
        xs_conn_kill(c, "out of memory");
    if (c->dead) {
        if (!s->recv_busy && !s->send_busy) {
            xs_sock_close(s);
            return false;
        }
        if (!s->shut) {
            shutdown(s->fd, SHUT_RDWR);
            s->shut = true;
        }
        return true;
    }
    /* Not while a linked send is unresolved: the next receive's result is
     * what tells that it went out. */
    bool want_recv =
        !s->recv_busy && !s->linked && s->rx_len == 0 && !xs_conn_throttled(c);
    const void *p;
    size_t n = xs_conn_out_peek(c, &p);
    if (n && !s->send_busy) {
        if (n > TX_MAX)
            n = TX_MAX;
        if (n > s->tx_cap) {
            char *t = realloc(s->tx, n);
            if (!t) {
                xs_conn_kill(c, "out of memory");
                return sock_arm(u, s);
            }
            s->tx = t;
            s->tx_cap = n;
        }
        memcpy(s->tx, p, n);
        /* Only without watches: a watch event is output that no request
         * precedes, so a connection with watches must learn at once that
         * its last send went out, to send the next event. */
        bool link =
            want_recv && u->link_sends && c->nwatches == 0 && room_for(u, 2);
        struct io_uring_sqe *sqe = sqe_for(u, s, K_SEND);
        if (sqe) {
            /* Linked: all of it or a failure (MSG_WAITALL), reported only
             * if it fails; the receive starts once it is out. */
            io_uring_prep_send(sqe, s->fd, s->tx, n,
                               MSG_NOSIGNAL | (link ? MSG_WAITALL : 0));
            if (link) {
                sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
                s->linked = n;
            }
            s->send_busy = true;
        }
    }
    struct io_uring_sqe *sqe;
    if (want_recv && (sqe = sqe_for(u, s, K_RECV))) {
        io_uring_prep_recv(sqe, s->fd, s->rx, RX_SIZE, 0);
        s->recv_busy = true;
        u->recvs++;
    }
    return true;
}

static void arm_dirty(struct uring_loop *u)
{
    struct xs_loop *l = u->l;
    while (l->dirty) {
        struct sock *s = l->dirty;
        l->dirty = s->next_dirty;
        s->dirty = false;
        sock_arm(u, s);
    }
    if (!u->listen_armed && !l->accept_paused && l->lfd >= 0) {
        poll_fd(u, l->lfd, &xs_tag_listen);
        u->listen_armed = true;
    }
}

static void sock_done(struct uring_loop *u, struct sock *s, enum kind k,
                      int res)
{
    struct xs_conn *c = s->c;
    if (k == K_RECV) {
        s->recv_busy = false;
        u->recvs--;
        /* Past a linked send, unless that send failed (its own report
         * comes then): it went out whole. */
        if (s->linked && res != -ECANCELED) {
            size_t n = s->linked;
            s->linked = 0;
            s->send_busy = false;
            if (!c->dead)
                xs_conn_out_consume(c, n);
        }
        if (res > 0) {
            s->rx_off = 0;
            s->rx_len = res;
            feed(s);
        } else if (res == 0) {
            xs_conn_kill(c, c->in_used ? "disconnected mid-message"
                                       : "disconnected");
        } else if (res != -EAGAIN && res != -EINTR && res != -ECANCELED) {
            xs_conn_kill(c, "read error");
        }
    } else {
        /* A plain send's report, or a linked one's failure. */
        bool failed = s->linked || (res < 0 && res != -EAGAIN && res != -EINTR);
        s->send_busy = false;
        s->linked = 0;
        if (res > 0 && !c->dead)
            xs_conn_out_consume(c, res);
        if (failed)
            xs_conn_kill(c, "write error");
    }
    xs_sock_kick(c);
}

static void completion(struct uring_loop *u, uint64_t data, int res)
{
    void *p = (void *)(uintptr_t)(data & ~(uint64_t)KIND_MASK);
    enum kind k = data & KIND_MASK;
    struct xs_loop *l = u->l;
    if (k == K_RECV || k == K_SEND) {
        sock_done(u, p, k, res);
    } else if (k == K_POLL && p == &xs_tag_listen) {
        u->listen_armed = false;
        xs_sock_accept_all(l);
    } else if (k == K_POLL && p == &xs_tag_signal) {
        l->stop = true;
    } else if (k == K_POLL) {
        struct fdhook *h = p;
        h->fn(h->arg);
        poll_fd(u, h->fd, h);
    }
}

/* At the end, everything in flight is cancelled, and the receives' reports
 * are awaited, so that the kernel writes into no buffer after the sockets
 * are freed (sends only read, polls touch nothing of ours). */
static void drain(struct uring_loop *u)
{
    struct io_uring_sqe *sqe = sqe_for(u, NULL, K_CANCEL);
    if (sqe)
        io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
    /* Bounded: reports that never come end it after a few seconds. */
    for (int tries = 0; u->recvs && tries < 5; tries++) {
        struct __kernel_timespec ts = {.tv_sec = 1};
        struct io_uring_cqe *cqe;
        int rc = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts, NULL);
        if (rc < 0 && rc != -EINTR && rc != -ETIME)
            break;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&u->ring, head, cqe)
        {
            if ((io_uring_cqe_get_data64(cqe) & KIND_MASK) == K_RECV)
                u->recvs--;
            seen++;
        }
        io_uring_cq_advance(&u->ring, seen);
    }
    io_uring_queue_exit(&u->ring);
    for (struct xs_conn *c = u->l->d->conns; c; c = c->next) {
        if (c->ops && c->ops->kick == xs_sock_kick) {
            struct sock *s = c->priv;
            s->recv_busy = s->send_busy = false;
            s->linked = 0;
        }
    }
}

int xs_uring_run(struct xs_loop *l)
{
    struct uring_loop u = {.l = l};
    struct io_uring_params p = {.flags = IORING_SETUP_SINGLE_ISSUER |
                                         IORING_SETUP_DEFER_TASKRUN};
    /* DEFER_TASKRUN (6.1) runs completions' work only inside our own
     * io_uring_enter; older kernels do without. */
    if (io_uring_queue_init_params(RING_ENTRIES, &u.ring, &p) < 0) {
        memset(&p, 0, sizeof(p));
        if (io_uring_queue_init_params(RING_ENTRIES, &u.ring, &p) < 0)
            return -EOPNOTSUPP;
    }
    /* Where io_uring exists but a socket operation does not (before 5.6),
     * give up now, while nothing is in flight. */
    struct io_uring_probe *probe = io_uring_get_probe_ring(&u.ring);
    bool usable = probe && io_uring_opcode_supported(probe, IORING_OP_RECV) &&
                  io_uring_opcode_supported(probe, IORING_OP_SEND) &&
                  io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL);
    io_uring_free_probe(probe);
    if (!usable) {
        io_uring_queue_exit(&u.ring);
        return -EOPNOTSUPP;
    }
    u.link_sends = p.features & IORING_FEAT_CQE_SKIP; /* 5.17 */
    l->uring = true;
    xs_log(l->d, "event loop: io_uring%s",
           u.link_sends ? "" : " (sends reported one by one)");
    if (l->sigfd >= 0)
        poll_fd(&u, l->sigfd, &xs_tag_signal);
    for (struct fdhook *h = l->hooks; h; h = h->next)
        poll_fd(&u, h->fd, h);
    int rc = 0;
    while (!l->stop) {
        arm_dirty(&u);
        int n = io_uring_submit_and_wait(&u.ring, 1);
        if (n < 0 && n != -EINTR && n != -EAGAIN && n != -EBUSY) {
            xs_log(l->d, "io_uring_enter: %s", strerror(-n));
            rc = n;
            break;
        }
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&u.ring, head, cqe)
        {
            completion(&u, io_uring_cqe_get_data64(cqe), cqe->res);
            seen++;
        }
        io_uring_cq_advance(&u.ring, seen);
    }
    drain(&u);
    return rc;
}
