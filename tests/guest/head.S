/*
 * Entry, ELF notes, hypercall page and every guest entry point of the PV
 * test kernel: exception stubs, the event upcall, the failsafe and syscall
 * callbacks, and the return to the interrupted context through the iret
 * hypercall. Everything that must be assembly lives here; the C side gets
 * a struct pv_regs (regs.h) and may change it before we return.
 */
#include <xen/elfnote.h>
#include <xen/xen.h>
#include "regs.h"

/* One Xen ELF note: name "Xen", the given type; the desc is whatever the
 * lines between NOTE_BEGIN and NOTE_END emit. */
.macro NOTE_BEGIN type:req
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 2f - 1f
    .long 4f - 3f
    .long \type
1:  .asciz "Xen"
2:  .balign 4
3:
.endm
.macro NOTE_END
4:  .balign 4
    .popsection
.endm
.macro NOTE_STR type:req, str:req
    NOTE_BEGIN \type
    .asciz "\str"
    NOTE_END
.endm
.macro NOTE_QUAD type:req, val:req
    NOTE_BEGIN \type
    .quad \val
    NOTE_END
.endm

    NOTE_STR XEN_ELFNOTE_GUEST_OS, "veneer-pvtest"
    NOTE_STR XEN_ELFNOTE_GUEST_VERSION, "1"
    NOTE_STR XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
    NOTE_STR XEN_ELFNOTE_LOADER, "generic"
    NOTE_QUAD XEN_ELFNOTE_VIRT_BASE, 0xffffffff80000000
    NOTE_QUAD XEN_ELFNOTE_PADDR_OFFSET, 0
    NOTE_QUAD XEN_ELFNOTE_ENTRY, _start
    NOTE_QUAD XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page
    /* We run as the initial domain on Xen: it refuses kernels without the
     * dom0 bit (XENFEAT_dom0 = 11). No FEATURES note: we require nothing
     * optional (every page-table write goes through a hypercall). */
    NOTE_BEGIN XEN_ELFNOTE_SUPPORTED_FEATURES
    .long 0x800
    NOTE_END

    .section .text.head, "ax"
    .code64
    .globl _start
_start:
    /* RSI = start_info. Leave the builder's stack for our own. */
    cld
    lea boot_stack_top(%rip), %rsp
    mov %rsi, %rdi
    xor %ebp, %ebp
    call pvtest_main
1:  ud2
    jmp 1b

/* The hypervisor fills this page with 128 stubs of 32 bytes. */
    .section .text.hypercall_page, "ax"
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc

    .text
/* long hcall(nr, a1..a5): through the hypercall page (nr < 128). */
    .globl hcall
hcall:
    mov %rdi, %rax
    shl $5, %rax
    lea hypercall_page(%rip), %r11
    add %r11, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
    call *%rax
    ret

/* long hcall_raw(nr, a1..a5): a direct syscall, for any number (the
 * negative tests use numbers the page has no slot for). */
    .globl hcall_raw
hcall_raw:
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
    syscall
    ret

/* uint64_t hcall_clobbers(void): makes a hypercall (xen_version through
 * the page) with markers in RBX, RBP, R9, R12-R15 and returns a bit mask
 * of those that did not survive (bit 0 RBX, 1 RBP, 2 R9, 3-6 R12-R15). */
    .globl hcall_clobbers
hcall_clobbers:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    movabs $0x5a5a00000000bb01, %rbx
    movabs $0x5a5a00000000bb02, %rbp
    movabs $0x5a5a00000000bb03, %r9
    movabs $0x5a5a00000000bb04, %r12
    movabs $0x5a5a00000000bb05, %r13
    movabs $0x5a5a00000000bb06, %r14
    movabs $0x5a5a00000000bb07, %r15
    xor %edi, %edi
    xor %esi, %esi
    call hypercall_page + __HYPERVISOR_xen_version * 32
    xor %eax, %eax
    movabs $0x5a5a00000000bb01, %rdx
    cmp %rdx, %rbx
    je 1f
    or $1, %eax
1:  movabs $0x5a5a00000000bb02, %rdx
    cmp %rdx, %rbp
    je 1f
    or $2, %eax
1:  movabs $0x5a5a00000000bb03, %rdx
    cmp %rdx, %r9
    je 1f
    or $4, %eax
1:  movabs $0x5a5a00000000bb04, %rdx
    cmp %rdx, %r12
    je 1f
    or $8, %eax
1:  movabs $0x5a5a00000000bb05, %rdx
    cmp %rdx, %r13
    je 1f
    or $16, %eax
1:  movabs $0x5a5a00000000bb06, %rdx
    cmp %rdx, %r14
    je 1f
    or $32, %eax
1:  movabs $0x5a5a00000000bb07, %rdx
    cmp %rdx, %r15
    je 1f
    or $64, %eax
1:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

/*
 * Guest entry points. Xen enters each with RCX and R11 on top of the frame
 * (it may have returned with sysret); exceptions with an error code have it
 * next, then RIP, CS, RFLAGS, RSP, SS. We normalise to struct pv_regs.
 */
.macro ENTRY_NOERR name, vec
    .globl \name
\name:
    pop %rcx
    pop %r11
    push $0
    push $\vec
    jmp entry_common
.endm
.macro ENTRY_ERR name, vec
    .globl \name
\name:
    pop %rcx
    pop %r11
    push $\vec
    jmp entry_common
.endm

    ENTRY_NOERR trap_de, 0
    ENTRY_NOERR trap_db, 1
    ENTRY_NOERR trap_nmi, 2
    ENTRY_NOERR trap_bp, 3
    ENTRY_NOERR trap_of, 4
    ENTRY_NOERR trap_br, 5
    ENTRY_NOERR trap_ud, 6
    ENTRY_NOERR trap_nm, 7
    ENTRY_ERR   trap_df, 8
    ENTRY_ERR   trap_ts, 10
    ENTRY_ERR   trap_np, 11
    ENTRY_ERR   trap_ss, 12
    ENTRY_ERR   trap_gp, 13
    ENTRY_ERR   trap_pf, 14
    ENTRY_NOERR trap_mf, 16
    ENTRY_ERR   trap_ac, 17
    ENTRY_NOERR trap_mc, 18
    ENTRY_NOERR trap_xm, 19
    ENTRY_NOERR trap_sw, PV_VEC_SOFTINT
    ENTRY_NOERR event_callback, PV_VEC_EVENT
    ENTRY_NOERR syscall_callback, PV_VEC_SYSCALL

/* The failsafe frame has DS, ES, FS, GS between R11 and RIP. */
    .globl failsafe_callback
failsafe_callback:
    pop %rcx
    pop %r11
    add $32, %rsp
    push $0
    push $PV_VEC_FAILSAFE
    jmp entry_common

entry_common:
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
    mov %rsp, %rdi
    /* Keep the C call's stack 16-byte aligned whatever the frame was. */
    mov %rsp, %rbx
    and $-16, %rsp
    call pv_entry
    mov %rbx, %rsp
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
    add $16, %rsp
    /* Now RIP, CS, RFLAGS, RSP, SS: add flags 0 and let the page's iret
     * stub push RCX, R11 and RAX. */
    .globl pv_iret
pv_iret:
    push $0
    jmp hypercall_page + __HYPERVISOR_iret * 32

    .bss
    .balign 4096
boot_stack:
    .skip 16384
    .globl boot_stack_top
boot_stack_top:
