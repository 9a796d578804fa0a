/*
 * Cases for the shared-ring transport: a guest-side client in this process
 * drives an ordinary page laid out as struct xenstore_domain_interface,
 * with one eventfd per direction standing in for the event channel. The
 * daemon side is the production ring code behind a test xs_ring_backend.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static struct {
    struct xenstore_domain_interface *page;
    int to_server, to_guest; /* eventfds: the two ends' notifications */
    uint32_t start;          /* initial ring indexes */
    int attached, detached;
} g;

static int be_attach(void *ctx, uint32_t domid, uint64_t gfn, uint32_t port,
                     struct xenstore_domain_interface **intf)
{
    if (gfn != 0x1234)
        return -EINVAL; /* the test's only "page" */
    g.attached++;
    *intf = g.page;
    return 0;
}

static int be_rebind(void *ctx, uint32_t domid, uint32_t port)
{
    return 0;
}

static void be_notify(void *ctx, uint32_t domid)
{
    uint64_t one = 1;
    if (write(g.to_guest, &one, sizeof(one)) != sizeof(one))
        abort();
}

static void be_detach(void *ctx, uint32_t domid)
{
    g.detached++;
}

static const struct xs_ring_backend backend = {be_attach, be_rebind, be_notify,
                                               be_detach, NULL};

/* The daemon's side of the event channel: service when signalled. */
static void pump(void)
{
    uint64_t v;
    if (read(g.to_server, &v, sizeof(v)) == sizeof(v)) {
        struct xs_domain *dom = xs_domain_get(xt_d, 7, false);
        if (dom && dom->conn)
            xs_ring_service(dom->conn);
    }
}

static void guest_notify(void)
{
    uint64_t one = 1;
    if (write(g.to_server, &one, sizeof(one)) != sizeof(one))
        abort();
}

/* Copies what fits into the request ring; returns bytes written. */
static size_t guest_put(const void *p, size_t len)
{
    struct xenstore_domain_interface *i = g.page;
    size_t done = 0;
    while (done < len) {
        uint32_t prod = i->req_prod, cons = i->req_cons;
        size_t space = XENSTORE_RING_SIZE - (prod - cons);
        size_t contig = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
        size_t n = len - done;
        if (n > space)
            n = space;
        if (n > contig)
            n = contig;
        if (n == 0)
            break;
        memcpy(i->req + MASK_XENSTORE_IDX(prod), (const char *)p + done, n);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        i->req_prod = prod + n;
        done += n;
    }
    if (done)
        guest_notify();
    return done;
}

static size_t guest_get(void *p, size_t len)
{
    struct xenstore_domain_interface *i = g.page;
    size_t done = 0;
    while (done < len) {
        uint32_t prod = i->rsp_prod, cons = i->rsp_cons;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        size_t avail = prod - cons;
        size_t contig = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
        size_t n = len - done;
        if (n > avail)
            n = avail;
        if (n > contig)
            n = contig;
        if (n == 0)
            break;
        memcpy((char *)p + done, i->rsp + MASK_XENSTORE_IDX(cons), n);
        i->rsp_cons = cons + n;
        done += n;
    }
    if (done)
        guest_notify();
    return done;
}

/* Sends everything, pumping the daemon while the ring is full. */
static bool guest_send(const void *p, size_t len)
{
    size_t done = 0;
    for (int spins = 0; done < len && spins < 10000; spins++) {
        done += guest_put((const char *)p + done, len - done);
        pump();
    }
    return done == len;
}

static bool guest_recv(struct xt_msg *m)
{
    size_t got = 0;
    for (int spins = 0; got < XS_HDR_SIZE && spins < 10000; spins++) {
        pump();
        got += guest_get((char *)m + got, XS_HDR_SIZE - got);
    }
    if (got < XS_HDR_SIZE || m->len > XENSTORE_PAYLOAD_MAX)
        return false;
    got = 0;
    for (int spins = 0; got < m->len && spins < 10000; spins++) {
        pump();
        got += guest_get(m->data + got, m->len - got);
    }
    m->data[m->len] = 0;
    return got == m->len;
}

static bool guest_call(uint32_t type, const void *p, size_t len,
                       struct xt_msg *m)
{
    char buf[XS_HDR_SIZE + XENSTORE_PAYLOAD_MAX];
    struct xsd_sockmsg h = {type, 9, 0, (uint32_t)len};
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + XS_HDR_SIZE, p, len);
    if (!guest_send(buf, XS_HDR_SIZE + len))
        return false;
    do {
        if (!guest_recv(m))
            return false;
    } while (m->type == XS_WATCH_EVENT && type != XS_WATCH_EVENT);
    return true;
}

/* Domain 7 with its page introduced and its home writable. */
static struct xs_conn *setup_guest(uint32_t start)
{
    g.page = aligned_alloc(4096, 4096);
    memset(g.page, 0, 4096);
    g.page->req_cons = g.page->req_prod = start;
    g.page->rsp_cons = g.page->rsp_prod = start;
    g.to_server = eventfd(0, EFD_NONBLOCK);
    g.to_guest = eventfd(0, EFD_NONBLOCK);
    g.attached = g.detached = 0;
    xt_d->ring = &backend;
    struct xs_conn *d0 = xt_conn(0);
    xt_write(d0, 0, "/local/domain/7", "");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/local/domain/7", "n7"), "OK");
    XT_STR(xt_introduce(d0, "7", "4660", "11"), "OK"); /* gfn 0x1234 */
    CU_ASSERT_EQUAL(g.attached, 1);
    return d0;
}

static void teardown_guest(void)
{
    close(g.to_server);
    close(g.to_guest);
    xs_daemon_free(xt_d); /* before the page goes */
    xs_daemon_init(xt_d);
    free(g.page);
}

static void ring_roundtrip(void)
{
    setup_guest(0);
    CU_ASSERT_EQUAL(g.page->server_features, 3);
    struct xt_msg m;
    static const char w[] = "data/x\0hello";
    CU_ASSERT(guest_call(XS_WRITE, w, sizeof(w) - 1, &m));
    XT_STR(m.data, "OK");
    CU_ASSERT(guest_call(XS_READ, "data/x", 7, &m));
    CU_ASSERT_EQUAL(m.type, XS_READ);
    CU_ASSERT_EQUAL(m.req_id, 9);
    XT_STR(m.data, "hello");
    CU_ASSERT(guest_call(XS_READ, "/tool", 6, &m));
    XT_STR(m.data, "EACCES"); /* the guest is unprivileged */
    uint64_t v;
    CU_ASSERT(read(g.to_guest, &v, sizeof(v)) == sizeof(v)); /* notified */
    teardown_guest();
}

/* A guest that wrote before it was introduced (it boots while dom0's
 * daemon starts up) is answered at INTRODUCE, not at its next event. */
static void ring_request_before_introduce(void)
{
    g.page = aligned_alloc(4096, 4096);
    memset(g.page, 0, 4096);
    g.to_server = eventfd(0, EFD_NONBLOCK);
    g.to_guest = eventfd(0, EFD_NONBLOCK);
    g.attached = g.detached = 0;
    xt_d->ring = &backend;
    struct xs_conn *d0 = xt_conn(0);
    xt_write(d0, 0, "/local/domain/7", "");
    XT_STR(xt_op2(d0, XS_SET_PERMS, 0, "/local/domain/7", "n7"), "OK");
    xt_write(d0, 0, "/local/domain/7/x", "early");
    char req[XS_HDR_SIZE + 2];
    struct xsd_sockmsg h = {XS_READ, 5, 0, 2};
    memcpy(req, &h, sizeof(h));
    memcpy(req + XS_HDR_SIZE, "x", 2);
    CU_ASSERT_EQUAL(guest_put(req, sizeof(req)), sizeof(req));
    uint64_t v;
    CU_ASSERT(read(g.to_server, &v, sizeof(v)) == sizeof(v)); /* unheard */
    XT_STR(xt_introduce(d0, "7", "4660", "11"), "OK");
    /* The reply is in the ring and the guest was notified, with no event
     * from the guest in between. */
    CU_ASSERT_EQUAL(g.page->req_cons, sizeof(req));
    CU_ASSERT(g.page->rsp_prod > 0);
    CU_ASSERT(read(g.to_guest, &v, sizeof(v)) == sizeof(v));
    struct xt_msg m;
    CU_ASSERT_FATAL(guest_recv(&m));
    CU_ASSERT_EQUAL(m.type, XS_READ);
    CU_ASSERT_EQUAL(m.req_id, 5);
    XT_STR(m.data, "early");
    teardown_guest();
}

/* Indexes that start just below 2^32 wrap during the test. */
static void ring_wraparound(void)
{
    setup_guest(0xffffff00u);
    struct xt_msg m;
    char req[64];
    for (int i = 0; i < 300; i++) {
        int n = snprintf(req, sizeof(req), "k%d", i % 7) + 1;
        n += snprintf(req + n, sizeof(req) - n, "value-%d", i);
        CU_ASSERT_FATAL(guest_call(XS_WRITE, req, n, &m));
        XT_STR(m.data, "OK");
    }
    CU_ASSERT(g.page->req_prod < 0xffffff00u); /* it did wrap */
    CU_ASSERT(guest_call(XS_READ, "k5", 3, &m));
    XT_STR(m.data, "value-299");
    CU_ASSERT_EQUAL(g.page->error, 0);
    teardown_guest();
}

/* Messages longer than the ring cross it in several fills both ways. */
static void ring_large_messages(void)
{
    setup_guest(100);
    struct xt_msg m;
    char req[XENSTORE_PAYLOAD_MAX];
    memcpy(req, "big", 4);
    for (size_t i = 4; i < sizeof(req); i++)
        req[i] = 'a' + i % 26;
    xt_d->q.node_size = 8192;
    CU_ASSERT(guest_call(XS_WRITE, req, sizeof(req), &m));
    XT_STR(m.data, "OK");
    CU_ASSERT(guest_call(XS_READ, "big", 4, &m));
    CU_ASSERT_EQUAL(m.len, sizeof(req) - 4);
    CU_ASSERT(memcmp(m.data, req + 4, m.len) == 0);
    teardown_guest();
}

/* The guest sends a burst without reading: the response ring fills, the
 * daemon keeps the rest and resumes as the guest drains, in order. */
static void ring_full_response_ring(void)
{
    setup_guest(0);
    char msg[XS_HDR_SIZE + 7];
    int sent = 0;
    for (int i = 0; i < 40; i++) {
        struct xsd_sockmsg h = {XS_GET_DOMAIN_PATH, i, 0, 2};
        memcpy(msg, &h, sizeof(h));
        memcpy(msg + XS_HDR_SIZE, "7", 2);
        if (guest_put(msg, XS_HDR_SIZE + 2) != XS_HDR_SIZE + 2)
            break;
        sent++;
        pump();
    }
    CU_ASSERT(sent >= 40);
    CU_ASSERT_EQUAL(g.page->rsp_prod - g.page->rsp_cons, XENSTORE_RING_SIZE);
    struct xt_msg m;
    for (int i = 0; i < sent; i++) {
        CU_ASSERT_FATAL(guest_recv(&m));
        CU_ASSERT_EQUAL(m.req_id, (uint32_t)i);
        XT_STR(m.data, "/local/domain/7");
    }
    teardown_guest();
}

static void ring_bad_index_stops_domain(void)
{
    struct xs_conn *d0 = setup_guest(0);
    g.page->req_prod = g.page->req_cons + 2000;
    guest_notify();
    pump();
    CU_ASSERT_EQUAL(g.page->error, XENSTORE_ERROR_RINGIDX);
    struct xs_domain *dom = xs_domain_get(xt_d, 7, false);
    CU_ASSERT(dom->conn && dom->conn->dead);
    XT_STR(xt_read(d0, 0, "/tool"), ""); /* others still served */
    XT_STR(xt_op1(d0, XS_RELEASE, 0, "7"), "OK");
    CU_ASSERT_EQUAL(g.detached, 1);
    teardown_guest();
}

static void ring_oversized_message(void)
{
    setup_guest(0);
    struct xsd_sockmsg h = {XS_READ, 0, 0, 5000};
    guest_put(&h, sizeof(h));
    pump();
    CU_ASSERT_EQUAL(g.page->error, XENSTORE_ERROR_PROTO);
    teardown_guest();
}

static void ring_watch_event_delivery(void)
{
    struct xs_conn *d0 = setup_guest(0);
    struct xt_msg m;
    CU_ASSERT(guest_call(XS_WATCH, "control\0tok", 12, &m));
    XT_STR(m.data, "OK");
    CU_ASSERT(guest_recv(&m)); /* fired on registration */
    CU_ASSERT_EQUAL(m.type, XS_WATCH_EVENT);
    XT_STR(m.data, "control");
    xt_write(d0, 0, "/local/domain/7/control/shutdown", "poweroff");
    CU_ASSERT(guest_recv(&m));
    CU_ASSERT_EQUAL(m.type, XS_WATCH_EVENT);
    XT_STR(m.data, "control/shutdown");
    XT_STR(m.data + strlen(m.data) + 1, "tok");
    teardown_guest();
}

static void ring_reconnect(void)
{
    struct xs_conn *d0 = setup_guest(50);
    struct xt_msg m;
    CU_ASSERT(guest_call(XS_WATCH, "control\0tok", 12, &m));
    CU_ASSERT(guest_recv(&m));
    /* A partial message, then the guest asks to reconnect. */
    guest_put("\x02\x00", 2);
    g.page->connection = XENSTORE_RECONNECT;
    guest_notify();
    pump();
    CU_ASSERT_EQUAL(g.page->connection, XENSTORE_CONNECTED);
    CU_ASSERT_EQUAL(g.page->req_prod, 0);
    CU_ASSERT_EQUAL(g.page->rsp_prod, 0);
    xt_write(d0, 0, "/local/domain/7/control/x", "1");
    CU_ASSERT_EQUAL(g.page->rsp_prod, 0); /* the watch is gone */
    CU_ASSERT(guest_call(XS_READ, "control/x", 10, &m));
    XT_STR(m.data, "1");
    teardown_guest();
}

static void ring_release_detaches(void)
{
    struct xs_conn *d0 = setup_guest(0);
    struct xt_msg m;
    CU_ASSERT(guest_call(XS_WRITE, "mine\0v", 6, &m));
    XT_STR(xt_op1(d0, XS_RELEASE, 0, "7"), "OK");
    CU_ASSERT_EQUAL(g.detached, 1);
    CU_ASSERT_PTR_NULL(xs_domain_get(xt_d, 7, false)->conn);
    XT_STR(xt_read(d0, 0, "/local/domain/7/mine"), "ERR:ENOENT");
    teardown_guest();
}

XT_SUITE(ring, {"ring_roundtrip", ring_roundtrip},
         {"ring_wraparound", ring_wraparound},
         {"ring_request_before_introduce", ring_request_before_introduce},
         {"ring_large_messages", ring_large_messages},
         {"ring_full_response_ring", ring_full_response_ring},
         {"ring_bad_index_stops_domain", ring_bad_index_stops_domain},
         {"ring_oversized_message", ring_oversized_message},
         {"ring_watch_event_delivery", ring_watch_event_delivery},
         {"ring_reconnect", ring_reconnect},
         {"ring_release_detaches", ring_release_detaches})
