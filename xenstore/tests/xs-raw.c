/*
 * xs-raw: hostile and misbehaving clients for the conformance run, speaking
 * the wire protocol over vstored's unix socket by hand. Each subcommand
 * checks one behaviour and exits 0 when the daemon behaved.
 *   xs-raw SOCK oversize|nonul|unknown|midmsg|flood|throttle|fdlimit
 *   xs-raw - uring-probe   exits 0 when this kernel lets us set up an
 *                          io_uring (what vstored's default loop needs)
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/io_uring.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

static const char *sock_path;

static int dial(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        perror("connect");
        exit(2);
    }
    return fd;
}

static int send_msg(int fd, uint32_t type, const void *p, uint32_t len,
                    uint32_t wire_len)
{
    struct xsd_sockmsg h = {type, 1, 0, wire_len};
    if (write(fd, &h, sizeof(h)) != sizeof(h))
        return -1;
    return len && write(fd, p, len) != (ssize_t)len ? -1 : 0;
}

static int read_full(int fd, void *p, size_t len, int timeout_ms)
{
    size_t got = 0;
    while (got < len) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, timeout_ms) <= 0)
            return -ETIMEDOUT;
        ssize_t n = read(fd, (char *)p + got, len - got);
        if (n == 0)
            return -EPIPE;
        if (n < 0)
            return -errno;
        got += n;
    }
    return 0;
}

/* Reads one message; returns its type, or a negative error. */
static int recv_msg(int fd, char *data, uint32_t *len)
{
    struct xsd_sockmsg h;
    int rc = read_full(fd, &h, sizeof(h), 5000);
    if (rc)
        return rc;
    if (h.len > XENSTORE_PAYLOAD_MAX)
        return -EPROTO;
    if ((rc = read_full(fd, data, h.len, 5000)))
        return rc;
    data[h.len] = 0;
    if (len)
        *len = h.len;
    return h.type;
}

/* Request/reply on fd; data gets the reply payload. */
static int call(int fd, uint32_t type, const void *p, uint32_t len, char *data)
{
    if (send_msg(fd, type, p, len, len))
        return -EIO;
    int t;
    while ((t = recv_msg(fd, data, NULL)) == XS_WATCH_EVENT)
        ;
    return t;
}

/* True if the daemon closes fd (EOF) within a few seconds. */
static int closed_by_daemon(int fd)
{
    char buf[65536];
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, 5000) <= 0)
            return 0;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
        if (n < 0)
            return 0;
    }
}

static int still_serving(void)
{
    char data[XENSTORE_PAYLOAD_MAX + 1];
    int fd = dial();
    int t = call(fd, XS_READ, "/tool\0", 6, data);
    close(fd);
    if (t != XS_READ)
        fprintf(stderr, "daemon no longer serving (reply %d)\n", t);
    return t == XS_READ;
}

static int expect_error(uint32_t type, const void *p, uint32_t len,
                        const char *name)
{
    char data[XENSTORE_PAYLOAD_MAX + 1];
    int fd = dial();
    int t = call(fd, type, p, len, data);
    close(fd);
    if (t != XS_ERROR || strcmp(data, name)) {
        fprintf(stderr, "want ERROR %s, got type %d '%s'\n", name, t,
                t >= 0 ? data : "");
        return 0;
    }
    return 1;
}

static int t_oversize(void)
{
    int fd = dial();
    send_msg(fd, XS_READ, NULL, 0, XENSTORE_PAYLOAD_MAX + 1);
    int ok = closed_by_daemon(fd);
    close(fd);
    return ok && still_serving();
}

static int t_midmsg(void)
{
    int fd = dial();
    struct xsd_sockmsg h = {XS_WRITE, 0, 0, 100};
    write(fd, &h, sizeof(h));
    write(fd, "/half", 5);
    close(fd);
    return still_serving();
}

/* Sets a quota through CONTROL; "OK" expected. */
static int set_quota(const char *name, const char *val)
{
    char req[128], data[XENSTORE_PAYLOAD_MAX + 1];
    int n = snprintf(req, sizeof(req), "quota%c%s%c%s", 0, name, 0, val);
    int fd = dial();
    int t = call(fd, XS_CONTROL, req, n + 1, data);
    close(fd);
    return t == XS_CONTROL && strcmp(data, "OK") == 0;
}

/* A watcher that never reads is cut off; the writer is served throughout. */
static int t_flood(void)
{
    char data[XENSTORE_PAYLOAD_MAX + 1], req[128];
    if (!set_quota("output-bytes", "65536"))
        return 0;
    int w = dial(), c = dial(), ok = 1;
    int rcvbuf = 4096;
    setsockopt(w, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    send_msg(w, XS_WATCH, "/flood\0tok\0", 11, 11);
    for (int i = 0; i < 20000 && ok; i++) {
        int n = snprintf(req, sizeof(req), "/flood/node-%d", i) + 1;
        memcpy(req + n, "value", 5);
        ok = call(c, XS_WRITE, req, n + 5, data) == XS_WRITE;
    }
    if (!ok)
        fprintf(stderr, "writer was not served\n");
    ok = ok && closed_by_daemon(w);
    call(c, XS_RM, "/flood\0", 7, data);
    close(w);
    close(c);
    return set_quota("output-bytes", "1048576") && ok && still_serving();
}

/* Many requests without reading: all answered once the client reads, and
 * other clients are served meanwhile. */
static int t_throttle(void)
{
    char data[XENSTORE_PAYLOAD_MAX + 1];
    int fd = dial(), n = 2000;
    for (int i = 0; i < n; i++)
        if (send_msg(fd, XS_READ, "/tool\0", 6, 6))
            return 0;
    if (!still_serving())
        return 0;
    for (int i = 0; i < n; i++) {
        int t = recv_msg(fd, data, NULL);
        if (t != XS_READ) {
            fprintf(stderr, "reply %d: type %d\n", i, t);
            return 0;
        }
    }
    close(fd);
    return 1;
}

/* Many more clients than the daemon has file descriptors: it keeps
 * serving those it has, and takes new ones again once others leave. */
static int t_fdlimit(void)
{
    enum { N = 64 };
    int fds[N], n = 0;
    for (int i = 0; i < N; i++) {
        fds[i] = dial();
        n++;
    }
    char data[XENSTORE_PAYLOAD_MAX + 1];
    int served = call(fds[0], XS_READ, "/tool\0", 6, data) == XS_READ;
    for (int i = 0; i < n; i++)
        close(fds[i]);
    usleep(200000);
    return served && still_serving();
}

static int t_uring_probe(void)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    int fd = syscall(__NR_io_uring_setup, 4, &p);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: xs-raw SOCK TEST\n");
        return 2;
    }
    sock_path = argv[1];
    const char *t = argv[2];
    int ok;
    if (!strcmp(t, "oversize"))
        ok = t_oversize();
    else if (!strcmp(t, "nonul"))
        ok = expect_error(XS_READ, "/tool", 5, "EINVAL");
    else if (!strcmp(t, "unknown"))
        ok = expect_error(99, "/tool", 6, "ENOSYS");
    else if (!strcmp(t, "midmsg"))
        ok = t_midmsg();
    else if (!strcmp(t, "flood"))
        ok = t_flood();
    else if (!strcmp(t, "throttle"))
        ok = t_throttle();
    else if (!strcmp(t, "fdlimit"))
        ok = t_fdlimit();
    else if (!strcmp(t, "uring-probe"))
        ok = t_uring_probe();
    else
        return 2;
    return ok ? 0 : 1;
}
