/*
 * textidx_gram.c - the posting lists of the text index: the documents of
 * each key, where a key is a token (unigram) or a pair of adjacent tokens
 * (bigram) of the folded text, or, for TEXTIDX_PIECES, a dictionary piece.
 * How they are stored, built in parallel, kept current and checked.
 *
 * Storage: a key with fewer documents than a threshold (65,536 at most)
 * is an Elias-Fano coded list in its partition's arena (textidx_ef.c): 2
 * bits plus log2(ids / documents) bits a document, no per-container
 * overhead. A more frequent key is a roaring bitmap (array containers cost
 * 2 bytes a document, bitsets one bit a doc id). A query turns an
 * Elias-Fano list into a roaring bitmap when it needs one, a couple of
 * nanoseconds a document; a change after the build turns the key's list
 * into a roaring bitmap for good.
 *
 * Build: see "build" below: blocks of documents, keys scattered to hash
 * buckets and posted bucket by bucket, frequent keys through bit sets.
 *
 * What a document is posted under (textidx_doc_keys): PLAIN, every
 * unigram and bigram of its folded text (the build posts a name's common
 * ending, 有限公司 and the like, as one key and expands it at the end:
 * same lists). PIECES, its dictionary pieces and the unigrams and bigrams
 * of its literal runs; the grams inside dictionary pieces are not posted
 * (a query asks the folded dictionary instead, textidx.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "chain/fold.h"
#include "index/textidx_internal.h"

/* Keys with fewer documents than ef_threshold() are Elias-Fano coded:
 * up to a document in 16 ids, at most EF_MAX documents (decoding one list
 * then costs up to ~0.2 ms; the frequent keys with more stay roaring
 * bitmaps, which a query copies or ANDs without decoding). */
#define EF_MAX 65536

static size_t ef_threshold(const struct textidx *ti)
{
    size_t t = ti->nloc / 16;
    if (t < 64)
        t = 64;
    return t < EF_MAX ? t : EF_MAX;
}

/* ---- the query-time table of one partition ---- */

static long part_find(const struct gram_part *gp, uint64_t key, uint64_t h)
{
    size_t i;
    if (!gp->slot)
        return -1;
    for (i = (size_t)h & gp->mask;; i = (i + 1) & gp->mask) {
        uint32_t s = gp->slot[i];
        if (!s)
            return -1;
        if (gp->keys[s - 1] == key)
            return (long)s - 1;
    }
}

static void part_slot_put(struct gram_part *gp, uint64_t h, uint32_t id)
{
    size_t i = (size_t)h & gp->mask;
    while (gp->slot[i])
        i = (i + 1) & gp->mask;
    gp->slot[i] = id + 1;
}

/* Make room for one more gram in the arrays and the table. */
static void part_reserve(struct gram_part *gp)
{
    if (gp->n + 1 > gp->alloc) {
        gp->alloc = gp->alloc ? gp->alloc * 2 : 64;
        gp->keys = xrealloc(gp->keys, st_mult(gp->alloc, sizeof(uint64_t)));
        gp->card = xrealloc(gp->card, st_mult(gp->alloc, sizeof(uint32_t)));
        gp->bms = xrealloc(gp->bms, st_mult(gp->alloc, sizeof(*gp->bms)));
        gp->ef_off = xrealloc(gp->ef_off, st_mult(gp->alloc, sizeof(uint64_t)));
    }
    if (!gp->slot || (gp->n + 1) * 2 > gp->mask + 1) {
        size_t old = gp->slot ? gp->mask + 1 : 0, i;
        size_t slots = old ? old * 2 : 64;
        uint32_t *was = gp->slot;
        while ((gp->n + 1) * 2 > slots)
            slots *= 2;
        gp->slot = xcalloc(slots, sizeof(*gp->slot));
        gp->mask = slots - 1;
        for (i = 0; i < old; i++)
            if (was[i])
                part_slot_put(gp, mix64(gp->keys[was[i] - 1]), was[i] - 1);
        free(was);
    }
}

/* Add a gram (not in the table yet) with an empty roaring bitmap. */
static uint32_t part_add(struct gram_part *gp, uint64_t key, uint64_t h)
{
    uint32_t id;
    part_reserve(gp);
    id = (uint32_t)gp->n++;
    gp->keys[id] = key;
    gp->card[id] = 0;
    gp->bms[id] = roaring_bitmap_create();
    gp->ef_off[id] = 0;
    part_slot_put(gp, h, id);
    return id;
}

int gram_find(const struct textidx *ti, uint64_t key, struct gram_ref *ref)
{
    uint64_t h;
    long id;
    const struct gram_part *gp;
    if (!ti->parts)
        return 0;
    h = mix64(key);
    gp = &ti->parts[gram_part_of(h, ti->nparts)];
    id = part_find(gp, key, h);
    if (id < 0 || !gp->card[id])
        return 0;
    ref->gp = gp;
    ref->id = (uint32_t)id;
    return 1;
}

roaring_bitmap_t *gram_bitmap(const struct gram_ref *r)
{
    const struct gram_part *gp = r->gp;
    uint32_t n = gp->card[r->id], stack[512], *v;
    roaring_bitmap_t *bm;
    if (gp->bms[r->id])
        return roaring_bitmap_copy(gp->bms[r->id]);
    v = n <= 512 ? stack : xmalloc((size_t)n * sizeof(uint32_t));
    ef_decode(gp->ef + gp->ef_off[r->id], n, v);
    bm = bm_from_sorted(v, n);
    if (v != stack)
        free(v);
    return bm;
}

void gram_and(const struct gram_ref *r, roaring_bitmap_t *bm)
{
    roaring_bitmap_t *g;
    if (r->gp->bms[r->id]) {
        roaring_bitmap_and_inplace(bm, r->gp->bms[r->id]);
        return;
    }
    g = gram_bitmap(r);
    roaring_bitmap_and_inplace(bm, g);
    roaring_bitmap_free(g);
}

/* ---- build ----
 *
 * Radix-partitioned, so that postings do not wait on memory. Documents go
 * in blocks of 2^10 to 2^18 ids. Pass 1 (threads split the block's ids at
 * multiples of 64) computes each document's keys. A frequent key (one in
 * 128 docs or more, seen so far) gets its bit set in the block's bit set
 * of that key; any other key's (key, doc) pair, packed in 64 bits, goes
 * to one of up to 256 buckets (by hash; a few hundred array ends stay in
 * cache). Pass 2 (threads split the buckets) reads each bucket's pairs,
 * in doc order, and appends them to the lists through the bucket's own
 * table: a few hundred keys, in L2 with the ends of their lists. Then
 * each frequent key's block bit set becomes roaring containers, appended
 * to its list. The buckets are the partitions queries look keys up in.
 * The old build (a partition of keys per thread, every thread reading
 * every document, a hash probe and a cache miss or two per posting) took
 * 13 CPU s for 10M names; this one about 3.5.
 *
 * A list under construction is either varint gaps (struct bslot) or, once
 * frequent, roaring containers (struct freq); at the end each becomes an
 * Elias-Fano list or a roaring bitmap at once. */

#define MAX_THREADS 16
#define MAX_BUCKET_BITS 8
#define PIECE_BIT (1ull << 44)  /* a packed key: piece id | PIECE_BIT, else the key */
#define FREQ UINT32_MAX         /* bslot.cap of a frequent key: p is its struct freq */
#define FREQ_MAX 4096           /* frequent keys at most (a block bit set each), */
#define FREQ_BYTES (64u << 20)  /* and their block bit sets take this much at most */
#define FREQ_MIN 1024           /* a key is frequent from this many postings */
#define FREQ_RATIO 128          /* and one in this many docs so far */
#define AHEAD 8                 /* pass 2: pairs hashed and their slots asked for ahead */

/* A key's build state, which is also its slot in its bucket's table. */
struct bslot {
    uint64_t key;        /* 0: empty slot */
    uint32_t last;       /* doc + 1 of the last posting, 0: none */
    uint32_t n;          /* postings (gaps) */
    uint32_t len, cap;   /* bytes of gaps in p; cap FREQ: p is a struct freq */
    unsigned char *p;
};

/* A frequent key's list: roaring containers so far (u16 chunk, u16
 * cardinality - 1, then the u16 values, or an 8192-byte bit set past 4096
 * of them), and the current block's docs, which pass 1 sets. */
struct freq {
    uint64_t key;
    uint64_t *bits;      /* bit (doc - block) */
    unsigned char *c;
    size_t len, cap;
    size_t open_at;      /* the last container, while it may grow */
    uint32_t open_n;     /* its values so far, 0: none open */
    uint16_t open_key;
    uint32_t ncont;
};

struct bucket {
    struct bslot *tab;
    size_t mask, used;
};

/* One thread's pass 1 output, and its scratch. */
struct scatter {
    uint64_t *v[1 << MAX_BUCKET_BITS];
    size_t n[1 << MAX_BUCKET_BITS], alloc[1 << MAX_BUCKET_BITS];
    struct scratch s;
    char stack[4096];
    uint64_t *went;      /* pass 2: keys that became frequent */
    size_t nwent, awent;
    uint32_t *vals;      /* one list's ids */
    size_t avals;
};

/* The frequent keys, for pass 1 (read-only there): every key of every
 * document is looked up here, so the table is small (a few KiB) and holds
 * each key's block bit set. (A matrix with a row per 64 docs and a column
 * per key, so that a document's bits share a few lines, measured slower.) */
struct freq_set {
    uint64_t *key;       /* open addressing: packed key, 0 = empty */
    uint64_t **bits;
    size_t mask;
    struct freq **all;   /* in order of promotion */
    size_t n;
};

struct build {
    struct textidx *ti;
    int nthreads;
    unsigned bucket_bits, block_bits;
    size_t nbuckets;
    size_t threshold;    /* lists this long become roaring bitmaps */
    uint32_t block;      /* first doc of the current block */
    uint32_t block_end;
    size_t freq_max;     /* frequent keys at most */
    uint64_t *lit;       /* PIECES: the docs with a literal run, a bit set */
    struct freq_set fs;
    struct bucket *bk;
    struct scatter *sc;  /* by thread */
};

static uint64_t pack_key(uint64_t key)
{
    return key & GRAM_PIECE ? PIECE_BIT | (key & ~GRAM_PIECE) : key;
}

static uint64_t unpack_key(uint64_t k)
{
    return k & PIECE_BIT ? GRAM_PIECE | (k & ~PIECE_BIT) : k;
}

/* Nine names in ten end with one of these (folded). Such a name posts one
 * key for its ending instead of the ending's 7 or 11 grams (有 限 公 司
 * 有限 限公 公司 ...), and before the lists are finished the ending's docs
 * are added to each of those grams: the lists come out as if each name
 * had posted them. The ending starts with a lead byte, so the name's
 * tokens are the body's tokens, then the ending's. Longest first. */
static const char *const name_endings[] = { "有限责任公司", "有限公司" };
static const size_t name_ending_len[] = { sizeof("有限责任公司") - 1, sizeof("有限公司") - 1 };
#define NENDINGS (sizeof(name_endings) / sizeof(name_endings[0]))
#define ENDING_KEY(k) (GRAM_PIECE | (0xFFFFFF00u + (uint32_t)(k)))  /* no piece has such an id */

static int is_ending_key(uint64_t key)
{
    return key >= ENDING_KEY(0) && key < ENDING_KEY(NENDINGS);
}

/* ---- pass 1 ---- */

static void scatter_grow(struct scatter *sc, size_t b)
{
    sc->alloc[b] = sc->alloc[b] ? sc->alloc[b] * 2 : 1024;
    sc->v[b] = xrealloc(sc->v[b], sc->alloc[b] * sizeof(uint64_t));
}

/* Post doc (an offset in the block) under key. Every key of every
 * document comes here: kept small, so that it inlines. */
static inline __attribute__((always_inline)) void emit(const struct build *bd,
                                                        struct scatter *sc, uint64_t key,
                                                        uint32_t off)
{
    uint64_t h = mix64(key), pk = pack_key(key), e;
    size_t b = bd->bucket_bits ? (size_t)(h >> (64 - bd->bucket_bits)) : 0, i;
    for (i = (size_t)h & bd->fs.mask; (e = bd->fs.key[i]) != 0; i = (i + 1) & bd->fs.mask)
        if (e == pk) {
            bd->fs.bits[i][off >> 6] |= 1ull << (off & 63);
            return;
        }
    if (sc->n[b] == sc->alloc[b])
        scatter_grow(sc, b);
    sc->v[b][sc->n[b]++] = pk << bd->block_bits | off;
}

/* The grams of folded text s[0..len); *prev is the token before it
 * (UINT32_MAX at the start of a document) and becomes its last token. */
static void emit_text(const struct build *bd, struct scatter *sc, const unsigned char *s,
                      size_t len, uint32_t off, uint32_t *prev)
{
    size_t i = 0;
    uint32_t p = *prev;
    while (i < len) {
        size_t adv;
        uint32_t t = s[i] < 0x80 ? (adv = 1, s[i]) : tok_decode(s + i, len - i, &adv);
        emit(bd, sc, gram_uni(t), off);
        if (p != UINT32_MAX)
            emit(bd, sc, gram_bi(p, t), off);
        p = t;
        i += adv;
    }
    *prev = p;
}

/* A scope's keys: its pieces and the grams of its literal runs. */
static void emit_pieces_doc(const struct build *bd, struct scatter *sc, uint32_t doc)
{
    const struct textidx *ti = bd->ti;
    const unsigned char *p = textidx_record(ti, doc);
    size_t n = varint_read(&p), i;
    uint32_t off = doc - bd->block;
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p);
        if (v & 1) {
            emit(bd, sc, gram_piece((uint32_t)(v >> 1)), off);
        } else {
            size_t len = v >> 1;
            size_t fl = chain_fold((const char *)p, len, scratch_reserve(&sc->s, len + 1));
            uint32_t prev = UINT32_MAX;
            bd->lit[doc >> 6] |= 1ull << (doc & 63);  /* doc ranges split at multiples of 64 */
            emit_text(bd, sc, (const unsigned char *)sc->s.p, fl, off, &prev);
            p += len;
        }
    }
}

static void pass1(struct build *bd, int t)
{
    const struct textidx *ti = bd->ti;
    struct scatter *sc = &bd->sc[t];
    size_t span = bd->block_end - bd->block, lo, hi, d;
    /* split at multiples of 64, so that no two threads write one word of
     * a bit set */
    lo = bd->block + ((span * (size_t)t / (size_t)bd->nthreads) & ~(size_t)63);
    hi = t + 1 == bd->nthreads
             ? bd->block_end
             : bd->block + ((span * (size_t)(t + 1) / (size_t)bd->nthreads) & ~(size_t)63);
    for (d = lo; d < hi; d++) {
        if (!ti->loc[d])
            continue;
        if (ti->kind == TEXTIDX_PIECES) {
            emit_pieces_doc(bd, sc, (uint32_t)d);
        } else {
            size_t fl, k;
            const unsigned char *f = plain_folded(textidx_record(ti, (uint32_t)d), &fl);
            uint32_t prev = UINT32_MAX, off = (uint32_t)(d - bd->block);
            for (k = 0; k < NENDINGS; k++) {
                size_t el = name_ending_len[k];
                if (fl >= el && !memcmp(f + fl - el, name_endings[k], el))
                    break;
            }
            if (k == NENDINGS) {
                emit_text(bd, sc, f, fl, off, &prev);
                continue;
            }
            emit_text(bd, sc, f, fl - name_ending_len[k], off, &prev);
            if (prev != UINT32_MAX) {
                size_t adv;
                emit(bd, sc, gram_bi(prev, tok_decode((const unsigned char *)name_endings[k],
                                                      name_ending_len[k], &adv)), off);
            }
            emit(bd, sc, ENDING_KEY(k), off);
        }
    }
}

/* ---- pass 2 ---- */

static void bucket_grow(struct bucket *bk)
{
    size_t old = bk->tab ? bk->mask + 1 : 0, slots = old ? old * 2 : 64, i;
    struct bslot *was = bk->tab;
    bk->tab = xcalloc(slots, sizeof(*bk->tab));
    bk->mask = slots - 1;
    for (i = 0; i < old; i++)
        if (was[i].key) {
            size_t j = (size_t)mix64(was[i].key) & bk->mask;
            while (bk->tab[j].key)
                j = (j + 1) & bk->mask;
            bk->tab[j] = was[i];
        }
    free(was);
}

/* The slot of key, whose hash is h (claimed if new). */
static inline struct bslot *bucket_slot(struct bucket *bk, uint64_t key, uint64_t h)
{
    size_t i = (size_t)h & bk->mask;
    for (;; i = (i + 1) & bk->mask) {
        struct bslot *s = &bk->tab[i];
        if (s->key == key)
            return s;
        if (!s->key) {
            if ((bk->used + 1) * 2 > bk->mask + 1) {
                bucket_grow(bk);
                return bucket_slot(bk, key, h);
            }
            s->key = key;
            bk->used++;
            return s;
        }
    }
}

/* The gaps are prefix varints: k bytes (1..5) whose low k - 1 bits are
 * ones and the next a zero, then the gap in the 7k bits above. One
 * unaligned 8-byte store writes one and one load reads it, without the
 * byte loop of a plain varint and its mispredicted branches; a list's
 * buffer keeps 8 bytes of room past its end. A gap is doc - previous
 * doc - 1; the first is the doc. */
static inline size_t gap_put(unsigned char *p, uint32_t v)
{
    unsigned bits = 64 - (unsigned)__builtin_clzll((uint64_t)v | 1);
    size_t k = 1 + (bits - 1) / 7;
    uint64_t e = (uint64_t)v << k | ((1ull << (k - 1)) - 1);
    memcpy(p, &e, 8);
    return k;
}

static inline uint32_t gap_get(const unsigned char **pp)
{
    uint64_t w;
    unsigned k;
    memcpy(&w, *pp, 8);
    k = (unsigned)__builtin_ctzll(~w) + 1;
    *pp += k;
    return (uint32_t)((w >> k) & ((1ull << (7 * k)) - 1));
}

static inline void append(const struct build *bd, struct scatter *sc, struct bslot *s,
                          uint32_t doc)
{
    if (s->last == doc + 1)
        return;  /* once per document */
    if (s->len + 8 > s->cap) {
        size_t cap = s->cap ? (size_t)s->cap * 2 : 16;
        if (cap >= FREQ) {
            fprintf(stderr, "fatal: text index list over 4 GiB\n");
            abort();
        }
        s->p = xrealloc(s->p, cap);
        s->cap = (uint32_t)cap;
        /* growing is rare: a good time to see if the key is frequent */
        if (s->n >= FREQ_MIN && (uint64_t)s->n * FREQ_RATIO >= (uint64_t)doc + 1) {
            ALLOC_GROW(sc->went, sc->nwent + 1, sc->awent);
            sc->went[sc->nwent++] = s->key;
        }
    }
    s->len += (uint32_t)gap_put(s->p + s->len, doc - s->last);
    s->last = doc + 1;
    s->n++;
}

static void pass2(struct build *bd, int t)
{
    size_t b;
    uint64_t mask = ((uint64_t)1 << bd->block_bits) - 1;
    int s;
    for (b = (size_t)t; b < bd->nbuckets; b += (size_t)bd->nthreads) {
        struct bucket *bk = &bd->bk[b];
        for (s = 0; s < bd->nthreads; s++) {
            struct scatter *sc = &bd->sc[s];
            const uint64_t *v = sc->v[b];
            size_t i, n = sc->n[b];
            uint64_t ring[AHEAD];
            /* the bucket's table is in L2, not L1: hash each pair and ask
             * for its slot AHEAD pairs early */
            for (i = 0; i < n && i < AHEAD; i++) {
                ring[i] = mix64(unpack_key(v[i] >> bd->block_bits));
                __builtin_prefetch(&bk->tab[(size_t)ring[i] & bk->mask]);
            }
            for (i = 0; i < n; i++) {
                uint64_t key = unpack_key(v[i] >> bd->block_bits), h = ring[i % AHEAD];
                if (i + AHEAD < n) {
                    uint64_t h2 = mix64(unpack_key(v[i + AHEAD] >> bd->block_bits));
                    ring[i % AHEAD] = h2;
                    __builtin_prefetch(&bk->tab[(size_t)h2 & bk->mask]);
                }
                if (i + AHEAD / 2 < n) {
                    /* half-way, the end of its list too (when its slot is
                     * the first probed, as it mostly is) */
                    const struct bslot *s2 = &bk->tab[(size_t)ring[(i + AHEAD / 2) % AHEAD] & bk->mask];
                    if (s2->p)
                        __builtin_prefetch(s2->p + s2->len, 1);
                }
                append(bd, &bd->sc[t], bucket_slot(bk, key, h), bd->block + (uint32_t)(v[i] & mask));
            }
            sc->n[b] = 0;
        }
    }
}

/* ---- frequent keys: roaring containers ---- */

static unsigned char *freq_room(struct freq *f, size_t need)
{
    if (f->len + need > f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 256;
        while (cap < f->len + need)
            cap *= 2;
        f->c = xrealloc(f->c, cap);
        f->cap = cap;
    }
    return f->c + f->len;
}

/* Finish the open container: its cardinality, and a bit set when it holds
 * more than 4096 values (which then takes less room than the array). */
static void freq_close(struct freq *f)
{
    uint16_t card;
    if (!f->open_n)
        return;
    card = (uint16_t)(f->open_n - 1);
    memcpy(f->c + f->open_at + 2, &card, 2);
    if (f->open_n > 4096) {
        uint64_t words[1024];
        const unsigned char *v = f->c + f->open_at + 4;
        size_t i;
        memset(words, 0, sizeof(words));
        for (i = 0; i < f->open_n; i++) {
            uint16_t x;
            memcpy(&x, v + 2 * i, 2);
            words[x >> 6] |= (uint64_t)1 << (x & 63);
        }
        memcpy(f->c + f->open_at + 4, words, sizeof(words));
        f->len = f->open_at + 4 + 8192;
    }
    f->ncont++;
    f->open_n = 0;
}

/* Append docs[0..n) (ascending, after every doc so far). */
static void freq_add(struct freq *f, const uint32_t *docs, size_t n)
{
    while (n) {
        uint16_t key = (uint16_t)(docs[0] >> 16);
        size_t k = 1, i;
        unsigned char *w;
        while (k < n && docs[k] >> 16 == key)
            k++;
        if (f->open_n && f->open_key != key)
            freq_close(f);
        if (!f->open_n) {
            w = freq_room(f, 4);
            memcpy(w, &key, 2);
            f->open_at = f->len;
            f->open_key = key;
            f->len += 4;
        }
        w = freq_room(f, 2 * k);
        for (i = 0; i < k; i++) {
            uint16_t x = (uint16_t)docs[i];
            memcpy(w + 2 * i, &x, 2);
        }
        f->len += 2 * k;
        f->open_n += (uint32_t)k;
        docs += k;
        n -= k;
    }
}

/* Move the block's bits into containers and clear them. */
static void freq_flush(struct build *bd, struct scatter *sc, struct freq *f)
{
    size_t nwords = ((size_t)(bd->block_end - bd->block) + 63) / 64, i, n = 0, c;
    if (bd->block_bits >= 16) {
        /* whole chunks: a container each, at once */
        freq_close(f);
        for (c = 0; c * 1024 < nwords; c++) {
            const uint64_t *w = f->bits + c * 1024;
            size_t e = nwords - c * 1024 < 1024 ? nwords - c * 1024 : 1024;
            uint32_t card = 0;
            uint16_t head[2];
            unsigned char *o;
            for (i = 0; i < e; i++)
                card += popcount64(w[i]);
            if (!card)
                continue;
            head[0] = (uint16_t)((bd->block >> 16) + c);
            head[1] = (uint16_t)(card - 1);
            o = freq_room(f, 4 + (card > 4096 ? 8192 : 2 * (size_t)card));
            memcpy(o, head, 4);
            o += 4;
            if (card > 4096) {
                memset(o, 0, 8192);
                memcpy(o, w, e * 8);
                f->len += 4 + 8192;
            } else {
                for (i = 0; i < e; i++) {
                    uint64_t x = w[i];
                    while (x) {
                        uint16_t v = (uint16_t)(i * 64 + (size_t)__builtin_ctzll(x));
                        memcpy(o, &v, 2);
                        o += 2;
                        x &= x - 1;
                    }
                }
                f->len += 4 + 2 * (size_t)card;
            }
            f->ncont++;
        }
        memset(f->bits, 0, nwords * 8);
        return;
    }
    /* a block smaller than a chunk: through the open container */
    for (i = 0; i < nwords; i++) {
        uint64_t x = f->bits[i];
        while (x) {
            if (n == sc->avals) {
                sc->avals = sc->avals ? sc->avals * 2 : 1024;
                sc->vals = xrealloc(sc->vals, sc->avals * sizeof(uint32_t));
            }
            sc->vals[n++] = bd->block + (uint32_t)(i * 64 + (size_t)__builtin_ctzll(x));
            x &= x - 1;
        }
        f->bits[i] = 0;
    }
    freq_add(f, sc->vals, n);
}

static void flush_all(struct build *bd, int t)
{
    size_t i;
    for (i = (size_t)t; i < bd->fs.n; i += (size_t)bd->nthreads)
        freq_flush(bd, &bd->sc[t], bd->fs.all[i]);
}

/* The ids of a list, into sc->vals; its length. */
static size_t list_ids(struct scatter *sc, const struct bslot *s)
{
    size_t n = 0;
    if (s->cap == FREQ) {
        const struct freq *f = (const struct freq *)(const void *)s->p;
        const unsigned char *c = f->c, *end = f->c + f->len;
        size_t total = 0;
        while (c < end) {  /* count first */
            uint16_t head[2];
            memcpy(head, c, 4);
            total += (size_t)head[1] + 1;
            c += 4 + (head[1] + 1u > 4096 ? 8192 : 2 * ((size_t)head[1] + 1));
        }
        if (total > sc->avals) {
            free(sc->vals);
            sc->avals = total;
            sc->vals = xmalloc(total * sizeof(uint32_t));
        }
        for (c = f->c; c < end;) {
            uint16_t head[2];
            size_t card, k;
            memcpy(head, c, 4);
            card = (size_t)head[1] + 1;
            c += 4;
            if (card > 4096) {
                for (k = 0; k < 1024; k++) {
                    uint64_t x;
                    memcpy(&x, c + 8 * k, 8);
                    while (x) {
                        sc->vals[n++] = (uint32_t)head[0] << 16 | (uint32_t)(k * 64 + (size_t)__builtin_ctzll(x));
                        x &= x - 1;
                    }
                }
                c += 8192;
            } else {
                for (k = 0; k < card; k++) {
                    uint16_t x;
                    memcpy(&x, c + 2 * k, 2);
                    sc->vals[n++] = (uint32_t)head[0] << 16 | x;
                }
                c += 2 * card;
            }
        }
        return n;
    }
    if (s->n > sc->avals) {
        free(sc->vals);
        sc->avals = s->n;
        sc->vals = xmalloc(sc->avals * sizeof(uint32_t));
    }
    {
        const unsigned char *p = s->p, *end = s->p + s->len;
        uint32_t next = 0;
        while (p < end) {
            uint32_t d = next + gap_get(&p);
            sc->vals[n++] = d;
            next = d + 1;
        }
    }
    return n;
}

/* A frequent key's containers as a roaring bitmap, through roaring's
 * portable format (cookie 12346: no run containers; key and cardinality
 * - 1 per container; an offset per container; the data), so each
 * container is made at once. */
static roaring_bitmap_t *freq_bitmap(const struct freq *f)
{
    size_t hdr = 8 + 8 * (size_t)f->ncont, total = hdr + f->len - 4 * (size_t)f->ncont;
    size_t at = 0, off = hdr, i;
    unsigned char *w = xmalloc(total);
    uint32_t word = 12346;
    roaring_bitmap_t *r;
    memcpy(w, &word, 4);
    word = f->ncont;
    memcpy(w + 4, &word, 4);
    for (i = 0; i < f->ncont; i++) {
        uint16_t head[2];
        size_t n;
        uint32_t o = (uint32_t)off;
        memcpy(head, f->c + at, 4);
        n = (size_t)head[1] + 1;
        n = n <= 4096 ? 2 * n : 8192;
        memcpy(w + 8 + 4 * i, head, 4);
        memcpy(w + 8 + 4 * (size_t)f->ncont + 4 * i, &o, 4);
        memcpy(w + off, f->c + at + 4, n);
        off += n;
        at += 4 + n;
    }
    r = roaring_bitmap_portable_deserialize_safe((const char *)w, total);
    if (!r) {
        fprintf(stderr, "fatal: text index: roaring refused a bitmap it should read\n");
        abort();
    }
    free(w);
    return r;
}

/* (Re)build the frequent keys' table, at most a quarter full (a key that
 * is not in it, most are not, ends its probe at once). */
static void freq_set_index(struct freq_set *fs)
{
    size_t slots = 16, k;
    while (slots < 4 * fs->n)
        slots *= 2;
    if (slots != fs->mask + 1) {
        free(fs->key);
        free(fs->bits);
        fs->key = xmalloc(slots * sizeof(uint64_t));
        fs->bits = xmalloc(slots * sizeof(*fs->bits));
        fs->mask = slots - 1;
    }
    memset(fs->key, 0, slots * sizeof(uint64_t));
    for (k = 0; k < fs->n; k++) {
        size_t i;
        for (i = (size_t)mix64(fs->all[k]->key) & fs->mask; fs->key[i]; i = (i + 1) & fs->mask)
            ;
        fs->key[i] = pack_key(fs->all[k]->key);
        fs->bits[i] = fs->all[k]->bits;
    }
}

/* Make the keys pass 2 found frequent frequent: their lists so far into
 * containers, and pass 1 posts them from the next block on. */
static void promote(struct build *bd)
{
    int t;
    size_t k, was = bd->fs.n;
    for (t = 0; t < bd->nthreads; t++) {
        struct scatter *sc = &bd->sc[t];
        for (k = 0; k < sc->nwent; k++) {
            uint64_t key = sc->went[k], h = mix64(key);
            struct bucket *bk = &bd->bk[bd->bucket_bits ? (size_t)(h >> (64 - bd->bucket_bits)) : 0];
            struct bslot *s = bucket_slot(bk, key, h);
            struct freq *f;
            size_t n;
            if (s->cap == FREQ || bd->fs.n >= bd->freq_max)
                continue;
            f = xcalloc(1, sizeof(*f));
            f->key = key;
            f->bits = xcalloc(((size_t)1 << bd->block_bits) / 64, sizeof(uint64_t));
            n = list_ids(sc, s);
            freq_add(f, sc->vals, n);
            if (bd->block_bits >= 16)
                freq_close(f);  /* the next block starts a chunk */
            free(s->p);
            s->p = (unsigned char *)f;
            s->cap = FREQ;
            s->len = 0;
            bd->fs.all[bd->fs.n++] = f;
        }
        sc->nwent = 0;
    }
    if (bd->fs.n != was)
        freq_set_index(&bd->fs);
}

/* ---- the end ---- */

/* Set the bits of a list's docs in bits[] (nwords words: every doc id). */
static void list_bits(struct bslot *s, uint64_t *bits, size_t nwords)
{
    if (s->cap == FREQ) {
        struct freq *f = (struct freq *)(void *)s->p;
        const unsigned char *c, *end;
        freq_close(f);
        c = f->c;
        end = f->c + f->len;
        while (c < end) {
            uint16_t head[2];
            size_t card, k;
            memcpy(head, c, 4);
            card = (size_t)head[1] + 1;
            c += 4;
            if (card > 4096) {
                /* the last chunk's bit set runs past the last id */
                size_t base = (size_t)head[0] * 1024;
                for (k = 0; k < 1024 && base + k < nwords; k++) {
                    uint64_t x;
                    memcpy(&x, c + 8 * k, 8);
                    bits[base + k] |= x;
                }
                c += 8192;
            } else {
                for (k = 0; k < card; k++) {
                    uint16_t x;
                    uint32_t d;
                    memcpy(&x, c + 2 * k, 2);
                    d = (uint32_t)head[0] << 16 | x;
                    bits[d >> 6] |= 1ull << (d & 63);
                }
                c += 2 * card;
            }
        }
    } else if (s->p) {
        const unsigned char *p = s->p, *end = s->p + s->len;
        uint32_t next = 0;
        while (p < end) {
            uint32_t d = next + gap_get(&p);
            bits[d >> 6] |= 1ull << (d & 63);
            next = d + 1;
        }
    }
}

/* Replace a list by the docs of bits[] (nwords words), as containers. */
static void list_set_bits(struct bslot *s, const uint64_t *bits, size_t nwords)
{
    struct freq *f;
    size_t c;
    if (s->cap == FREQ) {
        f = (struct freq *)(void *)s->p;
        f->len = 0;
        f->ncont = 0;
        f->open_n = 0;
    } else {
        free(s->p);
        f = xcalloc(1, sizeof(*f));
        f->key = s->key;
        s->p = (unsigned char *)f;
        s->cap = FREQ;
        s->len = 0;
    }
    for (c = 0; c * 1024 < nwords; c++) {
        const uint64_t *w = bits + c * 1024;
        size_t e = nwords - c * 1024 < 1024 ? nwords - c * 1024 : 1024, k;
        uint32_t card = 0;
        uint16_t head[2];
        unsigned char *o;
        for (k = 0; k < e; k++)
            card += popcount64(w[k]);
        if (!card)
            continue;
        head[0] = (uint16_t)c;
        head[1] = (uint16_t)(card - 1);
        o = freq_room(f, 4 + (card > 4096 ? 8192 : 2 * (size_t)card));
        memcpy(o, head, 4);
        o += 4;
        if (card > 4096) {
            memset(o, 0, 8192);
            memcpy(o, w, e * 8);
            f->len += 4 + 8192;
        } else {
            for (k = 0; k < e; k++) {
                uint64_t x = w[k];
                while (x) {
                    uint16_t v = (uint16_t)(k * 64 + (size_t)__builtin_ctzll(x));
                    memcpy(o, &v, 2);
                    o += 2;
                    x &= x - 1;
                }
            }
            f->len += 4 + 2 * (size_t)card;
        }
        f->ncont++;
    }
}

static struct bslot *key_slot(struct build *bd, uint64_t key, int create)
{
    uint64_t h = mix64(key);
    struct bucket *bk = &bd->bk[bd->bucket_bits ? (size_t)(h >> (64 - bd->bucket_bits)) : 0];
    size_t i;
    if (create)
        return bucket_slot(bk, key, h);
    for (i = (size_t)h & bk->mask; bk->tab[i].key; i = (i + 1) & bk->mask)
        if (bk->tab[i].key == key)
            return &bk->tab[i];
    return NULL;
}

/* Add the docs of each name ending to the ending's grams (see
 * name_endings). */
static void expand_endings(struct build *bd)
{
    size_t nwords = (bd->ti->nloc + 63) / 64, k;
    uint64_t *ending = NULL, *bits = NULL;
    for (k = 0; k < NENDINGS; k++) {
        struct bslot *e = key_slot(bd, ENDING_KEY(k), 0);
        uint64_t *keys = NULL;
        size_t akeys = 0, n, j;
        if (!e)
            continue;
        if (!ending) {
            ending = xmalloc(nwords * sizeof(uint64_t));
            bits = xmalloc(nwords * sizeof(uint64_t));
        }
        memset(ending, 0, nwords * sizeof(uint64_t));
        list_bits(e, ending, nwords);
        n = gram_keys_of(name_endings[k], strlen(name_endings[k]), &keys, &akeys);
        for (j = 0; j < n; j++) {
            struct bslot *g = key_slot(bd, keys[j], 1);
            memcpy(bits, ending, nwords * sizeof(uint64_t));
            list_bits(g, bits, nwords);
            list_set_bits(g, bits, nwords);
        }
        free(keys);
    }
    free(ending);
    free(bits);
}

/* Turn every list of bucket b into its final form, in partition b. */
static void finish_bucket(struct build *bd, struct scatter *sc, size_t b)
{
    struct bucket *bk = &bd->bk[b];
    struct gram_part *gp = &bd->ti->parts[b];
    size_t i, slots = bk->tab ? bk->mask + 1 : 0;
    for (i = 0; i < slots; i++) {
        struct bslot *s = &bk->tab[i];
        struct freq *f = s->cap == FREQ ? (struct freq *)(void *)s->p : NULL;
        uint64_t n = s->n;
        uint32_t id;
        if (!s->key)
            continue;
        if (f) {
            const unsigned char *c, *end;
            freq_close(f);
            end = f->c + f->len;
            for (n = 0, c = f->c; c < end;) {
                uint16_t head[2];
                memcpy(head, c, 4);
                n += (size_t)head[1] + 1;
                c += 4 + (head[1] + 1u > 4096 ? 8192 : 2 * ((size_t)head[1] + 1));
            }
        }
        if (is_ending_key(s->key) || !n) {
            /* expanded into its grams; or nothing (cannot happen) */
            if (f) {
                free(f->c);
                free(f->bits);
                free(f);
            } else {
                free(s->p);
            }
            continue;
        }
        part_reserve(gp);
        id = (uint32_t)gp->n++;
        gp->keys[id] = s->key;
        gp->card[id] = (uint32_t)n;
        gp->ef_off[id] = 0;
        part_slot_put(gp, mix64(s->key), id);
        if (n >= bd->threshold && f) {
            gp->bms[id] = freq_bitmap(f);
        } else {
            size_t got = list_ids(sc, s);
            const uint32_t *v = sc->vals;
            if (n >= bd->threshold) {
                gp->bms[id] = bm_from_sorted(v, got);
            } else {
                size_t need = ef_bound((uint32_t)got, v[0], v[got - 1]);
                if (gp->ef_len + need + EF_PAD > gp->ef_alloc) {
                    size_t a = gp->ef_alloc ? gp->ef_alloc * 2 : 4096;
                    while (a < gp->ef_len + need + EF_PAD)
                        a *= 2;
                    gp->ef = xrealloc(gp->ef, a);
                    gp->ef_alloc = a;
                }
                gp->bms[id] = NULL;
                gp->ef_off[id] = gp->ef_len;
                gp->ef_len += ef_encode(gp->ef + gp->ef_len, v, (uint32_t)got);
            }
        }
        if (gp->bms[id]) {
            roaring_bitmap_run_optimize(gp->bms[id]);
            roaring_bitmap_shrink_to_fit(gp->bms[id]);
        }
        if (f) {
            free(f->c);
            free(f->bits);
            free(f);
        } else {
            free(s->p);
        }
    }
    free(bk->tab);
    bk->tab = NULL;
    if (gp->ef) {
        gp->ef_alloc = gp->ef_len + EF_PAD;
        gp->ef = xrealloc(gp->ef, gp->ef_alloc);
        memset(gp->ef + gp->ef_len, 0, EF_PAD);
    }
    if (gp->alloc > gp->n && gp->n) {
        gp->alloc = gp->n;
        gp->keys = xrealloc(gp->keys, gp->alloc * sizeof(uint64_t));
        gp->card = xrealloc(gp->card, gp->alloc * sizeof(uint32_t));
        gp->bms = xrealloc(gp->bms, gp->alloc * sizeof(*gp->bms));
        gp->ef_off = xrealloc(gp->ef_off, gp->alloc * sizeof(uint64_t));
    }
}

static void finish(struct build *bd, int t)
{
    size_t b;
    for (b = (size_t)t; b < bd->nbuckets; b += (size_t)bd->nthreads)
        finish_bucket(bd, &bd->sc[t], b);
}

struct job {
    struct build *bd;
    void (*fn)(struct build *, int);
    int t;
};

static void *job_main(void *arg)
{
    struct job *j = arg;
    j->fn(j->bd, j->t);
    return NULL;
}

/* fn(bd, t) for every thread t, in parallel. */
static void run_parallel(struct build *bd, void (*fn)(struct build *, int))
{
    pthread_t th[MAX_THREADS];
    struct job jobs[MAX_THREADS];
    int t, started[MAX_THREADS] = { 0 };
    for (t = 1; t < bd->nthreads; t++) {
        jobs[t].bd = bd;
        jobs[t].fn = fn;
        jobs[t].t = t;
        started[t] = pthread_create(&th[t], NULL, job_main, &jobs[t]) == 0;
    }
    fn(bd, 0);
    for (t = 1; t < bd->nthreads; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            fn(bd, t);  /* no thread to be had: do it here */
    }
}

static unsigned log2_ceil(size_t x)
{
    unsigned b = 0;
    while (((size_t)1 << b) < x)
        b++;
    return b;
}

void gram_build(struct textidx *ti, int nthreads)
{
    struct build bd;
    size_t b, nwords = (ti->nloc + 63) / 64;
    int t;

    memset(&bd, 0, sizeof(bd));
    bd.ti = ti;
    bd.nthreads = nthreads > MAX_THREADS ? MAX_THREADS : nthreads;
    /* a bucket per 256 docs or so, so that small indexes stay small */
    bd.bucket_bits = log2_ceil(ti->ndocs / 256 + 1);
    if (bd.bucket_bits > MAX_BUCKET_BITS)
        bd.bucket_bits = MAX_BUCKET_BITS;
    bd.nbuckets = (size_t)1 << bd.bucket_bits;
    /* blocks of an eighth of the ids, 2^10 to 2^18: larger blocks give pass
     * 2 more pairs for each key whose lines it brings into cache */
    bd.block_bits = log2_ceil(ti->nloc / 8 + 1);
    if (bd.block_bits < 10)
        bd.block_bits = 10;
    if (bd.block_bits > 18)
        bd.block_bits = 18;
    bd.threshold = ef_threshold(ti);
    bd.freq_max = FREQ_BYTES / (((size_t)1 << bd.block_bits) / 8);
    if (bd.freq_max > FREQ_MAX)
        bd.freq_max = FREQ_MAX;
    bd.fs.all = xcalloc(FREQ_MAX, sizeof(*bd.fs.all));
    if (ti->kind == TEXTIDX_PIECES)
        bd.lit = xcalloc(nwords ? nwords : 1, sizeof(uint64_t));
    bd.bk = xcalloc(bd.nbuckets, sizeof(*bd.bk));
    bd.sc = xcalloc((size_t)bd.nthreads, sizeof(*bd.sc));
    for (t = 0; t < bd.nthreads; t++)
        scratch_init(&bd.sc[t].s, bd.sc[t].stack, sizeof(bd.sc[t].stack));
    freq_set_index(&bd.fs);
    for (b = 0; b < bd.nbuckets; b++)
        bucket_grow(&bd.bk[b]);
    ti->nparts = (int)bd.nbuckets;
    ti->parts = xcalloc(bd.nbuckets, sizeof(*ti->parts));

    for (bd.block = 0; bd.block < ti->nloc;) {
        size_t end = (size_t)bd.block + ((size_t)1 << bd.block_bits);
        bd.block_end = (uint32_t)(end < ti->nloc ? end : ti->nloc);
        run_parallel(&bd, pass1);
        run_parallel(&bd, pass2);
        if (bd.fs.n)
            run_parallel(&bd, flush_all);
        promote(&bd);
        if (end >= ti->nloc)
            break;
        bd.block = (uint32_t)end;
    }
    if (ti->kind == TEXTIDX_PLAIN)
        expand_endings(&bd);
    run_parallel(&bd, finish);
    if (bd.lit) {
        ti->litdocs = bm_from_bits(bd.lit, nwords);
        roaring_bitmap_run_optimize(ti->litdocs);
        roaring_bitmap_shrink_to_fit(ti->litdocs);
        free(bd.lit);
    }

    for (t = 0; t < bd.nthreads; t++) {
        for (b = 0; b < bd.nbuckets; b++)
            free(bd.sc[t].v[b]);
        scratch_release(&bd.sc[t].s);
        free(bd.sc[t].vals);
        free(bd.sc[t].went);
    }
    free(bd.fs.key);  /* the frequent lists themselves went with their slots */
    free(bd.fs.bits);
    free(bd.fs.all);
    free(bd.sc);
    free(bd.bk);
}

/* ---- incremental change ---- */

/* The gram's roaring bitmap, made from its Elias-Fano list if need be
 * (whose bytes then become garbage in the arena). */
static roaring_bitmap_t *part_roaring(struct gram_part *gp, uint32_t id)
{
    if (!gp->bms[id]) {
        struct gram_ref r;
        r.gp = gp;
        r.id = id;
        gp->bms[id] = gram_bitmap(&r);
        gp->ef_garbage += ef_size(gp->ef + gp->ef_off[id], gp->card[id]);
    }
    return gp->bms[id];
}

void gram_update(struct textidx *ti, uint32_t doc, const uint64_t *old_keys, size_t nold,
                 const uint64_t *new_keys, size_t nnew)
{
    size_t i = 0, j = 0;
    if (!ti->parts)
        return;
    while (i < nold || j < nnew) {
        int add;
        uint64_t key, h;
        struct gram_part *gp;
        long id;
        if (j == nnew || (i < nold && old_keys[i] < new_keys[j])) {
            key = old_keys[i++];
            add = 0;
        } else if (i == nold || new_keys[j] < old_keys[i]) {
            key = new_keys[j++];
            add = 1;
        } else {
            i++;
            j++;
            continue;
        }
        h = mix64(key);
        gp = &ti->parts[gram_part_of(h, ti->nparts)];
        id = part_find(gp, key, h);
        if (id < 0) {
            if (!add)
                continue;
            id = part_add(gp, key, h);
        }
        if (add) {
            if (roaring_bitmap_add_checked(part_roaring(gp, (uint32_t)id), doc))
                gp->card[id]++;
        } else if (gp->card[id]) {
            if (roaring_bitmap_remove_checked(part_roaring(gp, (uint32_t)id), doc))
                gp->card[id]--;
        }
    }
}

/* ---- accounting ---- */

static size_t malloc_chunk(size_t n)
{
    size_t c = (n + 8 + 15) & ~(size_t)15;
    return c < 32 ? 32 : c;
}

static size_t bitmap_bytes(const roaring_bitmap_t *bm)
{
    roaring_statistics_t st;
    const roaring_array_t *ra = &bm->high_low_container;
    size_t n = malloc_chunk(sizeof(*bm));
    if (ra->allocation_size)
        n += malloc_chunk((size_t)ra->allocation_size * (sizeof(void *) + 2 + 1));
    if (!ra->size)
        return n;
    roaring_bitmap_statistics(bm, &st);
    n += (size_t)st.n_containers * malloc_chunk(16);
    n += (size_t)st.n_bytes_array_containers + (size_t)st.n_array_containers * 16;
    n += (size_t)st.n_bytes_run_containers + (size_t)st.n_run_containers * 16;
    n += (size_t)st.n_bytes_bitset_containers + (size_t)st.n_bitset_containers * 16;
    return n;
}

void gram_memory(const struct textidx *ti, struct textidx_mem *out)
{
    int p;
    if (!ti->parts)
        return;
    out->other_bytes += (size_t)ti->nparts * sizeof(*ti->parts);
    for (p = 0; p < ti->nparts; p++) {
        const struct gram_part *gp = &ti->parts[p];
        size_t i;
        out->other_bytes += (gp->slot ? (gp->mask + 1) * sizeof(*gp->slot) : 0) +
                            gp->alloc * (sizeof(uint64_t) * 2 + sizeof(uint32_t) +
                                         sizeof(void *)) +
                            gp->ef_garbage + (gp->ef_alloc - gp->ef_len);
        for (i = 0; i < gp->n; i++) {
            size_t b = gp->bms[i] ? bitmap_bytes(gp->bms[i])
                                  : ef_size(gp->ef + gp->ef_off[i], gp->card[i]);
            if (gp->keys[i] & GRAM_PIECE) {
                out->dict_bytes += b;
            } else if (gp->keys[i] < GRAM_BIGRAM_MIN) {
                out->unigram_bytes += b;
                out->nunigrams++;
            } else {
                out->bigram_bytes += b;
                out->nbigrams++;
            }
        }
    }
}

/* ---- checks ---- */

/* Walks every Elias-Fano list once, in step with the documents. */
struct list_cursor {
    struct ef_iter it;
    uint32_t cur;       /* the list's id at the cursor */
    int at_end;
    int started;
};

int gram_validate(const struct textidx *ti, struct error *err)
{
    uint64_t *keys = NULL, total = 0, held = 0;
    size_t akeys = 0, d;
    struct list_cursor **cur;
    struct scratch s;
    char stack[4096];
    int p, rc = 0;

    cur = xcalloc((size_t)ti->nparts, sizeof(*cur));
    for (p = 0; p < ti->nparts && !rc; p++) {
        const struct gram_part *gp = &ti->parts[p];
        size_t i;
        cur[p] = xcalloc(gp->n ? gp->n : 1, sizeof(**cur));
        for (i = 0; i < gp->n; i++) {
            uint64_t h = mix64(gp->keys[i]);
            if (gram_part_of(h, ti->nparts) != (unsigned)p) {
                rc = error_set(err, "gram %llx: in partition %d, belongs to %u",
                               (unsigned long long)gp->keys[i], p, gram_part_of(h, ti->nparts));
                break;
            }
            if (part_find(gp, gp->keys[i], h) != (long)i) {
                rc = error_set(err, "gram %llx: the hash table does not find it",
                               (unsigned long long)gp->keys[i]);
                break;
            }
            if (gp->bms[i]) {
                if (roaring_bitmap_get_cardinality(gp->bms[i]) != gp->card[i]) {
                    rc = error_set(err, "gram %llx: count %u, its bitmap has %llu",
                                   (unsigned long long)gp->keys[i], gp->card[i],
                                   (unsigned long long)roaring_bitmap_get_cardinality(gp->bms[i]));
                    break;
                }
            } else {
                if (!gp->card[i] || gp->ef_off[i] >= gp->ef_len ||
                    gp->ef_off[i] + ef_size(gp->ef + gp->ef_off[i], gp->card[i]) > gp->ef_len) {
                    rc = error_set(err, "gram %llx: its list is outside the arena",
                                   (unsigned long long)gp->keys[i]);
                    break;
                }
                ef_iter_init(&cur[p][i].it, gp->ef + gp->ef_off[i], gp->card[i]);
            }
            held += gp->card[i];
        }
    }
    scratch_init(&s, stack, sizeof(stack));
    for (d = 0; d < ti->nloc && !rc; d++) {
        size_t n, k;
        if (!ti->loc[d])
            continue;
        n = textidx_doc_keys(ti, (uint32_t)d, &keys, &akeys, &s);
        for (k = 0; k < n && !rc; k++) {
            uint64_t h = mix64(keys[k]);
            const struct gram_part *gp = &ti->parts[gram_part_of(h, ti->nparts)];
            long id = part_find(gp, keys[k], h);
            int ok = 0;
            if (id >= 0 && gp->bms[id]) {
                ok = roaring_bitmap_contains(gp->bms[id], (uint32_t)d);
            } else if (id >= 0) {
                struct list_cursor *c = &cur[gram_part_of(h, ti->nparts)][id];
                /* ids ascend, so the cursor only moves forward */
                while (!c->at_end && (!c->started || c->cur < d)) {
                    uint32_t prev = c->cur;
                    if (!ef_iter_next(&c->it, &c->cur)) {
                        c->at_end = 1;
                    } else if (c->started && c->cur <= prev) {
                        rc = error_set(err, "gram %llx: its list does not ascend",
                                       (unsigned long long)keys[k]);
                        break;
                    }
                    c->started = 1;
                }
                ok = !c->at_end && c->cur == d;
            }
            if (!ok && !rc)
                rc = error_set(err, "doc %zu: gram %llx of its text is not posted", d,
                               (unsigned long long)keys[k]);
        }
        total += n;
    }
    scratch_release(&s);
    free(keys);
    for (p = 0; p < ti->nparts; p++)
        free(cur[p]);
    free(cur);
    if (!rc && held != total)
        rc = error_set(err, "the lists hold %llu postings, the texts give %llu",
                       (unsigned long long)held, (unsigned long long)total);
    return rc;
}

void gram_free(struct textidx *ti)
{
    int p;
    if (!ti->parts)
        return;
    for (p = 0; p < ti->nparts; p++) {
        struct gram_part *gp = &ti->parts[p];
        size_t i;
        for (i = 0; i < gp->n; i++)
            if (gp->bms[i])
                roaring_bitmap_free(gp->bms[i]);
        free(gp->slot);
        free(gp->keys);
        free(gp->card);
        free(gp->bms);
        free(gp->ef_off);
        free(gp->ef);
    }
    free(ti->parts);
    ti->parts = NULL;
}
