/*
 * test_auth.c - accounts, passwords, sessions, CSRF, API tokens, login
 * throttling and roles (src/auth/, src/store/store_auth.c) on a real
 * store in a temporary directory, with the clock injected:
 *   - argon2id hashing: encoded form, salts differ, verify, malformed
 *     hashes refused, outdated parameters detected and upgraded at login;
 *   - the password, name and department policies;
 *   - roles: names, parsing, the route mask and auth_role_allows;
 *   - users: add (case-insensitive uniqueness, dept rules), passwd,
 *     disable/enable, role change, the last-admin guard, JSON without hash;
 *   - login: session and CSRF secrets, only hashes stored, idle and
 *     absolute expiry, logout, cookies;
 *   - "no such user" and "wrong password" answer alike and take alike;
 *   - throttling: per name and per address, lockout and its end, unlock;
 *   - tokens: create, check, last use, expiry, revoke, disabled users;
 *   - the *_verify checks write nothing (for read transactions); what
 *     they would have written is done by auth_write_back;
 *   - every event above lands in the audit log, in the caller's
 *     transaction when there is one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "store/store.h"

#define T0 1750000000 /* 2025-06-15T15:06:40Z */

static char dir[128], dbpath[256];
static struct store *st;
static struct audit_actor admin_cli = { 0, "cli:test", "cli" };

/* Cheap argon2 for tests: the defaults cost ~30 ms per hash. */
static void fast_config(void)
{
    struct auth_config c;
    auth_config_default(&c);
    c.argon2_m_kib = 64;
    c.argon2_t = 1;
    assert_int_equal(auth_configure(&c, NULL), 0);
}

static int setup(void **state)
{
    struct error err = ERROR_INIT;
    snprintf(dir, sizeof(dir), "/tmp/magnet-test-auth-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(dbpath, sizeof(dbpath), "%s/m.db", dir);
    fast_config();
    if (store_open(dbpath, STORE_CREATE, &st, &err) != 0)
        fail_msg("%s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    store_close(st);
    st = NULL;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return 0;
}

static void add(const char *name, enum auth_role role, const char *dept, const char *pw)
{
    struct error err = ERROR_INIT;
    if (auth_user_add(st, &admin_cli, name, role, dept, pw, T0, NULL, &err) != 0)
        fail_msg("add %s: %s", name, err.msg);
}

struct count_ctx {
    const char *action;
    int n;
};

static int count_row(const struct audit_row *r, void *p)
{
    struct count_ctx *c = p;
    if (!strcmp(r->action, c->action))
        c->n++;
    return 0;
}

/* Audit rows with this action (and entity id, unless NULL). */
static int count_audit(const char *action, const char *entity_id)
{
    struct audit_filter f = { 0 };
    struct error err = ERROR_INIT;
    struct count_ctx c = { action, 0 };
    int64_t total = -1;
    f.entity_id = entity_id;
    f.limit = AUDIT_LIMIT_MAX;
    if (audit_query(st, &f, count_row, &c, &total, &err) < 0)
        fail_msg("%s", err.msg);
    return c.n;
}

/* ---- passwords ---- */

static void test_password_hash_verify(void **state)
{
    char a[AUTH_HASH_MAX], b[AUTH_HASH_MAX];
    struct error err = ERROR_INIT;

    assert_int_equal(auth_password_hash("correct horse", a, &err), 0);
    assert_int_equal(auth_password_hash("correct horse", b, &err), 0);
    assert_int_equal(strncmp(a, "$argon2id$v=19$m=64,t=1,p=1$", 28), 0);
    assert_string_not_equal(a, b); /* fresh salt each time */
    assert_int_equal(auth_password_verify(a, "correct horse"), 1);
    assert_int_equal(auth_password_verify(b, "correct horse"), 1);
    assert_int_equal(auth_password_verify(a, "correct horsE"), 0);
    assert_int_equal(auth_password_verify(a, ""), 0);
    assert_int_equal(auth_password_verify(NULL, "x"), 0);
    assert_int_equal(auth_password_verify("", "x"), 0);
    assert_int_equal(auth_password_verify("$argon2i$v=19$m=64,t=1,p=1$AAAA$BBBB", "x"), 0);
    assert_int_equal(auth_password_verify("$argon2id$garbage", "x"), 0);
    /* 中文 passwords are bytes like any other */
    assert_int_equal(auth_password_hash("西湖区招商密码一二", a, &err), 0);
    assert_int_equal(auth_password_verify(a, "西湖区招商密码一二"), 1);

    /* A change of cost makes old hashes outdated (a login re-hashes them). */
    assert_int_equal(auth_password_outdated(a), 0);
    {
        struct auth_config c = *auth_config();
        c.argon2_t = 2;
        assert_int_equal(auth_configure(&c, NULL), 0);
        assert_int_equal(auth_password_outdated(a), 1);
        assert_int_equal(auth_password_verify(a, "西湖区招商密码一二"), 1);
        fast_config();
    }
}

static void test_password_policy(void **state)
{
    struct error err = ERROR_INIT;
    char longpw[AUTH_PASSWORD_MAX + 2];

    assert_int_equal(auth_password_check("abcdefgh", NULL, &err), 0);
    assert_int_equal(auth_password_check("一二三四五六七八", NULL, &err), 0);
    assert_int_equal(auth_password_check("一二三四五六七", NULL, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_PASSWORD);
    assert_string_equal(auth_err_field(err.code), "password");
    assert_non_null(strstr(err.msg, "7 characters long, at least 8"));
    assert_int_equal(auth_password_check("", NULL, &err), -1);
    assert_int_equal(auth_password_check(NULL, NULL, &err), -1);
    assert_int_equal(auth_password_check("abc\tdefgh", NULL, &err), -1);
    assert_int_equal(auth_password_check("abcdefg\xff", NULL, &err), -1);
    assert_int_equal(auth_password_check("AliceSmith", "alicesmith", &err), -1);
    assert_non_null(strstr(err.msg, "user name"));
    memset(longpw, 'x', sizeof(longpw) - 1);
    longpw[sizeof(longpw) - 1] = 0;
    assert_int_equal(auth_password_check(longpw, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "at most 256"));
    longpw[AUTH_PASSWORD_MAX] = 0;
    assert_int_equal(auth_password_check(longpw, NULL, &err), 0);
}

static void test_names(void **state)
{
    struct error err = ERROR_INIT;
    char n65[66];

    assert_int_equal(auth_name_check("alice", &err), 0);
    assert_int_equal(auth_name_check("zhang.san@xihu", &err), 0);
    assert_int_equal(auth_name_check("a_b-c.9", &err), 0);
    assert_int_equal(auth_name_check("", &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_NAME);
    assert_int_equal(auth_name_check(NULL, &err), -1);
    assert_int_equal(auth_name_check(".alice", &err), -1);
    assert_int_equal(auth_name_check("al ice", &err), -1);
    assert_int_equal(auth_name_check("张三", &err), -1);
    assert_int_equal(auth_name_check("a'; DROP TABLE account; --", &err), -1);
    memset(n65, 'a', 65);
    n65[65] = 0;
    assert_int_equal(auth_name_check(n65, &err), -1);
    assert_non_null(strstr(err.msg, "at most 64"));
    n65[64] = 0;
    assert_int_equal(auth_name_check(n65, &err), 0);

    assert_int_equal(auth_dept_check("文新街道", &err), 0);
    assert_int_equal(auth_dept_check("", &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_DEPT);
    assert_int_equal(auth_dept_check(" 文新街道", &err), -1);
    assert_int_equal(auth_dept_check("文新\n街道", &err), -1);
}

/* ---- roles ---- */

static void test_roles(void **state)
{
    struct error err = ERROR_INIT;
    enum auth_role r;
    char buf[64];
    int i;

    for (i = 0; i < AUTH_ROLE_COUNT_; i++) {
        assert_int_equal(auth_role_parse(auth_role_name((enum auth_role)i), &r, &err), 0);
        assert_int_equal(r, i);
    }
    assert_string_equal(auth_role_name(AUTH_ROLE_STAFF), "staff");
    assert_string_equal(auth_role_label_zh(AUTH_ROLE_LEADER), "区领导");
    assert_string_equal(auth_role_label_zh(AUTH_ROLE_STAFF), "招商专员");
    assert_string_equal(auth_role_name(AUTH_ROLE_NONE), "none");
    assert_string_equal(auth_role_name((enum auth_role)42), "?");
    assert_int_equal(auth_role_parse("Admin", &r, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_ROLE);
    assert_string_equal(auth_err_field(err.code), "role");
    assert_int_equal(auth_role_parse("root", &r, &err), -1);
    assert_int_equal(auth_role_parse(NULL, &r, &err), -1);

    /* The whole matrix of a few route masks. */
    {
        const auth_role_mask masks[] = { AUTH_PUBLIC, AUTH_ANY_USER, AUTH_ADMIN,
                                         AUTH_ADMIN | AUTH_STAFF, AUTH_LEADER | AUTH_DEPT, 0 };
        for (i = 0; i < (int)(sizeof(masks) / sizeof(masks[0])); i++) {
            int role;
            for (role = -1; role < AUTH_ROLE_COUNT_ + 1; role++) {
                int want;
                if (masks[i] & AUTH_PUBLIC)
                    want = 1;
                else if (role < 0 || role >= AUTH_ROLE_COUNT_)
                    want = 0;
                else
                    want = (masks[i] >> role) & 1;
                assert_int_equal(auth_role_allows(masks[i], (enum auth_role)role), want);
            }
        }
    }
    assert_true(auth_role_allows(AUTH_PUBLIC, AUTH_ROLE_NONE));
    assert_false(auth_role_allows(AUTH_ANY_USER, AUTH_ROLE_NONE));
    assert_false(auth_role_allows(AUTH_ADMIN | AUTH_STAFF, AUTH_ROLE_VIEWER));
    assert_true(auth_role_allows(AUTH_ADMIN | AUTH_STAFF, AUTH_ROLE_STAFF));

    auth_role_mask_format(AUTH_PUBLIC, buf, sizeof(buf));
    assert_string_equal(buf, "public");
    auth_role_mask_format(AUTH_ANY_USER, buf, sizeof(buf));
    assert_string_equal(buf, "any user");
    auth_role_mask_format(AUTH_ADMIN | AUTH_LEADER, buf, sizeof(buf));
    assert_string_equal(buf, "admin, leader");
    auth_role_mask_format(0, buf, sizeof(buf));
    assert_string_equal(buf, "nobody");
    auth_role_mask_format(AUTH_ADMIN | AUTH_STAFF, buf, 8);
    assert_true(strlen(buf) < 8);
}

/* ---- users ---- */

static int collect_names(const struct auth_user *u, void *p)
{
    struct strbuf *sb = p;
    strbuf_addf(sb, "%s:%s:%s:%d;", u->name, auth_role_name(u->role), u->dept, u->disabled);
    return 0;
}

static void test_users(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_user u;
    struct strbuf sb = STRBUF_INIT;
    int64_t id = 0;

    assert_int_equal(auth_user_count(st, &err), 0);
    assert_int_equal(auth_user_add(st, &admin_cli, "alice", AUTH_ROLE_ADMIN, NULL, "correct horse",
                                   T0, &id, &err), 0);
    assert_true(id > 0);
    /* unique without regard to case */
    assert_int_equal(auth_user_add(st, &admin_cli, "ALICE", AUTH_ROLE_STAFF, NULL, "other horse1",
                                   T0, NULL, &err), -1);
    assert_int_equal(err.code, AUTH_E_EXISTS);
    /* dept rules */
    assert_int_equal(auth_user_add(st, &admin_cli, "wenxin", AUTH_ROLE_DEPT, NULL, "pass word 1",
                                   T0, NULL, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_DEPT);
    assert_int_equal(auth_user_add(st, &admin_cli, "li", AUTH_ROLE_STAFF, "文新街道",
                                   "pass word 1", T0, NULL, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_DEPT);
    assert_int_equal(auth_user_add(st, &admin_cli, "bad name", AUTH_ROLE_STAFF, NULL,
                                   "pass word 1", T0, NULL, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_NAME);
    assert_int_equal(auth_user_add(st, &admin_cli, "li", AUTH_ROLE_STAFF, NULL, "short", T0, NULL,
                                   &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_PASSWORD);
    assert_int_equal(auth_user_add(st, &admin_cli, "li", (enum auth_role)9, NULL, "pass word 1",
                                   T0, NULL, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_ROLE);
    add("wenxin", AUTH_ROLE_DEPT, "文新街道", "pass word 1");
    add("li", AUTH_ROLE_STAFF, NULL, "pass word 1");
    assert_int_equal(auth_user_count(st, &err), 3);

    assert_int_equal(auth_user_get(st, "Alice", &u, &err), 1);
    assert_string_equal(u.name, "alice");
    assert_int_equal(u.role, AUTH_ROLE_ADMIN);
    assert_int_equal(u.created, T0);
    assert_int_equal(u.last_login, 0);
    assert_int_equal(auth_user_get(st, "nobody", &u, &err), 0);
    assert_int_equal(auth_user_get_id(st, id, &u, &err), 1);
    assert_string_equal(u.name, "alice");

    assert_int_equal(auth_user_each(st, collect_names, &sb, &err), 3);
    assert_string_equal(sb.buf, "alice:admin::0;li:staff::0;wenxin:dept:文新街道:0;");
    strbuf_reset(&sb);

    /* JSON: no hash, ever */
    assert_int_equal(auth_user_get(st, "wenxin", &u, &err), 1);
    auth_user_json(&sb, &u);
    assert_non_null(strstr(sb.buf, "\"dept\":\"文新街道\""));
    assert_non_null(strstr(sb.buf, "\"role\":\"dept\""));
    assert_non_null(strstr(sb.buf, "\"last_login\":null"));
    assert_null(strstr(sb.buf, "argon2"));
    strbuf_release(&sb);

    /* role change, and the last admin is kept */
    assert_int_equal(auth_user_set_role(st, &admin_cli, "alice", AUTH_ROLE_STAFF, NULL, T0, &err),
                     -1);
    assert_int_equal(err.code, AUTH_E_FORBIDDEN);
    assert_int_equal(auth_user_set_disabled(st, &admin_cli, "alice", 1, T0, &err), -1);
    assert_int_equal(err.code, AUTH_E_FORBIDDEN);
    assert_int_equal(auth_user_set_role(st, &admin_cli, "li", AUTH_ROLE_ADMIN, NULL, T0, &err), 0);
    assert_int_equal(auth_user_set_disabled(st, &admin_cli, "alice", 1, T0, &err), 0);
    assert_int_equal(auth_user_set_role(st, &admin_cli, "li", AUTH_ROLE_LEADER, NULL, T0, &err),
                     -1); /* li is now the only enabled admin */
    assert_int_equal(auth_user_set_disabled(st, &admin_cli, "alice", 0, T0, &err), 0);
    assert_int_equal(auth_user_set_role(st, &admin_cli, "li", AUTH_ROLE_DEPT, "西湖区经信局", T0,
                                        &err), 0);
    assert_int_equal(auth_user_get(st, "li", &u, &err), 1);
    assert_int_equal(u.role, AUTH_ROLE_DEPT);
    assert_string_equal(u.dept, "西湖区经信局");
    assert_int_equal(auth_user_set_role(st, &admin_cli, "nobody", AUTH_ROLE_VIEWER, NULL, T0,
                                        &err), -1);
    assert_int_equal(err.code, AUTH_E_NOT_FOUND);

    assert_int_equal(count_audit("user.add", "alice"), 1);
    assert_int_equal(count_audit("user.disable", "alice"), 1);
    assert_int_equal(count_audit("user.enable", "alice"), 1);
    assert_int_equal(count_audit("user.role", "li"), 2);
    /* refused changes leave no audit row */
    assert_int_equal(count_audit("user.add", "ALICE"), 0);
}

/* ---- login, sessions, CSRF ---- */

static void test_login_session_csrf(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_session s, s2;
    struct auth_principal p;
    char cookie[AUTH_COOKIE_MAX], id[AUTH_SECRET_LEN + 1], bad[AUTH_SECRET_LEN + 1];
    struct auth_user u;

    add("alice", AUTH_ROLE_STAFF, NULL, "correct horse");
    if (auth_login(st, "alice", "correct horse", "10.0.0.7", T0, &s, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(strlen(s.id), AUTH_SECRET_LEN);
    assert_int_equal(strlen(s.csrf), AUTH_SECRET_LEN);
    assert_string_not_equal(s.id, s.csrf);
    assert_int_equal(s.user.role, AUTH_ROLE_STAFF);
    assert_int_equal(s.expires, T0 + 12 * 3600);
    assert_int_equal(s.idle_expires, T0 + 30 * 60);
    assert_int_equal(auth_user_get(st, "alice", &u, &err), 1);
    assert_int_equal(u.last_login, T0);
    /* a second login gets other secrets */
    assert_int_equal(auth_login(st, "ALICE", "correct horse", "10.0.0.7", T0, &s2, &err), 0);
    assert_string_not_equal(s.id, s2.id);
    assert_string_not_equal(s.csrf, s2.csrf);

    assert_int_equal(auth_session_check(st, s.id, T0 + 10, &p, &err), 1);
    assert_string_equal(p.user.name, "alice");
    assert_int_equal(p.via, AUTH_VIA_SESSION);
    assert_int_equal(p.cred_id, s.row_id);

    /* CSRF: the session's token only, compared whole */
    assert_int_equal(auth_csrf_check(&p, s.csrf), 1);
    assert_int_equal(auth_csrf_check(&p, s2.csrf), 0);
    assert_int_equal(auth_csrf_check(&p, NULL), 0);
    assert_int_equal(auth_csrf_check(&p, ""), 0);
    assert_int_equal(auth_csrf_check(&p, s.id), 0);
    snprintf(bad, sizeof(bad), "%s", s.csrf);
    bad[AUTH_SECRET_LEN - 1] = bad[AUTH_SECRET_LEN - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_csrf_check(&p, bad), 0);
    {
        char longer[AUTH_SECRET_LEN + 2];
        snprintf(longer, sizeof(longer), "%sA", s.csrf);
        assert_int_equal(auth_csrf_check(&p, longer), 0);
    }
    assert_int_equal(auth_csrf_check(NULL, s.csrf), 0);

    /* unknown and malformed ids */
    assert_int_equal(auth_session_check(st, bad, T0, &p, &err), 0);
    assert_int_equal(auth_session_check(st, "short", T0, &p, &err), 0);
    assert_int_equal(auth_session_check(st, NULL, T0, &p, &err), 0);
    assert_int_equal(auth_session_check(st, "' OR 1=1 --", T0, &p, &err), 0);

    /* cookies */
    assert_true(auth_cookie_format(cookie, sizeof(cookie), s.id, 43200, 1) > 0);
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    assert_non_null(strstr(cookie, "Path=/"));
    assert_non_null(strstr(cookie, "Max-Age=43200"));
    assert_non_null(strstr(cookie, "; Secure"));
    assert_int_equal(strncmp(cookie, "magnet_session=", 15), 0);
    assert_true(auth_cookie_format(cookie, sizeof(cookie), s.id, 43200, 0) > 0);
    assert_null(strstr(cookie, "Secure"));
    assert_true(auth_cookie_format(cookie, sizeof(cookie), NULL, 0, 0) > 0);
    assert_non_null(strstr(cookie, "magnet_session=;"));
    assert_non_null(strstr(cookie, "Max-Age=0"));
    assert_int_equal(auth_cookie_format(cookie, 20, s.id, 1, 0), -1);
    assert_int_equal(auth_cookie_format(cookie, sizeof(cookie), "bad id", 1, 0), -1);
    {
        char h[256];
        snprintf(h, sizeof(h), "theme=dark; magnet_session=%s;lang=zh", s.id);
        assert_int_equal(auth_cookie_parse(h, id), 1);
        assert_string_equal(id, s.id);
        snprintf(h, sizeof(h), "magnet_session=nope; magnet_session=%s", s2.id);
        assert_int_equal(auth_cookie_parse(h, id), 1);
        assert_string_equal(id, s2.id);
        assert_int_equal(auth_cookie_parse("magnet_sessionx=1; other=2", id), 0);
        assert_int_equal(auth_cookie_parse("", id), 0);
        assert_int_equal(auth_cookie_parse(NULL, id), 0);
    }

    /* only hashes are stored */
    {
        sqlite3 *db;
        sqlite3_stmt *q;
        int rows = 0;
        assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT hash, csrf_hash, quote(hash) FROM session",
                                            -1, &q, NULL), SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *h = (const char *)sqlite3_column_text(q, 2);
            assert_int_equal(sqlite3_column_bytes(q, 0), 32);
            assert_int_equal(sqlite3_column_bytes(q, 1), 32);
            assert_null(strstr(h, s.id));
            rows++;
        }
        assert_int_equal(rows, 2);
        sqlite3_finalize(q);
        sqlite3_close(db);
    }

    /* logout ends exactly that session */
    assert_int_equal(auth_logout(st, s.id, "10.0.0.7", T0 + 20, &err), 1);
    assert_int_equal(auth_session_check(st, s.id, T0 + 21, &p, &err), 0);
    assert_int_equal(auth_logout(st, s.id, "10.0.0.7", T0 + 22, &err), 0);
    assert_int_equal(auth_session_check(st, s2.id, T0 + 23, &p, &err), 1);
    assert_int_equal(auth_logout(st, "garbage", "10.0.0.7", T0, &err), 0);

    assert_int_equal(count_audit("login.ok", "alice"), 2);
    assert_int_equal(count_audit("logout", NULL), 1);
}

static int count_fn(const struct auth_session_info *i, void *ctx)
{
    (*(int *)ctx)++;
    assert_string_equal(i->user, "alice");
    return 0;
}

static void test_session_expiry(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_session s;
    struct auth_principal p;
    int64_t t;

    add("alice", AUTH_ROLE_VIEWER, NULL, "correct horse");
    /* idle: 30 minutes without a request */
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s, &err), 0);
    assert_int_equal(auth_session_check(st, s.id, T0 + 1799, &p, &err), 1);
    assert_int_equal(p.expires, T0 + 1799 + 1800);
    /* that request moved the idle end */
    assert_int_equal(auth_session_check(st, s.id, T0 + 1799 + 1799, &p, &err), 1);
    assert_int_equal(auth_session_check(st, s.id, T0 + 1799 + 1799 + 1800, &p, &err), 0);
    /* gone for good (deleted), even if the clock went back */
    assert_int_equal(auth_session_check(st, s.id, T0 + 10, &p, &err), 0);

    /* touch_every: a check within a minute of the last write does not write,
     * so idle time counts from the last write */
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s, &err), 0);
    assert_int_equal(auth_session_check(st, s.id, T0 + 30, &p, &err), 1);
    assert_int_equal(auth_session_check(st, s.id, T0 + 1800, &p, &err), 0);

    /* absolute: 12 hours even when active all the time */
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s, &err), 0);
    for (t = T0 + 1200; t < T0 + 12 * 3600; t += 1200)
        assert_int_equal(auth_session_check(st, s.id, t, &p, &err), 1);
    assert_true(p.expires <= T0 + 12 * 3600);
    assert_int_equal(auth_session_check(st, s.id, T0 + 12 * 3600, &p, &err), 0);

    /* configurable */
    {
        struct auth_config c = *auth_config();
        c.session_idle = 120;
        c.session_absolute = 600;
        c.touch_every = 0;
        assert_int_equal(auth_configure(&c, &err), 0);
        assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s, &err), 0);
        assert_int_equal(s.expires, T0 + 600);
        assert_int_equal(auth_session_check(st, s.id, T0 + 119, &p, &err), 1);
        assert_int_equal(auth_session_check(st, s.id, T0 + 119 + 120, &p, &err), 0);
        c.session_idle = 10; /* too short */
        assert_int_equal(auth_configure(&c, &err), -1);
        assert_int_equal(err.code, AUTH_E_CONFIG);
        fast_config();
    }

    /* sessions listed, revoked, pruned */
    {
        struct auth_session a, b;
        int n;
        assert_int_equal(auth_login(st, "alice", "correct horse", "1.2.3.4", T0, &a, &err), 0);
        assert_int_equal(auth_login(st, "alice", "correct horse", "1.2.3.5", T0 + 5, &b, &err), 0);
        n = 0;
        assert_int_equal(auth_session_each(st, a.user.id, T0 + 10, count_fn, &n, &err), 2);
        assert_int_equal(auth_session_revoke(st, &admin_cli, a.row_id, a.user.id + 1, T0 + 11,
                                             &err), 0); /* not that user's */
        assert_int_equal(auth_session_revoke(st, &admin_cli, a.row_id, a.user.id, T0 + 11, &err),
                         1);
        assert_int_equal(auth_session_check(st, a.id, T0 + 12, &p, &err), 0);
        assert_int_equal(auth_session_check(st, b.id, T0 + 12, &p, &err), 1);
        assert_true(auth_session_prune(st, T0 + 13 * 3600, &err) >= 1);
        assert_int_equal(auth_session_check(st, b.id, T0 + 13, &p, &err), 0);
        assert_int_equal(count_audit("session.revoke", NULL), 1);
    }
}

static void test_wrong_name_and_password_alike(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_session s;
    char msg_user[ERROR_MSG_MAX];
    int i;
    struct auth_config c = *auth_config();

    /* a real cost, so that a skipped hash would show */
    c.argon2_m_kib = 4096;
    c.fail_max = 1000;
    c.addr_fail_max = 1000;
    assert_int_equal(auth_configure(&c, &err), 0);
    add("alice", AUTH_ROLE_STAFF, NULL, "correct horse");
    /* The same work either way (counted, not timed: timings on a shared
     * machine prove nothing). */
    for (i = 0; i < 7; i++) {
        unsigned long long w0 = auth_password_work(), w_user, w_pw;
        assert_int_equal(auth_login(st, "mallory", "correct horse", "10.0.0.9", T0, &s, &err), -1);
        w_user = auth_password_work() - w0;
        assert_int_equal(err.code, AUTH_E_DENIED);
        snprintf(msg_user, sizeof(msg_user), "%s", err.msg);
        w0 = auth_password_work();
        assert_int_equal(auth_login(st, "alice", "wrong horse", "10.0.0.9", T0, &s, &err), -1);
        w_pw = auth_password_work() - w0;
        assert_int_equal(err.code, AUTH_E_DENIED);
        assert_string_equal(err.msg, msg_user);
        assert_true(w_pw > 0);
        assert_true(w_user == w_pw);
    }
    /* both counted and audited */
    assert_int_equal(count_audit("login.fail", "mallory"), 7);
    assert_int_equal(count_audit("login.fail", "alice"), 7);
    /* an over-long or malformed name is simply denied */
    assert_int_equal(auth_login(st, "x' OR '1'='1", "pw", "10.0.0.9", T0, &s, &err), -1);
    assert_int_equal(err.code, AUTH_E_DENIED);
    assert_int_equal(auth_login(st, NULL, NULL, NULL, T0, &s, &err), -1);
    assert_int_equal(err.code, AUTH_E_DENIED);
    /* a bad remote address is the caller's bug */
    assert_int_equal(auth_login(st, "alice", "correct horse", "10.0.0.9 x", T0, &s, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_REMOTE);
    fast_config();
}

/* ---- throttling ---- */

static void test_throttle(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_session s;
    int i;

    add("alice", AUTH_ROLE_STAFF, NULL, "correct horse");
    add("bob", AUTH_ROLE_STAFF, NULL, "battery staple");

    /* 4 failures: still allowed; the right password clears the count */
    for (i = 0; i < 4; i++) {
        assert_int_equal(auth_login(st, "alice", "nope nope", "10.1.1.1", T0 + i, &s, &err), -1);
        assert_int_equal(err.code, AUTH_E_DENIED);
    }
    assert_int_equal(auth_login(st, "alice", "correct horse", "10.1.1.1", T0 + 5, &s, &err), 0);
    for (i = 0; i < 4; i++)
        assert_int_equal(auth_login(st, "alice", "nope nope", "10.1.1.1", T0 + 10 + i, &s, &err),
                         -1);
    assert_int_equal(err.code, AUTH_E_DENIED);
    /* the 5th within 15 minutes locks the name for 15 minutes */
    assert_int_equal(auth_login(st, "alice", "nope nope", "10.1.1.1", T0 + 100, &s, &err), -1);
    assert_int_equal(err.code, AUTH_E_DENIED);
    assert_int_equal(auth_login(st, "alice", "correct horse", "10.1.1.2", T0 + 101, &s, &err), -1);
    assert_int_equal(err.code, AUTH_E_LOCKED);
    assert_int_equal(s.retry_after, 899);
    assert_non_null(strstr(err.msg, "899 seconds"));
    /* case does not escape the lock */
    assert_int_equal(auth_login(st, "ALICE", "correct horse", "10.1.1.3", T0 + 102, &s, &err), -1);
    assert_int_equal(err.code, AUTH_E_LOCKED);
    /* other names are not locked */
    assert_int_equal(auth_login(st, "bob", "battery staple", "10.1.1.1", T0 + 103, &s, &err), 0);
    /* the lock ends */
    assert_int_equal(auth_login(st, "alice", "correct horse", "10.1.1.2", T0 + 100 + 899, &s,
                                &err), -1);
    assert_int_equal(err.code, AUTH_E_LOCKED);
    assert_int_equal(s.retry_after, 1);
    assert_int_equal(auth_login(st, "alice", "correct horse", "10.1.1.2", T0 + 100 + 900, &s,
                                &err), 0);

    /* failures spread wider than the window do not lock */
    for (i = 0; i < 10; i++) {
        assert_int_equal(auth_login(st, "bob", "nope nope", "10.2.0.1", T0 + 2000 + i * 300, &s,
                                    &err), -1);
        assert_int_equal(err.code, AUTH_E_DENIED);
    }
    assert_int_equal(auth_login(st, "bob", "battery staple", "10.2.0.1", T0 + 5000, &s, &err), 0);

    /* unlock lifts a lock at once */
    for (i = 0; i < 5; i++)
        auth_login(st, "bob", "nope nope", "10.2.0.2", T0 + 6000, &s, &err);
    assert_int_equal(auth_login(st, "bob", "battery staple", "10.2.0.3", T0 + 6001, &s, &err), -1);
    assert_int_equal(err.code, AUTH_E_LOCKED);
    assert_int_equal(auth_unlock(st, &admin_cli, "bob", T0 + 6002, &err), 0);
    assert_int_equal(auth_login(st, "bob", "battery staple", "10.2.0.3", T0 + 6003, &s, &err), 0);
    assert_int_equal(count_audit("user.unlock", "bob"), 1);

    /* per address: 20 failures from one address over many names lock the
     * address, for every name, including right passwords */
    for (i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof(name), "guess%d", i);
        assert_int_equal(auth_login(st, name, "nope nope", "203.0.113.9", T0 + 8000 + i, &s,
                                    &err), -1);
        assert_int_equal(err.code, AUTH_E_DENIED);
    }
    assert_int_equal(auth_login(st, "bob", "battery staple", "203.0.113.9", T0 + 8030, &s, &err),
                     -1);
    assert_int_equal(err.code, AUTH_E_LOCKED);
    assert_true(s.retry_after > 800 && s.retry_after <= 900);
    assert_non_null(strstr(err.msg, "address"));
    /* the same user from elsewhere is fine */
    assert_int_equal(auth_login(st, "bob", "battery staple", "203.0.113.10", T0 + 8031, &s, &err),
                     0);

    /* housekeeping forgets counters whose window and lock are over */
    {
        struct store_throttle t;
        assert_int_equal(store_throttle_get(st, "addr:203.0.113.9", &t, &err), 1);
        /* locked at T0 + 8019 (the 20th failure) until T0 + 8919 */
        assert_true(auth_session_prune(st, T0 + 8019 + 899, &err) >= 0);
        assert_int_equal(store_throttle_get(st, "addr:203.0.113.9", &t, &err), 1); /* locked */
        assert_true(auth_session_prune(st, T0 + 8019 + 901, &err) >= 0);
        assert_int_equal(store_throttle_get(st, "addr:203.0.113.9", &t, &err), 0);
        assert_int_equal(store_throttle_get(st, "name:guess0", &t, &err), 0);
    }
}

/* ---- disabled users and password changes ---- */

static void test_disable_and_passwd(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_session s, s2;
    struct auth_principal p;
    char token[AUTH_TOKEN_LEN + 1];
    int64_t retry = 0;

    add("root", AUTH_ROLE_ADMIN, NULL, "root password");
    add("alice", AUTH_ROLE_STAFF, NULL, "correct horse");
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s, &err), 0);
    assert_int_equal(auth_token_create(st, &admin_cli, "alice", "script", 0, T0, NULL, token,
                                       &err), 0);
    assert_int_equal(auth_token_check(st, token, T0, &p, &err), 1);

    /* disabling ends sessions and stops tokens */
    assert_int_equal(auth_user_set_disabled(st, &admin_cli, "alice", 1, T0 + 1, &err), 0);
    assert_int_equal(auth_session_check(st, s.id, T0 + 2, &p, &err), 0);
    assert_int_equal(auth_token_check(st, token, T0 + 2, &p, &err), 0);
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0 + 3, &s, &err), -1);
    assert_int_equal(err.code, AUTH_E_DENIED);
    assert_non_null(strstr(err.msg, "disabled"));
    /* a wrong password on a disabled account says nothing about it */
    assert_int_equal(auth_login(st, "alice", "wrong horse", "::1", T0 + 3, &s, &err), -1);
    assert_null(strstr(err.msg, "disabled"));
    assert_int_equal(auth_token_create(st, &admin_cli, "alice", "more", 0, T0, NULL, token, &err),
                     -1);
    assert_int_equal(err.code, AUTH_E_FORBIDDEN);
    assert_int_equal(auth_user_set_disabled(st, &admin_cli, "alice", 0, T0 + 4, &err), 0);
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0 + 5, &s, &err), 0);

    /* passwd: new password works, old does not, sessions end */
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0 + 5, &s2, &err), 0);
    assert_int_equal(auth_user_passwd(st, &admin_cli, "alice", "new horse 2", T0 + 6, &err), 0);
    assert_int_equal(auth_session_check(st, s.id, T0 + 7, &p, &err), 0);
    assert_int_equal(auth_session_check(st, s2.id, T0 + 7, &p, &err), 0);
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0 + 8, &s, &err), -1);
    assert_int_equal(auth_login(st, "alice", "new horse 2", "::1", T0 + 9, &s, &err), 0);
    assert_int_equal(auth_user_passwd(st, &admin_cli, "nobody", "new horse 2", T0, &err), -1);
    assert_int_equal(err.code, AUTH_E_NOT_FOUND);
    assert_int_equal(auth_user_passwd(st, &admin_cli, "alice", "short", T0, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_PASSWORD);

    /* self-service change: the old password is needed, other sessions end,
     * this one stays */
    assert_int_equal(auth_login(st, "alice", "new horse 2", "::1", T0 + 10, &s2, &err), 0);
    assert_int_equal(auth_password_change(st, &admin_cli, "alice", "wrong one", "third horse",
                                          s.row_id, T0 + 11, &retry, &err), -1);
    assert_int_equal(err.code, AUTH_E_DENIED);
    assert_int_equal(auth_password_change(st, &admin_cli, "alice", "new horse 2", "third horse",
                                          s.row_id, T0 + 12, &retry, &err), 0);
    assert_int_equal(auth_session_check(st, s.id, T0 + 13, &p, &err), 1);
    assert_int_equal(auth_session_check(st, s2.id, T0 + 13, &p, &err), 0);
    assert_int_equal(auth_login(st, "alice", "third horse", "::1", T0 + 14, &s2, &err), 0);
    /* wrong old passwords count towards the lockout */
    {
        int i;
        for (i = 0; i < 5; i++)
            auth_password_change(st, &admin_cli, "alice", "wrong one", "fourth horse", 0,
                                 T0 + 20, &retry, &err);
        assert_int_equal(auth_password_change(st, &admin_cli, "alice", "third horse",
                                              "fourth horse", 0, T0 + 21, &retry, &err), -1);
        assert_int_equal(err.code, AUTH_E_LOCKED);
        assert_int_equal(retry, 899);
    }
    assert_int_equal(count_audit("user.passwd", "alice"), 2);
    assert_int_equal(count_audit("user.passwd.fail", "alice"), 6);
}

/* A login with a hash made under an older cost upgrades it. */
static void test_rehash_on_login(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_session s;
    sqlite3 *db;
    sqlite3_stmt *q;
    char before[AUTH_HASH_MAX], after[AUTH_HASH_MAX];
    struct auth_config c = *auth_config();

    add("alice", AUTH_ROLE_STAFF, NULL, "correct horse");
    assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT pw_hash FROM account WHERE name = 'alice'", -1,
                                        &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(before, sizeof(before), "%s", sqlite3_column_text(q, 0));
    sqlite3_reset(q);
    c.argon2_m_kib = 128;
    assert_int_equal(auth_configure(&c, &err), 0);
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s, &err), 0);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(after, sizeof(after), "%s", sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_non_null(strstr(before, "m=64,"));
    assert_non_null(strstr(after, "m=128,"));
    assert_int_equal(auth_password_verify(after, "correct horse"), 1);
    fast_config();
}

/* ---- API tokens ---- */

static int token_list(const struct auth_token_info *t, void *p)
{
    struct strbuf *sb = p;
    strbuf_addf(sb, "%lld:%s:%s:%d:%d;", (long long)t->id, t->user, t->label, t->revoked != 0,
                t->last_used != 0);
    return 0;
}

static void test_tokens(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_principal p;
    char t1[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1], t3[AUTH_TOKEN_LEN + 1];
    struct strbuf sb = STRBUF_INIT;
    int64_t id1, id2, id3;

    add("alice", AUTH_ROLE_LEADER, NULL, "correct horse");
    add("bob", AUTH_ROLE_VIEWER, NULL, "battery staple");
    assert_int_equal(auth_token_create(st, &admin_cli, "alice", "每日导出", 0, T0, &id1, t1, &err),
                     0);
    assert_int_equal(strlen(t1), AUTH_TOKEN_LEN);
    assert_int_equal(strncmp(t1, "mgt_", 4), 0);
    assert_int_equal(auth_token_create(st, &admin_cli, "bob", "dashboard", T0 + 3600, T0, &id2, t2,
                                       &err), 0);
    assert_string_not_equal(t1, t2);
    /* bad input */
    assert_int_equal(auth_token_create(st, &admin_cli, "nobody", "x", 0, T0, NULL, t3, &err), -1);
    assert_int_equal(err.code, AUTH_E_NOT_FOUND);
    assert_int_equal(auth_token_create(st, &admin_cli, "bob", "", 0, T0, NULL, t3, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_LABEL);
    assert_string_equal(auth_err_field(err.code), "label");
    assert_int_equal(auth_token_create(st, &admin_cli, "bob", "a\nb", 0, T0, NULL, t3, &err), -1);
    assert_int_equal(auth_token_create(st, &admin_cli, "bob", "x", T0 - 1, T0, NULL, t3, &err),
                     -1);
    assert_int_equal(err.code, AUTH_E_BAD_EXPIRES);
    assert_string_equal(t3, "");

    /* check: the token acts as its user, with the user's role now */
    assert_int_equal(auth_token_check(st, t1, T0 + 10, &p, &err), 1);
    assert_string_equal(p.user.name, "alice");
    assert_int_equal(p.user.role, AUTH_ROLE_LEADER);
    assert_int_equal(p.via, AUTH_VIA_TOKEN);
    assert_int_equal(p.cred_id, id1);
    assert_int_equal(auth_csrf_check(&p, NULL), 1); /* not sent by browsers on their own */
    assert_int_equal(auth_user_set_role(st, &admin_cli, "alice", AUTH_ROLE_STAFF, NULL, T0, &err),
                     0);
    assert_int_equal(auth_token_check(st, t1, T0 + 11, &p, &err), 1);
    assert_int_equal(p.user.role, AUTH_ROLE_STAFF);
    /* malformed and unknown */
    assert_int_equal(auth_token_check(st, "mgt_", T0, &p, &err), 0);
    assert_int_equal(auth_token_check(st, NULL, T0, &p, &err), 0);
    assert_int_equal(auth_token_check(st, t1 + 4, T0, &p, &err), 0);
    {
        char t[AUTH_TOKEN_LEN + 1];
        snprintf(t, sizeof(t), "%s", t1);
        t[10] = t[10] == 'x' ? 'y' : 'x';
        assert_int_equal(auth_token_check(st, t, T0, &p, &err), 0);
    }
    /* expiry */
    assert_int_equal(auth_token_check(st, t2, T0 + 3599, &p, &err), 1);
    assert_int_equal(auth_token_check(st, t2, T0 + 3600, &p, &err), 0);

    /* revoke: only once, only the owner's when restricted */
    assert_int_equal(auth_token_create(st, &admin_cli, "bob", "cron", 0, T0, &id3, t3, &err), 0);
    assert_int_equal(auth_token_revoke(st, &admin_cli, id1, id3 /* not a user id of alice */ + 100,
                                       T0 + 20, &err), 0);
    assert_int_equal(auth_token_check(st, t1, T0 + 21, &p, &err), 1);
    assert_int_equal(auth_token_revoke(st, &admin_cli, id1, 0, T0 + 22, &err), 1);
    assert_int_equal(auth_token_revoke(st, &admin_cli, id1, 0, T0 + 23, &err), 0);
    assert_int_equal(auth_token_revoke(st, &admin_cli, 9999, 0, T0 + 23, &err), 0);
    assert_int_equal(auth_token_revoke(st, &admin_cli, 0, 0, T0 + 23, &err), -1);
    assert_int_equal(err.code, AUTH_E_BAD_ID);
    assert_int_equal(auth_token_check(st, t1, T0 + 24, &p, &err), 0);

    /* listing: newest first, last use recorded, no secret */
    assert_int_equal(auth_token_each(st, 0, token_list, &sb, &err), 3);
    {
        char want[256];
        snprintf(want, sizeof(want), "%lld:bob:cron:0:0;%lld:bob:dashboard:0:1;%lld:alice:每日导出:1:1;",
                 (long long)id3, (long long)id2, (long long)id1);
        assert_string_equal(sb.buf, want);
    }
    strbuf_reset(&sb);
    {
        struct auth_user bob;
        assert_int_equal(auth_user_get(st, "bob", &bob, &err), 1);
        assert_int_equal(auth_token_each(st, bob.id, token_list, &sb, &err), 2);
        assert_int_equal(auth_token_revoke(st, &admin_cli, id1, bob.id, T0, &err), 0);
    }
    strbuf_reset(&sb);
    {
        struct auth_token_info info = { id1, 1, "alice", "x\"y", T0, 0, T0 + 10, T0 + 22 };
        auth_token_json(&sb, &info);
        assert_non_null(strstr(sb.buf, "\"label\":\"x\\\"y\""));
        assert_non_null(strstr(sb.buf, "\"expires\":null"));
        assert_non_null(strstr(sb.buf, "\"revoked\":\"2025-06-15T15:07:02Z\""));
    }
    strbuf_release(&sb);

    /* stored hashed */
    {
        sqlite3 *db;
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM api_token WHERE"
                                                " length(hash) = 32 AND instr(quote(hash), ?) = 0"
                                                " AND instr(label, ?) = 0", -1, &q, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(q, 1, t3 + 4, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, t3 + 4, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(q, 0), 3);
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    assert_int_equal(count_audit("token.create", NULL), 3);
    assert_int_equal(count_audit("token.revoke", NULL), 1);
}

/* ---- transactions ---- */

static void test_in_callers_transaction(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_user u;

    /* rolled back with the caller's transaction: no user, no audit row */
    assert_int_equal(store_begin(st, &err), 0);
    add("ghost", AUTH_ROLE_VIEWER, NULL, "ghost password");
    assert_true(store_in_transaction(st));
    store_rollback(st);
    assert_int_equal(auth_user_get(st, "ghost", &u, &err), 0);
    assert_int_equal(count_audit("user.add", "ghost"), 0);

    /* committed with it */
    assert_int_equal(store_begin(st, &err), 0);
    add("ghost", AUTH_ROLE_VIEWER, NULL, "ghost password");
    assert_true(store_in_transaction(st));
    assert_int_equal(store_commit(st, &err), 0);
    assert_int_equal(auth_user_get(st, "ghost", &u, &err), 1);
    assert_int_equal(count_audit("user.add", "ghost"), 1);

    /* on its own: a transaction of its own, closed */
    add("casper", AUTH_ROLE_VIEWER, NULL, "ghost password");
    assert_false(store_in_transaction(st));
}

static void test_secrets(void **state)
{
    char a[AUTH_SECRET_LEN + 1], b[AUTH_SECRET_LEN + 1];
    unsigned char x[32], y[32];
    int i;

    assert_int_equal(auth_random_secret(a, NULL), 0);
    assert_int_equal(auth_random_secret(b, NULL), 0);
    assert_int_equal(strlen(a), 43);
    assert_string_not_equal(a, b);
    assert_true(auth_secret_wellformed(a));
    assert_false(auth_secret_wellformed("abc"));
    a[5] = '+';
    assert_false(auth_secret_wellformed(a));
    memset(x, 7, 32);
    memcpy(y, x, 32);
    assert_true(auth_equal_ct(x, y, 32));
    for (i = 0; i < 32; i++) {
        y[i] ^= 1;
        assert_false(auth_equal_ct(x, y, 32));
        y[i] ^= 1;
    }
    /* SHA-256 of "abc" */
    auth_sha256("abc", 3, x);
    assert_int_equal(x[0], 0xba);
    assert_int_equal(x[31], 0xad);
}

/* ---- checks inside a read transaction write nothing ---- */

static int64_t session_rows(void)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t n = -1;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM session", -1, &q, NULL),
                     SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

static void test_verify_defers_writes(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_session s, s2;
    struct auth_principal p;
    char token[AUTH_TOKEN_LEN + 1];
    struct store *other;

    add("alice", AUTH_ROLE_VIEWER, NULL, "correct horse");
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s, &err), 0);
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s2, &err), 0);
    assert_int_equal(session_rows(), 2);

    /* inside a read transaction, with another connection writing
     * meanwhile (a write there would fail with SQLITE_BUSY_SNAPSHOT) */
    assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &other, &err), 0);
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_session_verify(st, s.id, T0 + 1000, &p, &err), 1);
    assert_int_equal(auth_user_add(other, &admin_cli, "bob", AUTH_ROLE_VIEWER, NULL,
                                   "battery staple", T0, NULL, &err), 0);
    assert_int_equal(auth_session_verify(st, s2.id, T0 + 1000, &p, &err), 1);
    assert_true(p.touch_due);
    assert_int_equal(p.expires, T0 + 1000 + 1800);
    store_read_end(st);
    store_close(other);

    /* s was not touched: idle since T0, it has ended at T0 + 1800 */
    assert_int_equal(auth_session_verify(st, s.id, T0 + 1900, &p, &err), 0);
    assert_int_equal(p.stale_session != 0, 1);
    assert_int_equal(session_rows(), 2);  /* verify deletes nothing... */
    assert_int_equal(auth_write_back(st, &p, T0 + 1900, &err), 0);
    assert_int_equal(session_rows(), 1);  /* ...write_back does */

    /* s2's touch written back after the transaction moves its idle end */
    assert_int_equal(auth_session_verify(st, s2.id, T0 + 1000, &p, &err), 1);
    assert_int_equal(auth_write_back(st, &p, T0 + 1000, &err), 0);
    assert_int_equal(auth_session_verify(st, s2.id, T0 + 1030, &p, &err), 1);
    assert_false(p.touch_due);  /* within touch_every (60 s) of the write */
    assert_int_equal(auth_session_verify(st, s2.id, T0 + 1900, &p, &err), 1);
    assert_true(p.touch_due);
    assert_int_equal(auth_session_verify(st, s2.id, T0 + 1000 + 1800, &p, &err), 0);

    /* tokens: last use is due, written back, then not due */
    assert_int_equal(auth_token_create(st, &admin_cli, "alice", "script", 0, T0, NULL, token,
                                       &err), 0);
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_token_verify(st, token, T0 + 100, &p, &err), 1);
    assert_true(p.touch_due);
    store_read_end(st);
    assert_int_equal(auth_write_back(st, &p, T0 + 100, &err), 0);
    assert_int_equal(auth_token_verify(st, token, T0 + 130, &p, &err), 1);
    assert_false(p.touch_due);
    assert_int_equal(auth_token_verify(st, token, T0 + 161, &p, &err), 1);
    assert_true(p.touch_due);
    (void)state;
}

/* ---- the credential memo of read transactions ----
 * Inside read transactions a connection answers credential lookups from
 * memory while the file is unchanged; any commit, on this connection or
 * another, must make it look again. */
static void test_memo_follows_every_change(void **state)
{
    struct error err = ERROR_INIT;
    struct auth_principal p;
    struct auth_session s;
    char t1[AUTH_TOKEN_LEN + 1], t2[AUTH_TOKEN_LEN + 1];
    struct store *other;
    int64_t id1 = 0;

    add("root", AUTH_ROLE_ADMIN, NULL, "root password");
    add("alice", AUTH_ROLE_STAFF, NULL, "correct horse");
    assert_int_equal(auth_token_create(st, &admin_cli, "alice", "a", 0, T0, &id1, t1, &err), 0);
    assert_int_equal(auth_token_create(st, &admin_cli, "alice", "b", 0, T0, NULL, t2, &err), 0);
    assert_int_equal(auth_login(st, "alice", "correct horse", "::1", T0, &s, &err), 0);
    assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &other, &err), 0);

    /* memoised: found, and found again in the next transaction */
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_token_verify(st, t1, T0 + 1, &p, &err), 1);
    assert_int_equal(auth_session_verify(st, s.id, T0 + 1, &p, &err), 1);
    store_read_end(st);
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_token_verify(st, t1, T0 + 2, &p, &err), 1);
    assert_int_equal(p.user.role, AUTH_ROLE_STAFF);
    store_read_end(st);

    /* another connection revokes t1: the next transaction sees it */
    assert_int_equal(auth_token_revoke(other, &admin_cli, id1, 0, T0 + 3, &err), 1);
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_token_verify(st, t1, T0 + 4, &p, &err), 0);
    assert_int_equal(auth_token_verify(st, t2, T0 + 4, &p, &err), 1);
    store_read_end(st);

    /* this same connection changes alice's role: seen too */
    assert_int_equal(auth_user_set_role(st, &admin_cli, "alice", AUTH_ROLE_VIEWER, NULL, T0 + 5,
                                        &err),
                     0);
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_token_verify(st, t2, T0 + 6, &p, &err), 1);
    assert_int_equal(p.user.role, AUTH_ROLE_VIEWER);
    assert_int_equal(auth_session_verify(st, s.id, T0 + 6, &p, &err), 1);
    assert_int_equal(p.user.role, AUTH_ROLE_VIEWER);
    store_read_end(st);

    /* logout on another connection ends the memoised session */
    assert_int_equal(auth_logout(other, s.id, "::1", T0 + 7, &err), 1);
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_session_verify(st, s.id, T0 + 8, &p, &err), 0);
    store_read_end(st);

    /* disabling alice elsewhere stops t2 at once */
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_token_verify(st, t2, T0 + 9, &p, &err), 1);
    store_read_end(st);
    assert_int_equal(auth_user_set_disabled(other, &admin_cli, "alice", 1, T0 + 10, &err), 0);
    assert_int_equal(store_read_begin(st, &err), 0);
    assert_int_equal(auth_token_verify(st, t2, T0 + 11, &p, &err), 0);
    store_read_end(st);
    store_close(other);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hash_verify),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_secrets),
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_session_csrf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_name_and_password_alike, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_and_passwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rehash_on_login, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_defers_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memo_follows_every_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_callers_transaction, setup, teardown),
    };
    fast_config();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
