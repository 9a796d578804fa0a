/*
 * Cases for transactions: isolation, commit, abort, conflicts detected by
 * per-node generations (and their absence for unrelated nodes), removal
 * inside a transaction, misuse (nesting, unknown ids, bad arguments).
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static const char *end(struct xs_conn *c, uint32_t t, const char *how)
{
    return xt_op1(c, XS_TRANSACTION_END, t, how);
}

static void start_returns_nonzero_id(void)
{
    struct xs_conn *c = xt_conn(0);
    uint32_t a = xt_txn_start(c), b = xt_txn_start(c);
    CU_ASSERT(a != 0 && b != 0 && a != b);
    XT_STR(end(c, a, "F"), "OK");
    XT_STR(end(c, b, "F"), "OK");
}

static void isolation_until_commit(void)
{
    struct xs_conn *c = xt_conn(0), *o = xt_conn(0);
    xt_write(c, 0, "/i", "old");
    uint32_t t = xt_txn_start(c);
    XT_STR(xt_write(c, t, "/i", "new"), "OK");
    XT_STR(xt_write(c, t, "/i/sub/deep", "d"), "OK");
    XT_STR(xt_read(c, t, "/i"), "new");
    XT_STR(xt_read(c, t, "/i/sub/deep"), "d");
    XT_STR(xt_list(c, XS_DIRECTORY, t, "/i"), "sub");
    XT_STR(xt_read(o, 0, "/i"), "old");
    XT_STR(xt_read(o, 0, "/i/sub"), "ERR:ENOENT");
    XT_STR(end(c, t, "T"), "OK");
    XT_STR(xt_read(o, 0, "/i"), "new");
    XT_STR(xt_read(o, 0, "/i/sub/deep"), "d");
    XT_STR(xt_op1(o, XS_CONTROL, 0, "check"), "OK\n");
}

static void abort_discards(void)
{
    struct xs_conn *c = xt_conn(0);
    uint32_t t = xt_txn_start(c);
    xt_write(c, t, "/ab", "x");
    XT_STR(end(c, t, "F"), "OK");
    XT_STR(xt_read(c, 0, "/ab"), "ERR:ENOENT");
    XT_STR(xt_read(c, t, "/ab"), "ERR:ENOENT"); /* id is dead */
}

static void conflict_on_read_node(void)
{
    struct xs_conn *c = xt_conn(0), *o = xt_conn(0);
    xt_write(c, 0, "/cf", "1");
    uint32_t t = xt_txn_start(c);
    XT_STR(xt_read(c, t, "/cf"), "1");
    xt_write(c, t, "/cf2", "derived");
    xt_write(o, 0, "/cf", "2"); /* someone else changes what t read */
    XT_STR(end(c, t, "T"), "ERR:EAGAIN");
    XT_STR(xt_read(o, 0, "/cf2"), "ERR:ENOENT"); /* nothing applied */
}

static void conflict_on_created_node(void)
{
    struct xs_conn *c = xt_conn(0), *o = xt_conn(0);
    uint32_t t = xt_txn_start(c);
    xt_write(c, t, "/new", "mine");
    xt_write(o, 0, "/new", "theirs");
    XT_STR(end(c, t, "T"), "ERR:EAGAIN");
    XT_STR(xt_read(o, 0, "/new"), "theirs");
}

static void no_conflict_on_unrelated_nodes(void)
{
    struct xs_conn *c = xt_conn(0), *o = xt_conn(0);
    xt_write(c, 0, "/u/a", "1");
    xt_write(c, 0, "/v/b", "1");
    uint32_t t = xt_txn_start(c);
    xt_read(c, t, "/u/a");
    xt_write(c, t, "/u/a", "2");
    xt_write(o, 0, "/v/b", "2"); /* unrelated: no EAGAIN */
    XT_STR(end(c, t, "T"), "OK");
    XT_STR(xt_read(o, 0, "/u/a"), "2");
}

static void two_transactions_same_node(void)
{
    struct xs_conn *a = xt_conn(0), *b = xt_conn(0);
    xt_write(a, 0, "/ctr", "0");
    uint32_t ta = xt_txn_start(a), tb = xt_txn_start(b);
    xt_read(a, ta, "/ctr");
    xt_read(b, tb, "/ctr");
    xt_write(a, ta, "/ctr", "1");
    xt_write(b, tb, "/ctr", "1");
    XT_STR(end(a, ta, "T"), "OK");
    XT_STR(end(b, tb, "T"), "ERR:EAGAIN"); /* lost update prevented */
}

static void rm_inside_transaction(void)
{
    struct xs_conn *c = xt_conn(0);
    xt_write(c, 0, "/rt/a/b", "1");
    xt_write(c, 0, "/rt/c", "1");
    uint32_t t = xt_txn_start(c);
    XT_STR(xt_op1(c, XS_RM, t, "/rt/a"), "OK");
    XT_STR(xt_read(c, t, "/rt/a/b"), "ERR:ENOENT");
    XT_STR(xt_list(c, XS_DIRECTORY, t, "/rt"), "c");
    XT_STR(xt_read(c, 0, "/rt/a/b"), "1");
    XT_STR(xt_write(c, t, "/rt/a", "again"), "OK"); /* re-create */
    XT_STR(end(c, t, "T"), "OK");
    XT_STR(xt_read(c, 0, "/rt/a"), "again");
    XT_STR(xt_read(c, 0, "/rt/a/b"), "ERR:ENOENT");
    XT_STR(xt_list(c, XS_DIRECTORY, 0, "/rt"), "c,a");
    XT_STR(xt_op1(c, XS_CONTROL, 0, "check"), "OK\n");
}

static void creation_order_kept(void)
{
    struct xs_conn *c = xt_conn(0);
    uint32_t t = xt_txn_start(c);
    const char *names[] = {"/co/z", "/co/b", "/co/y", "/co/a", "/co/x"};
    for (int i = 0; i < 5; i++)
        xt_write(c, t, names[i], "");
    XT_STR(end(c, t, "T"), "OK");
    XT_STR(xt_list(c, XS_DIRECTORY, 0, "/co"), "z,b,y,a,x");
}

static void misuse(void)
{
    struct xs_conn *c = xt_conn(0), *o = xt_conn(0);
    uint32_t t = xt_txn_start(c);
    struct xt_msg m;
    CU_ASSERT(xt_req(c, XS_TRANSACTION_START, t, "", 1, &m));
    XT_STR(m.data, "EBUSY"); /* no nesting */
    XT_STR(end(c, t, "X"), "ERR:EINVAL");
    XT_STR(end(c, 12345, "T"), "ERR:ENOENT");
    XT_STR(end(o, t, "T"), "ERR:ENOENT"); /* ids are per connection */
    XT_STR(xt_read(o, t, "/tool"), "ERR:ENOENT");
    XT_STR(end(c, t, "T"), "OK");
}

static void perms_in_transaction(void)
{
    struct xs_conn *d0 = xt_conn(0);
    uint32_t t = xt_txn_start(d0);
    xt_write(d0, t, "/pt", "");
    XT_STR(xt_op2(d0, XS_SET_PERMS, t, "/pt", "r3"), "OK");
    XT_STR(xt_list(d0, XS_GET_PERMS, t, "/pt"), "r3");
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/pt"), "ERR:ENOENT");
    XT_STR(end(d0, t, "T"), "OK");
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/pt"), "r3");
}

XT_SUITE(txn, {"start_returns_nonzero_id", start_returns_nonzero_id},
         {"isolation_until_commit", isolation_until_commit},
         {"abort_discards", abort_discards},
         {"conflict_on_read_node", conflict_on_read_node},
         {"conflict_on_created_node", conflict_on_created_node},
         {"no_conflict_on_unrelated_nodes", no_conflict_on_unrelated_nodes},
         {"two_transactions_same_node", two_transactions_same_node},
         {"rm_inside_transaction", rm_inside_transaction},
         {"creation_order_kept", creation_order_kept}, {"misuse", misuse},
         {"perms_in_transaction", perms_in_transaction})
