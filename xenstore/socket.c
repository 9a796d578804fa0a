/*
 * The unix-socket transport and the daemon's event loop: one epoll set, a
 * listening socket, non-blocking client sockets, and a signalfd so that
 * SIGTERM/SIGINT end the loop cleanly. Output is written after each batch
 * of events; a connection's EPOLLIN is dropped while it is throttled
 * (too many unsent replies) and EPOLLOUT is armed only while output is
 * pending. Nothing here ever blocks on a client. Where the kernel has
 * io_uring, xs_loop_run runs socket_uring.c's loop over the same sockets
 * instead (fewer syscalls per request), unless told not to.
 */
#define _GNU_SOURCE
#include "socket_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* 8-aligned: socket_uring.c keeps a kind in an address's low bits. */
_Alignas(8) char xs_tag_listen, xs_tag_signal;

int xs_loop_add_fd(struct xs_loop *l, int fd, void (*fn)(void *), void *arg)
{
    struct fdhook *h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    h->fn = fn;
    h->arg = arg;
    h->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = h};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
        int rc = -errno;
        free(h);
        return rc;
    }
    h->next = l->hooks;
    l->hooks = h;
    return 0;
}

static struct fdhook *find_hook(struct xs_loop *l, void *tag)
{
    for (struct fdhook *h = l->hooks; h; h = h->next)
        if (h == tag)
            return h;
    return NULL;
}

void xs_sock_kick(struct xs_conn *c)
{
    struct sock *s = c->priv;
    if (s && !s->dirty) {
        s->dirty = true;
        s->next_dirty = s->loop->dirty;
        s->loop->dirty = s;
    }
}

static const struct xs_conn_ops sock_ops = {.kick = xs_sock_kick};

int xs_loop_listen(struct xs_loop *l, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    /* A stale socket of an earlier run; never remove anything else. */
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    mode_t old = umask(077); /* the socket is the security boundary */
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc || listen(fd, 128)) {
        rc = -errno;
        close(fd);
        return rc;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &xs_tag_listen};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
        rc = -errno;
        close(fd);
        return rc;
    }
    l->lfd = fd;
    return 0;
}

int xs_loop_init(struct xs_loop *l, struct xs_daemon *d)
{
    memset(l, 0, sizeof(*l));
    l->d = d;
    l->lfd = l->sigfd = -1;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0)
        return -errno;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* After any fork: a signalfd in an epoll set reports the signals of the
 * process that added it, so the daemon's own process must do this. */
int xs_loop_signals(struct xs_loop *l)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &xs_tag_signal};
    if (l->sigfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev))
        return -errno;
    return 0;
}

/* Out of file descriptors, accept stops listening rather than spin on a
 * listening socket that stays readable; a closing client re-arms it. */
static void listen_arm(struct xs_loop *l, bool on)
{
    if (l->lfd < 0 || l->accept_paused == !on)
        return;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &xs_tag_listen};
    if (!l->uring) /* which polls the listener only while not paused */
        epoll_ctl(l->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, l->lfd, &ev);
    l->accept_paused = !on;
}

void xs_sock_close(struct sock *s)
{
    if (!s->loop->uring)
        epoll_ctl(s->loop->epfd, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
    xs_conn_free(s->c);
    listen_arm(s->loop, true);
    free(s->rx);
    free(s->tx);
    free(s);
}

void xs_sock_accept_all(struct xs_loop *l)
{
    for (;;) {
        int fd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
                errno == ENOBUFS) {
                xs_log(l->d, "accept: %s: paused until a client leaves",
                       strerror(errno));
                listen_arm(l, false);
            }
            return;
        }
        struct sock *s = calloc(1, sizeof(*s));
        if (!s) {
            close(fd);
            continue;
        }
        s->fd = fd;
        s->loop = l;
        /* Socket clients are dom0 tools (the socket is root-only). */
        s->c = xs_conn_new(l->d, 0, false, &sock_ops, s);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
        if (!s->c ||
            (!l->uring && epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))) {
            if (s->c)
                xs_conn_free(s->c);
            close(fd);
            free(s);
            continue;
        }
        s->events = EPOLLIN;
        xs_sock_kick(s->c); /* io_uring: its first receive is armed */
    }
}

static void sock_read(struct sock *s)
{
    /* Bounded work per wake-up keeps one busy client from starving others. */
    for (int i = 0; i < 16 && !xs_conn_throttled(s->c); i++) {
        void *p;
        size_t space = xs_conn_in_space(s->c, &p);
        ssize_t n = read(s->fd, p, space);
        if (n == 0) {
            xs_conn_kill(s->c, s->c->in_used ? "disconnected mid-message"
                                             : "disconnected");
            return;
        }
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                xs_conn_kill(s->c, "read error");
            return;
        }
        xs_conn_in_commit(s->c, n);
        if ((size_t)n < space)
            return;
    }
    xs_sock_kick(s->c); /* more may be waiting: revisit after the batch */
}

/* Writes what it can, then fixes the epoll mask. false: closed. */
static bool sock_flush(struct sock *s)
{
    struct xs_conn *c = s->c;
    while (!c->dead) {
        const void *p;
        size_t n = xs_conn_out_peek(c, &p);
        if (n == 0)
            break;
        ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            xs_conn_kill(c, "write error");
            break;
        }
        xs_conn_out_consume(c, w);
    }
    if (c->dead) {
        xs_sock_close(s);
        return false;
    }
    const void *p;
    uint32_t want = (xs_conn_throttled(c) ? 0 : EPOLLIN) |
                    (xs_conn_out_peek(c, &p) ? EPOLLOUT : 0);
    if (want != s->events) {
        struct epoll_event ev = {.events = want, .data.ptr = s};
        epoll_ctl(s->loop->epfd, EPOLL_CTL_MOD, s->fd, &ev);
        s->events = want;
    }
    return true;
}

static void flush_dirty(struct xs_loop *l)
{
    while (l->dirty) {
        struct sock *s = l->dirty;
        l->dirty = s->next_dirty;
        s->dirty = false;
        sock_flush(s);
    }
}

int xs_loop_run(struct xs_loop *l)
{
    if (!l->no_uring) {
        int rc = xs_uring_run(l);
        if (rc != -EOPNOTSUPP)
            return rc;
    }
    xs_log(l->d, "event loop: epoll%s",
           l->no_uring ? "" : " (io_uring is not available here)");
    struct epoll_event evs[64];
    while (!l->stop) {
        int n = epoll_wait(l->epfd, evs, 64, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        for (int i = 0; i < n; i++) {
            void *tag = evs[i].data.ptr;
            struct fdhook *h;
            if (tag == &xs_tag_listen) {
                xs_sock_accept_all(l);
            } else if (tag == &xs_tag_signal) {
                l->stop = true;
            } else if ((h = find_hook(l, tag)) != NULL) {
                h->fn(h->arg);
            } else {
                struct sock *s = tag;
                if (evs[i].events & (EPOLLERR | EPOLLHUP) &&
                    !(evs[i].events & EPOLLIN))
                    xs_conn_kill(s->c, "hang-up");
                else if (evs[i].events & EPOLLIN)
                    sock_read(s);
                xs_sock_kick(s->c);
            }
        }
        flush_dirty(l);
    }
    return 0;
}

void xs_loop_free(struct xs_loop *l)
{
    /* Socket connections first, so the daemon frees only the rest. */
    struct xs_conn *c = l->d->conns, *next;
    for (; c; c = next) {
        next = c->next;
        if (c->ops == &sock_ops)
            xs_sock_close(c->priv);
    }
    while (l->hooks) {
        struct fdhook *h = l->hooks;
        l->hooks = h->next;
        free(h);
    }
    if (l->lfd >= 0)
        close(l->lfd);
    if (l->sigfd >= 0)
        close(l->sigfd);
    if (l->epfd >= 0)
        close(l->epfd);
}
