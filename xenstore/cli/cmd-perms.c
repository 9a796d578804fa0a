/*
 * vstore chmod: permission lists, optionally for a whole subtree.
 */
#include "vstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int set_tree(struct xs_handle *h, const char *path,
                    struct xs_permissions *p, unsigned int n, bool recurse)
{
    if (!xs_set_permissions(h, XBT_NULL, path, p, n))
        return vs_fail("chmod", path);
    if (!recurse)
        return 0;
    unsigned int nk;
    char **kids = xs_directory(h, XBT_NULL, path, &nk);
    if (!kids)
        return vs_fail("chmod", path);
    int rc = 0;
    for (unsigned int i = 0; i < nk && !rc; i++) {
        size_t l = strlen(path) + strlen(kids[i]) + 2;
        char *child = malloc(l);
        if (!child) {
            rc = vs_fail("chmod", path);
            break;
        }
        snprintf(child, l, "%s/%s", strcmp(path, "/") ? path : "", kids[i]);
        rc = set_tree(h, child, p, n, true);
        free(child);
    }
    free(kids);
    return rc;
}

int vs_cmd_chmod(struct xs_handle *h, int argc, char **argv)
{
    bool recurse = false;
    int opt;
    while ((opt = getopt(argc, argv, "r")) != -1) {
        if (opt != 'r')
            return vs_usage();
        recurse = true;
    }
    if (argc - optind < 2)
        return vs_usage();
    const char *path = argv[optind];
    unsigned int n = argc - optind - 1;
    struct xs_permissions *p = calloc(n, sizeof(*p));
    if (!p)
        return vs_fail("chmod", path);
    for (unsigned int i = 0; i < n; i++) {
        const char *s = argv[optind + 1 + i];
        if (!xs_strings_to_perms(&p[i], 1, s)) {
            fprintf(stderr, "vstore: chmod: bad permission '%s'\n", s);
            free(p);
            return 2;
        }
    }
    int rc = set_tree(h, path, p, n, recurse);
    free(p);
    return rc;
}
