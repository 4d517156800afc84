/*
 * screen_json.c - the JSON of a screening result (screen_json.h).
 */
#include "index/screen_json.h"

#include "chain/taxonomy.h"
#include "index/chainmap.h"
#include "index/query.h"
#include "index/score.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/value.h"

static json_t *wan(int64_t cents)
{
    /* 万元 with two decimals: cents / 10^6, kept exact as a decimal string
     * would be overkill for a display field. */
    return json_real((double)cents / 1e6);
}

json_t *screen_item_json(const struct screen_item *it)
{
    json_t *o = json_object(), *tags = json_array();
    char d[11];
    int t;

    json_object_set_new(o, "uscc", it->uscc[0] ? json_string(it->uscc) : json_null());
    json_object_set_new(o, "name", json_string(it->name ? it->name : ""));
    json_object_set_new(o, "score", json_integer(it->score));
    json_object_set_new(o, "region", it->region[0] ? json_string(it->region) : json_null());
    if (it->region[0] && region_find_code(it->region))
        json_object_set_new(o, "region_name",
                            json_string(region_find_code(it->region)->full_name));
    json_object_set_new(o, "industry", it->industry[0] ? json_string(it->industry) : json_null());
    if (it->industry[0] && industry_find_code(it->industry))
        json_object_set_new(o, "industry_name",
                            json_string(industry_find_code(it->industry)->name));
    json_object_set_new(o, "capital_wan",
                        it->capital_cny == SCORE_UNKNOWN ? json_null() : wan(it->capital_cny));
    if (it->founded != SCORE_UNKNOWN) {
        query_days_date(it->founded, d);
        json_object_set_new(o, "founded", json_string(d));
    } else {
        json_object_set_new(o, "founded", json_null());
    }
    json_object_set_new(o, "status", json_string(value_status_name((enum ent_status)it->status)));
    json_object_set_new(o, "staff",
                        it->staff == SCORE_UNKNOWN ? json_null() : json_integer(it->staff));
    json_object_set_new(o, "patents",
                        it->patents == SCORE_UNKNOWN ? json_null() : json_integer(it->patents));
    for (t = 0; t < TAG_COUNT; t++)
        if (it->tags & (1u << t))
            json_array_append_new(tags, json_string(value_tag_name((enum ent_tag)t)));
    json_object_set_new(o, "tags", tags);
    json_object_set_new(o, "round", it->round[0] ? json_string(it->round) : json_null());
    if (it->lines) {
        json_t *b = json_array();
        size_t i;
        for (i = 0; i < it->nlines; i++) {
            const struct score_line *l = &it->lines[i];
            json_array_append_new(b, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "dimension",
                                               l->dimension, "factor", l->factor, "label",
                                               score_label(l->factor), "value", l->value,
                                               "points", l->points, "max", l->max));
        }
        json_object_set_new(o, "breakdown", b);
    }
    return o;
}

json_t *screen_result_json(const struct screen_result *r)
{
    json_t *o = json_object(), *items = json_array();
    size_t i, k;
    json_object_set_new(o, "query", json_string(r->canonical ? r->canonical : ""));
    json_object_set_new(o, "total", json_integer((json_int_t)r->total));
    for (i = 0; i < r->nitems; i++)
        json_array_append_new(items, screen_item_json(&r->items[i]));
    json_object_set_new(o, "items", items);
    if (r->facet_mask) {
        json_t *f = json_object();
        for (i = 0; i < FACET_COUNT_; i++) {
            json_t *a;
            if (!(r->facet_mask & (1u << i)))
                continue;
            a = json_array();
            for (k = 0; k < r->facets[i].n; k++) {
                const struct screen_facet_value *v = &r->facets[i].values[k];
                json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "key", v->key, "label",
                                                   v->label, "count", (json_int_t)v->count));
            }
            json_object_set_new(f, screen_facet_name((enum screen_facet)i), a);
        }
        json_object_set_new(o, "facets", f);
    }
    json_object_set_new(o, "took_ms", json_real(r->took_ms));
    return o;
}

/* ---- chain maps ---- */

static json_t *firms_json(const char *query, const struct screen_result *r)
{
    json_t *items = json_array();
    size_t i;
    for (i = 0; i < r->nitems; i++)
        json_array_append_new(items, screen_item_json(&r->items[i]));
    return json_pack("{s:s, s:I, s:o}", "query", query ? query : "", "total",
                     (json_int_t)r->total, "items", items);
}

json_t *chainmap_json(const struct chainmap *m)
{
    json_t *o = json_object(), *nodes = json_array();
    size_t i;

    json_object_set_new(o, "track", json_pack("{s:s, s:s, s:s}", "id", m->track->id, "name",
                                              m->track->name, "kind",
                                              m->track->kind == TAX_CHAIN ? "chain"
                                                                          : "classification"));
    json_object_set_new(o, "home", json_pack("{s:s, s:s}", "code", m->home, "name", m->home_name));
    json_object_set_new(o, "local_total", json_integer((json_int_t)m->local_total));
    json_object_set_new(o, "national_total", json_integer((json_int_t)m->national_total));
    json_object_set_new(o, "weak_nodes", json_integer((json_int_t)m->nweak));
    json_object_set_new(o, "gap_nodes", json_integer((json_int_t)m->ngap));
    for (i = 0; i < m->nnodes; i++) {
        const struct chainmap_node *n = &m->nodes[i];
        json_t *no = json_object();
        json_object_set_new(no, "id", json_string(n->node->full_id));
        json_object_set_new(no, "name", json_string(n->node->name));
        json_object_set_new(no, "stage", json_string(n->node->stage_text));
        json_object_set_new(no, "stage_label",
                            json_string(n->node->stage == TAX_CATEGORY ? n->node->stage_text
                                                               : tax_stage_label(n->node->stage)));
        json_object_set_new(no, "local", json_integer((json_int_t)n->local));
        json_object_set_new(no, "national", json_integer((json_int_t)n->national));
        json_object_set_new(no, "lq", n->lq_defined ? json_real(n->lq) : json_null());
        json_object_set_new(no, "gap", json_boolean(n->gap));
        json_object_set_new(no, "weak", json_boolean(n->weak));
        json_object_set_new(no, "leaders", firms_json(n->leaders_query, &n->leaders));
        json_object_set_new(no, "candidates",
                            n->weak ? firms_json(n->candidates_query, &n->candidates)
                                    : json_null());
        json_array_append_new(nodes, no);
    }
    json_object_set_new(o, "nodes", nodes);
    json_object_set_new(o, "took_ms", json_real(m->took_ms));
    return o;
}

/* ---- the command ---- */
