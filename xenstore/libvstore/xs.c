/*
 * libvstore: a client library with the C API and wire behaviour of Xen's
 * libxenstore 4.17 (Debian's /usr/include/xenstore.h), so programs built
 * against that header link and run unchanged.
 *
 * Threading, as in libxenstore: requests are serialised by request_mutex
 * (one request in flight, req_id 0, replies in order). Until the first
 * watch, the requesting thread reads its own reply and queues any watch
 * event it meets. From the first xs_watch (or xs_fileno) on, a reader
 * thread owns the socket: it hands replies to the waiting requester
 * (reply_cond) and queues events (watch_cond, plus one byte in the
 * xs_fileno pipe while the queue is non-empty). Any I/O error closes the
 * connection for good: every later call fails with EBADF, as in the real
 * library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

#include "xs_internal.h"

struct xs_msg {
    struct xs_msg *next;
    struct xsd_sockmsg hdr;
    char *body; /* hdr.len bytes plus a NUL */
};

struct xs_handle {
    int fd;
    bool is_socket;
    bool broken; /* an I/O error happened: the connection is unusable */
    unsigned long flags;

    pthread_mutex_t request_mutex; /* one request at a time */
    pthread_mutex_t lock;          /* everything below */
    pthread_cond_t reply_cond, watch_cond;
    struct xs_msg *reply;
    struct xs_msg *watch_head, **watch_tail;
    int watch_pipe[2];
    bool reader;
    pthread_t reader_thread;

    /* Bytes read from fd and not yet made messages: [rhead, rtail). Owned
     * by whoever reads the connection (the reader thread when there is one,
     * otherwise the holder of request_mutex). Reading in bulk gets a reply's
     * header and body in one read() where two were needed: in a PV dom0
     * every syscall goes through the hypervisor, and it shows. */
    size_t rhead, rtail;
    char rbuf[2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
};

static void msg_free(struct xs_msg *m)
{
    if (m) {
        free(m->body);
        free(m);
    }
}

static int get_socket(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = EINVAL;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static struct xs_handle *get_handle(const char *path, unsigned long flags)
{
    struct stat st;
    int fd;
    if (stat(path, &st) != 0)
        return NULL;
    bool sock = S_ISSOCK(st.st_mode);
    fd = sock ? get_socket(path) : open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct xs_handle *h = calloc(1, sizeof(*h));
    if (!h) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    h->fd = fd;
    h->is_socket = sock;
    h->flags = flags;
    h->watch_pipe[0] = h->watch_pipe[1] = -1;
    h->watch_tail = &h->watch_head;
    pthread_mutex_init(&h->request_mutex, NULL);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->reply_cond, NULL);
    pthread_cond_init(&h->watch_cond, NULL);
    return h;
}

struct xs_handle *xs_open(unsigned long flags)
{
    struct xs_handle *h = get_handle(xs_daemon_socket(), flags);
    if (!h && !(flags & XS_OPEN_SOCKETONLY))
        h = get_handle(xs_domain_dev(), flags);
    return h;
}

struct xs_handle *xs_daemon_open(void)
{
    return xs_open(0);
}

struct xs_handle *xs_domain_open(void)
{
    return xs_open(0);
}

struct xs_handle *xs_daemon_open_readonly(void)
{
    return xs_open(XS_OPEN_READONLY);
}

static void free_queue(struct xs_handle *h)
{
    while (h->watch_head) {
        struct xs_msg *m = h->watch_head;
        h->watch_head = m->next;
        msg_free(m);
    }
    h->watch_tail = &h->watch_head;
    msg_free(h->reply);
    h->reply = NULL;
}

static void close_fds(struct xs_handle *h)
{
    if (h->fd >= 0)
        close(h->fd);
    for (int i = 0; i < 2; i++)
        if (h->watch_pipe[i] >= 0)
            close(h->watch_pipe[i]);
}

void xs_daemon_destroy_postfork(struct xs_handle *h)
{
    /* In a forked child: the reader thread does not exist here. */
    if (!h)
        return;
    close_fds(h);
    free_queue(h);
    free(h);
}

void xs_close(struct xs_handle *h)
{
    if (!h)
        return;
    if (h->reader) {
        pthread_cancel(h->reader_thread);
        pthread_join(h->reader_thread, NULL);
    }
    close_fds(h);
    free_queue(h);
    pthread_mutex_destroy(&h->request_mutex);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->reply_cond);
    pthread_cond_destroy(&h->watch_cond);
    free(h);
}

void xs_daemon_close(struct xs_handle *h)
{
    xs_close(h);
}

/* Makes at least want bytes available at h->rbuf + h->rhead. */
static bool fill(struct xs_handle *h, size_t want)
{
    if (h->rhead + want > sizeof(h->rbuf)) {
        memmove(h->rbuf, h->rbuf + h->rhead, h->rtail - h->rhead);
        h->rtail -= h->rhead;
        h->rhead = 0;
    }
    while (h->rtail - h->rhead < want) {
        ssize_t n = read(h->fd, h->rbuf + h->rtail, sizeof(h->rbuf) - h->rtail);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ECONNRESET;
            return false;
        }
        h->rtail += n;
    }
    return true;
}

/* Reads one whole message from the daemon. */
static struct xs_msg *read_message(struct xs_handle *h)
{
    struct xs_msg *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    if (!fill(h, sizeof(m->hdr)))
        goto fail;
    memcpy(&m->hdr, h->rbuf + h->rhead, sizeof(m->hdr));
    if (m->hdr.len > XENSTORE_PAYLOAD_MAX) {
        errno = E2BIG;
        goto fail;
    }
    m->body = malloc(m->hdr.len + 1);
    if (!m->body || !fill(h, sizeof(m->hdr) + m->hdr.len))
        goto fail;
    memcpy(m->body, h->rbuf + h->rhead + sizeof(m->hdr), m->hdr.len);
    m->body[m->hdr.len] = 0;
    h->rhead += sizeof(m->hdr) + m->hdr.len;
    if (h->rhead == h->rtail)
        h->rhead = h->rtail = 0;
    return m;
fail:
    msg_free(m);
    return NULL;
}

/* The xs_fileno pipe holds exactly one byte while events are queued. */
static void pipe_byte(int fd, bool put)
{
    char c = 0;
    ssize_t n;
    do {
        n = put ? write(fd, &c, 1) : read(fd, &c, 1);
    } while (n < 0 && errno == EINTR);
}

/* Called with h->lock held. */
static void queue_event(struct xs_handle *h, struct xs_msg *m)
{
    bool was_empty = !h->watch_head;
    *h->watch_tail = m;
    h->watch_tail = &m->next;
    if (was_empty && h->watch_pipe[1] >= 0)
        pipe_byte(h->watch_pipe[1], true);
    pthread_cond_broadcast(&h->watch_cond);
}

static void *reader_main(void *arg)
{
    struct xs_handle *h = arg;
    for (;;) {
        struct xs_msg *m = read_message(h);
        int old;
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
        pthread_mutex_lock(&h->lock);
        if (!m) {
            h->broken = true;
            pthread_cond_broadcast(&h->reply_cond);
            pthread_cond_broadcast(&h->watch_cond);
            pthread_mutex_unlock(&h->lock);
            pthread_setcancelstate(old, NULL);
            return NULL;
        }
        if (m->hdr.type == XS_WATCH_EVENT) {
            queue_event(h, m);
        } else {
            msg_free(h->reply); /* an unsolicited reply: drop the old */
            h->reply = m;
            pthread_cond_broadcast(&h->reply_cond);
        }
        pthread_mutex_unlock(&h->lock);
        pthread_setcancelstate(old, NULL);
    }
}

/* Starts the reader thread; called with request_mutex held so no request
 * is reading the socket at the same time. */
static bool start_reader(struct xs_handle *h)
{
    if (h->reader)
        return true;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread takes none */
    int rc = pthread_create(&h->reader_thread, NULL, reader_main, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        errno = rc;
        return false;
    }
    h->reader = true;
    return true;
}

static bool send_iov(struct xs_handle *h, struct iovec *iov, int n)
{
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].iov_len;
    while (total) {
        ssize_t w;
        if (h->is_socket) {
            struct msghdr mh = {.msg_iov = iov, .msg_iovlen = n};
            w = sendmsg(h->fd, &mh, MSG_NOSIGNAL);
        } else {
            w = writev(h->fd, iov, n);
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        total -= w;
        while (n && (size_t)w >= iov->iov_len) {
            w -= iov->iov_len;
            iov++;
            n--;
        }
        if (n) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= w;
        }
    }
    return true;
}

static int error_number(const char *name)
{
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (strcmp(name, xsd_errors[i].errstring) == 0)
            return xsd_errors[i].errnum;
    return EINVAL;
}

/* Sends one request and returns the reply body (malloc'd, NUL added),
 * NULL with errno on failure. */
static void *xs_talkv(struct xs_handle *h, xs_transaction_t t,
                      enum xsd_sockmsg_type type, const struct iovec *iovec,
                      unsigned int num, unsigned int *len)
{
    struct xsd_sockmsg hdr = {type, 0, t, 0};
    struct iovec iov[num + 1];
    struct xs_msg *m = NULL;
    void *ret = NULL;
    int err = 0;

    iov[0].iov_base = &hdr;
    iov[0].iov_len = sizeof(hdr);
    for (unsigned int i = 0; i < num; i++) {
        iov[i + 1] = iovec[i];
        hdr.len += iovec[i].iov_len;
    }
    if (hdr.len > XENSTORE_PAYLOAD_MAX) {
        errno = E2BIG;
        return NULL;
    }

    pthread_mutex_lock(&h->request_mutex);
    pthread_mutex_lock(&h->lock);
    bool broken = h->broken;
    pthread_mutex_unlock(&h->lock);
    if (broken) {
        err = EBADF;
        goto out;
    }
    if (!send_iov(h, iov, num + 1)) {
        err = errno;
        goto broken;
    }
    if (h->reader) {
        pthread_mutex_lock(&h->lock);
        while (!h->reply && !h->broken)
            pthread_cond_wait(&h->reply_cond, &h->lock);
        m = h->reply;
        h->reply = NULL;
        pthread_mutex_unlock(&h->lock);
        if (!m) {
            err = EBADF;
            goto out;
        }
    } else {
        for (;;) {
            m = read_message(h);
            if (!m) {
                err = errno;
                goto broken;
            }
            if (m->hdr.type != XS_WATCH_EVENT)
                break;
            pthread_mutex_lock(&h->lock);
            queue_event(h, m);
            pthread_mutex_unlock(&h->lock);
        }
    }
    if (m->hdr.type == XS_ERROR) {
        err = error_number(m->body);
        goto out;
    }
    if (m->hdr.type != type) {
        err = EBADF; /* a reply to something else: protocol lost */
        goto broken;
    }
    ret = m->body;
    m->body = NULL;
    if (len)
        *len = m->hdr.len;
    goto out;
broken:
    pthread_mutex_lock(&h->lock);
    h->broken = true;
    pthread_mutex_unlock(&h->lock);
    if (h->is_socket)
        shutdown(h->fd, SHUT_RDWR);
out:
    pthread_mutex_unlock(&h->request_mutex);
    msg_free(m);
    if (!ret)
        errno = err ? err : EIO;
    return ret;
}

static void *xs_single(struct xs_handle *h, xs_transaction_t t,
                       enum xsd_sockmsg_type type, const char *string,
                       unsigned int *len)
{
    struct iovec iov = {(void *)string, strlen(string) + 1};
    return xs_talkv(h, t, type, &iov, 1, len);
}

static bool xs_bool(char *reply)
{
    if (!reply)
        return false;
    free(reply);
    return true;
}

/* Turns "a\0b\0" into a single malloc'd block: char *[n] + the strings. */
static char **strings_to_vector(const char *s, unsigned int len,
                                unsigned int *num)
{
    unsigned int n = xs_count_strings(s, len);
    char **v = malloc(n * sizeof(char *) + len + 1);
    if (!v)
        return NULL;
    char *p = (char *)(v + n);
    memcpy(p, s, len);
    p[len] = 0;
    for (unsigned int i = 0; i < n; i++) {
        v[i] = p;
        p += strlen(p) + 1;
    }
    *num = n;
    return v;
}

/* DIRECTORY_PART: the list in chunks, restarted if the node's generation
 * changes between chunks. */
static char *directory_part(struct xs_handle *h, xs_transaction_t t,
                            const char *path, unsigned int *len)
{
    char *acc = NULL, gen[32] = "", off[32];
    size_t acc_len = 0;
    for (int restarts = 0; restarts < 100;) {
        snprintf(off, sizeof(off), "%zu", acc_len);
        struct iovec iov[2] = {{(void *)path, strlen(path) + 1},
                               {off, strlen(off) + 1}};
        unsigned int rlen;
        char *r = xs_talkv(h, t, XS_DIRECTORY_PART, iov, 2, &rlen);
        if (!r) {
            free(acc);
            return NULL;
        }
        size_t gl = strnlen(r, rlen);
        if (gl == rlen || gl >= sizeof(gen)) {
            free(r);
            free(acc);
            errno = EIO;
            return NULL;
        }
        if (!gen[0]) {
            memcpy(gen, r, gl + 1);
        } else if (strcmp(gen, r) != 0) { /* changed: start again */
            free(r);
            free(acc);
            acc = NULL;
            acc_len = 0;
            gen[0] = 0;
            restarts++;
            continue;
        }
        size_t body = rlen - gl - 1;
        bool end = body == 0 || (body >= 1 && r[rlen - 1] == 0 &&
                                 (body == 1 || r[rlen - 2] == 0));
        size_t take = end && body ? body - 1 : body;
        char *n = realloc(acc, acc_len + take + 1);
        if (!n) {
            free(r);
            free(acc);
            errno = ENOMEM;
            return NULL;
        }
        acc = n;
        memcpy(acc + acc_len, r + gl + 1, take);
        acc_len += take;
        free(r);
        if (end || take == 0) {
            *len = acc_len;
            return acc;
        }
    }
    free(acc);
    errno = EAGAIN;
    return NULL;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
                    unsigned int *num)
{
    unsigned int len;
    char *s = xs_single(h, t, XS_DIRECTORY, path, &len);
    if (!s) {
        if (errno != E2BIG)
            return NULL;
        s = directory_part(h, t, path, &len);
        if (!s) {
            if (errno == ENOSYS)
                errno = E2BIG;
            return NULL;
        }
    }
    char **v = strings_to_vector(s, len, num);
    free(s);
    return v;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
              unsigned int *len)
{
    return xs_single(h, t, XS_READ, path, len);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
              const void *data, unsigned int len)
{
    struct iovec iov[2] = {{(void *)path, strlen(path) + 1},
                           {(void *)data, len}};
    return xs_bool(xs_talkv(h, t, XS_WRITE, iov, 2, NULL));
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return xs_bool(xs_single(h, t, XS_MKDIR, path, NULL));
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return xs_bool(xs_single(h, t, XS_RM, path, NULL));
}

bool xs_restrict(struct xs_handle *h, unsigned domid)
{
    return false; /* obsolete, as in 4.17 */
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h,
                                          xs_transaction_t t, const char *path,
                                          unsigned int *num)
{
    unsigned int len;
    char *s = xs_single(h, t, XS_GET_PERMS, path, &len);
    if (!s)
        return NULL;
    unsigned int n = xs_count_strings(s, len);
    struct xs_permissions *p = malloc((n ? n : 1) * sizeof(*p));
    if (!p || !xs_strings_to_perms(p, n, s)) {
        int e = p ? errno : ENOMEM;
        free(p);
        free(s);
        errno = e;
        return NULL;
    }
    free(s);
    *num = n;
    return p;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
                        const char *path, struct xs_permissions *perms,
                        unsigned int num_perms)
{
    if (num_perms > XENSTORE_PAYLOAD_MAX / 2) {
        errno = E2BIG;
        return false;
    }
    struct iovec *iov = malloc((num_perms + 1) * sizeof(*iov));
    char *bufs = malloc(num_perms * 16 + 1);
    bool ok = false;
    if (!iov || !bufs) {
        errno = ENOMEM;
        goto out;
    }
    iov[0].iov_base = (void *)path;
    iov[0].iov_len = strlen(path) + 1;
    for (unsigned int i = 0; i < num_perms; i++) {
        char *b = bufs + i * 16;
        if (!xs_perm_to_string(&perms[i], b, 16))
            goto out;
        iov[i + 1].iov_base = b;
        iov[i + 1].iov_len = strlen(b) + 1;
    }
    ok = xs_bool(xs_talkv(h, t, XS_SET_PERMS, iov, num_perms + 1, NULL));
out:
    free(iov);
    free(bufs);
    return ok;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    pthread_mutex_lock(&h->request_mutex);
    bool ok = start_reader(h);
    pthread_mutex_unlock(&h->request_mutex);
    if (!ok)
        return false;
    struct iovec iov[2] = {{(void *)path, strlen(path) + 1},
                           {(void *)token, strlen(token) + 1}};
    return xs_bool(xs_talkv(h, XBT_NULL, XS_WATCH, iov, 2, NULL));
}

int xs_fileno(struct xs_handle *h)
{
    pthread_mutex_lock(&h->lock);
    if (h->watch_pipe[0] == -1 && pipe2(h->watch_pipe, O_CLOEXEC) == 0) {
        if (h->watch_head) {
            pipe_byte(h->watch_pipe[1], true);
        }
    }
    int fd = h->watch_pipe[0];
    pthread_mutex_unlock(&h->lock);
    return fd;
}

/* Takes the next event; blocks if asked and none is queued. */
static char **read_watch_internal(struct xs_handle *h, unsigned int *num,
                                  bool nonblocking)
{
    struct xs_msg *m = NULL;
    if (!h->reader && !nonblocking) {
        /* No reader thread: read the socket ourselves. */
        pthread_mutex_lock(&h->request_mutex);
        pthread_mutex_lock(&h->lock);
        while (!h->watch_head && !h->broken) {
            pthread_mutex_unlock(&h->lock);
            struct xs_msg *r = read_message(h);
            pthread_mutex_lock(&h->lock);
            if (!r)
                h->broken = true;
            else if (r->hdr.type == XS_WATCH_EVENT)
                queue_event(h, r);
            else
                msg_free(r);
        }
        pthread_mutex_unlock(&h->lock);
        pthread_mutex_unlock(&h->request_mutex);
    }
    pthread_mutex_lock(&h->lock);
    while (!h->watch_head && !h->broken && !nonblocking)
        pthread_cond_wait(&h->watch_cond, &h->lock);
    m = h->watch_head;
    if (m) {
        h->watch_head = m->next;
        if (!h->watch_head) {
            h->watch_tail = &h->watch_head;
            if (h->watch_pipe[0] >= 0)
                pipe_byte(h->watch_pipe[0], false);
        }
    }
    bool broken = h->broken;
    pthread_mutex_unlock(&h->lock);
    if (!m) {
        errno = nonblocking && !broken ? EAGAIN : EBADF;
        return NULL;
    }
    unsigned int n;
    char **v = strings_to_vector(m->body, m->hdr.len, &n);
    msg_free(m);
    if (!v) {
        errno = ENOMEM;
        return NULL;
    }
    if (n < 2) {
        free(v);
        errno = EINVAL;
        return NULL;
    }
    if (num)
        *num = n;
    return v;
}

char **xs_check_watch(struct xs_handle *h)
{
    unsigned int num;
    return read_watch_internal(h, &num, true);
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    return read_watch_internal(h, num, false);
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = {{(void *)path, strlen(path) + 1},
                           {(void *)token, strlen(token) + 1}};
    bool ok = xs_bool(xs_talkv(h, XBT_NULL, XS_UNWATCH, iov, 2, NULL));
    if (!(h->flags & XS_UNWATCH_FILTER))
        return ok;
    /* Purge queued events of this watch, so none arrives after. */
    pthread_mutex_lock(&h->lock);
    bool had_events = h->watch_head != NULL;
    struct xs_msg **pp = &h->watch_head;
    h->watch_tail = &h->watch_head;
    while (*pp) {
        struct xs_msg *m = *pp;
        const char *epath = m->body;
        const char *etok = epath + strnlen(epath, m->hdr.len) + 1;
        if (etok < m->body + m->hdr.len && strcmp(etok, token) == 0 &&
            xs_path_is_subpath(path, epath)) {
            *pp = m->next;
            msg_free(m);
        } else {
            pp = &m->next;
            h->watch_tail = pp;
        }
    }
    if (had_events && !h->watch_head && h->watch_pipe[0] >= 0)
        pipe_byte(h->watch_pipe[0], false);
    pthread_mutex_unlock(&h->lock);
    return ok;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    char *id = xs_single(h, XBT_NULL, XS_TRANSACTION_START, "", NULL);
    if (!id)
        return XBT_NULL;
    xs_transaction_t t = strtoul(id, NULL, 0);
    free(id);
    return t;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    return xs_bool(
        xs_single(h, t, XS_TRANSACTION_END, abort ? "F" : "T", NULL));
}

/* Requests whose arguments are decimal numbers. */
static char *numbers(struct xs_handle *h, enum xsd_sockmsg_type type, int n,
                     const unsigned long *v)
{
    char buf[3][32];
    struct iovec iov[3];
    for (int i = 0; i < n; i++) {
        snprintf(buf[i], sizeof(buf[i]), "%lu", v[i]);
        iov[i].iov_base = buf[i];
        iov[i].iov_len = strlen(buf[i]) + 1;
    }
    return xs_talkv(h, XBT_NULL, type, iov, n, NULL);
}

bool xs_introduce_domain(struct xs_handle *h, unsigned int domid,
                         unsigned long mfn, unsigned int eventchn)
{
    unsigned long v[3] = {domid, mfn, eventchn};
    return xs_bool(numbers(h, XS_INTRODUCE, 3, v));
}

bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target)
{
    unsigned long v[2] = {domid, target};
    return xs_bool(numbers(h, XS_SET_TARGET, 2, v));
}

bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
    unsigned long v[1] = {domid};
    return xs_bool(numbers(h, XS_RESUME, 1, v));
}

bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
    unsigned long v[1] = {domid};
    return xs_bool(numbers(h, XS_RELEASE, 1, v));
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    unsigned long v[1] = {domid};
    return numbers(h, XS_GET_DOMAIN_PATH, 1, v);
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    unsigned long v[1] = {domid};
    char *r = numbers(h, XS_IS_DOMAIN_INTRODUCED, 1, v);
    if (!r)
        return false;
    bool yes = strcmp(r, "F") != 0;
    free(r);
    return yes;
}

char *xs_control_command(struct xs_handle *h, const char *cmd, void *data,
                         unsigned int len)
{
    struct iovec iov[2] = {{(void *)cmd, strlen(cmd) + 1}, {data, len}};
    return xs_talkv(h, XBT_NULL, XS_CONTROL, iov, 2, NULL);
}

char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data,
                       unsigned int len)
{
    return xs_control_command(h, cmd, data, len);
}

int xs_suspend_evtchn_port(int domid)
{
    char path[64];
    unsigned int len;
    struct xs_handle *h = xs_open(0);
    if (!h)
        return -1;
    snprintf(path, sizeof(path),
             "/local/domain/%d/device/suspend/event-channel", domid);
    char *s = xs_read(h, XBT_NULL, path, &len);
    xs_close(h);
    if (!s)
        return -1;
    int port = atoi(s);
    free(s);
    return port;
}
