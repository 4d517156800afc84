/*
 * export.c - enterprises to XLSX/CSV (see export.h).
 *
 * The columns are the field table's Chinese labels, plus the region and
 * industry names a person wants to read; money is written the way the
 * registries write it ("500万元人民币") so a re-import reads it back exactly,
 * dates are real date cells and counts real numbers.
 */
#include "registry/export.h"

#include <inttypes.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/table_write.h"

/* Output columns: a field, or a derived name column. */
enum { X_PROVINCE = F_COUNT + 1, X_CITY, X_COUNTY, X_INDUSTRY_NAME };

static const struct xcol {
    int what;
    const char *header;
} xcols[] = {
    { F_NAME, "企业名称" },
    { F_USCC, "统一社会信用代码" },
    { F_FORMER_NAMES, "曾用名" },
    { F_LEGAL_REP, "法定代表人" },
    { F_CAPITAL, "注册资本" },
    { F_PAID_IN, "实缴资本" },
    { F_FOUNDED, "成立日期" },
    { F_STATUS, "登记状态" },
    { F_ENT_TYPE, "企业类型" },
    { X_PROVINCE, "所属省份" },
    { X_CITY, "所属城市" },
    { X_COUNTY, "所属区县" },
    { F_REGION, "行政区划代码" },
    { F_STREET, "街道代码" },
    { F_ADDRESS, "注册地址" },
    { F_INDUSTRY, "国标行业" },
    { X_INDUSTRY_NAME, "行业名称" },
    { F_SCOPE, "经营范围" },
    { F_STAFF, "参保人数" },
    { F_PATENTS, "专利数" },
    { F_PAT_INVENTION, "发明专利" },
    { F_PAT_UTILITY, "实用新型专利" },
    { F_PAT_DESIGN, "外观设计专利" },
    { F_SOFTWARE_CR, "软件著作权" },
    { F_TRADEMARKS, "商标数" },
    { F_TAGS, "企业资质" },
    { F_ROUND, "融资轮次" },
    { F_FUNDING_AMOUNT, "融资金额" },
    { F_FUNDING_DATE, "融资日期" },
    { F_WEBSITE, "官网" },
    { F_PHONE, "电话" },
    { F_EMAIL, "邮箱" },
    { F_EXTRA, "其他列" },
};

#define NXCOLS (sizeof(xcols) / sizeof(xcols[0]))

static const struct {
    const char *code, *name;
} currency_names[] = {
    { "CNY", "人民币" }, { "USD", "美元" }, { "HKD", "港元" }, { "EUR", "欧元" },
    { "JPY", "日元" },   { "GBP", "英镑" }, { "TWD", "新台币" }, { "MOP", "澳门元" },
    { "SGD", "新加坡元" }, { "CAD", "加拿大元" }, { "AUD", "澳大利亚元" }, { "CHF", "瑞士法郎" },
    { "KRW", "韩元" },
};

void export_format_tags(const struct tag_set *tags, struct strbuf *out)
{
    int t, first = 1;
    for (t = 0; t < TAG_COUNT; t++) {
        if (!(tags->mask & (1u << t)))
            continue;
        if (!first)
            strbuf_addstr(out, "、");
        first = 0;
        strbuf_addstr(out, value_tag_label((enum ent_tag)t));
        if (tags->date[t][0])
            strbuf_addf(out, "(%s)", tags->date[t]);
        else if (tags->year[t])
            strbuf_addf(out, "(%d)", tags->year[t]);
    }
}

void export_format_money(int64_t cents, const char *currency, struct strbuf *out)
{
    /* cents -> 万 with up to six decimals, trailing zeros dropped. */
    int64_t wan = cents / 1000000, frac = cents % 1000000;
    const char *cur = NULL;
    size_t i;
    char digits[32];
    int n, k;

    n = snprintf(digits, sizeof(digits), "%" PRId64, wan);
    /* thousands separators, as the registries print them */
    for (k = 0; k < n; k++) {
        if (k && (n - k) % 3 == 0)
            strbuf_addch(out, ',');
        strbuf_addch(out, digits[k]);
    }
    if (frac) {
        char f[8];
        int len = 6;
        snprintf(f, sizeof(f), "%06" PRId64, frac);
        while (len > 0 && f[len - 1] == '0')
            len--;
        strbuf_addch(out, '.');
        strbuf_add(out, f, (size_t)len);
    }
    for (i = 0; i < sizeof(currency_names) / sizeof(currency_names[0]); i++)
        if (currency && !strcmp(currency, currency_names[i].code))
            cur = currency_names[i].name;
    if (!currency || !strcmp(currency, "CNY"))
        strbuf_addstr(out, "万元人民币");
    else if (cur)
        strbuf_addf(out, "万%s", cur);
    else
        strbuf_addf(out, "万%s", currency);
}

struct export_ctx {
    struct table_writer *w;
    const struct export_options *opt;
    int64_t rows;
    struct strbuf text[NXCOLS];
    struct error *err;
};

static void set_text(struct cell *c, struct strbuf *sb)
{
    c->type = sb->len ? CELL_STRING : CELL_EMPTY;
    c->text = sb->buf;
    c->len = sb->len;
}

static int export_one(const struct ent *e, void *vctx)
{
    struct export_ctx *x = vctx;
    struct cell cells[NXCOLS];
    size_t i;
    const struct region *r = e->v[F_REGION].set ? region_find_code(e->v[F_REGION].s) : NULL;

    memset(cells, 0, sizeof(cells));
    for (i = 0; i < NXCOLS; i++) {
        struct strbuf *sb = &x->text[i];
        int w = xcols[i].what;
        strbuf_reset(sb);
        cells[i].type = CELL_EMPTY;
        cells[i].text = "";
        if (w < F_COUNT && !e->v[w].set)
            continue;
        switch (w) {
        case X_PROVINCE:
        case X_CITY:
        case X_COUNTY: {
            const struct region *a = r ? region_ancestor(r, w - X_PROVINCE + 1) : NULL;
            /* The table's placeholder levels (北京市 "市辖区") name no place. */
            if (a && strcmp(a->name, "市辖区") && strcmp(a->name, "县") &&
                !strstr(a->name, "直辖县级行政区划"))
                strbuf_addstr(sb, a->name);
            set_text(&cells[i], sb);
            break;
        }
        case X_INDUSTRY_NAME: {
            const struct industry *ind =
                e->v[F_INDUSTRY].set ? industry_find_code(e->v[F_INDUSTRY].s) : NULL;
            if (ind)
                strbuf_addstr(sb, ind->name);
            set_text(&cells[i], sb);
            break;
        }
        case F_CAPITAL:
        case F_PAID_IN:
        case F_FUNDING_AMOUNT:
            export_format_money(e->v[w].i, e->v[w].s, sb);
            set_text(&cells[i], sb);
            break;
        case F_FOUNDED:
        case F_FUNDING_DATE:
            strbuf_addstr(sb, e->v[w].s);
            set_text(&cells[i], sb);
            cells[i].type = CELL_DATE;
            break;
        case F_ROUND: {
            char label[48];
            value_round_label(e->v[w].s, label, sizeof(label));
            strbuf_addstr(sb, label);
            set_text(&cells[i], sb);
            break;
        }
        case F_TAGS:
            export_format_tags(&e->tags, sb);
            set_text(&cells[i], sb);
            break;
        default:
            if (ent_fields[w].type == FT_INT) {
                strbuf_addf(sb, "%" PRId64, e->v[w].i);
                set_text(&cells[i], sb);
                cells[i].type = CELL_NUMBER;
                cells[i].number = (double)e->v[w].i;
            } else {
                ent_value_format(e, (enum ent_field)w, sb);
                set_text(&cells[i], sb);
            }
            break;
        }
    }
    if (table_writer_row(x->w, cells, NXCOLS, x->err) != 0)
        return -1;
    x->rows++;
    if (x->opt->progress && (x->rows & 0x3FFF) == 0)
        x->opt->progress(x->rows, x->opt->progress_ctx);
    return 0;
}

int export_enterprises(struct store *st, const char *path, const struct export_options *opt,
                       int64_t *rows, struct error *err)
{
    struct export_ctx x;
    const char *names[NXCOLS];
    size_t i;
    int rc;

    memset(&x, 0, sizeof(x));
    x.opt = opt;
    x.err = err;
    *rows = 0;
    x.w = table_writer_open(path, "企业", opt->csv_bom, err);
    if (!x.w)
        return -1;
    for (i = 0; i < NXCOLS; i++) {
        names[i] = xcols[i].header;
        strbuf_init(&x.text[i], 0);
    }
    rc = table_writer_header(x.w, names, NXCOLS, err);
    if (rc == 0)
        rc = store_ent_each(st, export_one, &x, err);
    for (i = 0; i < NXCOLS; i++)
        strbuf_release(&x.text[i]);
    if (rc != 0) {
        table_writer_abort(x.w);
        return -1;
    }
    if (table_writer_close(x.w, err) != 0)
        return -1;
    *rows = x.rows;
    return 0;
}
