/*
 * cmd_list.c - magnet list save|ls|show|diff|export|rm: saved screening
 * lists (清单). The work is in src/index/list.c; this file parses the
 * command line and renders text or JSON. docs/lists.md is the manual.
 * save and rm pass the CLI's actor (cli:$USER) so that list_save and
 * list_remove write the audit row inside their transaction.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/engine.h"
#include "index/list.h"
#include "index/list_json.h"
#include "index/query.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/table_write.h"
#include "registry/value.h"
#include "store/store.h"

#define LIST_DEFAULT_SHOW 50

static const char list_usage[] =
    "usage: magnet list COMMAND [ARGS...]\n"
    "\n"
    "Saved lists (清单): a screening query kept under a name with a snapshot of every\n"
    "enterprise it matched, its score and key fields at that moment.\n"
    "\n"
    "  save NAME 'QUERY' [--note TEXT] [--replace]   run the query and save it\n"
    "  ls                                          the saved lists\n"
    "  show NAME [--limit N]                       the snapshot, ranked as saved\n"
    "  diff NAME [--limit N]                       the snapshot against the query now:\n"
    "                                              new, dropped (and why), changed\n"
    "  export NAME -o FILE.xlsx|FILE.csv [--bom]   write the snapshot to a file\n"
    "  rm NAME                                     remove a list\n"
    "\n"
    "Common options: --json (one JSON document), --db FILE (default $MAGNET_DB, else\n"
    "./magnet.db). save and diff build the index: --home REGION (default $MAGNET_HOME),\n"
    "--chains DIR, --scoring FILE as for magnet screen. 'magnet list COMMAND --help'\n"
    "shows one command; docs/lists.md explains what a snapshot holds.\n";

/* The exit status for a list error (cli.h). */
static int list_status(const char *cmd, const struct error *err)
{
    fprintf(stderr, "magnet %s: %s\n", cmd, err->msg[0] ? err->msg : "failed");
    switch (err->code) {
    case LIST_E_QUERY: return EXIT_USAGE;
    case LIST_E_REFUSED:
    case LIST_E_EXISTS:
    case LIST_E_NOT_FOUND: return EXIT_INVALID;
    default: return EXIT_FAIL;
    }
}

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
    json_decref(o);
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

static int parse_limit(const char *cmd, const char *arg, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (*end || !*arg || arg[0] == '-' || v < 1 || v > LIST_MAX_ITEMS)
        return cli_usage_error(cmd, "--limit takes a number from 1 to %d", LIST_MAX_ITEMS);
    *out = (size_t)v;
    return EXIT_OK;
}

/* ---- rendering ---- */



/* "score 80 → 85; 注册资本 500万 → 800万" */
static void changes_text(const struct list_entry *a, const struct list_entry *b, uint32_t mask,
                         struct strbuf *out)
{
    int f, first = 1;
    for (f = 0; f < LF_COUNT_; f++) {
        if (!(mask & (1u << f)))
            continue;
        strbuf_addf(out, "%s%s ", first ? "" : "; ", list_field_label((enum list_field)f));
        list_field_text(a, (enum list_field)f, out);
        strbuf_addstr(out, " → ");
        list_field_text(b, (enum list_field)f, out);
        first = 0;
    }
}

static void entry_line(const struct list_entry *e, const char *prefix)
{
    struct strbuf sb = STRBUF_INIT;
    const struct region *rg = e->region[0] ? region_find_code(e->region) : NULL;
    list_field_text(e, LF_CAPITAL, &sb);
    printf("%s%5u  %3d  %-18s  %s  %s  %s  %s\n", prefix, e->rank, e->score,
           e->uscc[0] ? e->uscc : "-", e->name, rg ? rg->full_name : "-", sb.buf,
           value_status_label((enum ent_status)e->status));
    strbuf_release(&sb);
}

/* ---- save ---- */

static int list_save_cmd(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "note", required_argument, NULL, 'n' },
        { "replace", no_argument, NULL, 'r' },
        { "json", no_argument, NULL, 'j' },
        { "home", required_argument, NULL, 'H' },
        { "chains", required_argument, NULL, 'c' },
        { "scoring", required_argument, NULL, 's' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "list save";
    struct engine_flags fl;
    struct engine e;
    struct list_save_options o;
    struct list_meta m;
    struct error err = ERROR_INIT;
    struct audit_actor who;
    char who_name[AUDIT_USER_MAX + 1];
    int json = 0, c, status;

    memset(&fl, 0, sizeof(fl));
    memset(&o, 0, sizeof(o));
    o.query = cli_take_dash_query(&argc, argv);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': o.note = optarg; break;
        case 'r': o.replace = 1; break;
        case 'j': json = 1; break;
        case 'H': fl.home = optarg; break;
        case 'c': fl.chains = optarg; break;
        case 's': fl.scoring = optarg; break;
        case 'd': fl.db = optarg; break;
        case 'h':
            printf("usage: magnet list save NAME 'QUERY' [--note TEXT] [--replace] [--json]\n"
                   "\n"
                   "Run QUERY (the language of magnet screen) and save it as list NAME with a\n"
                   "snapshot of every enterprise it matches now: rank, score, USCC, name,\n"
                   "region, industry, founding date, capital, status, staff, patents,\n"
                   "qualifications and round. At most %d matches; all or nothing.\n"
                   "\n"
                   "  --note TEXT      a note kept with the list (at most %d characters)\n"
                   "  --replace        overwrite a list of the same name\n"
                   "  --json           print the saved list's description as JSON\n"
                   "  --home REGION    the home district (gap-node chain fit); default $MAGNET_HOME\n"
                   "  --chains DIR, --scoring FILE, --db FILE   as for magnet screen\n",
                   LIST_MAX_ITEMS, LIST_MAX_NOTE);
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option (see magnet list save --help)");
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no list name (magnet list save NAME 'QUERY')");
    o.name = argv[optind++];
    if (!o.query) {
        if (optind >= argc)
            return cli_usage_error(cmd, "no query (magnet list save NAME 'QUERY')");
        o.query = argv[optind++];
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s' (quote the query: "
                                    "magnet list save NAME 'a b c')", argv[optind]);
    if (list_name_check(o.name, &err) != 0)
        return cli_usage_error(cmd, "%s", err.msg);
    /* Who saved it, when the environment says so sensibly. */
    o.user = getenv("USER");
    if (o.user && (strlen(o.user) > LIST_MAX_USER || !utf8_valid(o.user, strlen(o.user))))
        o.user = NULL;

    status = engine_open(cmd, &fl, &e);
    if (status)
        return status;
    audit_actor_cli(&who, who_name, sizeof(who_name));
    if (list_save(e.ix, e.st, &o, &who, &m, &err) != 0) {
        status = list_status(cmd, &err);
    } else {
        if (json) {
            print_json(list_meta_json(&m));
        } else {
            printf("saved list '%s': %llu enterprise%s\n", m.name, (unsigned long long)m.total,
                   m.total == 1 ? "" : "s");
            printf("  query:   %s\n", m.query);
            printf("  scoring: model %s, home %s, scores as of %s\n", m.score_model,
                   m.home ? m.home : "(none)", m.today);
        }
        list_meta_release(&m);
    }
    engine_close(&e);
    return status;
}

/* ---- ls ---- */

static int list_ls_cmd(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "list ls";
    const char *db = NULL;
    struct store *st;
    struct list_meta *m = NULL;
    struct error err = ERROR_INIT;
    size_t n = 0, i;
    int json = 0, c, status;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet list ls [--json] [--db FILE]\n\n"
                   "The saved lists by name: when each was saved, how many enterprises its\n"
                   "snapshot holds, and its query.\n");
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option (see magnet list ls --help)");
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if ((status = open_store(cmd, db, &st)) != EXIT_OK)
        return status;
    if (list_all(st, &m, &n, &err) != 0) {
        status = list_status(cmd, &err);
    } else if (json) {
        json_t *a = json_array();
        for (i = 0; i < n; i++)
            json_array_append_new(a, list_meta_json(&m[i]));
        print_json(a);
    } else if (n == 0) {
        printf("no lists saved yet (magnet list save NAME 'QUERY')\n");
    } else {
        int w = 4;
        for (i = 0; i < n; i++)
            if (cli_display_width(m[i].name) > w)
                w = cli_display_width(m[i].name);
        cli_print_padded("NAME", w);
        printf("  %-20s  %9s  %s\n", "CREATED", "COUNT", "QUERY");
        for (i = 0; i < n; i++) {
            cli_print_padded(m[i].name, w);
            printf("  %-20s  %9llu  %s\n", m[i].created, (unsigned long long)m[i].total,
                   m[i].query);
        }
    }
    list_metas_free(m, n);
    store_close(st);
    return status;
}

/* ---- show ---- */

static int list_show_cmd(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "limit", required_argument, NULL, 'l' },
        { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "list show";
    const char *db = NULL, *name;
    struct store *st;
    struct list_meta m;
    struct list_entry *items = NULL;
    struct error err = ERROR_INIT;
    size_t limit = LIST_DEFAULT_SHOW, n = 0, i;
    int json = 0, c, status;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if ((status = parse_limit(cmd, optarg, &limit)) != EXIT_OK)
                return status;
            break;
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet list show NAME [--limit N] [--json] [--db FILE]\n\n"
                   "The snapshot of list NAME ranked as it was saved: rank, score, USCC,\n"
                   "name, region, capital, status (the first %d; --limit N, at most %d).\n",
                   LIST_DEFAULT_SHOW, LIST_MAX_ITEMS);
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option (see magnet list show --help)");
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no list name (magnet list show NAME)");
    name = argv[optind++];
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if ((status = open_store(cmd, db, &st)) != EXIT_OK)
        return status;
    if (list_get(st, name, &m, &err) != 0) {
        store_close(st);
        return list_status(cmd, &err);
    }
    if (list_items(st, &m, limit, &items, &n, &err) != 0) {
        status = list_status(cmd, &err);
    } else if (json) {
        json_t *o = list_meta_json(&m), *a = json_array();
        for (i = 0; i < n; i++)
            json_array_append_new(a, list_entry_json(&items[i]));
        json_object_set_new(o, "items", a);
        print_json(o);
    } else {
        printf("清单 %s: %llu enterprise%s, saved %s by %s\n", m.name,
               (unsigned long long)m.total, m.total == 1 ? "" : "s", m.created,
               m.user ? m.user : "(unknown)");
        printf("  query:   %s\n", m.query);
        if (m.note)
            printf("  note:    %s\n", m.note);
        printf("  scoring: model %s, home %s, scores as of %s\n", m.score_model,
               m.home ? m.home : "(none)", m.today);
        for (i = 0; i < n; i++)
            entry_line(&items[i], "");
        if (n < m.total)
            printf("(%zu of %llu shown; --limit N shows more, magnet list export writes all)\n",
                   n, (unsigned long long)m.total);
    }
    list_entries_free(items, n);
    list_meta_release(&m);
    store_close(st);
    return status;
}

/* ---- diff ---- */

static void diff_text(const struct list_diff *d)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i, k;

    printf("清单 %s: saved %s with %llu enterprise%s; the query matches %llu now\n",
           d->meta.name, d->meta.created, (unsigned long long)d->total_then,
           d->total_then == 1 ? "" : "s", (unsigned long long)d->total_now);
    printf("  query: %s\n", d->query_now);
    if (strcmp(d->query_now, d->meta.query))
        printf("  (saved as: %s)\n", d->meta.query);
    if (strcmp(d->score_model_now, d->meta.score_model))
        printf("  note: the scoring model changed since the list was saved (%s → %s): scores "
               "may differ for that reason alone\n",
               d->meta.score_model, d->score_model_now);
    if (strcmp(d->home_now, d->meta.home ? d->meta.home : ""))
        printf("  note: the home district differs (%s then, %s now): gap-node points may "
               "differ\n",
               d->meta.home ? d->meta.home : "none", d->home_now[0] ? d->home_now : "none");
    printf("  +%llu new  -%llu dropped  ~%llu changed  =%llu unchanged\n",
           (unsigned long long)d->nadded, (unsigned long long)d->ndropped,
           (unsigned long long)d->nchanged, (unsigned long long)d->unchanged);

    if (d->nadded) {
        printf("\nnew (%llu): matched now, not then\n", (unsigned long long)d->nadded);
        for (i = 0; i < d->added_kept; i++)
            entry_line(&d->added[i], "+ ");
        if (d->added_kept < d->nadded)
            printf("  ... %llu more\n", (unsigned long long)(d->nadded - d->added_kept));
    }
    if (d->ndropped) {
        printf("\ndropped (%llu): matched then, not now\n", (unsigned long long)d->ndropped);
        for (i = 0; i < d->dropped_kept; i++) {
            const struct list_drop *x = &d->dropped[i];
            entry_line(&x->then, "- ");
            strbuf_reset(&sb);
            if (!x->exists) {
                strbuf_addstr(&sb, "no longer in the store");
            } else {
                if (x->nfails) {
                    strbuf_addstr(&sb, "no longer matches ");
                    for (k = 0; k < x->nfails; k++)
                        strbuf_addf(&sb, "%s%s", k ? ", " : "", x->fails[k]);
                }
                if (x->changed) {
                    strbuf_addstr(&sb, x->nfails ? ": " : "");
                    changes_text(&x->then, &x->now, x->changed, &sb);
                }
            }
            printf("          why: %s\n", sb.buf);
        }
        if (d->dropped_kept < d->ndropped)
            printf("  ... %llu more\n", (unsigned long long)(d->ndropped - d->dropped_kept));
    }
    if (d->nchanged) {
        printf("\nchanged (%llu): in both, score or fields differ\n",
               (unsigned long long)d->nchanged);
        for (i = 0; i < d->changed_kept; i++) {
            const struct list_change *x = &d->changed[i];
            entry_line(&x->now, "~ ");
            strbuf_reset(&sb);
            changes_text(&x->then, &x->now, x->changed, &sb);
            printf("          rank %u → %u; %s\n", x->then.rank, x->now.rank, sb.buf);
        }
        if (d->changed_kept < d->nchanged)
            printf("  ... %llu more\n", (unsigned long long)(d->nchanged - d->changed_kept));
    }
    strbuf_release(&sb);
}


static int list_diff_cmd(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "limit", required_argument, NULL, 'l' },
        { "json", no_argument, NULL, 'j' },
        { "home", required_argument, NULL, 'H' },
        { "chains", required_argument, NULL, 'c' },
        { "scoring", required_argument, NULL, 's' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "list diff";
    struct engine_flags fl;
    struct engine e;
    struct list_diff d;
    struct error err = ERROR_INIT;
    const char *name;
    char saved_home[16];
    size_t limit = LIST_DEFAULT_SHOW;
    int json = 0, c, status;

    memset(&fl, 0, sizeof(fl));
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if ((status = parse_limit(cmd, optarg, &limit)) != EXIT_OK)
                return status;
            break;
        case 'j': json = 1; break;
        case 'H': fl.home = optarg; break;
        case 'c': fl.chains = optarg; break;
        case 's': fl.scoring = optarg; break;
        case 'd': fl.db = optarg; break;
        case 'h':
            printf("usage: magnet list diff NAME [--limit N] [--json]\n"
                   "\n"
                   "Run the saved query of list NAME again and compare with its snapshot:\n"
                   "  new       matched now, not then\n"
                   "  dropped   matched then, not now - with the clauses the enterprise now\n"
                   "            fails and the fields that changed, or 'no longer in the store'\n"
                   "  changed   in both, but the score or a field (name, region, industry,\n"
                   "            founded, capital, status, staff, patents, tags, round) differs\n"
                   "Counts are exact; each section shows at most N (default %d) enterprises.\n"
                   "A changed scoring model or home district is pointed out.\n"
                   "\n"
                   "  --home REGION   compute today's scores for this home district (default:\n"
                   "                  the one the list was saved with, not $MAGNET_HOME)\n"
                   "  --chains DIR, --scoring FILE, --db FILE   as for magnet screen\n",
                   LIST_DEFAULT_SHOW);
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option (see magnet list diff --help)");
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no list name (magnet list diff NAME)");
    name = argv[optind++];
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);

    /* Like for like: without --home, the scores are computed for the home
     * district the list was saved with (not $MAGNET_HOME). */
    if (!fl.home) {
        struct store *st;
        struct list_meta m;
        if ((status = open_store(cmd, fl.db, &st)) != EXIT_OK)
            return status;
        if (list_get(st, name, &m, &err) != 0) {
            store_close(st);
            return list_status(cmd, &err);
        }
        snprintf(saved_home, sizeof(saved_home), "%s", m.home ? m.home : "");
        fl.home = saved_home;
        list_meta_release(&m);
        store_close(st);
    }
    status = engine_open(cmd, &fl, &e);
    if (status)
        return status;
    if (list_diff(e.ix, e.st, name, limit, &d, &err) != 0) {
        status = list_status(cmd, &err);
    } else {
        if (json)
            print_json(list_diff_json(&d));
        else
            diff_text(&d);
        list_diff_release(&d);
    }
    engine_close(&e);
    return status;
}

/* ---- export ---- */

static int list_export_cmd(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "bom", no_argument, NULL, 'b' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "list export";
    const char *db = NULL, *out = NULL, *name;
    struct store *st;
    struct error err = ERROR_INIT;
    int64_t rows = 0;
    int bom = 0, c, status;

    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'b': bom = 1; break;
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet list export NAME -o FILE.xlsx|FILE.csv [--bom] [--db FILE]\n"
                   "\n"
                   "Write the snapshot of list NAME, ranked as saved, with Chinese headers:\n"
                   "排名 企业名称 统一社会信用代码 得分 行政区划代码 所在地区 国标行业 行业名称\n"
                   "注册资本(折合人民币万元) 成立日期 登记状态 参保人数 专利数 企业资质 融资轮次.\n"
                   "XLSX cells are typed (numbers, dates); CSV is UTF-8 (--bom for Excel).\n");
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option (see magnet list export --help)");
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no list name (magnet list export NAME -o FILE)");
    name = argv[optind++];
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!out)
        return cli_usage_error(cmd, "no output file (-o FILE.xlsx or -o FILE.csv)");
    if (table_format_of(out) < 0)
        return cli_usage_error(cmd, "%s: the file name must end in .xlsx or .csv", out);
    if ((status = open_store(cmd, db, &st)) != EXIT_OK)
        return status;
    if (list_export(st, name, out, bom, &rows, &err) != 0)
        status = list_status(cmd, &err);
    else
        printf("wrote %lld enterprise%s of list '%s' to %s\n", (long long)rows,
               rows == 1 ? "" : "s", name, out);
    store_close(st);
    return status;
}

/* ---- rm ---- */

static int list_rm_cmd(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "list rm";
    const char *db = NULL, *name;
    struct store *st;
    struct error err = ERROR_INIT;
    struct audit_actor who;
    char who_name[AUDIT_USER_MAX + 1];
    int c, status;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'h':
            printf("usage: magnet list rm NAME [--db FILE]\n\nRemove list NAME and its "
                   "snapshot.\n");
            return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option (see magnet list rm --help)");
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no list name (magnet list rm NAME)");
    name = argv[optind++];
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if ((status = open_store(cmd, db, &st)) != EXIT_OK)
        return status;
    audit_actor_cli(&who, who_name, sizeof(who_name));
    if (list_remove(st, name, &who, &err) != 0)
        status = list_status(cmd, &err);
    else
        printf("removed list '%s'\n", name);
    store_close(st);
    return status;
}

/* ---- dispatch ---- */

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} list_commands[] = {
    { "save", list_save_cmd },
    { "ls", list_ls_cmd },
    { "show", list_show_cmd },
    { "diff", list_diff_cmd },
    { "export", list_export_cmd },
    { "rm", list_rm_cmd },
    { NULL, NULL }
};

int cmd_list(int argc, char **argv)
{
    size_t i;
    if (argc < 2) {
        fputs(list_usage, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(list_usage, stdout);
        return EXIT_OK;
    }
    for (i = 0; list_commands[i].name; i++)
        if (!strcmp(argv[1], list_commands[i].name))
            return list_commands[i].fn(argc - 1, argv + 1);
    return cli_usage_error("list", "'%s' is not a list command (save, ls, show, diff, export, "
                                   "rm)", argv[1]);
}
