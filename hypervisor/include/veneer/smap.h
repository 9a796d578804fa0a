/*
 * SMAP (cpu_protect.c): with it on, ring 0 faults on any access to a page
 * a guest may reach (every guest page is a user page), except inside a
 * guest_access_begin() / guest_access_end() window, which sets RFLAGS.AC.
 * Only guest_access.c opens one, so a hypervisor bug that follows a
 * guest-supplied pointer anywhere else faults instead of reading or
 * writing guest memory. Every entry into the hypervisor clears AC: a
 * guest may set it itself (entry.S, MSR_SYSCALL_MASK).
 */
#ifndef VENEER_SMAP_H
#define VENEER_SMAP_H

#include <veneer/cmdline.h>
#include <veneer/types.h>

extern bool smap_enabled; /* set once, on the boot CPU, before the others */

/* The boot CPU turns SMAP on or not once the command line is parsed
 * (cpu_protect.c says what auto does); the other CPUs follow it in
 * cpu_protections_init. */
void smap_init(enum smap_mode mode);

static inline void guest_access_begin(void)
{
    if (smap_enabled)
        __asm__ volatile("stac" : : : "memory");
}

static inline void guest_access_end(void)
{
    if (smap_enabled)
        __asm__ volatile("clac" : : : "memory");
}

#endif
