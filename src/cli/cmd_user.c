/*
 * cmd_user.c - magnet user add|passwd|ls|disable|enable|role|unlock: the
 * accounts of the web UI and API. The rules (names, roles, argon2id,
 * audit rows) are in src/auth/; this file parses the command line, reads
 * passwords without echo, and renders the result. docs/security.md is the
 * manual.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

static const char user_usage[] =
    "usage: magnet user COMMAND [ARGS...]\n"
    "\n"
    "Accounts of the web UI and the HTTP API (see docs/security.md).\n"
    "\n"
    "  add NAME --role ROLE [--dept DEPT] [--password-stdin]   create an account\n"
    "  passwd NAME [--password-stdin]         set a new password (ends its sessions)\n"
    "  ls [--json]                            the accounts\n"
    "  disable NAME                           stop an account (sessions end, tokens stop)\n"
    "  enable NAME                            let a disabled account in again\n"
    "  role NAME ROLE [--dept DEPT]           change an account's role\n"
    "  unlock NAME                            lift a lockout after failed logins\n"
    "\n"
    "Roles: admin (管理员), staff (招商专员), leader (区领导), dept (部门/街道, needs\n"
    "--dept), viewer (只读用户). Without --password-stdin the password is asked on the\n"
    "terminal without echo. Every change is recorded in the audit log as cli:$USER.\n"
    "Common option: --db FILE (default $MAGNET_DB, else ./magnet.db).\n";

/* The exit status for an auth error (cli.h). */
static int user_status(const char *cmd, const struct error *err)
{
    fprintf(stderr, "magnet %s: %s\n", cmd, err->msg[0] ? err->msg : "failed");
    if (auth_err_is_invalid(err->code))
        return EXIT_USAGE;
    switch (err->code) {
    case AUTH_E_EXISTS:
    case AUTH_E_NOT_FOUND:
    case AUTH_E_FORBIDDEN:
    case AUTH_E_DENIED: return EXIT_INVALID;
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

/* One line from f into out (size >= AUTH_PASSWORD_MAX + 2) without its
 * line end: 0, or -1 with a message when it is too long or missing. */
static int read_line(const char *cmd, FILE *f, char *out, size_t size)
{
    size_t n;
    if (!fgets(out, (int)size, f)) {
        fprintf(stderr, "magnet %s: no password given\n", cmd);
        return -1;
    }
    n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[--n] = 0;
    else if (!feof(f)) {
        fprintf(stderr, "magnet %s: the password is longer than %d bytes\n", cmd,
                AUTH_PASSWORD_MAX);
        return -1;
    }
    if (n && out[n - 1] == '\r')
        out[--n] = 0;
    if (strlen(out) != n) {
        fprintf(stderr, "magnet %s: the password contains a NUL byte\n", cmd);
        return -1;
    }
    return 0;
}

/* Ask on the terminal (stdin) with echo off. */
static int ask(const char *cmd, const char *prompt, char *out, size_t size)
{
    struct termios old, quiet;
    int rc;

    if (tcgetattr(0, &old) != 0) {
        fprintf(stderr, "magnet %s: cannot turn off echo on this terminal\n", cmd);
        return -1;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    fputs(prompt, stderr);
    fflush(stderr);
    tcsetattr(0, TCSAFLUSH, &quiet);
    rc = read_line(cmd, stdin, out, size);
    tcsetattr(0, TCSAFLUSH, &old);
    return rc;
}

/* The new password for name: from stdin (one line) or asked twice on the
 * terminal. EXIT_OK, or an exit status. */
static int get_password(const char *cmd, const char *name, int from_stdin, char *out,
                        size_t size)
{
    char again[AUTH_PASSWORD_MAX + 2], prompt[128];
    int same;

    if (from_stdin)
        return read_line(cmd, stdin, out, size) == 0 ? EXIT_OK : EXIT_USAGE;
    if (!isatty(0))
        return cli_usage_error(cmd, "no terminal to ask for the password on: pipe it in with "
                                    "--password-stdin");
    snprintf(prompt, sizeof(prompt), "New password for %s: ", name);
    if (ask(cmd, prompt, out, size) != 0)
        return EXIT_USAGE;
    if (ask(cmd, "Again: ", again, sizeof(again)) != 0)
        return EXIT_USAGE;
    same = !strcmp(out, again);
    memset(again, 0, sizeof(again));
    if (!same) {
        fprintf(stderr, "magnet %s: the two passwords differ; nothing changed\n", cmd);
        return EXIT_INVALID;
    }
    return EXIT_OK;
}

enum { OPT_DB = 256, OPT_ROLE, OPT_DEPT, OPT_STDIN, OPT_JSON };

static const struct option user_options[] = {
    { "db", required_argument, NULL, OPT_DB },
    { "role", required_argument, NULL, OPT_ROLE },
    { "dept", required_argument, NULL, OPT_DEPT },
    { "password-stdin", no_argument, NULL, OPT_STDIN },
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct user_args {
    const char *db, *role, *dept;
    int from_stdin, json, help;
    const char *pos[2];
    int npos;
};

/* Options allowed[] by letter: r role, d dept, s stdin, j json. */
static int parse(const char *cmd, int argc, char **argv, const char *allowed, int want_pos,
                 struct user_args *a)
{
    int c;
    memset(a, 0, sizeof(*a));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", user_options, NULL)) != -1) {
        char letter = c == OPT_ROLE ? 'r' : c == OPT_DEPT ? 'd' : c == OPT_STDIN ? 's'
                      : c == OPT_JSON ? 'j' : 0;
        if (letter && !strchr(allowed, letter))
            return cli_usage_error(cmd, "option '%s' does not apply here", argv[optind - 1]);
        switch (c) {
        case OPT_DB: a->db = optarg; break;
        case OPT_ROLE: a->role = optarg; break;
        case OPT_DEPT: a->dept = optarg; break;
        case OPT_STDIN: a->from_stdin = 1; break;
        case OPT_JSON: a->json = 1; break;
        case 'h': a->help = 1; return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    while (optind < argc) {
        if (a->npos >= want_pos)
            return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        a->pos[a->npos++] = argv[optind++];
    }
    if (a->npos < want_pos)
        return cli_usage_error(cmd, "missing %s", a->npos == 0 ? "user name" : "role");
    return EXIT_OK;
}

/* The argon2id cost of the server's settings, when the environment gives
 * it (MAGNET_ARGON2_M_KIB, MAGNET_ARGON2_T), so that a password set here is
 * hashed as the server would; otherwise the defaults. (A hash of another
 * cost still verifies, and is upgraded at the next login.) */
static int configure_from_env(const char *cmd)
{
    struct auth_config c;
    struct error err = ERROR_INIT;
    const char *m = getenv("MAGNET_ARGON2_M_KIB"), *t = getenv("MAGNET_ARGON2_T");
    char *end;

    auth_config_default(&c);
    if (m && *m) {
        unsigned long v = strtoul(m, &end, 10);
        if (*end || v > UINT32_MAX)
            return cli_usage_error(cmd, "MAGNET_ARGON2_M_KIB is not a number of KiB");
        c.argon2_m_kib = (uint32_t)v;
    }
    if (t && *t) {
        unsigned long v = strtoul(t, &end, 10);
        if (*end || v > UINT32_MAX)
            return cli_usage_error(cmd, "MAGNET_ARGON2_T is not a number of passes");
        c.argon2_t = (uint32_t)v;
    }
    if (auth_configure(&c, &err) != 0)
        return cli_usage_error(cmd, "%s", err.msg);
    return EXIT_OK;
}

static int user_add(int argc, char **argv)
{
    static const char *cmd = "user add";
    char password[AUTH_PASSWORD_MAX + 2], who[AUDIT_USER_MAX + 1];
    struct audit_actor by;
    struct user_args a;
    struct store *st;
    struct error err = ERROR_INIT;
    enum auth_role role;
    int64_t id;
    int status;

    if ((status = parse(cmd, argc, argv, "rds", 1, &a)) != EXIT_OK)
        return status;
    if (a.help) {
        printf("usage: magnet user add NAME --role ROLE [--dept DEPT] [--password-stdin]\n"
               "\n"
               "Create an account. NAME: 1 to %d of A-Z a-z 0-9 . _ @ - (starting with a\n"
               "letter or digit), unique without regard to case. ROLE: admin, staff, leader,\n"
               "dept or viewer; a dept user names its department or street office with\n"
               "--dept (e.g. --dept 文新街道). The password (%d to %d characters) is read from\n"
               "the terminal without echo, or as one line from stdin with --password-stdin.\n",
               AUTH_NAME_MAX, AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
        return EXIT_OK;
    }
    if (!a.role)
        return cli_usage_error(cmd, "no role: --role admin|staff|leader|dept|viewer");
    if ((status = configure_from_env(cmd)) != EXIT_OK)
        return status;
    if (auth_name_check(a.pos[0], &err) != 0 || auth_role_parse(a.role, &role, &err) != 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if (role == AUTH_ROLE_DEPT && auth_dept_check(a.dept, &err) != 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if (role != AUTH_ROLE_DEPT && a.dept)
        return cli_usage_error(cmd, "only a dept user has a department (--dept)");
    if ((status = open_store(cmd, a.db, &st)) != EXIT_OK)
        return status;
    /* Say "exists" before asking for a password. */
    {
        struct auth_user u;
        int rc = auth_user_get(st, a.pos[0], &u, &err);
        if (rc != 0) {
            if (rc == 1)
                error_code(&err, AUTH_E_EXISTS, "a user named '%s' exists already", u.name);
            status = user_status(cmd, &err);
            store_close(st);
            return status;
        }
    }
    if ((status = get_password(cmd, a.pos[0], a.from_stdin, password, sizeof(password))) !=
        EXIT_OK) {
        store_close(st);
        return status;
    }
    audit_actor_cli(&by, who, sizeof(who));
    if (auth_user_add(st, &by, a.pos[0], role, a.dept, password, auth_now(), &id, &err) != 0)
        status = user_status(cmd, &err);
    else
        printf("user %s added (%s%s%s)\n", a.pos[0], auth_role_name(role), a.dept ? ", " : "",
               a.dept ? a.dept : "");
    memset(password, 0, sizeof(password));
    store_close(st);
    return status;
}

static int user_passwd(int argc, char **argv)
{
    static const char *cmd = "user passwd";
    char password[AUTH_PASSWORD_MAX + 2], who[AUDIT_USER_MAX + 1];
    struct audit_actor by;
    struct auth_user u;
    struct user_args a;
    struct store *st;
    struct error err = ERROR_INIT;
    int status, rc;

    if ((status = parse(cmd, argc, argv, "s", 1, &a)) != EXIT_OK)
        return status;
    if (a.help) {
        printf("usage: magnet user passwd NAME [--password-stdin]\n"
               "\n"
               "Set a new password for NAME (asked twice without echo, or one line from\n"
               "stdin). Every session of NAME ends; its API tokens keep working.\n");
        return EXIT_OK;
    }
    if (auth_name_check(a.pos[0], &err) != 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if ((status = configure_from_env(cmd)) != EXIT_OK)
        return status;
    if ((status = open_store(cmd, a.db, &st)) != EXIT_OK)
        return status;
    /* Say "no such user" before asking for a password. */
    rc = auth_user_get(st, a.pos[0], &u, &err);
    if (rc <= 0) {
        if (rc == 0)
            error_code(&err, AUTH_E_NOT_FOUND, "no user named '%s'", a.pos[0]);
        status = user_status(cmd, &err);
        store_close(st);
        return status;
    }
    if ((status = get_password(cmd, a.pos[0], a.from_stdin, password, sizeof(password))) ==
        EXIT_OK) {
        audit_actor_cli(&by, who, sizeof(who));
        if (auth_user_passwd(st, &by, a.pos[0], password, auth_now(), &err) != 0)
            status = user_status(cmd, &err);
        else
            printf("password of %s changed; its sessions ended\n", u.name);
    }
    memset(password, 0, sizeof(password));
    store_close(st);
    return status;
}

struct ls_ctx {
    int json, n;
    struct strbuf out;
};

static int ls_row(const struct auth_user *u, void *p)
{
    struct ls_ctx *c = p;
    char last[32] = "never", created[32];
    if (c->json) {
        if (c->n)
            strbuf_addstr(&c->out, ",\n  ");
        auth_user_json(&c->out, u);
    } else {
        if (u->last_login)
            audit_time_format(u->last_login, last, sizeof(last));
        audit_time_format(u->created, created, sizeof(created));
        printf("%-20s %-7s %-9s %-20s %-20s %s\n", u->name, auth_role_name(u->role),
               u->disabled ? "disabled" : "active", created, last, u->dept);
    }
    c->n++;
    return 0;
}

static int user_ls(int argc, char **argv)
{
    static const char *cmd = "user ls";
    struct user_args a;
    struct store *st;
    struct error err = ERROR_INIT;
    struct ls_ctx c;
    int status;

    if ((status = parse(cmd, argc, argv, "j", 0, &a)) != EXIT_OK)
        return status;
    if (a.help) {
        printf("usage: magnet user ls [--json]\n\nThe accounts by name: role, state, when "
               "created, last login, department.\n");
        return EXIT_OK;
    }
    if ((status = open_store(cmd, a.db, &st)) != EXIT_OK)
        return status;
    memset(&c, 0, sizeof(c));
    c.json = a.json;
    strbuf_init(&c.out, 256);
    if (!a.json)
        printf("%-20s %-7s %-9s %-20s %-20s %s\n", "NAME", "ROLE", "STATE", "CREATED",
               "LAST LOGIN", "DEPT");
    if (auth_user_each(st, ls_row, &c, &err) < 0) {
        status = user_status(cmd, &err);
    } else if (a.json) {
        printf("[%s%s%s]\n", c.n ? "\n  " : "", c.out.buf, c.n ? "\n" : "");
    } else if (!c.n) {
        printf("no users yet: add one with magnet user add NAME --role admin\n");
    }
    strbuf_release(&c.out);
    store_close(st);
    return status;
}

/* disable, enable, unlock: NAME only. */
static int user_simple(int argc, char **argv, const char *cmd, int what)
{
    char who[AUDIT_USER_MAX + 1];
    struct audit_actor by;
    struct user_args a;
    struct store *st;
    struct error err = ERROR_INIT;
    int status, rc;

    if ((status = parse(cmd, argc, argv, "", 1, &a)) != EXIT_OK)
        return status;
    if (a.help) {
        printf("usage: magnet %s NAME\n\n%s\n", cmd,
               what == 'd' ? "Disable an account: its sessions end, its API tokens stop working, "
                             "it cannot log in.\nThe last enabled admin cannot be disabled."
               : what == 'e' ? "Enable a disabled account again."
                             : "Forget the failed logins of NAME, lifting its lockout now.");
        return EXIT_OK;
    }
    if (auth_name_check(a.pos[0], &err) != 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if ((status = open_store(cmd, a.db, &st)) != EXIT_OK)
        return status;
    audit_actor_cli(&by, who, sizeof(who));
    if (what == 'u')
        rc = auth_unlock(st, &by, a.pos[0], auth_now(), &err);
    else
        rc = auth_user_set_disabled(st, &by, a.pos[0], what == 'd', auth_now(), &err);
    if (rc != 0)
        status = user_status(cmd, &err);
    else
        printf("%s %s\n", a.pos[0],
               what == 'd' ? "disabled" : what == 'e' ? "enabled" : "unlocked");
    store_close(st);
    return status;
}

static int user_disable(int argc, char **argv)
{
    return user_simple(argc, argv, "user disable", 'd');
}

static int user_enable(int argc, char **argv)
{
    return user_simple(argc, argv, "user enable", 'e');
}

static int user_unlock(int argc, char **argv)
{
    return user_simple(argc, argv, "user unlock", 'u');
}

static int user_role(int argc, char **argv)
{
    static const char *cmd = "user role";
    char who[AUDIT_USER_MAX + 1];
    struct audit_actor by;
    struct user_args a;
    struct store *st;
    struct error err = ERROR_INIT;
    enum auth_role role;
    int status;

    if ((status = parse(cmd, argc, argv, "d", 2, &a)) != EXIT_OK)
        return status;
    if (a.help) {
        printf("usage: magnet user role NAME ROLE [--dept DEPT]\n\nChange NAME's role "
               "(admin, staff, leader, dept with --dept, viewer).\nThe last enabled admin "
               "cannot be demoted.\n");
        return EXIT_OK;
    }
    if (auth_name_check(a.pos[0], &err) != 0 || auth_role_parse(a.pos[1], &role, &err) != 0)
        return cli_usage_error(cmd, "%s", err.msg);
    if ((status = open_store(cmd, a.db, &st)) != EXIT_OK)
        return status;
    audit_actor_cli(&by, who, sizeof(who));
    if (auth_user_set_role(st, &by, a.pos[0], role, a.dept, auth_now(), &err) != 0)
        status = user_status(cmd, &err);
    else
        printf("%s is now %s%s%s\n", a.pos[0], auth_role_name(role), a.dept ? ", " : "",
               a.dept ? a.dept : "");
    store_close(st);
    return status;
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} user_commands[] = {
    { "add", user_add },         { "passwd", user_passwd }, { "ls", user_ls },
    { "disable", user_disable }, { "enable", user_enable }, { "role", user_role },
    { "unlock", user_unlock },   { NULL, NULL }
};

int cmd_user(int argc, char **argv)
{
    size_t i;
    if (argc < 2) {
        fputs(user_usage, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(user_usage, stdout);
        return EXIT_OK;
    }
    for (i = 0; user_commands[i].name; i++)
        if (!strcmp(argv[1], user_commands[i].name))
            return user_commands[i].fn(argc - 1, argv + 1);
    return cli_usage_error("user", "'%s' is not a user command (add, passwd, ls, disable, "
                                   "enable, role, unlock)", argv[1]);
}
