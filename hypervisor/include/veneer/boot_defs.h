/*
 * Constants shared by the boot assembly and C: x86 control-register bits,
 * the boot page-table layout and the QEMU exit codes.
 */
#ifndef VENEER_BOOT_DEFS_H
#define VENEER_BOOT_DEFS_H

#define X86_CR0_PE 0x00000001
#define X86_CR0_MP 0x00000002
#define X86_CR0_EM 0x00000004
#define X86_CR0_TS 0x00000008
#define X86_CR0_NE 0x00000020
#define X86_CR0_WP 0x00010000
#define X86_CR0_PG 0x80000000

#define X86_CR4_PAE        0x00000020
#define X86_CR4_PGE        0x00000080
#define X86_CR4_OSFXSR     0x00000200
#define X86_CR4_OSXMMEXCPT 0x00000400
#define X86_CR4_FSGSBASE   0x00010000
#define X86_CR4_OSXSAVE    0x00040000
#define X86_CR4_SMEP       0x00100000
#define X86_CR4_SMAP       0x00200000

#define MSR_EFER 0xc0000080
#define EFER_SCE 0x00000001
#define EFER_LME 0x00000100
#define EFER_NXE 0x00000800

#define BOOT_CS 0x08

/* Present + writable (+ 2 MiB page) for the boot tables. */
#define PTE_BOOT_TABLE 0x003
#define PTE_BOOT_LARGE 0x083

/* HV_VIRT_BASE (veneer.lds) = 0xffff82d040000000: L4 slot 261, L3 slot 321 */
#define HV_VIRT_BASE_C  0xffff82d040000000UL
#define BOOT_HV_L4_SLOT 261
#define BOOT_HV_L3_SLOT 321

/*
 * Each pCPU's stack block (smp.h): STACK_SIZE bytes aligned to STACK_SIZE,
 * the IST stacks at the bottom, the guest frame and struct cpu_info at the
 * top. The boot code of a CPU starts BOOT_STACK_GAP below the top, so that
 * the first vCPU's frame can be written without clobbering it.
 */
#define STACK_SIZE     0x10000
#define CPU_INFO_SIZE  512
#define BOOT_STACK_GAP 1024

/* Secondary CPUs: how many we support, and where their real-mode
 * trampoline (arch/x86/trampoline.S) is copied: a page below 1 MiB. */
#define MAX_CPUS         8
#define AP_TRAMPOLINE_PA 0x8000

/*
 * Values written to QEMU's isa-debug-exit port (0xf4); QEMU then exits with
 * status (value << 1) | 1, so the harness sees 1 for pass, 3 for fail and
 * 5 for a hypervisor panic.
 */
#define VENEER_EXIT_PORT  0xf4
#define VENEER_EXIT_PASS  0
#define VENEER_EXIT_FAIL  1
#define VENEER_EXIT_PANIC 2

#endif
