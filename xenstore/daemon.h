/*
 * The state of one vstored instance and the interfaces between its parts:
 * connections (conn.c), the request dispatcher (dispatch.c and ops-*.c),
 * transactions (txn.c), watches (watch.c), domains (domain.c), quotas
 * (quota.c) and the CONTROL command (control.c). The daemon core is
 * transport-agnostic: a transport (socket.c, ring.c, or a test) pushes
 * bytes in with xs_conn_in_space/xs_conn_in_commit and drains the reply
 * stream with xs_conn_out_peek/xs_conn_out_consume.
 *
 * Single-threaded: every function here runs on the daemon's one thread.
 */
#ifndef VSTORE_DAEMON_H
#define VSTORE_DAEMON_H

#include <errno.h> /* before xs_wire.h: it declares xsd_errors[] */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <xen/io/xs_wire.h>

#include "store.h"

#define XS_HDR_SIZE     16u
#define XS_DOMID_NONE   0xffffffffu
#define XS_LOCAL_DOMAIN "/local/domain/"

/* Limits; all apply to unprivileged domains only, except outstanding and
 * out_bytes which protect the daemon from every connection. */
struct xs_quota {
    unsigned nodes;       /* nodes owned per domain */
    unsigned node_size;   /* value + perms + child names, bytes */
    unsigned path_len;    /* path length */
    unsigned watches;     /* watches per connection */
    unsigned txns;        /* open transactions per connection */
    unsigned perms;       /* entries per permission list */
    unsigned txn_nodes;   /* nodes touched per transaction */
    unsigned outstanding; /* unsent replies before input is paused */
    unsigned out_bytes;   /* buffered output before the cut-off */
    unsigned memory;      /* bytes of nodes owned per domain */
};

struct xs_quota_desc {
    const char *name;
    char opt; /* short option of xenstored, 0 if none */
    size_t off;
    const char *help;
};
extern const struct xs_quota_desc xs_quota_descs[];
void xs_quota_defaults(struct xs_quota *q);
/* "name=value" or name + value; -EINVAL on unknown name or bad number. */
int xs_quota_set(struct xs_quota *q, const char *name, const char *val);
unsigned *xs_quota_field(struct xs_quota *q, const struct xs_quota_desc *d);

struct xs_conn;
struct xs_daemon;

/* What a transport offers the core. */
struct xs_conn_ops {
    /* Output was queued, or the connection died: push or reap it soon. */
    void (*kick)(struct xs_conn *c);
};

struct xs_watch {
    struct xs_watch *next;
    char *path; /* absolute, or @special */
    char *token;
    bool relative; /* events strip the domain prefix */
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    struct xs_conn *conn;
    struct xs_nodemap ov; /* overlay: copies, tombstones, read records */
    unsigned created;     /* nodes created, for the node quota */
    uint64_t seq;         /* creation order of overlay nodes */
};

struct xs_domain {
    struct xs_domain *next;
    uint32_t domid;
    bool introduced;
    bool released_fired; /* @releaseDomain already sent for this life */
    uint32_t target;     /* SET_TARGET: XS_DOMID_NONE or the target */
    unsigned nnodes;     /* nodes owned */
    long nbytes;         /* their memory (paths, values, perms, children) */
    uint64_t gfn;
    uint32_t port;
    struct xs_conn *conn; /* the ring connection, if any */
    void *ring;           /* transport state (ring.c) */
};

struct xs_conn {
    struct xs_daemon *d;
    struct xs_conn *next, *prev;
    uint32_t domid;
    bool is_domain; /* a guest ring (vs a dom0 socket client) */
    bool dead;
    bool busy; /* process_input is on the stack */
    const char *dead_why;
    const struct xs_conn_ops *ops;
    void *priv;
    uint64_t id; /* for logs */

    uint8_t in[XS_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
    size_t in_used;

    char *out;
    size_t out_head, out_len, out_cap;
    uint64_t out_total, sent_total;
    uint64_t *reply_end; /* stream offsets where queued replies end */
    unsigned re_head, re_count, re_cap;

    struct xs_watch *watches;
    unsigned nwatches;
    struct xs_txn *txns;
    unsigned ntxns;
};

/* Binding of guest rings; the tests and, later, dom0 provide one. */
struct xs_ring_backend {
    /* Maps domid's ring and binds its event channel. */
    int (*attach)(void *ctx, uint32_t domid, uint64_t gfn, uint32_t port,
                  struct xenstore_domain_interface **intf);
    int (*rebind)(void *ctx, uint32_t domid, uint32_t port);
    void (*notify)(void *ctx, uint32_t domid);
    void (*detach)(void *ctx, uint32_t domid);
    void *ctx;
};

struct xs_daemon {
    struct xs_store store;
    struct xs_quota q;
    struct xs_conn *conns;
    struct xs_domain *domains;
    struct xs_perm special_perms[2][8]; /* @introduceDomain, @releaseDomain */
    uint32_t special_nperms[2];
    uint32_t next_txid;
    uint64_t next_conn_id;
    FILE *log; /* CONTROL log / --trace-file; NULL = off */
    bool tracing;
    const struct xs_ring_backend *ring;
    /* Whether the hypervisor knows domid (1 yes, 0 no, -errno cannot
     * tell): set where there is one to ask (dom_exc.c: privcmd in a dom0),
     * NULL on plain Linux and in the unit tests, where every domain is
     * taken to exist. */
    int (*domain_exists)(void *ctx, uint32_t domid);
    void *domain_exists_ctx;
    /* Statistics for CONTROL print and the tests. */
    uint64_t nreq, ncutoff;
};

int xs_daemon_init(struct xs_daemon *d);
void xs_daemon_free(struct xs_daemon *d);
void xs_log(struct xs_daemon *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* conn.c */
struct xs_conn *xs_conn_new(struct xs_daemon *d, uint32_t domid, bool is_domain,
                            const struct xs_conn_ops *ops, void *priv);
void xs_conn_free(struct xs_conn *c);
void xs_conn_kill(struct xs_conn *c, const char *why);
size_t xs_conn_in_space(struct xs_conn *c, void **p);
void xs_conn_in_commit(struct xs_conn *c, size_t n);
size_t xs_conn_feed(struct xs_conn *c, const void *buf, size_t len);
bool xs_conn_throttled(const struct xs_conn *c);
size_t xs_conn_out_peek(struct xs_conn *c, const void **p);
void xs_conn_out_consume(struct xs_conn *c, size_t n);
/* Queues one message; is_reply counts it as outstanding. */
int xs_conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id,
                 uint32_t tx_id, const void *a, size_t alen, const void *b,
                 size_t blen, bool is_reply);
bool xs_conn_privileged(const struct xs_conn *c);

/* dispatch.c */
struct xs_req {
    struct xs_conn *c;
    struct xsd_sockmsg hdr;
    char *data; /* payload, NUL-padded one byte past hdr.len */
    struct xs_txn *t;
    bool replied;
};
void xs_dispatch(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *data);
int xs_reply(struct xs_req *r, const void *data, size_t len);
int xs_reply_str(struct xs_req *r, const char *s); /* includes the NUL */
const char *xs_errname(int err);
/* Splits the payload into NUL-terminated strings; -EINVAL if the last is
 * not terminated or there are more than max. */
int xs_req_args(struct xs_req *r, const char **argv, int max);
/* Canonical absolute path of a client path (relative -> domain home);
 * -EINVAL if it is not a valid node name. buf gets 3072+ bytes. */
int xs_canon_path(struct xs_conn *c, const char *in, char *buf, size_t len,
                  bool allow_special);
unsigned xs_perm_for(struct xs_conn *c, const struct xs_perm *p, uint32_t np);

/* ops-node.c, ops-domain.c, control.c: one handler per message type. */
typedef int (*xs_handler)(struct xs_req *r);
int xs_op_read(struct xs_req *r);
int xs_op_write(struct xs_req *r);
int xs_op_mkdir(struct xs_req *r);
int xs_op_rm(struct xs_req *r);
int xs_op_directory(struct xs_req *r);
int xs_op_directory_part(struct xs_req *r);
int xs_op_get_perms(struct xs_req *r);
int xs_op_set_perms(struct xs_req *r);
int xs_op_watch(struct xs_req *r);
int xs_op_unwatch(struct xs_req *r);
int xs_op_reset_watches(struct xs_req *r);
int xs_op_txn_start(struct xs_req *r);
int xs_op_txn_end(struct xs_req *r);
int xs_op_introduce(struct xs_req *r);
int xs_op_release(struct xs_req *r);
int xs_op_resume(struct xs_req *r);
int xs_op_get_domain_path(struct xs_req *r);
int xs_op_is_introduced(struct xs_req *r);
int xs_op_set_target(struct xs_req *r);
int xs_op_control(struct xs_req *r);

/* txn.c: tree access through an optional transaction (t may be NULL). */
struct xs_node *xs_view_get(struct xs_daemon *d, struct xs_txn *t,
                            const char *path, int *err);
int xs_view_create(struct xs_daemon *d, struct xs_txn *t, const char *path,
                   const void *v, uint32_t vlen, const struct xs_perm *p,
                   uint32_t np);
int xs_view_update(struct xs_daemon *d, struct xs_txn *t, const char *path,
                   const void *v, uint32_t vlen, const struct xs_perm *p,
                   uint32_t np);
int xs_view_delete(struct xs_daemon *d, struct xs_txn *t, const char *path);
int xs_txn_new(struct xs_conn *c, struct xs_txn **out);
/* A request changed path: fire its watches when (and if) t commits. */
void xs_txn_note_change(struct xs_txn *t, const char *path);
struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id);
int xs_txn_end(struct xs_txn *t, bool commit); /* frees t */
void xs_txn_free(struct xs_txn *t);

/* watch.c */
int xs_watch_add(struct xs_conn *c, const char *path, const char *token,
                 bool relative);
int xs_watch_del(struct xs_conn *c, const char *path, const char *token);
void xs_watch_clear(struct xs_conn *c);
void xs_watch_send(struct xs_conn *c, struct xs_watch *w, const char *path);
/* A change of path (whose permissions are p). exact: only watches on path
 * itself (a node removed below the removed root). */
void xs_watch_fire(struct xs_daemon *d, const char *path,
                   const struct xs_perm *p, uint32_t np, bool exact);
/* The same, also admitting readers of the old permissions oldp. */
void xs_watch_fire_perms(struct xs_daemon *d, const char *path,
                         const struct xs_perm *p, uint32_t np,
                         const struct xs_perm *oldp, uint32_t nold, bool exact);
/* Events for the removal of live node n and its subtree (before it goes). */
void xs_watch_fire_rm(struct xs_daemon *d, const struct xs_node *n);
int xs_special_index(const char *path); /* 0, 1 or -1 */

/* domain.c */
struct xs_domain *xs_domain_get(struct xs_daemon *d, uint32_t domid,
                                bool create);
void xs_domain_account(void *arg, uint32_t owner, int nodes, long bytes);
int xs_domain_introduce(struct xs_daemon *d, uint32_t domid, uint64_t gfn,
                        uint32_t port);
int xs_domain_release(struct xs_daemon *d, uint32_t domid);
/* Called by the hypervisor binding when domid shuts down or dies. */
int xs_domain_shutdown(struct xs_daemon *d, uint32_t domid);
void xs_domain_free_all(struct xs_daemon *d);

/* ring.c */
int xs_ring_attach(struct xs_daemon *d, struct xs_domain *dom,
                   struct xenstore_domain_interface *intf);
/* Moves bytes both ways; call when the domain's event channel fires. */
void xs_ring_service(struct xs_conn *c);
void xs_ring_detach(struct xs_conn *c);

#endif
