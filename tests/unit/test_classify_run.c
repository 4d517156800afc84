/*
 * test_classify_run.c - bulk classification against a real store
 * (chain/classify_run.c, store/store_chain.c, chain/chain_count.c): every
 * enterprise or one batch's, on one thread or two, over several pages;
 * re-running replaces instead of adding; the taxonomy version is recorded;
 * the counts per node and per track are of distinct enterprises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "chain/chain_count.h"
#include "chain/classify_run.h"
#include "store/store.h"

static const char chains[] =
    "[track]\nid = t\nname = 测试\n"
    "[node chip]\nname = 芯片\nstage = upstream\ncodes = 6520:4\nkeywords = 芯片设计:4\n"
    "[node soft]\nname = 软件\nstage = midstream\nkeywords = 软件开发:4\n";

static const char chains_u[] =
    "[track]\nid = u\nname = 另一\n"
    "[node app]\nname = 应用\nstage = downstream\nkeywords = 软件开发:2, 应用:2\n";

#define N_ENTS 5000  /* more than two pages of the runner */

static char dbpath[256];
static struct taxonomy *tax;
static struct classifier *cl;

static void rm_store(void)
{
    char p[300];
    unlink(dbpath);
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
}

static int setup(void **state)
{
    struct tax_file f[2];
    struct error err = ERROR_INIT;
    (void)state;
    f[0] = (struct tax_file){ "t.chain", chains, strlen(chains) };
    f[1] = (struct tax_file){ "u.chain", chains_u, strlen(chains_u) };
    if (taxonomy_load_files(f, 2, NULL, &tax, &err) != 0 || classifier_new(tax, &cl, &err) != 0) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    snprintf(dbpath, sizeof(dbpath), "/tmp/magnet-test-classify-run-%d.db", (int)getpid());
    rm_store();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    classifier_free(cl);
    taxonomy_free(tax);
    rm_store();
    return 0;
}

/* Enterprise i: every third designs chips, every fifth writes software. */
static void fill(struct ent *e, int i)
{
    char name[64];
    struct strbuf scope = STRBUF_INIT;
    snprintf(name, sizeof(name), "测试企业%d有限公司", i);
    ent_init(e);
    ent_set_text(e, F_NAME, name, strlen(name));
    ent_set_name_key(e, name, strlen(name));
    strbuf_addstr(&scope, "技术服务");
    if (i % 3 == 0)
        strbuf_addstr(&scope, "；芯片设计");
    if (i % 5 == 0)
        strbuf_addstr(&scope, "；软件开发");
    ent_set_text(e, F_SCOPE, scope.buf, scope.len);
    if (i % 7 == 0)
        ent_set_text(e, F_INDUSTRY, "6520", 4);
    strbuf_release(&scope);
}

static int64_t insert_batch(struct store *st, int from, int to)
{
    struct batch_info bi = { "import", "test.csv", NULL, NULL, NULL };
    struct error err = ERROR_INIT;
    int64_t b;
    int i;
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_batch_begin(st, &bi, &b, &err), 0);
    for (i = from; i < to; i++) {
        struct ent e;
        fill(&e, i);
        assert_int_equal(store_ent_insert(st, &e, b, &err), 0);
        ent_release(&e);
    }
    assert_int_equal(store_commit(st, &err), 0);
    return b;
}

/* Expected placements for enterprises [from, to). */
static void expect_counts(struct store *st, int from, int to)
{
    struct chain_counts c;
    struct error err = ERROR_INIT;
    int64_t chip = 0, soft = 0, app = 0, t_track = 0, any = 0;
    int i;
    for (i = from; i < to; i++) {
        int ch = i % 3 == 0 || i % 7 == 0, so = i % 5 == 0;
        chip += ch;
        soft += so;
        t_track += ch || so;
        any += ch || so;
    }
    /* u/app: 软件开发 (2) alone never reaches 4, so the u track holds no one */
    assert_int_equal(chain_count(st, tax, &c, &err), 0);
    assert_int_equal(c.node[0], chip);
    assert_int_equal(c.node[1], soft);
    assert_int_equal(c.node[2], app);
    assert_int_equal(c.track[0], t_track);
    assert_int_equal(c.track[1], 0);
    assert_int_equal(c.enterprises, any);
    assert_int_equal(c.other_rows, 0);
    chain_counts_release(&c);
}

static int collect(const struct chain_node_row *r, void *ctx)
{
    struct strbuf *sb = ctx;
    strbuf_addf(sb, "%s %g %.2f %.*s;", r->node, r->score, r->confidence, (int)r->evidence_len,
                r->evidence);
    return 0;
}

static void test_all_then_again(void **state)
{
    struct store *st;
    struct error err = ERROR_INIT;
    struct classify_run_options opt = { 0, 2, NULL, NULL };
    struct classify_run_stats stats;
    struct strbuf sb = STRBUF_INIT;
    char hash[17], source[64];
    (void)state;

    rm_store();
    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    insert_batch(st, 0, N_ENTS);
    assert_int_equal(classify_run(st, cl, &opt, &stats, &err), 0);
    assert_int_equal(stats.enterprises, N_ENTS);
    expect_counts(st, 0, N_ENTS);

    /* enterprise 1 is 测试企业0 (i = 0): chip (by code and keyword) and soft */
    assert_int_equal(store_chain_ent_nodes(st, 1, collect, &sb, &err), 0);
    assert_string_equal(sb.buf, "t/chip 8 0.75 {\"code\":[\"6520\",4],"
                                "\"kw\":[[\"芯片设计\",4,\"scope\"]]};"
                                "t/soft 4 0.50 {\"kw\":[[\"软件开发\",4,\"scope\"]]};");
    assert_int_equal(store_chain_ent_taxonomy(st, 1, hash, source, sizeof(source), &err), 1);
    assert_string_equal(hash, tax->hash);
    assert_int_equal(store_chain_ent_taxonomy(st, 999999, hash, source, sizeof(source), &err), 0);

    /* again, on one thread: the same result, nothing doubled */
    opt.threads = 1;
    assert_int_equal(classify_run(st, cl, &opt, &stats, &err), 0);
    assert_int_equal(stats.enterprises, N_ENTS);
    expect_counts(st, 0, N_ENTS);
    store_close(st);
    strbuf_release(&sb);
    rm_store();
}

static void versions(const char *hash, const char *source, int64_t n, void *ctx)
{
    *(int64_t *)ctx += n;
}

static void test_batch(void **state)
{
    struct store *st;
    struct error err = ERROR_INIT;
    struct classify_run_options opt = { 0, 2, NULL, NULL };
    struct classify_run_stats stats;
    struct strbuf sb = STRBUF_INIT;
    struct ent old, e;
    int64_t b2, classified = 0;
    (void)state;

    rm_store();
    assert_int_equal(store_open(dbpath, STORE_CREATE, &st, &err), 0);
    opt.batch = insert_batch(st, 0, 3000);
    assert_int_equal(classify_run(st, cl, &opt, &stats, &err), 0);
    assert_int_equal(stats.enterprises, 3000);
    expect_counts(st, 0, 3000);

    /* batch 2 adds 100 and changes the scope of enterprise 2 (i = 1: nothing)
     * to chip design */
    b2 = insert_batch(st, 3000, 3100);
    assert_int_equal(store_ent_load(st, 2, &old, &err), 0);
    assert_int_equal(store_ent_load(st, 2, &e, &err), 0);
    ent_set_text(&e, F_SCOPE, "芯片设计", strlen("芯片设计"));
    assert_int_equal(store_begin(st, &err), 0);
    assert_int_equal(store_ent_update(st, &old, &e, 1ull << F_SCOPE, b2, &err), 0);
    assert_int_equal(store_commit(st, &err), 0);
    ent_release(&old);
    ent_release(&e);

    opt.batch = b2;
    opt.threads = 1;
    assert_int_equal(classify_run(st, cl, &opt, &stats, &err), 0);
    assert_int_equal(stats.enterprises, 101);
    assert_int_equal(store_chain_ent_nodes(st, 2, collect, &sb, &err), 0);
    assert_string_equal(sb.buf, "t/chip 4 0.50 {\"kw\":[[\"芯片设计\",4,\"scope\"]]};");
    {
        struct chain_counts c;
        int64_t chip = 0;
        int i;
        for (i = 0; i < 3100; i++)
            chip += i % 3 == 0 || i % 7 == 0;
        assert_int_equal(chain_count(st, tax, &c, &err), 0);
        assert_int_equal(c.node[0], chip + 1);
        chain_counts_release(&c);
    }
    assert_int_equal(store_chain_count_taxonomies(st, versions, &classified, &err), 0);
    assert_int_equal(classified, 3100);
    store_close(st);
    strbuf_release(&sb);
    rm_store();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_then_again),
        cmocka_unit_test(test_batch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
