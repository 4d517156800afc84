/*
 * store_list.c - saved lists (清单): a query under a unique name, who saved
 * it and when, the scoring model and home district its scores were
 * computed with, and a snapshot of every enterprise it matched then, by
 * rank. src/index/list.c builds the snapshot and compares it with the
 * present; this file only moves rows in and out.
 */
#include "store/store_internal.h"

#include <string.h>

static const char *col_text(sqlite3_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s, col);
}

static int64_t col_int(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? STORE_LIST_NULL
                                                      : sqlite3_column_int64(s, col);
}

static void bind_text(sqlite3_stmt *s, int col, const char *text)
{
    if (text)
        sqlite3_bind_text(s, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, col);
}

static void bind_int(sqlite3_stmt *s, int col, int64_t v)
{
    if (v == STORE_LIST_NULL)
        sqlite3_bind_null(s, col);
    else
        sqlite3_bind_int64(s, col, v);
}

int store_list_create(struct store *st, const struct store_list_meta *m, int64_t *id,
                      struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_LIST_INSERT, err);
    int rc;

    if (!s)
        return -1;
    bind_text(s, 1, m->name);
    bind_text(s, 2, m->query);
    bind_text(s, 3, m->note);
    bind_text(s, 4, m->user);
    bind_text(s, 5, m->score_model);
    bind_text(s, 6, m->home);
    bind_text(s, 7, m->today);
    sqlite3_bind_int64(s, 8, m->total);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return 1;
    if (rc != SQLITE_DONE)
        return store_error(st, err, "save a list");
    *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_list_add_item(struct store *st, int64_t list_id, const struct store_list_item *it,
                        struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_LIST_ITEM_INSERT, err);
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, list_id);
    sqlite3_bind_int64(s, 2, it->rank);
    sqlite3_bind_int64(s, 3, it->ent_id);
    bind_text(s, 4, it->uscc);
    bind_text(s, 5, it->name ? it->name : "");
    bind_text(s, 6, it->region);
    bind_text(s, 7, it->industry);
    bind_text(s, 8, it->founded);
    bind_int(s, 9, it->capital_cny);
    sqlite3_bind_int64(s, 10, it->status);
    bind_int(s, 11, it->staff);
    bind_int(s, 12, it->patents);
    sqlite3_bind_int64(s, 13, it->tags);
    bind_text(s, 14, it->round);
    sqlite3_bind_int64(s, 15, it->score);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, "save a list item");
    return 0;
}

int store_list_delete(struct store *st, const char *name, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_LIST_DELETE, err);
    int rc;

    if (!s)
        return -1;
    bind_text(s, 1, name);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, "remove a list");
    return sqlite3_changes(st->db) > 0;
}

static void read_meta(sqlite3_stmt *s, struct store_list_meta *m)
{
    m->id = sqlite3_column_int64(s, 0);
    m->name = col_text(s, 1);
    m->query = col_text(s, 2);
    m->note = col_text(s, 3);
    m->user = col_text(s, 4);
    m->created = col_text(s, 5);
    m->score_model = col_text(s, 6);
    m->home = col_text(s, 7);
    m->today = col_text(s, 8);
    m->total = sqlite3_column_int64(s, 9);
}

int store_list_get(struct store *st, const char *name,
                   void (*fn)(const struct store_list_meta *m, void *ctx), void *ctx,
                   struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_LIST_GET, err);
    struct store_list_meta m;
    int rc;

    if (!s)
        return -1;
    bind_text(s, 1, name);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_meta(s, &m);
        fn(&m, ctx);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, "read a list");
    return 0;
}

int store_list_each(struct store *st, int (*fn)(const struct store_list_meta *m, void *ctx),
                    void *ctx, struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_LIST_EACH, err);
    struct store_list_meta m;
    int rc, stop = 0;

    if (!s)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_meta(s, &m);
        if ((stop = fn(&m, ctx)) != 0)
            break;
    }
    sqlite3_finalize(s);
    if (!stop && rc != SQLITE_DONE)
        return store_error(st, err, "read the lists");
    return stop;
}

int store_list_items(struct store *st, int64_t list_id, int64_t max_rank,
                     int (*fn)(const struct store_list_item *it, void *ctx), void *ctx,
                     struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_LIST_ITEMS, err);
    struct store_list_item it;
    int rc, stop = 0;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, list_id);
    sqlite3_bind_int64(s, 2, max_rank);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        it.rank = sqlite3_column_int64(s, 0);
        it.ent_id = sqlite3_column_int64(s, 1);
        it.uscc = col_text(s, 2);
        it.name = col_text(s, 3);
        it.region = col_text(s, 4);
        it.industry = col_text(s, 5);
        it.founded = col_text(s, 6);
        it.capital_cny = col_int(s, 7);
        it.status = sqlite3_column_int64(s, 8);
        it.staff = col_int(s, 9);
        it.patents = col_int(s, 10);
        it.tags = sqlite3_column_int64(s, 11);
        it.round = col_text(s, 12);
        it.score = sqlite3_column_int64(s, 13);
        if ((stop = fn(&it, ctx)) != 0)
            break;
    }
    sqlite3_finalize(s);
    if (!stop && rc != SQLITE_DONE)
        return store_error(st, err, "read a list's items");
    return stop;
}
