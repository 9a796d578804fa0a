/*
 * What a PV guest kernel still executes that traps at CPL 3, emulated on
 * its behalf (pv-abi.md 5.1, 5.3, 5.4): the forced-emulation CPUID, MSR
 * accesses, control-register moves, port I/O and wbinvd. A small decoder
 * for exactly these forms; anything else goes back to the guest as #GP.
 */
#include <veneer/console.h>
#include <veneer/guest_access.h>
#include <veneer/io.h>
#include <veneer/lib.h>
#include <veneer/pv.h>
#include <veneer/x86.h>
#include <veneer/boot_defs.h>

#define MSR_IA32_APIC_BASE   0x1b
#define MSR_IA32_UCODE_REV   0x8b
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_FEATURE_CTL 0x3a
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_CR_PAT      0x277
#define MSR_PLATFORM_INFO    0xce
#define MSR_MISC_FEATURES    0x140
#define MSR_EFER             0xc0000080
#define MSR_AMD_HWCR         0xc0010015
#define MSR_AMD_DE_CFG       0xc0011029

#define XEN_PAT 0x0000050100070406ULL

static const uint8_t forced_cpuid[] = {0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2};

bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_regs *regs)
{
    uint8_t insn[sizeof(forced_cpuid)];
    uint32_t res[4];

    if (copy_from_guest(insn, regs->rip, sizeof(insn)) ||
        memcmp(insn, forced_cpuid, sizeof(insn)) != 0)
        return false;
    pv_cpuid(v->domain, (uint32_t)regs->rax, (uint32_t)regs->rcx, res);
    regs->rax = res[0];
    regs->rbx = res[1];
    regs->rcx = res[2];
    regs->rdx = res[3];
    regs->rip += sizeof(forced_cpuid);
    return true;
}

static uint64_t *gpr(struct cpu_regs *r, unsigned int n)
{
    switch (n & 15) {
    case 0:
        return &r->rax;
    case 1:
        return &r->rcx;
    case 2:
        return &r->rdx;
    case 3:
        return &r->rbx;
    case 4:
        return &r->rsp;
    case 5:
        return &r->rbp;
    case 6:
        return &r->rsi;
    case 7:
        return &r->rdi;
    case 8:
        return &r->r8;
    case 9:
        return &r->r9;
    case 10:
        return &r->r10;
    case 11:
        return &r->r11;
    case 12:
        return &r->r12;
    case 13:
        return &r->r13;
    case 14:
        return &r->r14;
    default:
        return &r->r15;
    }
}

static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE:
        /* The live bases, as Xen reads them: a null-selector load by the
         * guest may have cleared one since it last told us. */
        *val = rdmsr(MSR_FS_BASE);
        return true;
    case MSR_GS_BASE:
        *val = rdmsr(MSR_GS_BASE);
        return true;
    case MSR_SHADOW_GS_BASE:
        *val = v->gs_base_user;
        return true;
    case MSR_EFER:
        *val = rdmsr(MSR_EFER) & (0x1 | 0x100 | 0x400 | 0x800);
        return true;
    case MSR_IA32_APIC_BASE:
        *val = 0xfee00000ULL | 0x800 | (v->id == 0 ? 0x100 : 0);
        return true;
    case MSR_IA32_CR_PAT:
        *val = XEN_PAT;
        return true;
    case MSR_IA32_MISC_ENABLE:
        /* Fast strings only; no perfmon, no MONITOR; BTS/PEBS unavailable */
        *val = 1 | (1ULL << 11) | (1ULL << 12);
        return true;
    case MSR_PLATFORM_INFO:
    case MSR_MISC_FEATURES:
    case MSR_IA32_UCODE_REV:
    case MSR_IA32_PLATFORM_ID:
    case MSR_AMD_HWCR:
    case MSR_AMD_DE_CFG:
        *val = 0;
        return true;
    case MSR_IA32_FEATURE_CTL:
        *val = 1; /* locked, VMX off */
        return true;
    }
    return false;
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_FS_BASE:
        if (!is_canonical(val))
            return false;
        v->fs_base = val;
        wrmsr(MSR_FS_BASE, val);
        return true;
    case MSR_GS_BASE: /* startup_xen's first instruction (pv-abi 2.8) */
        if (!is_canonical(val))
            return false;
        v->gs_base_kernel = val;
        wrmsr(MSR_GS_BASE, val);
        return true;
    case MSR_SHADOW_GS_BASE:
        if (!is_canonical(val))
            return false;
        v->gs_base_user = val;
        wrmsr(MSR_SHADOW_GS_BASE, val);
        return true;
    case MSR_IA32_CR_PAT:
        return val == XEN_PAT;
    case MSR_EFER: {
        uint64_t cur;
        read_msr(v, MSR_EFER, &cur);
        return val == cur;
    }
    case MSR_IA32_APIC_BASE:
    case MSR_IA32_UCODE_REV:
    case MSR_PLATFORM_INFO:
    case MSR_MISC_FEATURES:
    case MSR_AMD_HWCR:
    case MSR_AMD_DE_CFG:
    case MSR_IA32_MISC_ENABLE:
        return true; /* ignored */
    }
    return false;
}

static bool mov_from_cr(struct vcpu *v, unsigned int cr, uint64_t *val)
{
    switch (cr) {
    case 0:
        *val = (read_cr0() & ~(uint64_t)X86_CR0_TS) |
               (v->virt_cr0_ts ? X86_CR0_TS : 0);
        return true;
    case 2:
        *val = v->vcpu_info ? v->vcpu_info->arch.cr2 : 0;
        return true;
    case 3:
        *val = v->guest_table << PAGE_SHIFT;
        return true;
    case 4:
        *val = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
        return true;
    }
    return false;
}

static bool mov_to_cr(struct vcpu *v, unsigned int cr, uint64_t val)
{
    switch (cr) {
    case 0:
        pv_set_virt_ts(v, val & X86_CR0_TS);
        return true;
    case 2:
        if (v->vcpu_info)
            v->vcpu_info->arch.cr2 = val;
        return true;
    case 4:
        return true; /* the guest may not change the real CR4 */
    }
    return false;
}

/* Port I/O: allowed at virtual IOPL >= 1; nothing behind the ports. */
static bool port_io(struct vcpu *v, struct cpu_regs *regs, uint8_t op,
                    unsigned int opsize, uint8_t imm)
{
    bool in = op == 0xe4 || op == 0xe5 || op == 0xec || op == 0xed;

    if (v->virt_iopl < 1)
        return false;
    if (in) {
        uint64_t ones =
            opsize == 1 ? 0xff : (opsize == 2 ? 0xffff : 0xffffffff);
        if (opsize == 4)
            regs->rax = ones; /* a 32-bit write zero-extends */
        else
            regs->rax = (regs->rax & ~ones) | ones;
    }
    (void)imm;
    return true;
}

bool pv_emulate_privileged(struct vcpu *v, struct cpu_regs *regs)
{
    uint8_t b[16];
    unsigned int i = 0, opsize = 4;
    uint8_t rex = 0;

    if (copy_from_guest(b, regs->rip, sizeof(b)))
        return false;
    for (; i < 8; i++) {
        if (b[i] == 0x66)
            opsize = 2;
        else if (b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x3e || b[i] == 0x26 ||
                 b[i] == 0x64 || b[i] == 0x65 || b[i] == 0xf0 || b[i] == 0xf2 ||
                 b[i] == 0xf3)
            continue;
        else
            break;
    }
    if ((b[i] & 0xf0) == 0x40) {
        rex = b[i++];
        if (rex & 8)
            opsize = 8;
    }

    uint8_t op = b[i++];
    if (op != 0x0f) {
        switch (op) {
        case 0xe4:
        case 0xe5:
        case 0xe6:
        case 0xe7:
            if (!port_io(v, regs, op, op & 1 ? (opsize == 2 ? 2 : 4) : 1, b[i]))
                return false;
            regs->rip += i + 1;
            return true;
        case 0xec:
        case 0xed:
        case 0xee:
        case 0xef:
            if (!port_io(v, regs, op, op & 1 ? (opsize == 2 ? 2 : 4) : 1, 0))
                return false;
            regs->rip += i;
            return true;
        case 0xfa:
        case 0xfb: /* cli/sti: no-ops at IOPL (pv-abi 5.4) */
            if (v->virt_iopl < 1)
                return false;
            regs->rip += i;
            return true;
        }
        return false;
    }

    uint8_t op2 = b[i++];
    uint64_t val;
    switch (op2) {
    case 0x30: /* wrmsr */
        if (!write_msr(v, (uint32_t)regs->rcx,
                       (regs->rdx << 32) | (uint32_t)regs->rax))
            return false;
        regs->rip += i;
        return true;
    case 0x32: /* rdmsr */
        if (!read_msr(v, (uint32_t)regs->rcx, &val))
            return false;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        regs->rip += i;
        return true;
    case 0x09: /* wbinvd */
    case 0x06: /* clts */
        if (op2 == 0x06)
            pv_set_virt_ts(v, false);
        regs->rip += i;
        return true;
    case 0x20:   /* mov %crN, reg */
    case 0x22: { /* mov reg, %crN */
        uint8_t modrm = b[i++];
        unsigned int cr = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
        unsigned int rm = (modrm & 7) | (rex & 1 ? 8 : 0);
        if ((modrm >> 6) != 3)
            return false;
        if (op2 == 0x20) {
            if (!mov_from_cr(v, cr, &val))
                return false;
            *gpr(regs, rm) = val;
        } else if (!mov_to_cr(v, cr, *gpr(regs, rm))) {
            return false;
        }
        regs->rip += i;
        return true;
    }
    }
    return false;
}
