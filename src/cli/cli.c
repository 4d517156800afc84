/*
 * cli.c - the command table and dispatch of the magnet binary, and the
 * helpers the commands share. The table is the list of what exists.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/utf8.h"
#include "cli/commands.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "init", cmd_init, "create (or migrate) the store" },
    { "import", cmd_import, "import enterprises from CSV or XLSX files" },
    { "show", cmd_show, "show one enterprise, its extra columns and its history" },
    { "export", cmd_export, "export enterprises to XLSX or CSV" },
    { "stats", cmd_stats, "counts by status, province and industry section" },
    { "batches", cmd_batches, "list import batches (provenance)" },
    { "gen", cmd_gen, "generate realistic enterprises to CSV or XLSX (deterministic)" },
    { "classify", cmd_classify, "place enterprises in industry-chain nodes, or explain one" },
    { "chains", cmd_chains, "the industry-chain taxonomy with enterprise counts per node" },
    { "screen", cmd_screen, "find and rank enterprises with the query language" },
    { "list", cmd_list, "saved screening lists (清单): save, ls, show, diff, export, rm" },
    { "chain", cmd_chain, "chain map of a track for the home district: LQ, leaders, 补链 targets" },
    { "serve", cmd_serve, "run the HTTP JSON API (and the web UI) until SIGTERM" },
    { "user", cmd_user, "accounts: add, passwd, ls, disable, enable, role, unlock" },
    { "token", cmd_token, "API tokens for scripts: create (shown once), ls, revoke" },
    { "audit", cmd_audit, "the audit trail: who changed what, when, from where" },
    { NULL, NULL, NULL }
};

static void usage(FILE *out)
{
    const struct command *c;
    fprintf(out, "usage: magnet COMMAND [ARGS...]\n\n"
                 "Magnet (磁石): investment promotion and enterprise service.\n\ncommands:\n");
    for (c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n'magnet COMMAND --help' shows a command's options.\n"
                 "The store is --db FILE, else $MAGNET_DB, else ./magnet.db.\n");
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

const char *cli_db_path(const char *flag)
{
    const char *env;
    if (flag && *flag)
        return flag;
    env = getenv("MAGNET_DB");
    if (env && *env)
        return env;
    return "magnet.db";
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "magnet %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'magnet %s --help')\n", cmd);
    return EXIT_USAGE;
}

void cli_print_error(const struct error *err)
{
    fprintf(stderr, "magnet: %s\n", err->msg[0] ? err->msg : "unknown error");
}

int cli_stderr_is_tty(void)
{
    return isatty(2);
}

const char *cli_take_dash_query(int *argc, char **argv)
{
    const char *found = NULL;
    int i, j = 1;
    for (i = 1; i < *argc; i++) {
        const char *a = argv[i];
        int looks = a[0] == '-' && a[1] && a[1] != '-' &&
                    (strlen(a) > 2 || (unsigned char)a[1] >= 0x80 || a[1] == ':');
        if (i > 1 && strcmp(argv[i - 1], "--") == 0)
            looks = 0;
        if (looks && !found) {
            found = a;
            continue;
        }
        argv[j++] = argv[i];
    }
    *argc = j;
    argv[j] = NULL;
    return found;
}

int cli_display_width(const char *s)
{
    size_t len = strlen(s), i = 0;
    int w = 0;
    while (i < len) {
        int32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (!k) {
            k = 1;
            cp = '?';
        }
        w += (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                     (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                     (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                     (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)
                 ? 2
                 : 1;
        i += k;
    }
    return w;
}

void cli_print_padded(const char *s, int width)
{
    int w = cli_display_width(s);
    fputs(s, stdout);
    for (; w < width; w++)
        fputc(' ', stdout);
}

