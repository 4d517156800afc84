/*
 * test_list.c - saved lists (index/list.c, store/store_list.c) on a real
 * store built with the import library from CSV files:
 *   - the snapshot ranks and scores every match exactly as screen_run does,
 *     for every sort order, with and without a track in the query;
 *   - a saved list holds the canonical query, the model hash, home, date,
 *     note, user and every match with its fields;
 *   - names are validated, duplicates refused unless replacing, a query
 *     matching too many refused, a save that fails half-way leaves nothing;
 *   - diff after an import that changes, cancels, moves and adds
 *     enterprises (and one removed from the store): new, dropped with the
 *     clauses they fail, changed with the fields, agreeing with a plain set
 *     comparison of two snapshots;
 *   - export to CSV and XLSX read back cell by cell; rm;
 *   - with an actor, save, replace and rm write their audit row in the
 *     same transaction: a failed audit row keeps the list as it was, a
 *     failed write leaves no row; without one, no row.
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
#include <sys/stat.h>
#include <unistd.h>

#include "auth/audit.h"
#include "base/strbuf.h"
#include "chain/classify.h"
#include "chain/classify_run.h"
#include "chain/taxonomy.h"
#include "index/exec.h"
#include "index/index.h"
#include "index/list.h"
#include "index/query.h"
#include "index/score.h"
#include "ref/uscc.h"
#include "registry/import.h"
#include "registry/table.h"
#include "registry/table_write.h"
#include "registry/value.h"
#include "store/store.h"

#define TODAY 20254 /* 2025-06-15 */
#define N 60

static const char chains[] =
    "[track]\nid = t\nname = 测试\n"
    "[node chip]\nname = 芯片\nstage = upstream\ncodes = 6520:4\nkeywords = 芯片设计:4\n"
    "[node soft]\nname = 软件\nstage = midstream\nkeywords = 软件开发:4\n";

static char dir[128], dbpath[256];
static struct taxonomy *tax;
static struct classifier *cl;
static struct score_model *sm;
static struct store *st;
static struct index *ix;

static const char *const regions[4] = { "330106", "330108", "110108", "310115" };

static void make_uscc(int i, const char *region, char out[19])
{
    char first[18];
    snprintf(first, sizeof(first), "91%sMA%07d", region, i);
    memcpy(out, first, 17);
    out[17] = uscc_check_char(first);
    out[18] = '\0';
}

static const char header[] = "企业名称,统一社会信用代码,注册资本,成立日期,登记状态,行政区划代码,"
                             "国标行业,经营范围,参保人数,专利数,企业资质,融资轮次\n";

/* Enterprise i of the first import. */
static void row(FILE *f, int i, const char *region, const char *status, const char *capital)
{
    char uscc[19], cap[32] = "";
    const char *scope = i % 3 == 0 ? "芯片设计；技术服务" : i % 5 == 0 ? "软件开发" : "技术咨询";
    const char *tags = i % 10 == 0 ? "\"国家高新技术企业、专精特新\""
                       : i % 4 == 0 ? "国家高新技术企业" : "";
    const char *round = i % 6 == 0 ? "A轮" : i % 6 == 1 ? "B轮" : "";
    char staff[16] = "";
    make_uscc(i, regions[i % 4], uscc);
    if (capital)
        snprintf(cap, sizeof(cap), "%s", capital);
    else if (i % 11)
        snprintf(cap, sizeof(cap), "%d万元人民币", (i * 137) % 9000 + 10);
    if (i % 13)
        snprintf(staff, sizeof(staff), "%d", (i * 7) % 400);
    fprintf(f, "测试列表企业%02d有限公司,%s,%s,%d-01-15,%s,%s,%s,%s,%s,%d,%s,%s\n", i, uscc, cap,
            2005 + i % 18, status ? status : i % 9 == 0 ? "注销" : "存续",
            region ? region : regions[i % 4], i % 3 == 0 ? "6520" : "6513", scope, staff, i % 17,
            tags, round);
}

static void import_csv(const char *path)
{
    struct import_options opt;
    struct import_result res;
    struct error err = ERROR_INIT;
    struct classify_run_options copt = { 0, 1, NULL, NULL };
    struct classify_run_stats stats;
    memset(&opt, 0, sizeof(opt));
    opt.today = "2025-06-15";
    opt.user = "test";
    memset(&res, 0, sizeof(res));
    if (import_file(st, path, &opt, &res, &err) != 0) {
        size_t i;
        for (i = 0; i < res.errors_kept; i++)
            fprintf(stderr, "row %zu %s: %s\n", res.errors[i].row, res.errors[i].column,
                    res.errors[i].message);
        fprintf(stderr, "import %s: %s\n", path, err.msg);
        fail();
    }
    copt.batch = res.batch;
    import_result_release(&res);
    assert_int_equal(classify_run(st, cl, &copt, &stats, &err), 0);
}

static void rebuild_index(void)
{
    struct index_options opt = { tax, sm, "330106", TODAY, 1 };
    struct error err = ERROR_INIT;
    index_free(ix);
    ix = NULL;
    if (index_build(st, &opt, &ix, &err) != 0) {
        fprintf(stderr, "index: %s\n", err.msg);
        fail();
    }
}

static void path_in(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static int setup(void **state)
{
    struct tax_file f = { "t.chain", chains, strlen(chains) };
    struct error err = ERROR_INIT;
    char csv[300];
    FILE *fp;
    int i;
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/magnet-test-list-%d", (int)getpid());
    if (mkdir(dir, 0700) != 0)
        return -1;
    path_in(dbpath, sizeof(dbpath), "m.db");
    if (taxonomy_load_files(&f, 1, NULL, &tax, &err) != 0 || classifier_new(tax, &cl, &err) != 0 ||
        score_model_load(NULL, &sm, &err) != 0 || store_open(dbpath, STORE_CREATE, &st, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    path_in(csv, sizeof(csv), "one.csv");
    fp = fopen(csv, "w");
    fputs(header, fp);
    for (i = 0; i < N; i++)
        row(fp, i, NULL, NULL, NULL);
    fclose(fp);
    import_csv(csv);
    rebuild_index();
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    index_free(ix);
    store_close(st);
    score_model_free(sm);
    classifier_free(cl);
    taxonomy_free(tax);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct query *parse(const char *q)
{
    struct query_env env = { tax, "2025-06-15" };
    struct query *out = NULL;
    struct error err = ERROR_INIT;
    if (query_parse(q, &env, &out, &err) != 0) {
        fprintf(stderr, "%s: %s\n", q, err.msg);
        fail();
    }
    return out;
}

/* The snapshot's order, scores and fields are screen_run's. */
static void test_snapshot_matches_screen(void **state)
{
    static const char *const queries[] = {
        "", "status:active", "region:330106", "sort:capital", "sort:capital-asc",
        "sort:founded", "sort:staff-asc", "sort:patents", "track:t", "node:t/chip region:33",
        "-node:t/soft sort:staff", "tag:hightech sort:score", "capital>=1000 -region:330106",
    };
    size_t qi;
    (void)state;
    for (qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
        struct query *q = parse(queries[qi]);
        struct screen_request req;
        struct screen_result r;
        struct list_entry *e;
        struct error err = ERROR_INIT;
        size_t n, i;

        assert_int_equal(list_snapshot(ix, q, LIST_MAX_ITEMS, &e, &n, &err), 0);
        memset(&req, 0, sizeof(req));
        req.q = queries[qi];
        req.limit = 1000;
        assert_int_equal(screen_run(ix, &req, &r, &err), 0);
        assert_int_equal(n, r.total);
        assert_int_equal(n, r.nitems);
        assert_true(n > 0);
        for (i = 0; i < n; i++) {
            const struct screen_item *it = &r.items[i];
            if (e[i].doc != it->doc || e[i].score != it->score)
                fprintf(stderr, "%s: #%zu doc %u/%u score %d/%d\n", queries[qi], i, e[i].doc,
                        it->doc, e[i].score, it->score);
            assert_int_equal(e[i].doc, it->doc);
            assert_int_equal(e[i].rank, i + 1);
            assert_int_equal(e[i].score, it->score);
            assert_string_equal(e[i].uscc, it->uscc);
            assert_string_equal(e[i].name, it->name);
            assert_string_equal(e[i].region, it->region);
            assert_string_equal(e[i].industry, it->industry);
            assert_true(e[i].capital_cny == it->capital_cny);
            assert_true(e[i].founded == it->founded);
            assert_true(e[i].staff == it->staff && e[i].patents == it->patents);
            assert_int_equal(e[i].status, it->status);
            assert_int_equal(e[i].tags, it->tags);
            assert_string_equal(e[i].round, it->round);
        }
        screen_result_release(&r);
        list_entries_free(e, n);
        query_free(q);
    }
}

static void test_names(void **state)
{
    struct error err = ERROR_INIT;
    struct strbuf long_name = STRBUF_INIT;
    int i;
    (void)state;
    assert_int_equal(list_name_check("重点企业 2025-Q1", &err), 0);
    assert_int_equal(list_name_check("", &err), -1);
    assert_string_equal(err.msg, "a list name cannot be empty");
    assert_int_equal(err.code, LIST_E_REFUSED);
    assert_int_equal(list_name_check("-x", &err), -1);
    assert_non_null(strstr(err.msg, "begins with '-'"));
    assert_int_equal(list_name_check(" a", &err), -1);
    assert_non_null(strstr(err.msg, "begins or ends with a space"));
    assert_int_equal(list_name_check("a\xe3\x80\x80", &err), -1);
    assert_int_equal(list_name_check("a\tb", &err), -1);
    assert_string_equal(err.msg, "list name contains a control character");
    assert_int_equal(list_name_check("a\xff", &err), -1);
    assert_string_equal(err.msg, "list name is not valid UTF-8");
    for (i = 0; i < 64; i++)
        strbuf_addstr(&long_name, "名");
    assert_int_equal(list_name_check(long_name.buf, &err), 0);
    strbuf_addch(&long_name, 'x');
    assert_int_equal(list_name_check(long_name.buf, &err), -1);
    assert_string_equal(err.msg, "list name is 65 characters long; at most 64 are allowed");
    strbuf_release(&long_name);
}

struct count_ctx {
    int64_t n;
};

/* A list as saved: description and every item. */
static void test_save_and_items(void **state)
{
    struct list_save_options o = { "杭州西湖", "region:杭州市西湖区 status:存续", "第一批", "alice", 0 };
    struct list_meta m, got;
    struct list_entry *snap, *items;
    struct query *q;
    struct error err = ERROR_INIT;
    size_t n, ni, i;
    char today[11];
    (void)state;

    assert_int_equal(list_save(ix, st, &o, NULL, &m, &err), 0);
    assert_string_equal(m.name, "杭州西湖");
    assert_string_equal(m.query, "region:330106 status:active");
    assert_string_equal(m.note, "第一批");
    assert_string_equal(m.user, "alice");
    assert_string_equal(m.score_model, score_model_hash(sm));
    assert_string_equal(m.home, "330106");
    query_days_date(TODAY, today);
    assert_string_equal(m.today, today);
    assert_int_equal(strlen(m.created), 20);

    q = parse("region:330106 status:active");
    assert_int_equal(list_snapshot(ix, q, LIST_MAX_ITEMS, &snap, &n, &err), 0);
    /* 330106 is i % 4 == 0; cancelled when i % 9 == 0 (0 and 36) */
    assert_int_equal(n, 13);
    assert_int_equal(m.total, n);
    assert_int_equal(list_get(st, "杭州西湖", &got, &err), 0);
    assert_int_equal(got.total, 13);
    assert_int_equal(list_items(st, &got, 0, &items, &ni, &err), 0);
    assert_int_equal(ni, n);
    for (i = 0; i < n; i++) {
        assert_int_equal(items[i].rank, i + 1);
        assert_int_equal(items[i].doc, snap[i].doc);
        assert_int_equal(list_entry_diff(&items[i], &snap[i]), 0);
        assert_string_equal(items[i].uscc, snap[i].uscc);
    }
    list_entries_free(items, ni);
    /* a limit reads only the first ones */
    assert_int_equal(list_items(st, &got, 3, &items, &ni, &err), 0);
    assert_int_equal(ni, 3);
    assert_int_equal(items[2].doc, snap[2].doc);
    list_entries_free(items, ni);
    /* one entry's fields against the CSV: i = 4 */
    for (i = 0; i < n; i++) {
        if (strcmp(snap[i].name, "测试列表企业04有限公司") == 0) {
            assert_true(snap[i].capital_cny == (4 * 137 % 9000 + 10) * 1000000LL);
            assert_true(snap[i].staff == 28 && snap[i].patents == 4);
            assert_int_equal(snap[i].tags, 1u << TAG_HIGHTECH);
            assert_string_equal(snap[i].round, "");
            assert_int_equal(snap[i].status, STATUS_ACTIVE);
            break;
        }
    }
    assert_true(i < n);
    list_entries_free(snap, n);
    query_free(q);
    list_meta_release(&m);
    list_meta_release(&got);

    /* the name is taken */
    assert_int_equal(list_save(ix, st, &o, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LIST_E_EXISTS);
    assert_non_null(strstr(err.msg, "a list named '杭州西湖' exists already"));
    /* --replace */
    o.query = "region:330106";
    o.replace = 1;
    assert_int_equal(list_save(ix, st, &o, NULL, &m, &err), 0);
    assert_int_equal(m.total, 15);
    assert_string_equal(m.query, "region:330106");
    list_meta_release(&m);
    /* a bad query */
    o.name = "bad";
    o.query = "captial>=5";
    assert_int_equal(list_save(ix, st, &o, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LIST_E_QUERY);
    assert_non_null(strstr(err.msg, "position 1"));
    /* not found names the lists */
    assert_int_equal(list_get(st, "nope", &got, &err), -1);
    assert_int_equal(err.code, LIST_E_NOT_FOUND);
    assert_string_equal(err.msg, "no list named 'nope' (lists: 杭州西湖)");
    assert_int_equal(list_remove(st, "杭州西湖", NULL, &err), 0);
    assert_int_equal(list_remove(st, "杭州西湖", NULL, &err), -1);
    assert_int_equal(err.code, LIST_E_NOT_FOUND);
    assert_string_equal(err.msg, "no list named '杭州西湖' (no list has been saved yet)");
}

static int64_t count_rows(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    int64_t n = -1;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static void exec_sql(const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, msg);
        fail();
    }
    sqlite3_close(db);
}

/* Bounds and all-or-nothing. */
static void test_bounds_and_atomic(void **state)
{
    struct list_save_options o = { "all", "", NULL, NULL, 0 };
    struct list_meta m;
    struct list_entry *e;
    struct query *q = parse("");
    struct error err = ERROR_INIT;
    size_t n;
    (void)state;

    assert_int_equal(list_snapshot(ix, q, 59, &e, &n, &err), -1);
    assert_int_equal(err.code, LIST_E_REFUSED);
    assert_non_null(strstr(err.msg, "the query matches 60 enterprises; a list holds at most 59"));
    assert_int_equal(list_snapshot(ix, q, 60, &e, &n, &err), 0);
    assert_int_equal(n, 60);
    list_entries_free(e, n);
    query_free(q);

    assert_int_equal(list_save(ix, st, &o, NULL, NULL, &err), 0);
    assert_int_equal(count_rows("SELECT count(*) FROM list_item"), 60);
    /* A failure at the fifth item: neither a new list nor a replaced one
     * changes. */
    exec_sql("CREATE TRIGGER fail_item BEFORE INSERT ON list_item WHEN NEW.rank = 5"
             " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    o.name = "second";
    assert_int_equal(list_save(ix, st, &o, NULL, NULL, &err), -1);
    assert_int_equal(err.code, LIST_E_STORE);
    assert_non_null(strstr(err.msg, "injected failure"));
    assert_int_equal(list_get(st, "second", &m, &err), -1);
    o.name = "all";
    o.query = "region:330106";
    o.replace = 1;
    assert_int_equal(list_save(ix, st, &o, NULL, NULL, &err), -1);
    assert_int_equal(list_get(st, "all", &m, &err), 0);
    assert_int_equal(m.total, 60);
    assert_string_equal(m.query, "");
    list_meta_release(&m);
    assert_int_equal(count_rows("SELECT count(*) FROM list_item"), 60);
    assert_int_equal(count_rows("SELECT count(*) FROM list"), 1);
    exec_sql("DROP TRIGGER fail_item");
    /* rm removes the items too */
    assert_int_equal(list_remove(st, "all", NULL, &err), 0);
    assert_int_equal(count_rows("SELECT count(*) FROM list_item"), 0);
}

/* The audit rows of one list, newest first. */
struct audit_seen {
    int n;
    char action[8][32];
    json_t *before[8], *after[8];
};

static int seen_row(const struct audit_row *r, void *ctx)
{
    struct audit_seen *a = ctx;
    if (a->n < 8) {
        snprintf(a->action[a->n], sizeof(a->action[0]), "%s", r->action);
        assert_string_equal(r->entity, "list");
        assert_string_equal(r->user, "cli:tester");
        assert_string_equal(r->remote, "cli");
        a->before[a->n] = r->before ? json_loads(r->before, 0, NULL) : NULL;
        a->after[a->n] = r->after ? json_loads(r->after, 0, NULL) : NULL;
        a->n++;
    }
    return 0;
}

static void audit_of(const char *name, struct audit_seen *a)
{
    struct audit_filter f = { 0 };
    struct error err = ERROR_INIT;
    memset(a, 0, sizeof(*a));
    f.entity = "list";
    f.entity_id = name;
    assert_true(audit_query(st, &f, seen_row, a, NULL, &err) >= 0);
}

static void audit_seen_release(struct audit_seen *a)
{
    int i;
    for (i = 0; i < a->n; i++) {
        json_decref(a->before[i]);
        json_decref(a->after[i]);
    }
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Save, replace and rm with an actor: the audit row commits with the list
 * or not at all. */
static void test_audit(void **state)
{
    struct audit_actor by = { 0, "cli:tester", "cli" }, bad = { 0, "", "cli" };
    struct list_save_options o = { "审计", "region:杭州市西湖区", "第二批", "tester", 0 };
    struct list_meta m;
    struct audit_seen a;
    struct error err = ERROR_INIT;
    int64_t total;
    (void)state;

    /* create */
    assert_int_equal(list_save(ix, st, &o, &by, &m, &err), 0);
    total = (int64_t)m.total;
    list_meta_release(&m);
    audit_of("审计", &a);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.action[0], "list.create");
    assert_null(a.before[0]);
    assert_non_null(a.after[0]);
    assert_string_equal(jstr(a.after[0], "name"), "审计");
    assert_string_equal(jstr(a.after[0], "query"), "region:330106");
    assert_string_equal(jstr(a.after[0], "note"), "第二批");
    assert_string_equal(jstr(a.after[0], "user"), "tester");
    assert_int_equal(json_integer_value(json_object_get(a.after[0], "total")), total);
    assert_non_null(jstr(a.after[0], "created"));
    audit_seen_release(&a);

    /* replace: before is the old list, after the new one */
    o.query = "region:330106 status:active";
    o.replace = 1;
    assert_int_equal(list_save(ix, st, &o, &by, NULL, &err), 0);
    audit_of("审计", &a);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.action[0], "list.replace");
    assert_string_equal(jstr(a.before[0], "query"), "region:330106");
    assert_int_equal(json_integer_value(json_object_get(a.before[0], "total")), total);
    assert_string_equal(jstr(a.after[0], "query"), "region:330106 status:active");
    audit_seen_release(&a);

    /* the audit row cannot be written: the old list stays, whole */
    o.query = "";
    assert_int_equal(list_save(ix, st, &o, &bad, NULL, &err), -1);
    assert_int_equal(err.code, LIST_E_STORE);
    assert_int_equal(list_get(st, "审计", &m, &err), 0);
    assert_string_equal(m.query, "region:330106 status:active");
    assert_int_equal(count_rows("SELECT count(*) FROM list_item WHERE list_id = "
                                "(SELECT id FROM list WHERE name = '审计')"),
                     (int64_t)m.total);
    list_meta_release(&m);
    audit_of("审计", &a);
    assert_int_equal(a.n, 2);
    audit_seen_release(&a);

    /* the write fails half-way: no list, no audit row */
    exec_sql("CREATE TRIGGER fail_item BEFORE INSERT ON list_item WHEN NEW.rank = 3"
             " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    o.name = "审计二";
    o.replace = 0;
    assert_int_equal(list_save(ix, st, &o, &by, NULL, &err), -1);
    assert_int_equal(err.code, LIST_E_STORE);
    exec_sql("DROP TRIGGER fail_item");
    assert_int_equal(list_get(st, "审计二", &m, &err), -1);
    audit_of("审计二", &a);
    assert_int_equal(a.n, 0);

    /* rm: a failed audit row keeps the list; then list.delete with before */
    assert_int_equal(list_remove(st, "审计", &bad, &err), -1);
    assert_int_equal(err.code, LIST_E_STORE);
    assert_int_equal(list_get(st, "审计", &m, &err), 0);
    list_meta_release(&m);
    assert_int_equal(list_remove(st, "审计", &by, &err), 0);
    assert_int_equal(list_get(st, "审计", &m, &err), -1);
    audit_of("审计", &a);
    assert_int_equal(a.n, 3);
    assert_string_equal(a.action[0], "list.delete");
    assert_null(a.after[0]);
    assert_string_equal(jstr(a.before[0], "name"), "审计");
    assert_string_equal(jstr(a.before[0], "query"), "region:330106 status:active");
    audit_seen_release(&a);
    /* rm of a list that is not there: no row */
    assert_int_equal(list_remove(st, "审计", &by, &err), -1);
    assert_int_equal(err.code, LIST_E_NOT_FOUND);

    /* without an actor, no row */
    o.name = "无审计";
    assert_int_equal(list_save(ix, st, &o, NULL, NULL, &err), 0);
    assert_int_equal(list_remove(st, "无审计", NULL, &err), 0);
    audit_of("无审计", &a);
    assert_int_equal(a.n, 0);
    audit_of("审计", &a);
    assert_int_equal(a.n, 3);
    audit_seen_release(&a);
}

/* Export, then read the file back. */
static void check_export(const char *file, int xlsx, const struct list_entry *snap, size_t n)
{
    struct table_reader *r;
    struct table_row row;
    struct error err = ERROR_INIT;
    static const char *const headers[] = { "排名", "企业名称", "统一社会信用代码", "得分",
                                           "行政区划代码", "所在地区", "国标行业", "行业名称",
                                           "注册资本(折合人民币万元)", "成立日期", "登记状态", "参保人数",
                                           "专利数", "企业资质", "融资轮次" };
    size_t i, k = 0;

    r = table_open(file, NULL, &err);
    assert_non_null(r);
    assert_int_equal(table_next(r, &row, &err), 1);
    assert_int_equal(row.ncells, 15);
    for (i = 0; i < 15; i++)
        assert_string_equal(row.cells[i].text, headers[i]);
    while (table_next(r, &row, &err) == 1) {
        const struct list_entry *e = &snap[k++];
        char buf[64];
        struct strbuf sb = STRBUF_INIT;
        assert_true(k <= n);
        snprintf(buf, sizeof(buf), "%zu", k);
        assert_string_equal(row.cells[0].text, buf);
        assert_string_equal(row.cells[1].text, e->name);
        assert_string_equal(row.cells[2].text, e->uscc);
        snprintf(buf, sizeof(buf), "%d", e->score);
        assert_string_equal(row.cells[3].text, buf);
        assert_string_equal(row.cells[4].text, e->region);
        assert_string_equal(row.cells[6].text, e->industry);
        if (xlsx) {
            assert_int_equal(row.cells[0].type, CELL_NUMBER);
            assert_int_equal(row.cells[3].type, CELL_NUMBER);
            assert_int_equal(row.cells[9].type, CELL_DATE);
            if (e->capital_cny != SCORE_UNKNOWN) {
                assert_int_equal(row.cells[8].type, CELL_NUMBER);
                assert_true(row.cells[8].number == (double)e->capital_cny / 1e6);
            }
        }
        if (e->capital_cny != SCORE_UNKNOWN) {
            snprintf(buf, sizeof(buf), "%lld", (long long)(e->capital_cny / 1000000));
            assert_string_equal(row.cells[8].text, buf);
        } else {
            assert_true(row.ncells <= 8 || row.cells[8].text[0] == '\0');
        }
        list_field_text(e, LF_FOUNDED, &sb);
        assert_string_equal(row.cells[9].text, sb.buf);
        strbuf_reset(&sb);
        assert_string_equal(row.cells[10].text, value_status_label((enum ent_status)e->status));
        if (e->tags) {
            list_field_text(e, LF_TAGS, &sb);
            assert_string_equal(row.cells[13].text, sb.buf);
        }
        strbuf_release(&sb);
    }
    assert_int_equal(k, n);
    table_free(r);
}

static void test_export(void **state)
{
    struct list_save_options o = { "导出", "status:active sort:capital", NULL, NULL, 0 };
    struct list_meta m;
    struct list_entry *snap;
    struct error err = ERROR_INIT;
    char csv[300], xlsx[300], bad[300];
    int64_t rows;
    size_t n;
    (void)state;

    assert_int_equal(list_save(ix, st, &o, NULL, &m, &err), 0);
    assert_int_equal(list_items(st, &m, 0, &snap, &n, &err), 0);
    path_in(csv, sizeof(csv), "l.csv");
    path_in(xlsx, sizeof(xlsx), "l.xlsx");
    path_in(bad, sizeof(bad), "l.txt");
    assert_int_equal(list_export(st, "导出", csv, 0, &rows, &err), 0);
    assert_int_equal(rows, n);
    check_export(csv, 0, snap, n);
    assert_int_equal(list_export(st, "导出", xlsx, 0, &rows, &err), 0);
    assert_int_equal(rows, n);
    check_export(xlsx, 1, snap, n);
    assert_int_equal(list_export(st, "导出", bad, 0, &rows, &err), -1);
    assert_int_equal(err.code, LIST_E_REFUSED);
    assert_int_equal(access(bad, F_OK), -1);
    assert_int_equal(list_export(st, "nope", csv, 0, &rows, &err), -1);
    assert_int_equal(err.code, LIST_E_NOT_FOUND);
    list_entries_free(snap, n);
    list_meta_release(&m);
    assert_int_equal(list_remove(st, "导出", NULL, &err), 0);
}

static const struct list_drop *find_drop(const struct list_diff *d, const char *name)
{
    size_t i;
    for (i = 0; i < d->dropped_kept; i++)
        if (strcmp(d->dropped[i].then.name, name) == 0)
            return &d->dropped[i];
    return NULL;
}

static int is_added(const struct list_diff *d, const char *name)
{
    size_t i;
    for (i = 0; i < d->added_kept; i++)
        if (strcmp(d->added[i].name, name) == 0)
            return 1;
    return 0;
}

static int cmp_doc(const void *a, const void *b)
{
    const struct list_entry *x = a, *y = b;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* The diff after a second import, checked against a set comparison of the
 * two snapshots and against what the import did. */
static void test_diff(void **state)
{
    struct list_save_options o = { "diff", "region:330106 status:active", NULL, NULL, 0 };
    struct list_diff d;
    struct list_entry *then, *now;
    struct query *q = parse(o.query);
    struct error err = ERROR_INIT;
    size_t nthen, nnow, i, j, added = 0, dropped = 0, changed = 0, same = 0;
    const struct list_drop *x;
    char csv[300], uscc16[19], sql[200];
    FILE *fp;
    (void)state;

    assert_int_equal(list_save(ix, st, &o, NULL, NULL, &err), 0);
    assert_int_equal(list_snapshot(ix, q, LIST_MAX_ITEMS, &then, &nthen, &err), 0);

    /* Nothing changed yet. */
    assert_int_equal(list_diff(ix, st, "diff", 0, &d, &err), 0);
    assert_int_equal(d.nadded + d.ndropped + d.nchanged, 0);
    assert_int_equal(d.unchanged, 13);
    assert_string_equal(d.query_now, "region:330106 status:active");
    list_diff_release(&d);

    /* i = 4 more capital, 8 cancelled, 12 moved to 330108, 0 active again,
     * 100 new at home; 16 removed from the store. */
    path_in(csv, sizeof(csv), "two.csv");
    fp = fopen(csv, "w");
    fputs(header, fp);
    row(fp, 4, NULL, NULL, "9999万元人民币");
    row(fp, 8, NULL, "注销", NULL);
    row(fp, 12, "330108", NULL, NULL);
    row(fp, 0, NULL, "存续", NULL);
    row(fp, 100, "330106", "存续", NULL);
    fclose(fp);
    import_csv(csv);
    make_uscc(16, regions[0], uscc16);
    snprintf(sql, sizeof(sql),
             "DELETE FROM ent_node WHERE ent_id = (SELECT id FROM ent WHERE uscc = '%s');"
             "DELETE FROM ent_classified WHERE ent_id = (SELECT id FROM ent WHERE uscc = '%s');",
             uscc16, uscc16);
    exec_sql(sql);
    snprintf(sql, sizeof(sql), "DELETE FROM ent WHERE uscc = '%s'", uscc16);
    exec_sql(sql);
    rebuild_index();

    assert_int_equal(list_diff(ix, st, "diff", 0, &d, &err), 0);
    assert_int_equal(list_snapshot(ix, q, LIST_MAX_ITEMS, &now, &nnow, &err), 0);
    assert_int_equal(d.total_then, nthen);
    assert_int_equal(d.total_now, nnow);
    assert_int_equal(nnow, 13 - 3 + 2);

    /* the same as comparing the two snapshots as sets */
    qsort(then, nthen, sizeof(*then), cmp_doc);
    qsort(now, nnow, sizeof(*now), cmp_doc);
    for (i = 0, j = 0; i < nthen || j < nnow;) {
        if (j == nnow || (i < nthen && then[i].doc < now[j].doc)) {
            dropped++;
            i++;
        } else if (i == nthen || now[j].doc < then[i].doc) {
            added++;
            j++;
        } else {
            if (list_entry_diff(&then[i], &now[j]))
                changed++;
            else
                same++;
            i++;
            j++;
        }
    }
    assert_int_equal(d.nadded, added);
    assert_int_equal(d.ndropped, dropped);
    assert_int_equal(d.nchanged, changed);
    assert_int_equal(d.unchanged, same);
    assert_int_equal(added, 2);
    assert_int_equal(dropped, 3);
    assert_true(changed >= 1);
    assert_int_equal(d.added_kept, 2);
    assert_int_equal(d.dropped_kept, 3);
    assert_int_equal(d.changed_kept, changed);

    assert_true(is_added(&d, "测试列表企业00有限公司"));
    assert_true(is_added(&d, "测试列表企业100有限公司"));
    /* added and changed come in the current order */
    for (i = 1; i < d.added_kept; i++)
        assert_true(d.added[i - 1].rank < d.added[i].rank);

    x = find_drop(&d, "测试列表企业08有限公司");
    assert_non_null(x);
    assert_true(x->exists);
    assert_int_equal(x->nfails, 1);
    assert_string_equal(x->fails[0], "status:active");
    assert_true(x->changed & (1u << LF_STATUS));
    assert_int_equal(x->now.status, STATUS_CANCELLED);
    assert_int_equal(x->now.score, 0);  /* excluded */

    x = find_drop(&d, "测试列表企业12有限公司");
    assert_non_null(x);
    assert_true(x->exists);
    assert_int_equal(x->nfails, 1);
    assert_string_equal(x->fails[0], "region:330106");
    assert_true(x->changed & (1u << LF_REGION));
    assert_string_equal(x->then.region, "330106");
    assert_string_equal(x->now.region, "330108");

    x = find_drop(&d, "测试列表企业16有限公司");
    assert_non_null(x);
    assert_false(x->exists);
    assert_int_equal(x->nfails, 0);

    for (i = 0; i < d.changed_kept; i++) {
        const struct list_change *c = &d.changed[i];
        assert_int_equal(c->changed, list_entry_diff(&c->then, &c->now));
        assert_int_equal(c->then.doc, c->now.doc);
        if (strcmp(c->now.name, "测试列表企业04有限公司") == 0) {
            assert_true(c->changed & (1u << LF_CAPITAL));
            assert_true(c->now.capital_cny == 9999 * 1000000LL);
            assert_true(c->then.capital_cny == (4 * 137 % 9000 + 10) * 1000000LL);
        }
        if (i)
            assert_true(d.changed[i - 1].now.rank < c->now.rank);
    }
    list_diff_release(&d);

    /* keep bounds what is kept, not the counts */
    assert_int_equal(list_diff(ix, st, "diff", 1, &d, &err), 0);
    assert_int_equal(d.nadded, 2);
    assert_int_equal(d.ndropped, 3);
    assert_int_equal(d.added_kept, 1);
    assert_int_equal(d.dropped_kept, 1);
    assert_true(d.changed_kept <= 1);
    list_diff_release(&d);

    assert_int_equal(list_diff(ix, st, "nope", 0, &d, &err), -1);
    assert_int_equal(err.code, LIST_E_NOT_FOUND);
    list_entries_free(then, nthen);
    list_entries_free(now, nnow);
    query_free(q);
    assert_int_equal(list_remove(st, "diff", NULL, &err), 0);
}

static void test_field_text(void **state)
{
    struct list_entry e;
    struct strbuf sb = STRBUF_INIT;
    (void)state;
    memset(&e, 0, sizeof(e));
    e.capital_cny = 123456789;
    e.founded = SCORE_UNKNOWN;
    e.staff = SCORE_UNKNOWN;
    e.tags = (1u << TAG_HIGHTECH) | (1u << TAG_SPECIALISED);
    snprintf(e.region, sizeof(e.region), "330106");
    snprintf(e.round, sizeof(e.round), "pre-a");
    list_field_text(&e, LF_CAPITAL, &sb);
    assert_string_equal(sb.buf, "123.456789万");
    strbuf_reset(&sb);
    list_field_text(&e, LF_FOUNDED, &sb);
    assert_string_equal(sb.buf, "未知");
    strbuf_reset(&sb);
    list_field_text(&e, LF_TAGS, &sb);
    assert_string_equal(sb.buf, "国家高新技术企业、专精特新");
    strbuf_reset(&sb);
    list_field_text(&e, LF_REGION, &sb);
    assert_string_equal(sb.buf, "浙江省杭州市西湖区 (330106)");
    strbuf_reset(&sb);
    list_field_text(&e, LF_ROUND, &sb);
    assert_string_equal(sb.buf, "Pre-A轮");
    strbuf_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_matches_screen),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_save_and_items),
        cmocka_unit_test(test_bounds_and_atomic),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_field_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
