/*
 * Saving and restoring the general registers in the order of struct
 * cpu_regs (traps.h), for the assembly entry paths: exceptions and
 * interrupts (arch/x86/entry.S) and syscalls from guests (pv/entry.S)
 * build the same frame, so one pair of macros serves both.
 */
#ifndef VENEER_ASM_REGS_H
#define VENEER_ASM_REGS_H

#ifdef __ASSEMBLER__
/* clang-format off */
.macro SAVE_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro RESTORE_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm
/* clang-format on */
#endif

#endif
