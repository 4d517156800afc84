/*
 * cmd_import.c - magnet import enterprises FILE...
 *
 * Each file's audit row ("import", batch N, by cli:$USER) is written inside
 * its import's transaction (import_audit_hook); the classification that
 * follows commits on its own and records its own row (classify_audit.h).
 */
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/audit.h"
#include "chain/classify_audit.h"
#include "chain/classify_run.h"
#include "cli/chain_view.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "registry/import.h"
#include "registry/table_write.h"
#include "store/store.h"

static const char import_usage[] =
    "usage: magnet import enterprises FILE... [options]\n"
    "\n"
    "Import enterprises from CSV (UTF-8 or GB18030) or XLSX files. Each file is\n"
    "one batch and goes in whole or not at all: if any row is invalid, nothing\n"
    "of that file is written and every error is listed (exit status 1).\n"
    "\n"
    "  --sheet NAME        XLSX sheet to read (default: the first)\n"
    "  --mapping FILE      explicit header mapping, lines '表头 = field'\n"
    "  --skip-invalid      import the valid rows; needs --rejects\n"
    "  --rejects FILE      write rejected rows with their reasons (.csv or .xlsx)\n"
    "  --dry-run           validate and count only; write nothing\n"
    "  --chains DIR        classify the imported enterprises with the taxonomy in DIR\n"
    "                      (default: the built-in one; see 'magnet chains')\n"
    "  --no-classify       do not classify them (run 'magnet classify' later)\n"
    "  --json              print one JSON object for scripts\n"
    "  --db FILE           the store (default $MAGNET_DB, else ./magnet.db)\n";

static void progress(size_t rows, void *ctx)
{
    const char *name = ctx;
    fprintf(stderr, "\r%s: %zu rows", name, rows);
}

static void issues_json(json_t *arr, const struct import_result *r,
                        const struct import_issue *is, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "file", r->source, "row",
                           (json_int_t)is[i].row, "column", is[i].column, "column_letter",
                           is[i].col_letter, "value", is[i].value, "message", is[i].message));
}

static void print_issue(const char *kind, const struct import_result *r,
                        const struct import_issue *is)
{
    fprintf(stderr, "%s: %s", kind, r->source);
    if (is->row)
        fprintf(stderr, " row %zu", is->row);
    if (is->column[0] || is->col_letter[0])
        fprintf(stderr, ", column %s %s", is->col_letter, is->column);
    if (is->value[0])
        fprintf(stderr, ": '%s'", is->value);
    fprintf(stderr, ": %s\n", is->message);
}

/* Whether two paths name the same existing file (the rejects file must never
 * replace the file being imported). */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static const char *os_user(void)
{
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_name : NULL;
}

int cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "sheet", required_argument, NULL, 's' },
        { "mapping", required_argument, NULL, 'm' },
        { "skip-invalid", no_argument, NULL, 'k' },
        { "rejects", required_argument, NULL, 'r' },
        { "dry-run", no_argument, NULL, 'n' },
        { "chains", required_argument, NULL, 'c' },
        { "no-classify", no_argument, NULL, 'C' },
        { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct import_options opt;
    struct mapping map = { 0 };
    const char *db = NULL, *mapping_path = NULL, *chains_dir = NULL;
    int json = 0, c, i, status = EXIT_OK, no_classify = 0;
    struct taxonomy *tax = NULL;
    struct classifier *cl = NULL;
    struct store *st = NULL;
    struct error err = ERROR_INIT;
    struct batch_counts total = { 0 };
    size_t total_errors = 0, total_warnings = 0;
    json_t *out = NULL, *files = NULL, *all_errors = NULL, *all_warnings = NULL;
    struct audit_actor who;
    char who_name[AUDIT_USER_MAX + 1];
    struct import_audit ia;

    memset(&opt, 0, sizeof(opt));
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': opt.sheet = optarg; break;
        case 'm': mapping_path = optarg; break;
        case 'k': opt.skip_invalid = 1; break;
        case 'r': opt.rejects_path = optarg; break;
        case 'n': opt.dry_run = 1; break;
        case 'c': chains_dir = optarg; break;
        case 'C': no_classify = 1; break;
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h': fputs(import_usage, stdout); return EXIT_OK;
        default: return cli_usage_error("import", "unknown option");
        }
    }
    if (optind >= argc || strcmp(argv[optind], "enterprises") != 0)
        return cli_usage_error("import", "expected 'enterprises' then FILE...");
    optind++;
    if (optind >= argc)
        return cli_usage_error("import", "no FILE given");
    if (opt.skip_invalid && !opt.rejects_path)
        return cli_usage_error("import", "--skip-invalid needs --rejects FILE, so that no "
                                         "rejected row is lost");
    if (opt.rejects_path && table_format_of(opt.rejects_path) < 0)
        return cli_usage_error("import", "--rejects %s: the file name must end in .csv or .xlsx",
                               opt.rejects_path);
    if (opt.rejects_path && argc - optind > 1)
        return cli_usage_error("import", "--rejects takes one input FILE at a time");
    if (opt.rejects_path && same_file(opt.rejects_path, argv[optind]))
        return cli_usage_error("import", "--rejects %s is the input file: it would be "
                                         "overwritten; name another file", opt.rejects_path);
    if (mapping_path) {
        if (mapping_load(mapping_path, &map, &err) != 0) {
            cli_print_error(&err);
            return EXIT_USAGE;
        }
        opt.mapping = &map;
    }
    if (chains_dir && no_classify)
        return cli_usage_error("import", "--chains and --no-classify contradict each other");
    /* The taxonomy is loaded before anything is imported, so a malformed
     * --chains file stops the command with nothing written. */
    if (!opt.dry_run && !no_classify && !chains_dir &&
        taxonomy_load_default(&tax, &err) != 0) {
        /* Only a broken build gets here (tests/unit/test_taxonomy.c checks
         * the built-in set): import anyway, the classification can follow. */
        fprintf(stderr, "magnet import: warning: not classifying: %s\n", err.msg);
        no_classify = 1;
    }
    if (!opt.dry_run && !no_classify) {
        int rc = tax ? 0 : chain_view_load("import", chains_dir, &tax);
        if (rc == 0 && classifier_new(tax, &cl, &err) != 0) {
            cli_print_error(&err);
            rc = EXIT_FAIL;
        }
        if (rc != 0) {
            taxonomy_free(tax);
            mapping_release(&map);
            return rc;
        }
    }
    opt.user = os_user();
    audit_actor_cli(&who, who_name, sizeof(who_name));
    ia.who = &who;
    ia.now = 0;
    opt.before_commit = import_audit_hook;
    opt.before_commit_ctx = &ia;
    if (store_open(cli_db_path(db), STORE_CREATE, &st, &err) != 0) {
        cli_print_error(&err);
        mapping_release(&map);
        classifier_free(cl);
        taxonomy_free(tax);
        return EXIT_FAIL;
    }
    if (json) {
        out = json_object();
        files = json_array();
        all_errors = json_array();
        all_warnings = json_array();
    }
    for (i = optind; i < argc; i++) {
        struct import_result res;
        struct classify_run_stats cstats;
        size_t k;
        int rc, classified = 0;
        if (!json && cli_stderr_is_tty()) {
            opt.progress = progress;
            opt.progress_ctx = argv[i];
        }
        ia.file = argv[i];
        rc = import_file(st, argv[i], &opt, &res, &err);
        if (opt.progress)
            fputc('\n', stderr);
        if (rc < 0) {
            /* With several files, every message must say which one. */
            const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
            if (!strstr(err.msg, base))
                error_prefix(&err, "%s: ", base);
            if (json)
                json_array_append_new(files, json_pack("{s:s, s:s}", "file", argv[i], "fatal",
                                                       err.msg));
            else
                cli_print_error(&err);
            status = EXIT_FAIL;
            import_result_release(&res);
            continue;
        }
        if (rc == 1 && status == EXIT_OK)
            status = EXIT_INVALID;
        /* Classify what this batch inserted or updated, now that it is
         * committed. A failure here leaves the import in place. */
        if (rc == 0 && cl && res.written && res.batch) {
            struct classify_run_options copt = { res.batch, 2, NULL, NULL };
            struct error cerr = ERROR_INIT, aerr = ERROR_INIT;
            if (classify_run(st, cl, &copt, &cstats, &cerr) == 0) {
                classified = 1;
            } else {
                fprintf(stderr, "magnet import: %s: imported, but not classified: %s (run "
                                "'magnet classify --batch %lld')\n",
                        res.source, cerr.msg, (long long)res.batch);
                status = EXIT_FAIL;
            }
            /* Pages committed before a failure stay: recorded either way. */
            if (classify_audit(st, &who, tax, &copt, &cstats, classified ? NULL : &cerr, 0,
                               &aerr) != 0) {
                fprintf(stderr, "magnet import: %s: the audit row of the classification was "
                                "not written: %s\n", res.source, aerr.msg);
                status = EXIT_FAIL;
            }
        }
        total.rows += res.counts.rows;
        total.inserted += res.counts.inserted;
        total.updated += res.counts.updated;
        total.unchanged += res.counts.unchanged;
        total.rejected += res.counts.rejected;
        total_errors += res.nerrors;
        total_warnings += res.nwarnings;
        if (json) {
            json_t *f = json_pack("{s:s, s:s, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                                  "file", res.source, "sha256", res.sha256, "batch",
                                  (json_int_t)res.batch, "written", res.written, "header_row",
                                  (json_int_t)res.header_row, "rows", (json_int_t)res.counts.rows,
                                  "inserted", (json_int_t)res.counts.inserted, "updated",
                                  (json_int_t)res.counts.updated, "unchanged",
                                  (json_int_t)res.counts.unchanged, "rejected",
                                  (json_int_t)res.counts.rejected, "errors_total",
                                  (json_int_t)res.nerrors);
            if (classified)
                json_object_set_new(f, "classified",
                                    json_pack("{s:I, s:I, s:I, s:s}", "enterprises",
                                              (json_int_t)cstats.enterprises, "placed",
                                              (json_int_t)cstats.placed, "placements",
                                              (json_int_t)cstats.rows, "taxonomy", tax->hash));
            json_array_append_new(files, f);
            issues_json(all_errors, &res, res.errors, res.errors_kept);
            issues_json(all_warnings, &res, res.warnings, res.warnings_kept);
        } else {
            for (k = 0; k < res.errors_kept; k++)
                print_issue("error", &res, &res.errors[k]);
            if (res.nerrors > res.errors_kept)
                fprintf(stderr, "error: %s: ... and %zu more errors\n", res.source,
                        res.nerrors - res.errors_kept);
            for (k = 0; k < res.warnings_kept && k < 50; k++)
                print_issue("warning", &res, &res.warnings[k]);
            if (res.nwarnings > 50)
                fprintf(stderr, "warning: %s: ... and %zu more warnings (--json lists them)\n",
                        res.source, res.nwarnings - 50);
            printf("%s: %lld rows: %lld inserted, %lld updated, %lld unchanged, %lld rejected",
                   res.source, (long long)res.counts.rows, (long long)res.counts.inserted,
                   (long long)res.counts.updated, (long long)res.counts.unchanged,
                   (long long)res.counts.rejected);
            if (res.written) {
                printf(" (batch %lld)\n", (long long)res.batch);
                if (classified)
                    printf("%s: classified %lld enterprises: %lld in at least one chain node\n",
                           res.source, (long long)cstats.enterprises, (long long)cstats.placed);
            } else if (opt.dry_run)
                printf(" (dry run: nothing written)\n");
            else
                printf("\nnothing imported from %s: %zu error%s in %lld row%s (fix them, or "
                       "use --skip-invalid --rejects FILE to import the valid rows)\n",
                       res.source, res.nerrors, res.nerrors == 1 ? "" : "s",
                       (long long)res.counts.rejected, res.counts.rejected == 1 ? "" : "s");
        }
        import_result_release(&res);
    }
    if (json) {
        json_object_set_new(out, "rows", json_integer(total.rows));
        json_object_set_new(out, "inserted", json_integer(total.inserted));
        json_object_set_new(out, "updated", json_integer(total.updated));
        json_object_set_new(out, "unchanged", json_integer(total.unchanged));
        json_object_set_new(out, "rejected", json_integer(total.rejected));
        json_object_set_new(out, "dry_run", json_boolean(opt.dry_run));
        json_object_set_new(out, "errors_total", json_integer((json_int_t)total_errors));
        json_object_set_new(out, "warnings_total", json_integer((json_int_t)total_warnings));
        json_object_set_new(out, "errors", all_errors);
        json_object_set_new(out, "warnings", all_warnings);
        json_object_set_new(out, "files", files);
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(out);
    }
    store_close(st);
    mapping_release(&map);
    classifier_free(cl);
    taxonomy_free(tax);
    return status;
}
