/*
 * SCHEDOP_watchdog: up to two watchdogs per domain (Xen's
 * NR_DOMAIN_WATCHDOG_TIMERS). Id 0 allocates one and arms it for `timeout`
 * seconds, returning its id (1 or 2); an id with a timeout re-arms it, with
 * 0 frees it. One that fires shuts the domain down with reason watchdog
 * (SHUTDOWN_watchdog), as Xen does.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/time.h>
#include <veneer/timer.h>
#include <veneer/vtime.h>

#define NR_WATCHDOGS 2
#define SECONDS(s)   ((uint64_t)(s)*1000000000ULL)

static void watchdog_fired(struct timer *t, void *data)
{
    struct domain *d = data;

    pr_info("d%u: watchdog %u fired\n", d->id,
            (unsigned int)(t - d->watchdog) + 1);
    domain_shutdown(d, SHUTDOWN_watchdog);
}

long domain_watchdog(struct domain *d, uint32_t id, uint32_t timeout)
{
    if (id > NR_WATCHDOGS)
        return -EINVAL;
    if (id == 0) {
        for (id = 0; id < NR_WATCHDOGS; id++) {
            if (d->watchdog_inuse & (1u << id))
                continue;
            d->watchdog_inuse |= 1u << id;
            timer_init(&d->watchdog[id], watchdog_fired, d);
            timer_set(&d->watchdog[id], now_ns() + SECONDS(timeout));
            return id + 1;
        }
        return -ENOSPC;
    }
    id--;
    if (!(d->watchdog_inuse & (1u << id)))
        return -EINVAL;
    if (timeout == 0) {
        timer_stop(&d->watchdog[id]);
        d->watchdog_inuse &= ~(1u << id);
    } else {
        timer_set(&d->watchdog[id], now_ns() + SECONDS(timeout));
    }
    return 0;
}

void domain_watchdogs_stop(struct domain *d)
{
    for (unsigned int i = 0; i < NR_WATCHDOGS; i++)
        timer_stop(&d->watchdog[i]);
    d->watchdog_inuse = 0;
}
