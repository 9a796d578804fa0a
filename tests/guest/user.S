/*
 * Guest user mode: user_iret enters ring 3 of the guest through the iret
 * hypercall; user_blob is position-independent user code that t-user.c
 * copies into a user page. Each entry ends in a syscall or a fault, which
 * brings us back to the kernel (traps.c hands it to t-user.c).
 */
#include <xen/xen.h>

    .text
/* void user_iret(uint64_t rip, uint64_t rsp, uint64_t rflags): never
 * returns. RFLAGS.IF becomes the upcall mask's opposite in user mode. */
    .globl user_iret
user_iret:
    push $FLAT_USER_SS
    push %rsi
    push %rdx
    push $FLAT_USER_CS
    push %rdi
    jmp pv_iret

    .globl user_blob, user_blob_end
    .globl user_syscall, user_segs, user_cli, user_int3, user_kread
    .globl user_wcode, user_spin, user_ldt_sel
    .balign 16
user_blob:
user_syscall:
    mov $0x1234, %edi
    mov $0x5678, %esi
    syscall
    .globl user_syscall_ret
user_syscall_ret:
    ud2
user_segs:
    mov %fs:0, %rdi
    mov %gs:0, %rsi
    syscall
    ud2
user_ldt_sel:
    mov $0x0f, %eax /* LDT index 1, RPL 3 */
    mov %eax, %es
    syscall
    ud2
user_cli:
    cli
    ud2
user_int3:
    int3
    .globl user_int3_ret
user_int3_ret:
    ud2
user_kread:
    movabs $0xffffffff80100000, %rax
    mov (%rax), %rax
    ud2
user_wcode:
    lea user_blob(%rip), %rax
    movb $0, (%rax)
    ud2
user_spin:
    mov $0x4242, %edi
    syscall
    ud2
user_blob_end:

/* void iret_probe(uint64_t flags, uint64_t rflags, uint64_t out[3]):
 * returns to itself (kernel mode, same stack) through the iret hypercall
 * with RAX/R11/RCX = 0x1111/0x2222/0x3333 in the frame, and stores the
 * RAX, RCX and R11 it comes back with. */
    .globl iret_probe, iret_probe_ret
iret_probe:
    push %rbx
    mov %rdx, %rbx
    mov %rsp, %r8
    lea iret_probe_ret(%rip), %r9
    push $FLAT_KERNEL_SS
    push %r8
    push %rsi
    push $(FLAT_KERNEL_CS & ~3)
    push %r9
    push %rdi
    push $0x3333
    push $0x2222
    push $0x1111
    mov $__HYPERVISOR_iret, %eax
    syscall
iret_probe_ret:
    mov %rax, 0(%rbx)
    mov %rcx, 8(%rbx)
    mov %r11, 16(%rbx)
    pop %rbx
    ret

/* void iret_bad_frame(uint64_t cs, uint64_t ss): the iret hypercall back
 * to iret_bad_ret in kernel mode (events masked) with this CS and SS, which
 * the CPU may refuse. The case arms pv_trap.fixup at iret_bad_ret too, so
 * the fault resumes there with the stack as it was (traps.h). */
    .globl iret_bad_frame, iret_bad_ret
iret_bad_frame:
    mov %rsp, %r8
    lea iret_bad_ret(%rip), %r9
    push %rsi       /* SS */
    push %r8        /* RSP */
    push $0x002     /* RFLAGS: IF clear, events stay masked */
    push %rdi       /* CS */
    push %r9        /* RIP */
    push $0         /* flags */
    push $0         /* RCX */
    push $0         /* R11 */
    push $0         /* RAX */
    mov $__HYPERVISOR_iret, %eax
    syscall
iret_bad_ret:
    ret
