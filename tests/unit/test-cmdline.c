/*
 * The command-line parser: every option in every accepted form, and every
 * bad form reported with the option's name and a reason while the rest of
 * the line still takes effect.
 */
#include <stdio.h>
#include <string.h>

#include <veneer/cmdline.h>

#include "unit.h"

#define MAX_WARNINGS 16

struct warnings {
    unsigned int n;
    char option[MAX_WARNINGS][CMDLINE_MAX_WORD + 1];
    char why[MAX_WARNINGS][128];
};

static void record(void *ctx, const char *option, const char *why)
{
    struct warnings *w = ctx;

    CU_ASSERT_PTR_NOT_NULL_FATAL(option);
    CU_ASSERT_PTR_NOT_NULL_FATAL(why);
    CU_ASSERT(strlen(why) > 0); /* a warning always says why */
    if (w->n < MAX_WARNINGS) {
        snprintf(w->option[w->n], sizeof(w->option[0]), "%s", option);
        snprintf(w->why[w->n], sizeof(w->why[0]), "%s", why);
    }
    w->n++;
}

/* Parses line over the defaults; returns the problem count, which must
 * match the number of callbacks. */
static int parse(const char *line, struct hv_options *o, struct warnings *w)
{
    memset(w, 0, sizeof(*w));
    cmdline_defaults(o);
    int n = cmdline_parse(line, o, record, w);
    CU_ASSERT_EQUAL(n, (int)w->n);
    return n;
}

static void test_defaults(void)
{
    struct hv_options o;
    struct warnings w;

    memset(&o, 0xff, sizeof(o));
    cmdline_defaults(&o);
    CU_ASSERT_EQUAL(o.loglvl, LOG_INFO);
    CU_ASSERT_EQUAL(o.console, CONSOLE_COM1);
    CU_ASSERT_FALSE(o.selftest);
    CU_ASSERT_FALSE(o.hypercall_trace);
    CU_ASSERT_EQUAL(o.dom0_mem, 0);
    CU_ASSERT_EQUAL(parse("", &o, &w), 0);
    CU_ASSERT_EQUAL(parse("   \t\n  ", &o, &w), 0);
    CU_ASSERT_EQUAL(cmdline_parse(NULL, &o, record, &w), 0);
    CU_ASSERT_EQUAL(o.loglvl, LOG_INFO);
}

static void test_loglvl(void)
{
    static const char *const names[] = {"none", "err",   "warn",
                                        "info", "debug", "all"};
    struct hv_options o;
    struct warnings w;
    char line[64];

    for (int i = 0; i <= LOG_ALL; i++) {
        snprintf(line, sizeof(line), "loglvl=%s", names[i]);
        CU_ASSERT_EQUAL(parse(line, &o, &w), 0);
        CU_ASSERT_EQUAL(o.loglvl, (enum loglvl)i);
        CU_ASSERT_STRING_EQUAL(loglvl_name((enum loglvl)i), names[i]);
        snprintf(line, sizeof(line), "loglvl=%d", i);
        CU_ASSERT_EQUAL(parse(line, &o, &w), 0);
        CU_ASSERT_EQUAL(o.loglvl, (enum loglvl)i);
    }
    CU_ASSERT_STRING_EQUAL(loglvl_name((enum loglvl)42), "?");
    CU_ASSERT_STRING_EQUAL(loglvl_name((enum loglvl) - 1), "?");
}

static void test_console(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(parse("console=none", &o, &w), 0);
    CU_ASSERT_EQUAL(o.console, CONSOLE_NONE);
    CU_ASSERT_EQUAL(parse("console=none console=com1", &o, &w), 0);
    CU_ASSERT_EQUAL(o.console, CONSOLE_COM1); /* the last one wins */
}

static void test_bools(void)
{
    static const char *const on[] = {"", "=1", "=yes", "=on", "=true"};
    static const char *const off[] = {"=0", "=no", "=off", "=false"};
    struct hv_options o;
    struct warnings w;
    char line[64];

    for (size_t i = 0; i < ARRAY_SIZE(on); i++) {
        snprintf(line, sizeof(line), "selftest%s hypercall_trace%s", on[i],
                 on[i]);
        CU_ASSERT_EQUAL(parse(line, &o, &w), 0);
        CU_ASSERT_TRUE(o.selftest);
        CU_ASSERT_TRUE(o.hypercall_trace);
    }
    for (size_t i = 0; i < ARRAY_SIZE(off); i++) {
        snprintf(line, sizeof(line), "selftest selftest%s hypercall_trace%s",
                 off[i], off[i]);
        CU_ASSERT_EQUAL(parse(line, &o, &w), 0);
        CU_ASSERT_FALSE(o.selftest);
        CU_ASSERT_FALSE(o.hypercall_trace);
    }
}

static void test_dom0_mem(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(parse("dom0_mem=512M", &o, &w), 0);
    CU_ASSERT_EQUAL(o.dom0_mem, MiB(512));
    CU_ASSERT_EQUAL(parse("dom0_mem=2G", &o, &w), 0);
    CU_ASSERT_EQUAL(o.dom0_mem, GiB(2));
    CU_ASSERT_EQUAL(parse("dom0_mem=65536k", &o, &w), 0);
    CU_ASSERT_EQUAL(o.dom0_mem, MiB(64));
    CU_ASSERT_EQUAL(parse("dom0_mem=0x100000", &o, &w), 0);
    CU_ASSERT_EQUAL(o.dom0_mem, MiB(1));
    CU_ASSERT_EQUAL(parse("dom0_mem=8192", &o, &w), 0);
    CU_ASSERT_EQUAL(o.dom0_mem, 8192);
}

static void test_dom0_max_vcpus(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(parse("", &o, &w), 0);
    CU_ASSERT_EQUAL(o.dom0_max_vcpus, 0);
    CU_ASSERT_EQUAL(parse("dom0_max_vcpus=2", &o, &w), 0);
    CU_ASSERT_EQUAL(o.dom0_max_vcpus, 2);
    CU_ASSERT_EQUAL(parse("dom0_max_vcpus=8", &o, &w), 0);
    CU_ASSERT_EQUAL(o.dom0_max_vcpus, 8);
    CU_ASSERT_EQUAL(o.domU_max_vcpus, 0);
    CU_ASSERT_EQUAL(parse("domU_max_vcpus=4", &o, &w), 0);
    CU_ASSERT_EQUAL(o.domU_max_vcpus, 4);
    CU_ASSERT_EQUAL(parse("domU_max_vcpus=9", &o, &w), 1);
    CU_ASSERT_STRING_EQUAL(w.option[0], "domU_max_vcpus");
    const char *bad[] = {"dom0_max_vcpus=0",
                         "dom0_max_vcpus=9",
                         "dom0_max_vcpus=2k",
                         "dom0_max_vcpus=-1",
                         "dom0_max_vcpus=99999999999999999999999",
                         "dom0_max_vcpus"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CU_ASSERT_EQUAL(parse(bad[i], &o, &w), 1);
        CU_ASSERT_STRING_EQUAL(w.option[0], "dom0_max_vcpus");
        CU_ASSERT_EQUAL(o.dom0_max_vcpus, 0);
    }
}

static void test_smp_options(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(parse("", &o, &w), 0);
    CU_ASSERT_EQUAL(o.max_cpus, 0);
    CU_ASSERT_FALSE(o.nosmp);
    CU_ASSERT_TRUE(o.smp_sched); /* on unless told otherwise */
    CU_ASSERT_EQUAL(o.sched_dump, 0);
    CU_ASSERT_EQUAL(parse("smp_sched=0", &o, &w), 0);
    CU_ASSERT_FALSE(o.smp_sched);
    CU_ASSERT_EQUAL(
        parse("maxcpus=2 nosmp smp_sched sched_dump=5 dump_at_exit", &o, &w),
        0);
    CU_ASSERT_EQUAL(o.max_cpus, 2);
    CU_ASSERT_TRUE(o.nosmp);
    CU_ASSERT_TRUE(o.smp_sched);
    CU_ASSERT_EQUAL(o.sched_dump, 5);
    CU_ASSERT_TRUE(o.dump_at_exit);
    CU_ASSERT_EQUAL(parse("smp_sched=off", &o, &w), 0);
    CU_ASSERT_FALSE(o.smp_sched);
    const char *bad[] = {"maxcpus=0",  "maxcpus=9",    "maxcpus",
                         "maxcpus=x",  "sched_dump=0", "sched_dump=3601",
                         "nosmp=maybe"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CU_ASSERT_EQUAL(parse(bad[i], &o, &w), 1);
        CU_ASSERT_EQUAL(o.max_cpus, 0);
        CU_ASSERT_EQUAL(o.sched_dump, 0);
    }
    /* The test hook keeps APIC ID + 1 (0: none). */
    CU_ASSERT_EQUAL(o.smp_test_no_sipi, 0);
    CU_ASSERT_EQUAL(parse("smp_test_no_sipi=1", &o, &w), 0);
    CU_ASSERT_EQUAL(o.smp_test_no_sipi, 2);
    const char *bad_apic[] = {"smp_test_no_sipi=0", "smp_test_no_sipi=255",
                              "smp_test_no_sipi", "smp_test_no_sipi=x"};
    for (size_t i = 0; i < ARRAY_SIZE(bad_apic); i++) {
        CU_ASSERT_EQUAL(parse(bad_apic[i], &o, &w), 1);
        CU_ASSERT_EQUAL(o.smp_test_no_sipi, 0);
    }
}

static void test_crash(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(parse("", &o, &w), 0);
    CU_ASSERT_EQUAL(o.crash, CRASH_NONE);
    CU_ASSERT_EQUAL(parse("crash=ud", &o, &w), 0);
    CU_ASSERT_EQUAL(o.crash, CRASH_UD);
    CU_ASSERT_EQUAL(parse("crash=pf", &o, &w), 0);
    CU_ASSERT_EQUAL(o.crash, CRASH_PF);
    CU_ASSERT_EQUAL(parse("crash=gp crash=none", &o, &w), 0);
    CU_ASSERT_EQUAL(o.crash, CRASH_NONE);
    CU_ASSERT_EQUAL(parse("crash=everything", &o, &w), 1);
    CU_ASSERT_STRING_EQUAL(w.option[0], "crash");
    CU_ASSERT_EQUAL(o.crash, CRASH_NONE);
    CU_ASSERT_EQUAL(parse("crash", &o, &w), 1);
}

static void test_everything_at_once(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(parse("\tloglvl=debug  console=none selftest\n"
                          "hypercall_trace dom0_mem=1G\r\n",
                          &o, &w),
                    0);
    CU_ASSERT_EQUAL(o.loglvl, LOG_DEBUG);
    CU_ASSERT_EQUAL(o.console, CONSOLE_NONE);
    CU_ASSERT_TRUE(o.selftest);
    CU_ASSERT_TRUE(o.hypercall_trace);
    CU_ASSERT_EQUAL(o.dom0_mem, GiB(1));
}

/* Each bad word gives exactly one warning naming its option, and leaves
 * that option at its default while the good words around it still work. */
static void test_bad_values(void)
{
    static const struct {
        const char *word, *option;
    } bad[] = {
        {"loglvl=loud", "loglvl"},
        {"loglvl=6", "loglvl"},
        {"loglvl=-1", "loglvl"},
        {"loglvl=INFO", "loglvl"},
        {"loglvl=infoo", "loglvl"},
        {"loglvl=", "loglvl"},
        {"loglvl", "loglvl"},
        {"console=com2", "console"},
        {"console=", "console"},
        {"console", "console"},
        {"selftest=2", "selftest"},
        {"selftest=", "selftest"},
        {"selftest=yess", "selftest"},
        {"hypercall_trace=maybe", "hypercall_trace"},
        {"dom0_mem=lots", "dom0_mem"},
        {"dom0_mem=", "dom0_mem"},
        {"dom0_mem", "dom0_mem"},
        {"dom0_mem=1T", "dom0_mem"},
        {"dom0_mem=100", "dom0_mem"},
        {"dom0_mem=99999999999999999999G", "dom0_mem"},
        {"dom0_mem=min:1G,max:2G", "dom0_mem"},
        {"frobnicate", "frobnicate"},
        {"frob=1", "frob"},
        {"LOGLVL=info", "LOGLVL"},
        {"selftests", "selftests"},
        {"=value", ""},
    };
    struct hv_options o;
    struct warnings w;
    char line[256];

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(line, sizeof(line), "console=none %s loglvl=err", bad[i].word);
        CU_ASSERT_EQUAL(parse(line, &o, &w), 1);
        CU_ASSERT_STRING_EQUAL(w.option[0], bad[i].option);
        if (w.n != 1 || strcmp(w.option[0], bad[i].option))
            fprintf(stderr, "\"%s\": %u warnings, first \"%s\"\n", bad[i].word,
                    w.n, w.option[0]);
        CU_ASSERT_EQUAL(o.console, CONSOLE_NONE);
        CU_ASSERT_EQUAL(o.loglvl, LOG_ERR);
        CU_ASSERT_FALSE(o.selftest);
        CU_ASSERT_FALSE(o.hypercall_trace);
        CU_ASSERT_EQUAL(o.dom0_mem, 0);
    }
    /* An unknown option is reported as such. */
    parse("bogus", &o, &w);
    CU_ASSERT_PTR_NOT_NULL(strstr(w.why[0], "unknown"));
}

static void test_many_problems(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(
        parse("a b=1 loglvl=x console=y selftest=z selftest", &o, &w), 5);
    CU_ASSERT_STRING_EQUAL(w.option[0], "a");
    CU_ASSERT_STRING_EQUAL(w.option[1], "b");
    CU_ASSERT_STRING_EQUAL(w.option[2], "loglvl");
    CU_ASSERT_STRING_EQUAL(w.option[3], "console");
    CU_ASSERT_STRING_EQUAL(w.option[4], "selftest");
    CU_ASSERT_TRUE(o.selftest);
    /* A NULL callback is allowed: problems are still counted. */
    cmdline_defaults(&o);
    CU_ASSERT_EQUAL(cmdline_parse("x y loglvl=all", &o, NULL, NULL), 2);
    CU_ASSERT_EQUAL(o.loglvl, LOG_ALL);
}

static void test_path_first_word(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(parse("build/hypervisor/veneer.bin selftest", &o, &w), 0);
    CU_ASSERT_TRUE(o.selftest);
    CU_ASSERT_EQUAL(parse("/boot/veneer loglvl=0", &o, &w), 0);
    CU_ASSERT_EQUAL(o.loglvl, LOG_NONE);
    CU_ASSERT_EQUAL(parse("veneer.bin", &o, &w), 0);
    CU_ASSERT_EQUAL(parse("  veneer.bin\tselftest", &o, &w), 0);
    CU_ASSERT_TRUE(o.selftest);
    /* Only the first word may be a path; an option first is an option. */
    CU_ASSERT_EQUAL(parse("selftest veneer.bin", &o, &w), 1);
    CU_ASSERT_STRING_EQUAL(w.option[0], "veneer.bin");
    CU_ASSERT_TRUE(o.selftest);
    /* A word with '=' is never a path, even with a '/' in its value. */
    CU_ASSERT_EQUAL(parse("console=/dev/ttyS0", &o, &w), 1);
    CU_ASSERT_STRING_EQUAL(w.option[0], "console");
    /* A first word without '/' or '.' is an option, even if unknown. */
    CU_ASSERT_EQUAL(parse("veneer selftest", &o, &w), 1);
    CU_ASSERT_STRING_EQUAL(w.option[0], "veneer");
}

static void test_long_word(void)
{
    struct hv_options o;
    struct warnings w;
    char line[512], word[CMDLINE_MAX_WORD + 2];

    /* Exactly CMDLINE_MAX_WORD bytes is still a word (an unknown one). */
    memset(word, 'q', CMDLINE_MAX_WORD);
    word[CMDLINE_MAX_WORD] = '\0';
    snprintf(line, sizeof(line), "selftest %s loglvl=warn", word);
    CU_ASSERT_EQUAL(parse(line, &o, &w), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(w.why[0], "unknown"));
    /* One more byte and it is refused as too long, whatever it says. */
    snprintf(line, sizeof(line), "selftest loglvl=%0*d loglvl=warn",
             CMDLINE_MAX_WORD - 6, 1);
    CU_ASSERT_EQUAL(strlen(line), strlen("selftest ") + CMDLINE_MAX_WORD + 1 +
                                      strlen(" loglvl=warn"));
    CU_ASSERT_EQUAL(parse(line, &o, &w), 1);
    CU_ASSERT_STRING_EQUAL(w.option[0], "loglvl");
    CU_ASSERT_PTR_NOT_NULL(strstr(w.why[0], "longer"));
    CU_ASSERT_TRUE(o.selftest);
    CU_ASSERT_EQUAL(o.loglvl, LOG_WARN);
    /* A long name is reported by its first CMDLINE_MAX_WORD bytes. */
    memset(line, 'n', 300);
    line[300] = '\0';
    CU_ASSERT_EQUAL(parse(line, &o, &w), 1);
    CU_ASSERT_EQUAL(strlen(w.option[0]), CMDLINE_MAX_WORD);
}

static void test_long_line(void)
{
    struct hv_options o;
    struct warnings w;
    static char line[CMDLINE_MAX * 4];
    size_t n = 0;

    /* Words up to the limit, then "loglvl=debug" straddling it. */
    n += (size_t)sprintf(line, "selftest");
    while (n < CMDLINE_MAX - 40)
        n += (size_t)sprintf(line + n, " console=none");
    n = CMDLINE_MAX - 5;
    memset(line + strlen(line), ' ', n - strlen(line));
    n += (size_t)sprintf(line + n, "loglvl=debug hypercall_trace");
    CU_ASSERT(n > CMDLINE_MAX);
    CU_ASSERT_EQUAL(parse(line, &o, &w), 1); /* reported once */
    CU_ASSERT_STRING_EQUAL(w.option[0], "cmdline");
    CU_ASSERT_PTR_NOT_NULL(strstr(w.why[0], "longer"));
    CU_ASSERT_TRUE(o.selftest);
    CU_ASSERT_EQUAL(o.console, CONSOLE_NONE);
    CU_ASSERT_EQUAL(o.loglvl, LOG_INFO); /* the cut word is dropped */
    CU_ASSERT_FALSE(o.hypercall_trace);  /* and what follows it */

    /* A line of only junk, far past the limit: bounded work and reports.
     * The cut never splits words (it backs up to a space), and it never
     * reads past CMDLINE_MAX bytes. */
    memset(line, 'x', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    CU_ASSERT_EQUAL(parse(line, &o, &w), 1);
    for (size_t i = 0; i + 2 < sizeof(line); i += 2) {
        line[i] = 'x';
        line[i + 1] = ' ';
    }
    CU_ASSERT_EQUAL(parse(line, &o, &w), 1 + CMDLINE_MAX / 2);
    /* Exactly CMDLINE_MAX - 1 bytes is not truncated. */
    memset(line, ' ', CMDLINE_MAX - 1);
    memcpy(line + CMDLINE_MAX - 9, "selftest", 8);
    line[CMDLINE_MAX - 1] = '\0';
    CU_ASSERT_EQUAL(parse(line, &o, &w), 0);
    CU_ASSERT_TRUE(o.selftest);
}

static void test_smap(void)
{
    struct hv_options o;
    struct warnings w;

    CU_ASSERT_EQUAL(parse("", &o, &w), 0);
    CU_ASSERT_EQUAL(o.smap, SMAP_AUTO);
    const struct {
        const char *line;
        enum smap_mode mode;
    } good[] = {{"smap=on", SMAP_ON},     {"smap=1", SMAP_ON},
                {"smap=off", SMAP_OFF},   {"smap=no", SMAP_OFF},
                {"smap=auto", SMAP_AUTO}, {"smap=0 smap=auto", SMAP_AUTO}};
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        CU_ASSERT_EQUAL(parse(good[i].line, &o, &w), 0);
        CU_ASSERT_EQUAL(o.smap, good[i].mode);
    }
    const char *bad[] = {"smap", "smap=", "smap=maybe", "smap=2"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CU_ASSERT_EQUAL(parse(bad[i], &o, &w), 1);
        CU_ASSERT_STRING_EQUAL(w.option[0], "smap");
        CU_ASSERT_EQUAL(o.smap, SMAP_AUTO);
    }
}

static const struct unit_case cmdline_cases[] = {
    {"defaults hold for an empty, blank or NULL line", test_defaults},
    {"loglvl takes every name and digit, loglvl_name maps back", test_loglvl},
    {"console takes com1 and none, the last one wins", test_console},
    {"booleans take a bare name and every yes/no spelling", test_bools},
    {"dom0_mem takes bytes, K/M/G suffixes and hex", test_dom0_mem},
    {"dom0_max_vcpus takes 1 to 8, nothing else", test_dom0_max_vcpus},
    {"maxcpus= takes 1 to 8; nosmp, smp_sched, sched_dump=, dump_at_exit",
     test_smp_options},
    {"crash= takes none, ud, pf or gp", test_crash},
    {"smap= takes auto and every on/off spelling, nothing else", test_smap},
    {"all options on one line with mixed whitespace", test_everything_at_once},
    {"each bad form gives one warning naming its option", test_bad_values},
    {"parsing goes on after problems, a NULL callback is fine",
     test_many_problems},
    {"a path first (multiboot image name) is skipped, only first",
     test_path_first_word},
    {"a word longer than CMDLINE_MAX_WORD is refused and named",
     test_long_word},
    {"a line longer than CMDLINE_MAX is reported once, cut at a word",
     test_long_line},
    {NULL, NULL},
};
UNIT_SUITE(cmdline, cmdline_cases)
