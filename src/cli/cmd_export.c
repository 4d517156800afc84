/*
 * cmd_export.c - magnet export enterprises -o FILE.xlsx|FILE.csv
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "registry/export.h"
#include "registry/table_write.h"

static void progress(int64_t rows, void *ctx)
{
    fprintf(stderr, "\r%s: %lld rows", (const char *)ctx, (long long)rows);
}

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "bom", no_argument, NULL, 'b' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *db = NULL, *outpath = NULL;
    struct export_options opt = { 0 };
    struct store *st;
    struct error err = ERROR_INIT;
    int64_t rows;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': outpath = optarg; break;
        case 'b': opt.csv_bom = 1; break;
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet export enterprises -o FILE.xlsx|FILE.csv [--bom] [--db FILE]\n"
                   "\nWrite every enterprise with Chinese headers. XLSX: real date and number\n"
                   "cells, frozen and filtered header, a new sheet every 1,048,575 rows.\n"
                   "CSV: UTF-8; --bom adds a byte-order mark so Excel reads the Chinese.\n");
            return EXIT_OK;
        default: return cli_usage_error("export", "unknown option");
        }
    }
    if (optind >= argc || strcmp(argv[optind], "enterprises") != 0)
        return cli_usage_error("export", "expected 'enterprises'");
    if (optind + 1 < argc)
        return cli_usage_error("export", "unexpected argument '%s'", argv[optind + 1]);
    if (!outpath)
        return cli_usage_error("export", "-o FILE is required");
    if (table_format_of(outpath) < 0)
        return cli_usage_error("export", "-o %s: the file name must end in .xlsx or .csv",
                               outpath);
    if (store_open(cli_db_path(db), STORE_OPEN_EXISTING, &st, &err) != 0) {
        cli_print_error(&err);
        return EXIT_FAIL;
    }
    if (cli_stderr_is_tty()) {
        opt.progress = progress;
        opt.progress_ctx = (void *)outpath;
    }
    if (export_enterprises(st, outpath, &opt, &rows, &err) != 0) {
        if (opt.progress)
            fputc('\n', stderr);
        cli_print_error(&err);
        store_close(st);
        return EXIT_FAIL;
    }
    if (opt.progress)
        fputc('\n', stderr);
    printf("%s: %lld enterprises\n", outpath, (long long)rows);
    store_close(st);
    return EXIT_OK;
}
