/* What every part of the test kernel shares: the boot information, the
 * test-case table and the checks test cases use. */
#ifndef PVTEST_H
#define PVTEST_H

#include "hypercall.h"
#include "lib.h"
#include "regs.h"

/* Kernel state learnt at boot (start.c). */
struct pvtest {
    start_info_t *si;
    shared_info_t *shared;
    /* Our vCPU's vcpu_info: in shared_info until vcpu.register_vcpu_info
     * moves it. */
    struct vcpu_info *vcpu;
    uint8_t boot_upcall_mask; /* vcpu_info[0] mask as the builder left it */
    domid_t domid;            /* our own domain id (pv_domid() finds it) */
    int domid_known;
};
extern struct pvtest pv;

/* One test case. Cases register themselves with PVTEST() and run in link
 * order; each returns PV_PASS, or the result of pv_fail()/pv_skip(). */
enum { PV_PASS, PV_FAIL, PV_SKIP };
struct pv_case {
    const char *name;
    const char *what;
    int (*fn)(void);
};
#define PVTEST(id, name_, what_)                                           \
    static int id(void);                                                   \
    static const struct pv_case pv_case_##id __attribute__((               \
        used, section(".pvtest_cases"), aligned(8))) = {name_, what_, id}; \
    static int id(void)

int pv_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int pv_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The name of the case running now (for the trap handler's reports). */
const char *pv_current_case(void);

#define FAIL(...) return pv_fail(__FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...) return pv_skip(__VA_ARGS__)
#define CHECK(c)            \
    do {                    \
        if (!(c))           \
            FAIL("%s", #c); \
    } while (0)
#define CHECK_EQ(a, b)                                                      \
    do {                                                                    \
        long long a_ = (long long)(a), b_ = (long long)(b);                 \
        if (a_ != b_)                                                       \
            FAIL("%s = %lld (0x%llx), expected %s = %lld (0x%llx)", #a, a_, \
                 a_, #b, b_, b_);                                           \
    } while (0)
/* A hypercall result that must be 0. */
#define CHECK_OK(call) CHECK_EQ(call, 0)

/* A non-local exit back to the runner after an unexpected trap. */
struct pv_jmp {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
int pv_setjmp(struct pv_jmp *j) __attribute__((returns_twice));
void pv_longjmp(struct pv_jmp *j, int v) __attribute__((noreturn));
extern struct pv_jmp pv_runner_jmp;

void pv_shutdown(unsigned reason) __attribute__((noreturn));
void pv_panic(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
void run_cases(const char *cmdline);

#endif
