/*
 * test_xlsx_read.c - the streaming XLSX reader (src/registry/xlsx_read.c)
 * and table_column_name().
 *
 * Two kinds of input: workbooks written by libxlsxwriter (what real tools
 * produce, in both shared-strings and constant_memory/inline-strings mode),
 * and zips assembled here with minizip's zip.h holding exactly the XML a
 * case needs - rich text, missing r attributes, 1904 dates, absolute
 * targets, broken zips, zip bombs, malformed XML.
 *
 * Rows are compared as a compact dump, one line per row:
 *   "7: S:text E: N:500 D:2019-03-05 B:TRUE X:#N/A"
 * (S string, E empty, N number, D date, B boolean, X error).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>
#include <zip.h>
#include <zlib.h>

#include "base/strbuf.h"
#include "registry/table.h"
#include "registry/xlsx_read.h"

static char tmpdir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/magnet-xlsx-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    DIR *d = opendir(tmpdir);
    struct dirent *de;
    char p[512];
    (void)state;
    if (d) {
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
    return 0;
}

static const char *tpath(const char *name)
{
    static char p[8][512];
    static int i;
    i = (i + 1) % 8;
    snprintf(p[i], sizeof(p[i]), "%s/%s", tmpdir, name);
    return p[i];
}

/* ---- dumping what a reader returns ---- */

static char type_letter(enum cell_type t)
{
    switch (t) {
    case CELL_EMPTY: return 'E';
    case CELL_STRING: return 'S';
    case CELL_NUMBER: return 'N';
    case CELL_DATE: return 'D';
    case CELL_BOOL: return 'B';
    case CELL_ERROR: return 'X';
    }
    return '?';
}

/* Dump every row; on error append "ERROR: msg". Caller frees. */
static char *dump_reader(struct table_reader *r)
{
    struct strbuf sb = STRBUF_INIT;
    struct error err = ERROR_INIT;
    struct table_row row;
    int rc;
    size_t i;
    while ((rc = table_next(r, &row, &err)) == 1) {
        strbuf_addf(&sb, "%zu:", row.row);
        for (i = 0; i < row.ncells; i++) {
            const struct cell *c = &row.cells[i];
            assert_non_null(c->text);
            assert_int_equal(strlen(c->text), c->len);
            strbuf_addf(&sb, " %c:%s", type_letter(c->type), c->text);
        }
        strbuf_addch(&sb, '\n');
    }
    if (rc < 0)
        strbuf_addf(&sb, "ERROR: %s", err.msg);
    /* The reader stays at its end (or its error) once there. */
    assert_int_equal(table_next(r, &row, &err), rc < 0 ? -1 : 0);
    return strbuf_detach(&sb, NULL);
}

static char *dump_file(const char *path, const char *sheet)
{
    struct error err = ERROR_INIT;
    struct table_reader *r = xlsx_open(path, sheet, &err);
    char *out;
    if (!r) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "OPEN: %s", err.msg);
        return strbuf_detach(&sb, NULL);
    }
    out = dump_reader(r);
    table_free(r);
    return out;
}

static void *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static char *dump_mem_file(const char *path, const char *sheet)
{
    struct error err = ERROR_INIT;
    size_t len;
    void *data = slurp(path, &len);
    struct table_reader *r = xlsx_open_mem(data, len, "upload.xlsx", sheet, &err);
    char *out;
    if (!r) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "OPEN: %s", err.msg);
        free(data);
        return strbuf_detach(&sb, NULL);
    }
    out = dump_reader(r);
    table_free(r);
    free(data);
    return out;
}

#define assert_dump(path, sheet, expected)                                                        \
    do {                                                                                          \
        char *got_ = dump_file((path), (sheet));                                                  \
        assert_string_equal(got_, (expected));                                                    \
        free(got_);                                                                               \
    } while (0)

#define assert_dump_has(path, sheet, needle)                                                      \
    do {                                                                                          \
        char *got_ = dump_file((path), (sheet));                                                  \
        if (!strstr(got_, (needle)))                                                              \
            fail_msg("expected '%s' in:\n%s", (needle), got_);                                    \
        free(got_);                                                                               \
    } while (0)

/* ---- building zips by hand ---- */

struct zpart {
    const char *name;
    const char *data;
    size_t len;   /* 0: strlen(data) */
    int stored;   /* 1: no compression */
};

static void write_zip(const char *path, const struct zpart *parts, size_t n)
{
    zipFile zf = zipOpen(path, APPEND_STATUS_CREATE);
    size_t i;
    assert_non_null(zf);
    for (i = 0; i < n; i++) {
        zip_fileinfo zi;
        size_t len = parts[i].len ? parts[i].len : strlen(parts[i].data);
        memset(&zi, 0, sizeof(zi));
        assert_int_equal(zipOpenNewFileInZip(zf, parts[i].name, &zi, NULL, 0, NULL, 0, NULL,
                                             parts[i].stored ? 0 : Z_DEFLATED,
                                             parts[i].stored ? 0 : Z_BEST_COMPRESSION),
                         ZIP_OK);
        assert_int_equal(zipWriteInFileInZip(zf, parts[i].data, (unsigned)len), ZIP_OK);
        assert_int_equal(zipCloseFileInZip(zf), ZIP_OK);
    }
    assert_int_equal(zipClose(zf, NULL), ZIP_OK);
}

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define NS_R "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define REL_T "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char content_types[] =
    XML_DECL "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/xl/workbook.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
    "</Types>";

static const char root_rels[] =
    XML_DECL "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL_T "officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>";

static const char wb_rels_default[] =
    XML_DECL "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL_T "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" REL_T "sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" REL_T "styles\" Target=\"styles.xml\"/>"
    "</Relationships>";

/* One-sheet workbook. sheet_data: the inside of <sheetData>; sst: the
 * inside of <sst> (NULL: no shared strings part); styles: a whole styles
 * part (NULL: none); wbpr: attributes of <workbookPr>. */
static void make_book(const char *path, const char *sheet_data, const char *sst,
                      const char *styles, const char *wbpr)
{
    struct strbuf wb = STRBUF_INIT, sheet = STRBUF_INIT, ss = STRBUF_INIT;
    struct zpart parts[7];
    size_t n = 0;
    strbuf_addf(&wb, XML_DECL "<workbook " NS_MAIN " " NS_R "><workbookPr %s/>"
                "<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
                wbpr ? wbpr : "");
    strbuf_addf(&sheet, XML_DECL "<worksheet " NS_MAIN " " NS_R ">\n<sheetData>\n%s\n</sheetData>"
                "\n</worksheet>", sheet_data);
    parts[n++] = (struct zpart){ "[Content_Types].xml", content_types, 0, 0 };
    parts[n++] = (struct zpart){ "_rels/.rels", root_rels, 0, 0 };
    parts[n++] = (struct zpart){ "xl/workbook.xml", wb.buf, 0, 0 };
    parts[n++] = (struct zpart){ "xl/_rels/workbook.xml.rels", wb_rels_default, 0, 0 };
    parts[n++] = (struct zpart){ "xl/worksheets/sheet1.xml", sheet.buf, 0, 0 };
    if (sst) {
        strbuf_addf(&ss, XML_DECL "<sst " NS_MAIN ">%s</sst>", sst);
        parts[n++] = (struct zpart){ "xl/sharedStrings.xml", ss.buf, 0, 0 };
    }
    if (styles)
        parts[n++] = (struct zpart){ "xl/styles.xml", styles, 0, 0 };
    write_zip(path, parts, n);
    strbuf_release(&wb);
    strbuf_release(&sheet);
    strbuf_release(&ss);
}

/* ---- table_column_name ---- */

static void test_column_name(void **state)
{
    static const struct { size_t col; const char *name; } cases[] = {
        { 0, "A" }, { 1, "B" }, { 25, "Z" }, { 26, "AA" }, { 27, "AB" }, { 51, "AZ" },
        { 52, "BA" }, { 701, "ZZ" }, { 702, "AAA" }, { 16383, "XFD" },
    };
    char out[8];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        table_column_name(cases[i].col, out);
        assert_string_equal(out, cases[i].name);
    }
    table_column_name((size_t)-1, out);
    assert_string_equal(out, "?");
}

/* ---- round trips through libxlsxwriter ---- */

static void write_lxw_book(const char *path, int constant_memory)
{
    lxw_workbook_options opt = { .constant_memory = (uint8_t)constant_memory, .tmpdir = NULL,
                                 .use_zip64 = 0 };
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "企业名单");
    lxw_format *title = workbook_add_format(wb), *ymd = workbook_add_format(wb),
               *cn = workbook_add_format(wb), *dt = workbook_add_format(wb),
               *two = workbook_add_format(wb), *b14 = workbook_add_format(wb),
               *bold = workbook_add_format(wb);
    lxw_datetime d1 = { 2019, 3, 5, 0, 0, 0 }, d2 = { 2020, 1, 1, 0, 0, 0 },
                 d3 = { 2023, 3, 15, 12, 30, 45 }, d4 = { 2021, 6, 30, 0, 0, 0 };
    lxw_rich_string_tuple f1 = { bold, "粗体" }, f2 = { NULL, "普通" };
    lxw_rich_string_tuple *rich[] = { &f1, &f2, NULL };
    format_set_bold(title);
    format_set_bold(bold);
    format_set_num_format(ymd, "yyyy-mm-dd");
    format_set_num_format(cn, "yyyy\"年\"m\"月\"d\"日\"");
    format_set_num_format(dt, "yyyy-mm-dd hh:mm:ss");
    format_set_num_format(two, "0.00");
    format_set_num_format_index(b14, 14);

    worksheet_merge_range(ws, 0, 0, 0, 3, "企业名录", title);
    worksheet_write_string(ws, 1, 0, "企业名称", NULL);
    worksheet_write_string(ws, 1, 1, "注册资本", NULL);
    worksheet_write_string(ws, 1, 2, "成立日期", NULL);
    worksheet_write_string(ws, 1, 3, "备注", NULL);
    worksheet_write_string(ws, 2, 0, "杭州云栖科技有限公司", NULL);
    worksheet_write_number(ws, 2, 1, 500, NULL);
    worksheet_write_datetime(ws, 2, 2, &d1, ymd);
    worksheet_write_string(ws, 3, 0, "西湖区&<特殊>\"字符\"", NULL);
    worksheet_write_number(ws, 3, 1, 1000.5, NULL);
    worksheet_write_datetime(ws, 3, 2, &d2, cn);
    worksheet_write_boolean(ws, 3, 3, 1, NULL);
    /* row 5 (index 4) left out entirely */
    worksheet_write_number(ws, 5, 0, 0.1, NULL);
    worksheet_write_formula_num(ws, 5, 1, "=1+2", NULL, 3);
    worksheet_write_formula_str(ws, 5, 2, "=\"a\"&\"b\"", NULL, "ab");
    worksheet_write_boolean(ws, 5, 3, 0, NULL);
    worksheet_write_blank(ws, 6, 1, two);
    worksheet_write_number(ws, 6, 2, 123456789.123, two);
    worksheet_write_datetime(ws, 6, 3, &d3, dt);
    worksheet_write_rich_string(ws, 7, 0, rich, NULL);
    worksheet_write_datetime(ws, 7, 1, &d4, b14);
    worksheet_write_number(ws, 7, 2, -42, NULL);
    worksheet_write_number(ws, 7, 3, 1e20, NULL);
    worksheet_write_string(ws, 8, 0, "  空格  ", NULL);
    worksheet_write_number(ws, 8, 1, 0.1 + 0.2, NULL);
    worksheet_write_blank(ws, 9, 0, two);  /* styled blanks only: no row */
    worksheet_write_blank(ws, 9, 1, two);
    worksheet_write_string(ws, 10, 2, "末行", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static const char lxw_expected[] =
    "1: S:企业名录\n"
    "2: S:企业名称 S:注册资本 S:成立日期 S:备注\n"
    "3: S:杭州云栖科技有限公司 N:500 D:2019-03-05\n"
    "4: S:西湖区&<特殊>\"字符\" N:1000.5 D:2020-01-01 B:TRUE\n"
    "6: N:0.1 N:3 S:ab B:FALSE\n"
    "7: E: E: N:123456789.123 D:2023-03-15 12:30:45\n"
    "8: S:粗体普通 D:2021-06-30 N:-42 N:1e+20\n"
    "9: S:  空格   N:0.3\n"  /* libxlsxwriter itself writes %.16g */
    "11: E: E: S:末行\n";

static void test_roundtrip_shared_strings(void **state)
{
    const char *p = tpath("lxw_shared.xlsx");
    char *got;
    (void)state;
    write_lxw_book(p, 0);
    assert_dump(p, NULL, lxw_expected);
    assert_dump(p, "企业名单", lxw_expected);
    got = dump_mem_file(p, NULL);
    assert_string_equal(got, lxw_expected);
    free(got);
}

static void test_roundtrip_inline_strings(void **state)
{
    const char *p = tpath("lxw_inline.xlsx");
    (void)state;
    write_lxw_book(p, 1);
    assert_dump(p, NULL, lxw_expected);
}

static void test_source_and_numbers(void **state)
{
    const char *p = tpath("lxw_src.xlsx");
    struct error err = ERROR_INIT;
    struct table_reader *r;
    struct table_row row;
    (void)state;
    write_lxw_book(p, 0);
    r = xlsx_open(p, NULL, &err);
    assert_non_null(r);
    assert_non_null(strstr(r->source, "lxw_src.xlsx!企业名单"));
    assert_int_equal(table_next(r, &row, &err), 1);
    assert_int_equal(table_next(r, &row, &err), 1);
    assert_int_equal(table_next(r, &row, &err), 1);
    assert_int_equal(row.row, 3);
    assert_int_equal(row.cells[1].type, CELL_NUMBER);
    assert_true(row.cells[1].number == 500);
    assert_int_equal(row.cells[2].type, CELL_DATE);
    assert_true(row.cells[2].number == 43529);  /* 2019-03-05 */
    table_free(r);
}

/* ---- hand-built parts ---- */

static void test_shared_strings_rich_text(void **state)
{
    const char *p = tpath("rich.xlsx");
    (void)state;
    make_book(p,
              "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
              "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v> 3 </v></c></row>\n"
              "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>4</v></c><c r=\"B2\" t=\"s\"><v>5</v></c>"
              "<c r=\"C2\" t=\"s\"><v>6</v></c><c r=\"D2\" t=\"s\"><v>7</v></c></row>",
              "<si><r><rPr><b/><sz val=\"11\"/></rPr><t>杭州</t></r>"
              "<r><t xml:space=\"preserve\"> 云栖 </t></r><r><t>科技</t></r></si>"
              "<si><t>a&amp;b &lt;c&gt; &#x4E2D;&#25991; &quot;q&quot;</t></si>"
              "<si><t>  trimmed\n</t></si>"
              "<si><t xml:space=\"preserve\">  kept  </t></si>"
              "<si><t>汉字</t><rPh sb=\"0\" eb=\"2\"><t>かんじ</t></rPh></si>"
              "<si><t>line1_x000D_\nline2 _x005F_x0041_ _x0041_</t></si>"
              "<si><r><t>hello</t></r><r><t> </t></r><r><t>world</t></r></si>"
              "<si><t/></si>",
              NULL, NULL);
    assert_dump(p, NULL,
                "1: S:杭州 云栖 科技 S:a&b <c> 中文 \"q\" S:trimmed S:  kept  \n"
                "2: S:汉字 S:line1\r\nline2 _x0041_ A S:hello world S:\n");
}

static void test_missing_r_and_sparse(void **state)
{
    const char *p = tpath("sparse.xlsx");
    (void)state;
    make_book(p,
              "<row><c t=\"inlineStr\"><is><t>a</t></is></c><c><v>1</v></c></row>\n"
              "<row r=\"5\"><c r=\"C5\"><v>3</v></c><c><v>4</v></c><c r=\"F5\"><v>6</v></c></row>\n"
              "<row><c r=\"B6\"><v>2</v></c></row>\n"
              "<row r=\"1000\" spans=\"1:3\"><c r=\"AA1000\" t=\"inlineStr\"><is><t>far</t></is></c>"
              "</row>\n"
              "<row r=\"1001\"/>\n"
              "<row r=\"1002\"><c r=\"A1002\" s=\"0\"/><c r=\"B1002\"><f>SUM(A1:A2)</f></c></row>\n"
              "<row r=\"1003\"><c r=\"A1003\" t=\"s\"/><c r=\"B1003\" t=\"n\"><v></v></c>"
              "<c r=\"C1003\"><v>7</v></c></row>",
              NULL, NULL, NULL);
    assert_dump(p, NULL,
                "1: S:a N:1\n"
                "5: E: E: N:3 N:4 E: N:6\n"
                "6: E: N:2\n"
                "1000: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: E: "
                "E: E: S:far\n"
                "1003: E: E: N:7\n");
}

static void test_cell_types(void **state)
{
    const char *p = tpath("types.xlsx");
    (void)state;
    make_book(p,
              "<row r=\"1\"><c r=\"A1\" t=\"str\"><f>A2&amp;\"x\"</f><v> ab </v></c>"
              "<c r=\"B1\" t=\"e\"><f>NA()</f><v>#N/A</v></c>"
              "<c r=\"C1\" t=\"e\"><v>#DIV/0!</v></c>"
              "<c r=\"D1\" t=\"b\"><v>1</v></c><c r=\"E1\" t=\"b\"><v>0</v></c></row>\n"
              "<row r=\"2\"><c r=\"A2\" t=\"n\"><v>1.0E-3</v></c><c r=\"B2\"><v>500.0</v></c>"
              "<c r=\"C2\"><v>0.1</v></c><c r=\"D2\"><v>1000.5</v></c><c r=\"E2\"><v>-0</v></c>"
              "<c r=\"F2\"><v>1e-7</v></c><c r=\"G2\"><v>123456789012345678</v></c>"
              "<c r=\"H2\"><v>007</v></c><c r=\"I2\"><v>\n  42\n</v></c>"
              "<c r=\"J2\"><v>0.00001</v></c><c r=\"K2\"><v>0.0001</v></c>"
              "<c r=\"L2\"><v>0.30000000000000004</v></c><c r=\"M2\"><v>2.5E+3</v></c></row>\n"
              "<row r=\"3\"><c r=\"A3\" t=\"d\"><v>2023-01-15T00:00:00Z</v></c>"
              "<c r=\"B3\" t=\"d\"><v>2023-01-15T10:30:05.5+08:00</v></c>"
              "<c r=\"C3\" t=\"d\"><v>1900-02-28</v></c>"
              "<c r=\"D3\" t=\"inlineStr\"><is><r><t>in</t></r><r><t>line</t></r></is></c>"
              "<c r=\"E3\" t=\"inlineStr\"><is><t>  spaced  </t></is></c>"
              "<c r=\"F3\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> kept </t></is></c></row>",
              NULL, NULL, NULL);
    assert_dump(p, NULL,
                "1: S: ab  X:#N/A X:#DIV/0! B:TRUE B:FALSE\n"
                "2: N:0.001 N:500 N:0.1 N:1000.5 N:0 N:1e-07 N:1.2345678901234568e+17 N:7 N:42 "
                "N:1e-05 N:0.0001 N:0.30000000000000004 N:2500\n"
                "3: D:2023-01-15 D:2023-01-15 10:30:05 D:1900-02-28 S:inline S:spaced S: kept \n");
}

static void test_iso_date_serial(void **state)
{
    const char *p = tpath("isodate.xlsx");
    struct error err = ERROR_INIT;
    struct table_reader *r;
    struct table_row row;
    (void)state;
    make_book(p, "<row r=\"1\"><c t=\"d\"><v>2020-01-01</v></c><c t=\"d\"><v>1900-01-01</v></c>"
                 "<c t=\"d\"><v>1900-03-01T12:00:00</v></c></row>",
              NULL, NULL, NULL);
    r = xlsx_open(p, NULL, &err);
    assert_non_null(r);
    assert_int_equal(table_next(r, &row, &err), 1);
    assert_true(row.cells[0].number == 43831);
    assert_true(row.cells[1].number == 1);
    assert_true(row.cells[2].number == 61.5);
    table_free(r);
}

static const char styles_dates[] =
    XML_DECL "<styleSheet " NS_MAIN ">"
    "<numFmts count=\"6\">"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"[Red]0.00;[Blue]\\-0.00\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"&quot;day &quot;0\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"General\"/>"
    "<numFmt numFmtId=\"168\" formatCode=\"[h]:mm:ss\"/>"
    "<numFmt numFmtId=\"169\" formatCode=\"#,##0_);[Red]\\(#,##0\\);* _-&quot;s&quot;\"/>"
    "</numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"11\">"
    "<xf numFmtId=\"0\"/>"    /* 0 General */
    "<xf numFmtId=\"14\"/>"   /* 1 built-in date */
    "<xf numFmtId=\"22\"/>"   /* 2 built-in date time */
    "<xf numFmtId=\"58\"/>"   /* 3 CJK built-in date */
    "<xf numFmtId=\"164\"/>"  /* 4 custom Chinese date */
    "<xf numFmtId=\"165\"/>"  /* 5 colours, not a date */
    "<xf numFmtId=\"166\"/>"  /* 6 quoted d, not a date */
    "<xf numFmtId=\"167\"/>"  /* 7 General */
    "<xf numFmtId=\"168\"/>"  /* 8 elapsed time: a date/time */
    "<xf numFmtId=\"169\"/>"  /* 9 accounting: not a date */
    "<xf numFmtId=\"4\"/>"    /* 10 #,##0.00 */
    "</cellXfs>"
    "<dxfs count=\"1\"><dxf><numFmt numFmtId=\"4\" formatCode=\"yyyy\"/></dxf></dxfs>"
    "</styleSheet>";

static void test_date_formats(void **state)
{
    const char *p = tpath("dates.xlsx");
    (void)state;
    make_book(p,
              "<row r=\"1\"><c s=\"0\"><v>43831</v></c><c s=\"1\"><v>43831</v></c>"
              "<c s=\"2\"><v>45000.5</v></c><c s=\"3\"><v>43831</v></c><c s=\"4\"><v>43831</v></c>"
              "<c s=\"5\"><v>43831</v></c><c s=\"6\"><v>43831</v></c><c s=\"7\"><v>43831</v></c>"
              "<c s=\"8\"><v>1.25</v></c><c s=\"9\"><v>43831</v></c><c s=\"10\"><v>43831</v></c>"
              "<c s=\"99\"><v>43831</v></c></row>\n"
              "<row r=\"2\"><c s=\"1\"><v>1</v></c><c s=\"1\"><v>59</v></c><c s=\"1\"><v>60</v></c>"
              "<c s=\"1\"><v>61</v></c><c s=\"1\"><v>0</v></c><c s=\"1\"><v>-1</v></c>"
              "<c s=\"1\"><v>2958465</v></c><c s=\"1\"><v>2958466</v></c>"
              "<c s=\"2\"><v>44196.999999999</v></c><c s=\"2\"><v>43831.0000001</v></c></row>",
              NULL, styles_dates, NULL);
    assert_dump(p, NULL,
                "1: N:43831 D:2020-01-01 D:2023-03-15 12:00:00 D:2020-01-01 D:2020-01-01 N:43831 "
                "N:43831 N:43831 D:1900-01-01 06:00:00 N:43831 N:43831 N:43831\n"
                "2: D:1900-01-01 D:1900-02-28 D:1900-02-29 D:1900-03-01 D:1899-12-31 N:-1 "
                "D:9999-12-31 N:2958466 D:2021-01-01 D:2020-01-01\n");
}

static void test_date1904(void **state)
{
    const char *p = tpath("d1904.xlsx");
    (void)state;
    make_book(p,
              "<row r=\"1\"><c s=\"1\"><v>0</v></c><c s=\"1\"><v>42369</v></c>"
              "<c s=\"1\"><v>60</v></c><c t=\"d\"><v>1904-01-02</v></c></row>",
              NULL, styles_dates, "date1904=\"1\"");
    assert_dump(p, NULL, "1: D:1904-01-01 D:2020-01-01 D:1904-03-01 D:1904-01-02\n");
}

/* Workbook and parts at absolute targets, workbook found through the
 * package rels at a non-standard name. */
static void test_absolute_targets(void **state)
{
    const char *p = tpath("absolute.xlsx");
    const struct zpart parts[] = {
        { "[Content_Types].xml", content_types, 0, 0 },
        { "_rels/.rels",
          XML_DECL "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                   "relationships\"><Relationship Id=\"rId1\" Type=\"" REL_T "officeDocument\" "
                   "Target=\"/book/wb.xml\"/></Relationships>", 0, 0 },
        { "book/wb.xml",
          XML_DECL "<x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
                   "main\" " NS_R "><x:sheets><x:sheet name=\"数据\" sheetId=\"1\" "
                   "r:id=\"rId7\"/></x:sheets></x:workbook>", 0, 0 },
        { "book/_rels/wb.xml.rels",
          XML_DECL "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                   "relationships\">"
                   "<Relationship Id=\"rId7\" Type=\"" REL_T "worksheet\" "
                   "Target=\"/xl/worksheets/My%20Sheet.xml\"/>"
                   "<Relationship Id=\"rId8\" Type=\"" REL_T "sharedStrings\" "
                   "Target=\"../xl/./strings.xml\"/>"
                   "<Relationship Id=\"rId9\" Type=\"" REL_T "hyperlink\" "
                   "Target=\"http://example.cn/\" TargetMode=\"External\"/>"
                   "</Relationships>", 0, 0 },
        { "xl/worksheets/My Sheet.xml",
          XML_DECL "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
                   "main\"><x:sheetData><x:row x:r=\"2\"><x:c r=\"B2\" t=\"s\"><x:v>0</x:v></x:c>"
                   "</x:row></x:sheetData></x:worksheet>", 0, 0 },
        { "xl/strings.xml", XML_DECL "<sst " NS_MAIN "><si><t>绝对路径</t></si></sst>", 0, 0 },
    };
    (void)state;
    write_zip(p, parts, sizeof(parts) / sizeof(parts[0]));
    assert_dump(p, NULL, "2: E: S:绝对路径\n");
    assert_dump(p, "数据", "2: E: S:绝对路径\n");
}

/* No _rels/.rels: the workbook is found through [Content_Types].xml. */
static void test_content_types_fallback(void **state)
{
    const char *p = tpath("ctypes.xlsx");
    const struct zpart parts[] = {
        { "[Content_Types].xml",
          XML_DECL "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                   "<Override PartName=\"/wb/main.xml\" ContentType=\"application/"
                   "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>",
          0, 0 },
        { "wb/main.xml",
          XML_DECL "<workbook " NS_MAIN " " NS_R "><sheets><sheet name=\"S\" sheetId=\"1\" "
                   "r:id=\"rId1\"/></sheets></workbook>", 0, 0 },
        { "wb/_rels/main.xml.rels",
          XML_DECL "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                   "relationships\"><Relationship Id=\"rId1\" Type=\"" REL_T "worksheet\" "
                   "Target=\"s1.xml\"/></Relationships>", 0, 0 },
        { "wb/s1.xml",
          XML_DECL "<worksheet " NS_MAIN "><sheetData><row><c><v>1</v></c></row></sheetData>"
                   "</worksheet>", 0, 0 },
    };
    (void)state;
    write_zip(p, parts, sizeof(parts) / sizeof(parts[0]));
    assert_dump(p, NULL, "1: N:1\n");
}

static void make_two_sheet_book(const char *path, int first_hidden)
{
    struct strbuf wb = STRBUF_INIT;
    const char *sheet = XML_DECL "<worksheet " NS_MAIN "><sheetData><row r=\"1\">"
                                 "<c t=\"inlineStr\"><is><t>%s</t></is></c></row></sheetData>"
                                 "</worksheet>";
    char s1[512], s2[512];
    struct zpart parts[8];
    strbuf_addf(&wb, XML_DECL "<workbook " NS_MAIN " " NS_R "><sheets>"
                "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"%s/>"
                "<sheet name=\"图表\" sheetId=\"3\" r:id=\"rId3\"/>"
                "<sheet name=\"第二页\" sheetId=\"2\" r:id=\"rId2\"/>"
                "</sheets></workbook>", first_hidden ? " state=\"hidden\"" : "");
    snprintf(s1, sizeof(s1), sheet, "first");
    snprintf(s2, sizeof(s2), sheet, "second");
    parts[0] = (struct zpart){ "[Content_Types].xml", content_types, 0, 0 };
    parts[1] = (struct zpart){ "_rels/.rels", root_rels, 0, 0 };
    parts[2] = (struct zpart){ "xl/workbook.xml", wb.buf, 0, 0 };
    parts[3] = (struct zpart){
        "xl/_rels/workbook.xml.rels",
        XML_DECL "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                 "relationships\">"
                 "<Relationship Id=\"rId1\" Type=\"" REL_T "worksheet\" "
                 "Target=\"worksheets/sheet1.xml\"/>"
                 "<Relationship Id=\"rId2\" Type=\"" REL_T "worksheet\" "
                 "Target=\"worksheets/sheet2.xml\"/>"
                 "<Relationship Id=\"rId3\" Type=\"" REL_T "chartsheet\" "
                 "Target=\"chartsheets/sheet1.xml\"/>"
                 "</Relationships>", 0, 0 };
    parts[4] = (struct zpart){ "xl/worksheets/sheet1.xml", s1, 0, 0 };
    parts[5] = (struct zpart){ "xl/worksheets/sheet2.xml", s2, 0, 0 };
    parts[6] = (struct zpart){ "xl/chartsheets/sheet1.xml",
                               XML_DECL "<chartsheet " NS_MAIN "/>", 0, 0 };
    write_zip(path, parts, 7);
    strbuf_release(&wb);
}

static void collect_name(const char *name, void *ctx)
{
    struct strbuf *sb = ctx;
    strbuf_addf(sb, "[%s]", name);
}

static void test_sheet_by_name(void **state)
{
    const char *p = tpath("two.xlsx"), *h = tpath("hidden.xlsx");
    struct strbuf names = STRBUF_INIT;
    struct error err = ERROR_INIT;
    size_t len;
    void *data;
    (void)state;
    make_two_sheet_book(p, 0);
    assert_dump(p, NULL, "1: S:first\n");
    assert_dump(p, "第二页", "1: S:second\n");
    assert_dump(p, "sheet1", "1: S:first\n");  /* Excel's names ignore case */
    assert_dump_has(p, "图表", "sheet '图表' is a chartsheet, not a worksheet");
    assert_int_equal(xlsx_sheet_names(p, collect_name, &names, &err), 3);
    assert_string_equal(names.buf, "[Sheet1][图表][第二页]");
    strbuf_reset(&names);
    data = slurp(p, &len);
    assert_int_equal(xlsx_sheet_names_mem(data, len, "x.xlsx", collect_name, &names, &err), 3);
    assert_string_equal(names.buf, "[Sheet1][图表][第二页]");
    free(data);
    strbuf_release(&names);
    /* A hidden first sheet is not what the user sees first. */
    make_two_sheet_book(h, 1);
    assert_dump(h, NULL, "1: S:second\n");
    assert_dump(h, "Sheet1", "1: S:first\n");
}

static void test_missing_sheet(void **state)
{
    const char *p = tpath("names.xlsx");
    char *got;
    (void)state;
    make_two_sheet_book(p, 0);
    got = dump_file(p, "企业");
    assert_non_null(strstr(got, "names.xlsx: no sheet named '企业' (sheets: 'Sheet1', '图表', "
                                "'第二页')"));
    free(got);
}

static void test_corrupt_zip(void **state)
{
    const char *p = tpath("corrupt.xlsx"), *good = tpath("good.xlsx");
    static const unsigned char ole[] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0 };
    struct error err = ERROR_INIT;
    size_t len;
    char *data;
    FILE *f;
    (void)state;
    assert_null(xlsx_open_mem("name,code\n", 10, "a.csv", NULL, &err));
    assert_non_null(strstr(err.msg, "a.csv: is not an XLSX file (not a zip archive)"));
    assert_null(xlsx_open_mem(ole, sizeof(ole), "old.xls", NULL, &err));
    assert_non_null(strstr(err.msg, "old .xls"));
    assert_null(xlsx_open_mem("", 0, "empty.xlsx", NULL, &err));
    assert_non_null(strstr(err.msg, "not a zip"));
    assert_null(xlsx_open(tpath("no-such-file.xlsx"), NULL, &err));
    assert_non_null(strstr(err.msg, "cannot open: No such file or directory"));

    /* A truncated download: the central directory is gone. */
    make_book(good, "<row><c><v>1</v></c></row>", NULL, NULL, NULL);
    data = slurp(good, &len);
    assert_null(xlsx_open_mem(data, len / 2, "half.xlsx", NULL, &err));
    assert_non_null(strstr(err.msg, "half.xlsx: is not a readable zip archive"));
    free(data);

    /* A zip without a workbook. */
    {
        const struct zpart parts[] = { { "readme.txt", "hello", 0, 0 } };
        write_zip(p, parts, 1);
        assert_dump_has(p, NULL, "is a zip without a workbook (no xl/workbook.xml)");
    }

    /* A stored sheet with one byte changed: still well-formed XML, so only
     * the CRC can tell. */
    {
        const struct zpart parts[] = {
            { "[Content_Types].xml", content_types, 0, 0 },
            { "xl/workbook.xml",
              XML_DECL "<workbook " NS_MAIN " " NS_R "><sheets><sheet name=\"S\" sheetId=\"1\" "
                       "r:id=\"rId1\"/></sheets></workbook>", 0, 0 },
            { "xl/_rels/workbook.xml.rels", wb_rels_default, 0, 0 },
            { "xl/worksheets/sheet1.xml",
              XML_DECL "<worksheet " NS_MAIN "><sheetData><row><c t=\"inlineStr\"><is>"
                       "<t>MARKER</t></is></c></row></sheetData></worksheet>", 0, 1 },
        };
        char *m;
        write_zip(p, parts, 4);
        data = slurp(p, &len);
        m = memmem(data, len, "MARKER", 6);
        assert_non_null(m);
        m[0] = 'N';
        f = fopen(p, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        fclose(f);
        free(data);
        assert_dump_has(p, NULL, "1: S:NARKER\nERROR: ");
        assert_dump_has(p, NULL, "corrupt.xlsx: zip part 'xl/worksheets/sheet1.xml' is corrupt "
                                 "(CRC mismatch)");
    }
}

static void test_corrupt_deflate(void **state)
{
    const char *p = tpath("deflate.xlsx");
    struct strbuf rows = STRBUF_INIT;
    size_t len, i, at;
    char *data;
    FILE *f;
    (void)state;
    for (i = 1; i <= 2000; i++)
        strbuf_addf(&rows, "<row r=\"%zu\"><c><v>%zu</v></c><c t=\"inlineStr\"><is><t>行%zu</t>"
                    "</is></c></row>", i, i * 7919 % 10007, i);
    make_book(p, rows.buf, NULL, NULL, NULL);
    strbuf_release(&rows);
    data = slurp(p, &len);
    /* Scribble over the middle of the sheet's compressed stream, which is by
     * far the biggest entry. */
    at = (size_t)((char *)memmem(data, len, "xl/worksheets/sheet1.xml", 24) - data);
    for (i = 0; i < 64; i++)
        data[at + 24 + 2000 + i] = (char)(i * 37);
    f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    free(data);
    assert_dump_has(p, NULL, "xl/worksheets/sheet1.xml");
}

static void test_zip_bomb(void **state)
{
    const char *p = tpath("bomb.xlsx"), *q = tpath("bomb_sst.xlsx");
    struct strbuf pad = STRBUF_INIT;
    (void)state;
    /* A megabyte of white space deflates to about a kilobyte. */
    strbuf_addstr(&pad, "<row><c><v>1</v></c></row>");
    while (pad.len < 1024 * 1024)
        strbuf_addch(&pad, ' ');
    make_book(p, pad.buf, NULL, NULL, NULL);
    memcpy(pad.buf, "<si><t>x</t></si>         ", 26);
    make_book(q, "<row><c t=\"s\"><v>0</v></c></row>", pad.buf, NULL, NULL);
    strbuf_release(&pad);
    assert_dump(p, NULL, "1: N:1\n");
    xlsx_set_part_limit(64 * 1024);
    assert_dump_has(p, NULL, "bomb.xlsx: zip part 'xl/worksheets/sheet1.xml' expands past 65536 "
                             "bytes: refusing (zip bomb?)");
    assert_dump_has(q, NULL, "zip part 'xl/sharedStrings.xml' expands past 65536 bytes: refusing "
                             "(zip bomb?)");
    xlsx_set_part_limit(0);
    assert_dump(q, NULL, "1: S:x\n");
}

/* An entry whose directory claims a small size: minizip stops at the
 * claimed size, so the lie ends as a truncated part, never as a success. */
static void test_lying_size(void **state)
{
    const char *p = tpath("liar.xlsx");
    struct strbuf sheet = STRBUF_INIT;
    zipFile zf;
    zip_fileinfo zi;
    z_stream zs;
    unsigned char out[65536];
    uLong crc;
    size_t i;
    (void)state;
    strbuf_addf(&sheet, XML_DECL "<worksheet " NS_MAIN "><sheetData>");
    for (i = 1; i <= 3000; i++)
        strbuf_addf(&sheet, "<row r=\"%zu\"><c><v>%zu</v></c></row>", i, i);
    strbuf_addstr(&sheet, "</sheetData></worksheet>");
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)sheet.buf;
    zs.avail_in = (uInt)sheet.len;
    zs.next_out = out;
    zs.avail_out = sizeof(out);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    crc = crc32(0, (unsigned char *)sheet.buf, (uInt)sheet.len);

    zf = zipOpen(p, APPEND_STATUS_CREATE);
    memset(&zi, 0, sizeof(zi));
    zipOpenNewFileInZip(zf, "xl/workbook.xml", &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6);
    {
        const char *wb = XML_DECL "<workbook " NS_MAIN " " NS_R "><sheets><sheet name=\"S\" "
                                  "sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
        zipWriteInFileInZip(zf, wb, (unsigned)strlen(wb));
        zipCloseFileInZip(zf);
        zipOpenNewFileInZip(zf, "xl/_rels/workbook.xml.rels", &zi, NULL, 0, NULL, 0, NULL,
                            Z_DEFLATED, 6);
        zipWriteInFileInZip(zf, wb_rels_default, (unsigned)strlen(wb_rels_default));
        zipCloseFileInZip(zf);
    }
    zipOpenNewFileInZip2(zf, "xl/worksheets/sheet1.xml", &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                         9, 1);
    zipWriteInFileInZip(zf, out, (unsigned)zs.total_out);
    zipCloseFileInZipRaw(zf, 1000, crc);  /* claims 1000 bytes */
    zipClose(zf, NULL);
    deflateEnd(&zs);
    strbuf_release(&sheet);
    assert_dump_has(p, NULL, "ERROR: ");
    assert_dump_has(p, NULL, "xl/worksheets/sheet1.xml");
}

static void test_malformed_xml(void **state)
{
    const char *p = tpath("bad.xlsx");
    (void)state;
    make_book(p, "<row r=\"1\"><c><v>1</v></c></row>\n<row r=\"2\"><c><v>2</v></row>", NULL, NULL,
              NULL);
    assert_dump_has(p, NULL, "1: N:1\nERROR: ");
    assert_dump_has(p, NULL, "bad.xlsx!Sheet1: xl/worksheets/sheet1.xml line 5, column 25: "
                             "mismatched tag");

    make_book(p, "<row><c t=\"s\"><v>0</v></c></row>", "<si><t>\xff\xfe</t></si>", NULL, NULL);
    assert_dump_has(p, NULL, "OPEN: ");
    assert_dump_has(p, NULL, "bad.xlsx: xl/sharedStrings.xml line 2");

    make_book(p, "<row><c t=\"s\"><v>0</v></c></row>", "<si><t>\xe4\xb8</t></si>", NULL, NULL);
    assert_dump_has(p, NULL, "xl/sharedStrings.xml line 2");

    make_book(p, "<row><c><v>1</v></c></row>&#0;", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "xl/worksheets/sheet1.xml line 4");

    make_book(p, "<row><c><v>1</v></c></row>", NULL, NULL, "date1904=\"1\" <");
    assert_dump_has(p, NULL, "bad.xlsx: xl/workbook.xml line 2");

    /* A sheet that simply stops. */
    {
        const struct zpart parts[] = {
            { "xl/workbook.xml",
              XML_DECL "<workbook " NS_MAIN " " NS_R "><sheets><sheet name=\"S\" sheetId=\"1\" "
                       "r:id=\"rId1\"/></sheets></workbook>", 0, 0 },
            { "xl/_rels/workbook.xml.rels", wb_rels_default, 0, 0 },
            { "xl/worksheets/sheet1.xml",
              XML_DECL "<worksheet " NS_MAIN "><sheetData><row><c><v>5</v></c></row>", 0, 0 },
        };
        write_zip(p, parts, 3);
        assert_dump_has(p, NULL, "1: N:5\nERROR: ");
        assert_dump_has(p, NULL, "bad.xlsx!S: xl/worksheets/sheet1.xml line 2, column 115: no "
                                 "element found");
    }
}

static void test_doctype_refused(void **state)
{
    const char *p = tpath("dtd.xlsx");
    const struct zpart parts[] = {
        { "xl/workbook.xml",
          "<?xml version=\"1.0\"?>\n<!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\">"
          "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
          "<workbook " NS_MAIN " " NS_R "><sheets><sheet name=\"&b;\" sheetId=\"1\" "
          "r:id=\"rId1\"/></sheets></workbook>", 0, 0 },
    };
    (void)state;
    write_zip(p, parts, 1);
    assert_dump_has(p, NULL, "dtd.xlsx: xl/workbook.xml line 2: a DOCTYPE is not allowed");
}

static void test_row_and_cell_order(void **state)
{
    const char *p = tpath("order.xlsx");
    (void)state;
    make_book(p, "<row r=\"5\"><c><v>1</v></c></row><row r=\"3\"><c><v>2</v></c></row>", NULL,
              NULL, NULL);
    assert_dump_has(p, NULL, "5: N:1\nERROR: ");
    assert_dump_has(p, NULL, "order.xlsx!Sheet1: row 3: comes after row 5: rows out of order");
    make_book(p, "<row r=\"5\"><c><v>1</v></c></row><row r=\"5\"><c><v>2</v></c></row>", NULL,
              NULL, NULL);
    assert_dump_has(p, NULL, "row 5: appears twice");
    make_book(p, "<row r=\"2\"><c r=\"D2\"><v>1</v></c><c r=\"B2\"><v>2</v></c></row>", NULL,
              NULL, NULL);
    assert_dump_has(p, NULL, "order.xlsx!Sheet1: row 2, cell B2: comes after cell D2");
    make_book(p, "<row r=\"2\"><c r=\"D2\"><v>1</v></c><c r=\"D2\"><v>2</v></c></row>", NULL,
              NULL, NULL);
    assert_dump_has(p, NULL, "row 2, cell D2: comes after cell D2");
    make_book(p, "<row r=\"1048577\"><c><v>1</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 1048577: past Excel's last row");
    make_book(p, "<row r=\"x7\"><c><v>1</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row number 'x7' is not a number");
    make_book(p, "<row r=\"9\"><c r=\"XFE9\"><v>1</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 9, cell A9: cell reference 'XFE9' is not a column");
    make_book(p, "<row r=\"9\"><c r=\"XFD9\"><v>1</v></c></row>", NULL, NULL, NULL);
    {
        char *got = dump_file(p, NULL);
        assert_non_null(strstr(got, "9: E: E:"));
        assert_non_null(strstr(got, " N:1\n"));
        free(got);
    }
    make_book(p, "<c><v>1</v></c>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "a <c> cell outside a <row>");
}

static void test_bad_values_name_cell(void **state)
{
    const char *p = tpath("values.xlsx");
    (void)state;
    make_book(p, "<row r=\"7\"><c r=\"A7\"><v>1</v></c><c r=\"C7\" t=\"b\"><v>maybe</v></c></row>",
              NULL, NULL, NULL);
    assert_dump_has(p, NULL, "values.xlsx!Sheet1: row 7, cell C7: 'maybe' is not a boolean");
    make_book(p, "<row r=\"12\"><c r=\"AB12\"><v>12abc</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 12, cell AB12: '12abc' is not a number");
    make_book(p, "<row r=\"3\"><c r=\"B3\"><v>nan</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 3, cell B3: 'nan' is not a number");
    make_book(p, "<row r=\"3\"><c r=\"B3\"><v>1e999</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 3, cell B3: '1e999' is not a number");
    make_book(p, "<row r=\"4\"><c r=\"D4\" t=\"s\"><v>3</v></c></row>",
              "<si><t>a</t></si><si><t>b</t></si>", NULL, NULL);
    assert_dump_has(p, NULL, "row 4, cell D4: shared string index '3' out of range (2 shared "
                             "strings)");
    make_book(p, "<row r=\"4\"><c r=\"D4\" t=\"s\"><v>0</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 4, cell D4: shared string index '0' out of range (0 shared");
    make_book(p, "<row r=\"5\"><c r=\"E5\" t=\"d\"><v>2023-02-30</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 5, cell E5: '2023-02-30' is not an ISO 8601 date");
    make_book(p, "<row r=\"6\"><c r=\"F6\" t=\"x\"><v>1</v></c></row>", NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 6, cell F6: unknown cell type t=\"x\"");
}

static void test_limits(void **state)
{
    const char *p = tpath("limits.xlsx");
    struct strbuf big = STRBUF_INIT, rows = STRBUF_INIT;
    size_t i;
    (void)state;
    /* One cell over TABLE_MAX_CELL_BYTES, inline and shared. */
    strbuf_addstr(&big, "<row r=\"2\"><c r=\"C2\" t=\"inlineStr\"><is><t>");
    for (i = 0; i <= TABLE_MAX_CELL_BYTES; i += 10)
        strbuf_addstr(&big, "0123456789");
    strbuf_addstr(&big, "</t></is></c></row>");
    make_book(p, big.buf, NULL, NULL, NULL);
    assert_dump_has(p, NULL, "row 2, cell C2: text longer than 262144 bytes");
    strbuf_reset(&big);
    strbuf_addstr(&big, "<si><t>ok</t></si><si><t>");
    for (i = 0; i <= TABLE_MAX_CELL_BYTES; i += 10)
        strbuf_addstr(&big, "0123456789");
    strbuf_addstr(&big, "</t></si>");
    make_book(p, "<row><c t=\"s\"><v>0</v></c></row>", big.buf, NULL, NULL);
    assert_dump_has(p, NULL, "xl/sharedStrings.xml line 2: shared string 1 is longer than 262144");

    /* A row over TABLE_MAX_ROW_BYTES: 40 cells of 250 KB each. */
    strbuf_reset(&big);
    for (i = 0; i < 250 * 1024; i++)
        strbuf_addch(&big, 'x');
    strbuf_addstr(&rows, "<row r=\"4\">");
    for (i = 0; i < 40; i++)
        strbuf_addf(&rows, "<c t=\"inlineStr\"><is><t>%s</t></is></c>", big.buf);
    strbuf_addstr(&rows, "</row>");
    make_book(p, rows.buf, NULL, NULL, NULL);
    assert_dump_has(p, NULL, "limits.xlsx!Sheet1: row 4: longer than 8388608 bytes");

    /* Shared strings table caps, lowered for the test. */
    strbuf_reset(&big);
    for (i = 0; i < 100; i++)
        strbuf_addf(&big, "<si><t>字符串%zu</t></si>", i);
    make_book(p, "<row><c t=\"s\"><v>99</v></c></row>", big.buf, NULL, NULL);
    assert_dump(p, NULL, "1: S:字符串99\n");
    xlsx_set_shared_limits(50, 0);
    assert_dump_has(p, NULL, "xl/sharedStrings.xml line 2: more than 50 shared strings");
    xlsx_set_shared_limits(0, 500);
    assert_dump_has(p, NULL, "shared strings take more than 500 bytes");
    xlsx_set_shared_limits(0, 0);
    assert_dump(p, NULL, "1: S:字符串99\n");

    /* Nesting and DOCTYPE-free billion laughs are bounded too. */
    strbuf_reset(&big);
    for (i = 0; i < 100; i++)
        strbuf_addstr(&big, "<x>");
    make_book(p, big.buf, NULL, NULL, NULL);
    assert_dump_has(p, NULL, "elements nested deeper than 64 levels");
    strbuf_release(&big);
    strbuf_release(&rows);
}

static void test_missing_parts(void **state)
{
    const char *p = tpath("parts.xlsx");
    const struct zpart no_sheet[] = {
        { "xl/workbook.xml",
          XML_DECL "<workbook " NS_MAIN " " NS_R "><sheets><sheet name=\"S\" sheetId=\"1\" "
                   "r:id=\"rId1\"/></sheets></workbook>", 0, 0 },
        { "xl/_rels/workbook.xml.rels", wb_rels_default, 0, 0 },
    };
    const struct zpart no_rels[] = {
        { "xl/workbook.xml",
          XML_DECL "<workbook " NS_MAIN " " NS_R "><sheets><sheet name=\"S\" sheetId=\"1\" "
                   "r:id=\"rId1\"/></sheets></workbook>", 0, 0 },
        { "xl/worksheets/sheet1.xml", "<worksheet/>", 0, 0 },
    };
    const struct zpart no_sheets[] = {
        { "xl/workbook.xml", XML_DECL "<workbook " NS_MAIN "><sheets/></workbook>", 0, 0 },
    };
    const struct zpart ods[] = {
        { "mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0, 1 },
        { "content.xml", "<office:document-content/>", 0, 0 },
    };
    (void)state;
    write_zip(p, no_sheet, 2);
    assert_dump_has(p, NULL, "sheet 'S' is missing its part 'xl/worksheets/sheet1.xml'");
    write_zip(p, no_rels, 2);
    assert_dump_has(p, NULL, "the workbook has no worksheet");
    assert_dump_has(p, "S", "sheet 'S' has no part in the workbook relationships");
    write_zip(p, no_sheets, 1);
    assert_dump_has(p, NULL, "the workbook has no worksheet");
    assert_dump_has(p, "x", "no sheet named 'x' (sheets: none)");
    write_zip(p, ods, 2);
    assert_dump_has(p, NULL, "OpenDocument spreadsheet (.ods)");
    make_book(p, "<row><c t=\"s\"><v>0</v></c></row>", NULL, NULL, NULL);  /* rel but no part */
    assert_dump_has(p, NULL, "row 1, cell A1: shared string index '0' out of range (0 shared");
}

/* Many rows through a small reader: rows come back one by one, in order,
 * with the right numbers; pointers stay valid until the next call. */
static void test_many_rows(void **state)
{
    const char *p = tpath("many.xlsx");
    struct strbuf rows = STRBUF_INIT, sst = STRBUF_INIT;
    struct error err = ERROR_INIT;
    struct table_reader *r;
    struct table_row row;
    size_t i, n = 0;
    int rc;
    char want[64];
    (void)state;
    for (i = 0; i < 500; i++)
        strbuf_addf(&sst, "<si><t>企业%zu</t></si>", i);
    for (i = 1; i <= 20000; i++)
        if (i % 3)
            strbuf_addf(&rows, "<row r=\"%zu\"><c t=\"s\"><v>%zu</v></c><c><v>%zu.25</v></c>"
                        "</row>", i, i % 500, i);
    make_book(p, rows.buf, sst.buf, NULL, NULL);
    r = xlsx_open(p, NULL, &err);
    assert_non_null(r);
    while ((rc = table_next(r, &row, &err)) == 1) {
        n++;
        assert_int_not_equal(row.row % 3, 0);
        assert_int_equal(row.ncells, 2);
        snprintf(want, sizeof(want), "企业%zu", row.row % 500);
        assert_string_equal(row.cells[0].text, want);
        snprintf(want, sizeof(want), "%zu.25", row.row);
        assert_string_equal(row.cells[1].text, want);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, 20000 - 20000 / 3);
    table_free(r);
    strbuf_release(&rows);
    strbuf_release(&sst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_column_name),
        cmocka_unit_test(test_roundtrip_shared_strings),
        cmocka_unit_test(test_roundtrip_inline_strings),
        cmocka_unit_test(test_source_and_numbers),
        cmocka_unit_test(test_shared_strings_rich_text),
        cmocka_unit_test(test_missing_r_and_sparse),
        cmocka_unit_test(test_cell_types),
        cmocka_unit_test(test_iso_date_serial),
        cmocka_unit_test(test_date_formats),
        cmocka_unit_test(test_date1904),
        cmocka_unit_test(test_absolute_targets),
        cmocka_unit_test(test_content_types_fallback),
        cmocka_unit_test(test_sheet_by_name),
        cmocka_unit_test(test_missing_sheet),
        cmocka_unit_test(test_corrupt_zip),
        cmocka_unit_test(test_corrupt_deflate),
        cmocka_unit_test(test_zip_bomb),
        cmocka_unit_test(test_lying_size),
        cmocka_unit_test(test_malformed_xml),
        cmocka_unit_test(test_doctype_refused),
        cmocka_unit_test(test_row_and_cell_order),
        cmocka_unit_test(test_bad_values_name_cell),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_missing_parts),
        cmocka_unit_test(test_many_rows),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
