/*
 * The event upcall for the 2-level ABI: clear upcall_pending, take the
 * selector word with an atomic exchange, and for every pending, unmasked
 * port clear its bit and count it. Tests look at the counts.
 */
#include "events.h"

volatile uint32_t evtchn_seen[PV_NR_PORTS];
volatile uint64_t upcall_count;

static struct vcpu_info *vcpu0(void)
{
    return pv.vcpu;
}

void events_upcall(void)
{
    struct vcpu_info *v = vcpu0();
    upcall_count++;
    do {
        v->evtchn_upcall_pending = 0;
        unsigned long sel =
            __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned w = __builtin_ctzl(sel);
            sel &= sel - 1;
            unsigned long bits =
                pv.shared->evtchn_pending[w] & ~pv.shared->evtchn_mask[w];
            while (bits) {
                unsigned b = __builtin_ctzl(bits);
                bits &= bits - 1;
                __atomic_fetch_and(&pv.shared->evtchn_pending[w], ~(1UL << b),
                                   __ATOMIC_SEQ_CST);
                evtchn_seen[w * 64 + b]++;
            }
        }
    } while (v->evtchn_upcall_pending);
}

void events_enable(void)
{
    struct vcpu_info *v = vcpu0();
    v->evtchn_upcall_mask = 0;
    barrier();
    if (v->evtchn_upcall_pending)
        hc_xen_version(XENVER_version, NULL);
}

void events_disable(void)
{
    vcpu0()->evtchn_upcall_mask = 1;
    barrier();
}

void evtchn_close_port(evtchn_port_t port)
{
    struct evtchn_close c = {.port = port};
    hc_evtchn_op(EVTCHNOP_close, &c);
}

int evtchn_is_pending(evtchn_port_t port)
{
    return (pv.shared->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

void evtchn_set_mask(evtchn_port_t port, int masked)
{
    unsigned long bit = 1UL << (port % 64);
    if (masked)
        __atomic_fetch_or(&pv.shared->evtchn_mask[port / 64], bit,
                          __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&pv.shared->evtchn_mask[port / 64], ~bit,
                           __ATOMIC_SEQ_CST);
}

void evtchn_clear(evtchn_port_t port)
{
    __atomic_fetch_and(&pv.shared->evtchn_pending[port / 64],
                       ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
    evtchn_seen[port] = 0;
}

domid_t pv_domid(void)
{
    /* An unbound port accepting DOMID_SELF reports our real id. */
    if (!pv.domid_known) {
        struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
                                         .remote_dom = DOMID_SELF};
        if (hc_evtchn_op(EVTCHNOP_alloc_unbound, &a))
            return DOMID_SELF;
        struct evtchn_status st = {.dom = DOMID_SELF, .port = a.port};
        if (!hc_evtchn_op(EVTCHNOP_status, &st)) {
            pv.domid = st.u.unbound.dom;
            pv.domid_known = 1;
        }
        evtchn_close_port(a.port);
    }
    return pv.domid_known ? pv.domid : DOMID_SELF;
}
