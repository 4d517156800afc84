/*
 * table_write.h - writing rows to a CSV or XLSX file, chosen by the file's
 * extension: the exporter and the importer's rejects file both use it.
 *
 * XLSX goes through libxlsxwriter in constant-memory mode (rows are
 * streamed to disk, so a million rows cost no more memory than one), with
 * a frozen, auto-filtered header row, real number and date cells, and a
 * new sheet (header repeated) every 1,048,575 data rows, Excel's limit.
 * CSV is RFC 4180 with CRLF line ends, UTF-8, optionally with a BOM so that
 * Excel on Windows reads the Chinese correctly.
 *
 * Files are written under a temporary name and renamed into place by
 * table_writer_close(): a failed or aborted export leaves nothing behind.
 */
#ifndef MAGNET_REGISTRY_TABLE_WRITE_H
#define MAGNET_REGISTRY_TABLE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "registry/table.h"

struct table_writer;

enum table_format { TABLE_CSV, TABLE_XLSX };

/* The format a path's extension asks for; -1 when neither .csv nor .xlsx. */
int table_format_of(const char *path);

/* Open path for writing. sheet: the XLSX sheet name ("企业"); csv_bom: write
 * a UTF-8 BOM in CSV. */
struct table_writer *table_writer_open(const char *path, const char *sheet, int csv_bom,
                                       struct error *err);
/* The header row; must come first. */
int table_writer_header(struct table_writer *w, const char *const *names, size_t n,
                        struct error *err);
/* One row. CELL_NUMBER cells are written as numbers, CELL_DATE ("YYYY-MM-DD")
 * as dates, CELL_BOOL as booleans, the rest as text. */
int table_writer_row(struct table_writer *w, const struct cell *cells, size_t n,
                     struct error *err);
/* Finish, rename into place and free w. On error the partial file is removed. */
int table_writer_close(struct table_writer *w, struct error *err);
/* Remove the partial file and free w. NULL is fine. */
void table_writer_abort(struct table_writer *w);

/* For tests only: rows per XLSX sheet, header included (0 restores Excel's
 * 1,048,576). */
void table_writer_set_sheet_rows(uint32_t rows);

#endif
