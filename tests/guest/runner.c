/* The test runner: runs every registered case (optionally only those whose
 * name starts with a prefix given as "only=PREFIX" on the command line;
 * "fail=NAME" reports case NAME failed without running it, so that the
 * harness can prove it notices a failure),
 * prints one result line per case and the summary, then shuts the domain
 * down with a reason that tells the harness the outcome: poweroff when
 * every case passed, crash otherwise. */
#include "pvtest.h"

extern const struct pv_case _cases_start[], _cases_end[];

struct pv_jmp pv_runner_jmp;
static const struct pv_case *current;
static char reason[256];

const char *pv_current_case(void)
{
    return current ? current->name : "(boot)";
}

int pv_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(reason, sizeof(reason), "%s:%d: ", file, line);
    if (n < (int)sizeof(reason))
        vsnprintf(reason + n, sizeof(reason) - n, fmt, ap);
    va_end(ap);
    return PV_FAIL;
}

int pv_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return PV_SKIP;
}

void pv_shutdown(unsigned why)
{
    struct sched_shutdown arg = {.reason = why};
    for (;;) {
        long rc = hc_sched_op(SCHEDOP_shutdown, &arg);
        printk("pvtest: SCHEDOP_shutdown returned %ld\n", rc);
    }
}

void pv_panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("pvtest: PANIC while running %s: %s\n", pv_current_case(), buf);
    printk("pvtest: shutdown crash\n");
    pv_shutdown(SHUTDOWN_crash);
}

/* The value of "key=" in the command line, copied into out. */
static int cmdline_get(const char *cmdline, const char *key, char *out,
                       size_t size)
{
    size_t klen = strlen(key);
    for (const char *p = cmdline; p && *p;) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            p += klen + 1;
            size_t n = 0;
            while (p[n] && p[n] != ' ' && n + 1 < size)
                n++;
            memcpy(out, p, n);
            out[n] = '\0';
            return 1;
        }
        while (*p && *p != ' ')
            p++;
    }
    return 0;
}

void run_cases(const char *cmdline)
{
    char only[64] = "", forced[64] = "";
    cmdline_get(cmdline, "only", only, sizeof(only));
    cmdline_get(cmdline, "fail", forced, sizeof(forced));
    unsigned passed = 0, failed = 0, skipped = 0;
    size_t total = (size_t)(_cases_end - _cases_start);
    printk("pvtest: %zu cases%s%s\n", total, only[0] ? ", only " : "", only);

    for (const struct pv_case *c = _cases_start; c < _cases_end; c++) {
        /* Hostile cases (t-hostile.c) and measurements (t-bench.c) run
         * only when asked for by name. */
        int opt_in =
            !strncmp(c->name, "hostile.", 8) || !strncmp(c->name, "bench.", 6);
        if (only[0] ? strncmp(c->name, only, strlen(only)) != 0 : opt_in)
            continue;
        current = c;
        reason[0] = '\0';
        printk("pvtest: RUN  %s\n", c->name);
        /* Every case starts with events masked, like the kernel at boot. */
        pv.vcpu->evtchn_upcall_mask = 1;
        barrier();
        int r;
        if (forced[0] && !strcmp(forced, c->name))
            r = pv_fail(__FILE__, __LINE__, "forced by fail=%s", forced);
        else if (pv_setjmp(&pv_runner_jmp) == 0)
            r = c->fn();
        else
            r = PV_FAIL; /* the trap handler wrote the reason */
        pv.vcpu->evtchn_upcall_mask = 1;
        switch (r) {
        case PV_PASS:
            passed++;
            printk("pvtest: PASS %s\n", c->name);
            break;
        case PV_SKIP:
            skipped++;
            printk("pvtest: SKIP %s: %s\n", c->name, reason);
            break;
        default:
            failed++;
            printk("pvtest: FAIL %s: %s\n", c->name, reason);
        }
    }
    current = NULL;
    printk("pvtest: %u passed, %u failed, %u skipped\n", passed, failed,
           skipped);
    if (failed) {
        printk("pvtest: shutdown crash (failures)\n");
        pv_shutdown(SHUTDOWN_crash);
    }
    printk("pvtest: shutdown poweroff (all passed)\n");
    pv_shutdown(SHUTDOWN_poweroff);
}
