/*
 * Handlers of the domain-management messages: INTRODUCE, RELEASE, RESUME,
 * GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, SET_TARGET. Domain ids and the
 * other integers travel as decimal ASCII, read leniently as xenstored
 * 4.17 reads them (atoi).
 */
#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Integers are read as xenstored reads them (atoi: junk reads as 0). */
static uint32_t num(const char *s)
{
    return (uint32_t)strtol(s, NULL, 10);
}

/* The one argument of RELEASE, RESUME, GET_DOMAIN_PATH, ... */
static int one_arg(struct xs_req *r, const char **arg)
{
    return xs_req_args(r, arg, 1) == 1 ? 0 : -EINVAL;
}

int xs_op_introduce(struct xs_req *r)
{
    const char *argv[3];
    /* domid, gfn (xenstored maps grant 1 and ignores it), port > 0 */
    if (r->hdr.len == 0 || r->data[r->hdr.len - 1] != 0)
        return -EINVAL;
    int n = 0;
    for (uint32_t off = 0; off < r->hdr.len && n < 3;
         off += strlen(r->data + off) + 1)
        argv[n++] = r->data + off;
    if (n < 3)
        return -EINVAL;
    uint32_t domid = num(argv[0]);
    int port = (int)strtol(argv[2], NULL, 10);
    if (port <= 0 || domid == 0 || domid >= 0x7ff0)
        return -EINVAL;
    return xs_domain_introduce(r->c->d, domid,
                               (uint64_t)strtoll(argv[1], NULL, 10), port);
}

/* xenstored's find_connected_domain. */
static int connected(struct xs_req *r, uint32_t id, struct xs_domain **out)
{
    struct xs_domain *dom = xs_domain_get(r->c->d, id, false);
    if (!dom || (!dom->introduced && id != 0))
        return -ENOENT;
    *out = dom;
    return 0;
}

int xs_op_release(struct xs_req *r)
{
    const char *a;
    if (one_arg(r, &a) || num(a) == 0)
        return -EINVAL;
    return xs_domain_release(r->c->d, num(a));
}

int xs_op_resume(struct xs_req *r)
{
    const char *a;
    struct xs_domain *dom;
    int rc;
    if (one_arg(r, &a) || num(a) == 0)
        return -EINVAL;
    if ((rc = connected(r, num(a), &dom)))
        return rc;
    dom->released_fired = false; /* the next death fires again */
    return 0;
}

int xs_op_get_domain_path(struct xs_req *r)
{
    const char *a;
    char buf[32];
    if (one_arg(r, &a))
        return -EINVAL;
    snprintf(buf, sizeof(buf), XS_LOCAL_DOMAIN "%u", num(a));
    return xs_reply_str(r, buf);
}

int xs_op_is_introduced(struct xs_req *r)
{
    const char *a;
    if (one_arg(r, &a))
        return -EINVAL;
    uint32_t id = num(a);
    struct xs_domain *dom = xs_domain_get(r->c->d, id, false);
    bool yes =
        id == 0 || id == 0x7ff0 /* DOMID_SELF */ || (dom && dom->introduced);
    return xs_reply_str(r, yes ? "T" : "F");
}

int xs_op_set_target(struct xs_req *r)
{
    const char *argv[2];
    struct xs_domain *dom, *target;
    int rc;
    if (xs_req_args(r, argv, 2) != 2)
        return -EINVAL;
    if ((rc = connected(r, num(argv[0]), &dom)) ||
        (rc = connected(r, num(argv[1]), &target)))
        return rc;
    dom->target = target->domid;
    return 0;
}
