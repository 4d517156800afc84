/*
 * cmd_audit.c - magnet audit: read the audit trail, newest first, by
 * entity, user and time, a page at a time. The log itself is written by
 * whatever changes data (src/auth/audit.h); nothing here can change it.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

static const char audit_help[] =
    "usage: magnet audit [--entity T] [--id X] [--user U] [--since T] [--until T]\n"
    "                    [--limit N] [--offset N] [--before ID] [--json]\n"
    "\n"
    "The audit trail, newest first: when, who (account or cli:LOGIN), from where,\n"
    "what (action, entity, id), and the values before and after.\n"
    "\n"
    "  --entity T    one kind of entity: user, token, session, ent, list, ...\n"
    "  --id X        one entity id (a user name, a token id, a USCC, ...)\n"
    "  --user U      changes made by U (an account name, or cli:LOGIN)\n"
    "  --since T     at or after T; --until T: before T. T is YYYY-MM-DD,\n"
    "                YYYY-MM-DDTHH:MM:SSZ (UTC) or unix seconds\n"
    "  --limit N     rows per page, 1 to 1000 (default 100)\n"
    "  --offset N    skip N rows; --before ID: rows older than row ID (stable paging)\n"
    "  --json        one JSON document {total, limit, offset, rows: [...]}\n"
    "  --db FILE     the store (default $MAGNET_DB, else ./magnet.db)\n";

enum { OPT_DB = 256, OPT_ENTITY, OPT_ID, OPT_USER, OPT_SINCE, OPT_UNTIL, OPT_LIMIT, OPT_OFFSET,
       OPT_BEFORE, OPT_JSON };

struct print_ctx {
    int json, n;
    struct strbuf out;
};

/* before/after on one line: JSON text may hold newlines. */
static void print_value(const char *v)
{
    for (; v && *v; v++)
        fputc(*v == '\n' || *v == '\r' ? ' ' : *v, stdout);
}

static int print_row(const struct audit_row *r, void *p)
{
    struct print_ctx *c = p;
    char at[32];
    if (c->json) {
        if (c->n)
            strbuf_addstr(&c->out, ",\n    ");
        audit_row_json(&c->out, r);
    } else {
        audit_time_format(r->at, at, sizeof(at));
        printf("%-6lld %s  %-16s %-15s %-14s %s %s", (long long)r->id, at, r->user, r->remote,
               r->action, r->entity, r->entity_id ? r->entity_id : "-");
        if (r->before) {
            fputs("  before=", stdout);
            print_value(r->before);
        }
        if (r->after) {
            fputs("  after=", stdout);
            print_value(r->after);
        }
        fputc('\n', stdout);
    }
    c->n++;
    return 0;
}

static int parse_count(const char *cmd, const char *opt, const char *s, int64_t min, int64_t max,
                       int64_t *out)
{
    char *end;
    long long v;
    if (!*s || *s == '+' || *s == ' ')
        goto bad;
    v = strtoll(s, &end, 10);
    if (*end || v < min || v > max)
        goto bad;
    *out = v;
    return EXIT_OK;
bad:
    return cli_usage_error(cmd, "%s takes a number from %lld to %lld", opt, (long long)min,
                           (long long)max);
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "entity", required_argument, NULL, OPT_ENTITY },
        { "id", required_argument, NULL, OPT_ID },
        { "user", required_argument, NULL, OPT_USER },
        { "since", required_argument, NULL, OPT_SINCE },
        { "until", required_argument, NULL, OPT_UNTIL },
        { "limit", required_argument, NULL, OPT_LIMIT },
        { "offset", required_argument, NULL, OPT_OFFSET },
        { "before", required_argument, NULL, OPT_BEFORE },
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "audit";
    const char *db = NULL;
    struct audit_filter f;
    struct print_ctx ctx;
    struct store *st;
    struct error err = ERROR_INIT;
    int64_t total = 0;
    int c, status = EXIT_OK;

    memset(&f, 0, sizeof(f));
    memset(&ctx, 0, sizeof(ctx));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db = optarg; break;
        case OPT_ENTITY: f.entity = optarg; break;
        case OPT_ID: f.entity_id = optarg; break;
        case OPT_USER: f.user = optarg; break;
        case OPT_SINCE:
            if (audit_time_parse(optarg, &f.since, &err) != 0)
                return cli_usage_error(cmd, "--since: %s", err.msg);
            break;
        case OPT_UNTIL:
            if (audit_time_parse(optarg, &f.until, &err) != 0)
                return cli_usage_error(cmd, "--until: %s", err.msg);
            break;
        case OPT_LIMIT:
            if ((status = parse_count(cmd, "--limit", optarg, 1, AUDIT_LIMIT_MAX, &f.limit)))
                return status;
            break;
        case OPT_OFFSET:
            if ((status = parse_count(cmd, "--offset", optarg, 0, 1000000000, &f.offset)))
                return status;
            break;
        case OPT_BEFORE:
            if ((status = parse_count(cmd, "--before", optarg, 1, INT64_MAX, &f.before_id)))
                return status;
            break;
        case OPT_JSON: ctx.json = 1; break;
        case 'h': fputs(audit_help, stdout); return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (f.since && f.until && f.until <= f.since)
        return cli_usage_error(cmd, "--until must be later than --since");
    if (store_open(cli_db_path(db), STORE_OPEN_EXISTING, &st, &err) != 0) {
        fprintf(stderr, "magnet %s: %s\n", cmd, err.msg);
        return EXIT_FAIL;
    }
    strbuf_init(&ctx.out, 1024);
    if (!ctx.json)
        printf("%-6s %-20s  %-16s %-15s %-14s %s\n", "ID", "AT (UTC)", "WHO", "FROM", "ACTION",
               "ENTITY ID");
    if (audit_query(st, &f, print_row, &ctx, &total, &err) < 0) {
        fprintf(stderr, "magnet %s: %s\n", cmd, err.msg);
        status = audit_err_is_invalid(err.code) ? EXIT_USAGE : EXIT_FAIL;
    } else if (ctx.json) {
        printf("{\n  \"total\": %lld,\n  \"limit\": %lld,\n  \"offset\": %lld,\n  \"rows\": [%s%s%s]\n}\n",
               (long long)total, (long long)(f.limit ? f.limit : AUDIT_LIMIT_DEFAULT),
               (long long)f.offset, ctx.n ? "\n    " : "", ctx.out.buf, ctx.n ? "\n  " : "");
    } else if (!ctx.n) {
        printf("no audit rows%s\n", total ? " on this page" : " match");
    } else if (!f.before_id && total > f.offset + ctx.n) {
        printf("(%d of %lld shown; more with --offset %lld)\n", ctx.n, (long long)total,
               (long long)(f.offset + ctx.n));
    }
    strbuf_release(&ctx.out);
    store_close(st);
    return status;
}
