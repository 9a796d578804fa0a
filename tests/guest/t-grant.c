/* Grant-table cases (v1): setup and size, then granting pages to
 * ourselves and copying/mapping them through the grants. */
#include "events.h"
#include "mm.h"
#include "traps.h"

#define TEST_REF 10 /* refs 0-7 are the toolstack's */

static grant_entry_v1_t *gnt;

static int gnttab_ready(void)
{
    if (gnt)
        return 1;
    xen_pfn_t frame = 0;
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 1};
    set_xen_guest_handle(st.frame_list, &frame);
    if (hc_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status)
        return 0;
    if (hc_update_va_mapping(fixmap_va(FIX_GNTTAB),
                             ((uint64_t)frame << PAGE_SHIFT) | PTE_KERN_RW,
                             UVMF_INVLPG | UVMF_LOCAL))
        return 0;
    gnt = (grant_entry_v1_t *)fixmap_va(FIX_GNTTAB);
    return 1;
}

static void grant(grant_ref_t ref, unsigned long mfn, uint16_t flags)
{
    gnt[ref].domid = pv_domid();
    gnt[ref].frame = (uint32_t)mfn;
    wmb();
    gnt[ref].flags = GTF_permit_access | flags;
}

static void revoke(grant_ref_t ref)
{
    gnt[ref].flags = 0;
    wmb();
}

PVTEST(t_gnt_version, "gnttab.set_version",
       "GNTTABOP_set_version(1) succeeds; get_version then reports 1")
{
    struct gnttab_set_version sv = {.version = 1};
    CHECK_OK(hc_grant_table_op(GNTTABOP_set_version, &sv, 1));
    struct gnttab_get_version gv = {.dom = DOMID_SELF};
    CHECK_OK(hc_grant_table_op(GNTTABOP_get_version, &gv, 1));
    CHECK_EQ(gv.version, 1);
    return PV_PASS;
}

PVTEST(t_gnt_setup, "gnttab.setup_query",
       "setup_table(1 frame) returns a frame we can map RW; query_size "
       "then reports >= 1 frame of a maximum >= 1")
{
    CHECK(gnttab_ready());
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    CHECK_OK(hc_grant_table_op(GNTTABOP_query_size, &q, 1));
    printk("pvtest: grant table %u of %u frames\n", q.nr_frames,
           q.max_nr_frames);
    CHECK_EQ(q.status, GNTST_okay);
    CHECK(q.nr_frames >= 1 && q.max_nr_frames >= q.nr_frames);
    /* Asking for more than the maximum is a per-op error. */
    xen_pfn_t frames[1];
    struct gnttab_setup_table st = {.dom = DOMID_SELF,
                                    .nr_frames = q.max_nr_frames + 1};
    set_xen_guest_handle(st.frame_list, frames);
    CHECK_OK(hc_grant_table_op(GNTTABOP_setup_table, &st, 1));
    CHECK_EQ(st.status, GNTST_general_error);
    return PV_PASS;
}

PVTEST(t_gnt_copy, "gnttab.copy_self",
       "GNTTABOP_copy from a page we granted ourselves into a plain frame")
{
    CHECK(gnttab_ready());
    uint8_t *src = page_alloc(), *dst = page_alloc();
    CHECK(src && dst);
    for (int i = 0; i < 256; i++)
        src[100 + i] = (uint8_t)(i * 7 + 1);
    grant(TEST_REF, va_to_mfn(src), GTF_readonly);
    struct gnttab_copy c = {0};
    c.source.u.ref = TEST_REF;
    c.source.domid = pv_domid();
    c.source.offset = 100;
    c.dest.u.gmfn = va_to_mfn(dst);
    c.dest.domid = DOMID_SELF;
    c.dest.offset = 300;
    c.len = 256;
    c.flags = GNTCOPY_source_gref;
    long rc = hc_grant_table_op(GNTTABOP_copy, &c, 1);
    uint16_t flags_after = gnt[TEST_REF].flags;
    revoke(TEST_REF);
    CHECK_OK(rc);
    CHECK_EQ(c.status, GNTST_okay);
    CHECK(!memcmp(src + 100, dst + 300, 256));
    /* Reading/writing are held only during the copy. */
    CHECK_EQ(flags_after & (GTF_reading | GTF_writing), 0);
    /* Crossing the page end is refused per op. */
    c.source.offset = 4000;
    c.len = 200;
    grant(TEST_REF, va_to_mfn(src), GTF_readonly);
    CHECK_OK(hc_grant_table_op(GNTTABOP_copy, &c, 1));
    revoke(TEST_REF);
    CHECK_EQ(c.status, GNTST_bad_copy_arg);
    page_free(src);
    page_free(dst);
    return PV_PASS;
}

PVTEST(t_gnt_map, "gnttab.map_self",
       "map_grant_ref of our own grant at a VA shares the page and marks "
       "it in use; unmap_grant_ref clears that")
{
    CHECK(gnttab_ready());
    uint64_t *page = page_alloc();
    CHECK(page);
    page[3] = 0x5151;
    grant(TEST_REF, va_to_mfn(page), 0);
    unsigned long va = fixmap_va(FIX_TEST0 + 40);
    struct gnttab_map_grant_ref m = {.host_addr = va,
                                     .flags = GNTMAP_host_map,
                                     .ref = TEST_REF,
                                     .dom = pv_domid()};
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1));
    if (m.status != GNTST_okay) {
        revoke(TEST_REF);
        FAIL("map status %d", m.status);
    }
    uint16_t in_use = gnt[TEST_REF].flags;
    uint64_t v = 0;
    int trapped = probe_read(va + 24, &v);
    int wtrapped = probe_write(va + 32, 0x77);
    uint64_t pte = pte_read(va);
    CHECK_EQ(m.dev_bus_addr >> PAGE_SHIFT, va_to_mfn(page));
    struct gnttab_unmap_grant_ref u = {
        .host_addr = va, .dev_bus_addr = 0, .handle = m.handle};
    CHECK_OK(hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1));
    uint16_t after = gnt[TEST_REF].flags;
    revoke(TEST_REF);
    CHECK_EQ(u.status, GNTST_okay);
    CHECK_EQ(trapped, -1);
    CHECK_EQ(v, 0x5151);
    CHECK_EQ(wtrapped, -1);
    CHECK_EQ(page[4], 0x77);
    CHECK(in_use & GTF_writing);
    CHECK(in_use & GTF_reading);
    CHECK_EQ(after & (GTF_reading | GTF_writing), 0);
    CHECK_EQ((pte & PTE_ADDR) >> PAGE_SHIFT, va_to_mfn(page));
    CHECK_EQ(probe_read(va, &v), 14); /* unmapped again */
    page_free(page);
    return PV_PASS;
}

PVTEST(t_gnt_readonly, "gnttab.readonly",
       "a read-only grant maps only with GNTMAP_readonly, and that mapping "
       "faults on write")
{
    CHECK(gnttab_ready());
    uint64_t *page = page_alloc();
    CHECK(page);
    grant(TEST_REF, va_to_mfn(page), GTF_readonly);
    unsigned long va = fixmap_va(FIX_TEST0 + 41);
    struct gnttab_map_grant_ref rw = {.host_addr = va,
                                      .flags = GNTMAP_host_map,
                                      .ref = TEST_REF,
                                      .dom = pv_domid()};
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &rw, 1));
    struct gnttab_map_grant_ref ro = rw;
    ro.flags = GNTMAP_host_map | GNTMAP_readonly;
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &ro, 1));
    int w = probe_write(va, 1);
    uint64_t err = pv_trap.error;
    struct gnttab_unmap_grant_ref u = {.host_addr = va, .handle = ro.handle};
    if (ro.status == GNTST_okay)
        hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    revoke(TEST_REF);
    CHECK_EQ(rw.status, GNTST_general_error);
    CHECK_EQ(ro.status, GNTST_okay);
    CHECK_EQ(w, 14);
    CHECK_EQ(err, 3);
    CHECK_EQ(u.status, GNTST_okay);
    page_free(page);
    return PV_PASS;
}

PVTEST(t_gnt_bad, "gnttab.bad_input",
       "bad refs, handles, domains and an unknown op are refused with "
       "their GNTST_/errno codes")
{
    CHECK(gnttab_ready());
    unsigned long va = fixmap_va(FIX_TEST0 + 42);
    struct gnttab_map_grant_ref m = {.host_addr = va,
                                     .flags = GNTMAP_host_map,
                                     .ref = 1u << 30,
                                     .dom = pv_domid()};
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1));
    CHECK_EQ(m.status, GNTST_bad_gntref);
    /* A ref that is not granted (flags 0). */
    revoke(TEST_REF + 1);
    m.ref = TEST_REF + 1;
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1));
    CHECK_EQ(m.status, GNTST_general_error);
    m.ref = TEST_REF;
    m.dom = 0x7ff5; /* no such domain */
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1));
    CHECK_EQ(m.status, GNTST_bad_domain);
    struct gnttab_unmap_grant_ref u = {.host_addr = va, .handle = 12345};
    CHECK_OK(hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1));
    CHECK_EQ(u.status, GNTST_bad_handle);
    CHECK_EQ(hc_grant_table_op(99, &u, 1), -XEN_ENOSYS);
    return PV_PASS;
}

PVTEST(t_gnt_pte, "gnttab.contains_pte",
       "map_grant_ref with GNTMAP_contains_pte (gntdev's way) writes the "
       "named L1 entry; a misaligned one is refused; unmap clears it")
{
    CHECK(gnttab_ready());
    uint64_t *page = page_alloc();
    CHECK(page);
    page[7] = 0x7777;
    grant(TEST_REF, va_to_mfn(page), 0);
    unsigned long va = fixmap_va(FIX_TEST0 + 46);
    uint64_t maddr = pte_maddr(va);
    uint32_t flags =
        GNTMAP_host_map | GNTMAP_contains_pte | GNTMAP_application_map;
    struct gnttab_map_grant_ref bad = {.host_addr = maddr + 4,
                                       .flags = flags,
                                       .ref = TEST_REF,
                                       .dom = pv_domid()};
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &bad, 1));
    struct gnttab_map_grant_ref m = bad;
    m.host_addr = maddr;
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1));
    uint64_t v = 0;
    int trapped = probe_read(va + 56, &v);
    uint64_t pte = pte_read(va);
    struct gnttab_unmap_grant_ref u = {.host_addr = maddr, .handle = m.handle};
    if (m.status == GNTST_okay)
        CHECK_OK(hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1));
    uint64_t after = pte_read(va);
    revoke(TEST_REF);
    page_free(page);
    CHECK_EQ(bad.status, GNTST_general_error);
    CHECK_EQ(m.status, GNTST_okay);
    CHECK_EQ(trapped, -1);
    CHECK_EQ(v, 0x7777);
    CHECK_EQ((pte & PTE_ADDR) >> PAGE_SHIFT, va_to_mfn(page));
    CHECK(pte & PTE_RW);
    CHECK_EQ(u.status, GNTST_okay);
    CHECK_EQ(after & PTE_P, 0);
    return PV_PASS;
}

PVTEST(t_gnt_over, "gnttab.map_over_entry",
       "a grant mapped over a present entry replaces it; unmap at another "
       "address is refused and leaves the mapping")
{
    CHECK(gnttab_ready());
    uint64_t *mine = page_alloc(), *granted = page_alloc();
    CHECK(mine && granted);
    mine[0] = 0x1111;
    granted[0] = 0x2222;
    unsigned long va = fixmap_va(FIX_TEST0 + 45);
    CHECK_OK(hc_update_va_mapping(
        va, ((uint64_t)va_to_mfn(mine) << PAGE_SHIFT) | PTE_KERN_RW,
        UVMF_INVLPG | UVMF_LOCAL));
    grant(TEST_REF, va_to_mfn(granted), 0);
    struct gnttab_map_grant_ref m = {.host_addr = va,
                                     .flags = GNTMAP_host_map,
                                     .ref = TEST_REF,
                                     .dom = pv_domid()};
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1));
    uint64_t v = 0;
    int trapped = probe_read(va, &v);
    struct gnttab_unmap_grant_ref wrong = {
        .host_addr = fixmap_va(FIX_TEST0 + 44), .handle = m.handle};
    struct gnttab_unmap_grant_ref u = {.host_addr = va, .handle = m.handle};
    if (m.status == GNTST_okay) {
        CHECK_OK(hc_grant_table_op(GNTTABOP_unmap_grant_ref, &wrong, 1));
        CHECK_OK(hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1));
    }
    int gone = probe_read(va, &v);
    revoke(TEST_REF);
    page_free(mine);
    page_free(granted);
    CHECK_EQ(m.status, GNTST_okay);
    CHECK_EQ(trapped, -1);
    CHECK_EQ(wrong.status, GNTST_general_error);
    CHECK_EQ(u.status, GNTST_okay);
    CHECK_EQ(gone, 14);
    return PV_PASS;
}

PVTEST(t_gnt_dev, "gnttab.device_map",
       "GNTMAP_device_map alone pins the grant and returns its bus address; "
       "128 pins per counter at most; a wrong bus address does not unmap "
       "(GNTST_bad_dev_addr in Xen 4.17)")
{
    CHECK(gnttab_ready());
    uint64_t *page = page_alloc();
    CHECK(page);
    grant(TEST_REF, va_to_mfn(page), 0);
    static grant_handle_t h[129];
    struct gnttab_map_grant_ref m = {.flags =
                                         GNTMAP_device_map | GNTMAP_readonly,
                                     .ref = TEST_REF,
                                     .dom = pv_domid()};
    int n = 0, extra_status = 0;
    for (; n < 128; n++) {
        m.status = 1;
        hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
        if (m.status != GNTST_okay)
            break;
        h[n] = m.handle;
    }
    uint64_t bus = m.dev_bus_addr;
    if (n == 128) {
        hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
        extra_status = m.status;
        if (m.status == GNTST_okay)
            h[n++] = m.handle;
    }
    uint16_t in_use = gnt[TEST_REF].flags;
    struct gnttab_unmap_grant_ref wrong = {.dev_bus_addr = bus + PAGE_SIZE,
                                           .handle = h[0]};
    hc_grant_table_op(GNTTABOP_unmap_grant_ref, &wrong, 1);
    int unmapped = 0;
    for (int i = 0; i < n; i++) {
        struct gnttab_unmap_grant_ref u = {.dev_bus_addr = bus, .handle = h[i]};
        hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
        unmapped += u.status == GNTST_okay;
    }
    uint16_t after = gnt[TEST_REF].flags;
    revoke(TEST_REF);
    page_free(page);
    CHECK_EQ(n, 128);
    CHECK_EQ(extra_status, GNTST_general_error);
    CHECK_EQ(bus >> PAGE_SHIFT, va_to_mfn(page));
    CHECK_EQ(in_use & (GTF_reading | GTF_writing), GTF_reading);
    CHECK_EQ(wrong.status, GNTST_bad_dev_addr);
    CHECK_EQ(unmapped, 128);
    CHECK_EQ(after & (GTF_reading | GTF_writing), 0);
    return PV_PASS;
}

PVTEST(t_gnt_copy_bad, "gnttab.copy_errors",
       "GNTTABOP_copy refuses writes through read-only grants, frames that "
       "are not ours or are page tables, other domains' frames by number, "
       "bad domains and refs, with Xen's status codes")
{
    CHECK(gnttab_ready());
    uint8_t *src = page_alloc();
    CHECK(src);
    grant(TEST_REF, va_to_mfn(src), GTF_readonly);
    struct gnttab_copy c[8];
    for (int i = 0; i < 8; i++) {
        c[i] = (struct gnttab_copy){0};
        c[i].source.u.gmfn = va_to_mfn(src);
        c[i].source.domid = DOMID_SELF;
        c[i].dest.u.gmfn = va_to_mfn(src);
        c[i].dest.domid = DOMID_SELF;
        c[i].len = 8;
        c[i].status = 1;
    }
    c[0].dest.u.ref = TEST_REF; /* write through a read-only grant */
    c[0].dest.domid = pv_domid();
    c[0].flags = GNTCOPY_dest_gref;
    c[1].dest.u.gmfn = 1UL << 40;    /* no such frame */
    c[2].dest.u.gmfn = mm.l1_mfn[0]; /* one of our page tables */
    c[3].dest.domid = pv_domid();    /* a frame by number, not DOMID_SELF */
    c[4].source.domid = 0x7ff5;      /* no such domain */
    c[4].flags = GNTCOPY_source_gref;
    c[5].source.u.ref = 1u << 30; /* beyond the table */
    c[5].source.domid = DOMID_SELF;
    c[5].flags = GNTCOPY_source_gref;
    c[6].dest.offset = 4090; /* across the page end */
    c[7].dest.offset = 8;    /* fine: a page into itself */
    long rc = hc_grant_table_op(GNTTABOP_copy, c, 8);
    uint16_t after = gnt[TEST_REF].flags;
    revoke(TEST_REF);
    page_free(src);
    CHECK_OK(rc);
    CHECK_EQ(c[0].status, GNTST_general_error);
    CHECK_EQ(c[1].status, GNTST_bad_page);
    CHECK_EQ(c[2].status, GNTST_general_error);
    CHECK_EQ(c[3].status, GNTST_permission_denied);
    CHECK_EQ(c[4].status, GNTST_bad_domain);
    CHECK_EQ(c[5].status, GNTST_bad_gntref);
    CHECK_EQ(c[6].status, GNTST_bad_copy_arg);
    CHECK_EQ(c[7].status, GNTST_okay);
    CHECK_EQ(after & (GTF_reading | GTF_writing), 0);
    return PV_PASS;
}

PVTEST(t_gnt_args, "gnttab.bad_args",
       "bad counts, commands, argument addresses and versions are refused "
       "by the hypercall itself; an unwritable frame list is a status")
{
    CHECK(gnttab_ready());
    struct gnttab_map_grant_ref m = {.flags = GNTMAP_host_map};
    CHECK_EQ(hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 0x80000000u),
             -XEN_EINVAL);
    CHECK_EQ(hc_grant_table_op(GNTTABOP_map_grant_ref,
                               (void *)0xffff830000000000UL, 1),
             -XEN_EFAULT);
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    CHECK_EQ(hc_grant_table_op(GNTTABOP_query_size, &q, 0), -XEN_EINVAL);
    CHECK_EQ(hc_grant_table_op(GNTTABOP_query_size | (1u << 12), &q, 1),
             -XEN_EINVAL);
    xen_pfn_t frame;
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 1};
    set_xen_guest_handle(st.frame_list, &frame);
    CHECK_EQ(hc_grant_table_op(GNTTABOP_setup_table, &st, 2), -XEN_EINVAL);
    set_xen_guest_handle(st.frame_list, (xen_pfn_t *)0xffff830000000000UL);
    CHECK_EQ(hc_grant_table_op(GNTTABOP_setup_table, &st, 1), -XEN_EFAULT);
    set_xen_guest_handle(st.frame_list, (xen_pfn_t *)0x1000UL);
    st.status = 1;
    CHECK_OK(hc_grant_table_op(GNTTABOP_setup_table, &st, 1));
    CHECK_EQ(st.status, GNTST_bad_virt_addr);
    struct gnttab_set_version sv = {.version = 3};
    CHECK_EQ(hc_grant_table_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
    CHECK_EQ(sv.version, 1);
    struct gnttab_get_version gv = {.dom = 0x7ff5};
    CHECK_EQ(hc_grant_table_op(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH);
    /* Handles are reused: many map/unmap rounds never run out. */
    uint64_t *page = page_alloc();
    CHECK(page);
    grant(TEST_REF, va_to_mfn(page), 0);
    int ok = 0;
    for (int i = 0; i < 600; i++) {
        struct gnttab_map_grant_ref d = {
            .flags = GNTMAP_device_map, .ref = TEST_REF, .dom = pv_domid()};
        hc_grant_table_op(GNTTABOP_map_grant_ref, &d, 1);
        struct gnttab_unmap_grant_ref u = {.dev_bus_addr = d.dev_bus_addr,
                                           .handle = d.handle};
        if (d.status == GNTST_okay)
            hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
        ok += d.status == GNTST_okay && u.status == GNTST_okay;
    }
    uint16_t after = gnt[TEST_REF].flags;
    revoke(TEST_REF);
    page_free(page);
    CHECK_EQ(ok, 600);
    CHECK_EQ(after & (GTF_reading | GTF_writing), 0);
    return PV_PASS;
}

PVTEST(t_gnt_map_bad, "gnttab.map_errors",
       "map_grant_ref refuses DOMID_SELF, no mapping kind, addresses without "
       "an L1, sub-page and foreign-frame grants, and page tables mapped "
       "writable; an unmap naming neither address does nothing")
{
    CHECK(gnttab_ready());
    uint64_t *page = page_alloc();
    CHECK(page);
    unsigned long va = fixmap_va(FIX_TEST0 + 47);
    struct gnttab_map_grant_ref m[7];
    for (int i = 0; i < 7; i++)
        m[i] = (struct gnttab_map_grant_ref){.host_addr = va,
                                             .flags = GNTMAP_host_map,
                                             .ref = TEST_REF + i,
                                             .dom = pv_domid(),
                                             .status = 1};
    grant(TEST_REF, va_to_mfn(page), 0);
    m[0].dom = DOMID_SELF;
    m[1].flags = GNTMAP_readonly;
    grant(TEST_REF + 2, va_to_mfn(page), 0);
    m[2].host_addr = 0x1000; /* no L1 maps it */
    grant(TEST_REF + 3, va_to_mfn(page), GTF_sub_page);
    grant(TEST_REF + 4, 1UL << 31, 0);               /* not our frame */
    grant(TEST_REF + 5, mm.l1_mfn[0], 0);            /* our page table, RW */
    grant(TEST_REF + 6, mm.l1_mfn[0], GTF_readonly); /* ...and RO: fine */
    m[6].flags |= GNTMAP_readonly;
    CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, m, 7));
    uint16_t flags[7];
    for (int i = 0; i < 7; i++)
        flags[i] = gnt[TEST_REF + i].flags;
    struct gnttab_unmap_grant_ref none = {.handle = m[6].handle};
    struct gnttab_unmap_grant_ref u = {.host_addr = va, .handle = m[6].handle};
    if (m[6].status == GNTST_okay) {
        hc_grant_table_op(GNTTABOP_unmap_grant_ref, &none, 1);
        hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    }
    for (int i = 0; i < 7; i++)
        revoke(TEST_REF + i);
    page_free(page);
    CHECK_EQ(m[0].status, GNTST_bad_domain);
    CHECK_EQ(m[1].status, GNTST_bad_gntref);
    CHECK_EQ(m[2].status, GNTST_general_error);
    CHECK_EQ(m[3].status, GNTST_general_error);
    CHECK_EQ(m[4].status, GNTST_bad_page);
    CHECK_EQ(m[5].status, GNTST_general_error);
    CHECK_EQ(m[6].status, GNTST_okay);
    for (int i = 0; i < 6; i++)
        CHECK_EQ(flags[i] & (GTF_reading | GTF_writing), 0);
    CHECK_EQ(flags[6] & (GTF_reading | GTF_writing), GTF_reading);
    CHECK_EQ(none.status, GNTST_okay);
    CHECK_EQ(u.status, GNTST_okay);
    return PV_PASS;
}

/* ---- between two domains (a boot-time d1 next to d0) ------------------ */

#define XREF      20
#define XMAGIC_RW 0x6772616e74727721UL
#define XMAGIC_RO 0x6772616e74726f21UL
#define XREPLY    0x7265706c79210000UL
#define XACK      0x61636b0000000000UL
#define XSPINS    2000000

static void yield(void)
{
    hc_sched_op(SCHEDOP_yield, NULL);
}

static void grant_to(grant_ref_t ref, domid_t to, unsigned long mfn,
                     uint16_t flags)
{
    gnt[ref].domid = to;
    gnt[ref].frame = (uint32_t)mfn;
    wmb();
    gnt[ref].flags = GTF_permit_access | flags;
}

/* d1: grants two pages to d0 (one RW, one RO) and one to nobody there,
 * then waits for d0's reply in the RW page and for it to unmap. */
static int cross_granter(void)
{
    uint64_t *rw = page_alloc(), *ro = page_alloc();
    CHECK(rw && ro);
    rw[0] = XMAGIC_RW;
    ro[0] = XMAGIC_RO;
    grant_to(XREF, 0, va_to_mfn(rw), 0);
    grant_to(XREF + 1, 0, va_to_mfn(ro), GTF_readonly);
    grant_to(XREF + 2, 7, va_to_mfn(ro), 0);
    long i = 0;
    while (i < XSPINS && *(volatile uint64_t *)&rw[1] != XREPLY) {
        yield();
        i++;
    }
    /* d0 keeps the page mapped until we acknowledge. */
    uint16_t seen = *(volatile uint16_t *)&gnt[XREF].flags;
    *(volatile uint64_t *)&rw[2] = XACK;
    while (i < XSPINS && (*(volatile uint16_t *)&gnt[XREF].flags &
                          (GTF_reading | GTF_writing))) {
        yield();
        i++;
    }
    uint16_t after = gnt[XREF].flags;
    revoke(XREF);
    revoke(XREF + 1);
    revoke(XREF + 2);
    CHECK_EQ(rw[1], XREPLY);
    CHECK_EQ(seen & (GTF_reading | GTF_writing), GTF_reading | GTF_writing);
    CHECK_EQ(after & (GTF_reading | GTF_writing), 0);
    return PV_PASS;
}

/* d0: maps d1's grant once it appears, answers through it, copies the
 * read-only one, and is refused what was not granted to it. */
static int cross_mapper(void)
{
    unsigned long va = fixmap_va(FIX_TEST0 + 48);
    struct gnttab_map_grant_ref m;
    long i = 0;
    for (; i < XSPINS; i++) {
        m = (struct gnttab_map_grant_ref){
            .host_addr = va, .flags = GNTMAP_host_map, .ref = XREF, .dom = 1};
        CHECK_OK(hc_grant_table_op(GNTTABOP_map_grant_ref, &m, 1));
        if (m.status == GNTST_bad_domain)
            SKIP(
                "no domain 1 to grant us pages (boot case grant-cross-domain)");
        if (m.status == GNTST_okay)
            break;
        yield(); /* not granted yet */
    }
    CHECK_EQ(m.status, GNTST_okay);
    uint64_t magic = 0;
    int r = probe_read(va, &magic);
    int w = probe_write(va + 8, XREPLY);
    uint64_t ack = 0;
    for (i = 0; i < XSPINS && ack != XACK; i++) {
        yield();
        probe_read(va + 16, &ack);
    }
    uint64_t *mine = page_alloc();
    struct gnttab_copy c = {
        .source = {.u.ref = XREF + 1, .domid = 1},
        .dest = {.u.gmfn = va_to_mfn(mine), .domid = DOMID_SELF},
        .len = 8,
        .flags = GNTCOPY_source_gref};
    hc_grant_table_op(GNTTABOP_copy, &c, 1);
    struct gnttab_copy into = {
        .source = {.u.gmfn = va_to_mfn(mine), .domid = DOMID_SELF},
        .dest = {.u.ref = XREF + 1, .domid = 1},
        .len = 8,
        .flags = GNTCOPY_dest_gref};
    hc_grant_table_op(GNTTABOP_copy, &into, 1);
    struct gnttab_map_grant_ref rw_of_ro = {.host_addr =
                                                fixmap_va(FIX_TEST0 + 49),
                                            .flags = GNTMAP_host_map,
                                            .ref = XREF + 1,
                                            .dom = 1};
    struct gnttab_map_grant_ref not_ours = rw_of_ro;
    not_ours.ref = XREF + 2;
    hc_grant_table_op(GNTTABOP_map_grant_ref, &rw_of_ro, 1);
    hc_grant_table_op(GNTTABOP_map_grant_ref, &not_ours, 1);
    struct gnttab_unmap_grant_ref u = {.host_addr = va, .handle = m.handle};
    CHECK_OK(hc_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1));
    uint64_t copied = mine ? mine[0] : 0;
    /* Wait for d1 to revoke, so both finish their case. */
    struct gnttab_copy probe = c;
    for (i = 0; i < XSPINS; i++) {
        probe.status = 0;
        hc_grant_table_op(GNTTABOP_copy, &probe, 1);
        if (probe.status != GNTST_okay)
            break;
        yield();
    }
    page_free(mine);
    CHECK_EQ(r, -1);
    CHECK_EQ(magic, XMAGIC_RW);
    CHECK_EQ(w, -1);
    CHECK_EQ(ack, XACK);
    CHECK_EQ(c.status, GNTST_okay);
    CHECK_EQ(copied, XMAGIC_RO);
    CHECK_EQ(into.status, GNTST_general_error);
    CHECK_EQ(rw_of_ro.status, GNTST_general_error);
    CHECK_EQ(not_ours.status, GNTST_general_error);
    CHECK_EQ(u.status, GNTST_okay);
    CHECK_EQ(probe.status, GNTST_general_error);
    return PV_PASS;
}

PVTEST(t_gnt_cross, "gnttab.cross_domain",
       "d1 grants d0 a page: d0 maps it and answers through it, copies a "
       "read-only grant, is refused what was not granted; d1 sees the "
       "in-use bits come and go (skipped without a domain 1)")
{
    CHECK(gnttab_ready());
    return pv_domid() == 0 ? cross_mapper() : cross_granter();
}

PVTEST(t_gnt_grow, "gnttab.grow",
       "setup_table with 2 frames grows the table: query_size says 2, the "
       "first frame is unchanged")
{
    CHECK(gnttab_ready());
    xen_pfn_t frames[2] = {0, 0};
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 2};
    set_xen_guest_handle(st.frame_list, frames);
    CHECK_OK(hc_grant_table_op(GNTTABOP_setup_table, &st, 1));
    CHECK_EQ(st.status, GNTST_okay);
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    CHECK_OK(hc_grant_table_op(GNTTABOP_query_size, &q, 1));
    CHECK(q.nr_frames >= 2);
    CHECK_EQ(frames[0], pte_read((unsigned long)gnt) >> PAGE_SHIFT &
                            (PTE_ADDR >> PAGE_SHIFT));
    CHECK(frames[1] != frames[0] && frames[1] != 0);
    return PV_PASS;
}
