/*
 * test_import.c - the importer's own structures (registry/import.c): the
 * street search in addresses and the set of USCCs seen in a file; and the
 * before_commit hook, which puts the import's audit row in the import's
 * own transaction. The import itself is tested end to end
 * (tests/e2e/cases/1xxx).
 *
 * Includes the .c to reach the statics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "registry/import.c"

/* What street_in_address() must return: the longest street name of the
 * county in the address, the first such in table order, found by strstr. */
static const struct region *street_naive(const struct region *county, const char *address)
{
    const struct street_list *l;
    const struct region *best = NULL;
    size_t i, best_len = 0;
    pthread_once(&streets_once, streets_build);
    l = hashmap_get(&streets_by_county, county->code, strlen(county->code));
    for (i = 0; l && i < l->n; i++) {
        const struct region *r = l->streets[i].r;
        size_t len = strlen(r->name);
        assert_ptr_equal(r->parent, county);
        if (len > best_len && strstr(address, r->name)) {
            best = r;
            best_len = len;
        }
    }
    return best;
}

/* Every street of every county, alone, inside an address, after another
 * street's name, and cut short: the fast search agrees with the plain one. */
static void test_street_in_address(void **state)
{
    size_t i, n = region_count(), checked = 0;
    char addr[1024];
    const struct region *prev = NULL;
    for (i = 0; i < n; i++) {
        const struct region *r = region_at(i);
        const struct region *county = r->parent;
        size_t len;
        if (r->level != REGION_STREET || !county)
            continue;
        len = strlen(r->name);
        snprintf(addr, sizeof(addr), "%s%s文三路90号", county->full_name, r->name);
        assert_ptr_equal(street_in_address(county, addr), street_naive(county, addr));
        assert_non_null(street_in_address(county, addr));
        snprintf(addr, sizeof(addr), "%s", r->name);
        assert_ptr_equal(street_in_address(county, addr), street_naive(county, addr));
        if (prev && prev->parent == county) {
            snprintf(addr, sizeof(addr), "%s%s%s88号", county->full_name, prev->name, r->name);
            assert_ptr_equal(street_in_address(county, addr), street_naive(county, addr));
        }
        /* the name without its last character */
        snprintf(addr, sizeof(addr), "%s%.*s路1号", county->name, (int)(len > 3 ? len - 3 : 0),
                 r->name);
        assert_ptr_equal(street_in_address(county, addr), street_naive(county, addr));
        prev = r;
        checked++;
    }
    assert_true(checked > 30000);
    /* more characters than the fast search tracks */
    {
        const struct region *county = region_find_code("330106");
        struct strbuf sb = STRBUF_INIT;
        int k;
        assert_non_null(county);
        for (k = 0; k < 200; k++)
            strbuf_addstr(&sb, "路");
        strbuf_addstr(&sb, "西溪街道");
        assert_ptr_equal(street_in_address(county, sb.buf), street_naive(county, sb.buf));
        assert_non_null(street_in_address(county, sb.buf));
        strbuf_release(&sb);
    }
}

static void test_uscc_set(void **state)
{
    struct uscc_set set;
    char code[USCC_LEN + 1];
    size_t i;
    memset(&set, 0, sizeof(set));
    assert_int_equal(uscc_set_put(&set, "91330106MA2AXK0C3Q", 2), 0);
    assert_int_equal(uscc_set_put(&set, "91330106MA2B7LQ526", 3), 0);
    assert_int_equal(uscc_set_put(&set, "91330106MA2AXK0C3Q", 9), 2);
    /* the first row stays the one named */
    assert_int_equal(uscc_set_put(&set, "91330106MA2AXK0C3Q", 12), 2);
    /* codes that differ in one character only, across growth */
    for (i = 0; i < 100000; i++) {
        snprintf(code, sizeof(code), "9133%014zu", i);
        assert_int_equal(uscc_set_put(&set, code, 100 + i), 0);
    }
    for (i = 0; i < 100000; i += 997) {
        snprintf(code, sizeof(code), "9133%014zu", i);
        assert_int_equal(uscc_set_put(&set, code, 1), 100 + i);
    }
    assert_int_equal(uscc_set_put(&set, "YYYYYYYYYYYYYYYYYY", 5), 0);
    assert_int_equal(uscc_set_put(&set, "000000000000000000", 6), 0);
    assert_int_equal(uscc_set_put(&set, "YYYYYYYYYYYYYYYYYY", 7), 5);
    assert_int_equal(uscc_set_put(&set, "000000000000000000", 8), 6);
    free(set.slots);
}

/* ---- the audit row in the import's transaction ---- */

static char tdir[128], tdb[256], tcsv[256];

static int64_t count_rows(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t n = -1;
    assert_int_equal(sqlite3_open(tdb, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
}

/* A CSV of n enterprises of 西湖区 numbered from first. */
static void write_csv(int first, int n)
{
    FILE *f = fopen(tcsv, "w");
    int i;
    assert_non_null(f);
    fputs("企业名称,统一社会信用代码,行政区划代码,登记状态\n", f);
    for (i = first; i < first + n; i++) {
        char code[USCC_LEN + 1];
        snprintf(code, sizeof(code), "91330106MA%07d", i);
        code[17] = uscc_check_char(code);
        code[18] = 0;
        fprintf(f, "审计测试企业%03d有限公司,%s,330106,存续\n", i, code);
    }
    fclose(f);
}

struct hook_probe {
    struct import_audit ia;
    int calls;
    int fail;           /* refuse after writing the audit row */
    int64_t batch;
};

static int probe_hook(struct store *st, const struct import_result *res, void *ctx,
                      struct error *err)
{
    struct hook_probe *p = ctx;
    p->calls++;
    p->batch = res->batch;
    /* inside the import's transaction, with the final numbers */
    assert_true(store_in_transaction(st));
    assert_true(res->batch > 0);
    assert_false(res->written);
    assert_int_equal(strlen(res->sha256), 64);
    assert_int_equal(res->counts.rows, 3);
    if (import_audit_hook(st, res, &p->ia, err) != 0)
        return -1;
    if (p->fail)
        return error_set(err, "refused by the test");
    return 0;
}

static void test_before_commit_hook(void **state)
{
    struct audit_actor who = { 0, "cli:tester", "cli" }, bad = { 0, "", "cli" };
    struct hook_probe p;
    struct import_options opt;
    struct import_result res;
    struct store *st;
    struct error err = ERROR_INIT;
    char cmd[300], sql[800];
    (void)state;

    snprintf(tdir, sizeof(tdir), "/tmp/magnet-test-import-%d", (int)getpid());
    assert_int_equal(mkdir(tdir, 0700), 0);
    snprintf(tdb, sizeof(tdb), "%s/m.db", tdir);
    snprintf(tcsv, sizeof(tcsv), "%s/three.csv", tdir);
    assert_int_equal(store_open(tdb, STORE_CREATE, &st, &err), 0);
    write_csv(1, 3);
    memset(&opt, 0, sizeof(opt));
    opt.today = "2025-06-15";
    opt.user = "tester";
    opt.before_commit = probe_hook;
    opt.before_commit_ctx = &p;

    /* the hook fails after writing its audit row: nothing of the import,
     * no batch, no audit row */
    memset(&p, 0, sizeof(p));
    p.ia.who = &who;
    p.ia.file = "three.csv";
    p.fail = 1;
    assert_int_equal(import_file(st, tcsv, &opt, &res, &err), -1);
    assert_string_equal(err.msg, "refused by the test");
    assert_int_equal(p.calls, 1);
    assert_int_equal(res.batch, 0);
    assert_false(res.written);
    assert_int_equal(res.counts.inserted, 0);
    import_result_release(&res);
    assert_false(store_in_transaction(st));
    assert_int_equal(count_rows("SELECT count(*) FROM ent"), 0);
    assert_int_equal(count_rows("SELECT count(*) FROM batch"), 0);
    assert_int_equal(count_rows("SELECT count(*) FROM audit"), 0);

    /* the audit row itself cannot be written (no actor name): the same */
    memset(&p, 0, sizeof(p));
    p.ia.who = &bad;
    assert_int_equal(import_file(st, tcsv, &opt, &res, &err), -1);
    assert_non_null(strstr(err.msg, "the audit row of the import: "));
    import_result_release(&res);
    assert_int_equal(count_rows("SELECT count(*) FROM ent"), 0);
    assert_int_equal(count_rows("SELECT count(*) FROM batch"), 0);
    assert_int_equal(count_rows("SELECT count(*) FROM audit"), 0);

    /* success: the import and exactly one audit row naming its batch */
    memset(&p, 0, sizeof(p));
    p.ia.who = &who;
    p.ia.file = "three.csv";
    assert_int_equal(import_file(st, tcsv, &opt, &res, &err), 0);
    assert_int_equal(p.calls, 1);
    assert_true(res.written);
    assert_int_equal(res.batch, p.batch);
    assert_int_equal(count_rows("SELECT count(*) FROM ent"), 3);
    assert_int_equal(count_rows("SELECT count(*) FROM audit"), 1);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'import' AND entity = 'batch' AND "
             "entity_id = '%lld' AND user = 'cli:tester' AND remote = 'cli' AND before_json IS NULL "
             "AND json_extract(after_json, '$.file') = 'three.csv' AND "
             "json_extract(after_json, '$.rows') = 3 AND json_extract(after_json, '$.inserted') = 3 AND "
             "json_extract(after_json, '$.updated') = 0 AND json_extract(after_json, '$.rejected') = 0 AND "
             "json_extract(after_json, '$.sha256') = '%s'",
             (long long)res.batch, res.sha256);
    assert_int_equal(count_rows(sql), 1);
    import_result_release(&res);

    /* a dry run and a file kept out by invalid rows commit nothing: the
     * hook is not called */
    memset(&p, 0, sizeof(p));
    p.ia.who = &who;
    opt.dry_run = 1;
    assert_int_equal(import_file(st, tcsv, &opt, &res, &err), 0);
    import_result_release(&res);
    opt.dry_run = 0;
    {
        FILE *f = fopen(tcsv, "a");
        fputs("坏行企业有限公司,91330106MA0000000X,330106,存续\n", f);
        fclose(f);
    }
    assert_int_equal(import_file(st, tcsv, &opt, &res, &err), 1);
    import_result_release(&res);
    assert_int_equal(p.calls, 0);
    assert_int_equal(count_rows("SELECT count(*) FROM audit"), 1);
    assert_int_equal(count_rows("SELECT count(*) FROM batch"), 1);

    store_close(st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_street_in_address),
        cmocka_unit_test(test_uscc_set),
        cmocka_unit_test(test_before_commit_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
