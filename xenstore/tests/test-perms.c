/*
 * Cases for the access rules: owner and default letter, later entries,
 * inheritance with the unprivileged creator as owner, SET_PERMS ownership
 * rules, SET_TARGET delegation, relative paths of domain connections, and
 * privileged-only messages.
 */
#include "harness.h"

#include <errno.h>
#include <string.h>

static void set(struct xs_conn *c, const char *path, int n, const char *a,
                const char *b)
{
    char buf[128];
    struct xt_msg m;
    size_t l = n == 1 ? xt_args(buf, 2, path, a) : xt_args(buf, 3, path, a, b);
    xt_req(c, XS_SET_PERMS, 0, buf, l, &m);
}

static void unprivileged_denied_on_dom0_nodes(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    xt_write(d0, 0, "/secret", "x");
    XT_STR(xt_read(g, 0, "/secret"), "ERR:EACCES");
    XT_STR(xt_write(g, 0, "/secret", "y"), "ERR:EACCES");
    XT_STR(xt_write(g, 0, "/secret/child", "y"), "ERR:EACCES");
    XT_STR(xt_op1(g, XS_RM, 0, "/secret"), "ERR:EACCES");
    XT_STR(xt_list(g, XS_DIRECTORY, 0, "/"), "ERR:EACCES");
    XT_STR(xt_read(d0, 0, "/secret"), "x");
}

/* A missing node is ENOENT only for who may access its nearest existing
 * ancestor; others get EACCES (xenstored's errno_from_parents). */
static void missing_node_errno_depends_on_parent(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    xt_write(d0, 0, "/hidden/x", "1");
    XT_STR(xt_read(g, 0, "/hidden/nothing"), "ERR:EACCES");
    XT_STR(xt_read(g, 0, "/hidden/a/b/c"), "ERR:EACCES");
    XT_STR(xt_op1(g, XS_RM, 0, "/hidden/nothing"), "ERR:EACCES");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/hidden", "r0"), "OK");
    XT_STR(xt_read(g, 0, "/hidden/nothing"), "ERR:ENOENT");
    XT_STR(xt_op1(g, XS_RM, 0, "/hidden/nothing"), "ERR:EACCES");
    XT_STR(xt_read(d0, 0, "/hidden/nothing"), "ERR:ENOENT");
}

static void default_letter_applies_to_others(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    xt_write(d0, 0, "/pub", "x");
    set(d0, "/pub", 1, "r0", NULL);
    XT_STR(xt_read(g, 0, "/pub"), "x");
    XT_STR(xt_write(g, 0, "/pub", "y"), "ERR:EACCES");
    set(d0, "/pub", 1, "b0", NULL);
    XT_STR(xt_write(g, 0, "/pub", "y"), "OK");
}

static void later_entry_overrides_default(void)
{
    struct xs_conn *d0 = xt_conn(0), *g5 = xt_conn(5), *g6 = xt_conn(6);
    xt_write(d0, 0, "/e", "x");
    set(d0, "/e", 2, "n0", "r5");
    XT_STR(xt_read(g5, 0, "/e"), "x");
    XT_STR(xt_write(g5, 0, "/e", "z"), "ERR:EACCES");
    XT_STR(xt_read(g6, 0, "/e"), "ERR:EACCES");
}

static void owner_has_full_access(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    xt_write(d0, 0, "/local/domain/5", "");
    set(d0, "/local/domain/5", 1, "n5", NULL);
    XT_STR(xt_write(g, 0, "/local/domain/5/data", "v"), "OK");
    XT_STR(xt_read(g, 0, "/local/domain/5/data"), "v");
    /* New nodes inherit the parent's list, owned by the creator. */
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/local/domain/5/data"), "n5");
}

static void creator_becomes_owner(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    xt_write(d0, 0, "/shared", "");
    set(d0, "/shared", 2, "n0", "b5");
    XT_STR(xt_write(g, 0, "/shared/mine/deep", "v"), "OK");
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/shared/mine"), "n5,b5");
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/shared/mine/deep"), "n5,b5");
}

static void set_perms_ownership_rules(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5), *h = xt_conn(6);
    xt_write(d0, 0, "/o", "");
    set(d0, "/o", 2, "n5", "b6");
    /* Domain 6 may write but is not the owner. */
    XT_STR(xt_op2(h, XS_SET_PERMS, 0, "/o", "n6"), "ERR:EACCES");
    /* The owner may change the list but not give the node away. */
    XT_STR(xt_op2(g, XS_SET_PERMS, 0, "/o", "n6"), "ERR:EPERM");
    XT_STR(xt_op2(g, XS_SET_PERMS, 0, "/o", "r5"), "OK");
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/o"), "r5");
    /* dom0 may do anything. */
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/o", "n7"), "OK");
}

/* A hypervisor that knows domains 0, 5 and 6 only, or cannot tell. */
static int knows_0_5_6(void *ctx, uint32_t domid)
{
    (void)ctx;
    return domid == 0 || domid == 5 || domid == 6;
}
static int cannot_tell(void *ctx, uint32_t domid)
{
    (void)ctx;
    (void)domid;
    return -EPERM;
}

/* Where the hypervisor can be asked, an owner must be a domain (ENOENT,
 * even for a special node or a missing path); later entries may name
 * anyone, as in xenstored. Introduced domains count whatever it says. */
static void set_perms_owner_must_be_a_domain(void)
{
    struct xs_conn *d0 = xt_conn(0);
    xt_write(d0, 0, "/o", "");
    xt_d->domain_exists = knows_0_5_6;
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/o", "n7"), "ERR:ENOENT");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/nothing", "n7"), "ERR:ENOENT");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "@releaseDomain", "n7"), "ERR:ENOENT");
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/o"), "n0");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/o", "n5"), "OK");
    /* r7 names no domain: listed, but a domain 7 created later gets
     * nothing from it; r6 names one and grants. */
    char b3[64];
    struct xt_msg m3;
    size_t l3 = xt_args(b3, 4, "/o", "n6", "r7", "r5");
    xt_req(d0, XS_SET_PERMS, 0, b3, l3, &m3);
    XT_STR(m3.data, "OK");
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/o"), "n6,r7,r5");
    struct xs_conn *g7 = xt_conn(7), *g5 = xt_conn(5);
    XT_STR(xt_read(g7, 0, "/o"), "ERR:EACCES");
    XT_STR(xt_read(g5, 0, "/o"), "");
    set(d0, "/o", 2, "n6", "r7");
    XT_STR(xt_list(d0, XS_GET_PERMS, 0, "/o"), "n6,r7");
    XT_STR(xt_introduce(d0, "9", "1234", "7"), "OK");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/o", "b9"), "OK");
    xt_d->domain_exists = cannot_tell;
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/o", "n7"), "OK");
    xt_d->domain_exists = NULL;
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/o", "n8"), "OK");
    /* No hypervisor to ask (plain Linux): every entry counts. */
    set(d0, "/o", 2, "n8", "r7");
    XT_STR(xt_read(g7, 0, "/o"), "");
}

static void set_target_delegates(void)
{
    struct xs_conn *d0 = xt_conn(0), *stub = xt_conn(9);
    xt_write(d0, 0, "/local/domain/5/x", "v");
    set(d0, "/local/domain/5/x", 1, "n5", NULL);
    XT_STR(xt_read(stub, 0, "/local/domain/5/x"), "ERR:EACCES");
    XT_STR(xt_op2(d0, XS_SET_TARGET, 0, "9", "5"), "ERR:ENOENT");
    XT_STR(xt_op1(d0, XS_INTRODUCE, 0, "9"), "ERR:EINVAL");
    XT_STR(xt_introduce(d0, "9", "1234", "7"), "OK");
    /* Both ends must be introduced domains (find_connected_domain). */
    XT_STR(xt_op2(d0, XS_SET_TARGET, 0, "9", "5"), "ERR:ENOENT");
    XT_STR(xt_introduce(d0, "5", "1235", "8"), "OK");
    XT_STR(xt_op2(d0, XS_SET_TARGET, 0, "9", "5"), "OK");
    XT_STR(xt_read(stub, 0, "/local/domain/5/x"), "v");
}

static void relative_paths_of_domains(void)
{
    struct xs_conn *d0 = xt_conn(0), *g = xt_conn(5);
    xt_write(d0, 0, "/local/domain/5", "");
    set(d0, "/local/domain/5", 1, "n5", NULL);
    XT_STR(xt_write(g, 0, "device/vif", "1"), "OK");
    XT_STR(xt_read(d0, 0, "/local/domain/5/device/vif"), "1");
    XT_STR(xt_read(g, 0, "device/vif"), "1");
}

static void privileged_messages_refused(void)
{
    struct xs_conn *g = xt_conn(5);
    XT_STR(xt_op1(g, XS_RELEASE, 0, "6"), "ERR:EACCES");
    XT_STR(xt_op1(g, XS_RESUME, 0, "6"), "ERR:EACCES");
    XT_STR(xt_op1(g, XS_IS_DOMAIN_INTRODUCED, 0, "6"), "ERR:EACCES");
    XT_STR(xt_op2(g, XS_SET_TARGET, 0, "6", "7"), "ERR:EACCES");
    XT_STR(xt_op1(g, XS_CONTROL, 0, "help"), "ERR:EACCES");
    XT_STR(xt_op1(g, XS_GET_DOMAIN_PATH, 0, "6"), "/local/domain/6");
}

XT_SUITE(perms,
         {"unprivileged_denied_on_dom0_nodes",
          unprivileged_denied_on_dom0_nodes},
         {"missing_node_errno_depends_on_parent",
          missing_node_errno_depends_on_parent},
         {"default_letter_applies_to_others", default_letter_applies_to_others},
         {"later_entry_overrides_default", later_entry_overrides_default},
         {"owner_has_full_access", owner_has_full_access},
         {"creator_becomes_owner", creator_becomes_owner},
         {"set_perms_ownership_rules", set_perms_ownership_rules},
         {"set_perms_owner_must_be_a_domain", set_perms_owner_must_be_a_domain},
         {"set_target_delegates", set_target_delegates},
         {"relative_paths_of_domains", relative_paths_of_domains},
         {"privileged_messages_refused", privileged_messages_refused})
