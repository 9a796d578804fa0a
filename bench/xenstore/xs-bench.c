/*
 * bench/xenstore: operations per second of vstored on a store of 100k
 * nodes: read, write, directory, watch firing (write + its event back) and
 * transactions (start, write, end), each with 1 and 16 concurrent
 * in-process clients (one connection each), in two ways:
 * - synchronous clients, through libvstore's libxenstore API: a request,
 *   then its reply. The client's own round trip bounds these figures.
 * - pipelined clients (pipeline.c): PIPELINE_DEPTH requests in flight per
 *   connection, speaking the protocol directly, as Linux's xenbus does on
 *   a guest's ring when several kernel threads use it: the daemon is the
 *   bottleneck, so these figures are the daemon's throughput.
 *
 * The anchor, measured in the same run: a trivial echo server on a unix
 * socket, answering each request header with a 3-byte reply — the
 * round-trip floor of the transport on this machine. It runs in a process
 * of its own, as every daemon does: threads of the client's own process
 * would be woken without a switch of address space, which a PV guest pays
 * for with a hypercall and a TLB flush, and the floor would be too low. The
 * ratio column is vstored's rate over the anchor's at the same concurrency (a
 * transaction is three round trips, so its ceiling is about 0.33).
 *
 * The reference mode (issue 3; bench/xenstore-ref runs it inside a Xen
 * 4.17 dom0 through tests/refenv/run): the same client and operations
 * against Debian's C xenstored, already running on XEN_SOCKET, and against
 * VSTORED started here, one after the other in the same run; the ratio
 * column is vstored's ops/s over xenstored's. Never used for pass/fail:
 * figures only.
 *
 * Next to the rates, the daemon's own CPU time per operation: its utime +
 * stime (/proc/PID/stat) over the measurement windows, divided by the
 * operations done in them. In a dom0 under TCG, where every syscall goes
 * through the hypervisor, this is what the daemon itself spends, the thing
 * a faster daemon can cut. In the reference mode xenstored's pid comes from
 * $XS_BENCH_XEN_PID (none: its column is "-"). Figures only as well.
 *
 * usage: xs-bench VSTORED [SECONDS-PER-MEASUREMENT]
 *        xs-bench --reference XEN_SOCKET VSTORED [SECONDS-PER-MEASUREMENT]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "pipeline.h"

#define CLIENTS 16
#define STR_(x) #x
#define STR(x)  STR_(x)

/* The four ways each operation is measured: 1 and 16 clients, each client
 * synchronous (libxenstore: a request, then its reply) or pipelined
 * (PIPELINE_DEPTH requests in flight). */
enum { MODES = 4 };
static const struct mode {
    int clients;
    bool pipelined;
} modes[MODES] = {{1, false}, {CLIENTS, false}, {1, true}, {CLIENTS, true}};

static double seconds = 0.5;
static int nodes = 100000; /* $XS_BENCH_NODES: the store's size */
static volatile int stop;
static pthread_barrier_t barrier;
static char anchor_path[108];
static pid_t daemon_pid = -1; /* whose CPU time the windows measure */
static double cpu_acc;        /* daemon CPU seconds over measure()'s runs */
static long ops_acc;          /* operations done in them */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *op_names[NOPS] = {"read",
                                     "write",
                                     "directory",
                                     "watch fire",
                                     "txn start/write/end",
                                     "anchor round trip"};

struct worker {
    pthread_t th;
    int id;
    enum op op;
    bool pipelined;
    long ops, errors;
};

static int dial(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

static bool full_io(int fd, void *p, size_t n, bool wr)
{
    while (n) {
        ssize_t k = wr ? write(fd, p, n) : read(fd, p, n);
        if (k <= 0)
            return false;
        p = (char *)p + k;
        n -= k;
    }
    return true;
}

/* The anchor server: one thread per connection, echo "OK\0" replies. */
static void *anchor_conn(void *arg)
{
    int fd = (int)(long)arg;
    struct xsd_sockmsg h;
    char buf[XENSTORE_PAYLOAD_MAX];
    while (full_io(fd, &h, sizeof(h), false) && h.len <= sizeof(buf) &&
           full_io(fd, buf, h.len, false)) {
        h.len = 3;
        char out[sizeof(h) + 3];
        memcpy(out, &h, sizeof(h));
        memcpy(out + sizeof(h), "OK", 3);
        if (!full_io(fd, out, sizeof(out), true))
            break;
    }
    close(fd);
    return NULL;
}

static void anchor_server(int lfd)
{
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            _exit(0);
        pthread_t t;
        if (pthread_create(&t, NULL, anchor_conn, (void *)(long)fd))
            close(fd);
        else
            pthread_detach(t);
    }
}

/* Listens on dir/anchor and serves it from a child process; its pid or
 * -1. */
static pid_t start_anchor(const char *dir)
{
    snprintf(anchor_path, sizeof(anchor_path), "%s/anchor", dir);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", anchor_path);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
        listen(lfd, 64)) {
        perror("anchor");
        if (lfd >= 0)
            close(lfd);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the bench */
        anchor_server(lfd);
    }
    if (pid < 0)
        perror("anchor: fork");
    close(lfd);
    return pid;
}

static void stop_anchor(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    unlink(anchor_path);
}

static void anchor_op(struct worker *w, int fd)
{
    char msg[sizeof(struct xsd_sockmsg) + 16];
    struct xsd_sockmsg h = {XS_READ, 0, 0, 16};
    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), "/bench/pop/1/17", 16);
    char reply[sizeof(h) + 3];
    if (full_io(fd, msg, sizeof(msg), true) &&
        full_io(fd, reply, sizeof(reply), false))
        w->ops++;
    else
        w->errors++;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct xs_handle *h = NULL;
    int afd = -1;
    char path[128], val[32];
    unsigned seed = w->id * 7919 + 1;
    if (w->pipelined) {
        pthread_barrier_wait(&barrier);
        if (!pipeline_run(getenv("XENSTORED_PATH"), w->op, w->id, nodes, &seed,
                          &stop, &w->ops, &w->errors) &&
            !stop)
            w->errors++;
        return NULL;
    }
    if (w->op == OP_ANCHOR)
        afd = dial(anchor_path);
    else
        h = xs_open(0);
    if (w->op == OP_WATCH && h) {
        snprintf(path, sizeof(path), "/bench/w/%d", w->id);
        xs_watch(h, path, "t");
        unsigned n;
        free(xs_read_watch(h, &n)); /* the event on registration */
    }
    pthread_barrier_wait(&barrier);
    while (!stop) {
        int i = rand_r(&seed) % nodes;
        switch (w->op) {
        case OP_READ: {
            unsigned len;
            snprintf(path, sizeof(path), "/bench/pop/%d/%d", i / 100, i % 100);
            char *v = xs_read(h, XBT_NULL, path, &len);
            v ? w->ops++ : w->errors++;
            free(v);
            break;
        }
        case OP_WRITE:
            snprintf(path, sizeof(path), "/bench/wr/%d/%d", w->id, i % 100);
            snprintf(val, sizeof(val), "%d", i);
            xs_write(h, XBT_NULL, path, val, strlen(val)) ? w->ops++
                                                          : w->errors++;
            break;
        case OP_DIR: {
            unsigned n;
            snprintf(path, sizeof(path), "/bench/pop/%d", i / 100);
            char **d = xs_directory(h, XBT_NULL, path, &n);
            d &&n == 100 ? w->ops++ : w->errors++;
            free(d);
            break;
        }
        case OP_WATCH: {
            unsigned n;
            snprintf(path, sizeof(path), "/bench/w/%d/x", w->id);
            if (!xs_write(h, XBT_NULL, path, "1", 1)) {
                w->errors++;
                break;
            }
            char **ev = xs_read_watch(h, &n);
            ev ? w->ops++ : w->errors++;
            free(ev);
            break;
        }
        case OP_TXN: {
            xs_transaction_t t = xs_transaction_start(h);
            snprintf(path, sizeof(path), "/bench/tx/%d/%d", w->id, i % 100);
            bool ok = t && xs_write(h, t, path, "v", 1) &&
                      xs_transaction_end(h, t, false);
            ok ? w->ops++ : w->errors++;
            break;
        }
        case OP_ANCHOR:
            anchor_op(w, afd);
            break;
        default:
            break;
        }
    }
    if (h)
        xs_close(h);
    if (afd >= 0)
        close(afd);
    return NULL;
}

/* The daemon's utime + stime in seconds, or -1 (no daemon_pid, gone). */
static double daemon_cpu(void)
{
    if (daemon_pid <= 0)
        return -1;
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)daemon_pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    /* Fields after the command name (which may hold spaces and parens):
     * state is field 3, utime 14, stime 15. */
    char *p = strrchr(buf, ')');
    unsigned long ut, st;
    if (!p ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
               &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/* Runs op in mode m for the measurement time; returns ops/s. */
static double measure_once(enum op op, const struct mode *m, long *errors)
{
    struct worker w[CLIENTS];
    int n = m->clients;
    stop = 0;
    pthread_barrier_init(&barrier, NULL, n + 1);
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){.id = i, .op = op, .pipelined = m->pipelined};
        pthread_create(&w[i].th, NULL, worker_main, &w[i]);
    }
    pthread_barrier_wait(&barrier);
    double c0 = daemon_cpu();
    double t0 = now();
    struct timespec d = {(time_t)seconds,
                         (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&d, NULL);
    stop = 1;
    long ops = 0;
    *errors = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(w[i].th, NULL);
        ops += w[i].ops;
        *errors += w[i].errors;
    }
    double t = now() - t0;
    double c1 = daemon_cpu();
    if (c0 >= 0 && c1 >= 0 && cpu_acc >= 0) {
        cpu_acc += c1 - c0;
        ops_acc += ops;
    } else {
        cpu_acc = -1;
    }
    pthread_barrier_destroy(&barrier);
    return ops / t;
}

/* The median of three runs: the machine is shared, single runs are noisy.
 * *cpu_us: the daemon's CPU microseconds per operation over all three
 * (-1: not known). */
static double measure(enum op op, const struct mode *m, long *errors,
                      double *cpu_us)
{
    double r[3], t;
    long e;
    *errors = 0;
    cpu_acc = 0;
    ops_acc = 0;
    for (int i = 0; i < 3; i++) {
        r[i] = measure_once(op, m, &e);
        *errors += e;
    }
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (r[j] < r[i]) {
                t = r[i];
                r[i] = r[j];
                r[j] = t;
            }
    *cpu_us = cpu_acc >= 0 && ops_acc > 0 ? cpu_acc * 1e6 / ops_acc : -1;
    return r[1];
}

/* The anchor at 1 and 16 synchronous clients into r[OP_ANCHOR]. */
static void measure_anchor(pid_t anchor, double r[NOPS][MODES],
                           double cpu[NOPS][MODES])
{
    long err;
    daemon_pid = anchor;
    for (int m = 0; m < 2; m++)
        r[OP_ANCHOR][m] =
            measure(OP_ANCHOR, &modes[m], &err, &cpu[OP_ANCHOR][m]);
}

/* Fills the store behind $XENSTORED_PATH: 100k nodes, and each client's
 * own nodes. Returns -1 when the daemon refuses (the reason printed). */
static int populate(void)
{
    struct xs_handle *h = xs_open(0);
    if (!h) {
        perror("xs_open");
        return -1;
    }
    char path[64];
    double c0 = daemon_cpu();
    double t0 = now();
    long failed = 0;
    for (int base = 0; base < nodes; base += 1000) {
        xs_transaction_t t;
        bool ok;
        do {
            ok = true;
            t = xs_transaction_start(h);
            for (int i = base; i < base + 1000 && t; i++) {
                snprintf(path, sizeof(path), "/bench/pop/%d/%d", i / 100,
                         i % 100);
                ok = xs_write(h, t, path, "value", 5) && ok;
            }
        } while (t && !xs_transaction_end(h, t, false) && errno == EAGAIN);
        if (!t || !ok)
            failed++;
        if ((base + 1000) % (nodes / 10 > 1000 ? nodes / 10 : 1000) == 0)
            printf("  %d nodes written, %.1f s\n", base + 1000, now() - t0);
    }
    /* Each client's own nodes exist before the clock starts, so that
     * concurrent transactions never conflict on a shared parent. */
    for (int c = 0; c < CLIENTS; c++) {
        for (int k = 0; k < 100; k++) {
            snprintf(path, sizeof(path), "/bench/tx/%d/%d", c, k);
            xs_write(h, XBT_NULL, path, "v", 1);
            snprintf(path, sizeof(path), "/bench/wr/%d/%d", c, k);
            xs_write(h, XBT_NULL, path, "v", 1);
        }
        snprintf(path, sizeof(path), "/bench/w/%d/x", c);
        xs_write(h, XBT_NULL, path, "v", 1);
    }
    unsigned n = 0;
    char last[32];
    snprintf(last, sizeof(last), "/bench/pop/%d", nodes / 100 - 1);
    free(xs_directory(h, XBT_NULL, last, &n));
    xs_close(h);
    if (failed || n != 100) {
        fprintf(stderr,
                "populate: %ld of %d transactions failed, %s has %u "
                "children\n",
                failed, nodes / 1000, last, n);
        return -1;
    }
    double c1 = daemon_cpu();
    printf("store populated: %d nodes in %.2f s (transactions of 1000 "
           "writes)",
           nodes, now() - t0);
    if (c0 >= 0 && c1 >= 0)
        printf(", daemon CPU %.2f s", c1 - c0);
    printf("\n");
    return 0;
}

struct daemon {
    char sock[128];
    pid_t pid;
};

/* Starts VSTORED on dir/socket; 0 once its socket is there (and its CPU
 * time is the one measured from then on). */
static int start_vstored(const char *bin, const char *dir, struct daemon *v)
{
    struct stat st;
    snprintf(v->sock, sizeof(v->sock), "%s/socket", dir);
    v->pid = fork();
    if (v->pid < 0)
        return -1;
    if (v->pid == 0) {
        /* -D: socket only, even in a dom0 whose xenbus another daemon
         * serves (the reference mode). */
        execl(bin, bin, "-D", "--socket", v->sock, "--foreground",
              (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 250 && stat(v->sock, &st) != 0; i++)
        usleep(20000);
    if (stat(v->sock, &st) != 0) {
        fprintf(stderr, "%s made no socket %s in 5 s\n", bin, v->sock);
        return -1;
    }
    daemon_pid = v->pid; /* --foreground: the daemon is this child */
    return 0;
}

static void stop_vstored(struct daemon *v)
{
    if (v->pid > 0) {
        kill(v->pid, SIGTERM);
        waitpid(v->pid, NULL, 0);
    }
    unlink(v->sock);
}

/* Every operation in every mode against the daemon on sock. */
static int measure_all(const char *sock, double r[NOPS][MODES], long errs[NOPS],
                       double cpu[NOPS][MODES])
{
    long err;
    setenv("XENSTORED_PATH", sock, 1);
    if (populate())
        return -1;
    for (enum op op = 0; op < OP_ANCHOR; op++) {
        errs[op] = 0;
        for (int m = 0; m < MODES; m++) {
            r[op][m] = measure(op, &modes[m], &err, &cpu[op][m]);
            errs[op] += err;
        }
    }
    return 0;
}

static void cpu_cell(double us)
{
    us >= 0 ? printf(" %10.1f", us) : printf(" %10s", "-");
}

static const char *mode_title(int first)
{
    return modes[first].pipelined
               ? "pipelined clients, each with " STR(
                     PIPELINE_DEPTH) " requests in flight (raw protocol)"
               : "synchronous clients (libxenstore API: a request, then its "
                 "reply)";
}

/* Two daemons side by side for the modes first and first + 1, ops/s or
 * CPU us per operation, with the ratio a/b (b/a when cpu: above 1, the
 * second daemon spends less). */
static void print_pair(const char *what, int first, double a[NOPS][MODES],
                       double b[NOPS][MODES], bool cpu)
{
    printf("\n%s, %s\n", what, mode_title(first));
    printf("%-20s %10s %10s %6s %10s %10s %6s\n", "operation", "xen 1c",
           "vstored 1c", "ratio", "xen 16c", "vstored16c", "ratio");
    for (enum op op = 0; op < OP_ANCHOR; op++) {
        printf("%-20s", op_names[op]);
        for (int m = first; m < first + 2; m++) {
            if (cpu) {
                cpu_cell(a[op][m]);
                cpu_cell(b[op][m]);
            } else {
                printf(" %10.0f %10.0f", a[op][m], b[op][m]);
            }
            double ratio = cpu ? a[op][m] / b[op][m] : b[op][m] / a[op][m];
            a[op][m] > 0 && b[op][m] > 0 ? printf(" %6.2f", ratio)
                                         : printf(" %6s", "-");
        }
        printf("\n");
    }
}

static void print_cpu_note(void)
{
    printf("\ndaemon CPU time per operation, us: utime+stime from "
           "/proc/PID/stat over the\nwindows / operations done (clock tick "
           "%ld/s); ratio = xenstored / vstored (above 1:\nvstored spends "
           "less)\n",
           sysconf(_SC_CLK_TCK));
}

static int reference_mode(const char *xen_sock, const char *vstored,
                          const char *dir, pid_t anchor)
{
    static double x[NOPS][MODES], v[NOPS][MODES], xc[NOPS][MODES],
        vc[NOPS][MODES];
    long xe[NOPS], ve[NOPS];
    struct daemon d = {.pid = -1};
    const char *env = getenv("XS_BENCH_XEN_PID");
    daemon_pid = env ? atoi(env) : -1;
    printf("Debian's C xenstored (%s, pid %d):\n", xen_sock, (int)daemon_pid);
    if (measure_all(xen_sock, x, xe, xc))
        return 1;
    printf("vstored (%s):\n", vstored);
    if (start_vstored(vstored, dir, &d) || measure_all(d.sock, v, ve, vc)) {
        stop_vstored(&d);
        return 1;
    }
    stop_vstored(&d);
    measure_anchor(anchor, v, vc);
    printf("\nreference mode: the same client against Debian's C xenstored "
           "and vstored,\nmedian of 3 runs of %.1f s, %d-node store; ratio "
           "= vstored / xenstored\n",
           seconds, nodes);
    print_pair("ops/s", 0, x, v, false);
    /* What a server doing no work at all reaches with the same synchronous
     * clients, over the same socket, in the same dom0: the transport's part
     * of every figure above. (One thread per connection and blocking I/O,
     * two system calls per round trip: a daemon with a cheaper loop can
     * pass it, but not by much.) */
    printf("anchor: an echo server (no work: the synchronous client's "
           "round-trip floor)\nanswers %.0f round trips/s at 1 client, %.0f "
           "at 16; over xenstored's rate, that\nis write %.2f/%.2f, "
           "txn start/write/end (3 round trips) %.2f/%.2f\n",
           v[OP_ANCHOR][0], v[OP_ANCHOR][1], v[OP_ANCHOR][0] / x[OP_WRITE][0],
           v[OP_ANCHOR][1] / x[OP_WRITE][1], v[OP_ANCHOR][0] / 3 / x[OP_TXN][0],
           v[OP_ANCHOR][1] / 3 / x[OP_TXN][1]);
    /* Its CPU per round trip is what the kernel charges any daemon for a
     * request and its reply; a daemon's figure above it is its own work.
     * Set against the time per request that 5x xenstored's synchronous
     * write rate would leave, it says whether that rate is reachable. */
    printf("its CPU per round trip: %.1f us at 1 client, %.1f at 16 (the "
           "transport's share\nof every daemon's CPU figure below); 5x "
           "xenstored's synchronous writes at 1\nclient would leave %.1f us "
           "per request for client, transport and daemon together\n",
           vc[OP_ANCHOR][0], vc[OP_ANCHOR][1],
           x[OP_WRITE][0] > 0 ? 1e6 / (5 * x[OP_WRITE][0]) : 0.0);
    print_pair("ops/s", 2, x, v, false);
    printf("errors (xenstored/vstored):");
    for (enum op op = 0; op < OP_ANCHOR; op++)
        printf(" %s %ld/%ld%s", op_names[op], xe[op], ve[op],
               op + 1 < OP_ANCHOR ? "," : "\n");
    print_cpu_note();
    print_pair("daemon CPU us/op", 0, xc, vc, true);
    print_pair("daemon CPU us/op", 2, xc, vc, true);
    return 0;
}

int main(int argc, char **argv)
{
    const char *xen_sock = NULL;
    if (argc > 1 && !strcmp(argv[1], "--reference")) {
        if (argc < 4) {
            fprintf(stderr, "usage: xs-bench --reference XEN_SOCKET VSTORED "
                            "[SECONDS]\n");
            return 2;
        }
        xen_sock = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: xs-bench VSTORED [SECONDS]\n"
                        "       xs-bench --reference XEN_SOCKET VSTORED "
                        "[SECONDS]\n");
        return 2;
    }
    if (argc > 2)
        seconds = atof(argv[2]);
    if (seconds <= 0 || seconds > 60)
        seconds = 0.5;
    const char *env = getenv("XS_BENCH_NODES");
    if (env && (nodes = atoi(env)) < 1000)
        nodes = 1000;
    nodes -= nodes % 1000;
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress reaches a pipe at once */
    char dir[] = "/tmp/xs-bench.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    pid_t anchor = start_anchor(dir);
    if (anchor < 0) {
        unlink(anchor_path);
        rmdir(dir);
        return 1;
    }
    if (xen_sock) {
        int rc = reference_mode(xen_sock, argv[1], dir, anchor);
        stop_anchor(anchor);
        rmdir(dir);
        return rc;
    }
    int rc = 1;
    struct daemon d = {.pid = -1};
    static double r[NOPS][MODES], cpu[NOPS][MODES];
    long errs[NOPS];
    if (start_vstored(argv[1], dir, &d) || measure_all(d.sock, r, errs, cpu))
        goto out;
    measure_anchor(anchor, r, cpu);
    errs[OP_ANCHOR] = 0;
    printf("\nvstored, local mode, median of 3 runs of %.1f s, %d-node "
           "store, ops/s\n%s\n",
           seconds, nodes, mode_title(0));
    printf("%-22s %12s %8s %12s %8s %7s\n", "operation", "1 client", "ratio",
           "16 clients", "ratio", "errors");
    for (enum op op = 0; op < NOPS; op++)
        printf("%-22s %12.0f %8.2f %12.0f %8.2f %7ld\n", op_names[op], r[op][0],
               r[op][0] / r[OP_ANCHOR][0], r[op][1], r[op][1] / r[OP_ANCHOR][1],
               errs[op]);
    printf("ratio: ops/s over the anchor's round trips/s at the same "
           "concurrency (1.00 = as fast as an echo server)\n");
    printf("\n%s\n%-22s %12s %12s\n", mode_title(2), "operation", "1 client",
           "16 clients");
    for (enum op op = 0; op < OP_ANCHOR; op++)
        printf("%-22s %12.0f %12.0f\n", op_names[op], r[op][2], r[op][3]);
    printf("reference mode (Debian's C xenstored in a Xen 4.17 dom0, the "
           "ratio to it): make bench-xenstore-ref\n");
    printf("\ndaemon CPU time per operation, us (utime+stime from "
           "/proc/PID/stat; clock tick %ld/s)\n%-20s %10s %10s %10s %10s\n",
           sysconf(_SC_CLK_TCK), "operation", "sync 1c", "sync 16c", "piped 1c",
           "piped 16c");
    for (enum op op = 0; op < OP_ANCHOR; op++) {
        printf("%-20s", op_names[op]);
        for (int m = 0; m < MODES; m++)
            cpu_cell(cpu[op][m]);
        printf("\n");
    }
    printf("%-20s", "anchor round trip");
    cpu_cell(cpu[OP_ANCHOR][0]);
    cpu_cell(cpu[OP_ANCHOR][1]);
    printf(" (the transport's share of each figure)\n");
    rc = 0;
out:
    stop_vstored(&d);
    stop_anchor(anchor);
    rmdir(dir);
    return rc;
}
