/*
 * cli.h - the command-line front end: a table of commands, and the helpers
 * every command shares (option parsing, the store path, output).
 *
 * A command only parses its arguments, calls the core library and renders
 * the result; it never touches SQL or files' insides itself.
 */
#ifndef MAGNET_CLI_CLI_H
#define MAGNET_CLI_CLI_H

#include <stdio.h>

/* Exit statuses. */
enum {
    EXIT_OK = 0,
    EXIT_INVALID = 1,   /* the input was understood but rejected (bad rows, not found) */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_FAILURE_ = 3   /* could not do the work (I/O, store) */
};

int cli_main(int argc, char **argv);

#endif
