/*
 * Exception and interrupt entry: one 16-byte stub per vector pushes a zero
 * error code (for vectors where the CPU pushes none) and the vector number,
 * then trap_common saves the general registers in the order of struct
 * cpu_regs (traps.h) and calls do_trap(regs). The stubs' addresses are
 * exception_stubs + 16 * vector, which is how desc.c fills the IDT.
 */
#include <veneer/asm_regs.h>
#include <veneer/x86.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                        (v) == 21 || (v) == 29 || (v) == 30)

    .text
    .balign 16
    .globl exception_stubs
exception_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if !HAS_ERRCODE(vec)
    push $0
    .endif
    push $vec
    jmp trap_common
    .set vec, vec + 1
    .endr

trap_common:
    SAVE_GPRS
    cld
    /* RFLAGS.AC may be the guest's, or a guest_access window's that this
     * fault interrupted (iretq restores it): closed while we handle it. */
    testb $1, smap_enabled(%rip)
    jz .Lac_clear
    clac
.Lac_clear:
    mov %rsp, %rdi
    /* Make the frame look like a call from the interrupted code, so the
     * backtrace walks from the handler into what was interrupted. */
    mov 15*8+2*8(%rsp), %rax    /* the interrupted rip */
    push %rax
    push %rbp
    mov %rsp, %rbp
    call do_trap
    add $16, %rsp
    /* Back to a guest (ring 3)? Then through the PV exit path. */
    testb $3, 18*8(%rsp)            /* cpu_regs.cs */
    jnz pv_exit_to_guest
    RESTORE_GPRS
    add $16, %rsp               /* vector and error code */
    iretq
