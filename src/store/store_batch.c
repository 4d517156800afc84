/*
 * store_batch.c - import batches: the provenance of every value in the
 * store (which file, its sha256, when, and what it did).
 */
#include "store/store_internal.h"

int store_batch_begin(struct store *st, const struct batch_info *info, int64_t *id,
                      struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_BATCH_INSERT, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, info->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, info->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, info->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, info->sheet, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, info->user, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return store_error(st, err, "record batch");
    }
    sqlite3_reset(s);
    *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_batch_finish(struct store *st, int64_t id, const char *sha256,
                       const struct batch_counts *c, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_BATCH_FINISH, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, c->rows);
    sqlite3_bind_int64(s, 2, c->inserted);
    sqlite3_bind_int64(s, 3, c->updated);
    sqlite3_bind_int64(s, 4, c->unchanged);
    sqlite3_bind_int64(s, 5, c->rejected);
    sqlite3_bind_int64(s, 6, id);
    if (sha256)
        sqlite3_bind_text(s, 7, sha256, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return store_error(st, err, "finish batch");
    }
    sqlite3_reset(s);
    return 0;
}

int store_batch_each(struct store *st, int (*fn)(const struct batch_row *b, void *ctx), void *ctx,
                     struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_BATCH_EACH, err);
    struct batch_row b;
    int rc, stop = 0;
    if (!s)
        return -1;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        b.id = sqlite3_column_int64(s, 0);
        b.kind = (const char *)sqlite3_column_text(s, 1);
        b.file = (const char *)sqlite3_column_text(s, 2);
        b.sha256 = (const char *)sqlite3_column_text(s, 3);
        b.sheet = (const char *)sqlite3_column_text(s, 4);
        b.user = (const char *)sqlite3_column_text(s, 5);
        b.started = (const char *)sqlite3_column_text(s, 6);
        b.finished = (const char *)sqlite3_column_text(s, 7);
        b.counts.rows = sqlite3_column_int64(s, 8);
        b.counts.inserted = sqlite3_column_int64(s, 9);
        b.counts.updated = sqlite3_column_int64(s, 10);
        b.counts.unchanged = sqlite3_column_int64(s, 11);
        b.counts.rejected = sqlite3_column_int64(s, 12);
        stop = fn(&b, ctx);
    }
    sqlite3_reset(s);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "list batches");
}
