/*
 * A guest's own descriptor tables (pv-abi.md 7.7): set_gdt gives us the
 * frames of its GDT, which become segdesc-typed (so the guest can no longer
 * write them directly) and are shown in the GDT window while its vCPU runs;
 * update_descriptor changes one descriptor, checked like the rest.
 */
#include <veneer/console.h>
#include <veneer/domain.h>
#include <veneer/errno.h>
#include <veneer/guest_access.h>
#include <veneer/hypercall.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/pv_mm.h>
#include <veneer/segdesc.h>

void pv_gdt_destroy(struct vcpu *v)
{
    for (unsigned int i = 0; i < v->gdt_nr_frames; i++)
        pv_put_page_and_type(v->gdt_frames[i]);
    v->gdt_nr_frames = 0;
    v->gdt_ents = 0;
    if (v == current)
        gdt_window_show(NULL, 0);
}

void pv_gdt_load(struct vcpu *v)
{
    gdt_window_show(v->gdt_frames, v->gdt_nr_frames);
}

long do_set_gdt(HYPERCALL_ARGS)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    uint64_t entries = a2;
    mfn_t frames[GUEST_GDT_MAX_FRAMES];
    unsigned int nr, taken;

    if (entries > GUEST_GDT_MAX_ENTRIES)
        return -EINVAL;
    nr = (unsigned int)((entries + 511) / 512);
    if (copy_from_guest(frames, a1, nr * sizeof(frames[0])))
        return -EFAULT;
    for (taken = 0; taken < nr; taken++) {
        if (!mfn_valid(frames[taken]) ||
            pv_get_page_and_type(d, frames[taken], PGT_SEG_DESC))
            break;
    }
    if (taken < nr) {
        while (taken-- > 0)
            pv_put_page_and_type(frames[taken]);
        return -EINVAL;
    }
    pv_gdt_destroy(v);
    for (unsigned int i = 0; i < nr; i++)
        v->gdt_frames[i] = frames[i];
    v->gdt_nr_frames = nr;
    v->gdt_ents = (unsigned int)entries;
    pv_gdt_load(v);
    return 0;
}

long do_update_descriptor(HYPERCALL_ARGS)
{
    struct domain *d = current->domain;
    uint64_t maddr = a1, desc = a2;
    mfn_t mfn = maddr >> PAGE_SHIFT;

    if ((maddr & 7) || !mfn_valid(mfn) || pv_get_page(d, mfn))
        return -EINVAL;
    long rc = -EINVAL;
    struct page_info *pg = mfn_to_page(mfn);
    /* A page table may not hold descriptors; anything else of ours may. */
    if (pg->type_count && pg->type != PGT_SEG_DESC && pg->type != PGT_WRITABLE)
        goto out;
    if (segdesc_check(&desc))
        goto out;
    pv_mm_table(mfn)[(maddr & (PAGE_SIZE - 1)) / 8] = desc;
    rc = 0;
out:
    pv_put_page(mfn);
    return rc;
}
