/*
 * utf8.c - UTF-8 validation and the two normal forms Magnet keeps of text:
 * the clean display form (utf8_clean) and the comparison key of a name
 * (utf8_name_key). See utf8.h for the contracts.
 *
 * Both normal forms run on every cell of every imported row, so each has a
 * fast path that handles, in one pass and without allocating, the text that
 * makes up nearly all of Chinese enterprise data: ASCII, CJK ideographs
 * (U+3400-4DBF, U+4E00-9FFF), CJK punctuation (U+3001-3029), the
 * full-width forms (U+FF01-FF5E), U+3000 and a few common symbols. Every one of these
 * code points is its own NFC and NFKC form and starts no composition with
 * another fast-path code point, so the fast path only has to apply the
 * width folding and the white space and punctuation rules. The first code
 * point outside that set sends the whole string to the slow path, which
 * runs utf8proc's normalisation and then the same rules. The unit test
 * checks that both paths agree on every fast-path code point.
 */
#include "base/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/alloc.h"

/* ---- validation and decoding ---- */

/* Decode one sequence whose lead byte is >= 0x80. Returns its length, 0 when
 * it is invalid, or -(n) when the n bytes available are a valid but
 * incomplete start of a sequence. Written out rather than table-driven: the
 * branches are predictable on real text (one script per file). */
static int decode_multi(const unsigned char *p, size_t avail, int32_t *cp)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xBF;
    int need, i;
    int32_t v;

    if (c < 0xC2)
        return 0;  /* continuation byte or overlong 2-byte lead */
    if (c < 0xE0) {
        need = 1;
        v = c & 0x1F;
    } else if (c < 0xF0) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;  /* overlong */
        else if (c == 0xED)
            hi = 0x9F;  /* surrogates */
    } else if (c < 0xF5) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;  /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;  /* above U+10FFFF */
    } else {
        return 0;
    }
    for (i = 1; i <= need; i++) {
        if ((size_t)i >= avail)
            return -i;
        if (p[i] < lo || p[i] > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (p[i] & 0x3F);
    }
    *cp = v;
    return need + 1;
}

size_t utf8_check(const char *s, size_t len, int *truncated)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int32_t cp;

    if (truncated)
        *truncated = 0;
    while (i < len) {
        /* Eight ASCII bytes at a time: most of a CSV file is ASCII. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        /* Runs of three-byte characters whose lead byte puts no extra limit
         * on the second byte: all of CJK and its punctuation. */
        while (i + 3 <= len) {
            unsigned char c = p[i];
            if (c < 0xE1 || c > 0xEF || c == 0xED || (p[i + 1] & 0xC0) != 0x80 ||
                (p[i + 2] & 0xC0) != 0x80)
                break;
            i += 3;
        }
        if (i >= len)
            break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int n = decode_multi(p + i, len - i, &cp);
        if (n <= 0) {
            if (n < 0 && truncated)
                *truncated = 1;
            return i;
        }
        i += (size_t)n;
    }
    return len;
}

int utf8_valid(const char *s, size_t len)
{
    return utf8_check(s, len, NULL) == len;
}

size_t utf8_decode(const char *s, size_t len, int32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    int n;

    if (!len)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    n = decode_multi(p, len, cp);
    return n > 0 ? (size_t)n : 0;
}

size_t utf8_length(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i, n = 0;

    /* In valid UTF-8 every code point has exactly one non-continuation byte. */
    for (i = 0; i < len; i++)
        n += (p[i] & 0xC0) != 0x80;
    return n;
}

/* The common three-byte case inline (all of CJK): the code point, or -1
 * when the sequence needs the general decoder. */
static inline int32_t decode3(const unsigned char *p, size_t avail)
{
    if (avail >= 3 && p[0] >= 0xE1 && p[0] <= 0xEF && p[0] != 0xED &&
        (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
        return (int32_t)(p[0] & 0x0F) << 12 | (int32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return -1;
}

/* ---- character classes shared by both normal forms ---- */

static int is_space(int32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
        return 1;
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

/* Characters that are dropped outright: controls, and the invisible format
 * characters that copy-and-paste from web pages leaves in names (zero-width
 * space, BOM, direction marks and overrides) and that would make two equal
 * looking names differ. ZWJ/ZWNJ are kept: they matter in emoji and some
 * scripts. */
static int is_dropped(int32_t cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        return !is_space(cp);
    return cp == 0x200B || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

static int is_cjk_ideograph(int32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

/* The full-width forms that are Chinese punctuation rather than wide
 * ASCII: the brackets （ ）, which official enterprise names are registered
 * with, and ！ ， ： ； ？, the only comma, colon, semicolon, exclamation
 * and question marks Chinese prose has. Folding them would put Western
 * punctuation into every business scope ("技术开发，技术服务；..."). */
static int clean_keeps(int32_t cp)
{
    return cp == 0xFF08 || cp == 0xFF09 || cp == 0xFF01 || cp == 0xFF0C || cp == 0xFF1A ||
           cp == 0xFF1B || cp == 0xFF1F;
}

/* Full-width ASCII that utf8_clean folds: U+FF01-FF5E except the above. */
static int clean_folds(int32_t cp)
{
    return cp >= 0xFF01 && cp <= 0xFF5E && !clean_keeps(cp);
}

static size_t encode(int32_t cp, char *d)
{
    return (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)d);
}

/* ---- the slow path: utf8proc normalisation into code points ---- */

static utf8proc_int32_t clean_premap(utf8proc_int32_t cp, void *data)
{
    (void)data;
    if (clean_folds(cp))
        return cp - 0xFEE0;
    if (cp == 0x3000)
        return ' ';
    return cp;
}

/* Normalise s with options into code points. *buf is either stack (a
 * caller array of cap entries) or, for long input, a fresh allocation that
 * the caller frees when it differs from stack. Returns the number of code
 * points or -1 for invalid UTF-8. */
static utf8proc_ssize_t normalize(const char *s, size_t len, utf8proc_option_t options,
                                  utf8proc_custom_func premap, utf8proc_int32_t *stack,
                                  size_t cap, utf8proc_int32_t **buf)
{
    utf8proc_ssize_t n;

    if (len > (size_t)PTRDIFF_MAX / 8)
        return -1;
    *buf = stack;
    n = utf8proc_decompose_custom((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, stack,
                                  (utf8proc_ssize_t)cap, options, premap, NULL);
    if (n < 0)
        return -1;
    if ((size_t)n > cap) {
        *buf = xmalloc(st_mult((size_t)n, sizeof(**buf)));
        n = utf8proc_decompose_custom((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, *buf, n,
                                      options, premap, NULL);
        if (n < 0) {
            free(*buf);
            *buf = stack;
            return -1;
        }
    }
    return utf8proc_normalize_utf32(*buf, n, options);
}

#define STACK_CPS 256

/* s without the characters utf8_clean drops, or NULL when it has none.
 * They go before normalisation so that a dropped character between a
 * letter and its accent does not leave the two uncomposed (which would
 * make utf8_clean(utf8_clean(x)) differ from utf8_clean(x)). */
static char *without_dropped(const char *s, size_t len, size_t *out_len)
{
    char *copy = NULL;
    size_t i = 0, n = 0, k;
    int32_t cp;

    while (i < len) {
        k = utf8_decode(s + i, len - i, &cp);
        if (!k)
            break;  /* invalid: normalize() reports it */
        if (is_dropped(cp) && !copy) {
            copy = xmalloc(len + 1);
            memcpy(copy, s, i);
            n = i;
        }
        if (copy && !is_dropped(cp)) {
            memcpy(copy + n, s + i, k);
            n += k;
        }
        i += k;
    }
    if (copy && i < len) {
        memcpy(copy + n, s + i, len - i);
        n += len - i;
    }
    *out_len = n;
    return copy;
}

static int clean_slow(const char *s, size_t len, struct strbuf *out)
{
    utf8proc_int32_t stack[STACK_CPS], *cps;
    utf8proc_ssize_t n, i;
    int pending_space = 0, any = 0;
    size_t flen;
    char *filtered = without_dropped(s, len, &flen);

    n = normalize(filtered ? filtered : s, filtered ? flen : len, UTF8PROC_COMPOSE | UTF8PROC_STABLE,
                  clean_premap, stack, STACK_CPS, &cps);
    free(filtered);
    if (n < 0)
        return -1;
    for (i = 0; i < n; i++) {
        int32_t cp = cps[i];
        if (is_space(cp)) {
            pending_space = any;
            continue;
        }
        if (is_dropped(cp))
            continue;
        strbuf_grow(out, 5);
        if (pending_space)
            out->buf[out->len++] = ' ';
        pending_space = 0;
        any = 1;
        out->len += encode(cp, out->buf + out->len);
        out->buf[out->len] = '\0';
    }
    if (cps != stack)
        free(cps);
    return 0;
}

/* ---- utf8_clean ---- */

int utf8_clean(const char *s, size_t len, struct strbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = out->len, i = 0;
    int pending_space = 0;
    char *d;

    /* The fast path never makes text longer: it only folds three-byte
     * characters to one byte and drops or collapses others. */
    strbuf_grow(out, len);
    d = out->buf + start;
    while (i < len) {
        unsigned char c = p[i];
        int32_t cp;
        int n;

        if (c < 0x80) {
            i++;
            if (c > 0x20 && c < 0x7F) {
                if (pending_space)
                    *d++ = ' ';
                pending_space = 0;
                *d++ = (char)c;
            } else if (c == ' ' || (c >= '\t' && c <= '\r')) {
                pending_space = d != out->buf + start;
            }
            continue;
        }
        cp = decode3(p + i, len - i);
        if (cp >= 0) {
            n = 3;
            if (is_cjk_ideograph(cp)) {
                if (pending_space)
                    *d++ = ' ';
                pending_space = 0;
                d[0] = (char)p[i];
                d[1] = (char)p[i + 1];
                d[2] = (char)p[i + 2];
                d += 3;
                i += 3;
                continue;
            }
        } else {
            n = decode_multi(p + i, len - i, &cp);
        }
        if (n <= 0) {
            strbuf_setlen(out, start);
            return -1;
        }
        if (cp == 0x3000) {
            pending_space = d != out->buf + start;
            i += (size_t)n;
            continue;
        }
        if (pending_space)
            *d++ = ' ';
        pending_space = 0;
        if (clean_folds(cp)) {
            *d++ = (char)(cp - 0xFEE0);
        } else if (is_cjk_ideograph(cp) || (cp >= 0x3001 && cp <= 0x3029) || clean_keeps(cp) ||
                   cp == 0xB7 || cp == 0x2014 || cp == 0x2018 || cp == 0x2019 ||
                   cp == 0x201C || cp == 0x201D || cp == 0x2022 || cp == 0x2026) {
            memcpy(d, p + i, (size_t)n);
            d += n;
        } else {
            strbuf_setlen(out, start);
            if (clean_slow(s, len, out) < 0) {
                strbuf_setlen(out, start);
                return -1;
            }
            return 0;
        }
        i += (size_t)n;
    }
    strbuf_setlen(out, (size_t)(d - out->buf));
    return 0;
}

/* ---- utf8_name_key ---- */

/* What a code point becomes in a key once NFKC and case folding are done:
 * -1 to drop it, a bracket for any bracket, else itself. The dropped
 * punctuation is what people type inconsistently inside one name: middle
 * dots in transliterated foreign names (·•・‧∙), stops and commas (.,、。),
 * and quotes around a brand ("小巨人" or “小巨人”). */
static int32_t key_map(int32_t cp)
{
    switch (cp) {
    case '(': case '[': case '{':
    case 0x3010: case 0x3014: case 0x3016: case 0x3018: case 0x301A: /* 【〔〖〘〚 */
    case 0x2985: case 0x27EE:                                        /* ⦅ ⟮ */
        return '(';
    case ')': case ']': case '}':
    case 0x3011: case 0x3015: case 0x3017: case 0x3019: case 0x301B: /* 】〕〗〙〛 */
    case 0x2986: case 0x27EF:
        return ')';
    case '.': case ',': case '"': case '\'':
    case 0xB7: case 0x2022: case 0x30FB: case 0x2027: case 0x2219:   /* · • ・ ‧ ∙ */
    case 0x3001: case 0x3002:                                        /* 、 。 */
    case 0x2018: case 0x2019: case 0x201C: case 0x201D:              /* ‘ ’ “ ” */
    case 0x300C: case 0x300D: case 0x300E: case 0x300F:              /* 「 」 『 』 */
        return -1;
    default:
        if (is_space(cp) || is_dropped(cp))
            return -1;
        return cp;
    }
}

static int name_key_slow(const char *s, size_t len, struct strbuf *out)
{
    utf8proc_int32_t stack[STACK_CPS], *cps;
    utf8proc_ssize_t n, i;

    n = normalize(s, len,
                  UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE |
                      UTF8PROC_STABLE,
                  NULL, stack, STACK_CPS, &cps);
    if (n < 0)
        return -1;
    for (i = 0; i < n; i++) {
        int32_t cp = key_map(cps[i]);
        if (cp < 0)
            continue;
        strbuf_grow(out, 4);
        out->len += encode(cp, out->buf + out->len);
        out->buf[out->len] = '\0';
    }
    if (cps != stack)
        free(cps);
    return 0;
}

int utf8_name_key(const char *s, size_t len, struct strbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = out->len, i = 0;
    char *d;

    strbuf_grow(out, len);  /* as in utf8_clean, the fast path only shrinks */
    d = out->buf + start;
    while (i < len) {
        unsigned char c = p[i];
        int32_t cp, m;
        int n;

        if (c < 0x80) {
            cp = c;
            n = 1;
        } else {
            cp = decode3(p + i, len - i);
            if (cp >= 0)
                n = 3;
            else
                n = decode_multi(p + i, len - i, &cp);
            if (n <= 0) {
                strbuf_setlen(out, start);
                return -1;
            }
            if (is_cjk_ideograph(cp)) {
                d[0] = (char)p[i];
                d[1] = (char)p[i + 1];
                d[2] = (char)p[i + 2];
                d += 3;
                i += 3;
                continue;
            }
            if (cp >= 0xFF01 && cp <= 0xFF5E)
                cp -= 0xFEE0;  /* NFKC of full-width ASCII */
            else if (!(cp == 0x3000 || (cp >= 0x3001 && cp <= 0x3029) || cp == 0xB7 ||
                       cp == 0x2014 || cp == 0x2018 || cp == 0x2019 || cp == 0x201C ||
                       cp == 0x201D || cp == 0x2022)) {
                strbuf_setlen(out, start);
                if (name_key_slow(s, len, out) < 0) {
                    strbuf_setlen(out, start);
                    return -1;
                }
                return 0;
            }
        }
        i += (size_t)n;
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        m = key_map(cp);
        if (m < 0)
            continue;
        if (m < 0x80)
            *d++ = (char)m;
        else
            d += encode(m, d);
    }
    strbuf_setlen(out, (size_t)(d - out->buf));
    return 0;
}
