/*
 * In-process harness of the xenstore tier: a fresh daemon core per test
 * case, connections with any domid fed directly through the core's
 * transport interface, and helpers to send one request and take replies
 * and watch events off the connection's output stream.
 */
#ifndef VSTORE_TEST_HARNESS_H
#define VSTORE_TEST_HARNESS_H

#include <CUnit/CUnit.h>

#include "../daemon.h"

struct xt_case {
    const char *name;
    void (*fn)(void);
};

struct xt_suite {
    const char *name;
    const struct xt_case *cases;
    struct xt_suite *next;
};

void xt_register(struct xt_suite *s);

#define XT_SUITE(sname, ...)                                             \
    static const struct xt_case sname##_cases[] = {__VA_ARGS__, {0, 0}}; \
    static struct xt_suite sname##_suite = {#sname, sname##_cases, 0};   \
    __attribute__((constructor)) static void sname##_reg(void)           \
    {                                                                    \
        xt_register(&sname##_suite);                                     \
    }

struct xt_msg {
    uint32_t type, req_id, tx_id, len;
    char data[XENSTORE_PAYLOAD_MAX + 1]; /* NUL-terminated for convenience */
};

/* The daemon of the running case (fresh for each case). */
extern struct xs_daemon *xt_d;

struct xs_conn *xt_conn(uint32_t domid);
/* Sends raw bytes; returns how many the connection took. */
size_t xt_feed(struct xs_conn *c, const void *p, size_t len);
/* Sends a message and returns the first message queued in reply. */
bool xt_req(struct xs_conn *c, uint32_t type, uint32_t tx, const void *p,
            size_t len, struct xt_msg *out);
/* Takes the next queued message (reply or event); false if none. */
bool xt_next(struct xs_conn *c, struct xt_msg *out);
/* Builds "a\0b\0...": n strings, each NUL-terminated; returns the length. */
size_t xt_args(char *buf, int n, ...);

/* Shorthands returning the reply's payload or "ERR:<name>". */
const char *xt_read(struct xs_conn *c, uint32_t tx, const char *path);
const char *xt_write(struct xs_conn *c, uint32_t tx, const char *path,
                     const char *value);
const char *xt_op1(struct xs_conn *c, uint32_t type, uint32_t tx,
                   const char *arg);
const char *xt_op2(struct xs_conn *c, uint32_t type, uint32_t tx, const char *a,
                   const char *b);
/* INTRODUCE domid with its ring's frame number and event channel port. */
const char *xt_introduce(struct xs_conn *c, const char *id, const char *gfn,
                         const char *port);
/* DIRECTORY/GET_PERMS style reply with NULs turned into ','. */
const char *xt_list(struct xs_conn *c, uint32_t type, uint32_t tx,
                    const char *path);
uint32_t xt_txn_start(struct xs_conn *c);
/* Number of queued watch events; drops them. */
int xt_drain_events(struct xs_conn *c);

#define XT_STR(a, b) CU_ASSERT_STRING_EQUAL(a, b)

#endif
