/*
 * text.h - small text helpers private to src/ref/: lenient UTF-8 stepping,
 * the width folding that lookups apply to their input, and the loader for
 * the embedded level,code,name,parent tables.
 *
 * Why not base/utf8.h: the reference tables only need the ASCII range of
 * width folding (full-width letters, digits and punctuation, the ideographic
 * space), must not allocate on their hot paths, and must work on any bytes a
 * fuzzer or a spreadsheet throws at them, valid UTF-8 or not.
 */
#ifndef MAGNET_REF_TEXT_H
#define MAGNET_REF_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Step over one character at s (n > 0 bytes available): returns its length
 * in bytes (1 to 4, never more than n) and sets *cp to the code point, or to
 * -1 for a byte that does not start a well-formed sequence (then the length
 * is 1, so a loop always advances). Inline: the name scanners call it for
 * every character they look at. */
static inline size_t ref_utf8_next(const char *s, size_t n, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0], lo = 0x80, hi = 0xBF;  /* range of the second byte */
    size_t len, i;
    int32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;  /* overlong */
        else if (c == 0xED)
            hi = 0x9F;  /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;  /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;  /* past U+10FFFF */
    } else {
        *cp = -1;
        return 1;
    }
    if (n < len || u[1] < lo || u[1] > hi) {
        *cp = -1;
        return 1;
    }
    for (i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (u[i] & 0x3F);
    }
    *cp = v;
    return len;
}

/* 1 for the white space that may surround or separate a value: ASCII
 * spaces and controls \t\n\v\f\r, U+00A0 and U+3000. */
int ref_is_space(int32_t cp);

enum ref_fold_flags {
    REF_FOLD_DROP_SPACE = 1,  /* drop every space, not just the outer ones */
    REF_FOLD_UPPER = 2,       /* ASCII a-z to A-Z */
};

/* Copy s[0..n) to out with full-width ASCII (U+FF01..U+FF5E) folded to
 * ASCII, U+3000 and U+00A0 to a space, surrounding spaces trimmed and inner
 * runs of spaces collapsed to one ' ' (or dropped, see flags). out gets a
 * NUL. Returns the length, or (size_t)-1 when the result does not fit in
 * cap bytes including the NUL (out then holds a truncated prefix). */
size_t ref_fold(const char *s, size_t n, char *out, size_t cap, int flags);

/* A field of an embedded table row: not NUL-terminated, points into the
 * embedded data. */
struct ref_field {
    const char *s;
    size_t len;
};

/* Reads an embedded CSV (header "level,code,name,parent", no quoting, no
 * commas inside fields) in place, without copying it. */
struct ref_reader {
    const char *p, *end;
    size_t line;
    const char *what;  /* "region", for messages */
};

/* Start reading and check the header. A malformed table is a broken build,
 * not an input error, so these abort with the line number. */
void ref_reader_init(struct ref_reader *rd, const unsigned char *data, size_t len,
                     const char *what);
/* The next row's four fields (level, code, name, parent): 1, or 0 at the
 * end. The level is checked to be one digit 1-4 and code and name to be
 * non-empty. */
int ref_reader_next(struct ref_reader *rd, struct ref_field f[4]);
/* Abort on a row that the caller found wrong. */
void ref_reader_die(const struct ref_reader *rd, const char *why);
/* Upper bound on the rows left (the lines), and when by_level is not NULL
 * on the rows of each level 1-4 (by_level[0] unused). */
size_t ref_reader_rows(const struct ref_reader *rd, size_t by_level[5]);

#endif
