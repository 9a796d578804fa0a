/*
 * A bounds-checked reader of ELF64 images, for the domain builder: it takes
 * a kernel image as untrusted bytes and either describes it or says exactly
 * what is wrong with it. No pointer into the image is followed unchecked,
 * and no offset + size is added without an overflow check.
 */
#ifndef VENEER_ELF_H
#define VENEER_ELF_H

#include <veneer/types.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
    uint64_t vaddr, paddr, offset, filesz, memsz;
    uint32_t flags; /* PF_X 1, PF_W 2, PF_R 4 */
};

struct elf_image {
    const uint8_t *data;
    size_t len;
    uint64_t entry;
    struct elf_segment seg[ELF_MAX_SEGMENTS]; /* the PT_LOAD segments */
    unsigned int nr_segs;
    uint64_t vaddr_lo, vaddr_hi; /* span of all PT_LOAD (hi exclusive) */
    const char *error;           /* why elf_parse refused the image */
};

/*
 * Accepts ELF64, little-endian, x86_64, ET_EXEC or ET_DYN, with program
 * headers inside the image, PT_LOAD segments whose file part is inside the
 * image, filesz <= memsz, and no vaddr overflow. Returns 0, or -ENOEXEC with
 * img->error set.
 */
int elf_parse(struct elf_image *img, const void *data, size_t len);

/* Called for each note; a non-zero return stops the walk and is returned. */
typedef int (*elf_note_fn)(void *ctx, const char *name, uint32_t type,
                           const void *desc, size_t desc_len);

/*
 * Walks the notes in PT_NOTE segments (or, when there are none, in SHT_NOTE
 * sections). Returns 0, the callback's non-zero value, or -ENOEXEC for a
 * malformed note (img->error says which).
 */
int elf_for_each_note(struct elf_image *img, elf_note_fn fn, void *ctx);

#endif
