/* Memory cases: memory_op sub-ops, mmu_update, update_va_mapping, pinning,
 * base pointers, TLB flushes, and the refusals that protect isolation. */
#include "mm.h"
#include "events.h"
#include "traps.h"

#define TEST_VA(k) fixmap_va(FIX_TEST0 + (k))

static uint64_t pte_rw(unsigned long mfn)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | PTE_KERN_RW;
}
static uint64_t pte_ro(unsigned long mfn)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | PTE_KERN_RO;
}
static long map_at(unsigned long va, uint64_t pte)
{
    return hc_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_LOCAL);
}

/* A page made read-only so that it can become a page table. */
static void *table_alloc(void)
{
    void *p = page_alloc();
    if (p && page_set_ro(p, 1)) {
        page_free(p);
        return NULL;
    }
    return p;
}
static void table_free(void *p)
{
    if (p && !page_set_ro(p, 0))
        page_free(p);
}

PVTEST(t_mem_machphys, "mm.machphys_mapping",
       "XENMEM_machphys_mapping: the RO M2P window and a max_mfn covering "
       "our frames")
{
    struct xen_machphys_mapping m = {0};
    CHECK_OK(hc_memory_op(XENMEM_machphys_mapping, &m));
    CHECK_EQ(m.v_start, MACH2PHYS_VIRT_START);
    CHECK(m.v_end > m.v_start && m.v_end <= MACH2PHYS_VIRT_END);
    for (unsigned long pfn = 0; pfn < mm.nr_pages; pfn++)
        CHECK(pfn_to_mfn(pfn) <= m.max_mfn);
    return PV_PASS;
}

PVTEST(t_mem_map, "mm.memory_map",
       "XENMEM_memory_map: E820 RAM covers all our pages (dom0 on Xen: "
       "-ENOSYS, machine_memory_map has RAM instead)")
{
    static struct e820 {
        uint64_t addr, size;
        uint32_t type;
    } __attribute__((packed)) map[32];
    struct xen_memory_map mmap = {.nr_entries = ARRAY_SIZE(map)};
    set_xen_guest_handle(mmap.buffer, map);
    long rc = hc_memory_op(XENMEM_memory_map, &mmap);
    if (rc == -XEN_ENOSYS && (pv.si->flags & SIF_INITDOMAIN)) {
        /* Xen quirk: a PV dom0 has no pseudo-physical E820 of its own
         * (-ENOSYS); it reads the host's with machine_memory_map. */
        mmap.nr_entries = ARRAY_SIZE(map);
        CHECK_OK(hc_memory_op(XENMEM_machine_memory_map, &mmap));
        unsigned ram = 0;
        for (unsigned i = 0; i < mmap.nr_entries && i < ARRAY_SIZE(map); i++)
            ram += map[i].type == 1;
        CHECK(mmap.nr_entries > 0 && mmap.nr_entries <= ARRAY_SIZE(map));
        CHECK(ram > 0);
        return PV_PASS;
    }
    CHECK_OK(rc);
    CHECK(mmap.nr_entries > 0 && mmap.nr_entries <= ARRAY_SIZE(map));
    uint64_t ram_end = 0;
    for (unsigned i = 0; i < mmap.nr_entries; i++) {
        printk("pvtest: e820 %#llx-%#llx type %u\n",
               (unsigned long long)map[i].addr,
               (unsigned long long)(map[i].addr + map[i].size), map[i].type);
        if (map[i].type == 1 && map[i].addr <= ram_end)
            ram_end = map[i].addr + map[i].size > ram_end
                          ? map[i].addr + map[i].size
                          : ram_end;
    }
    CHECK(ram_end >= (uint64_t)mm.nr_pages << PAGE_SHIFT);
    return PV_PASS;
}

PVTEST(t_mem_reservation, "mm.reservation",
       "current/maximum reservation match nr_pages; maximum_gpfn is "
       "shared_info.arch.max_pfn - 1 as the guest wrote it")
{
    domid_t self = DOMID_SELF;
    /* Xen computes a PV guest's maximum gpfn from the max_pfn the guest
     * itself wrote into shared_info (Linux does so); 0 gives 0. */
    pv.shared->arch.max_pfn = mm.nr_pages;
    long cur = hc_memory_op(XENMEM_current_reservation, &self);
    long max = hc_memory_op(XENMEM_maximum_reservation, &self);
    long gpfn = hc_memory_op(XENMEM_maximum_gpfn, &self);
    printk("pvtest: reservation current %ld maximum %ld max_gpfn %ld\n", cur,
           max, gpfn);
    CHECK_EQ(cur, mm.nr_pages);
    CHECK(max >= cur);
    CHECK_EQ(gpfn, (long)mm.nr_pages - 1);
    return PV_PASS;
}

PVTEST(t_uvm_map_unmap, "mm.update_va_mapping",
       "update_va_mapping maps a page at a second VA (same data) and "
       "unmaps it (then #PF with CR2 = VA, error = write|not-present)")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    page[7] = 0x1122334455667788ULL;
    unsigned long va = TEST_VA(0);
    CHECK_OK(map_at(va, pte_rw(va_to_mfn(page))));
    uint64_t v = 0;
    CHECK_EQ(probe_read(va + 56, &v), -1);
    CHECK_EQ(v, 0x1122334455667788ULL);
    CHECK_EQ(probe_write(va + 64, 42), -1);
    CHECK_EQ(page[8], 42);
    CHECK_OK(map_at(va, 0));
    CHECK_EQ(probe_write(va + 8, 1), 14);
    CHECK_EQ(pv_trap.cr2, va + 8);
    CHECK_EQ(pv_trap.error, 2); /* write, not present, kernel mode */
    page_free(page);
    return PV_PASS;
}

PVTEST(t_mmu_update_map, "mm.mmu_update",
       "MMU_NORMAL_PT_UPDATE on our L1 entry maps, remaps read-only "
       "(write faults with P|W) and unmaps")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    page[0] = 0xabcdef;
    unsigned long va = TEST_VA(1);
    uint64_t ptr = pte_maddr(va) | MMU_NORMAL_PT_UPDATE;
    CHECK_OK(mmu_update1(ptr, pte_rw(va_to_mfn(page))));
    CHECK_OK(mmuext1(MMUEXT_INVLPG_LOCAL, va, 0));
    uint64_t v;
    CHECK_EQ(probe_read(va, &v), -1);
    CHECK_EQ(v, 0xabcdef);
    CHECK_EQ(pte_read(va) & PTE_ADDR, (uint64_t)va_to_mfn(page) << 12);
    CHECK_OK(mmu_update1(ptr, pte_ro(va_to_mfn(page))));
    CHECK_OK(mmuext1(MMUEXT_INVLPG_LOCAL, va, 0));
    CHECK_EQ(probe_write(va, 5), 14);
    CHECK_EQ(pv_trap.error, 3); /* write to a present page */
    CHECK_EQ(pv_trap.cr2, va);
    CHECK_OK(mmu_update1(ptr, 0));
    CHECK_OK(mmuext1(MMUEXT_INVLPG_LOCAL, va, 0));
    CHECK_EQ(probe_read(va, &v), 14);
    CHECK_EQ(pv_trap.error, 0);
    page_free(page);
    return PV_PASS;
}

PVTEST(t_mmu_preserve_ad, "mm.mmu_update_preserve_ad",
       "MMU_PT_UPDATE_PRESERVE_AD keeps the hardware-set A/D bits")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long va = TEST_VA(2);
    uint64_t base =
        ((uint64_t)va_to_mfn(page) << PAGE_SHIFT) | PTE_P | PTE_RW | PTE_US;
    CHECK_OK(map_at(va, base));
    CHECK_EQ(probe_write(va, 7), -1); /* hardware sets A and D */
    CHECK((pte_read(va) & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
    CHECK_OK(mmu_update1(pte_maddr(va) | MMU_PT_UPDATE_PRESERVE_AD, base));
    CHECK((pte_read(va) & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
    CHECK_OK(map_at(va, 0));
    page_free(page);
    return PV_PASS;
}

PVTEST(t_machphys_update, "mm.machphys_update",
       "MMU_MACHPHYS_UPDATE rewrites our frame's M2P entry")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long mfn = va_to_mfn(page), pfn = va_to_pfn(page);
    uint64_t ptr = ((uint64_t)mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
    CHECK_OK(mmu_update1(ptr, pfn + 0x100000));
    CHECK_EQ(mfn_to_pfn(mfn), pfn + 0x100000);
    CHECK_OK(mmu_update1(ptr, pfn));
    CHECK_EQ(mfn_to_pfn(mfn), pfn);
    page_free(page);
    return PV_PASS;
}

PVTEST(t_pin_l1, "mm.pin_unpin_l1",
       "PIN_L1_TABLE of a RO page; a second pin and unpinning an unpinned "
       "frame are -EINVAL; a pinned table takes mmu_update writes")
{
    uint64_t *l1 = table_alloc();
    CHECK(l1);
    unsigned long mfn = va_to_mfn(l1);
    CHECK_OK(mmuext1(MMUEXT_PIN_L1_TABLE, mfn, 0));
    CHECK_EQ(mmuext1(MMUEXT_PIN_L1_TABLE, mfn, 0), -XEN_EINVAL);
    uint64_t *data = page_alloc();
    CHECK(data);
    CHECK_OK(
        mmu_update1(((uint64_t)mfn << 12) + 8 * 5, pte_rw(va_to_mfn(data))));
    CHECK_EQ(l1[5] & PTE_ADDR, (uint64_t)va_to_mfn(data) << 12);
    CHECK_OK(mmu_update1(((uint64_t)mfn << 12) + 8 * 5, 0));
    CHECK_OK(mmuext1(MMUEXT_UNPIN_TABLE, mfn, 0));
    CHECK_EQ(mmuext1(MMUEXT_UNPIN_TABLE, mfn, 0), -XEN_EINVAL);
    table_free(l1);
    page_free(data);
    return PV_PASS;
}

PVTEST(t_pin_rw_refused, "mm.refuse_rw_pinned",
       "a pinned table cannot be mapped writable (-EBUSY), and a page "
       "mapped writable cannot be pinned (-EINVAL)")
{
    uint64_t *l1 = table_alloc();
    CHECK(l1);
    unsigned long mfn = va_to_mfn(l1);
    CHECK_OK(mmuext1(MMUEXT_PIN_L1_TABLE, mfn, 0));
    long rc = map_at(TEST_VA(3), pte_rw(mfn));
    long rc2 = page_set_ro(l1, 0);
    CHECK_OK(mmuext1(MMUEXT_UNPIN_TABLE, mfn, 0));
    table_free(l1);
    /* Xen refuses an L1 entry it cannot take a reference for with
     * -EBUSY (its "could_not_pin" path), not -EINVAL. */
    CHECK_EQ(rc, -XEN_EBUSY);
    CHECK_EQ(rc2, -XEN_EBUSY);
    void *rw = page_alloc();
    CHECK(rw);
    rc = mmuext1(MMUEXT_PIN_L1_TABLE, va_to_mfn(rw), 0);
    page_free(rw);
    CHECK_EQ(rc, -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_pin_malformed, "mm.refuse_malformed",
       "pinning an L1 with a writable entry for a page table (-EBUSY), or an "
       "L2 with a superpage entry (-EINVAL), is refused")
{
    uint64_t *l1 = page_alloc();
    CHECK(l1);
    l1[0] = pte_rw(mm.l4_mfn); /* our own L4, writable */
    CHECK_OK(page_set_ro(l1, 1));
    long rc = mmuext1(MMUEXT_PIN_L1_TABLE, va_to_mfn(l1), 0);
    table_free(l1);
    CHECK_EQ(rc, -XEN_EBUSY); /* the entry's reference fails: -EBUSY */

    uint64_t *l2 = page_alloc();
    CHECK(l2);
    l2[0] = ((uint64_t)va_to_mfn(page_alloc()) << 12) | PTE_KERN_RW |
            0x80 /* PSE */;
    CHECK_OK(page_set_ro(l2, 1));
    rc = mmuext1(MMUEXT_PIN_L2_TABLE, va_to_mfn(l2), 0);
    table_free(l2);
    CHECK_EQ(rc, -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_refuse_hv_slot, "mm.refuse_hypervisor_slot",
       "mmu_update of an L4 entry in the hypervisor range is -EINVAL")
{
    uint64_t ptr = ((uint64_t)mm.l4_mfn << PAGE_SHIFT) + 8 * 256;
    CHECK_EQ(mmu_update1(ptr, 0), -XEN_EINVAL);
    CHECK_EQ(mmu_update1(ptr + 8 * 15, 0), -XEN_EINVAL);
    return PV_PASS;
}

PVTEST(t_refuse_unowned, "mm.refuse_unowned_frame",
       "after decrease_reservation the old frame cannot be mapped (-EBUSY); "
       "populate_physmap gives the pfn a new frame with its M2P")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long pfn = va_to_pfn(page), mfn = pfn_to_mfn(pfn);
    /* Drop our only mapping, then give the frame back. */
    CHECK_OK(map_at((unsigned long)page, 0));
    xen_pfn_t ext = mfn;
    struct xen_memory_reservation r = {
        .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF};
    set_xen_guest_handle(r.extent_start, &ext);
    CHECK_EQ(hc_memory_op(XENMEM_decrease_reservation, &r), 1);
    long rc = map_at((unsigned long)page, pte_rw(mfn));
    long rc_ro = map_at((unsigned long)page, pte_ro(mfn));
    ext = pfn;
    long got = hc_memory_op(XENMEM_populate_physmap, &r);
    if (got == 1) {
        mm.p2m[pfn] = ext;
        map_at((unsigned long)page, pte_rw(ext));
    }
    CHECK_EQ(got, 1);
    CHECK_EQ(rc, -XEN_EBUSY);
    CHECK_EQ(rc_ro, -XEN_EBUSY);
    CHECK_EQ(mfn_to_pfn(ext), pfn);
    page[0] = 1;
    page_free(page);
    return PV_PASS;
}

PVTEST(t_new_baseptr, "mm.new_baseptr",
       "a second L4 sharing our L3 can be pinned, loaded with NEW_BASEPTR "
       "(we keep running), swapped back, unpinned")
{
    uint64_t *l4 = page_alloc();
    CHECK(l4);
    l4[511] = ((uint64_t)mm.l3_mfn << PAGE_SHIFT) | PTE_TABLE;
    CHECK_OK(page_set_ro(l4, 1));
    unsigned long mfn = va_to_mfn(l4);
    CHECK_OK(mmuext1(MMUEXT_PIN_L4_TABLE, mfn, 0));
    /* No check on l4[256..271]: Xen 4.17 writes only some of its slots
     * into the page (258, 260-262 here; the RO M2P slot 256 stays 0 in
     * the guest's copy yet the M2P is readable once it is loaded). */
    CHECK_OK(mmuext1(MMUEXT_NEW_BASEPTR, mfn, 0));
    /* Running on it: our mappings and the hypervisor's RO M2P work. */
    volatile int alive = 1;
    CHECK(alive);
    unsigned long pfn = mfn_to_pfn(mfn);
    CHECK_OK(mmuext1(MMUEXT_NEW_BASEPTR, mm.l4_mfn, 0));
    CHECK_EQ(pfn, va_to_pfn(l4));
    CHECK_OK(mmuext1(MMUEXT_NEW_BASEPTR, mm.l4_mfn, 0));
    CHECK_OK(mmuext1(MMUEXT_UNPIN_TABLE, mfn, 0));
    table_free(l4);
    return PV_PASS;
}

PVTEST(t_tlb_flush, "mm.tlb_flush_ops",
       "after a PTE change without flush, INVLPG_LOCAL, TLB_FLUSH_LOCAL, "
       "TLB_FLUSH_ALL, INVLPG_ALL and the MULTI forms make it visible")
{
    uint64_t *a = page_alloc(), *b = page_alloc();
    CHECK(a && b);
    a[0] = 0xaaaa;
    b[0] = 0xbbbb;
    unsigned long va = TEST_VA(4);
    uint64_t ptr = pte_maddr(va);
    unsigned long vcpumask = 1;
    static const struct {
        unsigned cmd;
        int needs_va, needs_mask;
    } ops[] = {
        {MMUEXT_INVLPG_LOCAL, 1, 0},    {MMUEXT_TLB_FLUSH_LOCAL, 0, 0},
        {MMUEXT_TLB_FLUSH_ALL, 0, 0},   {MMUEXT_INVLPG_ALL, 1, 0},
        {MMUEXT_TLB_FLUSH_MULTI, 0, 1}, {MMUEXT_INVLPG_MULTI, 1, 1},
    };
    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
        uint64_t *want = (i & 1) ? b : a;
        uint64_t v = 0;
        CHECK_OK(mmu_update1(ptr, pte_rw(va_to_mfn(want))));
        struct mmuext_op op = {.cmd = ops[i].cmd};
        if (ops[i].needs_va)
            op.arg1.linear_addr = va;
        if (ops[i].needs_mask)
            set_xen_guest_handle(op.arg2.vcpumask, (void *)&vcpumask);
        long rc = hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
        if (rc)
            FAIL("mmuext cmd %u: %ld", ops[i].cmd, rc);
        CHECK_EQ(probe_read(va, &v), -1);
        if (v != want[0])
            FAIL("cmd %u: read %#lx, expected %#lx", ops[i].cmd,
                 (unsigned long)v, (unsigned long)want[0]);
    }
    CHECK_OK(map_at(va, 0));
    page_free(a);
    page_free(b);
    return PV_PASS;
}

PVTEST(t_mmuext_done, "mm.mmuext_batch_done",
       "a mmuext batch stops at the first failing op and reports how many "
       "completed")
{
    struct mmuext_op ops[3] = {
        {.cmd = MMUEXT_TLB_FLUSH_LOCAL},
        {.cmd = MMUEXT_UNPIN_TABLE},
        {.cmd = MMUEXT_TLB_FLUSH_LOCAL},
    };
    ops[1].arg1.mfn = va_to_mfn(pv.si); /* not a pinned table */
    unsigned done = 99;
    CHECK_EQ(hc_mmuext_op(ops, 3, &done, DOMID_SELF), -XEN_EINVAL);
    CHECK_EQ(done, 1);
    return PV_PASS;
}

PVTEST(t_mmu_update_batch, "mm.mmu_update_batch",
       "mmu_update applies a batch in order; a bad entry stops it with "
       "done = the entries before it")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    mmu_update_t req[3] = {
        {pte_maddr(TEST_VA(5)), pte_rw(va_to_mfn(page))},
        {pte_maddr(TEST_VA(6)), pte_rw(va_to_mfn(page))},
        {((uint64_t)mm.l4_mfn << 12) + 8 * 260, 0},
    };
    unsigned done = 99;
    CHECK_EQ(hc_mmu_update(req, 3, &done, DOMID_SELF), -XEN_EINVAL);
    CHECK_EQ(done, 2);
    CHECK_EQ(pte_read(TEST_VA(6)) & PTE_ADDR, (uint64_t)va_to_mfn(page) << 12);
    CHECK_OK(map_at(TEST_VA(5), 0));
    CHECK_OK(map_at(TEST_VA(6), 0));
    page_free(page);
    return PV_PASS;
}

PVTEST(t_foreigndom, "mm.foreigndom_refused",
       "mmu_update and mmuext_op naming ourselves or a domain that does "
       "not exist as foreigndom are -ESRCH")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    mmu_update_t req = {pte_maddr(TEST_VA(7)), pte_rw(va_to_mfn(page))};
    domid_t self = pv_domid();
    static const unsigned doms[] = {0, 1000};
    for (unsigned i = 0; i < ARRAY_SIZE(doms); i++) {
        unsigned dom = doms[i] == 0 ? self : doms[i];
        unsigned done = 99;
        long rc = hc_mmu_update(&req, 1, &done, dom);
        if (rc != -XEN_ESRCH)
            FAIL("mmu_update foreigndom %#x: %ld", dom, rc);
        struct mmuext_op op = {.cmd = MMUEXT_PIN_L1_TABLE};
        op.arg1.mfn = va_to_mfn(page);
        rc = hc_mmuext_op(&op, 1, NULL, dom);
        if (rc != -XEN_ESRCH)
            FAIL("mmuext_op foreigndom %#x: %ld", dom, rc);
    }
    CHECK_EQ(pte_read(TEST_VA(7)), 0);
    page_free(page);
    return PV_PASS;
}

/* Two of our pages with consecutive pfns (others go back). */
static int alloc_pair(uint64_t **lo)
{
    uint64_t *got[8];
    int n = 0, found = -1;
    for (; n < 8; n++) {
        got[n] = page_alloc();
        if (!got[n])
            break;
        for (int i = 0; i < n && found < 0; i++) {
            if (va_to_pfn(got[i]) + 1 == va_to_pfn(got[n]))
                found = i;
            else if (va_to_pfn(got[n]) + 1 == va_to_pfn(got[i]))
                found = n;
        }
        if (found >= 0)
            break;
    }
    if (found < 0) {
        while (n-- > 0)
            page_free(got[n]);
        return -1;
    }
    *lo = got[found];
    for (int i = 0; i <= n && i < 8; i++) {
        if (got[i] && va_to_pfn(got[i]) != va_to_pfn(*lo) &&
            va_to_pfn(got[i]) != va_to_pfn(*lo) + 1)
            page_free(got[i]);
    }
    return 0;
}

PVTEST(t_exchange, "mm.exchange",
       "XENMEM_exchange trades two unmapped frames for one machine-"
       "contiguous order-1 extent below 4 GiB, with its M2P; a mapped frame "
       "cannot be traded (-EINVAL)")
{
    uint64_t *lo;
    CHECK_OK(alloc_pair(&lo));
    uint64_t *hi = (uint64_t *)((char *)lo + PAGE_SIZE);
    unsigned long pfn = va_to_pfn(lo);
    xen_pfn_t in[2] = {pfn_to_mfn(pfn), pfn_to_mfn(pfn + 1)}, out = pfn;
    struct xen_memory_exchange x = {
        .in = {.nr_extents = 2, .extent_order = 0, .domid = DOMID_SELF},
        .out = {.nr_extents = 1,
                .extent_order = 1,
                .mem_flags = XENMEMF_address_bits(32),
                .domid = DOMID_SELF},
    };
    set_xen_guest_handle(x.in.extent_start, in);
    set_xen_guest_handle(x.out.extent_start, &out);
    /* Still mapped: refused, nothing exchanged. */
    long busy = hc_memory_op(XENMEM_exchange, &x);
    unsigned long busy_done = x.nr_exchanged;
    out = pfn;
    CHECK_OK(map_at((unsigned long)lo, 0));
    CHECK_OK(map_at((unsigned long)hi, 0));
    long rc = hc_memory_op(XENMEM_exchange, &x);
    unsigned long mfn = out;
    if (rc == 0) {
        mm.p2m[pfn] = mfn;
        mm.p2m[pfn + 1] = mfn + 1;
    }
    /* Back in our map whatever happened, so the pages stay usable. */
    CHECK_OK(map_at((unsigned long)lo, pte_rw(pfn_to_mfn(pfn))));
    CHECK_OK(map_at((unsigned long)hi, pte_rw(pfn_to_mfn(pfn + 1))));
    CHECK_EQ(busy, -XEN_EINVAL);
    CHECK_EQ(busy_done, 0);
    CHECK_OK(rc);
    CHECK_EQ(x.nr_exchanged, 2);
    CHECK_EQ(mfn & 1, 0);
    CHECK(mfn + 2 <= (1UL << (32 - PAGE_SHIFT)));
    CHECK_EQ(mfn_to_pfn(mfn), pfn);
    CHECK_EQ(mfn_to_pfn(mfn + 1), pfn + 1);
    lo[0] = 1;
    hi[511] = 2;
    CHECK_EQ(lo[0] + hi[511], 3);
    /* The old frames are not ours any more. */
    CHECK_EQ(map_at(TEST_VA(8), pte_ro(in[0])), -XEN_EBUSY);
    page_free(lo);
    page_free(hi);
    return PV_PASS;
}

PVTEST(t_pin_l2_l3, "mm.pin_l2_l3",
       "PIN_L2_TABLE and PIN_L3_TABLE validate a small hierarchy (L3 -> L2 "
       "-> L1 -> page); a pinned L1 inside it cannot be mapped writable")
{
    uint64_t *l1 = page_alloc(), *l2 = page_alloc(), *l3 = page_alloc();
    void *data = page_alloc();
    CHECK(l1 && l2 && l3 && data);
    l1[0] = pte_rw(va_to_mfn(data));
    l2[0] = ((uint64_t)va_to_mfn(l1) << 12) | PTE_TABLE;
    l3[0] = ((uint64_t)va_to_mfn(l2) << 12) | PTE_TABLE;
    CHECK_OK(page_set_ro(l1, 1));
    CHECK_OK(page_set_ro(l2, 1));
    CHECK_OK(page_set_ro(l3, 1));
    long r2 = mmuext1(MMUEXT_PIN_L2_TABLE, va_to_mfn(l2), 0);
    long r3 = mmuext1(MMUEXT_PIN_L3_TABLE, va_to_mfn(l3), 0);
    /* The L1 is validated (as part of the L2): no writable mapping. */
    long rw = page_set_ro(l1, 0);
    long u3 = mmuext1(MMUEXT_UNPIN_TABLE, va_to_mfn(l3), 0);
    long u2 = mmuext1(MMUEXT_UNPIN_TABLE, va_to_mfn(l2), 0);
    CHECK_OK(r2);
    CHECK_OK(r3);
    CHECK_EQ(rw, -XEN_EBUSY);
    CHECK_OK(u3);
    CHECK_OK(u2);
    /* Unpinned and unreferenced: every page is writable again. */
    CHECK_OK(page_set_ro(l1, 0));
    CHECK_OK(page_set_ro(l2, 0));
    CHECK_OK(page_set_ro(l3, 0));
    page_free(l1);
    page_free(l2);
    page_free(l3);
    page_free(data);
    return PV_PASS;
}

PVTEST(t_mmu_plain_frame, "mm.mmu_update_plain_frame",
       "MMU_NORMAL_PT_UPDATE on a frame that is not a page table just "
       "writes the value (Linux fills unpinned tables this way)")
{
    uint64_t *page = page_alloc();
    CHECK(page);
    uint64_t ptr = ((uint64_t)va_to_mfn(page) << PAGE_SHIFT) + 8 * 17;
    CHECK_OK(mmu_update1(ptr, 0x123456789abcdef0ULL));
    CHECK_EQ(page[17], 0x123456789abcdef0ULL);
    page_free(page);
    return PV_PASS;
}

PVTEST(t_reservation_limits, "mm.reservation_limits",
       "populate_physmap beyond the maximum reservation and "
       "decrease_reservation of a frame we do not own do nothing (0 "
       "extents); an unreadable extent list is 0 extents too")
{
    domid_t self = DOMID_SELF;
    long cur = hc_memory_op(XENMEM_current_reservation, &self);
    long max = hc_memory_op(XENMEM_maximum_reservation, &self);
    if (cur < max)
        SKIP("below the maximum reservation (%ld of %ld pages)", cur, max);
    xen_pfn_t ext = mm.nr_pages + 10; /* a pfn past our memory */
    struct xen_memory_reservation r = {
        .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF};
    set_xen_guest_handle(r.extent_start, &ext);
    long pop = hc_memory_op(XENMEM_populate_physmap, &r);
    struct xen_machphys_mapping m = {0};
    hc_memory_op(XENMEM_machphys_mapping, &m);
    ext = m.max_mfn + 1;
    long dec = hc_memory_op(XENMEM_decrease_reservation, &r);
    set_xen_guest_handle(r.extent_start, (xen_pfn_t *)0xffff800000000000UL);
    long bad = hc_memory_op(XENMEM_populate_physmap, &r);
    CHECK_EQ(pop, 0);
    CHECK_EQ(dec, 0);
    /* Xen answers with the number of extents done, so an unreadable
     * extent list is "0 done", not -EFAULT. */
    CHECK_EQ(bad, 0);
    CHECK_EQ(hc_memory_op(XENMEM_current_reservation, &self), cur);
    return PV_PASS;
}
