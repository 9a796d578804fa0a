/*
 * vstore watch and vstore debug: the commands that stay connected or talk
 * to the daemon itself.
 */
#include "vstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vs_cmd_watch(struct xs_handle *h, int argc, char **argv)
{
    long count = -1;
    int opt;
    while ((opt = getopt(argc, argv, "n:")) != -1) {
        char *end;
        if (opt != 'n')
            return vs_usage();
        count = strtol(optarg, &end, 10);
        if (*end || count <= 0)
            return vs_usage();
    }
    if (optind >= argc)
        return vs_usage();
    for (int i = optind; i < argc; i++)
        if (!xs_watch(h, argv[i], argv[i]))
            return vs_fail("watch", argv[i]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (count != 0) {
        unsigned int n;
        char **ev = xs_read_watch(h, &n);
        if (!ev)
            return vs_fail("watch", argv[optind]);
        printf("%s\n", ev[XS_WATCH_PATH]);
        free(ev);
        if (count > 0)
            count--;
    }
    return 0;
}

int vs_cmd_debug(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 2)
        return vs_usage();
    /* The arguments travel as NUL-separated strings after the command. */
    size_t len = 0;
    for (int i = 2; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *data = malloc(len + 1), *p = data;
    if (!data)
        return vs_fail("debug", argv[1]);
    for (int i = 2; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        memcpy(p, argv[i], l);
        p += l;
    }
    char *r = xs_control_command(h, argv[1], data, len);
    free(data);
    if (!r)
        return vs_fail("debug", argv[1]);
    fputs(r, stdout);
    if (r[0] && r[strlen(r) - 1] != '\n')
        putchar('\n');
    free(r);
    return 0;
}
