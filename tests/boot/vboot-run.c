/*
 * Running one boot case: QEMU in its own process group with the serial
 * console on a pipe, every serial line written to the log and matched live
 * against the case's fail and expect regexes, the whole run bounded by the
 * scaled timeout. However the run ends — pass, failure match, timeout, or
 * the harness itself being told to stop — the process group is killed
 * (SIGTERM, then SIGKILL) and reaped before we return, so no QEMU outlives
 * us; PR_SET_PDEATHSIG covers the case where vboot dies without cleaning up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "vboot.h"

#define LINE_CAP     16384 /* longer serial lines are matched in pieces */
#define STDERR_CAP   4096  /* QEMU's own messages kept for the log */
#define KILL_GRACE   2.0   /* seconds between SIGTERM and SIGKILL */
#define FAIL_GRACE   2.0   /* seconds to let a failing guest finish its dump */
#define KVM_FACTOR   0.5   /* KVM runs ring-0 code far faster than TCG */
#define KVM_FLOOR    10.0  /* ...but never scale below this many seconds */
#define POLL_TICK_MS 100

/* Written by the signal handler: wakes poll() and tells us to stop. */
static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t harness_signal;

static void on_signal(int sig)
{
    int saved = errno;
    ssize_t unused;

    harness_signal = sig;
    unused = write(signal_pipe[1], "s", 1);
    (void)unused;
    errno = saved;
}

static int set_flags(int fd, int fd_flags, int fl_flags)
{
    if (fd_flags && fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | fd_flags) < 0)
        return -1;
    if (fl_flags && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | fl_flags) < 0)
        return -1;
    return 0;
}

int vb_run_init(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    struct sigaction sa;

    /* With 0, 1 or 2 closed, a pipe could land there and lose its
     * close-on-exec handling in dup2(): make sure they are taken. */
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            return -1;
    }
    if (pipe(signal_pipe) ||
        set_flags(signal_pipe[0], FD_CLOEXEC, O_NONBLOCK) ||
        set_flags(signal_pipe[1], FD_CLOEXEC, O_NONBLOCK))
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() must return */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        if (sigaction(sigs[i], &sa, NULL))
            return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};

    nanosleep(&ts, NULL);
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) && errno != EEXIST)
        return -1;
    return 0;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a log we cannot write must not stop the run */
        p += w;
        n -= w;
    }
}

static void why(struct vb_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void why(struct vb_result *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->why, sizeof(r->why), fmt, ap);
    va_end(ap);
}

/* Everything one run tracks while QEMU is alive. */
struct run {
    const struct vb_case *c;
    const struct vb_opts *o;
    double t0;
    int log_fd;
    char line[LINE_CAP + 1];
    size_t line_n;
    size_t serial_bytes;
    size_t next_expect;
    double *times; /* per expect: seconds from start to its match */
    int failed;    /* a fail regex matched; fail_why says which */
    char fail_why[400];
    int locked; /* the verdict is decided: later lines are only logged */
    char err[STDERR_CAP];
    size_t err_n;
};

static void match_line(struct run *s)
{
    const struct vb_case *c = s->c;
    char *line = s->line;
    size_t n = s->line_n;

    while (n && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    /* regexec() stops at NUL: a NUL from the guest must not hide the rest. */
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '\0')
            line[i] = '?';
    }
    s->line_n = 0;
    if (s->locked)
        return;
    for (size_t i = 0; i < c->fail.n; i++) {
        if (regexec(&c->fail.v[i].re, line, 0, NULL, 0) == 0) {
            snprintf(s->fail_why, sizeof(s->fail_why),
                     "matched fail /%s/: %.200s", c->fail.v[i].src, line);
            s->failed = 1;
            s->locked = 1;
            return;
        }
    }
    if (s->next_expect < c->expect.n &&
        regexec(&c->expect.v[s->next_expect].re, line, 0, NULL, 0) == 0)
        s->times[s->next_expect++] = now() - s->t0;
}

static void take_serial(struct run *s, const char *p, size_t n)
{
    s->serial_bytes += n;
    write_all(s->log_fd, p, n);
    if (s->o->verbose)
        write_all(STDOUT_FILENO, p, n);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            match_line(s);
            continue;
        }
        s->line[s->line_n++] = p[i];
        if (s->line_n == LINE_CAP)
            match_line(s);
    }
}

static void take_stderr(struct run *s, const char *p, size_t n)
{
    if (n > sizeof(s->err) - s->err_n)
        n = sizeof(s->err) - s->err_n;
    memcpy(s->err + s->err_n, p, n);
    s->err_n += n;
    if (s->o->verbose)
        write_all(STDERR_FILENO, p, n);
}

/* Reads what is there on fd; returns 0 at EOF, 1 otherwise. */
static int pump(struct run *s, int fd, int serial)
{
    char buf[65536];

    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : 0;
        if (n == 0)
            return 0;
        if (serial)
            take_serial(s, buf, n);
        else
            take_stderr(s, buf, n);
        if ((size_t)n < sizeof(buf))
            return 1;
    }
}

/*
 * Takes the rest of a pipe after QEMU is gone. Bounded: something else in
 * QEMU's group could hold the pipe open for a moment after the SIGKILL.
 */
static void drain(struct run *s, int fd, int serial)
{
    double until = now() + 1.0;
    struct pollfd p = {.fd = fd, .events = POLLIN};

    while (pump(s, fd, serial) && now() < until)
        poll(&p, 1, 50);
}

/* The last non-empty line QEMU wrote on stderr, for the failure message. */
static const char *qemu_complaint(struct run *s, char *buf, size_t len)
{
    size_t end = s->err_n, start;

    while (end && (s->err[end - 1] == '\n' || s->err[end - 1] == '\r'))
        end--;
    if (!end)
        return NULL;
    start = end;
    while (start && s->err[start - 1] != '\n')
        start--;
    snprintf(buf, len, "%.*s", (int)(end - start), s->err + start);
    return buf;
}

static void kill_group(pid_t pid, int *status)
{
    double until = now() + KILL_GRACE;

    kill(-pid, SIGTERM);
    while (now() < until) {
        pid_t w = waitpid(pid, status, WNOHANG);

        if (w == pid || (w < 0 && errno == ECHILD))
            goto out;
        sleep_s(0.02);
    }
    kill(-pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
out:
    /* Anything QEMU left behind in its group goes with it. */
    kill(-pid, SIGKILL);
}

static double scaled_timeout(const struct vb_case *c, const char *accel,
                             const struct vb_opts *o)
{
    double t = c->timeout * o->scale;

    if (!strcmp(accel, "kvm")) {
        double floor = t < KVM_FLOOR ? t : KVM_FLOOR;

        t *= KVM_FACTOR;
        if (t < floor)
            t = floor;
    }
    return t;
}

/* argv for QEMU; the caller frees the array (the strings are borrowed). */
static char **qemu_argv(const struct vb_case *c, const struct vb_opts *o,
                        const char *accel, char *mem, char *smp)
{
    size_t max = 40 + c->qemu_args.n, n = 0;
    char **v = calloc(max, sizeof(*v));
    int kvm = !strcmp(accel, "kvm");

    if (!v)
        return NULL;
#define ARG(x) (v[n++] = (char *)(x))
    ARG(o->qemu);
    ARG("-accel");
    ARG(kvm ? "kvm" : "tcg");
    ARG("-cpu");
    ARG(kvm ? "host" : "max");
    ARG("-m");
    ARG(mem);
    ARG("-smp");
    ARG(smp);
    ARG("-display");
    ARG("none");
    ARG("-monitor");
    ARG("none");
    ARG("-serial");
    ARG("stdio");
    ARG("-nic");
    ARG("none");
    ARG("-no-reboot");
    ARG("-device");
    ARG("isa-debug-exit,iobase=0xf4,iosize=0x04");
    ARG("-kernel");
    ARG(c->kernel);
    if (c->append) {
        ARG("-append");
        ARG(c->append);
    }
    if (c->initrd) {
        ARG("-initrd");
        ARG(c->initrd);
    }
    for (size_t i = 0; i < c->qemu_args.n; i++)
        ARG(c->qemu_args.v[i]);
#undef ARG
    v[n] = NULL;
    return v;
}

static void log_command(int fd, char **argv)
{
    write_all(fd, "# vboot:", 8);
    for (char **a = argv; *a; a++) {
        size_t n = strlen(*a);

        write_all(fd, " ", 1);
        /* A 6000-byte command line stays in the log, but shortened. */
        if (n > 200) {
            write_all(fd, *a, 200);
            write_all(fd, "...", 3);
        } else {
            write_all(fd, *a, n);
        }
    }
    write_all(fd, "\n", 1);
}

static void child(char **argv, int out, int err, int status_fd, pid_t parent,
                  const sigset_t *old_mask)
{
    int saved, null_fd;

    /* Our handlers would write to the parent's signal pipe: drop them
     * before anything can arrive (signals are blocked across the fork). */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    setpgid(0, 0);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (getppid() != parent)
        _exit(127); /* vboot died before prctl() took effect */
    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out, 1) < 0 ||
        dup2(err, 2) < 0)
        goto out;
    execvp(argv[0], argv);
out:
    saved = errno;
    if (write(status_fd, &saved, sizeof(saved)) < 0)
        _exit(127);
    _exit(127);
}

void vb_run_case(const struct vb_case *c, const struct vb_opts *o,
                 struct vb_result *r)
{
    const char *accel = c->accel ? c->accel : o->accel;
    struct run *s = NULL;
    char **argv = NULL;
    char mem[16], smp[16], hint[300];
    int out[2] = {-1, -1}, err[2] = {-1, -1}, exec_st[2] = {-1, -1};
    int status = 0, exec_errno = 0, reaped = 0, timed_out = 0, stopped = 0;
    double timeout, deadline, fail_deadline = 0;
    pid_t pid = -1;
    struct pollfd pfd[3];
    ssize_t got;

    memset(r, 0, sizeof(*r));
    r->verdict = VB_FAIL;
    if (c->accel && !strcmp(c->accel, "kvm") &&
        access("/dev/kvm", R_OK | W_OK)) {
        r->verdict = VB_SKIP;
        why(r, "accel=kvm but /dev/kvm is not usable here");
        return;
    }
    if (access(c->kernel, R_OK)) {
        why(r, "kernel %s: %s", c->kernel, strerror(errno));
        return;
    }
    s = calloc(1, sizeof(*s));
    if (s)
        s->times = calloc(c->expect.n + 1, sizeof(*s->times));
    if (!s || !s->times) {
        why(r, "out of memory");
        goto out;
    }
    s->c = c;
    s->o = o;
    s->log_fd = -1;
    snprintf(mem, sizeof(mem), "%u", c->mem_mib);
    snprintf(smp, sizeof(smp), "%u", c->smp);
    argv = qemu_argv(c, o, accel, mem, smp);
    if (!argv) {
        why(r, "out of memory");
        goto out;
    }

    if (mkdir_p(o->log_dir)) {
        why(r, "log dir %s: %s", o->log_dir, strerror(errno));
        goto out;
    }
    snprintf(r->log, sizeof(r->log), "%s/%s.log", o->log_dir, c->name);
    s->log_fd = open(r->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (s->log_fd < 0) {
        why(r, "log %s: %s", r->log, strerror(errno));
        r->log[0] = '\0';
        goto out;
    }
    log_command(s->log_fd, argv);

    if (pipe(out) || pipe(err) || pipe(exec_st) ||
        set_flags(out[0], FD_CLOEXEC, O_NONBLOCK) ||
        set_flags(err[0], FD_CLOEXEC, O_NONBLOCK) ||
        set_flags(out[1], FD_CLOEXEC, 0) || set_flags(err[1], FD_CLOEXEC, 0) ||
        set_flags(exec_st[0], FD_CLOEXEC, 0) ||
        set_flags(exec_st[1], FD_CLOEXEC, 0)) {
        why(r, "pipe: %s", strerror(errno));
        goto out;
    }

    timeout = scaled_timeout(c, accel, o);
    s->t0 = now();
    deadline = s->t0 + timeout;
    {
        pid_t parent = getpid();
        sigset_t all, old_mask;

        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old_mask);
        pid = fork();
        if (pid == 0)
            child(argv, out[1], err[1], exec_st[1], parent, &old_mask);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
    }
    if (pid < 0) {
        why(r, "fork: %s", strerror(errno));
        goto out;
    }
    setpgid(pid, pid); /* both sides do it: no window without a group */
    close(out[1]);
    close(err[1]);
    close(exec_st[1]);
    out[1] = err[1] = exec_st[1] = -1;
    do {
        got = read(exec_st[0], &exec_errno, sizeof(exec_errno));
    } while (got < 0 && errno == EINTR);
    if (got == sizeof(exec_errno)) {
        waitpid(pid, &status, 0);
        pid = -1;
        why(r, "cannot run %s: %s", o->qemu, strerror(exec_errno));
        goto out;
    }

    pfd[0] = (struct pollfd){.fd = out[0], .events = POLLIN};
    pfd[1] = (struct pollfd){.fd = err[0], .events = POLLIN};
    pfd[2] = (struct pollfd){.fd = signal_pipe[0], .events = POLLIN};
    for (;;) {
        double left, t = now();
        int tick = pfd[0].fd < 0 && pfd[1].fd < 0 ? 10 : POLL_TICK_MS;

        if (waitpid(pid, &status, WNOHANG) == pid) {
            reaped = 1;
            break;
        }
        if (harness_signal)
            break;
        if ((o->stop || c->stop) && c->expect.n &&
            s->next_expect == c->expect.n && !s->failed) {
            stopped = 1;
            break;
        }
        if (s->failed) {
            if (!fail_deadline)
                fail_deadline = t + FAIL_GRACE;
            if (t >= fail_deadline)
                break;
        }
        if (t >= deadline) {
            timed_out = !s->failed;
            s->locked = 1;
            break;
        }
        left = (deadline - t) * 1000;
        if (poll(pfd, 3, left < tick ? (int)left + 1 : tick) < 0 &&
            errno != EINTR) {
            why(r, "poll: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd >= 0 && pfd[i].revents && !pump(s, pfd[i].fd, !i))
                pfd[i].fd = -1;
        }
    }
    if (stopped)
        s->locked = 1;
    if (!reaped)
        kill_group(pid, &status);
    else
        kill(-pid, SIGKILL);
    pid = -1;
    /* QEMU is gone: what it wrote is in the pipes, take it all. */
    for (int i = 0; i < 2; i++) {
        if (pfd[i].fd >= 0)
            drain(s, pfd[i].fd, !i);
    }
    if (s->line_n)
        match_line(s);

    r->seconds = now() - s->t0;
    if (harness_signal) {
        r->harness_signal = harness_signal;
        why(r, "interrupted by signal %d", (int)harness_signal);
    } else if (s->failed) {
        why(r, "%s", s->fail_why);
    } else if (stopped || ((o->stop || c->stop) && c->expect.n &&
                           s->next_expect == c->expect.n)) {
        /* --stop: the last expect was the goal, even when QEMU exited
         * on its own before we could stop it. */
        r->verdict = VB_PASS;
    } else if (timed_out && s->next_expect < c->expect.n) {
        why(r, "timeout waiting for /%s/ (%.0f s)",
            c->expect.v[s->next_expect].src, timeout);
    } else if (timed_out) {
        why(r,
            "timeout waiting for QEMU to exit after the last expect "
            "(%.0f s)",
            timeout);
    } else if (!reaped) {
        /* r->why already says what broke the loop. */
    } else if (WIFSIGNALED(status)) {
        const char *q = qemu_complaint(s, hint, sizeof(hint));

        why(r, "QEMU killed by signal %d%s%s", WTERMSIG(status),
            q ? "; qemu: " : "", q ? q : "");
    } else {
        int st = WEXITSTATUS(status);
        const char *q = qemu_complaint(s, hint, sizeof(hint));
        char before[300] = "";

        if (s->next_expect < c->expect.n)
            snprintf(before, sizeof(before), " before /%s/ matched",
                     c->expect.v[s->next_expect].src);
        if (!s->serial_bytes && q && !strstr(q, "warning"))
            why(r,
                "QEMU failed before the guest wrote anything (exit "
                "status %d): %s",
                st, q);
        else if (st != c->exit_status)
            why(r, "exit status %d, expected %d%s%s%s%s", st, c->exit_status,
                st == 0 ? " (0: triple fault or reset under -no-reboot?)" : "",
                before, q ? "; qemu: " : "", q ? q : "");
        else if (*before)
            why(r, "QEMU exited (status %d)%s%s%s", st, before,
                q ? "; qemu: " : "", q ? q : "");
        else
            r->verdict = VB_PASS;
    }

    if (o->times) {
        for (size_t i = 0; i < s->next_expect; i++)
            printf("time %s %zu %.3f /%s/\n", c->name, i, s->times[i],
                   c->expect.v[i].src);
        fflush(stdout);
    }
    if (s->err_n) {
        write_all(s->log_fd, "\n# qemu stderr:\n", 16);
        write_all(s->log_fd, s->err, s->err_n);
    }
    if (r->verdict != VB_PASS) {
        dprintf(s->log_fd, "\n# vboot: FAIL %s: %s\n", c->name, r->why);
    } else if (!o->keep_logs) {
        unlink(r->log);
        r->log[0] = '\0';
    }
out:
    if (pid > 0)
        kill_group(pid, &status);
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (err[i] >= 0)
            close(err[i]);
        if (exec_st[i] >= 0)
            close(exec_st[i]);
    }
    if (s && s->log_fd >= 0)
        close(s->log_fd);
    if (s)
        free(s->times);
    free(s);
    free(argv);
}
