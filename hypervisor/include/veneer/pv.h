/*
 * The PV machinery of arch/x86/pv: entering and leaving guests, bounce
 * frames, emulation of what PV guests still execute. Read pv.c first, then
 * traps.c (bounces), emul.c, hypercall.c, callback.c, dom_build.c.
 */
#ifndef VENEER_PV_H
#define VENEER_PV_H

#include <veneer/domain.h>
#include <veneer/traps.h>

#define VEC_SYSCALL 0x100 /* cpu_regs.vector of a syscall entry */

/* The guest frame at the top of this pCPU's stack (entry.S). */
struct cpu_regs *guest_regs(void);

void pv_cpu_init(void);
/* Enters the guest whose registers are the frame (this pCPU's stack top,
 * the big lock held); never returns. */
void __noreturn pv_resume_frame(struct cpu_regs *frame);

/* Called from do_trap for exceptions raised by guest code. */
void pv_guest_trap(struct cpu_regs *regs);

/*
 * Makes the guest kernel believe the CPU delivered an exception or event:
 * builds the frame of pv-abi.md 4.2 on the right guest stack. Returns 0,
 * or crashes the domain (the frame cannot be written) and returns -1.
 */
int pv_bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t handler,
              bool with_error_code, uint64_t error_code, bool mask_events);
/* The failsafe callback after a data selector of v's failed to load: the
 * frame also holds the selectors v had (DS, ES, FS, GS). Same returns. */
int pv_bounce_failsafe(struct vcpu *v, struct cpu_regs *regs);
/* Bounces exception `vector` through the guest's trap table. */
void pv_inject_exception(struct vcpu *v, struct cpu_regs *regs,
                         unsigned int vector, bool with_error_code,
                         uint64_t error_code);

/* Privileged-instruction and forced-CPUID emulation; true if handled. */
bool pv_emulate_privileged(struct vcpu *v, struct cpu_regs *regs);
bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_regs *regs);
/* A write fault on a read-only mapping of a validated L1: emulated
 * (pv-abi.md 7.5, arch/x86/pv/ptwr.c); true if handled. */
bool pv_ptwr_emulate(struct vcpu *v, struct cpu_regs *regs, uint64_t cr2,
                     uint64_t ec);
void pv_cpuid(struct domain *d, uint32_t leaf, uint32_t subleaf,
              uint32_t res[4]);

/* Switches guest kernel <-> user mode (swapgs and CR3). */
void pv_toggle_guest_mode(struct vcpu *v);
void pv_load_page_tables(struct vcpu *v);
/* Guest debug registers (debugreg.c): set_debugreg's checks, loading
 * them while the vCPU runs, #DB bookkeeping. */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value);
void pv_debugreg_init(struct vcpu *v);
void pv_debugreg_load(struct vcpu *v);
/* A #DB taken in the hypervisor (a guest watchpoint on guest memory we
 * touched): true if it was the guest's, recorded for it. */
bool pv_debugreg_hypervisor_db(void);
/* The DR6 of a #DB raised by guest code, for its handler. */
void pv_debugreg_guest_db(struct vcpu *v);
/* The guest's virtual CR0.TS (fpu_taskswitch, mov to CR0, clts). */
void pv_set_virt_ts(struct vcpu *v, bool ts);
/* VCPUOP_initialise: a down vCPU's state from a guest context (pv/
 * vcpu_context.c); 0 or -EINVAL, and nothing changed on failure. */
struct vcpu_guest_context;
int pv_vcpu_initialise(struct vcpu *v, const struct vcpu_guest_context *c);

void pv_dump_guest_state(struct vcpu *v, const struct cpu_regs *regs);

long pv_hypercall(struct cpu_regs *regs);

/* The vCPU's own GDT (descriptor.c): shown in the window while it runs,
 * its frames' references dropped when it goes. */
void pv_gdt_load(struct vcpu *v);
void pv_gdt_destroy(struct vcpu *v);

/* The initial-domain builder. */
struct boot_module;
int pv_build_domain(struct domain *d, const struct boot_module *kernel,
                    const struct boot_module *initrd, const char *cmdline,
                    uint64_t mem_bytes);

#endif
