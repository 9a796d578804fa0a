/* Exceptions: the trap table, and "expected trap" recording for tests. */
#ifndef PVTEST_TRAPS_H
#define PVTEST_TRAPS_H

#include <stdint.h>
#include "regs.h"
#include "xen.h"

/* A test arms `fixup` (the address to resume at) right before the
 * instruction that must trap; the handler records the frame and resumes
 * there. Any trap while unarmed fails the running case. */
struct pv_trap {
    uint64_t fixup;
    uint64_t hits;
    uint64_t vector, error, rip, cs, rflags, rsp, ss, cr2;
};
extern struct pv_trap pv_trap;

/* Run one instruction (string `insn`) that should trap. `at` receives the
 * instruction's address. Extra operands follow the usual asm rules:
 * %[at] is the output; inputs may be named by the caller. */
#define TRAP_TRY(at, insn, ...)                      \
    __asm__ volatile("lea 9f(%%rip), %%r11\n\t"      \
                     "mov %%r11, pv_trap(%%rip)\n\t" \
                     "lea 8f(%%rip), %[at]\n\t"      \
                     "8: " insn "\n\t"               \
                     "9:\n\t"                        \
                     : [at] "=&r"(at)                \
                     : __VA_ARGS__                   \
                     : "r11", "memory")

/* Our trap table (ended by address 0), also given to secondary vCPUs. */
extern const struct trap_info pv_trap_table[];
void traps_init(void);
void trap_reset(void);
/* Set by the user-mode cases while user code runs: gets every entry from
 * guest user mode (syscall callback or exception). */
extern void (*pv_user_hook)(struct pv_regs *regs);
/* Set by the NMI cases (t-nmi.c): gets every virtual NMI, which then
 * returns to the interrupted code. */
extern void (*pv_nmi_hook)(struct pv_regs *regs);
/* Where the last event upcall interrupted us (its frame's CS and RIP). */
extern uint64_t pv_last_upcall_cs, pv_last_upcall_rip;

/* Read/write 8 bytes at va; returns -1 if it did not trap, else the
 * vector (the frame is in pv_trap). */
int probe_read(unsigned long va, uint64_t *val);
int probe_write(unsigned long va, uint64_t val);

#endif
