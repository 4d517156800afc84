/*
 * session.c - logging in and out: login throttling and lockout, sessions
 * with idle and absolute expiry, CSRF tokens, and the session cookie.
 *
 * A login checks the password outside any transaction (argon2id takes tens
 * of milliseconds, and a write transaction held that long would stall
 * every other writer), then records the outcome - the failure counters or
 * the new session, and the audit row - in one short transaction.
 * Concurrent guesses can therefore overshoot fail_max by the number of
 * requests in flight at once, which the lockout then covers.
 */
#include "auth/auth_internal.h"

#include <ctype.h>
#include <string.h>

#define KEY_MAX (8 + AUTH_NAME_MAX + AUTH_REMOTE_MAX)

static int remote_check(const char *remote, struct error *err)
{
    size_t n;
    for (n = 0; remote[n]; n++)
        if (n >= AUTH_REMOTE_MAX || remote[n] <= ' ' || remote[n] > '~')
            return error_code(err, AUTH_E_BAD_REMOTE,
                              "the remote address must be at most %d printable ASCII characters",
                              AUTH_REMOTE_MAX);
    return 0;
}

/* "name:alice" (ASCII lower case: names are unique without regard to case). */
static void name_key(char *out, size_t size, const char *name)
{
    size_t i, n = (size_t)snprintf(out, size, "name:%s", name);
    for (i = 5; i < n && i < size; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
}

/* Seconds until key's lock ends, 0 when it is not locked. */
static int64_t locked_for(struct store *st, const char *key, int64_t now, struct error *err)
{
    struct store_throttle t;
    int rc = store_throttle_get(st, key, &t, err);
    if (rc < 0)
        return -1;
    return rc == 1 && t.locked_until > now ? t.locked_until - now : 0;
}

/* Count one failure against key; lock it when it reaches max. */
static int count_failure(struct store *st, const char *key, int max, int64_t now,
                         struct error *err)
{
    const struct auth_config *c = auth_config();
    struct store_throttle t;
    int rc = store_throttle_get(st, key, &t, err);
    if (rc < 0)
        return -1;
    if (rc == 0 || t.first_at <= now - c->fail_window) {
        t.failures = 0;
        t.first_at = now;
    }
    if (t.locked_until <= now)
        t.locked_until = 0;
    if (++t.failures >= max) {
        t.locked_until = now + c->lockout;
        t.failures = 0;
        t.first_at = now;
    }
    return store_throttle_put(st, key, &t, err);
}

/* Record a refused login: failure counters (when counted) and the audit row. */
static int record_failure(struct store *st, const struct audit_actor *by, const char *action,
                          const char *nkey, const char *akey, int count, const char *name,
                          const char *remote, const char *reason, int64_t now, struct error *err)
{
    const struct auth_config *c = auth_config();
    struct audit_actor anon = { 0, "-", remote };
    struct strbuf after = STRBUF_INIT;
    int own, rc = 0;

    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    if (count && nkey[0] && count_failure(st, nkey, c->fail_max, now, err) != 0)
        rc = auth_store_fail(err);
    if (rc == 0 && count && akey[0] && count_failure(st, akey, c->addr_fail_max, now, err) != 0)
        rc = auth_store_fail(err);
    if (rc == 0) {
        strbuf_addstr(&after, "{\"reason\":");
        auth_json_str(&after, reason);
        strbuf_addch(&after, '}');
        rc = auth_audit(st, by ? by : &anon, action, "user", name, NULL, after.buf, now, err);
    }
    strbuf_release(&after);
    return auth_tx_end(st, own, rc, err);
}

/* The new session's rows, written in one transaction. */
static int start_session(struct store *st, const struct store_user *u, const char *password,
                         const char *nkey, const char *remote, int64_t now,
                         struct auth_session *out, struct error *err)
{
    const struct auth_config *c = auth_config();
    unsigned char id_hash[32], csrf_hash[32];
    struct audit_actor self = { u->id, u->name, remote };
    char rehash[AUTH_HASH_MAX];
    int want_rehash = auth_password_outdated(u->pw_hash);
    char after[96];
    int own, rc = 0;

    if (auth_random_secret(out->id, err) != 0 || auth_random_secret(out->csrf, err) != 0)
        return -1;
    /* Upgrade a hash made under an older cost while we hold the password. */
    if (want_rehash && auth_password_hash(password, rehash, err) != 0)
        return -1;
    auth_sha256(out->id, AUTH_SECRET_LEN, id_hash);
    auth_sha256(out->csrf, AUTH_SECRET_LEN, csrf_hash);
    out->created = now;
    out->expires = now + c->session_absolute;
    out->idle_expires = now + c->session_idle;
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    if (store_session_insert(st, id_hash, u->id, csrf_hash, remote, now, out->expires,
                             &out->row_id, err) != 0 ||
        store_user_set_login(st, u->id, now, err) != 0 ||
        (nkey[0] && store_throttle_delete(st, nkey, err) < 0) ||
        (want_rehash && store_user_set_password(st, u->id, rehash, err) != 0) ||
        store_session_prune(st, now - c->session_idle, now, err) < 0 ||
        store_throttle_prune(st, now - c->fail_window, now, err) < 0)
        rc = auth_store_fail(err);
    if (rc == 0) {
        snprintf(after, sizeof(after), "{\"session\":%lld}", (long long)out->row_id);
        rc = auth_audit(st, &self, "login.ok", "user", u->name, NULL, after, now, err);
    }
    memset(rehash, 0, sizeof(rehash));
    rc = auth_tx_end(st, own, rc, err);
    if (rc == 0 && auth_user_from_row(&out->user, u) != 0)
        rc = error_code(err, AUTH_E_STORE, "user '%s' has an unknown role", u->name);
    if (rc != 0) {
        memset(out->id, 0, sizeof(out->id));
        memset(out->csrf, 0, sizeof(out->csrf));
    }
    return rc;
}

int auth_login(struct store *st, const char *name, const char *password, const char *remote,
               int64_t now, struct auth_session *out, struct error *err)
{
    char nkey[KEY_MAX], akey[KEY_MAX], dummy[AUTH_HASH_MAX];
    struct store_user u;
    int64_t wait_name = 0, wait_addr = 0;
    int name_ok, found = 0, match = 0;

    memset(out, 0, sizeof(*out));
    memset(&u, 0, sizeof(u));
    if (!remote)
        remote = "";
    if (!password)
        password = "";
    if (remote_check(remote, err) != 0)
        return -1;
    name_ok = name && auth_name_check(name, NULL) == 0;
    nkey[0] = akey[0] = 0;
    if (name_ok)
        name_key(nkey, sizeof(nkey), name);
    if (remote[0])
        snprintf(akey, sizeof(akey), "addr:%s", remote);

    /* Locked: refuse before spending a hash (and without counting). */
    if ((nkey[0] && (wait_name = locked_for(st, nkey, now, err)) < 0) ||
        (akey[0] && (wait_addr = locked_for(st, akey, now, err)) < 0))
        return auth_store_fail(err);
    if (wait_name || wait_addr) {
        out->retry_after = wait_name > wait_addr ? wait_name : wait_addr;
        return error_code(err, AUTH_E_LOCKED,
                          "too many failed logins %s: try again in %lld seconds",
                          wait_name ? "for this user" : "from this address",
                          (long long)out->retry_after);
    }

    if (name_ok) {
        found = store_user_get_name(st, name, &u, err);
        if (found < 0)
            return auth_store_fail(err);
    }
    if (found && strlen(password) <= AUTH_PASSWORD_MAX) {
        match = auth_password_verify(u.pw_hash, password);
    } else {
        /* No such user: spend the same time as a wrong password would. */
        size_t n = strlen(password);
        char cut[AUTH_PASSWORD_MAX + 1];
        if (n > AUTH_PASSWORD_MAX)
            n = AUTH_PASSWORD_MAX;
        memcpy(cut, password, n);
        cut[n] = 0;
        if (auth_password_hash(cut, dummy, err) != 0)
            return -1;
        memset(cut, 0, sizeof(cut));
    }
    if (!match) {
        if (record_failure(st, NULL, "login.fail", nkey, akey, 1, name_ok ? name : NULL, remote,
                           found ? "wrong password" : "no such user", now, err) != 0)
            return -1;
        return error_code(err, AUTH_E_DENIED, "wrong user name or password");
    }
    if (u.disabled) {
        if (record_failure(st, NULL, "login.fail", nkey, akey, 0, u.name, remote, "account disabled", now, err) != 0)
            return -1;
        return error_code(err, AUTH_E_DENIED, "account disabled: ask an administrator");
    }
    return start_session(st, &u, password, nkey, remote, now, out, err);
}

int auth_session_verify(struct store *st, const char *session_id, int64_t now,
                        struct auth_principal *out, struct error *err)
{
    const struct auth_config *c = auth_config();
    unsigned char hash[32];
    struct store_session_row row;
    struct store_user u;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!session_id || !auth_secret_wellformed(session_id))
        return 0;
    auth_sha256(session_id, AUTH_SECRET_LEN, hash);
    rc = store_session_find(st, hash, &row, &u, err);
    if (rc <= 0)
        return rc < 0 ? auth_store_fail(err) : 0;
    if (row.expires <= now || row.last_seen + c->session_idle <= now) {
        out->stale_session = row.id;
        return 0;
    }
    if (u.disabled || auth_user_from_row(&out->user, &u) != 0) {
        memset(out, 0, sizeof(*out));
        return 0;
    }
    if (now - row.last_seen >= c->touch_every) {
        out->touch_due = 1;
        row.last_seen = now;  /* as it will be written */
    }
    out->via = AUTH_VIA_SESSION;
    out->cred_id = row.id;
    memcpy(out->csrf_hash, row.csrf_hash, 32);
    out->expires = row.last_seen + c->session_idle;
    if (out->expires > row.expires)
        out->expires = row.expires;
    return 1;
}

int auth_session_check(struct store *st, const char *session_id, int64_t now,
                       struct auth_principal *out, struct error *err)
{
    int rc = auth_session_verify(st, session_id, now, out, err);
    if (rc >= 0 && auth_write_back(st, out, now, err) != 0)
        return -1;
    return rc;
}

int auth_write_back(struct store *st, const struct auth_principal *p, int64_t now,
                    struct error *err)
{
    if (p->stale_session && store_session_delete(st, p->stale_session, 0, err) < 0)
        return auth_store_fail(err);
    if (!p->touch_due)
        return 0;
    if (p->via == AUTH_VIA_SESSION && store_session_touch(st, p->cred_id, now, err) != 0)
        return auth_store_fail(err);
    if (p->via == AUTH_VIA_TOKEN && store_token_touch(st, p->cred_id, now, err) != 0)
        return auth_store_fail(err);
    return 0;
}

int auth_csrf_check(const struct auth_principal *p, const char *csrf)
{
    unsigned char hash[32];
    if (!p)
        return 0;
    if (p->via == AUTH_VIA_TOKEN)
        return 1;
    if (p->via != AUTH_VIA_SESSION || !csrf || !auth_secret_wellformed(csrf))
        return 0;
    auth_sha256(csrf, AUTH_SECRET_LEN, hash);
    return auth_equal_ct(hash, p->csrf_hash, 32);
}

int auth_logout(struct store *st, const char *session_id, const char *remote, int64_t now,
                struct error *err)
{
    unsigned char hash[32];
    struct store_session_row row;
    struct store_user u;
    struct audit_actor who;
    char id[24];
    int own, rc;

    if (!remote)
        remote = "";
    if (remote_check(remote, err) != 0)
        return -1;
    if (!session_id || !auth_secret_wellformed(session_id))
        return 0;
    auth_sha256(session_id, AUTH_SECRET_LEN, hash);
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = store_session_find(st, hash, &row, &u, err);
    if (rc < 0)
        rc = auth_store_fail(err);
    if (rc == 1) {
        if (store_session_delete(st, row.id, 0, err) < 0) {
            rc = auth_store_fail(err);
        } else {
            who.user_id = u.id;
            who.user = u.name;
            who.remote = remote;
            snprintf(id, sizeof(id), "%lld", (long long)row.id);
            rc = auth_audit(st, &who, "logout", "session", id, NULL, NULL, now, err) == 0 ? 1
                                                                                          : -1;
        }
    }
    return auth_tx_end(st, own, rc < 0 ? rc : 0, err) < 0 ? -1 : rc;
}

struct session_each_ctx {
    int (*fn)(const struct auth_session_info *s, void *ctx);
    void *ctx;
};

static int session_row(const struct store_session_row *r, const char *user, void *p)
{
    struct session_each_ctx *e = p;
    struct auth_session_info s;
    s.row_id = r->id;
    s.user_id = r->user_id;
    s.user = user;
    s.remote = r->remote;
    s.created = r->created;
    s.last_seen = r->last_seen;
    s.expires = r->expires;
    return e->fn(&s, e->ctx);
}

int auth_session_each(struct store *st, int64_t user_id, int64_t now,
                      int (*fn)(const struct auth_session_info *s, void *ctx), void *ctx,
                      struct error *err)
{
    struct session_each_ctx e = { fn, ctx };
    int n = store_session_each(st, user_id, now - auth_config()->session_idle, now, session_row, &e,
                               err);
    return n < 0 ? auth_store_fail(err) : n;
}

int auth_session_revoke(struct store *st, const struct audit_actor *by, int64_t row_id,
                        int64_t only_user, int64_t now, struct error *err)
{
    char id[24];
    int own, rc;

    if (row_id <= 0)
        return error_code(err, AUTH_E_BAD_ID, "a session id is a positive number");
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = store_session_delete(st, row_id, only_user, err);
    if (rc < 0)
        rc = auth_store_fail(err);
    if (rc > 0) {
        snprintf(id, sizeof(id), "%lld", (long long)row_id);
        rc = auth_audit(st, by, "session.revoke", "session", id, NULL, NULL, now, err) == 0 ? 1
                                                                                           : -1;
    }
    return auth_tx_end(st, own, rc < 0 ? rc : 0, err) < 0 ? -1 : rc;
}

int auth_session_prune(struct store *st, int64_t now, struct error *err)
{
    const struct auth_config *c = auth_config();
    int n = store_session_prune(st, now - c->session_idle, now, err);
    if (n < 0 || store_throttle_prune(st, now - c->fail_window, now, err) < 0)
        return auth_store_fail(err);
    return n;
}

int auth_cookie_format(char *out, size_t size, const char *id, int64_t max_age, int secure)
{
    int n;
    if (id && !auth_secret_wellformed(id))
        return -1;
    n = snprintf(out, size, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                 AUTH_COOKIE_NAME, id ? id : "", id && max_age > 0 ? (long long)max_age : 0LL,
                 secure ? "; Secure" : "");
    if (n < 0 || (size_t)n >= size)
        return -1;
    return n;
}

int auth_cookie_parse(const char *h, char out[AUTH_SECRET_LEN + 1])
{
    const size_t name_len = sizeof(AUTH_COOKIE_NAME) - 1;
    out[0] = 0;
    while (h && *h) {
        const char *end;
        size_t len;
        while (*h == ' ' || *h == '\t' || *h == ';')
            h++;
        end = strchr(h, ';');
        len = end ? (size_t)(end - h) : strlen(h);
        while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
            len--;
        if (len == name_len + 1 + AUTH_SECRET_LEN && !strncmp(h, AUTH_COOKIE_NAME, name_len) &&
            h[name_len] == '=') {
            memcpy(out, h + name_len + 1, AUTH_SECRET_LEN);
            out[AUTH_SECRET_LEN] = 0;
            if (auth_secret_wellformed(out))
                return 1;
            out[0] = 0;
        }
        if (!end)
            break;
        h = end + 1;
    }
    return 0;
}

int auth_unlock(struct store *st, const struct audit_actor *by, const char *name, int64_t now,
                struct error *err)
{
    char key[KEY_MAX];
    int own, rc;

    if (auth_name_check(name, err) != 0)
        return -1;
    name_key(key, sizeof(key), name);
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = store_throttle_delete(st, key, err) < 0 ? auth_store_fail(err) : 0;
    if (rc == 0)
        rc = auth_audit(st, by, "user.unlock", "user", name, NULL, NULL, now, err);
    return auth_tx_end(st, own, rc, err);
}

int auth_password_change(struct store *st, const struct audit_actor *by, const char *name,
                         const char *old_password, const char *new_password,
                         int64_t keep_session, int64_t now, int64_t *retry_after,
                         struct error *err)
{
    char nkey[KEY_MAX], hash[AUTH_HASH_MAX];
    struct store_user u;
    int64_t wait;
    int found, own, rc;

    if (retry_after)
        *retry_after = 0;
    if (auth_name_check(name, err) != 0 || auth_password_check(new_password, name, err) != 0)
        return -1;
    name_key(nkey, sizeof(nkey), name);
    wait = locked_for(st, nkey, now, err);
    if (wait < 0)
        return auth_store_fail(err);
    if (wait) {
        if (retry_after)
            *retry_after = wait;
        return error_code(err, AUTH_E_LOCKED,
                          "too many failed logins for this user: try again in %lld seconds",
                          (long long)wait);
    }
    found = store_user_get_name(st, name, &u, err);
    if (found < 0)
        return auth_store_fail(err);
    if (!found)
        return error_code(err, AUTH_E_NOT_FOUND, "no user named '%s'", name);
    if (!old_password || strlen(old_password) > AUTH_PASSWORD_MAX ||
        !auth_password_verify(u.pw_hash, old_password)) {
        if (record_failure(st, by, "user.passwd.fail", nkey, "", 1, u.name, NULL,
                           "wrong current password", now, err) != 0)
            return -1;
        return error_code(err, AUTH_E_DENIED, "the current password is wrong");
    }
    if (auth_password_hash(new_password, hash, err) != 0)
        return -1;
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = 0;
    if (store_user_set_password(st, u.id, hash, err) != 0 ||
        store_session_delete_user(st, u.id, keep_session, err) < 0)
        rc = auth_store_fail(err);
    if (rc == 0)
        rc = auth_audit(st, by, "user.passwd", "user", u.name, NULL,
                        keep_session ? "{\"password\":\"changed\",\"sessions\":\"others ended\"}"
                                     : "{\"password\":\"changed\",\"sessions\":\"ended\"}",
                        now, err);
    memset(hash, 0, sizeof(hash));
    return auth_tx_end(st, own, rc, err);
}
