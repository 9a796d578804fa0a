/* Exception cases: each deliberate fault reaches our trap-table handler
 * with the frame Xen documents (RIP, CS with RPL 0 and the saved upcall
 * mask, RFLAGS.IF = !mask, RSP, SS, error code, CR2 in vcpu_info). */
#include "mm.h"
#include "traps.h"

#define KERNEL_CS_RPL0 (FLAT_KERNEL_CS & ~3)

/* What every bounce from our kernel mode with events masked looks like. */
static int check_kernel_frame(uint64_t at_rsp)
{
    CHECK_EQ(pv_trap.cs & 0xffff, KERNEL_CS_RPL0);
    CHECK_EQ((pv_trap.cs >> 32) & 0xff, 1); /* saved upcall mask */
    CHECK_EQ(pv_trap.rflags & 0x200, 0);    /* IF = !mask */
    CHECK_EQ(pv_trap.ss & 0xffff, FLAT_KERNEL_SS);
    if (at_rsp)
        CHECK_EQ(pv_trap.rsp, at_rsp);
    return PV_PASS;
}

PVTEST(t_trap_ud, "trap.ud",
       "ud2 raises #UD at its own RIP with the kernel frame and RSP")
{
    uint64_t at, sp;
    trap_reset();
    __asm__ volatile("lea 9f(%%rip), %%r11\n\t"
                     "mov %%r11, pv_trap(%%rip)\n\t"
                     "lea 8f(%%rip), %[at]\n\t"
                     "mov %%rsp, %[sp]\n\t"
                     "8: ud2\n\t"
                     "9:\n\t"
                     : [at] "=&r"(at), [sp] "=&r"(sp)
                     :
                     : "r11", "memory");
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 6);
    CHECK_EQ(pv_trap.rip, at);
    return check_kernel_frame(sp);
}

PVTEST(t_trap_gp, "trap.gp",
       "a non-canonical load raises #GP(0) at the instruction")
{
    uint64_t at;
    trap_reset();
    /* r11 is the macro's scratch register, free to load into. */
    TRAP_TRY(at, "mov (%[p]), %%r11", [p] "r"(0x8000000000000000UL));
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 13);
    CHECK_EQ(pv_trap.error, 0);
    CHECK_EQ(pv_trap.rip, at);
    return check_kernel_frame(0);
}

PVTEST(t_trap_pf, "trap.pf",
       "loads, stores and a jump to an unmapped VA raise #PF with CR2 and "
       "error codes 0, 2 and 0x10 (kernel mode: U/S clear)")
{
    unsigned long va = fixmap_va(FIX_TEST0 + 20);
    CHECK_OK(hc_update_va_mapping(va, 0, UVMF_INVLPG | UVMF_LOCAL));
    uint64_t v, at;
    CHECK_EQ(probe_read(va + 0x18, &v), 14);
    CHECK_EQ(pv_trap.cr2, va + 0x18);
    CHECK_EQ(pv_trap.error, 0);
    CHECK_EQ(probe_write(va + 0x20, 1), 14);
    CHECK_EQ(pv_trap.cr2, va + 0x20);
    CHECK_EQ(pv_trap.error, 2);
    trap_reset();
    TRAP_TRY(at, "jmp *%[p]", [p] "r"(va + 0x40));
    CHECK_EQ(pv_trap.vector, 14);
    CHECK_EQ(pv_trap.rip, va + 0x40);
    CHECK_EQ(pv_trap.cr2, va + 0x40);
    CHECK_EQ(pv_trap.error, 0x10); /* instruction fetch, not present */
    (void)at;
    return check_kernel_frame(0);
}

PVTEST(t_trap_int3, "trap.int3",
       "int3 raises #BP with RIP after the instruction")
{
    uint64_t at;
    trap_reset();
    TRAP_TRY(at, "int3");
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 3);
    CHECK_EQ(pv_trap.rip, at + 1);
    return check_kernel_frame(0);
}

PVTEST(t_trap_de, "trap.de", "a division by zero raises #DE")
{
    uint64_t at;
    trap_reset();
    uint32_t a = 1, d = 0;
    __asm__ volatile("lea 9f(%%rip), %%r11\n\t"
                     "mov %%r11, pv_trap(%%rip)\n\t"
                     "lea 8f(%%rip), %[at]\n\t"
                     "8: divl %[z]\n\t"
                     "9:\n\t"
                     : [at] "=&r"(at), "+a"(a), "+d"(d)
                     : [z] "r"(0)
                     : "r11", "memory");
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 0);
    CHECK_EQ(pv_trap.rip, at); /* a fault: RIP at the divl */
    return check_kernel_frame(0);
}

PVTEST(t_trap_softint, "trap.int80",
       "int $0x80 with a DPL-1 gate reaches its handler after the insn")
{
    uint64_t at;
    trap_reset();
    TRAP_TRY(at, "int $0x80");
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 0x80);
    CHECK_EQ(pv_trap.rip, at + 2);
    return check_kernel_frame(0);
}

PVTEST(t_trap_nogate, "trap.int_no_gate",
       "int $0x81 without a gate raises #GP with the IDT error code for 0x81")
{
    uint64_t at;
    trap_reset();
    TRAP_TRY(at, "int $0x81");
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 13);
    /* Hardware reports the IDT index: (0x81 << 3) | 2. QEMU's TCG, in
     * long mode, reports (0x81 << 4) | 2 (it scales by the 16-byte gate
     * size) and the hypervisor passes the CPU's code through. */
    CHECK(pv_trap.error == ((0x81 << 3) | 2) ||
          pv_trap.error == ((0x81 << 4) | 2));
    CHECK_EQ(pv_trap.rip, at);
    return check_kernel_frame(0);
}

PVTEST(t_trap_frame_mask, "trap.frame_upcall_mask",
       "with events enabled the frame records mask 0 and RFLAGS.IF = 1")
{
    uint64_t at;
    trap_reset();
    pv.vcpu->evtchn_upcall_mask = 0;
    barrier();
    TRAP_TRY(at, "ud2");
    pv.vcpu->evtchn_upcall_mask = 1;
    (void)at;
    CHECK_EQ(pv_trap.vector, 6);
    CHECK_EQ((pv_trap.cs >> 32) & 0xff, 0);
    CHECK(pv_trap.rflags & 0x200);
    return PV_PASS;
}

PVTEST(t_priv_cr3, "priv.read_cr3",
       "mov %cr3 in guest kernel mode is emulated: our L4's machine address")
{
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    CHECK_EQ(cr3 >> PAGE_SHIFT, mm.l4_mfn);
    return PV_PASS;
}

PVTEST(t_cpuid_forced, "priv.cpuid_forced",
       "the forced-emulation prefix (ud2; 'xen'; cpuid) shows leaf "
       "0x40000000 'XenVMMXenVMM'")
{
    uint32_t a = 0x40000000, b, c = 0, d;
    __asm__ volatile(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e\n\tcpuid"
                     : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    char sig[13];
    memcpy(sig, &b, 4);
    memcpy(sig + 4, &c, 4);
    memcpy(sig + 8, &d, 4);
    sig[12] = '\0';
    CHECK(!strcmp(sig, "XenVMMXenVMM"));
    CHECK(a >= 0x40000002);
    return PV_PASS;
}

PVTEST(t_priv_iopl, "priv.iopl",
       "with virtual IOPL 1 (PHYSDEVOP_set_iopl) cli/sti are no-ops and port "
       "reads work, also after an exception's iret; with IOPL 0, cli is #GP")
{
    struct physdev_set_iopl io = {.iopl = 1};
    uint64_t at;
    CHECK_OK(HC(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, &io, 0, 0, 0));
    /* Linux never asks for architectural IOPL: an iret leaves it alone. */
    trap_reset();
    TRAP_TRY(at, "ud2");
    CHECK_EQ(pv_trap.hits, 1);
    trap_reset();
    uint8_t mask = pv.vcpu->evtchn_upcall_mask;
    uint8_t port;
    /* A trap here is unarmed and fails the case. */
    __asm__ volatile("cli; sti; inb $0x80, %0" : "=a"(port) : : "memory");
    (void)port;
    CHECK_EQ(pv.vcpu->evtchn_upcall_mask, mask); /* no-ops, as in Xen */
    io.iopl = 0;
    CHECK_OK(HC(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, &io, 0, 0, 0));
    trap_reset();
    TRAP_TRY(at, "cli");
    CHECK_EQ(pv_trap.hits, 1);
    CHECK_EQ(pv_trap.vector, 13);
    CHECK_EQ(pv_trap.rip, at);
    return PV_PASS;
}

PVTEST(t_trap_table_bad, "trap.set_trap_table_bad",
       "set_trap_table refuses a non-canonical handler (-EINVAL) and an "
       "unreadable table (-EFAULT)")
{
    struct trap_info bad[2] = {
        {.vector = 20, .cs = FLAT_KERNEL_CS, .address = 0x8000000000000000UL},
        {0, 0, 0, 0},
    };
    CHECK_EQ(HC(__HYPERVISOR_set_trap_table, bad, 0, 0, 0, 0), -XEN_EINVAL);
    CHECK_EQ(HC(__HYPERVISOR_set_trap_table, 0xffff800000001000UL, 0, 0, 0, 0),
             -XEN_EFAULT);
    return PV_PASS;
}

void iret_probe(uint64_t flags, uint64_t rflags, uint64_t out[3]);
extern const char iret_probe_ret[];

PVTEST(t_iret_kernel, "iret.kernel_return",
       "the iret hypercall returns in kernel mode with RAX/RCX/R11 from the "
       "frame and the upcall mask from RFLAGS.IF; with VGCF_in_syscall "
       "RCX/R11 are the sysret ones (RIP, RFLAGS)")
{
    uint64_t out[3];
    iret_probe(0, 0x202, out);
    uint8_t mask_if1 = pv.vcpu->evtchn_upcall_mask;
    pv.vcpu->evtchn_upcall_mask = 1;
    CHECK_EQ(out[0], 0x1111);
    CHECK_EQ(out[1], 0x3333);
    CHECK_EQ(out[2], 0x2222);
    CHECK_EQ(mask_if1, 0);
    iret_probe(0, 0x002, out);
    CHECK_EQ(pv.vcpu->evtchn_upcall_mask, 1);
    iret_probe(VGCF_in_syscall, 0x002, out);
    CHECK_EQ(out[0], 0x1111);
    CHECK_EQ(out[1], (uint64_t)iret_probe_ret);
    CHECK(out[2] & 0x200); /* the hardware IF is always on for guests */
    CHECK_EQ(pv.vcpu->evtchn_upcall_mask, 1);
    return PV_PASS;
}

void iret_bad_frame(uint64_t cs, uint64_t ss);
extern const char iret_bad_ret[];

/* Index 1 of the LDT, RPL 0: the test kernel has no LDT, so neither CS nor
 * SS can load it. */
#define NO_LDT_SEL 0x0cUL

static struct pv_trap iret_to(uint64_t cs, uint64_t ss)
{
    trap_reset();
    pv_trap.fixup = (uint64_t)iret_bad_ret;
    iret_bad_frame(cs, ss);
    struct pv_trap t = pv_trap;
    trap_reset();
    return t;
}

PVTEST(t_iret_bad_selector, "iret.bad_selector_faults",
       "an iret hypercall to a CS or SS the CPU refuses (an LDT selector, "
       "no LDT) raises #GP in the guest, error code the selector, frame the "
       "RIP, CS and SS it asked for (Xen's iretq fault path); the domain "
       "goes on")
{
    struct pv_trap bad_cs = iret_to(NO_LDT_SEL, FLAT_KERNEL_SS);
    struct pv_trap bad_ss = iret_to(FLAT_KERNEL_CS & ~3, NO_LDT_SEL);
    struct pv_trap good = iret_to(FLAT_KERNEL_CS & ~3, FLAT_KERNEL_SS);
    CHECK_EQ(bad_cs.hits, 1);
    CHECK_EQ(bad_cs.vector, 13);
    CHECK_EQ(bad_cs.error, NO_LDT_SEL);
    CHECK_EQ(bad_cs.rip, (uint64_t)iret_bad_ret);
    CHECK_EQ(bad_cs.cs & 0xffff, NO_LDT_SEL);
    CHECK_EQ(bad_ss.hits, 1);
    CHECK_EQ(bad_ss.vector, 13);
    CHECK_EQ(bad_ss.error, NO_LDT_SEL);
    CHECK_EQ(bad_ss.rip, (uint64_t)iret_bad_ret);
    CHECK_EQ(bad_ss.ss & 0xffff, NO_LDT_SEL | 3);
    CHECK_EQ(good.hits, 0);
    return PV_PASS;
}
