/*
 * Protections every pCPU turns on when it starts, on top of what our page
 * tables give (text read-only, data not executable). Every guest page is a
 * user page (PV kernels run in ring 3), so:
 * - SMEP: ring 0 never executes a page a guest can reach; a hypervisor
 *   bug that jumps into guest memory faults instead of running the guest's
 *   code with our privilege.
 * - SMAP: ring 0 never reads or writes such a page outside guest_access.c
 *   (smap.h); a bug that follows a guest's pointer faults instead.
 *
 * SMAP is decided once the command line is known (smap_init: smap=auto,
 * on, off). auto leaves it off under QEMU's TCG, which signs CPUID leaf
 * 0x40000000 "TCGTCGTCGTCG": TCG before QEMU 9.1 (Debian 12 has 7.2) reads
 * the frame of an iretq executed at CPL 3 as a supervisor access, so with
 * CR4.SMAP a guest's own iretq (Linux's sync_core) takes a #PF real CPUs
 * never raise. Real Xen 4.17 needs smap=0 there for the same reason
 * (reference-xen.md). Our PV test kernel executes no iretq and runs with
 * smap=on, so every guest access path is still checked under SMAP.
 */
#include <veneer/boot_defs.h>
#include <veneer/cmdline.h>
#include <veneer/console.h>
#include <veneer/io.h>
#include <veneer/smap.h>
#include <veneer/traps.h>

bool smap_enabled;

/* CPUID leaf 7's EBX feature bit, false where the leaf is missing. */
static bool cpuid7_ebx(unsigned int bit)
{
    uint32_t max, a, b, c, d;

    cpuid(0, 0, &max, &b, &c, &d);
    if (max < 7)
        return false;
    cpuid(7, 0, &a, &b, &c, &d);
    return b & (1u << bit);
}

bool cpu_has_smep(void)
{
    return cpuid7_ebx(7);
}

bool cpu_has_smap(void)
{
    return cpuid7_ebx(20);
}

/* QEMU's TCG: the hypervisor bit, and TCG's signature at 0x40000000. */
static bool under_qemu_tcg(void)
{
    uint32_t a, b, c, d;

    cpuid(1, 0, &a, &b, &c, &d);
    if (!(c & (1u << 31)))
        return false;
    cpuid(0x40000000, 0, &a, &b, &c, &d);
    return b == 0x54474354 && c == 0x43544743 && d == 0x47435447;
}

static void smap_enable_here(void)
{
    __asm__ volatile("clac" : : : "memory");
    write_cr4(read_cr4() | X86_CR4_SMAP);
}

void cpu_protections_init(void)
{
    if (cpu_has_smep())
        write_cr4(read_cr4() | X86_CR4_SMEP);
    /* A secondary CPU follows the boot CPU's decision (smap_init). */
    if (smap_enabled)
        smap_enable_here();
}

void smap_init(enum smap_mode mode)
{
    const char *why;

    if (!cpu_has_smap())
        why = "this CPU has none";
    else if (mode == SMAP_OFF)
        why = "smap=off";
    else if (mode == SMAP_AUTO && under_qemu_tcg())
        why = "QEMU TCG checks a guest's own iretq as a supervisor access; "
              "smap=on forces it";
    else
        why = NULL;
    if (why) {
        pr_info("smap: off (%s)\n", why);
        return;
    }
    smap_enable_here();
    smap_enabled = true;
    pr_info("smap: on\n");
}
