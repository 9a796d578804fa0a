/*
 * What the two event loops share (socket.c: epoll; socket_uring.c:
 * io_uring): a client socket's state, the other fds' hooks, and the
 * connection life cycle. Private to the two files.
 */
#ifndef VSTORE_SOCKET_LOOP_H
#define VSTORE_SOCKET_LOOP_H

#include "socket.h"

struct sock {
    int fd;
    struct xs_conn *c;
    struct xs_loop *loop;
    struct sock *next_dirty;
    bool dirty;
    uint32_t events; /* epoll: currently registered */

    /* io_uring: a receive and a send may be in flight, each into a buffer
     * of the socket's own (never the connection's, which the core moves
     * and reallocates). rx holds bytes received and not yet taken (the
     * connection was throttled); tx the copy of the output being sent,
     * which stays in the connection's queue until the send completes, so
     * that the output quota and the outstanding replies count it. */
    bool recv_busy, send_busy, shut;
    size_t linked; /* bytes of a send reported only if it fails */
    size_t rx_off, rx_len, tx_cap;
    char *rx, *tx;
};

/* An fd of someone else (xs_loop_add_fd); its address is its tag. */
struct fdhook {
    struct fdhook *next;
    void (*fn)(void *);
    void *arg;
    int fd;
};

/* Tags of the listening socket's and the signalfd's events. */
extern char xs_tag_listen, xs_tag_signal;

void xs_sock_kick(struct xs_conn *c);
/* Accepts every pending client (new sockets are dirty: their loop arms
 * them). */
void xs_sock_accept_all(struct xs_loop *l);
/* Closes and frees s and its connection; re-arms a paused listener. */
void xs_sock_close(struct sock *s);

/* The io_uring loop (socket_uring.c); -EOPNOTSUPP, before it has done
 * anything, where io_uring cannot be used. */
int xs_uring_run(struct xs_loop *l);

#endif
