/*
 * gen_xlsx.c - generated rows to an XLSX workbook with libxlsxwriter in
 * constant-memory mode (rows stream to a temporary file; memory stays flat
 * whatever the count). Excel holds 1,048,576 rows per sheet, header
 * included, so a new sheet starts every 1,048,575 data rows. Counts are
 * written as numbers, everything else as text, as registry exports do.
 * The document's creation time is the generation "today", so the same
 * options give the same bytes.
 */
#include "gen/gen_internal.h"

#include <string.h>
#include <xlsxwriter.h>

#define XLSX_ROWS_PER_SHEET 1048575u

static void render_cells(const struct gen *g, uint64_t first, uint64_t end, struct gen_ent *e,
                         struct strbuf *cells, struct strbuf *out)
{
    size_t off[GEN_NCOLS + 1];
    uint64_t i;
    int c;
    for (i = first; i < end; i++) {
        gen_ent_make(g, i, e, 1);
        strbuf_reset(cells);
        gen_ent_cells(e, cells, off);
        for (c = 0; c < GEN_NCOLS; c++) {
            strbuf_add(out, cells->buf + off[c], off[c + 1] - off[c]);
            strbuf_addch(out, '\0');
        }
    }
}

struct xlsx_ctx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    uint32_t row;      /* next row in the current sheet */
    unsigned sheets;
    const char *path;
};

static int is_count_column(int c)
{
    return c >= 15 && c <= 20;
}

static int new_sheet(struct xlsx_ctx *x, struct error *err)
{
    char name[32];
    int c;
    x->sheets++;
    if (x->sheets == 1)
        snprintf(name, sizeof(name), "企业名录");
    else
        snprintf(name, sizeof(name), "企业名录%u", x->sheets);
    x->ws = workbook_add_worksheet(x->wb, name);
    if (!x->ws)
        return error_set(err, "%s: cannot add sheet %u", x->path, x->sheets);
    for (c = 0; c < GEN_NCOLS; c++)
        worksheet_write_string(x->ws, 0, (lxw_col_t)c, gen_columns[c], NULL);
    x->row = 1;
    return 0;
}

static int consume_xlsx(void *ctx, const struct strbuf *block, uint64_t first, uint64_t end,
                        struct error *err)
{
    struct xlsx_ctx *x = ctx;
    const char *p = block->buf;
    uint64_t i;
    for (i = first; i < end; i++) {
        int c;
        if (x->row > XLSX_ROWS_PER_SHEET && new_sheet(x, err))
            return -1;
        for (c = 0; c < GEN_NCOLS; c++) {
            size_t n = strlen(p);
            lxw_error le = LXW_NO_ERROR;
            if (n && is_count_column(c)) {
                uint64_t v = 0;
                size_t k;
                for (k = 0; k < n; k++)
                    v = v * 10 + (uint64_t)(p[k] - '0');
                le = worksheet_write_number(x->ws, x->row, (lxw_col_t)c, (double)v, NULL);
            } else if (n) {
                le = worksheet_write_string(x->ws, x->row, (lxw_col_t)c, p, NULL);
            }
            if (le != LXW_NO_ERROR)
                return error_set(err, "%s: row %llu: %s", x->path, (unsigned long long)i + 1,
                                 lxw_strerror(le));
            p += n + 1;
        }
        x->row++;
    }
    return 0;
}

int gen_write_xlsx_file(const struct gen *g, const char *path, struct error *err)
{
    lxw_workbook_options opt;
    lxw_doc_properties props;
    struct xlsx_ctx x;
    lxw_error le;
    int rc;

    memset(&opt, 0, sizeof(opt));
    opt.constant_memory = LXW_TRUE;
    opt.use_zip64 = LXW_TRUE;
    memset(&x, 0, sizeof(x));
    x.path = path;
    x.wb = workbook_new_opt(path, &opt);
    if (!x.wb)
        return error_set(err, "%s: cannot create workbook", path);
    memset(&props, 0, sizeof(props));
    props.title = (char *)"企业名录";
    props.author = (char *)"magnet gen";
    props.created = (time_t)g->today * 86400;
    workbook_set_properties(x.wb, &props);
    rc = new_sheet(&x, err);
    if (!rc)
        rc = gen_pipeline(g, render_cells, consume_xlsx, &x, err);
    le = workbook_close(x.wb);
    if (!rc && le != LXW_NO_ERROR)
        rc = error_set(err, "%s: %s", path, lxw_strerror(le));
    return rc;
}
