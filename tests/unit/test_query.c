/*
 * test_query.c - the screening query parser (index/query.c): every example
 * query of the screening issue to its canonical form, every error message
 * with its position, aliases, full-width input, OR lists, negation, ranges
 * and the AST values the executor relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/taxonomy.h"
#include "index/query.h"
#include "registry/value.h"

static struct taxonomy *tax;
static struct query_env env;

static int setup(void **state)
{
    struct error err = ERROR_INIT;
    (void)state;
    if (taxonomy_load_default(&tax, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    env.taxonomy = tax;
    env.today = "2024-06-01";
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    taxonomy_free(tax);
    return 0;
}

/* q parses, its canonical form is want, and the canonical form parses to
 * itself. */
static void ok_env(const struct query_env *e, const char *q, const char *want)
{
    struct query *ast = NULL, *ast2 = NULL;
    struct error err = ERROR_INIT;
    struct strbuf sb = STRBUF_INIT, sb2 = STRBUF_INIT;
    if (query_parse(q, e, &ast, &err) < 0)
        fail_msg("'%s': %s", q, err.msg);
    query_format(ast, &sb);
    if (strcmp(sb.buf, want) != 0)
        fail_msg("'%s'\n  gives '%s'\n  wanted '%s'", q, sb.buf, want);
    if (query_parse(sb.buf, e, &ast2, &err) < 0)
        fail_msg("canonical '%s': %s", sb.buf, err.msg);
    query_format(ast2, &sb2);
    assert_string_equal(sb2.buf, sb.buf);
    query_free(ast);
    query_free(ast2);
    strbuf_release(&sb);
    strbuf_release(&sb2);
}

static void ok(const char *q, const char *want)
{
    ok_env(&env, q, want);
}

static void bad_env(const struct query_env *e, const char *q, const char *want)
{
    struct query *ast = (struct query *)1;
    struct error err = ERROR_INIT;
    if (query_parse(q, e, &ast, &err) == 0)
        fail_msg("'%s' parsed; wanted the error '%s'", q, want);
    assert_null(ast);
    if (strcmp(err.msg, want) != 0)
        fail_msg("'%s'\n  error '%s'\n  wanted '%s'", q, err.msg, want);
}

static void bad(const char *q, const char *want)
{
    bad_env(&env, q, want);
}

static struct query *parse(const char *q)
{
    struct query *ast = NULL;
    struct error err = ERROR_INIT;
    if (query_parse(q, &env, &ast, &err) < 0)
        fail_msg("'%s': %s", q, err.msg);
    return ast;
}

/* ---- the issue's queries ---- */

static void test_issue_queries(void **state)
{
    (void)state;
    ok("name:智能 status:active sort:capital", "name:智能 status:active sort:capital");
    ok("-region:3301 industry:6511|6512|6513|6519|6520|6531|6532|6550|6560 capital>=1000 "
       "founded>=2015 status:active patents>=5",
       "-region:3301 industry:6511|6512|6513|6519|6520|6531|6532|6550|6560 capital:1000.. "
       "founded:2015-01-01.. status:active patents:5..");
    ok("scope:人工智能 region:33 sort:patents", "scope:人工智能 region:33 sort:patents");
    ok("region:330106 tag:hightech staff>=50 sort:capital",
       "region:330106 tag:hightech staff:50.. sort:capital");
    ok("name:芯", "name:芯");
    ok("scope:芯片|集成电路 -name:贸易 capital>=5000 sort:capital",
       "scope:芯片|集成电路 -name:贸易 capital:5000.. sort:capital");
    /* the bullet list */
    ok("region:浙江", "region:33");
    ok("region:3301", "region:3301");
    ok("region:杭州市西湖区", "region:330106");
    ok("-region:330106", "-region:330106");
    ok("industry:I65", "industry:65");
    ok("industry:6513", "industry:6513");
    ok("track:人工智能", "track:ai");
    ok("node:人工智能/AI芯片", "node:ai/chip");
    ok("status:active", "status:active");
    ok("tag:hightech", "tag:hightech");
    ok("round:A", "round:a");
    ok("capital>=1000", "capital:1000..");
    ok("capital:1000..5000", "capital:1000..5000");
    ok("founded>=2015", "founded:2015-01-01..");
    ok("founded<2020-07-01", "founded:..2020-06-30");
    ok("staff>=50", "staff:50..");
    ok("patents>=5", "patents:5..");
    ok("name:智能", "name:智能");
    ok("scope:人工智能", "scope:人工智能");
    ok("region:杭州|宁波", "region:3301|3302");
    ok("sort:capital-asc", "sort:capital-asc");
    ok("", "");
    ok("  \u3000 ", "");
}

/* ---- fields and aliases ---- */

static void test_region(void **state)
{
    struct query *q;
    (void)state;
    ok("region:330106004", "region:330106004");
    ok("region:330000", "region:33");
    ok("region:330100", "region:3301");
    ok("region:浙江杭州西湖区", "region:330106");
    ok("region:杭州", "region:3301");
    ok("地区:杭州", "region:3301");
    ok("区域:宁波", "region:3302");
    ok("region:\"杭州市 西湖区\"", "region:330106");
    q = parse("region:浙江|3301|330106");
    assert_int_equal(q->clauses[0].field, QF_REGION);
    assert_int_equal(q->clauses[0].nalts, 3);
    assert_int_equal(q->clauses[0].alts[0].level, 1);
    assert_int_equal(q->clauses[0].alts[1].level, 2);
    assert_int_equal(q->clauses[0].alts[2].level, 3);
    assert_string_equal(q->clauses[0].alts[2].code, "330106");
    assert_int_equal(q->clauses[0].alts[2].pos, 16);
    query_free(q);
}

static void test_industry(void **state)
{
    struct query *q;
    (void)state;
    ok("industry:I", "industry:I");
    ok("industry:i65", "industry:65");
    ok("industry:I6513", "industry:6513");
    ok("industry:651", "industry:651");
    ok("industry:软件和信息技术服务业", "industry:65");
    ok("industry:应用软件开发", "industry:6513");
    ok("行业:65", "industry:65");
    q = parse("industry:I|65|651|6513");
    assert_int_equal(q->clauses[0].alts[0].level, 1);
    assert_int_equal(q->clauses[0].alts[3].level, 4);
    query_free(q);
}

static void test_track_node(void **state)
{
    struct query *q;
    struct query_env none = { NULL, "2024-06-01" };
    (void)state;
    ok("track:ai", "track:ai");
    ok("赛道:人工智能", "track:ai");
    ok("node:ai/chip", "node:ai/chip");
    ok("node:ai/AI芯片", "node:ai/chip");
    ok("node:人工智能/chip", "node:ai/chip");
    ok("node:AI芯片", "node:ai/chip");
    ok("环节:ai/chip", "node:ai/chip");
    ok("track:ai|人工智能", "track:ai|ai");
    q = parse("track:ai node:ai/chip");
    assert_string_equal(tax->tracks[q->clauses[0].alts[0].id].id, "ai");
    assert_string_equal(tax->nodes[q->clauses[1].alts[0].id].full_id, "ai/chip");
    assert_string_equal(q->clauses[1].alts[0].text, "ai/chip");
    query_free(q);
    bad_env(&none, "track:ai", "position 7: track: needs the chain taxonomy, which is not loaded");
    bad_env(&none, "name:x node:ai/chip",
            "position 13: node: needs the chain taxonomy, which is not loaded");
    ok_env(&none, "name:x region:33", "name:x region:33");
}

static void test_status(void **state)
{
    struct query *q;
    (void)state;
    ok("status:存续", "status:active");
    ok("status:在业", "status:active");
    ok("status:ACTIVE", "status:active");
    ok("status:cancelled|注销", "status:cancelled|cancelled");
    ok("status:revoked|吊销", "status:revoked|revoked");
    ok("status:moved-out|迁出", "status:moved-out|moved-out");
    ok("status:停业|清算|其他", "status:suspended|liquidating|other");
    ok("-status:注销", "-status:cancelled");
    ok("状态:存续", "status:active");
    q = parse("status:迁出");
    assert_int_equal(q->clauses[0].alts[0].id, STATUS_MOVED_OUT);
    query_free(q);
}

static void test_tag(void **state)
{
    struct query *q;
    (void)state;
    ok("tag:高新|国高企|高新技术企业|国家高新技术企业|HighTech",
       "tag:hightech|hightech|hightech|hightech|hightech");
    ok("tag:专精特新|小巨人|瞪羚|独角兽|上市|挂牌",
       "tag:specialised|littlegiant|gazelle|unicorn|listed|neeq");
    ok("tag:科技型中小企业", "tag:techsme");
    ok("资质:瞪羚", "tag:gazelle");
    q = parse("tag:小巨人");
    assert_int_equal(q->clauses[0].alts[0].id, TAG_LITTLEGIANT);
    query_free(q);
}

static void test_round(void **state)
{
    (void)state;
    ok("round:天使轮|Pre-A|A+|B轮|IPO|战略融资", "round:angel|pre-a|a+|b|ipo|strategic");
    ok("轮次:A轮", "round:a");
}

static void test_uscc(void **state)
{
    (void)state;
    ok("uscc:91330106MA2AXK0C3Q", "uscc:91330106MA2AXK0C3Q");
    ok("统一社会信用代码:９１３３０１０６ｍａ２ａｘｋ０ｃ３ｑ", "uscc:91330106MA2AXK0C3Q");
    ok("-uscc:91330106MA2AXK0C3Q|91110108MA01BCDE27",
       "-uscc:91330106MA2AXK0C3Q|91110108MA01BCDE27");
    bad("uscc:91330106MA2AXK0C3R", "position 6: check character is 'R', expected 'Q'");
    bad("uscc:9133010", "position 6: has 7 characters, expected 18");
    bad("uscc>=91330106MA2AXK0C3Q", "position 5: uscc takes ':' (the operator '>=' is for "
                                    "capital, founded, staff and patents)");
}

static void test_text(void **state)
{
    struct query *q;
    (void)state;
    ok("智能", "智能");
    ok("\"quoted phrase\"", "\"quoted phrase\"");
    ok("\"a   b\"", "\"a b\"");
    ok("-贸易", "-贸易");
    ok("芯片|集成电路", "芯片|集成电路");
    ok("name:\"a b\"|c", "name:\"a b\"|c");
    ok("name:ＡＢＣ", "name:abc");
    ok("name:Smart", "name:smart");
    ok("name:中国（上海）", "name:中国(上海)");
    ok("“智能 制造”", "\"智能 制造\"");
    ok("ab\"c d\"e", "\"abc de\"");
    ok("\"a:b\"", "\"a:b\"");
    ok("\"-x\"", "\"-x\"");
    ok("--x", "-\"-x\"");
    ok("名称:芯 经营范围:芯片 范围:半导体", "name:芯 scope:芯片 scope:半导体");
    ok("capital", "capital");
    q = parse("name:ＡＢＣ 智能");
    assert_int_equal(q->clauses[0].field, QF_NAME);
    assert_string_equal(q->clauses[0].alts[0].text, "abc");
    assert_int_equal(q->clauses[0].alts[0].text_len, 3);
    assert_int_equal(q->clauses[1].field, QF_TEXT);
    assert_int_equal(q->clauses[1].pos, 10);
    query_free(q);
}

/* ---- numbers and dates ---- */

static void test_ranges(void **state)
{
    struct query *q;
    (void)state;
    ok("capital:1000", "capital:1000");
    ok("capital:1000.. capital:..5000", "capital:1000.. capital:..5000");
    ok("capital:1000..1000", "capital:1000");
    ok("capital>1000", "capital:1000.000001..");
    ok("capital<1000", "capital:..999.999999");
    ok("capital<=1000", "capital:..1000");
    ok("capital=1000", "capital:1000");
    ok("capital==1000", "capital:1000");
    ok("capital:>=1000", "capital:1000..");
    ok("capital≥1000 capital≤2000", "capital:1000.. capital:..2000");
    ok("capital>=1,000.5", "capital:1000.5..");
    ok("capital>=1000万 capital>=1000万元 capital>=0.5亿 capital<=1亿元",
       "capital:1000.. capital:1000.. capital:5000.. capital:..10000");
    ok("capital:0.000001", "capital:0.000001");
    ok("注册资本>=500", "capital:500..");
    ok("staff:1..9|50..", "staff:1..9|50..");
    ok("staff>49 staff<10", "staff:50.. staff:..9");
    ok("patents:0", "patents:0");
    ok("专利>=1 人数>=10 参保人数<=5", "patents:1.. staff:10.. staff:..5");
    ok("founded:2015", "founded:2015-01-01..2015-12-31");
    ok("founded:2020-07", "founded:2020-07-01..2020-07-31");
    ok("founded:2020-02", "founded:2020-02-01..2020-02-29");
    ok("founded:2020-07-01", "founded:2020-07-01");
    ok("founded:2020/7/1", "founded:2020-07-01");
    ok("founded>2015", "founded:2016-01-01..");
    ok("founded<=2020", "founded:..2020-12-31");
    ok("founded<2020", "founded:..2019-12-31");
    ok("founded>2020-07", "founded:2020-08-01..");
    ok("founded:2015..2020-06", "founded:2015-01-01..2020-06-30");
    ok("founded:2020年7月 founded>=2015年 founded:2020年7月1日",
       "founded:2020-07-01..2020-07-31 founded:2015-01-01.. founded:2020-07-01");
    ok("成立>=2015", "founded:2015-01-01..");
    q = parse("capital>=1000 founded:1970-01-02 staff:..9");
    assert_int_equal(q->clauses[0].alts[0].lo, 1000LL * 1000000);
    assert_true(q->clauses[0].alts[0].hi == QUERY_OPEN_HI);
    assert_int_equal(q->clauses[1].alts[0].lo, 1);
    assert_int_equal(q->clauses[1].alts[0].hi, 1);
    assert_true(q->clauses[2].alts[0].lo == QUERY_OPEN_LO);
    assert_int_equal(q->clauses[2].alts[0].hi, 9);
    query_free(q);
}

/* ---- full width, white space, negation, sort ---- */

static void test_full_width(void **state)
{
    (void)state;
    ok("ｃａｐｉｔａｌ＞＝１０００", "capital:1000..");
    ok("region：杭州", "region:3301");
    ok("ｒｅｇｉｏｎ：杭州｜宁波　－ｓｔａｔｕｓ：注销", "region:3301|3302 -status:cancelled");
    ok("ｓｏｒｔ：ｓｔａｆｆ－ａｓｃ", "sort:staff-asc");
    ok("name:＂a b＂", "name:\"a b\"");
    ok("ｃａｐｉｔａｌ：１０００．．５０００", "capital:1000..5000");
    ok("Region:杭州 STATUS:active", "region:3301 status:active");
}

static void test_negation_and_sort(void **state)
{
    struct query *q;
    (void)state;
    ok("-region:3301 -tag:上市 -capital>=1000 -智能", "-region:3301 -tag:listed -capital:1000.. -智能");
    ok("sort:capital", "sort:capital");
    ok("sort:score name:x", "name:x sort:score");
    ok("sort:founded-asc", "sort:founded-asc");
    ok("sort:staff-desc", "sort:staff");
    ok("sort:PATENTS", "sort:patents");
    ok("排序:capital", "sort:capital");
    q = parse("-region:3301 sort:founded-asc");
    assert_int_equal(q->nclauses, 1);
    assert_true(q->clauses[0].negated);
    assert_int_equal(q->sort, QS_FOUNDED);
    assert_int_equal(q->sort_asc, 1);
    query_free(q);
    q = parse("name:x");
    assert_int_equal(q->sort, QS_NONE);
    query_free(q);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
    struct query_env bad_today = { NULL, "2024-6-1" };
    char big[QUERY_MAX_BYTES + 2];
    struct strbuf sb = STRBUF_INIT;
    int i;
    (void)state;
    bad("tag:hightech captial>=1000",
        "position 14: unknown field 'captial' — did you mean 'capital'?");
    bad("regoin:33", "position 1: unknown field 'regoin' — did you mean 'region'?");
    bad("name:x staf>=5", "position 8: unknown field 'staf' — did you mean 'staff'?");
    bad("-statsu:active", "position 2: unknown field 'statsu' — did you mean 'status'?");
    bad("专例>=5", "position 1: unknown field '专例' (fields: region, industry, track, node, "
                   "status, tag, round, name, scope, capital, founded, staff, patents, uscc, sort)");
    bad("foo:bar", "position 1: unknown field 'foo' (fields: region, industry, track, node, "
                   "status, tag, round, name, scope, capital, founded, staff, patents, uscc, sort)");
    bad("region:西湖区",
        "position 8: region '西湖区' is ambiguous: 330106 浙江省杭州市西湖区, "
        "360103 江西省南昌市西湖区");
    bad("region:杭州|西湖区",
        "position 11: region '西湖区' is ambiguous: 330106 浙江省杭州市西湖区, "
        "360103 江西省南昌市西湖区");
    bad("region:亚特兰蒂斯", "position 8: unknown region '亚特兰蒂斯'");
    bad("region:3399", "position 8: unknown region code '3399'");
    bad("industry:6510", "position 10: unknown industry '6510' (a section letter A-T, a code "
                         "such as 65, 651, 6513 or I65, or a name)");
    bad("name:\"abc", "position 6: unterminated quote");
    bad("智能 \"ab", "position 4: unterminated quote");
    bad("region:", "position 8: empty value");
    bad("region: 杭州", "position 8: empty value");
    bad("region:杭州|", "position 11: empty value");
    bad("region:|杭州", "position 8: empty value");
    bad("region:杭州||宁波", "position 11: empty value");
    bad("name:\"\"", "position 6: empty value");
    bad("name:\"  \"", "position 6: empty value");
    bad("-", "position 1: '-' must be followed by a term");
    bad("name:x - y", "position 8: '-' must be followed by a term");
    bad(":abc", "position 1: missing field name before the operator");
    bad("capital:abc", "position 9: bad number 'abc' (capital is in 万元: 1000, 1000.5, 0.5亿)");
    bad("capital>=-5", "position 10: bad number '-5' (capital is in 万元: 1000, 1000.5, 0.5亿)");
    bad("capital>=1.1234567",
        "position 10: bad number '1.1234567' (capital is in 万元: 1000, 1000.5, 0.5亿)");
    bad("capital>=1000美元",
        "position 10: bad number '1000美元' (capital is in 万元: 1000, 1000.5, 0.5亿)");
    bad("staff>=5.5", "position 8: bad number '5.5' (staff is a whole number)");
    bad("patents:x..3", "position 9: bad number 'x' (patents is a whole number)");
    bad("staff>=99999999999999", "position 8: bad number '99999999999999' (too large)");
    bad("capital>=99999999999999", "position 10: bad number '99999999999999' (too large)");
    bad("founded>=2020-13", "position 10: bad date '2020-13' (no such month)");
    bad("founded:2019-02-29", "position 9: bad date '2019-02-29' (no such day in that month)");
    bad("founded:15", "position 9: bad date '15' (expected YYYY, YYYY-MM or YYYY-MM-DD)");
    bad("founded:2020-", "position 9: bad date '2020-' (expected YYYY, YYYY-MM or YYYY-MM-DD)");
    bad("founded>=0999", "position 10: bad date '0999' (the year must lie in 1000..9999)");
    bad("capital:5000..1000", "position 9: range 5000..1000 is upside down");
    bad("founded:2021..2020", "position 9: range 2021..2020 is upside down");
    bad("capital:..", "position 9: range '..' has no ends");
    bad("capital>=1000..2000", "position 10: a range a..b takes ':', not '>='");
    bad("capital>=1|2", "position 12: a list a|b takes ':', not '>='");
    bad("capital<0", "position 9: 'capital<0' matches nothing");
    bad("founded<1000", "position 9: 'founded<1000' matches nothing");
    bad("staff>1000000000000", "position 7: 'staff>1000000000000' matches nothing");
    bad("region>=33", "position 7: region takes ':' (the operator '>=' is for capital, founded, "
                      "staff and patents)");
    bad("name<x", "position 5: name takes ':' (the operator '<' is for capital, founded, staff "
                  "and patents)");
    bad("status:foo", "position 8: unknown status 'foo' (accepted: active/存续/在业, "
                      "cancelled/注销, revoked/吊销, moved-out/迁出, suspended/停业, "
                      "liquidating/清算, other/其他, unknown/未知)");
    bad("tag:foo", "position 5: unknown tag 'foo' (accepted: hightech/高新/国高企, "
                   "techsme/科技型中小企业, specialised/专精特新, littlegiant/小巨人, "
                   "gazelle/瞪羚, unicorn/独角兽, listed/上市, neeq/挂牌)");
    bad("round:C轮及以后", "position 7: unknown round 'C轮及以后' (accepted: seed, angel, pre-a, "
                           "a, a+, b ... j, pre-ipo, ipo, post-ipo, listed, neeq, placement, "
                           "strategic, equity, m&a, debt, transfer, or their Chinese names "
                           "such as 天使轮, A轮)");
    bad("round:未披露", "position 7: unknown round '未披露' (accepted: seed, angel, pre-a, "
                        "a, a+, b ... j, pre-ipo, ipo, post-ipo, listed, neeq, placement, "
                        "strategic, equity, m&a, debt, transfer, or their Chinese names "
                        "such as 天使轮, A轮)");
    bad("track:火箭", "position 7: unknown track '火箭' (tracks: aerospace 空天地海, ai 人工智能, "
                      "bigdata 大数据, cloud 云计算, digiculture 数字文化, digital_economy "
                      "数字经济核心产业, health 生命健康, ic 集成电路, metaverse 元宇宙, "
                      "modernservice 现代服务业, platform 平台经济, smartmfg 智能制造)");
    bad("node:ai/火箭", "position 6: track ai has no node '火箭' (nodes: chip AI芯片, compute "
                        "智能算力与智算中心, data 数据标注与训练数据服务, algorithm "
                        "感知与认知算法(视觉、语音、语言), framework AI框架与开发平台, model "
                        "大模型与生成式AI, autodrive 自动驾驶与智能网联汽车, medical "
                        "医疗人工智能, industrial 工业人工智能与机器视觉, finance 金融人工智能, "
                        "security 智能安防, robot 服务机器人与具身智能)");
    bad("node:火箭", "position 6: unknown node '火箭' (write track/node, e.g. ai/chip or "
                     "人工智能/AI芯片)");
    bad("-sort:capital", "position 1: sort cannot be negated");
    bad("sort:capital name:x sort:staff",
        "position 21: only one sort is allowed (the first is at position 1)");
    bad("sort>=capital", "position 1: sort takes ':', not '>='");
    bad("sort:capital|staff", "position 14: sort takes one key, not a list");
    bad("sort:name", "position 6: unknown sort 'name' (accepted: capital, score, founded, staff, "
                     "patents, each with -asc for ascending)");
    bad("name:\xe8\x8a", "position 6: invalid UTF-8");
    bad("智能 \xff", "position 4: invalid UTF-8");
    bad_env(&bad_today, "x", "today's date '2024-6-1' is not YYYY-MM-DD");

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    bad(big, "query is too long (4097 bytes; at most 4096)");
    big[QUERY_MAX_BYTES] = '\0';
    ok(big, big);  /* exactly at the cap: one long word */

    for (i = 0; i < QUERY_MAX_TERMS; i++)
        strbuf_addstr(&sb, "a ");
    ok(sb.buf, "a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a "
               "a a a a a a a a a a a a a a a a a a a a a a a a");
    strbuf_addstr(&sb, "b");
    bad(sb.buf, "position 129: too many terms (at most 64)");
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "region:33");
    for (i = 1; i < QUERY_MAX_ALTS; i++)
        strbuf_addstr(&sb, "|33");
    {
        struct query *q = parse(sb.buf);
        assert_int_equal(q->clauses[0].nalts, QUERY_MAX_ALTS);
        query_free(q);
    }
    strbuf_addstr(&sb, "|33");
    bad(sb.buf, "position 200: too many alternatives (at most 64)");
    strbuf_release(&sb);
}

/* ---- currency table ---- */

static void test_rates(void **state)
{
    int64_t v = 0;
    size_t i;
    (void)state;
    for (i = 1; i < query_nrates; i++)
        assert_true(strcmp(query_rates[i - 1].currency, query_rates[i].currency) < 0);
    assert_int_equal(query_money_to_cny(100, "CNY", &v), 0);
    assert_int_equal(v, 100);
    assert_int_equal(query_money_to_cny(100000000, "USD", &v), 0);  /* 100万 USD cents... */
    assert_int_equal(v, 708270000);
    assert_int_equal(query_money_to_cny(1, "USD", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(query_money_to_cny(1, "XXX", &v), -1);
    assert_int_equal(query_money_to_cny(INT64_MAX, "USD", &v), -1);
    assert_true(strlen(QUERY_RATES_SOURCE) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_queries),
        cmocka_unit_test(test_region),
        cmocka_unit_test(test_industry),
        cmocka_unit_test(test_track_node),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_tag),
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_uscc),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_full_width),
        cmocka_unit_test(test_negation_and_sort),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_rates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
