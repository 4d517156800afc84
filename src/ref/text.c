/*
 * text.c - text helpers shared by the reference tables (see text.h).
 */
#include "ref/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ref_is_space(int32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x3000;
}

size_t ref_fold(const char *s, size_t n, char *out, size_t cap, int flags)
{
    size_t i = 0, o = 0;
    int pending_space = 0;

    if (!cap)
        return (size_t)-1;
    while (i < n) {
        int32_t cp;
        size_t len = ref_utf8_next(s + i, n - i, &cp);
        char one;
        const char *bytes = s + i;
        size_t blen = len;

        i += len;
        if (ref_is_space(cp)) {
            pending_space = 1;
            continue;
        }
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
            one = (char)(cp - 0xFEE0);
            bytes = &one;
            blen = 1;
        } else if (cp >= 0 && cp < 0x80) {
            one = (char)cp;
            bytes = &one;
        }
        if (blen == 1 && (flags & REF_FOLD_UPPER) && bytes[0] >= 'a' && bytes[0] <= 'z') {
            one = (char)(bytes[0] - 'a' + 'A');
            bytes = &one;
        }
        if (pending_space && o && !(flags & REF_FOLD_DROP_SPACE)) {
            if (o + 1 >= cap) {
                out[o] = '\0';
                return (size_t)-1;
            }
            out[o++] = ' ';
        }
        pending_space = 0;
        if (o + blen >= cap) {
            out[o] = '\0';
            return (size_t)-1;
        }
        memcpy(out + o, bytes, blen);
        o += blen;
    }
    out[o] = '\0';
    return o;
}

void ref_reader_die(const struct ref_reader *rd, const char *why)
{
    fprintf(stderr, "magnet: embedded %s table, line %zu: %s (the build is broken)\n", rd->what,
            rd->line, why);
    abort();
}

void ref_reader_init(struct ref_reader *rd, const unsigned char *data, size_t len,
                     const char *what)
{
    static const char header[] = "level,code,name,parent";
    const char *s = (const char *)data;
    const char *eol = memchr(s, '\n', len);

    rd->what = what;
    rd->line = 1;
    rd->end = s + len;
    if (!eol || (size_t)(eol - s) < sizeof(header) - 1 ||
        memcmp(s, header, sizeof(header) - 1) != 0)
        ref_reader_die(rd, "header is not level,code,name,parent");
    rd->p = eol + 1;
}

size_t ref_reader_rows(const struct ref_reader *rd, size_t by_level[5])
{
    const char *p = rd->p;
    size_t n = 0;
    if (by_level)
        memset(by_level, 0, 5 * sizeof(size_t));
    while (p < rd->end) {
        const char *eol = memchr(p, '\n', (size_t)(rd->end - p));
        n++;
        if (by_level && *p >= '1' && *p <= '4')
            by_level[*p - '0']++;
        if (!eol)
            break;
        p = eol + 1;
    }
    return n;
}

int ref_reader_next(struct ref_reader *rd, struct ref_field f[4])
{
    for (;;) {
        const char *p = rd->p, *eol, *q;
        int k;

        if (p >= rd->end)
            return 0;
        eol = memchr(p, '\n', (size_t)(rd->end - p));
        if (!eol)
            eol = rd->end;
        rd->p = eol + 1;
        rd->line++;
        if (eol > p && eol[-1] == '\r')
            eol--;
        if (eol == p)
            continue;  /* a blank line, e.g. at the end */
        q = p;
        for (k = 0; k < 4; k++) {
            const char *comma = k < 3 ? memchr(q, ',', (size_t)(eol - q)) : NULL;
            const char *stop = comma ? comma : eol;
            if (k < 3 && !comma)
                ref_reader_die(rd, "fewer than 4 fields");
            f[k].s = q;
            f[k].len = (size_t)(stop - q);
            q = stop + 1;
        }
        if (memchr(f[3].s, ',', f[3].len))
            ref_reader_die(rd, "more than 4 fields");
        for (k = 0; k < 4; k++)
            if (f[k].len && f[k].s[0] == '"')
                ref_reader_die(rd, "quoted field (the tables are plain CSV)");
        if (f[0].len != 1 || f[0].s[0] < '1' || f[0].s[0] > '4')
            ref_reader_die(rd, "level is not 1-4");
        if (!f[1].len || !f[2].len)
            ref_reader_die(rd, "empty code or name");
        return 1;
    }
}
