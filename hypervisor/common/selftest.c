/*
 * The self-test runner: every SELFTEST() in the image, in order, with a
 * PASS/FAIL line each and the summary line the boot harness matches.
 */
#include <veneer/console.h>
#include <veneer/format.h>
#include <veneer/selftest.h>

extern const struct selftest __selftests_start[], __selftests_end[];

static const struct selftest *current;

int selftest_fail(const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vformat(why, sizeof(why), fmt, ap);
    va_end(ap);
    pr_err("selftest: %s: FAIL: %s\n", current ? current->name : "?", why);
    return -1;
}

unsigned int selftests_run(void)
{
    unsigned int passed = 0, failed = 0;

    for (const struct selftest *t = __selftests_start; t < __selftests_end;
         t++) {
        current = t;
        if (t->fn() == 0) {
            pr_info("selftest: %s: PASS\n", t->name);
            passed++;
        } else {
            pr_err("selftest: %s: FAILED\n", t->name);
            failed++;
        }
    }
    current = NULL;
    printk(LOG_ERR, "selftest: %u passed, %u failed\n", passed, failed);
    return failed;
}
