/*
 * textidx_plain.c - the records of a TEXTIDX_PLAIN index (names): the
 * folded text, which is all a query reads, and what it takes to give the
 * original back.
 *
 * Record: varint (folded length << 1 | differs), the folded bytes (a name
 * of up to 63 bytes has a one-byte header), then when differs a mode byte:
 *   (differs clear: nothing: the original is its own fold, almost every name)
 *   mode 1: a patch: for each ASCII byte of the folded text, in order, two
 *           bits saying what the original had there: 0 the same byte,
 *           1 its full-width form (U+3000 for a space), 2 the upper-case
 *           letter, 3 the full-width upper-case letter. Names with （）
 *           or Latin capitals cost a byte or two more, not a second copy;
 *   mode 2: varint length and the original bytes (any fold the patch
 *           cannot undo: runs of white space, control characters).
 * A patch is only written when replaying it gives the original back byte
 * for byte, so textidx_get is exact either way.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/alloc.h"
#include "chain/fold.h"
#include "index/textidx_internal.h"

enum { PLAIN_PATCH = 1, PLAIN_COPY = 2 };

static unsigned char *put_varint(unsigned char *p, size_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* The full-width form of ASCII byte b (0x21..0x7E) into out[3]. */
static void full_width(unsigned b, unsigned char *out)
{
    unsigned cp = 0xFF01 + (b - 0x21);
    out[0] = 0xEF;
    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
}

/* What the original has for folded ASCII byte b under code c; its length. */
static size_t unfold_ascii(unsigned b, unsigned c, unsigned char *out)
{
    if (c & 2)
        b -= 'a' - 'A';
    if (!(c & 1)) {
        out[0] = (unsigned char)b;
        return 1;
    }
    if (b == ' ') {
        out[0] = 0xE3;
        out[1] = 0x80;
        out[2] = 0x80;
        return 3;
    }
    full_width(b, out);
    return 3;
}

/* The patch codes that turn folded f back into original o, into codes
 * (2 bits an ASCII byte of f, zeroed by the caller); 0 when there are
 * none that do. */
static int make_patch(const unsigned char *o, size_t olen, const unsigned char *f, size_t fl,
                      unsigned char *codes)
{
    size_t i = 0, j, k = 0;
    for (j = 0; j < fl; j++) {
        unsigned b = f[j], c;
        if (b >= 0x80) {
            if (i >= olen || o[i] != b)
                return 0;
            i++;
            continue;
        }
        for (c = 0; c < 4; c++) {
            unsigned char want[3];
            size_t n;
            if ((c & 2) && !(b >= 'a' && b <= 'z'))
                continue;
            if ((c & 1) && !(b == ' ' || (b >= 0x21 && b <= 0x7E)))
                continue;
            n = unfold_ascii(b, c, want);
            if (olen - i >= n && !memcmp(o + i, want, n)) {
                i += n;
                break;
            }
        }
        if (c == 4)
            return 0;
        codes[k / 4] |= (unsigned char)(c << (2 * (k % 4)));
        k++;
    }
    return i == olen;
}

static size_t ascii_count(const unsigned char *f, size_t fl)
{
    size_t j = 0, n = 0;
#ifdef __SSE2__
    for (; j + 16 <= fl; j += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(f + j));
        n += 16 - (size_t)popcount64((unsigned)_mm_movemask_epi8(v));
    }
#endif
    for (; j < fl; j++)
        n += f[j] < 0x80;
    return n;
}

/* Could chain_fold change s[0..n)? Only where it has a byte it may
 * change (fold.c): controls, white space, DEL, A-Z, and the lead bytes E3
 * (U+3000) and EF (U+FF01-FF5E). Names rarely have one, and this scan
 * takes 16 bytes at a time where the fold takes one. */
#ifdef __SSE2__
static inline int may_fold16(const unsigned char *p)
{
    const __m128i flip = _mm_set1_epi8((char)0x80), below = _mm_set1_epi8((char)(0x21 ^ 0x80)),
                  a = _mm_set1_epi8((char)('A' ^ 0x80)), z = _mm_set1_epi8((char)('Z' ^ 0x80)),
                  del = _mm_set1_epi8(0x7F), e3 = _mm_set1_epi8((char)0xE3),
                  ef = _mm_set1_epi8((char)0xEF);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i x = _mm_xor_si128(v, flip);  /* unsigned order as signed */
    __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmpgt_epi8(below, x),
                     _mm_andnot_si128(_mm_or_si128(_mm_cmpgt_epi8(a, x), _mm_cmpgt_epi8(x, z)),
                                      _mm_set1_epi8(-1))),
        _mm_or_si128(_mm_cmpeq_epi8(v, del),
                     _mm_or_si128(_mm_cmpeq_epi8(v, e3), _mm_cmpeq_epi8(v, ef))));
    return _mm_movemask_epi8(m) != 0;
}
#endif

static int may_fold(const unsigned char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    if (n >= 16) {
        for (; i + 16 <= n; i += 16)
            if (may_fold16(s + i))
                return 1;
        /* the tail: the last 16 bytes, again in part */
        return i < n && may_fold16(s + n - 16);
    }
#endif
    for (; i < n; i++) {
        unsigned c = s[i];
        if (c <= 0x20 || (c >= 'A' && c <= 'Z') || c == 0x7F || c == 0xE3 || c == 0xEF)
            return 1;
    }
    return 0;
}

size_t plain_record_max(size_t len)
{
    return 2 * len + 20;
}

size_t plain_record_write(unsigned char *out, const char *text, size_t len)
{
    char stack[512], *f;
    size_t fl, ncodes;
    unsigned char *w = out;
    int same;
    if (!may_fold((const unsigned char *)text, len)) {
        w = put_varint(w, len << 1);
        memcpy(w, text, len);
        return (size_t)(w - out) + len;
    }
    f = len <= sizeof(stack) ? stack : xmalloc(len ? len : 1);
    fl = chain_fold(text, len, f);
    same = fl == len && !memcmp(f, text, len);
    w = put_varint(w, fl << 1 | (size_t)!same);
    memcpy(w, f, fl);
    w += fl;
    if (same)
        goto out;
    ncodes = (ascii_count((const unsigned char *)f, fl) * 2 + 7) / 8;
    w[0] = PLAIN_PATCH;
    memset(w + 1, 0, ncodes);
    if (make_patch((const unsigned char *)text, len, (const unsigned char *)f, fl, w + 1)) {
        w += 1 + ncodes;
        goto out;
    }
    *w++ = PLAIN_COPY;
    w = put_varint(w, len);
    memcpy(w, text, len);
    w += len;
out:
    if (f != stack)
        free(f);
    return (size_t)(w - out);
}

size_t plain_record_size(const unsigned char *rec)
{
    const unsigned char *p = rec, *f;
    size_t h = varint_read(&p), fl = h >> 1;
    f = p;
    p += fl;
    if (h & 1) {
        if (*p++ == PLAIN_PATCH)
            p += (ascii_count(f, fl) * 2 + 7) / 8;
        else
            p += varint_read(&p);
    }
    return (size_t)(p - rec);
}

void plain_original(const unsigned char *rec, struct strbuf *out)
{
    const unsigned char *p = rec, *codes;
    size_t h = varint_read(&p), fl = h >> 1, j, k = 0;
    unsigned mode = h & 1 ? p[fl] : 0;
    switch (mode) {
    case PLAIN_PATCH:
        codes = p + fl + 1;
        for (j = 0; j < fl; j++) {
            unsigned char o[3];
            size_t n;
            if (p[j] >= 0x80) {
                strbuf_addch(out, (char)p[j]);
                continue;
            }
            n = unfold_ascii(p[j], (codes[k / 4] >> (2 * (k % 4))) & 3, o);
            k++;
            strbuf_add(out, o, n);
        }
        break;
    case PLAIN_COPY:
        p += fl + 1;
        h = varint_read(&p);
        strbuf_add(out, p, h);
        break;
    default:
        strbuf_add(out, p, fl);
        break;
    }
}

int plain_record_check(const unsigned char *rec, struct error *err)
{
    struct strbuf o = STRBUF_INIT;
    const unsigned char *p = rec;
    size_t h = varint_read(&p), fl = h >> 1;
    char *f;
    int rc = 0;
    if ((h & 1) && p[fl] != PLAIN_PATCH && p[fl] != PLAIN_COPY)
        return error_set(err, "unknown record mode %u", p[fl]);
    plain_original(rec, &o);
    f = xmalloc(o.len + 1);
    if (chain_fold(o.buf ? o.buf : "", o.len, f) != fl || memcmp(f, p, fl) != 0)
        rc = error_set(err, "the stored fold is not the fold of the text");
    free(f);
    strbuf_release(&o);
    return rc;
}
