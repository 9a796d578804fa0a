/* The C entry point: record start_info, install the trap table and
 * callbacks, switch to our own page tables, map shared_info, then run the
 * test cases (runner.c), which shut the domain down. */
#include "pvtest.h"
#include "mm.h"
#include "traps.h"

struct pvtest pv;

void pvtest_main(start_info_t *si)
{
    pv.si = si;
    printk("pvtest: PV test kernel starting (%.32s, %lu pages, flags %#x)\n",
           si->magic, si->nr_pages, si->flags);
    printk("pvtest: cmdline '%s'\n", (const char *)si->cmd_line);
    traps_init();
    if (mm_init())
        pv_panic("cannot build our own page tables");
    long rc = hc_update_va_mapping(fixmap_va(FIX_SHARED_INFO),
                                   si->shared_info | PTE_KERN_RW,
                                   UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        pv_panic("map shared_info at %#lx: %ld", fixmap_va(FIX_SHARED_INFO),
                 rc);
    pv.shared = (shared_info_t *)fixmap_va(FIX_SHARED_INFO);
    pv.vcpu = &pv.shared->vcpu_info[0];
    pv.boot_upcall_mask = pv.vcpu->evtchn_upcall_mask;
    run_cases((const char *)si->cmd_line);
}
