/*
 * test_index.c - the screening index and executor on a small store whose
 * answers are known by construction: every field and operator, the order
 * rules (unknown last, ties by USCC), negation over unknown values, facets,
 * refresh after imports (a write is visible to the next query), and
 * readers that never see half of a write while a refresh runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "chain/classify.h"
#include "chain/classify_run.h"
#include "chain/taxonomy.h"
#include "index/exec.h"
#include "index/index.h"
#include "index/score.h"
#include "ref/uscc.h"
#include "registry/import.h"
#include "store/store.h"

static char dir[128], dbpath[256];
static struct taxonomy *tax;
static struct score_model *sm;

/* A valid USCC for number n in county region. */
static void make_uscc(int n, const char *region, char out[19])
{
    char first[18];
    snprintf(first, sizeof(first), "91%.6s%09d", region, n);
    /* the organisation code part may hold digits only: fine */
    memcpy(out, first, 17);
    out[17] = uscc_check_char(first);
    out[18] = '\0';
}

struct row {
    int n;               /* USCC number; 0: no USCC */
    const char *name, *region, *capital, *founded, *status, *industry, *scope;
    const char *staff, *patents, *tags, *round;
};

static void write_csv(const char *path, const struct row *rows, size_t n)
{
    FILE *f = fopen(path, "w");
    size_t i;
    assert_non_null(f);
    fputs("企业名称,统一社会信用代码,注册资本,成立日期,登记状态,行政区划代码,国标行业,经营范围,"
          "参保人数,专利数量,企业资质,融资轮次\n", f);
    for (i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        char u[19] = "";
        /* The USCC's region part stays put when a firm moves (as it does
         * in the register), so every code is issued in 330106. */
        if (r->n)
            make_uscc(r->n, "330106", u);
        fprintf(f, "%s,%s,%s,%s,%s,%s,%s,\"%s\",%s,%s,%s,%s\n", r->name, u, r->capital,
                r->founded, r->status, r->region, r->industry, r->scope, r->staff, r->patents,
                r->tags, r->round);
    }
    fclose(f);
}

static void import_rows(const struct row *rows, size_t n)
{
    char csv[300];
    struct store *st;
    struct error err = ERROR_INIT;
    struct import_options opt;
    struct import_result res;
    struct classify_run_options copt;
    struct classify_run_stats cst;
    struct classifier *c = NULL;

    snprintf(csv, sizeof(csv), "%s/in.csv", dir);
    write_csv(csv, rows, n);
    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    memset(&opt, 0, sizeof(opt));
    opt.today = "2026-11-28";
    memset(&res, 0, sizeof(res));
    if (import_file(st, csv, &opt, &res, &err) != 0) {
        size_t i;
        for (i = 0; i < res.errors_kept; i++)
            fprintf(stderr, "row %zu: %s\n", res.errors[i].row, res.errors[i].message);
        fail_msg("import failed: %s", err.msg);
    }
    assert_int_equal(classifier_new(tax, &c, &err), 0);
    memset(&copt, 0, sizeof(copt));
    copt.batch = res.batch;
    assert_int_equal(classify_run(st, c, &copt, &cst, &err), 0);
    classifier_free(c);
    import_result_release(&res);
    store_close(st);
}

static const struct row base_rows[] = {
    /* n  name                         region    capital     founded       status  industry scope */
    { 1, "杭州云栖智能科技有限公司", "330106", "500万元", "2019-03-05", "存续", "6513",
      "人工智能应用软件开发；软件开发", "56", "12", "国家高新技术企业", "A轮" },
    { 2, "杭州西溪芯片设计有限公司", "330106", "5000万元", "2015-07-01", "存续", "6520",
      "集成电路芯片设计及服务；集成电路设计", "120", "40", "国家高新技术企业、专精特新", "B轮" },
    { 3, "宁波港城贸易有限公司", "330203", "1000万元", "2010-01-01", "存续", "5179",
      "集成电路芯片及产品销售；五金产品批发", "8", "0", "", "" },
    { 4, "南昌西湖餐饮店", "360103", "", "2020-01-01", "注销", "6210", "餐饮服务", "", "", "",
      "" },
    { 5, "上海浦江智能装备股份有限公司", "310115", "1000万美元", "2001-05-20", "存续", "3491",
      "智能机器人的研发；工业机器人制造", "800", "300", "上市", "IPO" },
    { 6, "杭州余杭ABC科技有限公司", "330110", "1000万元", "2018-12-31", "吊销", "6513",
      "软件开发；技术服务", "3", "5", "", "" },
    { 7, "北京中关村智芯科技有限公司", "110108", "1000万元", "2015-01-01", "存续", "6520",
      "集成电路设计；人工智能基础软件开发", "50", "5", "专精特新", "天使轮" },
    { 0, "个体户张三小吃店", "330106", "", "2022-02-02", "存续", "6210", "小吃服务", "1", "",
      "", "" },
};
#define NBASE (sizeof(base_rows) / sizeof(base_rows[0]))

static struct index *build(void)
{
    struct store *st;
    struct error err = ERROR_INIT;
    struct index *ix = NULL;
    struct index_options opt = { tax, sm, "330106", 0, 2 };
    int64_t today;
    assert_int_equal(query_date_days("2026-11-28", &today), 0);
    opt.today = today;
    assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &st, &err), 0);
    if (index_build(st, &opt, &ix, &err) != 0)
        fail_msg("%s", err.msg);
    store_close(st);
    if (index_validate(ix, &err) != 0)
        fail_msg("validate: %s", err.msg);
    return ix;
}

static int setup(void **state)
{
    struct error err = ERROR_INIT;
    snprintf(dir, sizeof(dir), "/tmp/magnet-test-index-%d", (int)getpid());
    mkdir(dir, 0700);
    snprintf(dbpath, sizeof(dbpath), "%s/t.db", dir);
    if (taxonomy_load_default(&tax, &err) != 0 || score_model_load(NULL, &sm, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return -1;
    taxonomy_free(tax);
    score_model_free(sm);
    return 0;
}

static int fresh(void **state)
{
    char p[300];
    unlink(dbpath);
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    import_rows(base_rows, NBASE);
    return 0;
}

/* Run q; return total and write the result's names, "|"-joined, to names. */
static uint64_t run(struct index *ix, const char *q, size_t limit, char *names, size_t size)
{
    struct screen_request req;
    struct screen_result r;
    struct error err = ERROR_INIT;
    size_t i, len = 0;
    uint64_t total;
    memset(&req, 0, sizeof(req));
    req.q = q;
    req.limit = limit;
    if (screen_run(ix, &req, &r, &err) != 0)
        fail_msg("%s: %s", q, err.msg);
    if (names) {
        names[0] = '\0';
        for (i = 0; i < r.nitems; i++)
            len += (size_t)snprintf(names + len, len < size ? size - len : 0, "%s%s",
                                    i ? "|" : "", r.items[i].name);
    }
    total = r.total;
    screen_result_release(&r);
    return total;
}

#define COUNT(ix, q) run(ix, q, 0, NULL, 0)

static void test_fields(void **state)
{
    struct index *ix = build();
    assert_int_equal(index_count(ix), NBASE);
    assert_int_equal(COUNT(ix, ""), NBASE);
    assert_int_equal(COUNT(ix, "region:33"), 5);
    assert_int_equal(COUNT(ix, "region:3301"), 4);
    assert_int_equal(COUNT(ix, "region:330106"), 3);
    assert_int_equal(COUNT(ix, "-region:3301"), 4);
    assert_int_equal(COUNT(ix, "region:杭州|宁波"), 5);
    assert_int_equal(COUNT(ix, "industry:65"), 4);
    assert_int_equal(COUNT(ix, "industry:I"), 4);
    assert_int_equal(COUNT(ix, "industry:6513"), 2);
    assert_int_equal(COUNT(ix, "industry:6513|6520"), 4);
    assert_int_equal(COUNT(ix, "status:active"), 6);
    assert_int_equal(COUNT(ix, "status:注销|吊销"), 2);
    assert_int_equal(COUNT(ix, "-status:active"), 2);
    assert_int_equal(COUNT(ix, "tag:hightech"), 2);
    assert_int_equal(COUNT(ix, "tag:专精特新"), 2);
    assert_int_equal(COUNT(ix, "tag:上市"), 1);
    assert_int_equal(COUNT(ix, "round:A"), 1);
    assert_int_equal(COUNT(ix, "round:天使轮|ipo"), 2);
    /* capital in CNY: 1000万美元 is about 7100万元 */
    assert_int_equal(COUNT(ix, "capital>=1000"), 5);
    assert_int_equal(COUNT(ix, "capital>5000"), 1);
    assert_int_equal(COUNT(ix, "capital:1000"), 3);
    assert_int_equal(COUNT(ix, "capital:500..1000"), 4);
    /* unknown capital: not in any range, but in a negated one */
    assert_int_equal(COUNT(ix, "-capital>=1000"), 3);
    assert_int_equal(COUNT(ix, "founded>=2015"), 6);
    assert_int_equal(COUNT(ix, "founded<2015"), 2);
    assert_int_equal(COUNT(ix, "founded:2015"), 2);
    assert_int_equal(COUNT(ix, "staff>=50"), 4);
    assert_int_equal(COUNT(ix, "patents>=5"), 5);
    assert_int_equal(COUNT(ix, "-patents>=5"), 3);
    /* text: one and two characters, longer, bare words, negation, case */
    assert_int_equal(COUNT(ix, "name:芯"), 2);
    assert_int_equal(COUNT(ix, "name:智能"), 2);
    assert_int_equal(COUNT(ix, "scope:集成电路"), 3);
    assert_int_equal(COUNT(ix, "scope:集成电路 -name:贸易"), 2);
    assert_int_equal(COUNT(ix, "scope:芯片|集成电路 -name:贸易 capital>=5000"), 1);
    assert_int_equal(COUNT(ix, "人工智能"), 2);
    assert_int_equal(COUNT(ix, "name:abc"), 1);
    assert_int_equal(COUNT(ix, "name:ＡＢＣ"), 1);
    assert_int_equal(COUNT(ix, "\"软件开发；技术\""), 1);
    assert_int_equal(COUNT(ix, "销售五金"), 0);
    {
        char u[19], q[64];
        make_uscc(2, "330106", u);
        snprintf(q, sizeof(q), "uscc:%s", u);
        assert_int_equal(COUNT(ix, q), 1);
    }
    index_free(ix);
}

static void test_order(void **state)
{
    struct index *ix = build();
    char names[2048];
    /* capital descending; unknown last; ties (three at 1000万) by USCC:
     * 91110108... < 91330110... < 91330203... */
    run(ix, "sort:capital", 10, names, sizeof(names));
    assert_string_equal(names, "上海浦江智能装备股份有限公司|杭州西溪芯片设计有限公司|"
                               "宁波港城贸易有限公司|杭州余杭ABC科技有限公司|"
                               "北京中关村智芯科技有限公司|杭州云栖智能科技有限公司|"
                               "南昌西湖餐饮店|个体户张三小吃店");
    /* ascending: unknown still last */
    run(ix, "sort:capital-asc", 3, names, sizeof(names));
    assert_string_equal(names, "杭州云栖智能科技有限公司|宁波港城贸易有限公司|"
                               "杭州余杭ABC科技有限公司");
    /* unknown capital, then no USCC after USCC at equal (unknown) keys */
    run(ix, "sort:capital-asc region:330106|360103", 10, names, sizeof(names));
    assert_string_equal(names, "杭州云栖智能科技有限公司|杭州西溪芯片设计有限公司|"
                               "南昌西湖餐饮店|个体户张三小吃店");
    run(ix, "sort:founded", 2, names, sizeof(names));
    assert_string_equal(names, "个体户张三小吃店|南昌西湖餐饮店");
    /* offset pages through the same order */
    {
        struct screen_request req;
        struct screen_result r;
        struct error err = ERROR_INIT;
        memset(&req, 0, sizeof(req));
        req.q = "sort:capital";
        req.limit = 2;
        req.offset = 2;
        assert_int_equal(screen_run(ix, &req, &r, &err), 0);
        assert_int_equal(r.nitems, 2);
        assert_string_equal(r.items[0].name, "宁波港城贸易有限公司");
        screen_result_release(&r);
    }
    index_free(ix);
}

static void test_score_and_explain(void **state)
{
    struct index *ix = build();
    struct screen_request req;
    struct screen_result r;
    struct error err = ERROR_INIT;
    size_t i, k;
    memset(&req, 0, sizeof(req));
    req.q = "";
    req.limit = 50;
    req.explain = 1;
    assert_int_equal(screen_run(ix, &req, &r, &err), 0);
    assert_int_equal(r.nitems, NBASE);
    for (i = 0; i < r.nitems; i++) {
        int sum = 0;
        if (i)
            assert_true(r.items[i - 1].score >= r.items[i].score);
        for (k = 0; k < r.items[i].nlines; k++)
            sum += r.items[i].lines[k].points;
        assert_int_equal(sum, r.items[i].score);
        if (r.items[i].status != 1) /* inactive: excluded */
            assert_int_equal(r.items[i].score, 0);
    }
    screen_result_release(&r);
    index_free(ix);
}

static void test_facets(void **state)
{
    struct index *ix = build();
    struct screen_request req;
    struct screen_result r;
    struct error err = ERROR_INIT;
    memset(&req, 0, sizeof(req));
    req.q = "status:active";
    assert_int_equal(screen_facets_parse("province,status,tag,capital,year,division", &req.facets,
                                         &err), 0);
    assert_int_equal(screen_run(ix, &req, &r, &err), 0);
    assert_int_equal(r.facets[FACET_PROVINCE].n, 3);
    assert_string_equal(r.facets[FACET_PROVINCE].values[0].key, "33");
    assert_int_equal(r.facets[FACET_PROVINCE].values[0].count, 4);
    assert_int_equal(r.facets[FACET_STATUS].n, 1);
    assert_int_equal(r.facets[FACET_STATUS].values[0].count, 6);
    assert_string_equal(r.facets[FACET_TAG].values[0].key, "hightech");
    assert_int_equal(r.facets[FACET_TAG].values[0].count, 2);
    screen_result_release(&r);
    assert_int_equal(screen_facets_parse("province,bogus", &req.facets, &err), -1);
    assert_non_null(strstr(err.msg, "bogus"));
    index_free(ix);
}

static void test_errors(void **state)
{
    struct index *ix = build();
    struct screen_request req;
    struct screen_result r;
    struct error err = ERROR_INIT;
    memset(&req, 0, sizeof(req));
    req.q = "captial>=1000";
    assert_int_equal(screen_run(ix, &req, &r, &err), -1);
    assert_non_null(strstr(err.msg, "did you mean 'capital'"));
    req.q = "";
    req.limit = SCREEN_MAX_LIMIT + 1;
    assert_int_equal(screen_run(ix, &req, &r, &err), -1);
    assert_non_null(strstr(err.msg, "limit"));
    index_free(ix);
}

static const struct row update_rows[] = {
    /* 1 changes capital and status; 3 moves to Hangzhou; 9 is new */
    { 1, "杭州云栖智能科技有限公司", "330106", "8000万元", "2019-03-05", "注销", "6513",
      "人工智能应用软件开发；软件开发", "56", "12", "国家高新技术企业", "A轮" },
    { 3, "宁波港城贸易有限公司", "330106", "1000万元", "2010-01-01", "存续", "5179",
      "集成电路芯片及产品销售；五金产品批发", "8", "0", "", "" },
    { 9, "杭州新芯微电子有限公司", "330108", "3000万元", "2024-01-01", "存续", "6520",
      "集成电路设计；集成电路芯片设计及服务", "30", "9", "", "天使轮" },
};

static void test_refresh(void **state)
{
    struct index *ix = build();
    struct store *st;
    struct error err = ERROR_INIT;
    assert_int_equal(COUNT(ix, "status:active"), 6);
    assert_int_equal(COUNT(ix, "region:330106"), 3);
    import_rows(update_rows, sizeof(update_rows) / sizeof(update_rows[0]));
    assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &st, &err), 0);
    assert_true(index_refresh(ix, st, &err) >= 3);
    assert_int_equal(index_refresh(ix, st, &err), 0);   /* nothing new */
    store_close(st);
    if (index_validate(ix, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(index_count(ix), NBASE + 1);
    assert_int_equal(COUNT(ix, "status:active"), 6);    /* -1 (firm 1) +1 (firm 9) */
    assert_int_equal(COUNT(ix, "region:330106"), 4);    /* firm 3 moved in */
    assert_int_equal(COUNT(ix, "region:330203"), 0);
    assert_int_equal(COUNT(ix, "capital>=8000"), 1);
    assert_int_equal(COUNT(ix, "name:新芯"), 1);
    assert_int_equal(COUNT(ix, "scope:集成电路设计"), 3);
    {
        char u[19], q[64];
        make_uscc(9, "330106", u);
        snprintf(q, sizeof(q), "uscc:%s", u);
        assert_int_equal(COUNT(ix, q), 1);
    }
    /* a rebuilt index answers the same */
    {
        struct index *again = build();
        const char *qs[] = { "status:active", "region:33", "name:芯", "scope:集成电路",
                             "track:ai", "capital>=1000 sort:capital" };
        size_t i;
        char a[1024], b[1024];
        for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
            assert_int_equal(run(ix, qs[i], 20, a, sizeof(a)), run(again, qs[i], 20, b, sizeof(b)));
            assert_string_equal(a, b);
        }
        index_free(again);
    }
    index_free(ix);
}

/* Readers during refreshes: one import moves every Ningbo firm to
 * Hangzhou's 西湖区 and another moves them back; a reader must always see
 * the 33 total intact and the two counts from the same side of a write. */
struct reader {
    struct index *ix;
    volatile int stop;
    int bad, runs;
};

static void *reader_thread(void *arg)
{
    struct reader *r = arg;
    while (!r->stop) {
        uint64_t zj = COUNT(r->ix, "region:33");
        uint64_t both = COUNT(r->ix, "region:330106|330203");
        if (zj != 5 || both != 4)
            r->bad++;
        r->runs++;
    }
    return NULL;
}

static void test_concurrent_readers(void **state)
{
    struct index *ix = build();
    struct reader rd = { ix, 0, 0, 0 };
    pthread_t tid;
    struct store *st;
    struct error err = ERROR_INIT;
    struct row moved[1], back[1];
    int i;

    moved[0] = base_rows[2];
    moved[0].region = "330106";
    back[0] = base_rows[2];
    assert_int_equal(pthread_create(&tid, NULL, reader_thread, &rd), 0);
    for (i = 0; i < 6; i++) {
        import_rows(i % 2 ? back : moved, 1);
        assert_int_equal(store_open(dbpath, STORE_OPEN_EXISTING, &st, &err), 0);
        {
            int64_t got = index_refresh(ix, st, &err);
            if (got < 1)
                fail_msg("refresh %d: %lld %s", i, (long long)got, err.msg);
        }
        store_close(st);
        assert_int_equal(COUNT(ix, "region:330106"), i % 2 ? 3 : 4);
    }
    rd.stop = 1;
    pthread_join(tid, NULL);
    assert_int_equal(rd.bad, 0);
    assert_true(rd.runs > 0);
    index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_fields, fresh),
        cmocka_unit_test_setup(test_order, fresh),
        cmocka_unit_test_setup(test_score_and_explain, fresh),
        cmocka_unit_test_setup(test_facets, fresh),
        cmocka_unit_test_setup(test_errors, fresh),
        cmocka_unit_test_setup(test_refresh, fresh),
        cmocka_unit_test_setup(test_concurrent_readers, fresh),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
