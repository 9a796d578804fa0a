/*
 * Copies between the hypervisor and guest-virtual memory (see
 * guest_access.h for the rules). The copy is a `rep movsb` whose fault
 * lands on the fixup right after it, leaving the uncopied count in RCX.
 * It is the one place where SMAP lets ring 0 touch guest pages (smap.h).
 */
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/smap.h>
#include <veneer/traps.h>

bool guest_range_ok(uint64_t va, size_t len)
{
    uint64_t last = va + len - 1;

    if (len == 0)
        return true;
    if (last < va || !is_canonical(va) || !is_canonical(last))
        return false;
    /* The range must not touch the hypervisor's slots. */
    return last < GUEST_HOLE_START || va >= GUEST_HOLE_END;
}

static size_t copy_recovering(void *dst, const void *src, size_t n)
{
    /* A fault returns to the fixup with AC as it was here (set): the
     * window closes after it either way. */
    guest_access_begin();
    __asm__ volatile("1: rep movsb\n"
                     "2:\n" EXTABLE("1b", "2b")
                     : "+D"(dst), "+S"(src), "+c"(n)
                     :
                     : "memory");
    guest_access_end();
    return n; /* bytes not copied */
}

int copy_from_guest(void *dst, uint64_t guest_va, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -EFAULT;
    return copy_recovering(dst, (const void *)guest_va, len) ? -EFAULT : 0;
}

int copy_to_guest(uint64_t guest_va, const void *src, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -EFAULT;
    return copy_recovering((void *)guest_va, src, len) ? -EFAULT : 0;
}
