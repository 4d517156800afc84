/*
 * xlsx_read.h - a streaming XLSX (Office Open XML spreadsheet) reader on
 * minizip + expat that yields table rows (table.h).
 *
 * It reads the workbook and its relationships to find sheets by name, the
 * shared strings table, the styles (to know which number formats are
 * dates), and then streams the chosen worksheet's XML row by row: memory is
 * bounded by the shared strings and one row, never by the sheet. Sparse
 * rows and cells (the r="C7" attributes) are honoured: skipped rows are
 * simply not returned, skipped cells come back empty.
 *
 * Hostile files: every zip entry's uncompressed size is capped
 * (XLSX_MAX_PART_BYTES) and checked while inflating, not trusted from the
 * directory, so a zip bomb is rejected with a clear message.
 *
 * What next() hands out (see table.h for the cell types):
 *  - a row is returned when it holds at least one non-empty cell; rows that
 *    are absent, or present but without values (styled empty cells), are not;
 *  - trailing empty cells are omitted, so ncells is one past the last value;
 *  - formulas give their cached result (the <v> Excel saved), never the
 *    formula; a formula without a cached result is an empty cell;
 *  - a <t> without xml:space="preserve" loses its leading and trailing white
 *    space, as in Excel; _xHHHH_ escapes are decoded.
 * Error messages start with the reader's source ("book.xlsx!Sheet1: row 7,
 * cell C7: ...") or, for a file that cannot be opened, the file name and the
 * part ("book.xlsx: xl/workbook.xml line 3: ...").
 *
 * The default sheet is the first visible worksheet in workbook order (the
 * first tab a user sees), falling back to the first worksheet when all are
 * hidden; chart sheets are never chosen.
 */
#ifndef MAGNET_REGISTRY_XLSX_READ_H
#define MAGNET_REGISTRY_XLSX_READ_H

#include <stddef.h>

#include "registry/table.h"

#define XLSX_MAX_PART_BYTES ((size_t)2 << 30)  /* 2 GiB of XML in one part */
/* The shared strings table is the one thing held in memory whole: one byte
 * arena plus a 4-byte offset per string. */
#define XLSX_MAX_SHARED_STRINGS (32u * 1024u * 1024u)
#define XLSX_MAX_SHARED_BYTES   ((size_t)1 << 30)

/* Open sheet `sheet` (NULL: the first sheet in workbook order). */
struct table_reader *xlsx_open(const char *path, const char *sheet, struct error *err);

/* The same from memory; data must outlive the reader. */
struct table_reader *xlsx_open_mem(const void *data, size_t len, const char *name,
                                   const char *sheet, struct error *err);

/* The sheet names in workbook order: calls fn for each; returns the count or
 * -1 with err set. */
int xlsx_sheet_names(const char *path, void (*fn)(const char *name, void *ctx), void *ctx,
                     struct error *err);

/* The same from memory (HTTP uploads, fuzzing); name is used in messages. */
int xlsx_sheet_names_mem(const void *data, size_t len, const char *name,
                         void (*fn)(const char *name, void *ctx), void *ctx, struct error *err);

/* For tests and fuzzing only: lower the limits above so that a zip bomb or an
 * oversized shared strings table can be built in a few kilobytes. 0 restores
 * the default. Process-wide, not thread-safe. */
void xlsx_set_part_limit(size_t bytes);
void xlsx_set_shared_limits(size_t count, size_t bytes);

#endif
