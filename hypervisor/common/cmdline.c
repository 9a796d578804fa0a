/*
 * The hypervisor command line. Every option is one row of opt_table (name,
 * parser, where its value goes); cmdline_parse() only splits words and
 * looks them up. Nothing here can fail the boot: each bad word is reported
 * through the caller's callback with the option's name and why, and the
 * rest of the line is still parsed.
 */
#include <veneer/cmdline.h>
#include <veneer/errno.h>
#include <veneer/lib.h>

/* A value parser: stores into dst and returns NULL, or returns why not. */
typedef const char *(*opt_parse_fn)(const char *val, size_t len, void *dst);

struct opt {
    const char *name;
    opt_parse_fn parse;
    size_t offset;    /* of the field in struct hv_options */
    bool needs_value; /* "name" alone is an error ("name=" always is) */
};

/* The word val[0..len) equals the NUL-terminated word w. */
static bool word_is(const char *val, size_t len, const char *w)
{
    return strlen(w) == len && !memcmp(val, w, len);
}

static const char *parse_bool(const char *val, size_t len, void *dst)
{
    static const char *const yes[] = {"1", "yes", "on", "true"};
    static const char *const no[] = {"0", "no", "off", "false"};

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (word_is(val, len, yes[i])) {
            *(bool *)dst = true;
            return NULL;
        }
        if (word_is(val, len, no[i])) {
            *(bool *)dst = false;
            return NULL;
        }
    }
    return "not a boolean (use 0/1, yes/no, on/off or true/false)";
}

static const char *const loglvl_names[] = {
    [LOG_NONE] = "none", [LOG_ERR] = "err",     [LOG_WARN] = "warn",
    [LOG_INFO] = "info", [LOG_DEBUG] = "debug", [LOG_ALL] = "all",
};

static const char *parse_loglvl(const char *val, size_t len, void *dst)
{
    for (size_t i = 0; i < ARRAY_SIZE(loglvl_names); i++) {
        if (word_is(val, len, loglvl_names[i])) {
            *(enum loglvl *)dst = (enum loglvl)i;
            return NULL;
        }
    }
    if (len == 1 && val[0] >= '0' && val[0] <= '0' + LOG_ALL) {
        *(enum loglvl *)dst = (enum loglvl)(val[0] - '0');
        return NULL;
    }
    return "not a log level (none, err, warn, info, debug, all or 0-5)";
}

static const char *parse_console(const char *val, size_t len, void *dst)
{
    if (word_is(val, len, "com1"))
        *(enum console_kind *)dst = CONSOLE_COM1;
    else if (word_is(val, len, "none"))
        *(enum console_kind *)dst = CONSOLE_NONE;
    else
        return "not a console (com1 or none)";
    return NULL;
}

static const char *parse_crash(const char *val, size_t len, void *dst)
{
    static const char *const names[] = {[CRASH_NONE] = "none",
                                        [CRASH_UD] = "ud",
                                        [CRASH_PF] = "pf",
                                        [CRASH_GP] = "gp"};

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (word_is(val, len, names[i])) {
            *(enum crash_kind *)dst = (enum crash_kind)i;
            return NULL;
        }
    }
    return "not a fault to raise (none, ud, pf or gp)";
}

static const char *parse_smap(const char *val, size_t len, void *dst)
{
    bool b;

    if (word_is(val, len, "auto")) {
        *(enum smap_mode *)dst = SMAP_AUTO;
        return NULL;
    }
    if (parse_bool(val, len, &b))
        return "not a SMAP setting (auto, or on/off, 1/0, yes/no, "
               "true/false)";
    *(enum smap_mode *)dst = b ? SMAP_ON : SMAP_OFF;
    return NULL;
}

/* A size in bytes, with an optional K/M/G suffix; whole pages only. */
static const char *parse_size(const char *val, size_t len, void *dst)
{
    uint64_t v;
    int rc = parse_u64(val, len, true, &v);

    if (rc == -ERANGE)
        return "size too large";
    if (rc)
        return "not a size (a number with an optional K, M or G suffix)";
    if (v & (PAGE_SIZE - 1))
        return "size is not a multiple of 4K";
    *(uint64_t *)dst = v;
    return NULL;
}

/* A vCPU count, as Xen's dom0_max_vcpus= (a plain number here). */
static const char *parse_vcpus(const char *val, size_t len, void *dst)
{
    uint64_t v;

    if (parse_u64(val, len, false, &v) || v < 1 || v > CMDLINE_MAX_VCPUS)
        return "not a number of vCPUs from 1 to 8";
    *(unsigned int *)dst = (unsigned int)v;
    return NULL;
}

/* maxcpus=: how many pCPUs to bring up, the boot CPU included. */
static const char *parse_cpus(const char *val, size_t len, void *dst)
{
    uint64_t v;

    if (parse_u64(val, len, false, &v) || v < 1 || v > CMDLINE_MAX_CPUS)
        return "not a number of CPUs from 1 to 8";
    *(unsigned int *)dst = (unsigned int)v;
    return NULL;
}

/* smp_test_no_sipi=: an APIC ID (1 to 254; the boot CPU's would be
 * skipped anyway), kept as ID + 1 so that 0 means "none". */
static const char *parse_apic_id(const char *val, size_t len, void *dst)
{
    uint64_t v;

    if (parse_u64(val, len, false, &v) || v < 1 || v > 254)
        return "not an APIC ID from 1 to 254";
    *(unsigned int *)dst = (unsigned int)v + 1;
    return NULL;
}

/* sched_dump=: seconds between scheduler dumps, 1 to 3600. */
static const char *parse_seconds(const char *val, size_t len, void *dst)
{
    uint64_t v;

    if (parse_u64(val, len, false, &v) || v < 1 || v > 3600)
        return "not a number of seconds from 1 to 3600";
    *(unsigned int *)dst = (unsigned int)v;
    return NULL;
}

/* The messages below spell these limits out. */
_Static_assert(CMDLINE_MAX == 1024 && CMDLINE_MAX_WORD == 128 &&
                   CMDLINE_MAX_VCPUS == 8 && CMDLINE_MAX_CPUS == 8,
               "update the cmdline messages");

#define OPT(n, p, field, v)                         \
    {                                               \
        n, p, offsetof(struct hv_options, field), v \
    }

static const struct opt opt_table[] = {
    OPT("loglvl", parse_loglvl, loglvl, true),
    OPT("console", parse_console, console, true),
    OPT("selftest", parse_bool, selftest, false),
    OPT("hypercall_trace", parse_bool, hypercall_trace, false),
    OPT("dom0_mem", parse_size, dom0_mem, true),
    OPT("domU_mem", parse_size, domU_mem, true),
    OPT("crash", parse_crash, crash, true),
    OPT("dom0_max_vcpus", parse_vcpus, dom0_max_vcpus, true),
    OPT("domU_max_vcpus", parse_vcpus, domU_max_vcpus, true),
    OPT("maxcpus", parse_cpus, max_cpus, true),
    OPT("nosmp", parse_bool, nosmp, false),
    OPT("domU_xenstore", parse_bool, domU_xenstore, false),
    OPT("smp_sched", parse_bool, smp_sched, false),
    OPT("sched_dump", parse_seconds, sched_dump, true),
    OPT("dump_at_exit", parse_bool, dump_at_exit, false),
    OPT("smp_test_no_sipi", parse_apic_id, smp_test_no_sipi, true),
    OPT("smap", parse_smap, smap, true),
};

void cmdline_defaults(struct hv_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->loglvl = LOG_INFO;
    opt->console = CONSOLE_COM1;
    opt->selftest = false;
    opt->hypercall_trace = false;
    opt->dom0_mem = 0;
    opt->smp_sched = true; /* smp_sched=0: every vCPU on pCPU 0 */
}

const char *loglvl_name(enum loglvl lvl)
{
    if ((unsigned int)lvl < ARRAY_SIZE(loglvl_names))
        return loglvl_names[lvl];
    return "?";
}

struct parser {
    struct hv_options *opt;
    cmdline_warn_fn warn;
    void *ctx;
    int problems;
};

static void problem(struct parser *p, const char *option, const char *why)
{
    p->problems++;
    if (p->warn)
        p->warn(p->ctx, option, why);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Option names are identifiers; a path has a '/' or a '.' in its name. */
static bool looks_like_path(const char *w, size_t len)
{
    bool sep = false;

    for (size_t i = 0; i < len; i++) {
        if (w[i] == '=')
            return false;
        if (w[i] == '/' || w[i] == '.')
            sep = true;
    }
    return sep;
}

static void parse_word(struct parser *p, const char *w, size_t len)
{
    char name[CMDLINE_MAX_WORD + 1];
    const char *eq = NULL;
    size_t name_len;

    for (size_t i = 0; i < len && !eq; i++) {
        if (w[i] == '=')
            eq = w + i;
    }
    name_len = eq ? (size_t)(eq - w) : len;
    /* The name is copied so that the callback gets a terminated string;
     * a word too long to take is still named (cut) in the report. */
    memcpy(name, w, MIN(name_len, sizeof(name) - 1));
    name[MIN(name_len, sizeof(name) - 1)] = '\0';
    if (len > CMDLINE_MAX_WORD) {
        problem(p, name, "word longer than 128 bytes, ignored");
        return;
    }
    if (name_len == 0) {
        problem(p, "", "option without a name");
        return;
    }

    for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++) {
        const struct opt *o = &opt_table[i];
        void *dst = (char *)p->opt + o->offset;
        const char *why;

        if (!word_is(w, name_len, o->name))
            continue;
        if (!eq && o->needs_value)
            why = "needs a value (name=value)";
        else if (!eq) /* a bare boolean means "on" */
            why = o->parse("1", 1, dst);
        else if (eq + 1 == w + len)
            why = "empty value";
        else
            why = o->parse(eq + 1, len - name_len - 1, dst);
        if (why)
            problem(p, o->name, why);
        return;
    }
    problem(p, name, "unknown option");
}

int cmdline_parse(const char *s, struct hv_options *opt, cmdline_warn_fn warn,
                  void *ctx)
{
    struct parser p = {opt, warn, ctx, 0};
    size_t len, i = 0;
    bool first = true;

    if (!s)
        return 0;
    /* Only CMDLINE_MAX bytes are looked at, and one more would not fit in
     * the boot_info copy anyway: a longer line loses its tail, including a
     * word cut in half by the limit (parsing half a word would mislead). */
    len = strnlen(s, CMDLINE_MAX);
    if (len == CMDLINE_MAX) {
        problem(&p, "cmdline", "line longer than 1023 bytes, rest ignored");
        len = CMDLINE_MAX - 1;
        if (!is_space(s[len]))
            while (len && !is_space(s[len - 1]))
                len--;
    }

    while (i < len) {
        size_t start;

        while (i < len && is_space(s[i]))
            i++;
        start = i;
        while (i < len && !is_space(s[i]))
            i++;
        if (i == start)
            break;
        if (first && looks_like_path(s + start, i - start)) {
            first = false;
            continue;
        }
        first = false;
        parse_word(&p, s + start, i - start);
    }
    return p.problems;
}
