/*
 * The in-process harness (see harness.h) and the tier's main: runs every
 * registered suite, one fresh daemon per case, and ends with the tier's
 * "N passed, N failed" line.
 */
#include "harness.h"

#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct xs_daemon *xt_d;
static struct xs_daemon daemon_storage;
static struct xt_suite *suites;

void xt_register(struct xt_suite *s)
{
    struct xt_suite **p = &suites;
    while (*p)
        p = &(*p)->next;
    *p = s;
}

static int setup(void)
{
    return 0;
}

static void case_setup(void)
{
    xt_d = &daemon_storage;
    if (xs_daemon_init(xt_d))
        abort();
}

static size_t nstash;

static void case_teardown(void)
{
    nstash = 0;
    xs_daemon_free(xt_d);
    xt_d = NULL;
}

struct xs_conn *xt_conn(uint32_t domid)
{
    struct xs_conn *c = xs_conn_new(xt_d, domid, domid != 0, NULL, NULL);
    if (!c)
        abort();
    return c;
}

size_t xt_feed(struct xs_conn *c, const void *p, size_t len)
{
    return xs_conn_feed(c, p, len);
}

/* Messages taken off a connection but not consumed yet: xt_req takes its
 * reply out of order, and the watch events around it wait here. */
#define STASH_MAX 512
static struct stash {
    struct xs_conn *c;
    struct xt_msg m;
} stash[STASH_MAX];

static bool pop_raw(struct xs_conn *c, struct xt_msg *out)
{
    const void *p;
    size_t n = xs_conn_out_peek(c, &p);
    if (n < XS_HDR_SIZE)
        return false;
    memcpy(out, p, XS_HDR_SIZE);
    if (out->len > XENSTORE_PAYLOAD_MAX || n < XS_HDR_SIZE + out->len)
        return false;
    memcpy(out->data, (const char *)p + XS_HDR_SIZE, out->len);
    out->data[out->len] = 0;
    xs_conn_out_consume(c, XS_HDR_SIZE + out->len);
    return true;
}

static bool take(struct xs_conn *c, struct xt_msg *out, bool skip_events)
{
    for (size_t i = 0; i < nstash; i++) {
        if (stash[i].c != c ||
            (skip_events && stash[i].m.type == XS_WATCH_EVENT))
            continue;
        *out = stash[i].m;
        memmove(&stash[i], &stash[i + 1], (nstash - i - 1) * sizeof(*stash));
        nstash--;
        return true;
    }
    return false;
}

bool xt_next(struct xs_conn *c, struct xt_msg *out)
{
    return take(c, out, false) || pop_raw(c, out);
}

bool xt_req(struct xs_conn *c, uint32_t type, uint32_t tx, const void *p,
            size_t len, struct xt_msg *out)
{
    struct xsd_sockmsg h = {type, 77, tx, (uint32_t)len};
    char buf[XS_HDR_SIZE + XENSTORE_PAYLOAD_MAX + 64];
    if (len > sizeof(buf) - XS_HDR_SIZE)
        return false;
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + XS_HDR_SIZE, p, len);
    xt_feed(c, buf, XS_HDR_SIZE + len);
    while (nstash < STASH_MAX && pop_raw(c, &stash[nstash].m))
        stash[nstash++].c = c;
    return take(c, out, true);
}

size_t xt_args(char *buf, int n, ...)
{
    va_list ap;
    size_t len = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *s = va_arg(ap, const char *);
        size_t l = strlen(s) + 1;
        memcpy(buf + len, s, l);
        len += l;
    }
    va_end(ap);
    return len;
}

/* Replies are kept in a few rotating buffers so asserts can compare two. */
static char *result(const struct xt_msg *m, bool ok, bool list)
{
    static char bufs[4][XENSTORE_PAYLOAD_MAX + 16];
    static int k;
    char *b = bufs[k++ & 3];
    if (!ok) {
        strcpy(b, "NOREPLY");
    } else if (m->type == XS_ERROR) {
        snprintf(b, XENSTORE_PAYLOAD_MAX + 16, "ERR:%s", m->data);
    } else {
        memcpy(b, m->data, m->len + 1);
        if (list) {
            for (uint32_t i = 0; i < m->len; i++)
                if (!b[i])
                    b[i] = ',';
            if (m->len && b[m->len - 1] == ',')
                b[m->len - 1] = 0;
        }
    }
    return b;
}

const char *xt_read(struct xs_conn *c, uint32_t tx, const char *path)
{
    struct xt_msg m;
    bool ok = xt_req(c, XS_READ, tx, path, strlen(path) + 1, &m);
    return result(&m, ok, false);
}

const char *xt_write(struct xs_conn *c, uint32_t tx, const char *path,
                     const char *value)
{
    char buf[XENSTORE_PAYLOAD_MAX + 1];
    size_t pl = strlen(path) + 1, vl = strlen(value);
    memcpy(buf, path, pl);
    memcpy(buf + pl, value, vl); /* the value has no terminator */
    struct xt_msg m;
    bool ok = xt_req(c, XS_WRITE, tx, buf, pl + vl, &m);
    return result(&m, ok, false);
}

const char *xt_op1(struct xs_conn *c, uint32_t type, uint32_t tx,
                   const char *arg)
{
    struct xt_msg m;
    bool ok = xt_req(c, type, tx, arg, strlen(arg) + 1, &m);
    return result(&m, ok, false);
}

const char *xt_op2(struct xs_conn *c, uint32_t type, uint32_t tx, const char *a,
                   const char *b)
{
    char buf[XENSTORE_PAYLOAD_MAX + 8];
    struct xt_msg m;
    size_t l = xt_args(buf, 2, a, b);
    bool ok = xt_req(c, type, tx, buf, l, &m);
    return result(&m, ok, false);
}

const char *xt_introduce(struct xs_conn *c, const char *id, const char *gfn,
                         const char *port)
{
    char buf[XENSTORE_PAYLOAD_MAX + 8];
    struct xt_msg m;
    size_t l = xt_args(buf, 3, id, gfn, port);
    bool ok = xt_req(c, XS_INTRODUCE, 0, buf, l, &m);
    return result(&m, ok, false);
}

const char *xt_list(struct xs_conn *c, uint32_t type, uint32_t tx,
                    const char *path)
{
    struct xt_msg m;
    bool ok = xt_req(c, type, tx, path, strlen(path) + 1, &m);
    return result(&m, ok, true);
}

uint32_t xt_txn_start(struct xs_conn *c)
{
    struct xt_msg m;
    if (!xt_req(c, XS_TRANSACTION_START, 0, "", 1, &m) ||
        m.type != XS_TRANSACTION_START)
        return 0;
    return strtoul(m.data, NULL, 10);
}

int xt_drain_events(struct xs_conn *c)
{
    struct xt_msg m;
    int n = 0;
    while (xt_next(c, &m))
        n += m.type == XS_WATCH_EVENT;
    return n;
}

static int wanted(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (struct xt_suite *s = suites; s; s = s->next) {
        if (!wanted(s->name, argc, argv))
            continue;
        CU_pSuite suite = CU_add_suite_with_setup_and_teardown(
            s->name, setup, NULL, case_setup, case_teardown);
        if (!suite)
            return 2;
        for (const struct xt_case *c = s->cases; c->name; c++)
            if (!CU_add_test(suite, c->name, c->fn))
                return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned run = CU_get_number_of_tests_run();
    unsigned failed = CU_get_number_of_tests_failed();
    printf("\n%u passed, %u failed\n", run - failed, failed);
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
