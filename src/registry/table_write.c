/*
 * table_write.c - CSV and XLSX writers behind one interface (see
 * table_write.h).
 */
#include "registry/table_write.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/alloc.h"
#include "base/strbuf.h"

/* Rows per sheet, header included: Excel's limit. Lowered by tests. */
static uint32_t xlsx_max_rows = 1048576u;

void table_writer_set_sheet_rows(uint32_t rows)
{
    xlsx_max_rows = rows >= 2 ? rows : 1048576u;
}

struct table_writer {
    enum table_format format;
    char *path, *tmp;
    /* CSV */
    FILE *f;
    struct strbuf line;
    /* XLSX */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *date_fmt, *head_fmt;
    char *sheet;
    int sheets;
    uint32_t row;       /* next row in the current sheet */
    char **header;
    size_t nheader;
};

int table_format_of(const char *path)
{
    size_t n = strlen(path);
    if (n >= 4 && !strcasecmp(path + n - 4, ".csv"))
        return TABLE_CSV;
    if (n >= 5 && !strcasecmp(path + n - 5, ".xlsx"))
        return TABLE_XLSX;
    return -1;
}

static void free_writer(struct table_writer *w)
{
    size_t i;
    for (i = 0; i < w->nheader; i++)
        free(w->header[i]);
    free(w->header);
    strbuf_release(&w->line);
    free(w->path);
    free(w->tmp);
    free(w->sheet);
    free(w);
}

struct table_writer *table_writer_open(const char *path, const char *sheet, int csv_bom,
                                       struct error *err)
{
    struct table_writer *w;
    int fmt = table_format_of(path);
    if (fmt < 0) {
        error_set(err, "%s: the file name must end in .csv or .xlsx", path);
        return NULL;
    }
    w = xcalloc(1, sizeof(*w));
    w->format = (enum table_format)fmt;
    w->path = xstrdup(path);
    {
        struct strbuf t = STRBUF_INIT;
        strbuf_addf(&t, "%s.tmp-%ld", path, (long)getpid());
        w->tmp = strbuf_detach(&t, NULL);
    }
    w->sheet = xstrdup(sheet ? sheet : "Sheet1");
    strbuf_init(&w->line, 0);
    if (w->format == TABLE_CSV) {
        w->f = fopen(w->tmp, "wb");
        if (!w->f) {
            error_set(err, "%s: cannot create: %s", path, strerror(errno));
            free_writer(w);
            return NULL;
        }
        if (csv_bom)
            fputs("\xEF\xBB\xBF", w->f);
    } else {
        lxw_workbook_options opts = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
        w->wb = workbook_new_opt(w->tmp, &opts);
        if (!w->wb) {
            error_set(err, "%s: cannot create the workbook", path);
            free_writer(w);
            return NULL;
        }
        w->date_fmt = workbook_add_format(w->wb);
        format_set_num_format(w->date_fmt, "yyyy-mm-dd");
        w->head_fmt = workbook_add_format(w->wb);
        format_set_bold(w->head_fmt);
    }
    return w;
}

static void csv_field(struct strbuf *sb, const char *s, size_t len)
{
    size_t i;
    int quote = 0;
    for (i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') {
            quote = 1;
            break;
        }
    /* Keep leading zeros and long digit strings as text in Excel? CSV cannot
     * say; quoting does not help either. Write the value as it is. */
    if (!quote) {
        strbuf_add(sb, s, len);
        return;
    }
    strbuf_addch(sb, '"');
    for (i = 0; i < len; i++) {
        if (s[i] == '"')
            strbuf_addch(sb, '"');
        strbuf_addch(sb, s[i]);
    }
    strbuf_addch(sb, '"');
}

static int xlsx_new_sheet(struct table_writer *w, struct error *err)
{
    char name[64];
    size_t i;
    w->sheets++;
    if (w->sheets == 1)
        snprintf(name, sizeof(name), "%s", w->sheet);
    else
        snprintf(name, sizeof(name), "%s%d", w->sheet, w->sheets);
    w->ws = workbook_add_worksheet(w->wb, name);
    if (!w->ws)
        return error_set(err, "%s: cannot add sheet '%s'", w->path, name);
    w->row = 0;
    for (i = 0; i < w->nheader; i++)
        worksheet_write_string(w->ws, 0, (lxw_col_t)i, w->header[i], w->head_fmt);
    worksheet_freeze_panes(w->ws, 1, 0);
    w->row = 1;
    return 0;
}

/* Set the autofilter of the finished sheet over its header and rows. */
static void xlsx_end_sheet(struct table_writer *w)
{
    if (w->ws && w->nheader)
        worksheet_autofilter(w->ws, 0, 0, w->row ? w->row - 1 : 0, (lxw_col_t)(w->nheader - 1));
}

int table_writer_header(struct table_writer *w, const char *const *names, size_t n,
                        struct error *err)
{
    size_t i;
    w->header = xcalloc(n ? n : 1, sizeof(char *));
    w->nheader = n;
    for (i = 0; i < n; i++)
        w->header[i] = xstrdup(names[i]);
    if (w->format == TABLE_CSV) {
        strbuf_reset(&w->line);
        for (i = 0; i < n; i++) {
            if (i)
                strbuf_addch(&w->line, ',');
            csv_field(&w->line, names[i], strlen(names[i]));
        }
        strbuf_addstr(&w->line, "\r\n");
        if (fwrite(w->line.buf, 1, w->line.len, w->f) != w->line.len)
            return error_set(err, "%s: write failed: %s", w->path, strerror(errno));
        return 0;
    }
    return xlsx_new_sheet(w, err);
}

static int parse_ymd(const char *s, lxw_datetime *dt)
{
    int y, m, d;
    if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return -1;
    memset(dt, 0, sizeof(*dt));
    dt->year = y;
    dt->month = m;
    dt->day = d;
    return 0;
}

int table_writer_row(struct table_writer *w, const struct cell *cells, size_t n,
                     struct error *err)
{
    size_t i;
    if (w->format == TABLE_CSV) {
        strbuf_reset(&w->line);
        for (i = 0; i < n; i++) {
            if (i)
                strbuf_addch(&w->line, ',');
            if (cells[i].type != CELL_EMPTY)
                csv_field(&w->line, cells[i].text, cells[i].len);
        }
        strbuf_addstr(&w->line, "\r\n");
        if (fwrite(w->line.buf, 1, w->line.len, w->f) != w->line.len)
            return error_set(err, "%s: write failed: %s", w->path, strerror(errno));
        return 0;
    }
    if (w->row >= xlsx_max_rows) {
        xlsx_end_sheet(w);
        if (xlsx_new_sheet(w, err) != 0)
            return -1;
    }
    for (i = 0; i < n; i++) {
        const struct cell *c = &cells[i];
        lxw_error e = LXW_NO_ERROR;
        lxw_datetime dt;
        switch (c->type) {
        case CELL_EMPTY:
            break;
        case CELL_NUMBER:
            e = worksheet_write_number(w->ws, w->row, (lxw_col_t)i, c->number, NULL);
            break;
        case CELL_BOOL:
            e = worksheet_write_boolean(w->ws, w->row, (lxw_col_t)i, c->number != 0, NULL);
            break;
        case CELL_DATE:
            if (parse_ymd(c->text, &dt) == 0)
                e = worksheet_write_datetime(w->ws, w->row, (lxw_col_t)i, &dt, w->date_fmt);
            else
                e = worksheet_write_string(w->ws, w->row, (lxw_col_t)i, c->text, NULL);
            break;
        default:
            /* Excel caps a cell at 32,767 characters; longer text is cut
             * there rather than failing the whole export. */
            e = worksheet_write_string(w->ws, w->row, (lxw_col_t)i, c->text, NULL);
            if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
                char *cut = xstrndup(c->text, 32000);
                size_t k = strlen(cut);
                while (k > 0 && ((unsigned char)cut[k - 1] & 0xC0) == 0x80)
                    k--;
                if (k > 0 && (unsigned char)cut[k - 1] >= 0xC0)
                    k--;
                cut[k] = '\0';
                e = worksheet_write_string(w->ws, w->row, (lxw_col_t)i, cut, NULL);
                free(cut);
            }
            break;
        }
        if (e != LXW_NO_ERROR)
            return error_set(err, "%s: row %u column %zu: %s", w->path, w->row + 1, i + 1,
                             lxw_strerror(e));
    }
    w->row++;
    return 0;
}

int table_writer_close(struct table_writer *w, struct error *err)
{
    int rc = 0;
    if (w->format == TABLE_CSV) {
        if (fclose(w->f) != 0)
            rc = error_set(err, "%s: write failed: %s", w->path, strerror(errno));
        w->f = NULL;
    } else {
        lxw_error e;
        if (!w->ws && xlsx_new_sheet(w, err) != 0)
            rc = -1;
        xlsx_end_sheet(w);
        e = workbook_close(w->wb);
        w->wb = NULL;
        if (rc == 0 && e != LXW_NO_ERROR)
            rc = error_set(err, "%s: %s", w->path, lxw_strerror(e));
    }
    if (rc == 0 && rename(w->tmp, w->path) != 0)
        rc = error_set(err, "%s: cannot rename into place: %s", w->path, strerror(errno));
    if (rc != 0)
        unlink(w->tmp);
    free_writer(w);
    return rc;
}

void table_writer_abort(struct table_writer *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    if (w->wb)
        workbook_close(w->wb);
    unlink(w->tmp);
    free_writer(w);
}
