/*
 * vboot, the QEMU boot harness: what a boot case is (one table row or one
 * command line), how rows are parsed, and how a case is run.
 *
 * A case is plain data so that a boot-matrix row (kernel x role x vCPUs x
 * memory x accelerator) is one line of a table, never a new script.
 */
#ifndef VENEER_VBOOT_H
#define VENEER_VBOOT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* Defaults of a case that does not say otherwise. */
#define VB_DEFAULT_MEM_MIB 256
#define VB_DEFAULT_SMP     2    /* the hypervisor brings up the second CPU */
#define VB_DEFAULT_TIMEOUT 60.0 /* seconds under TCG */
#define VB_DEFAULT_EXIT    1    /* isa-debug-exit with value 0: pass */

/* Length limits, so that hostile input cannot make us allocate unboundedly. */
#define VB_NAME_MAX   64
#define VB_VALUE_MAX  65536 /* one value after ${VAR} expansion */
#define VB_LIST_MAX   64    /* expects, fails or qemu args per case */
#define VB_LINE_MAX   (1 << 20)
#define VB_ERROR_SIZE 256

struct vb_pattern {
    char *src; /* the regex as written, for messages */
    regex_t re;
};

struct vb_patterns {
    struct vb_pattern *v;
    size_t n;
};

struct vb_strv {
    char **v;
    size_t n;
};

struct vb_case {
    char *name;   /* [A-Za-z0-9._-], also the log file's name */
    char *kernel; /* -kernel */
    char *append; /* -append, or NULL */
    char *initrd; /* -initrd, QEMU's "a args,b" syntax, or NULL */
    char *accel;  /* "tcg"/"kvm" forced by the row, or NULL: the run's */
    char *xfail;  /* why this case is expected to fail, or NULL */
    char *flaky;  /* why it may fail for reasons outside veneer, or NULL */
    unsigned mem_mib;
    unsigned smp;
    double timeout; /* seconds under TCG, before scaling */
    int exit_status;
    struct vb_patterns expect; /* must match serial lines in this order */
    struct vb_patterns fail;   /* any match is a failure */
    struct vb_strv qemu_args;  /* extra QEMU arguments */
    unsigned set;              /* keys given so far, to refuse duplicates */
    bool stop; /* stop=yes: pass once every expect matched (like --stop) */
};

/* vboot-case.c: a case and its keys. */
void vb_case_init(struct vb_case *c);
void vb_case_free(struct vb_case *c);
/*
 * Sets one key ("kernel", "expect", ...) from its text. Returns 0, or -1 with
 * a message in err naming the key and what is wrong with the value.
 */
int vb_case_set(struct vb_case *c, const char *key, const char *value,
                char *err, size_t errlen);
/* Appends one QEMU argument as it is (--qemu-arg; no splitting). */
int vb_case_add_qemu_arg(struct vb_case *c, const char *arg, char *err,
                         size_t errlen);
/* Checks a complete case (a kernel is given, the name is usable). */
int vb_case_check(const struct vb_case *c, char *err, size_t errlen);

/* vboot-table.c: the table format. */
/*
 * Expands ${VAR} from the environment into a new string (*out, to free).
 * "$" not followed by "{" stays as it is (regexes end with "$").
 */
int vb_expand(const char *in, char **out, char *err, size_t errlen);
/*
 * Parses one table line into c (initialised by the caller). Returns 1 for a
 * row, 0 for a blank or comment line, -1 with err set for a malformed one.
 * len is the line's length, so that a NUL byte inside it is refused.
 */
int vb_parse_row(const char *line, size_t len, struct vb_case *c, char *err,
                 size_t errlen);

/* vboot-run.c: running one case. */
struct vb_opts {
    const char *qemu;    /* the QEMU binary (path or name for PATH) */
    const char *accel;   /* "tcg" or "kvm" */
    const char *log_dir; /* where serial logs go */
    double scale;        /* timeout multiplier (accelerator, environment) */
    bool verbose;        /* echo the serial log live */
    bool times;          /* print the time of each expect's match */
    bool keep_logs;      /* keep the logs of passed runs too */
    bool stop;           /* pass and stop QEMU once every expect matched */
};

enum vb_verdict { VB_PASS, VB_FAIL, VB_SKIP };

struct vb_result {
    enum vb_verdict verdict;
    double seconds;     /* QEMU start to its exit (or our kill) */
    char why[512];      /* for FAIL and SKIP */
    char log[4096];     /* the serial log's path, "" if none */
    int harness_signal; /* nonzero: we were told to stop by it */
};

void vb_run_case(const struct vb_case *c, const struct vb_opts *o,
                 struct vb_result *r);
/* Installs the harness's signal handling; call once before running. */
int vb_run_init(void);

#endif
