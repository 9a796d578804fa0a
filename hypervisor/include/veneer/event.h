/*
 * Event channels, 2-level ABI (pv-abi.md 8.1): the per-domain port table
 * and the one way the hypervisor raises an event, evtchn_set_pending().
 *
 * Ports live in buckets of EVTCHNS_PER_BUCKET, allocated on demand up to
 * the domain's port limit (at most EVTCHN_2L_NR_CHANNELS), so a domain
 * that binds ten ports costs one bucket, and a hostile one cannot make us
 * allocate more than the limit allows. Ports below `valid` have storage:
 * they are the ports Xen calls "valid" (a free one reads as closed), the
 * ones above are refused with -EINVAL, exactly as Xen does. Port 0 is
 * reserved for good.
 *
 * Locking: one pCPU for now, with callers either in a hypercall or in the
 * timer interrupt; the pending/mask/selector words in guest-visible memory
 * are changed with atomic operations because the guest writes them too.
 */
#ifndef VENEER_EVENT_H
#define VENEER_EVENT_H

#include <veneer/types.h>
#include <veneer/xen_abi.h>

struct domain;
struct vcpu;

#define EVTCHNS_PER_BUCKET 64
#define EVTCHN_BUCKETS     (EVTCHN_2L_NR_CHANNELS / EVTCHNS_PER_BUCKET)

enum evtchn_state {
    ECS_FREE = 0,
    ECS_RESERVED,    /* port 0 */
    ECS_UNBOUND,     /* waiting for u.unbound_remote to bind */
    ECS_INTERDOMAIN, /* connected to u.interdomain */
    ECS_PIRQ,        /* not offered yet (no hardware) */
    ECS_VIRQ,        /* u.virq of vCPU notify_vcpu */
    ECS_IPI,         /* notifies notify_vcpu of the same domain */
};

/* A hypervisor-attached port's consumer: the far end sent an event. */
typedef void (*evtchn_xen_fn)(struct domain *d, evtchn_port_t port);

struct evtchn {
    uint8_t state;       /* enum evtchn_state */
    uint8_t notify_vcpu; /* whose selector and upcall flag it raises */
    /* Set: the hypervisor owns this port (Xen's "Xen-attached consumer"):
     * the guest may bind to it but not send, close or look at it. */
    evtchn_xen_fn xen_consumer;
    union {
        domid_t unbound_remote;
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain;
        uint32_t virq;
    } u;
};

struct domain_evtchn {
    struct evtchn *bucket[EVTCHN_BUCKETS];
    unsigned int valid;    /* ports [0, valid) have storage */
    unsigned int max_port; /* highest port this domain may allocate */
    unsigned int active;   /* allocated ports, port 0 not counted */
    uint64_t poll_mask;    /* vCPUs waiting in SCHEDOP_poll */
};

/* Per-vCPU event state (in struct vcpu). */
struct vcpu_evtchn {
    evtchn_port_t virq_to_port[NR_VIRQS]; /* 0: not bound */
    int poll_port; /* in SCHEDOP_poll: 0 no, -1 any port, else the port */
};

/* Domain life: the port table with port 0 reserved; closing everything. */
int evtchn_init(struct domain *d, unsigned int max_port);
void evtchn_destroy(struct domain *d);

/* Raises `port` of `d` (section 8.1's set_pending). No-op for bad ports. */
void evtchn_set_pending(struct domain *d, evtchn_port_t port);
/* The hypervisor's own events: a per-vCPU VIRQ (TIMER, DEBUG) on v, or a
 * global one on vCPU 0's binding of d. Dropped when nothing is bound. */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
void send_guest_global_virq(struct domain *d, unsigned int virq);
/* A global VIRQ for the control domain (VIRQ_DOM_EXC, VIRQ_CONSOLE). */
void send_global_virq(unsigned int virq);
bool virq_is_global(unsigned int virq);

/* Upcall bookkeeping of section 4.6: sets evtchn_upcall_pending and kicks
 * the vCPU if it was clear. */
void vcpu_mark_events_pending(struct vcpu *v);

/*
 * Ports whose far end is the hypervisor itself (pv-abi.md 2.6: a domU's
 * console and xenstore before a backend domain exists). The hypervisor
 * allocates an unbound port in d accepting `remote` whose sends call fn;
 * the remote domain (or d itself, by evtchn_bind_interdomain()) binds to
 * it, and evtchn_notify_via_xen() raises that remote end.
 */
int evtchn_alloc_unbound_xen(struct domain *d, domid_t remote,
                             evtchn_xen_fn fn);
void evtchn_notify_via_xen(struct domain *d, evtchn_port_t xen_port);
/* Closes a port whoever owns it (teardown); evtchn_close() is the guest's
 * and refuses hypervisor-attached ports. */
void evtchn_close_any(struct domain *d, evtchn_port_t port);

/* For SCHEDOP_poll: 1 pending, 0 not, -EINVAL for a port that is not in
 * use. */
int evtchn_port_poll(struct domain *d, evtchn_port_t port);

/*
 * Wakes v if it waits in SCHEDOP_block or SCHEDOP_poll (sched_op.c; the
 * host unit test provides its own to watch the wake-ups).
 */
void vcpu_kick(struct vcpu *v);

/* The operations behind EVTCHNOP_*, for callers inside the hypervisor
 * (the hypercall, the domain builder, tests); guest structures in, Xen
 * errno out. `self` is the calling domain (DOMID_SELF resolves to it). */
int evtchn_alloc_unbound(struct domain *self, struct evtchn_alloc_unbound *a);
int evtchn_bind_interdomain(struct domain *self,
                            struct evtchn_bind_interdomain *b);
int evtchn_bind_virq(struct domain *self, struct evtchn_bind_virq *b);
int evtchn_bind_ipi(struct domain *self, struct evtchn_bind_ipi *b);
int evtchn_close(struct domain *d, evtchn_port_t port);
int evtchn_send(struct domain *d, evtchn_port_t port);
int evtchn_status(struct domain *self, struct evtchn_status *s);
int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, unsigned int vcpu);
int evtchn_unmask(struct domain *d, evtchn_port_t port);
int evtchn_reset(struct domain *self, domid_t dom);

/* Prints d's ports and upcall flags (common/event_dump.c; debug keys). */
void evtchn_dump(const struct domain *d);

/* The state of a port, for dumps and tests; NULL if it has no storage. */
const struct evtchn *evtchn_lookup(const struct domain *d, evtchn_port_t port);

#endif
