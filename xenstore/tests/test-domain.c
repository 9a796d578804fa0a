/*
 * Cases for the domain messages and CONTROL: GET_DOMAIN_PATH,
 * IS_DOMAIN_INTRODUCED, INTRODUCE (arguments, repeat), RELEASE (unknown
 * domain, orphan cleanup), RESUME, and the CONTROL commands.
 */
#include "harness.h"

#include <string.h>

static void get_domain_path(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_op1(c, XS_GET_DOMAIN_PATH, 0, "0"), "/local/domain/0");
    XT_STR(xt_op1(c, XS_GET_DOMAIN_PATH, 0, "32751"), "/local/domain/32751");
}

static void introduce_and_query(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_op1(c, XS_IS_DOMAIN_INTRODUCED, 0, "0"), "T");
    XT_STR(xt_op1(c, XS_IS_DOMAIN_INTRODUCED, 0, "4"), "F");
    XT_STR(xt_introduce(c, "4", "-1", "3"), "OK");
    XT_STR(xt_op1(c, XS_IS_DOMAIN_INTRODUCED, 0, "4"), "T");
    XT_STR(xt_introduce(c, "4", "12", "5"), "OK"); /* rebind */
    XT_STR(xt_introduce(c, "0", "12", "5"), "ERR:EINVAL");
    XT_STR(xt_introduce(c, "x", "12", "5"), "ERR:EINVAL"); /* atoi: dom0 */
    XT_STR(xt_introduce(c, "4", "12", "-5"), "ERR:EINVAL");
    XT_STR(xt_introduce(c, "8", "12", "0"), "ERR:EINVAL"); /* port > 0 */
    XT_STR(xt_introduce(c, "8", "12", "x"), "ERR:EINVAL");
    XT_STR(xt_op1(c, XS_INTRODUCE, 0, "4"), "ERR:EINVAL");
}

static void release_cleans_up(void)
{
    struct xs_conn *c = xt_conn(0), *g = xt_conn(4);
    XT_STR(xt_op1(c, XS_RELEASE, 0, "4"), "ERR:ENOENT");
    XT_STR(xt_introduce(c, "4", "1", "1"), "OK");
    xt_write(c, 0, "/local/domain/4/data", "");
    XT_STR(xt_op2(c, XS_SET_PERMS, 0, "/local/domain/4/data", "n4"), "OK");
    XT_STR(xt_write(g, 0, "data/x", "1"), "OK");
    xt_write(c, 0, "/local/domain/4/keep", "");
    XT_STR(xt_op1(c, XS_RELEASE, 0, "4"), "OK");
    XT_STR(xt_read(c, 0, "/local/domain/4/data"), "ERR:ENOENT");
    XT_STR(xt_read(c, 0, "/local/domain/4/keep"), "");
    XT_STR(xt_op1(c, XS_IS_DOMAIN_INTRODUCED, 0, "4"), "F");
    XT_STR(xt_op1(c, XS_RELEASE, 0, "0"), "ERR:EINVAL");
    XT_STR(xt_op1(c, XS_CONTROL, 0, "check"), "OK\n");
}

static void resume_rearms_release(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_op1(c, XS_RESUME, 0, "4"), "ERR:ENOENT");
    xt_introduce(c, "4", "1", "1");
    XT_STR(xt_op1(c, XS_RESUME, 0, "4"), "OK");
}

/* A domain's death fires @releaseDomain once; RESUME re-arms it; the
 * final RELEASE does not fire again for the same death. */
static void shutdown_fires_release_once(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_op2(c, XS_WATCH, 0, "@releaseDomain", "r"), "OK");
    xt_drain_events(c);
    CU_ASSERT_EQUAL(xs_domain_shutdown(xt_d, 4), -ENOENT);
    xt_introduce(c, "4", "1", "1");
    CU_ASSERT_EQUAL(xs_domain_shutdown(xt_d, 4), 0);
    CU_ASSERT_EQUAL(xt_drain_events(c), 1);
    CU_ASSERT_EQUAL(xs_domain_shutdown(xt_d, 4), 0);
    CU_ASSERT_EQUAL(xt_drain_events(c), 0);
    XT_STR(xt_op1(c, XS_RESUME, 0, "4"), "OK");
    CU_ASSERT_EQUAL(xs_domain_shutdown(xt_d, 4), 0);
    CU_ASSERT_EQUAL(xt_drain_events(c), 1);
    XT_STR(xt_op1(c, XS_RELEASE, 0, "4"), "OK");
    CU_ASSERT_EQUAL(xt_drain_events(c), 0);
}

static void control_commands(void)
{
    struct xs_conn *c = xt_conn(0);
    const char *help = xt_op1(c, XS_CONTROL, 0, "help");
    CU_ASSERT_PTR_NOT_NULL(strstr(help, "quota"));
    CU_ASSERT_PTR_NOT_NULL(strstr(help, "print"));
    XT_STR(xt_op2(c, XS_CONTROL, 0, "print", "hello"), "OK");
    XT_STR(xt_op2(c, XS_CONTROL, 0, "log", "on"), "OK");
    CU_ASSERT(xt_d->tracing);
    XT_STR(xt_op2(c, XS_CONTROL, 0, "log", "off"), "OK");
    XT_STR(xt_op2(c, XS_CONTROL, 0, "log", "maybe"), "ERR:EINVAL");
    CU_ASSERT_PTR_NOT_NULL(
        strstr(xt_op1(c, XS_CONTROL, 0, "memreport"), "nodes 3"));
    XT_STR(xt_op1(c, XS_CONTROL, 0, "check"), "OK\n");
}

XT_SUITE(domain, {"get_domain_path", get_domain_path},
         {"introduce_and_query", introduce_and_query},
         {"release_cleans_up", release_cleans_up},
         {"resume_rearms_release", resume_rearms_release},
         {"shutdown_fires_release_once", shutdown_fires_release_once},
         {"control_commands", control_commands})
