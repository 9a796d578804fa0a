/*
 * The daemon's event loop and its unix-socket transport (socket.c).
 */
#ifndef VSTORE_SOCKET_H
#define VSTORE_SOCKET_H

#include "daemon.h"

struct sock;
struct fdhook;

struct xs_loop {
    struct xs_daemon *d;
    int epfd, lfd, sigfd;
    bool stop;
    bool no_uring; /* set before xs_loop_run: epoll even if io_uring works */
    bool uring;    /* xs_loop_run is on io_uring (socket_uring.c) */
    bool accept_paused;   /* out of fds: listening socket not polled */
    struct sock *dirty;   /* connections with output or state to look at */
    struct fdhook *hooks; /* other fds: a hypervisor binding's */
};

int xs_loop_init(struct xs_loop *l, struct xs_daemon *d);
int xs_loop_listen(struct xs_loop *l, const char *path);
/* SIGTERM/SIGINT end the loop; call in the final (daemon) process. */
int xs_loop_signals(struct xs_loop *l);
/* Polls fd too: fn(arg) runs whenever it is readable. */
int xs_loop_add_fd(struct xs_loop *l, int fd, void (*fn)(void *), void *arg);
int xs_loop_run(struct xs_loop *l);
void xs_loop_free(struct xs_loop *l);

#endif
