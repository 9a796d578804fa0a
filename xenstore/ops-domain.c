/*
 * Handlers of the domain-management messages: INTRODUCE, RELEASE, RESUME,
 * GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, SET_TARGET. Domain ids and the
 * other integers travel as decimal ASCII.
 */
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* A domid: decimal, below DOMID_FIRST_RESERVED (0x7ff0). */
static int parse_domid(const char *s, uint32_t *out)
{
    char *end;
    if (s[0] < '0' || s[0] > '9')
        return -EINVAL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno || v >= 0x7ff0)
        return -EINVAL;
    *out = v;
    return 0;
}

static int domid_args(struct xs_req *r, uint32_t *ids, int n)
{
    const char *argv[3];
    if (xs_req_args(r, argv, 3) != n)
        return -EINVAL;
    for (int i = 0; i < n; i++)
        if (parse_domid(argv[i], &ids[i]))
            return -EINVAL;
    return 0;
}

int xs_op_introduce(struct xs_req *r)
{
    const char *argv[3];
    uint32_t domid;
    char *end;
    if (xs_req_args(r, argv, 3) != 3 || parse_domid(argv[0], &domid) ||
        domid == 0)
        return -EINVAL;
    errno = 0;
    long long gfn = strtoll(argv[1], &end, 10); /* signed, like xenstored */
    if (*end || errno || argv[1][0] == 0)
        return -EINVAL;
    unsigned long port = strtoul(argv[2], &end, 10);
    if (*end || errno || argv[2][0] < '0' || argv[2][0] > '9' ||
        port > 0xffffffffUL)
        return -EINVAL;
    return xs_domain_introduce(r->c->d, domid, (uint64_t)gfn, port);
}

int xs_op_release(struct xs_req *r)
{
    uint32_t id;
    if (domid_args(r, &id, 1) || id == 0)
        return -EINVAL;
    return xs_domain_release(r->c->d, id);
}

int xs_op_resume(struct xs_req *r)
{
    uint32_t id;
    if (domid_args(r, &id, 1))
        return -EINVAL;
    struct xs_domain *dom = xs_domain_get(r->c->d, id, false);
    if (!dom || !dom->introduced)
        return -ENOENT;
    dom->released_fired = false; /* the next death fires again */
    return 0;
}

int xs_op_get_domain_path(struct xs_req *r)
{
    uint32_t id;
    char buf[32];
    if (domid_args(r, &id, 1))
        return -EINVAL;
    snprintf(buf, sizeof(buf), XS_LOCAL_DOMAIN "%u", id);
    return xs_reply_str(r, buf);
}

int xs_op_is_introduced(struct xs_req *r)
{
    uint32_t id;
    if (domid_args(r, &id, 1))
        return -EINVAL;
    struct xs_domain *dom = xs_domain_get(r->c->d, id, false);
    return xs_reply_str(r, id == 0 || (dom && dom->introduced) ? "T" : "F");
}

int xs_op_set_target(struct xs_req *r)
{
    uint32_t ids[2];
    if (domid_args(r, ids, 2))
        return -EINVAL;
    struct xs_domain *dom = xs_domain_get(r->c->d, ids[0], false);
    if (!dom || !dom->introduced)
        return -ENOENT;
    dom->target = ids[1];
    return 0;
}
