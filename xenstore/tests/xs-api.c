/*
 * xs-api: a scripted session through the libxenstore 4.17 C API, compiled
 * against Debian's <xenstore.h> and linked with -lxenstore. The tier runs
 * the same binary twice against vstored: on Debian's libxenstore.so.4 and
 * on libvstore (LD_LIBRARY_PATH), and both transcripts must equal
 * xs-api.expected. The first line names the library in use, and is not
 * part of the comparison.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

static struct xs_handle *h;

static const char *en(int e)
{
    switch (e) {
    case ENOENT:
        return "ENOENT";
    case EACCES:
        return "EACCES";
    case EAGAIN:
        return "EAGAIN";
    case EINVAL:
        return "EINVAL";
    case EEXIST:
        return "EEXIST";
    case E2BIG:
        return "E2BIG";
    case EBUSY:
        return "EBUSY";
    case ENOSPC:
        return "ENOSPC";
    default:
        return "other";
    }
}

static void show_bool(const char *what, bool ok)
{
    if (ok)
        printf("%s: ok\n", what);
    else
        printf("%s: fail %s\n", what, en(errno));
}

static void show_read(xs_transaction_t t, const char *path)
{
    unsigned int len = 0;
    char *v = xs_read(h, t, path, &len);
    if (v)
        printf("read %s: '%s' len %u nul %d\n", path, v, len, v[len] == 0);
    else
        printf("read %s: fail %s\n", path, en(errno));
    free(v);
}

static void show_dir(xs_transaction_t t, const char *path, bool count_only)
{
    unsigned int n = 0;
    char **d = xs_directory(h, t, path, &n);
    if (!d) {
        printf("directory %s: fail %s\n", path, en(errno));
        return;
    }
    printf("directory %s: %u", path, n);
    for (unsigned int i = 0; i < n && !count_only; i++)
        printf(" %s", d[i]);
    if (count_only && n)
        printf(" first %s last %s", d[0], d[n - 1]);
    printf("\n");
    free(d);
}

static void show_perms(const char *path)
{
    unsigned int n = 0;
    struct xs_permissions *p = xs_get_permissions(h, XBT_NULL, path, &n);
    if (!p) {
        printf("perms %s: fail %s\n", path, en(errno));
        return;
    }
    printf("perms %s:", path);
    for (unsigned int i = 0; i < n; i++)
        printf(" %u/%d", p[i].id, (int)p[i].perms);
    printf("\n");
    free(p);
}

static void show_watch(char **v, unsigned int n)
{
    if (!v)
        printf("watch event: none %s\n", en(errno));
    else
        printf("watch event: %s %s (%u)\n", v[XS_WATCH_PATH], v[XS_WATCH_TOKEN],
               n);
    free(v);
}

#define READ_WATCH()                      \
    do {                                  \
        char **v_ = xs_read_watch(h, &n); \
        show_watch(v_, n);                \
    } while (0)

static void *worker(void *arg)
{
    long id = (long)arg;
    char path[64], val[64];
    long bad = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof(path), "/api/thr/%ld/%d", id, i % 10);
        snprintf(val, sizeof(val), "%ld-%d", id, i);
        if (!xs_write(h, XBT_NULL, path, val, strlen(val)))
            bad++;
        unsigned int len;
        char *r = xs_read(h, XBT_NULL, path, &len);
        if (!r || strcmp(r, val))
            bad++;
        free(r);
    }
    return (void *)bad;
}

int main(void)
{
    Dl_info info;
    if (dladdr((void *)xs_open, &info))
        printf("library %s\n", info.dli_fname);
    h = xs_open(0);
    if (!h) {
        printf("xs_open: fail %s\n", en(errno));
        return 1;
    }
    printf("daemon socket from env: %d\n",
           strcmp(xs_daemon_socket(), getenv("XENSTORED_PATH")) == 0);

    /* Data. */
    show_bool("write /api/a", xs_write(h, XBT_NULL, "/api/a", "hello", 5));
    show_read(XBT_NULL, "/api/a");
    show_bool("write binary", xs_write(h, XBT_NULL, "/api/bin", "x\0y", 3));
    show_read(XBT_NULL, "/api/bin");
    show_read(XBT_NULL, "/api/missing");
    show_bool("mkdir /api/dir", xs_mkdir(h, XBT_NULL, "/api/dir"));
    show_dir(XBT_NULL, "/api", false);
    show_bool("rm /api/dir", xs_rm(h, XBT_NULL, "/api/dir"));
    show_bool("rm /none/none", xs_rm(h, XBT_NULL, "/none/none"));
    show_dir(XBT_NULL, "/api", false);
    show_dir(XBT_NULL, "/api/missing", false);
    show_bool("write bad path", xs_write(h, XBT_NULL, "/api//x", "1", 1));

    /* A directory too big for one reply (DIRECTORY_PART). */
    char path[128];
    xs_transaction_t t = xs_transaction_start(h);
    for (int i = 0; i < 400; i++) {
        snprintf(path, sizeof(path), "/api/big/a-rather-long-child-%03d", i);
        xs_write(h, t, path, "", 0);
    }
    show_bool("big commit", xs_transaction_end(h, t, false));
    show_dir(XBT_NULL, "/api/big", true);

    /* Permissions. */
    struct xs_permissions p[2] = {{0, XS_PERM_NONE}, {5, XS_PERM_READ}};
    show_bool("set perms", xs_set_permissions(h, XBT_NULL, "/api/a", p, 2));
    show_perms("/api/a");
    show_perms("/api/missing");
    struct xs_permissions q[3];
    printf("strings_to_perms: %d", xs_strings_to_perms(q, 3, "b3\0n0\0w12"));
    for (int i = 0; i < 3; i++)
        printf(" %u/%d", q[i].id, (int)q[i].perms);
    printf("\nstrings_to_perms bad: %d\n", xs_strings_to_perms(q, 1, "x3"));
    printf("subpath: %d %d %d %d\n", xs_path_is_subpath("/a", "/a/b"),
           xs_path_is_subpath("/a", "/a"), xs_path_is_subpath("/a", "/ab"),
           xs_path_is_subpath("/a/b", "/a"));

    /* Transactions. */
    t = xs_transaction_start(h);
    printf("transaction id nonzero: %d\n", t != XBT_NULL);
    xs_write(h, t, "/api/t", "in-t", 4);
    show_read(t, "/api/t");
    show_read(XBT_NULL, "/api/t");
    show_bool("commit", xs_transaction_end(h, t, false));
    show_read(XBT_NULL, "/api/t");
    t = xs_transaction_start(h);
    show_read(t, "/api/t");
    xs_write(h, XBT_NULL, "/api/t", "outside", 7);
    xs_write(h, t, "/api/t", "inside", 6);
    show_bool("conflicting commit", xs_transaction_end(h, t, false));
    show_read(XBT_NULL, "/api/t");
    t = xs_transaction_start(h);
    xs_write(h, t, "/api/aborted", "x", 1);
    show_bool("abort", xs_transaction_end(h, t, true));
    show_read(XBT_NULL, "/api/aborted");
    show_bool("end dead transaction", xs_transaction_end(h, t, false));

    /* Watches. */
    show_bool("watch", xs_watch(h, "/api/w", "tok"));
    unsigned int n;
    n = 0;
    READ_WATCH();
    show_watch(xs_check_watch(h), 0);
    int fd = xs_fileno(h);
    xs_write(h, XBT_NULL, "/api/w/child", "1", 1);
    struct pollfd pfd = {fd, POLLIN, 0};
    printf("fileno readable: %d\n", poll(&pfd, 1, 5000) == 1);
    show_watch(xs_check_watch(h), 2);
    show_watch(xs_check_watch(h), 0);
    printf("fileno drained: %d\n", poll(&pfd, 1, 0) == 0);
    show_bool("watch duplicate", xs_watch(h, "/api/w", "tok"));
    show_bool("unwatch", xs_unwatch(h, "/api/w", "tok"));
    show_bool("unwatch again", xs_unwatch(h, "/api/w", "tok"));
    show_bool("watch special", xs_watch(h, "@introduceDomain", "intro"));
    n = 0;
    READ_WATCH();

    /* Several threads on one handle while a watch exists. */
    pthread_t th[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    long bad = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    printf("threads: %ld failures\n", bad);

    /* Domains. */
    char *dp = xs_get_domain_path(h, 3);
    printf("domain path: %s\n", dp ? dp : "fail");
    free(dp);
    show_bool("introduce 5", xs_introduce_domain(h, 5, 100, 7));
    n = 0;
    READ_WATCH();
    printf("introduced 5: %d\n", xs_is_domain_introduced(h, 5));
    show_bool("set target 5->0", xs_set_target(h, 5, 0));
    show_bool("set target 8->6", xs_set_target(h, 8, 6));
    show_bool("resume 5", xs_resume_domain(h, 5));
    show_bool("resume 9", xs_resume_domain(h, 9));
    show_bool("release 5", xs_release_domain(h, 5));
    printf("introduced 5: %d\n", xs_is_domain_introduced(h, 5));
    show_bool("release 5 again", xs_release_domain(h, 5));
    printf("restrict: %d\n", xs_restrict(h, 1));
    xs_write(h, XBT_NULL, "/local/domain/4/device/suspend/event-channel", "42",
             2);
    printf("suspend port: %d %d\n", xs_suspend_evtchn_port(4),
           xs_suspend_evtchn_port(77));

    /* CONTROL. */
    char *c = xs_control_command(h, "print", "from-xs-api", 12);
    printf("control print: %s\n", c ? c : en(errno));
    free(c);
    c = xs_control_command(h, "no-such-command", NULL, 0);
    printf("control unknown: %s\n", c ? c : en(errno));
    free(c);

    show_bool("rm /api", xs_rm(h, XBT_NULL, "/api"));
    show_dir(XBT_NULL, "/api", false);
    xs_close(h);
    xs_close(NULL);
    printf("done\n");
    return 0;
}
