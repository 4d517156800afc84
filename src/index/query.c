/*
 * query.c - parser and canonical printer for the screening query language
 * (see query.h for the AST, docs/query.md for the language).
 *
 * The query is decoded once into an array of code points with full-width
 * ASCII folded to ASCII one for one (so "ｃａｐｉｔａｌ＞＝１０００" and
 * "region：杭州" read as their half-width forms) while positions, counted in
 * characters, stay those of the string the user typed. A hand-written
 * scanner then reads terms:
 *
 *     term   = ["-"] (field op value | value)
 *     field  = characters up to the first of : = < > ≤ ≥
 *     op     = ":" | "=" | ">=" | ">" | "<=" | "<" | ":" followed by one of those
 *     value  = alt ("|" alt)*
 *     alt    = (char | '"' chars '"')+      (segments concatenate, shell style)
 *
 * and resolves each value against the reference tables at once, so every
 * error (unknown region, ambiguous name, bad date) carries the position of
 * the alternative that caused it.
 */
#include "index/query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/utf8.h"
#include "chain/fold.h"
#include "chain/taxonomy.h"
#include "ref/industry.h"
#include "ref/uscc.h"
#include "ref/region.h"
#include "registry/value.h"

/* ---- currency table ---- */

const char QUERY_RATES_SOURCE[] =
    "People's Bank of China / CFETS RMB central parity rates of 2023-12-29 "
    "(100 JPY, 100 KRW quoted per 100); TWD from the market rate of that day, "
    "MOP from its peg of 1.03 to HKD";

/* Sorted by currency code. */
const struct query_rate query_rates[] = {
    { "AUD", 4848400 },  { "CAD", 5367300 }, { "CHF", 8418400 }, { "CNY", 1000000 },
    { "EUR", 7859200 },  { "GBP", 9041100 }, { "HKD", 906220 },  { "JPY", 50213 },
    { "KRW", 5503 },     { "MOP", 879830 },  { "RUB", 79540 },   { "SGD", 5377200 },
    { "TWD", 230700 },   { "USD", 7082700 },
};
const size_t query_nrates = sizeof(query_rates) / sizeof(query_rates[0]);

int query_money_to_cny(int64_t cents, const char *currency, int64_t *out)
{
    size_t i;
    for (i = 0; i < query_nrates; i++) {
        if (strcmp(query_rates[i].currency, currency) == 0) {
            __int128 v = (__int128)cents * query_rates[i].cny_per_unit_e6;
            __int128 r = (v >= 0 ? v + 500000 : v - 500000) / 1000000;
            if (r > INT64_MAX || r < INT64_MIN)
                return -1;
            *out = (int64_t)r;
            return 0;
        }
    }
    return -1;
}

/* ---- fields ---- */

struct field_word {
    const char *word;
    enum query_field field;   /* QF_COUNT: sort */
};

#define QF_SORT QF_COUNT

/* Canonical names first: field_names[] below is what query_format prints. */
static const struct field_word field_words[] = {
    { "region", QF_REGION },     { "industry", QF_INDUSTRY }, { "track", QF_TRACK },
    { "node", QF_NODE },         { "status", QF_STATUS },     { "tag", QF_TAG },
    { "round", QF_ROUND },       { "name", QF_NAME },         { "scope", QF_SCOPE },
    { "capital", QF_CAPITAL },   { "founded", QF_FOUNDED },   { "staff", QF_STAFF },
    { "patents", QF_PATENTS },   { "uscc", QF_USCC },         { "sort", QF_SORT },
    /* aliases */
    { "地区", QF_REGION },       { "区域", QF_REGION },       { "行业", QF_INDUSTRY },
    { "赛道", QF_TRACK },        { "环节", QF_NODE },         { "状态", QF_STATUS },
    { "tags", QF_TAG },          { "资质", QF_TAG },          { "轮次", QF_ROUND },
    { "名称", QF_NAME },         { "经营范围", QF_SCOPE },    { "范围", QF_SCOPE },
    { "注册资本", QF_CAPITAL },  { "资本", QF_CAPITAL },      { "成立", QF_FOUNDED },
    { "成立日期", QF_FOUNDED },  { "参保人数", QF_STAFF },    { "人数", QF_STAFF },
    { "patent", QF_PATENTS },    { "专利", QF_PATENTS },      { "排序", QF_SORT },
    { "统一社会信用代码", QF_USCC }, { "信用代码", QF_USCC },
};
#define NFIELD_WORDS (sizeof(field_words) / sizeof(field_words[0]))

static const char *const field_names[QF_COUNT] = {
    "", "name", "scope", "region", "industry", "track", "node", "status", "tag", "round",
    "capital", "founded", "staff", "patents", "uscc",
};

const char *query_field_name(enum query_field f)
{
    return (unsigned)f < QF_COUNT ? field_names[f] : "";
}

enum query_kind query_field_kind(enum query_field f)
{
    switch (f) {
    case QF_TEXT:
    case QF_NAME:
    case QF_SCOPE:
        return QK_TEXT;
    case QF_CAPITAL:
    case QF_FOUNDED:
    case QF_STAFF:
    case QF_PATENTS:
        return QK_RANGE;
    default:
        return QK_CODE;
    }
}

static const char *const sort_names[] = { "", "capital", "score", "founded", "staff", "patents" };

const char *query_sort_name(enum query_sort s)
{
    return (unsigned)s < sizeof(sort_names) / sizeof(sort_names[0]) ? sort_names[s] : "";
}

/* ---- code points ---- */

enum op { OP_EQ, OP_GE, OP_GT, OP_LE, OP_LT };
static const char *const op_text[] = { ":", ">=", ">", "<=", "<" };

static int is_space(int32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000 || (c >= 0 && c < 0x20) || c == 0x7f;
}

static int is_op_char(int32_t c)
{
    return c == ':' || c == '=' || c == '<' || c == '>' || c == 0x2264 || c == 0x2265;
}

/* The one-for-one fold applied to the whole query: full-width ASCII to
 * ASCII, curly double quotes to '"'. */
static int32_t fold_cp(int32_t c)
{
    if (c >= 0xff01 && c <= 0xff5e)
        return c - 0xfee0;
    if (c == 0x201c || c == 0x201d)
        return '"';
    return c;
}

static void put_cp(struct strbuf *sb, int32_t c)
{
    char b[4];
    if (c < 0x80) {
        strbuf_addch(sb, c);
        return;
    }
    if (c < 0x800) {
        b[0] = (char)(0xc0 | (c >> 6));
        b[1] = (char)(0x80 | (c & 0x3f));
        strbuf_add(sb, b, 2);
    } else if (c < 0x10000) {
        b[0] = (char)(0xe0 | (c >> 12));
        b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        b[2] = (char)(0x80 | (c & 0x3f));
        strbuf_add(sb, b, 3);
    } else {
        b[0] = (char)(0xf0 | (c >> 18));
        b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        b[3] = (char)(0x80 | (c & 0x3f));
        strbuf_add(sb, b, 4);
    }
}

/* ---- parser state ---- */

struct parser {
    const int32_t *cp;        /* folded code points */
    size_t n;
    const struct query_env *env;
    struct query *q;
    struct error *err;
    size_t sort_pos;          /* position of the sort term, 0 when none yet */
};

/* "position N: " + message; N is 1-based. */
static int perr(struct parser *p, size_t idx, const char *fmt, ...) MAGNET_PRINTF(3, 4);
static int perr(struct parser *p, size_t idx, const char *fmt, ...)
{
    char msg[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return error_set(p->err, "position %zu: %s", idx + 1, msg);
}

/* One raw alternative: its text (UTF-8, folded, quotes removed) and where
 * it starts. */
struct raw_alt {
    struct strbuf text;
    size_t idx;     /* 0-based code point index */
    int quoted;
};

/* ---- edit distance, for "did you mean" ---- */

static size_t to_cps(const char *s, int32_t *out, size_t max)
{
    size_t n = 0, len = strlen(s), k;
    int32_t c;
    while (len && n < max) {
        k = utf8_decode(s, len, &c);
        if (!k)
            return max + 1;
        out[n++] = c < 0x80 ? tolower(c) : c;
        s += k;
        len -= k;
    }
    return len ? max + 1 : n;
}

/* Optimal string alignment distance (transpositions count one). */
static size_t edit_distance(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
    size_t d[34][34], i, j;
    for (i = 0; i <= na; i++)
        d[i][0] = i;
    for (j = 0; j <= nb; j++)
        d[0][j] = j;
    for (i = 1; i <= na; i++) {
        for (j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[na][nb];
}

static const char *suggest_field(const char *word)
{
    int32_t a[33], b[33];
    size_t na = to_cps(word, a, 32), i, best = (size_t)-1;
    const char *hit = NULL;
    if (na > 32 || na == 0)
        return NULL;
    for (i = 0; i < NFIELD_WORDS; i++) {
        size_t nb = to_cps(field_words[i].word, b, 32), dist;
        if (nb > 32)
            continue;
        dist = edit_distance(a, na, b, nb);
        if (dist < best) {
            best = dist;
            hit = field_words[i].word;
        }
    }
    /* Close enough to be a typo: at most 2 edits, and fewer than half the word. */
    if (hit && best <= 2 && best * 2 < na)
        return hit;
    return NULL;
}

static int lookup_field(const char *word, enum query_field *out)
{
    size_t i;
    for (i = 0; i < NFIELD_WORDS; i++) {
        if (strcasecmp(word, field_words[i].word) == 0) {
            *out = field_words[i].field;
            return 0;
        }
    }
    return -1;
}

/* ---- dates: days since 1970-01-01 (proleptic Gregorian) ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp, yy;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int query_date_days(const char *ymd, int64_t *out)
{
    int y, m, d, i;
    if (!ymd)
        return -1;
    for (i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? ymd[i] != '-' : !(ymd[i] >= '0' && ymd[i] <= '9'))
            return -1;
    y = (ymd[0] - '0') * 1000 + (ymd[1] - '0') * 100 + (ymd[2] - '0') * 10 + (ymd[3] - '0');
    m = (ymd[5] - '0') * 10 + (ymd[6] - '0');
    d = (ymd[8] - '0') * 10 + (ymd[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *out = days_from_civil(y, m, d);
    return 0;
}

void query_days_date(int64_t days, char out[11])
{
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    out[0] = (char)('0' + y / 1000);
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

#define DATE_MIN_YEAR 1000
#define DATE_MAX_YEAR 9999

static int digits(const char **s, int min, int max, int *v)
{
    int n = 0;
    *v = 0;
    while (n < max && **s >= '0' && **s <= '9') {
        *v = *v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    return n >= min && !(**s >= '0' && **s <= '9');
}

static int eat(const char **s, const char *w)
{
    size_t n = strlen(w);
    if (strncmp(*s, w, n) == 0) {
        *s += n;
        return 1;
    }
    return 0;
}

/* A year, a month or a day: "2015", "2020-07", "2020-07-01" (also / as
 * the separator, 1-digit month and day, and 2020年7月1日). Sets the first
 * and last day of the period. Returns 0, or -1 with a reason in why. */
static int parse_period(const char *s, int64_t *first, int64_t *last, const char **why)
{
    int y, m = 0, d = 0, sep = 0;
    *why = "expected YYYY, YYYY-MM or YYYY-MM-DD";
    if (!digits(&s, 4, 4, &y))
        return -1;
    if (*s == '-' || *s == '/')
        sep = *s++;
    else if (eat(&s, "年"))
        sep = 'y';
    if (!*s && sep != '-' && sep != '/')
        goto done;
    if (!sep || !digits(&s, 1, 2, &m))
        return -1;
    if (sep == 'y' ? eat(&s, "月") : (*s == sep ? (s++, 1) : 0)) {
        if (!*s && sep == 'y')
            goto done;
        if (!digits(&s, 1, 2, &d))
            return -1;
        if (sep == 'y' && !eat(&s, "日"))
            (void)eat(&s, "号");
    } else if (sep == 'y') {
        return -1;
    }
    if (*s)
        return -1;
done:
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR) {
        *why = "the year must lie in 1000..9999";
        return -1;
    }
    if (m && (m < 1 || m > 12)) {
        *why = "no such month";
        return -1;
    }
    if (d && (d < 1 || d > days_in_month(y, m))) {
        *why = "no such day in that month";
        return -1;
    }
    *first = days_from_civil(y, m ? m : 1, d ? d : 1);
    if (d)
        *last = *first;
    else if (m)
        *last = days_from_civil(y, m, days_in_month(y, m));
    else
        *last = days_from_civil(y, 12, 31);
    return 0;
}

/* ---- numbers ---- */

#define COUNT_MAX 1000000000000LL          /* 10^12 */
#define CAPITAL_MAX 1000000000000000000LL  /* 10^12 万元, in cents */

/* capital in 万元: "1000", "1000.5", "1,000", "1000万", "1000万元", "0.5亿".
 * Up to 6 decimals of the unit (1 cent is 10^-6 万元). Writes cents. */
static int parse_capital(const char *s, int64_t *out)
{
    static const struct { const char *w; int64_t mult; } units[] = {
        { "万元", 1 }, { "万", 1 }, { "亿元", 10000 }, { "亿", 10000 },
    };
    int64_t ip = 0, fp = 0, mult = 1;
    int nd = 0, nf = 0, i;
    if (!(*s >= '0' && *s <= '9'))
        return -1;
    for (; (*s >= '0' && *s <= '9') || *s == ','; s++) {
        if (*s == ',')
            continue;
        if (++nd > 13)
            return -2;
        ip = ip * 10 + (*s - '0');
    }
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9'))
            return -1;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (++nf > 6)
                return -1;
            fp = fp * 10 + (*s - '0');
        }
        for (i = nf; i < 6; i++)
            fp *= 10;
    }
    if (*s) {
        for (i = 0; i < (int)(sizeof(units) / sizeof(units[0])); i++)
            if (strcmp(s, units[i].w) == 0)
                break;
        if (i == (int)(sizeof(units) / sizeof(units[0])))
            return -1;
        mult = units[i].mult;
    }
    if (ip > CAPITAL_MAX / 1000000 / mult)
        return -2;
    *out = (ip * 1000000 + fp) * mult;
    if (*out > CAPITAL_MAX)
        return -2;
    return 0;
}

static int parse_count(const char *s, int64_t *out)
{
    int64_t v = 0;
    int nd = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s == ',' && nd)
            continue;
        if (!(*s >= '0' && *s <= '9'))
            return -1;
        if (++nd > 13)
            return -2;
        v = v * 10 + (*s - '0');
    }
    if (v > COUNT_MAX)
        return -2;
    *out = v;
    return 0;
}

/* One end of a range as the closed interval it names: a number names
 * itself, a date its year, month or day. */
static int parse_point(struct parser *p, enum query_field f, const char *s, size_t idx,
                       int64_t *first, int64_t *last)
{
    const char *why;
    int rc;
    if (f == QF_FOUNDED) {
        if (parse_period(s, first, last, &why) < 0)
            return perr(p, idx, "bad date '%s' (%s)", s, why);
        return 0;
    }
    rc = f == QF_CAPITAL ? parse_capital(s, first) : parse_count(s, first);
    if (rc == -2)
        return perr(p, idx, "bad number '%s' (too large)", s);
    if (rc < 0) {
        if (f == QF_CAPITAL)
            return perr(p, idx, "bad number '%s' (capital is in 万元: 1000, 1000.5, 0.5亿)", s);
        return perr(p, idx, "bad number '%s' (%s is a whole number)", s, field_names[f]);
    }
    *last = *first;
    return 0;
}

static int64_t range_min(enum query_field f)
{
    return f == QF_FOUNDED ? days_from_civil(DATE_MIN_YEAR, 1, 1) : 0;
}

static int64_t range_max(enum query_field f)
{
    if (f == QF_FOUNDED)
        return days_from_civil(DATE_MAX_YEAR, 12, 31);
    return f == QF_CAPITAL ? CAPITAL_MAX : COUNT_MAX;
}

static int resolve_range(struct parser *p, enum query_field f, enum op op, struct raw_alt *ra,
                         struct query_alt *a)
{
    const char *s = ra->text.buf, *dots = strstr(s, "..");
    int64_t first, last, first2, last2;

    a->lo = QUERY_OPEN_LO;
    a->hi = QUERY_OPEN_HI;
    if (dots) {
        char *lo_s, *hi_s;
        int rc = 0;
        if (op != OP_EQ)
            return perr(p, ra->idx, "a range a..b takes ':', not '%s'", op_text[op]);
        if (dots == s && !dots[2])
            return perr(p, ra->idx, "range '..' has no ends");
        lo_s = xstrndup(s, (size_t)(dots - s));
        hi_s = xstrdup(dots + 2);
        if (*lo_s && parse_point(p, f, lo_s, ra->idx, &first, &last) < 0)
            rc = -1;
        else if (*lo_s)
            a->lo = first;
        if (!rc && *hi_s && parse_point(p, f, hi_s, ra->idx, &first2, &last2) < 0)
            rc = -1;
        else if (!rc && *hi_s)
            a->hi = last2;
        if (!rc && *lo_s && *hi_s && a->lo > a->hi)
            rc = perr(p, ra->idx, "range %s..%s is upside down", lo_s, hi_s);
        free(lo_s);
        free(hi_s);
        if (rc)
            return -1;
        return 0;
    }
    if (parse_point(p, f, s, ra->idx, &first, &last) < 0)
        return -1;
    switch (op) {
    case OP_EQ: a->lo = first; a->hi = last; break;
    case OP_GE: a->lo = first; break;
    case OP_GT: a->lo = last + 1; break;
    case OP_LE: a->hi = last; break;
    case OP_LT: a->hi = first - 1; break;
    }
    if ((a->lo != QUERY_OPEN_LO && a->lo > range_max(f)) ||
        (a->hi != QUERY_OPEN_HI && a->hi < range_min(f)))
        return perr(p, ra->idx, "'%s%s%s' matches nothing", field_names[f], op_text[op], s);
    return 0;
}

/* ---- categorical values ---- */

static int resolve_region(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    const char *s = ra->text.buf;
    const struct region *r = NULL, *m[8];
    size_t i, n;
    int all_digits = 1;

    for (i = 0; s[i]; i++)
        if (!(s[i] >= '0' && s[i] <= '9'))
            all_digits = 0;
    if (all_digits) {
        r = region_find_code(s);
        if (!r)
            return perr(p, ra->idx, "unknown region code '%s'", s);
    } else {
        n = region_find_name(s, NULL, 0, m, 8);
        if (n == 0)
            return perr(p, ra->idx, "unknown region '%s'", s);
        if (n > 1) {
            struct strbuf sb = STRBUF_INIT;
            int rc;
            for (i = 0; i < n && i < 8; i++)
                strbuf_addf(&sb, "%s%s %s", i ? ", " : "", m[i]->code, m[i]->full_name);
            if (n > 8)
                strbuf_addf(&sb, " and %zu more", n - 8);
            rc = perr(p, ra->idx, "region '%s' is ambiguous: %s", s, sb.buf);
            strbuf_release(&sb);
            return rc;
        }
        r = m[0];
    }
    snprintf(a->code, sizeof(a->code), "%s", r->code);
    a->level = r->level;
    return 0;
}

static int resolve_industry(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    const char *s = ra->text.buf;
    const struct industry *ind = industry_find_code(s), *m[8];
    size_t i, n;

    if (!ind) {
        n = industry_find_name(s, m, 8);
        if (n == 0)
            return perr(p, ra->idx, "unknown industry '%s' (a section letter A-T, a code "
                        "such as 65, 651, 6513 or I65, or a name)", s);
        if (n > 1) {
            struct strbuf sb = STRBUF_INIT;
            int rc;
            for (i = 0; i < n && i < 8; i++)
                strbuf_addf(&sb, "%s%s %s", i ? ", " : "", m[i]->code, m[i]->name);
            rc = perr(p, ra->idx, "industry '%s' is ambiguous: %s", s, sb.buf);
            strbuf_release(&sb);
            return rc;
        }
        ind = m[0];
    }
    snprintf(a->code, sizeof(a->code), "%s", ind->code);
    a->level = ind->level;
    return 0;
}

/* Compare a typed name with a taxonomy name under utf8_name_key, so width,
 * case, brackets and spaces do not matter. */
static int same_name(const char *typed, const char *name)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    int eq = utf8_name_key(typed, strlen(typed), &a) == 0 &&
             utf8_name_key(name, strlen(name), &b) == 0 && a.len == b.len &&
             memcmp(a.buf, b.buf, a.len) == 0;
    strbuf_release(&a);
    strbuf_release(&b);
    return eq;
}

static const struct tax_track *find_track(const struct taxonomy *t, const char *s)
{
    const struct tax_track *tr = taxonomy_track(t, s);
    size_t i;
    if (tr)
        return tr;
    for (i = 0; i < t->ntracks; i++)
        if (strcasecmp(t->tracks[i].id, s) == 0 || same_name(s, t->tracks[i].name))
            return &t->tracks[i];
    return NULL;
}

static void list_tracks(const struct taxonomy *t, struct strbuf *sb)
{
    size_t i;
    for (i = 0; i < t->ntracks; i++)
        strbuf_addf(sb, "%s%s %s", i ? ", " : "", t->tracks[i].id, t->tracks[i].name);
}

static int no_taxonomy(struct parser *p, size_t idx, const char *field)
{
    return perr(p, idx, "%s: needs the chain taxonomy, which is not loaded", field);
}

static int resolve_track(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    const struct taxonomy *t = p->env ? p->env->taxonomy : NULL;
    const struct tax_track *tr;
    if (!t)
        return no_taxonomy(p, ra->idx, "track");
    tr = find_track(t, ra->text.buf);
    if (!tr) {
        struct strbuf sb = STRBUF_INIT;
        int rc;
        list_tracks(t, &sb);
        rc = perr(p, ra->idx, "unknown track '%s' (tracks: %s)", ra->text.buf, sb.buf);
        strbuf_release(&sb);
        return rc;
    }
    a->id = (int32_t)(tr - t->tracks);
    a->text = xstrdup(tr->id);
    a->text_len = strlen(tr->id);
    return 0;
}

static int node_matches(const struct tax_node *nd, const char *s)
{
    return strcasecmp(nd->id, s) == 0 || same_name(s, nd->name);
}

static int resolve_node(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    const struct taxonomy *t = p->env ? p->env->taxonomy : NULL;
    const char *s = ra->text.buf, *slash = strchr(s, '/');
    const struct tax_node *nd = NULL;
    size_t i, nmatch = 0;
    struct strbuf sb = STRBUF_INIT;
    int rc;

    if (!t)
        return no_taxonomy(p, ra->idx, "node");
    nd = taxonomy_node(t, s);
    if (!nd && slash) {
        char *track_s = xstrndup(s, (size_t)(slash - s));
        const struct tax_track *tr = find_track(t, track_s);
        if (!tr) {
            list_tracks(t, &sb);
            rc = perr(p, ra->idx, "unknown track '%s' in node '%s' (tracks: %s)", track_s, s,
                      sb.buf);
            free(track_s);
            strbuf_release(&sb);
            return rc;
        }
        free(track_s);
        for (i = tr->first_node; i < tr->first_node + tr->nnodes; i++)
            if (node_matches(&t->nodes[i], slash + 1))
                break;
        if (i == tr->first_node + tr->nnodes) {
            for (i = tr->first_node; i < tr->first_node + tr->nnodes; i++)
                strbuf_addf(&sb, "%s%s %s", i > tr->first_node ? ", " : "", t->nodes[i].id,
                            t->nodes[i].name);
            rc = perr(p, ra->idx, "track %s has no node '%s' (nodes: %s)", tr->id, slash + 1,
                      sb.buf);
            strbuf_release(&sb);
            return rc;
        }
        nd = &t->nodes[i];
    } else if (!nd) {
        /* A node by itself: must be unique over all tracks. */
        for (i = 0; i < t->nnodes; i++) {
            if (!node_matches(&t->nodes[i], s))
                continue;
            if (nmatch < 8)
                strbuf_addf(&sb, "%s%s %s", nmatch ? ", " : "", t->nodes[i].full_id,
                            t->nodes[i].name);
            if (!nmatch++)
                nd = &t->nodes[i];
        }
        if (nmatch == 0)
            rc = perr(p, ra->idx, "unknown node '%s' (write track/node, e.g. ai/chip or "
                      "人工智能/AI芯片)", s);
        else if (nmatch > 1)
            rc = perr(p, ra->idx, "node '%s' is ambiguous: %s", s, sb.buf);
        else
            rc = 0;
        strbuf_release(&sb);
        if (rc)
            return rc;
    }
    a->id = (int32_t)(nd - t->nodes);
    a->text = xstrdup(nd->full_id);
    a->text_len = strlen(nd->full_id);
    return 0;
}

static void ascii_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static int resolve_status(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    enum ent_status st;
    char *s = xstrdup(ra->text.buf);
    int rc;
    ascii_lower(s);
    rc = value_status_from_name(s, &st);
    free(s);
    if (rc < 0)
        return perr(p, ra->idx, "unknown status '%s' (accepted: active/存续/在业, "
                    "cancelled/注销, revoked/吊销, moved-out/迁出, suspended/停业, "
                    "liquidating/清算, other/其他, unknown/未知)", ra->text.buf);
    a->id = (int32_t)st;
    snprintf(a->code, sizeof(a->code), "%s", value_status_name(st));
    return 0;
}

/* Tag spellings value_tag_from_name does not know (short forms people type
 * into a search box). */
static const struct { const char *word; enum ent_tag tag; } tag_aliases[] = {
    { "高新", TAG_HIGHTECH },       { "国高企", TAG_HIGHTECH },     { "高企", TAG_HIGHTECH },
    { "high-tech", TAG_HIGHTECH },  { "科小", TAG_TECHSME },        { "科技型", TAG_TECHSME },
    { "专精特新", TAG_SPECIALISED }, { "specialized", TAG_SPECIALISED }, { "srdi", TAG_SPECIALISED },
    { "小巨人", TAG_LITTLEGIANT },  { "little-giant", TAG_LITTLEGIANT },
    { "瞪羚", TAG_GAZELLE },        { "独角兽", TAG_UNICORN },      { "上市", TAG_LISTED },
    { "挂牌", TAG_NEEQ },           { "新三板", TAG_NEEQ },
};

static int resolve_tag(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    enum ent_tag tag;
    char *s = xstrdup(ra->text.buf);
    size_t i;
    int rc = -1;
    ascii_lower(s);
    for (i = 0; i < sizeof(tag_aliases) / sizeof(tag_aliases[0]); i++) {
        if (strcmp(s, tag_aliases[i].word) == 0) {
            tag = tag_aliases[i].tag;
            rc = 0;
            break;
        }
    }
    if (rc < 0)
        rc = value_tag_from_name(s, &tag);
    free(s);
    if (rc < 0)
        return perr(p, ra->idx, "unknown tag '%s' (accepted: hightech/高新/国高企, "
                    "techsme/科技型中小企业, specialised/专精特新, littlegiant/小巨人, "
                    "gazelle/瞪羚, unicorn/独角兽, listed/上市, neeq/挂牌)", ra->text.buf);
    a->id = (int32_t)tag;
    snprintf(a->code, sizeof(a->code), "%s", value_tag_name(tag));
    return 0;
}

static int resolve_round(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    char out[16];
    if (value_parse_round(ra->text.buf, ra->text.len, out, NULL) != 1)
        return perr(p, ra->idx, "unknown round '%s' (accepted: seed, angel, pre-a, a, a+, "
                    "b ... j, pre-ipo, ipo, post-ipo, listed, neeq, placement, strategic, "
                    "equity, m&a, debt, transfer, or their Chinese names such as 天使轮, A轮)",
                    ra->text.buf);
    snprintf(a->code, sizeof(a->code), "%s", out);
    return 0;
}

static int resolve_uscc(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    char code[USCC_LEN + 1];
    struct error e = ERROR_INIT;
    if (uscc_normalize(ra->text.buf, ra->text.len, code, &e) != 0)
        return perr(p, ra->idx, "%s", e.msg);
    snprintf(a->code, sizeof(a->code), "%s", code);
    return 0;
}

static int resolve_text(struct parser *p, struct raw_alt *ra, struct query_alt *a)
{
    struct strbuf clean = STRBUF_INIT;
    char *folded;
    size_t n;
    /* The query was decoded, so it is valid UTF-8 and clean cannot fail. */
    (void)utf8_clean(ra->text.buf, ra->text.len, &clean);
    if (!clean.len) {
        strbuf_release(&clean);
        return perr(p, ra->idx, "empty value");
    }
    folded = xmalloc(clean.len + 1);
    n = chain_fold(clean.buf, clean.len, folded);
    folded[n] = '\0';
    strbuf_release(&clean);
    a->text = folded;
    a->text_len = n;
    return 0;
}

/* ---- the scanner ---- */

static void clause_free(struct query_clause *c)
{
    size_t i;
    for (i = 0; i < c->nalts; i++)
        free(c->alts[i].text);
    free(c->alts);
}

/* Read the alternatives of a value starting at *pos; on return *pos is
 * past the value. */
static int read_alts(struct parser *p, size_t *pos, struct raw_alt *alts, size_t *nalts)
{
    size_t k = *pos, n = 0;
    for (;;) {
        struct raw_alt *ra;
        if (n == QUERY_MAX_ALTS)
            return perr(p, k, "too many alternatives (at most %d)", QUERY_MAX_ALTS);
        ra = &alts[n];
        strbuf_init(&ra->text, 0);
        ra->idx = k;
        ra->quoted = 0;
        n++;
        *nalts = n;
        while (k < p->n && !is_space(p->cp[k]) && p->cp[k] != '|') {
            if (p->cp[k] == '"') {
                size_t open = k++;
                while (k < p->n && p->cp[k] != '"')
                    put_cp(&ra->text, p->cp[k++]);
                if (k >= p->n)
                    return perr(p, open, "unterminated quote");
                k++;
                ra->quoted = 1;
            } else {
                put_cp(&ra->text, p->cp[k++]);
            }
        }
        if (!ra->text.len)
            return perr(p, ra->idx, "empty value");
        if (k < p->n && p->cp[k] == '|') {
            k++;
            continue;
        }
        break;
    }
    *pos = k;
    return 0;
}

static void release_alts(struct raw_alt *alts, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        strbuf_release(&alts[i].text);
}

static int parse_sort(struct parser *p, size_t term_idx, int negated, enum op op,
                      struct raw_alt *alts, size_t nalts)
{
    static const char *const keys =
        "accepted: capital, score, founded, staff, patents, each with -asc for ascending";
    char *s;
    size_t len, i;
    int asc = 0;
    if (negated)
        return perr(p, term_idx, "sort cannot be negated");
    if (p->sort_pos)
        return perr(p, term_idx, "only one sort is allowed (the first is at position %zu)",
                    p->sort_pos);
    if (op != OP_EQ)
        return perr(p, term_idx, "sort takes ':', not '%s'", op_text[op]);
    if (nalts > 1)
        return perr(p, alts[1].idx, "sort takes one key, not a list");
    s = xstrdup(alts[0].text.buf);
    ascii_lower(s);
    len = strlen(s);
    if (len > 4 && strcmp(s + len - 4, "-asc") == 0) {
        asc = 1;
        s[len - 4] = '\0';
    } else if (len > 5 && strcmp(s + len - 5, "-desc") == 0) {
        s[len - 5] = '\0';
    }
    for (i = 1; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
        if (strcmp(s, sort_names[i]) == 0)
            break;
    free(s);
    if (i == sizeof(sort_names) / sizeof(sort_names[0]))
        return perr(p, alts[0].idx, "unknown sort '%s' (%s)", alts[0].text.buf, keys);
    p->q->sort = (enum query_sort)i;
    p->q->sort_asc = asc;
    p->sort_pos = term_idx + 1;
    return 0;
}

static int parse_term(struct parser *p, size_t *pos, size_t *nterms)
{
    size_t i = *pos, term_idx = i, j, op_idx = 0, nalts = 0, k;
    int negated = 0, rc = 0;
    enum query_field f = QF_TEXT;
    enum op op = OP_EQ;
    struct raw_alt alts[QUERY_MAX_ALTS];
    struct query_clause c;

    if (*nterms == QUERY_MAX_TERMS)
        return perr(p, i, "too many terms (at most %d)", QUERY_MAX_TERMS);
    (*nterms)++;
    if (p->cp[i] == '-') {
        negated = 1;
        i++;
        if (i >= p->n || is_space(p->cp[i]))
            return perr(p, term_idx, "'-' must be followed by a term");
    }
    /* A field name runs up to an operator; a word without one is text. */
    for (j = i; j < p->n && !is_space(p->cp[j]) && !is_op_char(p->cp[j]) && p->cp[j] != '"' &&
                p->cp[j] != '|';
         j++)
        ;
    if (j < p->n && is_op_char(p->cp[j])) {
        struct strbuf name = STRBUF_INIT;
        if (j == i)
            return perr(p, i, "missing field name before the operator");
        for (k = i; k < j; k++)
            put_cp(&name, p->cp[k]);
        if (lookup_field(name.buf, &f) < 0) {
            const char *hint = suggest_field(name.buf);
            if (hint)
                rc = perr(p, i, "unknown field '%s' — did you mean '%s'?", name.buf, hint);
            else
                rc = perr(p, i, "unknown field '%s' (fields: region, industry, track, node, "
                          "status, tag, round, name, scope, capital, founded, staff, patents, "
                          "uscc, sort)", name.buf);
            strbuf_release(&name);
            return rc;
        }
        strbuf_release(&name);
        op_idx = j;
        if (p->cp[j] == ':' || p->cp[j] == '=') {
            j++;
            if (j < p->n && p->cp[j - 1] == '=' && p->cp[j] == '=')
                j++;  /* "==" */
            else if (j < p->n && p->cp[j - 1] == ':' && p->cp[j] == '=')
                j++;  /* ":=" */
        }
        if (j < p->n && (p->cp[j] == '>' || p->cp[j] == '<')) {
            int gt = p->cp[j] == '>';
            j++;
            if (j < p->n && p->cp[j] == '=') {
                op = gt ? OP_GE : OP_LE;
                j++;
            } else {
                op = gt ? OP_GT : OP_LT;
            }
        } else if (j < p->n && (p->cp[j] == 0x2265 || p->cp[j] == 0x2264)) {
            op = p->cp[j] == 0x2265 ? OP_GE : OP_LE;
            j++;
        }
        if (j >= p->n || is_space(p->cp[j]))
            return perr(p, j, "empty value");
        i = j;
    }
    k = i;
    rc = read_alts(p, &k, alts, &nalts);
    if (rc < 0)
        goto out;
    if (f == QF_SORT) {
        rc = parse_sort(p, term_idx, negated, op, alts, nalts);
        goto out;
    }
    if (op != OP_EQ && query_field_kind(f) != QK_RANGE) {
        rc = perr(p, op_idx, "%s takes ':' (the operator '%s' is for capital, founded, staff "
                  "and patents)", field_names[f], op_text[op]);
        goto out;
    }
    if (op != OP_EQ && nalts > 1) {
        rc = perr(p, alts[1].idx, "a list a|b takes ':', not '%s'", op_text[op]);
        goto out;
    }
    memset(&c, 0, sizeof(c));
    c.field = f;
    c.negated = negated;
    c.pos = term_idx + 1;
    c.alts = xcalloc(nalts, sizeof(*c.alts));
    for (j = 0; j < nalts && rc == 0; j++) {
        struct query_alt *a = &c.alts[j];
        c.nalts = j + 1;
        a->pos = alts[j].idx + 1;
        switch (f) {
        case QF_TEXT:
        case QF_NAME:
        case QF_SCOPE: rc = resolve_text(p, &alts[j], a); break;
        case QF_REGION: rc = resolve_region(p, &alts[j], a); break;
        case QF_INDUSTRY: rc = resolve_industry(p, &alts[j], a); break;
        case QF_TRACK: rc = resolve_track(p, &alts[j], a); break;
        case QF_NODE: rc = resolve_node(p, &alts[j], a); break;
        case QF_STATUS: rc = resolve_status(p, &alts[j], a); break;
        case QF_TAG: rc = resolve_tag(p, &alts[j], a); break;
        case QF_ROUND: rc = resolve_round(p, &alts[j], a); break;
        case QF_USCC: rc = resolve_uscc(p, &alts[j], a); break;
        default: rc = resolve_range(p, f, op, &alts[j], a); break;
        }
    }
    if (rc < 0) {
        clause_free(&c);
        goto out;
    }
    p->q->clauses = xrealloc(p->q->clauses, st_mult(p->q->nclauses + 1, sizeof(c)));
    p->q->clauses[p->q->nclauses++] = c;
out:
    release_alts(alts, nalts);
    *pos = k;
    return rc < 0 ? -1 : 0;
}

void query_free(struct query *q)
{
    size_t i;
    if (!q)
        return;
    for (i = 0; i < q->nclauses; i++)
        clause_free(&q->clauses[i]);
    free(q->clauses);
    free(q);
}

static int check_today(const char *t)
{
    int i;
    for (i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? t[i] != '-' : !(t[i] >= '0' && t[i] <= '9'))
            return -1;
    return t[10] ? -1 : 0;
}

int query_parse(const char *qs, const struct query_env *env, struct query **out,
                struct error *err)
{
    struct parser p;
    size_t len = strlen(qs), n = 0, off = 0, k, pos = 0, nterms = 0;
    int32_t *cps, c;
    char today[11];

    *out = NULL;
    if (env && env->today) {
        if (check_today(env->today) < 0)
            return error_set(err, "today's date '%s' is not YYYY-MM-DD", env->today);
    } else {
        value_today(today);
    }
    if (len > QUERY_MAX_BYTES)
        return error_set(err, "query is too long (%zu bytes; at most %d)", len, QUERY_MAX_BYTES);
    cps = xmalloc(st_mult(len + 1, sizeof(*cps)));
    while (off < len) {
        k = utf8_decode(qs + off, len - off, &c);
        if (!k) {
            free(cps);
            return error_set(err, "position %zu: invalid UTF-8", n + 1);
        }
        cps[n++] = fold_cp(c);
        off += k;
    }
    memset(&p, 0, sizeof(p));
    p.cp = cps;
    p.n = n;
    p.env = env;
    p.err = err;
    p.q = xcalloc(1, sizeof(*p.q));
    for (;;) {
        while (pos < n && is_space(cps[pos]))
            pos++;
        if (pos >= n)
            break;
        if (parse_term(&p, &pos, &nterms) < 0) {
            query_free(p.q);
            free(cps);
            return -1;
        }
    }
    free(cps);
    *out = p.q;
    return 0;
}

/* ---- canonical form ---- */

static int needs_quotes(const char *s)
{
    size_t len = strlen(s), k;
    int32_t c;
    if (!len || *s == '-')
        return 1;
    while (len) {
        k = utf8_decode(s, len, &c);
        if (!k)
            return 1;
        c = fold_cp(c);
        if (is_space(c) || is_op_char(c) || c == '"' || c == '|')
            return 1;
        s += k;
        len -= k;
    }
    return 0;
}

static void add_word(struct strbuf *out, const char *s)
{
    if (needs_quotes(s))
        strbuf_addf(out, "\"%s\"", s);
    else
        strbuf_addstr(out, s);
}

static void add_capital(struct strbuf *out, int64_t cents)
{
    int64_t ip = cents / 1000000, fp = cents % 1000000;
    char frac[8];
    int n;
    strbuf_addf(out, "%lld", (long long)ip);
    if (fp) {
        n = snprintf(frac, sizeof(frac), "%06lld", (long long)fp);
        while (n > 0 && frac[n - 1] == '0')
            frac[--n] = '\0';
        strbuf_addf(out, ".%s", frac);
    }
}

static void add_point(struct strbuf *out, enum query_field f, int64_t v)
{
    int y, m, d;
    if (f == QF_FOUNDED) {
        civil_from_days(v, &y, &m, &d);
        strbuf_addf(out, "%04d-%02d-%02d", y, m, d);
    } else if (f == QF_CAPITAL) {
        add_capital(out, v);
    } else {
        strbuf_addf(out, "%lld", (long long)v);
    }
}

void query_format(const struct query *q, struct strbuf *out)
{
    size_t i, j;
    int first = 1;
    for (i = 0; i < q->nclauses; i++) {
        const struct query_clause *c = &q->clauses[i];
        if (!first)
            strbuf_addch(out, ' ');
        first = 0;
        if (c->negated)
            strbuf_addch(out, '-');
        if (c->field != QF_TEXT)
            strbuf_addf(out, "%s:", field_names[c->field]);
        for (j = 0; j < c->nalts; j++) {
            const struct query_alt *a = &c->alts[j];
            if (j)
                strbuf_addch(out, '|');
            switch (query_field_kind(c->field)) {
            case QK_TEXT:
                add_word(out, a->text);
                break;
            case QK_RANGE:
                if (a->lo == a->hi) {
                    add_point(out, c->field, a->lo);
                    break;
                }
                if (a->lo != QUERY_OPEN_LO)
                    add_point(out, c->field, a->lo);
                strbuf_addstr(out, "..");
                if (a->hi != QUERY_OPEN_HI)
                    add_point(out, c->field, a->hi);
                break;
            case QK_CODE:
                add_word(out, a->text ? a->text : a->code);
                break;
            }
        }
    }
    if (q->sort != QS_NONE) {
        if (!first)
            strbuf_addch(out, ' ');
        strbuf_addf(out, "sort:%s%s", sort_names[q->sort], q->sort_asc ? "-asc" : "");
    }
}
