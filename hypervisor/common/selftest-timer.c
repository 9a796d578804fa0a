/*
 * Self-tests of time and timers on the real APIC: time moves forward, and
 * timers set out of order fire in deadline order, never early.
 */
#include <veneer/io.h>
#include <veneer/selftest.h>
#include <veneer/time.h>
#include <veneer/timer.h>

#define NR_TEST_TIMERS 4

struct fired {
    unsigned int order[NR_TEST_TIMERS];
    uint64_t late_by[NR_TEST_TIMERS];
    unsigned int count;
};

static struct fired fired;
static struct timer timers[NR_TEST_TIMERS];

static void on_fire(struct timer *t, void *data)
{
    unsigned int idx = (unsigned int)(uintptr_t)data;
    uint64_t now = now_ns();

    if (fired.count < NR_TEST_TIMERS) {
        fired.order[fired.count] = idx;
        fired.late_by[fired.count] =
            now >= t->deadline ? now - t->deadline : ~0ULL;
        fired.count++;
    }
}

SELFTEST(time_monotonic, "now_ns() never goes backwards and advances")
{
    uint64_t prev = now_ns(), first = prev;

    for (int i = 0; i < 100000; i++) {
        uint64_t t = now_ns();
        if (t < prev)
            return selftest_fail("time went back from %lu to %lu", prev, t);
        prev = t;
    }
    if (prev == first)
        return selftest_fail("time did not advance over 100000 reads");
    return 0;
}

SELFTEST(timers_in_order, "timers set out of order fire in deadline order")
{
    /* Deadlines in ms, set in this order; index = expected firing rank. */
    static const unsigned int delay_ms[NR_TEST_TIMERS] = {30, 10, 40, 20};
    static const unsigned int expected[NR_TEST_TIMERS] = {1, 3, 0, 2};
    uint64_t base = now_ns();

    fired = (struct fired){0};
    for (unsigned int i = 0; i < NR_TEST_TIMERS; i++) {
        timer_init(&timers[i], on_fire, (void *)(uintptr_t)i);
        timer_set(&timers[i], base + delay_ms[i] * 1000000ULL);
    }
    /* Wait for the interrupts, bounded by a generous 5 s of TSC time. */
    while (fired.count < NR_TEST_TIMERS && now_ns() - base < 5000000000ULL)
        safe_halt();
    for (unsigned int i = 0; i < NR_TEST_TIMERS; i++)
        timer_stop(&timers[i]);

    if (fired.count != NR_TEST_TIMERS)
        return selftest_fail("%u of %u timers fired", fired.count,
                             NR_TEST_TIMERS);
    for (unsigned int i = 0; i < NR_TEST_TIMERS; i++) {
        if (fired.order[i] != expected[i])
            return selftest_fail("firing #%u was timer %u, expected %u", i,
                                 fired.order[i], expected[i]);
        if (fired.late_by[i] == ~0ULL)
            return selftest_fail("timer %u fired before its deadline",
                                 fired.order[i]);
    }
    if (timers_pending())
        return selftest_fail("%u timers still pending", timers_pending());
    return 0;
}

SELFTEST(timer_stop, "a stopped timer never fires")
{
    static struct timer t;
    uint64_t base = now_ns();

    fired = (struct fired){0};
    timer_init(&t, on_fire, (void *)0);
    timer_set(&t, base + 5000000ULL);
    timer_stop(&t);
    static struct timer later;
    timer_init(&later, on_fire, (void *)1);
    timer_set(&later, base + 15000000ULL);
    while (fired.count < 1 && now_ns() - base < 5000000000ULL)
        safe_halt();
    if (fired.count != 1 || fired.order[0] != 1)
        return selftest_fail("expected only the second timer to fire, got "
                             "%u firings (first: %u)",
                             fired.count, fired.order[0]);
    return 0;
}
