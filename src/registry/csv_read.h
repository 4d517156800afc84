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

/* Errors from next() name the record and what was wrong, not the file:
 *   "record 1234: field in column F is longer than 262144 bytes"
 *   "record 7: the quoted field in column C is never closed (the file ends inside it)"
 *   "record 12: bytes not valid UTF-8 at byte offset 4711 (0xC3 0x28)"
 * The caller prefixes r->source. Records are numbered from 1 (the header);
 * a record whose quoted fields span several lines counts once. Blank
 * records (also ",,,") come back as rows with no cells, except those at the
 * end of the file, which are dropped. Trailing empty cells are omitted. */

/* Open a file. NULL with err set when it cannot be read. */
struct table_reader *csv_open(const char *path, struct error *err);

/* Read from memory (for fuzzing and HTTP uploads); data must outlive the
 * reader. name is used in messages. */
struct table_reader *csv_open_mem(const void *data, size_t len, const char *name,
                                  struct error *err);

/* The encoding that was detected: "UTF-8", "UTF-16LE", "UTF-16BE", "GB18030".
 * NULL when r is not a CSV reader. A file whose first 64 KiB are ASCII
 * reports "UTF-8" until a later byte shows it to be GB18030. */
const char *csv_encoding(const struct table_reader *r);

/* The separator that was detected: ',', '\t' or ';' ('\0' when r is not a
 * CSV reader). */
char csv_separator(const struct table_reader *r);

/* Tuning, for tests: buffer_size is the size of each read and of each piece
 * of text handed to the parser (default 1 MiB when 0). A tiny size splits
 * records, quoted fields, CRLF pairs and multibyte characters across buffer
 * boundaries. */
struct csv_options {
    size_t buffer_size;
};

struct table_reader *csv_open_opts(const char *path, const struct csv_options *opts,
                                   struct error *err);
struct table_reader *csv_open_mem_opts(const void *data, size_t len, const char *name,
                                       const struct csv_options *opts, struct error *err);

#endif
