/*
 * store_chain.c - the industry-chain classification of enterprises: which
 * nodes hold each enterprise (ent_node, with score, confidence and the
 * evidence as JSON), which taxonomy version classified it (ent_classified,
 * taxonomy), and the reads the classifier needs (enterprises by id page or
 * by import batch).
 *
 * A bulk run writes tens of millions of rows, so the write path is lean:
 * cached statements, a range delete per page of enterprises instead of one
 * delete per enterprise, and rows inserted in primary-key order.
 */
#include "store/store_internal.h"

#include <string.h>

const char *store_path(const struct store *st)
{
    return st->path;
}

static const char *col_text(sqlite3_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s, col);
}

int store_chain_ents(struct store *st, enum store_chain_select sel, int64_t batch, int64_t after,
                     size_t limit, int (*fn)(const struct chain_ent_row *r, void *ctx), void *ctx,
                     struct error *err)
{
    static const enum stmt_id ids[] = { ST_CHAIN_ENTS_ALL, ST_CHAIN_ENTS_CREATED,
                                        ST_CHAIN_ENTS_UPDATED };
    sqlite3_stmt *s;
    struct chain_ent_row r;
    int rc, n = 0;

    if ((unsigned)sel > CHAIN_SELECT_UPDATED)
        return error_set(err, "store_chain_ents: bad selection %d", (int)sel);
    s = store_stmt(st, ids[sel], err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)(limit > INT32_MAX ? INT32_MAX : limit));
    if (sel != CHAIN_SELECT_ALL)
        sqlite3_bind_int64(s, 3, batch);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        r.id = sqlite3_column_int64(s, 0);
        r.name = col_text(s, 1);
        r.name_len = (size_t)sqlite3_column_bytes(s, 1);
        r.scope = col_text(s, 2);
        r.scope_len = (size_t)sqlite3_column_bytes(s, 2);
        r.industry = col_text(s, 3);
        n++;
        if (fn(&r, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? n : store_error(st, err, "read enterprises to classify");
}

int store_chain_taxonomy(struct store *st, const char *hash, const char *source, int64_t tracks,
                         int64_t nodes, int64_t *id, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_CHAIN_TAXONOMY_INSERT, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, tracks);
    sqlite3_bind_int64(s, 4, nodes);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return store_error(st, err, "record taxonomy");
    }
    sqlite3_reset(s);
    s = store_stmt(st, ST_CHAIN_TAXONOMY_FIND, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return store_error(st, err, "find taxonomy");
    }
    *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return 0;
}

static int range_delete(struct store *st, enum stmt_id id, int64_t after, int64_t last,
                        struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, id, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, after);
    sqlite3_bind_int64(s, 2, last);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return store_error(st, err, "clear classification");
    }
    sqlite3_reset(s);
    return 0;
}

int store_chain_clear_range(struct store *st, int64_t after, int64_t last, struct error *err)
{
    if (last <= after)
        return 0;
    if (range_delete(st, ST_CHAIN_CLEAR_NODES, after, last, err) != 0)
        return -1;
    return range_delete(st, ST_CHAIN_CLEAR_MARKS, after, last, err);
}

int store_chain_replace(struct store *st, int64_t ent_id, int64_t taxonomy,
                        const struct chain_node_row *nodes, size_t n, int known_empty,
                        struct error *err)
{
    sqlite3_stmt *s;
    size_t i;

    if (!known_empty) {
        s = store_stmt(st, ST_CHAIN_DELETE_ENT, err);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, ent_id);
        if (sqlite3_step(s) != SQLITE_DONE) {
            sqlite3_reset(s);
            return store_error(st, err, "replace classification");
        }
        sqlite3_reset(s);
    }
    s = store_stmt(st, known_empty ? ST_CHAIN_MARK_NEW : ST_CHAIN_MARK, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, ent_id);
    sqlite3_bind_int64(s, 2, taxonomy);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return store_error(st, err, "record classification");
    }
    sqlite3_reset(s);
    for (i = 0; i < n; i++) {
        s = store_stmt(st, ST_CHAIN_INSERT, err);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, ent_id);
        sqlite3_bind_text(s, 2, nodes[i].node, -1, SQLITE_STATIC);
        sqlite3_bind_double(s, 3, nodes[i].score);
        sqlite3_bind_double(s, 4, nodes[i].confidence);
        sqlite3_bind_text(s, 5, nodes[i].evidence, (int)nodes[i].evidence_len, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE) {
            sqlite3_reset(s);
            return store_error(st, err, "write classification");
        }
        sqlite3_reset(s);
    }
    return 0;
}

int store_chain_ent_nodes(struct store *st, int64_t ent_id,
                          int (*fn)(const struct chain_node_row *r, void *ctx), void *ctx,
                          struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_CHAIN_ENT_NODES, err);
    struct chain_node_row r;
    int rc;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, ent_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        r.node = col_text(s, 0);
        r.score = sqlite3_column_double(s, 1);
        r.confidence = sqlite3_column_double(s, 2);
        r.evidence = col_text(s, 3);
        r.evidence_len = (size_t)sqlite3_column_bytes(s, 3);
        if (fn(&r, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "read classification");
}

int store_chain_ent_taxonomy(struct store *st, int64_t ent_id, char hash[17], char *source,
                             size_t source_size, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_CHAIN_ENT_TAXONOMY, err);
    int rc;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, ent_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(hash, 17, "%s", col_text(s, 0) ? col_text(s, 0) : "");
        if (source_size)
            snprintf(source, source_size, "%s", col_text(s, 1) ? col_text(s, 1) : "");
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "read classification");
}

int store_chain_each_node(struct store *st, void (*fn)(int64_t ent_id, const char *node, void *ctx),
                          void *ctx, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_CHAIN_EACH_NODE, err);
    int rc;
    if (!s)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(sqlite3_column_int64(s, 0), col_text(s, 1), ctx);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "count classification");
}

int store_chain_count_taxonomies(struct store *st,
                                 void (*fn)(const char *hash, const char *source, int64_t n,
                                            void *ctx),
                                 void *ctx, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_CHAIN_COUNT_TAXONOMIES, err);
    int rc;
    if (!s)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        fn(col_text(s, 0) ? col_text(s, 0) : "", col_text(s, 1) ? col_text(s, 1) : "",
           sqlite3_column_int64(s, 2), ctx);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : store_error(st, err, "count classification");
}
