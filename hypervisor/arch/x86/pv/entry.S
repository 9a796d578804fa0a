/*
 * Entering and leaving PV guests. Read this with pv-abi.md sections 3.1
 * (hypercall convention) and 4.8 (the exit path).
 *
 * Every way into the hypervisor from a guest leaves the guest's registers
 * as a struct cpu_regs (traps.h) at the top of this pCPU's hypervisor
 * stack: exceptions and interrupts through the IDT (entry.S, on TSS.rsp0),
 * and `syscall` through pv_syscall_entry below, which builds the same frame
 * by hand. Every way out goes through pv_exit_to_guest: the exit path in C
 * may rewrite the frame (deliver an event, bounce an exception, switch to
 * another vCPU), then the registers are popped and iretq resumes the guest,
 * or sysretq when the frame is exactly what it makes (exit_frame.h: most
 * hypercall returns, as in Xen).
 */
#include <veneer/asm_regs.h>
#include <veneer/boot_defs.h>
#include <veneer/x86.h>

#define VEC_SYSCALL 0x100 /* cpu_regs.vector for a syscall entry */

    .data
    .balign 16
    /* Per pCPU: the guest RSP at a `syscall` (scratch), and the CPU's
     * stack top (smp.h), which pv_cpu_init() fills in. */
    .globl pv_syscall_percpu
pv_syscall_percpu:
    .fill 2 * MAX_CPUS, 8, 0

    .text
/*
 * `syscall` from guest kernel or user mode (MSR_LSTAR). The CPU left RIP in
 * RCX, RFLAGS in R11, the guest RSP in RSP, and interrupts masked (FMASK).
 * Nothing says which pCPU we are on (the guest owns GS), so each CPU's
 * LSTAR points at its own stub: pv_syscall_stubs + 64 * cpu.
 */
    .balign 64
    .globl pv_syscall_stubs
pv_syscall_stubs:
    .set cpu, 0
    .rept MAX_CPUS
    .balign 64
    mov %rsp, pv_syscall_percpu + 16 * cpu(%rip)
    mov pv_syscall_percpu + 16 * cpu + 8(%rip), %rsp
    push $RING3_DS32                /* ss */
    push pv_syscall_percpu + 16 * cpu(%rip) /* rsp */
    jmp pv_syscall_entry
    .set cpu, cpu + 1
    .endr

pv_syscall_entry:
    push %r11                       /* rflags */
    push $RING3_CS64                /* cs */
    push %rcx                       /* rip */
    push $0                         /* error code */
    push $VEC_SYSCALL               /* vector */
    SAVE_GPRS
    cld
    mov %rsp, %rdi
    call pv_do_syscall
    /* fall through */

/* rsp = the guest frame at the top of the stack. */
    .globl pv_exit_to_guest
pv_exit_to_guest:
    cli
    mov %rsp, %rdi
    call pv_exit_path
    test %al, %al                   /* the frame is what sysretq makes */
    jnz 4f
    RESTORE_GPRS
    add $16, %rsp                   /* vector, error code */
1:  iretq
4:  RESTORE_GPRS                    /* RCX, R11: the frame's RIP, RFLAGS */
    mov 16 + 3 * 8(%rsp), %rsp      /* the guest's RSP; NMI and #MC use IST */
    sysretq
    /* A fault on iretq itself (a bad selector slipped through) must not
     * kill the hypervisor: the fault lands here with the frame intact. */
2:  sub $16, %rsp
    SAVE_GPRS
    mov %rsp, %rdi
    call pv_iret_fault
    jmp pv_exit_to_guest
    .pushsection __ex_table, "a"
    .balign 8
    .quad 1b, 2b
    .popsection

/* Starts running a vCPU: rdi = its frame, already at the stack top. */
    .globl pv_resume_frame
pv_resume_frame:
    mov %rdi, %rsp
    jmp pv_exit_to_guest
