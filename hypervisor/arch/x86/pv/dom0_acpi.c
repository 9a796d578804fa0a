/*
 * The firmware view of a hardware-less dom0: ACPI tables that list its
 * vCPUs and nothing else (pv-abi.md 2.9).
 *
 * Why: Linux 6.9 and later take a PV dom0's CPUs from the MADT alone (a
 * domU gets them from VCPUOP_is_up); without an MADT such a dom0 brings up
 * one CPU whatever dom0_max_vcpus says. Real Xen hands dom0 the host's
 * tables; veneer gives dom0 no devices, so it writes its own, as Xen does
 * for a PVH dom0: an RSDP, an XSDT (and RSDT) and an MADT with one enabled
 * local APIC per vCPU (APIC ID = vCPU id). No FADT and no DSDT: Linux
 * parses the MADT at boot, then finds no namespace and turns the ACPI
 * interpreter off, as with acpi=off.
 *
 * Where: Linux looks for the RSDP first in the 1 KiB at the EBDA, whose
 * segment is the 16-bit word at physical 0x40e. Both the word and the
 * tables live in dom0's own RAM below 512 KiB, which every Linux keeps as
 * RAM (6.12 turns 512 KiB-1 MiB into an identity window onto the host's
 * legacy area, where the host's RSDP would point dom0 at tables it cannot
 * map).
 */
#include <veneer/dom0_acpi.h>
#include <veneer/lib.h>

#define EBDA_PTR_OFFSET 0x40e

struct acpi_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    char creator_id[4];
    uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
    char signature[8];
    uint8_t checksum; /* of the first 20 bytes */
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum; /* of all 36 bytes */
    uint8_t reserved[3];
} __attribute__((packed));

struct madt_lapic {
    uint8_t type; /* 0: processor local APIC */
    uint8_t length;
    uint8_t acpi_id;
    uint8_t apic_id;
    uint32_t flags; /* bit 0: enabled */
} __attribute__((packed));

/* Offsets of the tables in their page. */
#define RSDP_AT 0x000
#define XSDT_AT 0x040
#define RSDT_AT 0x080
#define MADT_AT 0x0c0

static uint8_t checksum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--)
        sum += *b++;
    return (uint8_t)-sum;
}

static void header(struct acpi_header *h, const char *sig, uint32_t len,
                   uint8_t rev)
{
    memcpy(h->signature, sig, 4);
    h->length = len;
    h->revision = rev;
    memcpy(h->oem_id, "VENEER", 6);
    memcpy(h->oem_table_id, "VENEERD0", 8);
    h->oem_revision = 1;
    memcpy(h->creator_id, "VNR ", 4);
    h->creator_revision = 1;
    h->checksum = 0;
    h->checksum = checksum(h, len);
}

int dom0_acpi_write(void *low_page, void *table_page, uint64_t table_paddr,
                    unsigned int nr_vcpus)
{
    uint8_t *t = table_page;
    uint32_t madt_len =
        sizeof(struct acpi_header) + 8 + nr_vcpus * sizeof(struct madt_lapic);

    if (!nr_vcpus || nr_vcpus > 255 || MADT_AT + madt_len > PAGE_SIZE ||
        table_paddr >= 0xa0000 || (table_paddr & 15))
        return -1;

    /* MADT: the local APIC address Linux maps (a dummy page on PV), no
     * PC-AT 8259 pair, one enabled local APIC per vCPU. */
    uint8_t *madt = t + MADT_AT;
    uint32_t lapic_addr = 0xfee00000, flags = 0;
    memcpy(madt + sizeof(struct acpi_header), &lapic_addr, 4);
    memcpy(madt + sizeof(struct acpi_header) + 4, &flags, 4);
    struct madt_lapic *lapic =
        (struct madt_lapic *)(madt + sizeof(struct acpi_header) + 8);
    for (unsigned int i = 0; i < nr_vcpus; i++)
        lapic[i] =
            (struct madt_lapic){0, sizeof(*lapic), (uint8_t)i, (uint8_t)i, 1};
    header((struct acpi_header *)madt, "APIC", madt_len, 3);

    uint8_t *xsdt = t + XSDT_AT;
    uint64_t madt_paddr = table_paddr + MADT_AT;
    memcpy(xsdt + sizeof(struct acpi_header), &madt_paddr, 8);
    header((struct acpi_header *)xsdt, "XSDT", sizeof(struct acpi_header) + 8,
           1);

    uint8_t *rsdt = t + RSDT_AT;
    uint32_t madt_paddr32 = (uint32_t)madt_paddr;
    memcpy(rsdt + sizeof(struct acpi_header), &madt_paddr32, 4);
    header((struct acpi_header *)rsdt, "RSDT", sizeof(struct acpi_header) + 4,
           1);

    struct acpi_rsdp *rsdp = (struct acpi_rsdp *)(t + RSDP_AT);
    memcpy(rsdp->signature, "RSD PTR ", 8);
    memcpy(rsdp->oem_id, "VENEER", 6);
    rsdp->revision = 2;
    rsdp->rsdt = (uint32_t)(table_paddr + RSDT_AT);
    rsdp->length = sizeof(*rsdp);
    rsdp->xsdt = table_paddr + XSDT_AT;
    rsdp->checksum = 0;
    rsdp->checksum = checksum(rsdp, 20);
    rsdp->ext_checksum = 0;
    rsdp->ext_checksum = checksum(rsdp, sizeof(*rsdp));

    /* The EBDA segment: Linux scans its first KiB for the RSDP. */
    uint16_t segment = (uint16_t)((table_paddr + RSDP_AT) >> 4);
    memcpy((uint8_t *)low_page + EBDA_PTR_OFFSET, &segment, 2);
    return 0;
}
