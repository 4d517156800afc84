/*
 * h_enterprises.c - enterprises: screening (GET /api/enterprises), its
 * export (GET /api/enterprises/export), one enterprise by USCC with its
 * chain nodes and recent changes, and its whole change history.
 *
 * Screening answers from the in-memory index (refreshed before the call
 * by the route's R_INDEX flag); an enterprise's detail comes from the
 * store, as `magnet show` shows it.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "chain/taxonomy.h"
#include "http/api.h"
#include "index/exec.h"
#include "index/list.h"
#include "index/query.h"
#include "index/screen_json.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "ref/uscc.h"
#include "registry/export.h"
#include "registry/table_write.h"
#include "registry/value.h"
#include "store/store.h"

#define HISTORY_IN_DETAIL 20

/* ---- screening ---- */

void h_screen(struct api_req *r)
{
    struct api_screen_params sp;
    struct api_problem p;
    struct screen_request req;
    struct screen_result res;
    struct error err = ERROR_INIT;
    json_t *o;

    memset(&p, 0, sizeof(p));
    if (api_screen_params_parse(&r->url, r->srv->max_page, NULL, &sp, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    memset(&req, 0, sizeof(req));
    req.q = sp.q;
    req.limit = sp.limit;
    req.offset = sp.offset;
    req.facets = sp.facets;
    req.explain = sp.explain;
    if (screen_run(r->srv->ix, &req, &res, &err) != 0) {
        api_error(r, 400, "invalid_query", "q", "%s", err.msg);
        api_screen_params_release(&sp);
        return;
    }
    o = screen_result_json(&res);
    json_object_set_new(o, "limit", json_integer((json_int_t)sp.limit));
    json_object_set_new(o, "offset", json_integer((json_int_t)sp.offset));
    api_reply_json(r, 200, o);
    screen_result_release(&res);
    api_screen_params_release(&sp);
}

/* A screening item as a list entry (what the table writer takes). */
static void item_entry(const struct screen_item *it, uint32_t rank, struct list_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->doc = it->doc;
    e->rank = rank;
    memcpy(e->uscc, it->uscc, sizeof(e->uscc));
    e->name = it->name;
    memcpy(e->region, it->region, sizeof(e->region));
    memcpy(e->industry, it->industry, sizeof(e->industry));
    e->founded = it->founded;
    e->capital_cny = it->capital_cny;
    e->status = it->status;
    e->staff = it->staff;
    e->patents = it->patents;
    e->tags = it->tags;
    memcpy(e->round, it->round, sizeof(e->round));
    e->score = it->score;
}

/* Write entries to a file in the data directory and reply with it. */
static void reply_table(struct api_req *r, const char *base, int csv,
                        const struct list_entry *e, size_t n)
{
    char path[4300], fname[200];
    struct error err = ERROR_INIT;
    struct stat sb;
    int fd;

    if (api_data_path(r->srv, "export", csv ? ".csv" : ".xlsx", path, sizeof(path), &err) != 0 ||
        render_entries_table(path, "企业", csv, e, n, &err) != 0) {
        api_internal(r, "writing the export", &err);
        return;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    unlink(path);  /* the open descriptor keeps the file until the reply is sent */
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        api_internal(r, "reading the export", NULL);
        return;
    }
    api_reply_fd(r, 200,
                 csv ? "text/csv; charset=utf-8"
                     : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 fd, (uint64_t)sb.st_size);
    snprintf(fname, sizeof(fname), "%s-%s.%s", base, r->srv->today_text, csv ? "csv" : "xlsx");
    api_attachment(r, fname);
    {
        char rows[32];
        snprintf(rows, sizeof(rows), "%zu", n);
        api_add_header(r, "X-Magnet-Rows", rows);
    }
}

void h_screen_export(struct api_req *r)
{
    struct api_screen_params sp;
    struct api_problem p;
    struct error err = ERROR_INIT;
    struct index *ix = r->srv->ix;
    size_t max = (size_t)r->srv->cfg->num[HS_EXPORT_MAX_ROWS];
    int csv;

    memset(&p, 0, sizeof(p));
    if ((csv = api_export_format(r)) < 0)
        return;
    /* limit= exports the first N in order (at most SCREEN_MAX_LIMIT);
     * without it, every match (at most export_max_rows) */
    if (api_screen_params_parse(&r->url, SCREEN_MAX_LIMIT, "format", &sp, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    if (api_arg(r, "limit")) {
        struct screen_request req;
        struct screen_result res;
        struct list_entry *e;
        size_t i;
        memset(&req, 0, sizeof(req));
        req.q = sp.q;
        req.limit = sp.limit < max ? sp.limit : max;
        req.offset = sp.offset;
        if (screen_run(ix, &req, &res, &err) != 0) {
            api_error(r, 400, "invalid_query", "q", "%s", err.msg);
            api_screen_params_release(&sp);
            return;
        }
        e = xcalloc(res.nitems ? res.nitems : 1, sizeof(*e));
        for (i = 0; i < res.nitems; i++)
            item_entry(&res.items[i], (uint32_t)(sp.offset + i + 1), &e[i]);
        reply_table(r, "screen", csv, e, res.nitems);
        free(e); /* names belong to res */
        screen_result_release(&res);
    } else {
        struct query_env env = { index_taxonomy(ix), r->srv->today_text };
        struct query *q = NULL;
        struct list_entry *e = NULL;
        size_t n = 0;
        if (query_parse(sp.q, &env, &q, &err) != 0) {
            api_error(r, 400, "invalid_query", "q", "%s", err.msg);
            api_screen_params_release(&sp);
            return;
        }
        if (list_snapshot(ix, q, max, &e, &n, &err) != 0) {
            if (err.code == LIST_E_REFUSED)
                api_error(r, 422, "too_many_rows", "q",
                          "%s; an export holds at most %zu rows (export_max_rows): narrow the "
                          "query or pass limit=N for the first N",
                          err.msg, max);
            else
                api_internal(r, "ranking the export", &err);
        } else {
            reply_table(r, "screen", csv, e, n);
            list_entries_free(e, n);
        }
        query_free(q);
    }
    api_screen_params_release(&sp);
}

/* ---- one enterprise ---- */

/* The USCC of :uscc, normalised: 1, or 0 after a reply. */
static int uscc_param(struct api_req *r, char code[USCC_LEN + 1])
{
    const char *arg = api_param(r, "uscc");
    struct error err = ERROR_INIT;
    if (uscc_normalize(arg, strlen(arg), code, &err) != 0) {
        api_error(r, 400, "invalid_parameter", "uscc", "'%.40s' is not a USCC: %s", arg,
                  err.msg);
        return 0;
    }
    return 1;
}

/* The enterprise with USCC code: 1 and *id, or 0 after a reply. */
static int find_ent(struct api_req *r, const char *code, int64_t *id)
{
    struct error err = ERROR_INIT;
    int rc = store_ent_find_uscc(r->st, code, id, &err);
    if (rc < 0) {
        api_internal(r, "looking up the enterprise", &err);
        return 0;
    }
    if (rc == 0) {
        api_error(r, 404, "not_found", "uscc", "no enterprise has USCC %s", code);
        return 0;
    }
    return 1;
}

static json_t *history_row(const struct ent_change_row *c)
{
    int f = ent_field_by_name(c->field);
    return json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:s?, s:s?}", "field", c->field, "label",
                     f >= 0 ? ent_fields[f].label : c->field, "old", c->old_value, "new",
                     c->new_value, "batch", (json_int_t)c->batch, "file", c->file, "at", c->at);
}

static int collect_history(const struct ent_change_row *c, void *ctx)
{
    json_array_append_new(ctx, history_row(c));
    return 0;
}

/* History rows of enterprise id, newest first: [offset, offset + limit).
 * The store gives them oldest first, in one pass (an enterprise has a
 * handful of changes per import, not thousands). */
static int history_page(struct api_req *r, int64_t id, size_t limit, size_t offset,
                        json_t **items, uint64_t *total)
{
    struct error err = ERROR_INIT;
    json_t *all = json_array(), *page = json_array();
    size_t n, i;
    if (store_ent_history(r->st, id, collect_history, all, &err) != 0) {
        json_decref(all);
        json_decref(page);
        api_internal(r, "reading the history", &err);
        return -1;
    }
    n = json_array_size(all);
    for (i = offset; i < n && i < offset + limit; i++)
        json_array_append(page, json_array_get(all, n - 1 - i));
    json_decref(all);
    *items = page;
    *total = n;
    return 0;
}

struct chain_ctx {
    const struct taxonomy *t;
    json_t *arr;
};

static int chain_row(const struct chain_node_row *c, void *vctx)
{
    struct chain_ctx *x = vctx;
    const struct tax_node *n = taxonomy_node(x->t, c->node);
    json_t *o = json_object();
    const char *slash = strchr(c->node, '/');
    json_object_set_new(o, "node", json_string(c->node));
    json_object_set_new(o, "track", json_stringn(c->node, slash ? (size_t)(slash - c->node)
                                                                : strlen(c->node)));
    json_object_set_new(o, "track_name", n ? json_string(x->t->tracks[n->track].name)
                                           : json_null());
    json_object_set_new(o, "name", n ? json_string(n->name) : json_null());
    json_object_set_new(o, "stage", n ? json_string(n->stage_text) : json_null());
    json_object_set_new(o, "score", json_real(c->score));
    json_object_set_new(o, "confidence", json_real(c->confidence));
    {
        json_t *ev = json_loadb(c->evidence, c->evidence_len, 0, NULL);
        json_object_set_new(o, "evidence", ev ? ev : json_null());
    }
    json_array_append_new(x->arr, o);
    return 0;
}

static json_t *fields_json(const struct ent *e)
{
    json_t *fields = json_object();
    struct strbuf sb = STRBUF_INIT;
    char label[48];
    int f;
    for (f = 0; f < F_COUNT; f++) {
        if (!e->v[f].set || f == F_EXTRA)
            continue;
        switch (ent_fields[f].type) {
        case FT_INT:
            json_object_set_new(fields, ent_fields[f].name, json_integer(e->v[f].i));
            break;
        case FT_MONEY:
            strbuf_reset(&sb);
            export_format_money(e->v[f].i, e->v[f].s, &sb);
            json_object_set_new(fields, ent_fields[f].name,
                                json_pack("{s:I, s:s, s:s}", "cents", (json_int_t)e->v[f].i,
                                          "currency", e->v[f].s ? e->v[f].s : "CNY", "text",
                                          sb.buf));
            break;
        case FT_STATUS:
            json_object_set_new(fields, ent_fields[f].name,
                                json_pack("{s:s, s:s}", "code",
                                          value_status_name((enum ent_status)e->v[f].i), "text",
                                          e->v[f].s ? e->v[f].s : ""));
            break;
        default:
            if (f == F_ROUND && e->v[f].s) {
                value_round_label(e->v[f].s, label, sizeof(label));
                json_object_set_new(fields, ent_fields[f].name,
                                    json_pack("{s:s, s:s}", "code", e->v[f].s, "text", label));
            } else {
                json_object_set_new(fields, ent_fields[f].name, json_string(e->v[f].s ? e->v[f].s
                                                                                      : ""));
            }
            break;
        }
    }
    strbuf_release(&sb);
    return fields;
}

void h_enterprise_get(struct api_req *r)
{
    char code[USCC_LEN + 1];
    struct error err = ERROR_INIT;
    struct ent e;
    struct chain_ctx cc;
    const char *file = NULL, *at = NULL;
    int64_t id = 0, batch = 0;
    uint64_t htotal = 0;
    json_t *o, *hist = NULL;
    struct api_problem p;
    int explain = 0, cacheable = 0;
    int64_t seq = 0;

    memset(&p, 0, sizeof(p));
    if (api_bool_param(&r->url, "explain", &explain, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    if (!uscc_param(r, code))
        return;
    /* the reply as made for this state of the store, if it is cached */
    if (!explain && r->srv->ent_cache) {
        char *text;
        size_t len;
        if (store_change_seq(r->st, &seq, &err) != 0) {
            api_internal(r, "reading the change log", &err);
            return;
        }
        text = reply_cache_get(r->srv->ent_cache, code, seq, &len);
        if (text) {
            api_reply_text(r, 200, "application/json; charset=utf-8", text, len);
            free(text);
            return;
        }
        cacheable = 1;
    }
    if (!find_ent(r, code, &id))
        return;
    if (store_ent_load(r->st, id, &e, &err) != 0) {
        api_internal(r, "loading the enterprise", &err);
        return;
    }
    o = json_object();
    json_object_set_new(o, "id", json_integer(e.id));
    json_object_set_new(o, "uscc", json_string(code));
    json_object_set_new(o, "name", json_string(e.v[F_NAME].s ? e.v[F_NAME].s : ""));
    json_object_set_new(o, "fields", fields_json(&e));
    if (e.v[F_REGION].set && region_find_code(e.v[F_REGION].s))
        json_object_set_new(o, "region_name",
                            json_string(region_find_code(e.v[F_REGION].s)->full_name));
    if (e.v[F_INDUSTRY].set && industry_find_code(e.v[F_INDUSTRY].s))
        json_object_set_new(o, "industry_name",
                            json_string(industry_find_code(e.v[F_INDUSTRY].s)->name));
    {
        json_t *x = e.v[F_EXTRA].set ? json_loads(e.v[F_EXTRA].s, 0, NULL) : NULL;
        json_object_set_new(o, "extra", x ? x : json_object());
    }
    ent_release(&e);
    if (store_ent_origin(r->st, id, &batch, &file, &at, &err) != 0) {
        json_decref(o);
        api_internal(r, "reading the enterprise's origin", &err);
        return;
    }
    json_object_set_new(o, "origin", json_pack("{s:I, s:s?, s:s?}", "batch", (json_int_t)batch,
                                               "file", file, "at", at));
    cc.t = r->srv->tax;
    cc.arr = json_array();
    json_object_set_new(o, "chains", cc.arr);
    if (store_chain_ent_nodes(r->st, id, chain_row, &cc, &err) != 0) {
        json_decref(o);
        api_internal(r, "reading the enterprise's chains", &err);
        return;
    }
    if (history_page(r, id, HISTORY_IN_DETAIL, 0, &hist, &htotal) != 0) {
        json_decref(o);
        return;
    }
    json_object_set_new(o, "history", hist);
    json_object_set_new(o, "history_total", json_integer((json_int_t)htotal));
    if (explain) {
        /* the score and its breakdown, exactly as screening computes them */
        struct screen_request req;
        struct screen_result res;
        char q[40];
        if (api_refresh(r) != 0) {
            json_decref(o);
            return;
        }
        snprintf(q, sizeof(q), "uscc:%s", code);
        memset(&req, 0, sizeof(req));
        req.q = q;
        req.limit = 1;
        req.explain = 1;
        if (screen_run(r->srv->ix, &req, &res, &err) != 0) {
            json_decref(o);
            api_internal(r, "scoring the enterprise", &err);
            return;
        }
        json_object_set_new(o, "score", res.nitems ? screen_item_json(&res.items[0])
                                                   : json_null());
        screen_result_release(&res);
    }
    api_reply_json(r, 200, o);
    if (cacheable && r->status == 200)
        reply_cache_put(r->srv->ent_cache, code, seq, r->resp, r->resp_len);
}

void h_enterprise_history(struct api_req *r)
{
    char code[USCC_LEN + 1];
    struct api_problem p;
    size_t limit, offset;
    int64_t id;
    uint64_t total = 0;
    json_t *items = NULL, *o;

    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 50, r->srv->max_page, 10000000, &limit, &offset, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    if (!uscc_param(r, code) || !find_ent(r, code, &id))
        return;
    if (history_page(r, id, limit, offset, &items, &total) != 0)
        return;
    o = api_page_json(items, total, limit, offset);
    json_object_set_new(o, "uscc", json_string(code));
    api_reply_json(r, 200, o);
}
