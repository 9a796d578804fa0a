/*
 * Guest debug registers: set_debugreg/get_debugreg (hypercalls 8, 9) and
 * the hardware watchpoints they arm while the vCPU runs.
 *
 * Rules (as Xen's set_debugreg): DR0-3 hold guest addresses (never ours);
 * DR6/DR7 keep their reserved bits; no I/O breakpoints (those need
 * CR4.DE); no general-detect. The hardware registers carry a vCPU's
 * values only while it runs: a switch loads the next vCPU's, or disables
 * them, so one guest's watchpoints never fire in another's context.
 *
 * A watchpoint can also fire inside the hypervisor, when we write guest
 * memory for the guest (a bounce frame, a copy_to_guest): that #DB is the
 * guest's, recorded in its DR6, never a hypervisor fault.
 */
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/pv.h>

#define DR6_DEFAULT     0xffff0ff0UL
#define DR6_GUEST_BITS  0x0000e00fUL /* B0-3, BD, BS, BT */
#define DR7_DEFAULT     0x00000400UL
#define DR7_ENABLE_BITS 0x000000ffUL /* L0-3, G0-3 */
#define DR7_GUEST_BITS  0xffff03ffUL /* enables, LE/GE, RW/LEN fields */
#define DR7_RW_IO       2            /* an RW field value: I/O port */

static uint64_t read_dr(unsigned int n)
{
    uint64_t v = 0;
    switch (n) {
    case 0:
        __asm__ volatile("mov %%dr0, %0" : "=r"(v));
        break;
    case 1:
        __asm__ volatile("mov %%dr1, %0" : "=r"(v));
        break;
    case 2:
        __asm__ volatile("mov %%dr2, %0" : "=r"(v));
        break;
    case 3:
        __asm__ volatile("mov %%dr3, %0" : "=r"(v));
        break;
    case 6:
        __asm__ volatile("mov %%dr6, %0" : "=r"(v));
        break;
    case 7:
        __asm__ volatile("mov %%dr7, %0" : "=r"(v));
        break;
    }
    return v;
}

static void write_dr(unsigned int n, uint64_t v)
{
    switch (n) {
    case 0:
        __asm__ volatile("mov %0, %%dr0" : : "r"(v));
        break;
    case 1:
        __asm__ volatile("mov %0, %%dr1" : : "r"(v));
        break;
    case 2:
        __asm__ volatile("mov %0, %%dr2" : : "r"(v));
        break;
    case 3:
        __asm__ volatile("mov %0, %%dr3" : : "r"(v));
        break;
    case 6:
        __asm__ volatile("mov %0, %%dr6" : : "r"(v));
        break;
    case 7:
        __asm__ volatile("mov %0, %%dr7" : : "r"(v));
        break;
    }
}

void pv_debugreg_init(struct vcpu *v)
{
    for (unsigned int i = 0; i < 8; i++)
        v->debugreg[i] = 0;
    v->debugreg[6] = DR6_DEFAULT;
    v->debugreg[7] = DR7_DEFAULT;
}

void pv_debugreg_load(struct vcpu *v)
{
    /* Disable first, so no half-loaded set can fire. */
    write_dr(7, DR7_DEFAULT);
    write_dr(6, DR6_DEFAULT);
    if (!(v->debugreg[7] & DR7_ENABLE_BITS))
        return;
    for (unsigned int i = 0; i < 4; i++)
        write_dr(i, v->debugreg[i]);
    write_dr(7, v->debugreg[7]);
}

long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value)
{
    if (reg == 4 || reg == 5)
        reg += 2; /* aliases of DR6/DR7 while CR4.DE is clear */
    switch (reg) {
    case 0:
    case 1:
    case 2:
    case 3:
        /* An address of the guest's, never one of ours. */
        if (!guest_range_ok(value, 8))
            return -EPERM;
        break;
    case 6:
        value = (value & DR6_GUEST_BITS) | (DR6_DEFAULT & ~DR6_GUEST_BITS);
        break;
    case 7:
        value = (value & DR7_GUEST_BITS) | DR7_DEFAULT;
        for (unsigned int i = 0; i < 4; i++) {
            if (((value >> (16 + 4 * i)) & 3) == DR7_RW_IO)
                return -EPERM; /* I/O breakpoints need CR4.DE */
        }
        break;
    default:
        return -ENODEV;
    }
    v->debugreg[reg] = value;
    if (v == current)
        pv_debugreg_load(v);
    return 0;
}

bool pv_debugreg_hypervisor_db(void)
{
    uint64_t dr6 = read_dr(6);
    struct vcpu *v = current;

    if (!v || !(dr6 & 0xf))
        return false; /* not a data/code breakpoint of a guest */
    v->debugreg[6] |= dr6 & DR6_GUEST_BITS;
    write_dr(6, DR6_DEFAULT);
    return true;
}

void pv_debugreg_guest_db(struct vcpu *v)
{
    uint64_t dr6 = read_dr(6);

    v->debugreg[6] = (dr6 & DR6_GUEST_BITS) | (DR6_DEFAULT & ~DR6_GUEST_BITS);
    write_dr(6, DR6_DEFAULT);
}
