/*
 * Cases for hostile input: oversized lengths, missing NULs, unknown types,
 * bad paths, split and packed messages, and a random-message storm. Each
 * gets an error reply or the connection closed; others keep being served.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static void oversized_length_kills_connection(void)
{
    struct xs_conn *bad = xt_conn(0), *good = xt_conn(0);
    struct xsd_sockmsg h = {XS_READ, 0, 0, XENSTORE_PAYLOAD_MAX + 1};
    xt_feed(bad, &h, sizeof(h));
    CU_ASSERT(bad->dead);
    XT_STR(xt_read(good, 0, "/tool"), "");
}

static void max_length_accepted(void)
{
    struct xs_conn *c = xt_conn(0);
    char buf[XENSTORE_PAYLOAD_MAX];
    memset(buf, 'v', sizeof(buf));
    memcpy(buf, "/max", 5);
    struct xt_msg m;
    CU_ASSERT(xt_req(c, XS_WRITE, 0, buf, sizeof(buf), &m));
    XT_STR(m.data, "OK");
    CU_ASSERT(xt_req(c, XS_READ, 0, "/max", 5, &m));
    CU_ASSERT_EQUAL(m.len, XENSTORE_PAYLOAD_MAX - 5);
}

static void missing_nul_is_einval(void)
{
    struct xs_conn *c = xt_conn(0);
    struct xt_msg m;
    CU_ASSERT(xt_req(c, XS_READ, 0, "/tool", 5, &m));
    XT_STR(m.data, "EINVAL");
    CU_ASSERT_EQUAL(m.type, XS_ERROR);
    CU_ASSERT(xt_req(c, XS_WRITE, 0, "/novalue", 8, &m));
    XT_STR(m.data, "EINVAL");
    CU_ASSERT(xt_req(c, XS_READ, 0, "", 0, &m));
    XT_STR(m.data, "EINVAL");
    CU_ASSERT(xt_req(c, XS_RM, 0, "/a\0/b", 6, &m)); /* two args, last bare */
    XT_STR(m.data, "EINVAL");
}

static void unknown_types_are_enosys(void)
{
    struct xs_conn *c = xt_conn(0);
    uint32_t types[] = {XS_WATCH_EVENT, XS_ERROR,   20,
                        XS_TYPE_COUNT,  24,         26,
                        1000,           XS_INVALID, 0xffffffffu};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct xt_msg m;
        CU_ASSERT(xt_req(c, types[i], 0, "/x", 3, &m));
        CU_ASSERT_EQUAL(m.type, XS_ERROR);
        XT_STR(m.data, "ENOSYS");
    }
    CU_ASSERT(!c->dead);
}

static void bad_paths_are_einval(void)
{
    struct xs_conn *c = xt_conn(0);
    static const char *bad[] = {"/a//b", "/a/", "/a b", "/a\tb", "/a.b",
                                "/é",    "//",  "/a@b", "@bad"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        XT_STR(xt_write(c, 0, bad[i], "v"), "ERR:EINVAL");
        XT_STR(xt_read(c, 0, bad[i]), "ERR:EINVAL");
    }
    /* The path-length quota (2048) counts after /local/domain/<id>/, for
     * dom0 too, as xenstored's is_valid_nodename. */
    char longp[XENSTORE_ABS_PATH_MAX + 8];
    memset(longp, 'a', sizeof(longp));
    longp[0] = '/';
    longp[2049] = 0;
    XT_STR(xt_write(c, 0, longp, ""), "ERR:EINVAL");
    longp[2048] = 0; /* exactly the limit is fine */
    XT_STR(xt_write(c, 0, longp, ""), "OK");
    memset(longp, 'a', sizeof(longp));
    memcpy(longp, "/local/domain/7/", 16);
    longp[16 + 2048] = 0;
    XT_STR(xt_write(c, 0, longp, ""), "OK");
    longp[16 + 2048] = 'a';
    longp[16 + 2049] = 0;
    XT_STR(xt_write(c, 0, longp, ""), "ERR:EINVAL");
}

static void split_and_packed_messages(void)
{
    struct xs_conn *c = xt_conn(0);
    char stream[256];
    size_t n = 0;
    for (int i = 0; i < 3; i++) {
        struct xsd_sockmsg h = {XS_READ, 100 + i, 0, 6};
        memcpy(stream + n, &h, sizeof(h));
        memcpy(stream + n + XS_HDR_SIZE, "/tool", 6);
        n += XS_HDR_SIZE + 6;
    }
    for (size_t i = 0; i < n; i++) /* one byte at a time */
        CU_ASSERT_EQUAL(xt_feed(c, stream + i, 1), 1);
    struct xt_msg m;
    for (int i = 0; i < 3; i++) {
        CU_ASSERT(xt_next(c, &m));
        CU_ASSERT_EQUAL(m.req_id, 100 + i);
    }
    CU_ASSERT_EQUAL(xt_feed(c, stream, n), n); /* all at once */
    for (int i = 0; i < 3; i++)
        CU_ASSERT(xt_next(c, &m));
    CU_ASSERT(!xt_next(c, &m));
}

static void bad_integers_are_einval(void)
{
    struct xs_conn *c = xt_conn(0);
    /* Integers are read like xenstored's atoi: junk is 0, and domain 0
     * cannot be released; missing arguments are EINVAL. */
    static const char *zero[] = {"", "x", "0"};
    for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
        XT_STR(xt_op1(c, XS_GET_DOMAIN_PATH, 0, zero[i]), "/local/domain/0");
        XT_STR(xt_op1(c, XS_RELEASE, 0, zero[i]), "ERR:EINVAL");
        XT_STR(xt_op1(c, XS_RESUME, 0, zero[i]), "ERR:EINVAL");
    }
    XT_STR(xt_op1(c, XS_GET_DOMAIN_PATH, 0, "12x"), "/local/domain/12");
    XT_STR(xt_op1(c, XS_RELEASE, 0, "12"), "ERR:ENOENT");
    XT_STR(xt_op2(c, XS_GET_DOMAIN_PATH, 0, "1", "2"), "ERR:EINVAL");
    struct xt_msg m0;
    CU_ASSERT(xt_req(c, XS_GET_DOMAIN_PATH, 0, "", 0, &m0));
    XT_STR(m0.data, "EINVAL");
    /* DIRECTORY_PART reads its offset like atoi; past the end it returns
     * the generation and an empty list, as xenstored. */
    struct xt_msg m;
    char buf[32];
    size_t l = xt_args(buf, 2, "/tool", "x");
    CU_ASSERT(xt_req(c, XS_DIRECTORY_PART, 0, buf, l, &m));
    CU_ASSERT_EQUAL(m.type, XS_DIRECTORY_PART);
    XT_STR(m.data + strlen(m.data) + 1, "xenstored"); /* from offset 0 */
    l = xt_args(buf, 2, "/", "99999");
    CU_ASSERT(xt_req(c, XS_DIRECTORY_PART, 0, buf, l, &m));
    CU_ASSERT_EQUAL(m.type, XS_DIRECTORY_PART);
    CU_ASSERT_EQUAL(m.len, strlen(m.data) + 2);
    /* Every message but WATCH/UNWATCH must name an existing transaction. */
    struct xsd_sockmsg h = {XS_GET_DOMAIN_PATH, 1, 999, 2};
    char raw[XS_HDR_SIZE + 2];
    memcpy(raw, &h, sizeof(h));
    memcpy(raw + XS_HDR_SIZE, "3", 2);
    xt_feed(c, raw, sizeof(raw));
    CU_ASSERT(xt_next(c, &m));
    XT_STR(m.data, "ENOENT");
    XT_STR(xt_op1(c, XS_CONTROL, 0, "no-such-command"), "ERR:EINVAL");
}

/* Random headers and payloads: replies or closes, never a crash; the
 * store stays consistent. Seeded, so a failure can be replayed. */
static void random_message_storm(void)
{
    srand(12345);
    struct xs_conn *good = xt_conn(0);
    for (int round = 0; round < 2000; round++) {
        struct xs_conn *c = xt_conn(round % 3 ? 0 : 5);
        char buf[XS_HDR_SIZE + 300];
        struct xsd_sockmsg h = {rand() % 24, rand(), rand() % 3, rand() % 300};
        if (rand() % 50 == 0)
            h.len = rand();
        memcpy(buf, &h, sizeof(h));
        for (size_t i = XS_HDR_SIZE; i < sizeof(buf); i++) {
            static const char alphabet[] = "/ab@\0\0T05r";
            buf[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
        }
        xt_feed(c, buf, XS_HDR_SIZE + (h.len < 300 ? h.len : 300));
        struct xt_msg m;
        while (xt_next(c, &m))
            ;
        xs_conn_free(c);
    }
    XT_STR(xt_read(good, 0, "/tool"), "");
    XT_STR(xt_op1(good, XS_CONTROL, 0, "check"), "OK\n");
}

XT_SUITE(malformed,
         {"oversized_length_kills_connection",
          oversized_length_kills_connection},
         {"max_length_accepted", max_length_accepted},
         {"missing_nul_is_einval", missing_nul_is_einval},
         {"unknown_types_are_enosys", unknown_types_are_enosys},
         {"bad_paths_are_einval", bad_paths_are_einval},
         {"split_and_packed_messages", split_and_packed_messages},
         {"bad_integers_are_einval", bad_integers_are_einval},
         {"random_message_storm", random_message_storm})
