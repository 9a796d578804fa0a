/*
 * x86_64 architectural constants and the hypervisor's segment layout.
 *
 * The selectors follow Xen's layout because guests see them: the PV ABI
 * (xen/arch-x86/xen-x86_64.h) fixes FLAT_RING3_CS64 = 0xe033 and friends,
 * so our own descriptors sit in the reserved top of the GDT from 0xe000 on,
 * below which a guest's own GDT frames will be mapped.
 */
#ifndef VENEER_X86_H
#define VENEER_X86_H

#define GDT_RESERVED_FIRST 0xe000
#define HYPERVISOR_CS      0xe008 /* 64-bit code, ring 0 */
#define HYPERVISOR_DS      0xe010 /* flat data, ring 0 */
#define HYPERVISOR_CS32    0xe018 /* 32-bit code, ring 0 (unused for now) */
#define RING3_CS32         0xe023 /* FLAT_RING3_CS32 */
#define RING3_DS32         0xe02b /* FLAT_RING3_DS32, FLAT_RING3_SS64 */
#define RING3_CS64         0xe033 /* FLAT_RING3_CS64 */
#define TSS_SELECTOR       0xe040 /* 16-byte system descriptor */
#define GDT_ENTRIES        ((0xe050 / 8) + 2)

/* Exception vectors. */
#define X86_EXC_DE        0
#define X86_EXC_DB        1
#define X86_EXC_NMI       2
#define X86_EXC_BP        3
#define X86_EXC_OF        4
#define X86_EXC_BR        5
#define X86_EXC_UD        6
#define X86_EXC_NM        7
#define X86_EXC_DF        8
#define X86_EXC_TS        10
#define X86_EXC_NP        11
#define X86_EXC_SS        12
#define X86_EXC_GP        13
#define X86_EXC_PF        14
#define X86_EXC_MF        16
#define X86_EXC_AC        17
#define X86_EXC_MC        18
#define X86_EXC_XM        19
#define X86_EXC_VE        20
#define X86_EXC_CP        21
#define X86_NR_EXCEPTIONS 32

/* Interrupt vectors we own. */
#define PIC_VECTOR_BASE      0x20 /* legacy PIC, remapped and masked */
#define APIC_TIMER_VECTOR    0xf0
#define APIC_SPURIOUS_VECTOR 0xff

/* IST slots (1-based in the IDT gate). */
#define IST_DF         1
#define IST_NMI        2
#define IST_MC         3
#define IST_STACK_SIZE 4096

/* Page-fault error code bits. */
#define PFEC_PRESENT 0x01
#define PFEC_WRITE   0x02
#define PFEC_USER    0x04
#define PFEC_RSVD    0x08
#define PFEC_INSN    0x10

/* Page-table entry bits. */
#define _PAGE_PRESENT  0x001UL
#define _PAGE_RW       0x002UL
#define _PAGE_USER     0x004UL
#define _PAGE_PWT      0x008UL
#define _PAGE_PCD      0x010UL
#define _PAGE_ACCESSED 0x020UL
#define _PAGE_DIRTY    0x040UL
#define _PAGE_PSE      0x080UL
#define _PAGE_GLOBAL   0x100UL
#define _PAGE_NX       (1UL << 63)
#define PTE_ADDR_MASK  0x000ffffffffff000UL

#define MSR_APIC_BASE      0x1b
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102

#define X86_EFLAGS_TF    0x00000100
#define X86_EFLAGS_IF    0x00000200
#define X86_EFLAGS_DF    0x00000400
#define X86_EFLAGS_IOPL  0x00003000
#define X86_EFLAGS_NT    0x00004000
#define X86_EFLAGS_RF    0x00010000
#define X86_EFLAGS_VM    0x00020000
#define X86_EFLAGS_AC    0x00040000
#define APIC_BASE_ENABLE (1UL << 11)

#endif
