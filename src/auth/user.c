/*
 * user.c - accounts: names and departments checked, passwords hashed,
 * roles set, disabled flag; each change audited in its own transaction
 * (or the caller's).
 */
#include "auth/auth_internal.h"

#include <string.h>

int auth_name_check(const char *name, struct error *err)
{
    size_t i, n = name ? strlen(name) : 0;

    if (n == 0)
        return error_code(err, AUTH_E_BAD_NAME, "the user name is empty");
    if (n > AUTH_NAME_MAX)
        return error_code(err, AUTH_E_BAD_NAME,
                          "the user name is %zu bytes long, at most %d are allowed", n,
                          AUTH_NAME_MAX);
    for (i = 0; i < n; i++) {
        char c = name[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || !strchr("._@-", c)))
            return error_code(err, AUTH_E_BAD_NAME,
                              "user name '%.64s' may hold only letters A-Z a-z, digits and . _ @ - "
                              "(starting with a letter or digit)", auth_text_ok(name, n) ? name : "?");
    }
    return 0;
}

int auth_dept_check(const char *dept, struct error *err)
{
    size_t n = dept ? strlen(dept) : 0;
    if (n == 0)
        return error_code(err, AUTH_E_BAD_DEPT, "a dept user needs a department (--dept)");
    if (n > AUTH_DEPT_MAX)
        return error_code(err, AUTH_E_BAD_DEPT,
                          "the department name is %zu bytes long, at most %d are allowed", n,
                          AUTH_DEPT_MAX);
    if (!auth_text_ok(dept, n))
        return error_code(err, AUTH_E_BAD_DEPT,
                          "the department name must be UTF-8 text without control characters");
    if (dept[0] == ' ' || dept[n - 1] == ' ')
        return error_code(err, AUTH_E_BAD_DEPT,
                          "the department name begins or ends with a space");
    return 0;
}

/* dept must be given for role dept and only for it. */
static int role_dept_check(enum auth_role role, const char *dept, struct error *err)
{
    if (role < 0 || role >= AUTH_ROLE_COUNT_)
        return error_code(err, AUTH_E_BAD_ROLE, "no such role");
    if (role == AUTH_ROLE_DEPT)
        return auth_dept_check(dept, err);
    if (dept && *dept)
        return error_code(err, AUTH_E_BAD_DEPT,
                          "only a dept user has a department (role is %s)", auth_role_name(role));
    return 0;
}

int auth_user_from_row(struct auth_user *u, const struct store_user *r)
{
    memset(u, 0, sizeof(*u));
    u->id = r->id;
    snprintf(u->name, sizeof(u->name), "%s", r->name);
    snprintf(u->dept, sizeof(u->dept), "%s", r->dept);
    u->disabled = r->disabled;
    u->created = r->created;
    u->last_login = r->last_login;
    return auth_role_parse(r->role, &u->role, NULL);
}

/* {"name","role","dept","disabled"}: what an audit row shows of a user. */
static void user_state_json(struct strbuf *sb, const char *name, enum auth_role role,
                            const char *dept, int disabled)
{
    strbuf_addstr(sb, "{\"name\":");
    auth_json_str(sb, name);
    strbuf_addstr(sb, ",\"role\":");
    auth_json_str(sb, auth_role_name(role));
    strbuf_addstr(sb, ",\"dept\":");
    auth_json_str(sb, dept && *dept ? dept : NULL);
    strbuf_addf(sb, ",\"disabled\":%s}", disabled ? "true" : "false");
}

int auth_user_add(struct store *st, const struct audit_actor *by, const char *name,
                  enum auth_role role, const char *dept, const char *password, int64_t now,
                  int64_t *id, struct error *err)
{
    char hash[AUTH_HASH_MAX];
    struct strbuf after = STRBUF_INIT;
    int own, rc;

    if (auth_name_check(name, err) != 0 || role_dept_check(role, dept, err) != 0 ||
        auth_password_check(password, name, err) != 0)
        return -1;
    if (auth_password_hash(password, hash, err) != 0)
        return -1;
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = store_user_insert(st, name, auth_role_name(role), role == AUTH_ROLE_DEPT ? dept : NULL,
                           hash, now, id, err);
    if (rc == 1)
        rc = error_code(err, AUTH_E_EXISTS, "a user named '%s' exists already", name);
    else if (rc < 0)
        auth_store_fail(err);
    if (rc == 0) {
        user_state_json(&after, name, role, dept, 0);
        rc = auth_audit(st, by, "user.add", "user", name, NULL, after.buf, now, err);
    }
    strbuf_release(&after);
    memset(hash, 0, sizeof(hash));
    return auth_tx_end(st, own, rc, err);
}

/* Find name inside an open transaction: 0 with *u, or -1 (NOT_FOUND / STORE). */
static int find(struct store *st, const char *name, struct store_user *u, struct error *err)
{
    int rc;
    if (auth_name_check(name, err) != 0)
        return -1;
    rc = store_user_get_name(st, name, u, err);
    if (rc < 0)
        return auth_store_fail(err);
    if (rc == 0)
        return error_code(err, AUTH_E_NOT_FOUND, "no user named '%s'", name);
    return 0;
}

int auth_user_passwd(struct store *st, const struct audit_actor *by, const char *name,
                     const char *password, int64_t now, struct error *err)
{
    char hash[AUTH_HASH_MAX];
    struct store_user u;
    int own, rc;

    if (auth_name_check(name, err) != 0 || auth_password_check(password, name, err) != 0)
        return -1;
    if (auth_password_hash(password, hash, err) != 0)
        return -1;
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = find(st, name, &u, err);
    if (rc == 0 && (store_user_set_password(st, u.id, hash, err) != 0 ||
                    store_session_delete_user(st, u.id, 0, err) < 0))
        rc = auth_store_fail(err);
    if (rc == 0)
        rc = auth_audit(st, by, "user.passwd", "user", u.name, NULL,
                        "{\"password\":\"changed\",\"sessions\":\"ended\"}", now, err);
    memset(hash, 0, sizeof(hash));
    return auth_tx_end(st, own, rc, err);
}

/* Refuse a change that would leave no enabled admin. */
static int keeps_an_admin(struct store *st, const struct store_user *u, const char *what,
                          struct error *err)
{
    int64_t admins;
    if (strcmp(u->role, "admin") != 0 || u->disabled)
        return 0;
    admins = store_user_count_admins(st, err);
    if (admins < 0)
        return auth_store_fail(err);
    if (admins <= 1)
        return error_code(err, AUTH_E_FORBIDDEN,
                          "'%s' is the last enabled admin: %s it would leave nobody to manage "
                          "users (add another admin first)", u->name, what);
    return 0;
}

int auth_user_set_disabled(struct store *st, const struct audit_actor *by, const char *name,
                           int disabled, int64_t now, struct error *err)
{
    struct strbuf before = STRBUF_INIT, after = STRBUF_INIT;
    struct store_user u;
    enum auth_role role = AUTH_ROLE_VIEWER;
    int own, rc;

    if (auth_name_check(name, err) != 0)
        return -1;
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = find(st, name, &u, err);
    if (rc == 0 && disabled)
        rc = keeps_an_admin(st, &u, "disabling", err);
    if (rc == 0 && (store_user_set_disabled(st, u.id, disabled, err) != 0 ||
                    (disabled && store_session_delete_user(st, u.id, 0, err) < 0)))
        rc = auth_store_fail(err);
    if (rc == 0) {
        auth_role_parse(u.role, &role, NULL);
        user_state_json(&before, u.name, role, u.dept, u.disabled);
        user_state_json(&after, u.name, role, u.dept, disabled);
        rc = auth_audit(st, by, disabled ? "user.disable" : "user.enable", "user", u.name,
                        before.buf, after.buf, now, err);
    }
    strbuf_release(&before);
    strbuf_release(&after);
    return auth_tx_end(st, own, rc, err);
}

int auth_user_set_role(struct store *st, const struct audit_actor *by, const char *name,
                       enum auth_role role, const char *dept, int64_t now, struct error *err)
{
    struct strbuf before = STRBUF_INIT, after = STRBUF_INIT;
    struct store_user u;
    enum auth_role old = AUTH_ROLE_VIEWER;
    int own, rc;

    if (auth_name_check(name, err) != 0 || role_dept_check(role, dept, err) != 0)
        return -1;
    if (auth_tx_begin(st, &own, err) != 0)
        return -1;
    rc = find(st, name, &u, err);
    if (rc == 0 && role != AUTH_ROLE_ADMIN)
        rc = keeps_an_admin(st, &u, "demoting", err);
    if (rc == 0 && store_user_set_role(st, u.id, auth_role_name(role),
                                       role == AUTH_ROLE_DEPT ? dept : NULL, err) != 0)
        rc = auth_store_fail(err);
    if (rc == 0) {
        auth_role_parse(u.role, &old, NULL);
        user_state_json(&before, u.name, old, u.dept, u.disabled);
        user_state_json(&after, u.name, role, role == AUTH_ROLE_DEPT ? dept : NULL, u.disabled);
        rc = auth_audit(st, by, "user.role", "user", u.name, before.buf, after.buf, now, err);
    }
    strbuf_release(&before);
    strbuf_release(&after);
    return auth_tx_end(st, own, rc, err);
}

int auth_user_get(struct store *st, const char *name, struct auth_user *out, struct error *err)
{
    struct store_user u;
    int rc;
    if (auth_name_check(name, err) != 0)
        return -1;
    rc = store_user_get_name(st, name, &u, err);
    if (rc < 0)
        return auth_store_fail(err);
    if (rc == 1 && auth_user_from_row(out, &u) != 0)
        return error_code(err, AUTH_E_STORE, "user '%s' has an unknown role '%s'", u.name, u.role);
    return rc;
}

int auth_user_get_id(struct store *st, int64_t id, struct auth_user *out, struct error *err)
{
    struct store_user u;
    int rc = store_user_get_id(st, id, &u, err);
    if (rc < 0)
        return auth_store_fail(err);
    if (rc == 1 && auth_user_from_row(out, &u) != 0)
        return error_code(err, AUTH_E_STORE, "user '%s' has an unknown role '%s'", u.name, u.role);
    return rc;
}

struct each_ctx {
    int (*fn)(const struct auth_user *u, void *ctx);
    void *ctx;
};

static int each_row(const struct store_user *r, void *p)
{
    struct each_ctx *e = p;
    struct auth_user u;
    if (auth_user_from_row(&u, r) != 0)
        return 0; /* a role this build does not know: skip rather than fail the list */
    return e->fn(&u, e->ctx);
}

int auth_user_each(struct store *st, int (*fn)(const struct auth_user *u, void *ctx), void *ctx,
                   struct error *err)
{
    struct each_ctx e = { fn, ctx };
    int n = store_user_each(st, each_row, &e, err);
    return n < 0 ? auth_store_fail(err) : n;
}

int64_t auth_user_count(struct store *st, struct error *err)
{
    int64_t n = store_user_count(st, err);
    return n < 0 ? auth_store_fail(err) : n;
}

void auth_user_json(struct strbuf *sb, const struct auth_user *u)
{
    strbuf_addf(sb, "{\"id\":%lld,\"name\":", (long long)u->id);
    auth_json_str(sb, u->name);
    strbuf_addstr(sb, ",\"role\":");
    auth_json_str(sb, auth_role_name(u->role));
    strbuf_addstr(sb, ",\"role_label\":");
    auth_json_str(sb, auth_role_label_zh(u->role));
    strbuf_addstr(sb, ",\"dept\":");
    auth_json_str(sb, u->dept[0] ? u->dept : NULL);
    strbuf_addf(sb, ",\"disabled\":%s,\"created\":", u->disabled ? "true" : "false");
    auth_json_time(sb, u->created);
    strbuf_addstr(sb, ",\"last_login\":");
    auth_json_time(sb, u->last_login);
    strbuf_addch(sb, '}');
}
