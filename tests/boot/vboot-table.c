/*
 * The boot table: one case per line,
 *
 *     name key=value key="value with spaces" key=${VAR}/file ...
 *
 * Blank lines and lines whose first non-blank character is '#' are skipped.
 * A value is a run of bare characters and "quoted" parts; inside both, \" \\
 * and \$ are escapes and any other backslash is kept, so that regexes such
 * as "\(debug\)" are written as they are. ${VAR} is replaced by the
 * environment variable VAR (an unset VAR is an error, never silently empty);
 * a '$' not followed by '{' stays, because regexes end with '$'. The result
 * of an expansion is never split or re-expanded.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vboot.h"

/* A growing string bounded by VB_VALUE_MAX. */
struct sb {
    char *s;
    size_t n, cap;
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

static int sb_add(struct sb *b, const char *p, size_t n, char *err, size_t len)
{
    if (n > VB_VALUE_MAX - b->n)
        return fail(err, len, "value longer than %d bytes", VB_VALUE_MAX);
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *s;

        while (cap < b->n + n + 1)
            cap *= 2;
        s = realloc(b->s, cap);
        if (!s)
            return fail(err, len, "out of memory");
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->n, p, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

/*
 * Expands the ${VAR} starting at *pp (which points at '$', with '{' next)
 * and moves *pp past the '}'.
 */
static int expand_var(const char **pp, struct sb *b, char *err, size_t len)
{
    const char *name = *pp + 2;
    size_t n = 0;
    char var[128];
    const char *value;

    while (name[n] == '_' || isalnum((unsigned char)name[n]))
        n++;
    if (name[n] != '}')
        return fail(err, len,
                    "unterminated or bad ${...} (a name is "
                    "letters, digits and '_')");
    if (n == 0 || isdigit((unsigned char)name[0]) || n >= sizeof(var))
        return fail(err, len, "bad variable name in ${%.*s}", (int)n, name);
    memcpy(var, name, n);
    var[n] = '\0';
    value = getenv(var);
    if (!value)
        return fail(err, len, "${%s} is not set in the environment", var);
    *pp = name + n + 1;
    return sb_add(b, value, strlen(value), err, len);
}

/* Is *p an escape (\" \\ \$)? */
static int is_escape(const char *p)
{
    return p[0] == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$');
}

int vb_expand(const char *in, char **out, char *err, size_t errlen)
{
    struct sb b = {0};
    const char *p = in;

    *out = NULL;
    if (sb_add(&b, "", 0, err, errlen))
        return -1;
    while (*p) {
        size_t n = strcspn(p, "$");

        if (sb_add(&b, p, n, err, errlen))
            goto out_fail;
        p += n;
        if (!*p)
            break;
        if (p[1] == '{') {
            if (expand_var(&p, &b, err, errlen))
                goto out_fail;
        } else {
            if (sb_add(&b, "$", 1, err, errlen))
                goto out_fail;
            p++;
        }
    }
    *out = b.s;
    return 0;
out_fail:
    free(b.s);
    return -1;
}

/*
 * Reads one value at *pp up to an unquoted blank or the end of the line,
 * unquoting, unescaping and expanding it into b.
 */
static int read_value(const char **pp, struct sb *b, char *err, size_t len)
{
    const char *p = *pp;
    int quoted = 0;

    b->n = 0;
    if (sb_add(b, "", 0, err, len))
        return -1;
    for (;;) {
        if (!*p) {
            if (quoted)
                return fail(err, len, "unterminated quote");
            break;
        }
        if (!quoted && strchr(" \t\r\n", *p))
            break;
        if (*p == '"') {
            quoted = !quoted;
            p++;
        } else if (is_escape(p)) {
            if (sb_add(b, p + 1, 1, err, len))
                return -1;
            p += 2;
        } else if (p[0] == '$' && p[1] == '{') {
            if (expand_var(&p, b, err, len))
                return -1;
        } else {
            if (sb_add(b, p, 1, err, len))
                return -1;
            p++;
        }
    }
    *pp = p;
    return 0;
}

int vb_parse_row(const char *line, size_t len, struct vb_case *c, char *err,
                 size_t errlen)
{
    char msg[VB_ERROR_SIZE];
    const char *p = line;
    struct sb value = {0};
    char *name = NULL;
    int field = 1, rc = -1;

    if (strlen(line) != len)
        return fail(err, errlen, "NUL byte in the line");
    p += strspn(p, " \t\r\n");
    if (!*p || *p == '#')
        return 0;

    /* The first field is the row's name, a bare word. */
    {
        size_t n = strcspn(p, " \t\r\n");

        name = strndup(p, n);
        if (!name)
            return fail(err, errlen, "out of memory");
        if (strchr(name, '=')) {
            fail(err, errlen,
                 "field 1 \"%.40s\": a row starts with its "
                 "name, then key=value fields",
                 name);
            goto out;
        }
        if (vb_case_set(c, "name", name, msg, sizeof(msg))) {
            fail(err, errlen, "field 1: %s", msg);
            goto out;
        }
        p += n;
    }

    for (;;) {
        const char *start, *eq;
        char key[32];

        p += strspn(p, " \t\r\n");
        if (!*p)
            break;
        field++;
        start = p;
        eq = p + strcspn(p, "= \t\r\n\"");
        if (*eq != '=' || eq == p || (size_t)(eq - p) >= sizeof(key)) {
            fail(err, errlen, "field %d \"%.*s\": expected key=value", field,
                 (int)strcspn(p, " \t\r\n") > 40 ? 40
                                                 : (int)strcspn(p, " \t\r\n"),
                 p);
            goto out;
        }
        memcpy(key, p, eq - p);
        key[eq - p] = '\0';
        p = eq + 1;
        if (read_value(&p, &value, msg, sizeof(msg))) {
            fail(err, errlen, "field %d (%s): %s", field, key, msg);
            goto out;
        }
        if (vb_case_set(c, key, value.s, msg, sizeof(msg))) {
            fail(err, errlen, "field %d \"%.*s\": %s", field,
                 (int)(p - start) > 40 ? 40 : (int)(p - start), start, msg);
            goto out;
        }
    }
    if (vb_case_check(c, msg, sizeof(msg))) {
        fail(err, errlen, "%s", msg);
        goto out;
    }
    rc = 1;
out:
    free(name);
    free(value.s);
    return rc;
}
