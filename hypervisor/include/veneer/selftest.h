/*
 * In-hypervisor self-tests, run by the `selftest` command-line option on
 * the real machine (QEMU): each test is a named function that returns 0 or
 * reports why it failed with selftest_fail() and returns non-zero. Tests
 * register themselves with SELFTEST() in the file of the mechanism they
 * prove; the runner takes them in the order the linker placed them.
 */
#ifndef VENEER_SELFTEST_H
#define VENEER_SELFTEST_H

#include <veneer/types.h>

struct selftest {
    const char *name;
    int (*fn)(void);
};

#define SELFTEST(id, description)                                    \
    static int selftest_fn_##id(void);                               \
    static const struct selftest selftest_##id                       \
        __attribute__((used, section(".selftests"), aligned(8))) = { \
            description, selftest_fn_##id};                          \
    static int selftest_fn_##id(void)

/* Prints "selftest: <name>: FAIL: <why>" and returns -1. */
int selftest_fail(const char *fmt, ...) __printf(1, 2);

/* Runs every registered test; returns the number that failed. */
unsigned int selftests_run(void);

#endif
