/*
 * xs-framing: how a libxenstore client cuts the byte stream into messages.
 * A scripted daemon in this process (a thread on a unix socket of its own)
 * answers each request with bytes laid out to stress the reader: a reply
 * dribbled a byte at a time, a watch event and the reply in one write, two
 * full 4096-byte payloads back to back, a length over the limit. Built
 * against Debian's <xenstore.h> and -lxenstore; the tier runs it on
 * Debian's library and on libvstore (LD_LIBRARY_PATH), which reads the
 * socket in bulk, and both must pass. Prints PASS/FAIL lines and a
 * summary; exits 0 when all passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

static int passed, failed;
static int listen_fd;

static void check(const char *name, int ok, const char *detail)
{
    ok ? passed++ : failed++;
    printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, ok ? "" : ": ",
           ok ? "" : detail);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k <= 0)
            return -1;
        p += k;
        n -= k;
    }
    return 0;
}

/* Appends one message to the script buffer; returns its new length. */
static size_t put(char *buf, size_t at, uint32_t type, uint32_t len,
                  const char *body, size_t body_len)
{
    struct xsd_sockmsg h = {type, 0, 0, len};
    memcpy(buf + at, &h, sizeof(h));
    memcpy(buf + at + sizeof(h), body, body_len);
    return at + sizeof(h) + body_len;
}

/* Reads one request (header and body) and ignores it. */
static int take_request(int fd)
{
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX];
    size_t got = 0;
    while (got < sizeof(h)) {
        ssize_t k = read(fd, (char *)&h + got, sizeof(h) - got);
        if (k <= 0)
            return -1;
        got += k;
    }
    for (got = 0; got < h.len && h.len <= sizeof(body);) {
        ssize_t k = read(fd, body + got, h.len - got);
        if (k <= 0)
            return -1;
        got += k;
    }
    return 0;
}

/* Answers the next request with a reply whose header comes in two writes. */
static int split_reply(int fd, const char *value)
{
    char buf[sizeof(struct xsd_sockmsg) + 16];
    size_t n = put(buf, 0, XS_READ, strlen(value), value, strlen(value));
    if (take_request(fd) || write_all(fd, buf, 7))
        return -1;
    usleep(1000); /* so that the halves do arrive apart */
    return write_all(fd, buf + 7, n - 7);
}

static void *daemon_main(void *arg)
{
    (void)arg;
    static char big[XENSTORE_PAYLOAD_MAX], ev[XENSTORE_PAYLOAD_MAX];
    static char buf[4 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
    size_t n;
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    memset(big, 'b', sizeof(big));
    /* An event whose path fills the payload: path, NUL, token "t", NUL. */
    memset(ev, 'e', sizeof(ev));
    ev[0] = '/';
    memcpy(ev + sizeof(ev) - 3, "\0t", 3);

    /* Without a watch, the caller's own thread reads the replies. */
    /* 1: the reply "one", a byte per write. */
    n = put(buf, 0, XS_READ, 3, "one", 3);
    if (take_request(fd))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (write_all(fd, buf + i, 1))
            goto out;
        usleep(100); /* so that the bytes do arrive apart */
    }
    /* 2: the reply "two" split in the middle of its header. */
    if (split_reply(fd, "two"))
        goto out;
    /* A watch (both libraries start a reader thread for it): the reply and
     * the event that registration fires, in one write as xenstored sends
     * them. */
    n = put(buf, 0, XS_WATCH, 3, "OK", 3);
    n = put(buf, n, XS_WATCH_EVENT, 8, "/ev\0tok", 8);
    if (take_request(fd) || write_all(fd, buf, n))
        goto out;
    /* 3: an event and then the reply "three" in one write. */
    n = put(buf, 0, XS_WATCH_EVENT, 9, "/ev2\0tok", 9);
    n = put(buf, n, XS_READ, 5, "three", 5);
    if (take_request(fd) || write_all(fd, buf, n))
        goto out;
    /* 4: a full reply and a full event in one write, then 5: a reply split
     * in the middle of its header. */
    n = put(buf, 0, XS_READ, sizeof(big), big, sizeof(big));
    n = put(buf, n, XS_WATCH_EVENT, sizeof(ev), ev, sizeof(ev));
    if (take_request(fd) || write_all(fd, buf, n) || split_reply(fd, "five"))
        goto out;
    /* 6: a header claiming more than the protocol allows. */
    n = put(buf, 0, XS_READ, XENSTORE_PAYLOAD_MAX + 1, "", 0);
    if (take_request(fd) || write_all(fd, buf, n))
        goto out;
    /* Held open until the client is done, so that only the length can be
     * what it refuses. */
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
out:
    close(fd);
    return NULL;
}

static int is_value(const char *got, unsigned len, const char *want)
{
    return got && len == strlen(want) && memcmp(got, want, len) == 0;
}

int main(void)
{
    char dir[] = "/tmp/xs-framing.XXXXXX", detail[160];
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    pthread_t th;
    unsigned len, num;
    setvbuf(stdout, NULL, _IOLBF, 0); /* a hang still shows how far it got */
    if (!mkdtemp(dir))
        return 2;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/socket", dir);
    listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
        listen(listen_fd, 1) || pthread_create(&th, NULL, daemon_main, NULL)) {
        perror("xs-framing: scripted daemon");
        return 2;
    }
    setenv("XENSTORED_PATH", sa.sun_path, 1);
    struct xs_handle *h = xs_open(XS_OPEN_SOCKETONLY);
    if (!h) {
        perror("xs-framing: xs_open");
        return 2;
    }

    char *v = xs_read(h, XBT_NULL, "/1", &len);
    snprintf(detail, sizeof(detail), "got %.*s", v ? (int)len : 6,
             v ? v : "(null)");
    check("reply_a_byte_per_write", is_value(v, len, "one"), detail);
    free(v);
    v = xs_read(h, XBT_NULL, "/2", &len);
    check("reply_split_inside_its_header", is_value(v, len, "two"),
          "not 'two'");
    free(v);

    check("watch_reply_and_its_event_in_one_write", xs_watch(h, "/ev", "tok"),
          "xs_watch failed");
    v = xs_read(h, XBT_NULL, "/3", &len);
    check("event_then_reply_in_one_write", is_value(v, len, "three"),
          "the reply was lost or mixed up with the event");
    free(v);
    v = xs_read(h, XBT_NULL, "/4", &len);
    int ok = v && len == XENSTORE_PAYLOAD_MAX;
    for (unsigned i = 0; ok && i < len; i++)
        ok = v[i] == 'b';
    check("full_reply_then_full_event", ok, "not 4096 bytes of 'b'");
    free(v);
    v = xs_read(h, XBT_NULL, "/5", &len);
    check("reply_split_inside_its_header_after_full_payloads",
          is_value(v, len, "five"), "not 'five'");
    free(v);

    /* The three events, in the order they came. */
    static const char *paths[] = {"/ev", "/ev2", NULL};
    for (int i = 0; i < 3; i++) {
        char **e = xs_read_watch(h, &num);
        ok = e && num >= 2 && !strcmp(e[XS_WATCH_TOKEN], i < 2 ? "tok" : "t");
        if (ok && paths[i])
            ok = !strcmp(e[XS_WATCH_PATH], paths[i]);
        else if (ok)
            ok = strlen(e[XS_WATCH_PATH]) == XENSTORE_PAYLOAD_MAX - 3;
        snprintf(detail, sizeof(detail), "event %d: %s", i + 1,
                 e ? "wrong path or token" : "none");
        check("events_kept_in_order", ok, detail);
        free(e);
    }

    errno = 0;
    v = xs_read(h, XBT_NULL, "/5", &len);
    snprintf(detail, sizeof(detail), "got %s, errno %d", v ? "a value" : "NULL",
             errno);
    check("length_over_4096_refused", !v && errno != 0, detail);
    free(v);

    xs_close(h);
    pthread_join(th, NULL);
    close(listen_fd);
    unlink(sa.sun_path);
    rmdir(dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
