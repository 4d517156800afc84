/*
 * cmd_screen.c - magnet screen 'QUERY': filter, search and rank the
 * enterprises of the store with the query language (docs/query.md).
 *
 * Each run builds the index from the store (seconds at a million
 * enterprises); the server keeps one in memory instead. --bench runs a file
 * of queries against one index and reports timings, for bench/screen.sh.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/engine.h"
#include "index/query.h"
#include "ref/region.h"
#include "registry/value.h"

static const char screen_usage[] =
    "usage: magnet screen 'QUERY' [options]\n"
    "\n"
    "Find and rank enterprises. QUERY is one string (see docs/query.md):\n"
    "  region:杭州|宁波 industry:I65 track:人工智能 node:人工智能/AI芯片 status:active\n"
    "  tag:hightech round:A capital>=1000 founded>=2015 staff>=50 patents>=5\n"
    "  name:智能 scope:人工智能 \"a phrase\" -negated sort:capital|score|founded|staff|patents[-asc]\n"
    "Terms are ANDed, a|b is OR within a field, '-' negates a term. Results are ranked\n"
    "by score (0-100, see docs/scoring.md) unless a sort: term says otherwise.\n"
    "\n"
    "  --limit N           items to show (default 50, at most 10000)\n"
    "  --offset N          skip the first N items (paging)\n"
    "  --facets LIST       counts by province,city,county,section,division,track,node,\n"
    "                      status,tag,round,year,capital\n"
    "  --explain           show each item's score breakdown\n"
    "  --json              print one JSON object: total, items, facets, took_ms\n"
    "  --home REGION       the home district (chain-fit gap nodes); default $MAGNET_HOME\n"
    "  --chains DIR        the taxonomy (default: built in)\n"
    "  --scoring FILE      the scoring model (default: built-in data/scoring.json)\n"
    "  --db FILE           the store (default $MAGNET_DB, else ./magnet.db)\n"
    "  --bench FILE        time each query of FILE (one per line; TAB limit TAB facets)\n"
    "                      against one index: a warm-up and 5 runs each, JSON lines\n"
    "  --score-sql         print the score as an SQL expression (for benchmarks) and exit\n";

static void print_text(const struct screen_result *r, const struct screen_request *req)
{
    size_t i, k;
    printf("%llu enterprise%s match  %s  (%.1f ms)\n", (unsigned long long)r->total,
           r->total == 1 ? "" : "s", r->canonical, r->took_ms);
    for (i = 0; i < r->nitems; i++) {
        const struct screen_item *it = &r->items[i];
        char founded[11] = "", cap[32] = "-";
        const struct region *rg = it->region[0] ? region_find_code(it->region) : NULL;
        if (it->founded != SCORE_UNKNOWN)
            query_days_date(it->founded, founded);
        if (it->capital_cny != SCORE_UNKNOWN)
            snprintf(cap, sizeof(cap), "%.0f万", (double)it->capital_cny / 1e6);
        printf("%4zu  %3d  %-18s  %s  %s  %s  %s  %s\n", req->offset + i + 1, it->score,
               it->uscc[0] ? it->uscc : "-", it->name, rg ? rg->full_name : "-", cap,
               founded[0] ? founded : "-", value_status_label((enum ent_status)it->status));
        for (k = 0; k < it->nlines; k++) {
            const struct score_line *l = &it->lines[k];
            printf("            %-10s %-12s %-24s %3d / %d\n", score_label(l->dimension),
                   score_label(l->factor), l->value, l->points, l->max);
        }
    }
    for (i = 0; i < FACET_COUNT_; i++) {
        if (!(r->facet_mask & (1u << i)))
            continue;
        printf("\n%s:\n", screen_facet_name((enum screen_facet)i));
        for (k = 0; k < r->facets[i].n; k++)
            printf("  %-12s %-24s %lld\n", r->facets[i].values[k].key,
                   r->facets[i].values[k].label, (long long)r->facets[i].values[k].count);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* --bench: one JSON line per query of the file. */
static int run_bench(struct engine *e, const char *file)
{
    FILE *f = fopen(file, "r");
    char *line = NULL;
    size_t line_alloc = 0;
    ssize_t got;
    struct index_build_stats bs;
    struct index_mem mem;
    int status = EXIT_OK;

    if (!f) {
        fprintf(stderr, "magnet screen: cannot open %s\n", file);
        return EXIT_FAIL;
    }
    index_build_stats(e->ix, &bs);
    index_memory(e->ix, &mem);
    {
        json_t *o = json_pack("{s:s, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:{s:I, s:I, s:I, s:I, "
                              "s:I, s:I, s:I, s:I, s:I}}",
                              "build", "index", "docs", (json_int_t)mem.docs, "read_ms",
                              bs.read_ms, "text_ms", bs.text_ms, "names_ms", bs.names_ms,
                              "scopes_ms", bs.scopes_ms, "finish_ms", bs.finish_ms, "total_ms",
                              bs.total_ms,
                              "memory", "columns", (json_int_t)mem.columns, "uscc_map",
                              (json_int_t)mem.uscc_map, "code_bitmaps",
                              (json_int_t)mem.code_bitmaps, "chain_bitmaps",
                              (json_int_t)mem.chain_bitmaps, "name_text",
                              (json_int_t)mem.name_text, "name_grams", (json_int_t)mem.name_grams,
                              "scope_text", (json_int_t)mem.scope_text, "scope_grams",
                              (json_int_t)mem.scope_grams, "total", (json_int_t)mem.total);
        char *s = json_dumps(o, JSON_COMPACT);
        printf("%s\n", s);
        free(s);
        json_decref(o);
    }
    while ((got = getline(&line, &line_alloc, f)) >= 0) {
        struct screen_request req;
        struct screen_result r;
        struct error err = ERROR_INIT;
        char *q = line, *tab, *facets = NULL;
        double runs[5];
        int i;
        json_t *o, *a, *items;
        char *s;

        while (got > 0 && (q[got - 1] == '\n' || q[got - 1] == '\r'))
            q[--got] = '\0';
        if (!*q || *q == '#')
            continue;
        memset(&req, 0, sizeof(req));
        tab = strchr(q, '\t');
        if (tab) {
            *tab = '\0';
            req.limit = strtoul(tab + 1, NULL, 10);
            req.no_items = req.limit == 0;   /* "0": count (and facets) only */
            facets = strchr(tab + 1, '\t');
            if (facets && screen_facets_parse(facets + 1, &req.facets, &err) != 0) {
                fprintf(stderr, "magnet screen: %s: %s\n", q, err.msg);
                status = EXIT_USAGE;
                break;
            }
        }
        req.q = q;
        if (screen_run(e->ix, &req, &r, &err) != 0) {   /* warm-up */
            fprintf(stderr, "magnet screen: %s: %s\n", q, err.msg);
            status = EXIT_INVALID;
            break;
        }
        screen_result_release(&r);
        for (i = 0; i < 5; i++) {
            screen_run(e->ix, &req, &r, &err);
            runs[i] = r.took_ms;
            if (i < 4)
                screen_result_release(&r);
        }
        o = engine_result_json(e, &r);
        a = json_array();
        for (i = 0; i < 5; i++)
            json_array_append_new(a, json_real(runs[i]));
        qsort(runs, 5, sizeof(runs[0]), cmp_double);
        items = json_object_get(o, "items");
        {
            /* Only what the comparison needs. */
            json_t *slim = json_array();
            size_t k;
            for (k = 0; k < json_array_size(items); k++) {
                json_t *it = json_array_get(items, k);
                json_array_append_new(slim, json_pack("{s:O, s:O}", "uscc",
                                                      json_object_get(it, "uscc"), "score",
                                                      json_object_get(it, "score")));
            }
            json_object_set_new(o, "items", slim);
        }
        json_object_set_new(o, "q", json_string(q));
        json_object_set_new(o, "runs_ms", a);
        json_object_set_new(o, "median_ms", json_real(runs[2]));
        s = json_dumps(o, JSON_COMPACT);
        printf("%s\n", s);
        fflush(stdout);
        free(s);
        json_decref(o);
        screen_result_release(&r);
    }
    free(line);
    fclose(f);
    return status;
}

/* --score-sql: the score over a flat table (bench/screen.sh) with columns
 * member and gap, for a query that names no track. */
static int print_score_sql(struct engine *e)
{
    struct strbuf sql = STRBUF_INIT;
    json_t *o, *gaps = json_array();
    const struct taxonomy *t = index_taxonomy(e->ix);
    size_t i;
    char *s;

    score_sql(e->sm, e->today, "member = 1", "gap = 1", &sql);
    for (i = 0; i < t->nnodes; i++)
        if (index_node_is_gap(e->ix, i))
            json_array_append_new(gaps, json_string(t->nodes[i].full_id));
    o = json_pack("{s:s, s:I, s:s, s:o, s:s}", "sql", sql.buf, "today", (json_int_t)e->today,
                  "home", e->home, "gap_nodes", gaps, "note",
                  "member: the enterprise is in at least one node of any track; gap: it is in "
                  "one of gap_nodes (nodes where the home district's location quotient is "
                  "below 1)");
    s = json_dumps(o, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
    json_decref(o);
    strbuf_release(&sql);
    return EXIT_OK;
}

int cmd_screen(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "limit", required_argument, NULL, 'l' },
        { "offset", required_argument, NULL, 'o' },
        { "facets", required_argument, NULL, 'f' },
        { "explain", no_argument, NULL, 'e' },
        { "json", no_argument, NULL, 'j' },
        { "home", required_argument, NULL, 'H' },
        { "chains", required_argument, NULL, 'c' },
        { "scoring", required_argument, NULL, 's' },
        { "db", required_argument, NULL, 'd' },
        { "bench", required_argument, NULL, 'b' },
        { "score-sql", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct engine_flags fl;
    struct engine e;
    struct screen_request req;
    struct screen_result r;
    struct error err = ERROR_INIT;
    const char *bench = NULL;
    int json = 0, score_sql_only = 0, c, status;
    char *end;

    memset(&fl, 0, sizeof(fl));
    memset(&req, 0, sizeof(req));
    req.q = cli_take_dash_query(&argc, argv);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            req.limit = strtoul(optarg, &end, 10);
            if (*end || !*optarg || optarg[0] == '-' || req.limit > SCREEN_MAX_LIMIT)
                return cli_usage_error("screen", "--limit takes a number from 1 to %d",
                                       SCREEN_MAX_LIMIT);
            if (req.limit == 0)
                req.no_items = 1;
            break;
        case 'o':
            req.offset = strtoul(optarg, &end, 10);
            if (*end || !*optarg || optarg[0] == '-' || req.offset > SCREEN_MAX_OFFSET)
                return cli_usage_error("screen", "--offset takes a number from 0 to %d",
                                       SCREEN_MAX_OFFSET);
            break;
        case 'f':
            if (screen_facets_parse(optarg, &req.facets, &err) != 0)
                return cli_usage_error("screen", "%s", err.msg);
            break;
        case 'e': req.explain = 1; break;
        case 'j': json = 1; break;
        case 'H': fl.home = optarg; break;
        case 'c': fl.chains = optarg; break;
        case 's': fl.scoring = optarg; break;
        case 'd': fl.db = optarg; break;
        case 'b': bench = optarg; break;
        case 'S': score_sql_only = 1; break;
        case 'h': fputs(screen_usage, stdout); return EXIT_OK;
        default: return cli_usage_error("screen", "unknown option (see magnet screen --help)");
        }
    }
    if (!bench && !score_sql_only && !req.q) {
        if (optind >= argc)
            return cli_usage_error("screen", "no query (see magnet screen --help)");
        req.q = argv[optind++];
    }
    if (optind < argc)
        return cli_usage_error("screen", "unexpected argument '%s' (quote the query: "
                                         "magnet screen 'a b c')", argv[optind]);

    status = engine_open("screen", &fl, &e);
    if (status)
        return status;
    if (score_sql_only) {
        status = print_score_sql(&e);
    } else if (bench) {
        status = run_bench(&e, bench);
    } else if (screen_run(e.ix, &req, &r, &err) != 0) {
        fprintf(stderr, "magnet screen: %s\n", err.msg);
        status = EXIT_USAGE;
    } else {
        if (json) {
            json_t *o = engine_result_json(&e, &r);
            char *s = json_dumps(o, JSON_INDENT(2));
            printf("%s\n", s);
            free(s);
            json_decref(o);
        } else {
            print_text(&r, &req);
        }
        screen_result_release(&r);
    }
    engine_close(&e);
    return status;
}
