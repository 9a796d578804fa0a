/*
 * acpi_find_cpus() against firmware tables built in a host buffer that
 * stands for the first 1.1 MiB of physical memory: a QEMU-like RSDP ->
 * RSDT/XSDT -> MADT, then the hostile versions (bad checksums, lengths,
 * zero-length and overrunning entries, loops of huge tables). The reader
 * refuses anything outside the buffer, so an unchecked pointer fails here.
 */
#include <stdlib.h>
#include <string.h>

#include <veneer/acpi.h>
#include <veneer/errno.h>

#include "unit.h"

#define MEM_SIZE 0x110000u
#define RSDP_AT  0xf5a00u
#define RSDT_AT  0x100000u
#define XSDT_AT  0x101000u
#define MADT_AT  0x102000u
#define FACP_AT  0x103000u

static uint8_t *mem;
static unsigned long reads;

static const void *reader(void *ctx, paddr_t pa, size_t len)
{
    (void)ctx;
    reads++;
    if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
        return NULL;
    return mem + pa;
}

static void put32(uint32_t pa, uint32_t v)
{
    memcpy(mem + pa, &v, 4);
}

static void put64(uint32_t pa, uint64_t v)
{
    memcpy(mem + pa, &v, 8);
}

static void fix_checksum(uint32_t pa, uint32_t len, uint32_t sum_at)
{
    uint8_t s = 0;
    mem[sum_at] = 0;
    for (uint32_t i = 0; i < len; i++)
        s += mem[pa + i];
    mem[sum_at] = (uint8_t)-s;
}

static void table_header(uint32_t pa, const char *sig, uint32_t len)
{
    memcpy(mem + pa, sig, 4);
    put32(pa + 4, len);
    mem[pa + 8] = 1;
}

static void seal(uint32_t pa)
{
    uint32_t len;
    memcpy(&len, mem + pa + 4, 4);
    fix_checksum(pa, len, pa + 9);
}

static uint32_t madt_len;

/* A MADT with `n` local APIC entries (ID i * 2, flags from `flags`). */
static void build_madt(unsigned int n, uint32_t flags)
{
    uint32_t off = MADT_AT + 44;
    for (unsigned int i = 0; i < n; i++, off += 8) {
        mem[off] = 0;
        mem[off + 1] = 8;
        mem[off + 2] = (uint8_t)i;
        mem[off + 3] = (uint8_t)(i * 2);
        put32(off + 4, flags);
    }
    madt_len = off - MADT_AT;
    table_header(MADT_AT, "APIC", madt_len);
    put32(MADT_AT + 36, 0xfee00000);
    seal(MADT_AT);
}

/* RSDP (revision rev) -> RSDT [FACP, MADT] and XSDT [FACP, MADT]. */
static void build(unsigned int rev, unsigned int n)
{
    memset(mem, 0, MEM_SIZE);
    memcpy(mem + RSDP_AT, "RSD PTR ", 8);
    mem[RSDP_AT + 15] = (uint8_t)rev;
    put32(RSDP_AT + 16, RSDT_AT);
    put32(RSDP_AT + 20, 36);
    put64(RSDP_AT + 24, XSDT_AT);
    fix_checksum(RSDP_AT, 20, RSDP_AT + 8);
    fix_checksum(RSDP_AT, 36, RSDP_AT + 32);
    table_header(FACP_AT, "FACP", 36);
    seal(FACP_AT);
    table_header(RSDT_AT, "RSDT", 44);
    put32(RSDT_AT + 36, FACP_AT);
    put32(RSDT_AT + 40, MADT_AT);
    seal(RSDT_AT);
    table_header(XSDT_AT, "XSDT", 52);
    put64(XSDT_AT + 36, FACP_AT);
    put64(XSDT_AT + 44, MADT_AT);
    seal(XSDT_AT);
    build_madt(n, 1);
}

static void setup(void)
{
    if (!mem)
        mem = malloc(MEM_SIZE);
    CU_ASSERT_FATAL(mem != NULL);
}

static void test_good(void)
{
    struct acpi_cpus c;

    setup();
    for (unsigned int rev = 0; rev <= 2; rev += 2) {
        build(rev, 4);
        CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), 0);
        CU_ASSERT_EQUAL(c.nr, 4);
        CU_ASSERT_EQUAL(c.apic_ids[0], 0);
        CU_ASSERT_EQUAL(c.apic_ids[3], 6);
        CU_ASSERT_PTR_NULL(c.problem);
    }
    /* Revision 2 with a broken extended checksum: the RSDT still works. */
    build(2, 2);
    mem[RSDP_AT + 33] ^= 0xff;
    memset(mem + XSDT_AT, 0, 52);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), 0);
    CU_ASSERT_EQUAL(c.nr, 2);
}

static void test_missing(void)
{
    struct acpi_cpus c;

    setup();
    memset(mem, 0, MEM_SIZE);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
    CU_ASSERT_STRING_EQUAL(c.problem, "no ACPI RSDP");
    /* A signature with a wrong checksum is not an RSDP. */
    build(0, 2);
    mem[RSDP_AT + 19] ^= 1;
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
    /* No MADT in the root table. */
    build(0, 2);
    put32(RSDT_AT + 40, FACP_AT);
    seal(RSDT_AT);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
    CU_ASSERT_STRING_EQUAL(c.problem, "no MADT in the root table");
    /* Every CPU disabled. */
    build(0, 3);
    build_madt(3, 0);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
    CU_ASSERT_EQUAL(c.nr_disabled, 3);
}

static void test_hostile_tables(void)
{
    struct acpi_cpus c;

    setup();
    /* Root table pointing outside memory, at 0, or huge. */
    build(0, 2);
    put32(RSDP_AT + 16, 0xfffffff0u);
    fix_checksum(RSDP_AT, 20, RSDP_AT + 8);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
    build(0, 2);
    put32(RSDT_AT + 4, 0xffffffffu);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
    CU_ASSERT_STRING_EQUAL(c.problem, "table length out of range");
    build(0, 2);
    put32(RSDT_AT + 4, 10);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
    /* A MADT whose checksum is wrong. */
    build(0, 2);
    mem[MADT_AT + 50] ^= 1;
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
    CU_ASSERT_STRING_EQUAL(c.problem, "table checksum is wrong");
    /* A MADT that runs past the end of memory. */
    build(0, 2);
    put32(RSDT_AT + 40, MEM_SIZE - 40);
    seal(RSDT_AT);
    memcpy(mem + MEM_SIZE - 40, "APIC", 4);
    put32(MEM_SIZE - 36, 4096);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), -ENOENT);
}

static void test_hostile_entries(void)
{
    struct acpi_cpus c;

    setup();
    /* A zero-length entry after two good ones: they count, no endless
     * loop. */
    build(0, 3);
    mem[MADT_AT + 44 + 16 + 1] = 0;
    seal(MADT_AT);
    reads = 0;
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), 0);
    CU_ASSERT_EQUAL(c.nr, 2);
    CU_ASSERT_PTR_NOT_NULL(c.problem);
    CU_ASSERT(reads < 100);
    /* An entry that claims to run past the table. */
    build(0, 2);
    mem[MADT_AT + 44 + 8 + 1] = 200;
    seal(MADT_AT);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), 0);
    CU_ASSERT_EQUAL(c.nr, 1);
    /* The same APIC ID twice, and more CPUs than we keep. */
    build(0, 2);
    mem[MADT_AT + 44 + 8 + 3] = 0;
    seal(MADT_AT);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), 0);
    CU_ASSERT_EQUAL(c.nr, 1);
    CU_ASSERT_EQUAL(c.nr_ignored, 1);
    build(0, 100);
    CU_ASSERT_EQUAL(acpi_find_cpus(reader, NULL, &c), 0);
    CU_ASSERT_EQUAL(c.nr, ACPI_MAX_CPUS);
    CU_ASSERT_EQUAL(c.nr_ignored, 100 - ACPI_MAX_CPUS);
}

static void test_random_garbage(void)
{
    struct acpi_cpus c;

    setup();
    srand(5);
    for (int round = 0; round < 200; round++) {
        build(round & 1 ? 2 : 0, 1 + round % 9);
        for (int k = 0; k < 8; k++)
            mem[MADT_AT + 36 + rand() % (madt_len - 36)] = (uint8_t)rand();
        seal(MADT_AT);
        int rc = acpi_find_cpus(reader, NULL, &c);
        CU_ASSERT(rc == 0 || rc == -ENOENT);
        CU_ASSERT_FATAL(c.nr <= ACPI_MAX_CPUS);
    }
    free(mem);
    mem = NULL;
}

static const struct unit_case acpi_cases[] = {
    {"QEMU-like RSDP, RSDT or XSDT and MADT give the APIC IDs", test_good},
    {"no RSDP, bad RSDP checksum, no MADT, all disabled: -ENOENT",
     test_missing},
    {"tables outside memory, bad lengths and checksums are refused",
     test_hostile_tables},
    {"zero-length, overrunning, duplicate and too many entries",
     test_hostile_entries},
    {"200 MADTs with random bytes stay within bounds", test_random_garbage},
    {NULL, NULL},
};
UNIT_SUITE(acpi, acpi_cases)
