/* sched_op cases: yield, block (woken by an event), poll, bad input. */
#include "events.h"
#include "time.h"

static long ipi_pending(evtchn_port_t *port)
{
    struct evtchn_bind_ipi b = {.vcpu = 0};
    long rc = hc_evtchn_op(EVTCHNOP_bind_ipi, &b);
    if (rc)
        return rc;
    *port = b.port;
    evtchn_clear(b.port);
    struct evtchn_send s = {.port = b.port};
    return hc_evtchn_op(EVTCHNOP_send, &s);
}

PVTEST(t_sched_yield, "sched.yield", "SCHEDOP_yield returns 0")
{
    CHECK_OK(hc_sched_op(SCHEDOP_yield, NULL));
    return PV_PASS;
}

PVTEST(t_sched_block, "sched.block",
       "SCHEDOP_block with an event pending returns at once, enables "
       "events and delivers the upcall")
{
    evtchn_port_t p;
    CHECK_OK(ipi_pending(&p));
    CHECK_OK(hc_sched_op(SCHEDOP_block, NULL));
    uint8_t mask = pv.vcpu->evtchn_upcall_mask;
    events_disable();
    unsigned seen = evtchn_seen[p];
    evtchn_close_port(p);
    CHECK_EQ(mask, 0);
    CHECK_EQ(seen, 1);
    return PV_PASS;
}

PVTEST(t_sched_poll, "sched.poll",
       "SCHEDOP_poll returns at once for a pending port, and after its "
       "timeout for an idle one, with events still masked")
{
    evtchn_port_t p;
    CHECK_OK(ipi_pending(&p));
    struct sched_poll poll = {.nr_ports = 1, .timeout = 0};
    set_xen_guest_handle(poll.ports, &p);
    long rc1 = hc_sched_op(SCHEDOP_poll, &poll);
    evtchn_clear(p);
    poll.timeout = pv_now() + 1000000;
    long rc2 = hc_sched_op(SCHEDOP_poll, &poll);
    uint8_t mask = pv.vcpu->evtchn_upcall_mask;
    evtchn_close_port(p);
    CHECK_OK(rc1);
    CHECK_OK(rc2);
    CHECK_EQ(mask, 1);
    /* Nothing else can end it: the upcall flag the IPI left behind does
     * not, with events masked. */
    CHECK(pv_now() >= poll.timeout);
    return PV_PASS;
}

PVTEST(t_sched_bad, "sched.bad_input",
       "poll with too many or invalid ports, and unknown sched_op "
       "commands, are refused")
{
    evtchn_port_t ports[129] = {0};
    struct sched_poll poll = {.nr_ports = 129, .timeout = 1};
    set_xen_guest_handle(poll.ports, ports);
    long r_many = hc_sched_op(SCHEDOP_poll, &poll);
    evtchn_port_t bad = 1u << 20;
    struct sched_poll poll2 = {.nr_ports = 1, .timeout = 1};
    set_xen_guest_handle(poll2.ports, &bad);
    long r_bad = hc_sched_op(SCHEDOP_poll, &poll2);
    long r_cmd = hc_sched_op(99, NULL);
    printk("pvtest: poll 129 ports %ld, bad port %ld, cmd 99 %ld\n", r_many,
           r_bad, r_cmd);
    CHECK_EQ(r_many, -XEN_EINVAL);
    CHECK_EQ(r_bad, -XEN_EINVAL);
    CHECK_EQ(r_cmd, -XEN_ENOSYS);
    return PV_PASS;
}
