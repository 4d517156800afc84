/*
 * h_enterprises.c - enterprises: screening (GET /api/enterprises), its
 * export (GET /api/enterprises/export), one enterprise by USCC with its
 * chain nodes and recent changes, and its whole change history.
 *
 * Screening answers from the in-memory index (refreshed before the call
 * by the route's R_INDEX flag); an enterprise's detail comes from the
 * store, as `magnet show` shows it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/jsonw.h"
#include "chain/taxonomy.h"
#include "http/api.h"
#include "index/exec.h"
#include "index/index.h"
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

    if (api_data_path(r->srv, "export", csv ? ".csv" : ".xlsx", path, sizeof(path), &err) != 0 ||
        render_entries_table(path, "企业", csv, e, n, &err) != 0) {
        api_internal(r, "writing the export", &err);
        return;
    }
    snprintf(fname, sizeof(fname), "%s-%s.%s", base, r->srv->today_text, csv ? "csv" : "xlsx");
    api_reply_export(r, path, csv, fname, (int64_t)n);
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

/* ---- the detail, written with jsonw: this is the API's hottest read ---- */

struct hist_ctx {
    struct strbuf text;   /* each row's JSON, one after the other */
    size_t *end;          /* row i ends at end[i] */
    size_t n, alloc;
};

static void json_nullable(struct jsonw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

static int history_text(const struct ent_change_row *c, void *vctx)
{
    struct hist_ctx *h = vctx;
    struct jsonw w;
    int f = ent_field_by_name(c->field);
    jw_init(&w, &h->text);
    jw_obj(&w);
    jw_kstr(&w, "field", c->field);
    jw_kstr(&w, "label", f >= 0 ? ent_fields[f].label : c->field);
    json_nullable(&w, "old", c->old_value);
    json_nullable(&w, "new", c->new_value);
    jw_kint(&w, "batch", c->batch);
    json_nullable(&w, "file", c->file);
    json_nullable(&w, "at", c->at);
    jw_obj_end(&w);
    if (h->n == h->alloc) {
        h->alloc = h->alloc ? 2 * h->alloc : 16;
        h->end = xrealloc(h->end, h->alloc * sizeof(*h->end));
    }
    h->end[h->n++] = h->text.len;
    return 0;
}

/* Enterprise id's history, newest first: rows [offset, offset + limit) as
 * a JSON array into w, their total into *total. The store gives them
 * oldest first in one pass (a handful per import, not thousands). */
static int history_json(struct api_req *r, int64_t id, size_t limit, size_t offset,
                        struct jsonw *w, uint64_t *total)
{
    struct error err = ERROR_INIT;
    struct hist_ctx h = { STRBUF_INIT, NULL, 0, 0 };
    size_t i;
    if (store_ent_history(r->st, id, history_text, &h, &err) != 0) {
        strbuf_release(&h.text);
        free(h.end);
        api_internal(r, "reading the history", &err);
        return -1;
    }
    jw_arr(w);
    for (i = offset; i < h.n && i < offset + limit; i++) {
        size_t k = h.n - 1 - i, from = k ? h.end[k - 1] : 0;
        jw_raw(w, h.text.buf + from, h.end[k] - from);
    }
    jw_arr_end(w);
    *total = h.n;
    strbuf_release(&h.text);
    free(h.end);
    return 0;
}

struct chain_ctx {
    const struct taxonomy *t;
    struct jsonw *w;
};

static int chain_row(const struct chain_node_row *c, void *vctx)
{
    struct chain_ctx *x = vctx;
    struct jsonw *w = x->w;
    const struct tax_node *n = taxonomy_node(x->t, c->node);
    const char *slash = strchr(c->node, '/');
    jw_obj(w);
    jw_kstr(w, "node", c->node);
    jw_key(w, "track");
    jw_strn(w, c->node, slash ? (size_t)(slash - c->node) : strlen(c->node));
    jw_kstr(w, "track_name", n ? x->t->tracks[n->track].name : NULL);
    jw_kstr(w, "name", n ? n->name : NULL);
    jw_kstr(w, "stage", n ? n->stage_text : NULL);
    jw_key(w, "score");
    jw_real(w, c->score);
    jw_key(w, "confidence");
    jw_real(w, c->confidence);
    /* the classifier's own JSON (classify_evidence_json), as stored */
    jw_key(w, "evidence");
    if (c->evidence && c->evidence_len)
        jw_raw(w, c->evidence, c->evidence_len);
    else
        jw_null(w);
    jw_obj_end(w);
    return 0;
}

static void fields_json(struct jsonw *w, const struct ent *e)
{
    struct strbuf sb = STRBUF_INIT;
    char label[48];
    int f;
    jw_obj(w);
    for (f = 0; f < F_COUNT; f++) {
        if (!e->v[f].set || f == F_EXTRA)
            continue;
        jw_key(w, ent_fields[f].name);
        switch (ent_fields[f].type) {
        case FT_INT:
            jw_int(w, e->v[f].i);
            break;
        case FT_MONEY:
            strbuf_reset(&sb);
            export_format_money(e->v[f].i, e->v[f].s, &sb);
            jw_obj(w);
            jw_kint(w, "cents", e->v[f].i);
            jw_kstr(w, "currency", e->v[f].s ? e->v[f].s : "CNY");
            jw_kstr(w, "text", sb.buf);
            jw_obj_end(w);
            break;
        case FT_STATUS:
            jw_obj(w);
            jw_kstr(w, "code", value_status_name((enum ent_status)e->v[f].i));
            jw_kstr(w, "text", e->v[f].s ? e->v[f].s : "");
            jw_obj_end(w);
            break;
        default:
            if (f == F_ROUND && e->v[f].s) {
                value_round_label(e->v[f].s, label, sizeof(label));
                jw_obj(w);
                jw_kstr(w, "code", e->v[f].s);
                jw_kstr(w, "text", label);
                jw_obj_end(w);
            } else {
                jw_str(w, e->v[f].s ? e->v[f].s : "");
            }
            break;
        }
    }
    jw_obj_end(w);
    strbuf_release(&sb);
}

/* The score and its breakdown, exactly as screening computes them. */
static int explain_json(struct api_req *r, const char *code, struct jsonw *w)
{
    struct screen_request req;
    struct screen_result res;
    struct error err = ERROR_INIT;
    char q[40];
    if (api_refresh(r) != 0)
        return -1;
    snprintf(q, sizeof(q), "uscc:%s", code);
    memset(&req, 0, sizeof(req));
    req.q = q;
    req.limit = 1;
    req.explain = 1;
    if (screen_run(r->srv->ix, &req, &res, &err) != 0) {
        api_internal(r, "scoring the enterprise", &err);
        return -1;
    }
    jw_key(w, "score");
    if (res.nitems) {
        json_t *o = screen_item_json(&res.items[0]);
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        json_decref(o);
        if (!text) {
            screen_result_release(&res);
            api_internal(r, "rendering the score", NULL);
            return -1;
        }
        jw_raw(w, text, strlen(text));
        free(text);
    } else {
        jw_null(w);
    }
    screen_result_release(&res);
    return 0;
}

/* The detail of enterprise e (USCC code) into w; -1 after an error reply. */
static int detail_json(struct api_req *r, struct ent *e, const char *code, int explain,
                       struct jsonw *w)
{
    struct error err = ERROR_INIT;
    struct chain_ctx cc;
    const char *file = NULL, *at = NULL;
    const struct region *rg;
    const struct industry *ind;
    int64_t batch = 0, id = e->id;
    uint64_t htotal = 0;

    jw_obj(w);
    jw_kint(w, "id", e->id);
    jw_kstr(w, "uscc", code);
    jw_kstr(w, "name", e->v[F_NAME].s ? e->v[F_NAME].s : "");
    jw_key(w, "fields");
    fields_json(w, e);
    if (e->v[F_REGION].set && (rg = region_find_code(e->v[F_REGION].s)) != NULL)
        jw_kstr(w, "region_name", rg->full_name);
    if (e->v[F_INDUSTRY].set && (ind = industry_find_code(e->v[F_INDUSTRY].s)) != NULL)
        jw_kstr(w, "industry_name", ind->name);
    /* extra columns: the importer's own JSON object, as stored */
    jw_key(w, "extra");
    if (e->v[F_EXTRA].set && e->v[F_EXTRA].s && e->v[F_EXTRA].s[0] == '{')
        jw_raw(w, e->v[F_EXTRA].s, strlen(e->v[F_EXTRA].s));
    else
        jw_raw(w, "{}", 2);
    if (store_ent_origin(r->st, id, &batch, &file, &at, &err) != 0) {
        api_internal(r, "reading the enterprise's origin", &err);
        return -1;
    }
    jw_key(w, "origin");
    jw_obj(w);
    jw_kint(w, "batch", batch);
    json_nullable(w, "file", file);
    json_nullable(w, "at", at);
    jw_obj_end(w);
    cc.t = r->srv->tax;
    cc.w = w;
    jw_key(w, "chains");
    jw_arr(w);
    if (store_chain_ent_nodes(r->st, id, chain_row, &cc, &err) != 0) {
        api_internal(r, "reading the enterprise's chains", &err);
        return -1;
    }
    jw_arr_end(w);
    jw_key(w, "history");
    if (history_json(r, id, HISTORY_IN_DETAIL, 0, w, &htotal) != 0)
        return -1;
    jw_kint(w, "history_total", (int64_t)htotal);
    if (explain && explain_json(r, code, w) != 0)
        return -1;
    jw_obj_end(w);
    return 0;
}

void h_enterprise_get(struct api_req *r)
{
    char code[USCC_LEN + 1];
    struct error err = ERROR_INIT;
    struct strbuf sb = STRBUF_INIT;
    struct jsonw w;
    struct api_problem p;
    struct ent e;
    int explain = 0, cacheable = 0, rc;
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
    /* the index knows the id (as of its last refresh): a hint, checked */
    rc = store_ent_load_uscc(r->st, code, index_id_of_uscc(r->srv->ix, code), &e, &err);
    if (rc <= 0) {
        if (rc < 0)
            api_internal(r, "loading the enterprise", &err);
        else
            api_error(r, 404, "not_found", "uscc", "no enterprise has USCC %s", code);
        ent_release(&e);
        return;
    }
    strbuf_grow(&sb, 4096);
    jw_init(&w, &sb);
    rc = detail_json(r, &e, code, explain, &w);
    ent_release(&e);
    if (rc != 0) {
        strbuf_release(&sb);
        return;
    }
    api_reply_strbuf(r, 200, &sb);
    if (cacheable)
        reply_cache_put(r->srv->ent_cache, code, seq, r->resp, r->resp_len);
}

void h_enterprise_history(struct api_req *r)
{
    char code[USCC_LEN + 1];
    struct api_problem p;
    struct strbuf sb = STRBUF_INIT, items = STRBUF_INIT;
    struct jsonw w;
    size_t limit, offset;
    int64_t id;
    uint64_t total = 0;

    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 50, r->srv->max_page, 10000000, &limit, &offset, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    if (!uscc_param(r, code) || !find_ent(r, code, &id))
        return;
    /* the page's items first: total is known only after them */
    jw_init(&w, &items);
    if (history_json(r, id, limit, offset, &w, &total) != 0) {
        strbuf_release(&items);
        return;
    }
    jw_init(&w, &sb);
    jw_obj(&w);
    jw_kint(&w, "total", (int64_t)total);
    jw_kint(&w, "limit", (int64_t)limit);
    jw_kint(&w, "offset", (int64_t)offset);
    jw_key(&w, "items");
    jw_raw(&w, items.buf, items.len);
    jw_kstr(&w, "uscc", code);
    jw_obj_end(&w);
    strbuf_release(&items);
    api_reply_strbuf(r, 200, &sb);
}
