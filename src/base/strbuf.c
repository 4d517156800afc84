/*
 * strbuf.c - growable string buffer (see strbuf.h for the invariants).
 */
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"

char strbuf_empty_[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
    sb->alloc = sb->len = sb->cap = 0;
    sb->buf = strbuf_empty_;
    if (hint)
        strbuf_grow(sb, hint);
}

void strbuf_init_cap(struct strbuf *sb, size_t cap)
{
    strbuf_init(sb, 0);
    sb->cap = cap;
}

void strbuf_release(struct strbuf *sb)
{
    size_t cap = sb->cap;
    if (sb->alloc)
        free(sb->buf);
    strbuf_init(sb, 0);
    sb->cap = cap;
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
    char *res;
    strbuf_grow(sb, 0);
    res = sb->buf;
    if (len)
        *len = sb->len;
    strbuf_init(sb, 0);
    return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    int fresh = !sb->alloc;
    if (need < sb->len) {
        fprintf(stderr, "magnet: strbuf size overflow\n");
        abort();
    }
    if (fresh)
        sb->buf = NULL;
    ALLOC_GROW(sb->buf, need, sb->alloc);
    if (fresh)
        sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
    if (len > (sb->alloc ? sb->alloc - 1 : 0)) {
        fprintf(stderr, "magnet: strbuf_setlen beyond alloc\n");
        abort();
    }
    sb->len = len;
    if (sb->alloc)
        sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
    strbuf_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
    strbuf_grow(sb, 1);
    sb->buf[sb->len++] = (char)c;
    sb->buf[sb->len] = '\0';
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    va_copy(cp, ap);
    n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if (!sb->alloc || (size_t)n >= sb->alloc - sb->len) {
        strbuf_grow(sb, (size_t)n);
        vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
    }
    sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

int strbuf_add_checked(struct strbuf *sb, const void *data, size_t len, struct error *err)
{
    if (sb->cap && (len > sb->cap || sb->len > sb->cap - len))
        return error_set(err, "value too long (limit %zu bytes)", sb->cap);
    strbuf_add(sb, data, len);
    return 0;
}

void strbuf_trim(struct strbuf *sb)
{
    size_t b = 0, e = sb->len;
    while (b < e && (sb->buf[b] == ' ' || (sb->buf[b] >= '\t' && sb->buf[b] <= '\r')))
        b++;
    while (e > b && (sb->buf[e - 1] == ' ' || (sb->buf[e - 1] >= '\t' && sb->buf[e - 1] <= '\r')))
        e--;
    if (b && e > b)
        memmove(sb->buf, sb->buf + b, e - b);
    if (sb->alloc)
        strbuf_setlen(sb, e - b);
}
