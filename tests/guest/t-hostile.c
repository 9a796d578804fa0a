/*
 * Hostile cases: a guest that misbehaves on purpose, to prove that the
 * hypervisor crashes only that guest and everything else carries on (the
 * isolation test runs one of these as d1 next to a well-behaved d0).
 * Cases named "hostile." never run unless selected with only=hostile;
 * the last one never returns.
 */
#include "pvtest.h"

static uint64_t lcg_state = 0x5eed;

static uint64_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg_state;
}

/* Arguments that are never valid pointers of ours: small numbers,
 * non-canonical and hypervisor-hole addresses, random bits. */
static unsigned long garbage_arg(void)
{
    static const unsigned long odd[] = {
        0,
        1,
        0xffff800000000000UL, /* the read-only M2P: not writable */
        0xffff82d040000000UL, /* the hypervisor's image */
        0x0000800000000000UL, /* non-canonical */
        ~0UL,
    };
    uint64_t r = lcg();
    return (r & 1) ? odd[(r >> 8) % (sizeof(odd) / sizeof(odd[0]))]
                   : (unsigned long)(r >> 3);
}

PVTEST(hostile_garbage_hypercalls, "hostile.garbage_hypercalls",
       "3000 hypercalls with random numbers and garbage arguments")
{
    unsigned long survived = 0;

    for (int i = 0; i < 3000; i++) {
        unsigned long nr = lcg() % 64;
        /* sched_op could end the domain cleanly, iret would end the case
         * before the loop does: both are tested elsewhere. */
        if (nr == __HYPERVISOR_sched_op || nr == __HYPERVISOR_iret ||
            nr == __HYPERVISOR_console_io ||
            nr == __HYPERVISOR_set_trap_table ||
            nr == __HYPERVISOR_set_segment_base ||
            nr == __HYPERVISOR_stack_switch ||
            nr == __HYPERVISOR_set_callbacks || nr == __HYPERVISOR_callback_op)
            continue;
        HC(nr, garbage_arg(), garbage_arg(), garbage_arg(), garbage_arg(),
           garbage_arg());
        survived++;
    }
    printk("pvtest: hostile: %lu garbage hypercalls survived\n", survived);
    return PV_PASS;
}

PVTEST(hostile_fatal_fault, "hostile.fatal_fault",
       "a page fault with no trap table: the domain must be crashed")
{
    printk("pvtest: hostile: clearing the trap table and faulting\n");
    HC(__HYPERVISOR_set_trap_table, 0, 0, 0, 0, 0);
    volatile unsigned long *bad = (volatile unsigned long *)garbage_arg();
    bad = (volatile unsigned long *)((unsigned long)bad & 0xfff); /* page 0 */
    *bad = 1;
    FAIL("still running after a fault with no handler");
}

/* After hostile.fatal_fault on purpose: only=hostile never gets here. */
PVTEST(hostile_watchdog, "hostile.watchdog",
       "a watchdog left to fire shuts the domain down (reason watchdog)")
{
    struct sched_watchdog w = {.id = 0, .timeout = 1};
    long id = hc_sched_op(SCHEDOP_watchdog, &w);
    printk("pvtest: hostile: watchdog %ld armed for 1 s, now blocking\n", id);
    CHECK(id > 0);
    for (;;)
        hc_sched_op(SCHEDOP_block, NULL); /* nothing else will wake us */
}
