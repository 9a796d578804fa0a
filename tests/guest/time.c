/* System time: version-guarded read of vcpu_time_info (odd = being
 * updated), scaled TSC delta added to system_time. */
#include "events.h"
#include "time.h"

uint64_t pv_now(void)
{
    volatile struct vcpu_time_info *t = &pv.vcpu->time;
    uint32_t ver;
    uint64_t now;
    do {
        ver = t->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint64_t delta = rdtsc() - t->tsc_timestamp;
        int8_t shift = t->tsc_shift;
        if (shift < 0)
            delta >>= -shift;
        else
            delta <<= shift;
        now =
            t->system_time +
            (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((ver & 1) || ver != t->version);
    return now;
}

int pv_block_until_seen(unsigned port, unsigned tries)
{
    while (tries-- && !evtchn_seen[port]) {
        /* Block enables events; the upcall runs before it returns. */
        hc_sched_op(SCHEDOP_block, NULL);
        events_disable();
    }
    return evtchn_seen[port] != 0;
}
