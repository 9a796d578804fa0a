/*
 * Protections every pCPU turns on when it starts, on top of what our page
 * tables give (text read-only, data not executable): SMEP, so that ring 0
 * never executes a page a guest can reach. Every guest page is a user page
 * (PV kernels run in ring 3), so a hypervisor bug that jumps into guest
 * memory faults instead of running the guest's code with our privilege.
 *
 * SMAP is left off: guest memory is read and written directly
 * (guest_access.c and the PV MMU), which would need STAC/CLAC around each
 * access.
 */
#include <veneer/boot_defs.h>
#include <veneer/io.h>
#include <veneer/traps.h>

bool cpu_has_smep(void)
{
    uint32_t max, b, c, d;

    cpuid(0, 0, &max, &b, &c, &d);
    if (max < 7)
        return false;
    uint32_t a;
    cpuid(7, 0, &a, &b, &c, &d);
    return b & (1u << 7);
}

void cpu_protections_init(void)
{
    if (cpu_has_smep())
        write_cr4(read_cr4() | X86_CR4_SMEP);
}
