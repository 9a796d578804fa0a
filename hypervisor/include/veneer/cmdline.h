/*
 * The hypervisor's command line: "loglvl=info console=com1 selftest".
 *
 * Options are declared in one table (name, kind, where to store); the parser
 * never fails as a whole: every bad word is reported through the callback
 * with the option's name and why, and parsing goes on. Words longer than
 * CMDLINE_MAX_WORD and lines longer than CMDLINE_MAX are reported too.
 */
#ifndef VENEER_CMDLINE_H
#define VENEER_CMDLINE_H

#include <veneer/types.h>

#define CMDLINE_MAX      1024 /* bytes kept of the whole line */
#define CMDLINE_MAX_WORD 128

enum loglvl {
    LOG_NONE = 0,
    LOG_ERR,
    LOG_WARN,
    LOG_INFO,
    LOG_DEBUG,
    LOG_ALL,
};

enum console_kind {
    CONSOLE_COM1 = 0,
    CONSOLE_NONE,
};

/* crash=: a deliberate fatal fault after boot, to prove the fault report. */
enum crash_kind {
    CRASH_NONE = 0,
    CRASH_UD,
    CRASH_PF,
    CRASH_GP,
};

/* smap=: SMAP where the CPU has it (cpu_protect.c). */
enum smap_mode {
    SMAP_AUTO = 0, /* on, except under QEMU's TCG (cpu_protect.c says why) */
    SMAP_ON,
    SMAP_OFF,
};

/* Everything the command line can set; cmdline_defaults() fills it first. */
struct hv_options {
    enum loglvl loglvl;
    enum console_kind console;
    bool selftest;
    bool hypercall_trace;
    uint64_t dom0_mem; /* bytes; 0 means "decide" */
    uint64_t domU_mem; /* bytes, per boot-time guest; 0 means "decide" */
    enum crash_kind crash;
    unsigned int dom0_max_vcpus; /* 1..CMDLINE_MAX_VCPUS; 0 means 1 */
    unsigned int domU_max_vcpus; /* each boot-time guest's; 0 means 1 */
    unsigned int max_cpus;       /* maxcpus=: pCPUs to use; 0 means all */
    bool nosmp;                  /* the boot CPU only */
    bool domU_xenstore;          /* boot-time guests get a xenstore ring */
    bool smp_sched;              /* vCPUs run on secondary CPUs too (default) */
    unsigned int sched_dump;     /* seconds between 'd' dumps; 0: none */
    bool dump_at_exit;           /* the 'd' dump when the last domain stops */
    /* Test hook (smp_test_no_sipi=APIC ID): that AP gets INIT but no
     * STARTUP IPI, so it never answers and is abandoned (boot row
     * smp-ap-no-answer); stored as APIC ID + 1, 0: none. */
    unsigned int smp_test_no_sipi;
    enum smap_mode smap;
};

/* The most vCPUs a domain may have (MAX_VIRT_CPUS in domain.h). */
#define CMDLINE_MAX_VCPUS 8
/* The most pCPUs veneer drives (MAX_CPUS in boot_defs.h). */
#define CMDLINE_MAX_CPUS 8

typedef void (*cmdline_warn_fn)(void *ctx, const char *option, const char *why);

void cmdline_defaults(struct hv_options *opt);

/*
 * Parses the NUL-terminated line s (at most CMDLINE_MAX bytes are read).
 * Returns the number of problems reported through warn (0 when clean).
 * The first word is skipped when it looks like a file name (multiboot
 * loaders put the image path first).
 */
int cmdline_parse(const char *s, struct hv_options *opt, cmdline_warn_fn warn,
                  void *ctx);

const char *loglvl_name(enum loglvl lvl);

#endif
