/*
 * render.c - JSON and table forms of the core's results that several
 * handlers share: list entries and descriptions, list differences, and
 * the XLSX/CSV table of ranked entries (a screening export).
 *
 * The objects are those of `magnet list ... --json`, so a script can move
 * between the command line and the API; docs/api.md and the OpenAPI
 * document describe them.
 */
#include <string.h>

#include "http/api.h"
#include "index/list.h"
#include "index/query.h"
#include "index/score.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/table_write.h"
#include "registry/value.h"

json_t *render_list_meta(const struct list_meta *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "query", json_string(m->query));
    json_object_set_new(o, "note", api_str_or_null(m->note));
    json_object_set_new(o, "user", api_str_or_null(m->user));
    json_object_set_new(o, "created", json_string(m->created ? m->created : ""));
    json_object_set_new(o, "score_model", json_string(m->score_model ? m->score_model : ""));
    json_object_set_new(o, "home", api_str_or_null(m->home));
    json_object_set_new(o, "today", json_string(m->today ? m->today : ""));
    json_object_set_new(o, "total", json_integer((json_int_t)m->total));
    return o;
}

static json_t *field_json(const struct list_entry *e, enum list_field f)
{
    switch (f) {
    case LF_SCORE: return json_integer(e->score);
    case LF_NAME: return json_string(e->name ? e->name : "");
    case LF_REGION: return api_str_or_null(e->region);
    case LF_INDUSTRY: return api_str_or_null(e->industry);
    case LF_FOUNDED: {
        char d[11];
        if (e->founded == SCORE_UNKNOWN)
            return json_null();
        query_days_date(e->founded, d);
        return json_string(d);
    }
    case LF_CAPITAL:
        return e->capital_cny == SCORE_UNKNOWN ? json_null()
                                               : json_real((double)e->capital_cny / 1e6);
    case LF_STATUS: return json_string(value_status_name((enum ent_status)e->status));
    case LF_STAFF: return e->staff == SCORE_UNKNOWN ? json_null() : json_integer(e->staff);
    case LF_PATENTS: return e->patents == SCORE_UNKNOWN ? json_null() : json_integer(e->patents);
    case LF_TAGS: {
        json_t *a = json_array();
        int t;
        for (t = 0; t < TAG_COUNT; t++)
            if (e->tags & (1u << t))
                json_array_append_new(a, json_string(value_tag_name((enum ent_tag)t)));
        return a;
    }
    case LF_ROUND: return api_str_or_null(e->round);
    default: return json_null();
    }
}

static const char *field_key(enum list_field f)
{
    return f == LF_CAPITAL ? "capital_wan" : list_field_name(f);
}

json_t *render_entry(const struct list_entry *e)
{
    json_t *o = json_object();
    int f;
    if (e->rank)
        json_object_set_new(o, "rank", json_integer(e->rank));
    json_object_set_new(o, "ent_id", json_integer(e->doc));
    json_object_set_new(o, "uscc", api_str_or_null(e->uscc));
    for (f = 0; f < LF_COUNT_; f++)
        json_object_set_new(o, field_key((enum list_field)f), field_json(e, (enum list_field)f));
    if (e->region[0] && region_find_code(e->region))
        json_object_set_new(o, "region_name", json_string(region_find_code(e->region)->full_name));
    if (e->industry[0] && industry_find_code(e->industry))
        json_object_set_new(o, "industry_name",
                            json_string(industry_find_code(e->industry)->name));
    return o;
}

static json_t *changes_json(const struct list_entry *a, const struct list_entry *b,
                            uint32_t mask)
{
    json_t *arr = json_array();
    struct strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;
    int f;
    for (f = 0; f < LF_COUNT_; f++) {
        if (!(mask & (1u << f)))
            continue;
        strbuf_reset(&sa);
        strbuf_reset(&sb);
        list_field_text(a, (enum list_field)f, &sa);
        list_field_text(b, (enum list_field)f, &sb);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "field",
                                             list_field_name((enum list_field)f), "label",
                                             list_field_label((enum list_field)f), "old",
                                             field_json(a, (enum list_field)f), "new",
                                             field_json(b, (enum list_field)f), "old_text",
                                             sa.buf, "new_text", sb.buf));
    }
    strbuf_release(&sa);
    strbuf_release(&sb);
    return arr;
}

json_t *render_list_diff(const struct list_diff *d)
{
    json_t *o = json_object(), *now = json_object(), *a;
    size_t i, k;

    json_object_set_new(o, "name", json_string(d->meta.name));
    json_object_set_new(o, "query", json_string(d->query_now));
    json_object_set_new(o, "saved", render_list_meta(&d->meta));
    json_object_set_new(now, "score_model", json_string(d->score_model_now));
    json_object_set_new(now, "home", api_str_or_null(d->home_now));
    json_object_set_new(now, "today", json_string(d->today_now));
    json_object_set_new(now, "total", json_integer((json_int_t)d->total_now));
    json_object_set_new(o, "now", now);
    json_object_set_new(o, "score_model_changed",
                        json_boolean(strcmp(d->score_model_now, d->meta.score_model) != 0));
    json_object_set_new(o, "home_changed",
                        json_boolean(strcmp(d->home_now, d->meta.home ? d->meta.home : "") != 0));
    json_object_set_new(o, "counts",
                        json_pack("{s:I, s:I, s:I, s:I}", "added", (json_int_t)d->nadded,
                                  "dropped", (json_int_t)d->ndropped, "changed",
                                  (json_int_t)d->nchanged, "unchanged",
                                  (json_int_t)d->unchanged));
    a = json_array();
    for (i = 0; i < d->added_kept; i++)
        json_array_append_new(a, render_entry(&d->added[i]));
    json_object_set_new(o, "added", a);
    a = json_array();
    for (i = 0; i < d->dropped_kept; i++) {
        const struct list_drop *x = &d->dropped[i];
        json_t *e = json_object(), *fails = json_array();
        json_object_set_new(e, "then", render_entry(&x->then));
        json_object_set_new(e, "exists", json_boolean(x->exists));
        json_object_set_new(e, "now", x->exists ? render_entry(&x->now) : json_null());
        for (k = 0; k < x->nfails; k++)
            json_array_append_new(fails, json_string(x->fails[k]));
        json_object_set_new(e, "fails", fails);
        json_object_set_new(e, "changes", x->exists ? changes_json(&x->then, &x->now, x->changed)
                                                    : json_array());
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "dropped", a);
    a = json_array();
    for (i = 0; i < d->changed_kept; i++) {
        const struct list_change *x = &d->changed[i];
        json_t *e = json_object();
        json_object_set_new(e, "then", render_entry(&x->then));
        json_object_set_new(e, "now", render_entry(&x->now));
        json_object_set_new(e, "changes", changes_json(&x->then, &x->now, x->changed));
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "changed", a);
    return o;
}

/* ---- the table of ranked entries ---- */

enum { TC_RANK, TC_NAME, TC_USCC, TC_SCORE, TC_REGION_CODE, TC_REGION, TC_INDUSTRY,
       TC_INDUSTRY_NAME, TC_CAPITAL, TC_FOUNDED, TC_STATUS, TC_STAFF, TC_PATENTS, TC_TAGS,
       TC_ROUND, TC_COUNT };

/* The columns of `magnet list export`, so the two files look alike. */
static const char *const theaders[TC_COUNT] = {
    "排名", "企业名称", "统一社会信用代码", "得分", "行政区划代码", "所在地区", "国标行业",
    "行业名称", "注册资本(折合人民币万元)", "成立日期", "登记状态", "参保人数", "专利数", "企业资质",
    "融资轮次",
};

static void set_text(struct cell *c, struct strbuf *sb)
{
    c->type = sb->len ? CELL_STRING : CELL_EMPTY;
    c->text = sb->buf;
    c->len = sb->len;
}

static void set_number(struct cell *c, struct strbuf *sb, double v)
{
    set_text(c, sb);
    if (sb->len) {
        c->type = CELL_NUMBER;
        c->number = v;
    }
}

int render_entries_table(const char *path, const char *sheet, int csv_bom,
                         const struct list_entry *e, size_t n, struct error *err)
{
    struct table_writer *w = table_writer_open(path, sheet, csv_bom, err);
    struct strbuf text[TC_COUNT];
    struct cell cells[TC_COUNT];
    size_t i, k;
    int rc = 0;

    if (!w)
        return -1;
    for (k = 0; k < TC_COUNT; k++)
        strbuf_init(&text[k], 0);
    if (table_writer_header(w, theaders, TC_COUNT, err) != 0)
        rc = -1;
    for (i = 0; rc == 0 && i < n; i++) {
        const struct list_entry *x = &e[i];
        memset(cells, 0, sizeof(cells));
        for (k = 0; k < TC_COUNT; k++) {
            strbuf_reset(&text[k]);
            cells[k].text = "";
        }
        strbuf_addf(&text[TC_RANK], "%u", x->rank);
        set_number(&cells[TC_RANK], &text[TC_RANK], (double)x->rank);
        list_field_text(x, LF_NAME, &text[TC_NAME]);
        set_text(&cells[TC_NAME], &text[TC_NAME]);
        strbuf_addstr(&text[TC_USCC], x->uscc);
        set_text(&cells[TC_USCC], &text[TC_USCC]);
        strbuf_addf(&text[TC_SCORE], "%d", x->score);
        set_number(&cells[TC_SCORE], &text[TC_SCORE], (double)x->score);
        strbuf_addstr(&text[TC_REGION_CODE], x->region);
        set_text(&cells[TC_REGION_CODE], &text[TC_REGION_CODE]);
        if (x->region[0] && region_find_code(x->region))
            strbuf_addstr(&text[TC_REGION], region_find_code(x->region)->full_name);
        set_text(&cells[TC_REGION], &text[TC_REGION]);
        strbuf_addstr(&text[TC_INDUSTRY], x->industry);
        set_text(&cells[TC_INDUSTRY], &text[TC_INDUSTRY]);
        if (x->industry[0] && industry_find_code(x->industry))
            strbuf_addstr(&text[TC_INDUSTRY_NAME], industry_find_code(x->industry)->name);
        set_text(&cells[TC_INDUSTRY_NAME], &text[TC_INDUSTRY_NAME]);
        if (x->capital_cny != SCORE_UNKNOWN)
            strbuf_addf(&text[TC_CAPITAL], "%.2f", (double)x->capital_cny / 1e6);
        set_number(&cells[TC_CAPITAL], &text[TC_CAPITAL], (double)x->capital_cny / 1e6);
        if (x->founded != SCORE_UNKNOWN) {
            char d[11];
            query_days_date(x->founded, d);
            strbuf_addstr(&text[TC_FOUNDED], d);
            set_text(&cells[TC_FOUNDED], &text[TC_FOUNDED]);
            cells[TC_FOUNDED].type = CELL_DATE;
        }
        strbuf_addstr(&text[TC_STATUS], value_status_label((enum ent_status)x->status));
        set_text(&cells[TC_STATUS], &text[TC_STATUS]);
        if (x->staff != SCORE_UNKNOWN)
            strbuf_addf(&text[TC_STAFF], "%lld", (long long)x->staff);
        set_number(&cells[TC_STAFF], &text[TC_STAFF], (double)x->staff);
        if (x->patents != SCORE_UNKNOWN)
            strbuf_addf(&text[TC_PATENTS], "%lld", (long long)x->patents);
        set_number(&cells[TC_PATENTS], &text[TC_PATENTS], (double)x->patents);
        if (x->tags)
            list_field_text(x, LF_TAGS, &text[TC_TAGS]);
        set_text(&cells[TC_TAGS], &text[TC_TAGS]);
        if (x->round[0]) {
            char label[48];
            value_round_label(x->round, label, sizeof(label));
            strbuf_addstr(&text[TC_ROUND], label);
        }
        set_text(&cells[TC_ROUND], &text[TC_ROUND]);
        if (table_writer_row(w, cells, TC_COUNT, err) != 0)
            rc = -1;
    }
    for (k = 0; k < TC_COUNT; k++)
        strbuf_release(&text[k]);
    if (rc != 0) {
        table_writer_abort(w);
        return -1;
    }
    return table_writer_close(w, err);
}
