/*
 * store_auth.c - the rows behind accounts, login sessions, API tokens and
 * login throttling. The rules (validation, hashing, expiry, lockout) are
 * in src/auth/auth.c; this file only moves rows in and out, with the
 * prepared statements of store.c. Secrets arrive already hashed.
 */
#include "base/alloc.h"
#include "store/store_internal.h"

#include <string.h>

int store_in_transaction(struct store *st)
{
    return !sqlite3_get_autocommit(st->db);
}

/* Copy column col as text into out (size bytes), cut at size - 1; "" for NULL. */
static void col_copy(sqlite3_stmt *s, int col, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = 0;
}

static int64_t col_time(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, col);
}

static void col_hash(sqlite3_stmt *s, int col, unsigned char out[32])
{
    const void *b = sqlite3_column_blob(s, col);
    memset(out, 0, 32);
    if (b && sqlite3_column_bytes(s, col) == 32)
        memcpy(out, b, 32);
}

static void bind_opt_text(sqlite3_stmt *s, int col, const char *text)
{
    if (text && *text)
        sqlite3_bind_text(s, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, col);
}

/* The account columns from col on, in USER_SELECT order. */
static void read_user(sqlite3_stmt *s, int col, struct store_user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(s, col);
    col_copy(s, col + 1, u->name, sizeof(u->name));
    col_copy(s, col + 2, u->role, sizeof(u->role));
    col_copy(s, col + 3, u->dept, sizeof(u->dept));
    col_copy(s, col + 4, u->pw_hash, sizeof(u->pw_hash));
    u->disabled = sqlite3_column_int(s, col + 5) != 0;
    u->created = col_time(s, col + 6);
    u->last_login = col_time(s, col + 7);
}

/* Run a statement that writes; returns the number of rows it changed, or -1. */
static int run_write(struct store *st, sqlite3_stmt *s, const char *what, struct error *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, what);
    return sqlite3_changes(st->db);
}

/* ---- accounts ---- */

int store_user_insert(struct store *st, const char *name, const char *role, const char *dept,
                      const char *pw_hash, int64_t created, int64_t *id, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_USER_INSERT, err);
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    bind_opt_text(s, 3, dept);
    sqlite3_bind_text(s, 4, pw_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, created);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return 1;
    if (rc != SQLITE_DONE)
        return store_error(st, err, "add a user");
    if (id)
        *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

static int user_get(struct store *st, sqlite3_stmt *s, struct store_user *out, struct error *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_user(s, 0, out);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, "read a user");
    return 0;
}

int store_user_get_name(struct store *st, const char *name, struct store_user *out,
                        struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_USER_GET_NAME, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    return user_get(st, s, out, err);
}

int store_user_get_id(struct store *st, int64_t id, struct store_user *out, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_USER_GET_ID, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return user_get(st, s, out, err);
}

int store_user_set_password(struct store *st, int64_t id, const char *pw_hash, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_USER_SET_PASSWORD, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, pw_hash, -1, SQLITE_STATIC);
    return run_write(st, s, "set a password", err) < 0 ? -1 : 0;
}

int store_user_set_disabled(struct store *st, int64_t id, int disabled, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_USER_SET_DISABLED, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, disabled ? 1 : 0);
    return run_write(st, s, "disable a user", err) < 0 ? -1 : 0;
}

int store_user_set_role(struct store *st, int64_t id, const char *role, const char *dept,
                        struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_USER_SET_ROLE, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC);
    bind_opt_text(s, 3, dept);
    return run_write(st, s, "set a role", err) < 0 ? -1 : 0;
}

int store_user_set_login(struct store *st, int64_t id, int64_t at, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_USER_SET_LOGIN, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at);
    return run_write(st, s, "record a login", err) < 0 ? -1 : 0;
}

int store_user_each(struct store *st, int (*fn)(const struct store_user *u, void *ctx), void *ctx,
                    struct error *err)
{
    /* A statement of its own: fn may look things up through the cache. */
    sqlite3_stmt *s = store_stmt_fresh(st, ST_USER_EACH, err);
    struct store_user u;
    int rc, n = 0;

    if (!s)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_user(s, 0, &u);
        n++;
        if (fn(&u, ctx))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_error(st, err, "list users");
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return n;
}

static int64_t count(struct store *st, enum stmt_id id, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, id, err);
    int64_t n = -1;
    if (!s)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    else
        store_error(st, err, "count users");
    sqlite3_reset(s);
    return n;
}

int64_t store_user_count(struct store *st, struct error *err)
{
    return count(st, ST_USER_COUNT, err);
}

int64_t store_user_count_admins(struct store *st, struct error *err)
{
    return count(st, ST_USER_COUNT_ADMINS, err);
}

/* ---- sessions ---- */

int store_session_insert(struct store *st, const unsigned char hash[32], int64_t user_id,
                         const unsigned char csrf_hash[32], const char *remote, int64_t created,
                         int64_t expires, int64_t *id, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_SESSION_INSERT, err);
    if (!s)
        return -1;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_blob(s, 3, csrf_hash, 32, SQLITE_STATIC);
    bind_opt_text(s, 4, remote);
    sqlite3_bind_int64(s, 5, created);
    sqlite3_bind_int64(s, 6, expires);
    if (run_write(st, s, "start a session", err) < 0)
        return -1;
    if (id)
        *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* Session columns 0..6 of ST_SESSION_FIND / ST_SESSION_EACH. */
static void read_session(sqlite3_stmt *s, struct store_session_row *out)
{
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(s, 0);
    out->user_id = sqlite3_column_int64(s, 1);
    col_hash(s, 2, out->csrf_hash);
    col_copy(s, 3, out->remote, sizeof(out->remote));
    out->created = col_time(s, 4);
    out->last_seen = col_time(s, 5);
    out->expires = col_time(s, 6);
}

/* ---- the credential memo ----
 *
 * Every API request looks its credential up (token or session, with the
 * account): on the read-only routes that is a quarter of the work. A
 * connection remembers the last few it found, each with SQLite's data
 * version at the time, and answers from memory while it is inside a read
 * transaction whose data version is the same: then not one byte of the
 * file has changed since, so the rows are what the query would return
 * (a revocation, a disabled account, a touch: any commit by anyone moves
 * the version and empties the memo's use). Outside read transactions the
 * query always runs. */

#define MEMO_SLOTS 4

struct memo_slot {
    int kind;                  /* 0 empty, 1 token, 2 session */
    unsigned char hash[32];
    int64_t version;
    int found;
    struct store_token_row token;
    struct store_session_row session;
    struct store_user user;
};

struct cred_memo {
    struct memo_slot slot[MEMO_SLOTS];
    unsigned next;             /* round-robin replacement */
};

void store_memo_free(struct store *st)
{
    free(st->memo);
    st->memo = NULL;
}

static struct memo_slot *memo_find(struct store *st, int kind, const unsigned char hash[32])
{
    int64_t v;
    int i;
    if (!st->reading || !st->memo)
        return NULL;
    v = store_data_version(st);
    for (i = 0; i < MEMO_SLOTS; i++) {
        struct memo_slot *m = &st->memo->slot[i];
        if (m->kind == kind && m->version == v && !memcmp(m->hash, hash, 32))
            return m;
    }
    return NULL;
}

static struct memo_slot *memo_put(struct store *st, int kind, const unsigned char hash[32])
{
    struct memo_slot *m;
    if (!st->reading)
        return NULL;
    if (!st->memo)
        st->memo = xcalloc(1, sizeof(*st->memo));
    m = &st->memo->slot[st->memo->next++ % MEMO_SLOTS];
    m->kind = kind;
    memcpy(m->hash, hash, 32);
    m->version = store_data_version(st);
    return m;
}

int store_session_find(struct store *st, const unsigned char hash[32],
                       struct store_session_row *out, struct store_user *user, struct error *err)
{
    struct memo_slot *m = memo_find(st, 2, hash);
    sqlite3_stmt *s;
    int rc;

    if (m) {
        *out = m->session;
        *user = m->user;
        return m->found;
    }
    if (!(s = store_stmt(st, ST_SESSION_FIND, err)))
        return -1;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_session(s, out);
        read_user(s, 7, user);
        sqlite3_reset(s);
    } else {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return store_error(st, err, "find a session");
        memset(out, 0, sizeof(*out));
        memset(user, 0, sizeof(*user));
    }
    if ((m = memo_put(st, 2, hash)) != NULL) {
        m->found = rc == SQLITE_ROW;
        m->session = *out;
        m->user = *user;
    }
    return rc == SQLITE_ROW;
}

int store_session_touch(struct store *st, int64_t id, int64_t last_seen, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_SESSION_TOUCH, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, last_seen);
    return run_write(st, s, "touch a session", err) < 0 ? -1 : 0;
}

int store_session_delete(struct store *st, int64_t id, int64_t only_user, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_SESSION_DELETE, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, only_user);
    return run_write(st, s, "end a session", err);
}

int store_session_delete_hash(struct store *st, const unsigned char hash[32],
                              struct store_session_row *out, struct error *err)
{
    struct store_user u;
    int found = store_session_find(st, hash, out, &u, err);
    if (found <= 0)
        return found;
    return store_session_delete(st, out->id, 0, err);
}

int store_session_delete_user(struct store *st, int64_t user_id, int64_t except,
                              struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_SESSION_DELETE_USER, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, except);
    return run_write(st, s, "end a user's sessions", err);
}

int store_session_prune(struct store *st, int64_t idle_cutoff, int64_t now, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_SESSION_PRUNE, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, idle_cutoff);
    sqlite3_bind_int64(s, 2, now);
    return run_write(st, s, "remove ended sessions", err);
}

int store_session_each(struct store *st, int64_t user_id, int64_t idle_cutoff, int64_t now,
                       int (*fn)(const struct store_session_row *r, const char *user, void *ctx),
                       void *ctx, struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_SESSION_EACH, err);
    struct store_session_row row;
    char user[STORE_USER_NAME_MAX + 1];
    int rc, n = 0;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, idle_cutoff);
    sqlite3_bind_int64(s, 3, now);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_session(s, &row);
        col_copy(s, 7, user, sizeof(user));
        n++;
        if (fn(&row, user, ctx))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_error(st, err, "list sessions");
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return n;
}

/* ---- API tokens ---- */

int store_token_insert(struct store *st, const unsigned char hash[32], int64_t user_id,
                       const char *label, int64_t created, int64_t expires, int64_t *id,
                       struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_TOKEN_INSERT, err);
    if (!s)
        return -1;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_text(s, 3, label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, created);
    sqlite3_bind_int64(s, 5, expires);
    if (run_write(st, s, "create a token", err) < 0)
        return -1;
    if (id)
        *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* Token columns 0..7 of ST_TOKEN_FIND / GET / EACH. */
static void read_token(sqlite3_stmt *s, struct store_token_row *t)
{
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(s, 0);
    t->user_id = sqlite3_column_int64(s, 1);
    col_copy(s, 2, t->user, sizeof(t->user));
    col_copy(s, 3, t->label, sizeof(t->label));
    t->created = col_time(s, 4);
    t->expires = col_time(s, 5);
    t->last_used = col_time(s, 6);
    t->revoked = col_time(s, 7);
}

int store_token_find(struct store *st, const unsigned char hash[32], struct store_token_row *out,
                     struct store_user *user, struct error *err)
{
    struct memo_slot *m = memo_find(st, 1, hash);
    sqlite3_stmt *s;
    int rc;

    if (m) {
        *out = m->token;
        *user = m->user;
        return m->found;
    }
    if (!(s = store_stmt(st, ST_TOKEN_FIND, err)))
        return -1;
    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_token(s, out);
        read_user(s, 8, user);
        sqlite3_reset(s);
    } else {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return store_error(st, err, "find a token");
        memset(out, 0, sizeof(*out));
        memset(user, 0, sizeof(*user));
    }
    if ((m = memo_put(st, 1, hash)) != NULL) {
        m->found = rc == SQLITE_ROW;
        m->token = *out;
        m->user = *user;
    }
    return rc == SQLITE_ROW;
}

int store_token_get(struct store *st, int64_t id, struct store_token_row *out, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_TOKEN_GET, err);
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_token(s, out);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, "read a token");
    return 0;
}

int store_token_touch(struct store *st, int64_t id, int64_t at, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_TOKEN_TOUCH, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at);
    return run_write(st, s, "touch a token", err) < 0 ? -1 : 0;
}

int store_token_revoke(struct store *st, int64_t id, int64_t only_user, int64_t at,
                       struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_TOKEN_REVOKE, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, only_user);
    sqlite3_bind_int64(s, 3, at);
    return run_write(st, s, "revoke a token", err);
}

int store_token_each(struct store *st, int64_t user_id,
                     int (*fn)(const struct store_token_row *t, void *ctx), void *ctx,
                     struct error *err)
{
    sqlite3_stmt *s = store_stmt_fresh(st, ST_TOKEN_EACH, err);
    struct store_token_row t;
    int rc, n = 0;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, user_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_token(s, &t);
        n++;
        if (fn(&t, ctx))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_error(st, err, "list tokens");
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return n;
}

/* ---- login throttling ---- */

int store_throttle_get(struct store *st, const char *key, struct store_throttle *out,
                       struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_THROTTLE_GET, err);
    int rc;

    memset(out, 0, sizeof(*out));
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->failures = sqlite3_column_int64(s, 0);
        out->first_at = sqlite3_column_int64(s, 1);
        out->locked_until = sqlite3_column_int64(s, 2);
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return store_error(st, err, "read login failures");
    return 0;
}

int store_throttle_put(struct store *st, const char *key, const struct store_throttle *t,
                       struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_THROTTLE_PUT, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, t->failures);
    sqlite3_bind_int64(s, 3, t->first_at);
    sqlite3_bind_int64(s, 4, t->locked_until);
    return run_write(st, s, "count a login failure", err) < 0 ? -1 : 0;
}

int store_throttle_delete(struct store *st, const char *key, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_THROTTLE_DELETE, err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    return run_write(st, s, "clear login failures", err);
}

int store_throttle_prune(struct store *st, int64_t window_start, int64_t now, struct error *err)
{
    sqlite3_stmt *s = store_stmt(st, ST_THROTTLE_PRUNE, err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, window_start);
    sqlite3_bind_int64(s, 2, now);
    return run_write(st, s, "forget old login failures", err);
}
