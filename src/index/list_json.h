/*
 * list_json.h - the JSON form of saved lists (清单): descriptions, entries
 * and differences, shared by `magnet list ... --json` and the HTTP API so
 * that both answer with the same objects (docs/lists.md, docs/api.md).
 */
#ifndef MAGNET_INDEX_LIST_JSON_H
#define MAGNET_INDEX_LIST_JSON_H

#include <jansson.h>

#include "index/list.h"

/* {"name", "query", "note", "user", "created", "score_model", "home",
 *  "today", "total"}. New reference. */
json_t *list_meta_json(const struct list_meta *m);

/* {["rank",] "ent_id", "uscc", the fields of enum list_field (capital as
 *  "capital_wan"), "region_name", "industry_name"}; unknown values null. */
json_t *list_entry_json(const struct list_entry *e);

/* {"name", "query", "saved", "now", "score_model_changed", "home_changed",
 *  "counts", "added", "dropped", "changed"}. New reference. */
json_t *list_diff_json(const struct list_diff *d);

#endif
