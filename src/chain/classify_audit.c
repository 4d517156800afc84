/*
 * classify_audit.c - the audit row of a classification run (see
 * classify_audit.h).
 */
#include "chain/classify_audit.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int classify_audit(struct store *st, const struct audit_actor *who, const struct taxonomy *t,
                   const struct classify_run_options *opt, const struct classify_run_stats *stats,
                   const struct error *failed, int64_t now, struct error *err)
{
    json_t *o = json_object();
    char id[32], *after;
    int rc;

    json_object_set_new(o, "batch", opt->batch ? json_integer(opt->batch) : json_null());
    json_object_set_new(o, "taxonomy", json_string(t->hash));
    /* json_string() refuses a directory name that is not UTF-8: then none */
    json_object_set_new(o, "source", t->source ? json_string(t->source) : json_null());
    json_object_set_new(o, "enterprises", json_integer(stats->enterprises));
    json_object_set_new(o, "placed", json_integer(stats->placed));
    json_object_set_new(o, "placements", json_integer(stats->rows));
    json_object_set_new(o, "complete", json_boolean(!failed));
    if (failed)
        json_object_set_new(o, "error", json_string(failed->msg));
    after = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (opt->batch)
        snprintf(id, sizeof(id), "%lld", (long long)opt->batch);
    rc = audit_record(st, who,
                      &(struct audit_entry){ .action = "classify",
                                             .entity = opt->batch ? "batch" : "taxonomy",
                                             .entity_id = opt->batch ? id : t->hash,
                                             .after = after },
                      now ? now : (int64_t)time(NULL), NULL, err);
    free(after);
    return rc;
}
