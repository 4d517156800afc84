/*
 * mkxlsx.c - test tool: build an XLSX fixture from a readable text spec, so
 * the fixtures in tests/data stay reviewable as text.
 *
 *   mkxlsx SPEC.txt OUT.xlsx
 *
 * Spec lines:
 *   # comment
 *   sheet: NAME            start a sheet
 *   merge: A1:F1 TEXT      a merged range holding TEXT
 *   row: c1|c2|...         the next row (after the last row written)
 *   row N: c1|c2|...       row N (1-based), rows may be skipped
 * Cells: plain text; "n:123.5" a number; "d:2019-03-05" a date cell
 * (yyyy-mm-dd); "dz:2019-03-05" a date in the format yyyy"年"m"月"d"日";
 * "b:1" a boolean; "f:=1+2" a formula; "s:n:1" the text "n:1"; empty: no cell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

static lxw_format *date_fmt, *zh_date_fmt;

static void write_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, char *v)
{
    lxw_datetime dt = { 0 };
    if (!*v)
        return;
    if (!strncmp(v, "n:", 2)) {
        worksheet_write_number(ws, r, c, strtod(v + 2, NULL), NULL);
    } else if (!strncmp(v, "d:", 2) || !strncmp(v, "dz:", 3)) {
        const char *d = strchr(v, ':') + 1;
        if (sscanf(d, "%d-%d-%d", &dt.year, &dt.month, &dt.day) != 3) {
            fprintf(stderr, "mkxlsx: bad date %s\n", v);
            exit(2);
        }
        worksheet_write_datetime(ws, r, c, &dt, v[1] == 'z' ? zh_date_fmt : date_fmt);
    } else if (!strncmp(v, "b:", 2)) {
        worksheet_write_boolean(ws, r, c, v[2] == '1', NULL);
    } else if (!strncmp(v, "f:", 2)) {
        worksheet_write_formula(ws, r, c, v + 2, NULL);
    } else if (!strncmp(v, "s:", 2)) {
        worksheet_write_string(ws, r, c, v + 2, NULL);
    } else {
        worksheet_write_string(ws, r, c, v, NULL);
    }
}

int main(int argc, char **argv)
{
    FILE *f;
    char line[65536];
    lxw_workbook *wb;
    lxw_worksheet *ws = NULL;
    long next_row = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: mkxlsx SPEC OUT.xlsx\n");
        return 2;
    }
    f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    wb = workbook_new(argv[2]);
    date_fmt = workbook_add_format(wb);
    format_set_num_format(date_fmt, "yyyy-mm-dd");
    zh_date_fmt = workbook_add_format(wb);
    format_set_num_format(zh_date_fmt, "yyyy\"年\"m\"月\"d\"日\"");
    while (fgets(line, sizeof(line), f)) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        if (!strncmp(line, "sheet: ", 7)) {
            ws = workbook_add_worksheet(wb, line + 7);
            next_row = 0;
        } else if (!strncmp(line, "merge: ", 7)) {
            char range[32];
            const char *text;
            if (!ws)
                ws = workbook_add_worksheet(wb, NULL);
            if (sscanf(line + 7, "%31s", range) != 1)
                return 2;
            text = line + 7 + strlen(range) + 1;
            worksheet_merge_range(ws, lxw_name_to_row(range), lxw_name_to_col(range),
                                  lxw_name_to_row_2(range), lxw_name_to_col_2(range), text, NULL);
            if ((long)lxw_name_to_row_2(range) + 1 > next_row)
                next_row = (long)lxw_name_to_row_2(range) + 1;
        } else if (!strncmp(line, "row", 3)) {
            char *p = line + 3, *cell;
            lxw_col_t col = 0;
            if (!ws)
                ws = workbook_add_worksheet(wb, NULL);
            if (*p == ' ')
                next_row = strtol(p, &p, 10) - 1;
            if (*p != ':') {
                fprintf(stderr, "mkxlsx: bad line: %s\n", line);
                return 2;
            }
            p += (p[1] == ' ') ? 2 : 1;
            for (;;) {
                char *bar = strchr(p, '|');
                if (bar)
                    *bar = '\0';
                cell = p;
                write_cell(ws, (lxw_row_t)next_row, col++, cell);
                if (!bar)
                    break;
                p = bar + 1;
            }
            next_row++;
        } else {
            fprintf(stderr, "mkxlsx: bad line: %s\n", line);
            return 2;
        }
    }
    fclose(f);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
