/*
 * Measurements for bench/pv, inside the guest so that the same binary
 * times real Xen and veneer: a null hypercall's round trip, and an event
 * channel send until its upcall ran. They run only when selected
 * (only=bench) and print "pvtest: BENCH name ns=N" lines; bench/pv runs
 * them on both hypervisors and prints the ratios. Never timed assertions.
 */
#include "events.h"
#include "pvtest.h"
#include "time.h"

#define NULL_CALLS   20000
#define UPCALL_SENDS 5000

PVTEST(t_bench_null, "bench.null_hypercall",
       "the round trip of xen_version(XENVER_version), averaged")
{
    uint64_t t0 = pv_now();
    for (int i = 0; i < NULL_CALLS; i++)
        HC(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    uint64_t ns = (pv_now() - t0) / NULL_CALLS;
    printk("pvtest: BENCH null_hypercall ns=%lu\n", (unsigned long)ns);
    return PV_PASS;
}

PVTEST(t_bench_upcall, "bench.evtchn_upcall",
       "EVTCHNOP_send on an IPI port to ourselves until the upcall saw it, "
       "averaged")
{
    struct evtchn_bind_ipi b = {.vcpu = 0};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_bind_ipi, &b));
    struct evtchn_send s = {.port = b.port};
    evtchn_clear(b.port);
    events_enable();
    uint64_t t0 = pv_now();
    for (int i = 0; i < UPCALL_SENDS; i++) {
        uint32_t seen = evtchn_seen[b.port];
        hc_evtchn_op(EVTCHNOP_send, &s);
        /* The upcall runs on the way back from the send. */
        while (evtchn_seen[b.port] == seen)
            ;
    }
    uint64_t ns = (pv_now() - t0) / UPCALL_SENDS;
    events_disable();
    evtchn_close_port(b.port);
    printk("pvtest: BENCH evtchn_send_to_upcall ns=%lu\n", (unsigned long)ns);
    return PV_PASS;
}
