/*
 * vstore, the xenstore CLI for people: the command table's entry type and
 * the helpers shared by the command files (cmd-*.c).
 */
#ifndef VSTORE_CLI_H
#define VSTORE_CLI_H

#include <stdbool.h>
#include <xenstore.h>

struct vs_cmd {
    const char *name;
    int (*fn)(struct xs_handle *h, int argc, char **argv);
    const char *usage;
    const char *help;
};

/* Prints "vstore: <what>: <strerror(errno)>" and returns 1. */
int vs_fail(const char *what, const char *path);
/* Exits with the usage line of the running command. */
int vs_usage(void);

int vs_cmd_read(struct xs_handle *h, int argc, char **argv);
int vs_cmd_write(struct xs_handle *h, int argc, char **argv);
int vs_cmd_ls(struct xs_handle *h, int argc, char **argv);
int vs_cmd_rm(struct xs_handle *h, int argc, char **argv);
int vs_cmd_mkdir(struct xs_handle *h, int argc, char **argv);
int vs_cmd_chmod(struct xs_handle *h, int argc, char **argv);
int vs_cmd_watch(struct xs_handle *h, int argc, char **argv);
int vs_cmd_debug(struct xs_handle *h, int argc, char **argv);

#endif
