/*
 * render.c - a generated enterprise as the cells of one export row, in the
 * formats the importer reads: money "500万元人民币" / "1,000.5万美元", dates
 * "2019-03-05", statuses as the register writes them, tags
 * "国家高新技术企业(2021)、专精特新(2022)", empty cells for unknowns.
 *
 * Money is integer arithmetic end to end: amounts are whole units, printed
 * as 万 with up to four decimals, so no float formatting is involved.
 */
#include "gen/gen_internal.h"

#include <string.h>

#include "ref/industry.h"

static const char *const status_labels[] = {
    "存续（在营、开业、在册）", "存续", "在业", "注销", "吊销，未注销", "迁出", "停业", "清算",
};

static const char *const tag_labels[TAG_COUNT] = {
    [TAG_HIGHTECH] = "国家高新技术企业", [TAG_TECHSME] = "科技型中小企业",
    [TAG_SPECIALISED] = "专精特新",      [TAG_LITTLEGIANT] = "专精特新“小巨人”",
    [TAG_GAZELLE] = "瞪羚企业",          [TAG_UNICORN] = "独角兽企业",
    [TAG_LISTED] = "上市",               [TAG_NEEQ] = "新三板挂牌",
};

static void add_u64(struct strbuf *sb, uint64_t v, int thousands)
{
    char tmp[32];
    int n = 0, digits = 0;
    do {
        if (thousands && digits && digits % 3 == 0)
            tmp[sizeof(tmp) - 1 - n++] = ',';
        tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
        digits++;
    } while (v);
    strbuf_add(sb, tmp + sizeof(tmp) - n, (size_t)n);
}

static void add_money(struct strbuf *sb, int64_t units, enum gen_currency cur, int thousands)
{
    uint64_t wan = (uint64_t)units / 10000, frac = (uint64_t)units % 10000;
    add_u64(sb, wan, thousands);
    if (frac) {
        char d[5];
        int n = 4;
        d[0] = (char)('0' + frac / 1000);
        d[1] = (char)('0' + frac / 100 % 10);
        d[2] = (char)('0' + frac / 10 % 10);
        d[3] = (char)('0' + frac % 10);
        while (n > 0 && d[n - 1] == '0')
            n--;
        strbuf_addch(sb, '.');
        strbuf_add(sb, d, (size_t)n);
    }
    strbuf_addstr(sb, cur == GEN_USD ? "万美元" : cur == GEN_HKD ? "万港元" : "万元人民币");
}

static void add_date(struct strbuf *sb, int day)
{
    char d[11];
    gen_date_format(day, d);
    strbuf_add(sb, d, 10);
}

void gen_ent_cells(const struct gen_ent *e, struct strbuf *out, size_t off[GEN_NCOLS + 1])
{
    int col = 0, t, first;
    const struct region *county = e->county;
    const struct region *prov = county ? region_ancestor(county, REGION_PROVINCE) : NULL;
    const struct region *city = county ? county->parent : NULL;
    const char *city_name = city ? city->name : "";
    int thousands = (e->style & GEN_STYLE_THOUSANDS) != 0;

    if (city && (!strcmp(city->name, "市辖区") || !strcmp(city->name, "县")))
        city_name = prov ? prov->name : "";
    else if (city && strstr(city->name, "直辖县级"))
        city_name = county->name;

#define NEXT() (off[++col] = out->len)
    off[0] = out->len;
    strbuf_addstr(out, e->name);
    NEXT();
    strbuf_add(out, e->uscc, 18);
    NEXT();
    strbuf_addstr(out, e->legal_rep);
    NEXT();
    if (e->capital >= 0)
        add_money(out, e->capital, e->currency, thousands);
    NEXT();
    if (e->paid_in >= 0)
        add_money(out, e->paid_in, e->currency, thousands);
    NEXT();
    add_date(out, e->founded);
    NEXT();
    strbuf_addstr(out, status_labels[e->status_label]);
    NEXT();
    strbuf_addstr(out, e->ent_type);
    NEXT();
    strbuf_addstr(out, prov ? prov->name : "");
    NEXT();
    strbuf_addstr(out, city_name);
    NEXT();
    strbuf_addstr(out, county ? county->name : "");
    NEXT();
    strbuf_addstr(out, e->county_code);
    NEXT();
    strbuf_addstr(out, e->address);
    NEXT();
    if (e->style & GEN_STYLE_INDUSTRY_NAME) {
        const struct industry *in = industry_find_code(e->industry);
        strbuf_addstr(out, in ? in->name : "");
        strbuf_addch(out, '(');
        strbuf_addstr(out, e->industry);
        strbuf_addch(out, ')');
    } else {
        strbuf_addstr(out, e->industry);
    }
    NEXT();
    strbuf_addstr(out, e->scope);
    NEXT();
    if (e->staff >= 0)
        add_u64(out, (uint64_t)e->staff, 0);
    NEXT();
    add_u64(out, (uint64_t)e->pat_invention, 0);
    NEXT();
    add_u64(out, (uint64_t)e->pat_utility, 0);
    NEXT();
    add_u64(out, (uint64_t)e->pat_design, 0);
    NEXT();
    add_u64(out, (uint64_t)e->software_cr, 0);
    NEXT();
    add_u64(out, (uint64_t)e->trademarks, 0);
    NEXT();
    first = 1;
    for (t = 0; t < TAG_COUNT; t++) {
        if (!(e->tags & (1u << t)))
            continue;
        if (!first)
            strbuf_addstr(out, "、");
        first = 0;
        strbuf_addstr(out, tag_labels[t]);
        if (e->tag_year[t]) {
            strbuf_addch(out, '(');
            add_u64(out, (uint64_t)e->tag_year[t], 0);
            strbuf_addch(out, ')');
        }
    }
    NEXT();
    if (e->round >= 0)
        strbuf_addstr(out, gen_round_labels[e->round]);
    NEXT();
    if (e->round >= 0 && e->funding >= 0)
        add_money(out, e->funding, e->funding_currency, 0);
    NEXT();
    if (e->round >= 0)
        add_date(out, e->funding_date);
    NEXT();
    strbuf_addstr(out, e->website);
    NEXT();
    strbuf_addstr(out, e->phone);
    NEXT();
    strbuf_addstr(out, e->former);
    NEXT();
#undef NEXT
}
