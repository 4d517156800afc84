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
 */
#ifndef MAGNET_REGISTRY_XLSX_READ_H
#define MAGNET_REGISTRY_XLSX_READ_H

#include <stddef.h>

#include "registry/table.h"

#define XLSX_MAX_PART_BYTES ((size_t)2 << 30)  /* 2 GiB of XML in one part */

/* Open sheet `sheet` (NULL: the first sheet in workbook order). */
struct table_reader *xlsx_open(const char *path, const char *sheet, struct error *err);

/* The same from memory; data must outlive the reader. */
struct table_reader *xlsx_open_mem(const void *data, size_t len, const char *name,
                                   const char *sheet, struct error *err);

/* The sheet names in workbook order: calls fn for each; returns the count or
 * -1 with err set. */
int xlsx_sheet_names(const char *path, void (*fn)(const char *name, void *ctx), void *ctx,
                     struct error *err);

#endif
