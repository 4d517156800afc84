/*
 * h_audit.c - GET /api/audit: the audit trail, newest first, narrowed by
 * entity, entity_id, user and time (since, until), paged by limit with
 * offset or, for deep pages, before_id (the id of the last row seen).
 */
#include <string.h>

#include "http/api.h"

struct audit_ctx {
    json_t *items;
    int64_t last_id;
};

static int audit_row(const struct audit_row *row, void *vctx)
{
    struct audit_ctx *c = vctx;
    struct strbuf sb = STRBUF_INIT;
    json_t *o;
    audit_row_json(&sb, row);
    o = json_loadb(sb.buf, sb.len, 0, NULL);
    strbuf_release(&sb);
    json_array_append_new(c->items, o ? o : json_object());
    c->last_id = row->id;
    return 0;
}

void h_audit_list(struct api_req *r)
{
    static const char *const known[] = { "entity", "entity_id", "user", "since", "until",
                                         "before_id", "limit", "offset", NULL };
    struct audit_filter f;
    struct audit_ctx c;
    struct api_problem p;
    struct error err = ERROR_INIT;
    const char *since = api_arg(r, "since"), *until = api_arg(r, "until");
    size_t limit, offset, i, k;
    int64_t total = 0, before_id = 0;
    int n;
    json_t *o;

    for (i = 0; i < r->url.nargs; i++) {
        for (k = 0; known[k] && strcmp(known[k], r->url.args[i].key); k++)
            ;
        if (!known[k]) {
            api_error(r, 400, "invalid_parameter", r->url.args[i].key,
                      "unknown parameter '%.64s' (entity, entity_id, user, since, until, "
                      "before_id, limit, offset)",
                      r->url.args[i].key);
            return;
        }
    }
    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, AUDIT_LIMIT_DEFAULT,
                       r->srv->max_page < AUDIT_LIMIT_MAX ? r->srv->max_page : AUDIT_LIMIT_MAX,
                       1000000000, &limit, &offset, &p) != 0 ||
        api_int_param(&r->url, "before_id", 1, INT64_MAX, &before_id, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    memset(&f, 0, sizeof(f));
    f.entity = api_arg(r, "entity");
    f.entity_id = api_arg(r, "entity_id");
    f.user = api_arg(r, "user");
    f.limit = (int64_t)limit;
    f.offset = (int64_t)offset;
    f.before_id = before_id;
    if (since && audit_time_parse(since, &f.since, &err) != 0) {
        api_error(r, 400, "invalid_parameter", "since", "%s", err.msg);
        return;
    }
    if (until && audit_time_parse(until, &f.until, &err) != 0) {
        api_error(r, 400, "invalid_parameter", "until", "%s", err.msg);
        return;
    }
    c.items = json_array();
    c.last_id = 0;
    n = audit_query(r->st, &f, audit_row, &c, &total, &err);
    if (n < 0) {
        json_decref(c.items);
        api_auth_error(r, &err);
        return;
    }
    o = api_page_json(c.items, (uint64_t)total, limit, offset);
    /* the next page without offset: before_id = the last id of this one */
    json_object_set_new(o, "next_before_id",
                        (size_t)n == limit && c.last_id > 1 ? json_integer(c.last_id)
                                                            : json_null());
    api_reply_json(r, 200, o);
}
