/*
 * cmd_token.c - magnet token create|ls|revoke: API tokens for scripts
 * (Authorization: Bearer mgt_...). The token is printed once, at
 * creation; the store keeps only its SHA-256. Rules in src/auth/token.c.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

#define TOKEN_MAX_DAYS 3650

static const char token_usage[] =
    "usage: magnet token COMMAND [ARGS...]\n"
    "\n"
    "API tokens for scripts: send one as 'Authorization: Bearer TOKEN'. A token acts\n"
    "with its user's role and stops when the user is disabled.\n"
    "\n"
    "  create NAME --label LABEL [--expires DAYS]   make a token for user NAME and\n"
    "                                            print it (once: it is not kept)\n"
    "  ls [--user NAME] [--json]                  the tokens, newest first\n"
    "  revoke ID                                  stop token ID for good\n"
    "\n"
    "Common option: --db FILE (default $MAGNET_DB, else ./magnet.db).\n";

static int token_status(const char *cmd, const struct error *err)
{
    fprintf(stderr, "magnet %s: %s\n", cmd, err->msg[0] ? err->msg : "failed");
    if (auth_err_is_invalid(err->code))
        return EXIT_USAGE;
    switch (err->code) {
    case AUTH_E_NOT_FOUND:
    case AUTH_E_FORBIDDEN: return EXIT_INVALID;
    default: return EXIT_FAIL;
    }
}

static int open_store(const char *cmd, const char *db, struct store **st)
{
    struct error err = ERROR_INIT;
    if (store_open(cli_db_path(db), STORE_OPEN_EXISTING, st, &err) != 0) {
        fprintf(stderr, "magnet %s: %s\n", cmd, err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* A whole positive number up to max, or -1. */
static int64_t parse_num(const char *s, int64_t max)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    v = strtoull(s, &end, 10);
    if (*end || v < 1 || v > (unsigned long long)max)
        return -1;
    return (int64_t)v;
}

enum { OPT_DB = 256, OPT_LABEL, OPT_EXPIRES, OPT_USER, OPT_JSON };

static int token_create(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "label", required_argument, NULL, OPT_LABEL },
        { "expires", required_argument, NULL, OPT_EXPIRES },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "token create";
    const char *db = NULL, *label = NULL, *name;
    char token[AUTH_TOKEN_LEN + 1], who[AUDIT_USER_MAX + 1];
    struct audit_actor by;
    struct store *st;
    struct error err = ERROR_INIT;
    int64_t days = 0, id, now = auth_now();
    int c, status;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db = optarg; break;
        case OPT_LABEL: label = optarg; break;
        case OPT_EXPIRES:
            if ((days = parse_num(optarg, TOKEN_MAX_DAYS)) < 0)
                return cli_usage_error(cmd, "--expires takes a number of days from 1 to %d",
                                       TOKEN_MAX_DAYS);
            break;
        case 'h':
            printf("usage: magnet token create NAME --label LABEL [--expires DAYS]\n"
                   "\n"
                   "Make an API token for user NAME and print it on stdout. It is shown\n"
                   "this once: the store keeps only a hash. LABEL says what uses it (1 to %d\n"
                   "bytes, e.g. 'nightly export'). --expires DAYS ends it after that many days\n"
                   "(default: never; revoke it with magnet token revoke ID).\n",
                   AUTH_LABEL_MAX);
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no user name (magnet token create NAME --label LABEL)");
    name = argv[optind++];
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!label)
        return cli_usage_error(cmd, "no label: say what will use the token with --label");
    if ((status = open_store(cmd, db, &st)) != EXIT_OK)
        return status;
    audit_actor_cli(&by, who, sizeof(who));
    if (auth_token_create(st, &by, name, label, days ? now + days * 86400 : 0, now, &id, token,
                          &err) != 0) {
        status = token_status(cmd, &err);
    } else {
        printf("%s\n", token);
        fprintf(stderr, "token %lld for %s created: it is shown only this once, keep it "
                        "somewhere safe\n", (long long)id, name);
    }
    memset(token, 0, sizeof(token));
    store_close(st);
    return status;
}

struct ls_ctx {
    int json, n;
    struct strbuf out;
};

static void when(int64_t t, char *out, size_t size, const char *none)
{
    if (t)
        audit_time_format(t, out, size);
    else
        snprintf(out, size, "%s", none);
}

static int ls_row(const struct auth_token_info *t, void *p)
{
    struct ls_ctx *c = p;
    char created[32], used[32], state[40];
    if (c->json) {
        if (c->n)
            strbuf_addstr(&c->out, ",\n  ");
        auth_token_json(&c->out, t);
    } else {
        when(t->created, created, sizeof(created), "-");
        when(t->last_used, used, sizeof(used), "never");
        if (t->revoked)
            snprintf(state, sizeof(state), "revoked");
        else if (t->expires && t->expires <= auth_now())
            snprintf(state, sizeof(state), "expired");
        else if (t->expires) {
            char e[32];
            audit_time_format(t->expires, e, sizeof(e));
            snprintf(state, sizeof(state), "until %.10s", e);
        } else
            snprintf(state, sizeof(state), "active");
        printf("%-5lld %-16s %-17s %-20s %-20s %s\n", (long long)t->id, t->user, state, created,
               used, t->label);
    }
    c->n++;
    return 0;
}

static int token_ls(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "user", required_argument, NULL, OPT_USER },
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "token ls";
    const char *db = NULL, *user = NULL;
    struct store *st;
    struct error err = ERROR_INIT;
    struct ls_ctx ctx;
    int64_t user_id = 0;
    int c, status;

    memset(&ctx, 0, sizeof(ctx));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db = optarg; break;
        case OPT_USER: user = optarg; break;
        case OPT_JSON: ctx.json = 1; break;
        case 'h':
            printf("usage: magnet token ls [--user NAME] [--json]\n\nThe API tokens (revoked "
                   "ones too), newest first: id, user, state, created, last used, label.\n");
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (user && auth_name_check(user, &err) != 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if ((status = open_store(cmd, db, &st)) != EXIT_OK)
        return status;
    if (user) {
        struct auth_user u;
        int rc = auth_user_get(st, user, &u, &err);
        if (rc <= 0) {
            if (rc == 0)
                error_code(&err, AUTH_E_NOT_FOUND, "no user named '%s'", user);
            status = token_status(cmd, &err);
            store_close(st);
            return status;
        }
        user_id = u.id;
    }
    strbuf_init(&ctx.out, 256);
    if (!ctx.json)
        printf("%-5s %-16s %-17s %-20s %-20s %s\n", "ID", "USER", "STATE", "CREATED",
               "LAST USED", "LABEL");
    if (auth_token_each(st, user_id, ls_row, &ctx, &err) < 0)
        status = token_status(cmd, &err);
    else if (ctx.json)
        printf("[%s%s%s]\n", ctx.n ? "\n  " : "", ctx.out.buf, ctx.n ? "\n" : "");
    else if (!ctx.n)
        printf("no tokens yet\n");
    strbuf_release(&ctx.out);
    store_close(st);
    return status;
}

static int token_revoke(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "token revoke";
    const char *db = NULL;
    char who[AUDIT_USER_MAX + 1];
    struct audit_actor by;
    struct store *st;
    struct error err = ERROR_INIT;
    int64_t id;
    int c, status, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: db = optarg; break;
        case 'h':
            printf("usage: magnet token revoke ID\n\nStop API token ID (see magnet token ls) "
                   "for good.\n");
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no token id (magnet token revoke ID; see magnet token ls)");
    if ((id = parse_num(argv[optind], INT64_MAX)) < 0)
        return cli_usage_error(cmd, "'%s' is not a token id (a number, see magnet token ls)",
                               argv[optind]);
    if (++optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if ((status = open_store(cmd, db, &st)) != EXIT_OK)
        return status;
    audit_actor_cli(&by, who, sizeof(who));
    rc = auth_token_revoke(st, &by, id, 0, auth_now(), &err);
    if (rc < 0) {
        status = token_status(cmd, &err);
    } else if (rc == 0) {
        fprintf(stderr, "magnet %s: no token %lld, or it is revoked already\n", cmd,
                (long long)id);
        status = EXIT_INVALID;
    } else {
        printf("token %lld revoked\n", (long long)id);
    }
    store_close(st);
    return status;
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} token_commands[] = {
    { "create", token_create }, { "ls", token_ls }, { "revoke", token_revoke }, { NULL, NULL }
};

int cmd_token(int argc, char **argv)
{
    size_t i;
    if (argc < 2) {
        fputs(token_usage, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(token_usage, stdout);
        return EXIT_OK;
    }
    for (i = 0; token_commands[i].name; i++)
        if (!strcmp(argv[1], token_commands[i].name))
            return token_commands[i].fn(argc - 1, argv + 1);
    return cli_usage_error("token", "'%s' is not a token command (create, ls, revoke)", argv[1]);
}
