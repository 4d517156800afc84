/*
 * h_lists.c - saved lists (清单): list, create (a query and its snapshot),
 * read with a page of the snapshot, compare with today, export, delete.
 *
 * Writes go through the core's list_save() and list_remove() with the
 * request's actor: they write the list and its audit row in one
 * transaction (audit.h), exactly as `magnet list save|rm` does. This file
 * adds what is the API's: who may replace or delete whose list, and the
 * replies.
 */
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "http/api.h"
#include "index/list.h"
#include "index/list_json.h"
#include "index/query.h"

/* The error of a list function as a reply. */
static void list_error_reply(struct api_req *r, const struct error *err, const char *field)
{
    switch (err->code) {
    case LIST_E_QUERY: api_error(r, 400, "invalid_query", "query", "%s", err->msg); return;
    case LIST_E_REFUSED: api_error(r, 422, "refused", field, "%s", err->msg); return;
    case LIST_E_NOT_FOUND: api_error(r, 404, "not_found", "name", "%s", err->msg); return;
    case LIST_E_EXISTS: api_error(r, 409, "conflict", "name", "%s", err->msg); return;
    default: api_internal(r, "the list store", err); return;
    }
}

/* The list named by :name, or 0 after a reply. */
static int get_list(struct api_req *r, struct list_meta *m)
{
    struct error err = ERROR_INIT;
    if (list_get(r->st, api_param(r, "name"), m, &err) != 0) {
        list_error_reply(r, &err, "name");
        return 0;
    }
    return 1;
}

void h_lists_list(struct api_req *r)
{
    struct list_meta *m = NULL;
    struct error err = ERROR_INIT;
    struct api_problem p;
    size_t n = 0, i, limit, offset;
    json_t *items;

    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 100, r->srv->max_page, 1000000, &limit, &offset, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    if (list_all(r->st, &m, &n, &err) != 0) {
        list_error_reply(r, &err, NULL);
        return;
    }
    items = json_array();
    for (i = offset; i < n && i < offset + limit; i++)
        json_array_append_new(items, list_meta_json(&m[i]));
    list_metas_free(m, n);
    api_reply_json(r, 200, api_page_json(items, n, limit, offset));
}

static int note_ok(struct api_req *r, const char *note)
{
    struct error err = ERROR_INIT;
    size_t i, len;
    if (!note)
        return 1;
    len = strlen(note);
    if (utf8_length(note, len) > LIST_MAX_NOTE) {
        api_error(r, 400, "invalid", "note", "the note is longer than %d characters",
                  LIST_MAX_NOTE);
        return 0;
    }
    for (i = 0; i < len; i++)
        if (((unsigned char)note[i] < 0x20 && note[i] != '\n' && note[i] != '\t') ||
            note[i] == 0x7f) {
            api_error(r, 400, "invalid", "note", "the note holds a control character");
            return 0;
        }
    /* the rest of the core's rule (C1 controls, line separators) */
    if (list_note_check(note, &err) != 0) {
        api_error(r, 400, "invalid", "note", "%s", err.msg);
        return 0;
    }
    return 1;
}

void h_list_create(struct api_req *r)
{
    static const char *const allowed[] = { "name", "query", "note", "replace", NULL };
    struct error err = ERROR_INIT;
    const char *name = NULL, *qtext = NULL, *note = NULL, *unknown;
    int replace = 0, got = -1;
    json_t *body = api_body(r);
    struct list_meta old, saved;
    struct list_save_options o;

    if (!body)
        return;
    memset(&old, 0, sizeof(old));
    if ((unknown = api_body_unknown(body, allowed)) != NULL) {
        api_error(r, 400, "invalid", unknown, "unknown field '%.64s' (name, query, note, replace)",
                  unknown);
        goto out;
    }
    if (api_body_string(body, "name", 1, 1024, &name, &err) != 0) {
        api_error(r, 400, "invalid", "name", "%s", err.msg);
        goto out;
    }
    if (api_body_string(body, "query", 0, QUERY_MAX_BYTES, &qtext, &err) != 0) {
        api_error(r, 400, "invalid", "query", "%s", err.msg);
        goto out;
    }
    if (api_body_string(body, "note", 0, 16 * LIST_MAX_NOTE, &note, &err) != 0) {
        api_error(r, 400, "invalid", "note", "%s", err.msg);
        goto out;
    }
    if (api_body_bool(body, "replace", &replace, &err) != 0) {
        api_error(r, 400, "invalid", "replace", "%s", err.msg);
        goto out;
    }
    if (list_name_check(name, &err) != 0) {
        api_error(r, 400, "invalid", "name", "%s", err.msg);
        goto out;
    }
    if (!note_ok(r, note))
        goto out;
    if (!qtext)
        qtext = "";
    got = list_get(r->st, name, &old, &err);
    if (got != 0 && err.code != LIST_E_NOT_FOUND) {
        list_error_reply(r, &err, NULL);
        goto out;
    }
    if (got == 0) {
        if (!replace) {
            api_error(r, 409, "conflict", "name",
                      "a list named '%s' exists already (saved %s, %llu enterprises; "
                      "\"replace\": true overwrites it)",
                      name, old.created ? old.created : "?", (unsigned long long)old.total);
            goto out;
        }
        if (r->who.user.role != AUTH_ROLE_ADMIN &&
            (!old.user || strcmp(old.user, r->who.user.name) != 0)) {
            api_error(r, 403, "forbidden", "name",
                      "list '%s' was saved by %s; only they or an admin may replace it", name,
                      old.user ? old.user : "someone else");
            goto out;
        }
    }
    memset(&o, 0, sizeof(o));
    o.name = name;
    o.query = qtext;
    o.note = note;
    o.user = r->who.user.name;
    o.replace = got == 0;
    if (list_save(r->srv->ix, r->st, &o, &r->actor, &saved, &err) != 0) {
        switch (err.code) {
        case LIST_E_QUERY:
        case LIST_E_REFUSED:
            list_error_reply(r, &err, "query");
            break;
        case LIST_E_EXISTS:  /* saved by another request meanwhile */
            api_error(r, 409, "conflict", "name",
                      "a list named '%s' exists already (\"replace\": true overwrites it)", name);
            break;
        default:
            api_internal(r, "saving the list", &err);
            break;
        }
        goto out;
    }
    api_reply_json(r, got == 0 ? 200 : 201, list_meta_json(&saved));
    list_meta_release(&saved);
out:
    if (got == 0)
        list_meta_release(&old);
    json_decref(body);
}

void h_list_get(struct api_req *r)
{
    struct list_meta m;
    struct list_entry *items = NULL;
    struct error err = ERROR_INIT;
    struct api_problem p;
    size_t n = 0, i, limit, offset;
    json_t *o, *a;

    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 50, r->srv->max_page, LIST_MAX_ITEMS, &limit, &offset, &p) !=
        0) {
        api_problem_reply(r, &p);
        return;
    }
    if (!get_list(r, &m))
        return;
    if (offset < m.total && list_items(r->st, &m, offset + limit, &items, &n, &err) != 0) {
        list_meta_release(&m);
        list_error_reply(r, &err, NULL);
        return;
    }
    o = list_meta_json(&m);
    a = json_array();
    for (i = offset; i < n; i++)
        json_array_append_new(a, list_entry_json(&items[i]));
    json_object_set_new(o, "limit", json_integer((json_int_t)limit));
    json_object_set_new(o, "offset", json_integer((json_int_t)offset));
    json_object_set_new(o, "items", a);
    list_entries_free(items, n);
    list_meta_release(&m);
    api_reply_json(r, 200, o);
}

void h_list_diff(struct api_req *r)
{
    struct list_diff d;
    struct error err = ERROR_INIT;
    struct api_problem p;
    size_t limit, offset;

    memset(&p, 0, sizeof(p));
    if (api_page_parse(&r->url, 50, r->srv->max_page, 0, &limit, &offset, &p) != 0) {
        api_problem_reply(r, &p);
        return;
    }
    if (list_diff(r->srv->ix, r->st, api_param(r, "name"), limit, &d, &err) != 0) {
        list_error_reply(r, &err, "name");
        return;
    }
    {
        json_t *o = list_diff_json(&d);
        json_object_set_new(o, "limit", json_integer((json_int_t)limit));
        api_reply_json(r, 200, o);
    }
    list_diff_release(&d);
}

void h_list_export(struct api_req *r)
{
    char path[4300], fname[300];
    struct error err = ERROR_INIT;
    struct list_meta m;
    int64_t rows = 0;
    int csv;

    if ((csv = api_export_format(r)) < 0)
        return;
    if (!get_list(r, &m))
        return;
    if (api_data_path(r->srv, "list", csv ? ".csv" : ".xlsx", path, sizeof(path), &err) != 0) {
        list_meta_release(&m);
        api_internal(r, "making the export file", &err);
        return;
    }
    if (list_export(r->st, m.name, path, csv, &rows, &err) != 0) {
        list_meta_release(&m);
        list_error_reply(r, &err, NULL);
        return;
    }
    snprintf(fname, sizeof(fname), "清单-%s.%s", m.name, csv ? "csv" : "xlsx");
    api_reply_export(r, path, csv, fname, rows);
    list_meta_release(&m);
}

void h_list_delete(struct api_req *r)
{
    struct list_meta m;
    struct error err = ERROR_INIT;

    if (!get_list(r, &m))
        return;
    if (r->who.user.role != AUTH_ROLE_ADMIN && (!m.user || strcmp(m.user, r->who.user.name))) {
        api_error(r, 403, "forbidden", "name",
                  "list '%s' was saved by %s; only they or an admin may delete it", m.name,
                  m.user ? m.user : "someone else");
        list_meta_release(&m);
        return;
    }
    if (list_remove(r->st, m.name, &r->actor, &err) == 0)
        api_reply_empty(r, 204);
    else if (err.code == LIST_E_NOT_FOUND)  /* removed by another request meanwhile */
        api_error(r, 404, "not_found", "name", "no list named '%s'", m.name);
    else
        api_internal(r, "removing the list", &err);
    list_meta_release(&m);
}
