/*
 * textidx_internal.h - what textidx.c (texts, pieces, verification) and
 * textidx_gram.c (gram tables, build, candidates) share. Not for other
 * modules: use textidx.h.
 */
#ifndef MAGNET_INDEX_TEXTIDX_INTERNAL_H
#define MAGNET_INDEX_TEXTIDX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "index/textidx.h"

/* ---- tokens: the "characters" grams are made of ----
 *
 * A valid UTF-8 sequence (shortest form, no surrogates, <= U+10FFFF) is its
 * code point; any other byte is a token of its own, TOK_BYTE + byte, and
 * decoding goes on at the next byte. Because an ASCII or lead byte always
 * starts a token, a pattern's tokens are the text's tokens wherever it
 * occurs, except at its ends (see pattern_analyze). */
#define TOK_BYTE 0x110000u

static inline uint32_t tok_decode(const unsigned char *s, size_t len, size_t *adv)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *adv = 1;
        return c;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (len >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
            uint32_t cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
                          (s[2] & 0x3F);
            if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
                *adv = 3;
                return cp;
            }
        }
    } else if (c >= 0xC2 && c <= 0xDF) {
        if (len >= 2 && (s[1] & 0xC0) == 0x80) {
            *adv = 2;
            return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        if (len >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
            (s[3] & 0xC0) == 0x80) {
            uint32_t cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                          ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
            if (cp >= 0x10000 && cp <= 0x10FFFF) {
                *adv = 4;
                return cp;
            }
        }
    }
    *adv = 1;
    return TOK_BYTE + c;
}

/* Bytes a sequence led by c needs (1 for bytes that cannot lead one). */
static inline size_t tok_need(unsigned c)
{
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 1;
}

/* The folded forms of the piece separators ; , 、 。 (；→; and ，→, by
 * chain_fold). */
static inline int tok_is_sep(uint32_t t)
{
    return t == ';' || t == ',' || t == 0x3001 || t == 0x3002;
}

/* ---- gram keys ----
 * unigram: token + 1; bigram: (a + 1) << 22 | (b + 1), which is >= 2^22 and
 * so never a unigram key; 0 is never a key. */
#define GRAM_BIGRAM_MIN (1ull << 22)
#define GRAM_PIECE (1ull << 62)  /* PIECES: the docs of dictionary piece (key & ~GRAM_PIECE) */
static inline uint64_t gram_uni(uint32_t t) { return (uint64_t)t + 1; }
static inline uint64_t gram_piece(uint32_t id) { return GRAM_PIECE | id; }
static inline uint64_t gram_bi(uint32_t a, uint32_t b)
{
    return ((uint64_t)a + 1) << 22 | ((uint64_t)b + 1);
}

/* Bits set in x. Not __builtin_popcountll: without -mpopcnt that is a
 * call into libgcc. */
static inline unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* ---- gram storage ----
 *
 * Each key's documents are either a roaring bitmap (frequent keys, and
 * every key changed since the build) or an Elias-Fano coded list in the
 * partition's arena (keys with fewer documents than the build's
 * threshold, textidx_ef.c). card[] holds the count either way. */

#define EF_PAD 8  /* readable bytes an Elias-Fano decoder may touch past a list */

/* One partition of the gram table (the build's bucket): the grams whose
 * hash's top bits say so. Local ids index keys[], card[], bms[] and
 * ef_off[]. */
struct gram_part {
    uint32_t *slot;          /* open addressing: local id + 1, 0 = empty */
    size_t mask;             /* slots - 1 */
    size_t n, alloc;         /* grams */
    uint64_t *keys;          /* by local id */
    uint32_t *card;          /* by local id: its documents */
    roaring_bitmap_t **bms;  /* by local id: its bitmap, or NULL: Elias-Fano */
    uint64_t *ef_off;        /* by local id: where its list starts in ef */
    unsigned char *ef;       /* the lists, EF_PAD bytes of slack after the last */
    size_t ef_len, ef_alloc, ef_garbage;
};

/* The partition of a gram with hash h: the top 32 bits scaled to nparts
 * (a multiply, not a division: the build asks this for every gram). The
 * slot within the partition comes from the low bits. */
static inline unsigned gram_part_of(uint64_t h, int nparts)
{
    return (unsigned)(((h >> 32) * (uint64_t)nparts) >> 32);
}

/* A gram found in the table. */
struct gram_ref {
    const struct gram_part *gp;
    uint32_t id;
};

/* ---- Elias-Fano lists and roaring conversions (textidx_ef.c) ---- */

/* Bytes at most that ef_encode writes for n sorted ids from first to last. */
size_t ef_bound(uint32_t n, uint32_t first, uint32_t last);
/* Encode v[0..n) (strictly ascending, n >= 1); returns the bytes written. */
size_t ef_encode(unsigned char *out, const uint32_t *v, uint32_t n);
/* Bytes of the list at p holding n ids. */
size_t ef_size(const unsigned char *p, uint32_t n);
/* Decode the n ids of the list at p into out. */
void ef_decode(const unsigned char *p, uint32_t n, uint32_t *out);
/* Set the bits of its ids in bits[]. */
void ef_decode_bits(const unsigned char *p, uint32_t n, uint64_t *bits);

struct ef_iter {
    const unsigned char *lo, *hi;
    uint32_t n, i, first;
    unsigned l;
    size_t base;
    uint64_t w;
};
void ef_iter_init(struct ef_iter *it, const unsigned char *p, uint32_t n);
int ef_iter_next(struct ef_iter *it, uint32_t *out);  /* 0 at the end */

/* Roaring bitmaps made container by container at once: from ascending
 * ids, and from a bit set of nwords 64-bit words. */
roaring_bitmap_t *bm_from_sorted(const uint32_t *v, size_t n);
roaring_bitmap_t *bm_from_bits(const uint64_t *words, size_t nwords);
/* OR the docs of bm below nwords * 64 into bits. */
void bm_or_bits(const roaring_bitmap_t *bm, uint64_t *bits, size_t nwords);

/* PIECES dictionary slot: enough to compare a piece without another
 * lookup. */
struct piece_slot {
    uint32_t tag;            /* high half of the piece's hash */
    uint32_t id1;            /* id + 1, 0 = empty */
    uint32_t off, len;       /* its bytes in dict */
};

struct textidx {
    enum textidx_kind kind;
    int built;

    /* Documents: loc[doc] is the record's offset in arena in 4-byte units
     * (0: no text). PLAIN record: the folded text (chain_fold) and, when
     * the original differs, a patch or a copy (textidx_plain.c). PIECES record:
     * varint item count, then items: varint (id << 1 | 1) for a dictionary
     * piece, varint (len << 1) and len bytes for a literal run of pieces
     * not in the dictionary. */
    uint32_t *loc;
    size_t nloc, aloc;          /* loc[0..nloc) valid */
    unsigned char *arena;
    size_t arena_len, arena_alloc;
    size_t garbage;             /* bytes of replaced records */
    size_t ndocs;
    roaring_bitmap_t *present;  /* docs with a text (after build) */

    /* PIECES dictionary: piece i is dict[piece_off[i]..piece_off[i+1]). */
    unsigned char *dict;
    size_t dict_len, dict_alloc;
    uint32_t *piece_off;
    size_t npieces, apieces;
    struct piece_slot *piece_slot;  /* open addressing */
    size_t piece_mask;
    uint32_t *seen;              /* bulk phase: fingerprints of pieces met once */
    size_t seen_mask, seen_fill;
    /* after build: the folded pieces (fdict[fpiece_off[i]..fpiece_off[i+1])) */
    unsigned char *fdict;
    uint32_t *fpiece_off;
    roaring_bitmap_t *litdocs;   /* PIECES: docs with a literal item */

    int nparts;
    struct gram_part *parts;
};

/* ---- shared helpers ---- */

/* A growable scratch buffer that starts on the caller's stack. */
struct scratch {
    char *p;
    size_t cap;
    char *heap;
};
void scratch_init(struct scratch *s, char *stack, size_t cap);
char *scratch_reserve(struct scratch *s, size_t need);  /* keeps nothing */
void scratch_release(struct scratch *s);

/* The doc's record, or NULL. */
const unsigned char *textidx_record(const struct textidx *ti, uint32_t doc);
static inline size_t varint_read(const unsigned char **p)
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

/* The doc's folded text and its length, or NULL when the doc has no text.
 * PLAIN: the stored bytes; PIECES: folded into s. */
const char *textidx_folded(const struct textidx *ti, uint32_t doc, struct scratch *s,
                           size_t *len);

/* PLAIN records (textidx_plain.c): the folded text and what it takes to
 * give the original back. */
size_t plain_record_max(size_t len);  /* bytes a record of a len-byte text may need */
size_t plain_record_write(unsigned char *out, const char *text, size_t len);
static inline const unsigned char *plain_folded(const unsigned char *rec, size_t *len)
{
    size_t v = 0;
    unsigned shift = 0;
    while (*rec & 0x80) {
        v |= (size_t)(*rec++ & 0x7F) << shift;
        shift += 7;
    }
    v |= (size_t)*rec++ << shift;
    *len = v >> 1;
    return rec;
}
size_t plain_record_size(const unsigned char *rec);
void plain_original(const unsigned char *rec, struct strbuf *out);
int plain_record_check(const unsigned char *rec, struct error *err);

/* Piece i's bytes. */
static inline const unsigned char *piece_bytes(const struct textidx *ti, uint32_t i, size_t *len)
{
    *len = ti->piece_off[i + 1] - ti->piece_off[i];
    return ti->dict + ti->piece_off[i];
}

/* Grams of a folded text: distinct keys, sorted, into *keys (grown). */
size_t gram_keys_of(const char *folded, size_t len, uint64_t **keys, size_t *alloc);
/* The keys a doc is posted under (PLAIN: the grams of its folded text;
 * PIECES: its pieces, the grams of its literals and the bigrams across
 * item boundaries), distinct and sorted; 0 when it has no text. */
size_t textidx_doc_keys(const struct textidx *ti, uint32_t doc, uint64_t **keys, size_t *alloc,
                        struct scratch *s);

/* textidx_gram.c */
/* Build the posting lists (and, PIECES, ti->litdocs). */
void gram_build(struct textidx *ti, int nthreads);
void gram_update(struct textidx *ti, uint32_t doc, const uint64_t *old_keys, size_t nold,
                 const uint64_t *new_keys, size_t nnew);
/* Find a gram: 1 and *ref, or 0 when no document has it. */
int gram_find(const struct textidx *ti, uint64_t key, struct gram_ref *ref);
static inline uint64_t gram_card(const struct gram_ref *r) { return r->gp->card[r->id]; }
/* Its documents as a new bitmap (caller frees). */
roaring_bitmap_t *gram_bitmap(const struct gram_ref *r);
/* *bm &= its documents. */
void gram_and(const struct gram_ref *r, roaring_bitmap_t *bm);
/* Its stored roaring bitmap, or NULL when it is Elias-Fano coded. */
static inline const roaring_bitmap_t *gram_roaring(const struct gram_ref *r)
{
    return r->gp->bms[r->id];
}
void gram_memory(const struct textidx *ti, struct textidx_mem *out);
int gram_validate(const struct textidx *ti, struct error *err);
void gram_free(struct textidx *ti);

#endif
