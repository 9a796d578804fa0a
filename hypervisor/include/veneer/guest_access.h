/*
 * The only way the hypervisor touches guest memory named by a guest: the
 * address must be canonical and outside the hypervisor's hole, the range
 * must not wrap, and the copy itself recovers from a page fault. A failed
 * copy is -EFAULT, never a hypervisor fault.
 *
 * Guest addresses are virtual, in the address space currently in CR3
 * (the calling vCPU's), as the ABI defines them (pv-abi.md 3.3).
 */
#ifndef VENEER_GUEST_ACCESS_H
#define VENEER_GUEST_ACCESS_H

#include <veneer/types.h>

#define GUEST_HOLE_START 0xffff800000000000UL
#define GUEST_HOLE_END   0xffff880000000000UL

/* Bits 63..47 all equal: an address the CPU accepts at all. */
static inline bool is_canonical(uint64_t va)
{
    return ((int64_t)va >> 47) == 0 || ((int64_t)va >> 47) == -1;
}

bool guest_range_ok(uint64_t va, size_t len);
int copy_from_guest(void *dst, uint64_t guest_va, size_t len);
int copy_to_guest(uint64_t guest_va, const void *src, size_t len);

#endif
