/*
 * store_bulk.c - loading many enterprises into an empty store (see
 * store_bulk_begin in store.h).
 *
 * Rows arrive in file order, so their USCCs and name hashes are random
 * keys: keeping an index on them up costs B-tree descents per row into an
 * index that soon outgrows the CPU caches, the largest cost of a big
 * import after parsing. For a load into an empty store such indexes are
 * dropped at the start of the transaction and created again before the
 * commit, which sorts the keys once and writes each index in order.
 * Meanwhile the lookups they served (is this USCC taken, and by which row;
 * which rows have this name) are answered from in-memory maps of the rows
 * this transaction wrote, which are all the store holds.
 *
 * The maps key on a 64-bit hash and keep every row id under it; a hit is
 * confirmed by reading the row back, so a hash collision costs one read and
 * never a wrong answer. The final CREATE UNIQUE INDEX checks the USCCs once
 * more. DDL is transactional in SQLite: a rollback, or a crash before the
 * commit, brings the indexes back with everything else.
 */
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

/* The indexes dropped for a bulk load, as far as the store has them (a
 * store from before ent_uscc had a name keeps its index). Their SQL is read
 * from the schema, so each comes back exactly as the migrations made it.
 * The other indexes on ent stay: their keys arrive in order during a load
 * (one batch id, rising row ids), which costs little to keep up. */
static const struct {
    const char *name;
    int serves;  /* the lookups that need a map while it is gone */
} bulk_indexes[] = {
    { "ent_uscc", BULK_USCC },
    { "ent_name_hash", BULK_NAME },
};

#define N_BULK_INDEXES (sizeof(bulk_indexes) / sizeof(bulk_indexes[0]))

/* A multimap from 64-bit keys to row ids: open addressing, linear probing. */
struct idmap_slot {
    uint64_t key;
    int64_t id;  /* 0: empty; -1: removed (keeps probe chains intact) */
};

struct idmap {
    struct idmap_slot *slots;
    size_t mask;  /* slots - 1 (a power of two) */
    size_t used;  /* occupied or removed slots */
};

struct store_bulk {
    char *sql[N_BULK_INDEXES];  /* CREATE ... of each dropped index, or NULL */
    int serves;                 /* BULK_USCC | BULK_NAME */
    struct idmap by_uscc;
    /* Built on the first name lookup (most loads carry USCCs and never
     * look a name up), kept up from then on. */
    struct idmap by_name;
    int by_name_built;
};

/* The first slot to probe: the key mixed (FNV's low bits are weak). */
static size_t idmap_home(const struct idmap *m, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & m->mask;
}

static void idmap_put(struct idmap *m, uint64_t key, int64_t id);

static void idmap_grow(struct idmap *m)
{
    struct idmap_slot *old = m->slots;
    size_t n = old ? m->mask + 1 : 0, i;
    size_t cap = n ? 2 * n : (size_t)1 << 16;
    /* Zeroed by writing, not calloc: a calloc'd page left on the shared
     * zero page faults again when first written after a probe read it. */
    m->slots = xmalloc(st_mult(cap, sizeof(*m->slots)));
    memset(m->slots, 0, cap * sizeof(*m->slots));
    m->mask = cap - 1;
    m->used = 0;
    for (i = 0; i < n; i++)
        if (old[i].id > 0)
            idmap_put(m, old[i].key, old[i].id);
    free(old);
}

static void idmap_put(struct idmap *m, uint64_t key, int64_t id)
{
    size_t i;
    if (!m->slots || (m->used + 1) * 4 > (m->mask + 1) * 3)
        idmap_grow(m);
    for (i = idmap_home(m, key); m->slots[i].id != 0; i = (i + 1) & m->mask)
        ;
    m->slots[i].key = key;
    m->slots[i].id = id;
    m->used++;
}

static void idmap_remove(struct idmap *m, uint64_t key, int64_t id)
{
    size_t i;
    if (!m->slots)
        return;
    for (i = idmap_home(m, key); m->slots[i].id != 0; i = (i + 1) & m->mask)
        if (m->slots[i].key == key && m->slots[i].id == id) {
            m->slots[i].id = -1;
            return;
        }
}

/* Calls fn for each id under key (in no order) until it returns non-zero,
 * which is returned. */
static int idmap_each(const struct idmap *m, uint64_t key, int (*fn)(int64_t id, void *ctx),
                      void *ctx)
{
    size_t i;
    int rc;
    if (!m->slots)
        return 0;
    for (i = idmap_home(m, key); m->slots[i].id != 0; i = (i + 1) & m->mask)
        if (m->slots[i].key == key && m->slots[i].id > 0 && (rc = fn(m->slots[i].id, ctx)))
            return rc;
    return 0;
}

static void idmap_release(struct idmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

int store_bulk_serves(const struct store *st)
{
    return st->bulk ? st->bulk->serves : 0;
}

/* ---- USCCs ---- */

static uint64_t uscc_key(const char *uscc, size_t len)
{
    return (uint64_t)store_name_hash(uscc, len);
}

struct uscc_probe {
    struct store *st;
    const char *uscc;
    size_t len;
    int64_t id;
    struct error *err;
};

/* 1 when row id holds the USCC sought (a confirmed hit), -1 on error. */
static int uscc_confirm(int64_t id, void *ctx)
{
    struct uscc_probe *p = ctx;
    sqlite3_stmt *s = store_stmt(p->st, ST_ENT_USCC_OF, p->err);
    int rc, same = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        same = t && (size_t)sqlite3_column_bytes(s, 0) == p->len && !memcmp(t, p->uscc, p->len);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(p->st, p->err, "read USCC");
    if (same)
        p->id = id;
    return same;
}

int store_bulk_find_uscc(struct store *st, const char *uscc, int64_t *id, struct error *err)
{
    struct uscc_probe p = { st, uscc, strlen(uscc), 0, err };
    int rc = idmap_each(&st->bulk->by_uscc, uscc_key(uscc, p.len), uscc_confirm, &p);
    if (rc == 1)
        *id = p.id;
    return rc;
}

/* ---- names ---- */

struct name_probe {
    struct store *st;
    const char *key, *region;
    size_t key_len;
    int64_t *ids;   /* matches so far, growable */
    size_t n, alloc;
    struct error *err;
};

/* Collect row id when its name key (and region, when one is sought)
 * matches. 0 to go on, -1 on error. */
static int name_confirm(int64_t id, void *ctx)
{
    struct name_probe *p = ctx;
    sqlite3_stmt *s = store_stmt(p->st, ST_ENT_NAME_OF, p->err);
    int rc, same = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *k = sqlite3_column_text(s, 0);
        const unsigned char *r = sqlite3_column_text(s, 1);
        same = k && (size_t)sqlite3_column_bytes(s, 0) == p->key_len &&
               !memcmp(k, p->key, p->key_len) &&
               (!p->region || (r && !strcmp((const char *)r, p->region)));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_error(p->st, p->err, "read name");
    if (same) {
        ALLOC_GROW(p->ids, p->n + 1, p->alloc);
        p->ids[p->n++] = id;
    }
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The name map of the rows written so far. */
static int build_name_map(struct store *st, struct error *err)
{
    struct store_bulk *b = st->bulk;
    sqlite3_stmt *s;
    int rc;
    if (sqlite3_prepare_v2(st->db, "SELECT id, name_hash FROM ent", -1, &s, NULL) != SQLITE_OK)
        return store_error(st, err, "prepare");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        idmap_put(&b->by_name, (uint64_t)sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, "read names");
    b->by_name_built = 1;
    return 0;
}

int store_bulk_find_name(struct store *st, const char *name_key, const char *region,
                         int64_t *ids, size_t max, struct error *err)
{
    struct name_probe p = { st, name_key, region, strlen(name_key), NULL, 0, 0, err };
    size_t i;
    int rc;
    if (!st->bulk->by_name_built && build_name_map(st, err) != 0)
        return -1;
    rc = idmap_each(&st->bulk->by_name, (uint64_t)store_name_hash(name_key, p.key_len),
                        name_confirm, &p);
    if (rc < 0) {
        free(p.ids);
        return -1;
    }
    /* As the indexed query returns them: in id order. */
    if (p.n > 1)
        qsort(p.ids, p.n, sizeof(*p.ids), cmp_id);
    for (i = 0; i < p.n && i < max; i++)
        ids[i] = p.ids[i];
    free(p.ids);
    return (int)p.n;
}

/* ---- keeping the maps ---- */

void store_bulk_inserted(struct store *st, const struct ent *e)
{
    struct store_bulk *b = st->bulk;
    if ((b->serves & BULK_USCC) && e->v[F_USCC].set)
        idmap_put(&b->by_uscc, uscc_key(e->v[F_USCC].s, e->v[F_USCC].len), e->id);
    if (b->by_name_built && e->name_key)
        idmap_put(&b->by_name, (uint64_t)store_name_hash(e->name_key, e->name_key_len), e->id);
}

void store_bulk_updated(struct store *st, const struct ent *old, const struct ent *e,
                        uint64_t changed)
{
    struct store_bulk *b = st->bulk;
    if ((b->serves & BULK_USCC) && (changed & (1ull << F_USCC)) && e->v[F_USCC].set) {
        if (old->v[F_USCC].set)
            idmap_remove(&b->by_uscc, uscc_key(old->v[F_USCC].s, old->v[F_USCC].len), e->id);
        idmap_put(&b->by_uscc, uscc_key(e->v[F_USCC].s, e->v[F_USCC].len), e->id);
    }
    if (b->by_name_built && (changed & (1ull << F_NAME)) && e->name_key) {
        if (old->name_key)
            idmap_remove(&b->by_name, (uint64_t)store_name_hash(old->name_key, old->name_key_len),
                         e->id);
        idmap_put(&b->by_name, (uint64_t)store_name_hash(e->name_key, e->name_key_len), e->id);
    }
}

/* ---- start and end ---- */

static void bulk_free(struct store_bulk *b)
{
    size_t i;
    if (!b)
        return;
    for (i = 0; i < N_BULK_INDEXES; i++)
        free(b->sql[i]);
    idmap_release(&b->by_uscc);
    idmap_release(&b->by_name);
    free(b);
}

static int exec_sql(struct store *st, const char *sql, const char *what, struct error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    error_set(err, "store %s: %s: %s", st->path, what, msg ? msg : sqlite3_errmsg(st->db));
    sqlite3_free(msg);
    return -1;
}

int store_bulk_begin(struct store *st, struct error *err)
{
    sqlite3_stmt *s;
    struct store_bulk *b;
    size_t i;
    int rc;

    if (st->bulk)
        return 1;
    if (sqlite3_get_autocommit(st->db))
        return error_set(err, "store_bulk_begin: not in a transaction");
    if (sqlite3_prepare_v2(st->db, "SELECT NOT EXISTS (SELECT 1 FROM ent)", -1, &s, NULL) !=
        SQLITE_OK)
        return store_error(st, err, "prepare");
    rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    if (rc < 0)
        return store_error(st, err, "bulk load");
    if (!rc)
        return 0;

    b = xcalloc(1, sizeof(*b));
    if (sqlite3_prepare_v2(st->db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?",
                           -1, &s, NULL) != SQLITE_OK) {
        bulk_free(b);
        return store_error(st, err, "prepare");
    }
    for (i = 0; i < N_BULK_INDEXES; i++) {
        sqlite3_bind_text(s, 1, bulk_indexes[i].name, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT)
            b->sql[i] = xstrdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    for (i = 0; i < N_BULK_INDEXES; i++) {
        char drop[96];
        if (!b->sql[i])
            continue; /* a store made before this index existed, or had its name */
        snprintf(drop, sizeof(drop), "DROP INDEX %s", bulk_indexes[i].name);
        if (exec_sql(st, drop, "bulk load", err) != 0) {
            bulk_free(b);
            return -1;
        }
        b->serves |= bulk_indexes[i].serves;
    }
    if (!b->serves) {
        bulk_free(b);
        return 0;
    }
    st->bulk = b;
    return 1;
}

/* The value of an integer pragma (its current setting). */
static int pragma_int(struct store *st, const char *name, sqlite3_int64 *out)
{
    char sql[64];
    sqlite3_stmt *s;
    int rc;
    snprintf(sql, sizeof(sql), "PRAGMA %s", name);
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    rc = sqlite3_step(s) == SQLITE_ROW ? 0 : -1;
    if (rc == 0)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc;
}

static int set_pragma(struct store *st, const char *name, sqlite3_int64 v)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA %s = %lld", name, (long long)v);
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Create the dropped indexes again (those not done yet). */
static int rebuild(struct store *st, struct store_bulk *b, struct error *err)
{
    size_t i;
    for (i = 0; i < N_BULK_INDEXES; i++) {
        if (!b->sql[i])
            continue;
        if (exec_sql(st, b->sql[i], "rebuilding an index after a bulk load", err) != 0)
            return -1;
        free(b->sql[i]);
        b->sql[i] = NULL;
    }
    return 0;
}

int store_bulk_end(struct store *st, struct error *err)
{
    struct store_bulk *b = st->bulk;
    sqlite3_int64 cache = 0, temp = 0, threads = 0;
    int rc, tuned;
    if (!b)
        return 0;
    st->bulk = NULL;
    /* CREATE INDEX sorts all keys. With temp_store = MEMORY SQLite sorts
     * them as one list, which is slow for a million keys (every merge pass
     * misses the caches); with temporary files and a small cache it sorts
     * runs of a few thousand keys in cache, on a helper thread too, and
     * merges them: three times faster here. The files are the sorter's
     * alone and are gone when the statement ends. */
    tuned = pragma_int(st, "cache_size", &cache) == 0 && pragma_int(st, "temp_store", &temp) == 0 &&
            pragma_int(st, "threads", &threads) == 0 && set_pragma(st, "temp_store", 1) == 0 &&
            set_pragma(st, "cache_size", -1024) == 0 && set_pragma(st, "threads", 1) == 0;
    rc = rebuild(st, b, err);
    if (rc != 0 && tuned && !sqlite3_get_autocommit(st->db)) {
        /* No room for temporary files, say: sort in memory after all. */
        set_pragma(st, "temp_store", 2);
        rc = rebuild(st, b, err);
    }
    if (tuned) {
        set_pragma(st, "temp_store", temp);
        set_pragma(st, "cache_size", cache);
        set_pragma(st, "threads", threads);
    }
    /* A failure here is a bug (the maps kept the USCCs unique) or the disk,
     * and then the commit must not go ahead without the indexes. */
    bulk_free(b);
    return rc;
}

void store_bulk_abandon(struct store *st)
{
    bulk_free(st->bulk);
    st->bulk = NULL;
}
