/*
 * Event channels (hypervisor/common/event_channel.c) on the host: real
 * domains with a shared_info in host memory, guest memory as plain host
 * memory (an address below 4096 counts as unmapped), and a vcpu_kick that
 * records who was woken. Errors are the ones Xen 4.17 returns.
 */
#include <stdlib.h>
#include <string.h>

#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/event.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/mm.h>

#include "unit.h"

/* ---- what the hypervisor around the event code provides ---------------- */

struct domain *domains[MAX_DOMAINS];
struct vcpu *current;
static long live_allocs;            /* xzalloc minus xfree */
static long fail_allocs_after = -1; /* fail allocations after this many */
static unsigned int kicks[MAX_VIRT_CPUS];

struct domain *domain_by_id(domid_t id)
{
    return id < MAX_DOMAINS ? domains[id] : NULL;
}

void *xzalloc(size_t size)
{
    if (fail_allocs_after == 0)
        return NULL;
    if (fail_allocs_after > 0)
        fail_allocs_after--;
    live_allocs++;
    return calloc(1, size);
}

void xfree(void *p)
{
    if (p)
        live_allocs--;
    free(p);
}

void vcpu_kick(struct vcpu *v)
{
    kicks[v->id]++;
    v->blocked = false;
}

bool guest_range_ok(uint64_t va, size_t len)
{
    return va >= 4096 && va + len >= va;
}

int copy_from_guest(void *dst, uint64_t guest_va, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -EFAULT;
    memcpy(dst, (const void *)(uintptr_t)guest_va, len);
    return 0;
}

int copy_to_guest(uint64_t guest_va, const void *src, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -EFAULT;
    memcpy((void *)(uintptr_t)guest_va, src, len);
    return 0;
}

/* ---- test domains ------------------------------------------------------ */

static struct domain *make_domain(domid_t id, bool privileged,
                                  unsigned int nr_vcpus, unsigned int max_port)
{
    struct domain *d = calloc(1, sizeof(*d));
    CU_ASSERT_FATAL(d != NULL);
    d->id = id;
    d->privileged = privileged;
    d->state = DOMAIN_RUNNING;
    d->shared_info = calloc(1, PAGE_SIZE);
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));
        v->domain = d;
        v->id = i;
        v->vcpu_info = &d->shared_info->vcpu_info[i];
        d->vcpus[i] = v;
    }
    d->nr_vcpus = nr_vcpus;
    CU_ASSERT_FATAL(evtchn_init(d, max_port) == 0);
    domains[id] = d;
    return d;
}

static void free_domain(struct domain *d)
{
    evtchn_destroy(d);
    domains[d->id] = NULL;
    for (unsigned int i = 0; i < d->nr_vcpus; i++)
        free(d->vcpus[i]);
    free(d->shared_info);
    free(d);
}

static struct domain *d0, *d1, *d2;

static void setup(void)
{
    memset(kicks, 0, sizeof(kicks));
    live_allocs = 0;
    fail_allocs_after = -1;
    d0 = make_domain(0, true, 2, EVTCHN_2L_NR_CHANNELS - 1);
    d1 = make_domain(1, false, 2, EVTCHN_2L_NR_CHANNELS - 1);
    d2 = make_domain(2, false, 1, EVTCHN_2L_NR_CHANNELS - 1);
    current = d1->vcpus[0];
}

static void teardown(void)
{
    if (d2)
        free_domain(d2);
    free_domain(d1);
    free_domain(d0);
    d0 = d1 = d2 = NULL;
    current = NULL;
    CU_ASSERT_EQUAL(live_allocs, 0); /* every bucket went back */
}

static bool pending(struct domain *d, evtchn_port_t p)
{
    return (d->shared_info->evtchn_pending[p / 64] >> (p % 64)) & 1;
}

static void set_mask(struct domain *d, evtchn_port_t p, bool on)
{
    if (on)
        d->shared_info->evtchn_mask[p / 64] |= 1UL << (p % 64);
    else
        d->shared_info->evtchn_mask[p / 64] &= ~(1UL << (p % 64));
}

static void clear_upcall(struct domain *d, unsigned int vcpu)
{
    d->shared_info->vcpu_info[vcpu].evtchn_upcall_pending = 0;
    d->shared_info->vcpu_info[vcpu].evtchn_pending_sel = 0;
}

static evtchn_port_t unbound(struct domain *d, domid_t remote)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = remote};
    CU_ASSERT_EQUAL_FATAL(evtchn_alloc_unbound(d, &a), 0);
    return a.port;
}

static evtchn_port_t ipi(struct domain *d, unsigned int vcpu)
{
    struct evtchn_bind_ipi b = {.vcpu = vcpu};
    CU_ASSERT_EQUAL_FATAL(evtchn_bind_ipi(d, &b), 0);
    return b.port;
}

static int status_of(struct domain *self, domid_t dom, evtchn_port_t port,
                     struct evtchn_status *st)
{
    memset(st, 0xa5, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return evtchn_status(self, st);
}

/* ---- cases ------------------------------------------------------------- */

static void test_port0_reserved(void)
{
    struct evtchn_status st;

    setup();
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, 0, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(evtchn_send(d1, 0), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_close(d1, 0), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, 0, 0), -EINVAL);
    /* The first port handed out is 1, then the lowest free one. */
    evtchn_port_t a = unbound(d1, DOMID_SELF), b = unbound(d1, DOMID_SELF);
    CU_ASSERT_EQUAL(a, 1);
    CU_ASSERT_EQUAL(b, 2);
    CU_ASSERT_EQUAL(evtchn_close(d1, a), 0);
    CU_ASSERT_EQUAL(unbound(d1, DOMID_SELF), 1);
    teardown();
}

static void test_bad_ports(void)
{
    struct evtchn_status st;
    const evtchn_port_t bad[] = {64, 4095, 4096, 1u << 20, 0xffffffffu};

    setup();
    /* A free port with storage is "closed"; without storage, -EINVAL. */
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, 5, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
    CU_ASSERT_EQUAL(evtchn_send(d1, 5), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_close(d1, 5), -EINVAL);
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, bad[i], &st), -EINVAL);
        CU_ASSERT_EQUAL(evtchn_send(d1, bad[i]), -EINVAL);
        CU_ASSERT_EQUAL(evtchn_close(d1, bad[i]), -EINVAL);
        CU_ASSERT_EQUAL(evtchn_unmask(d1, bad[i]), -EINVAL);
        CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, bad[i], 0), -EINVAL);
        CU_ASSERT_EQUAL(evtchn_port_poll(d1, bad[i]), -EINVAL);
        evtchn_set_pending(d1, bad[i]); /* ignored, no crash */
    }
    /* A closed port stays refused. */
    evtchn_port_t p = unbound(d1, DOMID_SELF);
    CU_ASSERT_EQUAL(evtchn_close(d1, p), 0);
    CU_ASSERT_EQUAL(evtchn_close(d1, p), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_send(d1, p), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_port_poll(d1, p), -EINVAL);
    /* Unknown domains. */
    CU_ASSERT_EQUAL(status_of(d1, 40, 1, &st), -ESRCH);
    CU_ASSERT_EQUAL(status_of(d1, DOMID_FIRST_RESERVED + 1, 1, &st), -ESRCH);
    teardown();
}

static void test_unbound(void)
{
    struct evtchn_status st;

    setup();
    evtchn_port_t p = unbound(d1, DOMID_SELF);
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, p, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1); /* DOMID_SELF resolved */
    CU_ASSERT_EQUAL(st.vcpu, 0);
    /* Sending on it goes nowhere. */
    CU_ASSERT_EQUAL(evtchn_send(d1, p), 0);
    CU_ASSERT_FALSE(pending(d1, p));
    CU_ASSERT_EQUAL(kicks[0], 0);
    /* Only the control domain allocates in, or looks into, others. */
    struct evtchn_alloc_unbound a = {.dom = 2, .remote_dom = 1};
    CU_ASSERT_EQUAL(evtchn_alloc_unbound(d1, &a), -EPERM);
    CU_ASSERT_EQUAL(status_of(d1, 2, 0, &st), -EPERM);
    a.dom = 33;
    CU_ASSERT_EQUAL(evtchn_alloc_unbound(d1, &a), -ESRCH);
    a.dom = 2;
    CU_ASSERT_EQUAL(evtchn_alloc_unbound(d0, &a), 0);
    CU_ASSERT_EQUAL(status_of(d0, 2, a.port, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    teardown();
}

static void test_loopback(void)
{
    struct evtchn_status st;

    setup();
    evtchn_port_t a = unbound(d1, DOMID_SELF);
    struct evtchn_bind_interdomain bi = {.remote_dom = DOMID_SELF,
                                         .remote_port = a};
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d1, &bi), 0);
    evtchn_port_t b = bi.local_port;
    CU_ASSERT_NOT_EQUAL(a, b);
    /* The new end starts pending, in case the unbound end missed one. */
    CU_ASSERT_TRUE(pending(d1, b));
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
    CU_ASSERT_EQUAL(st.u.interdomain.dom, 1);
    CU_ASSERT_EQUAL(st.u.interdomain.port, b);
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, b, &st), 0);
    CU_ASSERT_EQUAL(st.u.interdomain.port, a);
    /* Each end raises the other. */
    CU_ASSERT_FALSE(pending(d1, a));
    CU_ASSERT_EQUAL(evtchn_send(d1, b), 0);
    CU_ASSERT_TRUE(pending(d1, a));
    /* Binding an already-bound port again is refused. */
    struct evtchn_bind_interdomain again = {.remote_dom = DOMID_SELF,
                                            .remote_port = a};
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d1, &again), -EINVAL);
    /* Closing one end leaves the other unbound, accepting us again, and
     * clears the closed end's pending bit. */
    CU_ASSERT_EQUAL(evtchn_close(d1, b), 0);
    CU_ASSERT_FALSE(pending(d1, b));
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, a, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
    CU_ASSERT_EQUAL(evtchn_send(d1, a), 0);
    teardown();
}

static void test_interdomain(void)
{
    struct evtchn_status st;

    setup();
    evtchn_port_t p1 = unbound(d1, 2); /* d1 waits for d2 */
    struct evtchn_bind_interdomain bi = {.remote_dom = 1, .remote_port = p1};
    /* d0 is not the one d1 waits for, even though privileged. */
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d0, &bi), -EINVAL);
    bi.remote_dom = 50;
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d2, &bi), -ESRCH);
    bi.remote_dom = 1;
    bi.remote_port = 4000; /* no storage */
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d2, &bi), -EINVAL);
    bi.remote_port = p1 + 1; /* free */
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d2, &bi), -EINVAL);
    /* The refusals did not use up d2's ports. */
    CU_ASSERT_EQUAL(d2->evtchn.active, 0);
    bi.remote_port = p1;
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d2, &bi), 0);
    evtchn_port_t p2 = bi.local_port;
    clear_upcall(d1, 0);
    d2->shared_info->evtchn_pending[0] = 0;
    clear_upcall(d2, 0);
    memset(kicks, 0, sizeof(kicks));
    CU_ASSERT_EQUAL(evtchn_send(d2, p2), 0);
    CU_ASSERT_TRUE(pending(d1, p1));
    CU_ASSERT_FALSE(pending(d2, p2));
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[0].evtchn_upcall_pending, 1);
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[0].evtchn_pending_sel,
                    1UL << (p1 / 64));
    CU_ASSERT_EQUAL(kicks[0], 1);
    /* The peer going away leaves our end unbound to it. */
    free_domain(d2);
    d2 = NULL;
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, p1, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    CU_ASSERT_EQUAL(st.u.unbound.dom, 2);
    teardown();
}

static void test_virq(void)
{
    struct evtchn_status st;

    setup();
    struct evtchn_bind_virq bv = {.virq = VIRQ_TIMER, .vcpu = 1};
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &bv), 0);
    evtchn_port_t t1 = bv.port;
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &bv), -EEXIST);
    bv.vcpu = 0; /* per-vCPU: vCPU 0 has its own */
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &bv), 0);
    evtchn_port_t t0 = bv.port;
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, t1, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_virq);
    CU_ASSERT_EQUAL(st.u.virq, VIRQ_TIMER);
    CU_ASSERT_EQUAL(st.vcpu, 1);
    /* Global VIRQs only on vCPU 0; bad numbers and vCPUs. */
    struct evtchn_bind_virq g = {.virq = VIRQ_DOM_EXC, .vcpu = 1};
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &g), -EINVAL);
    g.virq = NR_VIRQS;
    g.vcpu = 0;
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &g), -EINVAL);
    g.virq = 0xffffffffu;
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &g), -EINVAL);
    g.virq = VIRQ_DEBUG;
    g.vcpu = 2;
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &g), -ENOENT);
    g.vcpu = 100;
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &g), -ENOENT);
    g.virq = VIRQ_CONSOLE;
    g.vcpu = 0;
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &g), 0);
    /* A VIRQ port cannot be sent on by the guest. */
    CU_ASSERT_EQUAL(evtchn_send(d1, t1), -EINVAL);
    /* The hypervisor raises it on the right vCPU's selector. */
    clear_upcall(d1, 0);
    clear_upcall(d1, 1);
    send_guest_vcpu_virq(d1->vcpus[1], VIRQ_TIMER);
    CU_ASSERT_TRUE(pending(d1, t1));
    CU_ASSERT_FALSE(pending(d1, t0));
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[0].evtchn_upcall_pending, 0);
    CU_ASSERT_EQUAL(kicks[1], 1);
    /* Global ones go through vCPU 0's table; per-vCPU sends of a global
     * number (and the reverse) are ignored. */
    send_guest_global_virq(d1, VIRQ_CONSOLE);
    CU_ASSERT_TRUE(pending(d1, g.port));
    send_guest_vcpu_virq(d1->vcpus[0], VIRQ_CONSOLE);
    send_guest_global_virq(d1, VIRQ_TIMER);
    CU_ASSERT_FALSE(pending(d1, t0));
    /* Closing unbinds it: raising it is dropped, binding works again. */
    CU_ASSERT_EQUAL(evtchn_close(d1, t1), 0);
    CU_ASSERT_EQUAL(d1->vcpus[1]->evtchn.virq_to_port[VIRQ_TIMER], 0);
    send_guest_vcpu_virq(d1->vcpus[1], VIRQ_TIMER);
    bv.vcpu = 1;
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &bv), 0);
    CU_ASSERT_FALSE(pending(d1, bv.port)); /* no stale bit */
    /* VIRQ_DOM_EXC reaches the privileged domain only. */
    struct evtchn_bind_virq dx = {.virq = VIRQ_DOM_EXC, .vcpu = 0};
    CU_ASSERT_EQUAL(evtchn_bind_virq(d0, &dx), 0);
    send_global_virq(VIRQ_DOM_EXC);
    CU_ASSERT_TRUE(pending(d0, dx.port));
    teardown();
}

static void test_ipi_and_mask(void)
{
    setup();
    struct evtchn_bind_ipi bad = {.vcpu = 2};
    CU_ASSERT_EQUAL(evtchn_bind_ipi(d1, &bad), -ENOENT);
    evtchn_port_t p = ipi(d1, 1);
    clear_upcall(d1, 1);
    CU_ASSERT_EQUAL(evtchn_send(d1, p), 0);
    CU_ASSERT_TRUE(pending(d1, p));
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    CU_ASSERT_EQUAL(kicks[1], 1);
    /* Already pending: no second kick. */
    CU_ASSERT_EQUAL(evtchn_send(d1, p), 0);
    CU_ASSERT_EQUAL(kicks[1], 1);

    /* Masked: pending, but no selector bit, no upcall, no kick... */
    d1->shared_info->evtchn_pending[0] = 0;
    clear_upcall(d1, 1);
    set_mask(d1, p, true);
    CU_ASSERT_EQUAL(evtchn_send(d1, p), 0);
    CU_ASSERT_TRUE(pending(d1, p));
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_pending_sel, 0);
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_upcall_pending, 0);
    CU_ASSERT_EQUAL(kicks[1], 1);
    /* ...until unmask re-raises it. */
    CU_ASSERT_EQUAL(evtchn_unmask(d1, p), 0);
    CU_ASSERT_FALSE(d1->shared_info->evtchn_mask[0] & (1UL << p));
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_pending_sel, 1);
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    CU_ASSERT_EQUAL(kicks[1], 2);
    /* Unmask of an unmasked, or masked but not pending, port: no upcall. */
    clear_upcall(d1, 1);
    CU_ASSERT_EQUAL(evtchn_unmask(d1, p), 0);
    d1->shared_info->evtchn_pending[0] = 0;
    set_mask(d1, p, true);
    CU_ASSERT_EQUAL(evtchn_unmask(d1, p), 0);
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_upcall_pending, 0);
    CU_ASSERT_EQUAL(kicks[1], 2);
    /* Unmask of a free port says 0 and leaves its mask bit; of an unbound
     * port it clears it. */
    set_mask(d1, 9, true);
    CU_ASSERT_EQUAL(evtchn_unmask(d1, 9), 0);
    CU_ASSERT_TRUE(d1->shared_info->evtchn_mask[0] & (1UL << 9));
    evtchn_port_t u = unbound(d1, DOMID_SELF);
    set_mask(d1, u, true);
    CU_ASSERT_EQUAL(evtchn_unmask(d1, u), 0);
    CU_ASSERT_FALSE(d1->shared_info->evtchn_mask[0] & (1UL << u));
    teardown();
}

static void test_bind_vcpu(void)
{
    setup();
    evtchn_port_t p = ipi(d1, 0);
    CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, p, 1), -EINVAL); /* IPI */
    struct evtchn_bind_virq t = {.virq = VIRQ_TIMER, .vcpu = 0};
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &t), 0);
    CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, t.port, 1), -EINVAL);
    struct evtchn_bind_virq g = {.virq = VIRQ_CONSOLE, .vcpu = 0};
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &g), 0);
    CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, g.port, 1), 0);
    CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, g.port, 2), -ENOENT);
    CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, g.port, 0xffffffffu), -ENOENT);
    /* An interdomain port moved to vCPU 1 raises vCPU 1. */
    evtchn_port_t a = unbound(d1, DOMID_SELF);
    struct evtchn_bind_interdomain bi = {.remote_dom = DOMID_SELF,
                                         .remote_port = a};
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d1, &bi), 0);
    CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, a, 1), 0);
    clear_upcall(d1, 0);
    clear_upcall(d1, 1);
    CU_ASSERT_EQUAL(evtchn_send(d1, bi.local_port), 0);
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[0].evtchn_upcall_pending, 0);
    /* A global VIRQ moved to vCPU 1 is raised there. */
    clear_upcall(d1, 1);
    send_guest_global_virq(d1, VIRQ_CONSOLE);
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    teardown();
}

static void test_limits(void)
{
    setup();
    /* A domain limited to port 100 gets exactly 100 ports, then ENOSPC. */
    struct domain *small = make_domain(5, false, 1, 100);
    unsigned int n = 0;
    struct evtchn_bind_ipi b = {.vcpu = 0};
    int rc;
    while ((rc = evtchn_bind_ipi(small, &b)) == 0)
        n++;
    CU_ASSERT_EQUAL(rc, -ENOSPC);
    CU_ASSERT_EQUAL(n, 100);
    CU_ASSERT_EQUAL(b.port, 100);
    CU_ASSERT_EQUAL(small->evtchn.valid, 128); /* two buckets, no more */
    /* The whole 2-level space: 4095 ports, then ENOSPC; nothing beyond. */
    n = 0;
    while ((rc = evtchn_bind_ipi(d2, &b)) == 0)
        n++;
    CU_ASSERT_EQUAL(rc, -ENOSPC);
    CU_ASSERT_EQUAL(n, EVTCHN_2L_NR_CHANNELS - 1);
    CU_ASSERT_EQUAL(d2->evtchn.valid, EVTCHN_2L_NR_CHANNELS);
    CU_ASSERT_EQUAL(evtchn_send(d2, EVTCHN_2L_NR_CHANNELS), -EINVAL);
    /* Events on the last port land in the last word. */
    clear_upcall(d2, 0);
    CU_ASSERT_EQUAL(evtchn_send(d2, 4095), 0);
    CU_ASSERT_TRUE(pending(d2, 4095));
    CU_ASSERT_EQUAL(d2->shared_info->vcpu_info[0].evtchn_pending_sel,
                    1UL << 63);
    /* Closing everything makes every port free again. */
    for (evtchn_port_t p = 1; p < EVTCHN_2L_NR_CHANNELS; p++)
        CU_ASSERT_EQUAL(evtchn_close(d2, p), 0);
    CU_ASSERT_EQUAL(d2->evtchn.active, 0);
    CU_ASSERT_EQUAL(evtchn_bind_ipi(d2, &b), 0);
    CU_ASSERT_EQUAL(b.port, 1);
    free_domain(small);
    teardown();
}

static void test_out_of_memory(void)
{
    setup();
    /* Bucket 0 exists; growing into bucket 1 fails cleanly. */
    struct domain *d = make_domain(6, false, 1, 200);
    struct evtchn_bind_ipi b = {.vcpu = 0};
    for (unsigned int i = 1; i < EVTCHNS_PER_BUCKET; i++)
        CU_ASSERT_EQUAL(evtchn_bind_ipi(d, &b), 0);
    fail_allocs_after = 0;
    CU_ASSERT_EQUAL(evtchn_bind_ipi(d, &b), -ENOMEM);
    CU_ASSERT_EQUAL(d->evtchn.active, EVTCHNS_PER_BUCKET - 1);
    fail_allocs_after = -1;
    CU_ASSERT_EQUAL(evtchn_bind_ipi(d, &b), 0);
    CU_ASSERT_EQUAL(b.port, EVTCHNS_PER_BUCKET);
    free_domain(d);
    teardown();
}

static void test_pollers(void)
{
    setup();
    evtchn_port_t a = ipi(d1, 0), b = ipi(d1, 0);
    struct vcpu *v = d1->vcpus[0];
    CU_ASSERT_EQUAL(evtchn_port_poll(d1, a), 0);
    /* Polling one port: another port does not end the poll... */
    set_mask(d1, a, true);
    set_mask(d1, b, true); /* masked: only the poll logic can wake */
    v->blocked = true;
    v->evtchn.poll_port = (int)a;
    d1->evtchn.poll_mask = 1;
    CU_ASSERT_EQUAL(evtchn_send(d1, b), 0);
    CU_ASSERT_TRUE(v->blocked);
    /* ...its own does. */
    CU_ASSERT_EQUAL(evtchn_send(d1, a), 0);
    CU_ASSERT_FALSE(v->blocked);
    CU_ASSERT_EQUAL(d1->evtchn.poll_mask, 0);
    CU_ASSERT_EQUAL(evtchn_port_poll(d1, a), 1);
    /* Polling several: any port ends it. */
    d1->shared_info->evtchn_pending[0] = 0;
    v->blocked = true;
    v->evtchn.poll_port = -1;
    d1->evtchn.poll_mask = 1;
    CU_ASSERT_EQUAL(evtchn_send(d1, b), 0);
    CU_ASSERT_FALSE(v->blocked);
    teardown();
}

static void test_reset_and_destroy(void)
{
    struct evtchn_status st;

    setup();
    evtchn_port_t p2 = unbound(d2, 1);
    struct evtchn_bind_interdomain bi = {.remote_dom = 2, .remote_port = p2};
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d1, &bi), 0);
    ipi(d1, 1);
    struct evtchn_bind_virq t = {.virq = VIRQ_TIMER, .vcpu = 1};
    CU_ASSERT_EQUAL(evtchn_bind_virq(d1, &t), 0);
    CU_ASSERT_EQUAL(evtchn_reset(d1, 2), -EPERM);
    CU_ASSERT_EQUAL(evtchn_reset(d1, 77), -ESRCH);
    CU_ASSERT_EQUAL(evtchn_reset(d1, DOMID_SELF), 0);
    CU_ASSERT_EQUAL(d1->evtchn.active, 0);
    CU_ASSERT_EQUAL(d1->vcpus[1]->evtchn.virq_to_port[VIRQ_TIMER], 0);
    CU_ASSERT_EQUAL(status_of(d2, DOMID_SELF, p2, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    /* teardown() checks that destroy freed every bucket. */
    teardown();
}

static unsigned int consumed;
static evtchn_port_t consumed_port;

static void consumer(struct domain *d, evtchn_port_t port)
{
    consumed++;
    consumed_port = port;
}

static void test_xen_attached(void)
{
    struct evtchn_status st;

    setup();
    consumed = 0;
    CU_ASSERT_EQUAL(evtchn_alloc_unbound_xen(d1, 1, NULL), -EINVAL);
    int xp = evtchn_alloc_unbound_xen(d1, 1, consumer);
    CU_ASSERT_FATAL(xp > 0);
    /* The guest cannot touch the hypervisor's end... */
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, xp, &st), -EACCES);
    CU_ASSERT_EQUAL(evtchn_send(d1, xp), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_close(d1, xp), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_bind_vcpu(d1, xp, 1), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_port_poll(d1, xp), -EINVAL);
    CU_ASSERT_EQUAL(evtchn_reset(d1, DOMID_SELF), 0); /* survives a reset */
    /* ...nor can a domain it does not accept bind to it. */
    struct evtchn_bind_interdomain bi = {.remote_dom = 1, .remote_port = xp};
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d2, &bi), -EINVAL);
    /* Nobody bound: notifying goes nowhere. */
    evtchn_notify_via_xen(d1, xp);
    /* The domain it accepts binds; its sends reach the hypervisor, whose
     * notifications reach it. */
    bi.remote_dom = DOMID_SELF;
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d1, &bi), 0);
    evtchn_port_t gp = bi.local_port;
    CU_ASSERT_EQUAL(status_of(d1, DOMID_SELF, gp, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
    CU_ASSERT_EQUAL(evtchn_send(d1, gp), 0);
    CU_ASSERT_EQUAL(consumed, 1);
    CU_ASSERT_EQUAL(consumed_port, (evtchn_port_t)xp);
    CU_ASSERT_FALSE(pending(d1, xp));
    d1->shared_info->evtchn_pending[0] = 0;
    clear_upcall(d1, 0);
    evtchn_notify_via_xen(d1, xp);
    CU_ASSERT_TRUE(pending(d1, gp));
    CU_ASSERT_EQUAL(d1->shared_info->vcpu_info[0].evtchn_upcall_pending, 1);
    /* The guest closing its end leaves the hypervisor's waiting again;
     * teardown() closes the hypervisor's end and checks for leaks. */
    CU_ASSERT_EQUAL(evtchn_close(d1, gp), 0);
    evtchn_notify_via_xen(d1, xp);
    CU_ASSERT_EQUAL(evtchn_bind_interdomain(d1, &bi), 0);
    teardown();
}

/* The hypercall: argument copies, write-back, unknown and FIFO commands. */
static void test_hypercall(void)
{
    setup();
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
                                     .remote_dom = DOMID_SELF};
    CU_ASSERT_EQUAL(do_event_channel_op(EVTCHNOP_alloc_unbound,
                                        (uint64_t)(uintptr_t)&a, 0, 0, 0),
                    0);
    CU_ASSERT_EQUAL(a.port, 1);
    CU_ASSERT_EQUAL(do_event_channel_op(EVTCHNOP_alloc_unbound, 8, 0, 0, 0),
                    -EFAULT);
    for (unsigned int cmd = 0; cmd <= EVTCHNOP_reset; cmd++) {
        if (cmd == EVTCHNOP_bind_pirq)
            continue;
        CU_ASSERT_EQUAL(do_event_channel_op(cmd, 0, 0, 0, 0), -EFAULT);
    }
    struct evtchn_init_control ic = {0};
    CU_ASSERT_EQUAL(do_event_channel_op(EVTCHNOP_init_control,
                                        (uint64_t)(uintptr_t)&ic, 0, 0, 0),
                    -ENOSYS);
    CU_ASSERT_EQUAL(do_event_channel_op(999, (uint64_t)(uintptr_t)&ic, 0, 0, 0),
                    -ENOSYS);
    CU_ASSERT_EQUAL(do_event_channel_op(1UL << 40, 0, 0, 0, 0), -ENOSYS);
    struct evtchn_send s = {.port = a.port};
    CU_ASSERT_EQUAL(
        do_event_channel_op(EVTCHNOP_send, (uint64_t)(uintptr_t)&s, 0, 0, 0),
        0);
    struct evtchn_status st = {.dom = DOMID_SELF, .port = a.port};
    CU_ASSERT_EQUAL(
        do_event_channel_op(EVTCHNOP_status, (uint64_t)(uintptr_t)&st, 0, 0, 0),
        0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
    teardown();
}

static const struct unit_case evtchn_cases[] = {
    {"port 0 is reserved; ports come lowest first", test_port0_reserved},
    {"bad, free, closed and far ports are refused", test_bad_ports},
    {"alloc_unbound, status, -EPERM/-ESRCH for others", test_unbound},
    {"loopback interdomain pair", test_loopback},
    {"interdomain between domains; peer destroyed", test_interdomain},
    {"bind_virq: per-vCPU and global, errors, raising", test_virq},
    {"IPI, mask and unmask re-raise", test_ipi_and_mask},
    {"bind_vcpu moves notifications", test_bind_vcpu},
    {"port limits: -ENOSPC, table bounded", test_limits},
    {"allocation failure leaves the table intact", test_out_of_memory},
    {"SCHEDOP_poll wake-ups", test_pollers},
    {"reset and destroy close everything", test_reset_and_destroy},
    {"hypervisor-attached ports", test_xen_attached},
    {"the hypercall: copies, ENOSYS for FIFO", test_hypercall},
    {NULL, NULL},
};

UNIT_SUITE(evtchn, evtchn_cases)
