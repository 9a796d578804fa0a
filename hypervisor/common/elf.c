/*
 * The ELF64 reader of the domain builder. A kernel image is untrusted
 * bytes: every header is copied out of the image only after its offset and
 * size were checked against the image's length, with sums written so that
 * they cannot overflow (compare "size > len - off", never "off + size >
 * len"). On any doubt elf_parse() refuses the image and says why.
 *
 * Only the structures we read are declared here (the hypervisor is
 * freestanding: no <elf.h>); field layout per the System V gABI.
 */
#include <veneer/elf.h>
#include <veneer/errno.h>
#include <veneer/lib.h>

#define EI_NIDENT     16
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define ET_DYN        3
#define EM_X86_64     62
#define PT_LOAD       1
#define PT_NOTE       4
#define PN_XNUM       0xffff
#define SHT_NOTE      7
#define NOTE_HDR_SIZE 12 /* namesz, descsz, type */

struct elf64_ehdr {
    uint8_t e_ident[EI_NIDENT];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf64_shdr {
    uint32_t sh_name, sh_type;
    uint64_t sh_flags, sh_addr, sh_offset, sh_size;
    uint32_t sh_link, sh_info;
    uint64_t sh_addralign, sh_entsize;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 phdr layout");
_Static_assert(sizeof(struct elf64_shdr) == 64, "ELF64 shdr layout");

/* [off, off + size) lies inside the image. */
static bool in_image(const struct elf_image *img, uint64_t off, uint64_t size)
{
    return off <= img->len && size <= img->len - off;
}

static int refuse(struct elf_image *img, const char *why)
{
    img->error = why;
    return -ENOEXEC;
}

/* Checks a table of n entries of entsize bytes at off (n * entsize cannot
 * overflow: both are 16-bit). */
static bool table_in_image(const struct elf_image *img, uint64_t off,
                           uint16_t n, uint16_t entsize)
{
    return in_image(img, off, (uint64_t)n * entsize);
}

static void read_ehdr(const struct elf_image *img, struct elf64_ehdr *eh)
{
    memcpy(eh, img->data, sizeof(*eh));
}

static void read_phdr(const struct elf_image *img, const struct elf64_ehdr *eh,
                      unsigned int i, struct elf64_phdr *ph)
{
    memcpy(ph, img->data + eh->e_phoff + (uint64_t)i * sizeof(*ph),
           sizeof(*ph));
}

static const char *check_ehdr(const struct elf_image *img,
                              const struct elf64_ehdr *eh)
{
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};

    if (memcmp(eh->e_ident, magic, sizeof(magic)))
        return "not an ELF image (bad magic)";
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return "not a 64-bit ELF image";
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return "not a little-endian ELF image";
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return "unknown ELF version";
    if (eh->e_machine != EM_X86_64)
        return "not an x86_64 ELF image";
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return "not an executable ELF image (type is not EXEC or DYN)";
    if (eh->e_phentsize != sizeof(struct elf64_phdr))
        return "unexpected program header size";
    if (eh->e_phnum == 0)
        return "no program headers";
    if (eh->e_phnum == PN_XNUM || eh->e_phnum > 512)
        return "too many program headers";
    if (!table_in_image(img, eh->e_phoff, eh->e_phnum, eh->e_phentsize))
        return "program headers lie outside the image";
    return NULL;
}

static const char *add_load(struct elf_image *img, const struct elf64_phdr *ph)
{
    struct elf_segment *s;

    if (!in_image(img, ph->p_offset, ph->p_filesz))
        return "a loadable segment lies outside the image";
    if (ph->p_filesz > ph->p_memsz)
        return "a segment's file size exceeds its memory size";
    if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
        return "a segment wraps around the address space";
    if (ph->p_paddr + ph->p_memsz < ph->p_paddr)
        return "a segment's physical address wraps around";
    if (img->nr_segs == ELF_MAX_SEGMENTS)
        return "too many loadable segments";

    s = &img->seg[img->nr_segs++];
    *s = (struct elf_segment){ph->p_vaddr,  ph->p_paddr, ph->p_offset,
                              ph->p_filesz, ph->p_memsz, ph->p_flags};
    if (!ph->p_memsz)
        return NULL; /* takes no room in memory */
    if (img->vaddr_lo == img->vaddr_hi) {
        img->vaddr_lo = ph->p_vaddr;
        img->vaddr_hi = ph->p_vaddr + ph->p_memsz;
    } else {
        img->vaddr_lo = MIN(img->vaddr_lo, ph->p_vaddr);
        img->vaddr_hi = MAX(img->vaddr_hi, ph->p_vaddr + ph->p_memsz);
    }
    return NULL;
}

int elf_parse(struct elf_image *img, const void *data, size_t len)
{
    struct elf64_ehdr eh;
    const char *why;

    memset(img, 0, sizeof(*img));
    img->data = data;
    img->len = len;
    if (!data || len < sizeof(eh))
        return refuse(img, "too short for an ELF header");
    read_ehdr(img, &eh);
    why = check_ehdr(img, &eh);
    if (why)
        return refuse(img, why);

    for (unsigned int i = 0; i < eh.e_phnum; i++) {
        struct elf64_phdr ph;

        read_phdr(img, &eh, i, &ph);
        if (ph.p_type != PT_LOAD)
            continue;
        why = add_load(img, &ph);
        if (why)
            return refuse(img, why);
    }
    if (img->vaddr_lo == img->vaddr_hi)
        return refuse(img, "no loadable segment");
    if (eh.e_entry < img->vaddr_lo || eh.e_entry >= img->vaddr_hi)
        return refuse(img, "entry point outside the loaded segments");
    img->entry = eh.e_entry;
    return 0;
}

/*
 * Walks the notes in image bytes [off, off + size), which the caller has
 * checked are inside the image. Each note is a 12-byte header, the name
 * (namesz bytes with its NUL) and the descriptor, each padded so that the
 * next part starts at a multiple of align.
 */
static int walk_notes(struct elf_image *img, uint64_t off, uint64_t size,
                      uint64_t align, elf_note_fn fn, void *ctx)
{
    while (size) {
        uint32_t hdr[3];
        uint64_t name_sz, desc_off, desc_sz, next;
        const char *name = "";
        int rc;

        if (size < NOTE_HDR_SIZE)
            return refuse(img, "a note header is cut off");
        memcpy(hdr, img->data + off, sizeof(hdr));
        name_sz = hdr[0];
        desc_sz = hdr[1];
        /* Name and descriptor start at multiples of align from the
         * note's start. 32-bit sizes in 64-bit sums cannot overflow. */
        desc_off = ALIGN_UP(NOTE_HDR_SIZE + name_sz, align);
        if (desc_off > size || desc_sz > size - desc_off)
            return refuse(img, "a note runs past its segment");
        if (name_sz) {
            name = (const char *)img->data + off + NOTE_HDR_SIZE;
            if (name[name_sz - 1] != '\0')
                return refuse(img, "a note name is not terminated");
        }
        rc = fn(ctx, name, hdr[2], img->data + off + desc_off, desc_sz);
        if (rc)
            return rc;
        /* The last note's padding may be missing. */
        next = MIN(ALIGN_UP(desc_off + desc_sz, align), size);
        off += next;
        size -= next;
    }
    return 0;
}

/* gABI: note alignment is 4, except 8-aligned notes (GNU properties). */
static uint64_t note_align(uint64_t align)
{
    return align == 8 ? 8 : 4;
}

static int section_notes(struct elf_image *img, const struct elf64_ehdr *eh,
                         elf_note_fn fn, void *ctx)
{
    if (!eh->e_shnum || !eh->e_shoff)
        return 0; /* no section table: no notes */
    if (eh->e_shentsize != sizeof(struct elf64_shdr))
        return refuse(img, "unexpected section header size");
    if (!table_in_image(img, eh->e_shoff, eh->e_shnum, eh->e_shentsize))
        return refuse(img, "section headers lie outside the image");

    for (unsigned int i = 0; i < eh->e_shnum; i++) {
        struct elf64_shdr sh;
        int rc;

        memcpy(&sh, img->data + eh->e_shoff + (uint64_t)i * sizeof(sh),
               sizeof(sh));
        if (sh.sh_type != SHT_NOTE)
            continue;
        if (!in_image(img, sh.sh_offset, sh.sh_size))
            return refuse(img, "a note section lies outside the image");
        rc = walk_notes(img, sh.sh_offset, sh.sh_size,
                        note_align(sh.sh_addralign), fn, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

int elf_for_each_note(struct elf_image *img, elf_note_fn fn, void *ctx)
{
    struct elf64_ehdr eh;
    bool found = false;

    /* The image may be a refused one: check the header again. */
    if (!img->data || img->len < sizeof(eh))
        return refuse(img, "too short for an ELF header");
    read_ehdr(img, &eh);
    if (check_ehdr(img, &eh))
        return refuse(img, check_ehdr(img, &eh));

    for (unsigned int i = 0; i < eh.e_phnum; i++) {
        struct elf64_phdr ph;
        int rc;

        read_phdr(img, &eh, i, &ph);
        if (ph.p_type != PT_NOTE)
            continue;
        found = true;
        if (!in_image(img, ph.p_offset, ph.p_filesz))
            return refuse(img, "a note segment lies outside the image");
        rc = walk_notes(img, ph.p_offset, ph.p_filesz, note_align(ph.p_align),
                        fn, ctx);
        if (rc)
            return rc;
    }
    return found ? 0 : section_notes(img, &eh, fn, ctx);
}
