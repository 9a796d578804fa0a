/*
 * The machine-to-physical table: one 8-byte entry per machine frame, the
 * pseudo-physical frame number its owner knows it by (pv-abi.md 1.3).
 * We write it through the direct map; every guest reads it through a
 * read-only, user-visible, NX mapping at MACH2PHYS_VIRT_START, shared by all.
 */
#include <veneer/console.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/x86.h>
#include <veneer/xen_abi.h>

uint64_t *m2p;

void m2p_init(void)
{
    uint64_t bytes = nr_machine_frames * sizeof(uint64_t);
    unsigned int order = 0;

    /* At least 2 MiB, so that it maps with large pages. */
    while ((PAGE_SIZE << order) < bytes || order < 9)
        order++;
    mfn_t mfn = alloc_pages(order);
    if (mfn == INVALID_MFN)
        panic("no memory for the M2P table (%lu bytes)", bytes);
    m2p = mfn_to_virt(mfn);
    for (mfn_t i = 0; i < (PAGE_SIZE << order) / sizeof(uint64_t); i++)
        m2p[i] = M2P_INVALID;
    paging_map(MACH2PHYS_VIRT_START, mfn << PAGE_SHIFT, PAGE_SIZE << order,
               _PAGE_PRESENT | _PAGE_USER | _PAGE_NX,
               _PAGE_PRESENT | _PAGE_RW | _PAGE_USER, true);
}
