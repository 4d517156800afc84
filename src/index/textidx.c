/*
 * textidx.c - the text index's documents: how texts are stored (one arena
 * record per document, plain or as interned pieces), read back, folded,
 * and verified against a pattern; and the query entry points, which ask
 * the posting lists (textidx_gram.c) for candidates and verify them here.
 *
 * Why pieces: a business scope is written from a standard catalogue of
 * phrases ("软件开发；", "技术服务、技术开发、"), so cutting it after each
 * separator and interning the pieces stores 10 million scopes of ~250
 * bytes in ~20 bytes each. A piece met for the first time is stored inline
 * (a "literal") and only interned when met again (a fingerprint table
 * remembers what was seen once during the bulk phase), so texts whose
 * pieces are all unique cost what a plain record costs, plus a byte.
 *
 * PLAIN (names) stores the folded text, what every query reads, and a
 * byte or two that give the original back (textidx_plain.c); verifying a
 * candidate is a search in its stored bytes.
 *
 * PIECES keeps the original, for display, and folds on the fly: chain_fold
 * is one cheap pass, and folding piece by piece gives the same bytes as
 * folding the whole text, because a piece ends right after a separator,
 * which is neither white space nor part of a longer sequence. For the same
 * reason a pattern without a separator character can only match inside
 * one folded piece: its answer is the OR of the lists of the pieces that
 * contain it (found by one scan of the folded dictionary) plus the docs
 * whose literal runs contain it. A pattern with separators must end a
 * piece with its first segment, be whole pieces with the middle ones and
 * start a piece with the last; verification tests each distinct piece
 * once per query and segment (the memo).
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

#define PREFETCH 16            /* verification: records asked for this many candidates ahead */
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

static inline uint64_t load64_le(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t load32_le(const unsigned char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* memcmp(a, b, n) == 0 for the few dozen bytes of a piece, inline: word
 * compares, the tail as the last word, overlapping. */
static inline int bytes_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i;
    if (n >= 8) {
        for (i = 0; i + 8 < n; i += 8)
            if (load64_le(a + i) != load64_le(b + i))
                return 0;
        return load64_le(a + n - 8) == load64_le(b + n - 8);
    }
    if (n >= 4)
        return load32_le(a) == load32_le(b) && load32_le(a + n - 4) == load32_le(b + n - 4);
    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* Every byte counts; two independent lanes of 8 bytes, and the tail read
 * as the last 8 (or 4) bytes, overlapping, so there is no byte loop and no
 * variable-length copy (whose store the next load cannot forward). */
static uint64_t bytes_hash(const unsigned char *p, size_t n)
{
    uint64_t a = 0x9E3779B97F4A7C15ull ^ ((uint64_t)n * 0x2545F4914F6CDD1Dull);
    uint64_t b = 0xC2B2AE3D27D4EB4Full;
    size_t i = 0;
    if (n >= 8) {
        for (; i + 16 <= n; i += 16) {
            a = (a ^ load64_le(p + i)) * 0xbf58476d1ce4e5b9ull;
            b = (b ^ load64_le(p + i + 8)) * 0x94d049bb133111ebull;
            a ^= a >> 31;
            b ^= b >> 29;
        }
        if (i + 8 <= n)
            a = (a ^ load64_le(p + i)) * 0xbf58476d1ce4e5b9ull;
        b ^= load64_le(p + n - 8);
    } else if (n >= 4) {
        b ^= load32_le(p) | load32_le(p + n - 4) << 32;
    } else if (n) {
        b ^= (uint64_t)p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
    }
    return mix64(a ^ (b * 0xD6E8FEB86659FD93ull));
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
        ti->piece_slot = xcalloc(ti->piece_mask + 1, sizeof(*ti->piece_slot));
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
    size_t n, i;
    if (ti->kind == TEXTIDX_PLAIN)
        return plain_record_size(rec);
    n = varint_read(&p);
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
 * looked for 16 at a time: most of a scope is CJK text that has none.
 * (Comparing the two bytes after each at once too, so that only
 * separators come out, measured no faster.) */
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
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & ti->piece_mask;
    for (;; i = (i + 1) & ti->piece_mask) {
        const struct piece_slot *s = &ti->piece_slot[i];
        if (!s->id1)
            return -1;
        if (s->tag == tag && s->len == n && bytes_equal(p, ti->dict + s->off, n))
            return (long)s->id1 - 1;
    }
}

static void dict_slot_put(struct textidx *ti, uint64_t h, uint32_t id)
{
    size_t i = (size_t)h & ti->piece_mask;
    struct piece_slot *s;
    while (ti->piece_slot[i].id1)
        i = (i + 1) & ti->piece_mask;
    s = &ti->piece_slot[i];
    s->tag = (uint32_t)(h >> 32);
    s->id1 = id + 1;
    s->off = ti->piece_off[id];
    s->len = ti->piece_off[id + 1] - ti->piece_off[id];
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
        struct piece_slot *slots = ti->piece_slot;
        ti->piece_mask = old * 2 - 1;
        ti->piece_slot = xcalloc(old * 2, sizeof(*ti->piece_slot));
        for (i = 0; i < old; i++)
            if (slots[i].id1) {
                uint32_t pid = slots[i].id1 - 1;
                dict_slot_put(ti, bytes_hash(ti->dict + slots[i].off, slots[i].len), pid);
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

static void item_push(struct item **items, size_t *nitems, size_t *aitems, struct item *stack,
                      long id, size_t start, size_t len)
{
    if (id < 0 && *nitems && (*items)[*nitems - 1].id == UINT32_MAX) {
        (*items)[*nitems - 1].len += len;  /* extend the literal run */
        return;
    }
    if (*nitems == *aitems) {
        *aitems *= 2;
        if (*items == stack) {
            *items = xmalloc(*aitems * sizeof(**items));
            memcpy(*items, stack, *nitems * sizeof(**items));
        } else {
            *items = xrealloc(*items, *aitems * sizeof(**items));
        }
    }
    (*items)[*nitems].id = id < 0 ? UINT32_MAX : (uint32_t)id;
    (*items)[*nitems].start = start;
    (*items)[*nitems].len = len;
    (*nitems)++;
}

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
        item_push(&items, &nitems, &aitems, stack_items, id, i, e - i);
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

/* PLAIN: the folded text, which is what queries read, and what it takes
 * to give the original back (textidx_plain.c). */
static void store_plain(struct textidx *ti, uint32_t doc, const char *text, size_t len)
{
    size_t at = arena_reserve(ti, plain_record_max(len));
    ti->arena_len = at + plain_record_write(ti->arena + at, text, len);
    ti->loc[doc] = (uint32_t)(at / 4);
}

static void store_record(struct textidx *ti, uint32_t doc, const char *text, size_t len)
{
    loc_grow(ti, doc);
    record_drop(ti, doc);
    if (ti->kind == TEXTIDX_PIECES)
        store_pieces(ti, doc, (const unsigned char *)text, len);
    else
        store_plain(ti, doc, text, len);
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

/* Fold every dictionary piece once: queries scan the folded dictionary. */
static void fold_dictionary(struct textidx *ti)
{
    size_t i, at = 0;
    ti->fdict = xmalloc(ti->dict_len + 1);
    ti->fpiece_off = xmalloc((ti->npieces + 1) * sizeof(uint32_t));
    ti->fpiece_off[0] = 0;
    for (i = 0; i < ti->npieces; i++) {
        size_t len;
        const unsigned char *b = piece_bytes(ti, (uint32_t)i, &len);
        at += chain_fold((const char *)b, len, (char *)ti->fdict + at);
        ti->fpiece_off[i + 1] = (uint32_t)at;
    }
}

void textidx_build(struct textidx *ti, int nthreads)
{
    size_t d, nwords = (ti->nloc + 63) / 64;
    uint64_t *bits;
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
    if (ti->kind == TEXTIDX_PIECES)
        fold_dictionary(ti);
    bits = xcalloc(nwords ? nwords : 1, sizeof(uint64_t));
    for (d = 0; d < ti->nloc; d++)
        if (ti->loc[d])
            bits[d >> 6] |= 1ull << (d & 63);
    roaring_bitmap_free(ti->present);
    ti->present = bm_from_bits(bits, nwords);
    free(bits);
    roaring_bitmap_run_optimize(ti->present);
    roaring_bitmap_shrink_to_fit(ti->present);
    gram_build(ti, nthreads < 1 ? 1 : nthreads);  /* and litdocs */
    ti->built = 1;
}

/* ---- reading texts back ---- */

int textidx_get(const struct textidx *ti, uint32_t doc, struct strbuf *out)
{
    const unsigned char *p = textidx_record(ti, doc);
    size_t n, i;
    if (!p)
        return 0;
    if (ti->kind == TEXTIDX_PLAIN) {
        plain_original(p, out);
        return 1;
    }
    n = varint_read(&p);
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

const char *textidx_folded(const struct textidx *ti, uint32_t doc, struct scratch *s,
                           size_t *len)
{
    const unsigned char *p = textidx_record(ti, doc), *q;
    size_t n, i, total = 0, at = 0;
    char *out;
    if (!p)
        return NULL;
    if (ti->kind == TEXTIDX_PLAIN)
        return (const char *)plain_folded(p, len);
    n = varint_read(&p);
    q = p;
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&q), plen;
        if (v & 1) {
            piece_bytes(ti, (uint32_t)(v >> 1), &plen);
            total += plen;
        } else {
            total += v >> 1;
            q += v >> 1;
        }
    }
    out = scratch_reserve(s, total + 1);
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p), plen;
        if (v & 1) {
            const unsigned char *b = piece_bytes(ti, (uint32_t)(v >> 1), &plen);
            at += chain_fold((const char *)b, plen, out + at);
        } else {
            at += chain_fold((const char *)p, v >> 1, out + at);
            p += v >> 1;
        }
    }
    *len = at;
    return out;
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

/* a[0..m) == b[0..m), m >= 2: patterns of up to 16 bytes (a Chinese word
 * of five characters) in two overlapping word compares, no call. */
static inline int same_bytes(const char *a, const char *b, size_t m)
{
    if (m >= 8 && m <= 16)
        return load64_le((const unsigned char *)a) == load64_le((const unsigned char *)b) &&
               load64_le((const unsigned char *)a + m - 8) ==
                   load64_le((const unsigned char *)b + m - 8);
    return !memcmp(a, b, m);
}

/* Is the pattern in h[0..n)? Verification asks this once per candidate
 * of a name or a piece of a few dozen bytes, where memmem's set-up costs
 * more than the search. So: 16 positions at a time, those where both the
 * pattern's first and its last byte are in place (SSE2), then memcmp;
 * memmem only for long texts. */
static int text_has(const char *h, size_t n, const struct pattern *pt)
{
    const char *p = pt->p;
    size_t m = pt->len, i = 0, last;
    if (!m)
        return 1;
    if (m > n)
        return 0;
    if (m == 1)
        return memchr(h, p[0], n) != NULL;
    if (n >= 1024)
        return memmem(h, n, p, m) != NULL;
    last = n - m;  /* the last position a match may start at */
#ifdef __SSE2__
    {
        const __m128i first = _mm_set1_epi8(p[0]), end = _mm_set1_epi8(p[m - 1]);
        /* positions i..i+15: bytes up to h[i + 15 + m - 1] <= h[n - 1] */
        for (; i + 15 <= last; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + i + m - 1));
            unsigned bits = (unsigned)_mm_movemask_epi8(
                _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, end)));
            while (bits) {
                size_t k = i + (size_t)__builtin_ctz(bits);
                if (same_bytes(h + k, p, m))
                    return 1;
                bits &= bits - 1;
            }
        }
    }
#endif
    for (; i <= last; i++)
        if (h[i] == p[0] && h[i + m - 1] == p[m - 1] && same_bytes(h + i, p, m))
            return 1;
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
    const char *f;
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
    f = textidx_folded(ti, doc, s, &fl);
    return f && text_has(f, fl, pt);
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
 * the set is the answer (1-2 reliable tokens, or a gram nobody has).
 * Stops early, leaving more to verify, when few candidates are left or
 * when decoding the next gram's list would cost more than verifying them. */
static roaring_bitmap_t *gram_candidates(const struct textidx *ti, const struct pattern *pt,
                                         const roaring_bitmap_t *within, int *exact)
{
    uint64_t stack_req[2 * 32], *req = stack_req;  /* pairs: cardinality, index into refs */
    struct gram_ref stack_refs[32], *refs = stack_refs;
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
        refs = xmalloc(max * sizeof(*refs));
    }
    for (i = 0; i < pt->n; i++) {
        uint64_t key;
        if (!pt->rel[i])
            continue;
        if (i + 1 < pt->n && pt->rel[i + 1])
            key = gram_bi(pt->tok[i], pt->tok[i + 1]);
        else if (i > 0 && pt->rel[i - 1])
            continue;  /* covered by the bigram before it */
        else
            key = gram_uni(pt->tok[i]);
        if (!gram_find(ti, key, &refs[nreq])) {
            /* a gram no text has: nothing matches, and that is exact */
            nreq = 0;
            *exact = 1;
            r = roaring_bitmap_create();
            goto out;
        }
        req[2 * nreq] = gram_card(&refs[nreq]);
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
    r = gram_bitmap(&refs[req[1]]);
    if (within)
        roaring_bitmap_and_inplace(r, within);
    for (i = 1; i < nreq; i++) {
        const struct gram_ref *g = &refs[req[2 * i + 1]], *h = &refs[req[2 * i - 1]];
        if (g->gp == h->gp && g->id == h->id)
            continue;
        if (!*exact) {
            uint64_t card = roaring_bitmap_get_cardinality(r);
            if (card <= EARLY_STOP || (!gram_roaring(g) && gram_card(g) > 16 * card))
                break;
        }
        gram_and(g, r);
    }
out:
    if (req != stack_req) {
        free(req);
        free(refs);
    }
    return r;
}

/* PIECES: the docs of the dictionary pieces that pass a test, OR'ed. */
enum piece_test { PT_CONTAINS, PT_ENDS_WITH, PT_STARTS_WITH, PT_EQUALS };

/* A list of gram bitmaps to OR. A few small ones: roaring_bitmap_or_many,
 * each Elias-Fano list decoded into a bitmap of its own. Otherwise (a
 * scope pattern of one or two characters is in dozens or hundreds of
 * pieces) everything goes into one bit set over all docs, which becomes
 * the bitmap at once: a fixed cost of a pass over ids / 8 bytes, where
 * OR-ing roaring bitmaps costs a container (a malloc or two) per list and
 * 65,536 ids that it has docs in. */
struct or_list {
    struct gram_ref *refs;
    size_t n, alloc;
    uint64_t total;      /* docs in all, counted again for each list */
    uint64_t conts;      /* containers at most, in all */
};

static int cmp_ref_card_desc(const void *a, const void *b)
{
    uint64_t x = gram_card(a), y = gram_card(b);
    return x > y ? -1 : x < y;
}

static void or_list_add(struct or_list *l, const struct textidx *ti, uint64_t key)
{
    struct gram_ref ref;
    if (!gram_find(ti, key, &ref))
        return;
    ALLOC_GROW(l->refs, l->n + 1, l->alloc);
    l->refs[l->n++] = ref;
    l->total += gram_card(&ref);
    l->conts += gram_card(&ref) < ti->nloc / 65536 + 1 ? gram_card(&ref) : ti->nloc / 65536 + 1;
}

static roaring_bitmap_t *or_list_finish(struct or_list *l, const struct textidx *ti)
{
    roaring_bitmap_t *r;
    size_t i, nwords = (ti->nloc + 63) / 64;
    if (!l->n) {
        r = roaring_bitmap_create();
    } else if (l->n == 1) {
        r = gram_bitmap(&l->refs[0]);
    } else if (l->total >= nwords || l->conts >= nwords / 64) {
        uint64_t *bits = xcalloc(nwords, sizeof(uint64_t)), sum = 0, check = ti->ndocs;
        /* largest first; once they could cover every doc, see whether they
         * do (a pattern like 的 is in a piece that every scope has) */
        qsort(l->refs, l->n, sizeof(*l->refs), cmp_ref_card_desc);
        for (i = 0; i < l->n; i++) {
            const struct gram_ref *g = &l->refs[i];
            if (gram_roaring(g))
                bm_or_bits(gram_roaring(g), bits, nwords);
            else
                ef_decode_bits(g->gp->ef + g->gp->ef_off[g->id], gram_card(g), bits);
            sum += gram_card(g);
            if (sum >= check) {
                uint64_t have = 0;
                size_t w;
                for (w = 0; w < nwords; w++)
                    have += popcount64(bits[w]);
                if (have >= ti->ndocs)
                    break;  /* every doc with a text: nothing to add */
                check = sum + ti->ndocs;
            }
        }
        r = bm_from_bits(bits, nwords);
        free(bits);
    } else {
        const roaring_bitmap_t **bms = xmalloc(l->n * sizeof(*bms));
        roaring_bitmap_t **own = xmalloc(l->n * sizeof(*own));
        size_t nown = 0;
        for (i = 0; i < l->n; i++) {
            bms[i] = gram_roaring(&l->refs[i]);
            if (!bms[i])
                bms[i] = own[nown++] = gram_bitmap(&l->refs[i]);
        }
        r = roaring_bitmap_or_many(l->n, bms);
        for (i = 0; i < nown; i++)
            roaring_bitmap_free(own[i]);
        free(own);
        free(bms);
    }
    free(l->refs);
    return r;
}

static roaring_bitmap_t *pieces_where(const struct textidx *ti, enum piece_test test,
                                      const char *p, size_t n)
{
    struct or_list l = { NULL, 0, 0, 0, 0 };
    size_t i;
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
                or_list_add(&l, ti, gram_piece((uint32_t)lo));
                at = ti->fpiece_off[lo + 1];
            } else {
                at = pos + 1;
            }
        }
    } else {
        for (i = 0; i < ti->npieces; i++) {
            size_t a = ti->fpiece_off[i], e = ti->fpiece_off[i + 1];
            size_t at = test == PT_ENDS_WITH ? e - n : a;
            if (test == PT_EQUALS ? e - a == n : e - a >= n)
                if (!memcmp(f + at, p, n))
                    or_list_add(&l, ti, gram_piece((uint32_t)i));
        }
    }
    return or_list_finish(&l, ti);
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
        /* the first segment ends a piece, the middle ones are pieces and
         * the last starts one; or the doc has a literal run */
        roaring_bitmap_t *s0 = pieces_where(ti, PT_ENDS_WITH, pt->p, pt->seg[1]);
        size_t j;
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
        for (j = 1; j < pt->nseg && !roaring_bitmap_is_empty(s0); j++) {
            size_t a = pt->seg[j], n = pt->seg[j + 1] - a;
            roaring_bitmap_t *c;
            if (j + 1 == pt->nseg && !n)
                break;  /* an empty last segment: anything follows */
            c = pieces_where(ti, j + 1 < pt->nseg ? PT_EQUALS : PT_STARTS_WITH, pt->p + a, n);
            roaring_bitmap_or_inplace(c, ti->litdocs);
            roaring_bitmap_and_inplace(s0, c);
            roaring_bitmap_free(c);
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

/* Ids dropped by a verification, in order. */
struct id_list {
    uint32_t *v;
    size_t n, alloc;
};

static void id_list_add(struct id_list *l, uint32_t id)
{
    ALLOC_GROW(l->v, l->n + 1, l->alloc);
    l->v[l->n++] = id;
}

static void verify(const struct textidx *ti, const struct pattern *pt, roaring_bitmap_t *bm)
{
    uint64_t card = roaring_bitmap_get_cardinality(bm);
    roaring_uint32_iterator_t it;
    struct id_list drop = { NULL, 0, 0 };
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
    roaring_init_iterator(bm, &it);
    while ((got = roaring_read_uint32_iterator(&it, buf, 1024)) > 0) {
        uint32_t i;
        if (ti->kind == TEXTIDX_PLAIN) {
            /* the stored folded text, in place. Candidates are scattered
             * over the arena, so each record is a cache miss: ask for the
             * records PREFETCH candidates ahead. */
            const unsigned char *rec[1024];
            for (i = 0; i < got; i++) {
                uint32_t d = buf[i];
                rec[i] = d < ti->nloc && ti->loc[d] ? ti->arena + (size_t)ti->loc[d] * 4 : NULL;
            }
            for (i = 0; i < got && i < PREFETCH; i++)
                if (rec[i]) {
                    __builtin_prefetch(rec[i]);
                    __builtin_prefetch(rec[i] + 63);
                }
            for (i = 0; i < got; i++) {
                size_t fl;
                const unsigned char *f;
                int hit = 0;
                if (i + PREFETCH < got && rec[i + PREFETCH]) {
                    __builtin_prefetch(rec[i + PREFETCH]);
                    __builtin_prefetch(rec[i + PREFETCH] + 63);
                }
                if (rec[i]) {
                    f = plain_folded(rec[i], &fl);
                    hit = text_has((const char *)f, fl, pt);
                }
                if (!hit)
                    id_list_add(&drop, buf[i]);
            }
        } else {
            for (i = 0; i < got; i++)
                if (!doc_matches(ti, buf[i], pt, &s, memo))
                    id_list_add(&drop, buf[i]);
        }
        if (got < 1024)
            break;
    }
    if (drop.n == card) {
        roaring_bitmap_clear(bm);
    } else if (drop.n) {
        /* only the drops are kept track of: most candidates match, and
         * memory a query touches for the first time costs page faults */
        roaring_bitmap_t *r = bm_from_sorted(drop.v, drop.n);
        roaring_bitmap_andnot_inplace(bm, r);
        roaring_bitmap_free(r);
    }
    free(drop.v);
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
    if (ti->kind == TEXTIDX_PLAIN) {
        size_t fl;
        const char *f = textidx_folded(ti, doc, s, &fl);
        return f ? gram_keys_of(f, fl, keys, alloc) : 0;
    }
    p = textidx_record(ti, doc);
    if (!p)
        return 0;
    n = varint_read(&p);
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p);
        if (v & 1) {
            ALLOC_GROW(*keys, nk + 1, *alloc);
            (*keys)[nk++] = gram_piece((uint32_t)(v >> 1));
        } else {
            size_t len = v >> 1, fl, at = 0;
            const unsigned char *f;
            uint32_t prev = UINT32_MAX;
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
                          (ti->piece_mask + 1) * sizeof(*ti->piece_slot) +
                          (ti->seen ? (ti->seen_mask + 1) * sizeof(uint32_t) : 0) +
                          (ti->fdict ? ti->dict_len + 1 + (ti->npieces + 1) * sizeof(uint32_t) : 0);
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
            p = start + plain_record_size(start);
        }
        if ((size_t)(p - ti->arena) > ti->arena_len)
            return error_set(err, "doc %zu: record of %zu bytes runs past the arena", d,
                             (size_t)(p - start));
        if (ti->kind == TEXTIDX_PLAIN && plain_record_check(start, err) != 0)
            return error_prefix(err, "doc %zu: ", d);
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
