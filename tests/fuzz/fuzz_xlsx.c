/*
 * fuzz_xlsx.c - libFuzzer target for the XLSX reader: any bytes, as an
 * upload would bring them, through xlsx_sheet_names_mem() and
 * xlsx_open_mem() + every row, for the default sheet and a named one.
 *
 * It must never crash, hang or leak, and what it hands out must keep the
 * table.h contract; a broken contract aborts so the fuzzer reports it.
 * The part limit is lowered so that one input's work stays small (a
 * deflate stream expands up to ~1000x).
 *
 * Seeds: tests/fuzz/corpus/xlsx/ (small workbooks, some with stored
 * entries so that mutations reach the XML directly).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/xlsx_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_xlsx: contract broken: %s\n", what);
        abort();
    }
}

static void on_name(const char *name, void *ctx)
{
    check(name != NULL, "sheet name is NULL");
    (*(size_t *)ctx)++;
}

static void read_all(const uint8_t *data, size_t size, const char *sheet)
{
    struct error err = ERROR_INIT;
    struct table_reader *r = xlsx_open_mem(data, size, "fuzz.xlsx", sheet, &err);
    struct table_row row;
    size_t last = 0, i;
    int rc;
    if (!r) {
        check(err.msg[0] != '\0', "open failed without a message");
        return;
    }
    while ((rc = table_next(r, &row, &err)) == 1) {
        check(row.row > last, "row numbers must increase");
        check(row.ncells > 0 && row.ncells <= TABLE_MAX_COLUMNS, "cell count");
        last = row.row;
        for (i = 0; i < row.ncells; i++) {
            const struct cell *c = &row.cells[i];
            check(c->text != NULL, "cell text is NULL");
            check(strlen(c->text) == c->len, "cell len does not match its text");
            check(c->len <= TABLE_MAX_CELL_BYTES, "cell longer than the limit");
        }
    }
    if (rc < 0)
        check(err.msg[0] != '\0', "next failed without a message");
    check(table_next(r, &row, &err) == (rc < 0 ? -1 : 0), "reader must stay at its end");
    table_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct error err = ERROR_INIT;
    size_t names = 0;
    int n;
    xlsx_set_part_limit(4u << 20);
    n = xlsx_sheet_names_mem(data, size, "fuzz.xlsx", on_name, &names, &err);
    check(n < 0 || (size_t)n == names, "sheet name count");
    read_all(data, size, NULL);
    if (n > 1)
        read_all(data, size, "第二页");
    return 0;
}
