/*
 * cmd_chain.c - magnet chain map TRACK: the chain map of a track for the
 * home district (src/index/chainmap.h): per node the local and national
 * counts, the location quotient, gap and weak nodes, the local leaders and
 * the 补链 candidates elsewhere, as a table by stage or as JSON.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/engine.h"
#include "index/chainmap.h"
#include "index/screen_json.h"
#include "index/query.h"
#include "ref/region.h"
#include "registry/value.h"

static const char chain_usage[] =
    "usage: magnet chain map TRACK [options]\n"
    "\n"
    "The chain map of TRACK (its id or Chinese name, e.g. ai or 人工智能) for the home\n"
    "district: per node (上游/中游/下游) the enterprises at home and in the country,\n"
    "the location quotient LQ = (home in node / home) / (country in node / country),\n"
    "gap nodes (LQ < 1), the local leaders (active firms at home, by score) and, for\n"
    "weak nodes (LQ < 1 or none at home), the strongest active firms elsewhere: the\n"
    "补链 target list. Scores and order are those of magnet screen with the query\n"
    "shown for each list.\n"
    "\n"
    "  --home REGION       the home district (code or name); default $MAGNET_HOME;\n"
    "                      required\n"
    "  --leaders N         local leaders per node (default 5, at most 100)\n"
    "  --candidates N      candidates per weak node (default 10, at most 100)\n"
    "  --json              one JSON object for scripts\n"
    "  --chains DIR        the taxonomy (default: built in)\n"
    "  --scoring FILE      the scoring model (default: built-in data/scoring.json)\n"
    "  --db FILE           the store (default $MAGNET_DB, else ./magnet.db)\n";

static int parse_count(const char *flag, const char *arg, size_t *out)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (*end || !*arg || arg[0] == '-' || v > CHAINMAP_MAX_FIRMS)
        return cli_usage_error("chain map", "%s takes a number from 0 to %d", flag,
                               CHAINMAP_MAX_FIRMS);
    *out = (size_t)v;
    return EXIT_OK;
}

/* ---- stages in display order ---- */



struct stage {
    const char *text;     /* "upstream", or a category code */
    enum tax_stage stage;
};

static int stage_cmp(const void *a, const void *b)
{
    const struct stage *x = a, *y = b;
    if (x->stage != y->stage)
        return x->stage < y->stage ? -1 : 1;
    return strcmp(x->text, y->text);
}

static size_t map_stages(const struct chainmap *m, struct stage *out)
{
    size_t n = 0, i, k;
    for (i = 0; i < m->nnodes; i++) {
        const struct tax_node *nd = m->nodes[i].node;
        for (k = 0; k < n && strcmp(out[k].text, nd->stage_text) != 0; k++)
            ;
        if (k == n)
            out[n++] = (struct stage){ nd->stage_text, nd->stage };
    }
    qsort(out, n, sizeof(*out), stage_cmp);
    return n;
}

static const char *stage_label(enum tax_stage s, const char *text)
{
    return s == TAX_CATEGORY ? text : tax_stage_label(s);
}

/* ---- text ---- */

static void print_firms(const struct screen_result *r)
{
    size_t i;
    for (i = 0; i < r->nitems; i++) {
        const struct screen_item *it = &r->items[i];
        const struct region *rg = it->region[0] ? region_find_code(it->region) : NULL;
        char cap[32] = "-";
        if (it->capital_cny != SCORE_UNKNOWN)
            snprintf(cap, sizeof(cap), "%.0f万", (double)it->capital_cny / 1e6);
        printf("      %3zu  %3d  %-18s  %s  %s  %s\n", i + 1, it->score,
               it->uscc[0] ? it->uscc : "-", it->name, rg ? rg->full_name : "-", cap);
    }
}

static void print_text(const struct chainmap *m, size_t nleaders, size_t ncand)
{
    struct stage *stages = xmalloc(st_mult(m->nnodes ? m->nnodes : 1, sizeof(*stages)));
    size_t ns = map_stages(m, stages), s, i;
    char label[160];
    int width = 20;

    for (i = 0; i < m->nnodes; i++) {
        snprintf(label, sizeof(label), "%s %s", m->nodes[i].node->full_id, m->nodes[i].node->name);
        if (cli_display_width(label) > width)
            width = cli_display_width(label);
    }

    printf("产业链地图 chain map: %s %s · home %s %s\n", m->track->id, m->track->name, m->home,
           m->home_name);
    printf("  enterprises at home %llu, in the country %llu; LQ = (home in node / home) / "
           "(country in node / country)\n",
           (unsigned long long)m->local_total, (unsigned long long)m->national_total);
    printf("  %zu of %zu nodes weak (%zu gap nodes with LQ < 1)\n", m->nweak, m->nnodes, m->ngap);
    for (s = 0; s < ns; s++) {
        printf("\n%s %s\n", stage_label(stages[s].stage, stages[s].text), stages[s].text);
        printf("  ");
        cli_print_padded("node", width);
        printf(" %9s %10s %7s\n", "home", "country", "LQ");
        for (i = 0; i < m->nnodes; i++) {
            const struct chainmap_node *n = &m->nodes[i];
            char lq[16] = "-";
            if (strcmp(n->node->stage_text, stages[s].text) != 0)
                continue;
            if (n->lq_defined)
                snprintf(lq, sizeof(lq), "%.2f", n->lq);
            snprintf(label, sizeof(label), "%s %s", n->node->full_id, n->node->name);
            printf("  ");
            cli_print_padded(label, width);
            printf(" %9llu %10llu %7s  %s\n", (unsigned long long)n->local,
                   (unsigned long long)n->national, lq,
                   n->gap ? "薄弱 gap (补链)" : n->weak ? "薄弱 none at home (补链)" : "");
            if (n->national == 0) {
                printf("    (no enterprise in this node anywhere)\n");
                continue;
            }
            if (nleaders) {
                if (n->leaders.nitems) {
                    printf("    本地龙头 leaders (%llu active at home):\n",
                           (unsigned long long)n->leaders.total);
                    print_firms(&n->leaders);
                } else {
                    printf("    本地龙头 leaders: none active at home\n");
                }
            }
            if (n->weak && ncand) {
                if (n->candidates.nitems) {
                    printf("    补链目标 candidates (top %zu of %llu active elsewhere):\n",
                           n->candidates.nitems, (unsigned long long)n->candidates.total);
                    print_firms(&n->candidates);
                } else {
                    printf("    补链目标 candidates: none active elsewhere\n");
                }
            }
        }
    }
    free(stages);
}

static int chain_map(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "home", required_argument, NULL, 'H' },
        { "leaders", required_argument, NULL, 'l' },
        { "candidates", required_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },
        { "chains", required_argument, NULL, 'c' },
        { "scoring", required_argument, NULL, 's' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static const char *cmd = "chain map";
    struct engine_flags fl;
    struct engine e;
    struct index_options opt;
    struct chainmap m;
    struct error err = ERROR_INIT;
    const char *track_arg, *home;
    size_t nleaders = CHAINMAP_DEFAULT_LEADERS, ncand = CHAINMAP_DEFAULT_CANDIDATES, track;
    int json = 0, c, status;

    memset(&fl, 0, sizeof(fl));
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'H': fl.home = optarg; break;
        case 'l':
            if ((status = parse_count("--leaders", optarg, &nleaders)) != EXIT_OK)
                return status;
            break;
        case 'n':
            if ((status = parse_count("--candidates", optarg, &ncand)) != EXIT_OK)
                return status;
            break;
        case 'j': json = 1; break;
        case 'c': fl.chains = optarg; break;
        case 's': fl.scoring = optarg; break;
        case 'd': fl.db = optarg; break;
        case 'h': fputs(chain_usage, stdout); return EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option (see magnet chain map --help)");
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "no track (magnet chain map TRACK --home REGION)");
    track_arg = argv[optind++];
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    home = fl.home ? fl.home : getenv("MAGNET_HOME");
    if (!home || !*home)
        return cli_usage_error(cmd, "no home region: pass --home REGION (a code or name, e.g. "
                                    "330106 or 杭州市西湖区) or set MAGNET_HOME");

    /* The track is checked before the index is built: a typo costs nothing. */
    status = engine_open_noindex(cmd, &fl, &e);
    if (status)
        return status;
    if (chainmap_find_track(e.tax, track_arg, &track, &err) != 0) {
        fprintf(stderr, "magnet %s: %s\n", cmd, err.msg);
        engine_close(&e);
        return EXIT_USAGE;
    }
    memset(&opt, 0, sizeof(opt));
    opt.taxonomy = e.tax;
    opt.scoring = e.sm;
    opt.home = e.home;
    opt.today = e.today;
    if (index_build(e.st, &opt, &e.ix, &err) != 0) {
        cli_print_error(&err);
        engine_close(&e);
        return EXIT_FAIL;
    }
    if (chainmap_build(e.ix, track, nleaders, ncand, &m, &err) != 0) {
        fprintf(stderr, "magnet %s: %s\n", cmd, err.msg);
        engine_close(&e);
        return EXIT_FAIL;
    }
    if (json) {
        json_t *o = chainmap_json(&m);
        char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", s);
        free(s);
        json_decref(o);
    } else {
        print_text(&m, nleaders, ncand);
    }
    chainmap_release(&m);
    engine_close(&e);
    return EXIT_OK;
}

int cmd_chain(int argc, char **argv)
{
    if (argc < 2) {
        fputs(chain_usage, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(chain_usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "map"))
        return chain_map(argc - 1, argv + 1);
    return cli_usage_error("chain", "'%s' is not a chain command (map; the taxonomy itself is "
                                    "magnet chains)", argv[1]);
}
