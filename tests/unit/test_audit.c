/*
 * test_audit.c - the audit trail (src/auth/audit.c, src/store/store_audit.c):
 *   - rows keep who, when, from where, what and before/after exactly;
 *   - queries by entity, entity id, user and time range, newest first,
 *     with limit/offset and keyset paging, and the total;
 *   - bad entries and filters are refused naming the field;
 *   - the table is append-only: UPDATE and DELETE fail even through a
 *     raw SQLite connection;
 *   - a row written inside the caller's transaction commits or rolls back
 *     with the caller's write;
 *   - JSON rendering and the time parser/formatter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/audit.h"
#include "base/strbuf.h"
#include "store/store.h"

#define T0 1750000000 /* 2025-06-15T15:06:40Z */

static char dir[128], dbpath[256];
static struct store *st;

static int setup(void **state)
{
    struct error err = ERROR_INIT;
    snprintf(dir, sizeof(dir), "/tmp/magnet-test-audit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(dbpath, sizeof(dbpath), "%s/m.db", dir);
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
    return system(cmd) != 0;
}

static void record(const char *user, int64_t uid, const char *action, const char *entity,
                   const char *id, const char *before, const char *after, int64_t at)
{
    struct audit_actor who = { uid, user, uid ? "192.0.2.1" : "cli" };
    struct audit_entry e = { action, entity, id, before, after };
    struct error err = ERROR_INIT;
    if (audit_record(st, &who, &e, at, NULL, &err) != 0)
        fail_msg("%s", err.msg);
}

/* Rows as "id:action:entity_id;" */
static int collect(const struct audit_row *r, void *p)
{
    strbuf_addf(p, "%lld:%s:%s;", (long long)r->id, r->action, r->entity_id ? r->entity_id : "-");
    return 0;
}

static const char *query(const struct audit_filter *f, int64_t *total)
{
    static struct strbuf sb = STRBUF_INIT;
    struct error err = ERROR_INIT;
    strbuf_reset(&sb);
    if (audit_query(st, f, collect, &sb, total, &err) < 0)
        fail_msg("%s", err.msg);
    return sb.buf;
}

static int keep_row(const struct audit_row *r, void *p)
{
    struct strbuf *sb = p;
    audit_row_json(sb, r);
    return 1;
}

static void test_record_and_read_back(void **state)
{
    struct audit_actor who = { 7, "alice", "2001:db8::1" };
    struct audit_entry e = { "ent.update", "ent", "91330106MA2xxxxx0X",
                             "{\"name\":\"杭州云栖科技有限公司\",\"capital\":500}",
                             "{\"name\":\"杭州云栖智算科技有限公司\",\"capital\":800}" };
    struct audit_filter f = { 0 };
    struct strbuf sb = STRBUF_INIT;
    struct error err = ERROR_INIT;
    json_error_t je;
    json_t *o;
    int64_t id = 0, total = 0;

    assert_int_equal(audit_record(st, &who, &e, T0, &id, &err), 0);
    assert_true(id > 0);
    assert_int_equal(audit_query(st, &f, keep_row, &sb, &total, &err), 1);
    assert_int_equal(total, 1);
    o = json_loads(sb.buf, 0, &je);
    if (!o)
        fail_msg("%s: %s", je.text, sb.buf);
    assert_int_equal(json_integer_value(json_object_get(o, "id")), id);
    assert_string_equal(json_string_value(json_object_get(o, "at")), "2025-06-15T15:06:40Z");
    assert_int_equal(json_integer_value(json_object_get(o, "user_id")), 7);
    assert_string_equal(json_string_value(json_object_get(o, "user")), "alice");
    assert_string_equal(json_string_value(json_object_get(o, "remote")), "2001:db8::1");
    assert_string_equal(json_string_value(json_object_get(o, "action")), "ent.update");
    assert_string_equal(json_string_value(json_object_get(o, "entity")), "ent");
    assert_string_equal(json_string_value(json_object_get(o, "entity_id")), "91330106MA2xxxxx0X");
    /* before/after are JSON values, not strings */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "before"), "capital")),
                     500);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "after"), "name")),
                        "杭州云栖智算科技有限公司");
    json_decref(o);

    /* a creation (no before) and a CLI actor without id */
    strbuf_reset(&sb);
    record("cli:ops", 0, "list.save", "list", "西湖AI", NULL, "[1,2,3]", T0 + 1);
    assert_int_equal(audit_query(st, &f, keep_row, &sb, NULL, &err), 1);
    o = json_loads(sb.buf, 0, &je);
    assert_non_null(o);
    assert_true(json_is_null(json_object_get(o, "user_id")));
    assert_true(json_is_null(json_object_get(o, "before")));
    assert_true(json_is_array(json_object_get(o, "after")));
    assert_string_equal(json_string_value(json_object_get(o, "remote")), "cli");
    json_decref(o);
    strbuf_release(&sb);
}

static void test_queries_and_paging(void **state)
{
    struct audit_filter f;
    int64_t total = 0;
    char id[16];
    int i;

    /* 30 rows: users alternate, entities rotate, one per minute */
    for (i = 1; i <= 30; i++) {
        snprintf(id, sizeof(id), "e%d", i % 3);
        record(i % 2 ? "alice" : "bob", i % 2 ? 1 : 2, i % 5 ? "ent.update" : "ent.delete",
               i % 4 ? "ent" : "list", id, "{}", "{}", T0 + i * 60);
    }

    memset(&f, 0, sizeof(f));
    f.limit = 3;
    assert_string_equal(query(&f, &total), "30:ent.delete:e0;29:ent.update:e2;28:ent.update:e1;");
    assert_int_equal(total, 30);
    /* offset */
    f.offset = 27;
    assert_string_equal(query(&f, &total), "3:ent.update:e0;2:ent.update:e2;1:ent.update:e1;");
    f.offset = 30;
    assert_string_equal(query(&f, &total), "");
    assert_int_equal(total, 30);
    /* keyset: older than row 5 (the total ignores it) */
    f.offset = 0;
    f.before_id = 5;
    assert_string_equal(query(&f, &total), "4:ent.update:e1;3:ent.update:e0;2:ent.update:e2;");
    assert_int_equal(total, 30);

    /* by user */
    memset(&f, 0, sizeof(f));
    f.user = "bob";
    f.limit = 100;
    query(&f, &total);
    assert_int_equal(total, 15);
    f.user = "Bob"; /* exact */
    query(&f, &total);
    assert_int_equal(total, 0);

    /* by entity and id: rows 4, 8, ..., 28 are lists; of those, id e0 when i%3==0: 12, 24 */
    memset(&f, 0, sizeof(f));
    f.entity = "list";
    f.entity_id = "e0";
    assert_string_equal(query(&f, &total), "24:ent.update:e0;12:ent.update:e0;");
    assert_int_equal(total, 2);
    f.entity_id = NULL;
    query(&f, &total);
    assert_int_equal(total, 7);
    /* entity id alone */
    memset(&f, 0, sizeof(f));
    f.entity_id = "e1";
    query(&f, &total);
    assert_int_equal(total, 10);

    /* time range: [T0+10min, T0+13min) -> rows 10, 11, 12 */
    memset(&f, 0, sizeof(f));
    f.since = T0 + 600;
    f.until = T0 + 780;
    assert_string_equal(query(&f, &total), "12:ent.update:e0;11:ent.update:e2;10:ent.delete:e1;");
    assert_int_equal(total, 3);
    /* combined: bob's changes to ents in that range: 10 (12 is a list) */
    f.user = "bob";
    f.entity = "ent";
    assert_string_equal(query(&f, &total), "10:ent.delete:e1;");
    assert_int_equal(total, 1);

    /* the default page is 100, the largest 1000 */
    memset(&f, 0, sizeof(f));
    query(&f, &total);
    assert_int_equal(total, 30);
}

static void test_bad_entries_and_filters(void **state)
{
    struct audit_actor who = { 1, "alice", "10.0.0.1" };
    struct audit_entry e = { "ent.update", "ent", "1", NULL, NULL };
    struct audit_filter f;
    struct error err = ERROR_INIT;
    struct strbuf big = STRBUF_INIT;
    char longid[AUDIT_ENTITY_ID_MAX + 2];

#define REFUSED(code_)                                                                       \
    do {                                                                                     \
        assert_int_equal(audit_record(st, &who, &e, T0, NULL, &err), -1);                    \
        assert_int_equal(err.code, code_);                                                   \
        assert_true(audit_err_is_invalid(err.code));                                         \
        e = (struct audit_entry){ "ent.update", "ent", "1", NULL, NULL };                    \
        who = (struct audit_actor){ 1, "alice", "10.0.0.1" };                                \
    } while (0)

    e.action = "";
    REFUSED(AUDIT_E_BAD_ACTION);
    e.action = NULL;
    REFUSED(AUDIT_E_BAD_ACTION);
    e.action = "Ent.Update";
    REFUSED(AUDIT_E_BAD_ACTION);
    e.action = "ent update";
    REFUSED(AUDIT_E_BAD_ACTION);
    e.entity = "ent-x";
    REFUSED(AUDIT_E_BAD_ENTITY);
    e.entity = NULL;
    REFUSED(AUDIT_E_BAD_ENTITY);
    e.entity_id = "";
    REFUSED(AUDIT_E_BAD_ENTITY_ID);
    e.entity_id = "a\nb";
    REFUSED(AUDIT_E_BAD_ENTITY_ID);
    e.entity_id = "\xc3\x28";
    REFUSED(AUDIT_E_BAD_ENTITY_ID);
    memset(longid, 'x', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = 0;
    e.entity_id = longid;
    REFUSED(AUDIT_E_BAD_ENTITY_ID);
    e.before = "{\"a\":";
    REFUSED(AUDIT_E_BAD_BEFORE);
    e.after = "not json";
    REFUSED(AUDIT_E_BAD_AFTER);
    assert_string_equal(audit_err_field(AUDIT_E_BAD_AFTER), "after");
    strbuf_addch(&big, '"');
    while (big.len <= AUDIT_VALUE_MAX)
        strbuf_addstr(&big, "xxxxxxxxxxxxxxxx");
    strbuf_addch(&big, '"');
    e.after = big.buf;
    REFUSED(AUDIT_E_BAD_AFTER);
    strbuf_release(&big);
    who.user = "";
    REFUSED(AUDIT_E_BAD_USER);
    who.user = NULL;
    REFUSED(AUDIT_E_BAD_USER);
    who.remote = "10.0.0.1; DROP";
    REFUSED(AUDIT_E_BAD_REMOTE);
    assert_int_equal(audit_record(st, NULL, &e, T0, NULL, &err), -1);
    assert_int_equal(err.code, AUDIT_E_BAD_USER);
    /* nothing was written */
    memset(&f, 0, sizeof(f));
    query(&f, NULL);
    assert_string_equal(query(&f, NULL), "");

    /* filters */
    memset(&f, 0, sizeof(f));
    f.limit = AUDIT_LIMIT_MAX + 1;
    assert_int_equal(audit_query(st, &f, collect, NULL, NULL, &err), -1);
    assert_int_equal(err.code, AUDIT_E_BAD_LIMIT);
    assert_string_equal(audit_err_field(err.code), "limit");
    f.limit = -1;
    assert_int_equal(audit_query(st, &f, collect, NULL, NULL, &err), -1);
    f.limit = 0;
    f.offset = -1;
    assert_int_equal(audit_query(st, &f, collect, NULL, NULL, &err), -1);
    assert_int_equal(err.code, AUDIT_E_BAD_OFFSET);
    f.offset = 0;
    f.since = T0;
    f.until = T0;
    assert_int_equal(audit_query(st, &f, collect, NULL, NULL, &err), -1);
    assert_int_equal(err.code, AUDIT_E_BAD_UNTIL);
    f.since = f.until = 0;
    f.entity = "'; DELETE FROM audit; --";
    assert_int_equal(audit_query(st, &f, collect, NULL, NULL, &err), -1);
    assert_int_equal(err.code, AUDIT_E_BAD_ENTITY);
    f.entity = NULL;
    f.before_id = -3;
    assert_int_equal(audit_query(st, &f, collect, NULL, NULL, &err), -1);
    assert_int_equal(err.code, AUDIT_E_BAD_BEFORE_ID);
    assert_null(audit_err_field(AUDIT_E_STORE));
#undef REFUSED
}

static void test_append_only(void **state)
{
    sqlite3 *db;
    char *msg = NULL;
    int64_t total = 0;
    struct audit_filter f = { 0 };

    record("alice", 1, "user.add", "user", "bob", NULL, "{}", T0);
    record("alice", 1, "user.disable", "user", "bob", "{}", "{}", T0 + 1);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET user = 'mallory'", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit WHERE id = 1", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    /* a REPLACE would delete the old row first: refused too */
    assert_int_not_equal(sqlite3_exec(db, "INSERT OR REPLACE INTO audit(id, at, user, remote,"
                                          " action, entity) VALUES (1, 0, 'x', 'x', 'x', 'x')",
                                      NULL, NULL, &msg), SQLITE_OK);
    sqlite3_free(msg);
    sqlite3_close(db);
    query(&f, &total);
    assert_int_equal(total, 2);
    assert_string_equal(query(&f, NULL), "2:user.disable:bob;1:user.add:bob;");
}

static void test_same_transaction(void **state)
{
    struct error err = ERROR_INIT;
    struct audit_filter f = { 0 };
    int64_t total = 0;

    /* the caller's write and its audit row roll back together */
    assert_int_equal(store_begin(st, &err), 0);
    record("alice", 1, "list.delete", "list", "西湖AI", "{}", NULL, T0);
    assert_true(store_in_transaction(st));
    store_rollback(st);
    query(&f, &total);
    assert_int_equal(total, 0);

    /* and commit together */
    assert_int_equal(store_begin(st, &err), 0);
    record("alice", 1, "list.delete", "list", "西湖AI", "{}", NULL, T0);
    record("alice", 1, "list.delete", "list", "滨江AI", "{}", NULL, T0);
    assert_int_equal(store_commit(st, &err), 0);
    query(&f, &total);
    assert_int_equal(total, 2);
    assert_false(store_in_transaction(st));
}

static void test_times(void **state)
{
    struct error err = ERROR_INIT;
    char buf[32];
    int64_t t;

    assert_int_equal(audit_time_parse("2025-06-15", &t, &err), 0);
    assert_int_equal(t, 1749945600);
    assert_int_equal(audit_time_parse("2025-06-15T15:06:40Z", &t, &err), 0);
    assert_int_equal(t, T0);
    assert_int_equal(audit_time_parse("2025-06-15 15:06:40", &t, &err), 0);
    assert_int_equal(t, T0);
    assert_int_equal(audit_time_parse("1750000000", &t, &err), 0);
    assert_int_equal(t, T0);
    assert_int_equal(audit_time_parse("1970-01-01", &t, &err), 0);
    assert_int_equal(t, 0);
    assert_int_equal(audit_time_parse("2024-02-29", &t, &err), 0);
    assert_int_equal(audit_time_parse("2000-02-29", &t, &err), 0);
    assert_int_equal(audit_time_parse("2023-02-29", &t, &err), -1);
    assert_int_equal(err.code, AUDIT_E_BAD_SINCE);
    assert_int_equal(audit_time_parse("1900-02-29", &t, &err), -1);
    assert_int_equal(audit_time_parse("2025-04-31", &t, &err), -1);
    assert_int_equal(audit_time_parse("2025-13-01", &t, &err), -1);
    assert_int_equal(audit_time_parse("2025-06-15T24:00:00Z", &t, &err), -1);
    assert_int_equal(audit_time_parse("2025-06-15T15:06:40+08", &t, &err), -1);
    assert_int_equal(audit_time_parse("yesterday", &t, &err), -1);
    assert_non_null(strstr(err.msg, "YYYY-MM-DD"));
    assert_int_equal(audit_time_parse("", &t, &err), -1);
    assert_int_equal(audit_time_parse(NULL, &t, &err), -1);
    assert_int_equal(audit_time_parse("-5", &t, &err), -1);
    assert_int_equal(audit_time_parse("999999999999", &t, &err), -1);
    audit_time_format(T0, buf, sizeof(buf));
    assert_string_equal(buf, "2025-06-15T15:06:40Z");
    assert_int_equal(audit_time_parse(buf, &t, &err), 0);
    assert_int_equal(t, T0);
}

static void test_cli_actor(void **state)
{
    struct audit_actor a;
    char buf[AUDIT_USER_MAX + 1];
    setenv("USER", "ops;rm -rf", 1);
    audit_actor_cli(&a, buf, sizeof(buf));
    assert_string_equal(a.user, "cli:opsrm-rf");
    assert_string_equal(a.remote, "cli");
    assert_int_equal(a.user_id, 0);
    setenv("USER", "zhangsan", 1);
    audit_actor_cli(&a, buf, sizeof(buf));
    assert_string_equal(a.user, "cli:zhangsan");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queries_and_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_entries_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_transaction, setup, teardown),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_cli_actor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
