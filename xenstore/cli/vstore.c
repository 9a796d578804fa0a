/*
 * vstore: the command table and main. Every command gets an open handle
 * and its own arguments (argv[0] = command name).
 */
#include "vstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vs_cmd cmds[] = {
    {"read", vs_cmd_read, "read PATH...", "print the values of nodes"},
    {"write", vs_cmd_write, "write PATH VALUE [PATH VALUE]...",
     "set values (atomically, in one transaction)"},
    {"ls", vs_cmd_ls, "ls [-p] [PATH]", "print a subtree (-p: with perms)"},
    {"rm", vs_cmd_rm, "rm PATH...", "remove nodes and what lies below"},
    {"mkdir", vs_cmd_mkdir, "mkdir PATH...", "create empty nodes"},
    {"chmod", vs_cmd_chmod, "chmod [-r] PATH PERM...",
     "set permissions, e.g. n5 r0 (-r: the whole subtree)"},
    {"watch", vs_cmd_watch, "watch [-n COUNT] PATH...",
     "print the path of every change below PATH"},
    {"debug", vs_cmd_debug, "debug COMMAND [ARG]...",
     "send a CONTROL command (help, quota, log, print, check, memreport)"},
};

static const struct vs_cmd *current;

int vs_fail(const char *what, const char *path)
{
    fprintf(stderr, "vstore: %s %s: %s\n", what, path ? path : "",
            strerror(errno));
    return 1;
}

int vs_usage(void)
{
    fprintf(stderr, "usage: vstore %s\n", current->usage);
    return 2;
}

static void help(FILE *f)
{
    fprintf(f, "usage: vstore COMMAND [ARGS]\n"
               "The daemon is found as libxenstore finds it "
               "(XENSTORED_PATH, XENSTORED_RUNDIR).\n\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(f, "  %-34s %s\n", cmds[i].usage, cmds[i].help);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "--help")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(cmds[i].name, argv[1]) != 0)
            continue;
        current = &cmds[i];
        struct xs_handle *h = xs_open(0);
        if (!h)
            return vs_fail("cannot connect to", xs_daemon_socket());
        int rc = cmds[i].fn(h, argc - 1, argv + 1);
        xs_close(h);
        return rc;
    }
    fprintf(stderr, "vstore: unknown command '%s'\n", argv[1]);
    help(stderr);
    return 2;
}
