/*
 * audit.h - the audit trail: who changed what, when, from where, with the
 * values before and after.
 *
 * Every write through any interface (CLI, HTTP) records one audit row per
 * changed entity. The table is append-only: the store has no statement
 * that updates or deletes it, and triggers refuse UPDATE and DELETE on it,
 * so a row, once committed, stays as written.
 *
 * Same transaction: audit_record() writes through the store connection it
 * is given and opens no transaction of its own. Call it between the
 * caller's store_begin() and store_commit(), after the write it describes,
 * so that the write and its audit row commit together or not at all:
 *
 *     store_begin(st, &err);
 *     ... the write ...
 *     if (audit_record(st, &actor, &(struct audit_entry){
 *             .action = "list.delete", .entity = "list", .entity_id = name,
 *             .before = old_json, .after = NULL }, now, NULL, &err) != 0) {
 *         store_rollback(st);
 *         ...
 *     }
 *     store_commit(st, &err);
 *
 * (Called outside a transaction it still works: the insert is then its
 * own transaction.)
 *
 * Errors: 0 or -1 with err->code AUDIT_E_STORE, or one of the
 * AUDIT_E_BAD_* codes for a bad entry or filter (audit_err_is_invalid();
 * audit_err_field() names the field; the message says what is wrong).
 */
#ifndef MAGNET_AUTH_AUDIT_H
#define MAGNET_AUTH_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

struct store;

/* err->code values (distinct from AUTH_E_* in auth.h). */
enum audit_err {
    AUDIT_E_STORE = 200,      /* the store failed: HTTP 500 */
    /* a field is out of bounds or malformed: HTTP 400 with that field */
    AUDIT_E_BAD_ACTION = 210,
    AUDIT_E_BAD_ENTITY,
    AUDIT_E_BAD_ENTITY_ID,
    AUDIT_E_BAD_BEFORE,
    AUDIT_E_BAD_AFTER,
    AUDIT_E_BAD_USER,
    AUDIT_E_BAD_REMOTE,
    AUDIT_E_BAD_SINCE,        /* also audit_time_parse() */
    AUDIT_E_BAD_UNTIL,
    AUDIT_E_BAD_LIMIT,
    AUDIT_E_BAD_OFFSET,
    AUDIT_E_BAD_BEFORE_ID,
    AUDIT_E_BAD_END_
};
static inline int audit_err_is_invalid(int code)
{
    return code >= AUDIT_E_BAD_ACTION && code < AUDIT_E_BAD_END_;
}

/* Bounds (bytes). */
#define AUDIT_ACTION_MAX 64      /* [a-z0-9._-], e.g. "user.add", "login.fail" */
#define AUDIT_ENTITY_MAX 32      /* [a-z0-9_], e.g. "user", "token", "session", "ent", "list" */
#define AUDIT_ENTITY_ID_MAX 256  /* any UTF-8 without control characters */
#define AUDIT_USER_MAX 128       /* actor name: an account name, "cli:LOGIN", "-" */
#define AUDIT_REMOTE_MAX 64      /* an IPv4/IPv6 address text, or "cli" */
#define AUDIT_VALUE_MAX (1u << 20) /* before/after JSON text, each */
#define AUDIT_LIMIT_DEFAULT 100
#define AUDIT_LIMIT_MAX 1000

/* Who did it and from where. */
struct audit_actor {
    int64_t user_id;     /* the account's id, 0 when none (CLI, anonymous) */
    const char *user;    /* account name; "cli:LOGIN" for the CLI; "-" anonymous */
    const char *remote;  /* the client's address ("127.0.0.1", "::1"), or "cli" */
};

/* The actor for the command line: user "cli:$USER" (from getlogin() or
 * $USER, "cli:?" when neither), remote "cli", user_id 0. name_buf holds
 * the name (AUDIT_USER_MAX + 1 bytes is enough); a->user points into it. */
void audit_actor_cli(struct audit_actor *a, char *name_buf, size_t size);

/* What was done. */
struct audit_entry {
    const char *action;     /* "ent.update", "user.add", "login.ok", ... (required) */
    const char *entity;     /* "ent", "user", "token", "session", "list" (required) */
    const char *entity_id;  /* which one: an id, a USCC, a name; NULL none */
    const char *before;     /* JSON text of the old values, NULL for a creation */
    const char *after;      /* JSON text of the new values, NULL for a deletion */
};

/* Append one row to the audit log at time now (unix seconds), inside the
 * caller's transaction when one is open. before/after must be valid JSON
 * (any value) of at most AUDIT_VALUE_MAX bytes; *id (may be NULL) gets the
 * row id. */
int audit_record(struct store *st, const struct audit_actor *who, const struct audit_entry *e,
                 int64_t now, int64_t *id, struct error *err);

/* A query: every set field narrows it; rows come newest first (by id). */
struct audit_filter {
    const char *entity;     /* NULL: any */
    const char *entity_id;  /* NULL: any (alone it matches that id under any entity) */
    const char *user;       /* actor name, exact; NULL: any */
    int64_t since;          /* at >= since (unix seconds); 0: no lower bound */
    int64_t until;          /* at <  until; 0: no upper bound */
    int64_t before_id;      /* keyset paging: id < before_id; 0: from the newest */
    int64_t offset;         /* rows to skip (0..1e9); prefer before_id for deep pages */
    int64_t limit;          /* 1..AUDIT_LIMIT_MAX; 0 means AUDIT_LIMIT_DEFAULT */
};

/* One row; strings valid during the callback only; before/after NULL when
 * absent, entity_id NULL when none. */
struct audit_row {
    int64_t id;
    int64_t at;  /* unix seconds */
    int64_t user_id;
    const char *user, *remote, *action, *entity, *entity_id, *before, *after;
};

/* Call fn for each row matching f (at most f->limit), newest first; fn
 * returns non-zero to stop. *total (may be NULL: skips a counting pass)
 * gets the number of matching rows ignoring offset/limit/before_id, for
 * "page 3 of 12". Returns the number of rows passed to fn, or -1. */
int audit_query(struct store *st, const struct audit_filter *f,
                int (*fn)(const struct audit_row *r, void *ctx), void *ctx, int64_t *total,
                struct error *err);

/* Append r as one JSON object to sb: {"id","at" (ISO 8601 UTC),"user_id",
 * "user","remote","action","entity","entity_id","before","after"} with
 * before/after embedded as JSON values (null when absent). For the CLI's
 * --json and the server's GET /api/audit. */
void audit_row_json(struct strbuf *sb, const struct audit_row *r);

/* Times: "YYYY-MM-DD" (00:00 UTC), "YYYY-MM-DDTHH:MM:SSZ", "YYYY-MM-DD HH:MM:SS"
 * (UTC) or a number of unix seconds -> *out. -1 with AUDIT_E_BAD_SINCE
 * (callers parsing --until re-code it to AUDIT_E_BAD_UNTIL if they care). */
int audit_time_parse(const char *s, int64_t *out, struct error *err);
/* unix seconds -> "YYYY-MM-DDTHH:MM:SSZ" (out holds at least 21 bytes). */
void audit_time_format(int64_t t, char *out, size_t size);

/* The field an AUDIT_E_BAD_* code is about ("action", "entity",
 * "entity_id", "before", "after", "user", "remote", "since", "until",
 * "limit", "offset", "before_id"), or NULL for any other code; for the
 * {"error":{"field"}} of the API. */
const char *audit_err_field(int code);

#endif
