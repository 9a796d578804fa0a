/*
 * The secondary vCPU's whole life (t-smp.c): every time it is brought up
 * it counts itself in ap_alive and takes itself down again with
 * VCPUOP_down. No events; besides ap_entry, it enters only its failsafe
 * callback below (its first run) and, in the smp.send_nmi_* cases, the
 * test kernel's NMI entry; in smp.send_nmi_wakes_blocked it blocks before
 * going down.
 *
 * It also owns FS and ES selectors vCPU 0 never uses (FLAT_RING3_DS32):
 * at every wake-up it notes the FS it finds in ap_fs_seen, then loads
 * them, so that smp.segments_per_vcpu sees whether selectors are kept
 * per vCPU.
 */
#include <xen/xen.h>


    .text
    .globl ap_entry
ap_entry:
    /* What emulated CPUID (ud2; 'xen'; cpuid) shows this vCPU: leaf 1
     * EBX and ECX, leaf 0xb subleaf 0 EDX (smp.cpuid_apic_id). */
1:  mov $1, %eax
    xor %ecx, %ecx
    .byte 0x0f, 0x0b, 0x78, 0x65, 0x6e
    cpuid
    mov %ebx, ap_cpuid1_ebx(%rip)
    mov %ecx, ap_cpuid1_ecx(%rip)
    mov $0xb, %eax
    xor %ecx, %ecx
    .byte 0x0f, 0x0b, 0x78, 0x65, 0x6e
    cpuid
    mov %edx, ap_cpuidb_edx(%rip)
    mov %fs, %eax
    mov %eax, ap_fs_seen(%rip)
    mov $FLAT_RING3_DS32, %eax
    mov %eax, %fs
    mov %eax, %es
    lock incl ap_alive(%rip)
    /* smp.send_nmi_wakes_blocked: block until an NMI clears the flag (the
     * case binds no event to this vCPU, so nothing else can wake it). */
2:  cmpl $0, ap_block_for_nmi(%rip)
    je 3f
    mov $1, %edi /* SCHEDOP_block: xen/sched.h is C only */
    xor %esi, %esi
    call hypercall_page + __HYPERVISOR_sched_op * 32
    jmp 2b
3:  mov $2, %edi /* VCPUOP_down: xen/vcpu.h is C only */
    mov $1, %esi
    xor %edx, %edx
    call hypercall_page + __HYPERVISOR_vcpu_op * 32
    jmp 1b

/* vCPU 1's failsafe callback (smp.failsafe_first_run). Its first context
 * has data selectors that cannot load, so it starts here: note the frame
 * (RCX, R11, DS, ES, FS, GS, RIP, CS, ...), the live DS and our upcall
 * mask, then return to the context's RIP with the null selectors. */
    .globl ap_failsafe
ap_failsafe:
    mov 16(%rsp), %rax
    mov %eax, ap_fsafe_sel(%rip)
    mov 24(%rsp), %rax
    mov %eax, ap_fsafe_sel+4(%rip)
    mov 32(%rsp), %rax
    mov %eax, ap_fsafe_sel+8(%rip)
    mov 40(%rsp), %rax
    mov %eax, ap_fsafe_sel+12(%rip)
    mov 48(%rsp), %rax
    mov %rax, ap_fsafe_rip(%rip)
    mov 56(%rsp), %rax
    mov %rax, ap_fsafe_cs(%rip)
    mov %ds, %eax
    mov %eax, ap_fsafe_live_ds(%rip)
    mov pv+8(%rip), %rax /* pv.shared; vcpu_info[1] is 64 bytes in */
    movzbl 65(%rax), %eax
    mov %eax, ap_fsafe_mask(%rip)
    lock incl ap_failsafes(%rip)
    pop %rcx
    pop %r11
    add $32, %rsp
    push $0
    jmp hypercall_page + __HYPERVISOR_iret * 32

    .data
    .balign 8
    .globl ap_fsafe_rip, ap_fsafe_cs
ap_fsafe_rip:
    .quad 0
ap_fsafe_cs:
    .quad 0
    .globl ap_fsafe_sel, ap_fsafe_live_ds, ap_fsafe_mask, ap_failsafes
ap_fsafe_sel:
    .long 0, 0, 0, 0
ap_fsafe_live_ds:
    .long 0
ap_fsafe_mask:
    .long 0
ap_failsafes:
    .long 0
    .balign 4
    .globl ap_cpuid1_ebx, ap_cpuid1_ecx, ap_cpuidb_edx
ap_cpuid1_ebx:
    .long 0
ap_cpuid1_ecx:
    .long 0
ap_cpuidb_edx:
    .long 0
    .globl ap_alive
ap_alive:
    .long 0
    .globl ap_block_for_nmi
ap_block_for_nmi:
    .long 0
    .globl ap_fs_seen
ap_fs_seen:
    .long 0

    .bss
    .balign 16
    .skip 4096
    .globl ap_stack_top
ap_stack_top:
