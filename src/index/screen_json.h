/*
 * screen_json.h - the JSON form of a screening result and of one result
 * item, shared by `magnet screen --json`, `magnet chain map --json` and the
 * HTTP API (src/http/), so that the command line and the server answer
 * with the same objects (docs/api.md documents them).
 */
#ifndef MAGNET_INDEX_SCREEN_JSON_H
#define MAGNET_INDEX_SCREEN_JSON_H

#include <jansson.h>

#include "index/exec.h"

/* {"uscc", "name", "score", "region", "region_name", "industry",
 *  "industry_name", "capital_wan", "founded", "status", "staff", "patents",
 *  "tags", "round"[, "breakdown"]}; unknown values are null. New reference. */
json_t *screen_item_json(const struct screen_item *it);

/* {"query", "total", "items"[, "facets"], "took_ms"}. New reference. */
json_t *screen_result_json(const struct screen_result *r);

/* A chain map (chainmap.h): {"track", "home", "local_total",
 * "national_total", "weak_nodes", "gap_nodes", "nodes": [{"id", "name",
 * "stage", "stage_label", "local", "national", "lq", "gap", "weak",
 * "leaders", "candidates"}], "took_ms"}. New reference. */
struct chainmap;
json_t *chainmap_json(const struct chainmap *m);

#endif
