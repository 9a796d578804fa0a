/*
 * Domains and virtual CPUs: what the hypervisor knows of each guest.
 *
 * A domain owns frames (page_info.owner), a shared_info page, event
 * channels and vCPUs. A vCPU is a register set plus the PV state Xen's ABI
 * gives it: the guest-kernel/guest-user mode flag and the two page-table
 * roots, the virtual trap table and callbacks, the kernel stack pointer
 * used when an event arrives in user mode, segment bases, FPU state.
 *
 * Lifetime: domain_create() -> vcpus created with the domain -> running ->
 * shutdown (by the guest, with a reason) or crash (by us, with a reason)
 * -> domain_destroy() frees every frame it owned.
 */
#ifndef VENEER_DOMAIN_H
#define VENEER_DOMAIN_H

#include <veneer/event.h>
#include <veneer/timer.h>
#include <veneer/traps.h>
#include <veneer/types.h>
#include <veneer/xen_abi.h>

#define MAX_DOMAINS             64
#define MAX_VIRT_CPUS           8
#define MAX_CPUS_PER_VCPU_STATS 8 /* MAX_CPUS (boot_defs.h) */

struct domain;

struct pv_callback {
    uint64_t address;
    bool mask_events;
};

struct vcpu {
    struct domain *domain;
    unsigned int id;

    /* Guest registers while the vCPU is not on a pCPU. */
    struct cpu_regs regs;
    bool kernel_mode;       /* guest kernel (vs guest user) mode */
    mfn_t guest_table;      /* kernel L4 */
    mfn_t guest_table_user; /* user L4, INVALID_MFN if none */
    uint64_t kernel_ss, kernel_sp;
    uint64_t fs_base, gs_base_kernel, gs_base_user;
    /* Data segment selectors while it is off its pCPU: a guest may load
     * them at will, and Linux reads FS/GS back to decide how to restore a
     * task's TLS base, so they must follow the vCPU to another pCPU. */
    uint16_t ds, es, fs, gs;

    struct trap_info trap_ctxt[256];
    struct pv_callback event_cb, failsafe_cb, syscall_cb, syscall32_cb,
        sysenter_cb;

    struct vcpu_info *vcpu_info; /* where the guest sees it */
    mfn_t gdt_frames[14];        /* set_gdt: segdesc-typed, in the window */
    unsigned int gdt_nr_frames, gdt_ents;
    bool virt_cr0_ts;
    uint64_t debugreg[8]; /* DR0-3, DR6, DR7 (4 and 5 unused) */
    uint64_t virt_iopl;

    /* VCPUOP_send_nmi: pending until the vCPU next returns to the guest,
     * then bounced to trap_ctxt[2] (or dropped if it has none); further
     * NMIs wait while one is being handled, until the iret hypercall. */
    bool nmi_pending; /* set by any pCPU: atomics */
    bool nmi_masked;  /* its own pCPU only */

    bool online;        /* VCPUOP_up / is_up */
    bool blocked;       /* SCHEDOP_block: waiting for an event */
    bool running;       /* loaded on pCPU `pcpu` (its registers are there) */
    unsigned int pcpu;  /* where it runs, or ran last */
    bool has_run;       /* for the first-run log line */
    uint64_t run_start; /* now_ns() when it last went onto its pCPU */
    uint64_t pcpu_ns[MAX_CPUS_PER_VCPU_STATS]; /* time run on each pCPU */
    struct timer singleshot;

    /* Events and time (common/event_channel.c, vcpu_op.c, sched_op.c). */
    struct vcpu_evtchn evtchn;
    struct timer periodic, poll_timer;
    uint64_t periodic_period; /* ns; 0: no periodic timer */
    mfn_t vcpu_info_mfn;      /* registered frame, or INVALID_MFN */
    struct vcpu_runstate_info runstate;
    uint64_t runstate_guest;  /* guest VA of its copy, 0: none */
    uint64_t time_area_guest; /* guest VA of a 2nd vcpu_time_info, 0: none */

    /* FXSAVE area: guests own the FPU/SSE state. */
    uint8_t fpu[512] __aligned(16);
};

enum domain_state {
    DOMAIN_RUNNING,
    DOMAIN_SHUTDOWN, /* by the guest: shutdown_reason says why */
    DOMAIN_CRASHED,  /* by the hypervisor: the guest broke the rules */
    DOMAIN_DEAD,
};

struct domain {
    domid_t id;
    char name[32];
    bool privileged; /* the control domain (dom0) */
    enum domain_state state;
    unsigned int shutdown_reason; /* SHUTDOWN_* */

    struct vcpu *vcpus[MAX_VIRT_CPUS];
    unsigned int nr_vcpus;

    uint64_t tot_pages; /* frames owned */
    uint64_t max_pages;

    struct shared_info *shared_info; /* a hypervisor page, mapped RW by the
                                        guest */
    mfn_t shared_info_mfn;
    mfn_t start_info_mfn;

    /* The first pseudo-physical frame of each contiguous run of machine
     * frames the builder gave the domain, for the P2M. */
    mfn_t *p2m; /* pfn -> mfn, hypervisor's own copy */

    bool hypercall_trace;
    uint64_t vm_assist; /* VMASST_TYPE_* bits the guest enabled */

    struct domain_evtchn evtchn;     /* common/event_channel.c */
    struct timer watchdog[2];        /* SCHEDOP_watchdog (common/watchdog.c) */
    uint8_t watchdog_inuse;          /* bit n: watchdog[n] allocated */
    struct grant_table *grant_table; /* common/grant_table.c */
    uint64_t enosys_seen; /* hypercall numbers already logged as -ENOSYS */

    /* A boot-time guest's xenstore ring (common/xenstore_ring.c): its
     * frame and its unbound port for dom0; store_evtchn 0: none. */
    mfn_t store_mfn;
    evtchn_port_t store_evtchn;
};

extern struct domain *domains[MAX_DOMAINS];

struct domain *domain_create(domid_t id, const char *name, bool privileged,
                             unsigned int nr_vcpus);
struct domain *domain_by_id(domid_t id);
/* Stops the domain for good because it broke the rules; reason is logged. */
void domain_crash(struct domain *d, const char *fmt, ...) __printf(2, 3);
void domain_shutdown(struct domain *d, unsigned int reason);
void domain_destroy(struct domain *d);
void domain_free_memory(struct domain *d);

/* Frames owned by domains. */
mfn_t domain_alloc_frames(struct domain *d, unsigned int order);

/* The vCPU running on this pCPU (smp.h); host unit tests set a global. */
#ifdef VENEER_HOST
extern struct vcpu *current;
#else
#include <veneer/smp.h>
#define current (this_cpu()->curr)
#endif

#endif
