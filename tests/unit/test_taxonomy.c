/*
 * test_taxonomy.c - the .chain loader (chain/taxonomy.c): every kind of
 * malformed file is rejected with FILE:LINE and the reason, a good
 * taxonomy loads with the defaults and folding the format promises, from a
 * directory, a bundle or memory; a failed reload keeps the old taxonomy;
 * and the default taxonomy built into the binary loads.
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

#include "base/strbuf.h"
#include "chain/taxonomy.h"

static const char good_ai[] =
    "\xEF\xBB\xBF# 人工智能 (a BOM, comments, CRLF line ends below)\r\n"
    "[track]\r\n"
    "id = ai   # trailing comment\r\n"
    "name = 人工智能\r\n"
    "kind = chain\r\n"
    "source = 《新一代人工智能发展规划》\r\n"
    "source = 杭州市西湖区2023年政府工作报告\r\n"
    "\r\n"
    "[node chip]\r\n"
    "name = AI芯片\r\n"
    "stage = upstream\r\n"
    "codes = 6520:3, 3973\r\n"
    "keywords = ＡＩ芯片:4，人工智能芯片:4、 GPU:1.5 , machine learning:2\r\n"
    "keywords = C#芯片:1\r\n"
    "name_keywords = 芯:1\r\n"
    "exclude = 芯片销售, 电子产品销售\r\n"
    "threshold = 4\r\n"
    "\r\n"
    "[node app]\r\n"
    "name = 人工智能应用\r\n"
    "stage = 下游\r\n"
    "keywords = 人工智能\r\n"
    "codes = I\r\n";

static const char good_de[] =
    "[track]\n"
    "id = de\n"
    "name = 数字经济核心产业\n"
    "kind = classification\n"
    "[node 0101]\n"
    "name = 计算机制造\n"
    "stage = 01\n"
    "codes = 391:4\n";

/* Load one file named name with the text; returns the taxonomy or NULL with
 * the message in err. */
static struct taxonomy *load1(const char *name, const char *text, struct error *err)
{
    struct tax_file f = { name, text, strlen(text) };
    struct taxonomy *t = NULL;
    error_clear(err);
    if (taxonomy_load_files(&f, 1, NULL, &t, err) != 0)
        return NULL;
    return t;
}

/* The file must be rejected with a message that starts with where (e.g.
 * "t.chain:3: ") and contains what. */
static void expect_error(const char *text, const char *where, const char *what)
{
    struct error err = ERROR_INIT;
    struct taxonomy *t = load1("t.chain", text, &err);
    if (t) {
        taxonomy_free(t);
        fail_msg("loaded, expected '%s%s'", where, what);
    }
    if (strncmp(err.msg, where, strlen(where)) != 0 || !strstr(err.msg, what))
        fail_msg("got '%s', expected '%s...%s'", err.msg, where, what);
}

#define HEAD "[track]\nid = t\nname = 测试\n"
#define NODE "[node n]\nname = 节点\nstage = upstream\n"

static void test_errors(void **state)
{
    (void)state;
    expect_error(HEAD NODE "keyword = 芯片\n", "t.chain:7: ", "unknown key 'keyword' in [node n]");
    expect_error(HEAD "colour = red\n" NODE "keywords = 芯片\n", "t.chain:4: ",
                 "unknown key 'colour' in [track]");
    expect_error(HEAD "[node n]\nname = x\nstage = sideways\nkeywords = a\n", "t.chain:6: ",
                 "stage 'sideways' is not upstream, midstream or downstream");
    expect_error("[track]\nid = t\nname = x\nkind = classification\n[node n]\nname = x\n"
                 "stage = upstream\ncodes = 65\n", "t.chain:7: ", "is not a category code");
    expect_error(HEAD NODE "codes = 6510:2\n", "t.chain:7: ",
                 "unknown GB/T 4754-2017 code '6510'");
    expect_error(HEAD NODE "codes = 软件\n", "t.chain:7: ", "unknown GB/T 4754-2017 code '软件'");
    expect_error(HEAD NODE "keywords = 芯片:4\n[node n]\nname = y\nstage = upstream\nkeywords = b\n",
                 "t.chain:8: ", "node 'n' is defined twice in track 't' (first on line 4)");
    expect_error(HEAD NODE "keywords = 芯片:high\n", "t.chain:7: ",
                 "weight 'high' of '芯片' is not a number");
    expect_error(HEAD NODE "keywords = 芯片:1.234\n", "t.chain:7: ", "is not a number");
    expect_error(HEAD NODE "keywords = 芯片:101\n", "t.chain:7: ", "is not a number from 0 to 100");
    expect_error(HEAD NODE "keywords = 芯片:\n", "t.chain:7: ", "has no weight after the ':'");
    expect_error(HEAD NODE "keywords = 芯片\nthreshold = many\n", "t.chain:8: ",
                 "threshold 'many' is not a number");
    expect_error(HEAD NODE "keywords = 芯片\nthreshold = 0\n", "t.chain:8: ",
                 "threshold '0' is not a number above 0");
    expect_error("# no track\n[node n]\nname = x\nstage = upstream\nkeywords = a\n", "t.chain:2: ",
                 "[node n] before [track]");
    expect_error("name = x\n", "t.chain:1: ", "outside a section");
    expect_error("# only a comment\n", "t.chain: ", "no [track] section");
    expect_error(HEAD, "t.chain: ", "track 't' has no [node] sections");
    expect_error("[track]\nname = x\n" NODE "keywords = a\n", "t.chain:1: ", "[track] has no id");
    expect_error("[track]\nid = t\n" NODE "keywords = a\n", "t.chain:1: ", "[track] has no name");
    expect_error(HEAD "[node n]\nstage = upstream\nkeywords = a\n", "t.chain:4: ",
                 "[node n] has no name");
    expect_error(HEAD "[node n]\nname = x\nkeywords = a\n", "t.chain:4: ", "[node n] has no stage");
    expect_error(HEAD NODE "exclude = 芯片销售\n", "t.chain:4: ",
                 "has no codes, keywords or name_keywords");
    expect_error(HEAD NODE "keywords = a:1, b:1\nthreshold = 3\n", "t.chain:4: ",
                 "threshold 3 is more than all its rules together can score (2)");
    expect_error(HEAD NODE "keywords = "
                 "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
                 "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五\n",
                 "t.chain:7: ", "is too long (65 characters, at most 64)");
    expect_error(HEAD NODE "keywords = 芯片, 芯片\n", "t.chain:7: ",
                 "'芯片' is listed twice in [node n]");
    expect_error(HEAD NODE "keywords = ＡＩ, ai\n", "t.chain:7: ", "'ai' is listed twice");
    expect_error(HEAD NODE "keywords = 芯片销售\nexclude = 芯片销售\n", "t.chain:8: ",
                 "exclude: '芯片销售' is also in keywords of [node n]");
    expect_error(HEAD NODE "exclude = 芯\nname_keywords = 芯\n", "t.chain:8: ",
                 "name_keywords: '芯' is also in exclude of [node n]");
    expect_error(HEAD NODE "keywords = a\nexclude = 芯片销售:2\n", "t.chain:8: ",
                 "exclusions take none");
    expect_error(HEAD NODE "codes = 65, 65:3\n", "t.chain:7: ", "'65' is listed twice");
    expect_error(HEAD NODE "keywords = a\nname = again\n", "t.chain:8: ",
                 "duplicate key 'name' in [node n] (first on line 5)");
    expect_error("[track]\nid = t\nid = t\n", "t.chain:3: ", "duplicate key 'id' in [track]");
    expect_error("[track]\nid = other\n", "t.chain:2: ",
                 "track id 'other' does not match the file name (t.chain must define 't')");
    expect_error("[track]\nid = T!\n", "t.chain:2: ", "track id 'T!' must be");
    expect_error(HEAD "[node Chip]\n", "t.chain:4: ", "node id 'Chip' must be");
    expect_error(HEAD "[node]\n", "t.chain:4: ", "[node] needs an id");
    expect_error(HEAD "[nodes n]\n", "t.chain:4: ", "unknown section");
    expect_error(HEAD "[node n\n", "t.chain:4: ", "must end with ']'");
    expect_error(HEAD "[track x]\n", "t.chain:4: ", "[track] takes no id");
    expect_error(HEAD NODE "keywords = a\n[track]\n", "t.chain:8: ", "a second [track] section");
    expect_error(HEAD "kind = tree\n", "t.chain:4: ", "kind 'tree' is not 'chain' or 'classification'");
    expect_error(HEAD NODE "keywords a b c\n", "t.chain:7: ", "expected 'key = value'");
    expect_error(HEAD NODE "keywords =\n", "t.chain:7: ", "key 'keywords' has no value");
    expect_error(HEAD NODE "= 芯片\n", "t.chain:7: ", "no key");
    expect_error(HEAD NODE "keywords = , ,\n", "t.chain:4: ", "has no codes, keywords");
    expect_error(HEAD NODE "keywords = \xE8\x8A\n", "t.chain:7: ", "invalid UTF-8");
    {
        static const char nul[] = "[track]\nid = t\n\0name = x\n";
        struct tax_file f = { "t.chain", nul, sizeof(nul) - 1 };
        struct taxonomy *t = NULL;
        struct error err = ERROR_INIT;
        assert_int_equal(taxonomy_load_files(&f, 1, NULL, &t, &err), -1);
        assert_non_null(strstr(err.msg, "t.chain:3: a NUL byte"));
    }
}

static void test_error_names_source_and_file(void **state)
{
    struct tax_file f[2] = { { "a.chain", good_de, 0 }, { "b.chain", "[track]\nid = b\nname = x\n"
                                                          "[node n]\nstage = up\n", 0 } };
    struct taxonomy *t = NULL;
    struct error err = ERROR_INIT;
    char a[256];
    (void)state;
    /* a.chain must define 'a': rename the track on the fly */
    snprintf(a, sizeof(a), "%s", good_de);
    memcpy(strstr(a, "id = de"), "id = a ", 7);
    f[0].data = a;
    f[0].len = strlen(a);
    f[1].len = strlen(f[1].data);
    assert_int_equal(taxonomy_load_files(f, 2, "chains", &t, &err), -1);
    assert_string_equal(err.msg, "chains/b.chain:5: stage 'up' is not upstream, midstream or "
                                 "downstream (上游, 中游, 下游)");
    /* the same track id in two files */
    f[1].name = "x";
    f[1].data = a;
    f[1].len = strlen(a);
    assert_int_equal(taxonomy_load_files(f, 2, "chains", &t, &err), -1);
    assert_string_equal(err.msg, "chains/x:2: track 'a' is also defined in a.chain");
}

static void test_good(void **state)
{
    struct error err = ERROR_INIT;
    struct tax_file f[2] = { { "ai.chain", good_ai, sizeof(good_ai) - 1 },
                             { "de.chain", good_de, sizeof(good_de) - 1 } };
    struct taxonomy *t = NULL;
    const struct tax_node *n;
    const struct tax_track *tr;
    char w[16];
    (void)state;

    assert_int_equal(taxonomy_load_files(f, 2, NULL, &t, &err), 0);
    assert_int_equal(t->ntracks, 2);
    assert_int_equal(t->nnodes, 3);
    tr = taxonomy_track(t, "ai");
    assert_non_null(tr);
    assert_string_equal(tr->name, "人工智能");
    assert_int_equal(tr->kind, TAX_CHAIN);
    assert_int_equal(tr->nsources, 2);
    assert_string_equal(tr->sources[1], "杭州市西湖区2023年政府工作报告");
    assert_int_equal(tr->nnodes, 2);
    assert_int_equal(taxonomy_track(t, "de")->kind, TAX_CLASSIFICATION);
    assert_null(taxonomy_track(t, "nope"));

    n = taxonomy_node(t, "ai/chip");
    assert_non_null(n);
    assert_string_equal(n->id, "chip");
    assert_string_equal(n->name, "AI芯片");
    assert_int_equal(n->stage, TAX_UPSTREAM);
    assert_int_equal(n->line, 9);
    assert_string_equal(n->file, "ai.chain");
    assert_int_equal(n->threshold, 400);
    assert_int_equal(n->ncodes, 2);
    assert_string_equal(n->codes[0].code, "6520");
    assert_int_equal(n->codes[0].weight, 300);
    assert_int_equal(n->codes[0].level, 4);
    assert_int_equal(n->codes[1].weight, TAXONOMY_DEFAULT_WEIGHT);
    /* separators , ， 、 and a repeated key; width and case folding */
    assert_int_equal(n->nkeywords, 5);
    assert_string_equal(n->keywords[0].text, "AI芯片");
    assert_string_equal(n->keywords[0].key, "ai芯片");
    assert_int_equal(n->keywords[0].weight, 400);
    assert_string_equal(n->keywords[2].key, "gpu");
    assert_int_equal(n->keywords[2].weight, 150);
    assert_string_equal(n->keywords[3].key, "machine learning");
    assert_string_equal(n->keywords[4].key, "c#芯片");  /* '#' inside a value is not a comment */
    assert_int_equal(n->nname_keywords, 1);
    assert_int_equal(n->name_keywords[0].weight, 100);
    assert_int_equal(n->nexcludes, 2);
    assert_int_equal(n->excludes[0].weight, 0);
    /* term ids number every term once */
    assert_int_equal(t->nterms, 5 + 1 + 2 + 1);
    assert_int_equal(n->excludes[1].id, 7);

    n = taxonomy_node(t, "ai/app");
    assert_int_equal(n->stage, TAX_DOWNSTREAM);
    assert_string_equal(n->stage_text, "downstream");
    assert_string_equal(n->codes[0].code, "I");
    assert_int_equal(n->codes[0].level, 1);
    n = taxonomy_node(t, "de/0101");
    assert_int_equal(n->stage, TAX_CATEGORY);
    assert_string_equal(n->stage_text, "01");
    assert_null(taxonomy_node(t, "ai/none"));
    assert_int_equal(strlen(t->hash), 16);

    assert_string_equal(tax_weight_format(400, w), "4");
    assert_string_equal(tax_weight_format(150, w), "1.5");
    assert_string_equal(tax_weight_format(125, w), "1.25");
    assert_string_equal(tax_weight_format(5, w), "0.05");
    assert_string_equal(tax_stage_label(TAX_MIDSTREAM), "中游");
    taxonomy_free(t);
}

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void rm_dir(void)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

static void test_dir_bundle_and_reload(void **state)
{
    struct taxonomy *t = NULL, *b = NULL, *keep;
    struct error err = ERROR_INIT;
    struct strbuf bundle = STRBUF_INIT;
    (void)state;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/magnet-test-taxonomy-%d", (int)getpid());
    rm_dir();
    assert_int_equal(mkdir(tmpdir, 0700), 0);
    assert_int_equal(taxonomy_load_dir(tmpdir, &t, &err), -1);
    assert_non_null(strstr(err.msg, "no .chain files"));
    write_file("ai.chain", good_ai);
    write_file("de.chain", good_de);
    write_file("README.md", "not a chain file\n");
    assert_int_equal(taxonomy_load_dir(tmpdir, &t, &err), 0);
    assert_int_equal(t->ntracks, 2);
    assert_string_equal(t->tracks[0].id, "ai");  /* file-name order */
    assert_string_equal(t->source, tmpdir);

    /* the same files as a bundle (as the build embeds them): the same version */
    strbuf_addf(&bundle, "\x1C" "ai.chain\n%s\n\x1C" "de.chain\n%s\n", good_ai, good_de);
    assert_int_equal(taxonomy_load_bundle(bundle.buf, bundle.len, "bundle", &b, &err), 0);
    assert_string_equal(b->hash, t->hash);
    assert_int_equal(b->nnodes, 3);
    taxonomy_free(b);
    assert_int_equal(taxonomy_load_bundle("junk", 4, "bundle", &b, &err), -1);
    assert_non_null(strstr(err.msg, "not a taxonomy bundle"));

    /* a malformed edit: the reload fails, names the place, keeps the old one */
    write_file("de.chain", "[track]\nid = de\nname = x\n[node n]\nname = y\nstage = 01\n");
    keep = t;
    assert_int_equal(taxonomy_reload(&t, tmpdir, &err), -1);
    assert_ptr_equal(t, keep);
    assert_non_null(strstr(err.msg, "/de.chain:6: stage '01' is not upstream"));
    assert_non_null(taxonomy_node(t, "de/0101"));  /* still usable */
    /* fixed: the reload replaces it */
    write_file("de.chain", good_de);
    write_file("ai.chain", "[track]\nid = ai\nname = AI\n[node x]\nname = x\nstage = 上游\n"
                           "keywords = 算法:4\n");
    assert_int_equal(taxonomy_reload(&t, tmpdir, &err), 0);
    assert_non_null(taxonomy_node(t, "ai/x"));
    assert_null(taxonomy_node(t, "ai/chip"));
    taxonomy_free(t);
    assert_int_equal(taxonomy_load_dir("/nonexistent/chains", &t, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/chains"));
    strbuf_release(&bundle);
    rm_dir();
}

static void test_default_loads(void **state)
{
    struct taxonomy *t = NULL;
    struct error err = ERROR_INIT;
    size_t i;
    (void)state;
    if (taxonomy_load_default(&t, &err) != 0)
        fail_msg("the built-in taxonomy (data/chains) does not load: %s", err.msg);
    assert_string_equal(t->source, "built-in");
    assert_true(t->ntracks >= 11);
    for (i = 0; i < t->ntracks; i++)
        assert_true(t->tracks[i].nnodes > 0);
    assert_non_null(taxonomy_track(t, "ai"));
    taxonomy_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_names_source_and_file),
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_dir_bundle_and_reload),
        cmocka_unit_test(test_default_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
