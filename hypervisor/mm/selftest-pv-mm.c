/*
 * Self-test of the PV MMU on real memory: a domain gets frames from the
 * real allocator, a four-level table tree with writable, read-only and
 * shared_info mappings is validated and pinned, extra pins and a user
 * base pointer are taken, and destroying the domain must give the
 * allocator back exactly what it handed out (every frame, every count).
 */
#include <veneer/buddy.h>
#include <veneer/domain.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv_mm.h>
#include <veneer/selftest.h>
#include <veneer/x86.h>

#define SELFTEST_DOMID (MAX_DOMAINS - 1)
#define NR_DATA        16

static uint64_t table_entry(mfn_t mfn)
{
    return (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED |
           _PAGE_DIRTY;
}

SELFTEST(pv_mm_destroy_frees_all,
         "PV MMU: validate, pin, map, destroy the domain: no frame leaks")
{
    struct buddy *b = page_allocator();
    uint64_t free_before = b->free_pages;
    struct domain *d;
    mfn_t l4, l3, l2, l1, l1b, data[NR_DATA];
    uint64_t *t;
    int rc;

    if (domain_by_id(SELFTEST_DOMID))
        return selftest_fail("domain %u is in use", SELFTEST_DOMID);
    d = domain_create(SELFTEST_DOMID, "pv-mm-selftest", false, 1);
    if (!d)
        return selftest_fail("cannot create the domain");
    d->max_pages = 6 + NR_DATA;
    l4 = domain_alloc_frames(d, 0);
    l3 = domain_alloc_frames(d, 0);
    l2 = domain_alloc_frames(d, 0);
    l1 = domain_alloc_frames(d, 0);
    l1b = domain_alloc_frames(d, 0);
    for (unsigned int i = 0; i < NR_DATA; i++)
        data[i] = domain_alloc_frames(d, 0);
    d->shared_info_mfn = alloc_pages(0);
    if (d->shared_info_mfn == INVALID_MFN)
        return selftest_fail("no memory");
    mfn_to_page(d->shared_info_mfn)->owner = OWNER_HYPERVISOR;
    for (mfn_t m = 0; m < nr_machine_frames; m++) {
        if (mfn_to_page(m)->owner == d->id)
            memset(mfn_to_virt(m), 0, PAGE_SIZE);
    }

    ((uint64_t *)mfn_to_virt(l4))[511] = table_entry(l3);
    ((uint64_t *)mfn_to_virt(l3))[510] = table_entry(l2);
    ((uint64_t *)mfn_to_virt(l2))[0] = table_entry(l1);
    t = mfn_to_virt(l1);
    for (unsigned int i = 0; i < NR_DATA; i++)
        t[i] = (data[i] << PAGE_SHIFT) | _PAGE_PRESENT | (i & 1 ? _PAGE_RW : 0);
    t[100] = (l1 << PAGE_SHIFT) | _PAGE_PRESENT; /* itself, read-only */
    t[101] = (d->shared_info_mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW;
    ((uint64_t *)mfn_to_virt(l1b))[7] = (data[0] << PAGE_SHIFT) | _PAGE_PRESENT;

    rc = pv_mm_adopt_initial_tables(d, l4);
    if (rc)
        return selftest_fail("initial tables refused (%d)", rc);
    if (mfn_to_page(data[1])->type != PGT_WRITABLE ||
        mfn_to_page(data[1])->type_count != 1 ||
        mfn_to_page(l1)->type != PGT_L1 ||
        mfn_to_page(d->shared_info_mfn)->count != 1)
        return selftest_fail("references not as validation should leave "
                             "them");
    rc = pv_mm_pin(d, l1b, PGT_L1);
    rc = rc ? rc : pv_mm_set_base(d, &d->vcpus[0]->guest_table_user, l4);
    rc = rc ? rc : pv_mm_release_frame(d, data[3]); /* mapped RW */
    if (rc)
        return selftest_fail("pin/base/release failed (%d)", rc);

    domain_destroy(d);
    if (domain_by_id(SELFTEST_DOMID))
        return selftest_fail("domain still registered");
    if (b->free_pages != free_before)
        return selftest_fail("%lu pages free after destroy, %lu before",
                             (unsigned long)b->free_pages,
                             (unsigned long)free_before);
    if (buddy_check(b))
        return selftest_fail("allocator inconsistent after destroy");
    return 0;
}
