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
1:  mov %fs, %eax
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
