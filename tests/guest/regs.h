/* The register frame every guest entry point (head.S) hands to C. */
#ifndef PVTEST_REGS_H
#define PVTEST_REGS_H

/* Pseudo vectors for the entries that are not exceptions. */
#define PV_VEC_SOFTINT  0x80
#define PV_VEC_EVENT    0x100
#define PV_VEC_SYSCALL  0x101
#define PV_VEC_FAILSAFE 0x102

#ifndef __ASSEMBLY__
#include <stdint.h>

/* Pushed by entry_common (lowest address first), then Xen's bounce frame.
 * Writing rip/rsp/cs/rflags changes where pv_iret returns to. */
struct pv_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

void pv_entry(struct pv_regs *regs);
#endif

#endif
