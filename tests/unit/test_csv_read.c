/*
 * test_csv_read.c - the streaming CSV reader (registry/csv_read.c).
 *
 * Most cases run once per buffer size, from the default down to one byte,
 * so that every record, quoted field, CRLF pair and multibyte character is
 * also seen split across buffer boundaries; the result must not change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "registry/csv_read.h"

static const size_t buffer_sizes[] = { 0, 1, 2, 3, 4, 5, 7, 13, 64, 4096 };
#define NSIZES (sizeof(buffer_sizes) / sizeof(buffer_sizes[0]))

/* Every row as "N:[a][b]E" (E marks an empty cell), one per line, then
 * "ERR:message" when reading failed. */
static void dump(struct table_reader *r, struct strbuf *out)
{
    struct table_row row;
    struct error err = ERROR_INIT;
    int rc;
    size_t i;

    while ((rc = table_next(r, &row, &err)) == 1) {
        strbuf_addf(out, "%zu:", row.row);
        for (i = 0; i < row.ncells; i++) {
            const struct cell *c = &row.cells[i];
            assert_int_equal(strlen(c->text), c->len);
            assert_int_equal(c->type, c->len ? CELL_STRING : CELL_EMPTY);
            strbuf_addf(out, "[%s]%s", c->text, c->type == CELL_EMPTY ? "E" : "");
        }
        strbuf_addch(out, '\n');
    }
    if (rc < 0) {
        strbuf_addf(out, "ERR:%s", err.msg);
        /* the reader stays failed */
        assert_int_equal(table_next(r, &row, &err), -1);
    }
}

static char *read_mem_size(const void *data, size_t len, size_t bufsize, const char **enc,
                           char *sep)
{
    struct csv_options opts = { bufsize };
    struct error err = ERROR_INIT;
    struct strbuf out = STRBUF_INIT;
    struct table_reader *r = csv_open_mem_opts(data, len, "test.csv", &opts, &err);

    if (!r) {
        strbuf_addf(&out, "OPEN:%s", err.msg);
        return strbuf_detach(&out, NULL);
    }
    if (enc)
        *enc = csv_encoding(r);
    if (sep)
        *sep = csv_separator(r);
    dump(r, &out);
    table_free(r);
    return strbuf_detach(&out, NULL);
}

/* Read at every buffer size; all must agree; returns the default's result
 * (static, valid until the next call). */
static const char *read_all_enc(const void *data, size_t len, const char **enc, char *sep)
{
    static char *first;
    size_t i;

    free(first);
    first = read_mem_size(data, len, 0, enc, sep);
    for (i = 1; i < NSIZES; i++) {
        char *other = read_mem_size(data, len, buffer_sizes[i], NULL, NULL);
        if (strcmp(first, other) != 0) {
            size_t d = 0;
            while (first[d] == other[d])
                d++;
            d = d > 40 ? d - 40 : 0;
            fail_msg("buffer size %zu gives\n%.200s\ninstead of\n%.200s", buffer_sizes[i],
                     other + d, first + d);
        }
        free(other);
    }
    return first;
}

static const char *read_all(const char *s)
{
    return read_all_enc(s, strlen(s), NULL, NULL);
}

static void test_simple(void **state)
{
    (void)state;
    assert_string_equal(read_all(""), "");
    assert_string_equal(read_all("a"), "1:[a]\n");
    assert_string_equal(read_all("a,b,c\n1,2,3\n"), "1:[a][b][c]\n2:[1][2][3]\n");
    assert_string_equal(read_all("a,b,c\n1,2,3"), "1:[a][b][c]\n2:[1][2][3]\n");
    /* empty cells: inner ones are CELL_EMPTY, trailing ones omitted */
    assert_string_equal(read_all("a,,c,,\n,x\n"), "1:[a][]E[c]\n2:[]E[x]\n");
    assert_string_equal(read_all("企业名称,注册资本\n杭州云栖科技有限公司,500万元人民币\n"),
                        "1:[企业名称][注册资本]\n2:[杭州云栖科技有限公司][500万元人民币]\n");
}

static void test_line_ends(void **state)
{
    (void)state;
    assert_string_equal(read_all("a,b\r\n1,2\r\n"), "1:[a][b]\n2:[1][2]\n");
    assert_string_equal(read_all("a,b\r1,2\r"), "1:[a][b]\n2:[1][2]\n");
    assert_string_equal(read_all("a,b\r\n1,2\n3,4\r5,6"), "1:[a][b]\n2:[1][2]\n3:[3][4]\n4:[5][6]\n");
    /* CR CR LF is a blank record between two */
    assert_string_equal(read_all("a\r\r\nb"), "1:[a]\n2:\n3:[b]\n");
    assert_string_equal(read_all("\"a\"\r\n\"b\"\r\n"), "1:[a]\n2:[b]\n");
}

static void test_quotes(void **state)
{
    (void)state;
    assert_string_equal(read_all("\"a,b\",\"c\"\"d\",\"\"\n"), "1:[a,b][c\"d]\n");
    assert_string_equal(read_all("\"\",x\n"), "1:[]E[x]\n");
    assert_string_equal(read_all("\"\"\"\"\n"), "1:[\"]\n");
    /* line breaks inside quotes stay in the cell, in any form */
    assert_string_equal(read_all("\"l1\nl2\",\"l1\r\nl2\",\"l1\rl2\"\n"),
                        "1:[l1\nl2][l1\r\nl2][l1\rl2]\n");
    /* a quote inside an unquoted field is an ordinary character */
    assert_string_equal(read_all("ab\"c,5\"\n"), "1:[ab\"c][5\"]\n");
    /* text after the closing quote is kept, as Excel does */
    assert_string_equal(read_all("\"ab\"cd,e\n"), "1:[abcd][e]\n");
    assert_string_equal(read_all("\"a\"\n"), "1:[a]\n");
    assert_string_equal(read_all("\"a\""), "1:[a]\n");
    assert_string_equal(read_all("x,\"a\""), "1:[x][a]\n");
    assert_string_equal(read_all("x,"), "1:[x]\n");
}

static void test_record_numbers(void **state)
{
    (void)state;
    /* a record spanning lines counts once; blank lines inside are rows
     * without cells; blank lines at the end are dropped */
    assert_string_equal(read_all("h1,h2\n\"multi\nline\nfield\",x\n\nlast,y\n\n\r\n\n"),
                        "1:[h1][h2]\n2:[multi\nline\nfield][x]\n3:\n4:[last][y]\n");
    assert_string_equal(read_all("a\n\n\nb\n"), "1:[a]\n2:\n3:\n4:[b]\n");
    /* ",,," is a blank record too, in the middle and at the end */
    assert_string_equal(read_all("a,b\n,,\nc,d\n,,,\n,\n"), "1:[a][b]\n2:\n3:[c][d]\n");
    assert_string_equal(read_all("\n\na\n"), "1:\n2:\n3:[a]\n");
    assert_string_equal(read_all("\n\n\n"), "");
    assert_string_equal(read_all("\"\"\n"), "");
}

static void test_separator(void **state)
{
    char sep;
    (void)state;
    assert_string_equal(read_all_enc("a\tb\tc\n1\t2,5\t3\n", 14, NULL, &sep),
                        "1:[a][b][c]\n2:[1][2,5][3]\n");
    assert_int_equal(sep, '\t');
    assert_string_equal(read_all_enc("a;b;c\n1,5;2;3\n", 14, NULL, &sep),
                        "1:[a][b][c]\n2:[1,5][2][3]\n");
    assert_int_equal(sep, ';');
    /* separators inside quotes do not count */
    assert_string_equal(read_all_enc("\"a;b;c\",d\n1;2,3\n", 16, NULL, &sep),
                        "1:[a;b;c][d]\n2:[1;2][3]\n");
    assert_int_equal(sep, ',');
    /* the first record decides, even when it spans lines */
    assert_string_equal(read_all_enc("\"a\n,,,\"\tb\n1\t2\n", 14, NULL, &sep),
                        "1:[a\n,,,][b]\n2:[1][2]\n");
    assert_int_equal(sep, '\t');
    /* ties and no separator at all: comma */
    read_all_enc("a,b;c\n", 6, NULL, &sep);
    assert_int_equal(sep, ',');
    read_all_enc("abc\n1,2\n", 8, NULL, &sep);
    assert_int_equal(sep, ',');
    read_all_enc("a\tb;c;d\n", 8, NULL, &sep);
    assert_int_equal(sep, ';');
}

static void test_bom_and_utf16(void **state)
{
    const char *enc;
    char sep;
    /* UTF-16LE with a BOM, as Excel's "Unicode text" (tab-separated) */
    static const unsigned char le[] = { 0xFF, 0xFE, 'a', 0, '\t', 0, 0x6D, 0x67, '\r', 0,
                                        '\n', 0, '1', 0, '\t', 0, 0x3D, 0xD8, 0x00, 0xDE };
    static const unsigned char be[] = { 0xFE, 0xFF, 0, 'a', 0, ',', 0x67, 0x6D, 0, '\n',
                                        0, '"', 0, 'x', 0, '"' };
    static const unsigned char le_nobom[] = { 'a', 0, ',', 0, 'b', 0, '\n', 0, '1', 0, ',', 0,
                                              0x6D, 0x67, '\n', 0 };
    (void)state;
    assert_string_equal(read_all_enc("\xEF\xBB\xBF" "a,b\n", 7, &enc, NULL), "1:[a][b]\n");
    assert_string_equal(enc, "UTF-8");
    assert_string_equal(read_all_enc("\xEF\xBB\xBF", 3, &enc, NULL), "");
    assert_string_equal(read_all_enc(le, sizeof(le), &enc, &sep), "1:[a][杭]\n2:[1][😀]\n");
    assert_string_equal(enc, "UTF-16LE");
    assert_int_equal(sep, '\t');
    assert_string_equal(read_all_enc(be, sizeof(be), &enc, &sep), "1:[a][杭]\n2:[x]\n");
    assert_string_equal(enc, "UTF-16BE");
    assert_string_equal(read_all_enc(le_nobom, sizeof(le_nobom), &enc, &sep),
                        "1:[a][b]\n2:[1][杭]\n");
    assert_string_equal(enc, "UTF-16LE");
    /* an odd byte at the end, and an unpaired surrogate */
    assert_string_equal(read_all_enc(le, sizeof(le) - 1, &enc, NULL),
                        "1:[a][杭]\nERR:record 2: the file ends inside a UTF-16LE character "
                        "(byte offset 16)");
    {
        static const unsigned char lone[] = { 0xFF, 0xFE, 'a', 0, '\n', 0, 0x00, 0xDC, 'b', 0 };
        assert_string_equal(read_all_enc(lone, sizeof(lone), NULL, NULL),
                            "1:[a]\nERR:record 2: bytes not valid UTF-16LE at byte offset 6 "
                            "(0x00)");
    }
}

static char *to_gb18030(const char *utf8, size_t *len)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    size_t il = strlen(utf8), ol = il * 2 + 16;
    char *out = malloc(ol), *ob = out, *ib = (char *)(uintptr_t)utf8;
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &ib, &il, &ob, &ol) != (size_t)-1);
    iconv_close(cd);
    *len = (size_t)(ob - out);
    return out;
}

static void test_gb18030(void **state)
{
    const char *enc;
    size_t len1, len2;
    char expect[256];
    /* two-byte (GBK) and four-byte (€ is 0xA2E3, 😀 and 㐀 four bytes) characters */
    char *gb1 = to_gb18030("企业名称,注册资本,备注\n杭州云栖科技有限公司,\"500万元\",\"€ 😀\n第二行\"\n",
                           &len1);
    char *gb2 = to_gb18030("西湖区,1,㐀\n", &len2);
    char *gb = malloc(len1 + len2);
    static const char head[] =
        "1:[企业名称][注册资本][备注]\n2:[杭州云栖科技有限公司][500万元][€ 😀\n第二行]\n";
    (void)state;
    memcpy(gb, gb1, len1);
    memcpy(gb + len1, gb2, len2);
    snprintf(expect, sizeof(expect), "%s3:[西湖区][1][㐀]\n", head);
    assert_string_equal(read_all_enc(gb, len1 + len2, &enc, NULL), expect);
    assert_string_equal(enc, "GB18030");
    /* an invalid byte names its record and offset */
    gb[len1 + 2] = (char)0xFF;
    snprintf(expect, sizeof(expect),
             "%s3:ERR:record 3: bytes not valid GB18030 at byte offset %zu (0xFF)",
             head, len1 + 2);
    snprintf(expect, sizeof(expect),
             "%sERR:record 3: bytes not valid GB18030 at byte offset %zu (0xFF)",
             head, len1 + 2);
    assert_string_equal(read_all_enc(gb, len1 + len2, &enc, NULL), expect);
    /* cut inside the last (four-byte) character */
    gb[len1 + 2] = gb2[2];
    snprintf(expect, sizeof(expect),
             "%sERR:record 3: the file ends inside a GB18030 character (byte offset %zu)", head,
             len1 + len2 - 5);
    assert_string_equal(read_all_enc(gb, len1 + len2 - 2, &enc, NULL), expect);
    free(gb);
    free(gb1);
    free(gb2);
}

/* ASCII for more than the sniffed 64 KiB, then GB18030. */
static void test_late_gb18030(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    const char *out, *enc;
    size_t len, i;
    char *gb = to_gb18030("杭州,西湖\n", &len);
    (void)state;
    for (i = 0; i < 20000; i++)
        strbuf_addstr(&sb, "ab,cd\n");
    strbuf_add(&sb, gb, len);
    out = read_all_enc(sb.buf, sb.len, &enc, NULL);
    assert_int_equal(strncmp(out, "1:[ab][cd]\n2:[ab][cd]\n", 22), 0);
    assert_non_null(strstr(out, "\n20000:[ab][cd]\n20001:[杭州][西湖]\n"));
    assert_string_equal(strstr(out, "\n20001:"), "\n20001:[杭州][西湖]\n");
    assert_string_equal(enc, "UTF-8"); /* at open: the sniffed head is ASCII */
    /* a bad byte later in the GB18030 part */
    sb.buf[sb.len - 2] = (char)0xFF;
    out = read_all_enc(sb.buf, sb.len, &enc, NULL);
    assert_non_null(strstr(out, "20000:[ab][cd]\nERR:record 20001: bytes not valid GB18030 at "
                                "byte offset 120007 (0xBA)"));
    /* a bad byte that is neither: stays UTF-8 */
    sb.buf[sb.len - len] = (char)0xFF;
    out = read_all_enc(sb.buf, sb.len, &enc, NULL);
    assert_non_null(strstr(out, "20000:[ab][cd]\nERR:record 20001: bytes not valid UTF-8 at "
                                "byte offset 120000 (0xFF)"));
    free(gb);
    strbuf_release(&sb);
}

static void test_invalid_bytes(void **state)
{
    (void)state;
    assert_string_equal(read_all("a,b\n1,2\n\"x\ny\",\xC3\x28z\n"),
                        "1:[a][b]\n2:[1][2]\nERR:record 3: bytes not valid UTF-8 at byte offset 14 "
                        "(0xC3)");
    /* a multibyte character cut by the end of the file */
    assert_string_equal(read_all("杭州西湖区,b\n1,\xE6\x9D"),
                        "1:[杭州西湖区][b]\nERR:record 2: the file ends inside a UTF-8 character "
                        "(byte offset 20)");
    /* ... unless there is no sign of UTF-8 before it: then it reads as GB18030 */
    assert_string_equal(read_all("a,b\n1,\xE6\x9D"), "1:[a][b]\n2:[1][鏉]\n");
    /* mostly UTF-8 with one bad byte: reported as UTF-8, not taken for GB18030 */
    assert_string_equal(read_all("杭州,西湖\n\xFF\n"),
                        "1:[杭州][西湖]\nERR:record 2: bytes not valid UTF-8 at byte offset 14 "
                        "(0xFF)");
    /* NUL bytes */
    assert_string_equal(read_all_enc("a,b\n1,\0002\n", 9, NULL, NULL),
                        "1:[a][b]\nERR:record 2: NUL byte at byte offset 6 (a binary file?)");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    assert_string_equal(read_all("a,b\n1,\"open\n2,3\n4,5\n"),
                        "1:[a][b]\nERR:record 2: the quoted field in column B is never closed "
                        "(the file ends inside it)");
    assert_string_equal(read_all("\""),
                        "ERR:record 1: the quoted field in column A is never closed "
                        "(the file ends inside it)");
}

static void test_limits(void **state)
{
    struct strbuf sb = STRBUF_INIT;
    const char *out;
    size_t i;
    (void)state;

    /* one cell at the limit is fine, one byte more is not */
    strbuf_addstr(&sb, "a,b\nx,");
    for (i = 0; i < TABLE_MAX_CELL_BYTES; i++)
        strbuf_addch(&sb, 'y');
    out = read_mem_size(sb.buf, sb.len, 0, NULL, NULL);
    assert_int_equal(strlen(out), 9 + 6 + TABLE_MAX_CELL_BYTES + 2);
    free((char *)out);
    strbuf_addstr(&sb, "y\n");
    out = read_mem_size(sb.buf, sb.len, 0, NULL, NULL);
    assert_string_equal(out, "1:[a][b]\nERR:record 2: field in column B is longer than 262144 bytes");
    free((char *)out);
    /* the same quoted, split everywhere */
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "a\n\"");
    for (i = 0; i <= TABLE_MAX_CELL_BYTES; i++)
        strbuf_addch(&sb, i % 100 ? 'y' : '\n');
    strbuf_addstr(&sb, "\"\n");
    out = read_mem_size(sb.buf, sb.len, 7, NULL, NULL);
    assert_string_equal(out, "1:[a]\nERR:record 2: field in column A is longer than 262144 bytes");
    free((char *)out);

    /* columns */
    strbuf_reset(&sb);
    for (i = 0; i < TABLE_MAX_COLUMNS; i++)
        strbuf_addstr(&sb, i ? ",x" : "x");
    strbuf_addch(&sb, '\n');
    out = read_mem_size(sb.buf, sb.len, 0, NULL, NULL);
    assert_int_equal(strlen(out), 2 + 3 * TABLE_MAX_COLUMNS + 1);
    free((char *)out);
    sb.len--;
    strbuf_addstr(&sb, ",x\n");
    out = read_mem_size(sb.buf, sb.len, 0, NULL, NULL);
    assert_string_equal(out, "ERR:record 1: more than 16384 columns");
    free((char *)out);

    /* row bytes: 33 cells of 256 KiB */
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "h\n");
    for (i = 0; i < 33; i++) {
        size_t j;
        if (i)
            strbuf_addch(&sb, ',');
        for (j = 0; j < TABLE_MAX_CELL_BYTES; j++)
            strbuf_addch(&sb, 'z');
    }
    out = read_mem_size(sb.buf, sb.len, 0, NULL, NULL);
    assert_string_equal(out, "1:[h]\nERR:record 2: longer than 8388608 bytes");
    free((char *)out);
    strbuf_release(&sb);
}

/* Files go through read(): the same results, at small buffer sizes too. */
static void test_file(void **state)
{
    char path[] = "/tmp/test_csv_readXXXXXX";
    int fd = mkstemp(path);
    size_t len, i;
    char *gb = to_gb18030("名称,资本\n\"杭州\n云栖\",500万元\n\n", &len);
    struct error err = ERROR_INIT;
    (void)state;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, gb, len), (ssize_t)len);
    close(fd);
    for (i = 0; i < NSIZES; i++) {
        struct csv_options opts = { buffer_sizes[i] };
        struct strbuf out = STRBUF_INIT;
        struct table_reader *r = csv_open_opts(path, &opts, &err);
        assert_non_null(r);
        assert_string_equal(r->source, path);
        assert_string_equal(csv_encoding(r), "GB18030");
        dump(r, &out);
        assert_string_equal(out.buf, "1:[名称][资本]\n2:[杭州\n云栖][500万元]\n");
        table_free(r);
        strbuf_release(&out);
    }
    unlink(path);
    free(gb);

    assert_null(csv_open(path, &err));
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_non_null(strstr(err.msg, path));
    assert_null(csv_encoding(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_record_numbers),
        cmocka_unit_test(test_separator),
        cmocka_unit_test(test_bom_and_utf16),
        cmocka_unit_test(test_gb18030),
        cmocka_unit_test(test_late_gb18030),
        cmocka_unit_test(test_invalid_bytes),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
