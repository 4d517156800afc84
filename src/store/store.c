/*
 * store.c - the SQLite connection: opening, pragmas, the schema and its
 * numbered migrations, transactions, and the prepared-statement cache.
 *
 * The schema is owned here and only here. Migration N takes a store from
 * user_version N-1 to N inside one transaction; a store newer than this
 * build is refused rather than misread.
 */
#include "store/store_internal.h"

#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"

/* Each entry is one migration: the SQL that takes the schema from version
 * i to i+1. Append only; never edit a migration that has shipped. */
static const char *const migrations[] = {
    /* 1: enterprises, import batches, change history */
    "CREATE TABLE batch ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  file TEXT,"
    "  sha256 TEXT,"
    "  sheet TEXT,"
    "  user TEXT,"
    "  started TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  finished TEXT,"
    "  rows INTEGER NOT NULL DEFAULT 0,"
    "  inserted INTEGER NOT NULL DEFAULT 0,"
    "  updated INTEGER NOT NULL DEFAULT 0,"
    "  unchanged INTEGER NOT NULL DEFAULT 0,"
    "  rejected INTEGER NOT NULL DEFAULT 0"
    ");"
    /* Column order follows the field table in registry/ent.h (checked by
     * tests/unit/test_store.c); money is integer cents plus a currency. */
    "CREATE TABLE ent ("
    "  id INTEGER PRIMARY KEY,"
    "  uscc TEXT,"
    "  name TEXT NOT NULL,"
    "  name_key TEXT NOT NULL,"
    "  name_hash INTEGER NOT NULL,"
    "  former_names TEXT,"
    "  legal_rep TEXT,"
    "  capital INTEGER, capital_cur TEXT,"
    "  paid_in INTEGER, paid_in_cur TEXT,"
    "  founded TEXT,"
    "  status INTEGER, status_text TEXT,"
    "  ent_type TEXT,"
    "  region TEXT,"
    "  street TEXT,"
    "  address TEXT,"
    "  industry TEXT,"
    "  scope TEXT,"
    "  staff INTEGER,"
    "  patents INTEGER,"
    "  patents_invention INTEGER,"
    "  patents_utility INTEGER,"
    "  patents_design INTEGER,"
    "  software_copyrights INTEGER,"
    "  trademarks INTEGER,"
    "  tags INTEGER, tags_text TEXT,"
    "  round TEXT,"
    "  funding_amount INTEGER, funding_amount_cur TEXT,"
    "  funding_date TEXT,"
    "  website TEXT,"
    "  phone TEXT,"
    "  email TEXT,"
    "  extra TEXT,"
    "  created_batch INTEGER NOT NULL REFERENCES batch(id),"
    "  updated_batch INTEGER REFERENCES batch(id)"
    ");"
    /* The USCC is unique through a named index rather than a column
     * constraint, so that a load into an empty store can drop it and build
     * it again in one sorted pass (store_bulk.c). */
    "CREATE UNIQUE INDEX ent_uscc ON ent(uscc);"
    /* Matching by name goes through a 64-bit hash of the name key: an
     * integer index costs a third of what an index on the text costs to
     * keep up during a bulk import. */
    "CREATE INDEX ent_name_hash ON ent(name_hash);"
    "CREATE TABLE ent_change ("
    "  id INTEGER PRIMARY KEY,"
    "  ent_id INTEGER NOT NULL REFERENCES ent(id),"
    "  batch_id INTEGER NOT NULL REFERENCES batch(id),"
    "  field TEXT NOT NULL,"
    "  old TEXT,"
    "  new TEXT"
    ");"
    "CREATE INDEX ent_change_ent ON ent_change(ent_id);",
    /* 2: industry-chain classification (store_chain.c). The tables are
     * derived from ent and the taxonomy and can always be rebuilt with
     * 'magnet classify --all', so they carry no foreign key to ent: a check
     * per row would cost a B-tree seek into ent for each of tens of
     * millions of rows written by a bulk run. */
    "CREATE TABLE taxonomy ("
    "  id INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL UNIQUE,"
    "  source TEXT,"
    "  tracks INTEGER NOT NULL,"
    "  nodes INTEGER NOT NULL,"
    "  first_used TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
    ");"
    /* One row per classified enterprise (also those in no node): which
     * taxonomy version classified it. */
    "CREATE TABLE ent_classified ("
    "  ent_id INTEGER PRIMARY KEY,"
    "  taxonomy INTEGER NOT NULL REFERENCES taxonomy(id)"
    ");"
    "CREATE TABLE ent_node ("
    "  ent_id INTEGER NOT NULL,"
    "  node TEXT NOT NULL,"
    "  score REAL NOT NULL,"
    "  confidence REAL NOT NULL,"
    "  evidence TEXT NOT NULL,"
    "  PRIMARY KEY (ent_id, node)"
    ") WITHOUT ROWID;"
    /* Classifying what one import batch changed reads its rows through
     * these. created_batch is constant within an import and ids increase,
     * so its index grows at the right edge (cheap during bulk loads); only
     * updated rows enter the partial index. */
    "CREATE INDEX ent_created_batch ON ent(created_batch);"
    "CREATE INDEX ent_updated_batch ON ent(updated_batch) WHERE updated_batch IS NOT NULL;",
    /* 3: the change log (store_index.c). Every transaction that changes
     * enterprises or their classification appends what it touched - the
     * enterprises of a batch, or a range of ids - so that an in-memory
     * index can catch up by reloading just those instead of everything. */
    "CREATE TABLE change_log ("
    "  seq INTEGER PRIMARY KEY,"
    "  batch INTEGER,"
    "  lo INTEGER,"
    "  hi INTEGER,"
    "  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
    ");",
    /* 4: saved lists (清单, store_list.c): a query under a name with a
     * snapshot of what it matched when saved. The snapshot copies the
     * fields a later diff compares, so it stays readable when the
     * enterprises change; ent_id carries no foreign key for the same
     * reason. Items are keyed by (list, rank) so that showing a list is a
     * range scan and removing one a range delete (ON DELETE CASCADE). */
    "CREATE TABLE list ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  query TEXT NOT NULL,"
    "  note TEXT,"
    "  user TEXT,"
    "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  score_model TEXT NOT NULL,"
    "  home TEXT,"
    "  today TEXT NOT NULL,"
    "  total INTEGER NOT NULL"
    ");"
    "CREATE TABLE list_item ("
    "  list_id INTEGER NOT NULL REFERENCES list(id) ON DELETE CASCADE,"
    "  rank INTEGER NOT NULL,"
    "  ent_id INTEGER NOT NULL,"
    "  uscc TEXT,"
    "  name TEXT NOT NULL,"
    "  region TEXT,"
    "  industry TEXT,"
    "  founded TEXT,"
    "  capital_cny INTEGER,"
    "  status INTEGER NOT NULL,"
    "  staff INTEGER,"
    "  patents INTEGER,"
    "  tags INTEGER NOT NULL,"
    "  round TEXT,"
    "  score INTEGER NOT NULL,"
    "  PRIMARY KEY (list_id, rank)"
    ") WITHOUT ROWID;",
    /* 5: accounts, login sessions, API tokens, login throttling and the
     * audit trail (store_auth.c, store_audit.c; rules in src/auth/).
     * Secrets are stored only as their SHA-256 (BLOB). Times are unix
     * seconds. Accounts are never deleted (audit rows and tokens name
     * them), only disabled. The audit table is append-only: no statement
     * of the store changes or removes a row, and the triggers refuse it to
     * anyone else using the file through SQLite. */
    "CREATE TABLE account ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  role TEXT NOT NULL CHECK (role IN ('admin','staff','leader','dept','viewer')),"
    "  dept TEXT,"
    "  pw_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  last_login INTEGER"
    ");"
    "CREATE TABLE session ("
    "  id INTEGER PRIMARY KEY,"
    "  hash BLOB NOT NULL UNIQUE,"
    "  account_id INTEGER NOT NULL REFERENCES account(id),"
    "  csrf_hash BLOB NOT NULL,"
    "  remote TEXT,"
    "  created INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL"
    ");"
    "CREATE INDEX session_account ON session(account_id);"
    "CREATE TABLE api_token ("
    "  id INTEGER PRIMARY KEY,"
    "  hash BLOB NOT NULL UNIQUE,"
    "  account_id INTEGER NOT NULL REFERENCES account(id),"
    "  label TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  expires INTEGER,"
    "  last_used INTEGER,"
    "  revoked INTEGER"
    ");"
    "CREATE TABLE login_throttle ("
    "  key TEXT PRIMARY KEY,"
    "  failures INTEGER NOT NULL,"
    "  first_at INTEGER NOT NULL,"
    "  locked_until INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  at INTEGER NOT NULL,"
    "  user_id INTEGER,"
    "  user TEXT NOT NULL,"
    "  remote TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  entity TEXT NOT NULL,"
    "  entity_id TEXT,"
    "  before_json TEXT,"
    "  after_json TEXT"
    ");"
    "CREATE INDEX audit_entity ON audit(entity, entity_id);"
    "CREATE INDEX audit_user ON audit(user);"
    "CREATE INDEX audit_at ON audit(at);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    /* INSERT OR REPLACE removes the old row without firing the DELETE
     * trigger: refuse an insert onto an existing id. */
    "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit"
    " WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* The value columns of ent in field order (see store_ent.c). */
#define ENT_SELECT                                                                          \
    "SELECT id, uscc, name, name_key, former_names, legal_rep, capital, capital_cur,"       \
    " paid_in, paid_in_cur, founded, status, status_text, ent_type, region, street,"        \
    " address, industry, scope, staff, patents, patents_invention, patents_utility,"        \
    " patents_design, software_copyrights, trademarks, tags, tags_text, round,"             \
    " funding_amount, funding_amount_cur, funding_date, website, phone, email, extra"       \
    " FROM ent"

#define ENT_INSERT                                                                          \
    "INSERT INTO ent(uscc, name, name_key, name_hash, former_names, legal_rep, capital,"    \
    " capital_cur, paid_in, paid_in_cur, founded, status, status_text, ent_type,"           \
    " region, street, address, industry, scope, staff, patents,"                            \
    " patents_invention, patents_utility, patents_design, software_copyrights,"             \
    " trademarks, tags, tags_text, round, funding_amount, funding_amount_cur,"              \
    " funding_date, website, phone, email, extra, created_batch)"                           \
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

/* The account columns in the order store_auth.c reads them. */
#define USER_SELECT                                                                         \
    "SELECT id, name, role, dept, pw_hash, disabled, created, last_login FROM account"

/* Audit queries: parameters ?1 entity, ?2 entity_id, ?3 user, ?4 since,
 * ?5 until, ?6 before_id (NULL: not filtered), ?7 limit, ?8 offset. */
#define AUDIT_SELECT                                                                        \
    "SELECT id, at, user_id, user, remote, action, entity, entity_id, before_json,"         \
    " after_json FROM audit"
#define AUDIT_WHERE_COUNT                                                                   \
    "(?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)"                        \
    " AND (?3 IS NULL OR user = ?3) AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5)"
#define AUDIT_WHERE AUDIT_WHERE_COUNT " AND (?6 IS NULL OR id < ?6)"
#define AUDIT_PAGE " ORDER BY id DESC LIMIT ?7 OFFSET ?8"

/* Every statement the store runs. Indexed by enum stmt_id. */
static const char *const stmt_sql[ST_COUNT_] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_READ_BEGIN] = "BEGIN DEFERRED",
    /* run first in a read transaction: it takes the snapshot at once */
    [ST_DATA_VERSION] = "PRAGMA data_version",
    [ST_BATCH_INSERT] = "INSERT INTO batch(kind, file, sha256, sheet, user) VALUES (?,?,?,?,?)",
    [ST_BATCH_FINISH] = "UPDATE batch SET finished = strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
                        " rows = ?1, inserted = ?2, updated = ?3, unchanged = ?4, rejected = ?5,"
                        " sha256 = coalesce(?7, sha256) WHERE id = ?6",
    [ST_BATCH_EACH] = "SELECT id, kind, file, sha256, sheet, user, started, finished, rows,"
                      " inserted, updated, unchanged, rejected FROM batch ORDER BY id DESC",
    [ST_ENT_FIND_USCC] = "SELECT id FROM ent WHERE uscc = ?",
    [ST_ENT_FIND_NAME] = "SELECT id FROM ent WHERE name_hash = ?2 AND name_key = ?1 ORDER BY id",
    [ST_ENT_FIND_NAME_REGION] = "SELECT id FROM ent WHERE name_hash = ?3 AND name_key = ?1"
                                " AND region = ?2 ORDER BY id",
    [ST_ENT_SEARCH_NAME] = "SELECT id FROM ent WHERE instr(name, ?) > 0 ORDER BY id LIMIT ?",
    [ST_ENT_ANY_WITHOUT_USCC] = "SELECT EXISTS (SELECT 1 FROM ent WHERE uscc IS NULL)",
    [ST_ENT_LOAD] = ENT_SELECT " WHERE id = ?",
    [ST_ENT_LOAD_USCC] = ENT_SELECT " WHERE uscc = ?",
    [ST_ENT_INSERT] = ENT_INSERT " ON CONFLICT(uscc) DO NOTHING",
    /* For a bulk load without the USCC index (store_bulk.c), which checks
     * the code itself. */
    [ST_ENT_INSERT_PLAIN] = ENT_INSERT,
    [ST_ENT_USCC_OF] = "SELECT uscc FROM ent WHERE id = ?",
    [ST_ENT_NAME_OF] = "SELECT name_key, region FROM ent WHERE id = ?",
    /* A NULL parameter keeps the stored value: the importer binds only the
     * fields that changed, so an empty cell never erases data. */
    [ST_ENT_UPDATE] = "UPDATE ent SET uscc = coalesce(?1, uscc), name = coalesce(?2, name),"
                      " name_key = coalesce(?3, name_key), name_hash = coalesce(?4, name_hash),"
                      " former_names = coalesce(?5, former_names),"
                      " legal_rep = coalesce(?6, legal_rep), capital = coalesce(?7, capital),"
                      " capital_cur = coalesce(?8, capital_cur), paid_in = coalesce(?9, paid_in),"
                      " paid_in_cur = coalesce(?10, paid_in_cur), founded = coalesce(?11, founded),"
                      " status = coalesce(?12, status), status_text = coalesce(?13, status_text),"
                      " ent_type = coalesce(?14, ent_type), region = coalesce(?15, region),"
                      " street = coalesce(?16, street), address = coalesce(?17, address),"
                      " industry = coalesce(?18, industry), scope = coalesce(?19, scope),"
                      " staff = coalesce(?20, staff), patents = coalesce(?21, patents),"
                      " patents_invention = coalesce(?22, patents_invention),"
                      " patents_utility = coalesce(?23, patents_utility),"
                      " patents_design = coalesce(?24, patents_design),"
                      " software_copyrights = coalesce(?25, software_copyrights),"
                      " trademarks = coalesce(?26, trademarks), tags = coalesce(?27, tags),"
                      " tags_text = coalesce(?28, tags_text), round = coalesce(?29, round),"
                      " funding_amount = coalesce(?30, funding_amount),"
                      " funding_amount_cur = coalesce(?31, funding_amount_cur),"
                      " funding_date = coalesce(?32, funding_date), website = coalesce(?33, website),"
                      " phone = coalesce(?34, phone), email = coalesce(?35, email),"
                      " extra = coalesce(?36, extra), updated_batch = ?37 WHERE id = ?38",
    [ST_ENT_EACH] = ENT_SELECT " ORDER BY id",
    [ST_ENT_COUNT] = "SELECT count(*) FROM ent",
    [ST_CHANGE_INSERT] = "INSERT INTO ent_change(ent_id, batch_id, field, old, new) VALUES (?,?,?,?,?)",
    [ST_ENT_HISTORY] = "SELECT c.field, c.old, c.new, c.batch_id, b.file, b.started"
                       " FROM ent_change c JOIN batch b ON b.id = c.batch_id"
                       " WHERE c.ent_id = ? ORDER BY c.id",
    [ST_ENT_ORIGIN] = "SELECT b.id, b.file, b.started FROM ent e JOIN batch b ON b.id = e.created_batch"
                      " WHERE e.id = ?",
    [ST_GROUP_STATUS] = "SELECT coalesce(status, 0), count(*) FROM ent GROUP BY 1 ORDER BY 2 DESC",
    [ST_GROUP_PROVINCE] = "SELECT coalesce(substr(region, 1, 2), ''), count(*) FROM ent GROUP BY 1"
                          " ORDER BY 2 DESC",
    [ST_GROUP_INDUSTRY] = "SELECT coalesce(industry, ''), count(*) FROM ent GROUP BY 1",
    /* Industry-chain classification: enterprises are read in pages of ids
     * (keyset pagination), so no read transaction stays open during a bulk
     * run and the WAL can be checkpointed as it goes. */
    [ST_CHAIN_ENTS_ALL] = "SELECT id, name, scope, industry FROM ent WHERE id > ?1 ORDER BY id"
                          " LIMIT ?2",
    [ST_CHAIN_ENTS_CREATED] = "SELECT id, name, scope, industry FROM ent"
                              " WHERE created_batch = ?3 AND id > ?1 ORDER BY id LIMIT ?2",
    [ST_CHAIN_ENTS_UPDATED] = "SELECT id, name, scope, industry FROM ent"
                              " WHERE updated_batch = ?3 AND created_batch <> ?3 AND id > ?1"
                              " ORDER BY id LIMIT ?2",
    [ST_CHAIN_TAXONOMY_INSERT] = "INSERT INTO taxonomy(hash, source, tracks, nodes) VALUES (?,?,?,?)"
                                 " ON CONFLICT(hash) DO NOTHING",
    [ST_CHAIN_TAXONOMY_FIND] = "SELECT id FROM taxonomy WHERE hash = ?",
    [ST_CHAIN_CLEAR_NODES] = "DELETE FROM ent_node WHERE ent_id > ?1 AND ent_id <= ?2",
    [ST_CHAIN_CLEAR_MARKS] = "DELETE FROM ent_classified WHERE ent_id > ?1 AND ent_id <= ?2",
    [ST_CHAIN_DELETE_ENT] = "DELETE FROM ent_node WHERE ent_id = ?",
    [ST_CHAIN_MARK] = "INSERT INTO ent_classified(ent_id, taxonomy) VALUES (?1, ?2)"
                      " ON CONFLICT(ent_id) DO UPDATE SET taxonomy = ?2",
    [ST_CHAIN_MARK_NEW] = "INSERT INTO ent_classified(ent_id, taxonomy) VALUES (?1, ?2)",
    [ST_CHAIN_INSERT] = "INSERT INTO ent_node(ent_id, node, score, confidence, evidence)"
                        " VALUES (?,?,?,?,?)",
    [ST_CHAIN_ENT_NODES] = "SELECT node, score, confidence, evidence FROM ent_node WHERE ent_id = ?"
                           " ORDER BY node",
    [ST_CHAIN_ENT_TAXONOMY] = "SELECT t.hash, t.source FROM ent_classified c"
                              " JOIN taxonomy t ON t.id = c.taxonomy WHERE c.ent_id = ?",
    [ST_CHAIN_EACH_NODE] = "SELECT ent_id, node FROM ent_node ORDER BY ent_id, node",
    [ST_CHAIN_COUNT_TAXONOMIES] = "SELECT t.hash, t.source, count(*) FROM ent_classified c"
                                  " JOIN taxonomy t ON t.id = c.taxonomy GROUP BY c.taxonomy"
                                  " ORDER BY 3 DESC",
    /* The in-memory index (store_index.c). */
    [ST_INDEX_ENTS] = "SELECT id, uscc, name, scope, capital, capital_cur, founded, status, region,"
                      " street, industry, staff, patents, patents_invention, patents_utility,"
                      " patents_design, software_copyrights, tags, round, funding_date"
                      " FROM ent WHERE id > ?1 AND id <= ?2 ORDER BY id",
    [ST_INDEX_NODES] = "SELECT ent_id, node FROM ent_node WHERE ent_id > ?1 AND ent_id <= ?2"
                       " ORDER BY ent_id, node",
    [ST_INDEX_BATCH_IDS] = "SELECT id FROM ent WHERE created_batch = ?1"
                           " UNION SELECT id FROM ent WHERE updated_batch = ?1",
    [ST_INDEX_MAX_ID] = "SELECT coalesce(max(id), 0) FROM ent",
    [ST_CHANGE_LOG] = "INSERT INTO change_log(batch, lo, hi) VALUES (?1, ?2, ?3)",
    [ST_CHANGE_SEQ] = "SELECT coalesce(max(seq), 0) FROM change_log",
    [ST_CHANGE_SINCE] = "SELECT seq, batch, lo, hi FROM change_log WHERE seq > ?1 ORDER BY seq",
    /* Saved lists (store_list.c). */
    [ST_LIST_INSERT] = "INSERT INTO list(name, query, note, user, score_model, home, today, total)"
                       " VALUES (?,?,?,?,?,?,?,?)",
    [ST_LIST_DELETE] = "DELETE FROM list WHERE name = ?",
    [ST_LIST_GET] = "SELECT id, name, query, note, user, created, score_model, home, today, total"
                    " FROM list WHERE name = ?",
    [ST_LIST_EACH] = "SELECT id, name, query, note, user, created, score_model, home, today, total"
                     " FROM list ORDER BY name",
    [ST_LIST_ITEM_INSERT] = "INSERT INTO list_item(list_id, rank, ent_id, uscc, name, region,"
                            " industry, founded, capital_cny, status, staff, patents, tags, round,"
                            " score) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [ST_LIST_ITEMS] = "SELECT rank, ent_id, uscc, name, region, industry, founded, capital_cny,"
                      " status, staff, patents, tags, round, score FROM list_item"
                      " WHERE list_id = ?1 AND rank <= ?2 ORDER BY rank",
    /* Accounts, sessions, tokens, throttling (store_auth.c). */
    [ST_USER_INSERT] = "INSERT INTO account(name, role, dept, pw_hash, created) VALUES (?,?,?,?,?)",
    [ST_USER_GET_NAME] = USER_SELECT " WHERE name = ?1",
    [ST_USER_GET_ID] = USER_SELECT " WHERE id = ?1",
    [ST_USER_SET_PASSWORD] = "UPDATE account SET pw_hash = ?2 WHERE id = ?1",
    [ST_USER_SET_DISABLED] = "UPDATE account SET disabled = ?2 WHERE id = ?1",
    [ST_USER_SET_ROLE] = "UPDATE account SET role = ?2, dept = ?3 WHERE id = ?1",
    [ST_USER_SET_LOGIN] = "UPDATE account SET last_login = ?2 WHERE id = ?1",
    [ST_USER_EACH] = USER_SELECT " ORDER BY name",
    [ST_USER_COUNT] = "SELECT count(*) FROM account",
    [ST_USER_COUNT_ADMINS] = "SELECT count(*) FROM account WHERE role = 'admin' AND disabled = 0",
    [ST_SESSION_INSERT] = "INSERT INTO session(hash, account_id, csrf_hash, remote, created,"
                          " last_seen, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
    [ST_SESSION_FIND] = "SELECT s.id, s.account_id, s.csrf_hash, s.remote, s.created, s.last_seen,"
                        " s.expires, a.id, a.name, a.role, a.dept, a.pw_hash, a.disabled,"
                        " a.created, a.last_login FROM session s"
                        " JOIN account a ON a.id = s.account_id WHERE s.hash = ?1",
    [ST_SESSION_TOUCH] = "UPDATE session SET last_seen = ?2 WHERE id = ?1",
    [ST_SESSION_DELETE] = "DELETE FROM session WHERE id = ?1 AND (?2 = 0 OR account_id = ?2)",
    [ST_SESSION_DELETE_USER] = "DELETE FROM session WHERE account_id = ?1 AND id <> ?2",
    [ST_SESSION_PRUNE] = "DELETE FROM session WHERE expires <= ?2 OR last_seen <= ?1",
    [ST_SESSION_EACH] = "SELECT s.id, s.account_id, s.csrf_hash, s.remote, s.created, s.last_seen,"
                        " s.expires, a.name FROM session s JOIN account a ON a.id = s.account_id"
                        " WHERE (?1 = 0 OR s.account_id = ?1) AND s.last_seen > ?2"
                        " AND s.expires > ?3 ORDER BY s.id DESC",
    [ST_TOKEN_INSERT] = "INSERT INTO api_token(hash, account_id, label, created, expires)"
                        " VALUES (?1, ?2, ?3, ?4, nullif(?5, 0))",
    [ST_TOKEN_FIND] = "SELECT t.id, t.account_id, a.name, t.label, t.created, t.expires,"
                      " t.last_used, t.revoked, a.id, a.name, a.role, a.dept, a.pw_hash,"
                      " a.disabled, a.created, a.last_login FROM api_token t"
                      " JOIN account a ON a.id = t.account_id WHERE t.hash = ?1",
    [ST_TOKEN_GET] = "SELECT t.id, t.account_id, a.name, t.label, t.created, t.expires,"
                     " t.last_used, t.revoked FROM api_token t"
                     " JOIN account a ON a.id = t.account_id WHERE t.id = ?1",
    [ST_TOKEN_TOUCH] = "UPDATE api_token SET last_used = ?2 WHERE id = ?1",
    [ST_TOKEN_REVOKE] = "UPDATE api_token SET revoked = ?3 WHERE id = ?1 AND revoked IS NULL"
                        " AND (?2 = 0 OR account_id = ?2)",
    [ST_TOKEN_EACH] = "SELECT t.id, t.account_id, a.name, t.label, t.created, t.expires,"
                      " t.last_used, t.revoked FROM api_token t"
                      " JOIN account a ON a.id = t.account_id"
                      " WHERE (?1 = 0 OR t.account_id = ?1) ORDER BY t.id DESC",
    [ST_THROTTLE_GET] = "SELECT failures, first_at, locked_until FROM login_throttle WHERE key = ?1",
    [ST_THROTTLE_PUT] = "INSERT INTO login_throttle(key, failures, first_at, locked_until)"
                        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET"
                        " failures = ?2, first_at = ?3, locked_until = ?4",
    [ST_THROTTLE_DELETE] = "DELETE FROM login_throttle WHERE key = ?1",
    [ST_THROTTLE_PRUNE] = "DELETE FROM login_throttle WHERE first_at < ?1 AND locked_until <= ?2",
    /* The audit trail (store_audit.c): insert and read only. Three shapes
     * of query so that the usual ones - one entity's history, one user's
     * actions - walk their index newest first instead of the whole log. */
    [ST_AUDIT_INSERT] = "INSERT INTO audit(at, user_id, user, remote, action, entity, entity_id,"
                        " before_json, after_json) VALUES (?,nullif(?,0),?,?,?,?,?,?,?)",
    [ST_AUDIT_QUERY] = AUDIT_SELECT " WHERE " AUDIT_WHERE AUDIT_PAGE,
    [ST_AUDIT_QUERY_ENTITY] = AUDIT_SELECT " INDEXED BY audit_entity WHERE entity = ?1"
                              " AND " AUDIT_WHERE AUDIT_PAGE,
    [ST_AUDIT_QUERY_USER] = AUDIT_SELECT " INDEXED BY audit_user WHERE user = ?3"
                            " AND " AUDIT_WHERE AUDIT_PAGE,
    [ST_AUDIT_COUNT] = "SELECT count(*) FROM audit WHERE " AUDIT_WHERE_COUNT,
    [ST_AUDIT_COUNT_ENTITY] = "SELECT count(*) FROM audit INDEXED BY audit_entity"
                              " WHERE entity = ?1 AND " AUDIT_WHERE_COUNT,
    [ST_AUDIT_COUNT_USER] = "SELECT count(*) FROM audit INDEXED BY audit_user"
                            " WHERE user = ?3 AND " AUDIT_WHERE_COUNT,
};

int store_error(struct store *st, struct error *err, const char *what)
{
    return error_set(err, "store %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

sqlite3_stmt *store_stmt(struct store *st, enum stmt_id id, struct error *err)
{
    sqlite3_stmt *s = st->stmt[id];
    if (!s) {
        if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
            SQLITE_OK) {
            store_error(st, err, "prepare");
            return NULL;
        }
        st->stmt[id] = s;
    } else {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    return s;
}

sqlite3_stmt *store_stmt_fresh(struct store *st, enum stmt_id id, struct error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, stmt_sql[id], -1, &s, NULL) != SQLITE_OK) {
        store_error(st, err, "prepare");
        return NULL;
    }
    return s;
}

static int exec(struct store *st, const char *sql, struct error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        error_set(err, "store %s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int store_schema_version(struct store *st)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

int store_schema_latest(void)
{
    return N_MIGRATIONS;
}

static int migrate(struct store *st, struct error *err)
{
    int v = store_schema_version(st);
    if (v < 0)
        return store_error(st, err, "reading the schema version");
    if (v > N_MIGRATIONS)
        return error_set(err, "store %s has schema version %d, newer than this magnet (%d): "
                              "upgrade magnet", st->path, v, N_MIGRATIONS);
    for (; v < N_MIGRATIONS; v++) {
        char pragma[64];
        if (exec(st, "BEGIN IMMEDIATE", err) != 0)
            return -1;
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        if (exec(st, migrations[v], err) != 0 || exec(st, pragma, err) != 0) {
            exec(st, "ROLLBACK", NULL);
            return error_prefix(err, "migration %d: ", v + 1);
        }
        if (exec(st, "COMMIT", err) != 0)
            return -1;
    }
    return 0;
}

/* A file that exists but is not a Magnet store (no batch table and a
 * non-zero schema) must not be "migrated" into one by accident. */
static int looks_foreign(struct store *st)
{
    sqlite3_stmt *s;
    int n = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_schema", -1, &s, NULL) != SQLITE_OK)
        return 1;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n > 0 && store_schema_version(st) == 0;
}

/* Before the first connection: SQLite's allocation statistics take a
 * global mutex on every malloc, and nothing here reads them. (When SQLite
 * is already initialised, sqlite3_config refuses and nothing changes.) */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, enum store_mode mode, struct store **out, struct error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct store *st;
    struct stat sb;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

    *out = NULL;
    pthread_once(&once, sqlite_setup);
    if (stat(path, &sb) != 0) {
        if (mode != STORE_CREATE)
            return error_set(err, "no store at %s: run 'magnet init' first (or pass --db FILE)",
                             path);
        flags |= SQLITE_OPEN_CREATE;
    }
    st = xcalloc(1, sizeof(*st));
    st->path = xstrdup(path);
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        error_set(err, "cannot open store %s: %s", path,
                  st->db ? sqlite3_errmsg(st->db) : "out of memory");
        store_close(st);
        return -1;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
    /* WAL: readers never block the writer; NORMAL sync is durable against a
     * process crash (kill -9), which is what the crash test checks. 8 KiB
     * pages (for new stores) hold an enterprise row of ~700 bytes with less
     * B-tree overhead: bulk imports run ~15% faster than with 4 KiB. */
    if (exec(st, "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 "PRAGMA foreign_keys = ON; PRAGMA cache_size = -262144;"
                 "PRAGMA temp_store = MEMORY;", err) != 0) {
        error_prefix(err, "%s is not a usable SQLite file: ", path);
        store_close(st);
        return -1;
    }
    if (looks_foreign(st)) {
        error_set(err, "%s is a SQLite database but not a Magnet store", path);
        store_close(st);
        return -1;
    }
    if (migrate(st, err) != 0) {
        store_close(st);
        return -1;
    }
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    int i;
    if (!st)
        return;
    store_bulk_abandon(st);
    for (i = 0; i < ST_COUNT_; i++)
        sqlite3_finalize(st->stmt[i]);
    if (st->db) {
        sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        sqlite3_close(st->db);
    }
    store_memo_free(st);
    free(st->path);
    free(st);
}

static int step_done(struct store *st, enum stmt_id id, struct error *err, const char *what)
{
    sqlite3_stmt *s = store_stmt(st, id, err);
    if (!s)
        return -1;
    if (sqlite3_step(s) != SQLITE_DONE)
        return store_error(st, err, what);
    sqlite3_reset(s);
    return 0;
}

int store_begin(struct store *st, struct error *err)
{
    return step_done(st, ST_BEGIN, err, "begin");
}

int store_commit(struct store *st, struct error *err)
{
    if (store_bulk_end(st, err) != 0)
        return -1;
    return step_done(st, ST_COMMIT, err, "commit");
}

int store_read_begin(struct store *st, struct error *err)
{
    sqlite3_stmt *s;
    if (step_done(st, ST_READ_BEGIN, err, "begin a read") != 0)
        return -1;
    /* A deferred BEGIN takes no snapshot until the first read: take it now,
     * so that everything in the transaction (the credential memo included)
     * sees one state of the file. */
    if (!(s = store_stmt(st, ST_DATA_VERSION, err)) || sqlite3_step(s) != SQLITE_ROW) {
        int rc = store_error(st, err, "begin a read");
        store_read_end(st);
        return rc;
    }
    sqlite3_reset(s);
    st->reading = 1;
    return 0;
}

int64_t store_data_version(struct store *st)
{
    unsigned int v = 0;
    sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &v);
    return v;
}

void store_read_end(struct store *st)
{
    int i;
    st->reading = 0;
    if (sqlite3_get_autocommit(st->db) || step_done(st, ST_COMMIT, NULL, "end a read") == 0)
        return;
    /* a statement left active (a caller that stopped mid-rows) makes COMMIT
     * fail; a read transaction holds nothing to keep: reset them all */
    for (i = 0; i < ST_COUNT_; i++)
        if (st->stmt[i])
            sqlite3_reset(st->stmt[i]);
    if (!sqlite3_get_autocommit(st->db))
        step_done(st, ST_COMMIT, NULL, "end a read");
}

void store_rollback(struct store *st)
{
    int i;
    store_bulk_abandon(st);
    /* Reset every statement first: an active one would make ROLLBACK fail. */
    for (i = 0; i < ST_COUNT_; i++)
        if (st->stmt[i])
            sqlite3_reset(st->stmt[i]);
    if (!sqlite3_get_autocommit(st->db))
        step_done(st, ST_ROLLBACK, NULL, "rollback");
}

void store_set_busy_ms(struct store *st, int ms)
{
    sqlite3_busy_timeout(st->db, ms);
}

int store_was_busy(struct store *st)
{
    return (sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY;
}

int store_set_mmap(struct store *st, int64_t bytes, struct error *err)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA mmap_size = %lld", (long long)(bytes > 0 ? bytes : 0));
    return exec(st, sql, err);
}

int store_set_cache_kib(struct store *st, int64_t kib, struct error *err)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%lld", (long long)(kib > 0 ? kib : 1024));
    return exec(st, sql, err);
}

