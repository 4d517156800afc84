/*
 * chain_count.c - enterprise counts per node and per track from the stored
 * classification (see chain_count.h).
 *
 * The rows come in (enterprise, node) order, so "distinct enterprises per
 * track" needs no set: a track counts an enterprise when it differs from
 * the last one it counted.
 */
#include "chain/chain_count.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

struct count_ctx {
    const struct taxonomy *t;
    struct chain_counts *out;
    int64_t *last_ent;   /* by track: the last enterprise counted */
    int64_t last_any;
};

static void count_row(int64_t ent_id, const char *node, void *ctx)
{
    struct count_ctx *c = ctx;
    const struct tax_node *n = node ? taxonomy_node(c->t, node) : NULL;
    size_t idx;
    if (!n) {
        c->out->other_rows++;
        return;
    }
    idx = (size_t)(n - c->t->nodes);
    c->out->node[idx]++;
    if (c->last_ent[n->track] != ent_id) {
        c->last_ent[n->track] = ent_id;
        c->out->track[n->track]++;
    }
    if (c->last_any != ent_id) {
        c->last_any = ent_id;
        c->out->enterprises++;
    }
}

int chain_count(struct store *st, const struct taxonomy *t, struct chain_counts *out,
                struct error *err)
{
    struct count_ctx c;
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    out->node = xcalloc(t->nnodes ? t->nnodes : 1, sizeof(int64_t));
    out->track = xcalloc(t->ntracks ? t->ntracks : 1, sizeof(int64_t));
    c.t = t;
    c.out = out;
    c.last_ent = xmalloc(st_mult(t->ntracks ? t->ntracks : 1, sizeof(int64_t)));
    for (i = 0; i < t->ntracks; i++)
        c.last_ent[i] = -1;
    c.last_any = -1;
    rc = store_chain_each_node(st, count_row, &c, err);
    free(c.last_ent);
    if (rc != 0)
        chain_counts_release(out);
    return rc;
}

void chain_counts_release(struct chain_counts *c)
{
    free(c->node);
    free(c->track);
    memset(c, 0, sizeof(*c));
}
