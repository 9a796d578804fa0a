/*
 * Grant tables v1 (common/grant_table.c) on the host, on top of the real
 * PV MMU (mm/pv_mm.c) and the machine memory test-pv-mm.c provides: a
 * granting domain A, a mapping domain B with validated page tables, and
 * the hypercall driven with host pointers as guest addresses. Every
 * scenario checks the status codes Xen 4.17 gives and that the frame
 * counts are back where they started once the mappings are gone.
 */
#include <stdlib.h>
#include <string.h>

#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/grant_table.h>
#include <veneer/hypercall.h>
#include <veneer/mm.h>
#include <veneer/pv_mm.h>
#include <veneer/x86.h>

#include "unit.h"

#define NFRAMES 64 /* test-pv-mm.c's machine */
#define A_ID    1
#define B_ID    2
#define MAX_FR  4
#define REF     10
#define VA_IDX  5 /* B's L1 slot for host mappings */
#define VA      ((uint64_t)VA_IDX << PAGE_SHIFT)
#define RW_PTE  (_PAGE_PRESENT | _PAGE_RW)
#define TBL_PTE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

extern uint64_t (*memory)[512];
static struct domain doma, domb;
static struct vcpu va0, vb0;
static mfn_t next_low, l4, l3, l2, l1, bdata, adata, adata2;

/* The hypervisor's frame allocator, from the top of the machine down
 * (domain frames come from the bottom). */
mfn_t alloc_pages(unsigned int order)
{
    CU_ASSERT_EQUAL(order, 0);
    for (mfn_t m = NFRAMES; m-- > next_low;) {
        const struct page_info *pg = &frame_table[m];
        if (pg->owner == OWNER_NONE && !pg->count && !pg->type_count)
            return m; /* the caller owns it from now on */
    }
    return INVALID_MFN;
}

static mfn_t alloc_for(struct domain *d)
{
    mfn_t m = next_low++;
    CU_ASSERT_FATAL(m < NFRAMES && frame_table[m].owner == OWNER_NONE);
    frame_table[m].owner = d->id;
    frame_table[m].count = 1;
    frame_table[m].flags = PGF_ALLOCATED;
    d->tot_pages++;
    return m;
}

static void init_domain(struct domain *d, struct vcpu *v, domid_t id)
{
    memset(d, 0, sizeof(*d));
    memset(v, 0, sizeof(*v));
    d->id = id;
    d->nr_vcpus = 1;
    d->vcpus[0] = v;
    d->shared_info_mfn = INVALID_MFN;
    v->domain = d;
    v->guest_table = v->guest_table_user = INVALID_MFN;
    domains[id] = d;
}

static void setup(void)
{
    frame_table = calloc(NFRAMES, sizeof(*frame_table));
    memory = calloc(NFRAMES, sizeof(*memory));
    CU_ASSERT_FATAL(frame_table && memory);
    nr_machine_frames = NFRAMES;
    for (mfn_t i = 0; i < NFRAMES; i++)
        frame_table[i].owner = OWNER_NONE;
    next_low = 1;
    init_domain(&doma, &va0, A_ID);
    init_domain(&domb, &vb0, B_ID);
    current = &vb0;
    CU_ASSERT_FATAL(gnttab_init(&doma, MAX_FR) == 0);
    CU_ASSERT_FATAL(gnttab_init(&domb, MAX_FR) == 0);
    /* B's page tables: one L1 reachable from its L4, mapping its own
     * data page RW at slot 0; the L4 is pinned and is B's base. */
    l4 = alloc_for(&domb);
    l3 = alloc_for(&domb);
    l2 = alloc_for(&domb);
    l1 = alloc_for(&domb);
    bdata = alloc_for(&domb);
    memory[l4][0] = (l3 << PAGE_SHIFT) | TBL_PTE;
    memory[l3][0] = (l2 << PAGE_SHIFT) | TBL_PTE;
    memory[l2][0] = (l1 << PAGE_SHIFT) | TBL_PTE;
    memory[l1][0] = (bdata << PAGE_SHIFT) | RW_PTE;
    CU_ASSERT_FATAL(pv_mm_pin(&domb, l4, PGT_L4) == 0);
    CU_ASSERT_FATAL(pv_mm_set_base(&domb, &vb0.guest_table, l4) == 0);
    adata = alloc_for(&doma);
    adata2 = alloc_for(&doma);
}

static void teardown(void)
{
    gnttab_release(&domb);
    gnttab_release(&doma);
    pv_mm_teardown(&domb);
    pv_mm_teardown(&doma);
    gnttab_destroy(&domb);
    gnttab_destroy(&doma);
    domains[A_ID] = domains[B_ID] = NULL;
    current = NULL;
    free(frame_table);
    free(memory);
    frame_table = NULL;
    memory = NULL;
}

static grant_entry_v1_t *entries(struct domain *d)
{
    return (grant_entry_v1_t *)memory[d->grant_table->frames[0]];
}

static void grant(struct domain *d, grant_ref_t ref, domid_t to, mfn_t frame,
                  uint16_t flags)
{
    grant_entry_v1_t *e = &entries(d)[ref];
    e->domid = to;
    e->frame = (uint32_t)frame;
    e->flags = GTF_permit_access | flags;
}

static long gnttab_op(unsigned int cmd, void *op, unsigned int count)
{
    return do_grant_table_op(cmd, (uint64_t)(uintptr_t)op, count, 0, 0);
}

static struct gnttab_map_grant_ref map_op(uint64_t addr, uint32_t flags,
                                          grant_ref_t ref, domid_t dom)
{
    struct gnttab_map_grant_ref m = {
        .host_addr = addr, .flags = flags, .ref = ref, .dom = dom};
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_map_grant_ref, &m, 1), 0);
    return m;
}

static int16_t unmap(uint64_t addr, grant_handle_t h, uint64_t bus)
{
    struct gnttab_unmap_grant_ref u = {
        .host_addr = addr, .dev_bus_addr = bus, .handle = h};
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_unmap_grant_ref, &u, 1), 0);
    return u.status;
}

static struct page_info *snapshot(void)
{
    struct page_info *s = malloc(NFRAMES * sizeof(*s));
    CU_ASSERT_FATAL(s != NULL);
    memcpy(s, frame_table, NFRAMES * sizeof(*s));
    return s;
}

static void assert_counts_as(struct page_info *s)
{
    for (mfn_t i = 0; i < NFRAMES; i++) {
        CU_ASSERT_EQUAL(frame_table[i].count, s[i].count);
        CU_ASSERT_EQUAL(frame_table[i].type_count, s[i].type_count);
    }
    free(s);
}

static uint16_t in_use(struct domain *d, grant_ref_t ref)
{
    return entries(d)[ref].flags & (GTF_reading | GTF_writing);
}

/* ---- cases ------------------------------------------------------------- */

static void test_setup_query_version(void)
{
    setup();
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
    CU_ASSERT_EQUAL(q.status, GNTST_okay);
    CU_ASSERT_EQUAL(q.nr_frames, 1);
    CU_ASSERT_EQUAL(q.max_nr_frames, MAX_FR);

    xen_pfn_t frames[MAX_FR + 1] = {0};
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 3};
    set_xen_guest_handle(st.frame_list, frames);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    CU_ASSERT_EQUAL(st.status, GNTST_okay);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(frames[i], domb.grant_table->frames[i]);
        CU_ASSERT_EQUAL(frame_table[frames[i]].owner, OWNER_HYPERVISOR);
        /* B may map its table frames RW, A may not. */
        CU_ASSERT_TRUE(pv_mm_shared_with(&domb, frames[i]));
        CU_ASSERT_FALSE(pv_mm_shared_with(&doma, frames[i]));
    }
    CU_ASSERT_EQUAL(pv_mm_update_entry(&domb, &domb, (l1 << PAGE_SHIFT) + 8 * 7,
                                       (frames[2] << PAGE_SHIFT) | RW_PTE,
                                       false),
                    0);
    CU_ASSERT_EQUAL(frame_table[frames[2]].type_count, 1);
    q.dom = B_ID;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
    CU_ASSERT_EQUAL(q.nr_frames, 3);
    /* Beyond the maximum, another domain, no domain, bad counts. */
    st.nr_frames = MAX_FR + 1;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    CU_ASSERT_EQUAL(st.status, GNTST_general_error);
    st.nr_frames = 1;
    st.dom = A_ID;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    CU_ASSERT_EQUAL(st.status, GNTST_permission_denied);
    st.dom = 0x7ff5;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
    CU_ASSERT_EQUAL(st.status, GNTST_bad_domain);
    q.dom = A_ID;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
    CU_ASSERT_EQUAL(q.status, GNTST_permission_denied);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_setup_table, &st, 2), -EINVAL);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_query_size, &q, 0), -EINVAL);
    st.dom = DOMID_SELF;
    st.nr_frames = 2;
    set_xen_guest_handle(st.frame_list, (xen_pfn_t *)16); /* unmapped */
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_setup_table, &st, 1), -EFAULT);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_setup_table, (void *)16, 1), -EFAULT);
    /* The control domain may look at others. */
    domb.privileged = true;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_query_size, &q, 1), 0);
    CU_ASSERT_EQUAL(q.status, GNTST_okay);
    CU_ASSERT_EQUAL(q.nr_frames, 1);
    domb.privileged = false;

    /* Versions: 1 only; 2 as a Xen limited to v1 answers it. */
    struct gnttab_set_version sv = {.version = 1};
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_set_version, &sv, 1), 0);
    sv.version = 2;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_set_version, &sv, 1), -ENOSYS);
    CU_ASSERT_EQUAL(sv.version, 1);
    sv.version = 3;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_set_version, &sv, 1), -EINVAL);
    struct gnttab_get_version gv = {.dom = DOMID_SELF};
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_get_version, &gv, 1), 0);
    CU_ASSERT_EQUAL(gv.version, 1);
    gv.dom = 0x7ff5;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_get_version, &gv, 1), -ESRCH);
    /* Unknown and unimplemented commands, continuation bits, counts. */
    CU_ASSERT_EQUAL(gnttab_op(99, &gv, 1), -ENOSYS);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_dump_table, &gv, 1), -ENOSYS);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_transfer, &gv, 1), -ENOSYS);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_query_size | (1u << 12), &q, 1),
                    -EINVAL);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_map_grant_ref, &q, 0x80000000u),
                    -EINVAL);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_map_grant_ref, (void *)16, 1000),
                    -EFAULT);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_map_grant_ref, &q, 0), 0);
    teardown();
}

static void test_map_unmap_va(void)
{
    setup();
    memory[adata][3] = 0x5151;
    grant(&doma, REF, B_ID, adata, 0);
    struct page_info *before = snapshot();

    struct gnttab_map_grant_ref m =
        map_op(VA, GNTMAP_host_map | (5u << _GNTMAP_guest_avail0), REF, A_ID);
    CU_ASSERT_EQUAL_FATAL(m.status, GNTST_okay);
    CU_ASSERT_EQUAL(m.dev_bus_addr, adata << PAGE_SHIFT);
    uint64_t pte = memory[l1][VA_IDX];
    CU_ASSERT_EQUAL((pte & PTE_ADDR_MASK) >> PAGE_SHIFT, adata);
    CU_ASSERT_EQUAL(
        pte & (PTE_GNTTAB | _PAGE_RW | _PAGE_PRESENT | _PAGE_NX | _PAGE_USER),
        PTE_GNTTAB | _PAGE_RW | _PAGE_PRESENT | _PAGE_NX | _PAGE_USER);
    CU_ASSERT_EQUAL(pte & PTE_AVAIL, 5u << 9);
    CU_ASSERT_EQUAL(in_use(&doma, REF), GTF_reading | GTF_writing);
    /* What an RW L1 entry holds, plus the PTE's L1. */
    CU_ASSERT_EQUAL(frame_table[adata].count, 2);
    CU_ASSERT_EQUAL(frame_table[adata].type, PGT_WRITABLE);
    CU_ASSERT_EQUAL(frame_table[adata].type_count, 1);
    CU_ASSERT_EQUAL(frame_table[l1].count, before[l1].count + 1);
    /* A can no longer make the frame a page table. */
    CU_ASSERT_NOT_EQUAL(pv_mm_pin(&doma, adata, PGT_L1), 0);

    /* The MMU neither drops nor replaces the grant PTE. */
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&domb, l1, VA_IDX, 0, false, NULL), -EINVAL);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&domb, &domb,
                                       (l1 << PAGE_SHIFT) + 8 * VA_IDX,
                                       (bdata << PAGE_SHIFT) | RW_PTE, false),
                    -EINVAL);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX], pte);
    /* A second grant map over it is refused and changes nothing. */
    grant(&doma, REF + 1, B_ID, adata2, 0);
    struct gnttab_map_grant_ref m2 = map_op(VA, GNTMAP_host_map, REF + 1, A_ID);
    CU_ASSERT_EQUAL(m2.status, GNTST_general_error);
    CU_ASSERT_EQUAL(in_use(&doma, REF + 1), 0);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX], pte);

    /* Unmap: a wrong address, a wrong bus address, then right. */
    CU_ASSERT_EQUAL(unmap(VA + PAGE_SIZE, m.handle, 0), GNTST_general_error);
    CU_ASSERT_EQUAL(unmap(VA, m.handle, (adata + 1) << PAGE_SHIFT),
                    GNTST_bad_dev_addr);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX], pte);
    CU_ASSERT_EQUAL(unmap(VA, m.handle, 0), GNTST_okay);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX], 0);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    CU_ASSERT_EQUAL(unmap(VA, m.handle, 0), GNTST_bad_handle);
    CU_ASSERT_EQUAL(unmap(VA, 12345, 0), GNTST_bad_handle);
    assert_counts_as(before);
    teardown();
}

static void test_map_over_entry_and_pte(void)
{
    setup();
    grant(&doma, REF, B_ID, adata, 0);
    struct page_info *before = snapshot();
    /* Over B's own RW mapping at slot 0: its references go. */
    struct gnttab_map_grant_ref m = map_op(
        l1 << PAGE_SHIFT, GNTMAP_host_map | GNTMAP_contains_pte, REF, A_ID);
    CU_ASSERT_EQUAL_FATAL(m.status, GNTST_okay);
    CU_ASSERT_EQUAL(frame_table[bdata].count, before[bdata].count - 1);
    CU_ASSERT_EQUAL(frame_table[bdata].type_count, 0);
    CU_ASSERT_EQUAL((memory[l1][0] & PTE_ADDR_MASK) >> PAGE_SHIFT, adata);
    /* Unmapping by VA finds the same PTE. */
    CU_ASSERT_EQUAL(unmap(0x10, m.handle, 0), GNTST_general_error); /* < 4K */
    CU_ASSERT_EQUAL(unmap(l1 << PAGE_SHIFT, m.handle, adata << PAGE_SHIFT),
                    GNTST_okay);
    CU_ASSERT_EQUAL(memory[l1][0], 0);
    CU_ASSERT_EQUAL(frame_table[adata].count, before[adata].count);
    CU_ASSERT_EQUAL(frame_table[adata].type_count, 0);

    /* Hostile PTE addresses: misaligned, not an L1, not B's, no RAM. */
    uint64_t bad[] = {(l1 << PAGE_SHIFT) + 4,
                      bdata << PAGE_SHIFT,
                      adata2 << PAGE_SHIFT,
                      (l2 << PAGE_SHIFT) + 8,
                      (uint64_t)NFRAMES << PAGE_SHIFT,
                      ~7UL};
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        m = map_op(bad[i], GNTMAP_host_map | GNTMAP_contains_pte, REF, A_ID);
        CU_ASSERT_EQUAL(m.status, GNTST_general_error);
        CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    }
    /* A VA no table maps. */
    m = map_op(1UL << 39, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_general_error);
    frame_table[bdata].count++; /* slot 0's old reference, gone above */
    frame_table[bdata].type_count++;
    assert_counts_as(before);
    teardown();
}

static void test_permissions(void)
{
    setup();
    struct page_info *before = snapshot();
    struct gnttab_map_grant_ref m;

    /* Not granted, granted to someone else, other types, sub-page. */
    m = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_general_error);
    grant(&doma, REF, 3, adata, 0);
    m = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_general_error);
    grant(&doma, REF, B_ID, adata, 0);
    entries(&doma)[REF].flags = GTF_accept_transfer;
    m = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_general_error);
    grant(&doma, REF, B_ID, adata, GTF_sub_page);
    m = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_general_error);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);

    /* Refs, domains and flags. */
    grant(&doma, REF, B_ID, adata, 0);
    m = map_op(VA, GNTMAP_host_map, 1u << 30, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_bad_gntref);
    m = map_op(VA, GNTMAP_host_map, GNTTAB_ENTRIES_PER_FRAME, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_bad_gntref);
    m = map_op(VA, GNTMAP_host_map, REF, 0x7ff5);
    CU_ASSERT_EQUAL(m.status, GNTST_bad_domain);
    m = map_op(VA, GNTMAP_host_map, REF, DOMID_SELF);
    CU_ASSERT_EQUAL(m.status, GNTST_bad_domain);
    m = map_op(VA, GNTMAP_readonly, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_bad_gntref);

    /* A frame A does not own; a page table of A's mapped RW. */
    grant(&doma, REF, B_ID, bdata, 0);
    m = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_bad_page);
    grant(&doma, REF, B_ID, NFRAMES + 100, 0);
    m = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_bad_page);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    memset(memory[adata2], 0, PAGE_SIZE);
    CU_ASSERT_EQUAL(pv_mm_pin(&doma, adata2, PGT_L1), 0);
    grant(&doma, REF, B_ID, adata2, 0);
    m = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_general_error);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX], 0);
    CU_ASSERT_EQUAL(pv_mm_unpin(&doma, adata2), 0);

    /* Read-only grants map read-only only. */
    grant(&doma, REF, B_ID, adata, GTF_readonly);
    m = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_general_error);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    m = map_op(VA, GNTMAP_host_map | GNTMAP_readonly, REF, A_ID);
    CU_ASSERT_EQUAL_FATAL(m.status, GNTST_okay);
    CU_ASSERT_EQUAL(in_use(&doma, REF), GTF_reading);
    CU_ASSERT_FALSE(memory[l1][VA_IDX] & _PAGE_RW);
    CU_ASSERT_EQUAL(frame_table[adata].type_count, 0);
    /* While pinned by B nobody else may pin it. */
    current = &va0;
    grant(&doma, REF, A_ID, adata, GTF_readonly); /* the granter cheats */
    struct gnttab_map_grant_ref ma =
        map_op(0, GNTMAP_device_map | GNTMAP_readonly, REF, A_ID);
    CU_ASSERT_EQUAL(ma.status, GNTST_general_error);
    current = &vb0;
    CU_ASSERT_EQUAL(unmap(VA, m.handle, 0), GNTST_okay);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    assert_counts_as(before);
    teardown();
}

static void test_maptrack_and_pins(void)
{
    setup();
    struct page_info *before = snapshot();
    grant_handle_t h[2 * MAPTRACK_PER_CHUNK];
    unsigned int n = 0;
    struct gnttab_map_grant_ref m;

    domb.grant_table->maptrack_max = MAPTRACK_PER_CHUNK;
    grant(&doma, REF, B_ID, adata, 0);
    grant(&doma, REF + 1, B_ID, adata2, 0);
    /* Device mappings need no PTE: 128 pins per counter at most. */
    for (unsigned int i = 0; i <= GNTPIN_MAX; i++) {
        m = map_op(0, GNTMAP_device_map | GNTMAP_readonly, REF, A_ID);
        CU_ASSERT_EQUAL_FATAL(m.status, GNTST_okay);
        h[n++] = m.handle;
    }
    m = map_op(0, GNTMAP_device_map | GNTMAP_readonly, REF, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_general_error);
    CU_ASSERT_EQUAL(frame_table[adata].count, 1 + GNTPIN_MAX + 1);
    /* Then the handles run out. */
    while (n < MAPTRACK_PER_CHUNK) {
        m = map_op(0, GNTMAP_device_map, REF + 1, A_ID);
        CU_ASSERT_EQUAL_FATAL(m.status, GNTST_okay);
        h[n++] = m.handle;
    }
    m = map_op(0, GNTMAP_device_map, REF + 1, A_ID);
    CU_ASSERT_EQUAL(m.status, GNTST_no_device_space);
    CU_ASSERT_EQUAL(domb.grant_table->maptrack_used, MAPTRACK_PER_CHUNK);
    CU_ASSERT_EQUAL(frame_table[adata2].type_count,
                    MAPTRACK_PER_CHUNK - GNTPIN_MAX - 1);
    /* Every handle is distinct and unmaps once. */
    for (unsigned int i = 0; i < n; i++) {
        mfn_t f = i <= GNTPIN_MAX ? adata : adata2;
        CU_ASSERT_EQUAL(unmap(0, h[i], f << PAGE_SHIFT), GNTST_okay);
    }
    CU_ASSERT_EQUAL(unmap(0, h[0], adata << PAGE_SHIFT), GNTST_bad_handle);
    CU_ASSERT_EQUAL(domb.grant_table->maptrack_used, 0);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    CU_ASSERT_EQUAL(in_use(&doma, REF + 1), 0);
    /* A handle without bus address or host address does nothing. */
    m = map_op(0, GNTMAP_device_map, REF, A_ID);
    CU_ASSERT_EQUAL(unmap(0, m.handle, 0), GNTST_okay);
    CU_ASSERT_EQUAL(in_use(&doma, REF), GTF_reading | GTF_writing);
    CU_ASSERT_EQUAL(unmap(0, m.handle, adata << PAGE_SHIFT), GNTST_okay);
    assert_counts_as(before);
    teardown();
}

static int16_t copy(struct gnttab_copy *c)
{
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_copy, c, 1), 0);
    return c->status;
}

static void test_copy(void)
{
    setup();
    uint8_t *src = (uint8_t *)memory[adata], *dst = (uint8_t *)memory[bdata];
    for (int i = 0; i < 256; i++)
        src[100 + i] = (uint8_t)(i * 7 + 1);
    grant(&doma, REF, B_ID, adata, GTF_readonly);
    struct page_info *before = snapshot();
    struct gnttab_copy c = {
        .source = {.u.ref = REF, .domid = A_ID, .offset = 100},
        .dest = {.u.gmfn = bdata, .domid = DOMID_SELF, .offset = 300},
        .len = 256,
        .flags = GNTCOPY_source_gref};
    CU_ASSERT_EQUAL(copy(&c), GNTST_okay);
    CU_ASSERT_EQUAL(memcmp(src + 100, dst + 300, 256), 0);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    /* Bounds, checked after both sides are claimed. */
    c.source.offset = 4000;
    c.len = 200;
    CU_ASSERT_EQUAL(copy(&c), GNTST_bad_copy_arg);
    c.source.offset = 0;
    c.dest.offset = 0xffff;
    c.len = 1;
    CU_ASSERT_EQUAL(copy(&c), GNTST_bad_copy_arg);
    c.dest.offset = 0;
    c.len = 0xffff;
    CU_ASSERT_EQUAL(copy(&c), GNTST_bad_copy_arg);
    c.len = 16;
    /* Writing through a read-only grant; frames of others by number. */
    struct gnttab_copy w = {.source = {.u.gmfn = bdata, .domid = DOMID_SELF},
                            .dest = {.u.ref = REF, .domid = A_ID},
                            .len = 16,
                            .flags = GNTCOPY_dest_gref};
    CU_ASSERT_EQUAL(copy(&w), GNTST_general_error);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    w.flags = 0;
    CU_ASSERT_EQUAL(copy(&w), GNTST_permission_denied);
    w.dest.domid = DOMID_SELF;
    w.dest.u.gmfn = adata;
    CU_ASSERT_EQUAL(copy(&w), GNTST_bad_page);
    w.dest.u.gmfn = l1; /* B's own page table */
    CU_ASSERT_EQUAL(copy(&w), GNTST_general_error);
    w.dest.u.gmfn = ~0UL;
    CU_ASSERT_EQUAL(copy(&w), GNTST_bad_page);
    w.source.domid = 0x7ff5;
    w.flags = GNTCOPY_source_gref;
    CU_ASSERT_EQUAL(copy(&w), GNTST_bad_domain);
    c.source.u.ref = 1u << 31;
    CU_ASSERT_EQUAL(copy(&c), GNTST_bad_gntref);
    /* A writable grant takes a write; the copy holds it only meanwhile. */
    grant(&doma, REF + 1, B_ID, adata2, 0);
    w = (struct gnttab_copy){.source = {.u.gmfn = bdata, .domid = DOMID_SELF},
                             .dest = {.u.ref = REF + 1, .domid = A_ID},
                             .len = 64,
                             .flags = GNTCOPY_dest_gref};
    CU_ASSERT_EQUAL(copy(&w), GNTST_okay);
    CU_ASSERT_EQUAL(memcmp(memory[adata2], dst, 64), 0);
    CU_ASSERT_EQUAL(in_use(&doma, REF + 1), 0);
    /* A batch: statuses per element; an unreadable array is -EFAULT. */
    struct gnttab_copy batch[2] = {w, c};
    batch[1].source.u.ref = 1u << 31;
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_copy, batch, 2), 0);
    CU_ASSERT_EQUAL(batch[0].status, GNTST_okay);
    CU_ASSERT_EQUAL(batch[1].status, GNTST_bad_gntref);
    CU_ASSERT_EQUAL(gnttab_op(GNTTABOP_copy, (void *)16, 2), -EFAULT);
    assert_counts_as(before);
    teardown();
}

static void test_release_on_death(void)
{
    setup();
    grant(&doma, REF, B_ID, adata, 0);
    grant(&doma, REF + 1, B_ID, adata2, GTF_readonly);
    struct page_info *before = snapshot();
    struct gnttab_map_grant_ref m1 = map_op(VA, GNTMAP_host_map, REF, A_ID);
    struct gnttab_map_grant_ref m2 = map_op(
        VA + PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, REF + 1, A_ID);
    struct gnttab_map_grant_ref m3 = map_op(0, GNTMAP_device_map, REF, A_ID);
    CU_ASSERT_EQUAL_FATAL(m1.status, GNTST_okay);
    CU_ASSERT_EQUAL_FATAL(m2.status, GNTST_okay);
    CU_ASSERT_EQUAL_FATAL(m3.status, GNTST_okay);
    /* B dies: its mappings go, A's frames and entries are as before. */
    gnttab_release(&domb);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX], 0);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX + 1], 0);
    CU_ASSERT_EQUAL(in_use(&doma, REF), 0);
    CU_ASSERT_EQUAL(in_use(&doma, REF + 1), 0);
    CU_ASSERT_EQUAL(domb.grant_table->maptrack_used, 0);
    assert_counts_as(before);

    /* Again, but A (the granter) dies: B's mappings stay (a backend may
     * still read a dead frontend's ring), the frames with them. */
    m1 = map_op(VA, GNTMAP_host_map, REF, A_ID);
    m2 = map_op(0, GNTMAP_device_map | GNTMAP_readonly, REF + 1, A_ID);
    CU_ASSERT_EQUAL_FATAL(m1.status, GNTST_okay);
    CU_ASSERT_EQUAL_FATAL(m2.status, GNTST_okay);
    uint64_t pte = memory[l1][VA_IDX];
    mfn_t f = doma.grant_table->frames[0];
    gnttab_release(&doma);
    pv_mm_teardown(&doma);
    gnttab_destroy(&doma);
    domains[A_ID] = NULL;
    CU_ASSERT_PTR_NULL(doma.grant_table);
    CU_ASSERT_EQUAL(frame_table[f].owner, OWNER_NONE);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX], pte);
    CU_ASSERT_EQUAL(frame_table[adata].owner, OWNER_DYING);
    CU_ASSERT_EQUAL(frame_table[adata].count, 1);
    CU_ASSERT_EQUAL(frame_table[adata].type_count, 1);
    CU_ASSERT_EQUAL(frame_table[adata2].owner, OWNER_DYING);
    /* Its id maps nothing now... */
    struct gnttab_map_grant_ref m4 = map_op(VA, GNTMAP_host_map, REF, A_ID);
    CU_ASSERT_EQUAL(m4.status, GNTST_bad_domain);
    /* ...then belongs to a new domain, which the orphans never touch. */
    init_domain(&doma, &va0, A_ID);
    CU_ASSERT_FATAL(gnttab_init(&doma, MAX_FR) == 0);
    grant(&doma, REF, B_ID, alloc_for(&doma), 0);
    CU_ASSERT_EQUAL(unmap(VA + PAGE_SIZE, m1.handle, 0), GNTST_general_error);
    CU_ASSERT_EQUAL(unmap(VA, m1.handle, 0), GNTST_okay);
    CU_ASSERT_EQUAL(memory[l1][VA_IDX], 0);
    CU_ASSERT_EQUAL(frame_table[adata].owner, OWNER_NONE); /* freed */
    CU_ASSERT_EQUAL(frame_table[adata].count, 0);
    CU_ASSERT_EQUAL(entries(&doma)[REF].flags, GTF_permit_access);
    CU_ASSERT_EQUAL(unmap(VA, m1.handle, 0), GNTST_bad_handle);
    /* The mapper's death undoes the last orphan. */
    gnttab_release(&domb);
    CU_ASSERT_EQUAL(frame_table[adata2].owner, OWNER_NONE);
    CU_ASSERT_EQUAL(domb.grant_table->maptrack_used, 0);
    teardown();
}

static void test_seed_reserved(void)
{
    setup();
    mfn_t console = alloc_for(&domb), store = alloc_for(&domb);
    CU_ASSERT_EQUAL(gnttab_seed_reserved(&domb, A_ID, console, store), 0);
    grant_entry_v1_t *e = entries(&domb);
    CU_ASSERT_EQUAL(e[GNTTAB_RESERVED_CONSOLE].flags, GTF_permit_access);
    CU_ASSERT_EQUAL(e[GNTTAB_RESERVED_CONSOLE].domid, A_ID);
    CU_ASSERT_EQUAL(e[GNTTAB_RESERVED_CONSOLE].frame, console);
    CU_ASSERT_EQUAL(e[GNTTAB_RESERVED_XENSTORE].frame, store);
    /* The backend can use the xenstore grant; nobody else can. */
    current = &va0;
    memory[store][0] = 0x1234;
    struct gnttab_copy c = {
        .source = {.u.ref = GNTTAB_RESERVED_XENSTORE, .domid = B_ID},
        .dest = {.u.gmfn = adata, .domid = DOMID_SELF},
        .len = 8,
        .flags = GNTCOPY_source_gref};
    CU_ASSERT_EQUAL(copy(&c), GNTST_okay);
    CU_ASSERT_EQUAL(memory[adata][0], 0x1234);
    current = &vb0;
    c.source.domid = DOMID_SELF;
    c.dest.u.gmfn = bdata;
    CU_ASSERT_EQUAL(copy(&c), GNTST_general_error);
    CU_ASSERT_EQUAL(gnttab_seed_reserved(&domb, A_ID, 1UL << 40, store),
                    -EINVAL);
    teardown();
}

static const struct unit_case grant_cases[] = {
    {"setup_table, query_size, versions, bad commands",
     test_setup_query_version},
    {"map at a VA, unmap, the MMU leaves the grant PTE alone",
     test_map_unmap_va},
    {"map by PTE address over a present entry; hostile PTE addresses",
     test_map_over_entry_and_pte},
    {"entries, refs, domains, frames and read-only grants checked",
     test_permissions},
    {"pin counters and maptrack handles run out cleanly",
     test_maptrack_and_pins},
    {"copy through grants and frames, bounds and rights", test_copy},
    {"a dying mapper leaves nothing; a dead granter's frames outlive it",
     test_release_on_death},
    {"entries 0 and 1 seeded for a backend", test_seed_reserved},
    {NULL, NULL},
};
UNIT_SUITE(grant_table, grant_cases)
