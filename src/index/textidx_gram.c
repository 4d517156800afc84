/*
 * textidx_gram.c - the bitmaps of the text index: one roaring bitmap of
 * documents per key, where a key is a token (unigram) or a pair of
 * adjacent tokens (bigram) of the folded text, or, for TEXTIDX_PIECES, a
 * dictionary piece. How they are built in parallel, kept current and
 * checked.
 *
 * Keys are split into partitions by their hash, one per build thread.
 * Each thread reads every document but looks up, and posts to, only the
 * keys of its own partition, so the threads share nothing they write and
 * nothing needs merging. A thread collects postings (key, doc) for a
 * block of documents, sorts them by key with a counting sort (docs stay
 * ascending) and appends each key's run to that key's containers, kept in
 * roaring's container layout (a u16 array, or a bitset past 4096 values);
 * at the end each key's containers become its bitmap in one step through
 * roaring's portable format. No per-posting roaring call: roaring_bitmap_
 * add_many costs 5-11 ns a value, this about 1.
 *
 * What a document is posted under (textidx_doc_keys): PLAIN, every
 * unigram and bigram of its folded text. PIECES, its dictionary pieces,
 * the unigrams and bigrams of its literal runs, and the bigram across
 * each item boundary; the grams inside dictionary pieces are not posted
 * (a query asks the folded dictionary instead, textidx.c).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "chain/fold.h"
#include "index/textidx_internal.h"

#define MAX_PARTS 16
#define FLUSH_PAIRS (1u << 16)  /* postings sorted at once: 768 KiB of buffers */

/* ---- one partition's hash table ---- */

static long part_find(const struct gram_part *gp, uint64_t key, uint64_t h)
{
    size_t i;
    if (!gp->slot)
        return -1;
    for (i = (size_t)h & gp->mask;; i = (i + 1) & gp->mask) {
        if (gp->slot[i].key == key)
            return (long)(uint32_t)gp->slot[i].id;
        if (!gp->slot[i].key)
            return -1;
    }
}

static void part_slot_put(struct gram_part *gp, uint64_t key, uint64_t h, uint64_t id)
{
    size_t i = (size_t)h & gp->mask;
    while (gp->slot[i].key)
        i = (i + 1) & gp->mask;
    gp->slot[i].key = key;
    gp->slot[i].id = id;
}

static uint32_t part_add(struct gram_part *gp, uint64_t key, uint64_t h)
{
    uint32_t id = (uint32_t)gp->n;
    if (gp->n + 1 > gp->alloc) {
        gp->alloc = gp->alloc ? gp->alloc * 2 : 1024;
        gp->keys = xrealloc(gp->keys, st_mult(gp->alloc, sizeof(uint64_t)));
        gp->bms = xrealloc(gp->bms, st_mult(gp->alloc, sizeof(*gp->bms)));
    }
    gp->keys[id] = key;
    gp->bms[id] = NULL;  /* the build assembles it; gram_get creates it later */
    gp->n++;
    if (!gp->slot || gp->n * 2 > gp->mask + 1) {
        size_t old = gp->slot ? gp->mask + 1 : 0, i;
        size_t slots = old ? old * 2 : 4096;
        struct gram_slot *was = gp->slot;
        gp->slot = xcalloc(slots, sizeof(*gp->slot));
        gp->mask = slots - 1;
        for (i = 0; i < old; i++)  /* whole ids: the build's marks too */
            if (was[i].key)
                part_slot_put(gp, was[i].key, mix64(was[i].key), was[i].id);
        part_slot_put(gp, key, h, id);
        free(was);
    } else {
        part_slot_put(gp, key, h, id);
    }
    return id;
}

static uint32_t part_get(struct gram_part *gp, uint64_t key, uint64_t h)
{
    long id = part_find(gp, key, h);
    return id >= 0 ? (uint32_t)id : part_add(gp, key, h);
}

roaring_bitmap_t *gram_lookup(const struct textidx *ti, uint64_t key)
{
    uint64_t h;
    long id;
    const struct gram_part *gp;
    if (!ti->parts)
        return NULL;
    h = mix64(key);
    gp = &ti->parts[gram_part_of(h, ti->nparts)];
    id = part_find(gp, key, h);
    return id >= 0 ? gp->bms[id] : NULL;
}

/* ---- build ---- */

/* A gram's containers collected during the build, in doc order: u16 key,
 * u16 cardinality - 1, then the values as u16 (up to 4096) or a 8192-byte
 * bitset. The last container stays open (an array of any length) until a
 * posting of another chunk or the end closes it. */
struct cbuf {
    unsigned char *p;
    uint32_t len, cap, ncont;
    uint32_t open_at;  /* offset of the open container's header */
    uint32_t open_n;   /* its values so far, 0: none open */
    uint16_t open_key; /* its chunk (kept here: the header is a cache miss away) */
};

struct builder {
    struct textidx *ti;
    unsigned part;
    int nparts;
    struct gram_part *gp;
    uint32_t *cnt;     /* by local id: postings in the current block */
    size_t alast;
    uint32_t *touched;
    size_t ntouched, atouched;
    uint32_t *pg, *pd; /* postings of the current block */
    size_t npairs, apairs;
    uint32_t *sorted;
    size_t asorted;
    struct cbuf *cb;   /* by local id: the gram's containers so far */
    size_t acb;
    unsigned char *ser; /* scratch for the portable serialization */
    size_t aser;
};

/* The local id of key when it is in this builder's partition (added if
 * new), else UINT32_MAX. */
/* This partition's slot of key (added if new). */
static struct gram_slot *slot_get(struct gram_part *gp, uint64_t key, uint64_t h)
{
    size_t i;
    if (gp->slot)
        for (i = (size_t)h & gp->mask;; i = (i + 1) & gp->mask) {
            if (gp->slot[i].key == key)
                return &gp->slot[i];
            if (!gp->slot[i].key)
                break;
        }
    part_add(gp, key, h);
    for (i = (size_t)h & gp->mask; gp->slot[i].key != key; i = (i + 1) & gp->mask)
        ;
    return &gp->slot[i];
}

/* Post doc under the gram in slot sl, once per doc. */
static inline void post_slot(struct builder *b, struct gram_slot *sl, uint32_t doc)
{
    uint32_t id = (uint32_t)sl->id;
    if (sl->id >> 32 == (uint64_t)doc + 1)
        return;
    sl->id = ((uint64_t)doc + 1) << 32 | id;
    if (id >= b->alast) {
        size_t old = b->alast;
        b->alast = b->alast ? b->alast * 2 : 4096;
        while (b->alast <= id)
            b->alast *= 2;
        b->cnt = xrealloc(b->cnt, b->alast * sizeof(uint32_t));
        b->cb = xrealloc(b->cb, b->alast * sizeof(*b->cb));
        memset(b->cnt + old, 0, (b->alast - old) * sizeof(uint32_t));
        memset(b->cb + old, 0, (b->alast - old) * sizeof(*b->cb));
    }
    if (b->npairs == b->apairs) {
        b->apairs = b->apairs ? b->apairs * 2 : 65536;
        b->pg = xrealloc(b->pg, b->apairs * sizeof(uint32_t));
        b->pd = xrealloc(b->pd, b->apairs * sizeof(uint32_t));
    }
    b->pg[b->npairs] = id;
    b->pd[b->npairs] = doc;
    b->npairs++;
}

static inline void post_key(struct builder *b, uint64_t key, uint32_t doc)
{
    uint64_t h = mix64(key);
    if (gram_part_of(h, b->nparts) == b->part)
        post_slot(b, slot_get(b->gp, key, h), doc);
}

/* Post the grams of folded text s[0..len); *prev is the token before it
 * (UINT32_MAX at the start of a document) and becomes its last token. */
static void post_text(struct builder *b, const unsigned char *s, size_t len, uint32_t doc,
                      uint32_t *prev)
{
    /* In batches: hash the grams and prefetch the table slots of this
     * partition's ones first, so that the probes' cache misses overlap. */
    uint64_t key[64], hash[64];
    size_t i = 0, n, k;
    uint32_t p = *prev;
    while (i < len) {
        n = 0;
        while (i < len && n + 2 <= 64) {
            size_t adv;
            uint32_t t = tok_decode(s + i, len - i, &adv);
            key[n++] = gram_uni(t);
            if (p != UINT32_MAX)
                key[n++] = gram_bi(p, t);
            p = t;
            i += adv;
        }
        for (k = 0; k < n; k++) {
            uint64_t h = mix64(key[k]);
            if (gram_part_of(h, b->nparts) != b->part) {
                key[k] = 0;
                continue;
            }
            hash[k] = h;
            if (b->gp->slot)
                __builtin_prefetch(&b->gp->slot[(size_t)h & b->gp->mask]);
        }
        for (k = 0; k < n; k++)
            if (key[k])
                post_slot(b, slot_get(b->gp, key[k], hash[k]), doc);
    }
    *prev = p;
}

static unsigned char *cbuf_room(struct cbuf *c, size_t need)
{
    if (c->len + need > c->cap) {
        size_t cap = c->cap ? (size_t)c->cap * 2 : 64;
        while (cap < c->len + need)
            cap *= 2;
        if (cap > UINT32_MAX) {
            fprintf(stderr, "fatal: text index gram over 4 GiB\n");
            abort();
        }
        c->p = xrealloc(c->p, cap);
        c->cap = (uint32_t)cap;
    }
    return c->p + c->len;
}

/* Finish the open container: its cardinality, and a bitset when it holds
 * more than 4096 values (which then takes less room than the array). */
static void cbuf_close(struct cbuf *c)
{
    uint16_t card;
    if (!c->open_n)
        return;
    card = (uint16_t)(c->open_n - 1);
    memcpy(c->p + c->open_at + 2, &card, 2);
    if (c->open_n > 4096) {
        uint64_t words[1024];
        const unsigned char *v = c->p + c->open_at + 4;
        size_t i;
        memset(words, 0, sizeof(words));
        for (i = 0; i < c->open_n; i++) {
            uint16_t x;
            memcpy(&x, v + 2 * i, 2);
            words[x >> 6] |= (uint64_t)1 << (x & 63);
        }
        memcpy(c->p + c->open_at + 4, words, sizeof(words));
        c->len = c->open_at + 4 + 8192;
    }
    c->ncont++;
    c->open_n = 0;
}

/* Append docs[0..n) (ascending, after every doc so far) to c. */
static void cbuf_add(struct cbuf *c, const uint32_t *docs, size_t n)
{
    while (n) {
        uint16_t key = (uint16_t)(docs[0] >> 16), *v;
        size_t k = 1, i;
        unsigned char *w;
        while (k < n && docs[k] >> 16 == key)
            k++;
        if (c->open_n && c->open_key != key)
            cbuf_close(c);
        if (!c->open_n) {
            w = cbuf_room(c, 4 + 2 * k);
            memcpy(w, &key, 2);
            c->open_at = c->len;
            c->open_key = key;
            c->len += 4;
        }
        w = cbuf_room(c, 2 * k);
        v = (uint16_t *)(void *)w;
        for (i = 0; i < k; i++)
            v[i] = (uint16_t)docs[i];
        c->len += (uint32_t)(2 * k);
        c->open_n += (uint32_t)k;
        docs += k;
        n -= k;
    }
}

/* Turn a gram's collected containers into a roaring bitmap through
 * roaring's portable format (cookie 12346: no run containers; key and
 * cardinality - 1 per container; an offset per container; the data), so
 * each container is made at once. Frees the collection. */
static roaring_bitmap_t *cbuf_bitmap(struct builder *b, struct cbuf *c)
{
    size_t hdr, total, at = 0, off, i;
    uint32_t word;
    unsigned char *w;
    roaring_bitmap_t *r;
    cbuf_close(c);
    if (!c->ncont)
        return roaring_bitmap_create();
    hdr = 8 + (size_t)c->ncont * 8;
    total = hdr + c->len - 4 * (size_t)c->ncont;
    off = hdr;
    if (total > b->aser) {
        free(b->ser);
        b->aser = total * 2;
        b->ser = xmalloc(b->aser);
    }
    w = b->ser;
    word = 12346;
    memcpy(w, &word, 4);
    word = c->ncont;
    memcpy(w + 4, &word, 4);
    for (i = 0; i < c->ncont; i++) {
        uint16_t head[2];
        size_t n;
        uint32_t o = (uint32_t)off;
        memcpy(head, c->p + at, 4);
        n = (size_t)head[1] + 1;
        n = n <= 4096 ? 2 * n : 8192;
        memcpy(w + 8 + 4 * i, head, 4);
        memcpy(w + 8 + 4 * (size_t)c->ncont + 4 * i, &o, 4);
        memcpy(w + off, c->p + at + 4, n);
        off += n;
        at += 4 + n;
    }
    free(c->p);
    memset(c, 0, sizeof(*c));
    r = roaring_bitmap_portable_deserialize_safe((const char *)w, total);
    if (!r) {
        fprintf(stderr, "fatal: text index: roaring refused a bitmap it should read\n");
        abort();
    }
    return r;
}

/* The postings collected so far: sort them by gram (a counting sort, so
 * docs stay ascending) and append each gram's run to its containers. A
 * block small enough for the cache keeps the scattering cheap. */
static void flush(struct builder *b)
{
    size_t i, off = 0;
    if (!b->npairs)
        return;
    if (b->npairs > b->asorted) {
        free(b->sorted);
        b->asorted = b->npairs;
        b->sorted = xmalloc(b->asorted * sizeof(uint32_t));
    }
    for (i = 0; i < b->npairs; i++)
        if (b->cnt[b->pg[i]]++ == 0) {
            ALLOC_GROW(b->touched, b->ntouched + 1, b->atouched);
            b->touched[b->ntouched++] = b->pg[i];
        }
    for (i = 0; i < b->ntouched; i++) {
        uint32_t c = b->cnt[b->touched[i]];
        b->cnt[b->touched[i]] = (uint32_t)off;
        off += c;
    }
    for (i = 0; i < b->npairs; i++)
        b->sorted[b->cnt[b->pg[i]]++] = b->pd[i];
    off = 0;
    for (i = 0; i < b->ntouched; i++) {
        uint32_t g = b->touched[i], end = b->cnt[g];
        cbuf_add(&b->cb[g], b->sorted + off, end - off);
        off = end;
        b->cnt[g] = 0;
    }
    b->npairs = 0;
    b->ntouched = 0;
}

/* A scope's postings: its pieces, the grams of its literal runs, and the
 * bigram across each item boundary (so that a pattern with a separator
 * has grams every match must have). */
static void post_pieces_doc(struct builder *b, uint32_t doc, struct scratch *s)
{
    struct textidx *ti = b->ti;
    const unsigned char *p = textidx_record(ti, doc);
    size_t n = varint_read(&p), i;
    uint32_t prev = UINT32_MAX;
    for (i = 0; i < n; i++) {
        size_t v = varint_read(&p);
        if (v & 1) {
            uint32_t id = (uint32_t)(v >> 1);
            if (prev != UINT32_MAX)
                post_key(b, gram_bi(prev, ti->piece_first[id]), doc);
            post_key(b, gram_piece(id), doc);
            prev = ti->piece_last[id];
        } else {
            size_t len = v >> 1;
            size_t fl = chain_fold((const char *)p, len, scratch_reserve(s, len + 1));
            post_text(b, (const unsigned char *)s->p, fl, doc, &prev);
            p += len;
        }
    }
}

static void *build_part(void *arg)
{
    struct builder *b = arg;
    struct textidx *ti = b->ti;
    struct scratch s;
    char stack[4096];
    size_t d, i;

    scratch_init(&s, stack, sizeof(stack));
    for (d = 0; d < ti->nloc; d++) {
        if (!ti->loc[d])
            continue;
        if (ti->kind == TEXTIDX_PIECES) {
            post_pieces_doc(b, (uint32_t)d, &s);
        } else {
            size_t fl = textidx_fold_doc(ti, (uint32_t)d, &s);
            uint32_t prev = UINT32_MAX;
            post_text(b, (const unsigned char *)s.p, fl, (uint32_t)d, &prev);
        }
        if (b->npairs >= FLUSH_PAIRS)
            flush(b);
    }
    flush(b);
    for (i = 0; i < b->gp->n; i++) {
        b->gp->bms[i] = cbuf_bitmap(b, &b->cb[i]);
        roaring_bitmap_run_optimize(b->gp->bms[i]);
        roaring_bitmap_shrink_to_fit(b->gp->bms[i]);
    }
    if (b->gp->alloc > b->gp->n) {
        b->gp->alloc = b->gp->n ? b->gp->n : 1;
        b->gp->keys = xrealloc(b->gp->keys, b->gp->alloc * sizeof(uint64_t));
        b->gp->bms = xrealloc(b->gp->bms, b->gp->alloc * sizeof(*b->gp->bms));
    }
    scratch_release(&s);
    free(b->cnt);
    free(b->touched);
    free(b->pg);
    free(b->pd);
    free(b->sorted);
    free(b->cb);
    free(b->ser);
    return NULL;
}

void gram_build(struct textidx *ti, int nthreads)
{
    struct builder *bs;
    pthread_t th[MAX_PARTS];
    int i, started[MAX_PARTS] = { 0 };

    if (nthreads > MAX_PARTS)
        nthreads = MAX_PARTS;
    ti->nparts = nthreads;
    ti->parts = xcalloc((size_t)nthreads, sizeof(*ti->parts));
    bs = xcalloc((size_t)nthreads, sizeof(*bs));
    for (i = 0; i < nthreads; i++) {
        bs[i].ti = ti;
        bs[i].part = (unsigned)i;
        bs[i].nparts = nthreads;
        bs[i].gp = &ti->parts[i];
    }
    for (i = 1; i < nthreads; i++)
        started[i] = pthread_create(&th[i], NULL, build_part, &bs[i]) == 0;
    build_part(&bs[0]);
    for (i = 1; i < nthreads; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            build_part(&bs[i]);  /* no thread to be had: do it here */
    }
    free(bs);
}

/* ---- incremental change ---- */

static roaring_bitmap_t *gram_get(struct textidx *ti, uint64_t key)
{
    uint64_t h = mix64(key);
    struct gram_part *gp = &ti->parts[gram_part_of(h, ti->nparts)];
    uint32_t id = part_get(gp, key, h);
    if (!gp->bms[id])
        gp->bms[id] = roaring_bitmap_create();
    return gp->bms[id];
}

void gram_update(struct textidx *ti, uint32_t doc, const uint64_t *old_keys, size_t nold,
                 const uint64_t *new_keys, size_t nnew)
{
    size_t i = 0, j = 0;
    if (!ti->parts)
        return;
    while (i < nold || j < nnew) {
        if (j == nnew || (i < nold && old_keys[i] < new_keys[j])) {
            roaring_bitmap_t *bm = gram_lookup(ti, old_keys[i++]);
            if (bm)
                roaring_bitmap_remove(bm, doc);
        } else if (i == nold || new_keys[j] < old_keys[i]) {
            roaring_bitmap_add(gram_get(ti, new_keys[j++]), doc);
        } else {
            i++;
            j++;
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
        out->other_bytes += (gp->slot ? (gp->mask + 1) * sizeof(*gp->slot) : 0) + gp->alloc * 16;
        for (i = 0; i < gp->n; i++) {
            size_t b = gp->bms[i] ? bitmap_bytes(gp->bms[i]) : 0;
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

int gram_validate(const struct textidx *ti, struct error *err)
{
    uint64_t *keys = NULL, total = 0, held = 0;
    size_t akeys = 0, d;
    struct scratch s;
    char stack[4096];
    int p, rc = 0;

    for (p = 0; p < ti->nparts; p++) {
        const struct gram_part *gp = &ti->parts[p];
        size_t i;
        for (i = 0; i < gp->n; i++) {
            uint64_t h = mix64(gp->keys[i]);
            if (gram_part_of(h, ti->nparts) != (unsigned)p)
                return error_set(err, "gram %llx: in partition %d, belongs to %u",
                                 (unsigned long long)gp->keys[i], p,
                                 gram_part_of(h, ti->nparts));
            if (part_find(gp, gp->keys[i], h) != (long)i)
                return error_set(err, "gram %llx: the hash table does not find it",
                                 (unsigned long long)gp->keys[i]);
            if (gp->bms[i])
                held += roaring_bitmap_get_cardinality(gp->bms[i]);
        }
    }
    scratch_init(&s, stack, sizeof(stack));
    for (d = 0; d < ti->nloc && !rc; d++) {
        size_t n, k;
        if (!ti->loc[d])
            continue;
        n = textidx_doc_keys(ti, (uint32_t)d, &keys, &akeys, &s);
        for (k = 0; k < n; k++) {
            const roaring_bitmap_t *bm = gram_lookup(ti, keys[k]);
            if (!bm || !roaring_bitmap_contains(bm, (uint32_t)d)) {
                rc = error_set(err, "doc %zu: gram %llx of its text is not posted", d,
                               (unsigned long long)keys[k]);
                break;
            }
        }
        total += n;
    }
    scratch_release(&s);
    free(keys);
    if (!rc && held != total)
        rc = error_set(err, "the bitmaps hold %llu postings, the texts give %llu",
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
        free(gp->bms);
    }
    free(ti->parts);
    ti->parts = NULL;
}
