/*
 * list_json.c - the JSON of saved lists (see list_json.h).
 */
#include "index/list_json.h"

#include <string.h>

#include "base/strbuf.h"
#include "index/query.h"
#include "index/score.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/value.h"

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *list_meta_json(const struct list_meta *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "query", json_string(m->query));
    json_object_set_new(o, "note", str_or_null(m->note));
    json_object_set_new(o, "user", str_or_null(m->user));
    json_object_set_new(o, "created", json_string(m->created ? m->created : ""));
    json_object_set_new(o, "score_model", json_string(m->score_model ? m->score_model : ""));
    json_object_set_new(o, "home", str_or_null(m->home));
    json_object_set_new(o, "today", json_string(m->today ? m->today : ""));
    json_object_set_new(o, "total", json_integer((json_int_t)m->total));
    return o;
}

/* The value of field f as JSON (typed: numbers, dates as strings, null
 * when unknown). */
static json_t *field_json(const struct list_entry *e, enum list_field f)
{
    switch (f) {
    case LF_SCORE: return json_integer(e->score);
    case LF_NAME: return json_string(e->name ? e->name : "");
    case LF_REGION: return str_or_null(e->region);
    case LF_INDUSTRY: return str_or_null(e->industry);
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
    case LF_ROUND: return str_or_null(e->round);
    default: return json_null();
    }
}

/* JSON keys of the fields (capital in 万元, as magnet screen writes it). */
static const char *field_key(enum list_field f)
{
    return f == LF_CAPITAL ? "capital_wan" : list_field_name(f);
}

json_t *list_entry_json(const struct list_entry *e)
{
    json_t *o = json_object();
    int f;
    if (e->rank)
        json_object_set_new(o, "rank", json_integer(e->rank));
    json_object_set_new(o, "ent_id", json_integer(e->doc));
    json_object_set_new(o, "uscc", str_or_null(e->uscc));
    for (f = 0; f < LF_COUNT_; f++)
        json_object_set_new(o, field_key((enum list_field)f), field_json(e, (enum list_field)f));
    if (e->region[0] && region_find_code(e->region))
        json_object_set_new(o, "region_name", json_string(region_find_code(e->region)->full_name));
    if (e->industry[0] && industry_find_code(e->industry))
        json_object_set_new(o, "industry_name",
                            json_string(industry_find_code(e->industry)->name));
    return o;
}

/* [{field, label, old, new, old_text, new_text}] for the bits of mask. */
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

json_t *list_diff_json(const struct list_diff *d)
{
    json_t *o = json_object(), *now = json_object(), *counts, *a;
    size_t i, k;

    json_object_set_new(o, "name", json_string(d->meta.name));
    json_object_set_new(o, "query", json_string(d->query_now));
    json_object_set_new(o, "saved", list_meta_json(&d->meta));
    json_object_set_new(now, "score_model", json_string(d->score_model_now));
    json_object_set_new(now, "home", str_or_null(d->home_now));
    json_object_set_new(now, "today", json_string(d->today_now));
    json_object_set_new(now, "total", json_integer((json_int_t)d->total_now));
    json_object_set_new(o, "now", now);
    json_object_set_new(o, "score_model_changed",
                        json_boolean(strcmp(d->score_model_now, d->meta.score_model) != 0));
    json_object_set_new(o, "home_changed",
                        json_boolean(strcmp(d->home_now, d->meta.home ? d->meta.home : "") != 0));
    counts = json_pack("{s:I, s:I, s:I, s:I}", "added", (json_int_t)d->nadded, "dropped",
                       (json_int_t)d->ndropped, "changed", (json_int_t)d->nchanged, "unchanged",
                       (json_int_t)d->unchanged);
    json_object_set_new(o, "counts", counts);

    a = json_array();
    for (i = 0; i < d->added_kept; i++)
        json_array_append_new(a, list_entry_json(&d->added[i]));
    json_object_set_new(o, "added", a);

    a = json_array();
    for (i = 0; i < d->dropped_kept; i++) {
        const struct list_drop *x = &d->dropped[i];
        json_t *e = json_object(), *fails = json_array();
        json_object_set_new(e, "then", list_entry_json(&x->then));
        json_object_set_new(e, "exists", json_boolean(x->exists));
        json_object_set_new(e, "now", x->exists ? list_entry_json(&x->now) : json_null());
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
        json_object_set_new(e, "then", list_entry_json(&x->then));
        json_object_set_new(e, "now", list_entry_json(&x->now));
        json_object_set_new(e, "changes", changes_json(&x->then, &x->now, x->changed));
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "changed", a);
    return o;
}
