/*
 * Where a secondary CPU starts: smpboot.c copies trampoline_start ..
 * trampoline_end to AP_TRAMPOLINE_PA (a page below 1 MiB) and sends the
 * CPU a STARTUP IPI whose vector is that page, so it begins here in real
 * mode with CS = AP_TRAMPOLINE_PA >> 4 and IP = 0.
 *
 * From there the path is the boot CPU's (boot/head.S): protected mode,
 * PAE, the boot page tables (which identity-map this page and map the image
 * high), long mode, then a jump to ap_start64 in the image, which loads
 * veneer's real page tables, the stack smpboot.c chose and calls
 * ap_start(). Code and data here use addresses relative to
 * trampoline_start plus AP_TRAMPOLINE_PA: the copy runs nowhere else.
 */
#include <veneer/boot_defs.h>

#define TRAMP(x) ((x) - trampoline_start + AP_TRAMPOLINE_PA)

    .text
    .code16
    .balign 16
    .globl trampoline_start
trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    lgdtl tramp_gdt_desc - trampoline_start
    mov %cr0, %eax
    or $X86_CR0_PE, %eax
    mov %eax, %cr0
    ljmpl $0x10, $TRAMP(tramp32)

    .code32
tramp32:
    mov $0x18, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr4, %eax
    or $(X86_CR4_PAE | X86_CR4_PGE), %eax
    mov %eax, %cr4
    mov TRAMP(tramp_cr3), %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $(EFER_LME | EFER_NXE | EFER_SCE), %eax
    wrmsr
    mov %cr0, %eax
    or $(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP), %eax
    mov %eax, %cr0
    ljmp $0x08, $TRAMP(tramp64)

    .code64
tramp64:
    movabs $ap_start64, %rax
    jmp *%rax

    .balign 8
tramp_gdt:
    .quad 0
    .quad 0x00af9a000000ffff     /* 0x08: 64-bit code, ring 0 */
    .quad 0x00cf9a000000ffff     /* 0x10: 32-bit code, ring 0 */
    .quad 0x00cf92000000ffff     /* 0x18: data, ring 0 */
tramp_gdt_end:
tramp_gdt_desc:
    .word tramp_gdt_end - tramp_gdt - 1
    .long TRAMP(tramp_gdt)
tramp_cr3:
    .long boot_l4                /* head.S: identity + high, below 4 GiB */
    .globl trampoline_end
trampoline_end:

/* In the image, at its high address, on the boot page tables. */
ap_start64:
    xor %eax, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov ap_boot_cr3(%rip), %rax
    mov %rax, %cr3
    mov ap_boot_stack(%rip), %rsp
    xor %ebp, %ebp               /* ends the backtrace */
    push $0
    mov ap_boot_cpu(%rip), %edi
    call ap_start
    ud2

    .data
    .balign 8
    /* Set by smpboot.c for the one CPU it is starting. */
    .globl ap_boot_cr3, ap_boot_stack, ap_boot_cpu
ap_boot_cr3:
    .quad 0
ap_boot_stack:
    .quad 0
ap_boot_cpu:
    .quad 0
