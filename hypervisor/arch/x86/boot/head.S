/*
 * Multiboot v1 entry: from 32-bit protected mode with paging off to 64-bit
 * long mode running at the hypervisor's high addresses, then into C.
 *
 * Read this first when boot dies silently. Each step that can fail before
 * the C console exists writes one letter to COM1 on failure, so a serial
 * log ending in "veneer: no long mode" tells you where it stopped.
 *
 * The boot page tables map the first 4 GiB twice: identity (so this code
 * keeps running when paging comes on, and so early C code can read the
 * multiboot data and modules by physical address) and at HV_VIRT_BASE (where
 * the C code is linked). paging.c replaces them with the real tables.
 */
#include <veneer/boot_defs.h>

#define MB_MAGIC  0x1BADB002
/* page-align modules, give us the memory map, use the address fields */
#define MB_FLAGS  ((1 << 0) | (1 << 1) | (1 << 16))

    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long multiboot_header      /* header_addr */
    .long __image_start_phys    /* load_addr */
    .long 0                     /* load_end_addr: the whole file */
    .long __image_end_phys      /* bss_end_addr: .bss and the symbols */
    .long start32               /* entry_addr */

    .section .text.boot, "ax"
    .code32
    .globl start32
start32:
    cli
    cld
    mov %eax, %edi              /* multiboot magic, first C argument */
    mov %ebx, %esi              /* multiboot info, second C argument */

    /* Long mode and NX are required; say so on COM1 if absent. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx                /* LM */
    jnc no_long_mode
    bt $20, %edx                /* NX */
    jnc no_long_mode

    mov %cr4, %eax
    or $(X86_CR4_PAE | X86_CR4_PGE), %eax
    mov %eax, %cr4
    mov $boot_l4, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $(EFER_LME | EFER_NXE | EFER_SCE), %eax
    wrmsr
    mov %cr0, %eax
    or $(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP), %eax
    mov %eax, %cr0

    lgdt boot_gdt_desc
    ljmp $BOOT_CS, $start64_low

no_long_mode:
    mov $no_lm_msg, %ebx
1:  movb (%ebx), %al
    test %al, %al
    jz 3f
    mov $0x3fd, %dx             /* COM1 line status: wait for THR empty */
2:  inb %dx, %al
    test $0x20, %al
    jz 2b
    movb (%ebx), %al
    mov $0x3f8, %dx
    outb %al, %dx
    inc %ebx
    jmp 1b
3:  mov $0xf4, %dx              /* isa-debug-exit, if present: fail */
    mov $VENEER_EXIT_FAIL, %al
    outb %al, %dx
4:  hlt
    jmp 4b

    .code64
start64_low:
    movabs $start64_high, %rax
    jmp *%rax

    .text
start64_high:
    xor %eax, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs

    /* Zero .bss (the loader should have; do not rely on it). */
    mov %rdi, %r12               /* no stack yet: the loader's ESP is undefined */
    mov %rsi, %r13
    lea __bss_start(%rip), %rdi
    lea __bss_end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    mov %r12, %rdi
    mov %r13, %rsi

    /* The boot CPU's stack block (smp.h), below its guest frame. */
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp               /* ends the backtrace */
    push $0                      /* a fake return address, for the unwinder */
    call start_veneer
    ud2

    .section .data.boot, "aw"
    .balign 4096
    .globl boot_l4
boot_l4:
    .quad boot_l3_ident + PTE_BOOT_TABLE
    .fill BOOT_HV_L4_SLOT - 1, 8, 0
    .quad boot_l3_high + PTE_BOOT_TABLE
    .fill 511 - BOOT_HV_L4_SLOT, 8, 0
boot_l3_ident:
    .quad boot_l2 + 0 * 4096 + PTE_BOOT_TABLE
    .quad boot_l2 + 1 * 4096 + PTE_BOOT_TABLE
    .quad boot_l2 + 2 * 4096 + PTE_BOOT_TABLE
    .quad boot_l2 + 3 * 4096 + PTE_BOOT_TABLE
    .fill 508, 8, 0
boot_l3_high:
    .fill BOOT_HV_L3_SLOT, 8, 0
    .quad boot_l2 + 0 * 4096 + PTE_BOOT_TABLE
    .quad boot_l2 + 1 * 4096 + PTE_BOOT_TABLE
    .quad boot_l2 + 2 * 4096 + PTE_BOOT_TABLE
    .quad boot_l2 + 3 * 4096 + PTE_BOOT_TABLE
    .fill 508 - BOOT_HV_L3_SLOT, 8, 0
boot_l2:                         /* 4 GiB in 2 MiB pages */
    .set i, 0
    .rept 2048
    .quad (i << 21) + PTE_BOOT_LARGE
    .set i, i + 1
    .endr

    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff     /* BOOT_CS: 64-bit code, ring 0 */
    .quad 0x00cf92000000ffff     /* data, ring 0 */
boot_gdt_end:
boot_gdt_desc:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

no_lm_msg:
    .asciz "veneer: this CPU has no long mode or no NX; veneer needs x86_64 with NX\r\n"

    .bss
    .balign STACK_SIZE
    .globl cpu0_stack_block
cpu0_stack_block:
    .skip STACK_SIZE - CPU_INFO_SIZE - BOOT_STACK_GAP
    .globl boot_stack_top
boot_stack_top:
    .skip CPU_INFO_SIZE + BOOT_STACK_GAP
