/*
 * How a guest frame may leave the hypervisor. iretq takes any frame, but
 * reads both descriptors from the GDT and checks them; sysretq loads the
 * fixed flat selectors of MSR_STAR and RCX/R11 as RIP/RFLAGS, and is the
 * cheaper of the two. Xen returns this way from most hypercalls. It is
 * only the same return when the frame is exactly what sysretq makes of it.
 */
#ifndef VENEER_EXIT_FRAME_H
#define VENEER_EXIT_FRAME_H

#include <veneer/guest_access.h>
#include <veneer/traps.h>
#include <veneer/x86.h>

static inline bool exit_frame_allows_sysret(const struct cpu_regs *r)
{
    /* sysretq sets CS 0xe033 and SS 0xe02b (pv_cpu_init's MSR_STAR):
     * a 64-bit guest at ring 3, its usual selectors. */
    return r->cs == RING3_CS64 && r->ss == RING3_DS32 &&
           /* It jumps to RCX and loads RFLAGS from R11: the frame's own
            * values, or a register would change. */
           r->rcx == r->rip && r->r11 == r->rflags &&
           /* On Intel a non-canonical RCX faults in ring 0 with the
            * guest's RSP already loaded: never let it get there. */
           is_canonical(r->rip) &&
           /* It clears RF and VM, which iretq would restore. */
           !(r->rflags & (X86_EFLAGS_RF | X86_EFLAGS_VM));
}

#endif
