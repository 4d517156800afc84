/*
 * exec.c - answering a screening query from the index.
 *
 * The plan is fixed and cheap to reason about:
 *   1. every positive categorical clause becomes a bitmap (the OR of its
 *      alternatives' bitmaps); they are intersected smallest first;
 *   2. every positive text clause contributes its n-gram candidates (exact
 *      for patterns of one or two characters, a superset otherwise);
 *   3. negative categorical clauses are subtracted;
 *   4. one pass over what is left checks the ranges (columns) and verifies
 *      the inexact text clauses against the texts;
 *   5. negative text clauses are searched within what is left and
 *      subtracted.
 * Only step 4 touches documents one by one, and only those that survived
 * the bitmaps. The result set is then counted, faceted (facet.c) and
 * ranked with a bounded heap.
 */
#include "index/exec.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "chain/taxonomy.h"
#include "index/index_internal.h"
#include "ref/industry.h"
#include "ref/region.h"

/* facet.c */
void screen_facets_count(struct index *ix, const roaring_bitmap_t *set, uint32_t mask,
                         struct screen_result *out);

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

const struct taxonomy *index_taxonomy(const struct index *ix)
{
    return ix->tax;
}

/* ---- clause sets ---- */

static roaring_bitmap_t *or_of(const roaring_bitmap_t **parts, size_t n)
{
    if (n == 0)
        return roaring_bitmap_create();
    if (n == 1)
        return roaring_bitmap_copy(parts[0]);
    return roaring_bitmap_or_many(n, parts);
}

/* The docs of a categorical clause (without its negation). */
static roaring_bitmap_t *code_set(struct index *ix, const struct query_clause *c)
{
    const roaring_bitmap_t **parts = xcalloc(c->nalts, sizeof(*parts));
    roaring_bitmap_t *one = NULL, *out;
    size_t i, n = 0;

    for (i = 0; i < c->nalts; i++) {
        const struct query_alt *a = &c->alts[i];
        const roaring_bitmap_t *b = NULL;
        switch (c->field) {
        case QF_REGION: {
            const struct region *r = region_find_code(a->code);
            if (r)
                b = ix->bm.region[index_region_idx(r)];
            break;
        }
        case QF_INDUSTRY: {
            const struct industry *ind = industry_find_code(a->code);
            if (ind)
                b = ix->bm.industry[index_industry_idx(ind)];
            break;
        }
        case QF_TRACK:
            if (a->id >= 0 && (size_t)a->id < ix->tax->ntracks)
                b = ix->track[a->id];
            break;
        case QF_NODE:
            if (a->id >= 0 && (size_t)a->id < ix->tax->nnodes)
                b = ix->bm.node[a->id];
            break;
        case QF_STATUS:
            if (a->id >= 0 && a->id < 8)
                b = ix->bm.status[a->id];
            break;
        case QF_TAG:
            if (a->id >= 0 && a->id < TAG_COUNT)
                b = ix->bm.tag[a->id];
            break;
        case QF_ROUND: {
            int k = index_round_find(ix, a->code);
            if (k)
                b = ix->bm.round[k];
            break;
        }
        case QF_USCC: {
            uint32_t d = strlen(a->code) == 18 ? index_find_uscc(ix, a->code) : 0;
            if (d) {
                if (!one)
                    one = roaring_bitmap_create();
                roaring_bitmap_add(one, d);
            }
            break;
        }
        default:
            break;
        }
        if (b)
            parts[n++] = b;
    }
    if (one)
        parts[n++] = one;
    out = or_of(parts, n);
    if (one)
        roaring_bitmap_free(one);
    free(parts);
    return out;
}

/* Which texts a text clause searches. */
static int searches_name(enum query_field f)
{
    return f == QF_TEXT || f == QF_NAME;
}

static int searches_scope(enum query_field f)
{
    return f == QF_TEXT || f == QF_SCOPE;
}

/* The n-gram candidates of a text clause; *exact when they are exactly its docs. */
static roaring_bitmap_t *text_candidates(struct index *ix, const struct query_clause *c,
                                         int *exact)
{
    roaring_bitmap_t *out = roaring_bitmap_create();
    size_t i;
    *exact = 1;
    for (i = 0; i < c->nalts; i++) {
        const struct query_alt *a = &c->alts[i];
        int ex;
        roaring_bitmap_t *b;
        if (searches_name(c->field)) {
            b = textidx_candidates(ix->names, a->text, a->text_len, &ex);
            *exact &= ex;
            roaring_bitmap_or_inplace(out, b);
            roaring_bitmap_free(b);
        }
        if (searches_scope(c->field)) {
            b = textidx_candidates(ix->scopes, a->text, a->text_len, &ex);
            *exact &= ex;
            roaring_bitmap_or_inplace(out, b);
            roaring_bitmap_free(b);
        }
    }
    return out;
}

/* The docs of within that a text clause matches, exactly. */
static roaring_bitmap_t *text_search(struct index *ix, const struct query_clause *c,
                                     const roaring_bitmap_t *within)
{
    roaring_bitmap_t *out = roaring_bitmap_create();
    size_t i;
    for (i = 0; i < c->nalts; i++) {
        const struct query_alt *a = &c->alts[i];
        roaring_bitmap_t *b;
        if (searches_name(c->field)) {
            b = textidx_search(ix->names, a->text, a->text_len, within);
            roaring_bitmap_or_inplace(out, b);
            roaring_bitmap_free(b);
        }
        if (searches_scope(c->field)) {
            b = textidx_search(ix->scopes, a->text, a->text_len, within);
            roaring_bitmap_or_inplace(out, b);
            roaring_bitmap_free(b);
        }
    }
    return out;
}

/* The value a range clause compares, or SCORE_UNKNOWN. */
static int64_t range_value(const struct index *ix, enum query_field f, uint32_t d)
{
    switch (f) {
    case QF_CAPITAL:
        return ix->capital[d];
    case QF_FOUNDED:
        return ix->founded[d] == INDEX_NO_DAY ? SCORE_UNKNOWN : ix->founded[d];
    case QF_STAFF:
        return ix->staff[d] < 0 ? SCORE_UNKNOWN : ix->staff[d];
    case QF_PATENTS:
        return ix->patents[d] < 0 ? SCORE_UNKNOWN : ix->patents[d];
    default:
        return SCORE_UNKNOWN;
    }
}

static int range_matches(const struct index *ix, const struct query_clause *c, uint32_t d)
{
    int64_t v = range_value(ix, c->field, d);
    size_t i;
    int hit = 0;
    if (v != SCORE_UNKNOWN)
        for (i = 0; i < c->nalts && !hit; i++)
            hit = v >= c->alts[i].lo && v <= c->alts[i].hi;
    return c->negated ? !hit : hit;
}

/* Keep in ids[0..n) those that satisfy range clause c; returns how many.
 * Prefetching PREFETCH docs ahead turns one cache miss per doc into many
 * in flight. */
#define PREFETCH 16

static uint32_t filter_range(const struct index *ix, const struct query_clause *c, uint32_t *ids,
                             uint32_t n)
{
    uint32_t j, m = 0;
    for (j = 0; j < n; j++) {
        uint32_t d = ids[j];
        if (j + PREFETCH < n) {
            uint32_t ahead = ids[j + PREFETCH];
            switch (c->field) {
            case QF_CAPITAL: __builtin_prefetch(&ix->capital[ahead]); break;
            case QF_FOUNDED: __builtin_prefetch(&ix->founded[ahead]); break;
            case QF_STAFF: __builtin_prefetch(&ix->staff[ahead]); break;
            default: __builtin_prefetch(&ix->patents[ahead]); break;
            }
        }
        if (range_matches(ix, c, d))
            ids[m++] = d;
    }
    return m;
}

/* Order range clauses by how many of a sample of the candidates they let
 * through, fewest first. */
static void order_ranges(const struct index *ix, const roaring_bitmap_t *cur,
                         const struct query_clause **ranges, size_t n)
{
    uint32_t sample[256], got;
    uint32_t pass[QUERY_MAX_TERMS];
    roaring_uint32_iterator_t it;
    size_t i, k;

    if (n < 2)
        return;
    roaring_init_iterator(cur, &it);
    got = roaring_read_uint32_iterator(&it, sample, 256);
    for (i = 0; i < n && i < QUERY_MAX_TERMS; i++) {
        pass[i] = 0;
        for (k = 0; k < got; k++)
            pass[i] += (uint32_t)range_matches(ix, ranges[i], sample[k]);
    }
    for (i = 1; i < n && i < QUERY_MAX_TERMS; i++)   /* insertion sort: n is small */
        for (k = i; k > 0 && pass[k] < pass[k - 1]; k--) {
            const struct query_clause *tc = ranges[k];
            uint32_t tp = pass[k];
            ranges[k] = ranges[k - 1];
            ranges[k - 1] = tc;
            pass[k] = pass[k - 1];
            pass[k - 1] = tp;
        }
}

static enum index_range_col range_col(enum query_field f)
{
    switch (f) {
    case QF_CAPITAL: return RC_CAPITAL;
    case QF_FOUNDED: return RC_FOUNDED;
    case QF_STAFF: return RC_STAFF;
    default: return RC_PATENTS;
    }
}

/* The column a field sort orders by. */
static enum index_range_col range_col_of_sort(enum query_sort s)
{
    switch (s) {
    case QS_CAPITAL: return RC_CAPITAL;
    case QS_FOUNDED: return RC_FOUNDED;
    case QS_STAFF: return RC_STAFF;
    default: return RC_PATENTS;
    }
}

/* The bands [*blo, *bhi] an alternative's range covers; returns 1 when
 * they hold exactly its values (both ends on band edges). Counts are never
 * negative, so a count range from 0 or below starts on an edge. */
static int alt_bands(enum index_range_col col, const struct query_alt *a, size_t *blo,
                     size_t *bhi)
{
    size_t n;
    const int64_t *t = index_band_thresholds(col, &n);
    int lo_edge, hi_edge;
    *blo = a->lo == QUERY_OPEN_LO ? 0 : index_band_of(col, a->lo);
    *bhi = a->hi == QUERY_OPEN_HI ? n : index_band_of(col, a->hi);
    lo_edge = a->lo == QUERY_OPEN_LO || (*blo > 0 && a->lo == t[*blo - 1]) ||
              (*blo == 0 && a->lo <= 0 && (col == RC_STAFF || col == RC_PATENTS));
    hi_edge = a->hi == QUERY_OPEN_HI || (*bhi < n && a->hi == t[*bhi] - 1);
    return lo_edge && hi_edge;
}

static int range_aligned(const struct query_clause *c)
{
    size_t i, lo, hi;
    for (i = 0; i < c->nalts; i++)
        if (!alt_bands(range_col(c->field), &c->alts[i], &lo, &hi))
            return 0;
    return 1;
}

/* The docs whose bands a range clause (without its negation) covers: a
 * superset of its docs, and exactly them when *exact. */
static roaring_bitmap_t *range_set(struct index *ix, const struct query_clause *c, int *exact)
{
    enum index_range_col col = range_col(c->field);
    roaring_bitmap_t *out = NULL;
    size_t i;
    *exact = 1;
    for (i = 0; i < c->nalts; i++) {
        size_t lo, hi;
        roaring_bitmap_t *b;
        *exact &= alt_bands(col, &c->alts[i], &lo, &hi);
        b = index_band_range(ix, col, lo, hi);
        if (!out) {
            out = b;
        } else {
            roaring_bitmap_or_inplace(out, b);
            roaring_bitmap_free(b);
        }
    }
    return out ? out : roaring_bitmap_create();
}

static int cmp_card(const void *a, const void *b)
{
    uint64_t x = roaring_bitmap_get_cardinality(*(roaring_bitmap_t *const *)a);
    uint64_t y = roaring_bitmap_get_cardinality(*(roaring_bitmap_t *const *)b);
    return x < y ? -1 : x > y;
}

#define FILTER_BUF 4096

/* Evaluate q to the set of matching docs (caller frees). */
static roaring_bitmap_t *evaluate(struct index *ix, const struct query *q)
{
    roaring_bitmap_t **pos = xcalloc(q->nclauses + 1, sizeof(*pos));
    const struct query_clause **check = xcalloc(q->nclauses + 1, sizeof(*check));
    const struct query_clause **ranges = xcalloc(q->nclauses + 1, sizeof(*ranges));
    roaring_bitmap_t *cur = NULL;
    size_t i, npos = 0, ncheck = 0, nranges = 0;
    int narrowed = 0;

    /* 1, 2: positive bitmap and text clauses */
    for (i = 0; i < q->nclauses; i++) {
        const struct query_clause *c = &q->clauses[i];
        enum query_kind k = query_field_kind(c->field);
        if (c->negated || k == QK_RANGE)
            continue;
        if (k == QK_CODE) {
            pos[npos++] = code_set(ix, c);
        } else {
            int exact;
            pos[npos++] = text_candidates(ix, c, &exact);
            if (!exact)
                check[ncheck++] = c;
        }
    }
    if (npos) {
        qsort(pos, npos, sizeof(*pos), cmp_card);
        cur = pos[0];
        for (i = 1; i < npos; i++) {
            if (!roaring_bitmap_is_empty(cur))
                roaring_bitmap_and_inplace(cur, pos[i]);
            roaring_bitmap_free(pos[i]);
        }
    }

    /* Ranges: unless the set is already small (then reading the columns of
     * its docs is cheaper), answer them from the numeric bands - exactly
     * when their ends fall on band edges, else narrowed to their bands and
     * checked against the columns in step 4. */
    for (i = 0; i < q->nclauses; i++) {
        const struct query_clause *c = &q->clauses[i];
        roaring_bitmap_t *b;
        int exact;
        if (query_field_kind(c->field) != QK_RANGE)
            continue;
        if ((cur && roaring_bitmap_get_cardinality(cur) < (uint64_t)ix->cap / 256) ||
            (c->negated && !range_aligned(c))) {
            ranges[nranges++] = c;
            continue;
        }
        b = range_set(ix, c, &exact);
        if (c->negated) {
            if (!cur)
                cur = roaring_bitmap_copy(ix->all);
            roaring_bitmap_andnot_inplace(cur, b);
            roaring_bitmap_free(b);
        } else {
            if (!cur) {
                cur = b;
            } else {
                roaring_bitmap_and_inplace(cur, b);
                roaring_bitmap_free(b);
            }
            if (!exact)
                ranges[nranges++] = c;
        }
        narrowed = 1;
    }
    if (!cur)
        cur = roaring_bitmap_copy(ix->all);

    /* 3: negative categorical clauses */
    for (i = 0; i < q->nclauses && !roaring_bitmap_is_empty(cur); i++) {
        const struct query_clause *c = &q->clauses[i];
        if (c->negated && query_field_kind(c->field) == QK_CODE) {
            roaring_bitmap_t *b = code_set(ix, c);
            roaring_bitmap_andnot_inplace(cur, b);
            roaring_bitmap_free(b);
        }
    }

    /* 4: ranges, then text verification. Column reads of scattered docs
     * are cache misses, so each range filters the whole buffer in turn,
     * the most selective first (estimated on a sample), with prefetches
     * running ahead of the reads. */
    if (nranges && !npos && !narrowed && !roaring_bitmap_is_empty(cur)) {
        /* Nothing narrowed the set: scan the columns front to back (no
         * iterator, no cache misses), then keep what exists. */
        roaring_bitmap_t *kept = roaring_bitmap_create();
        uint32_t buf[FILTER_BUF], d;
        size_t k;
        order_ranges(ix, cur, ranges, nranges);
        for (d = 0; d < ix->cap;) {
            uint32_t n = 0, end = ix->cap - d > FILTER_BUF ? d + FILTER_BUF : ix->cap;
            for (; d < end; d++)
                if (range_matches(ix, ranges[0], d))
                    buf[n++] = d;
            for (k = 1; k < nranges && n; k++)
                n = filter_range(ix, ranges[k], buf, n);
            if (n)
                roaring_bitmap_add_many(kept, n, buf);
        }
        roaring_bitmap_and_inplace(kept, cur);
        roaring_bitmap_free(cur);
        cur = kept;
    } else if (nranges && !roaring_bitmap_is_empty(cur)) {
        roaring_bitmap_t *kept = roaring_bitmap_create();
        roaring_uint32_iterator_t it;
        uint32_t buf[FILTER_BUF];
        uint32_t got;
        order_ranges(ix, cur, ranges, nranges);
        roaring_init_iterator(cur, &it);
        while ((got = roaring_read_uint32_iterator(&it, buf, FILTER_BUF)) > 0) {
            uint32_t n = got;
            size_t k;
            for (k = 0; k < nranges && n; k++)
                n = filter_range(ix, ranges[k], buf, n);
            if (n)
                roaring_bitmap_add_many(kept, n, buf);
        }
        roaring_bitmap_free(cur);
        cur = kept;
    }
    /* Then the text clauses whose candidates were a superset: searched
     * exactly within what is left (the text index verifies a set at once,
     * remembering which scope phrases matched). */
    for (i = 0; i < ncheck && !roaring_bitmap_is_empty(cur); i++) {
        roaring_bitmap_t *m = text_search(ix, check[i], cur);
        roaring_bitmap_free(cur);
        cur = m;
    }

    /* 5: negative text clauses */
    for (i = 0; i < q->nclauses && !roaring_bitmap_is_empty(cur); i++) {
        const struct query_clause *c = &q->clauses[i];
        if (c->negated && query_field_kind(c->field) == QK_TEXT) {
            roaring_bitmap_t *b = text_search(ix, c, cur);
            roaring_bitmap_andnot_inplace(cur, b);
            roaring_bitmap_free(b);
        }
    }
    free(pos);
    free(check);
    free(ranges);
    return cur;
}

/* ---- chain fit ---- */

void exec_chain_init(struct index *ix, const struct query *q, struct exec_chain *cc)
{
    const struct taxonomy *t = ix->tax;
    unsigned char *want = xcalloc(t->ntracks ? t->ntracks : 1, 1);
    size_t i, j, nwant = 0;

    for (i = 0; i < q->nclauses; i++) {
        const struct query_clause *c = &q->clauses[i];
        if (c->negated || (c->field != QF_TRACK && c->field != QF_NODE))
            continue;
        for (j = 0; j < c->nalts; j++) {
            int32_t id = c->alts[j].id;
            size_t tr;
            if (c->field == QF_TRACK && id >= 0 && (size_t)id < t->ntracks)
                tr = (size_t)id;
            else if (c->field == QF_NODE && id >= 0 && (size_t)id < t->nnodes)
                tr = t->nodes[id].track;
            else
                continue;
            nwant += !want[tr];
            want[tr] = 1;
        }
    }
    if (!nwant) {
        cc->member = ix->any_track;
        cc->gap = ix->any_gap;
        cc->owned = 0;
    } else {
        cc->member = roaring_bitmap_create();
        cc->gap = roaring_bitmap_create();
        cc->owned = 1;
        for (i = 0; i < t->ntracks; i++) {
            const struct tax_track *tr = &t->tracks[i];
            if (!want[i])
                continue;
            roaring_bitmap_or_inplace(cc->member, ix->track[i]);
            for (j = 0; j < tr->nnodes; j++) {
                size_t n = tr->first_node + j;
                if (ix->gap[n] && ix->bm.node[n])
                    roaring_bitmap_or_inplace(cc->gap, ix->bm.node[n]);
            }
        }
    }
    free(want);
}

void exec_chain_release(struct exec_chain *cc)
{
    if (cc->owned) {
        roaring_bitmap_free(cc->member);
        roaring_bitmap_free(cc->gap);
    }
}

static struct score_chain chain_of(const struct exec_chain *cc, uint32_t d)
{
    struct score_chain c = { 0, 0 };
    c.member = roaring_bitmap_contains(cc->member, d);
    c.gap = c.member && roaring_bitmap_contains(cc->gap, d);
    return c;
}

int exec_doc_score(const struct index *ix, const struct exec_chain *cc, uint32_t d)
{
    return score_total(ix->sm, ix->base[d], ix->status[d], chain_of(cc, d));
}

/* ---- ranking ---- */

/* 1 when a ranks before b. */
int exec_rank_before(const struct index *ix, const struct exec_rank *a, const struct exec_rank *b)
{
    int c;
    if (a->known != b->known)
        return a->known > b->known;
    if (a->key != b->key)
        return a->key > b->key;
    if (!ix->uscc[a->doc][0] != !ix->uscc[b->doc][0])
        return ix->uscc[a->doc][0] != 0;
    if (ix->uscc[a->doc][0] && (c = memcmp(ix->uscc[a->doc], ix->uscc[b->doc], 18)) != 0)
        return c < 0;
    return a->doc < b->doc;
}

/* A bounded heap whose top is the worst of the best k seen. */
struct topk {
    struct exec_rank *h;
    size_t n, k;
    const struct index *ix;
};

static void heap_down(struct topk *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < t->n && exec_rank_before(t->ix, &t->h[w], &t->h[l]))
            w = l;
        if (r < t->n && exec_rank_before(t->ix, &t->h[w], &t->h[r]))
            w = r;
        if (w == i)
            return;
        struct exec_rank tmp = t->h[i];
        t->h[i] = t->h[w];
        t->h[w] = tmp;
        i = w;
    }
}

static void heap_up(struct topk *t, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!exec_rank_before(t->ix, &t->h[p], &t->h[i]))
            return;
        struct exec_rank tmp = t->h[i];
        t->h[i] = t->h[p];
        t->h[p] = tmp;
        i = p;
    }
}

static void topk_offer(struct topk *t, const struct exec_rank *r)
{
    if (t->n < t->k) {
        t->h[t->n] = *r;
        heap_up(t, t->n++);
    } else if (t->k && exec_rank_before(t->ix, r, &t->h[0])) {
        t->h[0] = *r;
        heap_down(t, 0);
    }
}

int exec_rank_cmp(const void *a, const void *b, void *ctx)
{
    const struct exec_rank *x = a, *y = b;
    const struct index *ix = ctx;
    if (exec_rank_before(ix, x, y))
        return -1;
    return exec_rank_before(ix, y, x) ? 1 : 0;
}

void exec_rank_key(const struct index *ix, int s, int asc, uint32_t d, int score,
                   struct exec_rank *r)
{
    int64_t v;
    r->doc = d;
    r->score = score;
    switch (s) {
    case QS_CAPITAL: v = ix->capital[d]; break;
    case QS_FOUNDED: v = ix->founded[d] == INDEX_NO_DAY ? SCORE_UNKNOWN : ix->founded[d]; break;
    case QS_STAFF: v = ix->staff[d] < 0 ? SCORE_UNKNOWN : ix->staff[d]; break;
    case QS_PATENTS: v = ix->patents[d] < 0 ? SCORE_UNKNOWN : ix->patents[d]; break;
    default: v = score; break;
    }
    r->known = v != SCORE_UNKNOWN;
    r->key = !r->known ? 0 : asc ? -v : v;
}

static void fill_item(struct index *ix, const struct exec_chain *cc, const struct exec_rank *r,
                      int explain, struct screen_item *it)
{
    uint32_t d = r->doc;
    struct strbuf sb = STRBUF_INIT;

    memset(it, 0, sizeof(*it));
    it->doc = d;
    if (ix->uscc[d][0])
        memcpy(it->uscc, ix->uscc[d], 18);
    textidx_get(ix->names, d, &sb);
    it->name = strbuf_detach(&sb, NULL);
    if (ix->region[d] >= 0)
        snprintf(it->region, sizeof(it->region), "%s", region_at((size_t)ix->region[d])->code);
    if (ix->industry[d] >= 0)
        snprintf(it->industry, sizeof(it->industry), "%s",
                 industry_at((size_t)ix->industry[d])->code);
    it->capital_cny = ix->capital[d];
    it->founded = ix->founded[d] == INDEX_NO_DAY ? SCORE_UNKNOWN : ix->founded[d];
    it->staff = ix->staff[d] < 0 ? SCORE_UNKNOWN : ix->staff[d];
    it->patents = ix->patents[d] < 0 ? SCORE_UNKNOWN : ix->patents[d];
    it->status = ix->status[d];
    it->tags = ix->tags[d];
    if (ix->round[d])
        snprintf(it->round, sizeof(it->round), "%s", ix->rounds[ix->round[d]]);
    it->score = r->score;
    if (explain) {
        struct score_facts f;
        int total;
        index_facts(ix, d, &f);
        it->lines = xcalloc(SCORE_MAX_LINES, sizeof(*it->lines));
        it->nlines = score_explain(ix->sm, &f, chain_of(cc, d), ix->today, it->lines,
                                   SCORE_MAX_LINES, &total);
    }
}

/* Offer every doc of docs to the heap, in a field's order. */
static void offer_all(struct index *ix, const roaring_bitmap_t *docs, int sort, int asc,
                      struct topk *t)
{
    roaring_uint32_iterator_t it;
    uint32_t buf[FILTER_BUF], got, j;
    roaring_init_iterator(docs, &it);
    while ((got = roaring_read_uint32_iterator(&it, buf, FILTER_BUF)) > 0) {
        for (j = 0; j < got; j++) {
            struct exec_rank r;
            exec_rank_key(ix, sort, asc, buf[j], 0, &r);
            topk_offer(t, &r);
        }
    }
}

/* A field's order over a big set without reading every doc's value: the
 * bands of the column (index.c) cut its values into ranges in order, so
 * walk them from the best end, offering only the docs of each band, and
 * stop when the heap is full after a band: every doc of a band not walked
 * has a worse value than every doc offered. The docs without a value come
 * last in either direction. "status:active sort:capital" over 10M reads
 * the top band's few thousand docs instead of 7 million. */
static void rank_by_bands(struct index *ix, enum index_range_col col, int sort, int asc,
                          const roaring_bitmap_t *set, struct topk *t)
{
    size_t nb, i;
    index_band_thresholds(col, &nb);  /* bands 0 .. nb */
    for (i = 0; i <= nb && t->n < t->k; i++) {
        const roaring_bitmap_t *band = ix->bm.band[col][asc ? i : nb - i];
        roaring_bitmap_t *docs;
        if (!band)
            continue;
        docs = roaring_bitmap_and(set, band);
        offer_all(ix, docs, sort, asc, t);
        roaring_bitmap_free(docs);
    }
    if (t->n < t->k) {
        roaring_bitmap_t *known = index_band_range(ix, col, 0, nb);
        roaring_bitmap_t *unknown = roaring_bitmap_andnot(set, known);
        offer_all(ix, unknown, sort, asc, t);
        roaring_bitmap_free(unknown);
        roaring_bitmap_free(known);
    }
}

/* Score order over a big set without scoring every doc: the score is a
 * function of the base score (a bitmap per value) and the chain state
 * (member and gap, member only, neither), so walk the totals from 100 down,
 * offering only the docs at each total, and stop once the heap is full. */

static void rank_by_buckets(struct index *ix, const struct exec_chain *cc,
                            const roaring_bitmap_t *set, struct topk *t)
{
    roaring_bitmap_t *excl = roaring_bitmap_create(), *live, *part[3], *member;
    const struct score_chain states[3] = { { 1, 1 }, { 1, 0 }, { 0, 0 } };
    int total[3][101], level, c, b;
    uint32_t buf[FILTER_BUF], got;

    for (c = 0; c < 8; c++)
        if (score_excluded(ix->sm, c) && ix->bm.status[c])
            roaring_bitmap_or_inplace(excl, ix->bm.status[c]);
    live = roaring_bitmap_andnot(set, excl);
    member = roaring_bitmap_and(live, cc->member);
    part[0] = roaring_bitmap_and(member, cc->gap);
    part[1] = roaring_bitmap_andnot(member, cc->gap);
    part[2] = roaring_bitmap_andnot(live, member);
    for (c = 0; c < 3; c++)
        for (b = 0; b <= 100; b++)
            total[c][b] = score_total(ix->sm, b, STATUS_ACTIVE, states[c]);

    for (level = 100; level >= 0 && t->n < t->k; level--) {
        for (c = 0; c < 3; c++) {
            for (b = 0; b <= 100; b++) {
                roaring_bitmap_t *docs;
                roaring_uint32_iterator_t it;
                if (total[c][b] != level || !ix->bm.base[b])
                    continue;
                docs = roaring_bitmap_and(part[c], ix->bm.base[b]);
                roaring_init_iterator(docs, &it);
                while ((got = roaring_read_uint32_iterator(&it, buf, FILTER_BUF)) > 0) {
                    uint32_t j;
                    for (j = 0; j < got; j++) {
                        struct exec_rank r;
                        exec_rank_key(ix, QS_SCORE, 0, buf[j], level, &r);
                        topk_offer(t, &r);
                    }
                }
                roaring_bitmap_free(docs);
            }
        }
        if (level == 0) {
            roaring_bitmap_t *docs = roaring_bitmap_and(set, excl);
            roaring_uint32_iterator_t it;
            roaring_init_iterator(docs, &it);
            while ((got = roaring_read_uint32_iterator(&it, buf, FILTER_BUF)) > 0) {
                uint32_t j;
                for (j = 0; j < got; j++) {
                    struct exec_rank r;
                    exec_rank_key(ix, QS_SCORE, 0, buf[j], 0, &r);
                    topk_offer(t, &r);
                }
            }
            roaring_bitmap_free(docs);
        }
    }
    roaring_bitmap_free(excl);
    roaring_bitmap_free(live);
    roaring_bitmap_free(member);
    for (c = 0; c < 3; c++)
        roaring_bitmap_free(part[c]);
}

static void rank(struct index *ix, const struct query *q, const roaring_bitmap_t *set,
                 const struct screen_request *req, struct screen_result *out)
{
    size_t limit = req->limit ? req->limit : SCREEN_DEFAULT_LIMIT;
    struct topk t;
    struct exec_chain cc;
    roaring_uint32_iterator_t it;
    uint32_t buf[FILTER_BUF], got;
    size_t i;
    int need_score = q->sort == QS_NONE || q->sort == QS_SCORE;

    if (limit > SCREEN_MAX_LIMIT)
        limit = SCREEN_MAX_LIMIT;
    t.k = req->offset + limit;
    t.n = 0;
    t.ix = ix;
    t.h = xmalloc(st_mult(t.k ? t.k : 1, sizeof(*t.h)));
    exec_chain_init(ix, q, &cc);
    if (roaring_bitmap_get_cardinality(set) > ix->walk_min) {
        if (need_score && !q->sort_asc) {
            rank_by_buckets(ix, &cc, set, &t);
            goto ranked;
        }
        if (!need_score) {
            rank_by_bands(ix, range_col_of_sort(q->sort), q->sort, q->sort_asc, set, &t);
            goto ranked;
        }
    }
    roaring_init_iterator(set, &it);
    while ((got = roaring_read_uint32_iterator(&it, buf, FILTER_BUF)) > 0) {
        uint32_t j;
        for (j = 0; j < got; j++) {
            struct exec_rank r;
            int score;
            if (j + PREFETCH < got) {
                uint32_t ahead = buf[j + PREFETCH];
                switch (q->sort) {
                case QS_CAPITAL: __builtin_prefetch(&ix->capital[ahead]); break;
                case QS_FOUNDED: __builtin_prefetch(&ix->founded[ahead]); break;
                case QS_STAFF: __builtin_prefetch(&ix->staff[ahead]); break;
                case QS_PATENTS: __builtin_prefetch(&ix->patents[ahead]); break;
                default:
                    __builtin_prefetch(&ix->base[ahead]);
                    __builtin_prefetch(&ix->status[ahead]);
                    break;
                }
                __builtin_prefetch(ix->uscc[ahead]);
            }
            score = need_score ? exec_doc_score(ix, &cc, buf[j]) : 0;
            exec_rank_key(ix, q->sort, q->sort_asc, buf[j], score, &r);
            topk_offer(&t, &r);
        }
    }
ranked:
    qsort_r(t.h, t.n, sizeof(*t.h), exec_rank_cmp, ix);
    if (t.n > req->offset) {
        out->nitems = t.n - req->offset;
        out->items = xcalloc(out->nitems, sizeof(*out->items));
        for (i = 0; i < out->nitems; i++) {
            struct exec_rank *r = &t.h[req->offset + i];
            if (!need_score)
                r->score = exec_doc_score(ix, &cc, r->doc);
            fill_item(ix, &cc, r, req->explain, &out->items[i]);
        }
    }
    exec_chain_release(&cc);
    free(t.h);
}

/* ---- entry points ---- */

int screen_run(struct index *ix, const struct screen_request *req, struct screen_result *out,
               struct error *err)
{
    struct query *parsed = NULL;
    const struct query *q = req->ast;
    struct strbuf canon = STRBUF_INIT;
    roaring_bitmap_t *set;
    double t0 = now_ms();
    char today[11];
    struct query_env env;

    memset(out, 0, sizeof(*out));
    if (req->offset > SCREEN_MAX_OFFSET)
        return error_set(err, "offset %zu is above the maximum of %d", req->offset,
                         SCREEN_MAX_OFFSET);
    if (req->limit > SCREEN_MAX_LIMIT)
        return error_set(err, "limit %zu is above the maximum of %d", req->limit,
                         SCREEN_MAX_LIMIT);
    if (req->q) {
        query_days_date(ix->today, today);
        env.taxonomy = ix->tax;
        env.today = today;
        if (query_parse(req->q, &env, &parsed, err) != 0)
            return -1;
        q = parsed;
    }
    if (!q)
        return error_set(err, "no query");

    pthread_rwlock_rdlock(&ix->lock);
    set = evaluate(ix, q);
    out->total = roaring_bitmap_get_cardinality(set);
    if (req->facets)
        screen_facets_count(ix, set, req->facets, out);
    if (!req->no_items)
        rank(ix, q, set, req, out);
    pthread_rwlock_unlock(&ix->lock);
    roaring_bitmap_free(set);

    query_format(q, &canon);
    out->canonical = strbuf_detach(&canon, NULL);
    query_free(parsed);
    out->took_ms = now_ms() - t0;
    return 0;
}

int screen_match_docs(struct index *ix, const struct query *q, uint32_t **docs, size_t *n,
                      struct error *err)
{
    roaring_bitmap_t *set;
    (void)err;
    pthread_rwlock_rdlock(&ix->lock);
    set = evaluate(ix, q);
    pthread_rwlock_unlock(&ix->lock);
    *n = (size_t)roaring_bitmap_get_cardinality(set);
    *docs = xmalloc(st_mult(*n ? *n : 1, sizeof(uint32_t)));
    roaring_bitmap_to_uint32_array(set, *docs);
    roaring_bitmap_free(set);
    return 0;
}

void screen_result_release(struct screen_result *r)
{
    size_t i;
    for (i = 0; i < r->nitems; i++) {
        free(r->items[i].name);
        free(r->items[i].lines);
    }
    free(r->items);
    for (i = 0; i < FACET_COUNT_; i++)
        free(r->facets[i].values);
    free(r->canonical);
    memset(r, 0, sizeof(*r));
}
