/*
 * store_index.c - what the in-memory screening index reads from the store,
 * and the change log it catches up from.
 *
 * The index loads the enterprises in ranges of ids, each range on its own
 * connection if the caller wants parallelism (WAL lets readers run side by
 * side), and afterwards reloads only what the change log says was touched.
 */
#include "store/store_internal.h"

static const char *col_text(sqlite3_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s, col);
}

static int64_t col_int(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, col);
}

int store_index_ents(struct store *st, int64_t after, int64_t last,
                     int (*fn)(const struct index_ent_row *r, void *ctx), void *ctx,
                     struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_INDEX_ENTS, err);
    struct index_ent_row r;
    int rc, stop = 0;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int64(s, 2, last);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        r.id = sqlite3_column_int64(s, 0);
        r.uscc = col_text(s, 1);
        r.name = col_text(s, 2);
        r.name_len = (size_t)sqlite3_column_bytes(s, 2);
        r.scope = col_text(s, 3);
        r.scope_len = (size_t)sqlite3_column_bytes(s, 3);
        r.capital = col_int(s, 4);
        r.capital_cur = col_text(s, 5);
        r.founded = col_text(s, 6);
        r.status = col_int(s, 7);
        r.region = col_text(s, 8);
        r.street = col_text(s, 9);
        r.industry = col_text(s, 10);
        r.staff = col_int(s, 11);
        r.patents = col_int(s, 12);
        r.pat_invention = col_int(s, 13);
        r.pat_utility = col_int(s, 14);
        r.pat_design = col_int(s, 15);
        r.software_cr = col_int(s, 16);
        r.tags = col_int(s, 17);
        r.round = col_text(s, 18);
        r.funding_date = col_text(s, 19);
        if ((stop = fn(&r, ctx)) != 0)
            break;
    }
    if (!stop && rc != SQLITE_DONE) {
        store_error(st, err, "read enterprises for the index");
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return stop;
}

int store_index_nodes(struct store *st, int64_t after, int64_t last,
                      int (*fn)(int64_t ent_id, const char *node, void *ctx), void *ctx,
                      struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_INDEX_NODES, err);
    int rc, stop = 0;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int64(s, 2, last);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if ((stop = fn(sqlite3_column_int64(s, 0), col_text(s, 1), ctx)) != 0)
            break;
    if (!stop && rc != SQLITE_DONE) {
        store_error(st, err, "read classifications for the index");
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return stop;
}

int store_index_batch_ids(struct store *st, int64_t batch,
                          int (*fn)(int64_t id, void *ctx), void *ctx, struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_INDEX_BATCH_IDS, err);
    int rc, stop = 0;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, batch);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if ((stop = fn(sqlite3_column_int64(s, 0), ctx)) != 0)
            break;
    if (!stop && rc != SQLITE_DONE) {
        store_error(st, err, "read the enterprises of a batch");
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return stop;
}

static int one_int(struct store *st, enum stmt_id id, int64_t *out, struct error *err,
                   const char *what)
{
    sqlite3_stmt *s = store_stmt(st, id, err);
    if (!s)
        return -1;
    if (sqlite3_step(s) != SQLITE_ROW) {
        store_error(st, err, what);
        sqlite3_reset(s);
        return -1;
    }
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return 0;
}

int store_ent_max_id(struct store *st, int64_t *out, struct error *err)
{
    return one_int(st, ST_INDEX_MAX_ID, out, err, "read the largest enterprise id");
}

int store_change_log(struct store *st, int64_t batch, int64_t lo, int64_t hi, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_CHANGE_LOG, err);
    if (!s)
        return -1;
    if (batch > 0) {
        sqlite3_bind_int64(s, 1, batch);
    } else {
        sqlite3_bind_int64(s, 2, lo);
        sqlite3_bind_int64(s, 3, hi);
    }
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return store_error(st, err, "record a change");
    }
    sqlite3_reset(s);
    return 0;
}

int store_change_seq(struct store *st, int64_t *out, struct error *err)
{
    return one_int(st, ST_CHANGE_SEQ, out, err, "read the change log");
}

int store_changes_since(struct store *st, int64_t seq,
                        int (*fn)(int64_t seq, int64_t batch, int64_t lo, int64_t hi, void *ctx),
                        void *ctx, struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_CHANGE_SINCE, err);
    int rc, stop = 0;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, seq);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if ((stop = fn(sqlite3_column_int64(s, 0), col_int(s, 1), col_int(s, 2), col_int(s, 3),
                       ctx)) != 0)
            break;
    if (!stop && rc != SQLITE_DONE) {
        store_error(st, err, "read the change log");
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return stop;
}
