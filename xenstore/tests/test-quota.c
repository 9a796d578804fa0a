/*
 * Cases for quotas (unprivileged domains; dom0 is exempt) and for the
 * protection of the daemon from clients that do not read: throttling past
 * the outstanding-reply limit and the cut-off at the output quota.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

/* Domain 5 with a writable home. */
static struct xs_conn *guest(struct xs_conn *d0)
{
    struct xs_conn *g = xt_conn(5);
    xt_write(d0, 0, "/local/domain/5", "");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/local/domain/5", "n5"), "OK");
    return g;
}

static void node_count_quota(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    xt_d->q.nodes = 10; /* the home counts as one */
    char p[64];
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        snprintf(p, sizeof(p), "n%d", i);
        ok += strcmp(xt_write(g, 0, p, "v"), "OK") == 0;
    }
    CU_ASSERT_EQUAL(ok, 9);
    XT_STR(xt_write(g, 0, "more", "v"), "ERR:ENOSPC");
    XT_STR(xt_op1(g, XS_RM, 0, "n0"), "OK"); /* freeing makes room */
    XT_STR(xt_write(g, 0, "more", "v"), "OK");
    /* dom0 is exempt. */
    for (int i = 0; i < 20; i++) {
        snprintf(p, sizeof(p), "/d0/n%d", i);
        XT_STR(xt_write(d0, 0, p, "v"), "OK");
    }
}

static void node_size_quota(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    char big[3000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    XT_STR(xt_write(g, 0, "big", big), "ERR:ENOSPC");
    big[1000] = 0;
    XT_STR(xt_write(g, 0, "big", big), "OK");
    xt_d->q.node_size = 500;
    XT_STR(xt_write(g, 0, "big", big), "ERR:ENOSPC");
}

static void path_length_quota(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    char p[256] = "a";
    for (int i = 0; i < 40; i++)
        strcat(p, "/abc");
    XT_STR(xt_write(g, 0, p, ""), "OK");
    xt_d->q.path_len = 100;
    XT_STR(xt_write(g, 0, p, ""), "ERR:EINVAL");
}

static void watch_quota(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    xt_d->q.watches = 3;
    char t[8];
    for (int i = 0; i < 3; i++) {
        snprintf(t, sizeof(t), "%d", i);
        XT_STR(xt_op2(g, XS_WATCH, 0, "/local/domain/5", t), "OK");
    }
    XT_STR(xt_op2(g, XS_WATCH, 0, "/local/domain/5", "x"), "ERR:E2BIG");
}

static void transaction_quota(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    xt_d->q.txns = 2;
    CU_ASSERT(xt_txn_start(g) != 0);
    CU_ASSERT(xt_txn_start(g) != 0);
    XT_STR(xt_op1(g, XS_TRANSACTION_START, 0, ""), "ERR:ENOSPC");
}

static void transaction_nodes_quota(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    xt_d->q.txn_nodes = 5;
    uint32_t t = xt_txn_start(g);
    char p[16];
    int ok = 0;
    for (int i = 0; i < 10; i++) {
        snprintf(p, sizeof(p), "t%d", i);
        ok += strcmp(xt_write(g, t, p, ""), "OK") == 0;
    }
    CU_ASSERT(ok > 0 && ok < 10);
    XT_STR(xt_write(g, t, "t99", ""), "ERR:ENOSPC");
}

static void perms_count_quota(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    xt_write(g, 0, "p", "");
    char buf[128];
    struct xt_msg m;
    size_t l = xt_args(buf, 7, "p", "n5", "r1", "r2", "r3", "r4", "r6");
    xt_req(g, XS_SET_PERMS, 0, buf, l, &m);
    XT_STR(m.data, "ENOSPC");
    l = xt_args(buf, 5, "p", "n5", "r1", "r2", "r3");
    xt_req(g, XS_SET_PERMS, 0, buf, l, &m);
    XT_STR(m.data, "OK");
}

static void control_quota_show_and_set(void)
{
    struct xs_conn *d0 = xt_conn(0);
    const char *all = xt_op1(d0, XS_CONTROL, 0, "quota");
    CU_ASSERT_PTR_NOT_NULL(strstr(all, "nodes"));
    CU_ASSERT_PTR_NOT_NULL(strstr(all, "1000"));
    char buf[64];
    struct xt_msg m;
    size_t l = xt_args(buf, 3, "quota", "nodes", "42");
    xt_req(d0, XS_CONTROL, 0, buf, l, &m);
    XT_STR(m.data, "OK");
    CU_ASSERT_EQUAL(xt_d->q.nodes, 42);
    l = xt_args(buf, 3, "quota", "bogus", "42");
    xt_req(d0, XS_CONTROL, 0, buf, l, &m);
    XT_STR(m.data, "EINVAL");
    l = xt_args(buf, 3, "quota", "nodes", "-1");
    xt_req(d0, XS_CONTROL, 0, buf, l, &m);
    XT_STR(m.data, "EINVAL");
}

/* A client that sends but never reads is throttled, not served without
 * bound: its input stops being consumed. */
static void throttled_at_outstanding_replies(void)
{
    struct xs_conn *c = xt_conn(0);
    xt_d->q.outstanding = 4;
    char msg[XS_HDR_SIZE + 6];
    struct xsd_sockmsg h = {XS_READ, 1, 0, 6};
    memcpy(msg, &h, sizeof(h));
    memcpy(msg + XS_HDR_SIZE, "/tool", 6);
    size_t took = 0;
    for (int i = 0; i < 10; i++)
        took += xt_feed(c, msg, sizeof(msg));
    CU_ASSERT_EQUAL(took, 4 * sizeof(msg));
    CU_ASSERT(xs_conn_throttled(c));
    CU_ASSERT(!c->dead);
    struct xt_msg m;
    int n = 0;
    while (xt_next(c, &m))
        n++;
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT(!xs_conn_throttled(c));
}

/* A watcher that never reads its events is cut off at the output quota;
 * the writer keeps being served. */
static void cut_off_at_output_quota(void)
{
    struct xs_conn *w = xt_conn(0), *c = xt_conn(0);
    xt_d->q.out_bytes = 4096;
    XT_STR(xt_op2(w, XS_WATCH, 0, "/flood", "t"), "OK");
    char p[32];
    for (int i = 0; i < 200; i++) {
        snprintf(p, sizeof(p), "/flood/%d", i);
        XT_STR(xt_write(c, 0, p, "x"), "OK");
    }
    CU_ASSERT(w->dead);
    CU_ASSERT(!c->dead);
    CU_ASSERT(xt_d->ncutoff >= 1);
}

static void memory_quota(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    xt_d->q.memory = 4000;
    char v[1001], p[16];
    memset(v, 'm', 1000);
    v[1000] = 0;
    int ok = 0;
    for (int i = 0; i < 6; i++) {
        snprintf(p, sizeof(p), "m%d", i);
        ok += strcmp(xt_write(g, 0, p, v), "OK") == 0;
    }
    CU_ASSERT(ok >= 2 && ok <= 3);
    XT_STR(xt_write(g, 0, "m9", v), "ERR:ENOSPC");
    XT_STR(xt_write(g, 0, "m0", "small"), "OK"); /* shrinking is fine */
    XT_STR(xt_write(g, 0, "m9", v), "OK");
}

/* Memory and node accounting returns to where it started after creating,
 * growing, giving away and removing nodes, in and out of transactions. */
static void accounting_is_exact(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = guest(d0);
    struct xs_domain *d5 = xs_domain_get(xt_d, 5, false);
    struct xs_domain *d7 = xs_domain_get(xt_d, 7, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d5);
    long b5 = d5->nbytes, b7 = d7->nbytes;
    unsigned n5 = d5->nnodes;
    CU_ASSERT(b5 > 0);
    XT_STR(xt_write(g, 0, "a/b/c", "value"), "OK");
    CU_ASSERT_EQUAL(d5->nnodes, n5 + 3);
    XT_STR(xt_write(g, 0, "a/b/c", "a much longer value"), "OK");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/local/domain/5/a/b", "n7"), "OK");
    CU_ASSERT(d7->nbytes > b7);
    uint32_t t = xt_txn_start(g);
    XT_STR(xt_write(g, t, "x/y", "1"), "OK");
    XT_STR(xt_op1(g, XS_TRANSACTION_END, t, "T"), "OK");
    XT_STR(xt_op1(g, XS_RM, 0, "a"), "OK");
    XT_STR(xt_op1(d0, XS_RM, 0, "/local/domain/5/x"), "OK");
    CU_ASSERT_EQUAL(d5->nbytes, b5);
    CU_ASSERT_EQUAL(d5->nnodes, n5);
    CU_ASSERT_EQUAL(d7->nbytes, b7);
    CU_ASSERT_EQUAL(d7->nnodes, 0);
}

XT_SUITE(quota, {"memory_quota", memory_quota},
         {"accounting_is_exact", accounting_is_exact},
         {"node_count_quota", node_count_quota},
         {"node_size_quota", node_size_quota},
         {"path_length_quota", path_length_quota}, {"watch_quota", watch_quota},
         {"transaction_quota", transaction_quota},
         {"transaction_nodes_quota", transaction_nodes_quota},
         {"perms_count_quota", perms_count_quota},
         {"control_quota_show_and_set", control_quota_show_and_set},
         {"throttled_at_outstanding_replies", throttled_at_outstanding_replies},
         {"cut_off_at_output_quota", cut_off_at_output_quota})
