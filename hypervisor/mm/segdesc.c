/*
 * Guest segment descriptors: the rules of pv-abi.md 7.7, mirroring what
 * Xen's check_descriptor() enforces for 64-bit PV guests.
 */
#include <veneer/errno.h>
#include <veneer/segdesc.h>

#define DESC_P         (1ULL << 47)
#define DESC_S         (1ULL << 44) /* code/data, not system */
#define DESC_DPL_SHIFT 45
#define DESC_DPL_MASK  (3ULL << DESC_DPL_SHIFT)
#define DESC_TYPE(d)   (((d) >> 40) & 0xf)
#define SYS_CALL_GATE  0xc

#define RESERVED_SELECTORS 0xe000 /* our GDT page */
#define GUEST_KERNEL_CS    0xe033 /* FLAT_RING3_CS64 */

int segdesc_check(uint64_t *desc)
{
    uint64_t d = *desc;

    if (!(d & DESC_P))
        return 0; /* nothing the CPU will use (also a gate's upper half) */
    if (d & DESC_S) {
        /* Code or data: no privilege below the guest kernel's CPL. */
        if ((d & DESC_DPL_MASK) != DESC_DPL_MASK)
            *desc = d | DESC_DPL_MASK;
        return 0;
    }
    if (DESC_TYPE(d) == SYS_CALL_GATE) {
        uint16_t target = (uint16_t)(d >> 16);
        if ((target & ~3u) >= RESERVED_SELECTORS && target != GUEST_KERNEL_CS)
            return -EINVAL;
        *desc = d & ~DESC_DPL_MASK; /* DPL 0: a far call through it traps */
        return 0;
    }
    return -EINVAL; /* TSS, LDT, interrupt and trap gates are ours only */
}

int segdesc_check_page(uint64_t *page)
{
    uint64_t fixed[512];

    for (unsigned int i = 0; i < 512; i++) {
        fixed[i] = page[i];
        if (segdesc_check(&fixed[i]))
            return -EINVAL;
    }
    for (unsigned int i = 0; i < 512; i++)
        page[i] = fixed[i];
    return 0;
}
