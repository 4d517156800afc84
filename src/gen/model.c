/*
 * model.c - the enterprise model: who an enterprise is (role, region,
 * industry), how big and how old, its status, tags, intellectual property,
 * funding and code. Text (names, scopes, addresses) is in text.c.
 *
 * Every draw is integer arithmetic on per-row streams (dist.h). The latent
 * variables z (size) and innov (innovation), both standard normal in q16,
 * tie the numbers together: capital, staff and patents grow with z, tags
 * and funding with innov and the industry's tech affinity, so a listed firm
 * is large and a 小巨人 holds patents. Structural facts - home district,
 * group roles, calibrated tag counts, organisation codes - come from keyed
 * permutations of the row index (perm.h), so they are exact.
 *
 * The shapes and their sources are described in docs/data.md.
 */
#include "gen/gen_internal.h"

#include <string.h>

#include "base/alloc.h"
#include "ref/industry.h"
#include "ref/uscc.h"

const char *const gen_columns[GEN_NCOLS] = {
    "企业名称", "统一社会信用代码", "法定代表人", "注册资本", "实缴资本", "成立日期", "登记状态",
    "企业类型", "所属省份", "所属城市", "所属区县", "行政区划代码", "注册地址", "国标行业",
    "经营范围", "参保人数", "发明专利", "实用新型专利", "外观设计专利", "软件著作权", "商标数",
    "企业资质", "融资轮次", "融资金额", "融资日期", "官网", "电话", "曾用名",
};

enum {
    ROUND_ANGEL, ROUND_PRE_A, ROUND_A, ROUND_A_PLUS, ROUND_B, ROUND_B_PLUS, ROUND_C, ROUND_D,
    ROUND_STRATEGIC, ROUND_IPO
};
const char *const gen_round_labels[] = {
    "天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "B+轮", "C轮", "D轮", "战略融资", "IPO", NULL
};

/* Published 2024 figures for Xihu (330106) and our estimate of its
 * enterprise population; the other tag counts are estimates scaled the
 * same way. See docs/data.md. */
#define XIHU_ENTERPRISES 110000
#define HOME_SHARE_PER_MILLE 15

static const uint32_t home_real[TAG_COUNT] = {
    [TAG_HIGHTECH] = 1418,   /* published */
    [TAG_TECHSME] = 2600,    /* estimate */
    [TAG_SPECIALISED] = 190, /* estimate: about ten times the 小巨人 */
    [TAG_LITTLEGIANT] = 19,  /* published */
    [TAG_GAZELLE] = 60,      /* estimate */
    [TAG_UNICORN] = 6,       /* estimate */
    [TAG_LISTED] = 38,       /* published */
    [TAG_NEEQ] = 40,         /* estimate */
};

/* ---- dates ---- */

int gen_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil, on integers. */
    int yy = y - (m <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void gen_civil_from_days(int z, int *y, int *m, int *d)
{
    int era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int parse_digits(const char *s, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int gen_date_parse(const char *s, int *day)
{
    int y, m, d, back_y, back_m, back_d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || parse_digits(s, 4, &y) ||
        parse_digits(s + 5, 2, &m) || parse_digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1)
        return -1;
    *day = gen_days_from_civil(y, m, d);
    gen_civil_from_days(*day, &back_y, &back_m, &back_d);
    return (back_y == y && back_m == m && back_d == d) ? 0 : -1;
}

void gen_date_format(int day, char out[11])
{
    int y, m, d;
    gen_civil_from_days(day, &y, &m, &d);
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static int year_of(int day)
{
    int y, m, d;
    gen_civil_from_days(day, &y, &m, &d);
    return y;
}

/* ---- preparation ---- */

static int cmp_region_code(const void *a, const void *b)
{
    const struct region *const *x = a, *const *y = b;
    return strcmp((*x)->code, (*y)->code);
}

static int is_placeholder_city(const struct region *city)
{
    return !strcmp(city->name, "市辖区") || !strcmp(city->name, "县") ||
           strstr(city->name, "直辖县级") != NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Relative weight of a county: urban districts hold most firms. */
static uint64_t county_weight(const struct region *r)
{
    uint64_t w = 10;
    if (ends_with(r->name, "区"))
        w = 30;
    else if (ends_with(r->name, "市"))
        w = 16;
    else if (ends_with(r->name, "自治县") || ends_with(r->name, "旗"))
        w = 5;
    else if (ends_with(r->name, "县"))
        w = 8;
    return w;
}

static uint64_t street_weight(const struct region *s)
{
    if (ends_with(s->name, "街道"))
        return 3;
    if (ends_with(s->name, "镇"))
        return 2;
    return 1;
}

static int prepare_regions(struct gen *g, struct error *err)
{
    size_t i, n = region_count();
    const struct region **counties, **streets;
    uint32_t nc = 0, ns = 0, c, s, p;
    uint32_t *per_prov;

    counties = xmalloc(st_mult(n, sizeof(*counties)));
    streets = xmalloc(st_mult(n, sizeof(*streets)));
    for (i = 0; i < n; i++) {
        const struct region *r = region_at(i);
        size_t len = strlen(r->code);
        if (r->level == REGION_COUNTY) {
            /* NBS statistical areas (codes ..71-..99: development zones)
             * are not GB/T 2260 divisions and register no firms here. */
            if (len == 6 && r->code[4] >= '7')
                continue;
            counties[nc++] = r;
        } else if (r->level == REGION_STREET) {
            streets[ns++] = r;
        }
    }
    if (nc == 0) {
        free(counties);
        free(streets);
        return error_set(err, "the region table has no counties");
    }
    qsort(counties, nc, sizeof(*counties), cmp_region_code);
    qsort(streets, ns, sizeof(*streets), cmp_region_code);

    g->county = xcalloc(nc, sizeof(*g->county));
    g->ncounty = nc;
    g->street = xmalloc(st_mult(ns ? ns : 1, sizeof(*g->street)));
    g->street_cum = xmalloc(st_mult(ns ? ns : 1, sizeof(*g->street_cum)));
    g->home_county = -1;

    /* Streets are sorted by code, so each county's are contiguous. */
    s = 0;
    g->nstreet = 0;
    for (c = 0; c < nc; c++) {
        struct gen_county *gc = &g->county[c];
        const struct region *prov = region_ancestor(counties[c], REGION_PROVINCE);
        const struct region *city = counties[c]->parent;
        uint64_t cum = 0;
        unsigned k;
        gc->r = counties[c];
        gc->province = UINT32_MAX;
        for (k = 0; k < gen_province_count; k++)
            if (prov && !strcmp(gen_provinces[k].code, prov->code))
                gc->province = k;
        gc->city_is_placeholder = city ? (uint8_t)is_placeholder_city(city) : 1;
        gc->area_code = NULL;
        for (k = 0; k < gen_area_code_count; k++)
            if (city && !strcmp(gen_area_codes[k].city, city->code))
                gc->area_code = gen_area_codes[k].area;
        while (s < ns && strncmp(streets[s]->code, counties[c]->code, 6) < 0)
            s++;
        gc->street_first = g->nstreet;
        while (s < ns && !strncmp(streets[s]->code, counties[c]->code, 6)) {
            cum += street_weight(streets[s]);
            g->street[g->nstreet] = streets[s];
            g->street_cum[g->nstreet] = cum;
            g->nstreet++;
            s++;
        }
        gc->street_count = g->nstreet - gc->street_first;
        gen_county_names(gc);
        if (g->home_code[0] && !strcmp(counties[c]->code, g->home_code))
            g->home_county = (int)c;
    }
    free(counties);
    free(streets);

    /* Counties grouped by province, weighted; the home county is left out
     * of the national draw so that the home share is exact. */
    g->prov_county = xmalloc(st_mult(nc, sizeof(*g->prov_county)));
    per_prov = xcalloc(gen_province_count + 1, sizeof(*per_prov));
    for (c = 0; c < nc; c++)
        if (g->county[c].province != UINT32_MAX)
            per_prov[g->county[c].province]++;
    {
        uint32_t at = 0;
        uint64_t pcum = 0;
        for (p = 0; p < gen_province_count; p++) {
            g->prov[p].first = at;
            g->prov[p].count = 0;
            g->prov[p].cum = xmalloc(st_mult(per_prov[p] ? per_prov[p] : 1, sizeof(uint64_t)));
            at += per_prov[p];
        }
        for (c = 0; c < nc; c++) {
            struct gen_county *gc = &g->county[c];
            struct gen_province_ix *pi;
            uint64_t w, boost = 10;
            unsigned k;
            if (gc->province == UINT32_MAX)
                continue;
            pi = &g->prov[gc->province];
            w = county_weight(gc->r);
            for (k = 0; k < gen_city_boost_count; k++)
                if (!strncmp(gen_city_boost[k].code, gc->r->code, 4))
                    boost = gen_city_boost[k].weight;
            w *= boost;
            if ((int)c == g->home_county)
                w = 0;
            g->prov_county[pi->first + pi->count] = c;
            pi->cum[pi->count] = (pi->count ? pi->cum[pi->count - 1] : 0) + w;
            pi->count++;
        }
        for (p = 0; p < gen_province_count; p++) {
            if (g->prov[p].count && g->prov[p].cum[g->prov[p].count - 1])
                pcum += gen_provinces[p].weight;
            g->prov_cum[p] = pcum;
        }
    }
    free(per_prov);
    return 0;
}

static const struct gen_class_info *class_info(const char *code)
{
    unsigned i;
    for (i = 0; i < gen_class_count; i++)
        if (!strcmp(gen_classes[i].code, code))
            return &gen_classes[i];
    return NULL;
}

static int prepare_industries(struct gen *g, struct error *err)
{
    size_t i, n = industry_count();
    uint32_t d, p;
    int div_family[100];

    for (d = 0; d < 100; d++)
        div_family[d] = -1;
    for (i = 0; i < gen_division_count; i++) {
        int num = (gen_divisions[i].code[0] - '0') * 10 + (gen_divisions[i].code[1] - '0');
        div_family[num] = (int)i;
    }
    for (i = 0; i < gen_class_count; i++)
        if (!industry_find_code(gen_classes[i].code) ||
            industry_find_code(gen_classes[i].code)->level != INDUSTRY_CLASS)
            return error_set(err, "generator table names industry class %s, which GB/T 4754-2017 lacks",
                             gen_classes[i].code);

    g->cls = xmalloc(st_mult(n, sizeof(*g->cls)));
    g->ncls = 0;
    memset(g->div, 0, sizeof(g->div));
    /* Classes in code order so that each division's are contiguous. */
    for (d = 0; d < 100; d++) {
        const struct gen_division *gd;
        uint64_t cum = 0;
        if (div_family[d] < 0)
            continue;
        gd = &gen_divisions[div_family[d]];
        g->div[d].first = g->ncls;
        for (i = 0; i < n; i++) {
            const struct industry *in = industry_at(i);
            const struct gen_class_info *ci;
            if (in->level != INDUSTRY_CLASS || strncmp(in->code, gd->code, 2))
                continue;
            ci = class_info(in->code);
            memcpy(g->cls[g->ncls].code, in->code, 5);
            g->cls[g->ncls].family = (uint8_t)(ci && ci->family >= 0 ? ci->family : gd->family);
            g->cls[g->ncls].phrase = ci ? ci->phrase : NULL;
            g->cls[g->ncls].hub = HUB_NONE;  /* and the specialisms: gen_niche_prepare() */
            g->cls[g->ncls].niche_first = g->cls[g->ncls].niche_count = 0;
            g->ncls++;
        }
        g->div[d].count = g->ncls - g->div[d].first;
        g->div[d].cum = xmalloc(st_mult(g->div[d].count ? g->div[d].count : 1, sizeof(uint64_t)));
        for (i = 0; i < g->div[d].count; i++) {
            const struct gen_class_info *ci = class_info(g->cls[g->div[d].first + i].code);
            cum += ci ? ci->boost : 10;
            g->div[d].cum[i] = cum;
        }
        if (g->div[d].count == 0 || cum == 0)
            return error_set(err, "industry division %s has no classes to draw", gd->code);
    }
    g->ndiv = 0;
    for (d = 0; d < 100; d++)
        if (div_family[d] >= 0)
            g->div_num[g->ndiv++] = (uint8_t)d;
    for (p = 0; p < PROFILE_COUNT; p++) {
        uint64_t cum = 0;
        for (d = 0; d < g->ndiv; d++) {
            const struct gen_division *gd = &gen_divisions[div_family[g->div_num[d]]];
            cum += p == PROFILE_NAT ? gd->nat : p == PROFILE_HOME ? gd->home : gd->tech;
            g->div_cum[p][d] = cum;
        }
    }
    return 0;
}

static void prepare_years(struct gen *g)
{
    int b;
    uint32_t k;
    g->nyears = (uint32_t)(g->today_y - (int)gen_year_first + 1);
    if (g->nyears > 80)
        g->nyears = 80;
    for (b = 0; b < 4; b++) {
        uint64_t cum = 0;
        for (k = 0; k < g->nyears; k++) {
            int y = (int)gen_year_first + (int)k;
            uint64_t w = gen_year_weight[k < gen_year_count ? k : gen_year_count - 1];
            uint64_t age = (uint64_t)(g->today_y - y);
            w = w * (8 + (uint64_t)b * 3 * age) / 8;
            if (y == g->today_y)
                w = w * (uint64_t)g->today_doy / 365;
            cum += w;
            g->year_cum[b][k] = cum;
        }
    }
}

static void prepare_home(struct gen *g)
{
    uint64_t H = g->H, scaled[TAG_COUNT], base = H < XIHU_ENTERPRISES ? H : XIHU_ENTERPRISES;
    int t;
    uint64_t L, U, N3, G, S, HT, GZ, TS, hs, ov;
    memset(g->home_tag, 0, sizeof(g->home_tag));
    for (t = 0; t < TAG_COUNT; t++)
        scaled[t] = (home_real[t] * base + XIHU_ENTERPRISES / 2) / XIHU_ENTERPRISES;
    L = scaled[TAG_LISTED];
    U = scaled[TAG_UNICORN];
    N3 = scaled[TAG_NEEQ];
    G = scaled[TAG_LITTLEGIANT];
    S = scaled[TAG_SPECIALISED] > G ? scaled[TAG_SPECIALISED] : G;
    HT = scaled[TAG_HIGHTECH];
    GZ = scaled[TAG_GAZELLE];
    TS = scaled[TAG_TECHSME];
    /* Prominence ranks 0..H-1: listed first, then unicorns, then NEEQ;
     * the 小巨人 straddle the end of the listed range and sit inside the
     * 专精特新 range; high-tech covers all of those but the first few
     * listed firms (banks, property, trade). */
    hs = L / 7;
    ov = G / 4 < L ? G / 4 : L;
#define RANGE(tag, from, len)                                                 \
    do {                                                                      \
        uint64_t lo_ = (from), hi_ = (from) + (len);                          \
        g->home_tag[tag].lo = lo_ < H ? lo_ : H;                              \
        g->home_tag[tag].hi = hi_ < H ? hi_ : H;                              \
    } while (0)
    RANGE(TAG_LISTED, 0, L);
    RANGE(TAG_UNICORN, L, U);
    RANGE(TAG_NEEQ, L + U, N3);
    RANGE(TAG_LITTLEGIANT, L - ov, G);
    RANGE(TAG_SPECIALISED, L - ov, S);
    RANGE(TAG_HIGHTECH, hs, HT);
    RANGE(TAG_GAZELLE, L + U, GZ);
    RANGE(TAG_TECHSME, L + U + N3 / 2, TS);
#undef RANGE
    g->home_fig.rows = H;
    g->home_fig.hightech = g->home_tag[TAG_HIGHTECH].hi - g->home_tag[TAG_HIGHTECH].lo;
    g->home_fig.listed = g->home_tag[TAG_LISTED].hi - g->home_tag[TAG_LISTED].lo;
    g->home_fig.little_giant = g->home_tag[TAG_LITTLEGIANT].hi - g->home_tag[TAG_LITTLEGIANT].lo;
    g->home_fig.specialised = g->home_tag[TAG_SPECIALISED].hi - g->home_tag[TAG_SPECIALISED].lo;
}

int gen_new(const struct gen_options *opt, struct gen **out, struct error *err)
{
    struct gen *g;
    int y, m, d;
    unsigned k;

    *out = NULL;
    if (opt->count < 1 || opt->count > GEN_MAX_COUNT)
        return error_set(err, "count must be between 1 and %llu", (unsigned long long)GEN_MAX_COUNT);
    if (opt->threads < 0 || opt->threads > GEN_MAX_THREADS)
        return error_set(err, "threads must be between 1 and %d", GEN_MAX_THREADS);
    g = xcalloc(1, sizeof(*g));
    g->opt = *opt;
    if (!g->opt.threads)
        g->opt.threads = 2;
    g->n = opt->count;
    g->opt.today = NULL;
    g->opt.home = NULL;
    snprintf(g->today_str, sizeof(g->today_str), "%s", opt->today ? opt->today : GEN_DEFAULT_TODAY);
    if (gen_date_parse(g->today_str, &g->today)) {
        gen_free(g);
        return error_set(err, "today '%s' is not a date (YYYY-MM-DD)", opt->today);
    }
    gen_civil_from_days(g->today, &y, &m, &d);
    if (y < 2000 || y > 2099) {
        gen_free(g);
        return error_set(err, "today '%s' must lie in 2000-2099", g->today_str);
    }
    g->today_y = y;
    g->today_doy = g->today - gen_days_from_civil(y, 1, 1) + 1;

    if (opt->home && opt->home[0]) {
        const struct region *h = region_find_code(opt->home);
        if (!h || h->level != REGION_COUNTY) {
            gen_free(g);
            return error_set(err, "home '%s' is not a county code (6 digits, e.g. 330106)", opt->home);
        }
        snprintf(g->home_code, sizeof(g->home_code), "%s", h->code);
    }
    if (prepare_regions(g, err) || prepare_industries(g, err) || gen_niche_prepare(g, err)) {
        gen_free(g);
        return -1;
    }
    if (g->home_code[0] && g->home_county < 0) {
        gen_free(g);
        return error_set(err, "home '%s' is a statistical area, not a registering county", opt->home);
    }
    prepare_years(g);
    {
        uint64_t cum = 0;
        for (k = 0; k < gen_surname_count && k < 128; k++) {
            cum += gen_surnames[k].weight;
            g->surname_cum[k] = cum;
        }
    }

    g->H = g->home_code[0] ? (g->n * HOME_SHARE_PER_MILLE + 500) / 1000 : 0;
    if (g->home_code[0] && g->H == 0)
        g->H = 1;
    g->P = g->n / 4000;                /* group parents */
    g->S = g->P ? g->n / 40 : 0;       /* subsidiaries and branches */
    g->F = g->n / 2000;                /* investment funds */
    prepare_home(g);
    perm_init(&g->p_home, g->n, opt->seed, PURPOSE_PERM_HOME);
    perm_init(&g->p_role, g->n, opt->seed, PURPOSE_PERM_ROLE);
    perm_init(&g->p_org, GEN_MAX_COUNT, opt->seed, PURPOSE_PERM_ORG);
    *out = g;
    return 0;
}

void gen_free(struct gen *g)
{
    unsigned i;
    if (!g)
        return;
    for (i = 0; i < 64; i++)
        free(g->prov[i].cum);
    for (i = 0; i < 100; i++)
        free(g->div[i].cum);
    free(g->prov_county);
    free(g->county);
    free(g->street);
    free(g->street_cum);
    free(g->cls);
    free(g->niche_cand);
    free(g->niche_cls);
    free(g);
}

uint64_t gen_count(const struct gen *g)
{
    return g->n;
}

void gen_home_figures(const struct gen *g, struct gen_home_figures *out)
{
    *out = g->home_fig;
}

const struct gen_county *gen_county_of(const struct gen *g, const struct gen_ent *e)
{
    return &g->county[e->county_ix];
}

/* ---- drawing ---- */

static uint32_t pick_county_in_province(const struct gen *g, struct rng *r, uint32_t p)
{
    const struct gen_province_ix *pi = &g->prov[p];
    return g->prov_county[pi->first + dist_pick(r, pi->cum, pi->count)];
}

static uint32_t pick_county(const struct gen *g, struct rng *r)
{
    uint32_t p = dist_pick(r, g->prov_cum, gen_province_count);
    return pick_county_in_province(g, r, p);
}

static int32_t pick_street(const struct gen *g, struct rng *r, uint32_t c)
{
    const struct gen_county *gc = &g->county[c];
    if (!gc->street_count)
        return -1;
    return (int32_t)(gc->street_first +
                     dist_pick(r, g->street_cum + gc->street_first, gc->street_count));
}

static uint32_t pick_division(const struct gen *g, struct rng *r, int profile)
{
    return g->div_num[dist_pick(r, g->div_cum[profile], g->ndiv)];
}

static const struct gen_class *pick_class_in(const struct gen *g, struct rng *r, uint32_t div)
{
    const struct gen_division_ix *di = &g->div[div];
    return &g->cls[di->first + dist_pick(r, di->cum, di->count)];
}

static const struct gen_class *find_class(const struct gen *g, const char *code)
{
    int d = (code[0] - '0') * 10 + (code[1] - '0');
    uint32_t i;
    for (i = 0; i < g->div[d].count; i++)
        if (!memcmp(g->cls[g->div[d].first + i].code, code, 4))
            return &g->cls[g->div[d].first + i];
    return &g->cls[0];
}

static void set_class(struct gen_ent *e, const struct gen_class *c)
{
    memcpy(e->industry, c->code, 5);
    e->family = c->family;
    e->class_phrase = c->phrase;
}

/* Raise v to at least floor, folding the part below back above it so the
 * result keeps a spread instead of piling up at floor. */
static int32_t at_least(int32_t v, int32_t floor)
{
    return v >= floor ? v : floor + (floor - v) / 4;
}

static int32_t at_most(int32_t v, int32_t ceil)
{
    return v <= ceil ? v : ceil - (v - ceil) / 4;
}

/* Draw a founding day: the year from the register's age profile (older
 * for larger firms), no later than today - min_age years. */
static int draw_founded(const struct gen *g, struct rng *r, int32_t z, int min_age)
{
    int bias = z <= 0 ? 0 : z >= Q16(3.0) ? 3 : z / Q16_ONE;
    int y, tries, first, last;
    uint32_t k = 0;
    if (min_age > g->today_y - (int)gen_year_first)
        min_age = g->today_y - (int)gen_year_first;
    for (tries = 0; tries < 16; tries++) {
        k = dist_pick(r, g->year_cum[bias], g->nyears);
        if ((int)gen_year_first + (int)k <= g->today_y - min_age)
            break;
    }
    y = (int)gen_year_first + (int)k;
    if (y > g->today_y - min_age)
        y = g->today_y - min_age;
    first = gen_days_from_civil(y, 1, 1);
    last = gen_days_from_civil(y, 12, 31);
    if (last > g->today)
        last = g->today;
    return (int)rng_range(r, first, last);
}

/* A year in [lo, hi] leaning recent (the later of two uniform draws). */
static int recent_year(struct rng *r, int lo, int hi)
{
    int a = (int)rng_range(r, lo, hi), b = (int)rng_range(r, lo, hi);
    return a > b ? a : b;
}

static const int tag_program_start[TAG_COUNT] = {
    [TAG_HIGHTECH] = 2008, [TAG_TECHSME] = 2017, [TAG_SPECIALISED] = 2013,
    [TAG_LITTLEGIANT] = 2019, [TAG_GAZELLE] = 2012, [TAG_UNICORN] = 2015,
    [TAG_LISTED] = 1990, [TAG_NEEQ] = 2006,
};
static const int tag_min_age[TAG_COUNT] = {
    [TAG_HIGHTECH] = 1, [TAG_TECHSME] = 0, [TAG_SPECIALISED] = 2, [TAG_LITTLEGIANT] = 3,
    [TAG_GAZELLE] = 2, [TAG_UNICORN] = 1, [TAG_LISTED] = 3, [TAG_NEEQ] = 2,
};

/* Years granted: never before founding (plus the tag's minimum age) nor
 * before the programme existed; 小巨人 no earlier than 专精特新. A tag that
 * cannot have been granted by today is dropped. */
static void assign_tag_years(const struct gen *g, struct rng *r, struct gen_ent *e)
{
    int fy = e->founded_y, t;
    for (t = 0; t < TAG_COUNT; t++) {
        int lo;
        e->tag_year[t] = 0;
        if (!(e->tags & (1u << t)))
            continue;
        lo = fy + tag_min_age[t];
        if (lo < tag_program_start[t])
            lo = tag_program_start[t];
        if (t == TAG_LITTLEGIANT && e->tag_year[TAG_SPECIALISED] > lo)
            lo = e->tag_year[TAG_SPECIALISED];
        if (lo > g->today_y) {
            e->tags &= ~(1u << t);
            continue;
        }
        e->tag_year[t] = (int16_t)recent_year(r, lo, g->today_y);
    }
    if ((e->tags & (1u << TAG_LITTLEGIANT)) && !(e->tags & (1u << TAG_SPECIALISED)))
        e->tags &= ~(1u << TAG_LITTLEGIANT);
}

#define TAGBIT(t) (1u << (t))
#define TECH_TAGS (TAGBIT(TAG_HIGHTECH) | TAGBIT(TAG_TECHSME) | TAGBIT(TAG_SPECIALISED) | \
                   TAGBIT(TAG_LITTLEGIANT) | TAGBIT(TAG_UNICORN) | TAGBIT(TAG_GAZELLE))

/* Tags of a firm outside the calibrated home population: thresholds on
 * merit scores built from size, innovation, tech affinity and age. */
static void draw_tags(const struct gen *g, struct rng *r, struct gen_ent *e)
{
    int32_t tech = (int32_t)gen_families[e->family].tech;
    int32_t tech_bonus = (tech - 50) * (Q16_ONE / 25);
    int age = g->today_y - e->founded_y;
    int32_t merit = e->innov + e->z * 6 / 10 + tech_bonus;
    uint32_t tags = 0;

    if (merit + dist_normal(r) / 2 > Q16(3.4) && age >= 1)
        tags |= 1u << TAG_HIGHTECH;
    if (merit + dist_normal(r) > Q16(3.75) && e->z < Q16(2.5))
        tags |= 1u << TAG_TECHSME;
    if (e->z * 8 / 10 + e->innov * 8 / 10 + tech_bonus / 2 + dist_normal(r) / 2 > Q16(3.4) &&
        age >= 3) {
        tags |= 1u << TAG_SPECIALISED;
        if (e->z + e->innov + dist_normal(r) / 2 > Q16(4.6))
            tags |= 1u << TAG_LITTLEGIANT;
    }
    if (age >= 3 && age <= 10 && e->z + e->innov + tech_bonus / 2 + dist_normal(r) / 2 > Q16(4.9))
        tags |= 1u << TAG_GAZELLE;
    if (e->z > Q16(3.0) && age >= 3 && dist_normal(r) > Q16(1.2))
        tags |= 1u << TAG_LISTED;
    else if (e->z > Q16(1.8) && merit > Q16(2.0) && age >= 2 && dist_normal(r) > Q16(2.0))
        tags |= 1u << TAG_NEEQ;
    if (!(tags & (1u << TAG_LISTED)) && age <= 11 && tech >= 60 && e->z > Q16(2.2) &&
        e->innov > Q16(1.2) && dist_normal(r) > Q16(1.6))
        tags |= 1u << TAG_UNICORN;
    if (tags & (1u << TAG_LISTED))
        tags &= ~(1u << TAG_TECHSME);
    /* technology qualifications need a technology business */
    if (tech < 20)
        tags &= ~TECH_TAGS;
    else if (tech < 30)
        tags &= ~(TAGBIT(TAG_SPECIALISED) | TAGBIT(TAG_LITTLEGIANT) | TAGBIT(TAG_UNICORN));
    e->tags = tags;
}

/* Prominence-ranked tags of a home-district firm (exact counts). */
static uint32_t home_tags(const struct gen *g, uint64_t rank)
{
    uint32_t tags = 0;
    int t;
    for (t = 0; t < TAG_COUNT; t++)
        if (rank >= g->home_tag[t].lo && rank < g->home_tag[t].hi)
            tags |= 1u << t;
    return tags;
}

static int tags_min_age(uint32_t tags)
{
    int t, a = 0;
    for (t = 0; t < TAG_COUNT; t++)
        if ((tags & (1u << t)) && tag_min_age[t] > a)
            a = tag_min_age[t];
    return a;
}


/* Latent floors that make tags and roles believable. */
static void apply_floors(struct gen_ent *e, uint32_t tags)
{
    if (tags & TAGBIT(TAG_LISTED))
        e->z = at_least(e->z, Q16(2.6));
    if (tags & TAGBIT(TAG_UNICORN)) {
        e->z = at_least(e->z, Q16(2.3));
        e->innov = at_least(e->innov, Q16(1.5));
    }
    if (tags & TAGBIT(TAG_LITTLEGIANT)) {
        e->z = at_least(e->z, Q16(1.3));
        e->innov = at_least(e->innov, Q16(1.5));
    }
    if (tags & TAGBIT(TAG_SPECIALISED)) {
        e->z = at_least(e->z, Q16(0.8));
        e->innov = at_least(e->innov, Q16(1.0));
    }
    if (tags & TAGBIT(TAG_NEEQ))
        e->z = at_least(e->z, Q16(1.0));
    if (tags & TAGBIT(TAG_GAZELLE))
        e->z = at_least(e->z, Q16(0.8));
    if (tags & TAGBIT(TAG_HIGHTECH)) {
        e->z = at_least(e->z, Q16(0.2));
        e->innov = at_least(e->innov, Q16(0.8));
    }
    if (tags & TAGBIT(TAG_TECHSME)) {
        e->innov = at_least(e->innov, Q16(0.3));
        if (!(tags & (TAGBIT(TAG_LISTED) | TAGBIT(TAG_UNICORN))))
            e->z = at_most(e->z, Q16(2.0));
    }
}

/* log2 of 10000, q16: converts 万 to 元. */
#define LOG2_WAN Q16(13.287712379549449)

/* "Nice" registered capitals in 万, the values people choose. */
static const uint32_t nice_wan[] = {
    10,    20,    30,    50,    60,    80,    100,   120,   150,   200,    300,    500,
    600,   800,   1000,  1200,  1500,  2000,  3000,  5000,  6000,  8000,   10000,  12000,
    15000, 20000, 30000, 50000, 80000, 100000, 200000, 300000, 500000, 1000000,
};

/* Amount in 元 from log2(万) (q16), mostly snapped to a nice value. */
static int64_t money_from_log2(struct rng *r, int32_t l2wan, int nice_per_mille)
{
    uint64_t yuan;
    if (l2wan < Q16(3.321928))
        l2wan = Q16(3.321928);  /* 10万 */
    if (l2wan > Q16(19.931569))
        l2wan = Q16(19.931569); /* 100亿 */
    yuan = dist_exp2((int64_t)l2wan + LOG2_WAN);
    if ((int)rng_below(r, 1000) < nice_per_mille) {
        unsigned i, best = 0;
        uint64_t bestd = UINT64_MAX;
        for (i = 0; i < sizeof(nice_wan) / sizeof(nice_wan[0]); i++) {
            uint64_t v = (uint64_t)nice_wan[i] * 10000;
            /* compare ratios: distance in log space ~ |v - y| / min(v, y) */
            uint64_t lo = v < yuan ? v : yuan, hi = v < yuan ? yuan : v;
            uint64_t dd = (hi - lo) * 1000 / (lo ? lo : 1);
            if (dd < bestd) {
                bestd = dd;
                best = i;
            }
        }
        return (int64_t)nice_wan[best] * 10000;
    }
    /* odd amounts: whole 万 mostly, some with decimals */
    switch (rng_below(r, 10)) {
    case 0:
        return (int64_t)yuan;               /* to the 元: 1288.6789万 */
    case 1:
    case 2:
    case 3:
        return (int64_t)(yuan / 1000 * 1000); /* 0.1万 */
    default:
        return (int64_t)(yuan / 10000 * 10000);
    }
}

static const char *const type_limited[] = {
    "有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）",
    "有限责任公司（非自然人投资或控股的法人独资）", "其他有限责任公司",
    "有限责任公司（自然人投资或控股的法人独资）", "有限责任公司（国有独资）",
};

static const char *draw_ent_type(struct rng *r, struct gen_ent *e, const struct gen_ent *parent)
{
    unsigned k;
    if (e->type_digit == '2')
        return "个体工商户";
    if (e->type_digit == '3')
        return "农民专业合作社";
    if (e->role == GEN_ROLE_FUND)
        return "有限合伙企业";
    if (e->role == GEN_ROLE_BRANCH) {
        if (parent && strstr(parent->ent_type, "股份"))
            return strstr(parent->ent_type, "上市、") ? "股份有限公司分公司（上市、自然人投资或控股）"
                                                     : "股份有限公司分公司（非上市、自然人投资或控股）";
        return rng_below(r, 4) ? "有限责任公司分公司（自然人投资或控股）" : "其他有限责任公司分公司";
    }
    if (e->currency == GEN_USD) {
        k = (unsigned)rng_below(r, 20);
        return k < 12 ? "有限责任公司（外国法人独资）" : k < 17 ? "有限责任公司（中外合资）"
                                                               : "有限责任公司（外商投资、非独资）";
    }
    if (e->currency == GEN_HKD)
        return rng_below(r, 10) < 7 ? "有限责任公司（台港澳法人独资）" : "有限责任公司（港澳台投资、非独资）";
    if (e->tags & TAGBIT(TAG_LISTED)) {
        k = (unsigned)rng_below(r, 10);
        return k < 6 ? "股份有限公司（上市、自然人投资或控股）" : k < 8 ? "股份有限公司（上市、国有控股）"
                                                                       : "其他股份有限公司（上市）";
    }
    if (e->tags & TAGBIT(TAG_NEEQ))
        return "股份有限公司（非上市、自然人投资或控股）";
    if (e->role == GEN_ROLE_SUBSIDIARY)
        return e->share_bp == 10000 ? "有限责任公司（非自然人投资或控股的法人独资）" : "其他有限责任公司";
    if (e->z > Q16(2.0) && rng_below(r, 10) < 3)
        return rng_below(r, 4) ? "股份有限公司（非上市、自然人投资或控股）" : "股份有限公司（非上市、国有控股）";
    k = (unsigned)rng_below(r, 1000);
    if (k < 15)
        return "个人独资企业";
    if (k < 25)
        return "有限合伙企业";
    if (k < 600)
        return type_limited[0];
    if (k < 800)
        return type_limited[1];
    if (k < 880)
        return type_limited[2];
    if (k < 950)
        return type_limited[3];
    if (k < 990 || e->z < Q16(1.5))
        return type_limited[4];
    return type_limited[5];
}

static void draw_capital(const struct gen *g, struct rng *r, struct gen_ent *e,
                         const struct gen_ent *parent)
{
    int32_t l2 = Q16(7.2) + e->z * 22 / 10 + dist_normal(r) * 12 / 10;
    int per_mille = 850;
    e->currency = GEN_CNY;
    e->paid_in = -1;
    if (e->role == GEN_ROLE_BRANCH) {
        e->capital = -1;
        return;
    }
    if (e->type_digit == '2') {
        /* 个体工商户 declare a 资金数额 rarely; small when they do */
        e->capital = rng_below(r, 10) < 3 ? (int64_t)(1 + rng_below(r, 10)) * 10000 : -1;
        return;
    }
    if (e->type_digit == '3')
        l2 = at_most(l2, Q16(9.0));
    if (e->role == GEN_ROLE_FUND)
        l2 = Q16(13.0) + (int32_t)rng_below(r, Q16(5.0));
    if (e->role == GEN_ROLE_PARENT)
        l2 = at_least(l2, Q16(12.3));
    if (e->role == GEN_ROLE_SUBSIDIARY && parent && parent->capital > 0)
        l2 = at_most(l2, Q16(12.0) + parent->z - Q16(2.4));
    if (e->tags & TAGBIT(TAG_LISTED)) {
        l2 = at_least(l2, Q16(12.3)); /* 5000万 */
        per_mille = 300;              /* share capital after an IPO is rarely round */
    }
    if (e->type_digit == '1' && e->role != GEN_ROLE_FUND && !(e->tags & TAGBIT(TAG_LISTED))) {
        uint32_t k = (uint32_t)rng_below(r, 1000);
        int foreign_bias = e->home ? 2 : 1;
        if (k < 25u * (uint32_t)foreign_bias)
            e->currency = GEN_USD;
        else if (k < 30u * (uint32_t)foreign_bias)
            e->currency = GEN_HKD;
    }
    e->capital = money_from_log2(r, l2, per_mille);
    if (e->currency == GEN_USD)
        e->capital = money_from_log2(r, l2 - Q16(2.807), 900);  /* / 7 */
    else if (e->currency == GEN_HKD)
        e->capital = money_from_log2(r, l2 + Q16(0.152), 900);  /* / 0.9 */
    if (e->capital < 10000)
        e->capital = 10000;
    /* 实缴: undisclosed often, fully paid for established firms */
    {
        uint32_t k = (uint32_t)rng_below(r, 100);
        int age = g->today_y - e->founded_y;
        if (k < 40 && !(e->tags & TAGBIT(TAG_LISTED)))
            e->paid_in = -1;
        else if (k < 70 || age > 10 || (e->tags & TAGBIT(TAG_LISTED)))
            e->paid_in = e->capital;
        else
            e->paid_in = e->capital / 10000 * (int64_t)rng_range(r, 1, 9) * 1000;
    }
}

static void draw_status(const struct gen *g, struct rng *r, struct gen_ent *e, int protected_)
{
    int age = g->today_y - e->founded_y;
    uint64_t p;
    uint32_t k;
    e->status = STATUS_ACTIVE;
    k = (uint32_t)rng_below(r, 100);
    e->status_label = k < 45 ? 0 : k < 80 ? 1 : 2;
    if (protected_)
        return;
    p = (uint64_t)(11000 + 15500 * (uint64_t)age);
    p = p * dist_exp2((int64_t)Q16(16) - e->z) >> 16;  /* halves per sd of size */
    if (p > 700000)
        p = 700000;
    if (rng_below(r, 1000000) >= p)
        return;
    k = (uint32_t)rng_below(r, 100);
    if (age >= 8 && e->founded_y < 2015) {
        if (k < 45) e->status = STATUS_CANCELLED;
        else if (k < 85) e->status = STATUS_REVOKED;
        else if (k < 91) e->status = STATUS_MOVED_OUT;
        else if (k < 95) e->status = STATUS_SUSPENDED;
        else e->status = STATUS_LIQUIDATING;
    } else {
        if (k < 72) e->status = STATUS_CANCELLED;
        else if (k < 82) e->status = STATUS_REVOKED;
        else if (k < 92) e->status = STATUS_MOVED_OUT;
        else if (k < 96) e->status = STATUS_SUSPENDED;
        else e->status = STATUS_LIQUIDATING;
    }
    switch (e->status) {
    case STATUS_CANCELLED: e->status_label = 3; break;
    case STATUS_REVOKED: e->status_label = 4; break;
    case STATUS_MOVED_OUT: e->status_label = 5; break;
    case STATUS_SUSPENDED: e->status_label = 6; break;
    default: e->status_label = 7; break;
    }
}

/* A count with a heavy tail: floor(2^p) - 1 for p >= 1, else 0. */
static int64_t heavy_count(int32_t p)
{
    uint64_t v;
    if (p < Q16_ONE)
        return 0;
    if (p > Q16(17.0))
        p = Q16(17.0);
    v = dist_exp2(p);
    return (int64_t)v - 1;
}

static void draw_ip(const struct gen *g, struct rng *r, struct gen_ent *e)
{
    static const int32_t base[5] = { Q16(-3.6), Q16(-3.2), Q16(-3.5), Q16(-3.2), Q16(-0.9) };
    const struct gen_family_info *f = &gen_families[e->family];
    int age = g->today_y - e->founded_y;
    int32_t age_term = age >= 12 ? Q16(1.2) : age * Q16(0.1);
    int64_t out[5];
    int k;
    int32_t shared = e->z + e->innov * 12 / 10 + age_term;
    if (e->status != STATUS_ACTIVE)
        shared -= Q16(1.0);
    if (e->type_digit != '1' || e->role == GEN_ROLE_BRANCH || e->role == GEN_ROLE_FUND)
        shared -= Q16(4.0);
    for (k = 0; k < 5; k++)
        out[k] = heavy_count(base[k] + f->ip[k] * (Q16_ONE / 4) + shared +
                             dist_normal(r) * 11 / 10);
    e->pat_invention = out[0];
    e->pat_utility = out[1];
    e->pat_design = out[2];
    e->software_cr = out[3];
    e->trademarks = out[4];
    /* a national high-tech enterprise must hold core IP */
    if ((e->tags & TAGBIT(TAG_HIGHTECH)) && !e->pat_invention && !e->pat_utility &&
        !e->software_cr) {
        if (f->ip[3] > f->ip[1])
            e->software_cr = 3 + (int64_t)rng_below(r, 12);
        else
            e->pat_utility = 2 + (int64_t)rng_below(r, 10);
    }
    if ((e->tags & (TAGBIT(TAG_SPECIALISED) | TAGBIT(TAG_LITTLEGIANT))) && !e->pat_invention)
        e->pat_invention = 1 + (int64_t)rng_below(r, 6);
}

static void draw_staff(struct rng *r, struct gen_ent *e)
{
    int32_t p = Q16(1.3) + e->z * 19 / 10 + dist_normal(r) * 11 / 10;
    if (e->status != STATUS_ACTIVE) {
        e->staff = rng_below(r, 2) ? 0 : -1;
        return;
    }
    if (e->type_digit == '2' || e->role == GEN_ROLE_FUND)
        p -= Q16(2.0);
    if (e->tags & TAGBIT(TAG_LISTED))
        p = at_least(p, Q16(8.0));
    if (e->tags & (TAGBIT(TAG_HIGHTECH) | TAGBIT(TAG_SPECIALISED)))
        p = at_least(p, Q16(3.5));
    if (rng_below(r, 100) < 10 && !(e->tags & TAGBIT(TAG_LISTED))) {
        e->staff = -1;
        return;
    }
    e->staff = heavy_count(p);
}

/* Funding rounds: innovative, young-to-middle-aged firms raise money; the
 * stage follows age and size; listed firms show their IPO. */
static void draw_funding(const struct gen *g, struct rng *r, struct gen_ent *e)
{
    static const struct {
        uint32_t lo, hi;   /* amount range in 万 */
        int min_y, max_y;  /* years after founding */
    } stage[] = {
        [ROUND_ANGEL] = { 100, 1000, 0, 2 },      [ROUND_PRE_A] = { 300, 3000, 1, 3 },
        [ROUND_A] = { 1000, 10000, 1, 4 },        [ROUND_A_PLUS] = { 2000, 15000, 2, 5 },
        [ROUND_B] = { 5000, 30000, 2, 6 },        [ROUND_B_PLUS] = { 8000, 40000, 3, 7 },
        [ROUND_C] = { 10000, 100000, 4, 8 },      [ROUND_D] = { 30000, 300000, 5, 10 },
        [ROUND_STRATEGIC] = { 1000, 100000, 1, 10 }, [ROUND_IPO] = { 30000, 500000, 3, 30 },
    };
    int32_t tech = (int32_t)gen_families[e->family].tech;
    int32_t score, st;
    int age_days = g->today - e->founded, age = age_days / 365, round, lo_day, hi_day;
    uint32_t amount_wan;

    e->round = -1;
    e->funding = -1;
    if (e->type_digit != '1' || e->status != STATUS_ACTIVE || e->role == GEN_ROLE_BRANCH ||
        e->role == GEN_ROLE_FUND)
        return;
    if (e->tags & TAGBIT(TAG_LISTED)) {
        round = ROUND_IPO;
    } else {
        score = e->innov * 8 / 10 + e->z / 2 + (tech - 50) * (Q16_ONE / 25) + dist_normal(r) * 8 / 10;
        if (e->tags & TAGBIT(TAG_HIGHTECH)) score += Q16(0.5);
        if (e->tags & TAGBIT(TAG_SPECIALISED)) score += Q16(0.5);
        if (e->tags & TAGBIT(TAG_GAZELLE)) score += Q16(1.0);
        if (e->tags & TAGBIT(TAG_NEEQ)) score += Q16(0.8);
        if (age > 15) score -= Q16(1.0);
        if (!(e->tags & TAGBIT(TAG_UNICORN)) && score < Q16(3.9))
            return;
        st = age * (Q16_ONE / 4) + e->z * 8 / 10 + dist_normal(r) * 7 / 10;
        round = st < Q16(1.0) ? ROUND_ANGEL : st < Q16(1.6) ? ROUND_PRE_A : st < Q16(2.4) ? ROUND_A
              : st < Q16(2.9) ? ROUND_A_PLUS : st < Q16(3.5) ? ROUND_B : st < Q16(3.9) ? ROUND_B_PLUS
              : st < Q16(4.6) ? ROUND_C : ROUND_D;
        if (e->tags & TAGBIT(TAG_UNICORN))
            round = round < ROUND_C ? ROUND_C : round;
        if (rng_below(r, 100) < 12)
            round = ROUND_STRATEGIC;
    }
    e->round = round;
    /* amount: log-uniform inside the stage's range, two significant digits */
    {
        uint64_t span = stage[round].hi / stage[round].lo;
        uint64_t v = stage[round].lo;
        uint32_t steps = (uint32_t)rng_below(r, 1000);
        uint64_t mag = 1;
        /* v = lo * span^(steps/1000), done in q16 log2 */
        int32_t l2span = 0;
        while ((1ull << (l2span + 1)) <= span)
            l2span++;
        v = dist_exp2((int64_t)l2span * Q16_ONE * steps / 1000) * stage[round].lo;
        while (v >= 100 * mag)
            mag *= 10;
        amount_wan = (uint32_t)(v / mag * mag);
        if (e->tags & TAGBIT(TAG_UNICORN))
            amount_wan = amount_wan < 50000 ? 50000 + amount_wan : amount_wan;
    }
    e->funding_currency = GEN_CNY;
    if (round >= ROUND_B && round != ROUND_IPO && rng_below(r, 100) < 20) {
        e->funding_currency = GEN_USD;
        amount_wan = amount_wan / 7 / 100 * 100;
        if (!amount_wan)
            amount_wan = 100;
    }
    e->funding = (int64_t)amount_wan * 10000;
    /* date */
    if (round == ROUND_IPO && e->tag_year[TAG_LISTED]) {
        lo_day = gen_days_from_civil(e->tag_year[TAG_LISTED], 1, 1);
        hi_day = gen_days_from_civil(e->tag_year[TAG_LISTED], 12, 31);
    } else {
        lo_day = e->founded + stage[round].min_y * 365;
        hi_day = e->founded + stage[round].max_y * 365;
        if (lo_day > g->today)
            lo_day = e->founded + age_days / 2;
    }
    if (lo_day < e->founded)
        lo_day = e->founded;
    if (hi_day > g->today)
        hi_day = g->today;
    if (hi_day < lo_day)
        hi_day = lo_day;
    e->funding_date = (int)rng_range(r, lo_day, hi_day);
}

/* GB 11714 check character of an 8-character organisation code body. */
static char org_check(const char *body)
{
    static const int w[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
    int i, sum = 0, c;
    for (i = 0; i < 8; i++) {
        int v = body[i] >= '0' && body[i] <= '9' ? body[i] - '0' : body[i] - 'A' + 10;
        sum += v * w[i];
    }
    c = 11 - sum % 11;
    return c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
}

/* The USCC alphabet without I O S V Z. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* 18-character code: 9, type, county, organisation code, check. The
 * organisation code is a bijection of the row (perm over 10^8), written
 * the old numeric way for firms founded before 2016 and the new "MA" way
 * after; the two forms cannot collide, so codes are unique by construction. */
static void make_uscc(const struct gen *g, struct gen_ent *e)
{
    uint64_t v = perm_forward(&g->p_org, e->row);
    char *u = e->uscc, body[9];
    int i;
    u[0] = '9';
    u[1] = e->type_digit;
    memcpy(u + 2, e->county_code, 6);
    if (e->founded_y < 2016) {
        for (i = 7; i >= 0; i--) {
            body[i] = (char)('0' + v % 10);
            v /= 10;
        }
    } else {
        uint64_t x = v * 387420489ULL % 887503681ULL; /* 9^9 mod 31^6: a bijection */
        body[0] = 'M';
        body[1] = 'A';
        for (i = 7; i >= 2; i--) {
            body[i] = uscc_alphabet[x % 31];
            x /= 31;
        }
    }
    memcpy(u + 8, body, 8);
    u[16] = org_check(body);
    u[17] = uscc_check_char(u);
    u[18] = '\0';
}

static void place(const struct gen *g, struct rng *r, struct gen_ent *e, uint32_t county)
{
    e->county_ix = county;
    e->county = g->county[county].r;
    e->county_code = g->county[county].r->code;
    e->street_ix = pick_street(g, r, county);
}

void gen_ent_make(const struct gen *g, uint64_t i, struct gen_ent *e, int with_text)
{
    struct rng r;
    struct gen_ent parent_storage, *parent = NULL;
    uint64_t rank_home = 0, rank_role;
    uint32_t forced = 0;
    int protected_ = 0;

    memset(e, 0, offsetof(struct gen_ent, name));
    e->trade[0] = e->trade_py[0] = '\0';
    e->name[0] = e->former[0] = e->legal_rep[0] = e->address[0] = e->scope[0] = '\0';
    e->website[0] = e->phone[0] = '\0';
    e->row = i;
    e->niche = -1;
    e->round = -1;
    e->funding = -1;
    rng_seed(&r, g->opt.seed, i, PURPOSE_NUM);

    if (g->H) {
        rank_home = perm_forward(&g->p_home, i);
        e->home = rank_home < g->H;
        if (e->home)
            forced = home_tags(g, rank_home);
    }
    rank_role = perm_forward(&g->p_role, i);
    e->role = GEN_ROLE_PLAIN;
    if (rank_role < g->P) {
        e->role = GEN_ROLE_PARENT;
        e->group = rank_role;
    } else if (rank_role < g->P + g->S) {
        struct rng gr;
        uint64_t m = rank_role - g->P, grp, k;
        rng_seed(&gr, g->opt.seed, m, PURPOSE_GROUP);
        /* group g = floor(P * u1 * u2): a few groups get most members */
        grp = (g->P * (rng_next(&gr) >> 32)) >> 32;
        grp = (grp * (rng_next(&gr) >> 32)) >> 32;
        e->group = grp;
        e->parent_row = perm_inverse(&g->p_role, grp);
        k = rng_below(&gr, 100);
        if (k < 40 && !forced) {
            e->role = GEN_ROLE_BRANCH;
            e->share_bp = 0;
        } else {
            e->role = GEN_ROLE_SUBSIDIARY;
            e->share_bp = k < 70 ? 10000 : k < 90 ? (int)(5100 + rng_below(&gr, 49) * 100)
                                                   : (int)(500 + rng_below(&gr, 45) * 100);
        }
        gen_ent_make(g, e->parent_row, &parent_storage, with_text);
        parent = &parent_storage;
    } else if (rank_role < g->P + g->S + g->F) {
        e->role = GEN_ROLE_FUND;
    }
    protected_ = forced || e->role != GEN_ROLE_PLAIN;

    /* type: 个体工商户 and 合作社 among plain firms only */
    e->type_digit = '1';
    if (!protected_) {
        uint32_t k = (uint32_t)rng_below(&r, 1000);
        if (k < 30)
            e->type_digit = '2';
        else if (k < 40)
            e->type_digit = '3';
    }

    e->z = dist_normal(&r);
    e->innov = dist_normal(&r);
    if (e->role == GEN_ROLE_PARENT)
        e->z = at_least(e->z, Q16(2.4));
    if (e->role == GEN_ROLE_FUND)
        e->z = at_least(e->z, Q16(1.5));
    if (e->role == GEN_ROLE_SUBSIDIARY && parent)
        e->z = at_most(e->z, parent->z - Q16(0.5));
    if (e->role == GEN_ROLE_BRANCH)
        e->z = at_most(e->z, Q16(0.5));
    apply_floors(e, forced);

    /* where */
    if (e->home) {
        place(g, &r, e, (uint32_t)g->home_county);
    } else if (parent) {
        uint32_t k = (uint32_t)rng_below(&r, 100), c = parent->county_ix, tries;
        uint32_t same_city = e->role == GEN_ROLE_BRANCH ? 20 : 30;
        uint32_t same_prov = same_city + 30;
        if (k < same_prov && g->county[c].province != UINT32_MAX) {
            uint32_t pc = g->county[c].province, cand = c;
            for (tries = 0; tries < 8; tries++) {
                cand = pick_county_in_province(g, &r, pc);
                if (k >= same_city || !strncmp(g->county[cand].r->code, g->county[c].r->code, 4))
                    break;
            }
            if ((int)cand == g->home_county)
                cand = c;
            c = cand;
        } else {
            c = pick_county(g, &r);
        }
        if ((int)c == g->home_county)
            c = pick_county(g, &r);
        place(g, &r, e, c);
    } else {
        place(g, &r, e, pick_county(g, &r));
    }

    /* what */
    if (e->role == GEN_ROLE_FUND) {
        uint32_t k = (uint32_t)rng_below(&r, 100);
        set_class(e, find_class(g, k < 65 ? "7212" : k < 85 ? "6739" : "6731"));
    } else if (e->role == GEN_ROLE_BRANCH && parent) {
        memcpy(e->industry, parent->industry, 5);
        e->family = parent->family;
        e->class_phrase = parent->class_phrase;
    } else if (e->role == GEN_ROLE_SUBSIDIARY && parent && rng_below(&r, 2)) {
        memcpy(e->industry, parent->industry, 5);
        e->family = parent->family;
        e->class_phrase = parent->class_phrase;
    } else if (e->type_digit == '3') {
        uint32_t k = (uint32_t)rng_below(&r, 100);
        set_class(e, pick_class_in(g, &r, k < 60 ? 1 : k < 85 ? 3 : 5));
    } else {
        int profile = e->home ? PROFILE_HOME : PROFILE_NAT, tries;
        const struct gen_class *c = NULL;
        if ((forced & TECH_TAGS) || (e->role == GEN_ROLE_PARENT && rng_below(&r, 10) < 3))
            profile = PROFILE_TECH;
        for (tries = 0; tries < 8; tries++) {
            c = pick_class_in(g, &r, pick_division(g, &r, profile));
            if (e->type_digit == '2' && !gen_families[c->family].shops)
                continue;
            if (e->role == GEN_ROLE_PARENT &&
                (c->family == FAM_CATERING || c->family == FAM_RESIDENT || c->family == FAM_REPAIR))
                continue;
            /* chip design and rocket building cluster in a few cities:
             * elsewhere most such draws are drawn again */
            if (c->hub && !gen_hub_keep_class(g, &r, c->hub, e->county_ix))
                continue;
            break;
        }
        if (e->type_digit == '2' && !gen_families[c->family].shops)
            c = find_class(g, "5299");
        set_class(e, c);
    }

    /* when */
    if (parent) {
        int span = g->today - parent->founded;
        int a = (int)rng_below(&r, (uint64_t)span + 1), b = (int)rng_below(&r, (uint64_t)span + 1);
        e->founded = parent->founded + (a > b ? a : b);
        if (forced) {
            int latest = g->today - 365 * tags_min_age(forced);
            if (e->founded > latest)
                e->founded = latest > parent->founded ? latest : parent->founded;
        }
    } else {
        e->founded = draw_founded(g, &r, e->z, tags_min_age(forced));
    }

    e->founded_y = year_of(e->founded);

    /* status, tags */
    draw_status(g, &r, e, protected_);
    if (e->home) {
        e->tags = forced;
    } else if (e->type_digit == '1' && e->status == STATUS_ACTIVE && e->role != GEN_ROLE_BRANCH &&
               e->role != GEN_ROLE_FUND) {
        draw_tags(g, &r, e);
        apply_floors(e, e->tags);
    }
    assign_tag_years(g, &r, e);

    draw_capital(g, &r, e, parent);
    e->ent_type = draw_ent_type(&r, e, parent);
    draw_staff(&r, e);
    draw_ip(g, &r, e);
    draw_funding(g, &r, e);
    make_uscc(g, e);
    {
        uint32_t k = (uint32_t)rng_below(&r, 100);
        e->style = (k < 25 ? GEN_STYLE_THOUSANDS : 0) | (k % 25 == 3 ? GEN_STYLE_INDUSTRY_NAME : 0);
    }
    if (with_text)
        gen_text_fill(g, e, parent);
}
