/*
 * csv_read.h - a streaming CSV reader that yields table rows (table.h).
 *
 * RFC 4180 quoting (quoted fields may hold separators, doubled quotes and
 * line breaks), CRLF / LF / CR line ends, a separator detected from the
 * first record (comma, tab, semicolon). Encoding: UTF-8 with or without a
 * BOM, UTF-16 LE/BE with a BOM (Excel's "Unicode text"), and GB18030/GBK
 * (what Excel on a Chinese Windows writes), detected from the bytes and
 * converted to UTF-8 with iconv. A file that is none of these is rejected
 * naming the record and byte offset of the first bad byte.
 */
#ifndef MAGNET_REGISTRY_CSV_READ_H
#define MAGNET_REGISTRY_CSV_READ_H

#include <stddef.h>

#include "registry/table.h"

/* Open a file. NULL with err set when it cannot be read. */
struct table_reader *csv_open(const char *path, struct error *err);

/* Read from memory (for fuzzing and HTTP uploads); data must outlive the
 * reader. name is used in messages. */
struct table_reader *csv_open_mem(const void *data, size_t len, const char *name,
                                  struct error *err);

/* The encoding that was detected: "UTF-8", "UTF-16LE", "UTF-16BE", "GB18030". */
const char *csv_encoding(const struct table_reader *r);

#endif
