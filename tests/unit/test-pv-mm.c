/*
 * The PV MMU's type system (mm/pv_mm.c) on the host: a small frame table
 * and a buffer standing in for machine memory, one domain, and the hostile
 * cases a guest can try (frames it does not own, writable mappings of its
 * tables, malformed tables, the hypervisor's L4 slots, pin misuse). After
 * every scenario the counts must be back where they started, and the
 * teardown must free every frame.
 */
#include <stdlib.h>
#include <string.h>

#include <veneer/errno.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/pv_mm.h>
#include <veneer/x86.h>

#include "unit.h"

#define NFRAMES 64
#define DOMID   1
#define OTHER   2
#define HV_MARK 0x5a5a000000000000UL

/* What the core links against, provided here (domain_by_id() and
 * domains[] come with the event-channel tests). */
struct page_info *frame_table;
mfn_t nr_machine_frames;
uint64_t (*memory)[512]; /* machine memory, shared with test-grant.c */
static struct domain dom, other;
static struct vcpu vcpu0;
static unsigned int flushes, frees;

uint64_t *pv_mm_table(mfn_t mfn)
{
    CU_ASSERT_FATAL(mfn < NFRAMES);
    return memory[mfn];
}

void pv_mm_flush_tlbs(void)
{
    flushes++;
}

/* One host "CPU" that never flushes on its own: every flush since a
 * stamp is a real flush. */
uint64_t pv_mm_tlb_clock(void)
{
    return 0;
}

/* Whose pCPUs the last flush since a stamp reached (NULL: any guest's). */
static const struct domain *last_flush_for;

void pv_mm_flush_tlbs_since(const struct domain *d, uint64_t stamp)
{
    (void)stamp;
    last_flush_for = d;
    flushes++;
}

void paging_copy_hypervisor_slots(uint64_t *l4)
{
    for (unsigned int i = HV_L4_FIRST_SLOT; i <= HV_L4_LAST_SLOT; i++)
        l4[i] = HV_MARK | i;
}

void free_pages(mfn_t mfn, unsigned int order)
{
    CU_ASSERT_EQUAL(order, 0);
    CU_ASSERT_EQUAL(frame_table[mfn].count, 0);
    CU_ASSERT_EQUAL(frame_table[mfn].type_count, 0);
    frame_table[mfn].owner = OWNER_NONE;
    frame_table[mfn].type = PGT_NONE;
    frame_table[mfn].type_flags = 0;
    frees++;
}

static mfn_t next_frame;

static void setup(void)
{
    frame_table = calloc(NFRAMES, sizeof(*frame_table));
    memory = calloc(NFRAMES, sizeof(*memory));
    CU_ASSERT_FATAL(frame_table && memory);
    nr_machine_frames = NFRAMES;
    for (mfn_t i = 0; i < NFRAMES; i++)
        frame_table[i].owner = OWNER_NONE;
    memset(&dom, 0, sizeof(dom));
    memset(&other, 0, sizeof(other));
    memset(&vcpu0, 0, sizeof(vcpu0));
    dom.id = DOMID;
    other.id = OTHER;
    dom.nr_vcpus = 1;
    dom.vcpus[0] = &vcpu0;
    vcpu0.domain = &dom;
    vcpu0.guest_table = vcpu0.guest_table_user = INVALID_MFN;
    dom.shared_info_mfn = other.shared_info_mfn = INVALID_MFN;
    domains[DOMID] = &dom;
    domains[OTHER] = &other;
    flushes = frees = 0;
    next_frame = 1; /* frame 0 stays unowned */
}

static void teardown(void)
{
    domains[DOMID] = domains[OTHER] = NULL;
    free(frame_table);
    free(memory);
    frame_table = NULL;
    memory = NULL;
}

static mfn_t alloc_for(struct domain *d)
{
    mfn_t mfn = next_frame++;
    CU_ASSERT_FATAL(mfn < NFRAMES);
    frame_table[mfn].owner = d->id;
    frame_table[mfn].count = 1;
    frame_table[mfn].flags = PGF_ALLOCATED;
    d->tot_pages++;
    return mfn;
}

static uint64_t table_entry(mfn_t mfn)
{
    return (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED |
           _PAGE_DIRTY;
}

static uint64_t rw(mfn_t mfn)
{
    return (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW;
}

static uint64_t ro(mfn_t mfn)
{
    return (mfn << PAGE_SHIFT) | _PAGE_PRESENT;
}

/* A tree L4 -> L3 -> L2 -> L1 mapping data RW, ro RO and the L1 itself RO
 * (as a guest maps its own tables). */
struct tree {
    mfn_t l4, l3, l2, l1, data, ro;
};

static void build_tree(struct tree *t)
{
    t->l4 = alloc_for(&dom);
    t->l3 = alloc_for(&dom);
    t->l2 = alloc_for(&dom);
    t->l1 = alloc_for(&dom);
    t->data = alloc_for(&dom);
    t->ro = alloc_for(&dom);
    memory[t->l4][511] = table_entry(t->l3);
    memory[t->l3][510] = table_entry(t->l2);
    memory[t->l2][0] = table_entry(t->l1);
    memory[t->l1][0] = rw(t->data);
    memory[t->l1][1] = ro(t->ro);
    memory[t->l1][2] = ro(t->l1);
}

/* Every frame's counts, to prove a failed or undone operation left
 * nothing behind. */
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
        CU_ASSERT_EQUAL(frame_table[i].owner, s[i].owner);
    }
    free(s);
}

static void test_pin_counts(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    struct page_info *before = snapshot();
    memory[t.l4][260] = 0x1234; /* garbage in a hypervisor slot */
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l4, PGT_L4), 0);
    CU_ASSERT_EQUAL(frame_table[t.l4].type, PGT_L4);
    CU_ASSERT(frame_table[t.l4].type_flags & PGTF_PINNED);
    CU_ASSERT_EQUAL(frame_table[t.l4].type_count, 1);
    CU_ASSERT_EQUAL(frame_table[t.l3].type, PGT_L3);
    CU_ASSERT_EQUAL(frame_table[t.l2].type, PGT_L2);
    CU_ASSERT_EQUAL(frame_table[t.l1].type, PGT_L1);
    CU_ASSERT_EQUAL(frame_table[t.l1].type_count, 1);
    /* allocation + L2 entry + its own RO mapping */
    CU_ASSERT_EQUAL(frame_table[t.l1].count, 3);
    CU_ASSERT_EQUAL(frame_table[t.data].type, PGT_WRITABLE);
    CU_ASSERT_EQUAL(frame_table[t.data].type_count, 1);
    CU_ASSERT_EQUAL(frame_table[t.data].count, 2);
    CU_ASSERT_EQUAL(frame_table[t.ro].type_count, 0);
    CU_ASSERT_EQUAL(frame_table[t.ro].count, 2);
    /* _PAGE_USER forced everywhere; the hypervisor's slots are ours. */
    CU_ASSERT(memory[t.l4][511] & _PAGE_USER);
    CU_ASSERT(memory[t.l2][0] & _PAGE_USER);
    CU_ASSERT(memory[t.l1][1] & _PAGE_USER);
    for (unsigned int i = HV_L4_FIRST_SLOT; i <= HV_L4_LAST_SLOT; i++)
        CU_ASSERT_EQUAL(memory[t.l4][i], HV_MARK | i);
    /* Double pin; unpin; unpin of an unpinned table. */
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l4, PGT_L4), -EINVAL);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l4), 0);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l4), -EINVAL);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l1), -EINVAL);
    assert_counts_as(before);
    CU_ASSERT(!(frame_table[t.l1].type_flags & PGTF_VALIDATED));
    teardown();
}

static void test_refuse_unowned(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    mfn_t foreign = alloc_for(&other);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l1, PGT_L1), 0);
    struct page_info *before = snapshot();
    uint64_t slot = (t.l1 << PAGE_SHIFT) + 8 * 7;
    /* Another domain's frame, a free frame, a frame beyond RAM. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, ro(foreign), false),
                    -EBUSY);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, rw(0), false), -EBUSY);
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &dom, slot, ro(NFRAMES + 5), false), -EPERM);
    /* Tables of another domain cannot be written at all. */
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &dom, foreign << PAGE_SHIFT, 0, false),
        -EINVAL);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, foreign, PGT_L1), -EINVAL);
    CU_ASSERT_EQUAL(memory[t.l1][7], 0);
    assert_counts_as(before);
    /* An L1 naming a foreign frame cannot be pinned either. */
    mfn_t bad = alloc_for(&dom);
    memory[bad][3] = ro(foreign);
    before = snapshot();
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, bad, PGT_L1), -EBUSY);
    assert_counts_as(before);
    teardown();
}

static void test_refuse_writable_tables(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l4, PGT_L4), 0);
    struct page_info *before = snapshot();
    uint32_t l4_count = frame_table[t.l4].count;
    uint64_t slot = (t.l1 << PAGE_SHIFT) + 8 * 9;
    /* RW mapping of a pinned L1 (itself), of an L4 in use. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, rw(t.l1), false),
                    -EBUSY);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, rw(t.l4), false),
                    -EBUSY);
    /* Turning the L1's own RO mapping writable. */
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&dom, t.l1, 2, rw(t.l1), false, NULL), -EBUSY);
    assert_counts_as(before);
    /* A frame mapped RW cannot become a table. */
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.data, PGT_L1), -EINVAL);
    /* RO mappings of tables are fine, and go away cleanly. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, ro(t.l4), false), 0);
    CU_ASSERT_EQUAL(frame_table[t.l4].count, l4_count + 1);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, 0, false), 0);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l4), 0);
    /* Once unpinned, the L1 may be mapped RW again (and the type change
     * back to a table later flushes the TLBs). */
    unsigned int f = flushes;
    memory[t.l1][9] = rw(t.l1);
    memory[t.l1][9] = 0;
    mfn_t spare = alloc_for(&dom);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, spare, PGT_L1), 0);
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &dom, (spare << PAGE_SHIFT), rw(t.l1), false),
        0);
    CU_ASSERT_EQUAL(frame_table[t.l1].type, PGT_WRITABLE);
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &dom, (spare << PAGE_SHIFT), 0, false), 0);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l1, PGT_L1), 0);
    CU_ASSERT(flushes > f);
    teardown();
}

/* A table whose last type reference goes may still be cached as a table
 * by some pCPU's paging-structure caches: it becomes writable only after a
 * flush (since its stamp), and a writable frame becomes a table only after
 * one too. Revalidation as the same type needs none. */
static void test_type_change_flushes(void)
{
    setup();
    mfn_t l1 = alloc_for(&dom), map = alloc_for(&dom);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, map, PGT_L1), 0);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, l1, PGT_L1), 0);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, l1), 0);
    unsigned int f = flushes;
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, l1, PGT_L1), 0); /* same type again */
    CU_ASSERT_EQUAL(flushes, f);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, l1), 0);
    /* table -> writable */
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &dom, (map << PAGE_SHIFT), rw(l1), false), 0);
    CU_ASSERT_EQUAL(frame_table[l1].type, PGT_WRITABLE);
    CU_ASSERT_EQUAL(flushes, f + 1);
    /* writable -> table */
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &dom, (map << PAGE_SHIFT), 0, false), 0);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, l1, PGT_L1), 0);
    CU_ASSERT_EQUAL(flushes, f + 2);
    teardown();
}

/* A writable frame's stale translations can only sit on pCPUs that ran
 * the domains that mapped it: the owner's, unless another domain (here
 * the control domain, through mmu_update's foreigndom) mapped it too. */
static void test_writable_to_table_flush_scope(void)
{
    setup();
    dom.privileged = true;
    mfn_t map = alloc_for(&dom), own_map = alloc_for(&other);
    mfn_t frame = alloc_for(&other);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, map, PGT_L1), 0);
    CU_ASSERT_EQUAL(pv_mm_pin(&other, own_map, PGT_L1), 0);

    /* The owner's own writable mapping: only the owner's pCPUs. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&other, &other, own_map << PAGE_SHIFT,
                                       rw(frame), false),
                    0);
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&other, &other, own_map << PAGE_SHIFT, 0, false), 0);
    last_flush_for = &dom;
    CU_ASSERT_EQUAL(pv_mm_pin(&other, frame, PGT_L1), 0);
    CU_ASSERT_PTR_EQUAL(last_flush_for, &other);
    CU_ASSERT_EQUAL(pv_mm_unpin(&other, frame), 0);

    /* The control domain's writable mapping: every guest's pCPUs, once. */
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &other, map << PAGE_SHIFT, rw(frame), false),
        0);
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &other, map << PAGE_SHIFT, 0, false), 0);
    last_flush_for = &dom;
    CU_ASSERT_EQUAL(pv_mm_pin(&other, frame, PGT_L1), 0);
    CU_ASSERT_PTR_NULL(last_flush_for);
    CU_ASSERT_EQUAL(pv_mm_unpin(&other, frame), 0);

    /* The flush forgets it: the next round trip by the owner alone is
     * narrow again. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&other, &other, own_map << PAGE_SHIFT,
                                       rw(frame), false),
                    0);
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&other, &other, own_map << PAGE_SHIFT, 0, false), 0);
    CU_ASSERT_EQUAL(pv_mm_pin(&other, frame, PGT_L1), 0);
    CU_ASSERT_PTR_EQUAL(last_flush_for, &other);
    teardown();
}

static void test_refuse_malformed(void)
{
    setup();
    mfn_t l1 = alloc_for(&dom), l2 = alloc_for(&dom), l4 = alloc_for(&dom);
    mfn_t data = alloc_for(&dom);
    struct page_info *before = snapshot();
    static const uint64_t bad_l1_flags[] = {
        PTE_GNTTAB,
        _PAGE_PWT,
        _PAGE_PCD,
        PTE_PAT_4K,
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad_l1_flags); i++) {
        memset(memory[l1], 0, PAGE_SIZE);
        memory[l1][0] = rw(data); /* a good entry first: must be undone */
        memory[l1][1] = ro(data) | bad_l1_flags[i];
        CU_ASSERT_EQUAL(pv_mm_pin(&dom, l1, PGT_L1), -EINVAL);
    }
    /* G is fine at L1 (stored without it), not above. */
    memset(memory[l1], 0, PAGE_SIZE);
    memory[l1][0] = ro(data) | _PAGE_GLOBAL;
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, l1, PGT_L1), 0);
    CU_ASSERT(!(memory[l1][0] & _PAGE_GLOBAL));
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, l1), 0);
    /* Superpages, cache bits and G in an L2. */
    static const uint64_t bad_l2_flags[] = {_PAGE_PSE, _PAGE_GLOBAL, _PAGE_PCD};
    for (unsigned int i = 0; i < ARRAY_SIZE(bad_l2_flags); i++) {
        memset(memory[l2], 0, PAGE_SIZE);
        memory[l2][5] = table_entry(l1) | bad_l2_flags[i];
        CU_ASSERT_EQUAL(pv_mm_pin(&dom, l2, PGT_L2), -EINVAL);
    }
    /* Linear entries: an L2 naming itself, an L4 naming itself. */
    memset(memory[l2], 0, PAGE_SIZE);
    memory[l2][5] = table_entry(l1);
    memory[l2][6] = table_entry(l2);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, l2, PGT_L2), -EINVAL);
    memory[l4][3] = table_entry(l4);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, l4, PGT_L4), -EINVAL);
    /* An L2 whose L1 names the L2 writably. */
    memory[l2][6] = 0;
    memory[l1][4] = rw(l2);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, l2, PGT_L2), -EBUSY);
    /* Pinning as a non-table type. */
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, data, PGT_WRITABLE), -EINVAL);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, data, PGT_SEG_DESC), -EINVAL);
    assert_counts_as(before);
    teardown();
}

static void test_hypervisor_slots(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l4, PGT_L4), 0);
    mfn_t l3b = alloc_for(&dom);
    for (unsigned int i = HV_L4_FIRST_SLOT; i <= HV_L4_LAST_SLOT; i++) {
        uint64_t maddr = (t.l4 << PAGE_SHIFT) + 8 * i;
        CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, maddr, 0, false),
                        -EINVAL);
        CU_ASSERT_EQUAL(
            pv_mm_update_entry(&dom, &dom, maddr, table_entry(l3b), false),
            -EINVAL);
        CU_ASSERT_EQUAL(memory[t.l4][i], HV_MARK | i);
    }
    /* The slots around them are the guest's. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom,
                                       (t.l4 << PAGE_SHIFT) + 8 * 272,
                                       table_entry(l3b), false),
                    0);
    CU_ASSERT_EQUAL(frame_table[l3b].type, PGT_L3);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom,
                                       (t.l4 << PAGE_SHIFT) + 8 * 255,
                                       table_entry(l3b), false),
                    0);
    CU_ASSERT_EQUAL(frame_table[l3b].type_count, 2);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l4), 0);
    CU_ASSERT_EQUAL(frame_table[l3b].type_count, 0);
    CU_ASSERT_EQUAL(frame_table[l3b].count, 1);
    teardown();
}

static void test_updates(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    mfn_t page = alloc_for(&dom);
    /* Unpinned tables take plain writes, unchecked. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom,
                                       (t.l1 << PAGE_SHIFT) + 8 * 20,
                                       0xdeadbeef, false),
                    0);
    CU_ASSERT_EQUAL(memory[t.l1][20], 0xdeadbeef);
    memory[t.l1][20] = 0;
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l4, PGT_L4), 0);
    /* Map, remap read-only, unmap: references follow. */
    uint64_t slot = (t.l1 << PAGE_SHIFT) + 8 * 20;
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, rw(page), false), 0);
    CU_ASSERT_EQUAL(frame_table[page].type_count, 1);
    CU_ASSERT_EQUAL(frame_table[page].count, 2);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, ro(page), false), 0);
    CU_ASSERT_EQUAL(frame_table[page].type_count, 0);
    CU_ASSERT_EQUAL(frame_table[page].count, 2);
    /* PRESERVE_AD keeps what the hardware set. */
    memory[t.l1][20] |= _PAGE_ACCESSED | _PAGE_DIRTY;
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, ro(page), true), 0);
    CU_ASSERT((memory[t.l1][20] & (_PAGE_ACCESSED | _PAGE_DIRTY)) ==
              (_PAGE_ACCESSED | _PAGE_DIRTY));
    /* A compare-exchange that lost its race says what it saw. */
    uint64_t expect = 0;
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&dom, t.l1, 20, 0, false, &expect), -EAGAIN);
    CU_ASSERT_EQUAL(expect, memory[t.l1][20]);
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&dom, t.l1, 20, 0, false, &expect), 0);
    CU_ASSERT_EQUAL(frame_table[page].count, 1);
    /* mod_l1 only on validated L1s of the caller. */
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&dom, t.l2, 0, 0, false, NULL), -EINVAL);
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&dom, page, 0, 0, false, NULL), -EINVAL);
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&dom, t.l1, 512, 0, false, NULL), -EINVAL);
    /* The walk to an L1. */
    mfn_t l1;
    unsigned int idx;
    CU_ASSERT_EQUAL(pv_mm_find_l1(t.l4, 0xffffffff80003000UL, &l1, &idx), 0);
    CU_ASSERT_EQUAL(l1, t.l1);
    CU_ASSERT_EQUAL(idx, 3);
    CU_ASSERT_EQUAL(pv_mm_find_l1(t.l4, 0x1000, &l1, &idx), -EINVAL);
    /* Unpinning brings every count back to the allocation reference. */
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l4), 0);
    for (mfn_t i = 1; i < next_frame; i++) {
        CU_ASSERT_EQUAL(frame_table[i].count, 1);
        CU_ASSERT_EQUAL(frame_table[i].type_count, 0);
    }
    teardown();
}

static void test_shared_info(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    mfn_t si = next_frame++, si_other = next_frame++;
    frame_table[si].owner = OWNER_HYPERVISOR;
    frame_table[si_other].owner = OWNER_HYPERVISOR;
    dom.shared_info_mfn = si;
    other.shared_info_mfn = si_other;
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l1, PGT_L1), 0);
    uint64_t slot = (t.l1 << PAGE_SHIFT) + 8 * 30;
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, rw(si), false), 0);
    CU_ASSERT_EQUAL(frame_table[si].type, PGT_WRITABLE);
    CU_ASSERT_EQUAL(
        pv_mm_update_entry(&dom, &dom, slot + 8, rw(si_other), false), -EBUSY);
    /* It is not the domain's frame to use as a table. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, si << PAGE_SHIFT, 0, false),
                    0);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, 0, false), 0);
    CU_ASSERT_EQUAL(frame_table[si].count, 0);
    CU_ASSERT_EQUAL(frame_table[si].owner, OWNER_HYPERVISOR);
    teardown();
}

static void test_base_pointers(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    struct page_info *before = snapshot();
    CU_ASSERT_EQUAL(pv_mm_set_base(&dom, &vcpu0.guest_table, t.l1), -EINVAL);
    CU_ASSERT_EQUAL(vcpu0.guest_table, INVALID_MFN);
    CU_ASSERT_EQUAL(pv_mm_set_base(&dom, &vcpu0.guest_table, t.l4), 0);
    CU_ASSERT_EQUAL(frame_table[t.l4].type_count, 1);
    CU_ASSERT_EQUAL(pv_mm_set_base(&dom, &vcpu0.guest_table_user, t.l4), 0);
    CU_ASSERT_EQUAL(frame_table[t.l4].type_count, 2);
    CU_ASSERT_EQUAL(pv_mm_set_base(&dom, &vcpu0.guest_table_user, INVALID_MFN),
                    0);
    CU_ASSERT_EQUAL(pv_mm_set_base(&dom, &vcpu0.guest_table, INVALID_MFN), 0);
    assert_counts_as(before);
    teardown();
}

static void test_release_twice(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l4, PGT_L4), 0);
    unsigned int f = frees;
    /* Given back while mapped RW: the mapping keeps it, still the
     * domain's (nobody else may get it), and a second release cannot
     * drop the mapping's reference. */
    CU_ASSERT_EQUAL(pv_mm_release_frame(&dom, t.data), 0);
    CU_ASSERT_EQUAL(pv_mm_release_frame(&dom, t.data), -EINVAL);
    CU_ASSERT_EQUAL(frees, f);
    CU_ASSERT_EQUAL(frame_table[t.data].owner, DOMID);
    CU_ASSERT_EQUAL(frame_table[t.data].count, 1);
    CU_ASSERT_EQUAL(frame_table[t.data].type_count, 1);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l4), 0);
    CU_ASSERT_EQUAL(frees, f + 1);
    teardown();
}

static void test_release_then_unmap(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l4, PGT_L4), 0);
    unsigned int f = frees;
    uint64_t tot = dom.tot_pages;
    CU_ASSERT_EQUAL(pv_mm_release_frame(&dom, t.ro), 0);
    CU_ASSERT_EQUAL(frees, f);
    CU_ASSERT_EQUAL(frame_table[t.ro].count, 1); /* the mapping's */
    /* Unmapping frees it; it is not the domain's any more. */
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&dom, t.l1, 1, 0, false, NULL), 0);
    CU_ASSERT_EQUAL(frees, f + 1);
    CU_ASSERT_EQUAL(dom.tot_pages, tot - 1);
    CU_ASSERT_EQUAL(frame_table[t.ro].owner, OWNER_NONE);
    CU_ASSERT_EQUAL(pv_mm_mod_l1(&dom, t.l1, 1, ro(t.ro), false, NULL), -EBUSY);
    CU_ASSERT_EQUAL(pv_mm_release_frame(&dom, t.ro), -EINVAL);
    /* A pinned table given back loses its pin too. */
    CU_ASSERT_EQUAL(pv_mm_release_frame(&dom, t.l4), 0);
    CU_ASSERT_EQUAL(frame_table[t.l3].type_count, 0);
    teardown();
}

static void test_teardown_frees_all(void)
{
    struct tree t;

    setup();
    build_tree(&t);
    mfn_t si = next_frame++;
    frame_table[si].owner = OWNER_HYPERVISOR;
    dom.shared_info_mfn = si;
    memory[t.l1][40] = rw(si);
    mfn_t l1b = alloc_for(&dom);
    memory[l1b][0] = rw(t.data);
    mfn_t plain = alloc_for(&dom);
    mfn_t foreign = alloc_for(&other);
    CU_ASSERT_EQUAL(pv_mm_adopt_initial_tables(&dom, t.l4), 0);
    CU_ASSERT_EQUAL(vcpu0.guest_table, t.l4);
    CU_ASSERT_EQUAL(frame_table[t.l4].type_count, 2); /* pin + base */
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, l1b, PGT_L1), 0);
    CU_ASSERT_EQUAL(pv_mm_set_base(&dom, &vcpu0.guest_table_user, t.l4), 0);
    uint64_t owned = dom.tot_pages;
    CU_ASSERT_EQUAL(pv_mm_teardown(&dom), owned + 1); /* + shared_info */
    for (mfn_t i = 0; i < NFRAMES; i++) {
        if (i == foreign)
            continue;
        CU_ASSERT_EQUAL(frame_table[i].owner, OWNER_NONE);
        CU_ASSERT_EQUAL(frame_table[i].count, 0);
        CU_ASSERT_EQUAL(frame_table[i].type_count, 0);
    }
    CU_ASSERT_EQUAL(frame_table[foreign].owner, OTHER);
    CU_ASSERT_EQUAL(frame_table[foreign].count, 1);
    CU_ASSERT_EQUAL(vcpu0.guest_table, INVALID_MFN);
    CU_ASSERT_EQUAL(vcpu0.guest_table_user, INVALID_MFN);
    CU_ASSERT_EQUAL(dom.tot_pages, 0);
    CU_ASSERT_EQUAL(dom.shared_info_mfn, INVALID_MFN);
    (void)plain;
    teardown();
}

static void test_foreign_mappings(void)
{
    struct tree t;

    setup();
    dom.privileged = true; /* the control domain */
    build_tree(&t);
    mfn_t of = alloc_for(&other), keep = alloc_for(&other);
    mfn_t si_o = next_frame++;
    frame_table[si_o].owner = OWNER_HYPERVISOR;
    other.shared_info_mfn = si_o;
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l1, PGT_L1), 0);
    uint64_t slot = (t.l1 << PAGE_SHIFT) + 8 * 50;
    /* Another domain's frames only when named as the page owner. */
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, ro(of), false),
                    -EBUSY);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &other, slot, rw(t.data), false),
                    -EBUSY);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &other, slot, rw(of), false), 0);
    CU_ASSERT_EQUAL(frame_table[of].type, PGT_WRITABLE);
    CU_ASSERT_EQUAL(frame_table[of].count, 2);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &other, slot + 8, rw(si_o), false),
                    0);
    /* Upper levels never map another domain's tables. */
    mfn_t l2 = alloc_for(&other);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l2, PGT_L2), 0);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &other, (t.l2 << PAGE_SHIFT) + 8,
                                       table_entry(l2), false),
                    -EINVAL);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l2), 0);
    /* Xen: a table holding a foreign entry does not revalidate. */
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, t.l1), 0);
    CU_ASSERT_EQUAL(frame_table[of].count, 1);
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l1, PGT_L1), -EBUSY);
    memory[t.l1][50] = memory[t.l1][51] = 0;
    CU_ASSERT_EQUAL(pv_mm_pin(&dom, t.l1, PGT_L1), 0);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &other, slot, rw(of), false), 0);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &other, slot + 8, ro(si_o), false),
                    0);

    /* The other domain goes while mapped: its mapped frames stay, out of
     * everyone's reach, and go with the last mapping. */
    unsigned int f = frees;
    uint64_t others = other.tot_pages;
    CU_ASSERT_EQUAL(pv_mm_teardown(&other), others - 1);
    CU_ASSERT_EQUAL(frame_table[keep].owner, OWNER_NONE);
    CU_ASSERT_EQUAL(frame_table[of].owner, OWNER_DYING);
    CU_ASSERT_EQUAL(frame_table[si_o].owner, OWNER_DYING);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot + 16, ro(of), false),
                    -EBUSY);
    f = frees;
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot, 0, false), 0);
    CU_ASSERT_EQUAL(frees, f + 1);
    CU_ASSERT_EQUAL(frame_table[of].owner, OWNER_NONE);
    CU_ASSERT_EQUAL(pv_mm_update_entry(&dom, &dom, slot + 8, 0, false), 0);
    CU_ASSERT_EQUAL(frees, f + 2);
    CU_ASSERT_EQUAL(frame_table[si_o].owner, OWNER_NONE);
    teardown();
}

/* ---- the L1-write emulator (arch/x86/pv/ptwr.c) ---- */

#define VA_BASE 0xffffffff80000000UL

/* vCPU 0 runs on the tree in kernel mode; L1 entry 2 maps the L1 itself
 * read-only, so the L1's entry i is at VA_BASE + 2 pages + 8 i. */
struct ptwr_env {
    struct tree t;
    struct cpu_regs regs;
    uint8_t code[32];
};

static void ptwr_setup(struct ptwr_env *e)
{
    setup();
    build_tree(&e->t);
    CU_ASSERT_EQUAL_FATAL(pv_mm_adopt_initial_tables(&dom, e->t.l4), 0);
    vcpu0.kernel_mode = true;
    memset(&e->regs, 0, sizeof(e->regs));
}

static uint64_t entry_va(unsigned int idx)
{
    return VA_BASE + 2 * PAGE_SIZE + 8 * idx;
}

/* Runs the instruction in `bytes` against entry idx. */
static bool ptwr_run(struct ptwr_env *e, const char *bytes, size_t n,
                     unsigned int idx, unsigned int offset)
{
    memset(e->code, 0x90, sizeof(e->code));
    memcpy(e->code, bytes, n);
    e->regs.rip = (uint64_t)(uintptr_t)e->code;
    return pv_ptwr_emulate(&vcpu0, &e->regs, entry_va(idx) + offset,
                           PFEC_PRESENT | PFEC_WRITE);
}

static void test_ptwr_forms(void)
{
    struct ptwr_env e;
    mfn_t page;

    ptwr_setup(&e);
    page = alloc_for(&dom);
    uint64_t rip0;

    /* mov %rcx,(%rax): maps page RW at entry 20. */
    e.regs.rcx = rw(page);
    CU_ASSERT(ptwr_run(&e, "\x48\x89\x08", 3, 20, 0));
    rip0 = (uint64_t)(uintptr_t)e.code;
    CU_ASSERT_EQUAL(e.regs.rip, rip0 + 3);
    CU_ASSERT_EQUAL(memory[e.t.l1][20], rw(page) | _PAGE_USER);
    CU_ASSERT_EQUAL(frame_table[page].type, PGT_WRITABLE);
    CU_ASSERT_EQUAL(frame_table[page].type_count, 1);

    /* lock andb $0xfd,(%rax): write-protect (fork). */
    CU_ASSERT(ptwr_run(&e, "\xf0\x80\x20\xfd", 4, 20, 0));
    CU_ASSERT_EQUAL(memory[e.t.l1][20], ro(page) | _PAGE_USER);
    CU_ASSERT_EQUAL(frame_table[page].type_count, 0);
    CU_ASSERT_EQUAL(e.regs.rip, rip0 + 4);

    /* lock orq $0x20 (83 /1 ib) then lock btrq $5 (0f ba /6 ib): CF. */
    CU_ASSERT(ptwr_run(&e, "\xf0\x48\x83\x08\x20", 5, 20, 0));
    CU_ASSERT(memory[e.t.l1][20] & _PAGE_ACCESSED);
    e.regs.rflags = 0;
    CU_ASSERT(ptwr_run(&e, "\xf0\x48\x0f\xba\x30\x05", 6, 20, 0));
    CU_ASSERT_EQUAL(e.regs.rflags & 1, 1);
    CU_ASSERT(!(memory[e.t.l1][20] & _PAGE_ACCESSED));
    CU_ASSERT(ptwr_run(&e, "\xf0\x48\x0f\xba\x30\x05", 6, 20, 0));
    CU_ASSERT_EQUAL(e.regs.rflags & 1, 0);
    /* bts with a register bit number (0f ab): RW again. */
    e.regs.rdx = 1;
    CU_ASSERT(ptwr_run(&e, "\xf0\x48\x0f\xab\x10", 5, 20, 0));
    CU_ASSERT_EQUAL(frame_table[page].type_count, 1);

    /* lock cmpxchg %rcx,(%rax): a wrong expectation loads RAX, ZF=0. */
    uint64_t now = memory[e.t.l1][20];
    e.regs.rax = 12345;
    e.regs.rcx = 0;
    CU_ASSERT(ptwr_run(&e, "\xf0\x48\x0f\xb1\x08", 5, 20, 0));
    CU_ASSERT_EQUAL(e.regs.rax, now);
    CU_ASSERT_EQUAL(e.regs.rflags & 0x40, 0);
    CU_ASSERT_EQUAL(memory[e.t.l1][20], now);
    CU_ASSERT(ptwr_run(&e, "\xf0\x48\x0f\xb1\x08", 5, 20, 0));
    CU_ASSERT_EQUAL(e.regs.rflags & 0x40, 0x40);
    CU_ASSERT_EQUAL(memory[e.t.l1][20], 0);
    CU_ASSERT_EQUAL(frame_table[page].count, 1);

    /* Two 32-bit movs (89 /r without REX.W) build an entry; xchg takes
     * it back (ptep_get_and_clear). */
    e.regs.rsi = (uint32_t)(rw(page) >> 32) | 0xffffffff00000000UL;
    CU_ASSERT(ptwr_run(&e, "\x89\x30", 2, 21, 4));
    e.regs.rsi = (uint32_t)rw(page);
    CU_ASSERT(ptwr_run(&e, "\x89\x30", 2, 21, 0));
    CU_ASSERT_EQUAL(memory[e.t.l1][21], rw(page) | _PAGE_USER);
    e.regs.r9 = 0;
    CU_ASSERT(ptwr_run(&e, "\x4c\x87\x08", 3, 21, 0)); /* xchg %r9,(%rax) */
    CU_ASSERT_EQUAL(e.regs.r9, rw(page) | _PAGE_USER);
    CU_ASSERT_EQUAL(memory[e.t.l1][21], 0);
    /* movq $0,(%rax) with a SIB and disp8: c7 /0 id. */
    e.regs.rcx = rw(page);
    CU_ASSERT(ptwr_run(&e, "\x48\x89\x08", 3, 22, 0));
    CU_ASSERT(ptwr_run(&e, "\x48\xc7\x44\x24\x08\x00\x00\x00\x00", 9, 22, 0));
    CU_ASSERT_EQUAL(memory[e.t.l1][22], 0);
    CU_ASSERT_EQUAL(frame_table[page].count, 1);
    CU_ASSERT_EQUAL(frame_table[page].type_count, 0);
    teardown();
}

static void test_ptwr_refusals(void)
{
    struct ptwr_env e;

    ptwr_setup(&e);
    mfn_t foreign = alloc_for(&other);
    struct page_info *before = snapshot();
    uint64_t rip;

    /* A writable mapping of a table, another domain's frame, bad flags:
     * the guest's fault, nothing changed. */
    static const uint64_t bad[4] = {0, 0, 0, PTE_GNTTAB | _PAGE_PRESENT};
    uint64_t vals[4] = {rw(e.t.l1), rw(e.t.l4), ro(foreign), bad[3]};
    for (unsigned int i = 0; i < 4; i++) {
        e.regs.rcx = vals[i];
        CU_ASSERT(!ptwr_run(&e, "\x48\x89\x08", 3, 30, 0));
        CU_ASSERT_EQUAL(e.regs.rip, (uint64_t)(uintptr_t)e.code);
        CU_ASSERT_EQUAL(memory[e.t.l1][30], 0);
    }
    /* Not ours to emulate: user mode, a read fault, an instruction fetch,
     * a misaligned or straddling write, a page that is not an L1 (entry
     * 0 maps a data page RW; entry 1 a data page RO), other opcodes. */
    e.regs.rcx = ro(e.t.ro);
    rip = (uint64_t)(uintptr_t)e.code;
    vcpu0.kernel_mode = false;
    CU_ASSERT(!ptwr_run(&e, "\x48\x89\x08", 3, 30, 0));
    vcpu0.kernel_mode = true;
    e.regs.rip = rip;
    CU_ASSERT(!pv_ptwr_emulate(&vcpu0, &e.regs, entry_va(30), PFEC_PRESENT));
    CU_ASSERT(!pv_ptwr_emulate(&vcpu0, &e.regs, entry_va(30),
                               PFEC_PRESENT | PFEC_WRITE | PFEC_INSN));
    CU_ASSERT(!ptwr_run(&e, "\x48\x89\x08", 3, 30, 4));
    CU_ASSERT(!ptwr_run(&e, "\x89\x08", 2, 30, 2));
    CU_ASSERT(!pv_ptwr_emulate(&vcpu0, &e.regs, VA_BASE + PAGE_SIZE,
                               PFEC_PRESENT | PFEC_WRITE));
    CU_ASSERT(!pv_ptwr_emulate(&vcpu0, &e.regs, VA_BASE + 100 * PAGE_SIZE,
                               PFEC_PRESENT | PFEC_WRITE));
    CU_ASSERT(!ptwr_run(&e, "\x48\x01\x08", 3, 30, 0));         /* add */
    CU_ASSERT(!ptwr_run(&e, "\x66\x89\x08", 3, 30, 0));         /* 16-bit */
    CU_ASSERT(!ptwr_run(&e, "\x48\x89\xc8", 3, 30, 0));         /* reg-reg */
    CU_ASSERT(!ptwr_run(&e, "\x48\x83\x38\x01", 4, 30, 0));     /* cmp */
    CU_ASSERT(!ptwr_run(&e, "\x48\x0f\xba\x20\x05", 5, 30, 0)); /* bt */
    CU_ASSERT_EQUAL(memory[e.t.l1][30], 0);
    assert_counts_as(before);
    teardown();
}

/* Random bytes as instructions and random register values: never a crash,
 * and whatever was accepted obeys the rules (unpinning brings every count
 * back, so nothing was taken that validation would not have taken). */
static void test_ptwr_fuzz(void)
{
    struct ptwr_env e;
    uint64_t x = 0x9e3779b97f4a7c15UL;

    ptwr_setup(&e);
    mfn_t spare[4];
    for (unsigned int i = 0; i < 4; i++)
        spare[i] = alloc_for(&dom);
    unsigned int accepted = 0;
    for (unsigned int round = 0; round < 20000; round++) {
        char b[16];
        for (unsigned int i = 0; i < sizeof(b); i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            b[i] = (char)x;
        }
        /* Bias towards the forms we decode. */
        static const char heads[][3] = {"\x48\x89", "\xf0\x80", "\x48\x87",
                                        "\x48\xc7", "\x48\x0f", "\xf0\x48"};
        if (round & 1)
            memcpy(b, heads[(x >> 8) % 6], 2);
        for (unsigned int r = 0; r < 15; r++) { /* r15 .. rax */
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint64_t *reg = &e.regs.r15 + r;
            *reg = (r & 1)        ? rw(spare[x % 4]) ^ (x & 0xe7f)
                   : (x & 3) == 0 ? ro(spare[x % 4])
                                  : x;
        }
        unsigned int idx = 40 + (unsigned int)(x % 16);
        unsigned int off = (unsigned int)((x >> 16) % 8);
        accepted += ptwr_run(&e, b, sizeof(b), idx, off);
    }
    CU_ASSERT(accepted > 0);
    /* Every entry the fuzz left is one validation accepts. */
    for (unsigned int i = 40; i < 56; i++) {
        uint64_t v = memory[e.t.l1][i];
        mfn_t m = (v & PTE_ADDR_MASK) >> PAGE_SHIFT;
        if (!(v & _PAGE_PRESENT))
            continue;
        CU_ASSERT(m < NFRAMES && frame_table[m].owner == DOMID);
        CU_ASSERT((v & ~PTE_ADDR_MASK &
                   ~(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED |
                     _PAGE_DIRTY | PTE_AVAIL | (PTE_AVAIL_HIGH & ~PTE_GNTTAB) |
                     _PAGE_NX)) == 0);
    }
    /* The references match what the entries map, entry by entry. */
    for (unsigned int k = 0; k < 4; k++) {
        uint32_t maps = 0, rws = 0;
        for (unsigned int i = 40; i < 56; i++) {
            uint64_t v = memory[e.t.l1][i];
            if ((v & _PAGE_PRESENT) &&
                ((v & PTE_ADDR_MASK) >> 12) == spare[k]) {
                maps++;
                rws += (v & _PAGE_RW) != 0;
                CU_ASSERT((v & (_PAGE_PSE | _PAGE_GLOBAL | _PAGE_PCD |
                                _PAGE_PWT | PTE_GNTTAB)) == 0);
            }
        }
        CU_ASSERT_EQUAL(frame_table[spare[k]].count, 1 + maps);
        CU_ASSERT_EQUAL(frame_table[spare[k]].type_count, rws);
    }
    for (unsigned int i = 0; i < 512; i++) {
        if (i < 3 || i >= 40) /* what the tree and the fuzz wrote */
            continue;
        CU_ASSERT_EQUAL(memory[e.t.l1][i], 0);
    }
    CU_ASSERT_EQUAL(pv_mm_set_base(&dom, &vcpu0.guest_table, INVALID_MFN), 0);
    CU_ASSERT_EQUAL(pv_mm_unpin(&dom, e.t.l4), 0);
    for (mfn_t i = 1; i < next_frame; i++) {
        CU_ASSERT_EQUAL(frame_table[i].count, 1);
        CU_ASSERT_EQUAL(frame_table[i].type_count, 0);
    }
    teardown();
}

static const struct unit_case pv_mm_cases[] = {
    {"pin validates the tree; unpin restores every count", test_pin_counts},
    {"frames the domain does not own are refused", test_refuse_unowned},
    {"no writable mapping of a table in use", test_refuse_writable_tables},
    {"malformed tables (flags, PSE, linear) are refused",
     test_refuse_malformed},
    {"L4 slots 256-271 are the hypervisor's", test_hypervisor_slots},
    {"entry updates move references", test_updates},
    {"a change of page type flushes stale translations",
     test_type_change_flushes},
    {"a writable frame becomes a table flushing its owner's pCPUs, or every "
     "guest's after another domain's writable mapping",
     test_writable_to_table_flush_scope},
    {"shared_info is mappable RW by its domain only", test_shared_info},
    {"base pointers take and drop L4 references", test_base_pointers},
    {"a frame given back twice", test_release_twice},
    {"a frame given back while mapped is freed at unmap",
     test_release_then_unmap},
    {"teardown frees every frame", test_teardown_frees_all},
    {"foreign mappings of a control domain outlive their owner",
     test_foreign_mappings},
    {"L1-write emulator: the forms Linux uses", test_ptwr_forms},
    {"L1-write emulator: refusals leave everything as it was",
     test_ptwr_refusals},
    {"L1-write emulator: random instructions never break the rules",
     test_ptwr_fuzz},
    {NULL, NULL},
};
UNIT_SUITE(pv_mm, pv_mm_cases)
