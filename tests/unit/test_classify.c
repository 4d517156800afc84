/*
 * test_classify.c - the classifier's rules (chain/classify.c): scores, the
 * most specific code rule, exclusions that cancel only the keyword
 * occurrences they overlap (and only their own node's), name keywords,
 * thresholds and confidence, folding, field separation, the evidence and
 * its JSON, and the limits on hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "chain/classify.h"
#include "chain/taxonomy.h"

static const char chains[] =
    "[track]\nid = t\nname = 测试\n"
    "[node chip]\nname = 芯片设计\nstage = upstream\n"
    "codes = 65:1, 6520:3, I:0.5\n"
    "keywords = 芯片:1, 芯片设计:3, AI芯片:2, 集成电路:2\n"
    "name_keywords = 芯:1\n"
    "exclude = 芯片销售, 销售芯片\n"
    "threshold = 4\n"
    "[node trade]\nname = 电子贸易\nstage = downstream\n"
    "keywords = 芯片:2, 销售:2.5, 云计算:4\n"
    "threshold = 4\n"
    "[node hr]\nname = 人力资源\nstage = downstream\n"
    "keywords = 人力资源:1\n"
    "name_keywords = 人力资源:2\n"
    "threshold = 3\n";

struct fixture {
    struct taxonomy *t;
    struct classifier *c;
    struct classify_scratch *s;
    struct classify_result r;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    struct tax_file file = { "t.chain", chains, sizeof(chains) - 1 };
    struct error err = ERROR_INIT;
    if (taxonomy_load_files(&file, 1, NULL, &f->t, &err) != 0 ||
        classifier_new(f->t, &f->c, &err) != 0) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    f->s = classify_scratch_new(f->c);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    classify_scratch_free(f->s);
    classifier_free(f->c);
    taxonomy_free(f->t);
    free(f);
    return 0;
}

static const struct classify_result *run(struct fixture *f, const char *name, const char *scope,
                                         const char *industry)
{
    struct classify_input in = { name, name ? strlen(name) : 0, scope, scope ? strlen(scope) : 0,
                                 industry };
    classify_ent(f->c, f->s, &in, &f->r);
    return &f->r;
}

static const struct classify_node *node(const struct classify_result *r, const char *id)
{
    size_t i;
    for (i = 0; i < r->nnodes; i++)
        if (!strcmp(r->nodes[i].node->id, id))
            return &r->nodes[i];
    return NULL;
}

static const char *evidence(const struct classify_node *n)
{
    static char buf[1024];
    struct strbuf sb = STRBUF_INIT;
    classify_evidence_json(n, &sb);
    snprintf(buf, sizeof(buf), "%s", sb.buf);
    strbuf_release(&sb);
    return buf;
}

static void test_keywords_count_once(void **state)
{
    struct fixture *f = *state;
    const struct classify_result *r = run(f, "某某科技有限公司", "芯片设计；芯片设计服务；集成电路", NULL);
    const struct classify_node *n = node(r, "chip");
    assert_non_null(n);
    /* 芯片 1 + 芯片设计 3 + 集成电路 2, each once however often it occurs */
    assert_int_equal(n->score, 600);
    assert_true(n->placed);
    assert_null(n->code);
    assert_int_equal(n->nkws, 3);
    assert_string_equal(evidence(n),
                        "{\"kw\":[[\"芯片\",1,\"scope\"],[\"芯片设计\",3,\"scope\"],"
                        "[\"集成电路\",2,\"scope\"]]}");
    /* the other node's use of 芯片 counts for it, not above its threshold */
    n = node(r, "trade");
    assert_int_equal(n->score, 200);
    assert_false(n->placed);
    assert_int_equal(r->nplaced, 1);
    /* results come in taxonomy order */
    assert_string_equal(r->nodes[0].node->id, "chip");
    assert_string_equal(r->nodes[1].node->id, "trade");
}

static void test_code_rules(void **state)
{
    struct fixture *f = *state;
    const struct classify_node *n;
    n = node(run(f, NULL, NULL, "6520"), "chip");  /* 6520 beats 65 and I */
    assert_int_equal(n->score, 300);
    assert_string_equal(n->code->code, "6520");
    assert_string_equal(evidence(n), "{\"code\":[\"6520\",3]}");
    n = node(run(f, NULL, NULL, "6513"), "chip");  /* under 65 */
    assert_int_equal(n->score, 100);
    assert_string_equal(n->code->code, "65");
    n = node(run(f, NULL, NULL, "6410"), "chip");  /* under section I only */
    assert_int_equal(n->score, 50);
    assert_string_equal(evidence(n), "{\"code\":[\"I\",0.5]}");
    n = node(run(f, NULL, NULL, "I6520"), "chip");  /* not the stored form: looked up */
    assert_int_equal(n->score, 300);
    assert_null(node(run(f, NULL, NULL, "3911"), "chip"));
    assert_int_equal(run(f, NULL, NULL, "not a code")->nnodes, 0);
    assert_int_equal(run(f, NULL, NULL, "")->nnodes, 0);
    /* code plus keywords */
    n = node(run(f, NULL, "芯片设计", "6520"), "chip");
    assert_int_equal(n->score, 300 + 100 + 300);
    assert_true(n->placed);
}

static void test_exclusions(void **state)
{
    struct fixture *f = *state;
    const struct classify_result *r;
    const struct classify_node *n;

    /* 芯片销售 cancels the 芯片 inside it and nothing else */
    r = run(f, "某公司", "芯片销售；芯片设计", NULL);
    n = node(r, "chip");
    assert_int_equal(n->score, 100 + 300);
    assert_true(n->placed);
    assert_int_equal(n->nexs, 1);
    assert_string_equal(n->exs[0].exclusion->text, "芯片销售");
    assert_string_equal(n->exs[0].cancelled->text, "芯片");
    assert_string_equal(evidence(n), "{\"kw\":[[\"芯片\",1,\"scope\"],[\"芯片设计\",3,\"scope\"]],"
                                     "\"ex\":[[\"芯片销售\",\"芯片\",\"scope\"]]}");
    /* only the chip node's exclusion: trade still counts 芯片 and 销售 */
    n = node(r, "trade");
    assert_int_equal(n->score, 200 + 250);
    assert_int_equal(n->nexs, 0);

    /* every occurrence cancelled: no score, but the node is reported with why */
    r = run(f, "某公司", "芯片销售；销售芯片", NULL);
    n = node(r, "chip");
    assert_non_null(n);
    assert_int_equal(n->score, 0);
    assert_false(n->placed);
    assert_int_equal(n->nkws, 0);
    assert_int_equal(n->nexs, 2);
    assert_true(n->confidence == 0.0);

    /* an exclusion that overlaps only partly still cancels ("销售芯片设计":
     * 销售芯片 overlaps 芯片 and 芯片设计) */
    n = node(run(f, "某公司", "销售芯片设计", NULL), "chip");
    assert_int_equal(n->score, 0);
    assert_int_equal(n->nexs, 2);
    /* adjacent is not overlapping: "芯片设计销售" has no 芯片销售 */
    n = node(run(f, "某公司", "芯片设计销售", NULL), "chip");
    assert_int_equal(n->score, 400);
}

static void test_name_keywords_and_fields(void **state)
{
    struct fixture *f = *state;
    const struct classify_node *n;

    n = node(run(f, "杭州芯动科技有限公司", "技术服务", NULL), "chip");
    assert_int_equal(n->score, 100);
    assert_string_equal(evidence(n), "{\"nk\":[[\"芯\",1]]}");
    /* a name keyword in the scope does not count */
    assert_null(node(run(f, "杭州某科技有限公司", "芯动", NULL), "chip"));
    /* keyword and name keyword together: the bonus for the name */
    n = node(run(f, "杭州人力资源有限公司", "人力资源服务", NULL), "hr");
    assert_int_equal(n->score, 300);
    assert_true(n->placed);
    assert_string_equal(evidence(n), "{\"kw\":[[\"人力资源\",1,\"name+scope\"]],"
                                     "\"nk\":[[\"人力资源\",2]]}");
    n = node(run(f, "杭州某有限公司", "人力资源服务", NULL), "hr");
    assert_int_equal(n->score, 100);
    assert_int_equal(n->kws[0].fields, CLASSIFY_IN_SCOPE);
    /* no match spans the name and the scope */
    assert_null(node(run(f, "杭州云", "计算服务", NULL), "trade"));
    n = node(run(f, "杭州云计算有限公司", "", NULL), "trade");
    assert_int_equal(n->kws[0].fields, CLASSIFY_IN_NAME);
}

static void test_folding(void **state)
{
    struct fixture *f = *state;
    const struct classify_node *n;
    n = node(run(f, "某公司", "ＡＩ芯片设计", NULL), "chip");  /* full width, upper case */
    assert_non_null(n);
    assert_int_equal(n->score, 200 + 100 + 300);
    n = node(run(f, "某公司", "Ai芯片", NULL), "chip");
    assert_int_equal(n->score, 300);
}

static void test_threshold_and_confidence(void **state)
{
    struct fixture *f = *state;
    const struct classify_node *n;
    n = node(run(f, "某公司", "云计算", NULL), "trade");  /* exactly the threshold */
    assert_true(n->placed);
    assert_true(fabs(n->confidence - 0.5) < 1e-9);
    n = node(run(f, "某公司", "云计算；芯片；销售", NULL), "trade");  /* 8.5 of 4 */
    assert_true(n->placed);
    assert_true(fabs(n->confidence - (1 - exp2(-8.5 / 4))) < 1e-9);
    n = node(run(f, "某公司", "销售", NULL), "trade");  /* 2.5 < 4 */
    assert_false(n->placed);
    assert_true(n->confidence > 0 && n->confidence < 0.5);
    /* code 3 + 芯片 1 + 芯片设计 3 + name keyword 芯 1 = 8, twice the threshold: 0.75 */
    n = node(run(f, "芯原公司", "芯片设计", "6520"), "chip");
    assert_int_equal(n->score, 800);
    assert_true(fabs(n->confidence - 0.75) < 1e-9);
}

static void test_empty_and_hostile_input(void **state)
{
    struct fixture *f = *state;
    const struct classify_result *r;
    char *big;
    size_t i, n = CLASSIFY_MAX_SCOPE + 1000;

    r = run(f, NULL, NULL, NULL);
    assert_int_equal(r->nnodes, 0);
    assert_false(r->truncated);
    r = run(f, "", "", NULL);
    assert_int_equal(r->nnodes, 0);
    /* invalid UTF-8 and control bytes do not crash or match across them */
    r = run(f, "\xE8\x8A", "\xFF\xFE芯\x01片\x1F芯片设计\xE8", NULL);
    assert_non_null(node(r, "chip"));

    /* too long: cut, reported */
    big = xmalloc(n + 1);
    for (i = 0; i + 6 <= n; i += 6)
        memcpy(big + i, "芯片", 6);
    big[i] = '\0';
    r = run(f, "某公司", big, NULL);
    assert_true(r->truncated);
    assert_non_null(node(r, "chip"));
    /* the scratch is reusable after the big one */
    r = run(f, "某公司", "芯片设计", NULL);
    assert_false(r->truncated);
    assert_int_equal(node(r, "chip")->score, 400);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords_count_once),
        cmocka_unit_test(test_code_rules),
        cmocka_unit_test(test_exclusions),
        cmocka_unit_test(test_name_keywords_and_fields),
        cmocka_unit_test(test_folding),
        cmocka_unit_test(test_threshold_and_confidence),
        cmocka_unit_test(test_empty_and_hostile_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
