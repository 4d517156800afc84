/*
 * cmd_init.c - magnet init: create the store, or migrate an existing one.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *db = NULL;
    struct store *st;
    struct error err = ERROR_INIT;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet init [--db FILE]\n\nCreate the store (SQLite, WAL mode) or "
                   "migrate it to this version's schema.\n");
            return EXIT_OK;
        default: return cli_usage_error("init", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
    if (store_open(cli_db_path(db), STORE_CREATE, &st, &err) != 0) {
        cli_print_error(&err);
        return EXIT_FAIL;
    }
    printf("store %s ready (schema version %d)\n", cli_db_path(db), store_schema_version(st));
    store_close(st);
    return EXIT_OK;
}
