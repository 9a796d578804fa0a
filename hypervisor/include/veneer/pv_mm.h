/*
 * The PV MMU's frame bookkeeping (pv-abi.md section 7): who owns a frame,
 * who refers to it, what type it has and whether its contents were checked.
 * A guest's page tables are its own frames; it may point the hardware at
 * them only after they passed the rules of 7.2, and keeps no writable
 * mapping of them while they are in use.
 *
 * Counts (struct page_info, page_info.h):
 *   count       general references: the allocation reference the domain
 *               holds while the frame is its memory, one per mapping in a
 *               validated L1, one per internal user. At zero the frame
 *               goes back to the allocator.
 *   type_count  references of the current type: one per validated table
 *               entry pointing at a table (Lk -> L(k-1)), one per RW L1
 *               entry (type writable), one per pin, one per vCPU base
 *               pointer. The type may change only at zero; a table type
 *               dropping to zero is devalidated (its entries' references
 *               are released).
 *
 * The code here is portable (the unit tests run it on the host): it sees
 * machine memory only through pv_mm_table() and flushes TLBs only through
 * pv_mm_flush_tlbs(), both provided by arch/x86/pv/mmu_ops.c (or a test).
 * One pCPU: no locking yet.
 */
#ifndef VENEER_PV_MM_H
#define VENEER_PV_MM_H

#include <veneer/domain.h>
#include <veneer/page_info.h>
#include <veneer/types.h>

/* Entry bits guests may use besides P/RW/US/A/D/NX (pv-abi.md 1.5). */
#define PTE_AVAIL      0xe00UL         /* bits 9-11 */
#define PTE_AVAIL_HIGH (0x7ffUL << 52) /* bits 52-62 */
#define PTE_GNTTAB     (1UL << 62)     /* Xen's grant-mapping marker */
#define PTE_PAT_4K     0x080UL         /* PAT bit of an L1 entry */

/* The 8-byte entries of machine frame mfn, writable by the hypervisor. */
uint64_t *pv_mm_table(mfn_t mfn);
/* Makes sure no CPU keeps a translation the page tables no longer allow
 * (a frame stops being writable to become a table). */
void pv_mm_flush_tlbs(void);
/* The TLB clock, and a flush of every pCPU that has not flushed since
 * `stamp` (a page's last writable mapping or table use went then): those
 * with d's page tables loaded, or with any guest's if d is NULL. */
uint64_t pv_mm_tlb_clock(void);
void pv_mm_flush_tlbs_since(const struct domain *d, uint64_t stamp);

/* General references: 0, or -EINVAL if d may not use the frame (not its
 * own, not a hypervisor frame shared with it, or not allocated). */
int pv_get_page(struct domain *d, mfn_t mfn);
void pv_put_page(mfn_t mfn);
/* Type references on a frame d may use. Returns 0, -EINVAL (other type in
 * use, unknown type), or the error validation found in the contents. */
int pv_get_page_type(struct domain *d, mfn_t mfn, enum page_type type);
void pv_put_page_type(mfn_t mfn);
int pv_get_page_and_type(struct domain *d, mfn_t mfn, enum page_type type);
void pv_put_page_and_type(mfn_t mfn);

/* d's page tables (or d's grant mapping) now map mfn, on which d holds a
 * writable type reference: if d does not own the frame, its next change of
 * type flushes every guest's pCPUs instead of only the owner's. */
void pv_mm_note_writable_user(const struct domain *d, mfn_t mfn);

/* True if mfn is a hypervisor frame d may map (its shared_info). */
bool pv_mm_shared_with(const struct domain *d, mfn_t mfn);

/* True if mfn is one of d's validated L1 tables in use. */
bool pv_mm_is_l1(const struct domain *d, mfn_t mfn);

/* MMUEXT_PIN_Lx_TABLE / MMUEXT_UNPIN_TABLE: Xen's errnos. */
int pv_mm_pin(struct domain *d, mfn_t mfn, enum page_type type);
int pv_mm_unpin(struct domain *d, mfn_t mfn);

/*
 * MMU_NORMAL_PT_UPDATE (preserve_ad: MMU_PT_UPDATE_PRESERVE_AD) of the
 * 8-byte entry at machine address maddr, in a frame d owns: validated as
 * an entry of that table's level, or a plain write if the frame is not a
 * table. An L1 entry may map frames of pg_owner (d, or the domain a
 * privileged caller named as foreigndom; upper levels only d's). Returns
 * 0 or Xen's errno.
 */
int pv_mm_update_entry(struct domain *d, struct domain *pg_owner,
                       uint64_t maddr, uint64_t val, bool preserve_ad);
/* The same on entry idx of a validated L1 (update_va_mapping, the L1
 * write emulator). If expect is non-NULL the write happens only if the
 * entry still holds *expect; otherwise *expect gets the current value and
 * the result is -EAGAIN. */
int pv_mm_mod_l1(struct domain *d, mfn_t l1, unsigned int idx, uint64_t val,
                 bool preserve_ad, const uint64_t *expect);

/*
 * Walks d's tables from root down to the L1 entry that maps va: returns
 * the L1's MFN and the index, or -EINVAL if a level is missing or a
 * superpage.
 */
int pv_mm_find_l1(mfn_t root, uint64_t va, mfn_t *l1, unsigned int *idx);

/* Installs mfn as a vCPU base pointer (*slot), taking an L4 reference and
 * dropping the old one's. mfn == INVALID_MFN clears the slot. */
int pv_mm_set_base(struct domain *d, mfn_t *slot, mfn_t mfn);

/* Takes the builder's tables: validates and pins the L4 root (every table
 * and RW mapping under it gets its references) and gives vCPU 0 its base
 * pointer reference. */
int pv_mm_adopt_initial_tables(struct domain *d, mfn_t l4);

/*
 * The guest gives a frame back (decrease_reservation): drops its pin and
 * its allocation reference; the frame returns to the allocator once no
 * mapping refers to it. -EINVAL if d does not own it.
 */
int pv_mm_release_frame(struct domain *d, mfn_t mfn);

/*
 * Domain destruction: drops every base pointer and pin, devalidates every
 * table, frees every frame the domain owns and its shared_info frame.
 * Frames another domain still maps (foreign mappings) become OWNER_DYING
 * and are freed when that mapping goes. Returns the number of frames
 * freed now. The caller must have switched every CPU away from d's page
 * tables (CR3) first: they are freed here.
 */
uint64_t pv_mm_teardown(struct domain *d);

#endif
