/* Boot sanity cases: start_info, the hypercall page, P2M/M2P, shared_info,
 * and the kernel's own page tables that start.c switched to. */
#include "mm.h"

PVTEST(t_start_info, "boot.start_info",
       "start_info has the x86_64 magic, pages, and sane pointers")
{
    start_info_t *si = pv.si;
    CHECK(!strncmp(si->magic, "xen-3.0-x86_64", 14));
    CHECK(si->nr_pages > 0);
    CHECK((si->shared_info & (PAGE_SIZE - 1)) == 0);
    CHECK((si->pt_base & (PAGE_SIZE - 1)) == 0);
    CHECK(si->pt_base >= VIRT_BASE);
    CHECK(si->nr_pt_frames >= 4); /* at least L4, L3, L2, L1 */
    CHECK(si->mfn_list >= VIRT_BASE);
    CHECK(strnlen((const char *)si->cmd_line, MAX_GUEST_CMDLINE) <
          MAX_GUEST_CMDLINE);
    return PV_PASS;
}

PVTEST(t_hypercall_page, "boot.hypercall_page",
       "the builder filled the hypercall page; page and raw syscall agree")
{
    extern const unsigned char hypercall_page[];
    /* We fill it with int3; every slot we use must have been rewritten. */
    for (unsigned n = 0; n < 41; n++)
        CHECK(hypercall_page[n * 32] != 0xcc);
    long via_page = hcall(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    long raw = hcall_raw(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    CHECK(via_page > 0);
    CHECK_EQ(raw, via_page);
    return PV_PASS;
}

PVTEST(t_p2m_m2p, "boot.p2m_m2p",
       "every pfn's mfn maps back to it through the read-only M2P")
{
    for (unsigned long pfn = 0; pfn < mm.nr_pages; pfn++) {
        unsigned long mfn = pfn_to_mfn(pfn);
        if (mfn_to_pfn(mfn) != pfn)
            FAIL("pfn %#lx -> mfn %#lx -> pfn %#lx", pfn, mfn, mfn_to_pfn(mfn));
    }
    return PV_PASS;
}

PVTEST(t_own_pagetables, "boot.own_pagetables",
       "our L4 is in CR3: our PTEs map the kernel image and the builder "
       "L4 could be unpinned")
{
    extern char _start[];
    uint64_t pte = pte_read((unsigned long)_start);
    CHECK(pte & PTE_P);
    CHECK_EQ((pte & PTE_ADDR) >> PAGE_SHIFT, va_to_mfn(_start));
    /* The builder pins the initial L4 (pv-abi.md 2.3). */
    CHECK_EQ(mm.old_unpin_rc, 0);
    /* Pinning our L4 again must be refused: it is pinned. */
    CHECK_EQ(mmuext1(MMUEXT_PIN_L4_TABLE, mm.l4_mfn, 0), -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_shared_info, "boot.shared_info",
       "shared_info maps RW; events start masked; time and wallclock valid")
{
    volatile shared_info_t *s = pv.shared;
    CHECK_EQ(pv.boot_upcall_mask, 1);
    volatile struct vcpu_time_info *t = &s->vcpu_info[0].time;
    CHECK((t->version & 1) == 0);
    CHECK(t->tsc_to_system_mul != 0);
    CHECK(t->system_time > 0);
    CHECK((s->wc_version & 1) == 0);
    /* Our own writes to the arch area stick (Linux writes them too). */
    s->arch.nmi_reason = 0;
    s->arch.p2m_generation = 1234;
    CHECK_EQ(s->arch.p2m_generation, 1234);
    s->arch.p2m_generation = 0;
    return PV_PASS;
}
