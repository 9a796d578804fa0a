/*
 * Cases for the tree messages from dom0: READ, WRITE, MKDIR, RM,
 * DIRECTORY, DIRECTORY_PART, GET_PERMS, SET_PERMS.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static void read_missing_is_enoent(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_read(c, 0, "/nope"), "ERR:ENOENT");
}

static void write_then_read(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_write(c, 0, "/a", "hello"), "OK");
    XT_STR(xt_read(c, 0, "/a"), "hello");
    XT_STR(xt_write(c, 0, "/a", ""), "OK");
    XT_STR(xt_read(c, 0, "/a"), "");
}

static void write_value_is_raw_bytes(void)
{
    struct xs_conn *c = xt_conn(0);
    struct xt_msg m;
    static const char req[] = "/bin\0a\0b"; /* value "a\0b", no terminator */
    CU_ASSERT(xt_req(c, XS_WRITE, 0, req, sizeof(req) - 1, &m));
    CU_ASSERT_EQUAL(m.type, XS_WRITE);
    CU_ASSERT(xt_req(c, XS_READ, 0, "/bin", 5, &m));
    CU_ASSERT_EQUAL(m.len, 3);
    CU_ASSERT(memcmp(m.data, "a\0b", 3) == 0);
}

static void reply_echoes_req_id(void)
{
    struct xs_conn *c = xt_conn(0);
    struct xt_msg m;
    CU_ASSERT(xt_req(c, XS_READ, 0, "/tool", 6, &m));
    CU_ASSERT_EQUAL(m.type, XS_READ);
    CU_ASSERT_EQUAL(m.req_id, 77);
    CU_ASSERT_EQUAL(m.tx_id, 0);
}

static void write_creates_parents(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_write(c, 0, "/p/q/r", "v"), "OK");
    XT_STR(xt_read(c, 0, "/p"), "");
    XT_STR(xt_read(c, 0, "/p/q"), "");
    XT_STR(xt_list(c, XS_DIRECTORY, 0, "/p"), "q");
}

static void mkdir_creates_and_keeps(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_op1(c, XS_MKDIR, 0, "/m/n"), "OK");
    XT_STR(xt_read(c, 0, "/m/n"), "");
    XT_STR(xt_write(c, 0, "/m/n", "keep"), "OK");
    XT_STR(xt_op1(c, XS_MKDIR, 0, "/m/n"), "OK");
    XT_STR(xt_read(c, 0, "/m/n"), "keep");
}

static void rm_is_recursive(void)
{
    struct xs_conn *c = xt_conn(0);
    xt_write(c, 0, "/r/a/b", "1");
    xt_write(c, 0, "/r/c", "2");
    XT_STR(xt_op1(c, XS_RM, 0, "/r"), "OK");
    XT_STR(xt_read(c, 0, "/r/a/b"), "ERR:ENOENT");
    XT_STR(xt_read(c, 0, "/r"), "ERR:ENOENT");
    XT_STR(xt_list(c, XS_DIRECTORY, 0, "/"), "tool");
    CU_ASSERT_EQUAL(xt_d->store.map.count, 3); /* /, /tool, /tool/xenstored */
}

static void rm_missing_node(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_op1(c, XS_RM, 0, "/tool/none"), "OK"); /* parent exists */
    XT_STR(xt_op1(c, XS_RM, 0, "/none/none"), "ERR:ENOENT");
    XT_STR(xt_op1(c, XS_RM, 0, "/"), "ERR:EINVAL");
}

static void directory_lists_in_creation_order(void)
{
    struct xs_conn *c = xt_conn(0);
    xt_write(c, 0, "/d/zz", "");
    xt_write(c, 0, "/d/aa", "");
    xt_write(c, 0, "/d/mm", "");
    XT_STR(xt_list(c, XS_DIRECTORY, 0, "/d"), "zz,aa,mm");
    XT_STR(xt_list(c, XS_DIRECTORY, 0, "/d/zz"), "");
    XT_STR(xt_list(c, XS_DIRECTORY, 0, "/nope"), "ERR:ENOENT");
}

/* A directory too large for one reply: E2BIG, then DIRECTORY_PART. */
static void directory_part_reassembles(void)
{
    struct xs_conn *c = xt_conn(0);
    char path[64], want[16384] = "", got[16384] = "";
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "/big/child-number-%04d", i);
        xt_write(c, 0, path, "");
        strcat(want, path + 5);
        strcat(want, ",");
    }
    XT_STR(xt_list(c, XS_DIRECTORY, 0, "/big"), "ERR:E2BIG");
    size_t off = 0;
    char gen0[32] = "";
    for (int rounds = 0; rounds < 10; rounds++) {
        char arg[32], buf[64];
        struct xt_msg m;
        snprintf(arg, sizeof(arg), "%zu", off);
        size_t l = xt_args(buf, 2, "/big", arg);
        CU_ASSERT_FATAL(xt_req(c, XS_DIRECTORY_PART, 0, buf, l, &m));
        CU_ASSERT_EQUAL_FATAL(m.type, XS_DIRECTORY_PART);
        size_t gl = strlen(m.data) + 1;
        if (!gen0[0])
            strcpy(gen0, m.data);
        XT_STR(m.data, gen0);
        size_t p = gl;
        bool end = false;
        while (p < m.len) {
            if (m.data[p] == 0) {
                end = true;
                break;
            }
            strcat(got, m.data + p);
            strcat(got, ",");
            off += strlen(m.data + p) + 1;
            p += strlen(m.data + p) + 1;
        }
        if (end)
            break;
    }
    XT_STR(got, want);
}

static void get_perms_default_and_inherited(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_list(c, XS_GET_PERMS, 0, "/"), "n0");
    xt_write(c, 0, "/g", "");
    char buf[64];
    struct xt_msg m;
    size_t l = xt_args(buf, 3, "/g", "r5", "b7");
    CU_ASSERT(xt_req(c, XS_SET_PERMS, 0, buf, l, &m));
    XT_STR(m.data, "OK");
    XT_STR(xt_list(c, XS_GET_PERMS, 0, "/g"), "r5,b7");
    xt_write(c, 0, "/g/child/x", "");
    XT_STR(xt_list(c, XS_GET_PERMS, 0, "/g/child/x"), "r5,b7");
    XT_STR(xt_list(c, XS_GET_PERMS, 0, "/none"), "ERR:ENOENT");
}

static void set_perms_rejects_bad_strings(void)
{
    struct xs_conn *c = xt_conn(0);
    static const char *bad[] = {"x5", "r", "r-1", "r5x", "", "b99999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        XT_STR(xt_op2(c, XS_SET_PERMS, 0, "/tool", bad[i]), "ERR:EINVAL");
    XT_STR(xt_op1(c, XS_SET_PERMS, 0, "/tool"), "ERR:EINVAL");
    XT_STR(xt_op2(c, XS_SET_PERMS, 0, "/none", "n0"), "ERR:ENOENT");
    XT_STR(xt_list(c, XS_GET_PERMS, 0, "/tool"), "n0");
}

/* 4.17 keeps the special names' permissions outside the tree: SET_PERMS
 * works on them (owner or dom0 only), GET_PERMS and READ are EINVAL. */
static void special_node_perms(void)
{
    struct xs_conn *c = xt_conn(0), *g = xt_conn(3);
    XT_STR(xt_op2(c, XS_SET_PERMS, 0, "@releaseDomain", "n0"), "OK");
    char buf[64];
    struct xt_msg m;
    size_t l = xt_args(buf, 3, "@introduceDomain", "n0", "r3");
    CU_ASSERT(xt_req(c, XS_SET_PERMS, 0, buf, l, &m));
    XT_STR(m.data, "OK");
    CU_ASSERT_EQUAL(xt_d->special_nperms[0], 2);
    CU_ASSERT_EQUAL(xt_d->special_perms[0][1].id, 3);
    XT_STR(xt_op2(g, XS_SET_PERMS, 0, "@introduceDomain", "n3"),
           "ERR:EACCES"); /* readable, not owned */
    XT_STR(xt_op2(c, XS_SET_PERMS, 0, "@other", "n0"), "ERR:EINVAL");
    XT_STR(xt_list(c, XS_GET_PERMS, 0, "@releaseDomain"), "ERR:EINVAL");
    XT_STR(xt_read(c, 0, "@releaseDomain"), "ERR:EINVAL");
}

static void root_cannot_be_read_by_bad_path(void)
{
    struct xs_conn *c = xt_conn(0);
    XT_STR(xt_read(c, 0, "/"), "");
}

XT_SUITE(node, {"read_missing_is_enoent", read_missing_is_enoent},
         {"write_then_read", write_then_read},
         {"write_value_is_raw_bytes", write_value_is_raw_bytes},
         {"reply_echoes_req_id", reply_echoes_req_id},
         {"write_creates_parents", write_creates_parents},
         {"mkdir_creates_and_keeps", mkdir_creates_and_keeps},
         {"rm_is_recursive", rm_is_recursive},
         {"rm_missing_node", rm_missing_node},
         {"directory_lists_in_creation_order",
          directory_lists_in_creation_order},
         {"directory_part_reassembles", directory_part_reassembles},
         {"get_perms_default_and_inherited", get_perms_default_and_inherited},
         {"set_perms_rejects_bad_strings", set_perms_rejects_bad_strings},
         {"special_node_perms", special_node_perms},
         {"root_readable", root_cannot_be_read_by_bad_path})
