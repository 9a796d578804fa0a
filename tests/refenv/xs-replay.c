/*
 * xs-replay: plays a xenstore request corpus (a text file, one request a
 * line) against a daemon's unix socket and prints a transcript of what came
 * back, so that two daemons (Debian's C xenstored in a Xen dom0 and vstored)
 * can be compared with diff. It speaks the wire protocol by hand: malformed
 * requests are part of the corpus.
 *
 * Corpus line:  CONN OP[@TX] [PAYLOAD...] [len=N] [req=N] [-> NAME]
 *   CONN     a connection name (a, b, ...); opened on first use, and again
 *            after the daemon closed it
 *   OP       a message type name (READ, WRITE, TRANSACTION_START, ...) or
 *            its number; or EVENTS (the watch events the connection has
 *            been sent so far), CLOSE, RAW (PAYLOAD is sent as raw bytes)
 *   @TX      header tx_id: a NAME bound by "-> NAME", or a number
 *   PAYLOAD  "C-escaped strings" (\0 \n \\ \" \xNN), concatenated
 *   fill=N   N bytes 'x' appended to the payload (long values, paths)
 *   len=N    header length other than the payload's (a lie)
 *   wait=MS  how long to wait for the reply (default 5000 ms)
 *   -> NAME  binds the decimal id in a TRANSACTION_START reply to NAME;
 *            the transcript shows <NAME> instead of the number
 * '#' starts a comment line. EVENTS sends a GET_DOMAIN_PATH on the
 * connection and reports the watch events that arrive before its reply
 * (daemons deliver a connection's output in order): deterministic.
 *
 * Transcript line: the request, "=>", then the reply ("TYPE "payload"",
 * a DIRECTORY_PART's generation count shown as <gen>,
 * "CLOSED" or "TIMEOUT"), with "[req=N tx=N]" when the reply's header does
 * not echo the request's; events are lines "CONN EVENT "payload"".
 *
 * usage: xs-replay SOCKET CORPUS
 * exit: 0 played (whatever the replies); 2 bad usage or a bad corpus line.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#define MAXCONN    8
#define MAXNAMES   32
#define TIMEOUT_MS 5000

static int timeout_ms = TIMEOUT_MS;

static const char *sock_path;
static int lineno;

static struct {
    char name[16];
    int fd;
} conns[MAXCONN];
static int nconns;

/* Watch events read while waiting for a reply: printed after it. */
static char events[65536];
static size_t nevents;

static struct {
    char name[16];
    uint32_t id;
} txnames[MAXNAMES];
static int ntx;

static const char *const type_names[] = {
    [XS_CONTROL] = "CONTROL",
    [XS_DIRECTORY] = "DIRECTORY",
    [XS_READ] = "READ",
    [XS_GET_PERMS] = "GET_PERMS",
    [XS_WATCH] = "WATCH",
    [XS_UNWATCH] = "UNWATCH",
    [XS_TRANSACTION_START] = "TRANSACTION_START",
    [XS_TRANSACTION_END] = "TRANSACTION_END",
    [XS_INTRODUCE] = "INTRODUCE",
    [XS_RELEASE] = "RELEASE",
    [XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
    [XS_WRITE] = "WRITE",
    [XS_MKDIR] = "MKDIR",
    [XS_RM] = "RM",
    [XS_SET_PERMS] = "SET_PERMS",
    [XS_WATCH_EVENT] = "WATCH_EVENT",
    [XS_ERROR] = "ERROR",
    [XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
    [XS_RESUME] = "RESUME",
    [XS_SET_TARGET] = "SET_TARGET",
    [XS_RESET_WATCHES] = "RESET_WATCHES",
    [XS_DIRECTORY_PART] = "DIRECTORY_PART",
};
#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

static void bad(const char *why)
{
    fprintf(stderr, "xs-replay: corpus line %d: %s\n", lineno, why);
    exit(2);
}

static void print_type(uint32_t t)
{
    if (t < NTYPES && type_names[t])
        fputs(type_names[t], stdout);
    else
        printf("%u", t);
}

/* C-escaped, a run of more than 8 equal characters as \{c*N}. */
static void print_bytes(FILE *f, const char *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        size_t run = 1;
        while (i + run < n && p[i + run] == p[i])
            run++;
        if (run > 8 && c > 32 && c < 127 && c != '\\' && c != '"') {
            fprintf(f, "\\{%c*%zu}", c, run);
            i += run - 1;
        } else if (c == 0)
            fputs("\\0", f);
        else if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 32 || c > 126)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static int conn_fd(const char *name)
{
    int i;
    for (i = 0; i < nconns; i++)
        if (!strcmp(conns[i].name, name))
            break;
    if (i == nconns) {
        if (nconns == MAXCONN)
            bad("too many connections");
        if (strlen(name) >= sizeof(conns[0].name))
            bad("connection name too long");
        strcpy(conns[i].name, name);
        conns[i].fd = -1;
        nconns++;
    }
    if (conns[i].fd < 0) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
            fprintf(stderr, "xs-replay: connect %s: %s\n", sock_path,
                    strerror(errno));
            exit(1);
        }
        conns[i].fd = fd;
    }
    return i;
}

static void conn_close(int i)
{
    if (conns[i].fd >= 0)
        close(conns[i].fd);
    conns[i].fd = -1;
}

/* 0, or -1 at end of file / error, -2 on timeout. */
static int read_full(int fd, void *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0)
            return -2;
        if (r < 0 && errno == EINTR)
            continue;
        ssize_t k = read(fd, (char *)p + got, n - got);
        if (k <= 0)
            return -1;
        got += k;
    }
    return 0;
}

static int write_full(int fd, const void *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k <= 0)
            return -1;
        p = (const char *)p + k;
        n -= k;
    }
    return 0;
}

/* Reads messages until the reply to a request of type want (or an ERROR);
 * watch events before it are printed as they come. Returns the reply's
 * type, -1 when the daemon closed the connection, -2 on timeout; the
 * reply's header and payload in *h and buf. */
static int read_reply(int ci, uint32_t want, struct xsd_sockmsg *h, char *buf)
{
    for (;;) {
        int r = read_full(conns[ci].fd, h, sizeof(*h));
        if (r)
            return r;
        if (h->len > XENSTORE_PAYLOAD_MAX)
            return -3;
        if ((r = read_full(conns[ci].fd, buf, h->len)))
            return r;
        if (h->type == XS_WATCH_EVENT && want != XS_WATCH_EVENT) {
            FILE *m = fmemopen(events + nevents, sizeof(events) - nevents, "w");
            if (m) {
                fprintf(m, "%s EVENT ", conns[ci].name);
                print_bytes(m, buf, h->len);
                fputc('\n', m);
                nevents += ftell(m);
                fclose(m);
            }
            continue;
        }
        return h->type;
    }
}

/* Parses one "C-escaped" string at *pp into out; returns its length. */
static size_t parse_string(const char **pp, char *out, size_t room)
{
    const char *p = *pp + 1;
    size_t n = 0;
    while (*p && *p != '"') {
        char c = *p++;
        if (c == '\\') {
            c = *p++;
            switch (c) {
            case '0':
                c = 0;
                break;
            case 'n':
                c = '\n';
                break;
            case '\\':
            case '"':
                break;
            case 'x': {
                if (!isxdigit((unsigned char)p[0]) ||
                    !isxdigit((unsigned char)p[1]))
                    bad("\\x needs two hex digits");
                char hex[3] = {p[0], p[1], 0};
                c = (char)strtol(hex, NULL, 16);
                p += 2;
                break;
            }
            default:
                bad("unknown escape");
            }
        }
        if (n == room)
            bad("payload too long");
        out[n++] = c;
    }
    if (*p != '"')
        bad("unterminated string");
    *pp = p + 1;
    return n;
}

static long parse_number(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || (*end && !isspace((unsigned char)*end)) || v < 0 ||
        v > UINT32_MAX)
        bad(what);
    return v;
}

static uint32_t tx_of(const char *s)
{
    if (isdigit((unsigned char)*s))
        return (uint32_t)parse_number(s, "bad @TX number");
    for (int i = 0; i < ntx; i++)
        if (!strcmp(txnames[i].name, s))
            return txnames[i].id;
    bad("unknown transaction name");
    return 0;
}

static void bind_tx(const char *name, uint32_t id)
{
    int i;
    for (i = 0; i < ntx; i++)
        if (!strcmp(txnames[i].name, name))
            break;
    if (i == MAXNAMES)
        bad("too many transaction names");
    if (strlen(name) >= sizeof(txnames[0].name))
        bad("transaction name too long");
    strcpy(txnames[i].name, name);
    txnames[i].id = id;
    if (i == ntx)
        ntx++;
}

static const char *tx_name(uint32_t id)
{
    for (int i = ntx - 1; i >= 0; i--)
        if (txnames[i].id == id)
            return txnames[i].name;
    return NULL;
}

static void exchange(int ci, const char *opword, uint32_t tx,
                     const char *payload, size_t plen, long len, long req,
                     const char *bindname);

static void play(char *line)
{
    char cname[32], opword[64];
    const char *p = line;
    int n;
    if (sscanf(p, "%31s %63s%n", cname, opword, &n) != 2)
        bad("want CONN OP");
    p += n;

    char *at = strchr(opword, '@');
    uint32_t tx = 0;
    if (at) {
        *at = 0;
        tx = tx_of(at + 1);
    }
    static char payload[2 * XENSTORE_PAYLOAD_MAX];
    size_t plen = 0;
    long len = -1, req = 0;
    char bindname[16] = "";
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (*p == '"') {
            plen += parse_string(&p, payload + plen, sizeof(payload) - plen);
        } else if (!strncmp(p, "fill=", 5)) {
            long k = parse_number(p + 5, "bad fill=");
            if ((size_t)k > sizeof(payload) - plen)
                bad("payload too long");
            memset(payload + plen, 'x', k);
            plen += k;
            p += strcspn(p, " \t");
        } else if (!strncmp(p, "len=", 4)) {
            len = parse_number(p + 4, "bad len=");
            p += strcspn(p, " \t");
        } else if (!strncmp(p, "wait=", 5)) {
            timeout_ms = (int)parse_number(p + 5, "bad wait=");
            p += strcspn(p, " \t");
        } else if (!strncmp(p, "req=", 4)) {
            req = parse_number(p + 4, "bad req=");
            p += strcspn(p, " \t");
        } else if (!strncmp(p, "->", 2)) {
            p += 2;
            if (sscanf(p, " %15s%n", bindname, &n) != 1)
                bad("-> needs a name");
            p += n;
        } else {
            bad("unexpected word");
        }
    }

    int ci = conn_fd(cname);
    fputs(line, stdout);
    nevents = 0;
    exchange(ci, opword, tx, payload, plen, len, req, bindname);
    fwrite(events, 1, nevents, stdout);
    timeout_ms = TIMEOUT_MS;
}

/* Sends one corpus request on connection ci and prints " => reply". */
static void exchange(int ci, const char *opword, uint32_t tx,
                     const char *payload, size_t plen, long len, long req,
                     const char *bindname)
{
    if (!strcmp(opword, "CLOSE")) {
        conn_close(ci);
        putchar('\n');
        return;
    }
    struct xsd_sockmsg h;
    static char buf[XENSTORE_PAYLOAD_MAX + 1];
    uint32_t type;
    if (!strcmp(opword, "EVENTS")) {
        putchar('\n');
        h = (struct xsd_sockmsg){XS_GET_DOMAIN_PATH, 0, 0, 2};
        if (write_full(conns[ci].fd, &h, sizeof(h)) ||
            write_full(conns[ci].fd, "0", 2) ||
            read_reply(ci, XS_GET_DOMAIN_PATH, &h, buf) < 0) {
            nevents = 0;
            printf("%s EVENTS => CLOSED\n", conns[ci].name);
            conn_close(ci);
        }
        return;
    }
    if (!strcmp(opword, "RAW")) {
        type = UINT32_MAX;
        if (write_full(conns[ci].fd, payload, plen))
            goto closed;
    } else {
        unsigned t;
        for (t = 0; t < NTYPES; t++)
            if (type_names[t] && !strcmp(type_names[t], opword))
                break;
        if (t == NTYPES) {
            if (!isdigit((unsigned char)opword[0]))
                bad("unknown message type");
            t = (unsigned)parse_number(opword, "bad message type");
        }
        type = t;
        h = (struct xsd_sockmsg){type, (uint32_t)req, tx,
                                 len >= 0 ? (uint32_t)len : (uint32_t)plen};
        if (write_full(conns[ci].fd, &h, sizeof(h)) ||
            write_full(conns[ci].fd, payload, plen))
            goto closed;
    }
    int r = read_reply(ci, type, &h, buf);
    if (r == -1)
        goto closed;
    if (r == -2) {
        printf(" => TIMEOUT\n");
        conn_close(ci);
        return;
    }
    if (r == -3) {
        printf(" => BADLEN %u\n", h.len);
        conn_close(ci);
        return;
    }
    printf(" => ");
    print_type(h.type);
    putchar(' ');
    const char *name;
    if (h.type == XS_TRANSACTION_START && bindname[0] && h.len > 1 &&
        buf[h.len - 1] == 0) {
        buf[h.len] = 0;
        bind_tx(bindname, (uint32_t)strtoul(buf, NULL, 10));
        printf("\"<%s>\\0\"", bindname);
    } else if (h.type == XS_DIRECTORY_PART && h.len && memchr(buf, 0, h.len)) {
        /* The generation count is the daemon's own number: only its
         * presence is compared. */
        size_t g = strlen(buf) + 1;
        fputs("\"<gen>\\0", stdout);
        print_bytes(stdout, buf + g, h.len - g);
    } else {
        print_bytes(stdout, buf, h.len);
    }
    if (type != UINT32_MAX && (h.req_id != req || h.tx_id != tx)) {
        name = tx_name(h.tx_id);
        if (name)
            printf(" [req=%u tx=<%s>]", h.req_id, name);
        else
            printf(" [req=%u tx=%u]", h.req_id, h.tx_id);
    }
    putchar('\n');
    return;
closed:
    printf(" => CLOSED\n");
    conn_close(ci);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: xs-replay SOCKET CORPUS\n");
        return 2;
    }
    sock_path = argv[1];
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    char line[16384];
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\n")] = 0;
        const char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        play(line);
    }
    fclose(f);
    for (int i = 0; i < nconns; i++)
        conn_close(i);
    return 0;
}
