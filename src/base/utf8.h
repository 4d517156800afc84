/*
 * utf8.h - UTF-8 helpers: validation, width folding and the normal form
 * used to compare names. Built on utf8proc. No domain words here.
 */
#ifndef MAGNET_BASE_UTF8_H
#define MAGNET_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t len);

/* Decode one code point at s (len bytes available); returns its length in
 * bytes and sets *cp, or returns 0 for an invalid sequence. */
size_t utf8_decode(const char *s, size_t len, int32_t *cp);

/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t len);

/* Clean text for storage and display: NFC, full-width ASCII letters, digits
 * and punctuation folded to half-width (NFKC on those only; CJK punctuation
 * such as 、。（） is kept), control characters dropped, runs of white space
 * (including U+3000) collapsed to one space, trimmed. Appends to out.
 * Returns -1 for invalid UTF-8 (out unchanged). */
int utf8_clean(const char *s, size_t len, struct strbuf *out);

/* The comparison key of a name: NFKC, case-folded, every kind of bracket
 * to ASCII '(' ')', all white space and the punctuation ·•.,， removed.
 * "杭州 云栖（智算）科技有限公司" and "杭州云栖(智算)科技有限公司" have the same
 * key. Appends to out; -1 for invalid UTF-8. */
int utf8_name_key(const char *s, size_t len, struct strbuf *out);

#endif
