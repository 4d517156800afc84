/*
 * index.c - building the screening index from the store and keeping it
 * current.
 *
 * A build reads the enterprises in chunks of 65,536 ids, chunk k on thread
 * k % threads, each thread on its own store connection: the columns are
 * written in place (threads own disjoint docs), bitmaps go to the thread's
 * own set (struct index_bitmaps) and are ORed together at the end - chunks
 * are aligned to CRoaring's 65,536-value containers, so the OR only moves
 * containers. Texts are handed to the text indexes under a lock, a chunk at
 * a time, and their gram bitmaps are built once everything is read.
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
    b->nnodes = nnodes;
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

/* Slots number every bitmap of a set: regions, industries, statuses, tags,
 * rounds, nodes, in that order. */
enum {
    SLOT_STATUS_N = 8,
    SLOT_ROUND_N = INDEX_MAX_ROUNDS + 1,
    SLOT_BANDS_N = RC_COUNT * INDEX_MAX_BANDS
};

struct slot_buf {
    uint32_t *ids;
    uint32_t n, alloc;
};

static size_t slot_count(const struct index_bitmaps *b)
{
    return region_count() + industry_count() + SLOT_STATUS_N + TAG_COUNT + SLOT_ROUND_N + 101 +
           SLOT_BANDS_N + b->nnodes;
}

static roaring_bitmap_t **slot_ptr(struct index_bitmaps *b, size_t slot)
{
    size_t r = region_count(), i = industry_count();
    if (slot < r)
        return &b->region[slot];
    slot -= r;
    if (slot < i)
        return &b->industry[slot];
    slot -= i;
    if (slot < SLOT_STATUS_N)
        return &b->status[slot];
    slot -= SLOT_STATUS_N;
    if (slot < TAG_COUNT)
        return &b->tag[slot];
    slot -= TAG_COUNT;
    if (slot < SLOT_ROUND_N)
        return &b->round[slot];
    slot -= SLOT_ROUND_N;
    if (slot < 101)
        return &b->base[slot];
    slot -= 101;
    if (slot < SLOT_BANDS_N)
        return &b->band[slot / INDEX_MAX_BANDS][slot % INDEX_MAX_BANDS];
    return &b->node[slot - SLOT_BANDS_N];
}

#define SLOT_REGION(i) ((size_t)(i))
#define SLOT_INDUSTRY(i) (region_count() + (size_t)(i))
#define SLOT_STATUS(i) (region_count() + industry_count() + (size_t)(i))
#define SLOT_TAG(i) (SLOT_STATUS(SLOT_STATUS_N) + (size_t)(i))
#define SLOT_ROUND(i) (SLOT_TAG(TAG_COUNT) + (size_t)(i))
#define SLOT_BASE(i) (SLOT_ROUND(SLOT_ROUND_N) + (size_t)(i))
#define SLOT_BAND(c, b) (SLOT_BASE(101) + (size_t)(c) * INDEX_MAX_BANDS + (size_t)(b))
#define SLOT_NODE(i) (SLOT_BAND(RC_COUNT, 0) + (size_t)(i))

static void put(struct index_bitmaps *b, size_t slot, uint32_t doc)
{
    struct slot_buf *sb;
    if (!b->buf) {
        bm_add(slot_ptr(b, slot), doc);
        return;
    }
    sb = &b->buf[slot];
    if (sb->n == 0)
        b->touched[b->ntouched++] = (uint32_t)slot;
    if (sb->n == sb->alloc) {
        sb->alloc = sb->alloc ? 2 * sb->alloc : 64;
        sb->ids = xrealloc(sb->ids, st_mult(sb->alloc, sizeof(*sb->ids)));
    }
    sb->ids[sb->n++] = doc;
}

/* Move what is buffered into the bitmaps (the ids of one slot ascend:
 * a thread reads its docs in id order). */
static void flush_slots(struct index_bitmaps *b)
{
    size_t i;
    for (i = 0; i < b->ntouched; i++) {
        struct slot_buf *sb = &b->buf[b->touched[i]];
        roaring_bitmap_t **bm = slot_ptr(b, b->touched[i]);
        if (!*bm)
            *bm = roaring_bitmap_create();
        roaring_bitmap_add_many(*bm, sb->n, sb->ids);
        sb->n = 0;
    }
    b->ntouched = 0;
}

static void buffers_start(struct index_bitmaps *b)
{
    size_t n = slot_count(b);
    b->buf = xcalloc(n, sizeof(*b->buf));
    b->touched = xcalloc(n, sizeof(*b->touched));
    b->ntouched = 0;
}

static void buffers_end(struct index_bitmaps *b)
{
    size_t i, n;
    if (!b->buf)
        return;
    flush_slots(b);
    n = slot_count(b);
    for (i = 0; i < n; i++)
        free(b->buf[i].ids);
    free(b->buf);
    free(b->touched);
    b->buf = NULL;
    b->touched = NULL;
}

static void bm_remove(roaring_bitmap_t *bm, uint32_t doc)
{
    if (bm)
        roaring_bitmap_remove(bm, doc);
}

static void bm_merge(roaring_bitmap_t **dst, roaring_bitmap_t **src)
{
    if (!*src)
        return;
    if (!*dst) {
        *dst = *src;
    } else {
        roaring_bitmap_or_inplace(*dst, *src);
        roaring_bitmap_free(*src);
    }
    *src = NULL;
}

static void bm_merge_array(roaring_bitmap_t **dst, roaring_bitmap_t **src, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        bm_merge(&dst[i], &src[i]);
}

static void bitmaps_merge(struct index_bitmaps *dst, struct index_bitmaps *src, size_t nnodes)
{
    bm_merge_array(dst->region, src->region, region_count());
    bm_merge_array(dst->industry, src->industry, industry_count());
    bm_merge_array(dst->status, src->status, 8);
    bm_merge_array(dst->tag, src->tag, TAG_COUNT);
    bm_merge_array(dst->round, src->round, INDEX_MAX_ROUNDS + 1);
    bm_merge_array(dst->base, src->base, 101);
    bm_merge_array(&dst->band[0][0], &src->band[0][0], SLOT_BANDS_N);
    bm_merge_array(dst->node, src->node, nnodes);
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
    size_t n, lo = 0, hi;
    const int64_t *t = index_band_thresholds(c, &n);
    hi = n;
    while (lo < hi) {   /* the number of thresholds <= v */
        size_t mid = (lo + hi) / 2;
        if (t[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The band of each of doc's known values, or -1. */
static void doc_bands(const struct index *ix, uint32_t d, int bands[RC_COUNT])
{
    bands[RC_CAPITAL] = ix->capital[d] == SCORE_UNKNOWN ? -1
                                                          : (int)index_band_of(RC_CAPITAL,
                                                                               ix->capital[d]);
    bands[RC_FOUNDED] = ix->founded[d] == INDEX_NO_DAY ? -1
                                                         : (int)index_band_of(RC_FOUNDED,
                                                                              ix->founded[d]);
    bands[RC_STAFF] = ix->staff[d] < 0 ? -1 : (int)index_band_of(RC_STAFF, ix->staff[d]);
    bands[RC_PATENTS] = ix->patents[d] < 0 ? -1 : (int)index_band_of(RC_PATENTS, ix->patents[d]);
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

static void *grow(void *p, size_t old_n, size_t new_n, size_t size, int fill)
{
    p = xrealloc(p, st_mult(new_n, size));
    memset((char *)p + old_n * size, fill, (new_n - old_n) * size);
    return p;
}

/* Make room for docs below cap. New docs read as unknown everywhere. */
static void columns_grow(struct index *ix, uint32_t cap)
{
    uint32_t old = ix->cap;
    uint32_t i;
    if (cap <= old)
        return;
    ix->uscc = grow(ix->uscc, old, cap, sizeof(*ix->uscc), 0);
    ix->capital = grow(ix->capital, old, cap, sizeof(*ix->capital), 0);
    ix->founded = grow(ix->founded, old, cap, sizeof(*ix->founded), 0);
    ix->funding = grow(ix->funding, old, cap, sizeof(*ix->funding), 0);
    ix->staff = grow(ix->staff, old, cap, sizeof(int32_t), 0xff);
    ix->patents = grow(ix->patents, old, cap, sizeof(int32_t), 0xff);
    ix->pat_invention = grow(ix->pat_invention, old, cap, sizeof(int32_t), 0xff);
    ix->pat_utility = grow(ix->pat_utility, old, cap, sizeof(int32_t), 0xff);
    ix->pat_design = grow(ix->pat_design, old, cap, sizeof(int32_t), 0xff);
    ix->software_cr = grow(ix->software_cr, old, cap, sizeof(int32_t), 0xff);
    ix->region = grow(ix->region, old, cap, sizeof(int32_t), 0xff);
    ix->street = grow(ix->street, old, cap, sizeof(int32_t), 0xff);
    ix->industry = grow(ix->industry, old, cap, sizeof(int16_t), 0xff);
    ix->status = grow(ix->status, old, cap, 1, 0);
    ix->tags = grow(ix->tags, old, cap, 1, 0);
    ix->round = grow(ix->round, old, cap, 1, 0);
    ix->base = grow(ix->base, old, cap, 1, 0);
    for (i = old; i < cap; i++) {
        ix->capital[i] = SCORE_UNKNOWN;
        ix->founded[i] = INDEX_NO_DAY;
        ix->funding[i] = INDEX_NO_DAY;
    }
    ix->cap = cap;
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

static uint64_t uscc_hash(const char *u)
{
    uint64_t h = 1469598103934665603ull;
    int i;
    for (i = 0; i < 18; i++) {
        h ^= (unsigned char)u[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
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

static void uscc_insert_slot(uint32_t *slots, size_t mask, const char *uscc, uint32_t doc)
{
    size_t i;
    for (i = uscc_hash(uscc) & mask; slots[i] && slots[i] != UINT32_MAX; i = (i + 1) & mask)
        ;
    slots[i] = doc;
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

/* Code lookups repeat a lot (a few thousand counties and classes over
 * millions of rows): a small direct-mapped cache per build thread saves
 * the table lookups' normalisation. */
#define LOOKUP_CACHE 16384

struct lookup_slot {
    char code[12];
    int32_t idx;
};

struct lookup_cache {
    struct lookup_slot region[LOOKUP_CACHE], street[LOOKUP_CACHE], industry[LOOKUP_CACHE];
};

static uint32_t code_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h ^ (h >> 15);
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

static int32_t cached(const char *code, int32_t (*lookup)(const char *),
                      struct lookup_slot *slots)
{
    struct lookup_slot *e;
    size_t n;
    if (!code || !*code)
        return -1;
    n = strlen(code);
    if (n >= sizeof(slots[0].code))
        return lookup(code);
    e = &slots[code_hash(code) & (LOOKUP_CACHE - 1)];
    if (strcmp(e->code, code) != 0) {
        memcpy(e->code, code, n + 1);
        e->idx = lookup(code);
    }
    return e->idx;
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
    v->region = lc ? cached(r->region, region_of, lc->region) : region_of(r->region);
    v->street = -1;
    if (r->street && *r->street)
        v->street = lc ? cached(r->street, street_of, lc->street) : street_of(r->street);
    v->industry = (int16_t)(lc ? cached(r->industry, industry_of, lc->industry)
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

/* Write v's columns and add the doc to b's bitmaps (region with its
 * ancestors, industry with its ancestors, status, tags, round). */
static void doc_add(struct index *ix, struct index_bitmaps *b, const struct doc_values *v)
{
    uint32_t d = v->doc;
    int t;

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

    /* A build puts a doc in its own region and class only and ORs
     * children into their parents at the end (propagate_up); an update adds
     * it to every ancestor at once. */
    if (v->region >= 0) {
        const struct region *r;
        for (r = region_at((size_t)v->region); r; r = b->buf ? NULL : r->parent)
            put(b, SLOT_REGION(index_region_idx(r)), d);
    }
    if (v->street >= 0)
        put(b, SLOT_REGION(v->street), d);
    if (v->industry >= 0) {
        const struct industry *ind;
        for (ind = industry_at((size_t)v->industry); ind; ind = b->buf ? NULL : ind->parent)
            put(b, SLOT_INDUSTRY(index_industry_idx(ind)), d);
    }
    put(b, SLOT_STATUS(v->status), d);
    for (t = 0; t < TAG_COUNT; t++)
        if (v->tags & (1u << t))
            put(b, SLOT_TAG(t), d);
    if (v->round)
        put(b, SLOT_ROUND(v->round), d);
    put(b, SLOT_BASE(v->base <= 100 ? v->base : 100), d);
    if (v->capital != SCORE_UNKNOWN)
        put(b, SLOT_BAND(RC_CAPITAL, index_band_of(RC_CAPITAL, v->capital)), d);
    if (v->founded != INDEX_NO_DAY)
        put(b, SLOT_BAND(RC_FOUNDED, index_band_of(RC_FOUNDED, v->founded)), d);
    if (v->staff >= 0)
        put(b, SLOT_BAND(RC_STAFF, index_band_of(RC_STAFF, v->staff)), d);
    if (v->patents >= 0)
        put(b, SLOT_BAND(RC_PATENTS, index_band_of(RC_PATENTS, v->patents)), d);
}

/* Take doc out of every bitmap its columns put it in (before an update). */
static void doc_remove(struct index *ix, uint32_t d)
{
    struct index_bitmaps *b = &ix->bm;
    int t;
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
    {
        int bands[RC_COUNT], c;
        doc_bands(ix, d, bands);
        for (c = 0; c < RC_COUNT; c++)
            if (bands[c] >= 0)
                bm_remove(b->band[c][bands[c]], d);
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
    struct index_bitmaps bm;
    roaring_bitmap_t *all;
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
    doc_add(w->b->ix, &w->bm, &v);
    roaring_bitmap_add(w->all, v.doc);
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
        put(&w->bm, SLOT_NODE(k), (uint32_t)ent_id);
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
        buffers_end(&w->bm);
        return NULL;
    }
    for (lo = (int64_t)w->index * CHUNK; lo <= b->max_id; lo += (int64_t)b->nthreads * CHUNK) {
        int64_t hi = lo + CHUNK - 1;   /* ids lo .. hi, as the range (lo-1, hi] */
        if (store_index_ents(st, lo - 1, hi, build_row, w, &w->err) < 0 ||
            store_index_nodes(st, lo - 1, hi, build_node, w, &w->err) < 0) {
            w->failed = 1;
            break;
        }
        texts_flush(w);
        flush_slots(&w->bm);
    }
    buffers_end(&w->bm);
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

/* After a build: every region and industry bitmap takes in its children's
 * docs, the deepest level first. Streets stay apart: their docs are in
 * their county through ent.region already. */
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
    for (level = REGION_COUNTY; level > REGION_PROVINCE; level--)
        for (i = 0; i < region_count(); i++) {
            const struct region *r = region_at(i);
            if (r->level == level && r->parent && ix->bm.region[i])
                or_into(&ix->bm.region[index_region_idx(r->parent)], ix->bm.region[i]);
        }
    for (level = INDUSTRY_CLASS; level > INDUSTRY_SECTION; level--)
        for (i = 0; i < industry_count(); i++) {
            const struct industry *ind = industry_at(i);
            if (ind->level == level && ind->parent && ix->bm.industry[i])
                or_into(&ix->bm.industry[index_industry_idx(ind->parent)], ix->bm.industry[i]);
        }
}

static void optimize_all(struct index *ix)
{
    bm_optimize_array(ix->bm.region, region_count());
    bm_optimize_array(ix->bm.industry, industry_count());
    bm_optimize_array(ix->bm.status, 8);
    bm_optimize_array(ix->bm.tag, TAG_COUNT);
    bm_optimize_array(ix->bm.round, INDEX_MAX_ROUNDS + 1);
    bm_optimize_array(ix->bm.base, 101);
    bm_optimize_array(&ix->bm.band[0][0], SLOT_BANDS_N);
    bm_optimize_array(ix->bm.node, ix->tax->nnodes);
    bm_optimize_array(ix->track, ix->tax->ntracks);
    roaring_bitmap_run_optimize(ix->all);
}

/* What follows the read besides the text indexes (see index_build). */
static void *finish_thread(void *arg)
{
    struct index *ix = arg;
    roaring_uint32_iterator_t it;
    double t0 = now_ms();
    uscc_rehash(ix, (size_t)roaring_bitmap_get_cardinality(ix->all));
    roaring_init_iterator(ix->all, &it);
    while (it.has_value) {
        uscc_map_add(ix, it.current_value);
        roaring_advance_uint32_iterator(&it);
    }
    propagate_up(ix);
    derive_sets(ix);
    optimize_all(ix);
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
    columns_grow(ix, (uint32_t)max_id + 1);

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
        w[i].all = roaring_bitmap_create();
        w[i].cache = xcalloc(1, sizeof(*w[i].cache));
        bitmaps_alloc(&w[i].bm, ix->tax->nnodes);
        buffers_start(&w[i].bm);
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
        bitmaps_merge(&ix->bm, &w[i].bm, ix->tax->nnodes);
        bitmaps_release(&w[i].bm, ix->tax->nnodes);
        roaring_bitmap_or_inplace(ix->all, w[i].all);
        roaring_bitmap_free(w[i].all);
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
        doc_add(ix, &ix->bm, &l->v);
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
                        bm_bytes_array(&ix->bm.band[0][0], SLOT_BANDS_N) +
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
            int bands[RC_COUNT], c;
            doc_bands(ix, d, bands);
            for (c = 0; rc == 0 && c < RC_COUNT; c++)
                if (bands[c] >= 0)
                    rc = check_member(ix->bm.band[c][bands[c]], d, 1, "numeric band", err);
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
