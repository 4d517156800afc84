/*
 * fuzz_csv.c - libFuzzer target for the CSV reader: open the bytes with
 * csv_open_mem and read every row.
 *
 * Besides crashes and sanitizer reports it checks what must hold for any
 * input: cells are valid UTF-8 without NUL bytes, record numbers increase,
 * and the result (rows or the error message) is the same whatever the
 * buffer size, since the reader must not care where a read ends.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/utf8.h"
#include "registry/csv_read.h"

static void read_all(const uint8_t *data, size_t size, size_t bufsize, struct strbuf *out)
{
    struct csv_options opts = { bufsize };
    struct error err = ERROR_INIT;
    struct table_reader *r = csv_open_mem_opts(data, size, "fuzz.csv", &opts, &err);
    struct table_row row;
    size_t last = 0, i;
    int rc;

    if (!r) {
        strbuf_addf(out, "OPEN %s", err.msg);
        return;
    }
    strbuf_addf(out, "%s %d\n", csv_encoding(r), csv_separator(r));
    while ((rc = table_next(r, &row, &err)) == 1) {
        if (row.row <= last)
            abort();
        last = row.row;
        strbuf_addf(out, "%zu", row.row);
        for (i = 0; i < row.ncells; i++) {
            const struct cell *c = &row.cells[i];
            if (strlen(c->text) != c->len || !utf8_valid(c->text, c->len))
                abort();
            if ((c->type == CELL_EMPTY) != (c->len == 0))
                abort();
            strbuf_addch(out, '|');
            strbuf_add(out, c->text, c->len);
        }
        strbuf_addch(out, '\n');
    }
    if (rc < 0)
        strbuf_addf(out, "ERR %s", err.msg);
    table_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    size_t small = size ? (size_t)data[0] % 13 + 1 : 1;

    read_all(data, size, 0, &a);
    read_all(data, size, small, &b);
    if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0) {
        fprintf(stderr, "buffer size %zu changes the result:\n%s\n---\n%s\n", small, b.buf, a.buf);
        abort();
    }
    strbuf_release(&a);
    strbuf_release(&b);
    return 0;
}
