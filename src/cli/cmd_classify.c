/*
 * cmd_classify.c - magnet classify: place enterprises in the nodes of the
 * industry-chain taxonomy, in bulk (--all, --batch N) or one at a time with
 * the reasons (--explain).
 *
 * A bulk run records one audit row when it has ended (classify_audit.h):
 * classify_run() commits page by page, so the row cannot share a
 * transaction with all of its writes; a run that fails half-way is
 * recorded as incomplete. --explain writes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "chain/classify.h"
#include "chain/classify_audit.h"
#include "chain/classify_run.h"
#include "cli/chain_view.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "ref/industry.h"
#include "store/store.h"

static const char classify_usage[] =
    "usage: magnet classify --all [options]\n"
    "       magnet classify --batch N [options]\n"
    "       magnet classify --explain USCC|NAME [options]\n"
    "\n"
    "Place enterprises in the nodes of the industry-chain taxonomy (see 'magnet\n"
    "chains') by their GB/T 4754 code and the keywords of their name and business\n"
    "scope, and store each placement with its score, confidence and evidence.\n"
    "'magnet import' does this by itself for the enterprises it adds or changes.\n"
    "\n"
    "  --all               classify every enterprise (after editing the taxonomy)\n"
    "  --batch N           classify the enterprises import batch N added or changed\n"
    "  --explain X         classify one enterprise now and show why: every node with\n"
    "                      any evidence, its score, threshold and confidence, the\n"
    "                      code, keywords and exclusions that counted (writes nothing)\n"
    "  --chains DIR        the taxonomy: the *.chain files of DIR (default: built in);\n"
    "                      a malformed file is reported as FILE:LINE and nothing changes\n"
    "  --threads N         1 or 2 (default 2)\n"
    "  --json              print one JSON object for scripts\n"
    "  --db FILE           the store (default $MAGNET_DB, else ./magnet.db)\n";

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(int64_t done, void *ctx)
{
    int64_t *last = ctx;
    if (done - *last >= 100000) {
        *last = done;
        fprintf(stderr, "\rclassified %lld", (long long)done);
    }
}

static int parse_int(const char *s, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

/* ---- --all and --batch ---- */

static int run_bulk(struct store *st, const struct classifier *c, int64_t batch, int threads,
                    int json)
{
    const struct taxonomy *t = classifier_taxonomy(c);
    struct classify_run_options opt = { batch, threads, NULL, NULL };
    struct classify_run_stats stats;
    struct error err = ERROR_INIT, aerr = ERROR_INIT;
    struct audit_actor who;
    char who_name[AUDIT_USER_MAX + 1];
    int64_t last = 0;
    double t0 = now_seconds(), secs;
    int failed;

    if (!json && cli_stderr_is_tty()) {
        opt.progress = progress;
        opt.progress_ctx = &last;
    }
    audit_actor_cli(&who, who_name, sizeof(who_name));
    failed = classify_run(st, c, &opt, &stats, &err) != 0;
    if (failed && opt.progress)
        fputc('\n', stderr);
    /* Pages committed before a failure stay: recorded either way. */
    if (classify_audit(st, &who, t, &opt, &stats, failed ? &err : NULL, 0, &aerr) != 0) {
        if (opt.progress && !failed)
            fputc('\n', stderr);
        error_prefix(&aerr, "classified, but the audit row was not written: ");
        cli_print_error(&aerr);
        if (!failed)
            return EXIT_FAIL;
    }
    if (failed) {
        cli_print_error(&err);
        return EXIT_FAIL;
    }
    secs = now_seconds() - t0;
    if (opt.progress && last)
        fputc('\n', stderr);
    if (json) {
        json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:{s:s, s:s, s:I, s:I}}",
                              "enterprises", (json_int_t)stats.enterprises, "placed",
                              (json_int_t)stats.placed, "placements", (json_int_t)stats.rows,
                              "truncated", (json_int_t)stats.truncated, "seconds", secs,
                              "per_second", secs > 0 ? stats.enterprises / secs : 0.0,
                              "taxonomy", "hash", t->hash, "source", t->source, "tracks",
                              (json_int_t)t->ntracks, "nodes", (json_int_t)t->nnodes);
        if (batch)
            json_object_set_new(o, "batch", json_integer(batch));
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        printf("classified %lld enterprises%s in %.1f s (%.0f/s): %lld in at least one node, "
               "%lld placements; taxonomy %s (%s, %zu tracks, %zu nodes)\n",
               (long long)stats.enterprises, batch ? " of the batch" : "", secs,
               secs > 0 ? stats.enterprises / secs : 0.0, (long long)stats.placed,
               (long long)stats.rows, t->hash, t->source, t->ntracks, t->nnodes);
        if (stats.truncated)
            printf("note: %lld enterprises had a name or scope too long to scan whole\n",
                   (long long)stats.truncated);
    }
    return EXIT_OK;
}

/* ---- --explain ---- */

static int stored_node(const struct chain_node_row *r, void *ctx)
{
    json_array_append_new(ctx, json_string(r->node));
    return 0;
}

static json_t *node_json(const struct taxonomy *t, const struct classify_node *n,
                         struct strbuf *sb)
{
    const struct tax_node *nd = n->node;
    json_t *o = json_object();
    json_object_set_new(o, "node", json_string(nd->full_id));
    json_object_set_new(o, "track", json_string(t->tracks[nd->track].id));
    json_object_set_new(o, "track_name", json_string(t->tracks[nd->track].name));
    json_object_set_new(o, "name", json_string(nd->name));
    json_object_set_new(o, "stage", json_string(nd->stage_text));
    json_object_set_new(o, "placed", json_boolean(n->placed));
    json_object_set_new(o, "score", json_real(n->score / 100.0));
    json_object_set_new(o, "threshold", json_real(nd->threshold / 100.0));
    json_object_set_new(o, "confidence", json_real(n->confidence));
    strbuf_reset(sb);
    classify_evidence_json(n, sb);
    json_object_set_new(o, "evidence", json_loadb(sb->buf, sb->len, 0, NULL));
    return o;
}

static void node_text(const struct taxonomy *t, const struct classify_node *n, struct strbuf *sb)
{
    char a[16], b[16];
    strbuf_reset(sb);
    chain_view_node_title(t, n->node->full_id, sb);
    printf("  %-24s %s  score %s / %s, confidence %.2f\n", n->node->full_id, sb->buf,
           tax_weight_format(n->score, a), tax_weight_format(n->node->threshold, b),
           n->confidence);
    strbuf_reset(sb);
    classify_evidence_json(n, sb);
    {
        struct strbuf text = STRBUF_INIT;
        chain_view_evidence_text(sb->buf, sb->len, &text);
        printf("      %s\n", text.len ? text.buf : "(no evidence)");
        strbuf_release(&text);
    }
}

static int explain(struct store *st, const struct classifier *c, const char *arg, int json)
{
    const struct taxonomy *t = classifier_taxonomy(c);
    struct error err = ERROR_INIT;
    struct classify_scratch *s;
    struct classify_result res;
    struct classify_input in;
    struct strbuf sb = STRBUF_INIT;
    const struct industry *ind;
    json_t *stored = json_array();
    char hash[17], source[256];
    struct ent e;
    int64_t id;
    int rc, classified;
    size_t i;

    rc = cli_resolve_ent("classify", st, arg, &id, &err);
    if (rc <= 0) {
        json_decref(stored);
        if (rc < 0) {
            cli_print_error(&err);
            return EXIT_FAIL;
        }
        fprintf(stderr, "magnet classify: no single enterprise matches '%s'\n", arg);
        return EXIT_INVALID;
    }
    if (store_ent_load(st, id, &e, &err) != 0 ||
        (classified = store_chain_ent_taxonomy(st, id, hash, source, sizeof(source), &err)) < 0 ||
        store_chain_ent_nodes(st, id, stored_node, stored, &err) != 0) {
        json_decref(stored);
        cli_print_error(&err);
        return EXIT_FAIL;
    }
    memset(&in, 0, sizeof(in));
    if (e.v[F_NAME].set && e.v[F_NAME].s) {
        in.name = e.v[F_NAME].s;
        in.name_len = strlen(in.name);
    }
    if (e.v[F_SCOPE].set && e.v[F_SCOPE].s) {
        in.scope = e.v[F_SCOPE].s;
        in.scope_len = strlen(in.scope);
    }
    in.industry = e.v[F_INDUSTRY].set ? e.v[F_INDUSTRY].s : NULL;
    ind = in.industry ? industry_find_code(in.industry) : NULL;
    s = classify_scratch_new(c);
    classify_ent(c, s, &in, &res);

    if (json) {
        json_t *o = json_object(), *nodes = json_array(), *cands = json_array();
        json_object_set_new(o, "enterprise",
                            json_pack("{s:I, s:s?, s:s?, s:s?, s:s?}", "id", (json_int_t)id,
                                      "uscc", e.v[F_USCC].set ? e.v[F_USCC].s : NULL, "name",
                                      in.name, "industry", in.industry, "industry_name",
                                      ind ? ind->name : NULL));
        json_object_set_new(o, "taxonomy", json_pack("{s:s, s:s}", "hash", t->hash, "source",
                                                     t->source));
        for (i = 0; i < res.nnodes; i++)
            json_array_append_new(res.nodes[i].placed ? nodes : cands,
                                  node_json(t, &res.nodes[i], &sb));
        json_object_set_new(o, "nodes", nodes);
        json_object_set_new(o, "candidates", cands);
        json_object_set_new(o, "truncated", json_boolean(res.truncated));
        json_object_set_new(o, "stored", json_pack("{s:s?, s:O}", "taxonomy",
                                                   classified ? hash : NULL, "nodes", stored));
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        printf("%s", in.name ? in.name : "(no name)");
        if (e.v[F_USCC].set)
            printf(" (%s)", e.v[F_USCC].s);
        printf("\n  国标行业 %s%s%s\n", in.industry ? in.industry : "(none)", ind ? " " : "",
               ind ? ind->name : "");
        printf("  经营范围 %s\n", in.scope ? in.scope : "(none)");
        printf("taxonomy %s (%s)\n", t->hash, t->source);
        printf("placed in %zu node%s%s\n", res.nplaced, res.nplaced == 1 ? "" : "s",
               res.nplaced ? ":" : "");
        for (i = 0; i < res.nnodes; i++)
            if (res.nodes[i].placed)
                node_text(t, &res.nodes[i], &sb);
        if (res.nnodes > res.nplaced) {
            printf("below their threshold:\n");
            for (i = 0; i < res.nnodes; i++)
                if (!res.nodes[i].placed)
                    node_text(t, &res.nodes[i], &sb);
        }
        if (res.truncated)
            printf("note: the name or scope was too long to scan whole\n");
        if (!classified)
            printf("stored: not classified yet (magnet classify --all)\n");
        else if (strcmp(hash, t->hash) != 0)
            printf("stored: classified with another taxonomy (%s, %s): %zu node%s "
                   "(magnet classify --all brings it up to date)\n",
                   hash, source, json_array_size(stored), json_array_size(stored) == 1 ? "" : "s");
        else
            printf("stored: the same taxonomy, %zu node%s\n", json_array_size(stored),
                   json_array_size(stored) == 1 ? "" : "s");
    }
    json_decref(stored);
    classify_scratch_free(s);
    strbuf_release(&sb);
    ent_release(&e);
    return EXIT_OK;
}

int cmd_classify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "all", no_argument, NULL, 'a' },
        { "batch", required_argument, NULL, 'b' },
        { "explain", required_argument, NULL, 'e' },
        { "chains", required_argument, NULL, 'c' },
        { "threads", required_argument, NULL, 't' },
        { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *db = NULL, *dir = NULL, *explain_arg = NULL;
    int all = 0, json = 0, c, modes, status, threads = 2;
    int64_t batch = 0, v;
    struct taxonomy *t = NULL;
    struct classifier *cl = NULL;
    struct store *st = NULL;
    struct error err = ERROR_INIT;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': all = 1; break;
        case 'b':
            if (parse_int(optarg, &batch) != 0)
                return cli_usage_error("classify", "--batch %s: not a batch number", optarg);
            break;
        case 'e': explain_arg = optarg; break;
        case 'c': dir = optarg; break;
        case 't':
            if (parse_int(optarg, &v) != 0 || v > 2)
                return cli_usage_error("classify", "--threads %s: 1 or 2", optarg);
            threads = (int)v;
            break;
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h': fputs(classify_usage, stdout); return EXIT_OK;
        default: return cli_usage_error("classify", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("classify", "unexpected argument '%s'", argv[optind]);
    modes = all + (batch != 0) + (explain_arg != NULL);
    if (modes != 1)
        return cli_usage_error("classify", "give one of --all, --batch N or --explain USCC|NAME");

    status = chain_view_load("classify", dir, &t);
    if (status != 0)
        return status;
    if (classifier_new(t, &cl, &err) != 0) {
        cli_print_error(&err);
        taxonomy_free(t);
        return EXIT_FAIL;
    }
    if (store_open(cli_db_path(db), STORE_OPEN_EXISTING, &st, &err) != 0) {
        cli_print_error(&err);
        classifier_free(cl);
        taxonomy_free(t);
        return EXIT_FAIL;
    }
    if (explain_arg)
        status = explain(st, cl, explain_arg, json);
    else
        status = run_bulk(st, cl, batch, threads, json);
    store_close(st);
    classifier_free(cl);
    taxonomy_free(t);
    return status;
}
