/*
 * auth.h - accounts, roles, passwords, login sessions, CSRF tokens, API
 * tokens and login throttling. A library: the HTTP server (src/http/) and
 * the CLI (magnet user|token) call it; it never speaks HTTP itself and
 * keeps all of its SQL behind src/store/store_auth.c.
 *
 * Secrets. Session ids, CSRF tokens and API tokens are 256 bits from
 * getrandom(), written as base64url without padding (43 characters; API
 * tokens carry the prefix "mgt_"). The store keeps only their SHA-256, so
 * a copy of the database file lets nobody log in. Passwords are hashed with
 * argon2id (the encoded "$argon2id$v=19$m=...,t=...,p=...$salt$hash" form);
 * a login with a hash made under older parameters re-hashes it.
 *
 * Time. Every function that depends on the clock takes `now` (unix
 * seconds) so tests can move time; auth_now() is the real clock.
 *
 * Transactions. Functions that write (user add, login, token create, ...)
 * record their audit row (src/auth/audit.h) in the same transaction. They
 * open one with store_begin() when none is open and commit it; inside the
 * caller's open transaction they just write and leave commit/rollback to
 * the caller.
 *
 * Threads. A struct store is one connection used by one thread at a time;
 * these functions share no mutable state except the configuration, which
 * auth_configure() sets once before threads start.
 *
 * Errors: 0 (or a count) on success; -1 with err->code one of enum
 * auth_err and a message for a human. The suggested HTTP mapping is next
 * to each code.
 */
#ifndef MAGNET_AUTH_AUTH_H
#define MAGNET_AUTH_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "auth/audit.h"
#include "base/error.h"
#include "base/strbuf.h"

struct store;

enum auth_err {
    AUTH_E_STORE = 100,     /* the store failed, or the random source: 500 */
    AUTH_E_EXISTS,          /* a user of that name exists: 409 */
    AUTH_E_NOT_FOUND,       /* no such user / token / session: 404 */
    AUTH_E_DENIED,          /* wrong name or password, unknown or expired session or
                             * token, disabled account: 401 (message safe to show) */
    AUTH_E_LOCKED,          /* too many failed logins: 429, Retry-After from retry_after */
    AUTH_E_CSRF,            /* missing or wrong CSRF token: 403 */
    AUTH_E_FORBIDDEN,       /* the role may not do this, or it would lock everyone out: 403 */
    AUTH_E_CONFIG,          /* auth_configure() values out of bounds */
    /* a field is out of bounds or malformed: 400 with auth_err_field() */
    AUTH_E_BAD_NAME = 120,
    AUTH_E_BAD_ROLE,
    AUTH_E_BAD_DEPT,
    AUTH_E_BAD_PASSWORD,
    AUTH_E_BAD_LABEL,
    AUTH_E_BAD_EXPIRES,
    AUTH_E_BAD_ID,
    AUTH_E_BAD_REMOTE,
    AUTH_E_BAD_END_
};
static inline int auth_err_is_invalid(int code)
{
    return code >= AUTH_E_BAD_NAME && code < AUTH_E_BAD_END_;
}
/* "name", "role", "dept", "password", "label", "expires", "id", "remote"
 * for an AUTH_E_BAD_* code, else NULL. */
const char *auth_err_field(int code);

/* ---- roles ---------------------------------------------------------- */

enum auth_role {
    AUTH_ROLE_ADMIN = 0,  /* everything, including users and tokens of others */
    AUTH_ROLE_STAFF,      /* 招商专员: investment-promotion staff, read and write the work */
    AUTH_ROLE_LEADER,     /* 区领导: district leaders, read everything, dashboards */
    AUTH_ROLE_DEPT,       /* 职能部门/属地街道: a department or street office (user.dept) */
    AUTH_ROLE_VIEWER,     /* read only */
    AUTH_ROLE_COUNT_,
    AUTH_ROLE_NONE = -1   /* a request without valid credentials; never stored */
};

/* Which roles may call a route: a bit per role. */
typedef uint32_t auth_role_mask;
#define AUTH_ROLE_BIT(r) ((auth_role_mask)1u << (r))
#define AUTH_ADMIN AUTH_ROLE_BIT(AUTH_ROLE_ADMIN)
#define AUTH_STAFF AUTH_ROLE_BIT(AUTH_ROLE_STAFF)
#define AUTH_LEADER AUTH_ROLE_BIT(AUTH_ROLE_LEADER)
#define AUTH_DEPT AUTH_ROLE_BIT(AUTH_ROLE_DEPT)
#define AUTH_VIEWER AUTH_ROLE_BIT(AUTH_ROLE_VIEWER)
/* Any signed-in user. */
#define AUTH_ANY_USER (AUTH_ADMIN | AUTH_STAFF | AUTH_LEADER | AUTH_DEPT | AUTH_VIEWER)
/* No login needed (login itself, /healthz, the OpenAPI document). Also
 * lets every role in. */
#define AUTH_PUBLIC ((auth_role_mask)1u << 31)

/* 1 when a caller of role may call a route whose table entry says mask:
 * AUTH_PUBLIC admits everyone (AUTH_ROLE_NONE too), otherwise role's bit
 * must be set. An out-of-range role is refused. */
int auth_role_allows(auth_role_mask mask, enum auth_role role);

/* "admin", "staff", "leader", "dept", "viewer"; "none" for AUTH_ROLE_NONE;
 * "?" out of range. */
const char *auth_role_name(enum auth_role role);
/* 管理员, 招商专员, 区领导, 部门/街道, 只读用户. */
const char *auth_role_label_zh(enum auth_role role);
/* Name (exact, lower case) -> role. -1 with AUTH_E_BAD_ROLE listing the
 * valid names. */
int auth_role_parse(const char *name, enum auth_role *out, struct error *err);
/* The mask as text for documents: "public", "admin", "admin, staff",
 * "any user" (all five bits). Writes at most size-1 bytes. */
void auth_role_mask_format(auth_role_mask mask, char *out, size_t size);

/* ---- configuration -------------------------------------------------- */

struct auth_config {
    /* argon2id cost. Default: OWASP's m=19 MiB, t=2, p=1 (~25-40 ms on a
     * server core). Tests lower it (m=64 KiB, t=1). */
    uint32_t argon2_m_kib;     /* memory in KiB, >= 8 * parallelism */
    uint32_t argon2_t;         /* passes, >= 1 */
    uint32_t argon2_p;         /* lanes, >= 1 */
    /* sessions */
    int64_t session_idle;      /* seconds without a request before it ends (1800) */
    int64_t session_absolute;  /* seconds after login when it ends regardless (43200) */
    /* throttling: fail_max failures for one name within fail_window seconds
     * lock that name for lockout seconds; addr_fail_max failures from one
     * address within fail_window lock that address (higher: an office
     * behind one NAT address shares it). */
    int fail_max;              /* 5 */
    int addr_fail_max;         /* 20 */
    int64_t fail_window;       /* 900 */
    int64_t lockout;           /* 900 */
    /* How often (seconds) a session's last-seen or a token's last-used time
     * is written back: not on every request (60; auth_configure lowers it
     * to a quarter of session_idle when that is shorter). Idle time counts
     * from the last write, so a session may end up to this much early. */
    int64_t touch_every;
};

/* The defaults above. */
void auth_config_default(struct auth_config *c);
/* Check c's bounds: AUTH_E_CONFIG naming the setting. */
int auth_config_check(const struct auth_config *c, struct error *err);
/* Use c from now on (copied). Call before threads start. Without a call
 * the defaults apply. Returns -1 when c is out of bounds. */
int auth_configure(const struct auth_config *c, struct error *err);
/* The configuration in use. */
const struct auth_config *auth_config(void);

/* Unix seconds now. */
int64_t auth_now(void);

/* ---- passwords ------------------------------------------------------ */

#define AUTH_PASSWORD_MIN 8     /* characters (code points) */
#define AUTH_PASSWORD_MAX 256   /* bytes */
#define AUTH_HASH_MAX 160       /* encoded argon2id hash, with its NUL */

/* Refuse passwords shorter than AUTH_PASSWORD_MIN characters, longer than
 * AUTH_PASSWORD_MAX bytes, not UTF-8, or with control characters; also
 * one equal to the user name. AUTH_E_BAD_PASSWORD. name may be NULL. */
int auth_password_check(const char *password, const char *name, struct error *err);
/* Hash with a fresh 16-byte salt under the current configuration: out
 * gets the encoded form. */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], struct error *err);
/* 1 when password matches encoded, 0 when not (also when encoded is
 * malformed). Takes as long as one hash with encoded's parameters. */
int auth_password_verify(const char *encoded, const char *password);
/* The argon2 work done so far (memory KiB x passes, summed over runs): a
 * login for an unknown name must add as much as one with a wrong password. */
unsigned long long auth_password_work(void);

/* ---- users ---------------------------------------------------------- */

#define AUTH_NAME_MAX 64   /* bytes; [A-Za-z0-9._@-], starting with a letter or digit */
#define AUTH_DEPT_MAX 128  /* bytes of UTF-8, no control characters; e.g. 西湖区经信局, 文新街道 */

struct auth_user {
    int64_t id;
    char name[AUTH_NAME_MAX + 1];
    enum auth_role role;
    char dept[AUTH_DEPT_MAX + 1];  /* "" unless role is AUTH_ROLE_DEPT */
    int disabled;
    int64_t created;               /* unix seconds */
    int64_t last_login;            /* 0: never */
};

/* Check a user name / department name (AUTH_E_BAD_NAME / AUTH_E_BAD_DEPT). */
int auth_name_check(const char *name, struct error *err);
int auth_dept_check(const char *dept, struct error *err);

/* Create a user. dept is required for AUTH_ROLE_DEPT and refused for the
 * other roles. Names are unique without regard to ASCII case. The
 * password is checked (auth_password_check) and hashed. Audited as
 * "user.add" by `by`. *id (may be NULL) gets the new id. AUTH_E_EXISTS
 * when the name is taken. */
int auth_user_add(struct store *st, const struct audit_actor *by, const char *name,
                  enum auth_role role, const char *dept, const char *password, int64_t now,
                  int64_t *id, struct error *err);
/* Set a new password; ends every session of the user (tokens stay).
 * "user.passwd". AUTH_E_NOT_FOUND. */
int auth_user_passwd(struct store *st, const struct audit_actor *by, const char *name,
                     const char *password, int64_t now, struct error *err);
/* A user changing their own password: old_password must be right (a
 * wrong one is AUTH_E_DENIED and counts as a failed login for the name,
 * so this cannot be used to guess; while the name is locked, AUTH_E_LOCKED
 * with *retry_after set). The new one is checked as for add. Ends the
 * user's other sessions, keeping session row keep_session (0: none).
 * "user.passwd". */
int auth_password_change(struct store *st, const struct audit_actor *by, const char *name,
                         const char *old_password, const char *new_password,
                         int64_t keep_session, int64_t now, int64_t *retry_after,
                         struct error *err);
/* Disable (1) or enable (0). Disabling ends the user's sessions, and its
 * tokens stop working while it is disabled. "user.disable" /
 * "user.enable". Refuses to disable the last enabled admin
 * (AUTH_E_FORBIDDEN). */
int auth_user_set_disabled(struct store *st, const struct audit_actor *by, const char *name,
                           int disabled, int64_t now, struct error *err);
/* Change role (and dept, same rules as add). "user.role". Refuses to
 * demote the last enabled admin (AUTH_E_FORBIDDEN). */
int auth_user_set_role(struct store *st, const struct audit_actor *by, const char *name,
                       enum auth_role role, const char *dept, int64_t now, struct error *err);
/* 1 and *out when found (ASCII case ignored), 0 when not. */
int auth_user_get(struct store *st, const char *name, struct auth_user *out, struct error *err);
int auth_user_get_id(struct store *st, int64_t id, struct auth_user *out, struct error *err);
/* Every user by name; fn returns non-zero to stop. Returns the count
 * passed to fn, or -1. */
int auth_user_each(struct store *st, int (*fn)(const struct auth_user *u, void *ctx), void *ctx,
                   struct error *err);
/* Number of users (for "no users yet: create an admin first"). */
int64_t auth_user_count(struct store *st, struct error *err);
/* The user as JSON {"id","name","role","role_label","dept","disabled",
 * "created","last_login"} (times ISO 8601, last_login null when never),
 * appended to sb. No hash, ever. */
void auth_user_json(struct strbuf *sb, const struct auth_user *u);

/* ---- who is calling ------------------------------------------------- */

enum auth_via { AUTH_VIA_NONE = 0, AUTH_VIA_SESSION, AUTH_VIA_TOKEN };

/* A request's authenticated caller (from auth_session_check or
 * auth_token_check). */
struct auth_principal {
    struct auth_user user;
    enum auth_via via;
    int64_t cred_id;               /* the session's or the token's row id */
    unsigned char csrf_hash[32];   /* SHA-256 of the session's CSRF token (sessions) */
    int64_t expires;               /* sessions: when it ends if idle from now on */
    /* Left by the *_verify functions for auth_write_back: */
    int touch_due;                 /* last-seen/last-used is due to be written */
    int64_t stale_session;         /* an expired session to delete (on 0) */
};

/* The actor for audit rows of p's requests: user id and name from p,
 * remote as given (p may be NULL: anonymous, user "-"). */
void auth_actor(struct audit_actor *a, const struct auth_principal *p, const char *remote);

/* ---- login sessions ------------------------------------------------- */

#define AUTH_SECRET_LEN 43  /* base64url of 32 random bytes, no padding */
#define AUTH_REMOTE_MAX 64

struct auth_session {
    char id[AUTH_SECRET_LEN + 1];    /* the cookie value; only login returns it */
    char csrf[AUTH_SECRET_LEN + 1];  /* the CSRF token for X-CSRF-Token; only login returns it */
    int64_t row_id;                  /* for listing and revoking */
    int64_t created;
    int64_t idle_expires;            /* now + session_idle */
    int64_t expires;                 /* created + session_absolute */
    struct auth_user user;
    /* On AUTH_E_LOCKED: seconds until the lock ends (for Retry-After). */
    int64_t retry_after;
};

/* Check name and password and start a session.
 *   - too many recent failures for this name (fail_max) or from this
 *     remote address (addr_fail_max): AUTH_E_LOCKED, out->retry_after set,
 *     the password is not even checked;
 *   - unknown name, wrong password: AUTH_E_DENIED "wrong user name or
 *     password", taking the same time either way (a dummy hash is
 *     verified for unknown names); the failure counts against both name
 *     and address and is audited as "login.fail";
 *   - right password on a disabled account: AUTH_E_DENIED "account
 *     disabled" (audited, not counted);
 *   - success: out filled (id and csrf are the only copies: hand them to
 *     the client), the name's failure count cleared, "login.ok" audited.
 * remote: the client address ("cli" or "" allowed; at most
 * AUTH_REMOTE_MAX bytes, AUTH_E_BAD_REMOTE otherwise). Over-long or
 * malformed names are DENIED like unknown ones. */
int auth_login(struct store *st, const char *name, const char *password, const char *remote,
               int64_t now, struct auth_session *out, struct error *err);

/* Check a session id (the cookie value) at now: 1 and *out filled when it
 * is valid, 0 when it is unknown, expired (idle or absolute), or its user
 * disabled; -1 on error. Expired sessions are deleted. The last-seen time
 * is written back at most every touch_every seconds. A malformed id is
 * simply unknown (0). */
int auth_session_check(struct store *st, const char *session_id, int64_t now,
                       struct auth_principal *out, struct error *err);
/* The same check without writing, for a caller inside a read transaction:
 * what auth_session_check would write is left in out (touch_due,
 * stale_session) for auth_write_back once the transaction has ended. */
int auth_session_verify(struct store *st, const char *session_id, int64_t now,
                        struct auth_principal *out, struct error *err);
/* The writes a *_verify left in p: last-seen/last-used, or deleting an
 * expired session. 0, or -1. */
int auth_write_back(struct store *st, const struct auth_principal *p, int64_t now,
                    struct error *err);

/* 1 when csrf (the X-CSRF-Token header; NULL when missing) is p's
 * session's token, compared in constant time. Always 1 for a token
 * principal (a Bearer token is not sent by browsers on their own). Call
 * on every state-changing request (POST, PUT, PATCH, DELETE). */
int auth_csrf_check(const struct auth_principal *p, const char *csrf);

/* End the session whose id (cookie value) is given: "logout" audited.
 * 1 when it existed, 0 when not. */
int auth_logout(struct store *st, const char *session_id, const char *remote, int64_t now,
                struct error *err);

/* Sessions that are still valid at now, newest first; user_id 0: all. */
struct auth_session_info {
    int64_t row_id, user_id;
    const char *user;    /* valid during the callback */
    const char *remote;  /* where it logged in from */
    int64_t created, last_seen, expires;
};
int auth_session_each(struct store *st, int64_t user_id, int64_t now,
                      int (*fn)(const struct auth_session_info *s, void *ctx), void *ctx,
                      struct error *err);
/* End session row_id (an admin, or its owner, signing it out):
 * "session.revoke". 1 when it existed, 0 when not. When only_user is not
 * 0, only a session of that user is ended (else 0). */
int auth_session_revoke(struct store *st, const struct audit_actor *by, int64_t row_id,
                        int64_t only_user, int64_t now, struct error *err);
/* Housekeeping, for a periodic timer of the server: delete every ended
 * session and forget login-failure counters whose window and lock are
 * over (a successful login does the same). Returns the number of
 * sessions deleted. */
int auth_session_prune(struct store *st, int64_t now, struct error *err);

/* Set-Cookie value for a session: "magnet_session=ID; Path=/; HttpOnly;
 * SameSite=Strict; Max-Age=N" plus "; Secure" when secure. With id NULL,
 * the value that removes the cookie (empty, Max-Age=0). Returns the
 * length, or -1 when out (size bytes) is too small. */
#define AUTH_COOKIE_NAME "magnet_session"
#define AUTH_COOKIE_MAX 160
int auth_cookie_format(char *out, size_t size, const char *id, int64_t max_age, int secure);
/* The session id from a Cookie request header ("a=b; magnet_session=ID"):
 * 1 and out filled when there is a well-formed one, else 0. */
int auth_cookie_parse(const char *cookie_header, char out[AUTH_SECRET_LEN + 1]);

/* ---- API tokens ----------------------------------------------------- */

#define AUTH_TOKEN_PREFIX "mgt_"
#define AUTH_TOKEN_LEN (4 + AUTH_SECRET_LEN)
#define AUTH_LABEL_MAX 64  /* bytes of UTF-8, no control characters */

/* Create a token for user name (it acts with that user's role, as it is at
 * each request). expires: unix seconds, 0 for never (must be > now).
 * token gets the secret, the only copy ever: show it once. *id (may be
 * NULL) gets its id. "token.create". AUTH_E_NOT_FOUND for the user. */
int auth_token_create(struct store *st, const struct audit_actor *by, const char *name,
                      const char *label, int64_t expires, int64_t now, int64_t *id,
                      char token[AUTH_TOKEN_LEN + 1], struct error *err);
/* Check a token (the Bearer value) at now: 1 and *out when valid (not
 * revoked, not expired, user enabled), 0 when not, -1 on error. Last-used
 * time is written back at most every touch_every seconds. */
int auth_token_check(struct store *st, const char *token, int64_t now, struct auth_principal *out,
                     struct error *err);
/* The same without writing (see auth_session_verify). */
int auth_token_verify(struct store *st, const char *token, int64_t now,
                      struct auth_principal *out, struct error *err);
/* Revoke token id: "token.revoke". 1 when revoked now, 0 when no such
 * token or already revoked. When only_user is not 0, only a token of that
 * user (else 0). */
int auth_token_revoke(struct store *st, const struct audit_actor *by, int64_t id,
                      int64_t only_user, int64_t now, struct error *err);

struct auth_token_info {
    int64_t id, user_id;
    const char *user, *label;  /* valid during the callback */
    int64_t created, expires, last_used, revoked;  /* 0: never / not */
};
/* Tokens (revoked ones too), newest first; user_id 0: everyone's. */
int auth_token_each(struct store *st, int64_t user_id,
                    int (*fn)(const struct auth_token_info *t, void *ctx), void *ctx,
                    struct error *err);
/* {"id","user","label","created","expires","last_used","revoked"}, times
 * ISO 8601 or null. Never the secret (which is not stored). */
void auth_token_json(struct strbuf *sb, const struct auth_token_info *t);

/* ---- throttling ----------------------------------------------------- */

/* Lift the lock on a user name (admin's "magnet user unlock"): forgets its
 * failure count. "user.unlock". */
int auth_unlock(struct store *st, const struct audit_actor *by, const char *name, int64_t now,
                struct error *err);

/* ---- helpers -------------------------------------------------------- */

/* 1 when a and b (n bytes each) are equal; time independent of where they
 * differ. */
int auth_equal_ct(const void *a, const void *b, size_t n);
/* 32 random bytes from getrandom() as base64url (43 chars + NUL). */
int auth_random_secret(char out[AUTH_SECRET_LEN + 1], struct error *err);

#endif
