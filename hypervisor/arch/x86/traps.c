/*
 * do_trap(): where every exception and interrupt taken in the hypervisor
 * lands. Interrupts go to their registered handler; an exception at an
 * instruction listed in the fixup table resumes at its fixup; any other
 * exception is a hypervisor bug, reported as fully as we can before we
 * stop the machine.
 */
#include <veneer/apic.h>
#include <veneer/biglock.h>
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/pv.h>
#include <veneer/smp.h>
#include <veneer/symbols.h>
#include <veneer/traps.h>
#include <veneer/x86.h>

struct extable_entry {
    uint64_t insn, fixup;
};
extern const struct extable_entry __ex_table_start[], __ex_table_end[];
extern const char __text_start[], __text_end[];
extern const char boot_stack_top[];

static irq_handler_fn irq_handlers[256];

static const char *const exception_names[X86_NR_EXCEPTIONS] = {
    [X86_EXC_DE] = "#DE divide error",
    [X86_EXC_DB] = "#DB debug",
    [X86_EXC_NMI] = "NMI",
    [X86_EXC_BP] = "#BP breakpoint",
    [X86_EXC_OF] = "#OF overflow",
    [X86_EXC_BR] = "#BR bound range",
    [X86_EXC_UD] = "#UD invalid opcode",
    [X86_EXC_NM] = "#NM device not available",
    [X86_EXC_DF] = "#DF double fault",
    [X86_EXC_TS] = "#TS invalid TSS",
    [X86_EXC_NP] = "#NP segment not present",
    [X86_EXC_SS] = "#SS stack fault",
    [X86_EXC_GP] = "#GP general protection",
    [X86_EXC_PF] = "#PF page fault",
    [X86_EXC_MF] = "#MF x87 error",
    [X86_EXC_AC] = "#AC alignment check",
    [X86_EXC_MC] = "#MC machine check",
    [X86_EXC_XM] = "#XM SIMD error",
    [X86_EXC_VE] = "#VE virtualization",
    [X86_EXC_CP] = "#CP control protection",
};

void set_irq_handler(unsigned int vector, irq_handler_fn fn)
{
    if (vector >= X86_NR_EXCEPTIONS && vector < 256)
        irq_handlers[vector] = fn;
}

static const struct extable_entry *search_extable(uint64_t rip)
{
    for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end;
         e++) {
        if (e->insn == rip)
            return e;
    }
    return NULL;
}

static bool is_text(uint64_t addr)
{
    return addr >= (uint64_t)__text_start && addr < (uint64_t)__text_end;
}

/*
 * Walks the frame-pointer chain. Every frame must lie above the previous
 * one and within 64 KiB of it, so a corrupt rbp ends the walk instead of
 * faulting inside the fault handler.
 */
static void print_frame(uint64_t addr)
{
    char name[96];
    const char *sym = is_text(addr) ? symbol_lookup(addr, name, sizeof(name))
                                    : "(not in .text)";
    pr_err("  [<%016lx>] %s\n", addr, sym ? sym : "?");
}

void show_backtrace(uint64_t rip, uint64_t rbp)
{
    pr_err("backtrace:\n");
    print_frame(rip);
    for (int depth = 0; depth < 32 && rbp; depth++) {
        if (rbp & 7 || rbp < (uint64_t)__text_start)
            break;
        const uint64_t *frame = (const uint64_t *)rbp;
        uint64_t ret = frame[1], next = frame[0];
        if (!is_text(ret))
            break;
        print_frame(ret);
        if (next <= rbp || next - rbp > 65536)
            break;
        rbp = next;
    }
}

static void describe_pf(uint64_t ec)
{
    pr_err("page fault: %s, %s access, %s mode%s\n",
           ec & PFEC_PRESENT ? "protection violation" : "page not present",
           ec & PFEC_INSN ? "instruction fetch"
                          : (ec & PFEC_WRITE ? "write" : "read"),
           ec & PFEC_USER ? "user" : "supervisor",
           ec & PFEC_RSVD ? ", reserved bit set" : "");
}

void show_registers(const struct cpu_regs *r)
{
    const char *name = r->vector < X86_NR_EXCEPTIONS
                           ? exception_names[r->vector]
                           : "interrupt";

    pr_err("----[ fatal exception %lu (%s), error code %#lx ]----\n", r->vector,
           name ? name : "reserved", r->error_code);
    pr_err("RIP: %04lx:%016lx  RFLAGS: %016lx\n", r->cs, r->rip, r->rflags);
    pr_err("RSP: %04lx:%016lx\n", r->ss, r->rsp);
    pr_err("RAX: %016lx  RBX: %016lx  RCX: %016lx\n", r->rax, r->rbx, r->rcx);
    pr_err("RDX: %016lx  RSI: %016lx  RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
    pr_err("RBP: %016lx  R8:  %016lx  R9:  %016lx\n", r->rbp, r->r8, r->r9);
    pr_err("R10: %016lx  R11: %016lx  R12: %016lx\n", r->r10, r->r11, r->r12);
    pr_err("R13: %016lx  R14: %016lx  R15: %016lx\n", r->r13, r->r14, r->r15);
    pr_err("CR0: %016lx  CR2: %016lx  CR3: %016lx  CR4: %016lx\n", read_cr0(),
           read_cr2(), read_cr3(), read_cr4());
    if (r->vector == X86_EXC_PF) {
        pr_err("faulting address (CR2): %016lx\n", read_cr2());
        describe_pf(r->error_code);
    }
}

static void __noreturn fatal_trap(struct cpu_regs *regs)
{
    show_registers(regs);
    show_backtrace(regs->rip, regs->rbp);
    panic("fatal exception %lu in the hypervisor at %016lx", regs->vector,
          regs->rip);
}

static void do_trap_locked(struct cpu_regs *regs);

/*
 * The big lock (common/schedule.c tells the design): taken for every trap
 * unless this CPU holds it already (an interrupt in a hypercall). From a
 * guest it stays held: pv_exit_path gives it back. A flush request is
 * answered without it (its sender holds the lock and waits for us), and so
 * is a kick (it only makes us pass through the exit path); NMIs take
 * nothing (none is ever sent).
 */
void do_trap(struct cpu_regs *regs)
{
    bool from_guest = regs->cs & 3;

    if (regs->vector == FLUSH_IPI_VECTOR) {
        apic_eoi();
        smp_flush_service();
        return;
    }
    /* A kick needs no work here: the exit path or the idle loop that
     * follows looks at the vCPU and the run queue. */
    if (regs->vector == KICK_IPI_VECTOR) {
        apic_eoi();
        return;
    }
    if (regs->vector == X86_EXC_NMI && !from_guest) {
        do_trap_locked(regs);
        return;
    }
    bool took = biglock_enter();
    do_trap_locked(regs);
    if (took && !from_guest)
        biglock_release();
}

static void do_trap_locked(struct cpu_regs *regs)
{
    /* `int $0x80` from a guest (the only DPL-3 gate above 31). */
    if (regs->vector == 0x80 && (regs->cs & 3)) {
        pv_guest_trap(regs);
        return;
    }
    if (regs->vector >= X86_NR_EXCEPTIONS) {
        irq_handler_fn fn = irq_handlers[regs->vector];
        if (fn)
            fn(regs);
        else if (regs->vector < PIC_VECTOR_BASE + 16)
            ; /* a spurious legacy PIC interrupt: the PIC is masked */
        else
            pr_warn("unexpected interrupt vector %#lx\n", regs->vector);
        return;
    }

    /* An exception raised by guest code belongs to the guest. */
    if (regs->cs & 3) {
        pv_guest_trap(regs);
        return;
    }

    /* A guest's watchpoint on guest memory we were writing for it. */
    if (regs->vector == X86_EXC_DB && pv_debugreg_hypervisor_db())
        return;

    const struct extable_entry *fix = search_extable(regs->rip);
    if (fix && regs->vector != X86_EXC_DF && regs->vector != X86_EXC_MC) {
        struct fixup_record *f = &this_cpu()->last_fixup;
        f->vector = regs->vector;
        f->error_code = regs->error_code;
        f->cr2 = regs->vector == X86_EXC_PF ? read_cr2() : 0;
        f->rip = regs->rip;
        f->count++;
        regs->rip = fix->fixup;
        return;
    }
    fatal_trap(regs);
}
