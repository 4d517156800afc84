/*
 * header_map.c - header row detection and column mapping (see header_map.h).
 */
#include "registry/header_map.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "ref/uscc.h"

/* Header names by field, compared after header_key(): no spaces, no "*",
 * no parenthesised parts, ASCII lower case. */
static const struct synonym {
    int kind;
    const char *names;  /* '|'-separated */
} synonyms[] = {
    { F_USCC, "统一社会信用代码|社会信用代码|信用代码|统一信用代码|统一代码|社会统一信用代码|"
              "统一社会信用代码/注册号|信用代码/注册号|纳税人识别号|税号|"
              "uscc|creditcode|unifiedsocialcreditcode|socialcreditcode" },
    { F_NAME, "企业名称|公司名称|名称|企业名|单位名称|市场主体名称|主体名称|企业全称|公司全称|"
              "纳税人名称|企业(机构)名称|机构名称|"
              "name|company|companyname|enterprisename|enterprise" },
    { F_FORMER_NAMES, "曾用名|曾用名称|历史名称|formername|formernames" },
    { F_LEGAL_REP, "法定代表人|法人|法人代表|法定代表人/负责人|负责人|经营者|"
                   "legalrepresentative|legalrep" },
    { F_CAPITAL, "注册资本|注册资金|注册资本金|registeredcapital|capital" },
    { F_PAID_IN, "实缴资本|实缴资金|实缴注册资本|实收资本|paidincapital|paid-incapital|paidin" },
    { F_FOUNDED, "成立日期|成立时间|注册日期|注册时间|设立日期|成立年月|founded|foundingdate|"
                 "established|dateofestablishment|incorporationdate" },
    { F_STATUS, "登记状态|经营状态|企业状态|状态|存续状态|营业状态|企业经营状态|status" },
    { F_ENT_TYPE, "企业类型|公司类型|类型|企业性质|市场主体类型|主体类型|企业(机构)类型|"
                  "companytype|enterprisetype|type" },
    { COL_PROVINCE, "所属省份|省份|省|所在省份|所属省|省份名称|province" },
    { COL_CITY, "所属城市|城市|市|所在城市|地市|所属地市|所属市|city" },
    { COL_COUNTY, "所属区县|区县|区/县|所在区县|县区|所属区|所属县|区|district|county" },
    { F_REGION, "行政区划代码|区划代码|行政区划|地区代码|所属地区代码|regioncode|region" },
    { F_STREET, "所属街道|街道|街道代码|乡镇街道|街道乡镇|所属乡镇|street" },
    { F_ADDRESS, "注册地址|地址|企业地址|住所|注册地|通信地址|经营地址|企业注册地址|"
                 "registeredaddress|address" },
    { F_INDUSTRY, "国标行业|所属行业|行业门类|行业代码|行业|国民经济行业|国民经济行业分类|"
                  "行业大类|行业中类|行业小类|所属行业代码|国标行业代码|行业分类|行业名称|industry|"
                  "industrycode" },
    { F_SCOPE, "经营范围|业务范围|businessscope|scope" },
    { F_STAFF, "参保人数|社保人数|员工人数|从业人数|职工人数|从业人员|staff|employees|headcount|"
               "insuredheadcount" },
    { F_PATENTS, "专利数|专利数量|专利总数|专利|有效专利数|patents" },
    { F_PAT_INVENTION, "发明专利|发明专利数|发明专利数量|发明|inventionpatents" },
    { F_PAT_UTILITY, "实用新型专利|实用新型|实用新型专利数|utilitypatents" },
    { F_PAT_DESIGN, "外观设计专利|外观设计|外观专利|外观设计专利数|designpatents" },
    { F_SOFTWARE_CR, "软件著作权|软著|软件著作权数|软件著作权数量|软件著作权登记数|"
                     "softwarecopyrights" },
    { F_TRADEMARKS, "商标数|商标|商标数量|注册商标数|trademarks" },
    { F_TAGS, "企业资质|资质|标签|企业标签|资质标签|荣誉资质|企业荣誉|科技资质|tags|"
              "qualifications" },
    { F_ROUND, "融资轮次|最新融资轮次|融资阶段|轮次|fundinground|round" },
    { F_FUNDING_AMOUNT, "融资金额|最新融资金额|fundingamount" },
    { F_FUNDING_DATE, "融资日期|最新融资日期|融资时间|最新融资时间|fundingdate" },
    { F_WEBSITE, "官网|网址|网站|企业官网|官方网站|website|url|homepage" },
    { F_PHONE, "电话|联系电话|手机|联系方式|电话号码|企业电话|手机号|phone|telephone|tel" },
    { F_EMAIL, "邮箱|电子邮箱|企业邮箱|email|e-mail|mail" },
    { F_EXTRA, "其他列|extra" },
};

/* Fold a header for comparison; also report the unit in any parenthesised
 * part ("注册资本(万元)" -> key "注册资本", unit 万). */
static void header_key(const char *h, struct strbuf *key, enum money_unit *unit)
{
    const unsigned char *p = (const unsigned char *)h;
    int depth = 0;
    struct strbuf paren = STRBUF_INIT;

    strbuf_reset(key);
    if (unit)
        *unit = 0;
    while (*p) {
        size_t n = 1;
        int open = 0, close = 0;
        if (*p == '(' || *p == '[')
            open = 1;
        else if (*p == ')' || *p == ']')
            close = 1;
        else if (!memcmp(p, "\xEF\xBC\x88", 3) || !memcmp(p, "\xE3\x80\x90", 3) ||
                 !memcmp(p, "\xEF\xBC\xBB", 3)) /* （ 【 ［ */
            open = 1, n = 3;
        else if (!memcmp(p, "\xEF\xBC\x89", 3) || !memcmp(p, "\xE3\x80\x91", 3) ||
                 !memcmp(p, "\xEF\xBC\xBD", 3)) /* ） 】 ］ */
            close = 1, n = 3;
        if (open) {
            depth++;
        } else if (close) {
            if (depth > 0 && --depth == 0 && unit && !*unit) {
                *unit = value_header_money_unit(paren.buf);
                strbuf_reset(&paren);
            }
        } else if (depth > 0) {
            strbuf_add(&paren, p, (*p < 0x80) ? 1 : (*p >= 0xF0) ? 4 : (*p >= 0xE0) ? 3 : 2);
            n = (*p < 0x80) ? 1 : (*p >= 0xF0) ? 4 : (*p >= 0xE0) ? 3 : 2;
        } else if (*p == ' ' || *p == '*' || *p == ':' || *p == '\t' || *p == '\n' ||
                   *p == '\r' || *p == '_') {
            /* dropped */
        } else if (!memcmp(p, "\xE3\x80\x80", 3) || !memcmp(p, "\xEF\xBC\x8A", 3) ||
                   !memcmp(p, "\xEF\xBC\x9A", 3) || !memcmp(p, "\xEF\xBB\xBF", 3) ||
                   (p[0] == 0xE2 && p[1] == 0x80 && (p[2] <= 0x8F || p[2] == 0xAF))) {
            /* U+3000 ＊ ：, a BOM, U+2000..200F spaces and zero-width marks, U+202F */
            n = 3;
        } else if (p[0] == 0xC2 && p[1] == 0xA0) { /* no-break space */
            n = 2;
        } else if (*p < 0x80) {
            strbuf_addch(key, tolower(*p));
        } else {
            n = (*p >= 0xF0) ? 4 : (*p >= 0xE0) ? 3 : 2;
            strbuf_add(key, p, n);
        }
        while (n-- && *p)
            p++;
    }
    /* A unit written without brackets: "注册资本万元". */
    if (unit && !*unit) {
        static const char *const suffixes[] = { "万元", "元", "亿元" };
        size_t i;
        for (i = 0; i < 3; i++) {
            size_t sl = strlen(suffixes[i]);
            if (key->len > sl && !memcmp(key->buf + key->len - sl, suffixes[i], sl)) {
                *unit = value_header_money_unit(suffixes[i]);
                break;
            }
        }
    }
    strbuf_release(&paren);
}

static int synonym_lookup(const char *key)
{
    size_t i, kl = strlen(key);
    if (!kl)
        return -1;
    for (i = 0; i < sizeof(synonyms) / sizeof(synonyms[0]); i++) {
        const char *p = synonyms[i].names;
        while (*p) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            if (n == kl && !memcmp(p, key, n))
                return synonyms[i].kind;
            p += n + (bar ? 1 : 0);
        }
    }
    return -1;
}

/* A header with a money unit but a key that names nothing ("注册资本万元"
 * already handled) falls back to the key without the unit. */
static int lookup_with_unit_stripped(struct strbuf *key)
{
    static const char *const suffixes[] = { "万元", "亿元", "元", "人", "个", "件", "项" };
    size_t i;
    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t sl = strlen(suffixes[i]);
        if (key->len > sl && !memcmp(key->buf + key->len - sl, suffixes[i], sl)) {
            int k;
            char save = key->buf[key->len - sl];
            key->buf[key->len - sl] = '\0';
            k = synonym_lookup(key->buf);
            if (k < 0 && key->len > sl + 1 && key->buf[key->len - sl - 1] == '/') {
                /* "注册资本/万元" */
                key->buf[key->len - sl - 1] = '\0';
                k = synonym_lookup(key->buf);
                key->buf[key->len - sl - 1] = '/';
            }
            key->buf[key->len - sl] = save;
            if (k >= 0)
                return k;
        }
    }
    return -1;
}

static int kind_from_name(const char *name)
{
    int f;
    if (!strcmp(name, "-") || !strcmp(name, "ignore"))
        return COL_IGNORE;
    if (!strcmp(name, "extra"))
        return COL_EXTRA;
    if (!strcmp(name, "province"))
        return COL_PROVINCE;
    if (!strcmp(name, "city"))
        return COL_CITY;
    if (!strcmp(name, "county"))
        return COL_COUNTY;
    f = ent_field_by_name(name);
    return (f >= 0 && f != F_EXTRA) ? f : -1;
}

int header_kind(const char *header, const struct mapping *m, enum money_unit *unit)
{
    struct strbuf key = STRBUF_INIT, rk = STRBUF_INIT;
    int kind = -1;
    size_t i;

    header_key(header, &key, unit);
    if (m) {
        for (i = 0; i < m->n && kind < 0; i++) {
            header_key(m->rules[i].header, &rk, NULL);
            if (!strcmp(rk.buf, key.buf))
                kind = m->rules[i].kind;
        }
    }
    if (kind < 0)
        kind = synonym_lookup(key.buf);
    if (kind < 0)
        kind = lookup_with_unit_stripped(&key);
    strbuf_release(&key);
    strbuf_release(&rk);
    return kind < 0 ? COL_EXTRA : kind;
}

static char *trim_dup(const char *s)
{
    size_t b = 0, e = strlen(s);
    while (b < e && isspace((unsigned char)s[b]))
        b++;
    while (e > b && isspace((unsigned char)s[e - 1]))
        e--;
    return xstrndup(s + b, e - b);
}

int mapping_load(const char *path, struct mapping *m, struct error *err)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t lineno = 0;

    memset(m, 0, sizeof(*m));
    if (!f)
        return error_set(err, "mapping file %s: cannot open: %s", path, strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        char *eq, *h, *v, *p = line;
        int kind;
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            fclose(f);
            return error_set(err, "mapping file %s line %zu: longer than %zu bytes", path,
                             lineno, sizeof(line) - 2);
        }
        if (lineno == 1 && !memcmp(p, "\xEF\xBB\xBF", 3))
            p += 3;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            continue;
        eq = strrchr(p, '=');
        if (!eq) {
            fclose(f);
            mapping_release(m);
            return error_set(err, "mapping file %s line %zu: expected '表头 = field'", path, lineno);
        }
        *eq = '\0';
        h = trim_dup(p);
        v = trim_dup(eq + 1);
        kind = kind_from_name(v);
        if (!*h || kind < 0) {
            if (!*h)
                error_set(err, "mapping file %s line %zu: the header before '=' is empty", path,
                          lineno);
            else
                error_set(err, "mapping file %s line %zu: unknown field '%s' "
                               "(see docs/formats.md for the names)", path, lineno, v);
            free(h);
            free(v);
            fclose(f);
            mapping_release(m);
            return -1;
        }
        free(v);
        ALLOC_GROW(m->rules, m->n + 1, m->alloc);
        m->rules[m->n].header = h;
        m->rules[m->n].kind = kind;
        m->n++;
    }
    fclose(f);
    return 0;
}

void mapping_release(struct mapping *m)
{
    size_t i;
    for (i = 0; i < m->n; i++)
        free(m->rules[i].header);
    free(m->rules);
    memset(m, 0, sizeof(*m));
}

/* How much a row looks like a header: recognised distinct fields. */
static int header_score(const struct header_row_copy *r, const struct mapping *m, int *has_key)
{
    uint64_t seen = 0;
    int score = 0;
    size_t i;
    *has_key = 0;
    for (i = 0; i < r->ncells; i++) {
        int k = header_kind(r->cells[i], m, NULL);
        if (k == COL_EXTRA || k == COL_IGNORE)
            continue;
        if (seen & (1ull << (k % 64)))
            continue;
        seen |= 1ull << (k % 64);
        score++;
        if (k == F_NAME || k == F_USCC)
            *has_key = 1;
    }
    return score;
}

/* A row under the header is data, not a sub-header, when it holds a valid
 * USCC anywhere or text under the header's name column: a 法定代表人 cell
 * that happens to read "法人" must not swallow the first enterprise. */
static int looks_like_data(const struct header_row_copy *h, const struct header_row_copy *nx,
                           const struct mapping *m)
{
    size_t c;
    char code[USCC_LEN + 1];
    for (c = 0; c < nx->ncells; c++) {
        if (!nx->cells[c][0])
            continue;
        if (uscc_normalize(nx->cells[c], strlen(nx->cells[c]), code, NULL) == 0)
            return 1;
        if (c < h->ncells && header_kind(h->cells[c], m, NULL) == F_NAME)
            return 1;
    }
    return 0;
}

int column_map_build(const struct header_row_copy *rows, size_t n, const struct mapping *m,
                     struct column_map *out, struct error *err)
{
    size_t i, best = 0, c;
    int best_score = 0, has_key, sub_score, sub_key;
    const struct header_row_copy *h, *sub = NULL;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < n; i++) {
        int s = header_score(&rows[i], m, &has_key);
        if (has_key && s > best_score) {
            best_score = s;
            best = i;
        }
    }
    if (best_score < 1)
        return error_set(err, "no header row found in the first %zu rows: expected column "
                              "names such as 企业名称 or 统一社会信用代码", n);
    h = &rows[best];

    /* A sub-header row: the next row fills blanks under merged cells and its
     * own cells are header words, not data (no name, no valid-looking USCC). */
    if (best + 1 < n) {
        const struct header_row_copy *nx = &rows[best + 1];
        int blanks_filled = 0;
        for (c = 0; c < nx->ncells; c++)
            if (nx->cells[c][0] && (c >= h->ncells || !h->cells[c][0] ||
                                    (c > 0 && c < h->ncells && !h->cells[c - 1][0])))
                blanks_filled++;
        sub_score = header_score(nx, m, &sub_key);
        if (blanks_filled && sub_score >= 1 && !sub_key && !looks_like_data(h, nx, m))
            sub = nx;
    }

    out->ncols = h->ncells;
    if (sub && sub->ncells > out->ncols)
        out->ncols = sub->ncells;
    out->cols = xcalloc(out->ncols ? out->ncols : 1, sizeof(*out->cols));
    out->header_row = sub ? sub->row : h->row;
    {
        const char *parent = "";
        uint64_t used = 0;
        for (c = 0; c < out->ncols; c++) {
            const char *top = c < h->ncells ? h->cells[c] : "";
            const char *low = (sub && c < sub->ncells) ? sub->cells[c] : "";
            struct strbuf name = STRBUF_INIT;
            enum money_unit unit = 0;
            int kind;
            if (top[0])
                parent = top;
            if (low[0]) {
                /* "专利数" over "发明": try the sub-header alone, then joined. */
                kind = header_kind(low, m, &unit);
                strbuf_addstr(&name, low);
                if (kind == COL_EXTRA) {
                    strbuf_reset(&name);
                    strbuf_addf(&name, "%s%s", top[0] ? top : parent, low);
                    kind = header_kind(name.buf, m, &unit);
                    if (kind == COL_EXTRA) {
                        strbuf_reset(&name);
                        strbuf_addf(&name, "%s%s", low, top[0] ? top : parent);
                        kind = header_kind(name.buf, m, &unit);
                        if (kind == COL_EXTRA) {
                            strbuf_reset(&name);
                            strbuf_addf(&name, "%s/%s", top[0] ? top : parent, low);
                        }
                    }
                }
            } else {
                strbuf_addstr(&name, top);
                kind = top[0] ? header_kind(top, m, &unit) : COL_EXTRA;
            }
            /* One column per field: a second 电话 column is kept as an extra
             * rather than fighting over the field (industry and region
             * columns may repeat: the most specific value wins per row). */
            if (kind < F_COUNT && kind != F_INDUSTRY && kind != F_REGION) {
                if (used & (1ull << kind))
                    kind = COL_EXTRA;
                used |= 1ull << kind;
            }
            out->cols[c].kind = kind;
            out->cols[c].unit = unit;
            if (kind == F_CAPITAL || kind == F_PAID_IN || kind == F_FUNDING_AMOUNT)
                value_header_currency(name.buf, out->cols[c].currency);
            out->cols[c].header = strbuf_detach(&name, NULL);
        }
    }
    /* Extra cells are kept by name: every column needs a name of its own,
     * or a later cell would overwrite an earlier one. */
    for (c = 0; c < out->ncols; c++) {
        struct column *col = &out->cols[c];
        char letter[8];
        size_t d;
        int dup = 0;
        for (d = 0; d < c && !dup; d++)
            dup = !strcmp(out->cols[d].header, col->header);
        table_column_name(c, letter);
        if (!col->header[0]) {
            struct strbuf k = STRBUF_INIT;
            strbuf_addf(&k, "列%s", letter);
            col->key = strbuf_detach(&k, NULL);
        } else if (dup) {
            struct strbuf k = STRBUF_INIT;
            strbuf_addf(&k, "%s(列%s)", col->header, letter);
            col->key = strbuf_detach(&k, NULL);
        } else {
            col->key = xstrdup(col->header);
        }
    }
    return (int)(best + (sub ? 2 : 1));
}

void column_map_release(struct column_map *cm)
{
    size_t i;
    for (i = 0; i < cm->ncols; i++) {
        free(cm->cols[i].header);
        free(cm->cols[i].key);
    }
    free(cm->cols);
    memset(cm, 0, sizeof(*cm));
}
