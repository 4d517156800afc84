/*
 * utf8.h - UTF-8 helpers: validation, width folding and the normal form
 * used to compare names. Built on utf8proc. No domain words here.
 */
#ifndef MAGNET_BASE_UTF8_H
#define MAGNET_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates, nothing
 * above U+10FFFF). NUL bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t len);

/* Offset of the first byte of s[0..len) that does not start a valid
 * sequence, or len when all of it is valid. When the only problem is a
 * sequence cut short by the end of the buffer (its bytes so far are a valid
 * start), *truncated is set to 1, else 0; truncated may be NULL. Lets a
 * streaming reader hold back the tail of a buffer for the next read. */
size_t utf8_check(const char *s, size_t len, int *truncated);

/* Decode one code point at s (len bytes available); returns its length in
 * bytes and sets *cp, or returns 0 for an invalid sequence. */
size_t utf8_decode(const char *s, size_t len, int32_t *cp);

/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t len);

/* Clean text for storage and display: NFC, full-width ASCII letters, digits
 * and punctuation folded to half-width (NFKC on those only; CJK punctuation
 * such as 、。（） is kept), control characters dropped, runs of white space
 * (including U+3000) collapsed to one space, trimmed. Appends to out.
 * Returns -1 for invalid UTF-8 (out unchanged).
 *
 * Precisely: U+FF01-FF5E are folded to U+0021-007E except those that are
 * Chinese punctuation: the brackets （ ） (official enterprise names are
 * registered with them) and ！ ， ： ； ？ (Chinese prose has no other
 * comma, colon, semicolon, exclamation or question mark). So
 * "ＡＢＣ（杭州）１２３，ｘ；" becomes "ABC（杭州）123，x；" and "［Ａ］＆．"
 * becomes "[A]&.". Everything outside that range (、。《》【】 and the
 * half-width forms U+FF61 on) is left to NFC, which keeps it.
 * White space is ASCII white space, U+0085, U+2028/2029 and every Zs
 * (U+00A0, U+3000...). Dropped: C0/C1 controls, and the invisible format
 * characters U+200B, U+200E/200F, U+202A-202E, U+2060-2064, U+2066-2069 and
 * U+FEFF. */
int utf8_clean(const char *s, size_t len, struct strbuf *out);

/* The comparison key of a name: NFKC, case-folded, every kind of bracket
 * to ASCII '(' ')', all white space and the punctuation ·•.,， removed.
 * "杭州 云栖（智算）科技有限公司" and "杭州云栖(智算)科技有限公司" have the same
 * key. Appends to out; -1 for invalid UTF-8.
 *
 * Precisely, after NFKC and full case folding (default ignorable code
 * points such as the soft hyphen are dropped):
 *   to '(' : ( [ { 【 〔 〖 〘 〚 ⦅ ⟮   (and （［｛ through NFKC)
 *   to ')' : ) ] } 】 〕 〗 〙 〛 ⦆ ⟯
 *   removed: white space, controls and the format characters utf8_clean
 *            drops; . , " ' · • ・ ‧ ∙ 、 。 ‘ ’ “ ” 「 」 『 』
 * 《》〈〉, hyphens and other symbols are kept. */
int utf8_name_key(const char *s, size_t len, struct strbuf *out);

#endif
