/*
 * facet.c - facet counts over a result set: how many matching enterprises
 * per province, city, county, industry section and division, track, node,
 * status, tag, round, founding year and capital band.
 *
 * Two ways to count, chosen per facet by cost: one pass over the result's
 * docs reading the columns (cost: the result's size), or one intersection
 * count per value with the value's bitmap (cost: values x containers).
 * Small results take the pass; a result of millions takes the bitmaps for
 * facets with few values (province, status, tag, track, section).
 */
#include "index/exec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "chain/taxonomy.h"
#include "index/index_internal.h"
#include "ref/industry.h"
#include "ref/region.h"

void screen_facets_count(struct index *ix, const roaring_bitmap_t *set, uint32_t mask,
                         struct screen_result *out);

static const char *const facet_names[FACET_COUNT_] = {
    "province", "city", "county", "section", "division", "track",
    "node", "status", "tag", "round", "year", "capital",
};

const char *screen_facet_name(enum screen_facet f)
{
    return (unsigned)f < FACET_COUNT_ ? facet_names[f] : "";
}

int screen_facets_parse(const char *list, uint32_t *mask, struct error *err)
{
    const char *p = list;
    *mask = 0;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int f, found = 0;
        while (n && *p == ' ') {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        for (f = 0; n && f < FACET_COUNT_; f++)
            if (strlen(facet_names[f]) == n && memcmp(facet_names[f], p, n) == 0) {
                *mask |= 1u << f;
                found = 1;
            }
        if (n && !found)
            return error_set(err, "unknown facet '%.*s' (known: province, city, county, section, "
                                  "division, track, node, status, tag, round, year, capital)",
                             (int)(n > 64 ? 64 : n), p);
        p = e ? e + 1 : NULL;
    }
    return 0;
}

/* Capital bands in 万元 (1 万元 = 1,000,000 cents). */
static const struct {
    int64_t min_wan;
    const char *key, *label;
} bands[] = {
    { 100000, "100000-", "10亿以上" }, { 10000, "10000-100000", "1亿-10亿" },
    { 5000, "5000-10000", "5000万-1亿" }, { 1000, "1000-5000", "1000万-5000万" },
    { 500, "500-1000", "500万-1000万" }, { 100, "100-500", "100万-500万" },
    { 0, "0-100", "100万以下" },
};
#define NBANDS (sizeof(bands) / sizeof(bands[0]))

static int band_of(int64_t cents)
{
    size_t i;
    if (cents == SCORE_UNKNOWN)
        return -1;
    for (i = 0; i < NBANDS; i++)
        if (cents >= bands[i].min_wan * 1000000)
            return (int)i;
    return (int)NBANDS - 1;   /* negative amounts do not occur; count them lowest */
}

/* Years of the days 1900-01-01 .. 2199-12-31, computed once: the year
 * facet reads one per matching enterprise. */
#define YEAR_TABLE_FIRST (-25567)   /* 1900-01-01 */
#define YEAR_TABLE_DAYS 109573      /* to 2199-12-31 */
static uint16_t year_table[YEAR_TABLE_DAYS];
static pthread_once_t year_once = PTHREAD_ONCE_INIT;

static int year_of_slow(int64_t days)
{
    char d[11];
    query_days_date(days, d);
    return (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
}

static void year_table_init(void)
{
    int64_t i;
    int y = year_of_slow(YEAR_TABLE_FIRST);
    char d[11];
    for (i = 0; i < YEAR_TABLE_DAYS; i++) {
        query_days_date(YEAR_TABLE_FIRST + i, d);
        if (d[5] == '0' && d[6] == '1' && d[8] == '0' && d[9] == '1')
            y = year_of_slow(YEAR_TABLE_FIRST + i);
        year_table[i] = (uint16_t)y;
    }
}

static int year_of(int32_t days)
{
    int64_t k = (int64_t)days - YEAR_TABLE_FIRST;
    pthread_once(&year_once, year_table_init);
    if (k >= 0 && k < YEAR_TABLE_DAYS)
        return year_table[k];
    return year_of_slow(days);
}

struct counter {
    int64_t *n;
    size_t size;
};

static void counter_init(struct counter *c, size_t size)
{
    c->size = size;
    c->n = xcalloc(size ? size : 1, sizeof(*c->n));
}

static int cmp_value(const void *a, const void *b)
{
    const struct screen_facet_value *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void emit(struct screen_facet_result *r, const char *key, const char *label, int64_t n)
{
    struct screen_facet_value *v;
    if (!n)
        return;
    r->values = xrealloc(r->values, st_mult(r->n + 1, sizeof(*r->values)));
    v = &r->values[r->n++];
    snprintf(v->key, sizeof(v->key), "%s", key);
    snprintf(v->label, sizeof(v->label), "%s", label ? label : "");
    v->count = n;
}

static void finish(struct screen_facet_result *r)
{
    if (r->n > 1)
        qsort(r->values, r->n, sizeof(*r->values), cmp_value);
}

/* Regions and industries: count into table slots, then emit. */
static void emit_regions(struct screen_facet_result *r, const struct counter *c)
{
    size_t i;
    for (i = 0; i < c->size; i++)
        if (c->n[i]) {
            const struct region *rg = region_at(i);
            emit(r, rg->code, rg->full_name, c->n[i]);
        }
}

static void emit_industries(struct screen_facet_result *r, const struct counter *c)
{
    size_t i;
    for (i = 0; i < c->size; i++)
        if (c->n[i]) {
            const struct industry *ind = industry_at(i);
            emit(r, ind->code, ind->name, c->n[i]);
        }
}

/* Count by intersecting with each value's bitmap. */
static int64_t and_count(const roaring_bitmap_t *set, const roaring_bitmap_t *b)
{
    return b ? (int64_t)roaring_bitmap_and_cardinality(set, b) : 0;
}

/* For each region of the table, its province, city and county (table
 * indexes, -1 above its level): computed once, so that counting a doc by
 * region is three array reads. */
struct region_up {
    int32_t prov, city, county;
};
static struct region_up *up;
static pthread_once_t up_once = PTHREAD_ONCE_INIT;

static void up_init(void)
{
    size_t i, n = region_count();
    up = xcalloc(n ? n : 1, sizeof(*up));
    for (i = 0; i < n; i++) {
        const struct region *r;
        up[i].prov = up[i].city = up[i].county = -1;
        for (r = region_at(i); r; r = r->parent) {
            int32_t k = (int32_t)index_region_idx(r);
            if (r->level == REGION_PROVINCE)
                up[i].prov = k;
            else if (r->level == REGION_CITY)
                up[i].city = k;
            else if (r->level == REGION_COUNTY)
                up[i].county = k;
        }
    }
}

void screen_facets_count(struct index *ix, const roaring_bitmap_t *set, uint32_t mask,
                         struct screen_result *out)
{
    const struct taxonomy *t = ix->tax;
    uint64_t total = roaring_bitmap_get_cardinality(set);
    /* One pass costs ~total; a bitmap count ~containers per value. */
    uint64_t containers = (uint64_t)ix->cap / 65536 + 1;
    int by_bitmap = total > 64 * containers * 40;
    struct counter prov, city, county, sec, div, status, tag, round, year, band;
    size_t i;
    char key[24];

    out->facet_mask = mask;
    pthread_once(&up_once, up_init);
    counter_init(&prov, region_count());
    counter_init(&city, region_count());
    counter_init(&county, region_count());
    counter_init(&sec, industry_count());
    counter_init(&div, industry_count());
    counter_init(&status, 8);
    counter_init(&tag, TAG_COUNT);
    counter_init(&round, INDEX_MAX_ROUNDS + 1);
    counter_init(&year, 10000);
    counter_init(&band, NBANDS);

    if (mask & ((1u << FACET_PROVINCE) | (1u << FACET_CITY) | (1u << FACET_COUNTY) |
                (1u << FACET_SECTION) | (1u << FACET_DIVISION) | (1u << FACET_STATUS) |
                (1u << FACET_TAG) | (1u << FACET_ROUND) | (1u << FACET_YEAR) |
                (1u << FACET_CAPITAL))) {
        roaring_uint32_iterator_t it;
        uint32_t buf[4096], got;
        int want_region = (mask & ((1u << FACET_PROVINCE) | (1u << FACET_CITY) |
                                   (1u << FACET_COUNTY))) != 0;
        int want_industry = (mask & ((1u << FACET_SECTION) | (1u << FACET_DIVISION))) != 0;
        int want_status = (mask & (1u << FACET_STATUS)) && !by_bitmap;
        int want_tag = (mask & (1u << FACET_TAG)) && !by_bitmap;
        roaring_init_iterator(set, &it);
        while ((got = roaring_read_uint32_iterator(&it, buf, 4096)) > 0) {
            uint32_t j;
            for (j = 0; j < got; j++) {
                uint32_t d = buf[j];
                if (want_region && ix->region[d] >= 0) {
                    const struct region_up *u = &up[ix->region[d]];
                    if (u->prov >= 0)
                        prov.n[u->prov]++;
                    if (u->city >= 0)
                        city.n[u->city]++;
                    if (u->county >= 0)
                        county.n[u->county]++;
                }
                if (want_industry && ix->industry[d] >= 0) {
                    const struct industry *ind = industry_at((size_t)ix->industry[d]);
                    for (; ind; ind = ind->parent) {
                        if (ind->level == INDUSTRY_SECTION)
                            sec.n[index_industry_idx(ind)]++;
                        else if (ind->level == INDUSTRY_DIVISION)
                            div.n[index_industry_idx(ind)]++;
                    }
                }
                if (want_status)
                    status.n[ix->status[d]]++;
                if (want_tag && ix->tags[d]) {
                    int k;
                    for (k = 0; k < TAG_COUNT; k++)
                        if (ix->tags[d] & (1u << k))
                            tag.n[k]++;
                }
                if (ix->round[d])
                    round.n[ix->round[d]]++;
                if ((mask & (1u << FACET_YEAR)) && ix->founded[d] != INDEX_NO_DAY) {
                    int y = year_of(ix->founded[d]);
                    if (y >= 0 && y < 10000)
                        year.n[y]++;
                }
                if (mask & (1u << FACET_CAPITAL)) {
                    int b = band_of(ix->capital[d]);
                    if (b >= 0)
                        band.n[b]++;
                }
            }
        }
        if (by_bitmap) {
            for (i = 0; i < 8; i++)
                status.n[i] = and_count(set, ix->bm.status[i]);
            for (i = 0; i < TAG_COUNT; i++)
                tag.n[i] = and_count(set, ix->bm.tag[i]);
        }
    }

    if (mask & (1u << FACET_PROVINCE))
        emit_regions(&out->facets[FACET_PROVINCE], &prov);
    if (mask & (1u << FACET_CITY))
        emit_regions(&out->facets[FACET_CITY], &city);
    if (mask & (1u << FACET_COUNTY))
        emit_regions(&out->facets[FACET_COUNTY], &county);
    if (mask & (1u << FACET_SECTION))
        emit_industries(&out->facets[FACET_SECTION], &sec);
    if (mask & (1u << FACET_DIVISION))
        emit_industries(&out->facets[FACET_DIVISION], &div);
    if (mask & (1u << FACET_STATUS))
        for (i = 0; i < 8; i++)
            emit(&out->facets[FACET_STATUS], value_status_name((enum ent_status)i),
                 value_status_label((enum ent_status)i), status.n[i]);
    if (mask & (1u << FACET_TAG))
        for (i = 0; i < TAG_COUNT; i++)
            emit(&out->facets[FACET_TAG], value_tag_name((enum ent_tag)i),
                 value_tag_label((enum ent_tag)i), tag.n[i]);
    if (mask & (1u << FACET_ROUND))
        for (i = 1; i <= (size_t)ix->nrounds; i++) {
            char label[64];
            value_round_label(ix->rounds[i], label, sizeof(label));
            emit(&out->facets[FACET_ROUND], ix->rounds[i], label, round.n[i]);
        }
    if (mask & (1u << FACET_YEAR))
        for (i = 0; i < 10000; i++)
            if (year.n[i]) {
                snprintf(key, sizeof(key), "%zu", i);
                emit(&out->facets[FACET_YEAR], key, key, year.n[i]);
            }
    if (mask & (1u << FACET_CAPITAL))
        for (i = 0; i < NBANDS; i++)
            emit(&out->facets[FACET_CAPITAL], bands[i].key, bands[i].label, band.n[i]);
    if (mask & (1u << FACET_TRACK))
        for (i = 0; i < t->ntracks; i++)
            emit(&out->facets[FACET_TRACK], t->tracks[i].id, t->tracks[i].name,
                 and_count(set, ix->track[i]));
    if (mask & (1u << FACET_NODE))
        for (i = 0; i < t->nnodes; i++)
            emit(&out->facets[FACET_NODE], t->nodes[i].full_id, t->nodes[i].name,
                 and_count(set, ix->bm.node[i]));
    for (i = 0; i < FACET_COUNT_; i++)
        if (mask & (1u << i))
            finish(&out->facets[i]);

    free(prov.n);
    free(city.n);
    free(county.n);
    free(sec.n);
    free(div.n);
    free(status.n);
    free(tag.n);
    free(round.n);
    free(year.n);
    free(band.n);
}
