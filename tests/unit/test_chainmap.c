/*
 * test_chainmap.c - the chain map (index/chainmap.c) on a store of ten
 * enterprises whose counts and location quotients are worked out by hand
 * below: local and national counts per node, LQ (including undefined),
 * gap and weak nodes agreeing with index_node_is_gap, leaders and
 * candidates identical to screen_run with the queries the map names, the
 * limits, track lookup by id and Chinese name, and the errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/classify.h"
#include "chain/classify_run.h"
#include "chain/taxonomy.h"
#include "index/chainmap.h"
#include "index/exec.h"
#include "index/index.h"
#include "index/score.h"
#include "ref/uscc.h"
#include "registry/import.h"
#include "store/store.h"

#define TODAY 20254 /* 2025-06-15 */

static const char chains[] =
    "[track]\nid = t\nname = 测试\n"
    "[node chip]\nname = 芯片\nstage = upstream\nkeywords = 芯片设计:4\n"
    "[node soft]\nname = 软件\nstage = midstream\nkeywords = 软件开发:4\n"
    "[node app]\nname = 应用\nstage = downstream\nkeywords = 应用开发:4\n"
    "[node none]\nname = 空白\nstage = downstream\nkeywords = 永不出现的词:4\n";

/*
 * Home 330106 holds 4 of the 10 enterprises.
 *   chip: h1 h2 (home; h2 cancelled), o1 o2        local 2, national 4:
 *         LQ = (2/4) / (4/10) = 1.25, not a gap
 *   soft: h3 (home), o3 o4 o5 (cancelled) o6      local 1, national 5:
 *         LQ = (1/4) / (5/10) = 0.5, a gap
 *   app:  o6                                      local 0, national 1: LQ 0, a gap
 *   none: nobody                                  LQ undefined, weak, not a gap
 */
static const struct {
    const char *name, *region, *status, *scope, *capital;
    int staff;
} firms[] = {
    { "本地芯片甲有限公司", "330106", "存续", "芯片设计", "5000万元", 120 },
    { "本地芯片乙有限公司", "330106", "注销", "芯片设计", "8000万元", 300 },
    { "本地软件丙有限公司", "330106", "存续", "软件开发", "300万元", 20 },
    { "本地咨询丁有限公司", "330106", "存续", "技术咨询", "100万元", 5 },
    { "北京芯片一有限公司", "110108", "存续", "芯片设计", "2000万元", 80 },
    { "上海芯片二有限公司", "310115", "存续", "芯片设计", "100万元", 10 },
    { "北京软件三有限公司", "110108", "存续", "软件开发", "6000万元", 500 },
    { "上海软件四有限公司", "310115", "存续", "软件开发", "50万元", 3 },
    { "滨江软件五有限公司", "330108", "注销", "软件开发", "9000万元", 900 },
    { "滨江应用六有限公司", "330108", "存续", "软件开发；应用开发", "1200万元", 60 },
};
#define NFIRMS (sizeof(firms) / sizeof(firms[0]))

static char dir[128], dbpath[256];
static struct taxonomy *tax;
static struct score_model *sm;
static struct store *st;
static struct index *ix, *ix_nohome;

static int setup(void **state)
{
    struct tax_file f = { "t.chain", chains, strlen(chains) };
    struct error err = ERROR_INIT;
    struct classifier *cl;
    struct import_options opt;
    struct import_result res;
    struct classify_run_options copt = { 0, 1, NULL, NULL };
    struct classify_run_stats stats;
    struct index_options io = { NULL, NULL, "330106", TODAY, 1 };
    char csv[300];
    FILE *fp;
    size_t i;
    (void)state;

    snprintf(dir, sizeof(dir), "/tmp/magnet-test-chainmap-%d", (int)getpid());
    if (mkdir(dir, 0700) != 0)
        return -1;
    snprintf(dbpath, sizeof(dbpath), "%s/m.db", dir);
    snprintf(csv, sizeof(csv), "%s/f.csv", dir);
    if (taxonomy_load_files(&f, 1, NULL, &tax, &err) != 0 || classifier_new(tax, &cl, &err) != 0 ||
        score_model_load(NULL, &sm, &err) != 0 || store_open(dbpath, STORE_CREATE, &st, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    fp = fopen(csv, "w");
    fputs("企业名称,统一社会信用代码,注册资本,成立日期,登记状态,行政区划代码,经营范围,参保人数\n",
          fp);
    for (i = 0; i < NFIRMS; i++) {
        char first[18], uscc[19];
        snprintf(first, sizeof(first), "91%sMA%07zu", firms[i].region, i);
        memcpy(uscc, first, 17);
        uscc[17] = uscc_check_char(first);
        uscc[18] = '\0';
        fprintf(fp, "%s,%s,%s,2015-03-01,%s,%s,%s,%d\n", firms[i].name, uscc, firms[i].capital,
                firms[i].status, firms[i].region, firms[i].scope, firms[i].staff);
    }
    fclose(fp);
    memset(&opt, 0, sizeof(opt));
    opt.today = "2025-06-15";
    memset(&res, 0, sizeof(res));
    if (import_file(st, csv, &opt, &res, &err) != 0) {
        fprintf(stderr, "import: %s\n", err.msg);
        return -1;
    }
    import_result_release(&res);
    if (classify_run(st, cl, &copt, &stats, &err) != 0)
        return -1;
    classifier_free(cl);
    io.taxonomy = tax;
    io.scoring = sm;
    if (index_build(st, &io, &ix, &err) != 0)
        return -1;
    io.home = NULL;
    if (index_build(st, &io, &ix_nohome, &err) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    index_free(ix);
    index_free(ix_nohome);
    store_close(st);
    score_model_free(sm);
    taxonomy_free(tax);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The same query through screen_run: same total, same firms, same scores. */
static void same_as_screen(const char *q, size_t limit, const struct screen_result *got)
{
    struct screen_request req;
    struct screen_result r;
    struct error err = ERROR_INIT;
    size_t i;
    memset(&req, 0, sizeof(req));
    req.q = q;
    req.limit = limit;
    assert_int_equal(screen_run(ix, &req, &r, &err), 0);
    assert_int_equal(got->total, r.total);
    assert_int_equal(got->nitems, r.nitems);
    for (i = 0; i < r.nitems; i++) {
        assert_int_equal(got->items[i].doc, r.items[i].doc);
        assert_int_equal(got->items[i].score, r.items[i].score);
    }
    screen_result_release(&r);
}

static void test_counts_and_lq(void **state)
{
    struct chainmap m;
    struct error err = ERROR_INIT;
    size_t i;
    (void)state;

    assert_int_equal(chainmap_build(ix, 0, 5, 10, &m, &err), 0);
    assert_string_equal(m.home, "330106");
    assert_string_equal(m.home_name, "浙江省杭州市西湖区");
    assert_int_equal(m.local_total, 4);
    assert_int_equal(m.national_total, 10);
    assert_int_equal(m.nnodes, 4);
    assert_string_equal(m.nodes[0].node->full_id, "t/chip");
    assert_string_equal(m.nodes[3].node->full_id, "t/none");

    /* chip */
    assert_int_equal(m.nodes[0].local, 2);
    assert_int_equal(m.nodes[0].national, 4);
    assert_true(m.nodes[0].lq_defined);
    assert_true(m.nodes[0].lq == 1.25);
    assert_false(m.nodes[0].gap);
    assert_false(m.nodes[0].weak);
    /* soft */
    assert_int_equal(m.nodes[1].local, 1);
    assert_int_equal(m.nodes[1].national, 5);
    assert_true(m.nodes[1].lq == 0.5);
    assert_true(m.nodes[1].gap);
    assert_true(m.nodes[1].weak);
    /* app */
    assert_int_equal(m.nodes[2].local, 0);
    assert_int_equal(m.nodes[2].national, 1);
    assert_true(m.nodes[2].lq_defined);
    assert_true(m.nodes[2].lq == 0.0);
    assert_true(m.nodes[2].gap);
    assert_true(m.nodes[2].weak);
    /* none */
    assert_int_equal(m.nodes[3].local, 0);
    assert_int_equal(m.nodes[3].national, 0);
    assert_false(m.nodes[3].lq_defined);
    assert_false(m.nodes[3].gap);
    assert_true(m.nodes[3].weak);

    assert_int_equal(m.nweak, 3);
    assert_int_equal(m.ngap, 2);
    for (i = 0; i < m.nnodes; i++) {
        assert_int_equal(m.nodes[i].gap, index_node_is_gap(ix, m.nodes[i].index));
        /* gap <=> LQ < 1 where defined */
        if (m.nodes[i].lq_defined)
            assert_int_equal(m.nodes[i].gap, m.nodes[i].lq < 1.0);
    }
    chainmap_release(&m);
}

static void test_leaders_and_candidates(void **state)
{
    struct chainmap m;
    struct error err = ERROR_INIT;
    (void)state;

    assert_int_equal(chainmap_build(ix, 0, 5, 2, &m, &err), 0);
    /* chip: the cancelled home firm counts in local but does not lead */
    assert_string_equal(m.nodes[0].leaders_query, "node:t/chip region:330106 status:active");
    assert_int_equal(m.nodes[0].leaders.total, 1);
    assert_int_equal(m.nodes[0].leaders.nitems, 1);
    assert_string_equal(m.nodes[0].leaders.items[0].name, "本地芯片甲有限公司");
    same_as_screen(m.nodes[0].leaders_query, 5, &m.nodes[0].leaders);
    assert_null(m.nodes[0].candidates_query);  /* not weak */
    assert_int_equal(m.nodes[0].candidates.nitems, 0);

    /* soft: 3 active elsewhere, the best 2 kept, as screen ranks them */
    assert_string_equal(m.nodes[1].candidates_query,
                        "node:t/soft -region:330106 status:active");
    assert_int_equal(m.nodes[1].candidates.total, 3);
    assert_int_equal(m.nodes[1].candidates.nitems, 2);
    same_as_screen(m.nodes[1].candidates_query, 2, &m.nodes[1].candidates);
    assert_true(m.nodes[1].candidates.items[0].score >= m.nodes[1].candidates.items[1].score);
    assert_int_equal(m.nodes[1].leaders.total, 1);
    assert_string_equal(m.nodes[1].leaders.items[0].name, "本地软件丙有限公司");

    /* app: no leader, one candidate */
    assert_int_equal(m.nodes[2].leaders.total, 0);
    assert_int_equal(m.nodes[2].candidates.total, 1);
    assert_string_equal(m.nodes[2].candidates.items[0].name, "滨江应用六有限公司");
    same_as_screen(m.nodes[2].candidates_query, 2, &m.nodes[2].candidates);

    /* none: nothing anywhere */
    assert_int_equal(m.nodes[3].candidates.total, 0);
    chainmap_release(&m);

    /* 0 leaders and candidates: counts only */
    assert_int_equal(chainmap_build(ix, 0, 0, 0, &m, &err), 0);
    assert_int_equal(m.nodes[1].candidates.total, 3);
    assert_int_equal(m.nodes[1].candidates.nitems, 0);
    assert_int_equal(m.nodes[0].leaders.nitems, 0);
    chainmap_release(&m);
}

static void test_errors_and_lookup(void **state)
{
    struct chainmap m;
    struct error err = ERROR_INIT;
    size_t t = 99;
    (void)state;

    assert_int_equal(chainmap_find_track(tax, "t", &t, &err), 0);
    assert_int_equal(t, 0);
    t = 99;
    assert_int_equal(chainmap_find_track(tax, "T", &t, &err), 0);
    assert_int_equal(t, 0);
    t = 99;
    assert_int_equal(chainmap_find_track(tax, "测 试", &t, &err), 0);
    assert_int_equal(t, 0);
    assert_int_equal(chainmap_find_track(tax, "测", &t, &err), -1);
    assert_string_equal(err.msg, "unknown track '测' (tracks: t 测试)");
    assert_int_equal(chainmap_find_track(tax, "", &t, &err), -1);

    assert_int_equal(chainmap_build(ix_nohome, 0, 5, 10, &m, &err), -1);
    assert_non_null(strstr(err.msg, "no home region"));
    assert_int_equal(chainmap_build(ix, 1, 5, 10, &m, &err), -1);
    assert_int_equal(chainmap_build(ix, 0, CHAINMAP_MAX_FIRMS + 1, 10, &m, &err), -1);
    assert_int_equal(chainmap_build(ix, 0, 5, CHAINMAP_MAX_FIRMS + 1, &m, &err), -1);
    assert_int_equal(chainmap_build(ix, 0, CHAINMAP_MAX_FIRMS, CHAINMAP_MAX_FIRMS, &m, &err), 0);
    chainmap_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_lq),
        cmocka_unit_test(test_leaders_and_candidates),
        cmocka_unit_test(test_errors_and_lookup),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
