/*
 * dom0_acpi_write(): the tables a hardware-less dom0 finds, checked the way
 * Linux reads them (EBDA word at 0x40e, RSDP in the EBDA's first KiB,
 * checksums, XSDT/RSDT -> MADT, one enabled local APIC per vCPU), and its
 * refusals (no vCPU, more than an 8-bit APIC ID can name, an address
 * outside low memory or not on a 16-byte boundary).
 */
#include <stdint.h>
#include <string.h>

#include <veneer/dom0_acpi.h>

#include "unit.h"

#define TABLE_PADDR ((uint64_t)DOM0_ACPI_PFN << 12)

static uint8_t low[4096], tables[4096];

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;
    while (len--)
        s += *p++;
    return s;
}

/* The byte of `tables` at physical address pa (NULL outside the page). */
static const uint8_t *at(uint64_t pa, size_t len)
{
    if (pa < TABLE_PADDR || pa + len > TABLE_PADDR + sizeof(tables))
        return NULL;
    return tables + (pa - TABLE_PADDR);
}

/* A table the RSDP's XSDT or RSDT names: signature, length, checksum. */
static const uint8_t *table(uint64_t pa, const char *sig)
{
    const uint8_t *t = at(pa, 36);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(memcmp(t, sig, 4), 0);
    uint32_t len = get32(t + 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at(pa, len));
    CU_ASSERT_EQUAL(sum(t, len), 0);
    return t;
}

static void check_madt(const uint8_t *madt, unsigned int nr)
{
    CU_ASSERT_EQUAL(get32(madt + 4), 44 + 8 * nr);
    CU_ASSERT_EQUAL(get32(madt + 36), 0xfee00000);
    for (unsigned int i = 0; i < nr; i++) {
        const uint8_t *e = madt + 44 + 8 * i;
        CU_ASSERT_EQUAL(e[0], 0); /* processor local APIC */
        CU_ASSERT_EQUAL(e[1], 8);
        CU_ASSERT_EQUAL(e[2], i);         /* ACPI ID */
        CU_ASSERT_EQUAL(e[3], i);         /* APIC ID = vCPU id */
        CU_ASSERT_EQUAL(get32(e + 4), 1); /* enabled */
    }
}

static void check_for(unsigned int nr)
{
    memset(low, 0, sizeof(low));
    memset(tables, 0, sizeof(tables));
    CU_ASSERT_EQUAL_FATAL(dom0_acpi_write(low, tables, TABLE_PADDR, nr), 0);

    /* Linux: the EBDA segment at 0x40e, the RSDP in its first KiB. */
    uint64_t ebda = (uint64_t)(low[0x40e] | low[0x40f] << 8) << 4;
    CU_ASSERT(ebda > 0x400 && ebda < 0xa0000);
    const uint8_t *rsdp = NULL;
    for (uint64_t pa = ebda; pa < ebda + 1024; pa += 16) {
        const uint8_t *p = at(pa, 36);
        if (p && !memcmp(p, "RSD PTR ", 8) && !sum(p, 20)) {
            rsdp = p;
            break;
        }
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(rsdp);
    CU_ASSERT_EQUAL(rsdp[15], 2); /* ACPI 2.0: XSDT and extended checksum */
    CU_ASSERT_EQUAL(get32(rsdp + 20), 36);
    CU_ASSERT_EQUAL(sum(rsdp, 36), 0);

    const uint8_t *xsdt = table(get64(rsdp + 24), "XSDT");
    CU_ASSERT_EQUAL(get32(xsdt + 4), 36 + 8);
    check_madt(table(get64(xsdt + 36), "APIC"), nr);
    const uint8_t *rsdt = table(get32(rsdp + 16), "RSDT");
    CU_ASSERT_EQUAL(get32(rsdt + 4), 36 + 4);
    check_madt(table(get32(rsdt + 36), "APIC"), nr);
}

static void test_vcpu_counts(void)
{
    static const unsigned int counts[] = {1, 2, 4, 8, 255};
    for (unsigned int i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
        check_for(counts[i]);
}

static void test_refusals(void)
{
    memset(low, 0, sizeof(low));
    CU_ASSERT_EQUAL(dom0_acpi_write(low, tables, TABLE_PADDR, 0), -1);
    CU_ASSERT_EQUAL(dom0_acpi_write(low, tables, TABLE_PADDR, 256), -1);
    CU_ASSERT_EQUAL(dom0_acpi_write(low, tables, 0xa0000, 1), -1);
    CU_ASSERT_EQUAL(dom0_acpi_write(low, tables, TABLE_PADDR + 8, 1), -1);
    /* A refusal leaves dom0's low memory as it was: no stray pointer. */
    CU_ASSERT_EQUAL(low[0x40e] | low[0x40f], 0);
}

static const struct unit_case dom0_acpi_cases[] = {
    {"RSDP via the EBDA, XSDT and RSDT to an MADT of 1-255 vCPUs",
     test_vcpu_counts},
    {"no vCPU, 256 vCPUs, a high or unaligned address are refused",
     test_refusals},
    {NULL, NULL},
};
UNIT_SUITE(dom0_acpi, dom0_acpi_cases)
