/*
 * vboot: boots a kernel in QEMU and checks its serial console. One case from
 * the command line, or every row of a boot table (--table). This file owns
 * the command line, the table loop and the result lines; vboot-case.c the
 * keys, vboot-table.c the table syntax, vboot-run.c the QEMU process.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vboot.h"

static const char usage[] =
    "usage: vboot [options] --kernel FILE [case options]\n"
    "       vboot [options] --table FILE [--row NAME ...]\n"
    "case options (the table's keys, same meaning):\n"
    "  --name NAME         case name, also the log's name (default: boot)\n"
    "  --kernel FILE       -kernel\n"
    "  --append TEXT       -append (the kernel's command line)\n"
    "  --initrd 'A args,B' -initrd, QEMU's multiboot module syntax\n"
    "  --mem MIB           memory (default 256)\n"
    "  --smp N             vCPUs (default 2)\n"
    "  --timeout S         seconds under TCG (default 60); scaled by the\n"
    "                      accelerator and by $VENEER_TIMEOUT_SCALE\n"
    "  --expect REGEX      repeatable: serial lines that must match, in order\n"
    "  --fail REGEX        repeatable: any matching line is a failure\n"
    "  --exit N            expected QEMU exit status (default 1: pass)\n"
    "  --qemu-arg ARG      repeatable: one extra QEMU argument\n"
    "options:\n"
    "  --accel tcg|kvm     default $VENEER_ACCEL, else tcg\n"
    "  --log-dir DIR       default $VENEER_BUILDDIR/build/boot-logs\n"
    "  --verbose           echo the serial console live\n"
    "  --times             print each expect's time from QEMU start\n"
    "  --keep-logs         keep the logs of passed runs too\n"
    "  --stop              pass and stop QEMU as soon as the last expect\n"
    "                      matched, whatever it would do next (benchmarks)\n"
    "QEMU is $QEMU, else qemu-system-x86_64 from PATH. Exit status: 0 all\n"
    "passed, 1 a failure, 2 bad usage, 77 skipped (one case only).\n";

/* Options that take a value, and the case key each one sets. */
static const struct {
    const char *opt;
    const char *key; /* NULL: not a case key */
} value_opts[] = {
    {"name", "name"},       {"kernel", "kernel"}, {"append", "append"},
    {"initrd", "initrd"},   {"mem", "mem"},       {"smp", "smp"},
    {"timeout", "timeout"}, {"expect", "expect"}, {"fail", "fail"},
    {"exit", "exit"},       {"qemu-arg", NULL},   {"log-dir", NULL},
    {"accel", NULL},        {"table", NULL},      {"row", NULL},
};

struct counts {
    unsigned passed, failed, skipped;
};

/* Prints the case's result line and counts it. */
static void report(const struct vb_case *c, const struct vb_result *r,
                   struct counts *n)
{
    char log[4200] = "";

    if (r->log[0])
        snprintf(log, sizeof(log), " (log: %s)", r->log);
    if (r->verdict == VB_SKIP) {
        printf("SKIP %s: %s\n", c->name, r->why);
        n->skipped++;
    } else if (c->xfail && r->verdict == VB_PASS && !r->harness_signal) {
        printf("XPASS %s (%.1f s): passes but is marked xfail=\"%s\"; "
               "remove the marker\n",
               c->name, r->seconds, c->xfail);
        n->failed++;
    } else if (c->xfail && !r->harness_signal) {
        printf("XFAIL %s: %s [xfail: %s]%s\n", c->name, r->why, c->xfail, log);
        n->skipped++;
    } else if (c->flaky && r->verdict != VB_PASS && !r->harness_signal) {
        printf("FLAKY %s: %s [flaky: %s]%s\n", c->name, r->why, c->flaky, log);
        n->skipped++;
    } else if (r->verdict == VB_PASS) {
        printf("PASS %s (%.1f s)\n", c->name, r->seconds);
        n->passed++;
    } else {
        printf("FAIL %s: %s%s\n", c->name, r->why, log);
        n->failed++;
    }
    fflush(stdout);
}

static int wanted(const char *name, char **row_names, size_t nrow_names)
{
    if (!nrow_names)
        return 1;
    for (size_t i = 0; i < nrow_names; i++) {
        if (!strcmp(row_names[i], name))
            return 1;
    }
    return 0;
}

struct row {
    struct vb_case c;
    unsigned line;
};

/* Reads and parses the whole table; malformed lines are reported here. */
static struct row *load_table(const char *path, char **row_names,
                              size_t nrow_names, size_t *nrows,
                              struct counts *n)
{
    FILE *f = fopen(path, "r");
    struct row *rows = NULL;
    char *line = NULL, err[VB_ERROR_SIZE];
    size_t cap = 0, count = 0;
    ssize_t len;
    unsigned lineno = 0;

    if (!f) {
        fprintf(stderr, "vboot: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        struct vb_case c;
        struct row *grown;
        int rc;

        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        vb_case_init(&c);
        /* With --row, other rows are not even parsed: they may need
         * variables that only the tier sets. */
        if (nrow_names) {
            const char *p = line + strspn(line, " \t");
            char *first = strndup(p, strcspn(p, " \t"));
            int skip = !first || !*first || *first == '#' ||
                       !wanted(first, row_names, nrow_names);

            free(first);
            if (skip)
                continue;
        }
        if (len > VB_LINE_MAX) {
            snprintf(err, sizeof(err), "line longer than %d bytes",
                     VB_LINE_MAX);
            rc = -1;
        } else {
            rc = vb_parse_row(line, len, &c, err, sizeof(err));
        }
        for (size_t i = 0; rc > 0 && i < count; i++) {
            if (!strcmp(rows[i].c.name, c.name)) {
                snprintf(err, sizeof(err),
                         "row name %s already used at "
                         "line %u",
                         c.name, rows[i].line);
                rc = -1;
            }
        }
        if (rc > 0) {
            grown = realloc(rows, (count + 1) * sizeof(*rows));
            if (!grown) {
                snprintf(err, sizeof(err), "out of memory");
                rc = -1;
            } else {
                rows = grown;
                rows[count].c = c;
                rows[count].line = lineno;
                count++;
                continue;
            }
        }
        vb_case_free(&c);
        if (rc < 0) {
            printf("FAIL %s:%u: %s\n", path, lineno, err);
            n->failed++;
        }
    }
    if (ferror(f)) {
        printf("FAIL %s: read error: %s\n", path, strerror(errno));
        n->failed++;
    }
    free(line);
    fclose(f);
    *nrows = count;
    /* An empty table is not a crash; the caller sees count == 0. */
    return rows ? rows : calloc(1, sizeof(*rows));
}

static int run_table(const char *path, char **row_names, size_t nrow_names,
                     const struct vb_opts *o)
{
    struct counts n = {0};
    size_t nrows = 0;
    struct row *rows = load_table(path, row_names, nrow_names, &nrows, &n);
    int sig = 0;

    if (!rows)
        return 2;
    if (!nrows && !n.failed) {
        printf("FAIL %s: no rows\n", path);
        n.failed++;
    }
    for (size_t i = 0; i < nrow_names; i++) {
        int found = 0;

        for (size_t j = 0; j < nrows && !found; j++)
            found = !strcmp(rows[j].c.name, row_names[i]);
        if (!found) {
            printf("FAIL %s: no such row in %s\n", row_names[i], path);
            n.failed++;
        }
    }
    for (size_t i = 0; i < nrows && !sig; i++) {
        struct vb_result r;

        if (!wanted(rows[i].c.name, row_names, nrow_names))
            continue;
        vb_run_case(&rows[i].c, o, &r);
        report(&rows[i].c, &r, &n);
        sig = r.harness_signal;
    }
    printf("%u passed, %u failed", n.passed, n.failed);
    if (n.skipped)
        printf(", %u skipped", n.skipped);
    printf("\n");
    for (size_t i = 0; i < nrows; i++)
        vb_case_free(&rows[i].c);
    free(rows);
    if (sig)
        return 128 + sig;
    return n.failed ? 1 : 0;
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "vboot: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(vboot --help for usage)\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct vb_opts o = {0};
    struct vb_case c;
    char err[VB_ERROR_SIZE], log_dir[4096];
    const char *table = NULL, *env;
    char **row_names = calloc(argc, sizeof(*row_names));
    size_t nrow_names = 0;
    int rc = 2, given = 0;

    vb_case_init(&c);
    if (!row_names)
        return 2;
    env = getenv("QEMU");
    o.qemu = env && *env ? env : "qemu-system-x86_64";
    env = getenv("VENEER_ACCEL");
    o.accel = env && *env ? env : "tcg";
    env = getenv("VENEER_BUILDDIR");
    snprintf(log_dir, sizeof(log_dir), "%s/build/boot-logs",
             env && *env ? env : ".");
    o.log_dir = log_dir;
    o.scale = 1.0;
    env = getenv("VENEER_TIMEOUT_SCALE");
    if (env && *env) {
        char *end;

        o.scale = strtod(env, &end);
        if (*end || !isfinite(o.scale) || o.scale <= 0 || o.scale > 1000) {
            rc = bad_usage("VENEER_TIMEOUT_SCALE=%s: not a positive number",
                           env);
            goto out;
        }
    }

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *value = NULL, *key = NULL;
        size_t k, nopts = sizeof(value_opts) / sizeof(value_opts[0]);
        size_t alen;

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            rc = 0;
            goto out;
        }
        if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
            o.verbose = true;
            continue;
        }
        if (!strcmp(a, "--times")) {
            o.times = true;
            continue;
        }
        if (!strcmp(a, "--stop")) {
            o.stop = true;
            continue;
        }
        if (!strcmp(a, "--keep-logs")) {
            o.keep_logs = true;
            continue;
        }
        if (strncmp(a, "--", 2)) {
            rc = bad_usage("unexpected argument \"%s\"", a);
            goto out;
        }
        alen = strcspn(a + 2, "=");
        for (k = 0; k < nopts; k++) {
            if (strlen(value_opts[k].opt) == alen &&
                !strncmp(a + 2, value_opts[k].opt, alen))
                break;
        }
        if (k == nopts) {
            rc = bad_usage("unknown option \"%s\"", a);
            goto out;
        }
        if (a[2 + alen] == '=') {
            value = a + 3 + alen;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            rc = bad_usage("%s needs a value", a);
            goto out;
        }
        key = value_opts[k].key;
        if (key) {
            if (vb_case_set(&c, key, value, err, sizeof(err))) {
                rc = bad_usage("%s", err);
                goto out;
            }
            given = 1;
        } else if (!strcmp(value_opts[k].opt, "qemu-arg")) {
            if (vb_case_add_qemu_arg(&c, value, err, sizeof(err))) {
                rc = bad_usage("%s", err);
                goto out;
            }
            given = 1;
        } else if (!strcmp(value_opts[k].opt, "log-dir")) {
            o.log_dir = value;
        } else if (!strcmp(value_opts[k].opt, "accel")) {
            o.accel = value;
        } else if (!strcmp(value_opts[k].opt, "table")) {
            table = value;
        } else {
            row_names[nrow_names++] = (char *)value;
        }
    }
    if (strcmp(o.accel, "tcg") && strcmp(o.accel, "kvm")) {
        rc = bad_usage("accelerator \"%s\": must be tcg or kvm", o.accel);
        goto out;
    }
    if (table && given) {
        rc = bad_usage("%s", "case options and --table do not mix: put them "
                             "in the table's rows");
        goto out;
    }
    if (!table && nrow_names) {
        rc = bad_usage("%s", "--row needs --table");
        goto out;
    }
    if (!table && !c.kernel) {
        rc = bad_usage("%s", "nothing to boot: give --kernel or --table");
        goto out;
    }
    if (vb_run_init()) {
        fprintf(stderr, "vboot: signal set-up: %s\n", strerror(errno));
        goto out;
    }

    if (table) {
        rc = run_table(table, row_names, nrow_names, &o);
    } else {
        struct counts n = {0};
        struct vb_result r;

        if (!c.name && vb_case_set(&c, "name", "boot", err, sizeof(err)))
            goto out;
        vb_run_case(&c, &o, &r);
        report(&c, &r, &n);
        rc = r.harness_signal ? 128 + r.harness_signal
             : n.failed       ? 1
             : n.skipped      ? 77
                              : 0;
    }
out:
    vb_case_free(&c);
    free(row_names);
    return rc;
}
