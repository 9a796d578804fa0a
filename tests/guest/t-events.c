/* Event-channel cases (2-level ABI): unbound and loopback interdomain
 * pairs, IPIs, VIRQ binding, masking, and refused ports. */
#include "events.h"

static long alloc_unbound(evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
                                     .remote_dom = DOMID_SELF};
    long rc = hc_evtchn_op(EVTCHNOP_alloc_unbound, &a);
    *port = a.port;
    return rc;
}

static long bind_ipi(evtchn_port_t *port)
{
    struct evtchn_bind_ipi b = {.vcpu = 0};
    long rc = hc_evtchn_op(EVTCHNOP_bind_ipi, &b);
    *port = b.port;
    return rc;
}

static long send(evtchn_port_t port)
{
    struct evtchn_send s = {.port = port};
    return hc_evtchn_op(EVTCHNOP_send, &s);
}

static long status(evtchn_port_t port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = port;
    return hc_evtchn_op(EVTCHNOP_status, st);
}

PVTEST(t_ev_unbound, "evtchn.alloc_unbound",
       "alloc_unbound gives a port > 0 whose status is unbound to us; "
       "close frees it")
{
    evtchn_port_t p;
    CHECK_OK(alloc_unbound(&p));
    CHECK(p > 0 && p < PV_NR_PORTS);
    struct evtchn_status st;
    CHECK_OK(status(p, &st));
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    printk("pvtest: unbound port %u accepts domain %u\n", p, st.u.unbound.dom);
    CHECK(st.u.unbound.dom != DOMID_SELF);
    /* Sending on an unbound port is silently dropped. */
    CHECK_OK(send(p));
    CHECK(!evtchn_is_pending(p));
    struct evtchn_close c = {.port = p};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_close, &c));
    CHECK_OK(status(p, &st));
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    return PV_PASS;
}

PVTEST(t_ev_loopback, "evtchn.interdomain_loopback",
       "bind_interdomain to our own unbound port; each end's send raises "
       "the other's upcall")
{
    evtchn_port_t a, b;
    CHECK_OK(alloc_unbound(&a));
    struct evtchn_bind_interdomain bi = {.remote_dom = DOMID_SELF,
                                         .remote_port = a};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_bind_interdomain, &bi));
    b = bi.local_port;
    CHECK(b != a);
    struct evtchn_status st;
    CHECK_OK(status(a, &st));
    CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
    CHECK_EQ(st.u.interdomain.port, b);
    evtchn_clear(a);
    evtchn_clear(b);
    CHECK_OK(send(b));
    CHECK(evtchn_is_pending(a));
    events_enable();
    events_disable();
    CHECK_EQ(evtchn_seen[a], 1);
    CHECK_OK(send(a));
    events_enable();
    events_disable();
    CHECK_EQ(evtchn_seen[b], 1);
    /* Closing one end leaves the other unbound. */
    evtchn_close_port(b);
    CHECK_OK(status(a, &st));
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    evtchn_close_port(a);
    return PV_PASS;
}

PVTEST(t_ev_ipi, "evtchn.ipi",
       "an IPI to ourselves stays pending while events are masked and is "
       "delivered once when they are enabled")
{
    evtchn_port_t p;
    CHECK_OK(bind_ipi(&p));
    evtchn_clear(p);
    uint64_t before = upcall_count;
    CHECK_OK(send(p));
    CHECK(evtchn_is_pending(p));
    CHECK(pv.vcpu->evtchn_upcall_pending);
    CHECK_EQ(upcall_count, before);
    events_enable();
    events_disable();
    CHECK_EQ(evtchn_seen[p], 1);
    CHECK(upcall_count > before);
    struct evtchn_status st;
    CHECK_OK(status(p, &st));
    CHECK_EQ(st.status, EVTCHNSTAT_ipi);
    evtchn_close_port(p);
    return PV_PASS;
}

PVTEST(t_ev_mask, "evtchn.mask_unmask",
       "a masked port gets pending but no upcall; EVTCHNOP_unmask raises "
       "the upcall it missed")
{
    evtchn_port_t p;
    CHECK_OK(bind_ipi(&p));
    evtchn_clear(p);
    evtchn_set_mask(p, 1);
    pv.vcpu->evtchn_upcall_pending = 0;
    __atomic_fetch_and(&pv.vcpu->evtchn_pending_sel, ~(1UL << (p / 64)),
                       __ATOMIC_SEQ_CST);
    CHECK_OK(send(p));
    CHECK(evtchn_is_pending(p));
    CHECK_EQ(pv.vcpu->evtchn_upcall_pending, 0);
    events_enable();
    events_disable();
    CHECK_EQ(evtchn_seen[p], 0);
    struct evtchn_unmask u = {.port = p};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_unmask, &u));
    CHECK_EQ(pv.shared->evtchn_mask[p / 64] & (1UL << (p % 64)), 0);
    CHECK(pv.vcpu->evtchn_upcall_pending);
    events_enable();
    events_disable();
    CHECK_EQ(evtchn_seen[p], 1);
    evtchn_close_port(p);
    return PV_PASS;
}

PVTEST(t_ev_virq, "evtchn.bind_virq",
       "bind_virq(VIRQ_DEBUG) gives a port with virq status; binding it "
       "again is -EEXIST; a bad VIRQ is -EINVAL, a missing vCPU -ENOENT")
{
    struct evtchn_bind_virq bv = {.virq = VIRQ_DEBUG, .vcpu = 0};
    CHECK_OK(hc_evtchn_op(EVTCHNOP_bind_virq, &bv));
    evtchn_port_t p = bv.port;
    struct evtchn_status st;
    CHECK_OK(status(p, &st));
    CHECK_EQ(st.status, EVTCHNSTAT_virq);
    CHECK_EQ(st.u.virq, VIRQ_DEBUG);
    struct evtchn_bind_virq again = {.virq = VIRQ_DEBUG, .vcpu = 0};
    long rc_again = hc_evtchn_op(EVTCHNOP_bind_virq, &again);
    evtchn_close_port(p);
    CHECK_EQ(rc_again, -XEN_EEXIST);
    struct evtchn_bind_virq bad = {.virq = NR_VIRQS, .vcpu = 0};
    CHECK_EQ(hc_evtchn_op(EVTCHNOP_bind_virq, &bad), -XEN_EINVAL);
    struct evtchn_bind_virq novcpu = {.virq = VIRQ_TIMER, .vcpu = 100};
    CHECK_EQ(hc_evtchn_op(EVTCHNOP_bind_virq, &novcpu), -XEN_ENOENT);
    /* A global VIRQ on another vCPU is refused before the vCPU is even
     * looked up. */
    struct evtchn_bind_virq global = {.virq = VIRQ_DOM_EXC, .vcpu = 100};
    CHECK_EQ(hc_evtchn_op(EVTCHNOP_bind_virq, &global), -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_ev_bad_ports, "evtchn.bad_ports",
       "send/close/unmask/status on port 0, a free port and a huge port "
       "are refused")
{
    struct evtchn_send s0 = {.port = 0};
    struct evtchn_send sbig = {.port = 1u << 20};
    struct evtchn_close cbig = {.port = 1u << 20};
    struct evtchn_unmask ubig = {.port = 1u << 20};
    long r_s0 = hc_evtchn_op(EVTCHNOP_send, &s0);
    long r_sbig = hc_evtchn_op(EVTCHNOP_send, &sbig);
    long r_cbig = hc_evtchn_op(EVTCHNOP_close, &cbig);
    long r_ubig = hc_evtchn_op(EVTCHNOP_unmask, &ubig);
    struct evtchn_status st;
    long r_stbig = status(1u << 20, &st);
    printk("pvtest: send 0 %ld, send big %ld, close big %ld, unmask big "
           "%ld, status big %ld\n",
           r_s0, r_sbig, r_cbig, r_ubig, r_stbig);
    CHECK_EQ(r_s0, -XEN_EINVAL);
    CHECK_EQ(r_sbig, -XEN_EINVAL);
    CHECK_EQ(r_cbig, -XEN_EINVAL);
    CHECK_EQ(r_ubig, -XEN_EINVAL);
    CHECK_EQ(r_stbig, -XEN_EINVAL);
    /* A port that was allocated and closed: send is refused. */
    evtchn_port_t p;
    CHECK_OK(alloc_unbound(&p));
    evtchn_close_port(p);
    struct evtchn_send sp = {.port = p};
    CHECK_EQ(hc_evtchn_op(EVTCHNOP_send, &sp), -XEN_EINVAL);
    /* Binding to a port that is not unbound (an IPI) is refused. */
    evtchn_port_t ipi;
    CHECK_OK(bind_ipi(&ipi));
    struct evtchn_bind_interdomain bi = {.remote_dom = DOMID_SELF,
                                         .remote_port = ipi};
    long r_bi = hc_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    evtchn_close_port(ipi);
    CHECK_EQ(r_bi, -XEN_EINVAL);
    /* An unknown command. */
    CHECK_EQ(hc_evtchn_op(999, &st), -XEN_ENOSYS);
    return PV_PASS;
}

PVTEST(t_ev_lowest_free, "evtchn.lowest_free",
       "allocation returns the lowest free port: a closed port is handed "
       "out again")
{
    evtchn_port_t a, b, c;
    CHECK_OK(alloc_unbound(&a));
    CHECK_OK(alloc_unbound(&b));
    CHECK(b > a);
    evtchn_close_port(a);
    CHECK_OK(alloc_unbound(&c));
    evtchn_close_port(b);
    evtchn_close_port(c);
    CHECK_EQ(c, a);
    return PV_PASS;
}
