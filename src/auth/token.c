/*
 * token.c - API tokens for scripts: "mgt_" and 256 random bits, shown
 * once, stored as their SHA-256, tied to a user (whose role and enabled
 * state are read at each request), revocable, with an optional expiry and
 * the time of last use.
 */
#include "auth/auth_internal.h"

#include <string.h>

static int label_check(const char *label, struct error *err)
{
    size_t n = label ? strlen(label) : 0;
    if (n == 0)
        return error_code(err, AUTH_E_BAD_LABEL,
                          "a token needs a label saying what uses it (--label)");
    if (n > AUTH_LABEL_MAX)
        return error_code(err, AUTH_E_BAD_LABEL,
                          "the label is %zu bytes long, at most %d are allowed", n, AUTH_LABEL_MAX);
    if (!auth_text_ok(label, n))
        return error_code(err, AUTH_E_BAD_LABEL,
                          "the label must be UTF-8 text without control characters");
    return 0;
}

/* The token's secret part when it is well formed, else NULL. */
static const char *secret_of(const char *token)
{
    const size_t p = sizeof(AUTH_TOKEN_PREFIX) - 1;
    if (!token || strncmp(token, AUTH_TOKEN_PREFIX, p) != 0 || !auth_secret_wellformed(token + p))
        return NULL;
    return token + p;
}

int auth_token_create(struct store *st, const struct audit_actor *by, const char *name,
                      const char *label, int64_t expires, int64_t now, int64_t *id,
                      char token[AUTH_TOKEN_LEN + 1], struct error *err)
{
    char secret[AUTH_SECRET_LEN + 1], idtext[24];
    unsigned char hash[32];
    struct store_user u;
    struct strbuf after = STRBUF_INIT;
    int64_t new_id = 0;
    int own, rc;

    token[0] = 0;
    if (auth_name_check(name, err) != 0 || label_check(label, err) != 0)
        return -1;
    if (expires < 0 || (expires && expires <= now))
        return error_code(err, AUTH_E_BAD_EXPIRES, "a token's expiry must be in the future");
    if (auth_random_secret(secret, err) != 0)
        return -1;
    snprintf(token, AUTH_TOKEN_LEN + 1, "%s%s", AUTH_TOKEN_PREFIX, secret);
    auth_sha256(token, AUTH_TOKEN_LEN, hash);
    memset(secret, 0, sizeof(secret));
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = store_user_get_name(st, name, &u, err);
    if (rc < 0)
        rc = auth_store_fail(err);
    else if (rc == 0)
        rc = error_code(err, AUTH_E_NOT_FOUND, "no user named '%s'", name);
    else if (u.disabled)
        rc = error_code(err, AUTH_E_FORBIDDEN, "user '%s' is disabled", u.name);
    else
        rc = store_token_insert(st, hash, u.id, label, now, expires, &new_id, err) != 0
                 ? auth_store_fail(err)
                 : 0;
    if (rc == 0) {
        snprintf(idtext, sizeof(idtext), "%lld", (long long)new_id);
        strbuf_addstr(&after, "{\"user\":");
        auth_json_str(&after, u.name);
        strbuf_addstr(&after, ",\"label\":");
        auth_json_str(&after, label);
        strbuf_addstr(&after, ",\"expires\":");
        auth_json_time(&after, expires);
        strbuf_addch(&after, '}');
        rc = auth_audit(st, by, "token.create", "token", idtext, NULL, after.buf, now, err);
    }
    strbuf_release(&after);
    rc = auth_tx_end(st, own, rc, err);
    if (rc != 0) {
        memset(token, 0, AUTH_TOKEN_LEN + 1);
        return -1;
    }
    if (id)
        *id = new_id;
    return 0;
}

int auth_token_verify(struct store *st, const char *token, int64_t now,
                      struct auth_principal *out, struct error *err)
{
    unsigned char hash[32];
    struct store_token_row t;
    struct store_user u;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!secret_of(token))
        return 0;
    auth_sha256(token, AUTH_TOKEN_LEN, hash);
    rc = store_token_find(st, hash, &t, &u, err);
    if (rc <= 0)
        return rc < 0 ? auth_store_fail(err) : 0;
    if (t.revoked || (t.expires && t.expires <= now) || u.disabled ||
        auth_user_from_row(&out->user, &u) != 0) {
        memset(out, 0, sizeof(*out));
        return 0;
    }
    out->touch_due = now - t.last_used >= auth_config()->touch_every;
    out->via = AUTH_VIA_TOKEN;
    out->cred_id = t.id;
    out->expires = t.expires;
    return 1;
}

int auth_token_check(struct store *st, const char *token, int64_t now, struct auth_principal *out,
                     struct error *err)
{
    int rc = auth_token_verify(st, token, now, out, err);
    if (rc == 1 && auth_write_back(st, out, now, err) != 0)
        return -1;
    return rc;
}

int auth_token_revoke(struct store *st, const struct audit_actor *by, int64_t id,
                      int64_t only_user, int64_t now, struct error *err)
{
    struct store_token_row t;
    struct strbuf before = STRBUF_INIT;
    char idtext[24];
    int own, rc;

    if (id <= 0)
        return error_code(err, AUTH_E_BAD_ID, "a token id is a positive number");
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = store_token_get(st, id, &t, err);
    if (rc < 0)
        rc = auth_store_fail(err);
    else if (rc == 1) {
        rc = store_token_revoke(st, id, only_user, now, err);
        if (rc < 0)
            rc = auth_store_fail(err);
    }
    if (rc > 0) {
        snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
        strbuf_addstr(&before, "{\"user\":");
        auth_json_str(&before, t.user);
        strbuf_addstr(&before, ",\"label\":");
        auth_json_str(&before, t.label);
        strbuf_addstr(&before, ",\"revoked\":false}");
        rc = auth_audit(st, by, "token.revoke", "token", idtext, before.buf, "{\"revoked\":true}",
                        now, err) == 0 ? 1 : -1;
    }
    strbuf_release(&before);
    return auth_tx_end(st, own, rc < 0 ? rc : 0, err) < 0 ? -1 : rc;
}

struct token_each_ctx {
    int (*fn)(const struct auth_token_info *t, void *ctx);
    void *ctx;
};

static int token_row(const struct store_token_row *r, void *p)
{
    struct token_each_ctx *e = p;
    struct auth_token_info t;
    t.id = r->id;
    t.user_id = r->user_id;
    t.user = r->user;
    t.label = r->label;
    t.created = r->created;
    t.expires = r->expires;
    t.last_used = r->last_used;
    t.revoked = r->revoked;
    return e->fn(&t, e->ctx);
}

int auth_token_each(struct store *st, int64_t user_id,
                    int (*fn)(const struct auth_token_info *t, void *ctx), void *ctx,
                    struct error *err)
{
    struct token_each_ctx e = { fn, ctx };
    int n = store_token_each(st, user_id, token_row, &e, err);
    return n < 0 ? auth_store_fail(err) : n;
}

void auth_token_json(struct strbuf *sb, const struct auth_token_info *t)
{
    strbuf_addf(sb, "{\"id\":%lld,\"user\":", (long long)t->id);
    auth_json_str(sb, t->user);
    strbuf_addstr(sb, ",\"label\":");
    auth_json_str(sb, t->label);
    strbuf_addstr(sb, ",\"created\":");
    auth_json_time(sb, t->created);
    strbuf_addstr(sb, ",\"expires\":");
    auth_json_time(sb, t->expires);
    strbuf_addstr(sb, ",\"last_used\":");
    auth_json_time(sb, t->last_used);
    strbuf_addstr(sb, ",\"revoked\":");
    auth_json_time(sb, t->revoked);
    strbuf_addch(sb, '}');
}
