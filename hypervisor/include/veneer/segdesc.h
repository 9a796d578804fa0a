/*
 * Guest segment descriptors (pv-abi.md 7.7): what a PV guest may put in its
 * GDT. Portable: the unit tests check the rules on the host.
 */
#ifndef VENEER_SEGDESC_H
#define VENEER_SEGDESC_H

#include <veneer/types.h>

/* The guest's descriptors stop where our reserved GDT page begins. */
#define GUEST_GDT_MAX_ENTRIES 7168 /* FIRST_RESERVED_GDT_ENTRY */
#define GUEST_GDT_MAX_FRAMES  14

/*
 * Checks one 8-byte descriptor and fixes what may be fixed: code and data
 * segments get DPL 3 (the guest kernel runs at CPL 3), call gates DPL 0
 * (so using one traps). Returns 0, or -EINVAL for a descriptor no guest may
 * have (TSS, LDT, interrupt or trap gate, a call gate into our selectors).
 */
int segdesc_check(uint64_t *desc);
/* The same for the 512 descriptors of a page; all or nothing: on error
 * the page is left as it was. */
int segdesc_check_page(uint64_t *page);

#endif
