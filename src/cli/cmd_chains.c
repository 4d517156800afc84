/*
 * cmd_chains.c - magnet chains [TRACK]: the industry-chain taxonomy as a
 * tree (track, stage, node) with how many enterprises of the store each
 * node holds.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "chain/chain_count.h"
#include "cli/chain_view.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

static const char chains_usage[] =
    "usage: magnet chains [TRACK] [options]\n"
    "\n"
    "Show the industry-chain taxonomy as a tree: each track (产业赛道), its stages\n"
    "(上游/中游/下游, or categories for a code-based catalogue) and its nodes, with\n"
    "the number of enterprises in the store each node holds. TRACK (e.g. ai) shows\n"
    "one track; --json adds every node's rules.\n"
    "\n"
    "  --chains DIR        the taxonomy: the *.chain files of DIR (default: built in);\n"
    "                      a malformed file is reported as FILE:LINE\n"
    "  --json              print one JSON object for scripts\n"
    "  --db FILE           the store (default $MAGNET_DB, else ./magnet.db); without\n"
    "                      one, the tree is shown without counts\n";

static json_t *terms_json(const struct tax_term *terms, size_t n, int weights)
{
    json_t *a = json_array();
    size_t i;
    for (i = 0; i < n; i++) {
        if (weights)
            json_array_append_new(a, json_pack("[s, f]", terms[i].text,
                                               terms[i].weight / 100.0));
        else
            json_array_append_new(a, json_string(terms[i].text));
    }
    return a;
}

static json_t *node_json(const struct tax_node *n, const struct chain_counts *cnt, size_t idx)
{
    json_t *o = json_object(), *codes = json_array();
    size_t i;
    json_object_set_new(o, "id", json_string(n->full_id));
    json_object_set_new(o, "name", json_string(n->name));
    if (cnt)
        json_object_set_new(o, "enterprises", json_integer(cnt->node[idx]));
    json_object_set_new(o, "threshold", json_real(n->threshold / 100.0));
    for (i = 0; i < n->ncodes; i++)
        json_array_append_new(codes, json_pack("[s, f]", n->codes[i].code,
                                               n->codes[i].weight / 100.0));
    json_object_set_new(o, "codes", codes);
    json_object_set_new(o, "keywords", terms_json(n->keywords, n->nkeywords, 1));
    json_object_set_new(o, "name_keywords", terms_json(n->name_keywords, n->nname_keywords, 1));
    json_object_set_new(o, "exclude", terms_json(n->excludes, n->nexcludes, 0));
    json_object_set_new(o, "file", json_sprintf("%s:%zu", n->file, n->line));
    return o;
}

struct stage_key {
    const char *text;     /* "upstream", or a category code */
    enum tax_stage stage;
};

static int stage_cmp(const void *a, const void *b)
{
    const struct stage_key *x = a, *y = b;
    if (x->stage != y->stage)
        return x->stage < y->stage ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* The distinct stages of a track in display order: upstream, midstream,
 * downstream, then category codes ascending. out has room for the track's
 * node count; returns how many. */
static size_t track_stages(const struct taxonomy *t, const struct tax_track *tr,
                           struct stage_key *out)
{
    size_t n = 0, i, k;
    for (i = 0; i < tr->nnodes; i++) {
        const struct tax_node *nd = &t->nodes[tr->first_node + i];
        for (k = 0; k < n && strcmp(out[k].text, nd->stage_text) != 0; k++)
            ;
        if (k == n)
            out[n++] = (struct stage_key){ nd->stage_text, nd->stage };
    }
    qsort(out, n, sizeof(*out), stage_cmp);
    return n;
}

static const char *stage_label(const struct stage_key *k)
{
    return k->stage == TAX_CATEGORY ? k->text : tax_stage_label(k->stage);
}

static void taxonomy_versions(const char *hash, const char *source, int64_t n, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s, s:I}", "hash", hash, "source", source,
                                         "enterprises", (json_int_t)n));
}

int cmd_chains(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "chains", required_argument, NULL, 'c' },
        { "json", no_argument, NULL, 'j' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *db = NULL, *dir = NULL, *only = NULL, *path;
    int json = 0, c, status;
    struct taxonomy *t = NULL;
    struct store *st = NULL;
    struct error err = ERROR_INIT;
    struct chain_counts counts, *cnt = NULL;
    json_t *versions = json_array();
    struct stat sb;
    struct stage_key *stages;
    size_t i, k, s, nstages;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': dir = optarg; break;
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h': fputs(chains_usage, stdout); json_decref(versions); return EXIT_OK;
        default: json_decref(versions); return cli_usage_error("chains", "unknown option");
        }
    }
    if (optind < argc)
        only = argv[optind++];
    if (optind < argc) {
        json_decref(versions);
        return cli_usage_error("chains", "unexpected argument '%s'", argv[optind]);
    }
    status = chain_view_load("chains", dir, &t);
    if (status != 0) {
        json_decref(versions);
        return status;
    }
    if (only && !taxonomy_track(t, only)) {
        fprintf(stderr, "magnet chains: no track '%s'; the tracks are:", only);
        for (i = 0; i < t->ntracks; i++)
            fprintf(stderr, " %s", t->tracks[i].id);
        fputc('\n', stderr);
        taxonomy_free(t);
        json_decref(versions);
        return EXIT_INVALID;
    }
    path = cli_db_path(db);
    if (stat(path, &sb) == 0) {
        if (store_open(path, STORE_OPEN_EXISTING, &st, &err) != 0 ||
            chain_count(st, t, &counts, &err) != 0 ||
            store_chain_count_taxonomies(st, taxonomy_versions, versions, &err) != 0) {
            cli_print_error(&err);
            store_close(st);
            taxonomy_free(t);
            json_decref(versions);
            return EXIT_FAIL;
        }
        cnt = &counts;
    } else if (!json) {
        fprintf(stderr, "magnet chains: no store at %s: showing the taxonomy without counts\n",
                path);
    }
    stages = xmalloc(st_mult(t->nnodes ? t->nnodes : 1, sizeof(*stages)));

    if (json) {
        json_t *o = json_object(), *tracks = json_array();
        json_object_set_new(o, "taxonomy",
                            json_pack("{s:s, s:s, s:I, s:I}", "hash", t->hash, "source", t->source,
                                      "tracks", (json_int_t)t->ntracks, "nodes",
                                      (json_int_t)t->nnodes));
        if (cnt) {
            json_object_set_new(o, "enterprises", json_integer(cnt->enterprises));
            json_object_set_new(o, "classified_by", json_incref(versions));
            json_object_set_new(o, "placements_in_other_nodes", json_integer(cnt->other_rows));
        }
        for (i = 0; i < t->ntracks; i++) {
            const struct tax_track *tr = &t->tracks[i];
            json_t *to, *sa = json_array(), *src = json_array();
            if (only && strcmp(only, tr->id) != 0) {
                json_decref(sa);
                json_decref(src);
                continue;
            }
            for (k = 0; k < tr->nsources; k++)
                json_array_append_new(src, json_string(tr->sources[k]));
            to = json_pack("{s:s, s:s, s:s, s:o}", "id", tr->id, "name", tr->name, "kind",
                           tr->kind == TAX_CHAIN ? "chain" : "classification", "sources", src);
            if (cnt)
                json_object_set_new(to, "enterprises", json_integer(cnt->track[i]));
            nstages = track_stages(t, tr, stages);
            for (s = 0; s < nstages; s++) {
                json_t *nodes = json_array(), *so;
                for (k = 0; k < tr->nnodes; k++) {
                    const struct tax_node *nd = &t->nodes[tr->first_node + k];
                    if (strcmp(nd->stage_text, stages[s].text) == 0)
                        json_array_append_new(nodes, node_json(nd, cnt, tr->first_node + k));
                }
                so = json_pack("{s:s, s:s, s:o}", "stage", stages[s].text, "label",
                               stage_label(&stages[s]), "nodes", nodes);
                json_array_append_new(sa, so);
            }
            json_object_set_new(to, "stages", sa);
            json_array_append_new(tracks, to);
        }
        json_object_set_new(o, "tracks", tracks);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        printf("taxonomy %s (%s): %zu tracks, %zu nodes\n", t->hash, t->source, t->ntracks,
               t->nnodes);
        for (i = 0; i < t->ntracks; i++) {
            const struct tax_track *tr = &t->tracks[i];
            if (only && strcmp(only, tr->id) != 0)
                continue;
            printf("\n%s %s (%s)", tr->id, tr->name,
                   tr->kind == TAX_CHAIN ? "chain" : "classification");
            if (cnt)
                printf(": %lld enterprises", (long long)cnt->track[i]);
            printf("\n");
            nstages = track_stages(t, tr, stages);
            for (s = 0; s < nstages; s++) {
                if (stages[s].stage == TAX_CATEGORY)
                    printf("  %s\n", stages[s].text);
                else
                    printf("  %s %s\n", stage_label(&stages[s]), stages[s].text);
                for (k = 0; k < tr->nnodes; k++) {
                    const struct tax_node *nd = &t->nodes[tr->first_node + k];
                    if (strcmp(nd->stage_text, stages[s].text) != 0)
                        continue;
                    if (cnt)
                        printf("    %10lld  %-28s %s\n", (long long)cnt->node[tr->first_node + k],
                               nd->full_id, nd->name);
                    else
                        printf("    %-28s %s\n", nd->full_id, nd->name);
                }
            }
        }
        if (cnt) {
            size_t nv = json_array_size(versions);
            for (i = 0; i < nv; i++) {
                json_t *v = json_array_get(versions, i);
                const char *h = json_string_value(json_object_get(v, "hash"));
                if (h && strcmp(h, t->hash) != 0)
                    printf("\nnote: %lld enterprises were classified with another taxonomy "
                           "(%s, %s): 'magnet classify --all' brings them up to date\n",
                           (long long)json_integer_value(json_object_get(v, "enterprises")), h,
                           json_string_value(json_object_get(v, "source")));
            }
        }
    }
    free(stages);
    if (cnt)
        chain_counts_release(cnt);
    json_decref(versions);
    store_close(st);
    taxonomy_free(t);
    return EXIT_OK;
}
