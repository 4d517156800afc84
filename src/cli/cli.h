/*
 * cli.h - the command-line front end: the command table (cli.c) and the
 * helpers every command shares.
 *
 * A command only parses its arguments, calls the core library and renders
 * the result; it never touches SQL or the insides of files itself.
 */
#ifndef MAGNET_CLI_CLI_H
#define MAGNET_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

/* Exit statuses. */
enum {
    EXIT_OK = 0,
    EXIT_INVALID = 1,  /* the input was understood but rejected (bad rows, not found) */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_FAIL = 3      /* could not do the work (I/O, store) */
};

int cli_main(int argc, char **argv);

/* The store path: --db value, else $MAGNET_DB, else ./magnet.db. */
const char *cli_db_path(const char *flag);

/* Print "magnet CMD: message" to stderr and return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) MAGNET_PRINTF(2, 3);
/* Print "magnet: message" to stderr. */
void cli_print_error(const struct error *err);

/* Queries may start with '-' ("-region:3301 tag:高新"), which getopt would
 * take for options: remove from argv every argument that starts with a
 * single '-' and is longer than two characters or holds a non-ASCII byte
 * or ':' (no short option of ours looks like that), and return the first
 * such argument (NULL when none). *argc is updated. Call before getopt. */
const char *cli_take_dash_query(int *argc, char **argv);

/* Columns s takes on a terminal (East Asian wide characters take two), and
 * s printed left-aligned in width columns: for tables of Chinese text. */
int cli_display_width(const char *s);
void cli_print_padded(const char *s, int width);

/* 1 when stderr is a terminal (progress output). */
int cli_stderr_is_tty(void);

/* The enterprise a user means by a USCC or a name (exact name key, else a
 * name containing the text): 1 and *id when exactly one, 0 when none or
 * several (several are listed on stderr as "magnet CMD: ..."), -1 on a
 * store error. In cmd_show.c. */
struct store;
int cli_resolve_ent(const char *cmd, struct store *st, const char *arg, int64_t *id,
                    struct error *err);

#endif
