/*
 * store_audit.c - the rows of the audit trail: insert and read, nothing
 * else. There is deliberately no statement here that updates or deletes
 * an audit row, and migration 5 adds triggers that refuse both, so the log
 * is append-only for anyone who reaches the file through SQLite. The
 * checks on what goes in are in src/auth/audit.c.
 */
#include "store/store_internal.h"

static void bind_opt_text(sqlite3_stmt *s, int col, const char *text)
{
    if (text)
        sqlite3_bind_text(s, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, col);
}

static void bind_opt_int(sqlite3_stmt *s, int col, int64_t v)
{
    if (v)
        sqlite3_bind_int64(s, col, v);
    else
        sqlite3_bind_null(s, col);
}

int store_audit_insert(struct store *st, const struct store_audit_row *r, int64_t *id,
                       struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_AUDIT_INSERT, err);
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, r->at);
    sqlite3_bind_int64(s, 2, r->user_id);
    sqlite3_bind_text(s, 3, r->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, r->remote, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, r->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, r->entity, -1, SQLITE_STATIC);
    bind_opt_text(s, 7, r->entity_id);
    bind_opt_text(s, 8, r->before);
    bind_opt_text(s, 9, r->after);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, "write the audit log");
    if (id)
        *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* The statement that serves f best: one entity's history and one user's
 * actions walk their index. */
static enum stmt_id pick(const struct store_audit_filter *f, enum stmt_id plain,
                         enum stmt_id by_entity, enum stmt_id by_user)
{
    if (f->entity && f->entity_id)
        return by_entity;
    if (f->user)
        return by_user;
    return plain;
}

static void bind_filter(sqlite3_stmt *s, const struct store_audit_filter *f)
{
    bind_opt_text(s, 1, f->entity);
    bind_opt_text(s, 2, f->entity_id);
    bind_opt_text(s, 3, f->user);
    bind_opt_int(s, 4, f->since);
    bind_opt_int(s, 5, f->until);
}

static const char *col_text(sqlite3_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s, col);
}

int store_audit_query(struct store *st, const struct store_audit_filter *f,
                      int (*fn)(const struct store_audit_row *r, void *ctx), void *ctx,
                      struct error *err)
{
    enum stmt_id id = pick(f, ST_AUDIT_QUERY, ST_AUDIT_QUERY_ENTITY, ST_AUDIT_QUERY_USER);
    /* A statement of its own: fn may write (e.g. render through the store). */
    sqlite3_stmt *s = store_stmt_fresh(st, id, err);
    struct store_audit_row r;
    int rc, n = 0;

    if (!s)
        return -1;
    bind_filter(s, f);
    bind_opt_int(s, 6, f->before_id);
    sqlite3_bind_int64(s, 7, f->limit);
    sqlite3_bind_int64(s, 8, f->offset);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        r.id = sqlite3_column_int64(s, 0);
        r.at = sqlite3_column_int64(s, 1);
        r.user_id = sqlite3_column_type(s, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 2);
        r.user = col_text(s, 3);
        r.remote = col_text(s, 4);
        r.action = col_text(s, 5);
        r.entity = col_text(s, 6);
        r.entity_id = col_text(s, 7);
        r.before = col_text(s, 8);
        r.after = col_text(s, 9);
        n++;
        if (fn(&r, ctx))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_error(st, err, "read the audit log");
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return n;
}

int store_audit_count(struct store *st, const struct store_audit_filter *f, int64_t *out,
                      struct error *err)
{
    enum stmt_id id = pick(f, ST_AUDIT_COUNT, ST_AUDIT_COUNT_ENTITY, ST_AUDIT_COUNT_USER);
    sqlite3_stmt *s = store_stmt(st, id, err);
    int rc;

    if (!s)
        return -1;
    bind_filter(s, f);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return store_error(st, err, "count the audit log");
    }
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return 0;
}
