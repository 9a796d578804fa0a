/*
 * The big hypervisor lock (biglock.h): a test-and-test-and-set spinlock,
 * with the holder's CPU number for the interrupt-under-hold case.
 *
 * Why not a fair ticket lock: our pCPUs may themselves be virtual (QEMU
 * runs each CPU in a host thread that the host preempts). With tickets, a
 * waiter whose thread is preempted holds up every later ticket, its own
 * CPU's next entry included: measured, a busy 2-pCPU run spent most of
 * its time in such convoys. Whoever runs takes the lock when it is free;
 * the hold times are short, and a holder leaves it free whenever its vCPU
 * runs guest code, so no pCPU waits for long in practice.
 */
#include <veneer/biglock.h>
#include <veneer/io.h>
#include <veneer/smp.h>

static struct {
    uint32_t locked;
    int owner; /* the holder's CPU, -1 if none */
} big = {0, -1};

struct biglock_stats biglock_stats;

bool biglock_held(void)
{
    return __atomic_load_n(&big.owner, __ATOMIC_RELAXED) ==
           (int)smp_processor_id();
}

static bool try_take(void)
{
    return !__atomic_load_n(&big.locked, __ATOMIC_RELAXED) &&
           !__atomic_exchange_n(&big.locked, 1, __ATOMIC_ACQUIRE);
}

bool biglock_enter(void)
{
    if (biglock_held())
        return false;
    /* Interrupts off while we wait: a handler waiting for the lock on top
     * of us could only spin. They come back as they were. */
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    if (!try_take()) {
        uint64_t t0 = rdtsc();
        while (!try_take()) {
            smp_flush_service(); /* the holder may wait for us */
            cpu_relax();
        }
        biglock_stats.contended++;
        biglock_stats.spin_tsc += rdtsc() - t0;
    }
    biglock_stats.taken++;
    big.owner = (int)smp_processor_id();
    if (flags & (1UL << 9))
        local_irq_enable();
    return true;
}

void biglock_release(void)
{
    big.owner = -1;
    __atomic_store_n(&big.locked, 0, __ATOMIC_RELEASE);
}
