/*
 * test_industry.c - the GB/T 4754-2017 table and the free-text reader
 * (ref/industry.c).
 *
 * The table is checked row by row against the shared copy of the data
 * (../shared/data, relative to the repository root where the tests run);
 * industry_parse() against the shapes vendors' exports actually use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ref/industry.h"

#define SHARED_INDUSTRIES "../shared/data/industries-gbt4754-2017.csv"

static char errbuf[512];

static const char *code_of(const struct industry *ind)
{
    return ind ? ind->code : "(null)";
}

static void expect_parse(const char *text, const char *code)
{
    const struct industry *ind = industry_parse(text, errbuf, sizeof(errbuf));
    if (!ind || strcmp(ind->code, code) != 0)
        fail_msg("'%s' parsed to %s (%s), expected %s", text, code_of(ind), errbuf, code);
    assert_string_equal(errbuf, "");
}

/* Fails, with a message that contains every one of the words. */
static void expect_error(const char *text, const char *w1, const char *w2, const char *w3)
{
    const struct industry *ind = industry_parse(text, errbuf, sizeof(errbuf));
    if (ind)
        fail_msg("'%s' parsed to %s, expected an error", text, ind->code);
    if ((w1 && !strstr(errbuf, w1)) || (w2 && !strstr(errbuf, w2)) ||
        (w3 && !strstr(errbuf, w3)))
        fail_msg("'%s': message \"%s\" should name %s %s %s", text, errbuf, w1 ? w1 : "",
                 w2 ? w2 : "", w3 ? w3 : "");
}

static void test_table(void **state)
{
    size_t i, by_level[5] = { 0 };
    (void)state;

    industry_table_init();
    industry_table_init();
    assert_int_equal(industry_count(), 1971);
    for (i = 0; i < industry_count(); i++) {
        const struct industry *ind = industry_at(i);
        by_level[ind->level]++;
        if (ind->level == INDUSTRY_SECTION) {
            assert_null(ind->parent);
            assert_int_equal(ind->section, ind->code[0]);
            assert_int_equal(strlen(ind->code), 1);
        } else {
            assert_non_null(ind->parent);
            assert_int_equal(ind->parent->level, ind->level - 1);
            assert_int_equal(ind->section, ind->parent->section);
            assert_int_equal(strlen(ind->code), (size_t)ind->level);
            if (ind->level > INDUSTRY_DIVISION)
                assert_memory_equal(ind->parent->code, ind->code, strlen(ind->parent->code));
        }
    }
    assert_int_equal(by_level[1], 20);
    assert_int_equal(by_level[2], 97);
    assert_int_equal(by_level[3], 473);
    assert_int_equal(by_level[4], 1381);
    assert_null(industry_at(industry_count()));
    assert_int_equal(industry_find_code("6513")->section, 'I');
}

/* Every row of the shared CSV comes back from its code (bare, with its
 * section letter, in lower case) and from its name. */
static void test_every_row_round_trips(void **state)
{
    FILE *f = fopen(SHARED_INDUSTRIES, "r");
    char line[512];
    size_t rows = 0;
    (void)state;

    if (!f)
        fail_msg("cannot open %s (tests run from the repository root)", SHARED_INDUSTRIES);
    assert_non_null(fgets(line, sizeof(line), f));
    while (fgets(line, sizeof(line), f)) {
        char *level, *code, *name, *parent, *nl, *save = NULL, buf[16];
        const struct industry *ind, *by_name[2];

        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        level = strtok_r(line, ",", &save);
        code = strtok_r(NULL, ",", &save);
        name = strtok_r(NULL, ",", &save);
        parent = strtok_r(NULL, ",", &save);
        ind = industry_find_code(code);
        if (!ind)
            fail_msg("code %s (%s) not found", code, name);
        assert_string_equal(ind->code, code);
        assert_string_equal(ind->name, name);
        assert_int_equal(ind->level, level[0] - '0');
        if (parent)
            assert_string_equal(ind->parent->code, parent);
        if (ind->level > 1) {
            snprintf(buf, sizeof(buf), "%c%s", ind->section, code);
            assert_ptr_equal(industry_find_code(buf), ind);
            buf[0] = (char)(buf[0] - 'A' + 'a');
            assert_ptr_equal(industry_find_code(buf), ind);
        }
        /* the name finds this row or, where a chain shares the name, the
         * most specific row of the chain, which lies under this one */
        assert_int_equal(industry_find_name(name, by_name, 2), 1);
        assert_string_equal(by_name[0]->name, name);
        {
            const struct industry *p = by_name[0];
            while (p && p != ind)
                p = p->parent;
            assert_ptr_equal(p, ind);
        }
        /* and free text carrying both agrees */
        {
            char text[300];
            snprintf(text, sizeof(text), "%s %s", code, name);
            assert_ptr_equal(industry_parse(text, errbuf, sizeof(errbuf)), ind);
            snprintf(text, sizeof(text), "%s(%s)", name, code);
            assert_ptr_equal(industry_parse(text, errbuf, sizeof(errbuf)), ind);
        }
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, industry_count());
}

static void test_find_code(void **state)
{
    (void)state;
    assert_string_equal(code_of(industry_find_code("I")), "I");
    assert_string_equal(code_of(industry_find_code("i")), "I");
    assert_string_equal(code_of(industry_find_code("65")), "65");
    assert_string_equal(code_of(industry_find_code("651")), "651");
    assert_string_equal(code_of(industry_find_code("6513")), "6513");
    assert_string_equal(code_of(industry_find_code("I6513")), "6513");
    assert_string_equal(code_of(industry_find_code("i65")), "65");
    assert_string_equal(code_of(industry_find_code(" I651 ")), "651");
    assert_string_equal(code_of(industry_find_code("Ｉ６５１３")), "6513");
    assert_string_equal(code_of(industry_find_code("01")), "01");
    assert_string_equal(code_of(industry_find_code("A0111")), "0111");
    assert_null(industry_find_code("A6513"));  /* 6513 is in section I */
    assert_null(industry_find_code("Z"));
    assert_null(industry_find_code("6"));
    assert_null(industry_find_code("65130"));
    assert_null(industry_find_code("6510"));   /* a 2011 code, gone in 2017 */
    assert_null(industry_find_code("II65"));
    assert_null(industry_find_code(""));
    assert_null(industry_find_code(NULL));
}

static void test_find_name(void **state)
{
    const struct industry *out[2] = { NULL, NULL };
    (void)state;

    assert_int_equal(industry_find_name("应用软件开发", out, 2), 1);
    assert_string_equal(out[0]->code, "6513");
    assert_null(out[1]);
    assert_int_equal(industry_find_name(" 应用软件开发　", out, 1), 1);
    /* a division, its only group and that group's only class share a name */
    assert_int_equal(industry_find_name("其他采矿业", out, 2), 1);
    assert_string_equal(out[0]->code, "1200");
    assert_int_equal(industry_find_name("国际组织", out, 2), 1);
    assert_string_equal(out[0]->code, "9700");
    assert_int_equal(industry_find_name("软件开发", out, 2), 1);
    assert_string_equal(out[0]->code, "651");
    /* punctuation that exports drop or change */
    assert_int_equal(industry_find_name("农林牧渔业", out, 2), 1);
    assert_string_equal(out[0]->code, "A");
    assert_int_equal(industry_find_name("农、林、牧、渔业", out, 2), 1);
    assert_int_equal(industry_find_name("信息传输,软件和信息技术服务业", out, 2), 1);
    assert_string_equal(out[0]->code, "I");
    /* brackets in either width */
    assert_int_equal(industry_find_name("门诊部(所)", out, 2), 1);
    assert_string_equal(out[0]->code, "8425");
    assert_int_equal(industry_find_name("三维（3D）打印技术推广服务", out, 2), 1);
    assert_int_equal(industry_find_name("三维(3d)打印技术推广服务", out, 2), 1);
    assert_int_equal(industry_find_name("应用软件", out, 2), 0);
    assert_int_equal(industry_find_name("", out, 2), 0);
    assert_int_equal(industry_find_name(NULL, out, 2), 0);
    assert_int_equal(industry_find_name("应用软件开发", NULL, 0), 1);
}

static void test_parse_vendor_shapes(void **state)
{
    (void)state;
    expect_parse("软件开发(6511)", "6511");  /* name of the group, code of a class in it */
    expect_parse("软件开发(6513)", "6513");
    expect_parse("[I65]软件和信息技术服务业", "65");
    expect_parse("【I65】软件和信息技术服务业", "65");
    expect_parse("6513 应用软件开发", "6513");
    expect_parse("6513应用软件开发", "6513");
    expect_parse("6513-应用软件开发", "6513");
    expect_parse("应用软件开发 6513", "6513");
    expect_parse("应用软件开发（6513）", "6513");
    expect_parse("I6513 应用软件开发", "6513");
    expect_parse("I 6513 应用软件开发", "6513");
    expect_parse("I 信息传输、软件和信息技术服务业", "I");
    expect_parse("I-信息传输、软件和信息技术服务业", "I");
    expect_parse("应用软件开发", "6513");
    expect_parse("65", "65");
    expect_parse("i65", "65");
    expect_parse("I", "I");
    expect_parse(" 6513 ", "6513");
    expect_parse("６５１３　应用软件开发", "6513");
    expect_parse("门诊部(所)", "8425");
    expect_parse("8425 门诊部（所）", "8425");
    expect_parse("门诊部（所）(8425)", "8425");
    expect_parse("[8425]门诊部(所)", "8425");
    expect_parse("7517 三维(3D)打印技术推广服务", "7517");
    expect_parse("三维（3D)打印技术推广服务", "7517");
    /* a name shortened by the vendor still agrees with its code */
    expect_parse("软件和信息技术服务(65)", "65");
    /* the section written as its own name */
    expect_parse("I 软件和信息技术服务业", "65");
}

static void test_parse_errors(void **state)
{
    (void)state;
    /* code and name disagree: both are named */
    expect_error("6513 基础软件开发", "6513", "基础软件开发", "应用软件开发");
    expect_error("[I65]金融业", "65", "金融业", NULL);
    expect_error("应用软件开发(6610)", "6610", "应用软件开发", "中央银行服务");
    expect_error("应用软件开发(6611)", "6611", NULL, NULL);
    /* unknown code: named */
    expect_error("6510 软件开发", "6510", NULL, NULL);
    expect_error("9999", "9999", NULL, NULL);
    expect_error("Z99", "Z99", NULL, NULL);
    /* a code in the wrong section */
    expect_error("A6513", "A6513", "section I", NULL);
    /* unknown name */
    expect_error("区块链技术服务", "区块链技术服务", NULL, NULL);
    expect_error("6513 区块链", "6513", "区块链", NULL);
    /* codes that disagree */
    expect_error("6511 6610", "6610", "6511", "disagree");
    expect_error("", "empty", NULL, NULL);
    expect_error("   ", "empty", NULL, NULL);
    expect_error("()", "()", NULL, NULL);
    expect_error("65 66 67 68 69", "more than", NULL, NULL);
    assert_null(industry_parse(NULL, errbuf, sizeof(errbuf)));
    assert_true(errbuf[0] != '\0');
    /* no room for a message is allowed */
    assert_null(industry_parse("9999", NULL, 0));
    assert_null(industry_parse("9999", errbuf, 1));
    assert_string_equal(errbuf, "");
}

static void test_parse_long_input(void **state)
{
    char buf[4096];
    (void)state;

    memset(buf, 'x', sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = '\0';
    assert_null(industry_parse(buf, errbuf, sizeof(errbuf)));
    assert_non_null(strstr(errbuf, "too long"));
    memset(buf, 0xE5, 200);
    buf[200] = '\0';
    assert_null(industry_parse(buf, errbuf, sizeof(errbuf)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_every_row_round_trips),
        cmocka_unit_test(test_find_code),
        cmocka_unit_test(test_find_name),
        cmocka_unit_test(test_parse_vendor_shapes),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_long_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
