/*
 * textidx.c - the text index's documents: how texts are stored (one arena
 * record per document, plain or as interned pieces), read back, folded,
 * and verified against a pattern; and the query entry points, which ask
 * the gram bitmaps (textidx_gram.c) for candidates and verify them here.
 *
 * Why pieces: a business scope is written from a standard catalogue of
 * phrases ("软件开发；", "技术服务、技术开发、"), so cutting it after each
 * separator and interning the pieces stores 10 million scopes of ~250
 * bytes in ~20 bytes each. A piece met for the first time is stored inline
 * (a "literal") and only interned when met again (a fingerprint table
 * remembers what was seen once during the bulk phase), so texts whose
 * pieces are all unique cost what a plain record costs, plus a byte.
 *
 * Why folding on the fly: the stored text is the original, for display;
 * chain_fold is one cheap pass and folding piece by piece gives the same
 * bytes as folding the whole text, because a piece ends right after a
 * separator, which is neither white space nor part of a longer sequence.
 * For the same reason a pattern without a separator character can only
 * match inside one folded piece: its answer is the OR of the bitmaps of
 * the pieces that contain it (found by one scan of the folded dictionary)
 * plus the docs whose literal runs contain it. A pattern with separators
 * must end a piece with its first segment, fill whole pieces with the
 * middle ones and start a piece with the last; verification tests each
 * distinct piece once per query and segment (the memo).
 *
 * docs/internals/textidx.md has the layout and the measurements.
 */
#include "index/textidx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/alloc.h"
#include "chain/fold.h"
#include "index/textidx_internal.h"

#define EARLY_STOP 32          /* stop intersecting bigrams below this many candidates */
#define SEEN_MIN_BITS 16
#define SEEN_MAX_BITS 23       /* 32 MiB of fingerprints at most, bulk phase only */

/* ---- scratch buffers ---- */

void scratch_init(struct scratch *s, char *stack, size_t cap)
{
    s->p = stack;
    s->cap = cap;
    s->heap = NULL;
}

char *scratch_reserve(struct scratch *s, size_t need)
{
    if (need > s->cap) {
        free(s->heap);
        s->cap = need < 65536 ? 65536 : need;
        s->heap = xmalloc(s->cap);
        s->p = s->heap;
    }
    return s->p;
}

void scratch_release(struct scratch *s)
{
    free(s->heap);
    s->heap = NULL;
}

/* ---- varints ---- */

size_t varint_read(const unsigned char **p)
{
    const unsigned char *q = *p;
    size_t v = 0;
    unsigned shift = 0;
    while (*q & 0x80) {
        v |= (size_t)(*q++ & 0x7F) << shift;
        shift += 7;
    }
    v |= (size_t)*q++ << shift;
    *p = q;
    return v;
}

static unsigned char *varint_write(unsigned char *p, size_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* ---- hashing piece bytes ---- */

static uint64_t bytes_hash(const unsigned char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)n * 0x2545F4914F6CDD1Dull);
    uint64_t w;
    while (n >= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    return mix64(h);
}

/* ---- lifecycle ---- */

struct textidx *textidx_new(enum textidx_kind kind)
{
    struct textidx *ti = xcalloc(1, sizeof(*ti));
    ti->kind = kind;
    /* the first 4 bytes are never a record, so loc 0 means "no text" */
    ti->arena_alloc = 4096;
    ti->arena = xcalloc(1, ti->arena_alloc);
    ti->arena_len = 4;
    ti->present = roaring_bitmap_create();
    if (kind == TEXTIDX_PIECES) {
        ti->apieces = 64;
        ti->piece_off = xcalloc(ti->apieces + 1, sizeof(uint32_t));
        ti->piece_mask = 255;
        ti->piece_slot = xcalloc(ti->piece_mask + 1, sizeof(uint64_t));
        ti->seen_mask = ((size_t)1 << SEEN_MIN_BITS) - 1;
        ti->seen = xcalloc(ti->seen_mask + 1, sizeof(uint32_t));
    }
    return ti;
}

void textidx_free(struct textidx *ti)
{
    if (!ti)
        return;
    gram_free(ti);
    roaring_bitmap_free(ti->present);
    free(ti->loc);
    free(ti->arena);
    free(ti->dict);
    free(ti->piece_off);
    free(ti->piece_slot);
    free(ti->seen);
    free(ti->fdict);
    free(ti->fpiece_off);
    free(ti->piece_first);
    free(ti->piece_last);
    if (ti->litdocs)
        roaring_bitmap_free(ti->litdocs);
    free(ti);
}

uint32_t textidx_max_doc(const struct textidx *ti)
{
    size_t d = ti->nloc;
    while (d > 0 && !ti->loc[d - 1])
        d--;
    return d ? (uint32_t)(d - 1) : 0;
}

/* ---- records ---- */

const unsigned char *textidx_record(const struct textidx *ti, uint32_t doc)
{
    if (doc >= ti->nloc || !ti->loc[doc])
        return NULL;
    return ti->arena + (size_t)ti->loc[doc] * 4;
}

/* Bytes a record occupies. */
static size_t record_size(const struct textidx *ti, const unsigned char *rec)
{
    const unsigned char *p = rec;
    size_t n = varint_read(&p), i;
    if (ti->kind == TEXTIDX_PLAIN)
        return (size_t)(p - rec) + n;
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p);
        if (!(v & 1))
            p += v >> 1;
    }
    return (size_t)(p - rec);
}

/* Room for a record of at most max bytes at a 4-byte boundary; returns its
 * unit offset. The arena is addressed in 4-byte units by uint32, 16 GiB. */
static size_t arena_reserve(struct textidx *ti, size_t max)
{
    size_t at = (ti->arena_len + 3) & ~(size_t)3;
    if (at / 4 > UINT32_MAX) {
        fprintf(stderr, "fatal: text index arena over 16 GiB\n");
        abort();
    }
    if (at + max > ti->arena_alloc) {
        size_t n = ti->arena_alloc * 2;
        while (n < at + max)
            n *= 2;
        ti->arena = xrealloc(ti->arena, n);
        ti->arena_alloc = n;
    }
    return at;
}

static void loc_grow(struct textidx *ti, uint32_t doc)
{
    if (doc >= ti->nloc) {
        size_t old = ti->aloc;
        ALLOC_GROW(ti->loc, (size_t)doc + 1, ti->aloc);
        if (ti->aloc > old)
            memset(ti->loc + old, 0, (ti->aloc - old) * sizeof(uint32_t));
        ti->nloc = (size_t)doc + 1;
    }
}

static void record_drop(struct textidx *ti, uint32_t doc)
{
    const unsigned char *rec = textidx_record(ti, doc);
    if (!rec)
        return;
    ti->garbage += record_size(ti, rec);
    ti->loc[doc] = 0;
    ti->ndocs--;
}

/* Where a piece that starts at s[i] ends: right after the first separator
 * (; , ； ， 、 。), or at len. Bytes that can start one (; , E3 EF) are
 * looked for 16 at a time: most of a scope is CJK text that has none. */
static size_t piece_end(const unsigned char *s, size_t len, size_t i)
{
#ifdef __SSE2__
    const __m128i semi = _mm_set1_epi8(';'), comma = _mm_set1_epi8(','),
                  e3 = _mm_set1_epi8((char)0xE3), ef = _mm_set1_epi8((char)0xEF);
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, semi), _mm_cmpeq_epi8(v, comma)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, e3), _mm_cmpeq_epi8(v, ef)));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        while (bits) {
            size_t k = i + (size_t)__builtin_ctz(bits);
            unsigned c = s[k];
            bits &= bits - 1;
            if (c == ';' || c == ',')
                return k + 1;
            if (k + 2 < len && (c == 0xE3 ? s[k + 1] == 0x80 && (s[k + 2] == 0x81 || s[k + 2] == 0x82)
                                          : s[k + 1] == 0xBC && (s[k + 2] == 0x9B || s[k + 2] == 0x8C)))
                return k + 3;
        }
        i += 16;
    }
#endif
    for (; i < len; i++) {
        unsigned c = s[i];
        if (c < 0xE3) {
            if (c == ';' || c == ',')
                return i + 1;
        } else if (c == 0xE3) {
            if (i + 2 < len && s[i + 1] == 0x80 && (s[i + 2] == 0x81 || s[i + 2] == 0x82))
                return i + 3;
        } else if (c == 0xEF) {
            if (i + 2 < len && s[i + 1] == 0xBC && (s[i + 2] == 0x9B || s[i + 2] == 0x8C))
                return i + 3;
        }
    }
    return len;
}

/* The dictionary id of a piece, or -1. */
static long dict_find(const struct textidx *ti, const unsigned char *p, size_t n, uint64_t h)
{
    uint64_t tag = h >> 32;
    size_t i = (size_t)h & ti->piece_mask;
    for (;; i = (i + 1) & ti->piece_mask) {
        uint64_t s = ti->piece_slot[i];
        if (!s)
            return -1;
        if (s >> 32 == tag) {
            uint32_t id = (uint32_t)s - 1;
            size_t plen;
            const unsigned char *q = piece_bytes(ti, id, &plen);
            if (plen == n && !memcmp(p, q, n))
                return id;
        }
    }
}

static void dict_slot_put(struct textidx *ti, uint64_t h, uint32_t id)
{
    size_t i = (size_t)h & ti->piece_mask;
    while (ti->piece_slot[i])
        i = (i + 1) & ti->piece_mask;
    ti->piece_slot[i] = (h >> 32) << 32 | ((uint64_t)id + 1);
}

/* Add a piece; -1 when the dictionary is full (ids and offsets are 32-bit). */
static long dict_add(struct textidx *ti, const unsigned char *p, size_t n, uint64_t h)
{
    uint32_t id;
    if (ti->dict_len + n > UINT32_MAX || ti->npieces >= UINT32_MAX / 2)
        return -1;
    if (ti->dict_len + n > ti->dict_alloc) {
        size_t a = ti->dict_alloc ? ti->dict_alloc * 2 : 65536;
        while (a < ti->dict_len + n)
            a *= 2;
        ti->dict = xrealloc(ti->dict, a);
        ti->dict_alloc = a;
    }
    memcpy(ti->dict + ti->dict_len, p, n);
    ti->dict_len += n;
    if (ti->npieces + 1 >= ti->apieces) {
        ti->apieces *= 2;
        ti->piece_off = xrealloc(ti->piece_off, st_mult(ti->apieces + 1, sizeof(uint32_t)));
    }
    id = (uint32_t)ti->npieces++;
    ti->piece_off[id + 1] = (uint32_t)ti->dict_len;
    if (ti->npieces * 2 > ti->piece_mask + 1) {
        size_t i, old = ti->piece_mask + 1;
        uint64_t *slots = ti->piece_slot;
        ti->piece_mask = old * 2 - 1;
        ti->piece_slot = xcalloc(old * 2, sizeof(uint64_t));
        for (i = 0; i < old; i++)
            if (slots[i]) {
                uint32_t pid = (uint32_t)slots[i] - 1;
                size_t plen;
                const unsigned char *q = piece_bytes(ti, pid, &plen);
                dict_slot_put(ti, bytes_hash(q, plen), pid);
            }
        free(slots);
    }
    dict_slot_put(ti, h, id);
    return id;
}

/* Bulk phase: has this piece been seen once before? Remembers it if not.
 * A direct-mapped table of fingerprints: forgetting (a collision) only
 * stores a piece inline once more; a false "seen" only interns a piece
 * that will not repeat. Either way the text is right. */
static int seen_before(struct textidx *ti, uint64_t h)
{
    uint32_t fp = (uint32_t)(h >> 32) | 1;
    size_t i = (size_t)(h >> 7) & ti->seen_mask;
    if (ti->seen[i] == fp)
        return 1;
    ti->seen[i] = fp;
    if (++ti->seen_fill > ti->seen_mask && ti->seen_mask < ((size_t)1 << SEEN_MAX_BITS) - 1) {
        /* crowded: start over twice as large */
        free(ti->seen);
        ti->seen_mask = ti->seen_mask * 2 + 1;
        ti->seen = xcalloc(ti->seen_mask + 1, sizeof(uint32_t));
        ti->seen_fill = 0;
    }
    return 0;
}

struct item {
    uint32_t id;        /* piece id, or UINT32_MAX for a literal */
    size_t start, len;  /* literal: bytes of the text */
};

static void store_pieces(struct textidx *ti, uint32_t doc, const unsigned char *s, size_t len)
{
    struct item stack_items[32], *items = stack_items;
    size_t nitems = 0, aitems = 32, i = 0, max, at, lit_bytes = 0;
    unsigned char *w;

    while (i < len) {
        size_t e = piece_end(s, len, i);
        uint64_t h = bytes_hash(s + i, e - i);
        long id = dict_find(ti, s + i, e - i, h);
        if (id < 0 && ti->seen && seen_before(ti, h))
            id = dict_add(ti, s + i, e - i, h);
        if (id < 0 && nitems && items[nitems - 1].id == UINT32_MAX) {
            items[nitems - 1].len += e - i;  /* extend the literal run */
        } else {
            if (nitems == aitems) {
                aitems *= 2;
                if (items == stack_items) {
                    items = xmalloc(aitems * sizeof(*items));
                    memcpy(items, stack_items, sizeof(stack_items));
                } else {
                    items = xrealloc(items, aitems * sizeof(*items));
                }
            }
            items[nitems].id = id < 0 ? UINT32_MAX : (uint32_t)id;
            items[nitems].start = i;
            items[nitems].len = e - i;
            nitems++;
        }
        if (id < 0)
            lit_bytes += e - i;
        i = e;
    }
    max = 10 + nitems * 10 + lit_bytes;
    at = arena_reserve(ti, max);
    w = varint_write(ti->arena + at, nitems);
    for (i = 0; i < nitems; i++) {
        if (items[i].id != UINT32_MAX) {
            w = varint_write(w, (size_t)items[i].id << 1 | 1);
        } else {
            w = varint_write(w, items[i].len << 1);
            memcpy(w, s + items[i].start, items[i].len);
            w += items[i].len;
        }
    }
    ti->arena_len = (size_t)(w - ti->arena);
    ti->loc[doc] = (uint32_t)(at / 4);
    if (items != stack_items)
        free(items);
}

static void store_record(struct textidx *ti, uint32_t doc, const char *text, size_t len)
{
    loc_grow(ti, doc);
    record_drop(ti, doc);
    if (ti->kind == TEXTIDX_PIECES) {
        store_pieces(ti, doc, (const unsigned char *)text, len);
    } else {
        size_t at = arena_reserve(ti, len + 10);
        unsigned char *w = varint_write(ti->arena + at, len);
        if (len)
            memcpy(w, text, len);
        ti->arena_len = (size_t)(w - ti->arena) + len;
        ti->loc[doc] = (uint32_t)(at / 4);
    }
    ti->ndocs++;
}

void textidx_put(struct textidx *ti, uint32_t doc, const char *text, size_t len)
{
    if (ti->built) {
        textidx_set(ti, doc, text ? text : "", len);
        return;
    }
    store_record(ti, doc, text ? text : "", text ? len : 0);
}

/* Does a PIECES record hold a literal run? */
static int has_literal(const struct textidx *ti, const unsigned char *p)
{
    size_t n = varint_read(&p), i;
    (void)ti;
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p);
        if (!(v & 1))
            return 1;
    }
    return 0;
}

/* Fold every dictionary piece once: queries scan the folded dictionary,
 * and the build needs each piece's first and last token. */
static void fold_dictionary(struct textidx *ti)
{
    size_t i, at = 0;
    ti->fdict = xmalloc(ti->dict_len + 1);
    ti->fpiece_off = xmalloc((ti->npieces + 1) * sizeof(uint32_t));
    ti->piece_first = xmalloc((ti->npieces + 1) * sizeof(uint32_t));
    ti->piece_last = xmalloc((ti->npieces + 1) * sizeof(uint32_t));
    ti->fpiece_off[0] = 0;
    for (i = 0; i < ti->npieces; i++) {
        size_t len, fl, k = 0, adv;
        const unsigned char *b = piece_bytes(ti, (uint32_t)i, &len), *f;
        fl = chain_fold((const char *)b, len, (char *)ti->fdict + at);
        f = ti->fdict + at;
        ti->piece_first[i] = tok_decode(f, fl, &adv);
        while (k < fl) {
            ti->piece_last[i] = tok_decode(f + k, fl - k, &adv);
            k += adv;
        }
        at += fl;
        ti->fpiece_off[i + 1] = (uint32_t)at;
    }
}

void textidx_build(struct textidx *ti, int nthreads)
{
    size_t d, n = 0;
    uint32_t buf[4096];
    if (ti->built)
        return;
    /* give back what growth by doubling left over */
    if (ti->aloc > ti->nloc) {
        ti->loc = xrealloc(ti->loc, (ti->nloc ? ti->nloc : 1) * sizeof(uint32_t));
        ti->aloc = ti->nloc;
    }
    ti->arena = xrealloc(ti->arena, ti->arena_len + 8);
    ti->arena_alloc = ti->arena_len + 8;
    if (ti->dict) {
        ti->dict = xrealloc(ti->dict, ti->dict_len ? ti->dict_len : 1);
        ti->dict_alloc = ti->dict_len;
    }
    free(ti->seen);
    ti->seen = NULL;
    if (ti->kind == TEXTIDX_PIECES) {
        fold_dictionary(ti);
        ti->litdocs = roaring_bitmap_create();
    }
    for (d = 0; d < ti->nloc; d++) {
        if (!ti->loc[d])
            continue;
        if (ti->kind == TEXTIDX_PIECES && has_literal(ti, textidx_record(ti, (uint32_t)d)))
            roaring_bitmap_add(ti->litdocs, (uint32_t)d);
        buf[n++] = (uint32_t)d;
        if (n == 4096) {
            roaring_bitmap_add_many(ti->present, n, buf);
            n = 0;
        }
    }
    if (n)
        roaring_bitmap_add_many(ti->present, n, buf);
    roaring_bitmap_run_optimize(ti->present);
    roaring_bitmap_shrink_to_fit(ti->present);
    if (ti->litdocs) {
        roaring_bitmap_run_optimize(ti->litdocs);
        roaring_bitmap_shrink_to_fit(ti->litdocs);
    }
    gram_build(ti, nthreads < 1 ? 1 : nthreads);
    ti->built = 1;
}

/* ---- reading texts back ---- */

int textidx_get(const struct textidx *ti, uint32_t doc, struct strbuf *out)
{
    const unsigned char *p = textidx_record(ti, doc);
    size_t n, i;
    if (!p)
        return 0;
    n = varint_read(&p);
    if (ti->kind == TEXTIDX_PLAIN) {
        strbuf_add(out, p, n);
        return 1;
    }
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p), len;
        if (v & 1) {
            const unsigned char *q = piece_bytes(ti, (uint32_t)(v >> 1), &len);
            strbuf_add(out, q, len);
        } else {
            strbuf_add(out, p, v >> 1);
            p += v >> 1;
        }
    }
    return 1;
}

size_t textidx_fold_doc(const struct textidx *ti, uint32_t doc, struct scratch *s)
{
    const unsigned char *p = textidx_record(ti, doc), *q;
    size_t n, i, total = 0, at = 0;
    char *out;
    if (!p)
        return (size_t)-1;
    n = varint_read(&p);
    if (ti->kind == TEXTIDX_PLAIN) {
        out = scratch_reserve(s, n + 1);
        return chain_fold((const char *)p, n, out);
    }
    q = p;
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&q), len;
        if (v & 1) {
            piece_bytes(ti, (uint32_t)(v >> 1), &len);
            total += len;
        } else {
            total += v >> 1;
            q += v >> 1;
        }
    }
    out = scratch_reserve(s, total + 1);
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p), len;
        if (v & 1) {
            const unsigned char *b = piece_bytes(ti, (uint32_t)(v >> 1), &len);
            at += chain_fold((const char *)b, len, out + at);
        } else {
            at += chain_fold((const char *)p, v >> 1, out + at);
            p += v >> 1;
        }
    }
    return at;
}

/* ---- patterns ---- */

/* A pattern cut into tokens. A token is "reliable" when it is the text's
 * token wherever the pattern occurs: every token except (a) a lead byte
 * whose sequence the end of the pattern cuts short (the text may go on to
 * complete it) and (b) continuation bytes at the start or after such a
 * token (the text may have a lead byte before them). Only reliable tokens
 * and pairs of them give grams the text must have. */
struct pattern {
    const char *p;
    size_t len;
    size_t n;           /* tokens */
    uint32_t *tok;
    unsigned char *rel;
    int all_reliable;
    int in_piece;       /* valid UTF-8 without separators: matches stay inside a piece */
    /* Valid UTF-8 with separators: the pattern cut right after each one.
     * Segment j is p[seg[j]..seg[j + 1]); a match is a piece ending with
     * segment 0, the next pieces equal to segments 1..nseg-2, then a piece
     * starting with the last segment (which may be empty). */
    int by_segments;
    size_t nseg;
    size_t *seg;
    uint32_t tok_stack[64];
    unsigned char rel_stack[64];
    size_t seg_stack[66];
};

static void pattern_init(struct pattern *pt, const char *pat, size_t len)
{
    const unsigned char *s = (const unsigned char *)pat;
    size_t i = 0;
    int valid = 1, sep = 0, prev_rel = 0;
    pt->p = pat;
    pt->len = len;
    pt->n = 0;
    if (len <= 64) {
        pt->tok = pt->tok_stack;
        pt->rel = pt->rel_stack;
    } else {
        pt->tok = xmalloc(len * sizeof(uint32_t));
        pt->rel = xmalloc(len);
    }
    pt->all_reliable = 1;
    pt->seg = len <= 64 ? pt->seg_stack : xmalloc((len + 2) * sizeof(size_t));
    pt->seg[0] = 0;
    pt->nseg = 0;
    while (i < len) {
        size_t adv;
        uint32_t t = tok_decode(s + i, len - i, &adv);
        int rel = 1;
        if (t >= TOK_BYTE) {
            unsigned c = s[i];
            valid = 0;
            if (tok_need(c) > len - i)
                rel = 0;
            else if ((c & 0xC0) == 0x80 && !prev_rel)
                rel = 0;
        }
        if (tok_is_sep(t)) {
            sep = 1;
            pt->seg[++pt->nseg] = i + adv;
        }
        pt->tok[pt->n] = t;
        pt->rel[pt->n] = (unsigned char)rel;
        pt->n++;
        if (!rel)
            pt->all_reliable = 0;
        prev_rel = rel;
        i += adv;
    }
    pt->in_piece = valid && !sep;
    pt->by_segments = valid && sep;
    pt->seg[++pt->nseg] = len;
}

static void pattern_release(struct pattern *pt)
{
    if (pt->tok != pt->tok_stack) {
        free(pt->tok);
        free(pt->rel);
        free(pt->seg);
    }
}

/* Is the pattern in h[0..n)? Names and pieces are short: there a scan
 * for the first byte beats memmem, whose set-up per call costs more than
 * the search (verification calls it once per candidate). */
static int text_has(const char *h, size_t n, const struct pattern *pt)
{
    const char *p = pt->p, *end;
    size_t m = pt->len;
    if (!m)
        return 1;
    if (n >= 256)
        return memmem(h, n, p, m) != NULL;
    if (m > n)
        return 0;
    end = h + (n - m) + 1;
    while (h < end) {
        const char *c = memchr(h, p[0], (size_t)(end - h));
        if (!c)
            return 0;
        if (c[m - 1] == p[m - 1] && !memcmp(c, p, m))
            return 1;
        h = c + 1;
    }
    return 0;
}

/* Does folded piece id pass segment j's test (see struct pattern)? */
static int segment_test(const struct textidx *ti, uint32_t id, size_t j, const struct pattern *pt,
                        struct scratch *s)
{
    size_t len, fl, a = pt->seg[j], n = pt->seg[j + 1] - pt->seg[j];
    const unsigned char *b = piece_bytes(ti, id, &len);
    fl = chain_fold((const char *)b, len, scratch_reserve(s, len + 1));
    if (j == 0)
        return fl >= n && !memcmp(s->p + fl - n, pt->p + a, n);
    if (j + 1 < pt->nseg)
        return fl == n && !memcmp(s->p, pt->p + a, n);
    return fl >= n && !memcmp(s->p, pt->p + a, n);
}

/* Memoised segment_test; memo (may be NULL) holds nseg bytes per piece:
 * 0 unknown, 1 no, 2 yes. */
static int segment_ok(const struct textidx *ti, uint32_t id, size_t j, const struct pattern *pt,
                      struct scratch *s, unsigned char *memo)
{
    unsigned char *m;
    if (j + 1 == pt->nseg && pt->seg[j] == pt->len)
        return 1;  /* an empty last segment: anything follows */
    if (!memo)
        return segment_test(ti, id, j, pt, s);
    m = memo + (size_t)id * pt->nseg + j;
    if (!*m)
        *m = (unsigned char)(segment_test(ti, id, j, pt, s) ? 2 : 1);
    return *m == 2;
}

/* Match a pattern with separators against a doc made only of dictionary
 * pieces: -1 when the doc has a literal (the caller folds it whole). */
static int doc_matches_segments(const struct textidx *ti, const unsigned char *p,
                                const struct pattern *pt, struct scratch *s, unsigned char *memo)
{
    uint32_t stack_ids[64], *ids = stack_ids;
    size_t n = varint_read(&p), i, j, last = pt->nseg - 1;
    int r = 0;
    if (n > 64)
        ids = xmalloc(n * sizeof(uint32_t));
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p);
        if (!(v & 1)) {
            r = -1;
            goto out;
        }
        ids[i] = (uint32_t)(v >> 1);
    }
    for (i = 0; i + last <= n && !r; i++) {
        if (!segment_ok(ti, ids[i], 0, pt, s, memo))
            continue;
        for (j = 1; j < last; j++)
            if (!segment_ok(ti, ids[i + j], j, pt, s, memo))
                break;
        if (j < last)
            continue;
        if (pt->seg[last] == pt->len || (i + last < n && segment_ok(ti, ids[i + last], last, pt, s, memo)))
            r = 1;
    }
out:
    if (ids != stack_ids)
        free(ids);
    return r;
}

/* Does doc match? memo (may be NULL): per piece 0 unknown, 1 no, 2 yes
 * (nseg bytes per piece for a pattern matched by segments). */
static int doc_matches(const struct textidx *ti, uint32_t doc, const struct pattern *pt,
                       struct scratch *s, unsigned char *memo)
{
    const unsigned char *p;
    size_t n, i, fl;
    if (ti->kind == TEXTIDX_PIECES && pt->in_piece) {
        p = textidx_record(ti, doc);
        if (!p)
            return 0;
        n = varint_read(&p);
        for (i = 0; i < n; i++) {
            size_t v = varint_read(&p), len;
            const unsigned char *b;
            int hit;
            if (v & 1) {
                uint32_t id = (uint32_t)(v >> 1);
                if (memo && memo[id]) {
                    if (memo[id] == 2)
                        return 1;
                    continue;
                }
                b = piece_bytes(ti, id, &len);
                fl = chain_fold((const char *)b, len, scratch_reserve(s, len + 1));
                hit = text_has(s->p, fl, pt);
                if (memo)
                    memo[id] = (unsigned char)(hit ? 2 : 1);
            } else {
                len = v >> 1;
                fl = chain_fold((const char *)p, len, scratch_reserve(s, len + 1));
                p += len;
                hit = text_has(s->p, fl, pt);
            }
            if (hit)
                return 1;
        }
        return 0;
    }
    if (ti->kind == TEXTIDX_PIECES && pt->by_segments) {
        int r;
        p = textidx_record(ti, doc);
        if (!p)
            return 0;
        r = doc_matches_segments(ti, p, pt, s, memo);
        if (r >= 0)
            return r;
    }
    fl = textidx_fold_doc(ti, doc, s);
    if (fl == (size_t)-1)
        return 0;
    return text_has(s->p, fl, pt);
}

int textidx_contains(const struct textidx *ti, uint32_t doc, const char *pat, size_t len)
{
    struct pattern pt;
    struct scratch s;
    char stack[1024];
    int r;
    if (!textidx_record(ti, doc))
        return 0;
    if (!len)
        return 1;
    pattern_init(&pt, pat, len);
    scratch_init(&s, stack, sizeof(stack));
    r = doc_matches(ti, doc, &pt, &s, NULL);
    scratch_release(&s);
    pattern_release(&pt);
    return r;
}

/* Docs with a text; before build from the locators. */
static roaring_bitmap_t *all_docs(const struct textidx *ti)
{
    roaring_bitmap_t *r;
    size_t d;
    if (ti->built)
        return roaring_bitmap_copy(ti->present);
    r = roaring_bitmap_create();
    for (d = 0; d < ti->nloc; d++)
        if (ti->loc[d])
            roaring_bitmap_add(r, (uint32_t)d);
    return r;
}

static int cmp_card(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* The AND of the pattern's grams (rarest first), within within. *exact:
 * the set is the answer (1-2 reliable tokens, or a gram nobody has). */
static roaring_bitmap_t *gram_candidates(const struct textidx *ti, const struct pattern *pt,
                                         const roaring_bitmap_t *within, int *exact)
{
    uint64_t stack_req[2 * 32], *req = stack_req;  /* pairs: cardinality, index into bms */
    const roaring_bitmap_t *stack_bms[32], **bms = stack_bms;
    size_t nreq = 0, i, max = pt->n + 1;
    roaring_bitmap_t *r;

    *exact = 0;
    if (!ti->built || !pt->n) {
        *exact = ti->built;  /* empty pattern: every text */
        r = all_docs(ti);
        if (within)
            roaring_bitmap_and_inplace(r, within);
        return r;
    }
    if (max > 32) {
        req = xmalloc(max * 2 * sizeof(uint64_t));
        bms = xmalloc(max * sizeof(*bms));
    }
    for (i = 0; i < pt->n; i++) {
        uint64_t key;
        const roaring_bitmap_t *bm;
        if (!pt->rel[i])
            continue;
        if (i + 1 < pt->n && pt->rel[i + 1])
            key = gram_bi(pt->tok[i], pt->tok[i + 1]);
        else if (i > 0 && pt->rel[i - 1])
            continue;  /* covered by the bigram before it */
        else
            key = gram_uni(pt->tok[i]);
        bm = gram_lookup(ti, key);
        if (!bm || roaring_bitmap_is_empty(bm)) {
            /* a gram no text has: nothing matches, and that is exact */
            nreq = 0;
            *exact = 1;
            r = roaring_bitmap_create();
            goto out;
        }
        bms[nreq] = bm;
        req[2 * nreq] = roaring_bitmap_get_cardinality(bm);
        req[2 * nreq + 1] = nreq;
        nreq++;
    }
    if (!nreq) {
        r = all_docs(ti);  /* no reliable token: any text may match */
        if (within)
            roaring_bitmap_and_inplace(r, within);
        goto out;
    }
    *exact = pt->all_reliable && pt->n <= 2;
    qsort(req, nreq, 2 * sizeof(uint64_t), cmp_card);
    r = roaring_bitmap_copy(bms[req[1]]);
    if (within)
        roaring_bitmap_and_inplace(r, within);
    for (i = 1; i < nreq; i++) {
        const roaring_bitmap_t *bm = bms[req[2 * i + 1]];
        if (bm == bms[req[2 * i - 1]])
            continue;
        if (!*exact && roaring_bitmap_get_cardinality(r) <= EARLY_STOP)
            break;
        roaring_bitmap_and_inplace(r, bm);
    }
out:
    if (req != stack_req) {
        free(req);
        free(bms);
    }
    return r;
}

/* PIECES: the docs of the dictionary pieces that pass a test, OR'ed. */
enum piece_test { PT_CONTAINS, PT_ENDS_WITH };

static roaring_bitmap_t *pieces_where(const struct textidx *ti, enum piece_test test,
                                      const char *p, size_t n)
{
    const roaring_bitmap_t **bms = NULL;
    size_t nbms = 0, abms = 0, i;
    roaring_bitmap_t *r;
    const unsigned char *f = ti->fdict;
    if (test == PT_CONTAINS) {
        /* one memmem over the folded dictionary; a hit counts when it
         * lies inside one piece */
        size_t at = 0, end = ti->fpiece_off[ti->npieces];
        while (at < end) {
            const unsigned char *hit = memmem(f + at, end - at, p, n);
            size_t pos, lo = 0, hi = ti->npieces;
            if (!hit)
                break;
            pos = (size_t)(hit - f);
            while (hi - lo > 1) {  /* the piece holding pos */
                size_t mid = (lo + hi) / 2;
                if (ti->fpiece_off[mid] <= pos)
                    lo = mid;
                else
                    hi = mid;
            }
            if (pos + n <= ti->fpiece_off[lo + 1]) {
                const roaring_bitmap_t *bm = gram_lookup(ti, gram_piece((uint32_t)lo));
                if (bm) {
                    ALLOC_GROW(bms, nbms + 1, abms);
                    bms[nbms++] = bm;
                }
                at = ti->fpiece_off[lo + 1];
            } else {
                at = pos + 1;
            }
        }
    } else {
        for (i = 0; i < ti->npieces; i++) {
            size_t a = ti->fpiece_off[i], e = ti->fpiece_off[i + 1];
            if (e - a >= n && !memcmp(f + e - n, p, n)) {
                const roaring_bitmap_t *bm = gram_lookup(ti, gram_piece((uint32_t)i));
                if (bm) {
                    ALLOC_GROW(bms, nbms + 1, abms);
                    bms[nbms++] = bm;
                }
            }
        }
    }
    r = nbms ? roaring_bitmap_or_many(nbms, bms) : roaring_bitmap_create();
    free(bms);
    return r;
}

static roaring_bitmap_t *copy_within(const roaring_bitmap_t *bm, const roaring_bitmap_t *within)
{
    return within ? roaring_bitmap_and(bm, within) : roaring_bitmap_copy(bm);
}

/* The answer in two parts: *sure (docs that match) and *maybe (docs that
 * may: to verify), both within within. */
static void answer(const struct textidx *ti, const struct pattern *pt,
                   const roaring_bitmap_t *within, roaring_bitmap_t **sure,
                   roaring_bitmap_t **maybe)
{
    roaring_bitmap_t *all;
    int exact;
    *sure = NULL;
    *maybe = NULL;
    if (!ti->built || !pt->n) {
        all = all_docs(ti);
        if (within)
            roaring_bitmap_and_inplace(all, within);
        if (!pt->n)
            *sure = all;  /* the empty pattern is in every text */
        else
            *maybe = all;
        goto out;
    }
    if (ti->kind == TEXTIDX_PLAIN) {
        roaring_bitmap_t *r = gram_candidates(ti, pt, within, &exact);
        if (exact)
            *sure = r;
        else
            *maybe = r;
        goto out;
    }
    if (pt->in_piece) {
        /* inside one piece: the dictionary says which pieces; literal
         * runs have grams of their own */
        roaring_bitmap_t *lit = gram_candidates(ti, pt, within, &exact);
        *sure = pieces_where(ti, PT_CONTAINS, pt->p, pt->len);
        if (within)
            roaring_bitmap_and_inplace(*sure, within);
        if (exact) {
            roaring_bitmap_or_inplace(*sure, lit);
            roaring_bitmap_free(lit);
        } else {
            roaring_bitmap_andnot_inplace(lit, *sure);
            *maybe = lit;
        }
        goto out;
    }
    if (pt->by_segments) {
        /* the first segment ends a piece (or lies in a literal run), and
         * every bigram across a separator is at a piece boundary */
        roaring_bitmap_t *s0 = pieces_where(ti, PT_ENDS_WITH, pt->p, pt->seg[1]);
        size_t i;
        if (pt->nseg == 2 && pt->seg[1] == pt->len) {
            /* "X;" is exactly "a piece ends with X;", or inside a literal */
            *sure = within ? roaring_bitmap_and(s0, within) : roaring_bitmap_copy(s0);
            *maybe = copy_within(ti->litdocs, within);
            roaring_bitmap_andnot_inplace(*maybe, *sure);
            roaring_bitmap_free(s0);
            goto out;
        }
        roaring_bitmap_or_inplace(s0, ti->litdocs);
        if (within)
            roaring_bitmap_and_inplace(s0, within);
        for (i = 0; i + 1 < pt->n && !roaring_bitmap_is_empty(s0); i++) {
            const roaring_bitmap_t *bm;
            if (!tok_is_sep(pt->tok[i]))
                continue;
            bm = gram_lookup(ti, gram_bi(pt->tok[i], pt->tok[i + 1]));
            if (!bm)
                roaring_bitmap_clear(s0);
            else
                roaring_bitmap_and_inplace(s0, bm);
        }
        *maybe = s0;
        goto out;
    }
    /* broken UTF-8: the grams cover only literal runs and boundaries */
    all = all_docs(ti);
    if (within)
        roaring_bitmap_and_inplace(all, within);
    *maybe = all;
out:
    if (!*sure)
        *sure = roaring_bitmap_create();
    if (!*maybe)
        *maybe = roaring_bitmap_create();
}

roaring_bitmap_t *textidx_candidates(const struct textidx *ti, const char *pat, size_t len,
                                     int *exact)
{
    struct pattern pt;
    roaring_bitmap_t *sure, *maybe;
    pattern_init(&pt, pat, len);
    answer(ti, &pt, NULL, &sure, &maybe);
    pattern_release(&pt);
    if (exact)
        *exact = roaring_bitmap_is_empty(maybe);
    roaring_bitmap_or_inplace(sure, maybe);
    roaring_bitmap_free(maybe);
    return sure;
}

static void verify(const struct textidx *ti, const struct pattern *pt, roaring_bitmap_t *bm)
{
    uint64_t card = roaring_bitmap_get_cardinality(bm);
    roaring_uint32_iterator_t it;
    roaring_bitmap_t *keep;
    unsigned char *memo = NULL;
    uint32_t buf[1024];
    struct scratch s;
    char stack[2048];
    uint32_t got;

    if (!card)
        return;
    if (!pt->n) {
        roaring_bitmap_t *all = all_docs(ti);
        roaring_bitmap_and_inplace(bm, all);
        roaring_bitmap_free(all);
        return;
    }
    if (ti->kind == TEXTIDX_PIECES && (pt->in_piece || pt->by_segments) && ti->npieces &&
        ti->npieces <= 16 * card + 65536)
        memo = xcalloc(ti->npieces, pt->in_piece ? 1 : pt->nseg);
    scratch_init(&s, stack, sizeof(stack));
    keep = roaring_bitmap_create();
    roaring_init_iterator(bm, &it);
    while ((got = roaring_read_uint32_iterator(&it, buf, 1024)) > 0) {
        uint32_t i, n = 0;
        for (i = 0; i < got; i++)
            if (doc_matches(ti, buf[i], pt, &s, memo))
                buf[n++] = buf[i];
        if (n)
            roaring_bitmap_add_many(keep, n, buf);
        if (got < 1024)
            break;
    }
    if (roaring_bitmap_get_cardinality(keep) != card)
        roaring_bitmap_overwrite(bm, keep);
    roaring_bitmap_free(keep);
    scratch_release(&s);
    free(memo);
}

void textidx_verify(const struct textidx *ti, const char *pat, size_t len, roaring_bitmap_t *bm)
{
    struct pattern pt;
    pattern_init(&pt, pat, len);
    verify(ti, &pt, bm);
    pattern_release(&pt);
}

roaring_bitmap_t *textidx_search(const struct textidx *ti, const char *pat, size_t len,
                                 const roaring_bitmap_t *within)
{
    struct pattern pt;
    roaring_bitmap_t *sure, *maybe;
    pattern_init(&pt, pat, len);
    answer(ti, &pt, within, &sure, &maybe);
    verify(ti, &pt, maybe);
    roaring_bitmap_or_inplace(sure, maybe);
    roaring_bitmap_free(maybe);
    pattern_release(&pt);
    return sure;
}

/* ---- grams of a text ---- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

size_t gram_keys_of(const char *folded, size_t len, uint64_t **keys, size_t *alloc)
{
    const unsigned char *s = (const unsigned char *)folded;
    size_t i = 0, n = 0, j, k;
    uint32_t prev = 0;
    while (i < len) {
        size_t adv;
        uint32_t t = tok_decode(s + i, len - i, &adv);
        ALLOC_GROW(*keys, n + 2, *alloc);
        (*keys)[n++] = gram_uni(t);
        if (i)
            (*keys)[n++] = gram_bi(prev, t);
        prev = t;
        i += adv;
    }
    if (n > 1)
        qsort(*keys, n, sizeof(uint64_t), cmp_u64);
    for (j = k = 0; j < n; j++)
        if (!k || (*keys)[j] != (*keys)[k - 1])
            (*keys)[k++] = (*keys)[j];
    return k;
}

/* ---- incremental change ---- */

size_t textidx_doc_keys(const struct textidx *ti, uint32_t doc, uint64_t **keys, size_t *alloc,
                        struct scratch *s)
{
    const unsigned char *p;
    size_t n, i, nk = 0, j, k;
    uint32_t prev = UINT32_MAX;
    if (ti->kind == TEXTIDX_PLAIN) {
        size_t fl = textidx_fold_doc(ti, doc, s);
        return fl == (size_t)-1 ? 0 : gram_keys_of(s->p, fl, keys, alloc);
    }
    p = textidx_record(ti, doc);
    if (!p)
        return 0;
    n = varint_read(&p);
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p);
        if (v & 1) {
            uint32_t id = (uint32_t)(v >> 1);
            ALLOC_GROW(*keys, nk + 2, *alloc);
            if (prev != UINT32_MAX)
                (*keys)[nk++] = gram_bi(prev, ti->piece_first[id]);
            (*keys)[nk++] = gram_piece(id);
            prev = ti->piece_last[id];
        } else {
            size_t len = v >> 1, fl, at = 0;
            const unsigned char *f;
            fl = chain_fold((const char *)p, len, scratch_reserve(s, len + 1));
            f = (const unsigned char *)s->p;
            p += len;
            while (at < fl) {
                size_t adv;
                uint32_t t = tok_decode(f + at, fl - at, &adv);
                ALLOC_GROW(*keys, nk + 2, *alloc);
                (*keys)[nk++] = gram_uni(t);
                if (prev != UINT32_MAX)
                    (*keys)[nk++] = gram_bi(prev, t);
                prev = t;
                at += adv;
            }
        }
    }
    if (nk > 1)
        qsort(*keys, nk, sizeof(uint64_t), cmp_u64);
    for (j = k = 0; j < nk; j++)
        if (!k || (*keys)[j] != (*keys)[k - 1])
            (*keys)[k++] = (*keys)[j];
    return k;
}

void textidx_set(struct textidx *ti, uint32_t doc, const char *text, size_t len)
{
    uint64_t *oldk = NULL, *newk = NULL;
    size_t aold = 0, anew = 0, nold = 0, nnew = 0;
    struct scratch s;
    char stack[2048];

    if (!ti->built) {
        if (text)
            store_record(ti, doc, text, len);
        else if (doc < ti->nloc)
            record_drop(ti, doc);
        return;
    }
    scratch_init(&s, stack, sizeof(stack));
    nold = textidx_doc_keys(ti, doc, &oldk, &aold, &s);
    if (text) {
        store_record(ti, doc, text, len);
        nnew = textidx_doc_keys(ti, doc, &newk, &anew, &s);
        roaring_bitmap_add(ti->present, doc);
    } else {
        if (doc < ti->nloc)
            record_drop(ti, doc);
        roaring_bitmap_remove(ti->present, doc);
    }
    if (ti->litdocs) {
        const unsigned char *rec = textidx_record(ti, doc);
        if (rec && has_literal(ti, rec))
            roaring_bitmap_add(ti->litdocs, doc);
        else
            roaring_bitmap_remove(ti->litdocs, doc);
    }
    gram_update(ti, doc, oldk, nold, newk, nnew);
    free(oldk);
    free(newk);
    scratch_release(&s);
}

/* ---- accounting and checks ---- */

void textidx_memory(const struct textidx *ti, struct textidx_mem *out)
{
    memset(out, 0, sizeof(*out));
    out->docs = ti->ndocs;
    out->text_bytes = ti->arena_alloc + ti->aloc * sizeof(uint32_t);
    if (ti->kind == TEXTIDX_PIECES)
        out->dict_bytes = ti->dict_alloc + (ti->apieces + 1) * sizeof(uint32_t) +
                          (ti->piece_mask + 1) * sizeof(uint64_t) +
                          (ti->seen ? (ti->seen_mask + 1) * sizeof(uint32_t) : 0) +
                          (ti->fdict ? ti->dict_len + 1 + 3 * (ti->npieces + 1) * sizeof(uint32_t) : 0);
    out->npieces = ti->npieces;
    out->other_bytes = sizeof(*ti) + roaring_bitmap_portable_size_in_bytes(ti->present) +
                       (ti->litdocs ? roaring_bitmap_portable_size_in_bytes(ti->litdocs) : 0);
    gram_memory(ti, out);
}

int textidx_validate(const struct textidx *ti, struct error *err)
{
    size_t d, ndocs = 0, i;
    for (i = 0; i < ti->npieces; i++) {
        size_t len;
        const unsigned char *b = piece_bytes(ti, (uint32_t)i, &len);
        if (ti->piece_off[i + 1] < ti->piece_off[i] || ti->piece_off[i + 1] > ti->dict_len)
            return error_set(err, "piece %zu: bad offsets", i);
        if (dict_find(ti, b, len, bytes_hash(b, len)) != (long)i)
            return error_set(err, "piece %zu: the dictionary does not find it", i);
        if (len == 0 || piece_end(b, len, 0) != len)
            return error_set(err, "piece %zu: not one piece", i);
    }
    for (d = 0; d < ti->nloc; d++) {
        const unsigned char *p = textidx_record(ti, (uint32_t)d), *start;
        size_t n;
        if (!p)
            continue;
        ndocs++;
        start = p;
        if ((size_t)(p - ti->arena) >= ti->arena_len)
            return error_set(err, "doc %zu: record outside the arena", d);
        n = varint_read(&p);
        if (ti->kind == TEXTIDX_PIECES) {
            for (i = 0; i < n; i++) {
                size_t v = varint_read(&p);
                if ((v & 1) && (v >> 1) >= ti->npieces)
                    return error_set(err, "doc %zu: piece %zu out of range", d, v >> 1);
                if (!(v & 1))
                    p += v >> 1;
            }
        } else {
            p += n;
        }
        if ((size_t)(p - ti->arena) > ti->arena_len)
            return error_set(err, "doc %zu: record of %zu bytes runs past the arena", d,
                             (size_t)(p - start));
    }
    if (ndocs != ti->ndocs)
        return error_set(err, "%zu docs have a text, the count says %zu", ndocs, ti->ndocs);
    if (ti->built) {
        if (roaring_bitmap_get_cardinality(ti->present) != ndocs)
            return error_set(err, "the present bitmap has %llu docs, not %zu",
                             (unsigned long long)roaring_bitmap_get_cardinality(ti->present),
                             ndocs);
        for (d = 0; d < ti->nloc; d++) {
            if (ti->loc[d] && !roaring_bitmap_contains(ti->present, (uint32_t)d))
                return error_set(err, "doc %zu: missing from the present bitmap", d);
            if (ti->litdocs && roaring_bitmap_contains(ti->litdocs, (uint32_t)d) !=
                                   (ti->loc[d] && has_literal(ti, textidx_record(ti, (uint32_t)d))))
                return error_set(err, "doc %zu: the literal bitmap is wrong", d);
        }
        return gram_validate(ti, err);
    }
    return 0;
}
