/*
 * h_chains.c - industry chains: the taxonomy with enterprise counts per
 * track and node (from the index, so they follow every import), one
 * track, and a track's chain map for the home district (chainmap.h: LQ,
 * gap nodes, local leaders, 补链 candidates).
 *
 * The taxonomy is small and fixed while the server runs (a few dozen
 * tracks, a few hundred nodes), so it is returned whole, not paged.
 */
#include <string.h>

#include "chain/taxonomy.h"
#include "http/api.h"
#include "index/chainmap.h"
#include "index/exec.h"
#include "index/screen_json.h"

/* Counts of every track and node: the facets of the empty query. */
static int counts(struct api_req *r, struct screen_result *res)
{
    struct screen_request req;
    struct error err = ERROR_INIT;
    memset(&req, 0, sizeof(req));
    req.q = "";
    req.no_items = 1;
    req.facets = (1u << FACET_TRACK) | (1u << FACET_NODE);
    if (screen_run(r->srv->ix, &req, res, &err) != 0) {
        api_internal(r, "counting the chains", &err);
        return -1;
    }
    return 0;
}

static int64_t count_of(const struct screen_facet_result *f, const char *key)
{
    size_t i;
    for (i = 0; i < f->n; i++)
        if (!strcmp(f->values[i].key, key))
            return f->values[i].count;
    return 0;
}

static const char *stage_label(const struct tax_node *n)
{
    return n->stage == TAX_CATEGORY ? n->stage_text : tax_stage_label(n->stage);
}

static json_t *track_json(const struct taxonomy *t, size_t ti, const struct screen_result *res)
{
    const struct tax_track *tr = &t->tracks[ti];
    json_t *o = json_object(), *nodes = json_array();
    size_t i;
    json_object_set_new(o, "id", json_string(tr->id));
    json_object_set_new(o, "name", json_string(tr->name));
    json_object_set_new(o, "kind", json_string(tr->kind == TAX_CHAIN ? "chain"
                                                                     : "classification"));
    json_object_set_new(o, "enterprises",
                        json_integer(count_of(&res->facets[FACET_TRACK], tr->id)));
    for (i = tr->first_node; i < tr->first_node + tr->nnodes; i++) {
        const struct tax_node *n = &t->nodes[i];
        json_array_append_new(
            nodes, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "id", n->full_id, "node", n->id,
                             "name", n->name, "stage", n->stage_text, "stage_label",
                             stage_label(n), "enterprises",
                             (json_int_t)count_of(&res->facets[FACET_NODE], n->full_id)));
    }
    json_object_set_new(o, "nodes", nodes);
    return o;
}

void h_chains_list(struct api_req *r)
{
    const struct taxonomy *t = index_taxonomy(r->srv->ix);
    struct screen_result res;
    json_t *o, *tracks;
    size_t i;

    if (counts(r, &res) != 0)
        return;
    o = json_object();
    json_object_set_new(o, "taxonomy", json_pack("{s:s, s:s}", "hash", t->hash, "source",
                                                 t->source ? t->source : ""));
    json_object_set_new(o, "enterprises", json_integer((json_int_t)res.total));
    tracks = json_array();
    for (i = 0; i < t->ntracks; i++)
        json_array_append_new(tracks, track_json(t, i, &res));
    json_object_set_new(o, "tracks", tracks);
    screen_result_release(&res);
    api_reply_json(r, 200, o);
}

/* The track named by :track (id or Chinese name), or -1 after a reply. */
static int find_track(struct api_req *r, size_t *track)
{
    struct error err = ERROR_INIT;
    if (chainmap_find_track(index_taxonomy(r->srv->ix), api_param(r, "track"), track, &err) !=
        0) {
        api_error(r, 404, "not_found", "track", "%s", err.msg);
        return -1;
    }
    return 0;
}

void h_chain_get(struct api_req *r)
{
    struct screen_result res;
    size_t track;
    json_t *o;
    if (find_track(r, &track) != 0 || counts(r, &res) != 0)
        return;
    o = track_json(index_taxonomy(r->srv->ix), track, &res);
    screen_result_release(&res);
    api_reply_json(r, 200, o);
}

void h_chain_map(struct api_req *r)
{
    struct chainmap m;
    struct error err = ERROR_INIT;
    struct api_problem p;
    int64_t leaders = CHAINMAP_DEFAULT_LEADERS, cands = CHAINMAP_DEFAULT_CANDIDATES;
    size_t track;
    json_t *o;

    memset(&p, 0, sizeof(p));
    if (api_int_param(&r->url, "leaders", 0, CHAINMAP_MAX_FIRMS, &leaders, &p) != 0 ||
        api_int_param(&r->url, "candidates", 0, CHAINMAP_MAX_FIRMS, &cands, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    if (find_track(r, &track) != 0)
        return;
    if (!r->srv->home[0]) {
        api_error(r, 422, "no_home", NULL,
                  "the server has no home district: a chain map needs the 'home' setting");
        return;
    }
    if (chainmap_build(r->srv->ix, track, (size_t)leaders, (size_t)cands, &m, &err) != 0) {
        api_internal(r, "building the chain map", &err);
        return;
    }
    o = chainmap_json(&m);
    chainmap_release(&m);
    api_reply_json(r, 200, o);
}
