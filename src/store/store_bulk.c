/*
 * store_bulk.c - loading many enterprises into an empty store (see
 * store_bulk_begin in store.h).
 *
 * Rows arrive in file order, so their USCCs are random keys: keeping the
 * unique index on ent(uscc) up costs two B-tree descents per row into an
 * index that soon outgrows the CPU caches, the largest single cost of a big
 * import. For a load into an empty store the index is dropped at the start
 * of the transaction and created again before the commit, which sorts the
 * keys once and writes the index in order. Meanwhile the lookups it served
 * (is this USCC taken, and by which row) are answered by an in-memory map
 * of the rows this transaction wrote, which is all the store holds.
 *
 * The map keys on a 64-bit hash of the code and keeps every row id under
 * its hash; a hit is confirmed by reading the row's code back, so a hash
 * collision costs one read and never a wrong answer. The final CREATE
 * UNIQUE INDEX checks the invariant once more. DDL is transactional in
 * SQLite: a rollback, or a crash before the commit, brings the index back
 * with everything else.
 */
#include "store/store_internal.h"

#include <string.h>

#include "base/alloc.h"

/* The index dropped for the load; its SQL is read from the schema at the
 * start, so the index comes back exactly as the migrations made it. */
#define BULK_INDEX "ent_uscc"

struct idmap_slot {
    uint64_t key;  /* hash of the USCC */
    int64_t id;    /* 0: empty; -1: removed (keeps probe chains intact) */
};

struct store_bulk {
    char *index_sql;            /* CREATE UNIQUE INDEX ... as in sqlite_schema */
    struct idmap_slot *slots;   /* open addressing, linear probing */
    size_t mask;                /* slots - 1 (a power of two) */
    size_t used;                /* occupied or removed slots */
};

static uint64_t uscc_hash(const char *uscc, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)uscc[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* The first slot to probe: the high bits, mixed (FNV's low bits are weak). */
static size_t idmap_home(const struct store_bulk *b, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & b->mask;
}

static void idmap_put(struct store_bulk *b, uint64_t key, int64_t id);

static void idmap_grow(struct store_bulk *b)
{
    struct idmap_slot *old = b->slots;
    size_t n = old ? b->mask + 1 : 0, i;
    size_t cap = n ? 2 * n : 1 << 16;
    b->slots = xcalloc(cap, sizeof(*b->slots));
    b->mask = cap - 1;
    b->used = 0;
    for (i = 0; i < n; i++)
        if (old[i].id > 0)
            idmap_put(b, old[i].key, old[i].id);
    free(old);
}

static void idmap_put(struct store_bulk *b, uint64_t key, int64_t id)
{
    size_t i;
    if (!b->slots || (b->used + 1) * 4 > (b->mask + 1) * 3)
        idmap_grow(b);
    for (i = idmap_home(b, key); b->slots[i].id != 0; i = (i + 1) & b->mask)
        ;
    b->slots[i].key = key;
    b->slots[i].id = id;
    b->used++;
}

static void idmap_remove(struct store_bulk *b, uint64_t key, int64_t id)
{
    size_t i;
    if (!b->slots)
        return;
    for (i = idmap_home(b, key); b->slots[i].id != 0; i = (i + 1) & b->mask)
        if (b->slots[i].key == key && b->slots[i].id == id) {
            b->slots[i].id = -1;
            return;
        }
}

/* Whether row id holds this USCC: confirms a map hit. */
static int row_has_uscc(struct store *st, int64_t id, const char *uscc, size_t len,
                        struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_ENT_USCC_OF, err);
    int rc, same = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        same = t && (size_t)sqlite3_column_bytes(s, 0) == len && !memcmp(t, uscc, len);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(st, err, "read USCC");
    return same;
}

int store_bulk_find_uscc(struct store *st, const char *uscc, int64_t *id, struct error *err)
{
    struct store_bulk *b = st->bulk;
    size_t len = strlen(uscc), i;
    uint64_t key = uscc_hash(uscc, len);
    if (!b->slots)
        return 0;
    for (i = idmap_home(b, key); b->slots[i].id != 0; i = (i + 1) & b->mask) {
        int rc;
        if (b->slots[i].key != key || b->slots[i].id < 0)
            continue;
        rc = row_has_uscc(st, b->slots[i].id, uscc, len, err);
        if (rc < 0)
            return -1;
        if (rc) {
            *id = b->slots[i].id;
            return 1;
        }
    }
    return 0;
}

void store_bulk_add_uscc(struct store *st, const char *uscc, size_t len, int64_t id)
{
    idmap_put(st->bulk, uscc_hash(uscc, len), id);
}

void store_bulk_remove_uscc(struct store *st, const char *uscc, size_t len, int64_t id)
{
    idmap_remove(st->bulk, uscc_hash(uscc, len), id);
}

static void bulk_free(struct store_bulk *b)
{
    if (!b)
        return;
    free(b->index_sql);
    free(b->slots);
    free(b);
}

int store_bulk_begin(struct store *st, struct error *err)
{
    sqlite3_stmt *s;
    struct store_bulk *b;
    char *msg = NULL;
    int rc, empty;

    if (st->bulk)
        return 1;
    if (sqlite3_get_autocommit(st->db))
        return error_set(err, "store_bulk_begin: not in a transaction");
    if (sqlite3_prepare_v2(st->db, "SELECT NOT EXISTS (SELECT 1 FROM ent),"
                           " (SELECT sql FROM sqlite_schema WHERE type = 'index'"
                           " AND name = '" BULK_INDEX "')", -1, &s, NULL) != SQLITE_OK)
        return store_error(st, err, "prepare");
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        return store_error(st, err, "bulk load");
    }
    empty = sqlite3_column_int(s, 0);
    /* A store made before the index had its name keeps its index. */
    if (!empty || sqlite3_column_type(s, 1) != SQLITE_TEXT) {
        sqlite3_finalize(s);
        return 0;
    }
    b = xcalloc(1, sizeof(*b));
    b->index_sql = xstrdup((const char *)sqlite3_column_text(s, 1));
    sqlite3_finalize(s);
    if (sqlite3_exec(st->db, "DROP INDEX " BULK_INDEX, NULL, NULL, &msg) != SQLITE_OK) {
        error_set(err, "store %s: bulk load: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        bulk_free(b);
        return -1;
    }
    st->bulk = b;
    return 1;
}

int store_bulk_end(struct store *st, struct error *err)
{
    struct store_bulk *b = st->bulk;
    char *msg = NULL;
    int rc;
    if (!b)
        return 0;
    st->bulk = NULL;
    rc = sqlite3_exec(st->db, b->index_sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        /* Only a bug can get here (the map kept the codes unique), but
         * then the commit must not go ahead without the index. */
        error_set(err, "store %s: rebuilding the USCC index: %s", st->path,
                  msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
    }
    bulk_free(b);
    return rc == SQLITE_OK ? 0 : -1;
}

void store_bulk_abandon(struct store *st)
{
    bulk_free(st->bulk);
    st->bulk = NULL;
}
