/*
 * vstored: the xenstore daemon. Parses the command line (our long options
 * and the short ones of Xen's xenstored that make sense here), sets up the
 * daemon core and the socket, in a Linux dom0 connects dom0's xenbus ring
 * (xenbus_dom0.c; as xenstored, unless -D), optionally forks, then runs
 * the event loop until SIGTERM/SIGINT.
 */
#include "socket.h"
#include "xenbus_dom0.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vstored [options]\n"
            "  -s, --socket PATH      listen on PATH (default: "
            "$XENSTORED_RUNDIR/socket or /var/run/xenstored/socket)\n"
            "  -N, --foreground, --no-fork   do not detach\n"
            "  -F, --pid-file FILE    write the daemon's pid to FILE\n"
            "  -T, --trace-file FILE  log every request to FILE\n"
            "  -L, --log-file FILE    log events to FILE (default: none)\n"
            "  -q, --quota NAME=VAL   set a quota (see below)\n"
            "  -E/-S/-M/-W/-t/-A/-Q N as xenstored: nodes, node size, path\n"
            "                         length, watches, transactions, perms,\n"
            "                         transaction nodes\n"
            "  --dom0-ring            serve dom0's xenbus ring (Linux dom0:\n"
            "                         /dev/xen/evtchn and /proc/xen/xsd_kva\n"
            "                         or /dev/xen/xenbus_backend); the\n"
            "                         default in a dom0 without --socket\n"
            "  -D, --no-domain-init   socket only, even in a dom0\n"
            "  --no-io-uring          the epoll loop even where io_uring\n"
            "                         works (the default uses io_uring:\n"
            "                         fewer syscalls per request)\n"
            "  -h, --help\n"
            "quotas:\n");
    for (const struct xs_quota_desc *d = xs_quota_descs; d->name; d++)
        fprintf(f, "  %-18s %s\n", d->name, d->help);
}

static const char *default_socket(char *buf, size_t len)
{
    const char *rundir = getenv("XENSTORED_RUNDIR");
    snprintf(buf, len, "%s/socket", rundir ? rundir : "/var/run/xenstored");
    return buf;
}

int main(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"socket", required_argument, 0, 's'},
        {"foreground", no_argument, 0, 'N'},
        {"no-fork", no_argument, 0, 'N'},
        {"pid-file", required_argument, 0, 'F'},
        {"trace-file", required_argument, 0, 'T'},
        {"log-file", required_argument, 0, 'L'},
        {"quota", required_argument, 0, 'q'},
        {"no-domain-init", no_argument, 0, 'D'},
        {"dom0-ring", no_argument, 0, 'R'},
        {"no-io-uring", no_argument, 0, 'U'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct xs_daemon d;
    struct xs_loop loop;
    const char *sock = NULL, *pidfile = NULL, *trace = NULL, *logf = NULL;
    bool foreground = false, no_uring = false;
    enum { RING_AUTO, RING_ON, RING_OFF } dom0_ring = RING_AUTO;
    struct xs_xenbus *xb = NULL;
    char sbuf[4096], qname[2] = {0, 0};
    int opt, rc = 1;

    if (xs_daemon_init(&d)) {
        fprintf(stderr, "vstored: out of memory\n");
        return 1;
    }
    while ((opt = getopt_long(argc, argv, "s:NF:T:L:q:DhE:S:M:W:t:A:Q:P", lopts,
                              NULL)) != -1) {
        switch (opt) {
        case 's':
            sock = optarg;
            break;
        case 'N':
            foreground = true;
            break;
        case 'F':
            pidfile = optarg;
            break;
        case 'T':
            trace = optarg;
            break;
        case 'L':
            logf = optarg;
            break;
        case 'D':
            dom0_ring = RING_OFF;
            break;
        case 'R':
            dom0_ring = RING_ON;
            break;
        case 'U':
            no_uring = true;
            break;
        case 'P':
            break;
        case 'q':
            if (xs_quota_set(&d.q, optarg, NULL)) {
                fprintf(stderr, "vstored: bad quota '%s'\n", optarg);
                goto out_daemon;
            }
            break;
        case 'h':
            usage(stdout);
            rc = 0;
            goto out_daemon;
        default: {
            const struct xs_quota_desc *q = xs_quota_descs;
            while (q->name && q->opt != opt)
                q++;
            qname[0] = opt;
            if (!q->name || xs_quota_set(&d.q, q->name, optarg)) {
                if (q->name)
                    fprintf(stderr, "vstored: bad value for -%s\n", qname);
                usage(stderr);
                goto out_daemon;
            }
        }
        }
    }
    if (optind < argc) {
        usage(stderr);
        goto out_daemon;
    }
    bool own_socket = sock != NULL;
    if (!sock)
        sock = default_socket(sbuf, sizeof(sbuf));
    if (trace || logf) {
        d.log = fopen(trace ? trace : logf, "a");
        if (!d.log) {
            fprintf(stderr, "vstored: %s: %s\n", trace ? trace : logf,
                    strerror(errno));
            goto out_daemon;
        }
        d.tracing = trace != NULL;
    }
    if ((rc = xs_loop_init(&loop, &d)) || (rc = xs_loop_listen(&loop, sock))) {
        fprintf(stderr, "vstored: %s: %s\n", sock, strerror(-rc));
        rc = 1;
        goto out_loop;
    }
    /* As xenstored, the system's daemon serves dom0's ring by itself; one
     * on a socket of its own (a test, a second instance) only if told. */
    if (dom0_ring == RING_ON ||
        (dom0_ring == RING_AUTO && !own_socket && xs_xenbus_present())) {
        char why[256];
        if ((rc = xs_xenbus_open(&d, &xb, why, sizeof(why))) ||
            (rc = xs_loop_add_fd(&loop, xs_xenbus_fd(xb), xs_xenbus_event,
                                 xb))) {
            fprintf(stderr, "vstored: dom0's xenbus: %s\n",
                    xb ? strerror(-rc) : why);
            unlink(sock);
            rc = 1;
            goto out_loop;
        }
    }
    if (!foreground && daemon(0, 0)) {
        perror("vstored: daemon");
        rc = 1;
        goto out_loop;
    }
    if ((rc = xs_loop_signals(&loop))) {
        xs_log(&d, "signalfd: %s", strerror(-rc));
        rc = 1;
        goto out_loop;
    }
    if (xb)
        xs_boot_domains_introduce(&d);
    /* Where a hypervisor can be asked, SET_PERMS owners must be domains. */
    int privfd = xs_hv_open();
    if (privfd >= 0) {
        d.domain_exists = xs_hv_domain_exists;
        d.domain_exists_ctx = &privfd;
    }
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    xs_log(&d, "vstored listening on %s", sock);
    loop.no_uring = no_uring;
    rc = xs_loop_run(&loop) ? 1 : 0;
    if (privfd >= 0)
        close(privfd);
    unlink(sock);
    if (pidfile)
        unlink(pidfile);
out_loop:
    xs_loop_free(&loop);
    xs_xenbus_close(xb);
out_daemon:
    if (d.log)
        fclose(d.log);
    xs_daemon_free(&d);
    return rc;
}
