/*
 * The node tree: a hash table keyed by absolute path (lookup costs one hash
 * of the path, i.e. O(path length), independent of the store size), nodes
 * that carry their value, permission list and child names, and a global
 * generation counter stamped on every node that changes. Transactions
 * compare these stamps at commit instead of copying the database.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t path_hash(const char *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int xs_nodemap_init(struct xs_nodemap *m, size_t nbuckets)
{
    m->buckets = calloc(nbuckets, sizeof(*m->buckets));
    if (!m->buckets)
        return -ENOMEM;
    m->nbuckets = nbuckets;
    m->count = 0;
    return 0;
}

void xs_nodemap_free(struct xs_nodemap *m)
{
    if (!m->buckets)
        return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct xs_node *n = m->buckets[i], *next;
        for (; n; n = next) {
            next = n->hnext;
            xs_node_free(n);
        }
    }
    free(m->buckets);
    m->buckets = NULL;
    m->count = 0;
}

struct xs_node *xs_nodemap_get(const struct xs_nodemap *m, const char *path,
                               size_t len)
{
    struct xs_node *n = m->buckets[path_hash(path, len) & (m->nbuckets - 1)];
    for (; n; n = n->hnext)
        if (n->path_len == len && memcmp(n->path, path, len) == 0)
            return n;
    return NULL;
}

/* Doubling keeps chains short; a failed resize just leaves them longer. */
static void nodemap_grow(struct xs_nodemap *m)
{
    size_t nb = m->nbuckets * 2;
    struct xs_node **b = calloc(nb, sizeof(*b));
    if (!b)
        return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct xs_node *n = m->buckets[i], *next;
        for (; n; n = next) {
            size_t j = path_hash(n->path, n->path_len) & (nb - 1);
            next = n->hnext;
            n->hnext = b[j];
            b[j] = n;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
}

int xs_nodemap_put(struct xs_nodemap *m, struct xs_node *n)
{
    if (m->count >= m->nbuckets)
        nodemap_grow(m);
    size_t i = path_hash(n->path, n->path_len) & (m->nbuckets - 1);
    n->hnext = m->buckets[i];
    m->buckets[i] = n;
    m->count++;
    return 0;
}

void xs_nodemap_del(struct xs_nodemap *m, struct xs_node *n)
{
    size_t i = path_hash(n->path, n->path_len) & (m->nbuckets - 1);
    for (struct xs_node **pp = &m->buckets[i]; *pp; pp = &(*pp)->hnext) {
        if (*pp == n) {
            *pp = n->hnext;
            m->count--;
            return;
        }
    }
}

struct xs_node *xs_node_new(const char *path, size_t len)
{
    struct xs_node *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->path = malloc(len + 1);
    if (!n->path) {
        free(n);
        return NULL;
    }
    memcpy(n->path, path, len);
    n->path[len] = 0;
    n->path_len = len;
    return n;
}

void xs_node_free(struct xs_node *n)
{
    if (!n)
        return;
    free(n->path);
    free(n->value);
    free(n->perms);
    free(n->children);
    free(n);
}

struct xs_node *xs_node_clone(const struct xs_node *src)
{
    struct xs_node *n = xs_node_new(src->path, src->path_len);
    if (!n)
        return NULL;
    n->gen = src->gen;
    if (xs_node_set_value(n, src->value, src->value_len) ||
        xs_node_set_perms(n, src->perms, src->nperms))
        goto fail;
    if (src->children_len) {
        n->children = malloc(src->children_len);
        if (!n->children)
            goto fail;
        memcpy(n->children, src->children, src->children_len);
        n->children_len = src->children_len;
        n->nchildren = src->nchildren;
    }
    return n;
fail:
    xs_node_free(n);
    return NULL;
}

int xs_node_set_value(struct xs_node *n, const void *v, uint32_t len)
{
    char *nv = NULL;
    if (len) {
        nv = malloc(len);
        if (!nv)
            return -ENOMEM;
        memcpy(nv, v, len);
    }
    free(n->value);
    n->value = nv;
    n->value_len = len;
    return 0;
}

int xs_node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np)
{
    struct xs_perm *q = malloc(np * sizeof(*q) + 1);
    if (!q)
        return -ENOMEM;
    memcpy(q, p, np * sizeof(*q));
    free(n->perms);
    n->perms = q;
    n->nperms = np;
    return 0;
}

int xs_node_add_child(struct xs_node *n, const char *name)
{
    size_t l = strlen(name) + 1;
    char *c = realloc(n->children, n->children_len + l);
    if (!c)
        return -ENOMEM;
    memcpy(c + n->children_len, name, l);
    n->children = c;
    n->children_len += l;
    n->nchildren++;
    return 0;
}

bool xs_node_del_child(struct xs_node *n, const char *name)
{
    size_t l = strlen(name) + 1;
    for (uint32_t off = 0; off < n->children_len;) {
        size_t cl = strlen(n->children + off) + 1;
        if (cl == l && memcmp(n->children + off, name, l) == 0) {
            memmove(n->children + off, n->children + off + l,
                    n->children_len - off - l);
            n->children_len -= l;
            n->nchildren--;
            return true;
        }
        off += cl;
    }
    return false;
}

size_t xs_node_size(const struct xs_node *n)
{
    return n->value_len + n->nperms * sizeof(struct xs_perm) + n->children_len;
}

size_t xs_path_leaf(const char *path, size_t len)
{
    while (len > 0 && path[len - 1] != '/')
        len--;
    return len;
}

size_t xs_path_parent_len(const char *path, size_t len)
{
    size_t l = xs_path_leaf(path, len);
    return l > 1 ? l - 1 : 1;
}

bool xs_path_within(const char *child, const char *path)
{
    size_t l = strlen(path);
    if (l == 1 && path[0] == '/')
        return child[0] == '/';
    return strncmp(child, path, l) == 0 && (child[l] == 0 || child[l] == '/');
}

int xs_store_init(struct xs_store *s)
{
    static const struct xs_perm root_perm = {0, 0};
    memset(s, 0, sizeof(*s));
    int rc = xs_nodemap_init(&s->map, 1024);
    if (rc)
        return rc;
    s->next_gen = 1;
    struct xs_node *root = xs_node_new("/", 1);
    if (!root || xs_node_set_perms(root, &root_perm, 1)) {
        xs_node_free(root);
        xs_nodemap_free(&s->map);
        return -ENOMEM;
    }
    root->gen = s->next_gen++;
    xs_nodemap_put(&s->map, root);
    return 0;
}

void xs_store_free(struct xs_store *s)
{
    xs_nodemap_free(&s->map);
}

struct xs_node *xs_store_get(struct xs_store *s, const char *path)
{
    return xs_nodemap_get(&s->map, path, strlen(path));
}

size_t xs_node_mem(const struct xs_node *n)
{
    return n->path_len + xs_node_size(n);
}

/* Tells the owner's account about a change of nodes and bytes. */
static void account(struct xs_store *s, const struct xs_node *n, int nodes,
                    long bytes)
{
    if (s->account && n->nperms)
        s->account(s->account_arg, n->perms[0].id, nodes, bytes);
}

struct xs_node *xs_store_create(struct xs_store *s, const char *path,
                                const void *v, uint32_t vlen,
                                const struct xs_perm *p, uint32_t np)
{
    size_t len = strlen(path);
    size_t plen = xs_path_parent_len(path, len);
    struct xs_node *parent = xs_nodemap_get(&s->map, path, plen);
    if (!parent)
        return NULL;
    struct xs_node *n = xs_node_new(path, len);
    if (!n || xs_node_set_value(n, v, vlen) || xs_node_set_perms(n, p, np) ||
        xs_node_add_child(parent, path + xs_path_leaf(path, len))) {
        xs_node_free(n);
        return NULL;
    }
    n->gen = s->next_gen++;
    parent->gen = s->next_gen++;
    xs_nodemap_put(&s->map, n);
    account(s, parent, 0, len - xs_path_leaf(path, len) + 1);
    account(s, n, 1, xs_node_mem(n));
    return n;
}

int xs_store_write(struct xs_store *s, struct xs_node *n, const void *v,
                   uint32_t len)
{
    long before = n->value_len;
    int rc = xs_node_set_value(n, v, len);
    if (!rc) {
        n->gen = s->next_gen++;
        account(s, n, 0, (long)len - before);
    }
    return rc;
}

int xs_store_chmod(struct xs_store *s, struct xs_node *n,
                   const struct xs_perm *p, uint32_t np)
{
    account(s, n, -1, -(long)xs_node_mem(n));
    int rc = xs_node_set_perms(n, p, np);
    account(s, n, 1, xs_node_mem(n));
    if (!rc)
        n->gen = s->next_gen++;
    return rc;
}

/* Builds "<dir>/<name>" into a malloc'd string (NULL if out of memory). */
char *xs_path_join(const char *dir, size_t dlen, const char *name)
{
    size_t nl = strlen(name);
    char *p = malloc(dlen + nl + 2);
    if (!p)
        return NULL;
    if (dlen == 1) /* the root */
        dlen = 0;
    memcpy(p, dir, dlen);
    p[dlen] = '/';
    memcpy(p + dlen + 1, name, nl + 1);
    return p;
}

/* Frees the subtree below n (children first), not n itself. */
static void delete_children(struct xs_store *s, struct xs_node *n)
{
    for (uint32_t off = 0; off < n->children_len;) {
        const char *name = n->children + off;
        off += strlen(name) + 1;
        char *cp = xs_path_join(n->path, n->path_len, name);
        struct xs_node *c = cp ? xs_store_get(s, cp) : NULL;
        free(cp);
        if (!c)
            continue;
        delete_children(s, c);
        account(s, c, -1, -(long)xs_node_mem(c));
        xs_nodemap_del(&s->map, c);
        xs_node_free(c);
    }
}

void xs_store_delete(struct xs_store *s, struct xs_node *n)
{
    size_t plen = xs_path_parent_len(n->path, n->path_len);
    struct xs_node *parent = xs_nodemap_get(&s->map, n->path, plen);
    size_t leaf = xs_path_leaf(n->path, n->path_len);
    if (parent && xs_node_del_child(parent, n->path + leaf)) {
        parent->gen = s->next_gen++;
        account(s, parent, 0, -(long)(n->path_len - leaf + 1));
    }
    delete_children(s, n);
    account(s, n, -1, -(long)xs_node_mem(n));
    xs_nodemap_del(&s->map, n);
    xs_node_free(n);
}

int xs_perm_parse(const char *s, struct xs_perm *p)
{
    switch (s[0]) {
    case 'n':
        p->perms = 0;
        break;
    case 'r':
        p->perms = XS_PERM_R;
        break;
    case 'w':
        p->perms = XS_PERM_W;
        break;
    case 'b':
        p->perms = XS_PERM_R | XS_PERM_W;
        break;
    default:
        return -EINVAL;
    }
    if (s[1] < '0' || s[1] > '9')
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long id = strtoul(s + 1, &end, 10);
    if (*end || errno || id > 0xffff)
        return -EINVAL;
    p->id = id;
    return 0;
}

int xs_perm_format(const struct xs_perm *p, char *buf, size_t len)
{
    static const char letters[] = "nrwb";
    return snprintf(buf, len, "%c%u", letters[p->perms & 3], p->id);
}
