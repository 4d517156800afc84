/*
 * table.h - the row-at-a-time view of a spreadsheet that every reader
 * (CSV, XLSX) produces and the importer consumes.
 *
 * A reader hands out one row at a time; the cells of a row point into the
 * reader's own buffers and stay valid only until the next call to next() or
 * free(). Memory is bounded by the widest row, not by the file.
 */
#ifndef MAGNET_REGISTRY_TABLE_H
#define MAGNET_REGISTRY_TABLE_H

#include <stddef.h>

#include "base/error.h"

/* Limits on what one file may hold. A file past any of them is rejected with
 * an error that names the limit. */
#define TABLE_MAX_CELL_BYTES  (256u * 1024u)     /* one cell's text */
#define TABLE_MAX_COLUMNS     16384u             /* Excel's own limit */
#define TABLE_MAX_ROW_BYTES   (8u * 1024u * 1024u)

enum cell_type {
    CELL_EMPTY = 0,
    CELL_STRING,   /* text: CSV fields, shared and inline strings */
    CELL_NUMBER,   /* XLSX numeric cell: text is the shortest round-trip form, number is set */
    CELL_DATE,     /* XLSX numeric cell with a date format: text is "YYYY-MM-DD" (or
                      "YYYY-MM-DD HH:MM:SS" when it has a time part), number is the serial */
    CELL_BOOL,     /* text "TRUE" / "FALSE", number 1 / 0 */
    CELL_ERROR     /* XLSX error value such as "#N/A": text is the error */
};

struct cell {
    enum cell_type type;
    const char *text;  /* UTF-8, NUL-terminated, never NULL ("" for empty) */
    size_t len;        /* bytes in text */
    double number;     /* for CELL_NUMBER, CELL_DATE, CELL_BOOL */
};

struct table_row {
    size_t row;          /* row number as the user sees it: the Excel row number, or the
                            1-based record number of a CSV file (header record = 1) */
    size_t ncells;       /* cells[0..ncells): column A, B, ...; trailing empty cells may be omitted */
    struct cell *cells;
};

struct table_reader {
    /* Fill *row with the next row. Returns 1 for a row, 0 at the end, -1 on error
     * (err names the row and what was wrong; the reader cannot continue). */
    int (*next)(struct table_reader *r, struct table_row *row, struct error *err);
    void (*free)(struct table_reader *r);
    const char *source;  /* display name: the file name, plus "!Sheet" for XLSX */
};

static inline int table_next(struct table_reader *r, struct table_row *row, struct error *err)
{
    return r->next(r, row, err);
}

static inline void table_free(struct table_reader *r)
{
    if (r)
        r->free(r);
}

/* Open a CSV or XLSX file by its content (zip magic -> XLSX, else CSV).
 * sheet: XLSX sheet name, NULL for the first sheet (ignored for CSV). */
struct table_reader *table_open(const char *path, const char *sheet, struct error *err);

/* Column letters for a 0-based column index: 0 -> "A", 27 -> "AB". */
void table_column_name(size_t col, char out[8]);

#endif
