/*
 * ACPI tables for a hardware-less dom0 (arch/x86/pv/dom0_acpi.c): the
 * MADT that lists its vCPUs, found by Linux through the EBDA pointer.
 */
#ifndef VENEER_DOM0_ACPI_H
#define VENEER_DOM0_ACPI_H

#include <veneer/types.h>

/* dom0's pseudo-physical page that holds the tables: below 512 KiB. */
#define DOM0_ACPI_PFN 0x7f

/*
 * Writes the tables into table_page (dom0's page at table_paddr, zeroed)
 * and the EBDA pointer into low_page (dom0's page 0). Returns 0, or -1 if
 * the vCPU count or the address cannot be described.
 */
int dom0_acpi_write(void *low_page, void *table_page, uint64_t table_paddr,
                    unsigned int nr_vcpus);

#endif
