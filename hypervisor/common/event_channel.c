/*
 * Event channels, 2-level ABI (pv-abi.md 8.1): the port table of each
 * domain, binding and closing ports, raising events in shared_info, and
 * the event_channel_op hypercall. Error numbers follow Xen 4.17 case by
 * case, because Linux decides what to do from them (-EEXIST on bind_virq
 * makes it search with status, -ENOSYS on init_control makes it fall back
 * from FIFO to this ABI).
 *
 * Portable: the host unit test builds this file with its own domains,
 * copy_from_guest/copy_to_guest and vcpu_kick.
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/event.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/lib.h>
#include <veneer/mm.h>

#define BITS_PER_WORD 64

static struct evtchn *port_to_evtchn(const struct domain *d, evtchn_port_t port)
{
    return &d->evtchn
                .bucket[port / EVTCHNS_PER_BUCKET][port % EVTCHNS_PER_BUCKET];
}

/* Xen's port_is_valid: the port has storage (it may be free). */
const struct evtchn *evtchn_lookup(const struct domain *d, evtchn_port_t port)
{
    return port < d->evtchn.valid ? port_to_evtchn(d, port) : NULL;
}

static struct evtchn *lookup(struct domain *d, evtchn_port_t port)
{
    return port < d->evtchn.valid ? port_to_evtchn(d, port) : NULL;
}

/* A port a guest may raise, mask or poll: bound or waiting to be bound,
 * and not the hypervisor's own end of a channel. */
static bool usable(const struct evtchn *chn)
{
    return chn->state > ECS_RESERVED && !chn->xen_consumer;
}

bool virq_is_global(unsigned int virq)
{
    switch (virq) {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return false;
    }
    return true; /* including every VIRQ_ARCH_n on x86 */
}

static struct vcpu *domain_vcpu(struct domain *d, unsigned int id)
{
    return id < d->nr_vcpus ? d->vcpus[id] : NULL;
}

/* DOMID_SELF or an existing domain (Xen's rcu_lock_domain_by_any_id). */
static struct domain *domain_by_any_id(struct domain *self, domid_t id)
{
    return id == DOMID_SELF ? self : domain_by_id(id);
}

/* ---- the port table ---------------------------------------------------- */

/* Gives every port up to `port` storage. The table only grows. */
static int grow_to(struct domain *d, evtchn_port_t port)
{
    struct domain_evtchn *e = &d->evtchn;

    while (port >= e->valid) {
        struct evtchn *b = xzalloc(EVTCHNS_PER_BUCKET * sizeof(*b));
        if (!b)
            return -ENOMEM;
        e->bucket[e->valid / EVTCHNS_PER_BUCKET] = b;
        e->valid += EVTCHNS_PER_BUCKET;
    }
    return 0;
}

/* The lowest free port, with storage; -ENOSPC past the domain's limit. */
static int get_free_port(struct domain *d)
{
    struct domain_evtchn *e = &d->evtchn;

    if (d->state == DOMAIN_DEAD)
        return -EINVAL;
    for (evtchn_port_t port = 0; port <= e->max_port; port++) {
        if (port >= e->valid) {
            int rc = grow_to(d, port);
            if (rc)
                return rc;
        }
        if (port_to_evtchn(d, port)->state == ECS_FREE) {
            e->active++;
            return (int)port;
        }
    }
    return -ENOSPC;
}

static void clear_pending(struct domain *d, evtchn_port_t port)
{
    if (!d->shared_info)
        return;
    __atomic_fetch_and(&d->shared_info->evtchn_pending[port / BITS_PER_WORD],
                       ~(1UL << (port % BITS_PER_WORD)), __ATOMIC_SEQ_CST);
}

static void free_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn *chn = port_to_evtchn(d, port);

    /* A stale pending bit would fire on whatever binds the port next. */
    clear_pending(d, port);
    *chn = (struct evtchn){.state = ECS_FREE, .xen_consumer = NULL};
    d->evtchn.active--;
}

int evtchn_init(struct domain *d, unsigned int max_port)
{
    struct domain_evtchn *e = &d->evtchn;

    memset(e, 0, sizeof(*e));
    e->max_port = MIN(max_port, (unsigned int)EVTCHN_2L_NR_CHANNELS - 1);
    if (grow_to(d, 0))
        return -ENOMEM;
    port_to_evtchn(d, 0)->state = ECS_RESERVED;
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        memset(&d->vcpus[i]->evtchn, 0, sizeof(d->vcpus[i]->evtchn));
    return 0;
}

void evtchn_destroy(struct domain *d)
{
    struct domain_evtchn *e = &d->evtchn;

    /* Closing each port first makes interdomain peers unbound again. */
    for (evtchn_port_t port = 1; port < e->valid; port++) {
        if (port_to_evtchn(d, port)->state != ECS_FREE)
            evtchn_close_any(d, port);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(e->bucket); i++) {
        xfree(e->bucket[i]);
        e->bucket[i] = NULL;
    }
    e->valid = 0;
}

/* ---- raising events ---------------------------------------------------- */

static bool test_and_set(uint64_t *word, unsigned int bit)
{
    uint64_t m = 1UL << bit;
    return __atomic_fetch_or(word, m, __ATOMIC_SEQ_CST) & m;
}

static bool test_and_clear(uint64_t *word, unsigned int bit)
{
    uint64_t m = 1UL << bit;
    return __atomic_fetch_and(word, ~m, __ATOMIC_SEQ_CST) & m;
}

static bool test(const uint64_t *word, unsigned int bit)
{
    return (__atomic_load_n(word, __ATOMIC_SEQ_CST) >> bit) & 1;
}

void vcpu_mark_events_pending(struct vcpu *v)
{
    struct vcpu_info *vi = v->vcpu_info;

    if (!vi)
        return;
    if (__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        return;
    vcpu_kick(v);
}

/* Wakes the vCPUs polling this port, or polling any port. */
static void check_pollers(struct domain *d, evtchn_port_t port)
{
    uint64_t mask = d->evtchn.poll_mask;

    while (mask) {
        unsigned int id = (unsigned int)__builtin_ctzll(mask);
        mask &= mask - 1;
        struct vcpu *v = domain_vcpu(d, id);
        if (!v)
            continue;
        if (v->evtchn.poll_port <= 0 ||
            (evtchn_port_t)v->evtchn.poll_port == port) {
            d->evtchn.poll_mask &= ~(1UL << id);
            v->evtchn.poll_port = 0;
            vcpu_kick(v);
        }
    }
}

/* The 2-level set_pending of section 8.1, for a port known to be usable. */
static void set_pending(struct domain *d, evtchn_port_t port,
                        const struct evtchn *chn)
{
    struct shared_info *s = d->shared_info;
    struct vcpu *v = domain_vcpu(d, chn->notify_vcpu);
    unsigned int word = port / BITS_PER_WORD, bit = port % BITS_PER_WORD;

    if (!s || !v)
        return;
    if (test_and_set((uint64_t *)&s->evtchn_pending[word], bit))
        return;
    if (!test((uint64_t *)&s->evtchn_mask[word], bit) && v->vcpu_info &&
        !test_and_set((uint64_t *)&v->vcpu_info->evtchn_pending_sel, word))
        vcpu_mark_events_pending(v);
    check_pollers(d, port);
}

void evtchn_set_pending(struct domain *d, evtchn_port_t port)
{
    const struct evtchn *chn = lookup(d, port);

    if (chn && usable(chn))
        set_pending(d, port, chn);
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    if (virq >= NR_VIRQS || virq_is_global(virq))
        return;
    evtchn_port_t port = v->evtchn.virq_to_port[virq];
    if (port)
        evtchn_set_pending(v->domain, port);
}

void send_guest_global_virq(struct domain *d, unsigned int virq)
{
    struct vcpu *v0;

    if (!d || virq >= NR_VIRQS || !virq_is_global(virq))
        return;
    v0 = domain_vcpu(d, 0);
    if (v0 && v0->evtchn.virq_to_port[virq])
        evtchn_set_pending(d, v0->evtchn.virq_to_port[virq]);
}

void send_global_virq(unsigned int virq)
{
    /* The hardware domain takes them (Xen's default global VIRQ handler). */
    for (unsigned int i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = domain_by_id((domid_t)i);
        if (d && d->privileged) {
            send_guest_global_virq(d, virq);
            return;
        }
    }
}

int evtchn_port_poll(struct domain *d, evtchn_port_t port)
{
    const struct evtchn *chn = lookup(d, port);

    if (!chn || !usable(chn))
        return -EINVAL;
    if (!d->shared_info)
        return 0;
    return test(
        (uint64_t *)&d->shared_info->evtchn_pending[port / BITS_PER_WORD],
        port % BITS_PER_WORD);
}

/* ---- the operations ---------------------------------------------------- */

int evtchn_alloc_unbound(struct domain *self, struct evtchn_alloc_unbound *a)
{
    struct domain *d = domain_by_any_id(self, a->dom);
    int port;

    if (!d)
        return -ESRCH;
    /* Xen's XSM_TARGET check: only the control domain acts for others. */
    if (d != self && !self->privileged)
        return -EPERM;
    port = get_free_port(d);
    if (port < 0)
        return port;
    struct evtchn *chn = port_to_evtchn(d, (evtchn_port_t)port);
    chn->state = ECS_UNBOUND;
    chn->u.unbound_remote =
        a->remote_dom == DOMID_SELF ? self->id : a->remote_dom;
    a->port = (evtchn_port_t)port;
    return 0;
}

int evtchn_bind_interdomain(struct domain *self,
                            struct evtchn_bind_interdomain *b)
{
    struct domain *rd = domain_by_any_id(self, b->remote_dom);
    struct evtchn *lchn, *rchn;
    int lport;

    if (!rd)
        return -ESRCH;
    lport = get_free_port(self);
    if (lport < 0)
        return lport;
    lchn = port_to_evtchn(self, (evtchn_port_t)lport);
    rchn = lookup(rd, b->remote_port);
    /* The remote port must be waiting for us; a loopback to ourselves
     * cannot be the port just allocated, which is still free. */
    if (!rchn || rchn->state != ECS_UNBOUND ||
        rchn->u.unbound_remote != self->id) {
        self->evtchn.active--; /* give the local port back */
        return -EINVAL;
    }
    lchn->state = ECS_INTERDOMAIN;
    lchn->u.interdomain.dom = rd->id;
    lchn->u.interdomain.port = b->remote_port;
    rchn->state = ECS_INTERDOMAIN;
    rchn->u.interdomain.dom = self->id;
    rchn->u.interdomain.port = (evtchn_port_t)lport;
    /* Events sent to the unbound port were dropped: make up for any. */
    set_pending(self, (evtchn_port_t)lport, lchn);
    b->local_port = (evtchn_port_t)lport;
    return 0;
}

int evtchn_bind_virq(struct domain *self, struct evtchn_bind_virq *b)
{
    struct vcpu *v;
    int port;

    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    if (virq_is_global(b->virq) && b->vcpu != 0)
        return -EINVAL;
    v = domain_vcpu(self, b->vcpu);
    if (!v)
        return -ENOENT;
    if (v->evtchn.virq_to_port[b->virq])
        return -EEXIST;
    port = get_free_port(self);
    if (port < 0)
        return port;
    struct evtchn *chn = port_to_evtchn(self, (evtchn_port_t)port);
    chn->state = ECS_VIRQ;
    chn->notify_vcpu = (uint8_t)b->vcpu;
    chn->u.virq = b->virq;
    v->evtchn.virq_to_port[b->virq] = (evtchn_port_t)port;
    b->port = (evtchn_port_t)port;
    return 0;
}

int evtchn_bind_ipi(struct domain *self, struct evtchn_bind_ipi *b)
{
    int port;

    if (!domain_vcpu(self, b->vcpu))
        return -ENOENT;
    port = get_free_port(self);
    if (port < 0)
        return port;
    struct evtchn *chn = port_to_evtchn(self, (evtchn_port_t)port);
    chn->state = ECS_IPI;
    chn->notify_vcpu = (uint8_t)b->vcpu;
    b->port = (evtchn_port_t)port;
    return 0;
}

static int close_port(struct domain *d, evtchn_port_t port, bool guest)
{
    struct evtchn *chn = lookup(d, port);

    if (!chn)
        return -EINVAL;
    if (guest && chn->xen_consumer)
        return -EINVAL; /* the hypervisor's end is not the guest's */
    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
    case ECS_PIRQ: /* never bound: nothing offers PIRQs yet */
        return -EINVAL;
    case ECS_UNBOUND:
    case ECS_IPI:
        break;
    case ECS_VIRQ: {
        unsigned int owner = virq_is_global(chn->u.virq) ? 0 : chn->notify_vcpu;
        struct vcpu *v = domain_vcpu(d, owner);
        if (v && v->evtchn.virq_to_port[chn->u.virq] == port)
            v->evtchn.virq_to_port[chn->u.virq] = 0;
        break;
    }
    case ECS_INTERDOMAIN: {
        /* The far end goes back to waiting for us. */
        struct domain *rd = domain_by_id(chn->u.interdomain.dom);
        struct evtchn *rchn = rd ? lookup(rd, chn->u.interdomain.port) : NULL;
        if (rchn && rchn->state == ECS_INTERDOMAIN &&
            rchn->u.interdomain.dom == d->id &&
            rchn->u.interdomain.port == port) {
            rchn->state = ECS_UNBOUND;
            rchn->u.unbound_remote = d->id;
        }
        break;
    }
    }
    free_port(d, port);
    return 0;
}

int evtchn_close(struct domain *d, evtchn_port_t port)
{
    return close_port(d, port, true);
}

void evtchn_close_any(struct domain *d, evtchn_port_t port)
{
    close_port(d, port, false);
}

int evtchn_send(struct domain *d, evtchn_port_t port)
{
    const struct evtchn *chn = lookup(d, port);

    if (!chn || chn->xen_consumer)
        return -EINVAL; /* the guest cannot send on the hypervisor's end */
    switch (chn->state) {
    case ECS_INTERDOMAIN: {
        struct domain *rd = domain_by_id(chn->u.interdomain.dom);
        const struct evtchn *rchn =
            rd ? lookup(rd, chn->u.interdomain.port) : NULL;
        if (rchn && rchn->xen_consumer)
            rchn->xen_consumer(rd, chn->u.interdomain.port);
        else if (rchn && usable(rchn))
            set_pending(rd, chn->u.interdomain.port, rchn);
        return 0;
    }
    case ECS_IPI:
        set_pending(d, port, chn);
        return 0;
    case ECS_UNBOUND:
        return 0; /* nobody listens yet: dropped, as Xen does */
    }
    return -EINVAL;
}

int evtchn_status(struct domain *self, struct evtchn_status *s)
{
    struct domain *d = domain_by_any_id(self, s->dom);
    const struct evtchn *chn;

    if (!d)
        return -ESRCH;
    chn = lookup(d, s->port);
    if (!chn)
        return -EINVAL;
    if (chn->xen_consumer)
        return -EACCES;
    if (d != self && !self->privileged)
        return -EPERM;
    memset(&s->u, 0, sizeof(s->u));
    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        s->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        s->status = EVTCHNSTAT_unbound;
        s->u.unbound.dom = chn->u.unbound_remote;
        break;
    case ECS_INTERDOMAIN:
        s->status = EVTCHNSTAT_interdomain;
        s->u.interdomain.dom = chn->u.interdomain.dom;
        s->u.interdomain.port = chn->u.interdomain.port;
        break;
    case ECS_PIRQ:
        s->status = EVTCHNSTAT_pirq;
        break;
    case ECS_VIRQ:
        s->status = EVTCHNSTAT_virq;
        s->u.virq = chn->u.virq;
        break;
    case ECS_IPI:
        s->status = EVTCHNSTAT_ipi;
        break;
    }
    s->vcpu = chn->notify_vcpu;
    return 0;
}

int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, unsigned int vcpu)
{
    struct evtchn *chn;

    if (!domain_vcpu(d, vcpu))
        return -ENOENT;
    chn = lookup(d, port);
    if (!chn || chn->xen_consumer)
        return -EINVAL;
    switch (chn->state) {
    case ECS_VIRQ:
        /* A per-vCPU VIRQ belongs to its vCPU. */
        if (!virq_is_global(chn->u.virq))
            return -EINVAL;
        break;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        break;
    default:
        return -EINVAL;
    }
    chn->notify_vcpu = (uint8_t)vcpu;
    return 0;
}

int evtchn_unmask(struct domain *d, evtchn_port_t port)
{
    const struct evtchn *chn = lookup(d, port);
    struct shared_info *s = d->shared_info;
    unsigned int word = port / BITS_PER_WORD, bit = port % BITS_PER_WORD;
    struct vcpu *v;

    if (!chn)
        return -EINVAL;
    if (!usable(chn) || !s)
        return 0; /* Xen leaves free ports' bits alone and says 0 */
    v = domain_vcpu(d, chn->notify_vcpu);
    /* Re-raise what arrived while masked (section 8.1). */
    if (test_and_clear((uint64_t *)&s->evtchn_mask[word], bit) &&
        test((uint64_t *)&s->evtchn_pending[word], bit) && v && v->vcpu_info &&
        !test_and_set((uint64_t *)&v->vcpu_info->evtchn_pending_sel, word))
        vcpu_mark_events_pending(v);
    return 0;
}

int evtchn_reset(struct domain *self, domid_t dom)
{
    struct domain *d = domain_by_any_id(self, dom);

    if (!d)
        return -ESRCH;
    if (d != self && !self->privileged)
        return -EPERM;
    /* Xen resets another domain only while its controller pauses it; we
     * have no pausing yet. */
    if (d != self)
        return -EINVAL;
    /* The hypervisor's own ports survive (their close is refused). */
    for (evtchn_port_t port = 1; port < d->evtchn.valid; port++) {
        if (port_to_evtchn(d, port)->state != ECS_FREE)
            evtchn_close(d, port);
    }
    return 0;
}

int evtchn_alloc_unbound_xen(struct domain *d, domid_t remote, evtchn_xen_fn fn)
{
    int port;

    if (!fn)
        return -EINVAL;
    port = get_free_port(d);
    if (port < 0)
        return port;
    struct evtchn *chn = port_to_evtchn(d, (evtchn_port_t)port);
    chn->state = ECS_UNBOUND;
    chn->u.unbound_remote = remote;
    chn->xen_consumer = fn;
    return port;
}

void evtchn_notify_via_xen(struct domain *d, evtchn_port_t xen_port)
{
    const struct evtchn *chn = lookup(d, xen_port);
    struct domain *rd;

    if (!chn || !chn->xen_consumer || chn->state != ECS_INTERDOMAIN)
        return; /* nobody bound to it yet */
    rd = domain_by_id(chn->u.interdomain.dom);
    if (rd)
        evtchn_set_pending(rd, chn->u.interdomain.port);
}

/* ---- the hypercall ----------------------------------------------------- */

/* Reads the argument, runs op, writes the argument back on success. */
#define OP_INOUT(type, call)                                      \
    do {                                                          \
        struct type arg_;                                         \
        if (copy_from_guest(&arg_, a2, sizeof(arg_)))             \
            return -EFAULT;                                       \
        long rc_ = call(self, &arg_);                             \
        if (!rc_ && copy_to_guest(a2, &arg_, sizeof(arg_)))       \
            rc_ = -EFAULT; /* as Xen: the port stays allocated */ \
        return rc_;                                               \
    } while (0)

#ifdef VENEER_HOST
static uint64_t events_lock(void)
{
    return 0;
}
static void events_unlock(uint64_t flags)
{
}
#else
/* One pCPU: the timer interrupt, which raises VIRQs, is the only other
 * writer of the port tables; keep it out while an operation runs. A lock
 * joins this when secondary CPUs come up. */
static uint64_t events_lock(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}
static void events_unlock(uint64_t flags)
{
    if (flags & (1UL << 9))
        __asm__ volatile("sti" ::: "memory");
}
#endif

static long event_channel_op(struct domain *self, uint64_t a1, uint64_t a2)
{
    switch (a1) {
    case EVTCHNOP_alloc_unbound:
        OP_INOUT(evtchn_alloc_unbound, evtchn_alloc_unbound);
    case EVTCHNOP_bind_interdomain:
        OP_INOUT(evtchn_bind_interdomain, evtchn_bind_interdomain);
    case EVTCHNOP_bind_virq:
        OP_INOUT(evtchn_bind_virq, evtchn_bind_virq);
    case EVTCHNOP_bind_ipi:
        OP_INOUT(evtchn_bind_ipi, evtchn_bind_ipi);
    case EVTCHNOP_status:
        OP_INOUT(evtchn_status, evtchn_status);
    case EVTCHNOP_close: {
        struct evtchn_close c;
        if (copy_from_guest(&c, a2, sizeof(c)))
            return -EFAULT;
        return evtchn_close(self, c.port);
    }
    case EVTCHNOP_send: {
        struct evtchn_send s;
        if (copy_from_guest(&s, a2, sizeof(s)))
            return -EFAULT;
        return evtchn_send(self, s.port);
    }
    case EVTCHNOP_bind_vcpu: {
        struct evtchn_bind_vcpu b;
        if (copy_from_guest(&b, a2, sizeof(b)))
            return -EFAULT;
        return evtchn_bind_vcpu(self, b.port, b.vcpu);
    }
    case EVTCHNOP_unmask: {
        struct evtchn_unmask u;
        if (copy_from_guest(&u, a2, sizeof(u)))
            return -EFAULT;
        return evtchn_unmask(self, u.port);
    }
    case EVTCHNOP_reset: {
        struct evtchn_reset r;
        if (copy_from_guest(&r, a2, sizeof(r)))
            return -EFAULT;
        return evtchn_reset(self, r.dom);
    }
    case EVTCHNOP_bind_pirq:
        return -EPERM; /* no physical IRQs are given to guests yet */
    case EVTCHNOP_init_control:
    case EVTCHNOP_expand_array:
    case EVTCHNOP_set_priority:
        /* No FIFO ABI: Linux falls back to 2-level on -ENOSYS. */
        return -ENOSYS;
    }
    return -ENOSYS;
}

long do_event_channel_op(HYPERCALL_ARGS)
{
    uint64_t flags = events_lock();
    long rc = event_channel_op(current->domain, a1, a2);

    events_unlock(flags);
    return rc;
}
