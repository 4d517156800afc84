/*
 * test_score.c - the enterprise score (index/score.c): every rule at every
 * band boundary (capital, age, staff, each patent kind, the unsplit patent
 * total, each tag and the cap, each round, recency, unknown values,
 * exclusion, chain fit), the breakdown (fixed order, values, lines sum to
 * the total), the hash, every loader error with its JSON path, the
 * embedded default model, and a differential test: thousands of random
 * facts scored in C and by score_sql in an in-memory SQLite must agree.
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
#include "index/score.h"
#include "registry/value.h"

#define U SCORE_UNKNOWN
#define WAN 1000000LL /* cents in 1 万元 */
#define TODAY 20254   /* 2025-06-15 */

/* A model with its own numbers, so that editing data/scoring.json never
 * breaks these tests. Maxima: scale 30 + innovation 36 + growth 14 +
 * chain 20 = 100. */
static const char model_json[] =
    "{\n"
    "  \"version\": 1,\n"
    "  \"note\": \"test model\",\n"
    "  \"exclude\": {\"status\": [\"cancelled\", \"revoked\", \"moved-out\", \"suspended\", "
    "\"liquidating\", \"other\"]},\n"
    "  \"scale\": {\n"
    "    \"max\": 30,\n"
    "    \"capital\": [{\"min\": 5000, \"points\": 10}, {\"min\": 1000, \"points\": 8}, "
    "{\"min\": 500, \"points\": 4}, {\"min\": 0, \"points\": 2}],\n"
    "    \"age\": [{\"min\": 10, \"points\": 8}, {\"min\": 3, \"points\": 5}, "
    "{\"min\": 1, \"points\": 2}, {\"min\": 0, \"points\": 0}],\n"
    "    \"staff\": [{\"min\": 300, \"points\": 12}, {\"min\": 50, \"points\": 6}, "
    "{\"min\": 10, \"points\": 3}, {\"min\": 0, \"points\": 1}]\n"
    "  },\n"
    "  \"innovation\": {\n"
    "    \"max\": 36,\n"
    "    \"invention\": [{\"min\": 10, \"points\": 10}, {\"min\": 1, \"points\": 6}, "
    "{\"min\": 0, \"points\": 0}],\n"
    "    \"utility\": [{\"min\": 5, \"points\": 4}, {\"min\": 1, \"points\": 2}, "
    "{\"min\": 0, \"points\": 0}],\n"
    "    \"design\": [{\"min\": 3, \"points\": 2}, {\"min\": 0, \"points\": 0}],\n"
    "    \"software\": [{\"min\": 5, \"points\": 5}, {\"min\": 1, \"points\": 2}, "
    "{\"min\": 0, \"points\": 0}],\n"
    "    \"unsplit_patents\": \"utility\",\n"
    "    \"tags\": {\"max\": 15, \"points\": {\"hightech\": 6, \"techsme\": 2, \"specialised\": 4, "
    "\"littlegiant\": 5, \"gazelle\": 3, \"unicorn\": 9, \"listed\": 7, \"neeq\": 1}}\n"
    "  },\n"
    "  \"growth\": {\n"
    "    \"max\": 14,\n"
    "    \"round\": {\"angel\": 2, \"a\": 4, \"a+\": 5, \"pre-b\": 5, \"b\": 6, \"c\": 8, "
    "\"ipo\": 10, \"strategic\": 3, \"seed+\": 1, \"m&a\": 2, \"debt\": 0},\n"
    "    \"recency\": [{\"within_days\": 365, \"points\": 4}, {\"within_days\": 1095, "
    "\"points\": 2}]\n"
    "  },\n"
    "  \"chain\": {\"max\": 20, \"member\": 13, \"gap\": 7}\n"
    "}\n";

static struct score_model *model;

static int setup(void **state)
{
    struct error err = ERROR_INIT;
    (void)state;
    if (score_model_parse(model_json, strlen(model_json), "t.json", &model, &err) != 0) {
        fprintf(stderr, "test model: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    score_model_free(model);
    return 0;
}

/* Facts with everything unknown and status active. */
static struct score_facts blank(void)
{
    struct score_facts f = { U, U, U, U, U, U, U, U, 0, NULL, U, STATUS_ACTIVE };
    return f;
}

/* The points of one factor of the breakdown. */
static int factor(const struct score_facts *f, struct score_chain c, const char *name)
{
    struct score_line lines[SCORE_MAX_LINES];
    int total;
    size_t i, n = score_explain(model, f, c, TODAY, lines, SCORE_MAX_LINES, &total);
    for (i = 0; i < n; i++)
        if (!strcmp(lines[i].factor, name))
            return lines[i].points;
    fail_msg("no line for factor %s", name);
    return -1;
}

static const struct score_chain nochain = { 0, 0 };

/* The base of facts with everything unknown: 2 (capital) + 1 (staff). */
#define BASE_UNKNOWN 3

/* ---- scale ---- */

static void test_capital(void **state)
{
    static const struct {
        int64_t cents;
        int points;
    } cases[] = {
        { U, 2 },
        { 0, 2 },
        { 500 * WAN - 1, 2 },
        { 500 * WAN, 4 },
        { 1000 * WAN - 1, 4 },
        { 1000 * WAN, 8 },
        { 5000 * WAN - 1, 8 },
        { 5000 * WAN, 10 },
        { INT64_MAX, 10 },
        { -1, 2 },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct score_facts f = blank();
        f.capital_cny = cases[i].cents;
        if (factor(&f, nochain, "capital") != cases[i].points)
            fail_msg("capital %lld: %d, expected %d", (long long)cases[i].cents,
                     factor(&f, nochain, "capital"), cases[i].points);
        assert_int_equal(score_base(model, &f, TODAY), BASE_UNKNOWN - 2 + cases[i].points);
    }
}

static void test_age(void **state)
{
    /* Y years are floor(Y * 365.25) days: 1 -> 365, 3 -> 1095, 10 -> 3652 */
    static const struct {
        int64_t age_days;
        int points;
    } cases[] = {
        { -10, 0 }, { 0, 0 },     { 364, 0 },   { 365, 2 },   { 1094, 2 },
        { 1095, 5 }, { 3651, 5 }, { 3652, 8 }, { 40000, 8 },
    };
    size_t i;
    struct score_facts f = blank();
    (void)state;
    assert_int_equal(factor(&f, nochain, "age"), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f.founded = TODAY - cases[i].age_days;
        if (factor(&f, nochain, "age") != cases[i].points)
            fail_msg("age %lld days: %d, expected %d", (long long)cases[i].age_days,
                     factor(&f, nochain, "age"), cases[i].points);
        assert_int_equal(score_base(model, &f, TODAY), BASE_UNKNOWN + cases[i].points);
    }
}

static void test_staff(void **state)
{
    static const struct {
        int64_t n;
        int points;
    } cases[] = { { U, 1 }, { 0, 1 }, { 9, 1 }, { 10, 3 }, { 49, 3 },
                  { 50, 6 }, { 299, 6 }, { 300, 12 }, { 100000, 12 } };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct score_facts f = blank();
        f.staff = cases[i].n;
        assert_int_equal(factor(&f, nochain, "staff"), cases[i].points);
        assert_int_equal(score_base(model, &f, TODAY), BASE_UNKNOWN - 1 + cases[i].points);
    }
}

/* ---- innovation ---- */

static void test_patent_kinds(void **state)
{
    static const struct {
        const char *kind;
        int64_t n;
        int points;
    } cases[] = {
        { "invention", U, 0 }, { "invention", 0, 0 }, { "invention", 1, 6 },
        { "invention", 9, 6 }, { "invention", 10, 10 },
        { "utility", U, 0 },   { "utility", 0, 0 },   { "utility", 1, 2 },
        { "utility", 4, 2 },   { "utility", 5, 4 },
        { "design", U, 0 },    { "design", 2, 0 },    { "design", 3, 2 },
        { "software", U, 0 },  { "software", 0, 0 },  { "software", 1, 2 },
        { "software", 4, 2 },  { "software", 5, 5 },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct score_facts f = blank();
        if (!strcmp(cases[i].kind, "invention"))
            f.pat_invention = cases[i].n;
        else if (!strcmp(cases[i].kind, "utility"))
            f.pat_utility = cases[i].n;
        else if (!strcmp(cases[i].kind, "design"))
            f.pat_design = cases[i].n;
        else
            f.software_cr = cases[i].n;
        if (factor(&f, nochain, cases[i].kind) != cases[i].points)
            fail_msg("%s %lld: %d, expected %d", cases[i].kind, (long long)cases[i].n,
                     factor(&f, nochain, cases[i].kind), cases[i].points);
    }
}

/* A patent total whose kinds are all unknown is scored with the bands of
 * unsplit_patents (utility here); as soon as one kind is known, it is not. */
static void test_unsplit_patents(void **state)
{
    struct score_facts f = blank();
    struct score_line lines[SCORE_MAX_LINES];
    int total;
    (void)state;
    f.patents = 7;
    assert_int_equal(factor(&f, nochain, "utility"), 4);
    assert_int_equal(factor(&f, nochain, "invention"), 0);
    assert_int_equal(factor(&f, nochain, "design"), 0);
    assert_int_equal(score_base(model, &f, TODAY), BASE_UNKNOWN + 4);
    score_explain(model, &f, nochain, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_string_equal(lines[4].factor, "utility");
    assert_string_equal(lines[4].value, "7件 (专利总数, 未分类)");
    f.patents = 1;
    assert_int_equal(factor(&f, nochain, "utility"), 2);
    f.patents = 0;
    assert_int_equal(factor(&f, nochain, "utility"), 0);
    f.patents = 7;
    f.pat_design = 0; /* one kind known: the total is no longer used */
    assert_int_equal(factor(&f, nochain, "utility"), 0);
    f.pat_design = U;
    f.software_cr = 3; /* software copyrights are not patents: no effect */
    assert_int_equal(factor(&f, nochain, "utility"), 4);
    assert_int_equal(factor(&f, nochain, "software"), 2);
}

static void test_tags(void **state)
{
    static const int points[TAG_COUNT] = { 6, 2, 4, 5, 3, 9, 7, 1 };
    int t;
    struct score_facts f = blank();
    (void)state;
    assert_int_equal(factor(&f, nochain, "tags"), 0);
    for (t = 0; t < TAG_COUNT; t++) {
        f.tags = 1u << t;
        if (factor(&f, nochain, "tags") != points[t])
            fail_msg("tag %s: %d, expected %d", value_tag_name((enum ent_tag)t),
                     factor(&f, nochain, "tags"), points[t]);
        assert_int_equal(score_base(model, &f, TODAY), BASE_UNKNOWN + points[t]);
    }
    f.tags = (1u << TAG_HIGHTECH) | (1u << TAG_SPECIALISED);
    assert_int_equal(factor(&f, nochain, "tags"), 10);
    f.tags = (1u << TAG_HIGHTECH) | (1u << TAG_UNICORN); /* 15: exactly the cap */
    assert_int_equal(factor(&f, nochain, "tags"), 15);
    f.tags = (1u << TAG_HIGHTECH) | (1u << TAG_UNICORN) | (1u << TAG_NEEQ); /* 16 */
    assert_int_equal(factor(&f, nochain, "tags"), 15);
    f.tags = (1u << TAG_COUNT) - 1;
    assert_int_equal(factor(&f, nochain, "tags"), 15);
    f.tags = ~0u << TAG_COUNT; /* bits past the known tags count for nothing */
    assert_int_equal(factor(&f, nochain, "tags"), 0);
}

/* ---- growth ---- */

static void test_rounds(void **state)
{
    static const struct {
        const char *round;
        int points;
    } cases[] = {
        { "angel", 2 }, { "a", 4 },     { "a+", 5 },      { "pre-b", 5 }, { "b", 6 },
        { "c", 8 },     { "ipo", 10 },  { "strategic", 3 }, { "seed+", 1 }, { "m&a", 2 },
        { "debt", 0 },  { "seed", 0 },  { "d", 0 },       { "pre-a", 0 }, { "listed", 0 },
        { "A", 0 },     { "", 0 },      { "zz", 0 },      { NULL, 0 },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct score_facts f = blank();
        f.round = cases[i].round;
        if (factor(&f, nochain, "round") != cases[i].points)
            fail_msg("round %s: %d, expected %d", cases[i].round ? cases[i].round : "NULL",
                     factor(&f, nochain, "round"), cases[i].points);
        assert_int_equal(score_round_points(model, cases[i].round), cases[i].points);
        assert_int_equal(score_base(model, &f, TODAY), BASE_UNKNOWN + cases[i].points);
    }
}

static void test_recency(void **state)
{
    static const struct {
        int64_t ago;
        int points;
    } cases[] = { { -30, 4 }, { 0, 4 },    { 365, 4 }, { 366, 2 },
                  { 1095, 2 }, { 1096, 0 }, { 20000, 0 } };
    size_t i;
    struct score_facts f = blank();
    (void)state;
    assert_int_equal(factor(&f, nochain, "recency"), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f.funding_date = TODAY - cases[i].ago;
        if (factor(&f, nochain, "recency") != cases[i].points)
            fail_msg("funded %lld days ago: %d, expected %d", (long long)cases[i].ago,
                     factor(&f, nochain, "recency"), cases[i].points);
    }
    /* the recency counts without a known round too, and adds to the round */
    f.funding_date = TODAY - 100;
    f.round = "b";
    assert_int_equal(score_base(model, &f, TODAY), BASE_UNKNOWN + 6 + 4);
}

/* ---- exclusion and chain fit ---- */

static void test_exclusion(void **state)
{
    static const int excluded[] = { STATUS_CANCELLED, STATUS_REVOKED,     STATUS_MOVED_OUT,
                                    STATUS_SUSPENDED, STATUS_LIQUIDATING, STATUS_OTHER };
    struct score_chain both = { 1, 1 };
    struct score_line lines[SCORE_MAX_LINES];
    size_t i, n;
    int total;
    (void)state;
    for (i = 0; i < sizeof(excluded) / sizeof(excluded[0]); i++) {
        struct score_facts f = blank();
        f.status = excluded[i];
        f.capital_cny = 9000 * WAN;
        f.tags = 0xff;
        f.pat_invention = 50;
        assert_true(score_excluded(model, f.status));
        assert_int_equal(score_base(model, &f, TODAY), 0);
        assert_int_equal(score_total(model, 55, f.status, both), 0);
        n = score_explain(model, &f, both, TODAY, lines, SCORE_MAX_LINES, &total);
        assert_int_equal(n, 1);
        assert_int_equal(total, 0);
        assert_string_equal(lines[0].dimension, "excluded");
        assert_string_equal(lines[0].factor, "status");
        assert_string_equal(lines[0].value, value_status_label((enum ent_status)excluded[i]));
        assert_int_equal(lines[0].points, 0);
    }
    /* unknown status is not excluded by this model; active never is */
    assert_false(score_excluded(model, STATUS_UNKNOWN));
    assert_false(score_excluded(model, STATUS_ACTIVE));
    assert_false(score_excluded(model, 99));
    assert_false(score_excluded(model, -1));
    {
        struct score_facts f = blank();
        f.status = STATUS_UNKNOWN;
        assert_int_equal(score_base(model, &f, TODAY), BASE_UNKNOWN);
    }
}

static void test_chain(void **state)
{
    struct score_facts f = blank();
    struct score_chain none = { 0, 0 }, member = { 1, 0 }, gap = { 1, 1 }, gap_only = { 0, 1 };
    int base;
    (void)state;
    assert_int_equal(score_model_chain_max(model), 20);
    base = score_base(model, &f, TODAY);
    assert_int_equal(score_total(model, base, f.status, none), base);
    assert_int_equal(score_total(model, base, f.status, member), base + 13);
    assert_int_equal(score_total(model, base, f.status, gap), base + 20);
    /* a gap without membership counts for nothing (the executor never
       passes it, but the rule must be the same everywhere) */
    assert_int_equal(score_total(model, base, f.status, gap_only), base);
    assert_int_equal(factor(&f, member, "member"), 13);
    assert_int_equal(factor(&f, member, "gap"), 0);
    assert_int_equal(factor(&f, gap, "gap"), 7);
    assert_int_equal(factor(&f, gap_only, "gap"), 0);
    assert_int_equal(factor(&f, gap_only, "member"), 0);
}

/* The best firm gets 100, the emptiest the sum of the lowest bands. */
static void test_extremes(void **state)
{
    struct score_facts f = { 1000000 * WAN, TODAY - 10000, 5000, 500, 100, 100, 100, 100,
                             0xff,         "ipo",         TODAY,  STATUS_ACTIVE };
    struct score_chain gap = { 1, 1 };
    (void)state;
    assert_int_equal(score_base(model, &f, TODAY), 80);
    assert_int_equal(score_total(model, score_base(model, &f, TODAY), f.status, gap), 100);
    f = blank();
    assert_int_equal(score_total(model, score_base(model, &f, TODAY), f.status, nochain),
                     BASE_UNKNOWN);
}

/* ---- the breakdown ---- */

static void test_explain(void **state)
{
    struct score_facts f = { 1200 * WAN, 17226 /* 2017-03-01 */, 120, 12, 2, 6, U, 0,
                             (1u << TAG_HIGHTECH) | (1u << TAG_SPECIALISED), "b",
                             TODAY - 400, STATUS_ACTIVE };
    struct score_chain c = { 1, 0 };
    struct score_line lines[SCORE_MAX_LINES];
    static const struct {
        const char *dimension, *factor, *value;
        int points, max;
    } want[SCORE_MAX_LINES] = {
        { "scale", "capital", "1200万元", 8, 10 },
        { "scale", "age", "8年 (2017-03-01)", 5, 8 },
        { "scale", "staff", "120人", 6, 12 },
        { "innovation", "invention", "2件", 6, 10 },
        { "innovation", "utility", "6件", 4, 4 },
        { "innovation", "design", "未知", 0, 2 },
        { "innovation", "software", "0件", 0, 5 },
        { "innovation", "tags", "hightech,specialised", 10, 15 },
        { "growth", "round", "b", 6, 10 },
        { "growth", "recency", "2024-05-11 (400天前)", 2, 4 },
        { "chain", "member", "是", 13, 13 },
        { "chain", "gap", "否", 0, 7 },
    };
    int total, sum = 0;
    size_t i, n;
    (void)state;
    n = score_explain(model, &f, c, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_int_equal(n, SCORE_MAX_LINES);
    for (i = 0; i < n; i++) {
        assert_string_equal(lines[i].dimension, want[i].dimension);
        assert_string_equal(lines[i].factor, want[i].factor);
        assert_string_equal(lines[i].value, want[i].value);
        assert_int_equal(lines[i].points, want[i].points);
        assert_int_equal(lines[i].max, want[i].max);
        sum += lines[i].points;
    }
    assert_int_equal(total, 60);
    assert_int_equal(sum, total);
    assert_int_equal(total, score_total(model, score_base(model, &f, TODAY), f.status, c));

    /* the maxima add up to 100 */
    for (sum = 0, i = 0; i < n; i++)
        sum += lines[i].max;
    assert_int_equal(sum, 100);

    /* fewer lines than factors: the first ones, and still the total */
    n = score_explain(model, &f, c, TODAY, lines, 3, &total);
    assert_int_equal(n, 3);
    assert_int_equal(total, 60);

    /* values: fractions of 万元, unknowns, many tags */
    f.capital_cny = 50 * 10000; /* 5000元 = 0.5万元 */
    f.founded = U;
    f.tags = (1u << TAG_COUNT) - 1;
    f.round = NULL;
    n = score_explain(model, &f, c, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_string_equal(lines[0].value, "0.5万元");
    assert_string_equal(lines[1].value, "未知");
    assert_string_equal(lines[8].value, "未知");
    assert_true(strlen(lines[7].value) < sizeof(lines[7].value));
    assert_non_null(strstr(lines[7].value, "hightech,"));
    assert_non_null(strstr(lines[7].value, "+")); /* "…,+2": what did not fit is counted */
    f.capital_cny = 123;
    f.founded = TODAY + 3;
    f.funding_date = TODAY + 1;
    score_explain(model, &f, c, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_string_equal(lines[0].value, "0.000123万元");
    assert_string_equal(lines[1].value, "2025-06-18 (晚于今天)");
    assert_string_equal(lines[9].value, "2025-06-16 (晚于今天)");
    /* whole years as the bands count them: 365 days are 1 year, 3652 are 10
       (a day before the calendar's tenth anniversary here: three leap days) */
    f.founded = TODAY - 364;
    score_explain(model, &f, c, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_string_equal(lines[1].value, "0年 (2024-06-16)");
    f.founded = TODAY - 365;
    score_explain(model, &f, c, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_string_equal(lines[1].value, "1年 (2024-06-15)");
    f.founded = TODAY - 3652;
    score_explain(model, &f, c, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_string_equal(lines[1].value, "10年 (2015-06-16)");
    assert_int_equal(lines[1].points, 8);
    f.founded = TODAY - 3651;
    score_explain(model, &f, c, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_string_equal(lines[1].value, "9年 (2015-06-17)");
    assert_int_equal(lines[1].points, 5);
}

static void test_labels(void **state)
{
    (void)state;
    assert_string_equal(score_label("capital"), "注册资本");
    assert_string_equal(score_label("innovation"), "创新");
    assert_string_equal(score_label("excluded"), "排除");
    assert_string_equal(score_label("nonesuch"), "nonesuch");
}

/* ---- the loader ---- */

/* The test model with the first occurrence of from replaced by to. */
static char *mutate(const char *from, const char *to)
{
    const char *p = strstr(model_json, from);
    struct strbuf sb = STRBUF_INIT;
    if (!p)
        fail_msg("'%s' is not in the test model", from);
    strbuf_add(&sb, model_json, (size_t)(p - model_json));
    strbuf_addstr(&sb, to);
    strbuf_addstr(&sb, p + strlen(from));
    return strbuf_detach(&sb, NULL);
}

/* The test model with several replacements, each of the first occurrence. */
static char *mutate_all(const char *const *from, const char *const *to, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    size_t k;
    strbuf_addstr(&sb, model_json);
    for (k = 0; k < n; k++) {
        const char *p = strstr(sb.buf, from[k]);
        struct strbuf nb = STRBUF_INIT;
        if (!p)
            fail_msg("'%s' is not in the test model", from[k]);
        strbuf_add(&nb, sb.buf, (size_t)(p - sb.buf));
        strbuf_addstr(&nb, to[k]);
        strbuf_addstr(&nb, p + strlen(from[k]));
        strbuf_release(&sb);
        sb = nb;
    }
    return strbuf_detach(&sb, NULL);
}

static void expect_error_text(const char *text, const char *want)
{
    struct score_model *m = NULL;
    struct error err = ERROR_INIT;
    if (score_model_parse(text, strlen(text), "t.json", &m, &err) == 0) {
        score_model_free(m);
        fail_msg("loaded, expected '%s'", want);
    }
    assert_null(m);
    if (strncmp(err.msg, want, strlen(want)) != 0)
        fail_msg("got '%s', expected '%s...'", err.msg, want);
}

static void expect_error(const char *from, const char *to, const char *want)
{
    char *text = mutate(from, to);
    expect_error_text(text, want);
    free(text);
}

static void test_loader_errors(void **state)
{
    (void)state;
    /* syntax, types at the top */
    expect_error_text("{\"version\": 1,", "t.json:1:");
    expect_error_text("[]", "t.json: must be an object, not an array");
    expect_error("\"version\": 1", "\"version\": 1, \"version\": 1", "t.json:2:");
    expect_error("\"version\": 1", "\"version\": 2", "t.json: version: must be at most 1 (2)");
    expect_error("\"version\": 1", "\"version\": \"1\"",
                 "t.json: version: must be a whole number, not a string");
    expect_error("\"version\": 1,", "", "t.json: missing key 'version'");
    expect_error("\"version\": 1", "\"version\": 1, \"extra\": 0",
                 "t.json: extra: unknown key (expected version, exclude, scale, innovation, "
                 "growth, chain or note)");
    expect_error("\"note\": \"test model\"", "\"note\": 5",
                 "t.json: note: must be a string, not a whole number");

    /* exclude */
    expect_error("\"status\": [\"cancelled\"", "\"status\": [\"gone\"",
                 "t.json: exclude.status[0]: 'gone' is not a status");
    expect_error("\"status\": [\"cancelled\"", "\"status\": [\"active\"",
                 "t.json: exclude.status[0]: 'active' cannot be excluded");
    expect_error("\"revoked\", \"moved-out\"", "\"revoked\", \"cancelled\"",
                 "t.json: exclude.status[2]: 'cancelled' is listed twice");
    expect_error("\"status\": [\"cancelled\"", "\"status\": [1",
                 "t.json: exclude.status[0]: must be a status name, not a whole number");
    expect_error("{\"status\": [", "{\"statuses\": [",
                 "t.json: exclude.statuses: unknown key (expected status or note)");
    expect_error("\"exclude\": {\"status\": [\"cancelled\", \"revoked\", \"moved-out\", "
                 "\"suspended\", \"liquidating\", \"other\"]}",
                 "\"exclude\": 3",
                 "t.json: exclude: must be an object, not a whole number");

    /* band lists */
    expect_error("{\"min\": 1000, \"points\": 8}", "{\"min\": 6000, \"points\": 8}",
                 "t.json: scale.capital[1].min: must be below scale.capital[0].min (5000)");
    expect_error("{\"min\": 500, \"points\": 4}", "{\"min\": 1000, \"points\": 4}",
                 "t.json: scale.capital[2].min: must be below scale.capital[1].min (1000)");
    expect_error("{\"min\": 0, \"points\": 2}", "{\"min\": 100, \"points\": 2}",
                 "t.json: scale.capital[3].min: the last band must have min 0 (100)");
    expect_error("{\"min\": 1000, \"points\": 8}", "{\"min\": 1000.5, \"points\": 8}",
                 "t.json: scale.capital[1].min: must be a whole number, not 1000.5");
    expect_error("{\"min\": 1000, \"points\": 8}", "{\"min\": \"1000\", \"points\": 8}",
                 "t.json: scale.capital[1].min: must be a whole number, not a string");
    expect_error("{\"min\": 1000, \"points\": 8}", "{\"min\": -1000, \"points\": 8}",
                 "t.json: scale.capital[1].min: must not be negative (-1000)");
    expect_error("{\"min\": 5000, \"points\": 10}", "{\"min\": 5000000000000, \"points\": 10}",
                 "t.json: scale.capital[0].min: must be at most 1000000000");
    expect_error("{\"min\": 1000, \"points\": 8}", "{\"min\": 1000, \"points\": -8}",
                 "t.json: scale.capital[1].points: must not be negative (-8)");
    expect_error("{\"min\": 1000, \"points\": 8}", "{\"min\": 1000, \"points\": 101}",
                 "t.json: scale.capital[1].points: must be at most 100 (101)");
    expect_error("{\"min\": 1000, \"points\": 8}", "{\"min\": 1000}",
                 "t.json: scale.capital[1]: missing key 'points'");
    expect_error("{\"min\": 1000, \"points\": 8}", "{\"min\": 1000, \"points\": 8, \"max\": 9}",
                 "t.json: scale.capital[1].max: unknown key (expected min, points)");
    expect_error("{\"min\": 1000, \"points\": 8}", "[1000, 8]",
                 "t.json: scale.capital[1]: must be an object, not an array");
    expect_error("\"capital\": [{\"min\": 5000, \"points\": 10}, {\"min\": 1000, \"points\": 8}, "
                 "{\"min\": 500, \"points\": 4}, {\"min\": 0, \"points\": 2}]",
                 "\"capital\": {\"min\": 0}",
                 "t.json: scale.capital: must be an array of bands {\"min\": ..., \"points\": ...}, "
                 "not an object");
    expect_error("\"design\": [{\"min\": 3, \"points\": 2}, {\"min\": 0, \"points\": 0}]",
                 "\"design\": []", "t.json: innovation.design: must hold at least one band");
    expect_error("{\"min\": 10, \"points\": 8}", "{\"min\": 501, \"points\": 8}",
                 "t.json: scale.age[0].min: must be at most 500 (501)");
    expect_error("{\"min\": 3, \"points\": 5}", "{\"min\": 10, \"points\": 5}",
                 "t.json: scale.age[1].min: must be below scale.age[0].min (10)");
    expect_error("{\"min\": 50, \"points\": 6}", "{\"min\": 300, \"points\": 6}",
                 "t.json: scale.staff[1].min: must be below scale.staff[0].min (300)");
    expect_error("\"staff\": [", "\"headcount\": [",
                 "t.json: scale.headcount: unknown key (expected max, capital, age, staff or note)");
    {
        /* 17 bands */
        struct strbuf sb = STRBUF_INIT;
        char *text;
        int i;
        strbuf_addstr(&sb, "\"design\": [");
        for (i = 16; i >= 0; i--)
            strbuf_addf(&sb, "{\"min\": %d, \"points\": 0}%s", i, i ? ", " : "");
        strbuf_addstr(&sb, "]");
        text = mutate("\"design\": [{\"min\": 3, \"points\": 2}, {\"min\": 0, \"points\": 0}]", sb.buf);
        expect_error_text(text, "t.json: innovation.design: holds 17 bands, at most 16");
        free(text);
        strbuf_release(&sb);
    }

    /* innovation */
    expect_error("\"unsplit_patents\": \"utility\"", "\"unsplit_patents\": \"software\"",
                 "t.json: innovation.unsplit_patents: must be \"invention\", \"utility\", "
                 "\"design\" or \"none\"");
    expect_error("\"unsplit_patents\": \"utility\",", "",
                 "t.json: innovation: missing key 'unsplit_patents'");
    expect_error("\"hightech\": 6", "\"hitech\": 6",
                 "t.json: innovation.tags.points.hitech: unknown tag (expected hightech, ");
    expect_error("\"hightech\": 6", "\"hightech\": -6",
                 "t.json: innovation.tags.points.hightech: must not be negative (-6)");
    expect_error("\"max\": 15", "\"max\": 45",
                 "t.json: innovation.tags.max: 45 is more than all tags together give (37)");
    expect_error("\"points\": {\"hightech\"", "\"points\": [], \"x\": {\"hightech\"",
                 "t.json: innovation.tags.x: unknown key (expected max, points or note)");
    expect_error("\"littlegiant\": 5, \"gazelle\": 3, \"unicorn\": 9, \"listed\": 7, \"neeq\": 1}",
                 "\"littlegiant\": 5, \"gazelle\": 3, \"unicorn\": 9, \"listed\": 7, \"neeq\": 1}, "
                 "\"cap\": 3",
                 "t.json: innovation.tags.cap: unknown key (expected max, points or note)");
    {
        char *text = mutate_all((const char *const[]){ "\"points\": {\"hightech\": 6, \"techsme\": 2, "
                                                      "\"specialised\": 4, \"littlegiant\": 5, "
                                                      "\"gazelle\": 3, \"unicorn\": 9, "
                                                      "\"listed\": 7, \"neeq\": 1}" },
                                (const char *const[]){ "\"points\": [6, 2]" }, 1);
        expect_error_text(text, "t.json: innovation.tags.points: must be an object "
                                "{\"hightech\": 6, ...}, not an array");
        free(text);
    }

    /* growth */
    expect_error("\"angel\": 2", "\"A\": 2", "t.json: growth.round.A: write the round as 'a'");
    expect_error("\"angel\": 2", "\"天使轮\": 2", "t.json: growth.round.天使轮: write the round as 'angel'");
    expect_error("\"angel\": 2", "\"series-x\": 2",
                 "t.json: growth.round.series-x: not a canonical round");
    expect_error("\"angel\": 2", "\"a+++\": 2", "t.json: growth.round.a+++: not a canonical round");
    expect_error("\"angel\": 2", "\"k\": 2", "t.json: growth.round.k: not a canonical round");
    expect_error("\"angel\": 2", "\"angel\": 2.5",
                 "t.json: growth.round.angel: must be a whole number, not 2.5");
    expect_error("\"round\": {", "\"rounds\": {",
                 "t.json: growth.rounds: unknown key (expected max, round, recency or note)");
    expect_error("\"round\": {\"angel\": 2, \"a\": 4, \"a+\": 5, \"pre-b\": 5, \"b\": 6, \"c\": 8, "
                 "\"ipo\": 10, \"strategic\": 3, \"seed+\": 1, \"m&a\": 2, \"debt\": 0}",
                 "\"round\": [\"a\"]",
                 "t.json: growth.round: must be an object {\"a\": 4, ...}, not an array");
    expect_error("{\"within_days\": 1095", "{\"within_days\": 365",
                 "t.json: growth.recency[1].within_days: must be above "
                 "growth.recency[0].within_days (365)");
    expect_error("{\"within_days\": 365", "{\"within_days\": -1",
                 "t.json: growth.recency[0].within_days: must not be negative (-1)");
    expect_error("{\"within_days\": 365, \"points\": 4}", "{\"days\": 365, \"points\": 4}",
                 "t.json: growth.recency[0].days: unknown key (expected within_days, points)");
    expect_error("{\"within_days\": 365, \"points\": 4}", "{\"points\": 4}",
                 "t.json: growth.recency[0]: missing key 'within_days'");

    /* chain */
    expect_error("\"member\": 13", "\"member\": -13", "t.json: chain.member: must not be negative");
    expect_error("\"gap\": 7", "\"gap\": true", "t.json: chain.gap: must be a whole number, not true/false");

    /* maxima */
    expect_error("\"max\": 30", "\"max\": 31",
                 "t.json: scale.max: is 31, but the factors give at most 30 (capital 10 + age 8 + "
                 "staff 12)");
    expect_error("\"max\": 36", "\"max\": 35",
                 "t.json: innovation.max: is 35, but the factors give at most 36 (invention 10 + "
                 "utility 4 + design 2 + software 5 + tags 15)");
    expect_error("\"max\": 14", "\"max\": 10",
                 "t.json: growth.max: is 10, but the factors give at most 14 (round 10 + recency 4)");
    expect_error("\"max\": 20", "\"max\": 21",
                 "t.json: chain.max: is 21, but the factors give at most 20 (member 13 + gap 7)");
    expect_error("\"max\": 20, \"member\": 13", "\"max\": 21, \"member\": 14",
                 "t.json: scale.max + innovation.max + growth.max + chain.max add up to 101 (30 + "
                 "36 + 14 + 21), not 100");
    expect_error("\"max\": 30", "\"max\": 1e2", "t.json: scale.max: must be a whole number, not 100");
}

static void test_loader_limits(void **state)
{
    struct score_model *m = (struct score_model *)1;
    struct error err = ERROR_INIT;
    char path[] = "/tmp/test_score_XXXXXX";
    char *big;
    int fd;
    FILE *f;
    (void)state;

    /* no source: no prefix */
    assert_int_equal(score_model_parse("[]", 2, NULL, &m, &err), -1);
    assert_string_equal(err.msg, "must be an object, not an array");
    assert_int_equal(score_model_parse("{", 1, NULL, &m, &err), -1);
    assert_true(strncmp(err.msg, "1:", 2) == 0);

    /* more than 1 MiB: refused before parsing */
    big = calloc(SCORE_MAX_FILE + 2, 1);
    assert_non_null(big);
    memset(big, ' ', SCORE_MAX_FILE + 1);
    assert_int_equal(score_model_parse(big, SCORE_MAX_FILE + 1, "big.json", &m, &err), -1);
    assert_null(m);
    assert_string_equal(err.msg, "big.json: larger than 1 MiB (1048577 bytes)");

    /* a file: loads; too large; missing */
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    fputs(model_json, f);
    fclose(f);
    assert_int_equal(score_model_load(path, &m, &err), 0);
    assert_string_equal(score_model_hash(m), score_model_hash(model));
    score_model_free(m);
    f = fopen(path, "wb");
    fwrite(big, 1, SCORE_MAX_FILE + 1, f);
    fclose(f);
    assert_int_equal(score_model_load(path, &m, &err), -1);
    assert_non_null(strstr(err.msg, "larger than 1 MiB"));
    unlink(path);
    assert_int_equal(score_model_load(path, &m, &err), -1);
    assert_true(strncmp(err.msg, path, strlen(path)) == 0);
    assert_non_null(strstr(err.msg, "No such file"));
    free(big);

    /* a NUL inside the text is an error, not the end */
    {
        char text[] = "{\"version\": 1}\0garbage";
        assert_int_equal(score_model_parse(text, sizeof(text) - 1, "nul.json", &m, &err), -1);
        assert_string_equal(err.msg, "nul.json: byte 15 is a NUL: not a JSON text");
    }
}

/* The hash is of the content: white space, key order and notes do not
 * change it; any number does. */
static void test_hash(void **state)
{
    struct score_model *m;
    struct error err = ERROR_INIT;
    const char *h = score_model_hash(model);
    char *text;
    size_t i;
    (void)state;
    assert_int_equal(strlen(h), 12);
    for (i = 0; i < 12; i++)
        assert_non_null(strchr("0123456789abcdef", h[i]));

    text = mutate("\"note\": \"test model\"", "\"note\": \"another note\"");
    assert_int_equal(score_model_parse(text, strlen(text), "t", &m, &err), 0);
    assert_string_equal(score_model_hash(m), h);
    score_model_free(m);
    free(text);

    /* reordered round keys */
    text = mutate("\"angel\": 2, \"a\": 4,", "\"a\": 4, \"angel\": 2,");
    assert_int_equal(score_model_parse(text, strlen(text), "t", &m, &err), 0);
    assert_string_equal(score_model_hash(m), h);
    score_model_free(m);
    free(text);

    text = mutate("\"angel\": 2", "\"angel\": 3");
    assert_int_equal(score_model_parse(text, strlen(text), "t", &m, &err), 0);
    assert_string_not_equal(score_model_hash(m), h);
    score_model_free(m);
    free(text);

    text = mutate("{\"min\": 0, \"points\": 2}", "{\"min\": 0, \"points\": 2}  ");
    assert_int_equal(score_model_parse(text, strlen(text), "t", &m, &err), 0);
    assert_string_equal(score_model_hash(m), h);
    score_model_free(m);
    free(text);
}

/* The shipped model loads, its maxima add up to 100, and its hash is
 * stable for a given file. */
static void test_default(void **state)
{
    struct score_model *m, *m2;
    struct error err = ERROR_INIT;
    struct score_facts f = blank();
    struct score_line lines[SCORE_MAX_LINES];
    struct score_chain gap = { 1, 1 };
    int total, sum = 0;
    size_t i, n;
    (void)state;
    if (score_model_load(NULL, &m, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(score_model_load(NULL, &m2, &err), 0);
    assert_string_equal(score_model_hash(m), score_model_hash(m2));
    n = score_explain(m, &f, gap, TODAY, lines, SCORE_MAX_LINES, &total);
    assert_int_equal(n, SCORE_MAX_LINES);
    for (i = 0; i < n; i++)
        sum += lines[i].max;
    assert_int_equal(sum, 100);
    /* the example bands */
    f.capital_cny = 5000 * WAN;
    assert_int_equal(score_explain(m, &f, gap, TODAY, lines, 1, &total), 1);
    assert_int_equal(lines[0].points, 10);
    f.capital_cny = 1000 * WAN;
    score_explain(m, &f, gap, TODAY, lines, 1, &total);
    assert_int_equal(lines[0].points, 8);
    f.capital_cny = 500 * WAN;
    score_explain(m, &f, gap, TODAY, lines, 1, &total);
    assert_int_equal(lines[0].points, 4);
    f.capital_cny = 499 * WAN;
    score_explain(m, &f, gap, TODAY, lines, 1, &total);
    assert_int_equal(lines[0].points, 2);
    score_model_free(m);
    score_model_free(m2);
}

/* ---- the differential test: C against score_sql in SQLite ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static int64_t rnd_below(int64_t n)
{
    return (int64_t)(rnd() % (uint64_t)n);
}

/* Mostly values on or next to a threshold of either model, sometimes
 * unknown, sometimes anything. */
static int64_t pick(const int64_t *edges, size_t nedges, int64_t unit, int64_t any)
{
    switch (rnd_below(8)) {
    case 0: return U;
    case 1: return rnd_below(any);
    case 2: return rnd_below(4) ? rnd_below(any) * unit : -rnd_below(3);
    default: return edges[rnd_below((int64_t)nedges)] * unit + rnd_below(3) - 1;
    }
}

static const char *const round_pool[] = {
    "seed", "seed+", "angel", "angel+", "pre-angel", "pre-a", "a", "a+", "a++", "pre-b", "b",
    "b+", "c", "d", "e", "j", "pre-ipo", "ipo", "post-ipo", "listed", "neeq", "placement",
    "strategic", "equity", "m&a", "debt", "transfer", "zz", "", "A",
};

static void random_facts(struct score_facts *f, int *member, int *gap)
{
    static const int64_t wan[] = { 0, 500, 1000, 5000 };
    static const int64_t ages[] = { 0, 365, 1095, 1826, 3652 };         /* 0, 1, 3, 5, 10 years */
    static const int64_t counts[] = { 0, 1, 3, 5, 10, 20, 50, 100, 300, 1000 };
    static const int64_t recent[] = { 0, 365, 730, 1095 };
    int64_t v;
    f->capital_cny = pick(wan, 4, WAN, 100000);
    v = pick(ages, 5, 1, 20000);
    f->founded = v == U ? U : TODAY - v;
    f->staff = pick(counts, 10, 1, 5000);
    f->patents = pick(counts, 10, 1, 200);
    f->pat_invention = rnd_below(3) ? U : pick(counts, 10, 1, 200);
    f->pat_utility = rnd_below(3) ? U : pick(counts, 10, 1, 200);
    f->pat_design = rnd_below(3) ? U : pick(counts, 10, 1, 200);
    f->software_cr = pick(counts, 10, 1, 200);
    f->tags = (uint32_t)rnd() & (rnd_below(10) ? 0xffu : 0xffffffffu);
    if (rnd_below(4) == 0)
        f->tags = 0;
    f->round = rnd_below(5) == 0 ? NULL : round_pool[rnd_below(sizeof(round_pool) / sizeof(round_pool[0]))];
    v = pick(recent, 4, 1, 5000);
    f->funding_date = v == U ? U : TODAY - v;
    f->status = rnd_below(3) ? STATUS_ACTIVE : (int)rnd_below(9);
    *member = (int)rnd_below(2);
    *gap = (int)rnd_below(2);
}

static void bind_int(sqlite3_stmt *s, int col, int64_t v)
{
    if (v == U)
        sqlite3_bind_null(s, col);
    else
        sqlite3_bind_int64(s, col, v);
}

#define NFACTS 5000

static void differential(const struct score_model *m, int with_chain)
{
    static struct score_facts facts[NFACTS];
    static int members[NFACTS], gaps[NFACTS];
    sqlite3 *db;
    sqlite3_stmt *ins, *sel;
    struct strbuf sql = STRBUF_INIT;
    char *errmsg = NULL;
    int i, rows = 0;

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE f (id INTEGER PRIMARY KEY, capital_cny BIGINT, "
                                  "founded_days INTEGER, staff INTEGER, patents INTEGER, "
                                  "pat_invention INTEGER, pat_utility INTEGER, pat_design INTEGER, "
                                  "software_cr INTEGER, funding_days INTEGER, tags INTEGER, "
                                  "round TEXT, status INTEGER, m INTEGER, g INTEGER)",
                                  NULL, NULL, &errmsg),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO f VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                        "?, ?, ?)",
                                        -1, &ins, NULL),
                     SQLITE_OK);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (i = 0; i < NFACTS; i++) {
        struct score_facts *f = &facts[i];
        random_facts(f, &members[i], &gaps[i]);
        sqlite3_bind_int(ins, 1, i);
        bind_int(ins, 2, f->capital_cny);
        bind_int(ins, 3, f->founded);
        bind_int(ins, 4, f->staff);
        bind_int(ins, 5, f->patents);
        bind_int(ins, 6, f->pat_invention);
        bind_int(ins, 7, f->pat_utility);
        bind_int(ins, 8, f->pat_design);
        bind_int(ins, 9, f->software_cr);
        bind_int(ins, 10, f->funding_date);
        sqlite3_bind_int64(ins, 11, (int64_t)f->tags);
        if (f->round)
            sqlite3_bind_text(ins, 12, f->round, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 12);
        /* an unknown status is sometimes NULL, sometimes 0 */
        if (f->status == STATUS_UNKNOWN && (i & 1))
            sqlite3_bind_null(ins, 13);
        else
            sqlite3_bind_int(ins, 13, f->status);
        sqlite3_bind_int(ins, 14, members[i]);
        sqlite3_bind_int(ins, 15, gaps[i]);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(ins);

    strbuf_addstr(&sql, "SELECT id, ");
    score_sql(m, TODAY, with_chain ? "m <> 0" : "0", with_chain ? "g <> 0" : NULL, &sql);
    strbuf_addstr(&sql, " FROM f ORDER BY id");
    if (sqlite3_prepare_v2(db, sql.buf, -1, &sel, NULL) != SQLITE_OK)
        fail_msg("%s\n%s", sqlite3_errmsg(db), sql.buf);
    while (sqlite3_step(sel) == SQLITE_ROW) {
        int id = sqlite3_column_int(sel, 0), want;
        struct score_chain c = { with_chain ? members[id] : 0, with_chain ? gaps[id] : 0 };
        struct score_line lines[SCORE_MAX_LINES];
        int total, sum = 0;
        size_t k, n;
        want = score_total(m, score_base(m, &facts[id], TODAY), facts[id].status, c);
        assert_int_equal(sqlite3_column_type(sel, 1), SQLITE_INTEGER);
        if (sqlite3_column_int(sel, 1) != want)
            fail_msg("fact %d: SQL %d, C %d", id, sqlite3_column_int(sel, 1), want);
        assert_true(want >= 0 && want <= 100);
        /* and the breakdown agrees and adds up */
        n = score_explain(m, &facts[id], c, TODAY, lines, SCORE_MAX_LINES, &total);
        for (k = 0; k < n; k++) {
            assert_true(lines[k].points >= 0 && lines[k].points <= lines[k].max);
            sum += lines[k].points;
        }
        assert_int_equal(total, want);
        assert_int_equal(sum, want);
        rows++;
    }
    assert_int_equal(rows, NFACTS);
    sqlite3_finalize(sel);
    sqlite3_close(db);
    strbuf_release(&sql);
}

static void test_sql_differential(void **state)
{
    /* a model that excludes unknown status too, scores an unsplit total as
       inventions, has a single-band list, bands whose points do not fall
       from the top, no recency and rounds at 0 */
    static const char *const from[] = {
        "\"status\": [\"cancelled\"",
        "\"unsplit_patents\": \"utility\"",
        "\"design\": [{\"min\": 3, \"points\": 2}, {\"min\": 0, \"points\": 0}]",
        "\"max\": 14",
        "\"round\": {\"angel\": 2, \"a\": 4, \"a+\": 5, \"pre-b\": 5, \"b\": 6, \"c\": 8, "
        "\"ipo\": 10, \"strategic\": 3, \"seed+\": 1, \"m&a\": 2, \"debt\": 0}",
        "\"recency\": [{\"within_days\": 365, \"points\": 4}, {\"within_days\": 1095, "
        "\"points\": 2}]",
        "\"max\": 30",
        "\"min\": 0, \"points\": 2}",
        "{\"min\": 300, \"points\": 12}",
    };
    static const char *const to[] = {
        "\"status\": [\"unknown\", \"cancelled\"",
        "\"unsplit_patents\": \"invention\"",
        "\"design\": [{\"min\": 0, \"points\": 2}]",
        "\"max\": 0",
        "\"round\": {\"a\": 0}",
        "\"recency\": []",
        "\"max\": 44",
        "\"min\": 0, \"points\": 16}",
        "{\"min\": 300, \"points\": 20}",
    };
    struct score_model *def, *m;
    struct error err = ERROR_INIT;
    char *text;
    (void)state;
    differential(model, 1);
    differential(model, 0);
    assert_int_equal(score_model_load(NULL, &def, &err), 0);
    differential(def, 1);
    score_model_free(def);
    text = mutate_all(from, to, sizeof(from) / sizeof(from[0]));
    if (score_model_parse(text, strlen(text), "t2", &m, &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(score_excluded(m, STATUS_UNKNOWN));
    differential(m, 1);
    score_model_free(m);
    free(text);
}

/* score_sql's shape for the documented special cases. */
static void test_sql_shape(void **state)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    (void)state;
    score_sql(model, TODAY, "0", "0", &a);
    score_sql(model, TODAY, NULL, "", &b);
    assert_string_equal(a.buf, b.buf);
    assert_null(strstr(a.buf, "THEN 13")); /* no chain term at all */
    strbuf_reset(&b);
    score_sql(model, TODAY, "x IN (1, 2)", "0", &b);
    assert_non_null(strstr(b.buf, "(CASE WHEN (x IN (1, 2)) THEN 13 ELSE 0 END)"));
    assert_null(strstr(b.buf, "THEN 13 +"));
    assert_non_null(strstr(b.buf, "COALESCE(status, 0) IN (2, 3, 4, 5, 6, 7)"));
    strbuf_release(&a);
    strbuf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capital),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_staff),
        cmocka_unit_test(test_patent_kinds),
        cmocka_unit_test(test_unsplit_patents),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_rounds),
        cmocka_unit_test(test_recency),
        cmocka_unit_test(test_exclusion),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_loader_errors),
        cmocka_unit_test(test_loader_limits),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_default),
        cmocka_unit_test(test_sql_differential),
        cmocka_unit_test(test_sql_shape),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
