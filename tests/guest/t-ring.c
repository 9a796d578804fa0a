/* The console ring of a domU (start_info console.domU): its backend
 * (xenconsoled under Xen, the hypervisor itself on veneer) drains what we
 * write and signals back. The boot table checks the line reaches the log. */
#include "events.h"
#include "mm.h"
#include "time.h"

#include <xen/io/console.h> /* after xen.h: it needs uint32_t */

PVTEST(t_console_ring, "console.ring",
       "a line written to our console ring and signalled is consumed, and "
       "the backend signals back")
{
    static const char line[] = "pvtest: ring: hello from the console ring\n";
    start_info_t *si = pv.si;

    if (si->flags & SIF_INITDOMAIN)
        SKIP("the initial domain has no console ring");
    evtchn_port_t port = si->console.domU.evtchn;
    CHECK(port != 0);
    volatile struct xencons_interface *r =
        pfn_to_va(mfn_to_pfn(si->console.domU.mfn));
    XENCONS_RING_IDX prod = r->out_prod;
    CHECK((size_t)(prod - r->out_cons) <= sizeof(r->out) - (sizeof(line) - 1));
    for (size_t i = 0; i < sizeof(line) - 1; i++)
        r->out[MASK_XENCONS_IDX(prod + i, r->out)] = line[i];
    __atomic_thread_fence(__ATOMIC_RELEASE);
    r->out_prod = prod + sizeof(line) - 1;
    evtchn_clear(port);
    struct evtchn_send s = {.port = port};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_send, &s));
    /* Wait (bounded) for the backend's signal that it took the bytes. */
    struct sched_poll poll = {.nr_ports = 1};
    set_xen_guest_handle(poll.ports, &port);
    uint64_t give_up = pv_now() + 5000000000ULL;
    while (r->out_cons != r->out_prod && pv_now() < give_up) {
        poll.timeout = pv_now() + 100000000ULL;
        hc_sched_op(SCHEDOP_poll, &poll);
    }
    CHECK_EQ(r->out_cons, r->out_prod);
    CHECK(evtchn_is_pending(port));
    evtchn_clear(port);
    return PV_PASS;
}
