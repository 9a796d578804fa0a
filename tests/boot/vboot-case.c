/*
 * A boot case and its keys. The command line (--mem 32) and a table row
 * (mem=32) both come through vb_case_set(), so the two cannot disagree on
 * what a key means or which values it accepts.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vboot.h"

enum {
    KEY_LIST = 1, /* repeatable: each use appends */
};

struct vb_key {
    const char *name;
    unsigned flags;
    int (*set)(struct vb_case *c, const char *value, char *err, size_t len);
};

static int fail(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

void vb_case_init(struct vb_case *c)
{
    memset(c, 0, sizeof(*c));
    c->mem_mib = VB_DEFAULT_MEM_MIB;
    c->smp = VB_DEFAULT_SMP;
    c->timeout = VB_DEFAULT_TIMEOUT;
    c->exit_status = VB_DEFAULT_EXIT;
}

static void patterns_free(struct vb_patterns *p)
{
    for (size_t i = 0; i < p->n; i++) {
        regfree(&p->v[i].re);
        free(p->v[i].src);
    }
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

static void strv_free(struct vb_strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

void vb_case_free(struct vb_case *c)
{
    free(c->name);
    free(c->kernel);
    free(c->append);
    free(c->initrd);
    free(c->accel);
    free(c->xfail);
    free(c->flaky);
    patterns_free(&c->expect);
    patterns_free(&c->fail);
    strv_free(&c->qemu_args);
    vb_case_init(c);
}

static int set_string(char **slot, const char *value, char *err, size_t len)
{
    char *copy = strdup(value);

    if (!copy)
        return fail(err, len, "out of memory");
    free(*slot);
    *slot = copy;
    return 0;
}

static int set_name(struct vb_case *c, const char *v, char *err, size_t len)
{
    size_t n = strlen(v);

    /* The name becomes a file name under the log directory. */
    if (n == 0 || n > VB_NAME_MAX)
        return fail(err, len, "name: must be 1 to %d characters", VB_NAME_MAX);
    if (v[0] == '.' || v[0] == '-')
        return fail(err, len, "name \"%s\": must not start with '.' or '-'", v);
    if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789._-") != n)
        return fail(err, len,
                    "name \"%s\": only letters, digits, '.', "
                    "'_' and '-' are allowed",
                    v);
    return set_string(&c->name, v, err, len);
}

static int set_kernel(struct vb_case *c, const char *v, char *err, size_t len)
{
    if (!*v)
        return fail(err, len, "kernel: empty path");
    return set_string(&c->kernel, v, err, len);
}

static int set_append(struct vb_case *c, const char *v, char *err, size_t len)
{
    return set_string(&c->append, v, err, len);
}

static int set_initrd(struct vb_case *c, const char *v, char *err, size_t len)
{
    if (!*v)
        return fail(err, len, "initrd: empty");
    return set_string(&c->initrd, v, err, len);
}

static int set_accel(struct vb_case *c, const char *v, char *err, size_t len)
{
    if (strcmp(v, "tcg") && strcmp(v, "kvm"))
        return fail(err, len, "accel \"%s\": must be tcg or kvm", v);
    return set_string(&c->accel, v, err, len);
}

static int set_xfail(struct vb_case *c, const char *v, char *err, size_t len)
{
    if (!*v)
        return fail(err, len, "xfail: give the reason the case fails");
    return set_string(&c->xfail, v, err, len);
}

/* flaky=REASON: the case may fail for a cause that is not ours (the
 * matrix allows it on the real-Xen reference rows only); a failure is
 * reported FLAKY and counted as skipped, a pass is a pass. */
static int set_flaky(struct vb_case *c, const char *v, char *err, size_t len)
{
    if (!*v)
        return fail(err, len, "flaky: give the reason the case may fail");
    return set_string(&c->flaky, v, err, len);
}

/* stop=yes: the row passes as soon as its last expect matched, and QEMU is
 * stopped (real Xen halts instead of powering the machine off). */
static int set_stop(struct vb_case *c, const char *v, char *err, size_t len)
{
    if (strcmp(v, "yes") && strcmp(v, "no"))
        return fail(err, len, "stop \"%s\": must be yes or no", v);
    c->stop = !strcmp(v, "yes");
    return 0;
}

/* A whole decimal number in [min, max]; no sign games, no trailing junk. */
static int parse_uint(const char *key, const char *v, unsigned long min,
                      unsigned long max, unsigned long *out, char *err,
                      size_t len)
{
    char *end;
    unsigned long n;

    if (*v < '0' || *v > '9')
        return fail(err, len, "%s \"%s\": not a number", key, v);
    errno = 0;
    n = strtoul(v, &end, 10);
    if (*end)
        return fail(err, len, "%s \"%s\": not a number", key, v);
    if (errno == ERANGE || n < min || n > max)
        return fail(err, len, "%s %s: must be %lu to %lu", key, v, min, max);
    *out = n;
    return 0;
}

static int set_mem(struct vb_case *c, const char *v, char *err, size_t len)
{
    unsigned long n;

    if (parse_uint("mem", v, 1, 1024 * 1024, &n, err, len))
        return -1;
    c->mem_mib = n;
    return 0;
}

static int set_smp(struct vb_case *c, const char *v, char *err, size_t len)
{
    unsigned long n;

    if (parse_uint("smp", v, 1, 288, &n, err, len))
        return -1;
    c->smp = n;
    return 0;
}

static int set_exit(struct vb_case *c, const char *v, char *err, size_t len)
{
    unsigned long n;

    if (parse_uint("exit", v, 0, 255, &n, err, len))
        return -1;
    c->exit_status = n;
    return 0;
}

static int set_timeout(struct vb_case *c, const char *v, char *err, size_t len)
{
    char *end;
    double t;

    if ((*v < '0' || *v > '9') && *v != '.')
        return fail(err, len, "timeout \"%s\": not a number of seconds", v);
    errno = 0;
    t = strtod(v, &end);
    if (*end || errno || !isfinite(t))
        return fail(err, len, "timeout \"%s\": not a number of seconds", v);
    if (t <= 0 || t > 86400)
        return fail(err, len,
                    "timeout %s: must be more than 0 and at most "
                    "86400 seconds",
                    v);
    c->timeout = t;
    return 0;
}

static int add_pattern(struct vb_patterns *p, const char *key, const char *v,
                       char *err, size_t len)
{
    struct vb_pattern *grown;
    char msg[128];
    int rc;

    if (!*v)
        return fail(err, len, "%s: empty regex", key);
    if (p->n >= VB_LIST_MAX)
        return fail(err, len, "%s: more than %d given", key, VB_LIST_MAX);
    grown = realloc(p->v, (p->n + 1) * sizeof(*grown));
    if (!grown)
        return fail(err, len, "out of memory");
    p->v = grown;
    rc = regcomp(&p->v[p->n].re, v, REG_EXTENDED | REG_NOSUB);
    if (rc) {
        regerror(rc, &p->v[p->n].re, msg, sizeof(msg));
        return fail(err, len, "%s /%s/: bad regex: %s", key, v, msg);
    }
    p->v[p->n].src = strdup(v);
    if (!p->v[p->n].src) {
        regfree(&p->v[p->n].re);
        return fail(err, len, "out of memory");
    }
    p->n++;
    return 0;
}

static int set_expect(struct vb_case *c, const char *v, char *err, size_t len)
{
    return add_pattern(&c->expect, "expect", v, err, len);
}

static int set_fail(struct vb_case *c, const char *v, char *err, size_t len)
{
    return add_pattern(&c->fail, "fail", v, err, len);
}

/* qemu="-a b -c": split on blanks; each word is one QEMU argument. */
static int set_qemu(struct vb_case *c, const char *v, char *err, size_t len)
{
    const char *p = v;

    for (;;) {
        char *word;
        size_t n;
        int rc;

        p += strspn(p, " \t");
        if (!*p)
            return 0;
        n = strcspn(p, " \t");
        word = strndup(p, n);
        if (!word)
            return fail(err, len, "out of memory");
        rc = vb_case_add_qemu_arg(c, word, err, len);
        free(word);
        if (rc)
            return -1;
        p += n;
    }
}

int vb_case_add_qemu_arg(struct vb_case *c, const char *arg, char *err,
                         size_t len)
{
    struct vb_strv *s = &c->qemu_args;
    char **grown;

    if (s->n >= VB_LIST_MAX)
        return fail(err, len, "qemu: more than %d arguments", VB_LIST_MAX);
    grown = realloc(s->v, (s->n + 1) * sizeof(*grown));
    if (!grown)
        return fail(err, len, "out of memory");
    s->v = grown;
    s->v[s->n] = strdup(arg);
    if (!s->v[s->n])
        return fail(err, len, "out of memory");
    s->n++;
    return 0;
}

static const struct vb_key keys[] = {
    {"name", 0, set_name},        {"kernel", 0, set_kernel},
    {"append", 0, set_append},    {"initrd", 0, set_initrd},
    {"mem", 0, set_mem},          {"smp", 0, set_smp},
    {"timeout", 0, set_timeout},  {"exit", 0, set_exit},
    {"accel", 0, set_accel},      {"xfail", 0, set_xfail},
    {"flaky", 0, set_flaky},      {"expect", KEY_LIST, set_expect},
    {"fail", KEY_LIST, set_fail}, {"qemu", KEY_LIST, set_qemu},
    {"stop", 0, set_stop},
};

int vb_case_set(struct vb_case *c, const char *key, const char *value,
                char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        unsigned bit = 1u << i;

        if (strcmp(keys[i].name, key))
            continue;
        if (!(keys[i].flags & KEY_LIST) && (c->set & bit))
            return fail(err, errlen, "%s: given twice", key);
        if (strlen(value) > VB_VALUE_MAX)
            return fail(err, errlen, "%s: value longer than %d bytes", key,
                        VB_VALUE_MAX);
        if (keys[i].set(c, value, err, errlen))
            return -1;
        c->set |= bit;
        return 0;
    }
    return fail(err, errlen,
                "unknown key \"%.40s\" (known: name kernel "
                "append initrd mem smp timeout exit accel xfail flaky expect "
                "fail qemu stop)",
                key);
}

int vb_case_check(const struct vb_case *c, char *err, size_t errlen)
{
    if (!c->name)
        return fail(err, errlen, "no name");
    if (!c->kernel)
        return fail(err, errlen, "%s: no kernel given", c->name);
    return 0;
}
