/*
 * elf_parse() and elf_for_each_note() on real images (this test binary
 * itself, as the compiler and linker made it, checked against the host's
 * own <elf.h> reading of it), on a small image built here with known
 * notes, and on every corruption the domain builder must refuse.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <veneer/elf.h>
#include <veneer/errno.h>

#include "read_file.h"
#include "unit.h"

/* ---- the host's reading of an image, the oracle ---- */

struct note_seen {
    char name[16];
    uint32_t type;
    size_t desc_len;
    uint8_t desc[64];
};

struct notes {
    unsigned int n;
    struct note_seen seen[32];
    int stop_at; /* return 42 on this note (-1: never) */
};

static int collect(void *ctx, const char *name, uint32_t type, const void *desc,
                   size_t desc_len)
{
    struct notes *ns = ctx;

    if (ns->n < ARRAY_SIZE(ns->seen)) {
        struct note_seen *s = &ns->seen[ns->n];
        snprintf(s->name, sizeof(s->name), "%s", name);
        s->type = type;
        s->desc_len = desc_len;
        memcpy(s->desc, desc, MIN(desc_len, sizeof(s->desc)));
    }
    return (int)ns->n++ == ns->stop_at ? 42 : 0;
}

static void test_self_image(void)
{
    size_t len = 0;
    uint8_t *data = read_file("/proc/self/exe", &len);
    struct elf_image img;
    unsigned int loads = 0, notes = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, data, len), 0);
    CU_ASSERT_PTR_NULL(img.error);

    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    CU_ASSERT_EQUAL(img.entry, eh->e_entry);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (unsigned int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph =
            (const Elf64_Phdr *)(data + eh->e_phoff + i * sizeof(*ph));
        if (ph->p_type == PT_NOTE)
            notes++;
        if (ph->p_type != PT_LOAD)
            continue;
        CU_ASSERT_FATAL(loads < img.nr_segs);
        const struct elf_segment *s = &img.seg[loads++];
        CU_ASSERT_EQUAL(s->vaddr, ph->p_vaddr);
        CU_ASSERT_EQUAL(s->offset, ph->p_offset);
        CU_ASSERT_EQUAL(s->filesz, ph->p_filesz);
        CU_ASSERT_EQUAL(s->memsz, ph->p_memsz);
        CU_ASSERT_EQUAL(s->flags, ph->p_flags);
        lo = MIN(lo, ph->p_vaddr);
        hi = MAX(hi, ph->p_vaddr + ph->p_memsz);
    }
    CU_ASSERT(loads >= 2); /* text and data at least */
    CU_ASSERT_EQUAL(img.nr_segs, loads);
    CU_ASSERT_EQUAL(img.vaddr_lo, lo);
    CU_ASSERT_EQUAL(img.vaddr_hi, hi);

    /* Its notes: Debian's toolchain always adds a GNU build id. */
    struct notes ns = {.stop_at = -1};
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), 0);
    if (img.error)
        fprintf(stderr, "notes: %s\n", img.error);
    CU_ASSERT(notes > 0);
    bool build_id = false;
    for (unsigned int i = 0; i < ns.n && i < ARRAY_SIZE(ns.seen); i++) {
        if (!strcmp(ns.seen[i].name, "GNU") &&
            ns.seen[i].type == NT_GNU_BUILD_ID && ns.seen[i].desc_len >= 8)
            build_id = true;
    }
    CU_ASSERT_TRUE(build_id);

    /* A callback's non-zero value stops the walk and comes back. */
    struct notes stop = {.stop_at = 0};
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &stop), 42);
    CU_ASSERT_EQUAL(stop.n, 1);
    free(data);
}

/* ---- a small image built by hand ---- */

#define T_PHOFF 64
#define T_NPH   3 /* LOAD text, LOAD bss, NOTE */
#define T_NOTES (T_PHOFF + T_NPH * 56)
#define T_VADDR 0xffffffff80000000ULL
#define T_SIZE  2048

struct tiny {
    uint8_t b[T_SIZE];
    size_t len, notes_len;
};

static Elf64_Ehdr *ehdr(struct tiny *t)
{
    return (Elf64_Ehdr *)t->b;
}

static Elf64_Phdr *phdr(struct tiny *t, unsigned int i)
{
    return (Elf64_Phdr *)(t->b + T_PHOFF + i * sizeof(Elf64_Phdr));
}

static size_t put_note(uint8_t *at, const char *name, uint32_t type,
                       const void *desc, uint32_t desc_len)
{
    uint32_t namesz = name ? (uint32_t)strlen(name) + 1 : 0;
    uint32_t hdr[3] = {namesz, desc_len, type};
    size_t off = 12;

    memcpy(at, hdr, 12);
    if (name)
        memcpy(at + off, name, namesz);
    off += ALIGN_UP(namesz, 4u);
    memcpy(at + off, desc, desc_len);
    return off + ALIGN_UP(desc_len, 4u);
}

static void build_tiny(struct tiny *t)
{
    static const uint64_t entry = T_VADDR + 0x40;
    uint8_t *n;

    memset(t, 0, sizeof(*t));
    Elf64_Ehdr *eh = ehdr(t);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = entry;
    eh->e_phoff = T_PHOFF;
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = T_NPH;

    n = t->b + T_NOTES;
    n += put_note(n, "Xen", 5, "xen-3.0", 8);          /* XEN_VERSION */
    n += put_note(n, "Xen", 1, &entry, sizeof(entry)); /* ENTRY */
    n += put_note(n, "Xen", 10, "abc", 3);             /* padded desc */
    n += put_note(n, NULL, 99, NULL, 0);               /* empty note */
    n += put_note(n, "LongerName12", 7, "\x01\x02\x03\x04", 4);
    t->notes_len = (size_t)(n - (t->b + T_NOTES));
    t->len = (size_t)(n - t->b) + 64;

    *phdr(t, 0) = (Elf64_Phdr){.p_type = PT_LOAD,
                               .p_flags = PF_R | PF_X,
                               .p_offset = 0,
                               .p_vaddr = T_VADDR,
                               .p_paddr = 0x100000,
                               .p_filesz = t->len,
                               .p_memsz = t->len,
                               .p_align = 4096};
    *phdr(t, 1) = (Elf64_Phdr){.p_type = PT_LOAD,
                               .p_flags = PF_R | PF_W,
                               .p_offset = t->len,
                               .p_vaddr = T_VADDR + 0x10000,
                               .p_paddr = 0x110000,
                               .p_filesz = 0,
                               .p_memsz = 0x3000,
                               .p_align = 4096};
    *phdr(t, 2) = (Elf64_Phdr){.p_type = PT_NOTE,
                               .p_flags = PF_R,
                               .p_offset = T_NOTES,
                               .p_filesz = t->notes_len,
                               .p_align = 4};
}

static void test_tiny_image(void)
{
    struct tiny t;
    struct elf_image img;
    struct notes ns = {.stop_at = -1};

    build_tiny(&t);
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, t.b, t.len), 0);
    CU_ASSERT_EQUAL(img.entry, T_VADDR + 0x40);
    CU_ASSERT_EQUAL(img.nr_segs, 2);
    CU_ASSERT_EQUAL(img.vaddr_lo, T_VADDR);
    CU_ASSERT_EQUAL(img.vaddr_hi, T_VADDR + 0x13000);
    CU_ASSERT_EQUAL(img.seg[1].filesz, 0);
    CU_ASSERT_EQUAL(img.seg[1].memsz, 0x3000);
    CU_ASSERT_EQUAL(img.seg[1].flags, PF_R | PF_W);
    CU_ASSERT_EQUAL(img.seg[0].paddr, 0x100000);

    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), 0);
    CU_ASSERT_EQUAL_FATAL(ns.n, 5);
    CU_ASSERT_STRING_EQUAL(ns.seen[0].name, "Xen");
    CU_ASSERT_EQUAL(ns.seen[0].type, 5);
    CU_ASSERT_EQUAL(ns.seen[0].desc_len, 8);
    CU_ASSERT_STRING_EQUAL((char *)ns.seen[0].desc, "xen-3.0");
    uint64_t e;
    memcpy(&e, ns.seen[1].desc, 8);
    CU_ASSERT_EQUAL(e, T_VADDR + 0x40);
    CU_ASSERT_EQUAL(ns.seen[2].desc_len, 3);
    CU_ASSERT_EQUAL(memcmp(ns.seen[2].desc, "abc", 3), 0);
    CU_ASSERT_STRING_EQUAL(ns.seen[3].name, "");
    CU_ASSERT_EQUAL(ns.seen[3].type, 99);
    CU_ASSERT_EQUAL(ns.seen[3].desc_len, 0);
    CU_ASSERT_STRING_EQUAL(ns.seen[4].name, "LongerName12");
    CU_ASSERT_EQUAL(ns.seen[4].type, 7);

    struct notes stop = {.stop_at = 2};
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &stop), 42);
    CU_ASSERT_EQUAL(stop.n, 3);
}

/* The same notes found through a section header when there is no
 * PT_NOTE, as in an image whose program headers omit them. */
static void test_section_notes(void)
{
    struct tiny t;
    struct elf_image img;
    struct notes ns = {.stop_at = -1};
    Elf64_Shdr sh[2];

    build_tiny(&t);
    ehdr(&t)->e_phnum = 2; /* drop the PT_NOTE */
    memset(sh, 0, sizeof(sh));
    sh[1].sh_type = SHT_NOTE;
    sh[1].sh_offset = T_NOTES;
    sh[1].sh_size = t.notes_len;
    sh[1].sh_addralign = 4;
    size_t shoff = ALIGN_UP(t.len, 8u);
    CU_ASSERT_FATAL(shoff + sizeof(sh) <= sizeof(t.b));
    memcpy(t.b + shoff, sh, sizeof(sh));
    ehdr(&t)->e_shoff = shoff;
    ehdr(&t)->e_shnum = 2;
    ehdr(&t)->e_shentsize = sizeof(Elf64_Shdr);
    t.len = shoff + sizeof(sh);

    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, t.b, t.len), 0);
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), 0);
    CU_ASSERT_EQUAL(ns.n, 5);

    /* The section table out of the image, or with a strange entry size. */
    ehdr(&t)->e_shoff = t.len - 64;
    ns.n = 0;
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), -ENOEXEC);
    CU_ASSERT_PTR_NOT_NULL(img.error);
    ehdr(&t)->e_shoff = shoff;
    ehdr(&t)->e_shentsize = 40;
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), -ENOEXEC);
    ehdr(&t)->e_shentsize = sizeof(Elf64_Shdr);
    /* no sections at all: simply no notes */
    ehdr(&t)->e_shnum = 0;
    ns.n = 0;
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), 0);
    CU_ASSERT_EQUAL(ns.n, 0);
}

/* Applies one corruption to a fresh tiny image; elf_parse must refuse it
 * with -ENOEXEC and a reason containing `why`. */
typedef void (*corrupt_fn)(struct tiny *t);

#define CORRUPTION(name, ...)        \
    static void name(struct tiny *t) \
    {                                \
        __VA_ARGS__;                 \
    }

CORRUPTION(c_short, t->len = 63)
CORRUPTION(c_magic, ehdr(t)->e_ident[1] = 'X')
CORRUPTION(c_class, ehdr(t)->e_ident[EI_CLASS] = ELFCLASS32)
CORRUPTION(c_data, ehdr(t)->e_ident[EI_DATA] = ELFDATA2MSB)
CORRUPTION(c_version, ehdr(t)->e_version = 0)
CORRUPTION(c_machine, ehdr(t)->e_machine = EM_386)
CORRUPTION(c_type, ehdr(t)->e_type = ET_REL)
CORRUPTION(c_phentsize, ehdr(t)->e_phentsize = 32)
CORRUPTION(c_phnum0, ehdr(t)->e_phnum = 0)
CORRUPTION(c_phnum_xnum, ehdr(t)->e_phnum = PN_XNUM)
CORRUPTION(c_phnum_huge, ehdr(t)->e_phnum = 600)
CORRUPTION(c_phnum_past, ehdr(t)->e_phnum = 20)
CORRUPTION(c_phoff_out, ehdr(t)->e_phoff = 100000)
CORRUPTION(c_phoff_wrap, ehdr(t)->e_phoff = UINT64_MAX - 8)
CORRUPTION(c_phoff_cut, t->len = T_PHOFF + 56 + 20)
CORRUPTION(c_filesz, phdr(t, 0)->p_memsz = phdr(t, 0)->p_filesz - 1)
CORRUPTION(c_seg_end, phdr(t, 0)->p_filesz = t->len + 1;
           phdr(t, 0)->p_memsz = t->len + 1)
CORRUPTION(c_seg_off, phdr(t, 1)->p_offset = t->len + 1)
CORRUPTION(c_seg_off_wrap, phdr(t, 1)->p_offset = UINT64_MAX;
           phdr(t, 1)->p_filesz = 2)
CORRUPTION(c_filesz_wrap, phdr(t, 0)->p_offset = 16;
           phdr(t, 0)->p_filesz = UINT64_MAX - 8;
           phdr(t, 0)->p_memsz = UINT64_MAX)
CORRUPTION(c_vaddr_wrap, phdr(t, 1)->p_vaddr = UINT64_MAX - 0x1000)
CORRUPTION(c_paddr_wrap, phdr(t, 1)->p_paddr = UINT64_MAX - 0x1000)
CORRUPTION(c_no_load, phdr(t, 0)->p_type = PT_NULL;
           phdr(t, 1)->p_type = PT_NULL)
CORRUPTION(c_entry, ehdr(t)->e_entry = T_VADDR + 0x20000)
CORRUPTION(c_entry_low, ehdr(t)->e_entry = T_VADDR - 1)
/* 17 PT_LOADs: the phdr table is moved to the end of the image */
static void c_too_many(struct tiny *t)
{
    ehdr(t)->e_phoff = t->len;
    ehdr(t)->e_phnum = ELF_MAX_SEGMENTS + 1;
    for (unsigned int i = 0; i <= ELF_MAX_SEGMENTS; i++) {
        Elf64_Phdr ph = {.p_type = PT_LOAD,
                         .p_vaddr = T_VADDR + i * 0x1000,
                         .p_memsz = 0x1000};
        memcpy(t->b + t->len + i * sizeof(ph), &ph, sizeof(ph));
    }
}

static const struct {
    corrupt_fn fn;
    const char *why;
} corruptions[] = {
    {c_short, "too short"},
    {c_magic, "magic"},
    {c_class, "64-bit"},
    {c_data, "little-endian"},
    {c_version, "version"},
    {c_machine, "x86_64"},
    {c_type, "executable"},
    {c_phentsize, "program header size"},
    {c_phnum0, "no program headers"},
    {c_phnum_xnum, "too many program headers"},
    {c_phnum_huge, "too many program headers"},
    {c_phnum_past, "outside the image"},
    {c_phoff_out, "outside the image"},
    {c_phoff_wrap, "outside the image"},
    {c_phoff_cut, "outside the image"},
    {c_filesz, "exceeds its memory size"},
    {c_seg_end, "outside the image"},
    {c_seg_off, "outside the image"},
    {c_seg_off_wrap, "outside the image"},
    {c_filesz_wrap, "outside the image"},
    {c_vaddr_wrap, "wraps"},
    {c_paddr_wrap, "wraps"},
    {c_no_load, "no loadable segment"},
    {c_entry, "entry point"},
    {c_entry_low, "entry point"},
    {c_too_many, "too many loadable segments"},
};

static void test_corruptions(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(corruptions); i++) {
        /* Heap-allocated to exactly len bytes, so that valgrind sees any
         * read past the end of the image. */
        struct tiny t;
        struct elf_image img;

        build_tiny(&t);
        corruptions[i].fn(&t);
        if (corruptions[i].fn == c_too_many)
            t.len += (ELF_MAX_SEGMENTS + 1) * sizeof(Elf64_Phdr);
        uint8_t *exact = malloc(t.len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(exact);
        memcpy(exact, t.b, t.len);
        int rc = elf_parse(&img, exact, t.len);
        CU_ASSERT_EQUAL(rc, -ENOEXEC);
        CU_ASSERT_PTR_NOT_NULL(img.error);
        if (rc != -ENOEXEC || !img.error ||
            !strstr(img.error, corruptions[i].why)) {
            CU_FAIL("wrong verdict");
            fprintf(stderr, "corruption %zu: rc %d, error \"%s\"\n", i, rc,
                    img.error ? img.error : "(none)");
        }
        /* the notes walk refuses a refused image too, or finds nothing
         * outside it */
        struct notes ns = {.stop_at = -1};
        (void)elf_for_each_note(&img, collect, &ns);
        free(exact);
    }
    struct elf_image img;
    CU_ASSERT_EQUAL(elf_parse(&img, NULL, 0), -ENOEXEC);
}

/* A note whose sizes lie, one that is cut, a note segment off the end. */
static void test_bad_notes(void)
{
    static const struct {
        unsigned int word; /* which u32 of the first note to change */
        uint32_t value;
        const char *why;
    } bad[] = {
        {0, 0xffffffff, "runs past"}, {1, 0xffffffff, "runs past"},
        {0, 0xfffffffc, "runs past"}, {1, 4096, "runs past"},
        {0, 3, "not terminated"},     {0, 1, "not terminated"},
    };
    struct tiny t;
    struct elf_image img;
    struct notes ns = {.stop_at = -1};

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        build_tiny(&t);
        memcpy(t.b + T_NOTES + bad[i].word * 4, &bad[i].value, 4);
        CU_ASSERT_EQUAL_FATAL(elf_parse(&img, t.b, t.len), 0);
        ns.n = 0;
        CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), -ENOEXEC);
        CU_ASSERT_EQUAL(ns.n, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(img.error);
        CU_ASSERT_PTR_NOT_NULL(strstr(img.error, bad[i].why));
    }

    /* A header cut off at the end of the segment, after good notes. */
    build_tiny(&t);
    phdr(&t, 2)->p_filesz += 8;
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, t.b, t.len), 0);
    ns.n = 0;
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), -ENOEXEC);
    CU_ASSERT_EQUAL(ns.n, 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(img.error, "cut off"));

    /* The PT_NOTE segment itself outside the image. */
    build_tiny(&t);
    phdr(&t, 2)->p_offset = UINT64_MAX - 4;
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, t.b, t.len), 0);
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), -ENOEXEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(img.error, "outside the image"));

    /* 8-byte aligned notes (GNU properties) are walked with 8. */
    build_tiny(&t);
    uint8_t *n = t.b + T_NOTES;
    uint32_t hdr[3] = {4, 16, 5};
    memcpy(n, hdr, 12);
    memcpy(n + 12, "GNU", 4);
    memset(n + 16, 0x77, 16); /* desc at 16: 8-aligned by luck of size */
    hdr[0] = 5, hdr[1] = 4, hdr[2] = 6;
    memcpy(n + 32, hdr, 12);
    memcpy(n + 44, "ABCD", 5);
    memcpy(n + 56, "wxyz", 4); /* 44 + 5 -> 56 with 8-alignment */
    phdr(&t, 2)->p_filesz = 64;
    phdr(&t, 2)->p_align = 8;
    CU_ASSERT_EQUAL_FATAL(elf_parse(&img, t.b, t.len), 0);
    ns.n = 0;
    CU_ASSERT_EQUAL(elf_for_each_note(&img, collect, &ns), 0);
    CU_ASSERT_EQUAL_FATAL(ns.n, 2);
    CU_ASSERT_STRING_EQUAL(ns.seen[1].name, "ABCD");
    CU_ASSERT_EQUAL(memcmp(ns.seen[1].desc, "wxyz", 4), 0);
}

/* Random byte flips in the small image and in the head of this binary:
 * no crash, no read outside (valgrind), and whatever is accepted obeys
 * the promises of elf.h. */
static void test_fuzz(void)
{
    size_t self_len = 0;
    uint8_t *self = read_file("/proc/self/exe", &self_len);
    uint64_t s = 0xda3e39cb94b95bdbULL;
    unsigned int accepted = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(self);
    for (int round = 0; round < 3000; round++) {
        struct tiny t;
        const uint8_t *src;
        size_t len;

        build_tiny(&t);
        if (round % 2) {
            src = t.b;
            len = t.len;
        } else {
            src = self;
            len = MIN(self_len, (size_t)8192);
        }
        uint8_t *buf = malloc(len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        memcpy(buf, src, len);
        for (int k = 0; k < 1 + round % 6; k++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            /* mostly the headers, where the offsets and sizes are */
            size_t at = (s >> 8) % (s % 4 ? MIN(len, (size_t)400) : len);
            buf[at] ^= (uint8_t)(1u << (s % 8)) | (uint8_t)(s >> 56);
        }
        struct elf_image img;
        if (elf_parse(&img, buf, len) == 0) {
            accepted++;
            CU_ASSERT_FATAL(img.nr_segs <= ELF_MAX_SEGMENTS);
            for (unsigned int i = 0; i < img.nr_segs; i++) {
                const struct elf_segment *g = &img.seg[i];
                CU_ASSERT_FATAL(g->offset <= len &&
                                g->filesz <= len - g->offset);
                CU_ASSERT_FATAL(g->filesz <= g->memsz);
                CU_ASSERT_FATAL(g->vaddr + g->memsz >= g->vaddr);
            }
            CU_ASSERT_FATAL(img.entry >= img.vaddr_lo &&
                            img.entry < img.vaddr_hi);
            struct notes ns = {.stop_at = -1};
            int rc = elf_for_each_note(&img, collect, &ns);
            CU_ASSERT(rc == 0 || rc == -ENOEXEC);
        } else {
            CU_ASSERT_PTR_NOT_NULL_FATAL(img.error);
        }
        free(buf);
    }
    CU_ASSERT(accepted > 0); /* flips in padding must still pass */
    free(self);
}

static const struct unit_case elf_cases[] = {
    {"this test binary parses as the host's <elf.h> reads it, with its "
     "build-id note",
     test_self_image},
    {"a hand-built image: segments, span, entry and five notes",
     test_tiny_image},
    {"notes are found through SHT_NOTE sections without PT_NOTE",
     test_section_notes},
    {"26 corruptions of headers and segments are refused with a reason",
     test_corruptions},
    {"lying, cut and unterminated notes are refused; 8-byte alignment",
     test_bad_notes},
    {"3000 randomly corrupted images: no crash, promises kept", test_fuzz},
    {NULL, NULL},
};
UNIT_SUITE(elf, elf_cases)
