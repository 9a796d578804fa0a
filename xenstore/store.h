/*
 * The node tree of vstored: nodes, their permissions, the path hash that
 * gives O(path length) lookup, and the per-node generation counters that
 * transactions use to detect conflicts. Nothing here knows about
 * connections or the wire; callers check permissions and quotas first.
 */
#ifndef VSTORE_STORE_H
#define VSTORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_PERM_R 1u
#define XS_PERM_W 2u
/* An entry after the owner that named no domain when it was set (the
 * hypervisor, asked, did not know it): listed, but grants nothing, so a
 * domain created later with that id inherits no access (xenstored's
 * XS_PERM_IGNORE). */
#define XS_PERM_IGNORED 4u

/* One permission entry; the first entry of a list names the owner. */
struct xs_perm {
    uint32_t id;
    uint32_t perms; /* XS_PERM_R | XS_PERM_W | XS_PERM_IGNORED */
};

/* Flags of a node that lives in a transaction overlay (see txn.c). */
#define XS_NODE_COPY       1u  /* the overlay holds a private copy */
#define XS_NODE_DELETED    2u  /* the transaction deleted the node */
#define XS_NODE_DIRTY      4u  /* value or perms written by the transaction */
#define XS_NODE_CREATED    8u  /* the transaction created the node */
#define XS_NODE_FIRE       16u /* a request named it: fire watches at commit */
#define XS_NODE_FIRE_EXACT 32u /* removed below a removed root: exact event */

struct xs_node {
    char *path; /* absolute, owned, NUL-terminated */
    size_t path_len;
    struct xs_node *hnext; /* hash chain */
    char *value;
    uint32_t value_len;
    struct xs_perm *perms;
    uint32_t nperms;
    /* Child leaf names, each NUL-terminated, back to back: exactly the
     * DIRECTORY reply, so listing a node is one copy. */
    char *children;
    uint32_t children_len;
    uint32_t nchildren;
    uint64_t gen;      /* bumped on every change of value/perms/children */
    uint64_t base_gen; /* overlay only: live gen when first seen, 0 absent */
    uint32_t flags;    /* overlay only: XS_NODE_* */
    uint64_t seq;      /* overlay only: order of creation */
};

/* A hash table of nodes keyed by absolute path. */
struct xs_nodemap {
    struct xs_node **buckets;
    size_t nbuckets;
    size_t count;
};

int xs_nodemap_init(struct xs_nodemap *m, size_t nbuckets);
void xs_nodemap_free(struct xs_nodemap *m); /* frees nodes too */
struct xs_node *xs_nodemap_get(const struct xs_nodemap *m, const char *path,
                               size_t len);
int xs_nodemap_put(struct xs_nodemap *m, struct xs_node *n);
void xs_nodemap_del(struct xs_nodemap *m, struct xs_node *n);

struct xs_node *xs_node_new(const char *path, size_t len);
void xs_node_free(struct xs_node *n);
struct xs_node *xs_node_clone(const struct xs_node *n);
int xs_node_set_value(struct xs_node *n, const void *v, uint32_t len);
int xs_node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np);
int xs_node_add_child(struct xs_node *n, const char *name);
bool xs_node_del_child(struct xs_node *n, const char *name);
/* Size accounted against the node-size quota. */
size_t xs_node_size(const struct xs_node *n);
/* Memory accounted to the owner: the node size plus its path. */
size_t xs_node_mem(const struct xs_node *n);

/* Offset of the last path component ("/a/b" -> 3; "/a" -> 1). */
size_t xs_path_leaf(const char *path, size_t len);
/* Length of the parent path ("/a/b" -> 2; "/a" -> 1 meaning "/"). */
size_t xs_path_parent_len(const char *path, size_t len);
/* "<dir>/<name>", malloc'd; dir "/" gives "/<name>". */
char *xs_path_join(const char *dir, size_t dlen, const char *name);
/* True if child is path or lies below it. */
bool xs_path_within(const char *child, const char *path);

/* Callback told about every change of a node's existence, owner or size,
 * so that the daemon can account nodes and bytes to the owning domain. */
struct xs_store;
typedef void (*xs_owner_fn)(void *arg, uint32_t owner, int nodes, long bytes);

struct xs_store {
    struct xs_nodemap map;
    uint64_t next_gen;
    xs_owner_fn account;
    void *account_arg;
};

int xs_store_init(struct xs_store *s);
void xs_store_free(struct xs_store *s);
struct xs_node *xs_store_get(struct xs_store *s, const char *path);
/* Creates path with value/perms; its parent must exist. */
struct xs_node *xs_store_create(struct xs_store *s, const char *path,
                                const void *v, uint32_t vlen,
                                const struct xs_perm *p, uint32_t np);
int xs_store_write(struct xs_store *s, struct xs_node *n, const void *v,
                   uint32_t len);
int xs_store_chmod(struct xs_store *s, struct xs_node *n,
                   const struct xs_perm *p, uint32_t np);
/* Deletes n and everything below it. n must not be the root. */
void xs_store_delete(struct xs_store *s, struct xs_node *n);

/* Permission strings: "r5", "b0" ... */
int xs_perm_parse(const char *s, struct xs_perm *p);
int xs_perm_format(const struct xs_perm *p, char *buf, size_t len);

#endif
