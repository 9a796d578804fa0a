/*
 * The secondary vCPU's whole life (t-smp.c): every time it is brought up
 * it counts itself in ap_alive and takes itself down again with
 * VCPUOP_down. No C, no events, no traps: it shares nothing else.
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
    mov $2, %edi /* VCPUOP_down: xen/vcpu.h is C only */
    mov $1, %esi
    xor %edx, %edx
    call hypercall_page + __HYPERVISOR_vcpu_op * 32
    jmp 1b

    .data
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
    .globl ap_fs_seen
ap_fs_seen:
    .long 0

    .bss
    .balign 16
    .skip 4096
    .globl ap_stack_top
ap_stack_top:
