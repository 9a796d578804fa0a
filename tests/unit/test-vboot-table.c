/*
 * The boot harness's table rows (tests/boot/vboot-table.c, vboot-case.c):
 * well-formed rows give exactly the case they say, ${VAR} expands from the
 * environment, and every hostile line is refused with a message naming the
 * bad field, never a crash or a half-filled case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../boot/vboot.h"
#include "unit.h"

/* Parses line into c; returns vb_parse_row()'s result, message in err. */
static int parse(const char *line, struct vb_case *c, char *err)
{
    vb_case_init(c);
    err[0] = '\0';
    return vb_parse_row(line, strlen(line), c, err, VB_ERROR_SIZE);
}

/* The line must be refused with a message containing want. */
static void refused(const char *line, const char *want)
{
    struct vb_case c;
    char err[VB_ERROR_SIZE];

    CU_ASSERT_EQUAL(parse(line, &c, err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
    if (!strstr(err, want))
        fprintf(stderr, "\n  line: %.80s\n  got: %s\n  want: %s\n", line, err,
                want);
    vb_case_free(&c);
}

static void test_blank_and_comments(void)
{
    struct vb_case c;
    char err[VB_ERROR_SIZE];

    CU_ASSERT_EQUAL(parse("", &c, err), 0);
    CU_ASSERT_EQUAL(parse("   \t  ", &c, err), 0);
    CU_ASSERT_EQUAL(parse("# selftest kernel=x", &c, err), 0);
    CU_ASSERT_EQUAL(parse("   # indented comment", &c, err), 0);
    CU_ASSERT_PTR_NULL(c.name);
}

static void test_full_row(void)
{
    struct vb_case c;
    char err[VB_ERROR_SIZE];
    const char *line =
        "selftest kernel=/k/veneer.bin append=\"loglvl=all selftest\" "
        "initrd=\"/m/a args,/m/b\" mem=512 smp=4 timeout=2.5 exit=3 "
        "accel=tcg expect=first expect=\"second line\" expect=third "
        "fail=PANIC fail=\"triple fault\" qemu=\"-d int  -D /tmp/x\" "
        "xfail=\"not yet\" flaky=\"not ours\"";

    CU_ASSERT_EQUAL_FATAL(parse(line, &c, err), 1);
    CU_ASSERT_STRING_EQUAL(c.name, "selftest");
    CU_ASSERT_STRING_EQUAL(c.kernel, "/k/veneer.bin");
    CU_ASSERT_STRING_EQUAL(c.append, "loglvl=all selftest");
    CU_ASSERT_STRING_EQUAL(c.initrd, "/m/a args,/m/b");
    CU_ASSERT_EQUAL(c.mem_mib, 512);
    CU_ASSERT_EQUAL(c.smp, 4);
    CU_ASSERT_DOUBLE_EQUAL(c.timeout, 2.5, 1e-9);
    CU_ASSERT_EQUAL(c.exit_status, 3);
    CU_ASSERT_STRING_EQUAL(c.accel, "tcg");
    CU_ASSERT_STRING_EQUAL(c.xfail, "not yet");
    CU_ASSERT_STRING_EQUAL(c.flaky, "not ours");
    /* Expects keep their order: they must match serial lines in order. */
    CU_ASSERT_EQUAL_FATAL(c.expect.n, 3);
    CU_ASSERT_STRING_EQUAL(c.expect.v[0].src, "first");
    CU_ASSERT_STRING_EQUAL(c.expect.v[1].src, "second line");
    CU_ASSERT_STRING_EQUAL(c.expect.v[2].src, "third");
    CU_ASSERT_EQUAL_FATAL(c.fail.n, 2);
    CU_ASSERT_STRING_EQUAL(c.fail.v[1].src, "triple fault");
    /* qemu= is split on blanks into separate arguments. */
    CU_ASSERT_EQUAL_FATAL(c.qemu_args.n, 4);
    CU_ASSERT_STRING_EQUAL(c.qemu_args.v[0], "-d");
    CU_ASSERT_STRING_EQUAL(c.qemu_args.v[1], "int");
    CU_ASSERT_STRING_EQUAL(c.qemu_args.v[2], "-D");
    CU_ASSERT_STRING_EQUAL(c.qemu_args.v[3], "/tmp/x");
    vb_case_free(&c);
}

static void test_defaults(void)
{
    struct vb_case c;
    char err[VB_ERROR_SIZE];

    CU_ASSERT_EQUAL_FATAL(parse("plain kernel=k\r", &c, err), 1);
    CU_ASSERT_STRING_EQUAL(c.kernel, "k"); /* the CR is a line end */
    CU_ASSERT_PTR_NULL(c.append);
    CU_ASSERT_PTR_NULL(c.initrd);
    CU_ASSERT_PTR_NULL(c.xfail);
    CU_ASSERT_EQUAL(c.mem_mib, VB_DEFAULT_MEM_MIB);
    CU_ASSERT_EQUAL(c.smp, VB_DEFAULT_SMP);
    CU_ASSERT_EQUAL(c.exit_status, VB_DEFAULT_EXIT);
    CU_ASSERT_EQUAL(c.expect.n, 0);
    vb_case_free(&c);
}

static void test_quotes_and_escapes(void)
{
    struct vb_case c;
    char err[VB_ERROR_SIZE];
    const char *line =
        "q kernel=a\"b c\"d append=\"say \\\"hi\\\" \\\\ \\$HOME\" "
        "expect=\"veneer [0-9.]+ \\((debug|release) build\\)\" "
        "expect=end$ expect=a\\.b";

    CU_ASSERT_EQUAL_FATAL(parse(line, &c, err), 1);
    /* Quoted parts join the bare parts around them. */
    CU_ASSERT_STRING_EQUAL(c.kernel, "ab cd");
    CU_ASSERT_STRING_EQUAL(c.append, "say \"hi\" \\ $HOME");
    /* Other backslashes stay: regexes are written as they are. */
    CU_ASSERT_STRING_EQUAL(c.expect.v[0].src,
                           "veneer [0-9.]+ \\((debug|release) build\\)");
    CU_ASSERT_STRING_EQUAL(c.expect.v[1].src, "end$");
    CU_ASSERT_STRING_EQUAL(c.expect.v[2].src, "a\\.b");
    /* And they compile to what they say. */
    CU_ASSERT_EQUAL(regexec(&c.expect.v[0].re,
                            "(veneer) veneer 0.1.0 (debug build), build id", 0,
                            NULL, 0),
                    0);
    CU_ASSERT_NOT_EQUAL(
        regexec(&c.expect.v[0].re, "veneer 0.1.0 (fast build)", 0, NULL, 0), 0);
    CU_ASSERT_NOT_EQUAL(regexec(&c.expect.v[2].re, "axb", 0, NULL, 0), 0);
    vb_case_free(&c);
}

static void test_env_expansion(void)
{
    struct vb_case c;
    char err[VB_ERROR_SIZE];
    char *out = NULL;

    setenv("VB_TEST_DIR", "/build dir", 1);
    setenv("VB_TEST_TRICKY", "${VB_TEST_DIR} \"x\" $", 1);
    CU_ASSERT_EQUAL_FATAL(
        parse("e kernel=${VB_TEST_DIR}/veneer.bin "
              "append=${VB_TEST_TRICKY} "
              "initrd=\"${VB_TEST_DIR}/a x,${VB_TEST_DIR}/b\"",
              &c, err),
        1);
    /* The expansion is one value even with blanks in it... */
    CU_ASSERT_STRING_EQUAL(c.kernel, "/build dir/veneer.bin");
    /* ...and is never re-expanded or unquoted. */
    CU_ASSERT_STRING_EQUAL(c.append, "${VB_TEST_DIR} \"x\" $");
    CU_ASSERT_STRING_EQUAL(c.initrd, "/build dir/a x,/build dir/b");
    vb_case_free(&c);

    CU_ASSERT_EQUAL(vb_expand("${VB_TEST_DIR}/x $ $$ a$b ${VB_TEST_DIR}", &out,
                              err, sizeof(err)),
                    0);
    CU_ASSERT_STRING_EQUAL(out, "/build dir/x $ $$ a$b /build dir");
    free(out);
    CU_ASSERT_EQUAL(vb_expand("", &out, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(out, "");
    free(out);
    unsetenv("VB_TEST_UNSET");
    CU_ASSERT_EQUAL(vb_expand("a ${VB_TEST_UNSET} b", &out, err, sizeof(err)),
                    -1);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "VB_TEST_UNSET"));
    CU_ASSERT_EQUAL(vb_expand("${VB_TEST_DIR", &out, err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(vb_expand("${}", &out, err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(vb_expand("${1X}", &out, err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(vb_expand("${A-B}", &out, err, sizeof(err)), -1);
}

static void test_hostile_syntax(void)
{
    refused("x kernel=k append=\"never closed", "field 3 (append)");
    refused("x kernel=k append=\"never closed", "unterminated quote");
    refused("x kernel=k justaword",
            "field 3 \"justaword\": expected key=value");
    refused("x kernel=k =value", "expected key=value");
    refused("x kernel=k \"=\"", "expected key=value");
    refused("name=x kernel=k", "a row starts with its name");
    refused("=", "a row starts with its name");
    refused("x kernel=k ${", "expected key=value");
    refused("x kernel=k aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
            "expected key=value");
    refused("x kernel=k frobnicate=1", "unknown key \"frobnicate\"");
    refused("x kernel=k KERNEL=k", "unknown key");
    refused("x kernel=k kernel=k2", "kernel: given twice");
    refused("x kernel=k mem=1 mem=2", "mem: given twice");
    refused("x append=a", "no kernel given");
    refused("x kernel=", "kernel: empty path");
    refused("x kernel=k append=${VB_TEST_NOT_SET_EVER}",
            "${VB_TEST_NOT_SET_EVER} is not set");
    refused("x kernel=k append=${oops", "field 3 (append)");
    refused("x kernel=k append=\"${}\"", "bad variable name");
}

static void test_hostile_values(void)
{
    refused("x kernel=k mem=abc", "field 3 \"mem=abc\": mem \"abc\": not a");
    refused("x kernel=k mem=-1", "not a number");
    refused("x kernel=k mem=+1", "not a number");
    refused("x kernel=k mem=0", "must be 1 to");
    refused("x kernel=k mem=99999999999999999999999", "must be 1 to");
    refused("x kernel=k mem=\"\"", "not a number");
    refused("x kernel=k mem=\" 12\"", "not a number");
    refused("x kernel=k smp=1x", "not a number");
    refused("x kernel=k smp=0", "smp 0: must be 1 to 288");
    refused("x kernel=k exit=256", "exit 256: must be 0 to 255");
    refused("x kernel=k exit=0x1", "not a number");
    refused("x kernel=k timeout=0", "must be more than 0");
    refused("x kernel=k timeout=-5", "not a number of seconds");
    refused("x kernel=k timeout=nan", "not a number of seconds");
    refused("x kernel=k timeout=1e999", "not a number of seconds");
    refused("x kernel=k timeout=1e9", "at most 86400");
    refused("x kernel=k timeout=3s", "not a number of seconds");
    refused("x kernel=k accel=hvf", "must be tcg or kvm");
    refused("x kernel=k xfail=", "give the reason");
    refused("x kernel=k flaky=", "give the reason");
    refused("x kernel=k expect=", "empty regex");
    refused("x kernel=k expect=\"(unclosed\"", "bad regex");
    refused("x kernel=k fail=\"[z-a]\"", "fail /[z-a]/: bad regex");
    refused("../../etc/passwd kernel=k", "must not start with");
    refused("x..y/z kernel=k", "only letters, digits");
    refused("a/b kernel=k", "only letters, digits");
    refused(".hidden kernel=k", "must not start with");
    refused("-rf kernel=k", "must not start with");
    refused(
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
        "kernel=k",
        "1 to 64 characters");
}

static void test_hostile_sizes(void)
{
    struct vb_case c;
    char err[VB_ERROR_SIZE];
    size_t big = VB_VALUE_MAX + 100;
    char *line = malloc(big + 64);
    size_t n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    /* A value past the limit is refused, not truncated or crashed on. */
    n = (size_t)sprintf(line, "x kernel=k append=");
    memset(line + n, 'a', big);
    line[n + big] = '\0';
    refused(line, "longer than");

    /* At the limit it is fine: a 6000-byte command line is a real case. */
    n = (size_t)sprintf(line, "x kernel=k append=");
    memset(line + n, 'b', 6000);
    line[n + 6000] = '\0';
    CU_ASSERT_EQUAL_FATAL(parse(line, &c, err), 1);
    CU_ASSERT_EQUAL(strlen(c.append), 6000);
    vb_case_free(&c);

    /* An expansion cannot grow past the limit either. */
    memset(line, 'c', big);
    line[big] = '\0';
    setenv("VB_TEST_HUGE", line, 1);
    refused("x kernel=k append=${VB_TEST_HUGE}${VB_TEST_HUGE}", "longer than");
    unsetenv("VB_TEST_HUGE");

    /* Too many repeatable values. */
    n = (size_t)sprintf(line, "x kernel=k");
    for (int i = 0; i <= VB_LIST_MAX; i++)
        n += (size_t)sprintf(line + n, " expect=e%d", i);
    refused(line, "more than 64 given");
    free(line);

    /* A NUL inside the line is refused, not silently cut. */
    vb_case_init(&c);
    CU_ASSERT_EQUAL(
        vb_parse_row("x kernel=k\0 mem=zz", 18, &c, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL"));
    vb_case_free(&c);
}

/* The command line's path into a case is the same function: spot-check. */
static void test_case_set(void)
{
    struct vb_case c;
    char err[VB_ERROR_SIZE];

    vb_case_init(&c);
    CU_ASSERT_EQUAL(vb_case_check(&c, err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(vb_case_set(&c, "name", "n", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(vb_case_check(&c, err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(vb_case_set(&c, "kernel", "k", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(vb_case_check(&c, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(vb_case_add_qemu_arg(&c, "a b", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(c.qemu_args.n, 1);
    CU_ASSERT_STRING_EQUAL(c.qemu_args.v[0], "a b"); /* not split */
    CU_ASSERT_EQUAL(vb_case_set(&c, "nope", "1", err, sizeof(err)), -1);
    vb_case_free(&c);
    CU_ASSERT_PTR_NULL(c.name);
}

static const struct unit_case vboot_table_cases[] = {
    {"blank and comment lines are not rows", test_blank_and_comments},
    {"a row with every key gives that case", test_full_row},
    {"unset keys take the documented defaults", test_defaults},
    {"quotes join, escapes unescape, regex backslashes stay",
     test_quotes_and_escapes},
    {"${VAR} expands once, unset is an error", test_env_expansion},
    {"malformed syntax is refused naming the field", test_hostile_syntax},
    {"bad values are refused naming the key", test_hostile_values},
    {"oversized lines, values, lists and NULs are refused", test_hostile_sizes},
    {"vb_case_set() and checks, as the command line uses them", test_case_set},
    {NULL, NULL},
};

UNIT_SUITE(vboot_table, vboot_table_cases)
