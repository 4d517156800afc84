/*
 * test_store.c - the store: schema and migrations, the column order that
 * store_ent.c relies on, insert/update/history, and refusing files that are
 * not (or not yet) Magnet stores.
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
#include <unistd.h>

#include "base/strbuf.h"
#include "store/store.h"

static char dbpath[256];

static int setup(void **state)
{
    snprintf(dbpath, sizeof(dbpath), "/tmp/magnet-test-store-%d.db", (int)getpid());
    unlink(dbpath);
    return 0;
}

static int teardown(void **state)
{
    char p[300];
    unlink(dbpath);
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    return 0;
}

static void test_open_requires_init(void **state)
{
    struct store *st = NULL;
    struct error err = ERROR_INIT;
    assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &st, &err), -1);
    assert_non_null(strstr(err.msg, "magnet init"));
    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    assert_int_equal(store_schema_version(st), store_schema_latest());
    store_close(st);
    /* reopening an existing store migrates nothing and works */
    assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &st, &err), 0);
    store_close(st);
}

/* store_ent.c binds and loads ent's columns in the field table's order. */
static void test_columns_follow_field_table(void **state)
{
    struct store *st;
    struct error err = ERROR_INIT;
    sqlite3 *db;
    sqlite3_stmt *s;
    struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
    int f;

    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    store_close(st);
    strbuf_addstr(&want, "id,");
    for (f = 0; f < F_COUNT; f++) {
        strbuf_addf(&want, "%s,", ent_fields[f].name);
        if (f == F_NAME)
            strbuf_addstr(&want, "name_key,name_hash,");
        if (ent_fields[f].type == FT_MONEY)
            strbuf_addf(&want, "%s_cur,", ent_fields[f].name);
        if (ent_fields[f].type == FT_STATUS || ent_fields[f].type == FT_TAGS)
            strbuf_addf(&want, "%s_text,", ent_fields[f].name);
    }
    strbuf_addstr(&want, "created_batch,updated_batch,");
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('ent') ORDER BY cid",
                                        -1, &s, NULL), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW)
        strbuf_addf(&got, "%s,", sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    assert_string_equal(got.buf, want.buf);
    strbuf_release(&want);
    strbuf_release(&got);
}

static void test_refuses_foreign_and_newer(void **state)
{
    struct store *st = NULL;
    struct error err = ERROR_INIT;
    sqlite3 *db;
    FILE *f;

    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE other(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), -1);
    assert_non_null(strstr(err.msg, "not a Magnet store"));
    teardown(state);

    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    store_close(st);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &st, &err), -1);
    assert_non_null(strstr(err.msg, "newer than this magnet"));
    teardown(state);

    f = fopen(dbpath, "w");
    fputs("企业名称,统一社会信用代码\nnot a database at all, but long enough to look like one......\n",
          f);
    fclose(f);
    assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &st, &err), -1);
    assert_true(strlen(err.msg) > 0);
}

static int count_changes(const struct ent_change_row *c, void *ctx)
{
    struct strbuf *sb = ctx;
    strbuf_addf(sb, "%s:%s>%s;", c->field, c->old_value ? c->old_value : "-", c->new_value);
    return 0;
}

static void test_insert_update_history(void **state)
{
    struct store *st;
    struct error err = ERROR_INIT;
    struct ent e, loaded, upd;
    struct money m = { 500000000, "CNY" };
    struct batch_info bi = { "import", "a.csv", NULL, NULL, "tester" };
    struct batch_counts bc = { 1, 1, 0, 0, 0 };
    struct strbuf hist = STRBUF_INIT;
    int64_t b1, b2, id;

    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_batch_begin(st, &bi, &b1, &err), 0);
    ent_init(&e);
    ent_set_text(&e, F_USCC, "91330106MA2AXK0C3Q", 18);
    ent_set_text(&e, F_NAME, "杭州云栖智算科技有限公司", strlen("杭州云栖智算科技有限公司"));
    ent_set_name_key(&e, "杭州云栖智算科技有限公司", strlen("杭州云栖智算科技有限公司"));
    ent_set_money(&e, F_CAPITAL, &m);
    ent_set_int(&e, F_STAFF, 56);
    ent_set_status(&e, STATUS_ACTIVE, "存续", strlen("存续"));
    assert_int_equal(store_ent_insert(st, &e, b1, &err), 0);
    assert_true(e.id > 0);
    /* the same USCC again is reported, not inserted */
    assert_int_equal(store_ent_insert(st, &e, b1, &err), 1);
    assert_int_equal(store_batch_finish(st, b1, "ab", &bc, &err), 0);
    assert_int_equal(store_commit(st, &err), 0);

    assert_int_equal(store_ent_find_uscc(st, "91330106MA2AXK0C3Q", &id, &err), 1);
    assert_int_equal(id, e.id);
    assert_int_equal(store_ent_load(st, id, &loaded, &err), 0);
    assert_int_equal(loaded.v[F_CAPITAL].i, 500000000);
    assert_string_equal(loaded.v[F_CAPITAL].s, "CNY");
    assert_int_equal(loaded.v[F_STATUS].i, STATUS_ACTIVE);
    assert_false(loaded.v[F_FOUNDED].set);

    /* update two fields; the others keep their values */
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_batch_begin(st, &bi, &b2, &err), 0);
    ent_init(&upd);
    upd.id = id;
    m.cents = 800000000;
    ent_set_money(&upd, F_CAPITAL, &m);
    ent_set_text(&upd, F_FOUNDED, "2019-03-05", 10);
    assert_int_equal(store_ent_update(st, &loaded, &upd, (1ull << F_CAPITAL) | (1ull << F_FOUNDED),
                                      b2, &err), 0);
    assert_int_equal(store_commit(st, &err), 0);
    ent_release(&loaded);
    assert_int_equal(store_ent_load(st, id, &loaded, &err), 0);
    assert_int_equal(loaded.v[F_CAPITAL].i, 800000000);
    assert_string_equal(loaded.v[F_FOUNDED].s, "2019-03-05");
    assert_int_equal(loaded.v[F_STAFF].i, 56);
    assert_string_equal(loaded.v[F_NAME].s, "杭州云栖智算科技有限公司");
    assert_int_equal(store_ent_history(st, id, count_changes, &hist, &err), 0);
    assert_string_equal(hist.buf, "capital:5000000.00 CNY>8000000.00 CNY;founded:->2019-03-05;");

    /* a rolled-back write leaves nothing */
    assert_int_equal(store_begin(st, &err), 0);
    ent_set_text(&e, F_USCC, "91330106MA2B7LQ526", 18);
    assert_int_equal(store_ent_insert(st, &e, b2, &err), 0);
    store_rollback(st);
    assert_int_equal(store_ent_find_uscc(st, "91330106MA2B7LQ526", &id, &err), 0);
    assert_int_equal(store_ent_count(st, &err), 1);

    /* by USCC, with a hint that is right, wrong, missing or none: always
     * the row whose USCC it is */
    {
        static const int64_t hints[] = { 0, 1, 2, 999, -5 };
        struct ent byu;
        int64_t other;
        size_t k;
        assert_int_equal(store_begin(st, &err), 0);
        ent_set_text(&e, F_USCC, "91330106MA2B7LQ526", 18);
        assert_int_equal(store_ent_insert(st, &e, b2, &err), 0);
        other = e.id;
        assert_int_equal(store_commit(st, &err), 0);
        for (k = 0; k < sizeof(hints) / sizeof(hints[0]); k++) {
            int64_t h = hints[k] == 1 ? id : hints[k] == 2 ? other : hints[k];
            assert_int_equal(store_ent_load_uscc(st, "91330106MA2AXK0C3Q", h, &byu, &err), 1);
            assert_int_equal(byu.id, id);
            assert_string_equal(byu.v[F_USCC].s, "91330106MA2AXK0C3Q");
            assert_int_equal(byu.v[F_CAPITAL].i, 800000000);
            ent_release(&byu);
            assert_int_equal(store_ent_load_uscc(st, "91330106MA2B7LQ526", h, &byu, &err), 1);
            assert_int_equal(byu.id, other);
            ent_release(&byu);
            assert_int_equal(store_ent_load_uscc(st, "91110000000000000X", h, &byu, &err), 0);
            assert_false(byu.v[F_NAME].set);
            ent_release(&byu);
        }
    }

    strbuf_release(&hist);
    ent_release(&e);
    ent_release(&upd);
    ent_release(&loaded);
    store_close(st);
}

/* The indexes on ent as a separate connection sees them. */
static void indexes_of(char *out, size_t cap)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    size_t n = 0;
    out[0] = '\0';
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'index'"
                                            " AND tbl_name = 'ent' AND sql IS NOT NULL ORDER BY name",
                                        -1, &s, NULL),
                     SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW)
        n += (size_t)snprintf(out + n, cap - n, "%s,", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void make_ent(struct ent *e, const char *uscc, const char *name, const char *region)
{
    ent_init(e);
    if (uscc)
        ent_set_text(e, F_USCC, uscc, strlen(uscc));
    ent_set_text(e, F_NAME, name, strlen(name));
    ent_set_name_key(e, name, strlen(name));
    if (region)
        ent_set_text(e, F_REGION, region, strlen(region));
}

/* A load into an empty store drops the USCC and name indexes and answers
 * their lookups from memory, exactly as the indexes would; the commit
 * brings them back, and so does a rollback. */
static void test_bulk_load(void **state)
{
    struct store *st;
    struct error err = ERROR_INIT;
    struct ent a, b, b2, loaded;
    struct batch_info bi = { "import", "a.csv", NULL, NULL, "tester" };
    int64_t batch, id, ids[4];
    char before[512], after[512];

    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    indexes_of(before, sizeof(before));
    assert_non_null(strstr(before, "ent_uscc,"));
    assert_non_null(strstr(before, "ent_name_hash,"));
    assert_int_equal(store_bulk_begin(st, &err), -1); /* outside a transaction */

    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_batch_begin(st, &bi, &batch, &err), 0);
    assert_int_equal(store_bulk_begin(st, &err), 1);
    make_ent(&a, "91330106MA2AXK0C3Q", "同名公司", "330106");
    make_ent(&b, NULL, "同名公司", "330106");
    assert_int_equal(store_ent_insert(st, &a, batch, &err), 0);
    assert_int_equal(store_ent_insert(st, &a, batch, &err), 1); /* the USCC is taken */
    assert_int_equal(store_ent_find_uscc(st, "91330106MA2AXK0C3Q", &id, &err), 1);
    assert_int_equal(id, a.id);
    assert_int_equal(store_ent_find_uscc(st, "91330106MA2B7LQ526", &id, &err), 0);
    assert_int_equal(store_ent_find_name(st, "同名公司", NULL, ids, 4, &err), 1);
    assert_int_equal(store_ent_insert(st, &b, batch, &err), 0);
    assert_int_equal(store_ent_find_name(st, "同名公司", "330106", ids, 4, &err), 2);
    assert_true(ids[0] == a.id && ids[1] == b.id);
    assert_int_equal(store_ent_find_name(st, "同名公司", "110108", ids, 4, &err), 0);
    assert_int_equal(store_ent_find_name(st, "同名公司", NULL, ids, 1, &err), 2);
    assert_int_equal(ids[0], a.id);

    /* an update that gives b a USCC and a new name moves it in both maps */
    assert_int_equal(store_ent_load(st, b.id, &loaded, &err), 0);
    make_ent(&b2, "91330106MA2B7LQ526", "新名公司", NULL);
    b2.id = b.id;
    assert_int_equal(store_ent_update(st, &loaded, &b2, (1ull << F_USCC) | (1ull << F_NAME), batch,
                                      &err),
                     0);
    assert_int_equal(store_ent_find_uscc(st, "91330106MA2B7LQ526", &id, &err), 1);
    assert_int_equal(id, b.id);
    assert_int_equal(store_ent_find_name(st, "同名公司", NULL, ids, 4, &err), 1);
    assert_int_equal(store_ent_find_name(st, "新名公司", "330106", ids, 4, &err), 1);
    assert_int_equal(ids[0], b.id);
    assert_int_equal(store_ent_insert(st, &b2, batch, &err), 1);
    assert_int_equal(store_commit(st, &err), 0);
    indexes_of(after, sizeof(after));
    assert_string_equal(after, before);
    assert_int_equal(store_ent_find_uscc(st, "91330106MA2B7LQ526", &id, &err), 1);

    /* not empty any more: no bulk load */
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_bulk_begin(st, &err), 0);
    store_rollback(st);
    store_close(st);
    ent_release(&a);
    ent_release(&b);
    ent_release(&b2);
    ent_release(&loaded);

    /* a rolled-back bulk load leaves the indexes as they were */
    teardown(state);
    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_bulk_begin(st, &err), 1);
    store_rollback(st);
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_bulk_begin(st, &err), 1);
    store_close(st); /* with the transaction open: rolled back */
    indexes_of(after, sizeof(after));
    assert_string_equal(after, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_requires_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_columns_follow_field_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_foreign_and_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_update_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bulk_load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
