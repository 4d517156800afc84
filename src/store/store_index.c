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

/* A whole index build reads 10M rows of 20 columns here, so a row's values
 * are taken through sqlite3_column_value and read with sqlite3_value_*: each
 * sqlite3_column_* call checks the statement, the column and the
 * connection's malloc state again, and a number (type, then value) or a
 * text (bytes, then length) took two. The values are unprotected
 * sqlite3_value objects; that is safe here because they are read on the
 * statement's own thread before the next step, and a connection is never
 * shared between threads (the store opens it SQLITE_OPEN_NOMUTEX). */
static const char *val_text(sqlite3_value *v)
{
    return (const char *)sqlite3_value_text(v);
}

static int64_t val_int(sqlite3_value *v)
{
    return sqlite3_value_type(v) == SQLITE_NULL ? -1 : sqlite3_value_int64(v);
}

int store_index_ents(struct store *st, int64_t after, int64_t last,
                     int (*fn)(const struct index_ent_row *r, void *ctx), void *ctx,
                     struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_INDEX_ENTS, err);
    struct index_ent_row r;
    sqlite3_value *v[20];   /* the columns of ST_INDEX_ENTS */
    int rc, stop = 0, i;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int64(s, 2, last);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        for (i = 0; i < (int)(sizeof(v) / sizeof(v[0])); i++)
            v[i] = sqlite3_column_value(s, i);
        r.id = sqlite3_value_int64(v[0]);
        r.uscc = val_text(v[1]);
        r.name = val_text(v[2]);
        r.name_len = (size_t)sqlite3_value_bytes(v[2]);
        r.scope = val_text(v[3]);
        r.scope_len = (size_t)sqlite3_value_bytes(v[3]);
        r.capital = val_int(v[4]);
        r.capital_cur = val_text(v[5]);
        r.founded = val_text(v[6]);
        r.status = val_int(v[7]);
        r.region = val_text(v[8]);
        r.street = val_text(v[9]);
        r.industry = val_text(v[10]);
        r.staff = val_int(v[11]);
        r.patents = val_int(v[12]);
        r.pat_invention = val_int(v[13]);
        r.pat_utility = val_int(v[14]);
        r.pat_design = val_int(v[15]);
        r.software_cr = val_int(v[16]);
        r.tags = val_int(v[17]);
        r.round = val_text(v[18]);
        r.funding_date = val_text(v[19]);
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
