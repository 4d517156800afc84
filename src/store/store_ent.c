/*
 * store_ent.c - enterprises, their change history and the statistics over
 * them.
 *
 * The ent table's value columns follow the field table of registry/ent.h in
 * order, one column per field except money (amount, currency), status
 * (code, original text) and tags (mask, canonical text), which take two;
 * bind_fields() and load_fields() walk the two in step.
 */
#include "store/store_internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"

/* Columns a field occupies. */
static int field_columns(enum ent_field f)
{
    switch (ent_fields[f].type) {
    case FT_MONEY:
    case FT_STATUS:
    case FT_TAGS:
        return 2;
    default:
        return 1;
    }
}

/* Text with its known length: SQLite would otherwise strlen every value. */
static void bind_text(sqlite3_stmt *s, int col, const char *t, size_t len)
{
    if (t)
        sqlite3_bind_text(s, col, t, (int)len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, col);
}

/* The 64-bit FNV-1a hash of a name key, the indexed column name matching
 * goes through. */
int64_t store_name_hash(const char *key, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ull;
    }
    return (int64_t)h;
}

/* Bind fields of e starting at parameter `col`; name_key and name_hash go
 * right after the name. Fields not in mask stay NULL. Returns the next
 * parameter. */
static int bind_fields(sqlite3_stmt *s, int col, const struct ent *e, uint64_t mask)
{
    int f;
    for (f = 0; f < F_COUNT; f++) {
        const struct ent_value *v = &e->v[f];
        int on = v->set && (mask & (1ull << f));
        switch (ent_fields[f].type) {
        case FT_INT:
            if (on)
                sqlite3_bind_int64(s, col, v->i);
            break;
        case FT_MONEY:
        case FT_STATUS:
        case FT_TAGS:
            if (on) {
                sqlite3_bind_int64(s, col, v->i);
                bind_text(s, col + 1, v->s, v->len);
            }
            break;
        default:
            if (on)
                bind_text(s, col, v->s, v->len);
            break;
        }
        col += field_columns((enum ent_field)f);
        if (f == F_NAME) {
            if (on && e->name_key) {
                bind_text(s, col, e->name_key, e->name_key_len);
                sqlite3_bind_int64(s, col + 1, store_name_hash(e->name_key, e->name_key_len));
            }
            col += 2;
        }
    }
    return col;
}

/* The text of column col, cut at a NUL as C strings would be (NULL when
 * the column is NULL); *len gets its length. */
static const char *column_text(sqlite3_stmt *s, int col, size_t *len)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    if (!t)
        return NULL;
    *len = strnlen((const char *)t, (size_t)sqlite3_column_bytes(s, col));
    return (const char *)t;
}

/* Load the value columns of the current row, starting at column col. */
static void load_fields(sqlite3_stmt *s, int col, struct ent *e)
{
    int f;
    for (f = 0; f < F_COUNT; f++) {
        struct ent_value *v = &e->v[f];
        int null = sqlite3_column_type(s, col) == SQLITE_NULL;
        const char *t;
        size_t len = 0;
        if (!null) {
            switch (ent_fields[f].type) {
            case FT_INT:
                ent_set_int(e, (enum ent_field)f, sqlite3_column_int64(s, col));
                break;
            case FT_MONEY:
            case FT_STATUS:
            case FT_TAGS:
                t = column_text(s, col + 1, &len);
                if (t)
                    ent_set_text(e, (enum ent_field)f, t, len);
                v->i = sqlite3_column_int64(s, col);
                v->set = 1;
                break;
            default:
                t = column_text(s, col, &len);
                if (t)
                    ent_set_text(e, (enum ent_field)f, t, len);
                v->set = 1;
                break;
            }
        }
        col += field_columns((enum ent_field)f);
        if (f == F_NAME) {
            t = column_text(s, col, &len);
            if (t)
                ent_set_name_key(e, t, len);
            col++;
        }
    }
    if (e->v[F_TAGS].set && e->v[F_TAGS].s)
        ent_tags_parse(e->v[F_TAGS].s, &e->tags);
}

static int load_row(sqlite3_stmt *s, struct ent *e)
{
    ent_init(e);
    e->id = sqlite3_column_int64(s, 0);
    load_fields(s, 1, e);
    return 0;
}

int store_ent_find_uscc(struct store *st, const char *uscc, int64_t *id, struct error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (store_bulk_serves(st) & BULK_USCC)
        return store_bulk_find_uscc(st, uscc, id, err);
    s = store_stmt(st, ST_ENT_FIND_USCC, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uscc, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "find by USCC");
}

static int collect_ids(struct store *st, sqlite3_stmt *s, int64_t *ids, size_t max,
                       struct error *err)
{
    int rc, n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((size_t)n < max)
            ids[n] = sqlite3_column_int64(s, 0);
        n++;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? n : store_error(st, err, "find");
}

int store_ent_find_name(struct store *st, const char *name_key, const char *region, int64_t *ids,
                        size_t max, struct error *err)
{
    sqlite3_stmt *s;
    if (store_bulk_serves(st) & BULK_NAME)
        return store_bulk_find_name(st, name_key, region, ids, max, err);
    s = store_stmt(st, region ? ST_ENT_FIND_NAME_REGION : ST_ENT_FIND_NAME, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, name_key, -1, SQLITE_STATIC);
    if (region)
        sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, region ? 3 : 2, store_name_hash(name_key, strlen(name_key)));
    return collect_ids(st, s, ids, max, err);
}

int store_ent_search_name(struct store *st, const char *text, int64_t *ids, size_t max,
                          struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_ENT_SEARCH_NAME, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
    return collect_ids(st, s, ids, max, err);
}

int store_ent_any_without_uscc(struct store *st, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_ENT_ANY_WITHOUT_USCC, err);
    int any;
    if (!s)
        return -1;
    if (sqlite3_step(s) != SQLITE_ROW)
        return store_error(st, err, "query");
    any = sqlite3_column_int(s, 0);
    sqlite3_reset(s);
    return any;
}

int store_ent_load(struct store *st, int64_t id, struct ent *out, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_ENT_LOAD, err);
    int rc;
    ent_init(out);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        load_row(s, out);
        sqlite3_reset(s);
        return 0;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return error_set(err, "no enterprise with id %lld", (long long)id);
    return store_error(st, err, "load enterprise");
}

int store_ent_load_uscc(struct store *st, const char *uscc, int64_t hint, struct ent *out,
                        struct error *err)
{
    sqlite3_stmt *s;
    int rc;
    ent_init(out);
    if (hint > 0) {
        if (!(s = store_stmt(st, ST_ENT_LOAD, err)))
            return -1;
        sqlite3_bind_int64(s, 1, hint);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            const unsigned char *u = sqlite3_column_text(s, 1);  /* ENT_SELECT: id, uscc, ... */
            if (u && !strcmp((const char *)u, uscc)) {
                load_row(s, out);
                sqlite3_reset(s);
                return 1;
            }
        }
        sqlite3_reset(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return store_error(st, err, "load enterprise");
    }
    if (!(s = store_stmt(st, ST_ENT_LOAD_USCC, err)))
        return -1;
    sqlite3_bind_text(s, 1, uscc, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        load_row(s, out);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return store_error(st, err, "load enterprise");
}

int store_ent_insert(struct store *st, struct ent *e, int64_t batch, struct error *err)
{
    int bulk_uscc = store_bulk_serves(st) & BULK_USCC;
    sqlite3_stmt *s;
    int col;
    if (bulk_uscc && e->v[F_USCC].set) {
        int64_t id;
        int rc = store_bulk_find_uscc(st, e->v[F_USCC].s, &id, err);
        if (rc != 0)
            return rc; /* 1: the USCC is taken */
    }
    /* Without its index ON CONFLICT(uscc) names nothing: the map said the
     * code is free. */
    s = store_stmt(st, bulk_uscc ? ST_ENT_INSERT_PLAIN : ST_ENT_INSERT, err);
    if (!s)
        return -1;
    col = bind_fields(s, 1, e, ~0ull);
    sqlite3_bind_int64(s, col, batch);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return store_error(st, err, "insert enterprise");
    }
    sqlite3_reset(s);
    if (sqlite3_changes(st->db) == 0)
        return 1; /* the USCC is taken */
    e->id = sqlite3_last_insert_rowid(st->db);
    if (st->bulk)
        store_bulk_inserted(st, e);
    return 0;
}

int store_ent_update(struct store *st, const struct ent *old, const struct ent *e,
                     uint64_t changed, int64_t batch, struct error *err)
{
    sqlite3_stmt *s;
    struct strbuf ov = STRBUF_INIT, nv = STRBUF_INIT;
    int col, f, rc = 0;

    if (!changed)
        return 0;
    s = store_stmt(st, ST_ENT_UPDATE, err);
    if (!s)
        return -1;
    col = bind_fields(s, 1, e, changed);
    sqlite3_bind_int64(s, col, batch);
    sqlite3_bind_int64(s, col + 1, e->id);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return store_error(st, err, "update enterprise");
    }
    sqlite3_reset(s);
    if (st->bulk)
        store_bulk_updated(st, old, e, changed);

    for (f = 0; f < F_COUNT && rc == 0; f++) {
        if (!(changed & (1ull << f)))
            continue;
        s = store_stmt(st, ST_CHANGE_INSERT, err);
        if (!s) {
            rc = -1;
            break;
        }
        strbuf_reset(&ov);
        strbuf_reset(&nv);
        ent_value_format(old, (enum ent_field)f, &ov);
        ent_value_format(e, (enum ent_field)f, &nv);
        sqlite3_bind_int64(s, 1, e->id);
        sqlite3_bind_int64(s, 2, batch);
        sqlite3_bind_text(s, 3, ent_fields[f].name, -1, SQLITE_STATIC);
        if (old->v[f].set)
            sqlite3_bind_text(s, 4, ov.buf, (int)ov.len, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, nv.buf, (int)nv.len, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_error(st, err, "record change");
        sqlite3_reset(s);
    }
    strbuf_release(&ov);
    strbuf_release(&nv);
    return rc;
}

int store_ent_each(struct store *st, int (*fn)(const struct ent *e, void *ctx), void *ctx,
                   struct error *err)
{
    /* A statement of its own: fn may call other store functions. */
    sqlite3_stmt *s;
    struct ent e;
    int rc, stop = 0;
    s = store_stmt_fresh(st, ST_ENT_EACH, err);
    if (!s)
        return -1;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        load_row(s, &e);
        stop = fn(&e, ctx);
        ent_release(&e);
    }
    sqlite3_finalize(s);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "read enterprises");
}

int64_t store_ent_count(struct store *st, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_ENT_COUNT, err);
    int64_t n;
    if (!s)
        return -1;
    if (sqlite3_step(s) != SQLITE_ROW)
        return store_error(st, err, "count");
    n = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return n;
}

static const char *col_text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? (const char *)t : NULL;
}

int store_ent_history(struct store *st, int64_t id,
                      int (*fn)(const struct ent_change_row *c, void *ctx), void *ctx,
                      struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_ENT_HISTORY, err);
    struct ent_change_row c;
    int rc, stop = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        c.field = col_text(s, 0);
        c.old_value = col_text(s, 1);
        c.new_value = col_text(s, 2);
        c.batch = sqlite3_column_int64(s, 3);
        c.file = col_text(s, 4);
        c.at = col_text(s, 5);
        stop = fn(&c, ctx);
    }
    sqlite3_reset(s);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "history");
}

int store_ent_origin(struct store *st, int64_t id, int64_t *batch, const char **file,
                     const char **at, struct error *err)
{
    /* The strings stay valid until the statement is next used: keep a copy. */
    static __thread char file_buf[1024], at_buf[32];
    sqlite3_stmt *s = store_stmt(st, ST_ENT_ORIGIN, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return error_set(err, "no enterprise with id %lld", (long long)id);
    }
    *batch = sqlite3_column_int64(s, 0);
    snprintf(file_buf, sizeof(file_buf), "%s", col_text(s, 1) ? col_text(s, 1) : "");
    snprintf(at_buf, sizeof(at_buf), "%s", col_text(s, 2) ? col_text(s, 2) : "");
    *file = file_buf;
    *at = at_buf;
    sqlite3_reset(s);
    return 0;
}

int store_ent_group_count(struct store *st, enum store_group g,
                          void (*fn)(const char *key, int64_t n, void *ctx), void *ctx,
                          struct error *err)
{
    static const enum stmt_id ids[] = { ST_GROUP_STATUS, ST_GROUP_PROVINCE, ST_GROUP_INDUSTRY };
    sqlite3_stmt *s = store_stmt(st, ids[g], err);
    int rc;
    if (!s)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(col_text(s, 0) ? col_text(s, 0) : "", sqlite3_column_int64(s, 1), ctx);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "statistics");
}
