/*
 * index.c - building the screening index from the store and keeping it
 * current.
 *
 * A build reads the enterprises in chunks of 65,536 ids, chunk k on thread
 * k % threads, each thread on its own store connection: the columns are
 * written in place (threads own disjoint docs), the docs read and their
 * taxonomy nodes go to the thread's own bitmaps, merged at the end by
 * moving containers (chunks are aligned to CRoaring's 65,536-value
 * containers). Texts are handed to the text indexes under a lock, a chunk
 * at a time. Once everything is read, the text indexes build their gram
 * bitmaps while another thread makes the USCC map and the code bitmaps
 * (region, industry, status, ...) from the columns. docs/internals/index.md
 * has the measurements behind these choices.
 *
 * A refresh reads the change log after the index's sequence, loads what it
 * names into memory without holding any lock, then applies it all under the
 * write lock: queries never see part of a write.
 */
#include "index/index_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <time.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "chain/taxonomy.h"
#include "index/query.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "store/store.h"

#define CHUNK_BITS 16
#define CHUNK ((int64_t)1 << CHUNK_BITS)
/* Refreshing more than this share of the index rebuilds it instead. */
#define REBUILD_SHARE 4

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

size_t index_region_idx(const struct region *r)
{
    return (size_t)(r - region_at(0));
}

size_t index_industry_idx(const struct industry *ind)
{
    return (size_t)(ind - industry_at(0));
}

/* ---- bitmap sets ---- */

static void bitmaps_alloc(struct index_bitmaps *b, size_t nnodes)
{
    memset(b, 0, sizeof(*b));
    b->region = xcalloc(region_count(), sizeof(*b->region));
    b->industry = xcalloc(industry_count(), sizeof(*b->industry));
    b->node = xcalloc(nnodes ? nnodes : 1, sizeof(*b->node));
}

static void bm_free_array(roaring_bitmap_t **a, size_t n)
{
    size_t i;
    if (!a)
        return;
    for (i = 0; i < n; i++)
        if (a[i])
            roaring_bitmap_free(a[i]);
}

static void bitmaps_release(struct index_bitmaps *b, size_t nnodes)
{
    bm_free_array(b->region, region_count());
    bm_free_array(b->industry, industry_count());
    bm_free_array(b->status, 8);
    bm_free_array(b->tag, TAG_COUNT);
    bm_free_array(b->round, INDEX_MAX_ROUNDS + 1);
    bm_free_array(b->base, 101);
    bm_free_array(&b->band[0][0], RC_COUNT * INDEX_MAX_BANDS);
    bm_free_array(b->node, nnodes);
    free(b->region);
    free(b->industry);
    free(b->node);
    memset(b, 0, sizeof(*b));
}

static void bm_add(roaring_bitmap_t **slot, uint32_t doc)
{
    if (!*slot)
        *slot = roaring_bitmap_create();
    roaring_bitmap_add(*slot, doc);
}

/* Sizes of the fixed arrays of struct index_bitmaps. */
enum {
    STATUS_N = 8,
    ROUND_N = INDEX_MAX_ROUNDS + 1,
    BASE_N = 101,
    BANDS_N = RC_COUNT * INDEX_MAX_BANDS
};

/* CRoaring's container constructors return NULL when malloc fails; out of
 * memory ends the process, as xmalloc does. */
static void *container_alloced(void *c, size_t bytes)
{
    if (!c) {
        fprintf(stderr, "magnet: out of memory (allocating a %zu-byte container)\n", bytes);
        abort();
    }
    return c;
}

/* Add docs v[0..n) (strictly ascending) to bm. A build adds docs past bm's
 * last container (a build thread reads its chunks in id order; bitmaps made
 * from the columns get their docs in order), and then each 65,536-id
 * container is made at its final size and appended: roaring_bitmap_add_many
 * adds values one by one, growing an array container as it goes and
 * converting it to a bit set past 4,096 values (~25 ns a value at 10M,
 * this ~1). A doc at or before the last container takes the slow way. */
static void bm_append_docs(roaring_bitmap_t *bm, const uint32_t *v, size_t n)
{
    roaring_array_t *ra = &bm->high_low_container;
    size_t i = 0, k;

    while (i < n) {
        uint16_t key = (uint16_t)(v[i] >> 16);
        if (ra->size > 0 && ra->keys[ra->size - 1] >= key) {
            roaring_bitmap_add(bm, v[i++]);
            continue;
        }
        for (k = i; k < n && v[k] >> 16 == key; k++)
            ;
        if (k - i > 4096) {
            bitset_container_t *c = container_alloced(bitset_container_create(), 8192);
            c->cardinality = (int32_t)(k - i);
            for (; i < k; i++)
                c->array[(v[i] & 0xFFFF) >> 6] |= UINT64_C(1) << (v[i] & 63);
            ra_append(ra, key, c, BITSET_CONTAINER_TYPE_CODE);
        } else {
            array_container_t *c = container_alloced(
                array_container_create_given_capacity((int32_t)(k - i)), 2 * (k - i));
            for (; i < k; i++)
                c->array[c->cardinality++] = (uint16_t)v[i];
            ra_append(ra, key, c, ARRAY_CONTAINER_TYPE_CODE);
        }
    }
}

static void bm_remove(roaring_bitmap_t *bm, uint32_t doc)
{
    if (bm)
        roaring_bitmap_remove(bm, doc);
}

/* 1 when no container key is in both a and b (both ascend). */
static int keys_disjoint(const roaring_array_t *a, const roaring_array_t *b)
{
    int32_t i = 0, j = 0;
    while (i < a->size && j < b->size) {
        if (a->keys[i] == b->keys[j])
            return 0;
        if (a->keys[i] < b->keys[j])
            i++;
        else
            j++;
    }
    return 1;
}

/* dst |= src, src freed and set to NULL. The build's threads own disjoint
 * chunks, so their bitmaps have disjoint container keys: the containers are
 * then moved, in key order, instead of copied by roaring_bitmap_or_inplace
 * (which clones every container of src and then frees src's). */
static void bm_merge(roaring_bitmap_t **dst, roaring_bitmap_t **src)
{
    roaring_array_t *a, *b, merged;
    int32_t i = 0, j = 0;

    if (!*src)
        return;
    if (!*dst) {
        *dst = *src;
        *src = NULL;
        return;
    }
    a = &(*dst)->high_low_container;
    b = &(*src)->high_low_container;
    if (!keys_disjoint(a, b)) {
        roaring_bitmap_or_inplace(*dst, *src);
        roaring_bitmap_free(*src);
        *src = NULL;
        return;
    }
    if (!ra_init_with_capacity(&merged, (uint32_t)(a->size + b->size))) {
        fprintf(stderr, "magnet: out of memory (merging bitmaps)\n");
        abort();
    }
    while (i < a->size || j < b->size) {
        if (j == b->size || (i < a->size && a->keys[i] < b->keys[j])) {
            ra_append(&merged, a->keys[i], a->containers[i], a->typecodes[i]);
            i++;
        } else {
            ra_append(&merged, b->keys[j], b->containers[j], b->typecodes[j]);
            j++;
        }
    }
    merged.flags = a->flags;
    /* the containers now belong to merged: free only the key arrays */
    ra_clear_without_containers(a);
    ra_clear_without_containers(b);
    *a = merged;
    roaring_bitmap_free(*src);
    *src = NULL;
}

static size_t bm_bytes_array(roaring_bitmap_t *const *a, size_t n)
{
    size_t i, total = 0;
    for (i = 0; i < n; i++)
        if (a[i])
            total += roaring_bitmap_size_in_bytes(a[i]) + sizeof(roaring_bitmap_t);
    return total;
}

static void bm_optimize_array(roaring_bitmap_t **a, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (a[i]) {
            roaring_bitmap_run_optimize(a[i]);
            roaring_bitmap_shrink_to_fit(a[i]);
        }
}

/* ---- numeric bands ---- */

#define WAN INT64_C(1000000)   /* cents in 1 万元 */

/* Round numbers people type: 万元 steps for capital, 1 January of each
 * year for founding dates (days since 1970), headcount and patent steps. */
static const int64_t capital_t[] = {
    1 * WAN, 10 * WAN, 50 * WAN, 100 * WAN, 200 * WAN, 300 * WAN, 500 * WAN, 1000 * WAN,
    2000 * WAN, 3000 * WAN, 5000 * WAN, 10000 * WAN, 20000 * WAN, 50000 * WAN,
    100000 * WAN, 1000000 * WAN,
};
static const int64_t staff_t[] = { 1, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000,
                                   5000, 10000 };
static const int64_t patents_t[] = { 1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500, 1000 };
#define FOUNDED_FIRST 1950
#define FOUNDED_YEARS 90   /* 1950 .. 2039 */
static int64_t founded_t[FOUNDED_YEARS];
static pthread_once_t founded_once = PTHREAD_ONCE_INIT;

static void founded_init(void)
{
    int i;
    for (i = 0; i < FOUNDED_YEARS; i++) {
        char ymd[11];
        snprintf(ymd, sizeof(ymd), "%04d-01-01", FOUNDED_FIRST + i);
        query_date_days(ymd, &founded_t[i]);
    }
}

const int64_t *index_band_thresholds(enum index_range_col c, size_t *n)
{
    switch (c) {
    case RC_CAPITAL: *n = sizeof(capital_t) / sizeof(capital_t[0]); return capital_t;
    case RC_FOUNDED:
        pthread_once(&founded_once, founded_init);
        *n = FOUNDED_YEARS;
        return founded_t;
    case RC_STAFF: *n = sizeof(staff_t) / sizeof(staff_t[0]); return staff_t;
    default: *n = sizeof(patents_t) / sizeof(patents_t[0]); return patents_t;
    }
}

size_t index_band_of(enum index_range_col c, int64_t v)
{
    size_t n, base = 0;
    const int64_t *t = index_band_thresholds(c, &n);
    /* the number of thresholds <= v: a binary search without branches to
     * mispredict (a build asks 40M times) - t[0 .. base) are <= v, and the
     * answer lies in [base, base + n] */
    while (n > 1) {
        size_t half = n / 2;
        base = t[base + half - 1] <= v ? base + half : base;
        n -= half;
    }
    return base + (n == 1 && t[base] <= v);
}

/* The band of doc's value in column c, or -1 when it is unknown. */
static int doc_band(const struct index *ix, enum index_range_col c, uint32_t d)
{
    switch (c) {
    case RC_CAPITAL:
        return ix->capital[d] == SCORE_UNKNOWN ? -1 : (int)index_band_of(c, ix->capital[d]);
    case RC_FOUNDED:
        return ix->founded[d] == INDEX_NO_DAY ? -1 : (int)index_band_of(c, ix->founded[d]);
    case RC_STAFF: return ix->staff[d] < 0 ? -1 : (int)index_band_of(c, ix->staff[d]);
    default: return ix->patents[d] < 0 ? -1 : (int)index_band_of(c, ix->patents[d]);
    }
}

static void ge_drop(struct index *ix)
{
    int c, b;
    for (c = 0; c < RC_COUNT; c++)
        for (b = 0; b <= INDEX_MAX_BANDS; b++)
            if (ix->ge[c][b]) {
                roaring_bitmap_free(ix->ge[c][b]);
                ix->ge[c][b] = NULL;
            }
}

/* ge[c][b], made when first asked for (callers hold the read lock; the
 * mutex keeps two queries from making it at once). */
static const roaring_bitmap_t *ge_get(struct index *ix, enum index_range_col c, size_t b)
{
    const roaring_bitmap_t *r;
    size_t n;
    index_band_thresholds(c, &n);
    pthread_mutex_lock(&ix->ge_lock);
    if (!ix->ge[c][b]) {
        const roaring_bitmap_t *parts[INDEX_MAX_BANDS];
        size_t k, np = 0;
        for (k = b; k <= n; k++)
            if (ix->bm.band[c][k])
                parts[np++] = ix->bm.band[c][k];
        ix->ge[c][b] = np ? roaring_bitmap_or_many(np, parts) : roaring_bitmap_create();
        roaring_bitmap_run_optimize(ix->ge[c][b]);
    }
    r = ix->ge[c][b];
    pthread_mutex_unlock(&ix->ge_lock);
    return r;
}

void index_set_walk_min(struct index *ix, uint32_t n)
{
    ix->walk_min = n;
}

roaring_bitmap_t *index_band_range(struct index *ix, enum index_range_col c, size_t lo, size_t hi)
{
    size_t n;
    index_band_thresholds(c, &n);
    if (lo > hi || lo > n)
        return roaring_bitmap_create();
    if (hi >= n)
        return roaring_bitmap_copy(ge_get(ix, c, lo));
    return roaring_bitmap_andnot(ge_get(ix, c, lo), ge_get(ix, c, hi + 1));
}

/* ---- columns ---- */

static void *resize(void *p, size_t n, size_t size)
{
    return xrealloc(p, st_mult(n, size));
}

/* Room for docs below cap (their values undefined until columns_clear). */
static void columns_resize(struct index *ix, uint32_t cap)
{
    ix->uscc = resize(ix->uscc, cap, sizeof(*ix->uscc));
    ix->capital = resize(ix->capital, cap, sizeof(*ix->capital));
    ix->founded = resize(ix->founded, cap, sizeof(*ix->founded));
    ix->funding = resize(ix->funding, cap, sizeof(*ix->funding));
    ix->staff = resize(ix->staff, cap, sizeof(*ix->staff));
    ix->patents = resize(ix->patents, cap, sizeof(*ix->patents));
    ix->pat_invention = resize(ix->pat_invention, cap, sizeof(*ix->pat_invention));
    ix->pat_utility = resize(ix->pat_utility, cap, sizeof(*ix->pat_utility));
    ix->pat_design = resize(ix->pat_design, cap, sizeof(*ix->pat_design));
    ix->software_cr = resize(ix->software_cr, cap, sizeof(*ix->software_cr));
    ix->region = resize(ix->region, cap, sizeof(*ix->region));
    ix->street = resize(ix->street, cap, sizeof(*ix->street));
    ix->industry = resize(ix->industry, cap, sizeof(*ix->industry));
    ix->status = resize(ix->status, cap, sizeof(*ix->status));
    ix->tags = resize(ix->tags, cap, sizeof(*ix->tags));
    ix->round = resize(ix->round, cap, sizeof(*ix->round));
    ix->base = resize(ix->base, cap, sizeof(*ix->base));
    ix->cap = cap;
}

/* Docs lo .. hi-1 read as unknown everywhere. */
static void columns_clear(struct index *ix, uint32_t lo, uint32_t hi)
{
    size_t n = hi - lo;
    uint32_t i;
    memset(ix->uscc + lo, 0, n * sizeof(*ix->uscc));
    memset(ix->staff + lo, 0xff, n * sizeof(*ix->staff));
    memset(ix->patents + lo, 0xff, n * sizeof(*ix->patents));
    memset(ix->pat_invention + lo, 0xff, n * sizeof(*ix->pat_invention));
    memset(ix->pat_utility + lo, 0xff, n * sizeof(*ix->pat_utility));
    memset(ix->pat_design + lo, 0xff, n * sizeof(*ix->pat_design));
    memset(ix->software_cr + lo, 0xff, n * sizeof(*ix->software_cr));
    memset(ix->region + lo, 0xff, n * sizeof(*ix->region));
    memset(ix->street + lo, 0xff, n * sizeof(*ix->street));
    memset(ix->industry + lo, 0xff, n * sizeof(*ix->industry));
    memset(ix->status + lo, 0, n);
    memset(ix->tags + lo, 0, n);
    memset(ix->round + lo, 0, n);
    memset(ix->base + lo, 0, n);
    for (i = lo; i < hi; i++) {
        ix->capital[i] = SCORE_UNKNOWN;
        ix->founded[i] = INDEX_NO_DAY;
        ix->funding[i] = INDEX_NO_DAY;
    }
}

/* Make room for docs below cap. New docs read as unknown everywhere. */
static void columns_grow(struct index *ix, uint32_t cap)
{
    uint32_t old = ix->cap;
    if (cap <= old)
        return;
    columns_resize(ix, cap);
    columns_clear(ix, old, cap);
}

/* ---- rounds ---- */

static pthread_mutex_t round_lock = PTHREAD_MUTEX_INITIALIZER;

int index_round_find(const struct index *ix, const char *round)
{
    int i;
    for (i = 1; i <= ix->nrounds; i++)
        if (strcmp(ix->rounds[i], round) == 0)
            return i;
    return 0;
}

/* The number of a round, added when new; 0 when the table is full (the
 * doc then reads as having no round: 255 distinct canonical rounds do not
 * exist, value_parse_round knows about 60). */
static int round_number(struct index *ix, const char *round)
{
    int n;
    pthread_mutex_lock(&round_lock);
    n = index_round_find(ix, round);
    if (!n && ix->nrounds < INDEX_MAX_ROUNDS) {
        n = ++ix->nrounds;
        snprintf(ix->rounds[n], sizeof(ix->rounds[n]), "%s", round);
    }
    pthread_mutex_unlock(&round_lock);
    return n;
}

/* ---- USCC map ---- */

/* Three loads and two multiplies: a build fills the map with 10M USCCs,
 * and a byte-at-a-time FNV is a chain of 18 dependent multiplies. The low
 * bits pick the slot, so the high bits are folded down. */
static uint64_t uscc_hash(const char *u)
{
    uint64_t a, b, h;
    uint16_t c;
    memcpy(&a, u, 8);
    memcpy(&b, u + 8, 8);
    memcpy(&c, u + 16, 2);
    h = (a ^ (uint64_t)c << 48) * 0x9E3779B97F4A7C15ull;
    h = (h ^ (h >> 29) ^ b) * 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 31);
}

uint32_t index_find_uscc(const struct index *ix, const char *uscc)
{
    size_t i;
    if (!ix->uscc_slots)
        return 0;
    for (i = uscc_hash(uscc) & ix->uscc_mask;; i = (i + 1) & ix->uscc_mask) {
        uint32_t d = ix->uscc_slots[i];
        if (d == 0)
            return 0;
        if (d != UINT32_MAX && memcmp(ix->uscc[d], uscc, 18) == 0)
            return d;
    }
}

static void uscc_insert_hashed(uint32_t *slots, size_t mask, uint64_t hash, uint32_t doc)
{
    size_t i;
    for (i = hash & mask; slots[i] && slots[i] != UINT32_MAX; i = (i + 1) & mask)
        ;
    slots[i] = doc;
}

static void uscc_insert_slot(uint32_t *slots, size_t mask, const char *uscc, uint32_t doc)
{
    uscc_insert_hashed(slots, mask, uscc_hash(uscc), doc);
}

static void uscc_rehash(struct index *ix, size_t want)
{
    size_t n = 1024, i;
    uint32_t *slots;
    while (n < want * 2)
        n <<= 1;
    slots = xcalloc(n, sizeof(*slots));
    for (i = 0; ix->uscc_slots && i <= ix->uscc_mask; i++) {
        uint32_t d = ix->uscc_slots[i];
        if (d && d != UINT32_MAX)
            uscc_insert_slot(slots, n - 1, ix->uscc[d], d);
    }
    free(ix->uscc_slots);
    ix->uscc_slots = slots;
    ix->uscc_mask = n - 1;
}

static void uscc_map_add(struct index *ix, uint32_t doc)
{
    if (!ix->uscc[doc][0])
        return;
    if (!ix->uscc_slots || (ix->uscc_used + 1) * 2 > ix->uscc_mask + 1)
        uscc_rehash(ix, ix->uscc_used + 1);
    uscc_insert_slot(ix->uscc_slots, ix->uscc_mask, ix->uscc[doc], doc);
    ix->uscc_used++;
}

/* A build's map: docs[0..n) ascending, the map empty. Every insert is a
 * cache miss (the table has two slots per doc, 134 MB at 10M), so each
 * doc's slot is hashed and fetched AHEAD docs before it is inserted. */
static void uscc_map_fill(struct index *ix, const uint32_t *docs, size_t n)
{
    enum { AHEAD = 16 };
    uint64_t hash[AHEAD];
    size_t i;

    uscc_rehash(ix, n);
    for (i = 0; i < n + AHEAD; i++) {
        /* hash[i % AHEAD] holds doc i - AHEAD's hash until doc i's replaces it */
        if (i >= AHEAD && ix->uscc[docs[i - AHEAD]][0]) {
            uscc_insert_hashed(ix->uscc_slots, ix->uscc_mask, hash[i % AHEAD], docs[i - AHEAD]);
            ix->uscc_used++;
        }
        if (i < n) {
            hash[i % AHEAD] = uscc_hash(ix->uscc[docs[i]]);
            __builtin_prefetch(&ix->uscc_slots[hash[i % AHEAD] & ix->uscc_mask], 1);
        }
    }
}

static void uscc_map_remove(struct index *ix, uint32_t doc)
{
    size_t i;
    if (!ix->uscc[doc][0] || !ix->uscc_slots)
        return;
    for (i = uscc_hash(ix->uscc[doc]) & ix->uscc_mask; ix->uscc_slots[i];
         i = (i + 1) & ix->uscc_mask)
        if (ix->uscc_slots[i] == doc) {
            ix->uscc_slots[i] = UINT32_MAX;
            return;
        }
}

/* ---- one enterprise ---- */

/* What a row contributes, resolved once: used by the build (straight from
 * the store's row) and by a refresh (from a copy). */
struct doc_values {
    uint32_t doc;
    char uscc[18];
    int64_t capital;
    int32_t founded, funding;
    int32_t staff, patents, pat_invention, pat_utility, pat_design, software_cr;
    int32_t region, street;
    int16_t industry;
    uint8_t status, tags, round, base;
};

static int32_t count32(int64_t v)
{
    return v < 0 ? -1 : v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static int32_t day32(const char *ymd)
{
    int64_t d;
    if (!ymd || query_date_days(ymd, &d) != 0 || d < INT32_MIN + 1 || d > INT32_MAX)
        return INDEX_NO_DAY;
    return (int32_t)d;
}

/* The most specific known region a stored code names: the code itself,
 * else its city or province prefix (a code retired from the table still
 * counts under its province and city). */
static int32_t region_of(const char *code)
{
    const struct region *r;
    char buf[10];
    size_t n;
    if (!code || !*code)
        return -1;
    r = region_find_code(code);
    n = strlen(code);
    if (!r && n > 4 && n <= 9) {
        memcpy(buf, code, 4);
        buf[4] = '\0';
        r = region_find_code(buf);
    }
    if (!r && n > 2 && n <= 9) {
        memcpy(buf, code, 2);
        buf[2] = '\0';
        r = region_find_code(buf);
    }
    return r ? (int32_t)index_region_idx(r) : -1;
}

/* Code lookups repeat a lot (2,500 counties, 1,300 classes and 34,000
 * streets over a million generated rows): each build thread memoises them
 * in open-addressing tables of 8-byte slots, which spares the tables'
 * normalisation and binary searches. Every slot a street lookup reads is a
 * likely cache miss, so the tables are kept small: a code of one to nine
 * digits (every region, street and industry code the store holds) is keyed
 * by the number 10^length + its value, which keeps leading zeros apart and
 * fits 32 bits; any other code is looked up each time. A table keeps every
 * code it meets (the direct-mapped cache of 16,384 codes this replaced was
 * smaller than the streets), up to 3/4 of MEMO_MAX_SLOTS, then starts over. */
#define MEMO_MAX_SLOTS ((size_t)1 << 17)

struct memo_slot {
    uint32_t key;     /* 0: empty */
    int32_t idx;
};

struct code_memo {
    struct memo_slot *slots;
    size_t mask, used;
};

/* A street code whose lookup waits for the end of the chunk. */
struct pending_street {
    uint32_t doc, key;
};

struct lookup_cache {
    struct code_memo region, street, industry;
    struct pending_street *pending;   /* see streets_resolve */
    size_t npending, apending;
};

static size_t memo_hash(uint32_t key)
{
    return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 40);
}

static void memo_grow(struct code_memo *m)
{
    struct memo_slot *old = m->slots;
    size_t n = m->slots ? 2 * (m->mask + 1) : 4096, i, j;

    if (n > MEMO_MAX_SLOTS) {   /* start over */
        memset(m->slots, 0, (m->mask + 1) * sizeof(*m->slots));
        m->used = 0;
        return;
    }
    m->slots = xcalloc(n, sizeof(*m->slots));
    for (i = 0; old && i <= m->mask; i++) {
        if (!old[i].key)
            continue;
        for (j = memo_hash(old[i].key) & (n - 1); m->slots[j].key; j = (j + 1) & (n - 1))
            ;
        m->slots[j] = old[i];
    }
    free(old);
    m->mask = n - 1;
}

static void memo_release(struct code_memo *m)
{
    free(m->slots);
}

/* The memo key of a code (see above); 0 when it has none. */
static uint32_t memo_key(const char *code)
{
    uint32_t key = 1;
    size_t n;
    for (n = 0; code[n] >= '0' && code[n] <= '9'; n++) {
        if (n == 9)
            return 0;
        key = key * 10 + (uint32_t)(code[n] - '0');   /* 10^n + value so far */
    }
    return n == 0 || code[n] ? 0 : key;
}

static int32_t memo_get(struct code_memo *m, uint32_t key, int32_t (*lookup)(const char *))
{
    size_t i;
    if (!m->slots || (m->used + 1) * 4 > (m->mask + 1) * 3)
        memo_grow(m);
    for (i = memo_hash(key) & m->mask; m->slots[i].key; i = (i + 1) & m->mask)
        if (m->slots[i].key == key)
            return m->slots[i].idx;
    {
        char code[12];   /* the key's digits after its leading 1 are the code */
        snprintf(code, sizeof(code), "%u", (unsigned)key);
        m->slots[i].idx = lookup(code + 1);
    }
    m->slots[i].key = key;
    m->used++;
    return m->slots[i].idx;
}

static int32_t memoised(struct code_memo *m, const char *code, int32_t (*lookup)(const char *))
{
    uint32_t key;
    if (!code || !*code)
        return -1;
    key = memo_key(code);
    return key ? memo_get(m, key, lookup) : lookup(code);
}

static int32_t street_of(const char *code)
{
    const struct region *r = region_find_code(code);
    return r ? (int32_t)index_region_idx(r) : -1;
}

static int32_t industry_of(const char *code)
{
    const struct industry *ind = code && *code ? industry_find_code(code) : NULL;
    return ind ? (int32_t)index_industry_idx(ind) : -1;
}

static void resolve_row(struct index *ix, const struct index_ent_row *r, struct doc_values *v,
                        struct lookup_cache *lc)
{
    struct score_facts f;
    int64_t cny;

    memset(v, 0, sizeof(*v));
    v->doc = (uint32_t)r->id;
    if (r->uscc && strlen(r->uscc) == 18)
        memcpy(v->uscc, r->uscc, 18);
    v->capital = SCORE_UNKNOWN;
    if (r->capital >= 0 && query_money_to_cny(r->capital, r->capital_cur ? r->capital_cur : "CNY",
                                              &cny) == 0)
        v->capital = cny;
    v->founded = day32(r->founded);
    v->funding = day32(r->funding_date);
    v->staff = count32(r->staff);
    v->patents = count32(r->patents);
    v->pat_invention = count32(r->pat_invention);
    v->pat_utility = count32(r->pat_utility);
    v->pat_design = count32(r->pat_design);
    v->software_cr = count32(r->software_cr);
    v->region = lc ? memoised(&lc->region, r->region, region_of) : region_of(r->region);
    v->street = -1;
    if (r->street && *r->street) {
        uint32_t key = lc ? memo_key(r->street) : 0;
        if (key) {   /* a build: streets_resolve sets the column at the chunk's end */
            ALLOC_GROW(lc->pending, lc->npending + 1, lc->apending);
            lc->pending[lc->npending].doc = v->doc;
            lc->pending[lc->npending++].key = key;
        } else {
            v->street = street_of(r->street);
        }
    }
    v->industry = (int16_t)(lc ? memoised(&lc->industry, r->industry, industry_of)
                               : industry_of(r->industry));
    v->status = r->status >= 0 && r->status < 8 ? (uint8_t)r->status : 0;
    v->tags = r->tags > 0 ? (uint8_t)(r->tags & 0xff) : 0;
    v->round = r->round && *r->round ? (uint8_t)round_number(ix, r->round) : 0;

    f.capital_cny = v->capital;
    f.founded = v->founded == INDEX_NO_DAY ? SCORE_UNKNOWN : v->founded;
    f.funding_date = v->funding == INDEX_NO_DAY ? SCORE_UNKNOWN : v->funding;
    f.staff = v->staff < 0 ? SCORE_UNKNOWN : v->staff;
    f.patents = v->patents < 0 ? SCORE_UNKNOWN : v->patents;
    f.pat_invention = v->pat_invention < 0 ? SCORE_UNKNOWN : v->pat_invention;
    f.pat_utility = v->pat_utility < 0 ? SCORE_UNKNOWN : v->pat_utility;
    f.pat_design = v->pat_design < 0 ? SCORE_UNKNOWN : v->pat_design;
    f.software_cr = v->software_cr < 0 ? SCORE_UNKNOWN : v->software_cr;
    f.tags = v->tags;
    f.round = v->round ? ix->rounds[v->round] : NULL;
    f.status = v->status;
    v->base = (uint8_t)score_base(ix->sm, &f, ix->today);
}

/* The street column of the docs resolve_row left pending. Streets are many
 * (tens of thousands), so a street's memo slot is likely a cache miss:
 * looked up together at the end of a chunk, each slot is fetched AHEAD
 * lookups early. */
static void streets_resolve(struct index *ix, struct lookup_cache *lc)
{
    enum { AHEAD = 8 };
    struct code_memo *m = &lc->street;
    size_t i;
    for (i = 0; i < lc->npending; i++) {
        if (i + AHEAD < lc->npending && m->slots)
            __builtin_prefetch(&m->slots[memo_hash(lc->pending[i + AHEAD].key) & m->mask]);
        ix->street[lc->pending[i].doc] = memo_get(m, lc->pending[i].key, street_of);
    }
    lc->npending = 0;
}

void index_facts(const struct index *ix, uint32_t doc, struct score_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->capital_cny = ix->capital[doc];
    f->founded = ix->founded[doc] == INDEX_NO_DAY ? SCORE_UNKNOWN : ix->founded[doc];
    f->funding_date = ix->funding[doc] == INDEX_NO_DAY ? SCORE_UNKNOWN : ix->funding[doc];
#define C(x) f->x = ix->x[doc] < 0 ? SCORE_UNKNOWN : ix->x[doc]
    C(staff);
    C(patents);
    C(pat_invention);
    C(pat_utility);
    C(pat_design);
    C(software_cr);
#undef C
    f->tags = ix->tags[doc];
    f->round = ix->round[doc] ? ix->rounds[ix->round[doc]] : NULL;
    f->status = ix->status[doc];
}

/* Write v's columns. */
static void columns_set(struct index *ix, const struct doc_values *v)
{
    uint32_t d = v->doc;
    memcpy(ix->uscc[d], v->uscc, 18);
    ix->capital[d] = v->capital;
    ix->founded[d] = v->founded;
    ix->funding[d] = v->funding;
    ix->staff[d] = v->staff;
    ix->patents[d] = v->patents;
    ix->pat_invention[d] = v->pat_invention;
    ix->pat_utility[d] = v->pat_utility;
    ix->pat_design[d] = v->pat_design;
    ix->software_cr[d] = v->software_cr;
    ix->region[d] = v->region;
    ix->street[d] = v->street;
    ix->industry[d] = v->industry;
    ix->status[d] = v->status;
    ix->tags[d] = v->tags;
    ix->round[d] = v->round;
    ix->base[d] = v->base;
}

/* Add doc d to every code bitmap its columns put it in: region with its
 * ancestors, street, industry with its ancestors, status, tags, round, base
 * score, bands (a refresh; a build makes these bitmaps from the columns at
 * once, see code_bitmaps_build). */
static void doc_bitmaps_add(struct index *ix, uint32_t d)
{
    struct index_bitmaps *b = &ix->bm;
    int t, c;

    if (ix->region[d] >= 0) {
        const struct region *r;
        for (r = region_at((size_t)ix->region[d]); r; r = r->parent)
            bm_add(&b->region[index_region_idx(r)], d);
    }
    if (ix->street[d] >= 0)
        bm_add(&b->region[ix->street[d]], d);
    if (ix->industry[d] >= 0) {
        const struct industry *ind;
        for (ind = industry_at((size_t)ix->industry[d]); ind; ind = ind->parent)
            bm_add(&b->industry[index_industry_idx(ind)], d);
    }
    bm_add(&b->status[ix->status[d]], d);
    for (t = 0; t < TAG_COUNT; t++)
        if (ix->tags[d] & (1u << t))
            bm_add(&b->tag[t], d);
    if (ix->round[d])
        bm_add(&b->round[ix->round[d]], d);
    bm_add(&b->base[ix->base[d] <= 100 ? ix->base[d] : 100], d);
    for (c = 0; c < RC_COUNT; c++) {
        int band = doc_band(ix, (enum index_range_col)c, d);
        if (band >= 0)
            bm_add(&b->band[c][band], d);
    }
}

/* Take doc out of every bitmap its columns put it in (before an update). */
static void doc_remove(struct index *ix, uint32_t d)
{
    struct index_bitmaps *b = &ix->bm;
    int t, c;
    size_t i;

    if (ix->region[d] >= 0) {
        const struct region *r;
        for (r = region_at((size_t)ix->region[d]); r; r = r->parent)
            bm_remove(b->region[index_region_idx(r)], d);
    }
    if (ix->street[d] >= 0)
        bm_remove(b->region[ix->street[d]], d);
    if (ix->industry[d] >= 0) {
        const struct industry *ind;
        for (ind = industry_at((size_t)ix->industry[d]); ind; ind = ind->parent)
            bm_remove(b->industry[index_industry_idx(ind)], d);
    }
    bm_remove(b->status[ix->status[d]], d);
    for (t = 0; t < TAG_COUNT; t++)
        bm_remove(b->tag[t], d);
    if (ix->round[d])
        bm_remove(b->round[ix->round[d]], d);
    bm_remove(b->base[ix->base[d] <= 100 ? ix->base[d] : 100], d);
    for (c = 0; c < RC_COUNT; c++) {
        int band = doc_band(ix, (enum index_range_col)c, d);
        if (band >= 0)
            bm_remove(b->band[c][band], d);
    }
    for (i = 0; i < ix->tax->nnodes; i++)
        bm_remove(b->node[i], d);
    uscc_map_remove(ix, d);
    memset(ix->uscc[d], 0, 18);
    roaring_bitmap_remove(ix->all, d);
}

static int node_index(const struct index *ix, const char *full_id)
{
    const struct tax_node *n = taxonomy_node(ix->tax, full_id);
    return n ? (int)(n - ix->tax->nodes) : -1;
}

/* ---- derived sets: tracks, gap nodes ---- */

/* Track bitmaps from node bitmaps, and the gap nodes of home: a node whose
 * location quotient at home, (local in node / local) / (national in node /
 * national), is below 1 - the district is under-represented there. A node
 * with no enterprise anywhere is not a gap (nothing to attract). */
static void derive_sets(struct index *ix)
{
    const struct taxonomy *t = ix->tax;
    size_t i, k;
    uint64_t national = roaring_bitmap_get_cardinality(ix->all), local = 0;
    const roaring_bitmap_t *home_bm = NULL;

    if (ix->home)
        home_bm = ix->bm.region[index_region_idx(ix->home)];
    if (home_bm)
        local = roaring_bitmap_get_cardinality(home_bm);

    for (i = 0; i < t->ntracks; i++) {
        const struct tax_track *tr = &t->tracks[i];
        const roaring_bitmap_t *parts[512];
        size_t np = 0;
        if (ix->track[i])
            roaring_bitmap_free(ix->track[i]);
        for (k = 0; k < tr->nnodes && np < 512; k++)
            if (ix->bm.node[tr->first_node + k])
                parts[np++] = ix->bm.node[tr->first_node + k];
        ix->track[i] = np ? roaring_bitmap_or_many(np, parts) : roaring_bitmap_create();
    }
    if (ix->any_track)
        roaring_bitmap_free(ix->any_track);
    ix->any_track = roaring_bitmap_or_many(t->ntracks, (const roaring_bitmap_t **)ix->track);

    if (ix->any_gap)
        roaring_bitmap_free(ix->any_gap);
    ix->any_gap = roaring_bitmap_create();
    for (i = 0; i < t->nnodes; i++) {
        const roaring_bitmap_t *nb = ix->bm.node[i];
        uint64_t nat = nb ? roaring_bitmap_get_cardinality(nb) : 0, loc = 0;
        ix->gap[i] = 0;
        if (!home_bm || !nat || !local)
            continue;
        loc = roaring_bitmap_and_cardinality(nb, home_bm);
        /* loc/local < nat/national, in integers */
        if ((unsigned __int128)loc * national < (unsigned __int128)nat * local) {
            ix->gap[i] = 1;
            roaring_bitmap_or_inplace(ix->any_gap, nb);
        }
    }
}

/* ---- the build ---- */

struct text_rows {
    uint32_t *docs;
    struct strbuf names, scopes;
    size_t *name_end, *scope_end;   /* end offsets, per row */
    size_t n, alloc;
};

struct builder {
    struct index *ix;
    const char *path;
    int64_t max_id;
    int nthreads;
    pthread_mutex_t text_lock;
};

struct worker {
    struct builder *b;
    int index;
    roaring_bitmap_t *all;        /* the docs it read */
    roaring_bitmap_t **node;      /* by taxonomy node index */
    struct text_rows texts;
    struct lookup_cache *cache;
    struct error err;
    int failed;
};

static void texts_flush(struct worker *w)
{
    struct builder *b = w->b;
    struct text_rows *t = &w->texts;
    size_t i, ns = 0, ss = 0;
    pthread_mutex_lock(&b->text_lock);
    for (i = 0; i < t->n; i++) {
        textidx_put(b->ix->names, t->docs[i], t->names.buf + ns, t->name_end[i] - ns);
        textidx_put(b->ix->scopes, t->docs[i], t->scopes.buf + ss, t->scope_end[i] - ss);
        ns = t->name_end[i];
        ss = t->scope_end[i];
    }
    pthread_mutex_unlock(&b->text_lock);
    t->n = 0;
    strbuf_reset(&t->names);
    strbuf_reset(&t->scopes);
}

static int build_row(const struct index_ent_row *r, void *ctx)
{
    struct worker *w = ctx;
    struct text_rows *t = &w->texts;
    struct doc_values v;

    if (r->id <= 0 || r->id >= UINT32_MAX)
        return 0;
    resolve_row(w->b->ix, r, &v, w->cache);
    columns_set(w->b->ix, &v);
    if (t->n == t->alloc) {
        t->alloc = t->alloc ? 2 * t->alloc : 4096;
        t->docs = xrealloc(t->docs, t->alloc * sizeof(*t->docs));
        t->name_end = xrealloc(t->name_end, t->alloc * sizeof(size_t));
        t->scope_end = xrealloc(t->scope_end, t->alloc * sizeof(size_t));
    }
    t->docs[t->n] = v.doc;
    strbuf_add(&t->names, r->name ? r->name : "", r->name ? r->name_len : 0);
    strbuf_add(&t->scopes, r->scope ? r->scope : "", r->scope ? r->scope_len : 0);
    t->name_end[t->n] = t->names.len;
    t->scope_end[t->n] = t->scopes.len;
    t->n++;
    return 0;
}

static int build_node(int64_t ent_id, const char *node, void *ctx)
{
    struct worker *w = ctx;
    int k = node_index(w->b->ix, node);
    /* Rows of a taxonomy this build does not know are ignored: the store
     * was classified with another one ('magnet classify --all' fixes it). */
    if (k >= 0 && ent_id > 0 && ent_id < (int64_t)w->b->ix->cap)
        bm_add(&w->node[k], (uint32_t)ent_id);
    return 0;
}

static void *build_thread(void *arg)
{
    struct worker *w = arg;
    struct builder *b = w->b;
    struct store *st = NULL;
    int64_t lo;

    if (store_open(b->path, STORE_OPEN_EXISTING, &st, &w->err) != 0 ||
        store_set_cache_kib(st, 16384, &w->err) != 0) {
        store_close(st);
        w->failed = 1;
        return NULL;
    }
    for (lo = (int64_t)w->index * CHUNK; lo <= b->max_id; lo += (int64_t)b->nthreads * CHUNK) {
        int64_t hi = lo + CHUNK - 1;   /* ids lo .. hi, as the range (lo-1, hi] */
        /* ids without a row read as unknown; cleared here, by the thread
         * about to write them, rather than all at once before the read */
        columns_clear(b->ix, (uint32_t)lo, (uint32_t)(hi < b->max_id ? hi + 1 : b->max_id + 1));
        if (store_index_ents(st, lo - 1, hi, build_row, w, &w->err) < 0 ||
            store_index_nodes(st, lo - 1, hi, build_node, w, &w->err) < 0) {
            w->failed = 1;
            break;
        }
        streets_resolve(b->ix, w->cache);
        /* the chunk's docs, ascending, are the text rows' */
        bm_append_docs(w->all, w->texts.docs, w->texts.n);
        texts_flush(w);
    }
    store_close(st);
    return NULL;
}

static struct index *index_new(const struct index_options *opt)
{
    struct index *ix = xcalloc(1, sizeof(*ix));
    pthread_rwlock_init(&ix->lock, NULL);
    pthread_mutex_init(&ix->ge_lock, NULL);
    ix->tax = opt->taxonomy;
    ix->sm = opt->scoring;
    ix->home = opt->home && *opt->home ? region_find_code(opt->home) : NULL;
    ix->today = opt->today;
    if (!ix->today)
        ix->today = (int64_t)(time(NULL) / 86400);
    ix->threads = opt->threads > 0 ? opt->threads : 2;
    ix->walk_min = INDEX_WALK_MIN;
    ix->all = roaring_bitmap_create();
    ix->names = textidx_new(TEXTIDX_PLAIN);
    ix->scopes = textidx_new(TEXTIDX_PIECES);
    ix->track = xcalloc(ix->tax->ntracks ? ix->tax->ntracks : 1, sizeof(*ix->track));
    ix->gap = xcalloc(ix->tax->nnodes ? ix->tax->nnodes : 1, 1);
    bitmaps_alloc(&ix->bm, ix->tax->nnodes);
    return ix;
}

static void index_contents_free(struct index *ix)
{
    size_t i;
    free(ix->uscc);
    free(ix->capital);
    free(ix->founded);
    free(ix->funding);
    free(ix->staff);
    free(ix->patents);
    free(ix->pat_invention);
    free(ix->pat_utility);
    free(ix->pat_design);
    free(ix->software_cr);
    free(ix->region);
    free(ix->street);
    free(ix->industry);
    free(ix->status);
    free(ix->tags);
    free(ix->round);
    free(ix->base);
    bitmaps_release(&ix->bm, ix->tax->nnodes);
    ge_drop(ix);
    for (i = 0; i < ix->tax->ntracks; i++)
        if (ix->track[i])
            roaring_bitmap_free(ix->track[i]);
    free(ix->track);
    free(ix->gap);
    if (ix->any_track)
        roaring_bitmap_free(ix->any_track);
    if (ix->any_gap)
        roaring_bitmap_free(ix->any_gap);
    if (ix->all)
        roaring_bitmap_free(ix->all);
    free(ix->uscc_slots);
    textidx_free(ix->names);
    textidx_free(ix->scopes);
}

void index_free(struct index *ix)
{
    if (!ix)
        return;
    index_contents_free(ix);
    pthread_rwlock_destroy(&ix->lock);
    pthread_mutex_destroy(&ix->ge_lock);
    free(ix);
}

/* ---- code bitmaps from the columns (build) ----
 *
 * A build writes the columns while it reads and makes the code bitmaps
 * afterwards, family by family (regions, streets, industries, statuses,
 * each tag, rounds, base scores, each range column's bands): a counting
 * sort of the docs by their value in the family, then the docs of each
 * value, ascending, become its bitmap one container at a time, compacted
 * while still in cache. Putting each doc into its dozen bitmaps as it was
 * read cost one or two cache misses a bitmap (a chunk of 65,536 docs
 * touches ~25,000 bitmaps, most of them streets with a doc or two), and
 * appending a container a chunk touched each street's bitmap 150 times. */

enum family { FAM_REGION, FAM_STREET, FAM_INDUSTRY, FAM_STATUS, FAM_TAG, FAM_ROUND, FAM_BASE,
              FAM_BAND };

struct family_scratch {
    const uint32_t *docs;  /* every doc, ascending */
    size_t n;
    int32_t *val;          /* by position in docs: the value in the family, -1: none */
    uint32_t *grouped;     /* the docs, value after value */
    uint32_t *end;         /* by value: where its docs end in grouped */
    size_t end_alloc;
};

/* Each doc's value in family f (arg: the tag bit, or the range column) into
 * fs->val; *out gets the family's bitmaps by value. Returns the number of
 * values. */
static size_t family_values(struct index *ix, enum family f, int arg, struct family_scratch *fs,
                            roaring_bitmap_t ***out)
{
    const uint32_t *d = fs->docs;
    int32_t *val = fs->val;
    size_t i, n = fs->n;

    switch (f) {
    case FAM_REGION:
        for (i = 0; i < n; i++)
            val[i] = ix->region[d[i]];
        *out = ix->bm.region;
        return region_count();
    case FAM_STREET:
        for (i = 0; i < n; i++)
            val[i] = ix->street[d[i]];
        *out = ix->bm.region;
        return region_count();
    case FAM_INDUSTRY:
        for (i = 0; i < n; i++)
            val[i] = ix->industry[d[i]];
        *out = ix->bm.industry;
        return industry_count();
    case FAM_STATUS:
        for (i = 0; i < n; i++)
            val[i] = ix->status[d[i]];
        *out = ix->bm.status;
        return STATUS_N;
    case FAM_TAG:
        for (i = 0; i < n; i++)
            val[i] = ix->tags[d[i]] & (1u << arg) ? 0 : -1;
        *out = &ix->bm.tag[arg];
        return 1;
    case FAM_ROUND:
        for (i = 0; i < n; i++)
            val[i] = ix->round[d[i]] ? ix->round[d[i]] : -1;
        *out = ix->bm.round;
        return ROUND_N;
    case FAM_BASE:
        for (i = 0; i < n; i++)
            val[i] = ix->base[d[i]] <= 100 ? ix->base[d[i]] : 100;
        *out = ix->bm.base;
        return BASE_N;
    case FAM_BAND:
        for (i = 0; i < n; i++)
            val[i] = doc_band(ix, (enum index_range_col)arg, d[i]);
        *out = ix->bm.band[arg];
        return INDEX_MAX_BANDS;
    }
    return 0;
}

static void family_build(struct index *ix, enum family f, int arg, struct family_scratch *fs)
{
    roaring_bitmap_t **out;
    size_t nv = family_values(ix, f, arg, fs, &out), i, v;
    uint32_t *end, start;

    ALLOC_GROW(fs->end, nv, fs->end_alloc);
    end = fs->end;
    memset(end, 0, nv * sizeof(*end));
    for (i = 0; i < fs->n; i++)
        if (fs->val[i] >= 0)
            end[fs->val[i]]++;
    for (v = 0, start = 0; v < nv; v++) {   /* end[v]: where v's docs start, for now */
        uint32_t count = end[v];
        end[v] = start;
        start += count;
    }
    for (i = 0; i < fs->n; i++)   /* in doc order: each value's docs ascend */
        if (fs->val[i] >= 0)
            fs->grouped[end[fs->val[i]]++] = fs->docs[i];
    for (v = 0, start = 0; v < nv; start = end[v], v++) {
        roaring_bitmap_t *bm;
        if (start == end[v])
            continue;
        bm = roaring_bitmap_create();
        bm_append_docs(bm, fs->grouped + start, end[v] - start);
        if (out[v]) {   /* a street coded as a county: two families fill one bitmap */
            roaring_bitmap_or_inplace(out[v], bm);
            roaring_bitmap_free(bm);
            bm = out[v];
        }
        roaring_bitmap_run_optimize(bm);
        roaring_bitmap_shrink_to_fit(bm);
        out[v] = bm;
    }
}

/* Every code bitmap from the columns of docs[0..n). Regions and industries
 * get their own docs only; propagate_up then fills their ancestors. */
static void code_bitmaps_build(struct index *ix, const uint32_t *docs, size_t n)
{
    struct family_scratch fs;
    int k;

    memset(&fs, 0, sizeof(fs));
    fs.docs = docs;
    fs.n = n;
    fs.val = xmalloc(st_mult(n ? n : 1, sizeof(*fs.val)));
    fs.grouped = xmalloc(st_mult(n ? n : 1, sizeof(*fs.grouped)));
    family_build(ix, FAM_REGION, 0, &fs);
    family_build(ix, FAM_STREET, 0, &fs);
    family_build(ix, FAM_INDUSTRY, 0, &fs);
    family_build(ix, FAM_STATUS, 0, &fs);
    for (k = 0; k < TAG_COUNT; k++)
        family_build(ix, FAM_TAG, k, &fs);
    family_build(ix, FAM_ROUND, 0, &fs);
    family_build(ix, FAM_BASE, 0, &fs);
    for (k = 0; k < RC_COUNT; k++)
        family_build(ix, FAM_BAND, k, &fs);
    free(fs.val);
    free(fs.grouped);
    free(fs.end);
}

/* After a build: every region and industry bitmap takes in its children's
 * docs, the deepest level first, and is compacted once complete (the
 * others were when made). Streets stay apart: their docs are in their
 * county through ent.region already. */
static void or_into(roaring_bitmap_t **parent, const roaring_bitmap_t *child)
{
    if (!*parent)
        *parent = roaring_bitmap_create();
    roaring_bitmap_or_inplace(*parent, child);
}

static void propagate_up(struct index *ix)
{
    size_t i;
    int level;
    for (level = REGION_COUNTY; level > REGION_PROVINCE; level--) {
        for (i = 0; i < region_count(); i++) {
            const struct region *r = region_at(i);
            if (r->level == level && r->parent && ix->bm.region[i])
                or_into(&ix->bm.region[index_region_idx(r->parent)], ix->bm.region[i]);
        }
        for (i = 0; i < region_count(); i++)
            if (region_at(i)->level == level - 1)
                bm_optimize_array(&ix->bm.region[i], 1);
    }
    for (level = INDUSTRY_CLASS; level > INDUSTRY_SECTION; level--) {
        for (i = 0; i < industry_count(); i++) {
            const struct industry *ind = industry_at(i);
            if (ind->level == level && ind->parent && ix->bm.industry[i])
                or_into(&ix->bm.industry[index_industry_idx(ind->parent)], ix->bm.industry[i]);
        }
        for (i = 0; i < industry_count(); i++)
            if (industry_at(i)->level == level - 1)
                bm_optimize_array(&ix->bm.industry[i], 1);
    }
}

/* What follows the read besides the text indexes (see index_build): the
 * USCC map, the code bitmaps, the derived sets. */
static void *finish_thread(void *arg)
{
    struct index *ix = arg;
    double t0 = now_ms();
    size_t n = (size_t)roaring_bitmap_get_cardinality(ix->all);
    uint32_t *docs = xmalloc(st_mult(n ? n : 1, sizeof(*docs)));

    roaring_bitmap_to_uint32_array(ix->all, docs);
    uscc_map_fill(ix, docs, n);
    code_bitmaps_build(ix, docs, n);
    free(docs);
    propagate_up(ix);
    derive_sets(ix);
    bm_optimize_array(ix->bm.node, ix->tax->nnodes);
    bm_optimize_array(ix->track, ix->tax->ntracks);
    roaring_bitmap_run_optimize(ix->all);
    ix->stats.finish_ms = now_ms() - t0;
    return NULL;
}

int index_build(struct store *st, const struct index_options *opt, struct index **out,
                struct error *err)
{
    struct builder b;
    struct worker *w;
    struct index *ix;
    pthread_t *tids;
    int i, started = 0, failed = 0;
    size_t k;
    int64_t max_id, seq;
    double t0 = now_ms(), t1, t2;

    *out = NULL;
    if (!opt || !opt->taxonomy || !opt->scoring)
        return error_set(err, "index_build: a taxonomy and a scoring model are required");
    if (opt->home && *opt->home && !region_find_code(opt->home))
        return error_set(err, "unknown home region '%s'", opt->home);
    /* The sequence first: whatever is written while the build reads is
     * named again by the log after it, and reloading is idempotent. */
    if (store_change_seq(st, &seq, err) != 0 || store_ent_max_id(st, &max_id, err) != 0)
        return -1;
    if (max_id >= (int64_t)UINT32_MAX - 1)
        return error_set(err, "the index holds ids below 2^32; the store's largest is %lld",
                         (long long)max_id);

    ix = index_new(opt);
    ix->seq = seq;
    columns_resize(ix, (uint32_t)max_id + 1);   /* build_thread clears them */

    memset(&b, 0, sizeof(b));
    b.ix = ix;
    b.path = store_path(st);
    b.max_id = max_id;
    b.nthreads = ix->threads;
    pthread_mutex_init(&b.text_lock, NULL);
    w = xcalloc((size_t)b.nthreads, sizeof(*w));
    tids = xcalloc((size_t)b.nthreads, sizeof(*tids));
    for (i = 0; i < b.nthreads; i++) {
        w[i].b = &b;
        w[i].index = i;
        w[i].cache = xcalloc(1, sizeof(*w[i].cache));
        w[i].all = roaring_bitmap_create();
        w[i].node = xcalloc(ix->tax->nnodes ? ix->tax->nnodes : 1, sizeof(*w[i].node));
        strbuf_init(&w[i].texts.names, 0);
        strbuf_init(&w[i].texts.scopes, 0);
    }
    for (i = 0; i < b.nthreads; i++) {
        if (pthread_create(&tids[i], NULL, build_thread, &w[i]) != 0) {
            w[i].failed = 1;
            error_set(&w[i].err, "cannot start an index thread");
            break;
        }
        started++;
    }
    for (i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    for (i = 0; i < b.nthreads; i++) {
        if (w[i].failed && !failed) {
            *err = w[i].err;
            failed = 1;
        }
        bm_merge(&ix->all, &w[i].all);
        for (k = 0; k < ix->tax->nnodes; k++)
            bm_merge(&ix->bm.node[k], &w[i].node[k]);
        free(w[i].node);
        memo_release(&w[i].cache->region);
        memo_release(&w[i].cache->street);
        memo_release(&w[i].cache->industry);
        free(w[i].cache->pending);
        free(w[i].cache);
        free(w[i].texts.docs);
        free(w[i].texts.name_end);
        free(w[i].texts.scope_end);
        strbuf_release(&w[i].texts.names);
        strbuf_release(&w[i].texts.scopes);
    }
    free(w);
    free(tids);
    pthread_mutex_destroy(&b.text_lock);
    if (failed) {
        index_free(ix);
        return error_prefix(err, "building the index: ");
    }
    t1 = now_ms();
    ix->stats.read_ms = t1 - t0;

    /* The text indexes build their grams on ix->threads threads; the rest
     * (USCC map, parent bitmaps, derived sets, compaction) runs beside them
     * on one more, filling the gaps their serial steps leave. */
    {
        pthread_t fin;
        int fin_started = pthread_create(&fin, NULL, finish_thread, ix) == 0;
        if (!fin_started)
            finish_thread(ix);
        t2 = now_ms();
        textidx_build(ix->names, ix->threads);
        ix->stats.names_ms = now_ms() - t2;
        t2 = now_ms();
        textidx_build(ix->scopes, ix->threads);
        ix->stats.scopes_ms = now_ms() - t2;
        if (fin_started)
            pthread_join(fin, NULL);
    }
    ix->stats.text_ms = now_ms() - t1;
    ix->stats.total_ms = now_ms() - t0;
    /* Give back what the build's buffers and connections used, so that the
     * serving process's resident size is the index and not its scaffolding. */
    malloc_trim(0);
    *out = ix;
    return 0;
}

/* ---- refresh ---- */

/* A row loaded for a refresh, with its own copies of the texts. */
struct loaded {
    struct doc_values v;
    char *name, *scope;
    size_t name_len, scope_len;
    int *nodes;
    size_t nnodes, nodes_alloc;
};

struct refresh {
    struct index *ix;
    struct store *st;
    roaring_bitmap_t *touched;
    int full;
    struct loaded *rows;
    size_t n, alloc;
    int64_t last_seq;
    int64_t max_id;   /* the largest id that can have changed: the store's or the index's */
    struct error *err;
};

static int add_batch_id(int64_t id, void *ctx)
{
    struct refresh *r = ctx;
    if (id > 0 && id < UINT32_MAX)
        roaring_bitmap_add(r->touched, (uint32_t)id);
    return 0;
}

static int on_change(int64_t seq, int64_t batch, int64_t lo, int64_t hi, void *ctx)
{
    struct refresh *r = ctx;
    r->last_seq = seq;
    if (batch > 0)
        return store_index_batch_ids(r->st, batch, add_batch_id, r, r->err) < 0 ? -1 : 0;
    /* A range can be open ("everything after the last id classified");
     * only ids that exist now or existed in the index can have changed. */
    if (lo < 0)
        lo = 0;
    if (hi > r->max_id)
        hi = r->max_id;
    if (hi > lo)
        roaring_bitmap_add_range_closed(r->touched, (uint32_t)lo + 1, (uint32_t)hi);
    return 0;
}

static int load_row(const struct index_ent_row *row, void *ctx)
{
    struct refresh *r = ctx;
    struct loaded *l;
    if (row->id <= 0 || row->id >= UINT32_MAX)
        return 0;
    ALLOC_GROW(r->rows, r->n + 1, r->alloc);
    l = &r->rows[r->n++];
    memset(l, 0, sizeof(*l));
    resolve_row(r->ix, row, &l->v, NULL);
    l->name = xstrndup(row->name ? row->name : "", row->name ? row->name_len : 0);
    l->name_len = row->name ? row->name_len : 0;
    l->scope = row->scope ? xstrndup(row->scope, row->scope_len) : NULL;
    l->scope_len = row->scope ? row->scope_len : 0;
    return 0;
}

static int cmp_loaded(const void *a, const void *b)
{
    uint32_t x = ((const struct loaded *)a)->v.doc, y = ((const struct loaded *)b)->v.doc;
    return x < y ? -1 : x > y;
}

static int load_node(int64_t ent_id, const char *node, void *ctx)
{
    struct refresh *r = ctx;
    struct loaded key, *l;
    int k = node_index(r->ix, node);
    if (k < 0)
        return 0;
    key.v.doc = (uint32_t)ent_id;
    l = bsearch(&key, r->rows, r->n, sizeof(*r->rows), cmp_loaded);
    if (l) {
        ALLOC_GROW(l->nodes, l->nnodes + 1, l->nodes_alloc);
        l->nodes[l->nnodes++] = k;
    }
    return 0;
}

/* Load the touched docs, range by range of consecutive ids. */
static int load_touched(struct refresh *r)
{
    roaring_uint32_iterator_t it;
    roaring_init_iterator(r->touched, &it);
    while (it.has_value) {
        uint32_t lo = it.current_value, hi = lo;
        roaring_advance_uint32_iterator(&it);
        while (it.has_value && it.current_value == hi + 1) {
            hi++;
            roaring_advance_uint32_iterator(&it);
        }
        if (store_index_ents(r->st, (int64_t)lo - 1, hi, load_row, r, r->err) < 0)
            return -1;
    }
    if (r->n > 1)
        qsort(r->rows, r->n, sizeof(*r->rows), cmp_loaded);
    roaring_init_iterator(r->touched, &it);
    while (it.has_value) {
        uint32_t lo = it.current_value, hi = lo;
        roaring_advance_uint32_iterator(&it);
        while (it.has_value && it.current_value == hi + 1) {
            hi++;
            roaring_advance_uint32_iterator(&it);
        }
        if (store_index_nodes(r->st, (int64_t)lo - 1, hi, load_node, r, r->err) < 0)
            return -1;
    }
    return 0;
}

static void apply(struct refresh *r)
{
    struct index *ix = r->ix;
    roaring_uint32_iterator_t it;
    size_t i, k;
    uint32_t max = 0;

    for (i = 0; i < r->n; i++)
        if (r->rows[i].v.doc > max)
            max = r->rows[i].v.doc;
    if (max >= ix->cap) {
        uint32_t cap = ix->cap;
        while (cap <= max)
            cap = cap < 1024 ? 1024 : cap + cap / 2;
        columns_grow(ix, cap);
    }
    /* Everything touched leaves its bitmaps first; what still exists comes back. */
    roaring_init_iterator(r->touched, &it);
    while (it.has_value) {
        uint32_t d = it.current_value;
        if (d < ix->cap && roaring_bitmap_contains(ix->all, d)) {
            doc_remove(ix, d);
            textidx_set(ix->names, d, NULL, 0);
            textidx_set(ix->scopes, d, NULL, 0);
        }
        roaring_advance_uint32_iterator(&it);
    }
    for (i = 0; i < r->n; i++) {
        struct loaded *l = &r->rows[i];
        columns_set(ix, &l->v);
        doc_bitmaps_add(ix, l->v.doc);
        roaring_bitmap_add(ix->all, l->v.doc);
        uscc_map_add(ix, l->v.doc);
        textidx_set(ix->names, l->v.doc, l->name, l->name_len);
        textidx_set(ix->scopes, l->v.doc, l->scope, l->scope_len);
        for (k = 0; k < l->nnodes; k++)
            bm_add(&ix->bm.node[l->nodes[k]], l->v.doc);
    }
    derive_sets(ix);
    ge_drop(ix);
    ix->seq = r->last_seq;
}

static void refresh_release(struct refresh *r)
{
    size_t i;
    for (i = 0; i < r->n; i++) {
        free(r->rows[i].name);
        free(r->rows[i].scope);
        free(r->rows[i].nodes);
    }
    free(r->rows);
    if (r->touched)
        roaring_bitmap_free(r->touched);
}

int64_t index_refresh(struct index *ix, struct store *st, struct error *err)
{
    struct refresh r;
    int64_t seq, n;

    if (store_change_seq(st, &seq, err) != 0)
        return -1;
    if (seq == ix->seq)
        return 0;
    memset(&r, 0, sizeof(r));
    r.ix = ix;
    r.st = st;
    r.err = err;
    r.touched = roaring_bitmap_create();
    r.last_seq = ix->seq;
    if (store_ent_max_id(st, &r.max_id, err) != 0) {
        refresh_release(&r);
        return -1;
    }
    if (ix->cap && r.max_id < (int64_t)ix->cap - 1)
        r.max_id = (int64_t)ix->cap - 1;
    if (store_changes_since(st, ix->seq, on_change, &r, err) < 0) {
        refresh_release(&r);
        return -1;
    }
    n = (int64_t)roaring_bitmap_get_cardinality(r.touched);
    if (n > 0 && (uint64_t)n * REBUILD_SHARE > roaring_bitmap_get_cardinality(ix->all) &&
        n > 100000) {
        /* Most of the index changed: build it again and swap the contents. */
        struct index_options opt = { ix->tax, ix->sm, NULL, ix->today, ix->threads };
        struct index *fresh;
        char home[10] = "";
        refresh_release(&r);
        if (ix->home)
            snprintf(home, sizeof(home), "%s", ix->home->code);
        opt.home = home[0] ? home : NULL;
        if (index_build(st, &opt, &fresh, err) != 0)
            return -1;
        pthread_rwlock_wrlock(&ix->lock);
        {
            pthread_rwlock_t keep = ix->lock;
            pthread_mutex_t keep_ge = ix->ge_lock;
            index_contents_free(ix);
            *ix = *fresh;
            ix->lock = keep;
            ix->ge_lock = keep_ge;
        }
        pthread_rwlock_unlock(&ix->lock);
        pthread_rwlock_destroy(&fresh->lock);
        pthread_mutex_destroy(&fresh->ge_lock);
        free(fresh);
        return n;
    }
    if (load_touched(&r) != 0) {
        refresh_release(&r);
        return -1;
    }
    pthread_rwlock_wrlock(&ix->lock);
    apply(&r);
    pthread_rwlock_unlock(&ix->lock);
    refresh_release(&r);
    return n;
}

/* ---- reporting ---- */

int64_t index_id_of_uscc(struct index *ix, const char *uscc)
{
    uint32_t d;
    if (strlen(uscc) != 18)
        return 0;
    pthread_rwlock_rdlock(&ix->lock);
    d = index_find_uscc(ix, uscc);
    pthread_rwlock_unlock(&ix->lock);
    return d;
}

uint64_t index_count(const struct index *ix)
{
    return roaring_bitmap_get_cardinality(ix->all);
}

int index_node_is_gap(const struct index *ix, size_t node)
{
    return node < ix->tax->nnodes && ix->gap[node];
}

int64_t index_seq(const struct index *ix)
{
    return ix->seq;
}

void index_build_stats(const struct index *ix, struct index_build_stats *out)
{
    *out = ix->stats;
}

void index_memory(struct index *ix, struct index_mem *out)
{
    struct textidx_mem tm;
    size_t per_doc = 18 + 8 + 4 * 10 + 2 + 4;

    pthread_rwlock_rdlock(&ix->lock);
    memset(out, 0, sizeof(*out));
    out->docs = roaring_bitmap_get_cardinality(ix->all);
    out->columns = (size_t)ix->cap * per_doc + roaring_bitmap_size_in_bytes(ix->all);
    out->uscc_map = ix->uscc_slots ? (ix->uscc_mask + 1) * sizeof(uint32_t) : 0;
    out->code_bitmaps = bm_bytes_array(ix->bm.region, region_count()) +
                        bm_bytes_array(ix->bm.industry, industry_count()) +
                        bm_bytes_array(ix->bm.status, 8) + bm_bytes_array(ix->bm.tag, TAG_COUNT) +
                        bm_bytes_array(ix->bm.round, INDEX_MAX_ROUNDS + 1) +
                        bm_bytes_array(ix->bm.base, 101) +
                        bm_bytes_array(&ix->bm.band[0][0], BANDS_N) +
                        (region_count() + industry_count()) * sizeof(void *);
    out->chain_bitmaps = bm_bytes_array(ix->bm.node, ix->tax->nnodes) +
                         bm_bytes_array(ix->track, ix->tax->ntracks) +
                         roaring_bitmap_size_in_bytes(ix->any_track) +
                         roaring_bitmap_size_in_bytes(ix->any_gap);
    textidx_memory(ix->names, &tm);
    out->name_text = tm.text_bytes + tm.dict_bytes + tm.other_bytes;
    out->name_grams = tm.unigram_bytes + tm.bigram_bytes;
    textidx_memory(ix->scopes, &tm);
    out->scope_text = tm.text_bytes + tm.dict_bytes + tm.other_bytes;
    out->scope_grams = tm.unigram_bytes + tm.bigram_bytes;
    pthread_rwlock_unlock(&ix->lock);
    out->total = out->columns + out->uscc_map + out->code_bitmaps + out->chain_bitmaps +
                 out->name_text + out->name_grams + out->scope_text + out->scope_grams;
}

/* ---- validation ---- */

static int check_member(const roaring_bitmap_t *bm, uint32_t d, int want, const char *what,
                        struct error *err)
{
    int has = bm && roaring_bitmap_contains(bm, d);
    if (has != want)
        return error_set(err, "doc %u: %s bitmap says %d, the columns %d", d, what, has, want);
    return 0;
}

int index_validate(struct index *ix, struct error *err)
{
    roaring_uint32_iterator_t it;
    int rc = 0;
    size_t i;
    uint64_t status_total = 0;

    pthread_rwlock_rdlock(&ix->lock);
    for (i = 0; i < 8; i++)
        if (ix->bm.status[i])
            status_total += roaring_bitmap_get_cardinality(ix->bm.status[i]);
    if (status_total != roaring_bitmap_get_cardinality(ix->all))
        rc = error_set(err, "status bitmaps hold %llu docs, the index %llu",
                       (unsigned long long)status_total,
                       (unsigned long long)roaring_bitmap_get_cardinality(ix->all));
    roaring_init_iterator(ix->all, &it);
    while (rc == 0 && it.has_value) {
        uint32_t d = it.current_value;
        int t;
        if (d >= ix->cap) {
            rc = error_set(err, "doc %u beyond the columns (%u)", d, ix->cap);
            break;
        }
        rc = check_member(ix->bm.status[ix->status[d]], d, 1, "status", err);
        for (t = 0; rc == 0 && t < TAG_COUNT; t++)
            rc = check_member(ix->bm.tag[t], d, (ix->tags[d] >> t) & 1, "tag", err);
        if (rc == 0 && ix->region[d] >= 0) {
            const struct region *r;
            for (r = region_at((size_t)ix->region[d]); r && rc == 0; r = r->parent)
                rc = check_member(ix->bm.region[index_region_idx(r)], d, 1, r->code, err);
        }
        if (rc == 0 && ix->industry[d] >= 0)
            rc = check_member(ix->bm.industry[ix->industry[d]], d, 1, "industry", err);
        if (rc == 0 && ix->round[d])
            rc = check_member(ix->bm.round[ix->round[d]], d, 1, "round", err);
        if (rc == 0)
            rc = check_member(ix->bm.base[ix->base[d]], d, 1, "base score", err);
        {
            int c;
            for (c = 0; rc == 0 && c < RC_COUNT; c++) {
                int band = doc_band(ix, (enum index_range_col)c, d);
                if (band >= 0)
                    rc = check_member(ix->bm.band[c][band], d, 1, "numeric band", err);
            }
        }
        if (rc == 0 && ix->uscc[d][0] && index_find_uscc(ix, ix->uscc[d]) != d)
            rc = error_set(err, "doc %u: the USCC map does not find %.18s", d, ix->uscc[d]);
        roaring_advance_uint32_iterator(&it);
    }
    for (i = 0; rc == 0 && i < ix->tax->nnodes; i++)
        if (ix->bm.node[i] && !roaring_bitmap_is_subset(ix->bm.node[i], ix->all))
            rc = error_set(err, "node %s holds a doc that does not exist",
                           ix->tax->nodes[i].full_id);
    if (rc == 0 && textidx_validate(ix->names, err) != 0)
        rc = error_prefix(err, "names: ");
    if (rc == 0 && textidx_validate(ix->scopes, err) != 0)
        rc = error_prefix(err, "scopes: ");
    pthread_rwlock_unlock(&ix->lock);
    return rc;
}
