/*
 * h_lists.c - saved lists (清单): list, create (a query and its snapshot),
 * read with a page of the snapshot, compare with today, export, delete.
 *
 * Writes record their audit row in the same transaction as the list
 * itself (audit.h): creating goes through the core's list_snapshot and
 * the store's list functions inside our own transaction, rather than
 * list_save(), which commits on its own - the saved rows are the same
 * (canonical query, score model, home district, today, ranked snapshot).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/utf8.h"
#include "http/api.h"
#include "index/exec.h"
#include "index/list.h"
#include "index/list_json.h"
#include "index/query.h"
#include "index/score.h"
#include "store/store.h"

/* The error of a list function as a reply. */
static void list_error_reply(struct api_req *r, const struct error *err, const char *field)
{
    switch (err->code) {
    case LIST_E_QUERY: api_error(r, 400, "invalid_query", "query", "%s", err->msg); return;
    case LIST_E_REFUSED: api_error(r, 422, "refused", field, "%s", err->msg); return;
    case LIST_E_NOT_FOUND: api_error(r, 404, "not_found", "name", "%s", err->msg); return;
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

static char *meta_text(const struct list_meta *m)
{
    json_t *o = list_meta_json(m);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
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

static void entry_to_store(const struct list_entry *e, char founded[11],
                           struct store_list_item *it)
{
    memset(it, 0, sizeof(*it));
    it->rank = e->rank;
    it->ent_id = e->doc;
    it->uscc = e->uscc[0] ? e->uscc : NULL;
    it->name = e->name ? e->name : "";
    it->region = e->region[0] ? e->region : NULL;
    it->industry = e->industry[0] ? e->industry : NULL;
    if (e->founded != SCORE_UNKNOWN) {
        query_days_date(e->founded, founded);
        it->founded = founded;
    }
    it->capital_cny = e->capital_cny == SCORE_UNKNOWN ? STORE_LIST_NULL : e->capital_cny;
    it->status = e->status;
    it->staff = e->staff == SCORE_UNKNOWN ? STORE_LIST_NULL : e->staff;
    it->patents = e->patents == SCORE_UNKNOWN ? STORE_LIST_NULL : e->patents;
    it->tags = e->tags;
    it->round = e->round[0] ? e->round : NULL;
    it->score = e->score;
}

static int note_ok(struct api_req *r, const char *note)
{
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
    return 1;
}

/* Write the list and its audit row in one transaction. 0, or -1 after a
 * reply. */
static int write_list(struct api_req *r, const struct store_list_meta *m, int replace,
                      const char *before, const struct list_entry *e, size_t n)
{
    struct error err = ERROR_INIT;
    struct audit_entry ae;
    int64_t id = 0;
    size_t i;
    int rc;
    json_t *after;
    char *after_text;

    if (store_begin(r->st, &err) != 0) {
        api_internal(r, "starting the write", &err);
        return -1;
    }
    if (replace && store_list_delete(r->st, m->name, &err) < 0)
        goto fail;
    rc = store_list_create(r->st, m, &id, &err);
    if (rc < 0)
        goto fail;
    if (rc == 1) {
        store_rollback(r->st);
        api_error(r, 409, "conflict", "name",
                  "a list named '%s' exists already (\"replace\": true overwrites it)", m->name);
        return -1;
    }
    for (i = 0; i < n; i++) {
        struct store_list_item it;
        char founded[11];
        entry_to_store(&e[i], founded, &it);
        if (store_list_add_item(r->st, id, &it, &err) != 0)
            goto fail;
    }
    after = json_pack("{s:s, s:s, s:s?, s:I}", "name", m->name, "query", m->query, "note",
                      m->note, "total", (json_int_t)m->total);
    after_text = json_dumps(after, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(after);
    ae.action = before ? "list.replace" : "list.create";
    ae.entity = "list";
    ae.entity_id = m->name;
    ae.before = before;
    ae.after = after_text;
    rc = audit_record(r->st, &r->actor, &ae, auth_now(), NULL, &err);
    free(after_text);
    if (rc != 0)
        goto fail;
    if (store_commit(r->st, &err) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(r->st);
    api_internal(r, "saving the list", &err);
    return -1;
}

void h_list_create(struct api_req *r)
{
    static const char *const allowed[] = { "name", "query", "note", "replace", NULL };
    struct api_server *s = r->srv;
    struct error err = ERROR_INIT;
    const char *name = NULL, *qtext = NULL, *note = NULL, *unknown;
    int replace = 0, got = -1;
    json_t *body = api_body(r);
    struct query_env env;
    struct query *q = NULL;
    struct list_entry *e = NULL;
    struct list_meta old, saved;
    struct store_list_meta m;
    struct strbuf canon = STRBUF_INIT;
    char *before = NULL;
    size_t n = 0;

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
        before = meta_text(&old);
    }
    env.taxonomy = index_taxonomy(s->ix);
    env.today = s->today_text;
    if (query_parse(qtext, &env, &q, &err) != 0) {
        api_error(r, 400, "invalid_query", "query", "%s", err.msg);
        goto out;
    }
    if (list_snapshot(s->ix, q, LIST_MAX_ITEMS, &e, &n, &err) != 0) {
        list_error_reply(r, &err, "query");
        goto out;
    }
    query_format(q, &canon);
    memset(&m, 0, sizeof(m));
    m.name = name;
    m.query = canon.buf;
    m.note = note && *note ? note : NULL;
    m.user = r->who.user.name;
    m.score_model = score_model_hash(s->sm);
    m.home = s->home[0] ? s->home : NULL;
    m.today = s->today_text;
    m.total = (int64_t)n;
    if (write_list(r, &m, got == 0, before, e, n) != 0)
        goto out;
    if (list_get(r->st, name, &saved, &err) != 0) {
        list_error_reply(r, &err, NULL);
        goto out;
    }
    api_reply_json(r, got == 0 ? 200 : 201, list_meta_json(&saved));
    list_meta_release(&saved);
out:
    free(before);
    if (got == 0)
        list_meta_release(&old);
    list_entries_free(e, n);
    query_free(q);
    strbuf_release(&canon);
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
    struct stat sb;
    int64_t rows = 0;
    int csv, fd;

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
    fd = open(path, O_RDONLY | O_CLOEXEC);
    unlink(path);
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        list_meta_release(&m);
        api_internal(r, "reading the export", NULL);
        return;
    }
    api_reply_fd(r, 200,
                 csv ? "text/csv; charset=utf-8"
                     : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 fd, (uint64_t)sb.st_size);
    snprintf(fname, sizeof(fname), "清单-%s.%s", m.name, csv ? "csv" : "xlsx");
    api_attachment(r, fname);
    snprintf(fname, sizeof(fname), "%lld", (long long)rows);
    api_add_header(r, "X-Magnet-Rows", fname);
    list_meta_release(&m);
}

void h_list_delete(struct api_req *r)
{
    struct list_meta m;
    struct error err = ERROR_INIT;
    struct audit_entry ae;
    char *before;
    int rc;

    if (!get_list(r, &m))
        return;
    if (r->who.user.role != AUTH_ROLE_ADMIN && (!m.user || strcmp(m.user, r->who.user.name))) {
        api_error(r, 403, "forbidden", "name",
                  "list '%s' was saved by %s; only they or an admin may delete it", m.name,
                  m.user ? m.user : "someone else");
        list_meta_release(&m);
        return;
    }
    before = meta_text(&m);
    if (store_begin(r->st, &err) != 0)
        goto fail;
    rc = store_list_delete(r->st, m.name, &err);
    if (rc < 0)
        goto fail;
    if (rc == 0) {
        store_rollback(r->st);
        api_error(r, 404, "not_found", "name", "no list named '%s'", m.name);
        goto out;
    }
    ae.action = "list.delete";
    ae.entity = "list";
    ae.entity_id = m.name;
    ae.before = before;
    ae.after = NULL;
    if (audit_record(r->st, &r->actor, &ae, auth_now(), NULL, &err) != 0 ||
        store_commit(r->st, &err) != 0)
        goto fail;
    api_reply_empty(r, 204);
    goto out;
fail:
    store_rollback(r->st);
    api_internal(r, "removing the list", &err);
out:
    free(before);
    list_meta_release(&m);
}
