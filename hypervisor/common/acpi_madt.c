/*
 * The MADT walk (see acpi.h). The RSDP is searched where ACPI says it may
 * be: the first KiB of the EBDA, then 0xe0000-0xfffff on 16-byte
 * boundaries. Its RSDT (or, from revision 2, its XSDT) lists the tables;
 * the one signed "APIC" lists the processors.
 */
#include <veneer/acpi.h>
#include <veneer/errno.h>
#include <veneer/lib.h>

#define SDT_HEADER_LEN  36
#define SDT_MAX_LEN     0x100000 /* no sane RSDT or MADT is bigger */
#define MAX_SDT_ENTRIES 256

struct reader {
    phys_reader_fn read;
    void *ctx;
};

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static bool checksum_ok(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += p[i];
    return sum == 0;
}

/* The RSDP's physical address in [start, start + len), or 0. */
static paddr_t find_rsdp_in(struct reader *r, paddr_t start, size_t len)
{
    const uint8_t *p = r->read(r->ctx, start, len);

    if (!p)
        return 0;
    for (size_t off = 0; off + 20 <= len; off += 16) {
        if (!memcmp(p + off, "RSD PTR ", 8) && checksum_ok(p + off, 20))
            return start + off;
    }
    return 0;
}

static paddr_t find_rsdp(struct reader *r)
{
    const uint8_t *ebda_seg = r->read(r->ctx, 0x40e, 2);
    paddr_t rsdp = 0;

    if (ebda_seg) {
        paddr_t ebda = (paddr_t)(ebda_seg[0] | ebda_seg[1] << 8) << 4;
        if (ebda >= 0x80000 && ebda < 0xa0000)
            rsdp = find_rsdp_in(r, ebda, 1024);
    }
    return rsdp ? rsdp : find_rsdp_in(r, 0xe0000, 0x20000);
}

/* A whole table at pa, its length and checksum checked; NULL if not. */
static const uint8_t *map_table(struct reader *r, paddr_t pa, uint32_t *len,
                                const char **why)
{
    const uint8_t *h = r->read(r->ctx, pa, SDT_HEADER_LEN);

    if (!h) {
        *why = "table outside readable memory";
        return NULL;
    }
    *len = get32(h + 4);
    if (*len < SDT_HEADER_LEN || *len > SDT_MAX_LEN) {
        *why = "table length out of range";
        return NULL;
    }
    const uint8_t *t = r->read(r->ctx, pa, *len);
    if (!t) {
        *why = "table outside readable memory";
        return NULL;
    }
    if (!checksum_ok(t, *len)) {
        *why = "table checksum is wrong";
        return NULL;
    }
    return t;
}

static void add_cpu(struct acpi_cpus *out, uint32_t apic_id, uint32_t flags)
{
    if (!(flags & 1)) { /* not enabled (maybe hot-pluggable later) */
        out->nr_disabled++;
        return;
    }
    for (unsigned int i = 0; i < out->nr; i++) {
        if (out->apic_ids[i] == apic_id) {
            out->nr_ignored++; /* listed twice: once is enough */
            return;
        }
    }
    if (out->nr >= ACPI_MAX_CPUS) {
        out->nr_ignored++;
        return;
    }
    out->apic_ids[out->nr++] = apic_id;
}

static void parse_madt(const uint8_t *t, uint32_t len, struct acpi_cpus *out)
{
    /* Header, local APIC address (4), flags (4), then the entries. */
    for (uint32_t off = SDT_HEADER_LEN + 8; off + 2 <= len;) {
        uint8_t type = t[off], elen = t[off + 1];
        if (elen < 2 || off + elen > len) {
            out->problem = "MADT entry with a bad length; rest ignored";
            return;
        }
        if (type == 0 && elen >= 8) /* processor local APIC */
            add_cpu(out, t[off + 3], get32(t + off + 4));
        else if (type == 9 && elen >= 16) /* x2APIC: we drive xAPIC only */
            out->nr_ignored += get32(t + off + 8) & 1;
        off += elen;
    }
}

int acpi_find_cpus(phys_reader_fn read, void *ctx, struct acpi_cpus *out)
{
    struct reader r = {read, ctx};
    paddr_t rsdp_pa = find_rsdp(&r);
    const uint8_t *rsdp = rsdp_pa ? r.read(r.ctx, rsdp_pa, 20) : NULL;
    const char *why = NULL;
    uint32_t len;

    memset(out, 0, sizeof(*out));
    if (!rsdp) {
        out->problem = "no ACPI RSDP";
        return -ENOENT;
    }
    /* Revision 2 and later: the XSDT, if its address is set and the
     * extended checksum over the 36-byte RSDP holds. */
    bool x = false;
    paddr_t root = get32(rsdp + 16);
    const uint8_t *rsdp2 = rsdp[15] >= 2 ? r.read(r.ctx, rsdp_pa, 36) : NULL;
    if (rsdp2 && checksum_ok(rsdp2, 36) && get64(rsdp2 + 24)) {
        root = get64(rsdp2 + 24);
        x = true;
    }
    const uint8_t *rt = map_table(&r, root, &len, &why);
    if (!rt || memcmp(rt, x ? "XSDT" : "RSDT", 4)) {
        out->problem = rt ? "root table has the wrong signature" : why;
        return -ENOENT;
    }
    unsigned int width = x ? 8 : 4;
    unsigned int n = (len - SDT_HEADER_LEN) / width;
    if (n > MAX_SDT_ENTRIES)
        n = MAX_SDT_ENTRIES;
    for (unsigned int i = 0; i < n; i++) {
        const uint8_t *e = rt + SDT_HEADER_LEN + i * width;
        paddr_t pa = x ? get64(e) : get32(e);
        const uint8_t *h = r.read(r.ctx, pa, 4);
        if (!h || memcmp(h, "APIC", 4))
            continue;
        uint32_t mlen;
        const uint8_t *madt = map_table(&r, pa, &mlen, &why);
        if (!madt) {
            out->problem = why;
            return -ENOENT;
        }
        parse_madt(madt, mlen, out);
        if (!out->nr) {
            out->problem = "MADT lists no enabled CPU";
            return -ENOENT;
        }
        return 0;
    }
    out->problem = "no MADT in the root table";
    return -ENOENT;
}
