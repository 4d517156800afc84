/*
 * store_internal.h - shared by the files of src/store/ only: the connection
 * struct and the prepared-statement cache.
 */
#ifndef MAGNET_STORE_INTERNAL_H
#define MAGNET_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_READ_BEGIN,
    ST_DATA_VERSION,
    ST_BATCH_INSERT,
    ST_BATCH_FINISH,
    ST_BATCH_EACH,
    ST_ENT_FIND_USCC,
    ST_ENT_FIND_NAME,
    ST_ENT_FIND_NAME_REGION,
    ST_ENT_SEARCH_NAME,
    ST_ENT_ANY_WITHOUT_USCC,
    ST_ENT_LOAD,
    ST_ENT_LOAD_USCC,
    ST_ENT_INSERT,
    ST_ENT_INSERT_PLAIN,
    ST_ENT_USCC_OF,
    ST_ENT_NAME_OF,
    ST_ENT_UPDATE,
    ST_ENT_EACH,
    ST_ENT_COUNT,
    ST_CHANGE_INSERT,
    ST_ENT_HISTORY,
    ST_ENT_ORIGIN,
    ST_GROUP_STATUS,
    ST_GROUP_PROVINCE,
    ST_GROUP_INDUSTRY,
    /* industry-chain classification (store_chain.c) */
    ST_CHAIN_ENTS_ALL,
    ST_CHAIN_ENTS_CREATED,
    ST_CHAIN_ENTS_UPDATED,
    ST_CHAIN_TAXONOMY_INSERT,
    ST_CHAIN_TAXONOMY_FIND,
    ST_CHAIN_CLEAR_NODES,
    ST_CHAIN_CLEAR_MARKS,
    ST_CHAIN_DELETE_ENT,
    ST_CHAIN_MARK,
    ST_CHAIN_MARK_NEW,
    ST_CHAIN_INSERT,
    ST_CHAIN_ENT_NODES,
    ST_CHAIN_ENT_TAXONOMY,
    ST_CHAIN_EACH_NODE,
    ST_CHAIN_COUNT_TAXONOMIES,
    /* the in-memory index and the change log (store_index.c) */
    ST_INDEX_ENTS,
    ST_INDEX_NODES,
    ST_INDEX_BATCH_IDS,
    ST_INDEX_MAX_ID,
    ST_CHANGE_LOG,
    ST_CHANGE_SEQ,
    ST_CHANGE_SINCE,
    /* saved lists (store_list.c) */
    ST_LIST_INSERT,
    ST_LIST_DELETE,
    ST_LIST_GET,
    ST_LIST_EACH,
    ST_LIST_ITEM_INSERT,
    ST_LIST_ITEMS,
    /* accounts, sessions, tokens, throttling (store_auth.c) */
    ST_USER_INSERT,
    ST_USER_GET_NAME,
    ST_USER_GET_ID,
    ST_USER_SET_PASSWORD,
    ST_USER_SET_DISABLED,
    ST_USER_SET_ROLE,
    ST_USER_SET_LOGIN,
    ST_USER_EACH,
    ST_USER_COUNT,
    ST_USER_COUNT_ADMINS,
    ST_SESSION_INSERT,
    ST_SESSION_FIND,
    ST_SESSION_TOUCH,
    ST_SESSION_DELETE,
    ST_SESSION_DELETE_USER,
    ST_SESSION_PRUNE,
    ST_SESSION_EACH,
    ST_TOKEN_INSERT,
    ST_TOKEN_FIND,
    ST_TOKEN_GET,
    ST_TOKEN_TOUCH,
    ST_TOKEN_REVOKE,
    ST_TOKEN_EACH,
    ST_THROTTLE_GET,
    ST_THROTTLE_PUT,
    ST_THROTTLE_DELETE,
    ST_THROTTLE_PRUNE,
    /* the audit trail (store_audit.c) */
    ST_AUDIT_INSERT,
    ST_AUDIT_QUERY,
    ST_AUDIT_QUERY_ENTITY,
    ST_AUDIT_QUERY_USER,
    ST_AUDIT_COUNT,
    ST_AUDIT_COUNT_ENTITY,
    ST_AUDIT_COUNT_USER,
    ST_COUNT_
};

struct store_bulk;
struct cred_memo;

struct store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[ST_COUNT_];
    struct store_bulk *bulk;  /* a bulk load is under way (store_bulk.c), or NULL */
    struct cred_memo *memo;   /* credentials found in read transactions (store_auth.c) */
    int reading;              /* in store_read_begin's transaction */
};

/* Forget the credential memo (store_auth.c). */
void store_memo_free(struct store *st);
/* SQLite's data version of the open read transaction: it moves with every
 * commit to the file, by any connection, this one included. */
int64_t store_data_version(struct store *st);

/* The prepared statement id, reset and with bindings cleared, ready to bind. */
sqlite3_stmt *store_stmt(struct store *st, enum stmt_id id, struct error *err);
/* A new statement of its own (for loops whose callback may use the cache);
 * the caller finalizes it. */
sqlite3_stmt *store_stmt_fresh(struct store *st, enum stmt_id id, struct error *err);
/* Fill err from the connection's last error and return -1. */
int store_error(struct store *st, struct error *err, const char *what);

/* The 64-bit hash of a name key that ent.name_hash holds. */
int64_t store_name_hash(const char *key, size_t len);

/* ---- bulk loads (store_bulk.c) ---- */

/* The lookups a bulk load answers from memory because their index is
 * dropped: BULK_USCC (store_ent_find_uscc, and whether an insert's USCC is
 * taken) and BULK_NAME (store_ent_find_name). 0 outside a bulk load. */
enum { BULK_USCC = 1, BULK_NAME = 2 };
int store_bulk_serves(const struct store *st);
/* As store_ent_find_uscc and store_ent_find_name, from the maps. */
int store_bulk_find_uscc(struct store *st, const char *uscc, int64_t *id, struct error *err);
int store_bulk_find_name(struct store *st, const char *name_key, const char *region,
                         int64_t *ids, size_t max, struct error *err);
/* Keep the maps up after e was inserted (e->id set), or updated from old. */
void store_bulk_inserted(struct store *st, const struct ent *e);
void store_bulk_updated(struct store *st, const struct ent *old, const struct ent *e,
                        uint64_t changed);
/* Drop the bulk state without rebuilding (the transaction is rolled back). */
void store_bulk_abandon(struct store *st);

#endif
