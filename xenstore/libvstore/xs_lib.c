/*
 * libvstore's helpers that need no connection (the xs_lib.c part of
 * libxenstore's API): where the daemon lives, permission strings, path
 * tests and a write loop.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "xs_internal.h"

const char *xs_daemon_rundir(void)
{
    const char *s = getenv("XENSTORED_RUNDIR");
    return s ? s : "/var/run/xenstored";
}

const char *xs_daemon_socket(void)
{
    static char buf[PATH_MAX];
    const char *s = getenv("XENSTORED_PATH");
    if (s)
        return s;
    snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir());
    return buf;
}

/* The separate read-only socket is gone; the same path serves both. */
const char *xs_daemon_socket_ro(void)
{
    return xs_daemon_socket();
}

const char *xs_domain_dev(void)
{
    const char *s = getenv("XENSTORED_PATH");
    if (s)
        return s;
    return access("/dev/xen/xenbus", F_OK) == 0 ? "/dev/xen/xenbus"
                                                : "/proc/xen/xenbus";
}

bool xs_write_all(int fd, const void *data, unsigned int len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data = (const char *)data + n;
        len -= n;
    }
    return true;
}

bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
                         const char *strings)
{
    const char *p = strings;
    for (unsigned int i = 0; i < num; i++, p += strlen(p) + 1) {
        switch (p[0]) {
        case 'n':
            perms[i].perms = XS_PERM_NONE;
            break;
        case 'r':
            perms[i].perms = XS_PERM_READ;
            break;
        case 'w':
            perms[i].perms = XS_PERM_WRITE;
            break;
        case 'b':
            perms[i].perms = XS_PERM_READ | XS_PERM_WRITE;
            break;
        default:
            errno = EINVAL;
            return false;
        }
        char *end;
        unsigned long id = strtoul(p + 1, &end, 10);
        if (p[1] < '0' || p[1] > '9' || *end || id > UINT_MAX) {
            errno = EINVAL;
            return false;
        }
        perms[i].id = id;
    }
    return true;
}

bool xs_perm_to_string(const struct xs_permissions *perm, char *buffer,
                       size_t buf_len)
{
    char letter;
    switch ((int)perm->perms & (XS_PERM_READ | XS_PERM_WRITE)) {
    case XS_PERM_WRITE:
        letter = 'w';
        break;
    case XS_PERM_READ:
        letter = 'r';
        break;
    case XS_PERM_READ | XS_PERM_WRITE:
        letter = 'b';
        break;
    default:
        letter = 'n';
        break;
    }
    int n = snprintf(buffer, buf_len, "%c%u", letter, perm->id);
    if (n < 0 || (size_t)n >= buf_len) {
        errno = E2BIG;
        return false;
    }
    return true;
}

unsigned int xs_count_strings(const char *strings, unsigned int len)
{
    unsigned int n = 0;
    for (const char *p = strings; p < strings + len; p++)
        n += *p == 0;
    return n;
}

bool xs_path_is_subpath(const char *parent, const char *child)
{
    size_t pl = strlen(parent), cl = strlen(child);
    if (cl < pl || memcmp(child, parent, pl) != 0)
        return false;
    return cl == pl || child[pl] == '/' || (pl == 1 && parent[0] == '/');
}
