/*
 * test_table_write.c - the CSV and XLSX writers: quoting, BOM, line ends,
 * typed XLSX cells read back by our own reader, sheet splitting, and that
 * an aborted or failed write leaves no file behind.
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

#include "registry/table_write.h"
#include "registry/xlsx_read.h"

static char path[128];

static struct cell str(const char *s)
{
    struct cell c = { CELL_STRING, s, strlen(s), 0 };
    return c;
}

static char *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    char *buf = calloc(1, 1 << 16);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

static void test_csv_quoting_bom_crlf(void **state)
{
    struct error err = ERROR_INIT;
    struct table_writer *w;
    const char *head[] = { "企业名称", "经营范围" };
    struct cell row[3];
    size_t len;
    char *got;

    snprintf(path, sizeof(path), "/tmp/magnet-tw-%d.csv", (int)getpid());
    w = table_writer_open(path, NULL, 1, &err);
    assert_non_null(w);
    assert_int_equal(table_writer_header(w, head, 2, &err), 0);
    row[0] = str("杭州\"云栖\",科技");
    row[1] = str("技术服务\n软件开发");
    row[2].type = CELL_EMPTY;
    assert_int_equal(table_writer_row(w, row, 3, &err), 0);
    assert_int_equal(access(path, F_OK), -1); /* not in place until closed */
    assert_int_equal(table_writer_close(w, &err), 0);
    got = slurp(path, &len);
    assert_string_equal(got, "\xEF\xBB\xBF企业名称,经营范围\r\n"
                             "\"杭州\"\"云栖\"\",科技\",\"技术服务\n软件开发\",\r\n");
    free(got);
    unlink(path);
}

static void test_abort_and_bad_names(void **state)
{
    struct error err = ERROR_INIT;
    struct table_writer *w;
    const char *head[] = { "a" };

    snprintf(path, sizeof(path), "/tmp/magnet-tw-%d.xlsx", (int)getpid());
    w = table_writer_open(path, "企业", 0, &err);
    assert_non_null(w);
    assert_int_equal(table_writer_header(w, head, 1, &err), 0);
    table_writer_abort(w);
    assert_int_equal(access(path, F_OK), -1);
    assert_null(table_writer_open("/tmp/x.txt", NULL, 0, &err));
    assert_non_null(strstr(err.msg, ".csv or .xlsx"));
    assert_null(table_writer_open("/nonexistent-dir/x.csv", NULL, 0, &err));
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x.csv"));
}

static void count_sheet(const char *name, void *ctx)
{
    char *names = ctx;
    if (strlen(names) + strlen(name) + 2 < 256) {
        size_t n = strlen(names);
        memcpy(names + n, name, strlen(name));
        names[n + strlen(name)] = '|';
        names[n + strlen(name) + 1] = '\0';
    }
}

static void test_xlsx_typed_cells_and_split(void **state)
{
    struct error err = ERROR_INIT;
    struct table_writer *w;
    struct table_reader *r;
    struct table_row tr;
    const char *head[] = { "企业名称", "成立日期", "参保人数" };
    char names[256] = "";
    int i, rows = 0;

    snprintf(path, sizeof(path), "/tmp/magnet-tw-%d.xlsx", (int)getpid());
    table_writer_set_sheet_rows(4); /* header + 3 rows per sheet */
    w = table_writer_open(path, "企业", 0, &err);
    assert_non_null(w);
    assert_int_equal(table_writer_header(w, head, 3, &err), 0);
    for (i = 0; i < 7; i++) {
        struct cell row[3];
        row[0] = str("杭州云栖智算科技有限公司");
        row[1] = str("2019-03-05");
        row[1].type = CELL_DATE;
        row[2] = str("56");
        row[2].type = CELL_NUMBER;
        row[2].number = 56 + i;
        assert_int_equal(table_writer_row(w, row, 3, &err), 0);
    }
    assert_int_equal(table_writer_close(w, &err), 0);
    table_writer_set_sheet_rows(0);

    assert_int_equal(xlsx_sheet_names(path, count_sheet, names, &err), 3);
    assert_string_equal(names, "企业|企业2|企业3|");
    r = xlsx_open(path, "企业2", &err);
    assert_non_null(r);
    while (table_next(r, &tr, &err) > 0) {
        if (tr.row == 1) {
            assert_string_equal(tr.cells[0].text, "企业名称"); /* header repeated */
            continue;
        }
        rows++;
        assert_int_equal(tr.cells[1].type, CELL_DATE);
        assert_string_equal(tr.cells[1].text, "2019-03-05");
        assert_int_equal(tr.cells[2].type, CELL_NUMBER);
        assert_true(tr.cells[2].number == 56 + 3 + (int)tr.row - 2);
    }
    assert_int_equal(rows, 3);
    table_free(r);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting_bom_crlf),
        cmocka_unit_test(test_abort_and_bad_names),
        cmocka_unit_test(test_xlsx_typed_cells_and_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
