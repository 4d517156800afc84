/*
 * jsonw.c - the streaming JSON writer (see jsonw.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "base/utf8.h"

void jw_init(struct jsonw *w, struct strbuf *sb)
{
    w->sb = sb;
    w->depth = 0;
    w->started = 0;
    w->after_key = 0;
}

/* Before a value or a key: the comma, unless it is the first member or
 * the value of a key just written. */
static void sep(struct jsonw *w)
{
    uint64_t bit = 1ull << w->depth;
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->started & bit)
        strbuf_addch(w->sb, ',');
    w->started |= bit;
}

static void open_(struct jsonw *w, int c)
{
    sep(w);
    strbuf_addch(w->sb, c);
    if (++w->depth >= JSONW_MAX_DEPTH)
        abort();
    w->started &= ~(1ull << w->depth);
}

static void close_(struct jsonw *w, int c)
{
    if (w->depth <= 0)
        abort();
    w->depth--;
    strbuf_addch(w->sb, c);
}

void jw_obj(struct jsonw *w) { open_(w, '{'); }
void jw_obj_end(struct jsonw *w) { close_(w, '}'); }
void jw_arr(struct jsonw *w) { open_(w, '['); }
void jw_arr_end(struct jsonw *w) { close_(w, ']'); }

/* Make room for n more bytes at *o (inside json_quote, where sb->len is
 * stale until the end): the output so far is o - sb->buf. */
static char *quote_room(struct strbuf *sb, char *o, size_t n)
{
    size_t used = (size_t)(o - sb->buf);
    if (used + n + 1 > sb->alloc) {
        sb->len = used;
        strbuf_grow(sb, n);
        o = sb->buf + used;
    }
    return o;
}

void json_quote(struct strbuf *sb, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";  /* as jansson writes it */
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run;
    char *o;

    /* Written in place: the text as it is plus the quotes fits, and each
     * escape makes room for itself (this runs for every value of every
     * reply). */
    strbuf_grow(sb, len + 2);
    o = sb->buf + sb->len;
    *o++ = '"';
    while (p < end) {
        /* a run of bytes that need nothing: ASCII that needs no escape and
         * whole valid UTF-8 sequences, copied at once */
        run = p;
        for (;;) {
            while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
                p++;
            if (p < end && *p >= 0x80) {
                int32_t cp;
                size_t n = utf8_decode((const char *)p, (size_t)(end - p), &cp);
                if (n) {
                    p += n;
                    continue;
                }
            }
            break;
        }
        if (p > run) {
            o = quote_room(sb, o, (size_t)(p - run) + (size_t)(end - p) + 1);
            memcpy(o, run, (size_t)(p - run));
            o += p - run;
        }
        if (p >= end)
            break;
        o = quote_room(sb, o, 6 + (size_t)(end - p) + 1);
        if (*p >= 0x80) {
            memcpy(o, "\xEF\xBF\xBD", 3);  /* U+FFFD for a bad byte */
            o += 3;
            p++;
            continue;
        }
        switch (*p) {
        case '"': *o++ = '\\'; *o++ = '"'; break;
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        case '\b': *o++ = '\\'; *o++ = 'b'; break;
        case '\f': *o++ = '\\'; *o++ = 'f'; break;
        default:
            memcpy(o, "\\u00", 4);
            o[4] = hex[*p >> 4];
            o[5] = hex[*p & 15];
            o += 6;
        }
        p++;
    }
    o = quote_room(sb, o, 1);
    *o++ = '"';
    sb->len = (size_t)(o - sb->buf);
    sb->buf[sb->len] = '\0';
}

void jw_key(struct jsonw *w, const char *key)
{
    sep(w);
    json_quote(w->sb, key, strlen(key));
    strbuf_addch(w->sb, ':');
    w->after_key = 1;
}

void jw_strn(struct jsonw *w, const char *s, size_t len)
{
    sep(w);
    json_quote(w->sb, s, len);
}

void jw_str(struct jsonw *w, const char *s)
{
    if (!s)
        jw_null(w);
    else
        jw_strn(w, s, strlen(s));
}

void jw_int(struct jsonw *w, int64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
    sep(w);
    strbuf_add(w->sb, buf, (size_t)n);
}

/* As api_reply_json has jansson print reals: 15 significant digits (7086.24135,
 * not 7086.2413500000002), ".0" when it reads as an integer, and no
 * '+' or leading zeros in the exponent. */
void jw_real(struct jsonw *w, double v)
{
    char buf[40], *e;
    int n;
    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    n = snprintf(buf, sizeof(buf) - 2, "%.15g", v);
    if (!strpbrk(buf, ".eE")) {
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
    }
    if ((e = strchr(buf, 'e')) != NULL) {
        char *d = e + 1, *q = e + 1;
        if (*q == '+')
            q++;
        else if (*q == '-')
            *d++ = *q++;
        while (*q == '0' && q[1])
            q++;
        memmove(d, q, strlen(q) + 1);
        n = (int)strlen(buf);
    }
    sep(w);
    strbuf_add(w->sb, buf, (size_t)n);
}

void jw_bool(struct jsonw *w, int v)
{
    sep(w);
    strbuf_addstr(w->sb, v ? "true" : "false");
}

void jw_null(struct jsonw *w)
{
    sep(w);
    strbuf_add(w->sb, "null", 4);
}

void jw_raw(struct jsonw *w, const char *json, size_t len)
{
    sep(w);
    strbuf_add(w->sb, json, len);
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kint(struct jsonw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}
