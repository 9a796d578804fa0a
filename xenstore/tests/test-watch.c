/*
 * Cases for watches: firing on registration, on the node and descendants,
 * on removal of an ancestor, token echo, duplicates, UNWATCH, permission
 * filtering, special paths, relative watches and RESET_WATCHES.
 */
#include "harness.h"

#include <string.h>

static void watch(struct xs_conn *c, const char *path, const char *token,
                  const char *want)
{
    XT_STR(xt_op2(c, XS_WATCH, 0, path, token), want);
}

/* Next event as "path|token", or "none". */
static const char *event(struct xs_conn *c)
{
    static char buf[2][2 * XENSTORE_PAYLOAD_MAX + 8];
    static int k;
    char *b = buf[k++ & 1];
    struct xt_msg m;
    while (xt_next(c, &m)) {
        if (m.type != XS_WATCH_EVENT)
            continue;
        CU_ASSERT_EQUAL(m.req_id, 0);
        snprintf(b, 2 * XENSTORE_PAYLOAD_MAX + 8, "%s|%s", m.data,
                 m.data + strlen(m.data) + 1);
        return b;
    }
    return "none";
}

static void fires_on_registration(void)
{
    struct xs_conn *c = xt_conn(0);
    watch(c, "/w", "tok", "OK");
    XT_STR(event(c), "/w|tok");
    XT_STR(event(c), "none");
}

static void fires_for_node_and_descendants(void)
{
    struct xs_conn *c = xt_conn(0), *w = xt_conn(0);
    watch(w, "/w", "t", "OK");
    event(w);
    xt_write(c, 0, "/w", "1");
    XT_STR(event(w), "/w|t");
    xt_write(c, 0, "/w/a/b", "1");
    XT_STR(event(w), "/w/a/b|t");
    xt_write(c, 0, "/wx", "1"); /* a sibling with the same prefix */
    xt_write(c, 0, "/other", "1");
    XT_STR(event(w), "none");
    char buf[32];
    struct xt_msg m;
    size_t l = xt_args(buf, 2, "/w/a", "b0");
    xt_req(c, XS_SET_PERMS, 0, buf, l, &m);
    XT_STR(event(w), "/w/a|t");
}

static void fires_below_removed_subtree(void)
{
    struct xs_conn *c = xt_conn(0), *w = xt_conn(0);
    xt_write(c, 0, "/r/a/b", "1");
    watch(w, "/r/a/b", "deep", "OK");
    watch(w, "/", "root", "OK");
    xt_drain_events(w);
    xt_op1(c, XS_RM, 0, "/r");
    XT_STR(event(w), "/r/a/b|deep");
    XT_STR(event(w), "/r|root");
    XT_STR(event(w), "none");
}

/* Only nodes that exist below a removed root fire (exactly), children
 * before the root. */
static void rm_fires_existing_descendants_only(void)
{
    struct xs_conn *c = xt_conn(0), *w = xt_conn(0);
    xt_write(c, 0, "/q/a", "1");
    watch(w, "/q/none", "ghost", "OK");
    watch(w, "/q/a", "a", "OK");
    watch(w, "/q", "q", "OK");
    xt_drain_events(w);
    xt_op1(c, XS_RM, 0, "/q");
    XT_STR(event(w), "/q/a|a");
    XT_STR(event(w), "/q|q");
    XT_STR(event(w), "none");
}

/* Special events fire exactly: a watch on "/" does not hear them. */
static void root_watch_misses_specials(void)
{
    struct xs_conn *c = xt_conn(0);
    watch(c, "/", "root", "OK");
    xt_drain_events(c);
    XT_STR(xt_introduce(c, "6", "1", "1"), "OK");
    XT_STR(event(c), "none");
}

/* Readable parent, or readable before a SET_PERMS, is enough. */
static void permitted_via_parent_or_old_perms(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    xt_write(d0, 0, "/pp/secret", "x");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/pp", "r0"), "OK");
    watch(g, "/pp", "t", "OK");
    xt_drain_events(g);
    xt_write(d0, 0, "/pp/secret", "y"); /* n0, but its parent is r0 */
    XT_STR(event(g), "/pp/secret|t");
    xt_write(d0, 0, "/pp/secret/deeper", "z"); /* parent n0 too: nothing */
    XT_STR(event(g), "none");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/pp", "n0"), "OK");
    XT_STR(event(g), "/pp|t"); /* could read it before the change */
    xt_write(d0, 0, "/pp", "w");
    XT_STR(event(g), "none");
}

static void duplicate_and_unwatch(void)
{
    struct xs_conn *c = xt_conn(0);
    watch(c, "/d", "t", "OK");
    watch(c, "/d", "t", "ERR:EEXIST");
    watch(c, "/d", "t2", "OK");
    xt_drain_events(c);
    XT_STR(xt_op2(c, XS_UNWATCH, 0, "/d", "t"), "OK");
    XT_STR(xt_op2(c, XS_UNWATCH, 0, "/d", "t"), "ERR:ENOENT");
    xt_write(c, 0, "/d", "");
    XT_STR(event(c), "/d|t2");
    XT_STR(event(c), "none");
}

static void bad_watch_args(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_op1(c, XS_WATCH, 0, "/only-path"), "ERR:EINVAL");
    watch(c, "/bad//path", "t", "ERR:EINVAL");
    watch(c, "/x", "t", "OK");
    /* A third argument (depth, 4.19 clients) is refused, as by 4.17. */
    char buf[32];
    struct xt_msg m;
    size_t l = xt_args(buf, 3, "/y", "t", "1");
    xt_req(c, XS_WATCH, 0, buf, l, &m);
    XT_STR(m.data, "EINVAL");
    /* Any name after '@' may be watched; UNWATCH of a bad path is ENOENT. */
    watch(c, "@any.thing", "t", "OK");
    XT_STR(xt_op2(c, XS_UNWATCH, 0, "/bad//path", "t"), "ERR:ENOENT");
}

static void no_event_without_read_access(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    watch(g, "/", "t", "OK");
    xt_drain_events(g);
    xt_write(d0, 0, "/private", "x"); /* n0: domain 5 may not read it */
    XT_STR(event(g), "none");
    char buf[32];
    struct xt_msg m;
    size_t l = xt_args(buf, 3, "/private", "n0", "r5");
    xt_req(d0, XS_SET_PERMS, 0, buf, l, &m);
    XT_STR(event(g), "/private|t");
}

static void special_watches(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    watch(d0, "@introduceDomain", "in", "OK");
    watch(d0, "@releaseDomain", "out", "OK");
    watch(g, "@releaseDomain", "gout", "OK");
    XT_STR(event(d0), "@introduceDomain|in");
    XT_STR(event(d0), "@releaseDomain|out");
    xt_drain_events(g);
    xt_write(d0, 0, "/local/domain/3", "");
    XT_STR(event(d0), "none"); /* ordinary writes do not fire @ watches */
    XT_STR(xt_introduce(d0, "3", "99", "4"), "OK");
    XT_STR(event(d0), "@introduceDomain|in");
    xt_introduce(d0, "3", "99", "4"); /* again: rebind, no event */
    XT_STR(event(d0), "none");
    XT_STR(xt_op1(d0, XS_RELEASE, 0, "3"), "OK");
    XT_STR(event(d0), "@releaseDomain|out");
    XT_STR(event(g), "none"); /* not allowed by @releaseDomain's perms */
    char buf[32];
    struct xt_msg m;
    size_t l = xt_args(buf, 3, "@releaseDomain", "n0", "r5");
    xt_req(d0, XS_SET_PERMS, 0, buf, l, &m);
    xt_introduce(d0, "3", "99", "4");
    XT_STR(xt_op1(d0, XS_RELEASE, 0, "3"), "OK");
    XT_STR(event(g), "@releaseDomain|gout");
}

static void relative_watch_events_are_relative(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    xt_write(d0, 0, "/local/domain/5/control", "");
    char buf[64];
    struct xt_msg m;
    size_t l = xt_args(buf, 2, "/local/domain/5", "n5");
    xt_req(d0, XS_SET_PERMS, 0, buf, l, &m);
    l = xt_args(buf, 2, "/local/domain/5/control", "n5");
    xt_req(d0, XS_SET_PERMS, 0, buf, l, &m);
    watch(g, "control", "c", "OK");
    XT_STR(event(g), "control|c");
    xt_write(d0, 0, "/local/domain/5/control/shutdown", "poweroff");
    XT_STR(event(g), "control/shutdown|c");
}

static void reset_watches_drops_all(void)
{
    struct xs_conn *c = xt_conn(0);
    watch(c, "/a", "1", "OK");
    watch(c, "/b", "2", "OK");
    uint32_t t = xt_txn_start(c);
    CU_ASSERT(t != 0);
    xt_drain_events(c);
    XT_STR(xt_op1(c, XS_RESET_WATCHES, 0, ""), "OK");
    xt_write(c, 0, "/a", "");
    XT_STR(event(c), "none");
    XT_STR(xt_op1(c, XS_TRANSACTION_END, t, "T"), "ERR:ENOENT");
}

static void transaction_fires_on_commit_only(void)
{
    struct xs_conn *c = xt_conn(0), *w = xt_conn(0);
    watch(w, "/tw", "t", "OK");
    xt_drain_events(w);
    uint32_t t = xt_txn_start(c);
    xt_write(c, t, "/tw/x", "1");
    XT_STR(event(w), "none");
    XT_STR(xt_op1(c, XS_TRANSACTION_END, t, "T"), "OK");
    XT_STR(event(w), "/tw/x|t"); /* not for the implicit parent /tw */
    XT_STR(event(w), "none");
    t = xt_txn_start(c);
    xt_write(c, t, "/tw/y", "1");
    XT_STR(xt_op1(c, XS_TRANSACTION_END, t, "F"), "OK");
    XT_STR(event(w), "none");
    /* A subtree removed in a transaction fires once, for its top. */
    t = xt_txn_start(c);
    xt_write(c, 0, "/tw/x/deep", "1");
    xt_drain_events(w);
    XT_STR(xt_op1(c, XS_RM, t, "/tw"), "OK");
    XT_STR(xt_op1(c, XS_TRANSACTION_END, t, "T"), "OK");
    XT_STR(event(w), "/tw|t");
    XT_STR(event(w), "none");
}

XT_SUITE(
    watch, {"fires_on_registration", fires_on_registration},
    {"fires_for_node_and_descendants", fires_for_node_and_descendants},
    {"fires_below_removed_subtree", fires_below_removed_subtree},
    {"rm_fires_existing_descendants_only", rm_fires_existing_descendants_only},
    {"root_watch_misses_specials", root_watch_misses_specials},
    {"permitted_via_parent_or_old_perms", permitted_via_parent_or_old_perms},
    {"duplicate_and_unwatch", duplicate_and_unwatch},
    {"bad_watch_args", bad_watch_args},
    {"no_event_without_read_access", no_event_without_read_access},
    {"special_watches", special_watches},
    {"relative_watch_events_are_relative", relative_watch_events_are_relative},
    {"reset_watches_drops_all", reset_watches_drops_all},
    {"transaction_fires_on_commit_only", transaction_fires_on_commit_only})
