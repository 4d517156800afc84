/*
 * chainmap.c - the chain map of a track for the home district: counts and
 * location quotients straight from the index's node and region bitmaps,
 * leaders and 补链 candidates through screen_run (chainmap.h says why).
 */
#include "index/chainmap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "chain/taxonomy.h"
#include "index/index_internal.h"
#include "ref/region.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int same_name(const char *typed, const char *name)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    int eq = utf8_name_key(typed, strlen(typed), &a) == 0 &&
             utf8_name_key(name, strlen(name), &b) == 0 && a.len == b.len &&
             memcmp(a.buf, b.buf, a.len) == 0;
    strbuf_release(&a);
    strbuf_release(&b);
    return eq;
}

int chainmap_find_track(const struct taxonomy *t, const char *s, size_t *track,
                        struct error *err)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i;

    if (!s || !*s)
        return error_set(err, "no track given");
    for (i = 0; i < t->ntracks; i++) {
        if (strcasecmp(t->tracks[i].id, s) == 0 || same_name(s, t->tracks[i].name)) {
            *track = i;
            return 0;
        }
    }
    for (i = 0; i < t->ntracks; i++)
        strbuf_addf(&sb, "%s%s %s", i ? ", " : "", t->tracks[i].id, t->tracks[i].name);
    error_set(err, "unknown track '%s' (tracks: %s)", s, t->ntracks ? sb.buf : "none");
    strbuf_release(&sb);
    return -1;
}

/* Run one query for the map; an empty result when n is 0 but the count. */
static int run(struct index *ix, const char *q, size_t n, struct screen_result *out,
               char **canonical, struct error *err)
{
    struct screen_request req;
    memset(&req, 0, sizeof(req));
    req.q = q;
    req.limit = n ? n : 1;
    req.no_items = n == 0;
    if (screen_run(ix, &req, out, err) != 0)
        return error_prefix(err, "chain map query '%s': ", q);
    *canonical = xstrdup(out->canonical ? out->canonical : q);
    return 0;
}

int chainmap_build(struct index *ix, size_t track, size_t leaders, size_t candidates,
                   struct chainmap *out, struct error *err)
{
    const struct taxonomy *t = ix->tax;
    const struct tax_track *tr;
    const roaring_bitmap_t *home_bm = NULL;
    double t0 = now_ms();
    size_t i;

    memset(out, 0, sizeof(*out));
    if (track >= t->ntracks)
        return error_set(err, "no track number %zu", track);
    if (leaders > CHAINMAP_MAX_FIRMS || candidates > CHAINMAP_MAX_FIRMS)
        return error_set(err, "at most %d leaders or candidates per node",
                         CHAINMAP_MAX_FIRMS);
    tr = &t->tracks[track];
    out->track = tr;
    out->track_index = track;

    pthread_rwlock_rdlock(&ix->lock);
    if (!ix->home) {
        pthread_rwlock_unlock(&ix->lock);
        return error_set(err, "no home region: the chain map compares a home district with "
                              "the country (pass --home REGION or set MAGNET_HOME)");
    }
    snprintf(out->home, sizeof(out->home), "%s", ix->home->code);
    snprintf(out->home_name, sizeof(out->home_name), "%s", ix->home->full_name);
    home_bm = ix->bm.region[index_region_idx(ix->home)];
    out->local_total = home_bm ? roaring_bitmap_get_cardinality(home_bm) : 0;
    out->national_total = roaring_bitmap_get_cardinality(ix->all);
    out->nnodes = tr->nnodes;
    out->nodes = xcalloc(tr->nnodes ? tr->nnodes : 1, sizeof(*out->nodes));
    for (i = 0; i < tr->nnodes; i++) {
        struct chainmap_node *n = &out->nodes[i];
        const roaring_bitmap_t *nb;
        n->index = tr->first_node + i;
        n->node = &t->nodes[n->index];
        nb = ix->bm.node[n->index];
        n->national = nb ? roaring_bitmap_get_cardinality(nb) : 0;
        n->local = nb && home_bm ? roaring_bitmap_and_cardinality(nb, home_bm) : 0;
        n->lq_defined = out->local_total > 0 && n->national > 0;
        if (n->lq_defined)
            n->lq = ((double)n->local * (double)out->national_total) /
                    ((double)n->national * (double)out->local_total);
        n->gap = index_node_is_gap(ix, n->index);
        n->weak = n->gap || n->local == 0;
        out->nweak += n->weak;
        out->ngap += n->gap;
    }
    pthread_rwlock_unlock(&ix->lock);

    for (i = 0; i < out->nnodes; i++) {
        struct chainmap_node *n = &out->nodes[i];
        struct strbuf q = STRBUF_INIT;
        int rc;
        strbuf_addf(&q, "node:%s region:%s status:active", n->node->full_id, out->home);
        rc = run(ix, q.buf, leaders, &n->leaders, &n->leaders_query, err);
        if (rc == 0 && n->weak) {
            strbuf_reset(&q);
            strbuf_addf(&q, "node:%s -region:%s status:active", n->node->full_id, out->home);
            rc = run(ix, q.buf, candidates, &n->candidates, &n->candidates_query, err);
        }
        strbuf_release(&q);
        if (rc != 0) {
            chainmap_release(out);
            return -1;
        }
    }
    out->took_ms = now_ms() - t0;
    return 0;
}

void chainmap_release(struct chainmap *m)
{
    size_t i;
    for (i = 0; i < m->nnodes; i++) {
        free(m->nodes[i].leaders_query);
        free(m->nodes[i].candidates_query);
        screen_result_release(&m->nodes[i].leaders);
        screen_result_release(&m->nodes[i].candidates);
    }
    free(m->nodes);
    memset(m, 0, sizeof(*m));
}
