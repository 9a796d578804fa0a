/*
 * Trap frames and exception handling in the hypervisor.
 *
 * entry.S builds a struct cpu_regs on the stack for every exception and
 * interrupt and calls do_trap(). A fault in the hypervisor is either
 * expected (its RIP is in the exception fixup table: execution resumes at
 * the fixup, which is how probing instructions and the self-tests recover)
 * or fatal (register dump, faulting address, backtrace, then halt).
 */
#ifndef VENEER_TRAPS_H
#define VENEER_TRAPS_H

#include <veneer/types.h>

/* Laid out by entry.S: keep the two in step. */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    /* pushed by the CPU */
    uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * Marks the instruction at label `insn` as allowed to fault: execution goes
 * on at label `fixup`. Use in inline asm: "1: ud2\n2:\n" EXTABLE("1b", "2b").
 */
#define EXTABLE(insn, fixup)           \
    ".pushsection __ex_table, \"a\"\n" \
    ".balign 8\n"                      \
    ".quad " insn ", " fixup "\n"      \
    ".popsection\n"

/* What the last fixed-up fault was is in this_cpu()->last_fixup (smp.h):
 * per CPU, since guest memory is copied on every CPU at once. */

void traps_init(void); /* GDT, TSS with IST stacks, IDT; loads them */
/* SMEP and SMAP where the CPU has them (cpu_protect.c); each CPU, from
 * traps_init*. */
bool cpu_has_smep(void);
bool cpu_has_smap(void);
void cpu_protections_init(void);
/* After paging_init(): the GDT moves to the per-vCPU window (desc.c). */
void gdt_window_init(void);
/* A secondary CPU's TSS, GDT window and IDT, loaded (stacks in block). */
void traps_init_secondary(unsigned int cpu, uint8_t *block);
/* Shows a vCPU's GDT frames in the window (nr 0: none). */
void gdt_window_show(const uint64_t *frames, unsigned int nr);
void do_trap(struct cpu_regs *regs);

/* Interrupt handlers registered by vector (APIC timer, spurious, ...). */
typedef void (*irq_handler_fn)(struct cpu_regs *regs);
void set_irq_handler(unsigned int vector, irq_handler_fn fn);

/* Prints the registers, the faulting address and a backtrace. */
void show_registers(const struct cpu_regs *regs);
void show_backtrace(uint64_t rip, uint64_t rbp);

#endif
