/*
 * Which guest frames may leave through sysretq (veneer/exit_frame.h): only
 * those it returns exactly as iretq would. Each case starts from a
 * hypercall's frame as the syscall entry builds it and breaks one thing.
 */
#include <veneer/exit_frame.h>

#include "unit.h"

static struct cpu_regs hypercall_frame(void)
{
    struct cpu_regs r = {0};
    r.rip = r.rcx = 0xffffffff81001234UL; /* a Linux kernel text address */
    r.rflags = r.r11 = X86_EFLAGS_IF | 0x2;
    r.cs = RING3_CS64;
    r.ss = RING3_DS32;
    r.rsp = 0xffffc90000003f00UL;
    return r;
}

static void test_hypercall_return(void)
{
    struct cpu_regs r = hypercall_frame();
    CU_ASSERT_TRUE(exit_frame_allows_sysret(&r));
    r.rip = r.rcx = 0x00007fffdeadb000UL; /* a user return (VGCF_in_syscall) */
    CU_ASSERT_TRUE(exit_frame_allows_sysret(&r));
    r.rflags = r.r11 = X86_EFLAGS_IF | X86_EFLAGS_TF | 0x2; /* single-step */
    CU_ASSERT_TRUE(exit_frame_allows_sysret(&r));
}

static void test_rewritten_frame(void)
{
    struct cpu_regs r = hypercall_frame();
    r.rip = 0xffffffff81002000UL; /* an event bounced to the upcall */
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
    r = hypercall_frame();
    r.r11 = 0x246; /* flags differ from the frame's */
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
}

static void test_other_selectors(void)
{
    struct cpu_regs r = hypercall_frame();
    r.cs = RING3_CS32; /* compat mode: sysretq would make it 64-bit */
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
    r = hypercall_frame();
    r.cs = 0x33; /* a guest's own GDT selector */
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
    r = hypercall_frame();
    r.ss = 0x2b;
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
}

static void test_non_canonical(void)
{
    /* Intel raises #GP in ring 0 with the guest's RSP loaded. */
    struct cpu_regs r = hypercall_frame();
    r.rip = r.rcx = 0x0000800000000000UL;
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
    r.rip = r.rcx = 0xffff7fffffffffffUL;
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
}

static void test_flags_sysret_drops(void)
{
    struct cpu_regs r = hypercall_frame();
    r.rflags = r.r11 = X86_EFLAGS_IF | X86_EFLAGS_RF | 0x2;
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
    r.rflags = r.r11 = X86_EFLAGS_IF | X86_EFLAGS_VM | 0x2;
    CU_ASSERT_FALSE(exit_frame_allows_sysret(&r));
}

static const struct unit_case exit_frame_cases[] = {
    {"a hypercall's frame returns by sysretq", test_hypercall_return},
    {"a frame the exit path rewrote returns by iretq", test_rewritten_frame},
    {"other code or stack selectors return by iretq", test_other_selectors},
    {"a non-canonical RIP never reaches sysretq", test_non_canonical},
    {"RF or VM set: iretq, which keeps them", test_flags_sysret_drops},
    {NULL, NULL},
};
UNIT_SUITE(exit_frame, exit_frame_cases)
