/*
 * table_open.c - open a spreadsheet by what it is, not by what it is
 * called: a zip (XLSX) starts with "PK\3\4"; anything else is read as CSV.
 * Users rename files; a ".xls" that is really CSV, or an ".csv" that is
 * really XLSX, still opens.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "registry/csv_read.h"
#include "registry/table.h"
#include "registry/xlsx_read.h"

/* An HTML document: after a BOM and white space, "<!DOCTYPE html", "<html",
 * "<table", "<meta" or "<?xml ... <html" in the first bytes. */
static int looks_like_html(const unsigned char *p, size_t n)
{
    static const char *const starts[] = { "<!doctype html", "<html", "<table", "<meta", "<head" };
    size_t i = 0, k;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
        size_t len = strlen(starts[k]);
        if (i + len <= n && !strncasecmp((const char *)p + i, starts[k], len))
            return 1;
    }
    return 0;
}

struct table_reader *table_open(const char *path, const char *sheet, struct error *err)
{
    unsigned char magic[512] = { 0 };
    struct stat sb;
    size_t n;
    FILE *f;

    if (stat(path, &sb) != 0) {
        error_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(sb.st_mode)) {
        error_set(err, "%s: not a regular file", path);
        return NULL;
    }
    f = fopen(path, "rb");
    if (!f) {
        error_set(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    n = fread(magic, 1, sizeof(magic), f);
    fclose(f);
    if (n >= 4 && !memcmp(magic, "PK\x03\x04", 4))
        return xlsx_open(path, sheet, err);
    /* The old binary .xls (OLE2) format: say so rather than read garbage. */
    if (n >= 8 && !memcmp(magic, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
        error_set(err, "%s: this is an old Excel 97-2003 .xls file; save it as .xlsx or .csv "
                       "in Excel and import that", path);
        return NULL;
    }
    if (looks_like_html(magic, n)) {
        error_set(err, "%s: this is an HTML page (a web table saved with a spreadsheet name, as "
                       "many OA systems export); open it in Excel and save it as .xlsx or .csv, "
                       "then import that", path);
        return NULL;
    }
    if (sheet) {
        error_set(err, "%s: --sheet applies to XLSX files; this file is read as CSV", path);
        return NULL;
    }
    return csv_open(path, err);
}
