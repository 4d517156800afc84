/*
 * cli.c - command table and dispatch for the magnet binary.
 */
#include "cli.h"

#include <string.h>

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { NULL, NULL, NULL }
};

static void usage(FILE *out)
{
    const struct command *c;
    fprintf(out, "usage: magnet COMMAND [ARGS...]\n\ncommands:\n");
    for (c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\nmagnet COMMAND --help shows a command's options.\n");
}

int cli_main(int argc, char **argv)
{
    const struct command *c;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    for (c = commands; c->name; c++)
        if (!strcmp(c->name, argv[1]))
            return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "magnet: '%s' is not a command; see 'magnet --help'\n", argv[1]);
    return EXIT_USAGE;
}
