/*
 * vstore read, write, ls, rm, mkdir: the data commands. write and rm of
 * several paths run in one transaction, retried on EAGAIN.
 */
#include "vstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vs_cmd_read(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 2)
        return vs_usage();
    for (int i = 1; i < argc; i++) {
        unsigned int len;
        char *v = xs_read(h, XBT_NULL, argv[i], &len);
        if (!v)
            return vs_fail("read", argv[i]);
        fwrite(v, 1, len, stdout);
        putchar('\n');
        free(v);
    }
    return 0;
}

/* Runs op over all paths inside one transaction, retried on conflict. */
static int in_transaction(struct xs_handle *h, int n, char **args, int step,
                          bool (*op)(struct xs_handle *, xs_transaction_t,
                                     char **),
                          const char *what)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        xs_transaction_t t = xs_transaction_start(h);
        if (t == XBT_NULL)
            return vs_fail("transaction start", NULL);
        for (int i = 0; i < n; i += step) {
            if (!op(h, t, args + i)) {
                int e = errno;
                xs_transaction_end(h, t, true);
                errno = e;
                return vs_fail(what, args[i]);
            }
        }
        if (xs_transaction_end(h, t, false))
            return 0;
        if (errno != EAGAIN)
            return vs_fail("transaction end", NULL);
    }
    return vs_fail("transaction (too many conflicts)", NULL);
}

static bool write_one(struct xs_handle *h, xs_transaction_t t, char **a)
{
    return xs_write(h, t, a[0], a[1], strlen(a[1]));
}

int vs_cmd_write(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 3 || (argc - 1) % 2)
        return vs_usage();
    return in_transaction(h, argc - 1, argv + 1, 2, write_one, "write");
}

static bool rm_one(struct xs_handle *h, xs_transaction_t t, char **a)
{
    return xs_rm(h, t, a[0]);
}

int vs_cmd_rm(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 2)
        return vs_usage();
    return in_transaction(h, argc - 1, argv + 1, 1, rm_one, "rm");
}

int vs_cmd_mkdir(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 2)
        return vs_usage();
    for (int i = 1; i < argc; i++)
        if (!xs_mkdir(h, XBT_NULL, argv[i]))
            return vs_fail("mkdir", argv[i]);
    return 0;
}

static void print_perms(struct xs_handle *h, const char *path)
{
    unsigned int n;
    struct xs_permissions *p = xs_get_permissions(h, XBT_NULL, path, &n);
    if (!p) {
        printf("  (?)");
        return;
    }
    printf("  (");
    for (unsigned int i = 0; i < n; i++) {
        static const char letters[] = "nrwb";
        printf("%s%c%u", i ? "," : "", letters[p[i].perms & 3], p[i].id);
    }
    printf(")");
    free(p);
}

/* Depth-first, children in the daemon's order; one line per node. */
static int ls_tree(struct xs_handle *h, const char *path, int depth, bool perms)
{
    unsigned int n;
    char **kids = xs_directory(h, XBT_NULL, path, &n);
    if (!kids)
        return vs_fail("ls", path);
    int rc = 0;
    for (unsigned int i = 0; i < n && !rc; i++) {
        size_t l = strlen(path) + strlen(kids[i]) + 2;
        char *child = malloc(l);
        if (!child) {
            rc = vs_fail("ls", path);
            break;
        }
        snprintf(child, l, "%s/%s", strcmp(path, "/") ? path : "", kids[i]);
        unsigned int vlen;
        char *v = xs_read(h, XBT_NULL, child, &vlen);
        printf("%*s%s = \"%s\"", depth, "", kids[i], v ? v : "");
        if (perms)
            print_perms(h, child);
        putchar('\n');
        free(v);
        rc = ls_tree(h, child, depth + 1, perms);
        free(child);
    }
    free(kids);
    return rc;
}

int vs_cmd_ls(struct xs_handle *h, int argc, char **argv)
{
    bool perms = false;
    int opt;
    while ((opt = getopt(argc, argv, "p")) != -1) {
        if (opt != 'p')
            return vs_usage();
        perms = true;
    }
    if (argc - optind > 1)
        return vs_usage();
    return ls_tree(h, optind < argc ? argv[optind] : "/", 0, perms);
}
