/*
 * store.h - the system of record: a SQLite database in WAL mode.
 *
 * Every SQL statement of Magnet lives in src/store/ and nowhere else, behind
 * these functions, so that another backend (PostgreSQL) can be added here
 * without touching the rest. Statements are prepared once per connection
 * and always take bound parameters.
 *
 * A struct store is one connection: use it from one thread at a time.
 */
#ifndef MAGNET_STORE_STORE_H
#define MAGNET_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "registry/ent.h"

struct store;

enum store_mode {
    STORE_OPEN_EXISTING = 0,  /* the file must exist and hold a Magnet store */
    STORE_CREATE = 1          /* create the file when missing, migrate to the current schema */
};

/* Open (and migrate) the store at path. */
int store_open(const char *path, enum store_mode mode, struct store **out, struct error *err);
/* Checkpoint the WAL and close. NULL is fine. */
void store_close(struct store *st);
/* The page cache of this connection, in KiB (default 256 MiB): a reader
 * that scans once needs little. */
int store_set_cache_kib(struct store *st, int64_t kib, struct error *err);
/* Read the file through a memory map of up to bytes (0: plain reads, the
 * default). Reads of a page then cost no system call and no copy, and the
 * operating system's page cache is shared by every connection instead of
 * each keeping its own. SQLite caps it at its compile-time maximum. */
int store_set_mmap(struct store *st, int64_t bytes, struct error *err);
/* Schema version of the open store (PRAGMA user_version). */
int store_schema_version(struct store *st);
/* The schema version this build migrates to. */
int store_schema_latest(void);

/* One write transaction (BEGIN IMMEDIATE). Nesting is not supported. */
int store_begin(struct store *st, struct error *err);
/* Commit; ends a bulk load first (store_bulk_end). */
int store_commit(struct store *st, struct error *err);
/* One read transaction (BEGIN DEFERRED): the statements until
 * store_read_end see one state of the store, and take the WAL's read lock
 * once instead of once each. Only for reads: a write inside it may fail
 * with SQLITE_BUSY_SNAPSHOT when another connection wrote meanwhile. */
int store_read_begin(struct store *st, struct error *err);
void store_read_end(struct store *st);
/* How long a write waits for another connection's write lock, in ms
 * (STORE_BUSY_MS unless set); 1 when st's last failure was such a wait
 * running out. */
#define STORE_BUSY_MS 10000
void store_set_busy_ms(struct store *st, int ms);
int store_was_busy(struct store *st);
/* Roll back (a bulk load with it: its dropped index comes back). */
void store_rollback(struct store *st);

/* A bulk load: inside a write transaction, on a store that holds no
 * enterprise yet, drop the indexes on the USCC and the name hash (costly to
 * keep up under rows in random key order) and serve their lookups from
 * memory until store_bulk_end() creates them again, each in one sorted
 * pass. The enterprise functions below behave exactly as without it.
 * Returns 1 when a bulk load started, 0 when the store is not empty
 * (nothing changed), -1 on error. */
int store_bulk_begin(struct store *st, struct error *err);
/* Rebuild what store_bulk_begin dropped (still inside the transaction);
 * 0 when no bulk load is under way. store_commit() calls it. */
int store_bulk_end(struct store *st, struct error *err);

/* ---- import batches (provenance) ---- */

struct batch_info {
    const char *kind;     /* "import" */
    const char *file;     /* file name as given */
    const char *sha256;   /* hex digest of the file's bytes */
    const char *sheet;    /* XLSX sheet, or NULL */
    const char *user;     /* who ran it (OS user or account), or NULL */
};

struct batch_counts {
    int64_t rows, inserted, updated, unchanged, rejected;
};

/* Record a batch (its sha256 may be NULL until store_batch_finish). */
int store_batch_begin(struct store *st, const struct batch_info *info, int64_t *id,
                      struct error *err);
int store_batch_finish(struct store *st, int64_t id, const char *sha256,
                       const struct batch_counts *c, struct error *err);

struct batch_row {
    int64_t id;
    const char *kind, *file, *sha256, *sheet, *user, *started, *finished;
    struct batch_counts counts;
};
/* Calls fn for each batch, newest first; fn returns non-zero to stop. */
int store_batch_each(struct store *st, int (*fn)(const struct batch_row *b, void *ctx), void *ctx,
                     struct error *err);

/* ---- enterprises ---- */

/* 1 and *id when an enterprise has this USCC, 0 when none. */
int store_ent_find_uscc(struct store *st, const char *uscc, int64_t *id, struct error *err);

/* Enterprises whose name key equals name_key, restricted to region (a county
 * code) when not NULL; writes up to max ids, returns the total count. */
int store_ent_find_name(struct store *st, const char *name_key, const char *region, int64_t *ids,
                        size_t max, struct error *err);

/* Enterprises whose name contains text (for "magnet show 云栖"): up to max ids. */
int store_ent_search_name(struct store *st, const char *text, int64_t *ids, size_t max,
                          struct error *err);

/* 1 when at least one enterprise has no USCC (then the importer must match
 * USCC-bearing rows by name too). */
int store_ent_any_without_uscc(struct store *st, struct error *err);

/* Load enterprise id into out (ent_init'ed by the callee). 0, or -1 when
 * missing (err says so). */
int store_ent_load(struct store *st, int64_t id, struct ent *out, struct error *err);
/* The enterprise with this (normalised) USCC: 1 and *out, 0 when none
 * (out left empty), -1. One statement where find + load are two. hint: an
 * id that probably has it (the screening index's), 0 for none: that row is
 * read first by id (cheaper than the USCC index's text keys) and kept only
 * if its USCC is the one asked; else the USCC index answers. */
int store_ent_load_uscc(struct store *st, const char *uscc, int64_t hint, struct ent *out,
                        struct error *err);

/* Insert e (every set field) created by batch. Returns 0 and sets e->id, or
 * 1 without writing when an enterprise with e's USCC already exists. */
int store_ent_insert(struct store *st, struct ent *e, int64_t batch, struct error *err);

/* Write the fields in `changed` (bit (1ull << field)) of e over enterprise
 * e->id and record one history row per field: old value from old, new from e. */
int store_ent_update(struct store *st, const struct ent *old, const struct ent *e,
                     uint64_t changed, int64_t batch, struct error *err);

/* Every enterprise in id order; fn returns non-zero to stop (that value is
 * returned). The record passed to fn is valid only during the call. */
int store_ent_each(struct store *st, int (*fn)(const struct ent *e, void *ctx), void *ctx,
                   struct error *err);

int64_t store_ent_count(struct store *st, struct error *err);

struct ent_change_row {
    const char *field, *old_value, *new_value;
    int64_t batch;
    const char *file, *at;
};
/* The change history of enterprise id, oldest first. */
int store_ent_history(struct store *st, int64_t id,
                      int (*fn)(const struct ent_change_row *c, void *ctx), void *ctx,
                      struct error *err);

/* The batch that created enterprise id: sets *batch, *file and *at (valid until the next call). */
int store_ent_origin(struct store *st, int64_t id, int64_t *batch, const char **file,
                     const char **at, struct error *err);

/* ---- statistics ---- */

/* Counts grouped by a key: status (enum value as text), province (2-digit
 * code) or industry (the stored code, any level). fn gets key and count. */
enum store_group { GROUP_STATUS, GROUP_PROVINCE, GROUP_INDUSTRY };
int store_ent_group_count(struct store *st, enum store_group g,
                          void (*fn)(const char *key, int64_t n, void *ctx), void *ctx,
                          struct error *err);

/* ---- industry-chain classification (store_chain.c) ---- */

/* The file the store was opened from (for a second connection). */
const char *store_path(const struct store *st);

/* What the classifier reads of an enterprise. Pointers are valid during the
 * callback only; name and scope are not NUL-terminated (use the lengths);
 * any may be NULL. */
struct chain_ent_row {
    int64_t id;
    const char *name, *scope;
    size_t name_len, scope_len;
    const char *industry;  /* NUL-terminated */
};

enum store_chain_select {
    CHAIN_SELECT_ALL = 0,  /* every enterprise */
    CHAIN_SELECT_CREATED,  /* those batch created */
    CHAIN_SELECT_UPDATED   /* those batch updated but did not create */
};

/* Up to limit enterprises with id > after, in id order, selected by sel
 * (batch is ignored for CHAIN_SELECT_ALL); fn is called for each and
 * returns non-zero to stop. Returns the number of rows passed to fn, or -1.
 * Page through a table with after = the last id seen: each call is its own
 * short read. */
int store_chain_ents(struct store *st, enum store_chain_select sel, int64_t batch, int64_t after,
                     size_t limit, int (*fn)(const struct chain_ent_row *r, void *ctx), void *ctx,
                     struct error *err);

/* The id of taxonomy version hash, recorded (with where it came from and
 * its size) the first time it is used. */
int store_chain_taxonomy(struct store *st, const char *hash, const char *source, int64_t tracks,
                         int64_t nodes, int64_t *id, struct error *err);

/* One node holding an enterprise. */
struct chain_node_row {
    const char *node;      /* "ai/chip" */
    double score;
    double confidence;     /* 0..1 */
    const char *evidence;  /* JSON (classify_evidence_json) */
    size_t evidence_len;
};

/* Forget the classification of the enterprises with after < id <= last
 * (a bulk run, which then writes them with known_empty). */
int store_chain_clear_range(struct store *st, int64_t after, int64_t last, struct error *err);

/* Replace enterprise ent_id's classification by nodes[0..n) and record that
 * taxonomy (an id from store_chain_taxonomy) made it. known_empty: its old
 * rows are known to be gone (store_chain_clear_range), skip deleting them.
 * Call inside a transaction for speed. */
int store_chain_replace(struct store *st, int64_t ent_id, int64_t taxonomy,
                        const struct chain_node_row *nodes, size_t n, int known_empty,
                        struct error *err);

/* The nodes holding enterprise ent_id, by node id; fn returns non-zero to
 * stop. Returns 0, or -1. */
int store_chain_ent_nodes(struct store *st, int64_t ent_id,
                          int (*fn)(const struct chain_node_row *r, void *ctx), void *ctx,
                          struct error *err);

/* The taxonomy version that classified ent_id: 1 with hash (17 bytes) and
 * source (cut to source_size) filled, 0 when it was never classified. */
int store_chain_ent_taxonomy(struct store *st, int64_t ent_id, char hash[17], char *source,
                             size_t source_size, struct error *err);

/* Every (enterprise, node) pair in enterprise order (for counts). */
int store_chain_each_node(struct store *st, void (*fn)(int64_t ent_id, const char *node, void *ctx),
                          void *ctx, struct error *err);

/* How many enterprises each taxonomy version classified, most first. */
int store_chain_count_taxonomies(struct store *st,
                                 void (*fn)(const char *hash, const char *source, int64_t n,
                                            void *ctx),
                                 void *ctx, struct error *err);

/* ---- the in-memory screening index (store_index.c) ---- */

/* What the index reads of an enterprise. Text pointers are valid during the
 * callback only and NULL when the column is NULL; name and scope are not
 * NUL-terminated (use the lengths), the others are. Integers are -1 when
 * NULL (none of them is negative otherwise). */
struct index_ent_row {
    int64_t id;
    const char *uscc, *name, *scope;
    size_t name_len, scope_len;
    int64_t capital;            /* cents of capital_cur */
    const char *capital_cur;
    const char *founded;        /* "YYYY-MM-DD" */
    int64_t status;
    const char *region, *street, *industry;
    int64_t staff, patents, pat_invention, pat_utility, pat_design, software_cr;
    int64_t tags;               /* bit mask */
    const char *round, *funding_date;
};

/* The enterprises with after < id <= last, in id order. fn returns non-zero
 * to stop (that value is returned); else 0, or -1 on error. */
int store_index_ents(struct store *st, int64_t after, int64_t last,
                     int (*fn)(const struct index_ent_row *r, void *ctx), void *ctx,
                     struct error *err);

/* The (enterprise, node) pairs with after < ent_id <= last, by enterprise. */
int store_index_nodes(struct store *st, int64_t after, int64_t last,
                      int (*fn)(int64_t ent_id, const char *node, void *ctx), void *ctx,
                      struct error *err);

/* The enterprises a batch created or updated (last update). */
int store_index_batch_ids(struct store *st, int64_t batch,
                          int (*fn)(int64_t id, void *ctx), void *ctx, struct error *err);

/* The largest enterprise id (0 for an empty store). */
int store_ent_max_id(struct store *st, int64_t *out, struct error *err);

/* ---- the change log ----
 *
 * Every transaction that writes enterprises or their classification
 * records what it touched, inside that transaction: the enterprises of a
 * batch (batch > 0), or the id range lo < id <= hi. A reader that saw the
 * store at sequence S catches up by reloading what the entries after S name. */
int store_change_log(struct store *st, int64_t batch, int64_t lo, int64_t hi, struct error *err);
/* The sequence number of the last change (0 when none). */
int store_change_seq(struct store *st, int64_t *out, struct error *err);
/* The entries after seq, oldest first; fn returns non-zero to stop. */
int store_changes_since(struct store *st, int64_t seq,
                        int (*fn)(int64_t seq, int64_t batch, int64_t lo, int64_t hi, void *ctx),
                        void *ctx, struct error *err);

/* ---- saved lists (清单) (store_list.c) ----
 *
 * A list is a screening query saved under a unique name together with a
 * snapshot of every enterprise it matched then (src/index/list.h builds
 * and compares them). Integer columns that can be unknown use
 * STORE_LIST_NULL. Write a list inside one transaction (store_begin). */

#define STORE_LIST_NULL INT64_MIN

struct store_list_meta {
    int64_t id;             /* set by store_list_get / store_list_each */
    const char *name;
    const char *query;      /* canonical (query_format) */
    const char *note;       /* may be NULL */
    const char *user;       /* may be NULL */
    const char *created;    /* "YYYY-MM-DDTHH:MM:SSZ" (read only: the store sets it) */
    const char *score_model;/* score_model_hash() when saved */
    const char *home;       /* home region code, NULL none */
    const char *today;      /* "YYYY-MM-DD" the scores were computed for */
    int64_t total;          /* enterprises in the snapshot */
};

struct store_list_item {
    int64_t rank;           /* 1-based, in the saved query's order */
    int64_t ent_id;
    const char *uscc;       /* NULL: none */
    const char *name;
    const char *region, *industry;  /* codes, NULL unknown */
    const char *founded;    /* "YYYY-MM-DD", NULL unknown */
    int64_t capital_cny;    /* cents of CNY, STORE_LIST_NULL unknown */
    int64_t status;         /* enum ent_status */
    int64_t staff, patents; /* STORE_LIST_NULL unknown */
    int64_t tags;           /* bit mask */
    const char *round;      /* canonical, NULL none */
    int64_t score;
};

/* Create list m (m->id, m->created ignored) and set *id. Returns 0, 1 when
 * a list of that name exists (nothing written), or -1. */
int store_list_create(struct store *st, const struct store_list_meta *m, int64_t *id,
                      struct error *err);
/* Add one item to list id. */
int store_list_add_item(struct store *st, int64_t list_id, const struct store_list_item *it,
                        struct error *err);
/* Remove the list called name and its items: 1 when removed, 0 when there
 * is none, -1 on error. */
int store_list_delete(struct store *st, const char *name, struct error *err);
/* Call fn with the list called name (strings valid during the call): 1 when
 * found, 0 when there is none, -1 on error. */
int store_list_get(struct store *st, const char *name,
                   void (*fn)(const struct store_list_meta *m, void *ctx), void *ctx,
                   struct error *err);
/* Every list by name; fn returns non-zero to stop (that value is
 * returned); else 0, or -1 on error. */
int store_list_each(struct store *st, int (*fn)(const struct store_list_meta *m, void *ctx),
                    void *ctx, struct error *err);
/* The items of list id with rank <= max_rank, by rank (strings valid
 * during the call); fn returns non-zero to stop (that value is returned);
 * else 0, or -1 on error. */
int store_list_items(struct store *st, int64_t list_id, int64_t max_rank,
                     int (*fn)(const struct store_list_item *it, void *ctx), void *ctx,
                     struct error *err);

/* ==== accounts, sessions, API tokens, login throttling, audit trail ====
 * (store_auth.c, store_audit.c; the rules live in src/auth/, these only
 * move rows). Secrets arrive here already hashed (32-byte SHA-256). Times
 * are unix seconds; 0 in an optional time means "none" (NULL in SQL). */

#define STORE_USER_NAME_MAX 64
#define STORE_USER_ROLE_MAX 16
#define STORE_USER_DEPT_MAX 128
#define STORE_USER_HASH_MAX 160
#define STORE_REMOTE_MAX 64
#define STORE_LABEL_MAX 64

/* One account, copied out (no pointers into the statement). */
struct store_user {
    int64_t id;
    char name[STORE_USER_NAME_MAX + 1];
    char role[STORE_USER_ROLE_MAX + 1];  /* "admin", "staff", ... */
    char dept[STORE_USER_DEPT_MAX + 1];  /* "" when none */
    char pw_hash[STORE_USER_HASH_MAX];   /* encoded argon2id */
    int disabled;
    int64_t created, last_login;         /* last_login 0: never */
};

/* 1 when a transaction is open on st (so a caller's write and ours share it). */
int store_in_transaction(struct store *st);

/* Insert an account (dept NULL for none): 0 and *id, 1 when the name
 * (ASCII case ignored) is taken, -1. */
int store_user_insert(struct store *st, const char *name, const char *role, const char *dept,
                      const char *pw_hash, int64_t created, int64_t *id, struct error *err);
/* 1 and *out when found, 0 when not, -1. Name lookup ignores ASCII case. */
int store_user_get_name(struct store *st, const char *name, struct store_user *out,
                        struct error *err);
int store_user_get_id(struct store *st, int64_t id, struct store_user *out, struct error *err);
int store_user_set_password(struct store *st, int64_t id, const char *pw_hash, struct error *err);
int store_user_set_disabled(struct store *st, int64_t id, int disabled, struct error *err);
int store_user_set_role(struct store *st, int64_t id, const char *role, const char *dept,
                        struct error *err);
int store_user_set_login(struct store *st, int64_t id, int64_t at, struct error *err);
/* Every account by name (ASCII case ignored); fn returns non-zero to stop.
 * Returns the number passed to fn, or -1. */
int store_user_each(struct store *st, int (*fn)(const struct store_user *u, void *ctx), void *ctx,
                    struct error *err);
/* All accounts; enabled accounts of role "admin". -1 on error. */
int64_t store_user_count(struct store *st, struct error *err);
int64_t store_user_count_admins(struct store *st, struct error *err);

struct store_session_row {
    int64_t id, user_id;
    unsigned char csrf_hash[32];
    char remote[STORE_REMOTE_MAX + 1];
    int64_t created, last_seen, expires;  /* expires: the absolute end */
};
int store_session_insert(struct store *st, const unsigned char hash[32], int64_t user_id,
                         const unsigned char csrf_hash[32], const char *remote, int64_t created,
                         int64_t expires, int64_t *id, struct error *err);
/* The session with this id hash and its account: 1, 0 when none, -1. */
int store_session_find(struct store *st, const unsigned char hash[32],
                       struct store_session_row *out, struct store_user *user, struct error *err);
int store_session_touch(struct store *st, int64_t id, int64_t last_seen, struct error *err);
/* Delete by row id, by id hash, or all of a user's: the number deleted, -1.
 * only_user 0: any user's session, else only one of that user. */
int store_session_delete(struct store *st, int64_t id, int64_t only_user, struct error *err);
int store_session_delete_hash(struct store *st, const unsigned char hash[32],
                              struct store_session_row *out, struct error *err);
/* All of user_id's sessions but row id except (0: all of them). */
int store_session_delete_user(struct store *st, int64_t user_id, int64_t except,
                              struct error *err);
/* Delete sessions that ended (expires <= now or last_seen <= idle_cutoff). */
int store_session_prune(struct store *st, int64_t idle_cutoff, int64_t now, struct error *err);
/* Live sessions (expires > now and last_seen > idle_cutoff), newest first,
 * of user_id (0: all); user is the account name. */
int store_session_each(struct store *st, int64_t user_id, int64_t idle_cutoff, int64_t now,
                       int (*fn)(const struct store_session_row *s, const char *user, void *ctx),
                       void *ctx, struct error *err);

struct store_token_row {
    int64_t id, user_id;
    char user[STORE_USER_NAME_MAX + 1];
    char label[STORE_LABEL_MAX + 1];
    int64_t created, expires, last_used, revoked;  /* 0: none */
};
int store_token_insert(struct store *st, const unsigned char hash[32], int64_t user_id,
                       const char *label, int64_t created, int64_t expires, int64_t *id,
                       struct error *err);
/* The token with this hash and its account: 1, 0 when none, -1. */
int store_token_find(struct store *st, const unsigned char hash[32], struct store_token_row *out,
                     struct store_user *user, struct error *err);
/* Token id: 1 and *out, 0 when none, -1. */
int store_token_get(struct store *st, int64_t id, struct store_token_row *out, struct error *err);
int store_token_touch(struct store *st, int64_t id, int64_t at, struct error *err);
/* Mark revoked at `at` unless it already is; only_user 0: any user's.
 * 1 when revoked now, 0 when not, -1. */
int store_token_revoke(struct store *st, int64_t id, int64_t only_user, int64_t at,
                       struct error *err);
/* Tokens newest first of user_id (0: all); fn returns non-zero to stop. */
int store_token_each(struct store *st, int64_t user_id,
                     int (*fn)(const struct store_token_row *t, void *ctx), void *ctx,
                     struct error *err);

/* Login throttling counters by key ("name:alice", "addr:10.0.0.7"). */
struct store_throttle {
    int64_t failures, first_at, locked_until;
};
int store_throttle_get(struct store *st, const char *key, struct store_throttle *out,
                       struct error *err);
int store_throttle_put(struct store *st, const char *key, const struct store_throttle *t,
                       struct error *err);
int store_throttle_delete(struct store *st, const char *key, struct error *err);
/* Forget counters whose window began before window_start and whose lock
 * is over at now. Returns the number deleted. */
int store_throttle_prune(struct store *st, int64_t window_start, int64_t now, struct error *err);

/* The audit log: append-only (there is no update or delete statement, and
 * triggers refuse both). */
struct store_audit_row {
    int64_t id, at, user_id;  /* user_id 0: none */
    const char *user, *remote, *action, *entity, *entity_id, *before, *after;
};
/* Insert r (r->id ignored): *id (may be NULL) gets the new id. */
int store_audit_insert(struct store *st, const struct store_audit_row *r, int64_t *id,
                       struct error *err);
struct store_audit_filter {
    const char *entity, *entity_id, *user;  /* NULL: any */
    int64_t since, until, before_id;        /* 0: unbounded */
    int64_t offset, limit;
};
/* Matching rows newest first (strings valid during fn): the number passed
 * to fn, or -1. */
int store_audit_query(struct store *st, const struct store_audit_filter *f,
                      int (*fn)(const struct store_audit_row *r, void *ctx), void *ctx,
                      struct error *err);
/* Matching rows, ignoring offset, limit and before_id. */
int store_audit_count(struct store *st, const struct store_audit_filter *f, int64_t *out,
                      struct error *err);
/* ==== end of accounts and audit ==== */

#endif
