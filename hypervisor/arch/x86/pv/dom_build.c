/*
 * The PV domain builder: from a kernel image (ELF with Xen notes, or a
 * bzImage holding one: common/kernel_image.c) to a domain ready to run, laid
 * out as pv-abi.md 2.3 describes and Linux's xen_start_kernel() expects. Read
 * that section first; this file follows it step by step:
 *
 *   1. read the ELF and its Xen notes (every field checked: the image is
 *      untrusted bytes from the boot loader);
 *   2. give the domain its frames (pseudo-physical -> machine: the P2M);
 *   3. lay out the initial virtual region: kernel, initrd, P2M list,
 *      start_info, xenstore and console pages (domU), page tables, stack;
 *   4. fill it in, build the page tables, the shared_info page and vCPU 0.
 *
 * Everything the builder writes into the guest goes through the direct
 * map of the domain's own frames.
 */
#include <veneer/bootinfo.h>
#include <veneer/console.h>
#include <veneer/console_ring.h>
#include <veneer/dom0_acpi.h>
#include <veneer/domain.h>
#include <veneer/elf.h>
#include <veneer/errno.h>
#include <veneer/heap.h>
#include <veneer/io.h>
#include <veneer/kernel_image.h>
#include <veneer/lib.h>
#include <veneer/mm.h>
#include <veneer/pv.h>
#include <veneer/pv_mm.h>
#include <veneer/pvclock.h>
#include <veneer/x86.h>

#define MAX_REGION (1UL << 30) /* Linux copies a single L2 (pv-abi 2.3) */

struct xen_notes {
    bool seen_any;
    uint64_t virt_base, paddr_offset, entry, hypercall_page;
    bool has_entry, has_hypercall_page;
    bool dom0_capable;
    char xen_version[16], loader[16];
};

struct layout {
    uint64_t v_start, v_end;
    uint64_t kern_start, kern_end; /* virtual */
    uint64_t initrd_start, initrd_len;
    uint64_t p2m_start, p2m_pages;
    uint64_t start_info, xenstore, console;
    uint64_t pt_start, nr_pt;
    uint64_t stack;
};

static int collect_note(void *ctx, const char *name, uint32_t type,
                        const void *desc, size_t len)
{
    struct xen_notes *n = ctx;
    uint64_t value = 0;

    if (strcmp(name, "Xen") != 0)
        return 0;
    n->seen_any = true;
    if (len == 8 || len == 4)
        memcpy(&value, desc, len);
    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        n->entry = value;
        n->has_entry = len == 8;
        break;
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        n->hypercall_page = value;
        n->has_hypercall_page = len == 8;
        break;
    case XEN_ELFNOTE_VIRT_BASE:
        n->virt_base = value;
        break;
    case XEN_ELFNOTE_PADDR_OFFSET:
        n->paddr_offset = value;
        break;
    case XEN_ELFNOTE_XEN_VERSION:
        strlcpy(n->xen_version, desc, MIN(sizeof(n->xen_version), len + 1));
        break;
    case XEN_ELFNOTE_LOADER:
        strlcpy(n->loader, desc, MIN(sizeof(n->loader), len + 1));
        break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        n->dom0_capable = (value >> XENFEAT_dom0) & 1;
        break;
    }
    return 0;
}

static uint64_t pages_for(uint64_t bytes)
{
    return ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT;
}

/* Tables needed to map [s, e): one L4 + an L3 per 512 GiB + an L2 per
 * 1 GiB + an L1 per 2 MiB touched. */
static uint64_t tables_needed(uint64_t s, uint64_t e)
{
    uint64_t last = e - 1;
    return 1 + ((last >> 39) - (s >> 39) + 1) + ((last >> 30) - (s >> 30) + 1) +
           ((last >> 21) - (s >> 21) + 1);
}

static int plan_layout(struct layout *l, uint64_t nr_pages, bool privileged)
{
    uint64_t v = ALIGN_UP(l->kern_end, PAGE_SIZE);

    l->initrd_start = v;
    v += ALIGN_UP(l->initrd_len, PAGE_SIZE);
    l->p2m_start = v;
    l->p2m_pages = pages_for(nr_pages * sizeof(uint64_t));
    v += l->p2m_pages * PAGE_SIZE;
    l->start_info = v;
    v += PAGE_SIZE;
    if (!privileged) {
        l->xenstore = v;
        v += PAGE_SIZE;
        l->console = v;
        v += PAGE_SIZE;
    }
    l->pt_start = v;
    /* The tables map the whole region, themselves included, up to v_end
     * with its padding: iterate until the count covers that. */
    l->nr_pt = 0;
    for (;;) {
        l->stack = l->pt_start + l->nr_pt * PAGE_SIZE;
        v = l->stack + PAGE_SIZE;
        l->v_end = ALIGN_UP(v, MiB(4));
        if (l->v_end - v < KiB(512))
            l->v_end += MiB(4); /* room for Linux's early allocations */
        uint64_t need = tables_needed(l->v_start, l->v_end);
        if (need <= l->nr_pt)
            break;
        l->nr_pt = need;
    }
    if (l->v_end - l->v_start > MAX_REGION)
        return -E2BIG;
    if ((l->v_end - l->v_start) >> PAGE_SHIFT > nr_pages)
        return -ENOMEM;
    return 0;
}

static void *guest_page(struct domain *d, uint64_t pfn)
{
    return mfn_to_virt(d->p2m[pfn]);
}

static void *guest_va(struct domain *d, const struct layout *l, uint64_t va)
{
    uint64_t off = va - l->v_start;
    return (char *)guest_page(d, off >> PAGE_SHIFT) + (off & (PAGE_SIZE - 1));
}

static void copy_into_guest(struct domain *d, const struct layout *l,
                            uint64_t va, const void *src, uint64_t len)
{
    const uint8_t *s = src;
    while (len) {
        uint64_t n = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
        memcpy(guest_va(d, l, va), s, n);
        va += n;
        s += n;
        len -= n;
    }
}

static int allocate_memory(struct domain *d, uint64_t nr_pages)
{
    d->p2m = xmalloc(nr_pages * sizeof(mfn_t));
    if (!d->p2m)
        return -ENOMEM;
    for (uint64_t pfn = 0; pfn < nr_pages; pfn++)
        d->p2m[pfn] = INVALID_MFN;
    d->max_pages = nr_pages;
    for (uint64_t pfn = 0; pfn < nr_pages;) {
        unsigned int order = 9;
        mfn_t mfn = INVALID_MFN;
        while ((1UL << order) > nr_pages - pfn || (pfn & ((1UL << order) - 1)))
            order--;
        for (; order + 1 > 0; order--) {
            mfn = domain_alloc_frames(d, order);
            if (mfn != INVALID_MFN)
                break;
        }
        if (mfn == INVALID_MFN)
            return -ENOMEM;
        for (uint64_t i = 0; i < (1UL << order); i++, pfn++) {
            d->p2m[pfn] = mfn + i;
            m2p_set(mfn + i, pfn);
            memset(mfn_to_virt(mfn + i), 0, PAGE_SIZE);
        }
    }
    return 0;
}

static uint64_t *table_of(struct domain *d, const struct layout *l,
                          uint64_t index)
{
    return guest_page(d, ((l->pt_start - l->v_start) >> PAGE_SHIFT) + index);
}

/* Page tables in the order L4, L3s, L2s, L1s (pv-abi 2.3); every PFN of
 * the region mapped 4 KiB-granular, the tables themselves read-only. */
static void build_page_tables(struct domain *d, const struct layout *l)
{
    const uint64_t table =
        _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
    uint64_t s = l->v_start, last = l->v_end - 1;
    uint64_t nr_l3 = (last >> 39) - (s >> 39) + 1;
    uint64_t nr_l2 = (last >> 30) - (s >> 30) + 1;
    uint64_t first_l3 = 1, first_l2 = first_l3 + nr_l3,
             first_l1 = first_l2 + nr_l2;
    uint64_t pt_pfn = (l->pt_start - l->v_start) >> PAGE_SHIFT;
    uint64_t *l4 = table_of(d, l, 0);

    for (uint64_t va = s; va <= last; va += PAGE_SIZE) {
        uint64_t pfn = (va - s) >> PAGE_SHIFT;
        uint64_t i3 = (va >> 39) - (s >> 39), i2 = (va >> 30) - (s >> 30),
                 i1 = (va >> 21) - (s >> 21);
        /* plan_layout() counted every table this loop touches. */
        BUG_ON(first_l1 + i1 >= l->nr_pt);
        uint64_t *l3 = table_of(d, l, first_l3 + i3);
        uint64_t *l2 = table_of(d, l, first_l2 + i2);
        uint64_t *l1 = table_of(d, l, first_l1 + i1);

        l4[(va >> 39) & 511] =
            (d->p2m[pt_pfn + first_l3 + i3] << PAGE_SHIFT) | table;
        l3[(va >> 30) & 511] =
            (d->p2m[pt_pfn + first_l2 + i2] << PAGE_SHIFT) | table;
        l2[(va >> 21) & 511] =
            (d->p2m[pt_pfn + first_l1 + i1] << PAGE_SHIFT) | table;
        bool is_table = pfn >= pt_pfn && pfn < pt_pfn + l->nr_pt;
        l1[(va >> 12) & 511] = (d->p2m[pfn] << PAGE_SHIFT) | _PAGE_PRESENT |
                               _PAGE_USER | _PAGE_ACCESSED |
                               (is_table ? 0 : _PAGE_RW);
    }
    paging_copy_hypervisor_slots(l4);
}

/* Slot n: push %rcx; push %r11; mov $n,%eax; syscall; pop %r11; pop %rcx;
 * ret. The iret slot leaves the guest's frame alone (pv-abi 3.2). */
static void fill_hypercall_page(uint8_t *p)
{
    memset(p, 0xcc, PAGE_SIZE); /* int3 */
    for (unsigned int n = 0; n < PAGE_SIZE / 32; n++) {
        uint8_t *s = p + n * 32;
        unsigned int i = 0;
        if (n == __HYPERVISOR_iret) {
            s[i++] = 0x51;                /* push %rcx */
            s[i++] = 0x41, s[i++] = 0x53; /* push %r11 */
            s[i++] = 0x50;                /* push %rax */
        } else {
            s[i++] = 0x51;
            s[i++] = 0x41, s[i++] = 0x53;
        }
        s[i++] = 0xb8; /* mov $n, %eax */
        memcpy(s + i, &n, 4);
        i += 4;
        s[i++] = 0x0f, s[i++] = 0x05; /* syscall */
        if (n != __HYPERVISOR_iret) {
            s[i++] = 0x41, s[i++] = 0x5b; /* pop %r11 */
            s[i++] = 0x59;                /* pop %rcx */
            s[i++] = 0xc3;                /* ret */
        }
    }
}

static int setup_shared_info(struct domain *d)
{
    mfn_t mfn = alloc_pages(0);

    if (mfn == INVALID_MFN)
        return -ENOMEM;
    d->shared_info_mfn = mfn;
    d->shared_info = mfn_to_virt(mfn);
    memset(d->shared_info, 0, PAGE_SIZE);
    mfn_to_page(mfn)->owner = OWNER_HYPERVISOR;
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        d->vcpus[i]->vcpu_info = &d->shared_info->vcpu_info[i];
        pvclock_update(&d->vcpus[i]->vcpu_info->time);
    }
    pvclock_set_wallclock(d->shared_info);
    return 0;
}

static int build_from_image(struct domain *d, const struct kernel_image *k,
                            const struct boot_module *initrd,
                            const char *cmdline, uint64_t mem_bytes)
{
    static struct elf_image img;
    struct xen_notes notes = {0};
    struct layout l = {0};
    uint64_t nr_pages = mem_bytes >> PAGE_SHIFT;
    int rc;

    rc = elf_parse(&img, k->data, k->len);
    if (rc) {
        pr_err("d%u: kernel is not a usable ELF image: %s\n", d->id, img.error);
        return rc;
    }
    rc = elf_for_each_note(&img, collect_note, &notes);
    if (rc < 0) {
        pr_err("d%u: kernel notes are malformed: %s\n", d->id, img.error);
        return rc;
    }
    if (!notes.seen_any) {
        pr_err("d%u: kernel has no Xen ELF notes: not a PV kernel\n", d->id);
        return -ENOEXEC;
    }
    if (notes.xen_version[0] && strcmp(notes.xen_version, "xen-3.0") != 0) {
        pr_err("d%u: kernel wants Xen interface '%s', we speak xen-3.0\n",
               d->id, notes.xen_version);
        return -ENOEXEC;
    }
    if (d->privileged && !notes.dom0_capable)
        pr_warn("d%u: kernel does not declare dom0 support; trying anyway\n",
                d->id);

    /* Where the image goes: pseudo-physical p_paddr - PADDR_OFFSET,
     * virtual VIRT_BASE + that (pv-abi 2.1). */
    l.v_start = notes.virt_base;
    l.kern_start = ~0UL;
    for (unsigned int i = 0; i < img.nr_segs; i++) {
        const struct elf_segment *s = &img.seg[i];
        uint64_t pa = s->paddr - notes.paddr_offset;
        if (s->paddr < notes.paddr_offset || pa > MAX_REGION ||
            s->memsz > MAX_REGION - pa) {
            pr_err("d%u: kernel segment %u at paddr %#lx is outside the "
                   "first GiB\n",
                   d->id, i, s->paddr);
            return -ENOEXEC;
        }
        l.kern_start = MIN(l.kern_start, l.v_start + pa);
        l.kern_end = MAX(l.kern_end, l.v_start + pa + s->memsz);
    }
    if (!img.nr_segs) {
        pr_err("d%u: kernel has nothing to load\n", d->id);
        return -ENOEXEC;
    }
    uint64_t entry = notes.has_entry ? notes.entry : img.entry;
    if (entry < l.kern_start || entry >= l.kern_end) {
        pr_err("d%u: entry point %#lx is outside the kernel image\n", d->id,
               entry);
        return -ENOEXEC;
    }
    l.initrd_len = initrd ? initrd->end - initrd->start : 0;

    rc = plan_layout(&l, nr_pages, d->privileged);
    if (rc) {
        pr_err("d%u: %s: the kernel and its initial region need %lu MiB, "
               "the domain has %lu MiB\n",
               d->id,
               rc == -E2BIG ? "initial region over 1 GiB" : "too little memory",
               (l.v_end - l.v_start) >> 20, mem_bytes >> 20);
        return rc;
    }
    rc = allocate_memory(d, nr_pages);
    if (rc) {
        pr_err("d%u: out of memory for %lu MiB\n", d->id, mem_bytes >> 20);
        return rc;
    }

    /* The kernel's segments (frames are already zeroed). */
    for (unsigned int i = 0; i < img.nr_segs; i++) {
        const struct elf_segment *s = &img.seg[i];
        copy_into_guest(d, &l, l.v_start + s->paddr - notes.paddr_offset,
                        img.data + s->offset, s->filesz);
    }
    if (initrd)
        copy_into_guest(d, &l, l.initrd_start, phys_to_virt(initrd->start),
                        l.initrd_len);
    /* The P2M list, padded with ~0 to whole pages. */
    for (uint64_t pfn = 0; pfn < l.p2m_pages * (PAGE_SIZE / 8); pfn++) {
        uint64_t mfn = pfn < nr_pages ? d->p2m[pfn] : ~0UL;
        copy_into_guest(d, &l, l.p2m_start + pfn * 8, &mfn, 8);
    }
    build_page_tables(d, &l);
    if (notes.has_hypercall_page) {
        if (notes.hypercall_page < l.kern_start ||
            notes.hypercall_page + PAGE_SIZE > l.kern_end ||
            notes.hypercall_page & (PAGE_SIZE - 1)) {
            pr_err("d%u: hypercall page %#lx is not a page of the image\n",
                   d->id, notes.hypercall_page);
            return -ENOEXEC;
        }
        fill_hypercall_page(guest_va(d, &l, notes.hypercall_page));
    }
    rc = setup_shared_info(d);
    if (rc)
        return rc;
    /* A hardware-less dom0 learns its vCPUs from an MADT of ours; the
     * tables sit below the kernel, in pages nothing else uses. */
    if (d->privileged &&
        (l.kern_start - l.v_start) >> PAGE_SHIFT > DOM0_ACPI_PFN &&
        dom0_acpi_write(guest_page(d, 0), guest_page(d, DOM0_ACPI_PFN),
                        (uint64_t)DOM0_ACPI_PFN << PAGE_SHIFT, d->nr_vcpus))
        pr_warn("d%u: no ACPI tables for %u vCPUs\n", d->id, d->nr_vcpus);

    struct start_info *si = guest_va(d, &l, l.start_info);
    strlcpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic));
    si->nr_pages = nr_pages;
    si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    si->flags = d->privileged ? (SIF_PRIVILEGED | SIF_INITDOMAIN) : 0;
    if (!d->privileged) {
        si->store_mfn = d->p2m[(l.xenstore - l.v_start) >> PAGE_SHIFT];
        si->console.domU.mfn = d->p2m[(l.console - l.v_start) >> PAGE_SHIFT];
        /* The console ring's far end is the hypervisor (pv-abi.md 2.6). */
        rc = console_ring_connect(d, si->console.domU.mfn,
                                  &si->console.domU.evtchn);
        if (rc)
            return rc;
        /* No xenstore port until a daemon will answer on it: given one,
         * Linux waits for xenstore forever in its boot (given none, it
         * just goes without xenbus). */
    }
    si->pt_base = l.pt_start;
    si->nr_pt_frames = l.nr_pt;
    si->mfn_list = l.p2m_start;
    si->mod_start = initrd ? l.initrd_start : 0;
    si->mod_len = l.initrd_len;
    strlcpy((char *)si->cmd_line, cmdline, sizeof(si->cmd_line));
    d->start_info_mfn = d->p2m[(l.start_info - l.v_start) >> PAGE_SHIFT];

    struct vcpu *v = d->vcpus[0];
    v->regs = (struct cpu_regs){0};
    v->regs.rip = entry;
    v->regs.rsp = l.stack + PAGE_SIZE;
    v->regs.rsi = l.start_info;
    v->regs.cs = RING3_CS64;
    v->regs.ss = RING3_DS32;
    v->regs.rflags = 0x202;
    v->kernel_mode = true;
    v->kernel_sp = v->regs.rsp;
    v->online = true;
    /* The tables become the domain's validated, pinned tables (7.1). */
    rc = pv_mm_adopt_initial_tables(
        d, d->p2m[(l.pt_start - l.v_start) >> PAGE_SHIFT]);
    if (rc) {
        pr_err("d%u: the initial page tables do not validate (%d)\n", d->id,
               rc);
        return rc;
    }

    pr_info("d%u: %lu MiB, kernel %#lx-%#lx, entry %#lx, region %#lx-%#lx, "
            "%lu page-table frames%s\n",
            d->id, mem_bytes >> 20, l.kern_start, l.kern_end, entry, l.v_start,
            l.v_end, l.nr_pt,
            notes.has_hypercall_page ? ", hypercall page" : "");
    return 0;
}

/* The kernel module may be a bzImage: its ELF is decompressed for the
 * build and given back afterwards (common/kernel_image.c). */
int pv_build_domain(struct domain *d, const struct boot_module *kernel,
                    const struct boot_module *initrd, const char *cmdline,
                    uint64_t mem_bytes)
{
    struct kernel_image k;
    int rc;

    rc = kernel_image_get(&k, d->id, phys_to_virt(kernel->start),
                          kernel->end - kernel->start);
    if (rc)
        return rc;
    rc = build_from_image(d, &k, initrd, cmdline, mem_bytes);
    kernel_image_put(&k);
    return rc;
}
