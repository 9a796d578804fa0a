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
