/*
 * eval_chains.c - how well the classifier and the taxonomy place real-looking
 * enterprises: precision, recall and F1 per track and overall against the
 * hand-labelled set tests/data/chains-eval.csv, and every miss with the
 * evidence that caused it, so that each can be fixed or explained.
 *
 *   eval_chains [--chains DIR] [--ignore-track ID]... [--quiet] FILE.csv
 *
 * (make eval-chains runs it on the development set and on the blind
 * held-out set tests/data/chains-holdout.csv, whose labels were written
 * without seeing the taxonomy and leave out the code-based digital_economy
 * track: --ignore-track digital_economy.)
 *
 * FILE has the columns 企业名称,经营范围,国标行业,expected,note; expected is
 * a ';'-separated list of full node ids ("ai/chip;digital_economy/0304"),
 * empty for an enterprise that belongs to no node. Name and scope are
 * cleaned as the importer cleans them, and the industry text is read as the
 * importer reads it, so the figures hold for imported data.
 *
 * Track level (the figure the goal is about): an enterprise belongs to a
 * track when any node of the track holds it; precision and recall are
 * micro-averaged over (enterprise, track) pairs. Node level: the same over
 * (enterprise, node) pairs. Exit status: 0 when overall track-level
 * precision >= 0.9 and recall >= 0.85, 1 when not, 2 when the taxonomy or
 * the file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "chain/classify.h"
#include "chain/taxonomy.h"
#include "ref/industry.h"
#include "registry/csv_read.h"

#define GOAL_PRECISION 0.90
#define GOAL_RECALL 0.85

struct counts {
    long tp, fp, fn;
};

static double ratio(long a, long b)
{
    return b ? (double)a / (double)b : 1.0;
}

static void print_counts(const char *label, const struct counts *c)
{
    double p = ratio(c->tp, c->tp + c->fp), r = ratio(c->tp, c->tp + c->fn);
    printf("%-18s %5ld %5ld %5ld   %9.3f %7.3f %6.3f\n", label, c->tp, c->fp, c->fn, p, r,
           p + r > 0 ? 2 * p * r / (p + r) : 0.0);
}

/* The result for node index, or NULL when it has no evidence. */
static const struct classify_node *find_node(const struct classify_result *res, size_t index)
{
    size_t i;
    for (i = 0; i < res->nnodes; i++)
        if (res->nodes[i].index == index)
            return &res->nodes[i];
    return NULL;
}

static void describe(const char *what, const struct tax_node *n, const struct classify_node *r,
                     struct strbuf *out)
{
    char a[16], b[16];
    struct strbuf ev = STRBUF_INIT;
    strbuf_addf(out, "    %s %s (%s): ", what, n->full_id, n->name);
    if (!r) {
        strbuf_addf(out, "no evidence (threshold %s)\n", tax_weight_format(n->threshold, a));
        return;
    }
    classify_evidence_json(r, &ev);
    strbuf_addf(out, "score %s / %s  %s\n", tax_weight_format(r->score, a),
                tax_weight_format(n->threshold, b), ev.buf);
    strbuf_release(&ev);
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *path = NULL;
    const char *ignore[16];
    size_t nignore = 0;
    int quiet = 0, i;
    struct taxonomy *t = NULL;
    struct classifier *c = NULL;
    struct classify_scratch *s;
    struct error err = ERROR_INIT;
    struct table_reader *rd;
    struct table_row row;
    struct counts *per_track, tracks = { 0, 0, 0 }, nodes = { 0, 0, 0 };
    unsigned char *expected, *got_track, *exp_track, *skip;
    struct strbuf name = STRBUF_INIT, scope = STRBUF_INIT, misses = STRBUF_INIT;
    long rows = 0, rows_missed = 0, unknown = 0;
    int rc;
    size_t k;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--chains") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--ignore-track") && i + 1 < argc && nignore < 16)
            ignore[nignore++] = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: eval_chains [--chains DIR] [--ignore-track ID]... [--quiet] FILE.csv\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: eval_chains [--chains DIR] [--ignore-track ID]... [--quiet] FILE.csv\n");
        return 2;
    }
    if ((dir ? taxonomy_load_dir(dir, &t, &err) : taxonomy_load_default(&t, &err)) != 0 ||
        classifier_new(t, &c, &err) != 0) {
        fprintf(stderr, "eval_chains: %s\n", err.msg);
        taxonomy_free(t);
        return 2;
    }
    rd = csv_open(path, &err);
    if (!rd) {
        fprintf(stderr, "eval_chains: %s\n", err.msg);
        return 2;
    }
    s = classify_scratch_new(c);
    per_track = xcalloc(t->ntracks, sizeof(*per_track));
    skip = xcalloc(t->ntracks ? t->ntracks : 1, 1);
    for (k = 0; k < nignore; k++) {
        size_t tr;
        for (tr = 0; tr < t->ntracks && strcmp(t->tracks[tr].id, ignore[k]); tr++)
            ;
        if (tr == t->ntracks) {
            fprintf(stderr, "eval_chains: --ignore-track %s: no such track\n", ignore[k]);
            return 2;
        }
        skip[tr] = 1;
    }
    expected = xmalloc(t->nnodes ? t->nnodes : 1);
    got_track = xmalloc(t->ntracks ? t->ntracks : 1);
    exp_track = xmalloc(t->ntracks ? t->ntracks : 1);

    while ((rc = table_next(rd, &row, &err)) == 1) {
        const char *cell[5] = { "", "", "", "", "" };
        struct classify_input in;
        struct classify_result res;
        const struct industry *ind = NULL;
        char msg[256];
        size_t start, missed_at = misses.len;
        int missed = 0;

        if (row.row == 1)
            continue;  /* the header */
        for (k = 0; k < row.ncells && k < 5; k++)
            cell[k] = row.cells[k].text;
        if (!*cell[0])
            continue;
        rows++;
        strbuf_reset(&name);
        strbuf_reset(&scope);
        utf8_clean(cell[0], strlen(cell[0]), &name);
        utf8_clean(cell[1], strlen(cell[1]), &scope);
        if (*cell[2])
            ind = industry_parse(cell[2], msg, sizeof(msg));
        memset(&in, 0, sizeof(in));
        in.name = name.buf;
        in.name_len = name.len;
        in.scope = scope.buf;
        in.scope_len = scope.len;
        in.industry = ind ? ind->code : NULL;
        classify_ent(c, s, &in, &res);

        memset(expected, 0, t->nnodes ? t->nnodes : 1);
        memset(got_track, 0, t->ntracks ? t->ntracks : 1);
        memset(exp_track, 0, t->ntracks ? t->ntracks : 1);
        /* expected: "a/b;c/d" */
        start = 0;
        for (k = 0;; k++) {
            char ch = cell[3][k];
            if (ch == ';' || ch == '\0') {
                char id[96];
                size_t n = k - start, b = start;
                while (n && (cell[3][b] == ' ')) {
                    b++;
                    n--;
                }
                while (n && cell[3][b + n - 1] == ' ')
                    n--;
                if (n > 0 && n < sizeof(id)) {
                    const struct tax_node *nd;
                    memcpy(id, cell[3] + b, n);
                    id[n] = '\0';
                    nd = taxonomy_node(t, id);
                    if (nd && skip[nd->track]) {
                        /* an ignored track: neither expected nor counted */
                    } else if (nd) {
                        expected[nd - t->nodes] = 1;
                        exp_track[nd->track] = 1;
                    } else {
                        fprintf(stderr, "eval_chains: %s row %zu: expected node '%s' is not in "
                                        "the taxonomy\n", path, row.row, id);
                        unknown++;
                    }
                }
                if (ch == '\0')
                    break;
                start = k + 1;
            }
        }

        strbuf_addf(&misses, "  row %zu %s [%s]%s%s\n", row.row, cell[0], cell[2],
                    *cell[4] ? "  -- " : "", cell[4]);
        for (k = 0; k < res.nnodes; k++)
            if (res.nodes[k].placed)
                got_track[res.nodes[k].node->track] = 1;
        /* node level */
        for (k = 0; k < t->nnodes; k++) {
            const struct classify_node *r = find_node(&res, k);
            int got = r && r->placed;
            if (skip[t->nodes[k].track])
                continue;
            if (got && expected[k]) {
                nodes.tp++;
            } else if (got) {
                nodes.fp++;
                missed = 1;
                describe("FP", &t->nodes[k], r, &misses);
            } else if (expected[k]) {
                nodes.fn++;
                missed = 1;
                describe("FN", &t->nodes[k], r, &misses);
            }
        }
        /* track level */
        for (k = 0; k < t->ntracks; k++) {
            struct counts *pc = &per_track[k];
            if (skip[k])
                continue;
            if (got_track[k] && exp_track[k]) {
                pc->tp++;
                tracks.tp++;
            } else if (got_track[k]) {
                pc->fp++;
                tracks.fp++;
            } else if (exp_track[k]) {
                pc->fn++;
                tracks.fn++;
            }
        }
        if (missed)
            rows_missed++;
        else
            strbuf_setlen(&misses, missed_at);
    }
    if (rc < 0) {
        fprintf(stderr, "eval_chains: %s\n", err.msg);
        return 2;
    }

    printf("taxonomy %s (%s): %zu tracks, %zu nodes; %ld enterprises from %s\n\n", t->hash,
           t->source, t->ntracks, t->nnodes, rows, path);
    printf("%-18s %5s %5s %5s   %9s %7s %6s\n", "track", "TP", "FP", "FN", "precision", "recall",
           "F1");
    for (k = 0; k < t->ntracks; k++)
        if (!skip[k])
            print_counts(t->tracks[k].id, &per_track[k]);
    printf("\n");
    print_counts("overall (tracks)", &tracks);
    print_counts("overall (nodes)", &nodes);
    if (unknown)
        printf("\n%ld expected node ids are not in the taxonomy (see stderr)\n", unknown);
    if (!quiet && rows_missed)
        printf("\nmisses: %ld enterprises (FP: placed but not expected; FN: expected, not "
               "placed)\n%s", rows_missed, misses.buf);
    {
        double p = ratio(tracks.tp, tracks.tp + tracks.fp);
        double r = ratio(tracks.tp, tracks.tp + tracks.fn);
        int ok = p >= GOAL_PRECISION && r >= GOAL_RECALL;
        printf("\n%s: track-level precision %.3f (goal %.2f), recall %.3f (goal %.2f)\n",
               ok ? "PASS" : "FAIL", p, GOAL_PRECISION, r, GOAL_RECALL);
        rc = ok ? 0 : 1;
    }
    table_free(rd);
    classify_scratch_free(s);
    classifier_free(c);
    taxonomy_free(t);
    free(per_track);
    free(expected);
    free(got_track);
    free(exp_track);
    free(skip);
    strbuf_release(&name);
    strbuf_release(&scope);
    strbuf_release(&misses);
    return rc;
}
