/*
 * The CPUs the firmware lists: ACPI's RSDP -> RSDT/XSDT -> MADT ("APIC")
 * walk, reduced to the local APIC IDs of the enabled processors.
 *
 * Every byte comes through the caller's reader (as for multiboot), and the
 * parser trusts none of it: checksums, lengths and entry sizes are checked,
 * counts capped; a missing or broken table gives "no CPU list" and a
 * problem message, never a hang. Portable: the unit tests feed it tables.
 */
#ifndef VENEER_ACPI_H
#define VENEER_ACPI_H

#include <veneer/bootinfo.h>
#include <veneer/types.h>

#define ACPI_MAX_CPUS 64

struct acpi_cpus {
    unsigned int nr;                  /* APIC IDs found (enabled CPUs) */
    uint32_t apic_ids[ACPI_MAX_CPUS]; /* in MADT order */
    unsigned int nr_disabled;         /* listed but not enabled */
    unsigned int nr_ignored;          /* beyond ACPI_MAX_CPUS or x2APIC */
    const char *problem;              /* why the walk stopped, or NULL */
};

/* 0 and the CPU list, or -ENOENT (no usable MADT; problem says why). */
int acpi_find_cpus(phys_reader_fn read, void *ctx, struct acpi_cpus *out);

#endif
