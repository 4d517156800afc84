/*
 * h_stats.c - GET /api/stats: enterprise counts by status, province,
 * industry section and track, from the index (milliseconds at a million
 * enterprises, and current: the route refreshes the index first). The
 * groups are bounded by the reference tables, so they are not paged.
 */
#include <string.h>

#include "http/api.h"
#include "index/exec.h"
#include "index/index.h"

void h_stats(struct api_req *r)
{
    static const enum screen_facet groups[] = { FACET_STATUS, FACET_PROVINCE, FACET_SECTION,
                                                FACET_TRACK, FACET_TAG };
    struct screen_request req;
    struct screen_result res;
    struct error err = ERROR_INIT;
    json_t *o;
    size_t g, k;

    memset(&req, 0, sizeof(req));
    req.q = "";
    req.no_items = 1;
    for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        req.facets |= 1u << groups[g];
    if (screen_run(r->srv->ix, &req, &res, &err) != 0) {
        api_internal(r, "counting", &err);
        return;
    }
    o = json_object();
    json_object_set_new(o, "total", json_integer((json_int_t)res.total));
    json_object_set_new(o, "index_seq", json_integer((json_int_t)atomic_load(&r->srv->ix_seq)));
    json_object_set_new(o, "home", api_str_or_null(r->srv->home));
    for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        const struct screen_facet_result *f = &res.facets[groups[g]];
        json_t *a = json_array();
        for (k = 0; k < f->n; k++)
            json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "key", f->values[k].key,
                                               "label", f->values[k].label, "count",
                                               (json_int_t)f->values[k].count));
        json_object_set_new(o, screen_facet_name(groups[g]), a);
    }
    json_object_set_new(o, "took_ms", json_real(res.took_ms));
    screen_result_release(&res);
    api_reply_json(r, 200, o);
}
