/*
 * fuzz_value.c - libFuzzer target for the value parsers and the UTF-8
 * normal forms: the same bytes go to every one of them.
 *
 * Checks beyond crashes: the outputs are well formed (dates YYYY-MM-DD,
 * strings terminated inside their buffers, valid UTF-8), amounts are not
 * negative, and utf8_clean is idempotent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/utf8.h"
#include "registry/value.h"

static void check_date(const char *d)
{
    int i;
    for (i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            abort();
    if (d[10])
        abort();
}

static void fuzz_utf8(const char *s, size_t len)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    int valid = utf8_valid(s, len), tr;
    size_t good = utf8_check(s, len, &tr);

    if (valid != (good == len))
        abort();
    if (valid)
        (void)utf8_length(s, len);
    if (utf8_clean(s, len, &a) != (valid ? 0 : -1))
        abort();
    if (valid) {
        if (!utf8_valid(a.buf, a.len))
            abort();
        if (utf8_clean(a.buf, a.len, &b) != 0 || a.len != b.len || memcmp(a.buf, b.buf, a.len))
            abort();  /* cleaning clean text changes nothing */
    }
    strbuf_reset(&a);
    if (utf8_name_key(s, len, &a) != (valid ? 0 : -1))
        abort();
    if (valid && !utf8_valid(a.buf, a.len))
        abort();
    strbuf_release(&a);
    strbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *z = malloc(size + 1);
    struct error err = ERROR_INIT;
    struct money m;
    struct cell c;
    struct tag_set ts;
    enum ent_status st;
    char date[11], round[16], unknown[64];
    int64_t count;
    double x = 0;
    int rc, t;

    memcpy(z, data, size);
    z[size] = '\0';

    fuzz_utf8(s, size);
    (void)value_is_blank(s, size);
    (void)value_header_money_unit(z);

    rc = value_parse_money(s, size, MONEY_UNIT_WAN, &m, &err);
    if (rc == 1 && (m.cents < 0 || strlen(m.currency) != 3))
        abort();
    (void)value_parse_money(s, size, MONEY_UNIT_YUAN, &m, &err);
    (void)value_parse_money(s, size, MONEY_UNIT_YI, &m, &err);

    c.type = CELL_STRING;
    c.text = z;
    c.len = size;
    c.number = 0;
    if (value_parse_date(&c, "2024-06-30", date, &err) == 1)
        check_date(date);
    if (value_parse_count(&c, &count, &err) == 1 && count < 0)
        abort();
    if (size >= sizeof(x))
        memcpy(&x, data, sizeof(x));
    c.number = x;
    c.type = CELL_NUMBER;
    if (value_parse_date(&c, NULL, date, &err) == 1)
        check_date(date);
    if (value_parse_count(&c, &count, &err) == 1 && count < 0)
        abort();
    c.type = CELL_DATE;
    if (value_parse_date(&c, "2024-06-30", date, &err) == 1)
        check_date(date);

    if (value_parse_status(s, size, &st, &err) == 1) {
        enum ent_status back;
        if (value_status_from_name(value_status_name(st), &back) != 0 || back != st)
            abort();
    }
    (void)value_status_from_name(z, &st);

    memset(unknown, 'x', sizeof(unknown));
    if (value_parse_tags(s, size, &ts, unknown, sizeof(unknown), &err) >= 0) {
        if (!memchr(unknown, '\0', sizeof(unknown)) || !utf8_valid(unknown, strlen(unknown)))
            abort();
        for (t = 0; t < TAG_COUNT; t++) {
            if (ts.year[t] && (ts.year[t] < 1900 || ts.year[t] > 2100))
                abort();
            if (ts.date[t][0])
                check_date(ts.date[t]);
        }
    }
    {
        enum ent_tag tag;
        (void)value_tag_from_name(z, &tag);
    }

    memset(round, 'x', sizeof(round));
    if (value_parse_round(s, size, round, &err) == 1 && !memchr(round, '\0', sizeof(round)))
        abort();

    if (!memchr(err.msg, '\0', sizeof(err.msg)))
        abort();
    free(z);
    return 0;
}
