/*
 * Grant tables, version 1 (pv-abi.md 8.2): the table of grant entries a
 * domain shares with the hypervisor, the hypervisor's private bookkeeping
 * of which entries are in use ("active" entries), and each domain's
 * maptrack table of the grants it has mapped (the handles it gets back).
 *
 * Frames: the shared entries live in hypervisor frames (owner
 * OWNER_HYPERVISOR) the domain may map read-write like its shared_info;
 * the table starts with one frame and grows on GNTTABOP_setup_table up to
 * max_frames. The active entries and the maptrack live in the heap.
 *
 * References: a mapping of a granted frame holds, as long as its maptrack
 * entry lives, one general reference on the frame and, if writable, one
 * writable type reference (the references an ordinary L1 entry would
 * hold); a host mapping also holds a general reference on the L1 frame
 * that contains its PTE, so that frame cannot be freed or reused under
 * it. The PTE itself carries PTE_GNTTAB, and the PV MMU neither creates
 * nor drops such entries (pv_mm.c). When a domain dies, its own mappings
 * are released; other domains' mappings of its grants stay, as in Xen (a
 * backend may still read a dead frontend's ring): their references keep
 * the frames alive as OWNER_DYING, and the mappings become orphans that
 * unmap without the dead granter's table.
 *
 * Portable: the unit tests run it on the host, with the PV MMU's frame
 * table. One pCPU, no locking yet.
 */
#ifndef VENEER_GRANT_TABLE_H
#define VENEER_GRANT_TABLE_H

#include <veneer/types.h>
#include <veneer/xen_abi.h>

struct domain;

#define GNTTAB_ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNTTAB_MAX_FRAMES        32 /* per domain; Xen's default is 64 */
#define GNTTAB_INITIAL_FRAMES    1
/* Handles per domain, allocated in chunks as they are needed. */
#define MAPTRACK_PER_CHUNK 256
#define MAPTRACK_CHUNKS    64
#define MAPTRACK_MAX       (MAPTRACK_PER_CHUNK * MAPTRACK_CHUNKS)
/* A pin counter refuses to go past this (Xen's 8-bit counters). */
#define GNTPIN_MAX 127

/* What the hypervisor knows of a grant entry in use. */
struct active_grant {
    uint8_t host_r, host_w; /* host mappings (and copies in progress) */
    uint8_t dev_r, dev_w;   /* device mappings */
    domid_t domid;          /* who has it pinned */
    mfn_t frame;            /* the frame pinned */
};

/* One mapping made by this domain: a handle. flags == 0: free. */
struct maptrack {
    uint32_t flags;     /* GNTMAP_* still in force */
    domid_t domid;      /* the granting domain */
    grant_ref_t ref;    /* its grant entry */
    mfn_t frame;        /* the granted frame */
    uint64_t pte_maddr; /* the host mapping's PTE (machine address) */
    uint32_t next_free; /* free-list link */
    bool orphan;        /* the granter died: no active entry to update */
};

struct grant_table {
    unsigned int nr_frames, max_frames;
    mfn_t frames[GNTTAB_MAX_FRAMES];
    struct active_grant *active[GNTTAB_MAX_FRAMES]; /* one array per frame */
    struct maptrack *maptrack[MAPTRACK_CHUNKS];
    unsigned int maptrack_limit; /* handles [0, limit) have storage */
    unsigned int maptrack_max;   /* at most this many handles */
    uint32_t maptrack_free;      /* head of the free list, or MAPTRACK_END */
    unsigned int maptrack_used;
};
#define MAPTRACK_END UINT32_MAX

/* Domain life. gnttab_init gives the domain its first frame; release
 * undoes every mapping the domain made and orphans the mappings other
 * domains made of its grants (before the MMU tears down its memory);
 * destroy frees the frames (after it). */
int gnttab_init(struct domain *d, unsigned int max_frames);
void gnttab_release(struct domain *d);
void gnttab_destroy(struct domain *d);

/* True if mfn is one of d's grant-table frames (the MMU lets d map it). */
bool gnttab_is_table_frame(const struct domain *d, mfn_t mfn);

/*
 * For the domain builder, once a backend domain exists: entry 0 grants
 * the console page and entry 1 the xenstore page to `backend`
 * (GNTTAB_RESERVED_CONSOLE / _XENSTORE). -EINVAL without a table.
 */
int gnttab_seed_reserved(struct domain *d, domid_t backend, mfn_t console,
                         mfn_t xenstore);

/* The sub-ops for callers inside the hypervisor (and tests), acting for
 * the current vCPU's domain; each fills in op->status like Xen 4.17. */
void gnttab_map_one(struct gnttab_map_grant_ref *op);
void gnttab_unmap_one(struct gnttab_unmap_grant_ref *op);
void gnttab_copy_one(struct gnttab_copy *op);

#endif
