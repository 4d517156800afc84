/*
 * test_header_map.c - header row detection, synonyms, units in headers,
 * two-level merged headers and mapping files.
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

#include "registry/header_map.h"

/* Build copied rows from '|'-separated strings. */
static struct header_row_copy *rows_of(const char *const *lines, size_t n)
{
    struct header_row_copy *rows = calloc(n, sizeof(*rows));
    size_t i;
    for (i = 0; i < n; i++) {
        const char *p = lines[i];
        size_t k = 1;
        const char *q;
        for (q = p; *q; q++)
            k += *q == '|';
        rows[i].row = i + 1;
        rows[i].ncells = k;
        rows[i].cells = calloc(k, sizeof(char *));
        for (k = 0;; k++) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            rows[i].cells[k] = strndup(p, len);
            if (!bar)
                break;
            p = bar + 1;
        }
    }
    return rows;
}

static void rows_free(struct header_row_copy *rows, size_t n)
{
    size_t i, k;
    for (i = 0; i < n; i++) {
        for (k = 0; k < rows[i].ncells; k++)
            free(rows[i].cells[k]);
        free(rows[i].cells);
    }
    free(rows);
}

static void test_synonyms_and_units(void **state)
{
    enum money_unit u;
    assert_int_equal(header_kind("企业名称", NULL, &u), F_NAME);
    assert_int_equal(header_kind("公司名称", NULL, &u), F_NAME);
    assert_int_equal(header_kind("*企业名称（必填）", NULL, &u), F_NAME);
    assert_int_equal(header_kind(" 统一社会信用代码 ", NULL, &u), F_USCC);
    assert_int_equal(header_kind("信用代码", NULL, &u), F_USCC);
    assert_int_equal(header_kind("法人代表", NULL, &u), F_LEGAL_REP);
    assert_int_equal(header_kind("注册资本(万元)", NULL, &u), F_CAPITAL);
    assert_int_equal(u, MONEY_UNIT_WAN);
    assert_int_equal(header_kind("注册资本（元）", NULL, &u), F_CAPITAL);
    assert_int_equal(u, MONEY_UNIT_YUAN);
    assert_int_equal(header_kind("注册资金", NULL, &u), F_CAPITAL);
    assert_int_equal(u, 0);
    assert_int_equal(header_kind("注册资本万元", NULL, &u), F_CAPITAL);
    assert_int_equal(u, MONEY_UNIT_WAN);
    assert_int_equal(header_kind("成立时间", NULL, &u), F_FOUNDED);
    assert_int_equal(header_kind("经营状态", NULL, &u), F_STATUS);
    assert_int_equal(header_kind("所属区县", NULL, &u), COL_COUNTY);
    assert_int_equal(header_kind("所属行业", NULL, &u), F_INDUSTRY);
    assert_int_equal(header_kind("参保人数(人)", NULL, &u), F_STAFF);
    assert_int_equal(header_kind("企业资质", NULL, &u), F_TAGS);
    assert_int_equal(header_kind("最新融资轮次", NULL, &u), F_ROUND);
    assert_int_equal(header_kind("Company Name", NULL, &u), F_NAME);
    assert_int_equal(header_kind("备注", NULL, &u), COL_EXTRA);
    assert_int_equal(header_kind("", NULL, &u), COL_EXTRA);
}

static void test_title_rows_skipped(void **state)
{
    const char *lines[] = {
        "2024年西湖区重点企业名单|||",
        "导出时间：2024-05-01|||",
        "序号|公司名称|信用代码|注册资金(万元)",
        "1|杭州甲|91330106MA2AXK0C3Q|500",
    };
    struct header_row_copy *rows = rows_of(lines, 4);
    struct column_map cm;
    struct error err = ERROR_INIT;
    assert_int_equal(column_map_build(rows, 4, NULL, &cm, &err), 3);
    assert_int_equal(cm.header_row, 3);
    assert_int_equal(cm.ncols, 4);
    assert_int_equal(cm.cols[0].kind, COL_EXTRA);
    assert_string_equal(cm.cols[0].header, "序号");
    assert_int_equal(cm.cols[1].kind, F_NAME);
    assert_int_equal(cm.cols[2].kind, F_USCC);
    assert_int_equal(cm.cols[3].kind, F_CAPITAL);
    assert_int_equal(cm.cols[3].unit, MONEY_UNIT_WAN);
    column_map_release(&cm);
    rows_free(rows, 4);
}

static void test_two_level_header(void **state)
{
    const char *lines[] = {
        "企业名称|统一社会信用代码|专利数|||参保人数",
        "||发明|实用新型|外观设计|",
        "杭州甲|91330106MA2AXK0C3Q|1|2|3|50",
    };
    struct header_row_copy *rows = rows_of(lines, 3);
    struct column_map cm;
    struct error err = ERROR_INIT;
    assert_int_equal(column_map_build(rows, 3, NULL, &cm, &err), 2);
    assert_int_equal(cm.header_row, 2);
    assert_int_equal(cm.cols[0].kind, F_NAME);
    assert_int_equal(cm.cols[2].kind, F_PAT_INVENTION);
    assert_int_equal(cm.cols[3].kind, F_PAT_UTILITY);
    assert_int_equal(cm.cols[4].kind, F_PAT_DESIGN);
    assert_int_equal(cm.cols[5].kind, F_STAFF);
    column_map_release(&cm);
    rows_free(rows, 3);
}

static void test_duplicate_columns_and_no_header(void **state)
{
    const char *lines[] = { "企业名称|电话|手机|名称" };
    const char *junk[] = { "a|b|c", "1|2|3" };
    struct header_row_copy *rows = rows_of(lines, 1), *j = rows_of(junk, 2);
    struct column_map cm;
    struct error err = ERROR_INIT;
    assert_int_equal(column_map_build(rows, 1, NULL, &cm, &err), 1);
    assert_int_equal(cm.cols[1].kind, F_PHONE);
    assert_int_equal(cm.cols[2].kind, COL_EXTRA); /* the second phone column is kept, not merged */
    assert_int_equal(cm.cols[3].kind, COL_EXTRA);
    column_map_release(&cm);
    assert_int_equal(column_map_build(j, 2, NULL, &cm, &err), -1);
    assert_non_null(strstr(err.msg, "no header row"));
    rows_free(rows, 1);
    rows_free(j, 2);
}

static void test_mapping_file(void **state)
{
    char path[64];
    FILE *f;
    struct mapping m;
    struct error err = ERROR_INIT;
    enum money_unit u;

    snprintf(path, sizeof(path), "/tmp/magnet-map-%d.txt", (int)getpid());
    f = fopen(path, "w");
    fputs("# 自定义映射\n主体全称 = name\n代码 = uscc\n序号 = -\n所在地 = county\n", f);
    fclose(f);
    assert_int_equal(mapping_load(path, &m, &err), 0);
    assert_int_equal(m.n, 4);
    assert_int_equal(header_kind("主体全称", &m, &u), F_NAME);
    assert_int_equal(header_kind("代码", &m, &u), F_USCC);
    assert_int_equal(header_kind("序号", &m, &u), COL_IGNORE);
    assert_int_equal(header_kind("所在地", &m, &u), COL_COUNTY);
    assert_int_equal(header_kind("企业名称", &m, &u), F_NAME); /* synonyms still apply */
    mapping_release(&m);

    f = fopen(path, "w");
    fputs("主体全称 = name\n代码 = credit\n", f);
    fclose(f);
    assert_int_equal(mapping_load(path, &m, &err), -1);
    assert_non_null(strstr(err.msg, "line 2"));
    assert_non_null(strstr(err.msg, "credit"));
    f = fopen(path, "w");
    fputs("just words\n", f);
    fclose(f);
    assert_int_equal(mapping_load(path, &m, &err), -1);
    assert_non_null(strstr(err.msg, "line 1"));
    unlink(path);
    assert_int_equal(mapping_load(path, &m, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synonyms_and_units),
        cmocka_unit_test(test_title_rows_skipped),
        cmocka_unit_test(test_two_level_header),
        cmocka_unit_test(test_duplicate_columns_and_no_header),
        cmocka_unit_test(test_mapping_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
