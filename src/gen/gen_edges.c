/*
 * gen_edges.c - the shareholding file: who owns whom among the generated
 * enterprises, for chain-leader and group analysis.
 *
 *   investor,investee,share_pct,relation
 *   91330106MA27XN1D5B,91440300MA5FQ2C34K,100.00,wholly_owned
 *
 * relation: wholly_owned, controlled (51-99%), minority (5-49%) - a group
 * parent and its subsidiaries; branch - a parent and its 分公司 (no share:
 * a branch is not a separate legal person, the cell is empty); fund - an
 * investment fund's stake in a firm that raised a round; strategic - a
 * group parent's stake in a firm whose last round was 战略融资. Shares into
 * one investee never add up to more than 100%.
 * Edges are listed in investee row order, so the file is deterministic.
 */
#include "gen/gen_internal.h"

#include <string.h>

static void add_share(struct strbuf *out, int bp)
{
    strbuf_addf(out, "%d.%02d", bp / 100, bp % 100);
}

static void edge(struct strbuf *out, const char *investor, const char *investee, int bp,
                 const char *relation)
{
    strbuf_add(out, investor, 18);
    strbuf_addch(out, ',');
    strbuf_add(out, investee, 18);
    strbuf_addch(out, ',');
    if (bp > 0)
        add_share(out, bp);
    strbuf_addch(out, ',');
    strbuf_addstr(out, relation);
    strbuf_addch(out, '\n');
}

static void render_edges(const struct gen *g, uint64_t first, uint64_t end, struct gen_ent *e,
                         struct strbuf *cells, struct strbuf *out)
{
    struct gen_ent other;
    uint64_t i;
    for (i = first; i < end; i++) {
        gen_ent_make(g, i, e, 0);
        if (e->role == GEN_ROLE_SUBSIDIARY || e->role == GEN_ROLE_BRANCH) {
            gen_ent_make(g, e->parent_row, &other, 0);
            if (e->role == GEN_ROLE_BRANCH)
                edge(out, other.uscc, e->uscc, 0, "branch");
            else
                edge(out, other.uscc, e->uscc, e->share_bp,
                     e->share_bp == 10000 ? "wholly_owned" : e->share_bp > 5000 ? "controlled"
                                                                              : "minority");
        }
        /* outside investors only in independent firms: a group member's
         * capital belongs to its group */
        if (e->round >= 0 && e->round != 9 /* IPO */ && (g->F || g->P) &&
            e->role != GEN_ROLE_SUBSIDIARY && e->role != GEN_ROLE_BRANCH) {
            struct rng r;
            int k, n, tries;
            uint64_t used[3] = { UINT64_MAX, UINT64_MAX, UINT64_MAX };
            rng_seed(&r, g->opt.seed, i, PURPOSE_EDGES);
            n = 1 + (int)rng_below(&r, 3);
            for (k = 0; k < n; k++) {
                int strategic = e->round == 8 && g->P && k == 0;
                uint64_t rank = 0, row = 0;
                if (!strategic && !g->F)
                    break;
                /* prefer an investor founded before the round */
                for (tries = 0; tries < 4; tries++) {
                    rank = strategic ? rng_below(&r, g->P) : g->P + g->S + rng_below(&r, g->F);
                    row = perm_inverse(&g->p_role, rank);
                    gen_ent_make(g, row, &other, 0);
                    if (other.founded <= e->funding_date)
                        break;
                }
                if (row == i || row == used[0] || row == used[1] || row == used[2])
                    continue;
                used[k] = row;
                edge(out, other.uscc, e->uscc,
                     strategic ? 500 + (int)rng_below(&r, 16) * 100 : 100 + (int)rng_below(&r, 1400),
                     strategic ? "strategic" : "fund");
            }
        }
    }
    (void)cells;
}

struct edges_ctx {
    const struct gen_sink *sink;
};

static int consume_edges(void *ctx, const struct strbuf *block, uint64_t first, uint64_t end,
                         struct error *err)
{
    struct edges_ctx *ec = ctx;
    return ec->sink->write(ec->sink->ctx, block->buf, block->len, err);
}

int gen_write_edges(const struct gen *g, const struct gen_sink *sink, struct error *err)
{
    static const char head[] = "investor,investee,share_pct,relation\n";
    struct edges_ctx ec = { sink };
    if (sink->write(sink->ctx, head, sizeof(head) - 1, err))
        return -1;
    return gen_pipeline(g, render_edges, consume_edges, &ec, err);
}
