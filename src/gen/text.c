/*
 * text.c - the words of a generated enterprise: its name (place + 字号 +
 * industry word + organisational form, as registered), former names, legal
 * representative, registered address, business scope, phone and web site.
 *
 * Names follow the patterns of real registrations: 杭州云栖智算科技有限公司,
 * 浙江云栖生物医药股份有限公司, 云栖（杭州）网络科技有限公司, subsidiaries that
 * carry their group's 字号, branches named "<parent><city>分公司", 个体工商户
 * shops and 农民专业合作社. Brackets are full-width as in the register.
 *
 * A firm with a specialism (niche.c, tables_niche.c) gets its specific
 * activities in the scope and often its industry word in the name; those
 * draws come from the PURPOSE_NICHE stream and move no other draw, so a
 * firm without a specialism gets the words it would get without them.
 *
 * Text draws come from their own stream (PURPOSE_TEXT), so a caller that
 * skips text gets the same numbers. Never two draws in one expression or
 * argument list: C leaves their order unspecified and gcc and clang differ.
 */
#include "gen/gen_internal.h"

#include <string.h>

/* A bounded builder: appends whole pieces only, so UTF-8 is never cut. */
struct tb {
    char *p;
    size_t cap, len;
};

static void tb_init(struct tb *b, char *p, size_t cap)
{
    b->p = p;
    b->cap = cap;
    b->len = 0;
    p[0] = '\0';
}

static void tb_addn(struct tb *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void tb_add(struct tb *b, const char *s)
{
    tb_addn(b, s, strlen(s));
}

static void tb_num(struct tb *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    tb_addn(b, tmp + sizeof(tmp) - n, (size_t)n);
}

static void tb_digits(struct tb *b, struct rng *r, int n)
{
    char tmp[24];
    int i;
    for (i = 0; i < n && i < 24; i++)
        tmp[i] = (char)('0' + rng_below(r, 10));
    tb_addn(b, tmp, (size_t)i);
}

static size_t list_len(const char *const *l)
{
    size_t n = 0;
    while (l && l[n])
        n++;
    return n;
}

static const char *pick(struct rng *r, const char *const *l)
{
    size_t n = list_len(l);
    return n ? l[rng_below(r, n)] : "";
}

/* ---- places ---- */

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Short form of a city or county name as firms use it: 杭州市 -> 杭州,
 * 西湖区 -> 西湖, 湘西土家族苗族自治州 -> 湘西; names of two characters keep
 * their suffix (城区). */
static void short_place(const char *name, char *out, size_t cap)
{
    static const char *const suffixes[] = { "自治州", "自治县", "自治旗", "地区", "林区", "特区",
                                            "市", "区", "县", "旗", "盟", NULL };
    size_t n = strlen(name), i, cut = n;
    for (i = 0; suffixes[i]; i++) {
        if (ends_with(name, n, suffixes[i])) {
            cut = n - strlen(suffixes[i]);
            break;
        }
    }
    if (suffixes[i] && i < 3) {
        /* autonomous: also drop the peoples' names */
        size_t k;
        for (k = 0; gen_ethnic[k]; k++) {
            const char *hit = strstr(name, gen_ethnic[k]);
            if (hit && (size_t)(hit - name) < cut && hit > name)
                cut = (size_t)(hit - name);
        }
    }
    if (cut < 6)  /* fewer than two CJK characters left */
        cut = n;
    if (cut + 1 > cap)
        cut = cap - 1;
    memcpy(out, name, cut);
    out[cut] = '\0';
}

struct places {
    const char *province;     /* 浙江 */
    const char *city;         /* 杭州 */
    const char *city_full;    /* 杭州市 */
    const char *county;       /* 西湖 */
    const char *county_full;  /* 西湖区 */
    int county_is_city;       /* a 县级市: 义乌市 */
};

void gen_county_names(struct gen_county *gc)
{
    const struct region *prov = region_ancestor(gc->r, REGION_PROVINCE);
    const char *city_name;
    snprintf(gc->province_short, sizeof(gc->province_short), "%s",
             gc->province < gen_province_count ? gen_provinces[gc->province].short_name : "");
    gc->province_full = prov ? prov->name : "";
    if (!gc->city_is_placeholder && gc->r->parent)
        city_name = gc->r->parent->name;
    else if (gc->r->parent && strstr(gc->r->parent->name, "直辖县级"))
        city_name = gc->r->name;  /* 仙桃市 stands for itself */
    else
        city_name = gc->province_full;  /* 北京市 */
    gc->city_full = city_name;
    short_place(city_name, gc->city_short, sizeof(gc->city_short));
    short_place(gc->r->name, gc->county_short, sizeof(gc->county_short));
    gc->county_is_city = (uint8_t)ends_with(gc->r->name, strlen(gc->r->name), "市");
}

static void places_of(const struct gen *g, const struct gen_ent *e, struct places *pl)
{
    const struct gen_county *gc = &g->county[e->county_ix];
    pl->province = gc->province_short;
    pl->city = gc->city_short;
    pl->city_full = gc->city_full;
    pl->county = gc->county_short;
    pl->county_full = gc->r->name;
    pl->county_is_city = gc->county_is_city;
}

/* ---- people ---- */

static void person(const struct gen *g, struct rng *r, struct tb *b)
{
    uint32_t k = dist_pick(r, g->surname_cum, gen_surname_count);
    tb_add(b, gen_surnames[k].s);
    tb_add(b, gen_given[rng_below(r, gen_given_count)]);
    if (rng_below(r, 100) < 70)
        tb_add(b, gen_given[rng_below(r, gen_given_count)]);
}

/* ---- 字号 ---- */

static int style_of(int family)
{
    int tech = gen_families[family].tech;
    switch (family) {
    case FAM_DIGITAL: case FAM_MEDIA: case FAM_ADVERT: case FAM_CULTURE: case FAM_INTERNET:
    case FAM_EDUCATION: case FAM_SPORT_ENT:
        return 1;
    default:
        return tech >= 60 ? 1 : tech <= 20 ? 0 : 2;
    }
}

static const struct gen_syllable *syllable(struct rng *r, int style, const struct gen_syllable *not_)
{
    const struct gen_syllable *s = &gen_syllables[0];
    int tries;
    for (tries = 0; tries < 16; tries++) {
        s = &gen_syllables[rng_below(r, gen_syllable_count)];
        if (s == not_)
            continue;
        if (style == 2 || s->style == 2 || s->style == style)
            break;
    }
    return s;
}

/* lead, when not NULL, replaces the first syllable after the same draws
 * (芯 for chip firms: 芯原, 芯海, 芯驰). */
static void make_trade(struct rng *r, int family, const struct gen_syllable *lead, char *zh,
                       size_t zcap, char *py, size_t pcap)
{
    int style = style_of(family);
    const struct gen_syllable *a = syllable(r, style, NULL), *b = syllable(r, style, a), *c = NULL;
    struct tb tz, tp;
    if (rng_below(r, 100) < 6) {
        c = syllable(r, style, b);
        if (c == a)
            c = NULL;
    }
    if (lead) {
        if (!strcmp(b->zh, lead->zh))
            b = a;
        if (c && !strcmp(c->zh, lead->zh))
            c = NULL;
        a = lead;
    }
    tb_init(&tz, zh, zcap);
    tb_init(&tp, py, pcap);
    tb_add(&tz, a->zh);
    tb_add(&tz, b->zh);
    tb_add(&tp, a->py);
    tb_add(&tp, b->py);
    if (c) {
        tb_add(&tz, c->zh);
        tb_add(&tp, c->py);
    }
}

/* ---- names ---- */

static const char *form_of(struct rng *r, const struct gen_ent *e)
{
    if (strstr(e->ent_type, "股份"))
        return "股份有限公司";
    return rng_below(r, 100) < 6 ? "有限责任公司" : "有限公司";
}

static const char *group_form(struct rng *r, const struct gen_ent *e)
{
    static const char *const limited[] = { "集团有限公司", "控股集团有限公司", "控股有限公司",
                                           "实业集团有限公司", NULL };
    if (strstr(e->ent_type, "股份"))
        return rng_below(r, 2) ? "集团股份有限公司" : "股份有限公司";
    return pick(r, limited);
}

/* place + 字号 + word + form, in one of the registered patterns. */
static void company_name(struct rng *r, struct tb *b, const struct places *pl, const char *trade,
                         const char *word, const char *form, int32_t z, int foreign)
{
    uint32_t k = (uint32_t)rng_below(r, 1000);
    uint32_t p_prov = z > Q16(1.5) ? 300 : 120, p_bracket = foreign ? 700 : 110;
    if (k < p_bracket) {
        tb_add(b, trade);
        tb_add(b, "（");
        tb_add(b, pl->city);
        tb_add(b, "）");
    } else if (k < p_bracket + p_prov) {
        tb_add(b, pl->province);
        tb_add(b, trade);
    } else if (z > Q16(2.3) && k < p_bracket + p_prov + 60) {
        tb_add(b, trade);  /* national-level registration, no place */
    } else if (pl->county_is_city && k < p_bracket + p_prov + 200) {
        tb_add(b, pl->county_full);
        tb_add(b, trade);
    } else {
        tb_add(b, pl->city);
        tb_add(b, trade);
    }
    tb_add(b, word);
    tb_add(b, form);
}

static const char *const coop_products[] = {
    "茶叶", "果蔬", "水稻", "中药材", "食用菌", "蔬菜", "生猪", "家禽", "水产", "花卉", "蜂业", "苗木", NULL
};
static const char *const fund_words[] = {
    "股权投资", "创业投资", "产业投资", "投资管理", "私募股权投资", "创新投资", NULL
};

static void name_individual(const struct gen *g, struct rng *r, struct gen_ent *e,
                            const struct places *pl)
{
    struct tb b;
    const char *shop = pick(r, gen_families[e->family].shops);
    tb_init(&b, e->name, sizeof(e->name));
    if (rng_below(r, 100) < 70) {
        tb_add(&b, pl->city_full);
        tb_add(&b, pl->county_full);
        tb_add(&b, e->trade);
    } else {
        uint32_t k = dist_pick(r, g->surname_cum, gen_surname_count);
        tb_add(&b, pl->county_full);
        tb_add(&b, rng_below(r, 2) ? "老" : "小");
        tb_add(&b, gen_surnames[k].s);
    }
    tb_add(&b, shop);
}

/* word, when not NULL, is the specialism's industry word: it replaces the
 * family's after the same draws. */
static void make_name(const struct gen *g, struct rng *r, struct gen_ent *e,
                      const struct gen_ent *parent, const struct places *pl, const char *word)
{
    const struct gen_family_info *f = &gen_families[e->family];
    struct tb b;
    tb_init(&b, e->name, sizeof(e->name));

    if (e->type_digit == '2') {
        name_individual(g, r, e, pl);
        return;
    }
    if (e->type_digit == '3') {
        tb_add(&b, pl->county_full);
        tb_add(&b, e->trade);
        tb_add(&b, pick(r, coop_products));
        tb_add(&b, "专业合作社");
        return;
    }
    switch (e->role) {
    case GEN_ROLE_BRANCH:
        tb_add(&b, parent ? parent->name : "");
        if (parent && parent->county_ix != e->county_ix &&
            strncmp(parent->county_code, e->county_code, 4)) {
            tb_add(&b, pl->city);
            if (rng_below(r, 3) == 0 && strcmp(pl->city, pl->county))
                tb_add(&b, pl->county);
        } else {
            tb_add(&b, pl->county);
        }
        tb_add(&b, "分公司");
        return;
    case GEN_ROLE_SUBSIDIARY: {
        uint32_t k = (uint32_t)rng_below(r, 100);
        const char *fword = pick(r, f->words), *form = form_of(r, e);
        if (k < 50) {
            tb_add(&b, e->trade);
            tb_add(&b, "（");
            tb_add(&b, pl->city);
            tb_add(&b, "）");
        } else if (k < 85) {
            tb_add(&b, pl->city);
            tb_add(&b, e->trade);
        } else {
            tb_add(&b, pl->province);
            tb_add(&b, e->trade);
        }
        tb_add(&b, word ? word : fword);
        tb_add(&b, form);
        return;
    }
    case GEN_ROLE_FUND:
        tb_add(&b, pl->city);
        tb_add(&b, e->trade);
        tb_add(&b, pick(r, fund_words));
        tb_add(&b, "合伙企业（有限合伙）");
        return;
    case GEN_ROLE_PARENT:
        if (rng_below(r, 100) < 60) {
            tb_add(&b, pl->province);
        } else if (rng_below(r, 100) < 50) {
            tb_add(&b, pl->city);
        }
        tb_add(&b, e->trade);
        if (rng_below(r, 2)) {
            const char *fword = pick(r, f->words);
            tb_add(&b, word ? word : fword);
        }
        tb_add(&b, group_form(r, e));
        return;
    default:
        break;
    }
    if (!strcmp(e->ent_type, "个人独资企业")) {
        static const char *const forms[] = { "经营部", "工作室", "商行", "服务部", NULL };
        const char *fword;
        tb_add(&b, pl->city);
        tb_add(&b, e->trade);
        fword = pick(r, f->words);
        tb_add(&b, word ? word : fword);
        tb_add(&b, pick(r, forms));
        return;
    }
    if (!strcmp(e->ent_type, "有限合伙企业")) {
        static const char *const words[] = { "企业管理咨询", "企业管理", "信息咨询", "投资管理", NULL };
        tb_add(&b, pl->city);
        tb_add(&b, e->trade);
        tb_add(&b, pick(r, words));
        tb_add(&b, "合伙企业（有限合伙）");
        return;
    }
    {
        /* one draw per statement: argument evaluation order is unspecified */
        const char *fword = pick(r, f->words);
        const char *form = form_of(r, e);
        company_name(r, &b, pl, e->trade, word ? word : fword, form, e->z, e->currency != GEN_CNY);
    }
}

/* Former names: a stock company was a limited company before; some firms
 * renamed their industry word or their 字号. */
static void make_former(const struct gen *g, struct rng *r, struct gen_ent *e,
                        const struct places *pl)
{
    struct tb b;
    int age = g->today_y - e->founded_y;
    const char *stock;
    tb_init(&b, e->former, sizeof(e->former));
    if (e->type_digit != '1' || e->role == GEN_ROLE_BRANCH || e->role == GEN_ROLE_FUND || age < 2)
        return;
    stock = strstr(e->name, "股份有限公司");
    if (stock && rng_below(r, 100) < 70) {
        size_t head = (size_t)(stock - e->name);
        tb_addn(&b, e->name, head);
        tb_add(&b, "有限公司");
        return;
    }
    if (rng_below(r, 1000) < 60 + (uint64_t)(age > 10 ? 40 : 0)) {
        char trade[16], py[48];
        const struct gen_family_info *f = &gen_families[e->family];
        if (rng_below(r, 2)) {
            make_trade(r, e->family, NULL, trade, sizeof(trade), py, sizeof(py));
        } else {
            snprintf(trade, sizeof(trade), "%s", e->trade);
        }
        company_name(r, &b, pl, trade, pick(r, f->words), "有限公司", e->z, 0);
        if (!strcmp(e->former, e->name))
            tb_init(&b, e->former, sizeof(e->former));
        else if (rng_below(r, 10) == 0) {
            make_trade(r, e->family, NULL, trade, sizeof(trade), py, sizeof(py));
            tb_add(&b, "；");
            company_name(r, &b, pl, trade, pick(r, f->words), "有限公司", e->z, 0);
        }
    }
}

/* ---- address ---- */

static void make_address(const struct gen *g, struct rng *r, struct gen_ent *e)
{
    const struct gen_county *gc = &g->county[e->county_ix];
    struct tb b;
    int home_roads = e->home && !strcmp(g->home_code, "330106");
    uint64_t num = 1 + rng_below(r, 30), num2;
    uint32_t k;
    num2 = 1 + rng_below(r, 30);
    num = (num - 1) * num2 + 1;
    tb_init(&b, e->address, sizeof(e->address));
    tb_add(&b, gc->r->full_name);
    if (e->street_ix >= 0 && rng_below(r, 100) < 75)
        tb_add(&b, g->street[e->street_ix]->name);
    tb_add(&b, home_roads ? gen_home_roads[rng_below(r, gen_home_road_count)]
                          : gen_roads[rng_below(r, gen_road_count)]);
    tb_num(&b, num);
    tb_add(&b, "号");
    if (e->type_digit != '1')
        return;
    k = (uint32_t)rng_below(r, 100);
    if (k < 25)
        return;
    if (k < 50) {
        uint64_t f = 1 + rng_below(r, 20);
        tb_num(&b, 1 + rng_below(r, 12));
        tb_add(&b, "幢");
        tb_num(&b, f);
        tb_add(&b, "层");
        tb_num(&b, f * 100 + 1 + rng_below(r, 30));
        tb_add(&b, "室");
    } else if (k < 65) {
        tb_num(&b, 1 + rng_below(r, 9));
        tb_add(&b, "号楼");
        tb_num(&b, 1 + rng_below(r, 25));
        tb_add(&b, "层");
    } else if (k < 80) {
        tb_add(&b, gen_buildings[rng_below(r, gen_building_count)]);
        tb_num(&b, 1 + rng_below(r, 30));
        tb_add(&b, "层");
    } else if (k < 90) {
        tb_num(&b, 1 + rng_below(r, 8));
        tb_add(&b, "楼");
    } else {
        uint64_t f = 1 + rng_below(r, 18);
        tb_num(&b, 1 + rng_below(r, 6));
        tb_add(&b, "幢");
        tb_num(&b, f * 100 + 1 + rng_below(r, 20));
        tb_add(&b, "室");
    }
}

/* ---- business scope ---- */

#define SCOPE_MAX_ITEMS 16

static int have(const char **items, int n, const char *s)
{
    int i;
    for (i = 0; i < n; i++)
        if (!strcmp(items[i], s))
            return 1;
    return 0;
}

static int add_from(struct rng *r, const char **items, int n, const char *const *list, int want)
{
    size_t len = list_len(list);
    int tries;
    for (tries = 0; want > 0 && len && tries < want * 3 && n < SCOPE_MAX_ITEMS; tries++) {
        const char *s = list[rng_below(r, len)];
        if (have(items, n, s))
            continue;
        items[n++] = s;
        want--;
    }
    return n;
}

/* What a specialism adds to the name and scope, drawn from PURPOSE_NICHE. */
struct niche_text {
    const char *word;                 /* industry word for the name, NULL: the family's */
    const struct gen_syllable *lead;  /* first syllable of the 字号, NULL: as drawn */
    const char *items[SCOPE_MAX_ITEMS];
    int n;
    const char *lic[2];
    int nl;
};

static const struct gen_syllable chip_lead = { "芯", "xin", 1 };

static void niche_text(const struct gen *g, struct gen_ent *e, const struct gen_ent *parent,
                       struct niche_text *nt)
{
    const struct gen_niche *ni;
    struct rng r;
    int want;
    nt->word = NULL;
    nt->lead = NULL;
    nt->n = nt->nl = 0;
    e->niche = gen_niche_pick(g, e, parent, &r);
    if (e->niche < 0 || e->niche >= NICHE_COUNT)
        return;
    ni = &gen_niches[e->niche];
    if (rng_below(&r, 100) < ni->word_pct)
        nt->word = pick(&r, ni->words);
    if (ni->trade == GEN_TRADE_CHIP && rng_below(&r, 100) < 30)
        nt->lead = &chip_lead;
    /* most such firms say what they do; some register only the catalogue
     * boilerplate of their trade, as many real ones do */
    if (rng_below(&r, 100) < 85) {
        want = 1 + (int)rng_below(&r, 3);
        nt->n = add_from(&r, nt->items, nt->n, ni->specific, want);
    }
    want = 1 + (int)rng_below(&r, 3);
    nt->n = add_from(&r, nt->items, nt->n, ni->support, want);
    if (list_len(ni->licensed) && rng_below(&r, 100) < 30)
        nt->lic[nt->nl++] = pick(&r, ni->licensed);
}

static void make_scope(const struct gen *g, struct rng *r, struct gen_ent *e,
                       const struct niche_text *nt)
{
    const struct gen_family_info *f = &gen_families[e->family];
    const char *items[SCOPE_MAX_ITEMS], *lic[4];
    const char *primary = e->class_phrase;
    int n = 0, nl = 0, i, want, new_style;
    int fy = e->founded_y;
    uint32_t k;
    struct tb b;

    if (primary)
        items[n++] = primary;
    want = e->type_digit == '1' ? 2 + (int)rng_below(r, 4) + (e->z > Q16(1.0)) + (e->z > Q16(2.0)) * 2
                                : 1 + (int)rng_below(r, 2);
    n = add_from(r, items, n, f->phrases, want);
    if (e->type_digit == '1' && f->tech >= 60)
        n = add_from(r, items, n, gen_tech_phrases, 1 + (int)rng_below(r, 2));
    if (e->type_digit == '1' && rng_below(r, 2))
        n = add_from(r, items, n, gen_common_phrases, 1 + (int)rng_below(r, 2));
    k = (uint32_t)rng_below(r, 100);
    if (list_len(f->licensed) && k < 35) {
        size_t ln = list_len(f->licensed);
        lic[nl++] = f->licensed[rng_below(r, ln)];
        if (ln > 1 && k < 12) {
            const char *s = f->licensed[rng_below(r, ln)];
            if (strcmp(s, lic[0]))
                lic[nl++] = s;
        }
    }
    /* a specialism's items come right after the class's leading phrase,
     * followed by a few of the family's */
    if (nt->n || nt->nl) {
        const char *merged[SCOPE_MAX_ITEMS];
        int m = 0, kept = 0;
        if (primary)
            merged[m++] = primary;
        for (i = 0; i < nt->n && m < SCOPE_MAX_ITEMS; i++)
            if (!have(merged, m, nt->items[i]))
                merged[m++] = nt->items[i];
        for (i = primary ? 1 : 0; i < n && m < SCOPE_MAX_ITEMS && kept < 4; i++)
            if (!have(merged, m, items[i])) {
                merged[m++] = items[i];
                kept++;
            }
        memcpy(items, merged, sizeof(merged[0]) * (size_t)m);
        n = m;
        for (i = 0; i < nt->nl && nl < 4; i++)
            if (!have(lic, nl, nt->lic[i]))
                lic[nl++] = nt->lic[i];
    }
    /* licensed items that also appear as general ones read oddly: drop */
    for (i = 0; i < nl; i++)
        if (have(items, n, lic[i])) {
            lic[i] = lic[nl - 1];
            nl--;
            i--;
        }

    new_style = fy >= 2021 || rng_below(r, 100) < 55;
    tb_init(&b, e->scope, sizeof(e->scope));
    if (new_style) {
        if (n) {
            tb_add(&b, "一般项目：");
            for (i = 0; i < n; i++) {
                if (i)
                    tb_add(&b, "；");
                tb_add(&b, items[i]);
            }
            if (e->role == GEN_ROLE_BRANCH)
                tb_add(&b, "（在总公司经营范围内从事经营活动）");
            tb_add(&b, "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。");
        }
        if (nl) {
            tb_add(&b, "许可项目：");
            for (i = 0; i < nl; i++) {
                if (i)
                    tb_add(&b, "；");
                tb_add(&b, lic[i]);
            }
            tb_add(&b, "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以审批结果为准）。");
        }
    } else {
        for (i = 0; i < n; i++) {
            if (i)
                tb_add(&b, i % 3 ? "、" : "；");
            tb_add(&b, items[i]);
        }
        for (i = 0; i < nl; i++) {
            tb_add(&b, "；");
            tb_add(&b, lic[i]);
        }
        tb_add(&b, "。");
        if (e->role == GEN_ROLE_BRANCH)
            tb_add(&b, "（在隶属企业经营范围内从事经营活动）");
        tb_add(&b, "（依法须经批准的项目，经相关部门批准后方可开展经营活动）");
    }
}

/* ---- contact ---- */

static void make_phone(const struct gen *g, struct rng *r, struct gen_ent *e)
{
    const struct gen_county *gc = &g->county[e->county_ix];
    struct tb b;
    uint32_t k = (uint32_t)rng_below(r, 100);
    tb_init(&b, e->phone, sizeof(e->phone));
    if (k < (e->status == STATUS_ACTIVE ? 22u : 50u))
        return;
    if (gc->area_code && e->type_digit == '1' && rng_below(r, 100) < 50) {
        tb_add(&b, gc->area_code);
        tb_add(&b, "-");
        tb_num(&b, 2 + rng_below(r, 7));
        tb_digits(&b, r, 7);
    } else {
        static const char *const second[] = { "3", "3", "3", "5", "5", "8", "8", "7", "9" };
        tb_add(&b, "1");
        tb_add(&b, second[rng_below(r, 9)]);
        tb_digits(&b, r, 9);
    }
}

static void make_website(struct rng *r, struct gen_ent *e, const struct gen_ent *parent)
{
    static const char *const tlds[] = { ".com", ".com", ".com", ".cn", ".com.cn", ".net" };
    struct tb b;
    int32_t zp = e->z > 0 ? e->z : 0;
    uint64_t p = 20 + (uint64_t)zp * 90 / Q16_ONE + gen_families[e->family].tech;
    tb_init(&b, e->website, sizeof(e->website));
    if (e->type_digit != '1' || e->role == GEN_ROLE_BRANCH || e->role == GEN_ROLE_FUND)
        return;
    if (e->tags & (1u << TAG_LISTED))
        p = 950;
    if (e->status != STATUS_ACTIVE)
        p /= 3;
    if (rng_below(r, 1000) >= p)
        return;
    tb_add(&b, "www.");
    tb_add(&b, e->trade_py);
    if (parent && rng_below(r, 2)) {
        tb_add(&b, "-");
        tb_add(&b, gen_families[e->family].key);
    }
    tb_add(&b, tlds[rng_below(r, 6)]);
}

void gen_text_fill(const struct gen *g, struct gen_ent *e, const struct gen_ent *parent)
{
    struct rng r;
    struct places pl;
    struct tb b;
    struct niche_text nt;
    rng_seed(&r, g->opt.seed, e->row, PURPOSE_TEXT);
    places_of(g, e, &pl);
    niche_text(g, e, parent, &nt);

    if (parent) {
        snprintf(e->trade, sizeof(e->trade), "%s", parent->trade);
        snprintf(e->trade_py, sizeof(e->trade_py), "%s", parent->trade_py);
    } else if (e->role == GEN_ROLE_PARENT && e->group < gen_group_name_count) {
        snprintf(e->trade, sizeof(e->trade), "%s", gen_group_names[e->group].zh);
        snprintf(e->trade_py, sizeof(e->trade_py), "%s", gen_group_names[e->group].py);
    } else {
        make_trade(&r, e->family, nt.lead, e->trade, sizeof(e->trade), e->trade_py,
                   sizeof(e->trade_py));
    }
    make_name(g, &r, e, parent, &pl, nt.word);
    make_former(g, &r, e, &pl);

    tb_init(&b, e->legal_rep, sizeof(e->legal_rep));
    if (e->role == GEN_ROLE_FUND) {
        /* a partnership is represented by its executive partner, a firm */
        char trade[16], py[48];
        make_trade(&r, FAM_INVEST, NULL, trade, sizeof(trade), py, sizeof(py));
        tb_add(&b, pl.city);
        tb_add(&b, trade);
        tb_add(&b, rng_below(&r, 2) ? "私募基金管理有限公司" : "投资管理有限公司");
    } else {
        person(g, &r, &b);
    }
    make_address(g, &r, e);
    make_scope(g, &r, e, &nt);
    make_phone(g, &r, e);
    make_website(&r, e, parent);
}
