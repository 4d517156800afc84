/*
 * table.c - the reader-independent helpers of table.h: column letters,
 * which every message about a spreadsheet cell needs.
 *
 * table_open() (pick the CSV or XLSX reader by the file's content) belongs
 * to table.h too; it is in table_open.c.
 */
#include "registry/table.h"

/* Excel's columns are bijective base 26: A..Z, AA..AZ, ... There is no
 * zero digit, so subtract one before each division. */
void table_column_name(size_t col, char out[8])
{
    char rev[7];
    size_t n = 0, v = col, i;
    for (;;) {
        if (n == sizeof(rev)) {  /* past "FXSHRXW": no spreadsheet has it */
            out[0] = '?';
            out[1] = '\0';
            return;
        }
        rev[n++] = (char)('A' + v % 26);
        if (v < 26)
            break;
        v = v / 26 - 1;
    }
    for (i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    out[n] = '\0';
}
