/*
 * value.c - parsers for the values in enterprise spreadsheets (see value.h,
 * and docs/formats.md for the forms accepted, written for users).
 *
 * The data comes from vendors and clerks, so the parsers accept every
 * spelling we have met ("500万元人民币", "300（万元）", "USD 100万",
 * "吊销，未注销", "国家级专精特新“小巨人”企业(2022)") but produce exact
 * values: money is parsed as decimal digits into integer cents, never
 * through a float, and text that does not fit a known form is an error
 * rather than a guess.
 *
 * Every parser starts from fold(): full-width ASCII to ASCII, every kind of
 * white space to one ASCII space, trimmed. The rest of the code then only
 * has to know half-width forms.
 */
#include "registry/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"

/* Longest text any parser looks at; longer cells are not values. */
#define VALUE_MAX_TEXT 512

/* ---- text helpers ---- */

static int is_space_cp(int32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x3000 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F || cp == 0xFEFF ||
           cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

/* Fold s into buf (cap bytes, NUL-terminated): full-width ASCII
 * (U+FF01-FF5E) to ASCII, white space runs to one space, trimmed. Returns
 * the length, or -1 when s is not UTF-8 or does not fit. */
static int fold(const char *s, size_t len, char *buf, size_t cap)
{
    size_t i = 0, n = 0;
    int space = 0;

    while (i < len) {
        int32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (!k)
            return -1;
        if (is_space_cp(cp)) {
            space = n > 0;
            i += k;
            continue;
        }
        if (n + 5 >= cap)
            return -1;
        if (space)
            buf[n++] = ' ';
        space = 0;
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
            buf[n++] = (char)(cp - 0xFEE0);
        } else if (cp < 0x20 || cp == 0x7F) {
            /* controls carry nothing in a value */
        } else {
            memcpy(buf + n, s + i, k);
            n += k;
        }
        i += k;
    }
    buf[n] = '\0';
    return (int)n;
}

/* The value as shown in a message: at most ~60 bytes, cut on a character. */
static const char *shown(const char *s, size_t len, char out[80])
{
    size_t n = len, i = 0;
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (; i < n; i++)
        out[i] = (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
    if (n < len) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Length of lit when p[0..n) starts with it (ASCII case-insensitive), else 0. */
static size_t starts(const char *p, size_t n, const char *lit)
{
    size_t i;
    /* Compare as we go rather than strlen(lit) first: most calls fail on
     * the first byte, and they run for every money cell of every row. */
    for (i = 0; lit[i]; i++)
        if (i >= n || lower((unsigned char)p[i]) != lower((unsigned char)lit[i]))
            return 0;
    return i;
}

static int ends_with(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return k <= n && memcmp(s + n - k, lit, k) == 0;
}

static int equals(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && starts(s, n, lit) == n;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Remove every occurrence of each listed (non-empty) string from buf
 * (length *n). */
static void remove_all(char *buf, size_t *n, const char *const *lits, size_t nlits)
{
    size_t r = 0, w = 0, i;
    while (r < *n) {
        for (i = 0; i < nlits; i++) {
            size_t k;
            /* The first byte rules out nearly every string at nearly every
             * position: this runs on each byte of each status cell. */
            if (lits[i][0] != buf[r])
                continue;
            k = strlen(lits[i]);
            if (k <= *n - r && memcmp(buf + r, lits[i], k) == 0)
                break;
        }
        if (i < nlits) {
            r += strlen(lits[i]);
            continue;
        }
        buf[w++] = buf[r++];
    }
    *n = w;
    buf[w] = '\0';
}

/* ---- blanks ---- */

static const char *const blank_words[] = {
    "/", "\\", "无", "暂无", "无数据", "未知", "不详", "未公开", "不公开", "未披露", "空", "(空)",
    "(空白)", "null", "none", "nil", "n/a", "na", "#n/a", "nan", "-/-", "?", "？",
};

/* Whether s could be a blank spelling at all, without decoding it: this runs
 * on every cell of every imported row, and almost every cell starts with a
 * digit or an ideograph that no blank spelling starts with. */
static int may_be_blank(const unsigned char *s, size_t len)
{
    static const char *const ideographs[] = { "无", "暂", "未", "不", "空" };
    size_t i;
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    if (!len)
        return 1;
    if (len > 24 || (*s >= '0' && *s <= '9'))
        return 0;
    if (*s >= 0xE4 && *s <= 0xE9) { /* CJK ideographs */
        if (len < 3)
            return 1;
        for (i = 0; i < sizeof(ideographs) / sizeof(ideographs[0]); i++)
            if (!memcmp(s, ideographs[i], 3))
                return 1;
        return 0;
    }
    return 1;
}

int value_is_blank(const char *s, size_t len)
{
    char buf[64];
    int n;
    size_t i, k;

    if (!may_be_blank((const unsigned char *)s, len))
        return 0;
    n = fold(s, len, buf, sizeof(buf));

    if (n < 0)
        return 0;
    if (n == 0)
        return 1;
    /* Any run of dashes: - -- --- — —— – ― ‐ (and full-width, folded above). */
    for (i = 0; i < (size_t)n;) {
        if (buf[i] == '-' || buf[i] == ' ') {
            i++;
        } else if ((k = starts(buf + i, (size_t)n - i, "—")) ||
                   (k = starts(buf + i, (size_t)n - i, "–")) ||
                   (k = starts(buf + i, (size_t)n - i, "―")) ||
                   (k = starts(buf + i, (size_t)n - i, "‐"))) {
            i += k;
        } else {
            break;
        }
    }
    if (i == (size_t)n)
        return 1;
    for (i = 0; i < sizeof(blank_words) / sizeof(blank_words[0]); i++)
        if (equals(buf, (size_t)n, blank_words[i]))
            return 1;
    return 0;
}

/* A cell that holds no value: empty, a blank spelling, or an Excel #N/A. */
static int cell_is_blank(const struct cell *c)
{
    return c->type == CELL_EMPTY || value_is_blank(c->text, c->len);
}

/* ---- money ---- */

struct currency_word {
    const char *text;
    const char *code;  /* NULL for 元, which names the unit but no currency */
};

static const struct currency_word currency_words[] = {
    { "元", NULL },        { "圆", NULL },         { "人民币", "CNY" },   { "RMB", "CNY" },
    { "CNY", "CNY" },      { "¥", "CNY" },         { "￥", "CNY" },       { "美元", "USD" },
    { "美金", "USD" },     { "USD", "USD" },       { "US$", "USD" },      { "$", "USD" },
    { "港元", "HKD" },     { "港币", "HKD" },      { "港幣", "HKD" },     { "HKD", "HKD" },
    { "HK$", "HKD" },      { "欧元", "EUR" },      { "EUR", "EUR" },      { "€", "EUR" },
    { "日元", "JPY" },     { "日圆", "JPY" },      { "JPY", "JPY" },      { "英镑", "GBP" },
    { "GBP", "GBP" },      { "£", "GBP" },         { "澳元", "AUD" },     { "澳大利亚元", "AUD" },
    { "AUD", "AUD" },      { "加元", "CAD" },      { "加拿大元", "CAD" }, { "CAD", "CAD" },
    { "新加坡元", "SGD" }, { "新元", "SGD" },      { "SGD", "SGD" },      { "瑞士法郎", "CHF" },
    { "CHF", "CHF" },      { "韩元", "KRW" },      { "KRW", "KRW" },      { "新台币", "TWD" },
    { "台币", "TWD" },     { "TWD", "TWD" },       { "澳门元", "MOP" },   { "澳门币", "MOP" },
    { "MOP", "MOP" },      { "卢布", "RUB" },      { "RUB", "RUB" },
};

/* The longest currency word at p, or NULL. */
static const struct currency_word *match_currency(const char *p, size_t n, size_t *len)
{
    const struct currency_word *best = NULL;
    size_t i, k;
    *len = 0;
    for (i = 0; i < sizeof(currency_words) / sizeof(currency_words[0]); i++) {
        k = starts(p, n, currency_words[i].text);
        if (k > *len) {
            *len = k;
            best = &currency_words[i];
        }
    }
    return best;
}

struct multiplier {
    const char *text;
    uint64_t factor;
};

static const struct multiplier multipliers[] = {
    { "万亿", UINT64_C(1000000000000) }, { "亿", 100000000 }, { "千万", 10000000 },
    { "百万", 1000000 },                 { "万", 10000 },     { "千", 1000 },
};

/* Set a currency once; a second, different one is an error. */
static int set_currency(const char **cur, const char *code)
{
    if (*cur && code && strcmp(*cur, code) != 0)
        return -1;
    if (code)
        *cur = code;
    return 0;
}

/* round(mant / 10^frac * scale) for a non-negative decimal; scale is the
 * unit in cents. -1 on overflow. */
static int scale_decimal(uint64_t mant, int frac, uint64_t scale, int64_t *out)
{
    uint64_t p = 1, q, rem;
    int i;

    for (; frac < 0; frac++) {  /* an exponent past the digits: "1.5E+7" */
        if (scale > UINT64_MAX / 10)
            return mant ? -1 : (*out = 0, 0);
        scale *= 10;
    }
    while (frac > 0 && scale % 10 == 0) {
        scale /= 10;
        frac--;
    }
    if (mant && scale > UINT64_MAX / mant)
        return -1;
    mant *= scale;
    if (frac > 19) {
        *out = 0;  /* below 10^-19 of a cent after the digits we keep */
        return 0;
    }
    for (i = 0; i < frac; i++)
        p *= 10;
    q = mant / p;
    rem = mant % p;
    if (rem >= p - rem)
        q++;  /* half away from zero (amounts are never negative) */
    if (q > (uint64_t)INT64_MAX)
        return -1;
    *out = (int64_t)q;
    return 0;
}

/* A comma at pos separates thousands only when exactly three digits follow
 * it ("1,000.5", "12,345,678"); "500,5" or "1,2" is something else. */
static int groups_of_three(const char *t, size_t pos, size_t m)
{
    return pos + 3 < m && is_digit(t[pos + 1]) && is_digit(t[pos + 2]) &&
           is_digit(t[pos + 3]) && (pos + 4 >= m || !is_digit(t[pos + 4]));
}

int value_parse_money(const char *s, size_t len, enum money_unit bare_unit, struct money *out,
                      struct error *err)
{
    char buf[VALUE_MAX_TEXT], t[VALUE_MAX_TEXT], show[80];
    const char *cur = NULL;
    const struct currency_word *cw;
    uint64_t mant = 0, unit = 0;
    int n, frac = 0, digits = 0, pending_zeros = 0, dot = 0, any_digit = 0, yuan = 0;
    size_t i, m = 0, pos = 0, k;

    memset(out, 0, sizeof(*out));
    if (value_is_blank(s, len))
        return 0;
    n = fold(s, len, buf, sizeof(buf));
    if (n < 0)
        return error_set(err, "'%s' is not an amount of money", shown(s, len, show));
    /* Drop spaces and the brackets that wrap units ("300(万元)", "500万(元)").
     * A bracket before a number is accounting for a negative: refused. */
    for (i = 0; i < (size_t)n; i++) {
        char c = buf[i];
        if (c == ' ') {
            if (m && is_digit(t[m - 1]) && i + 1 < (size_t)n && is_digit(buf[i + 1]))
                return error_set(err, "'%s' holds two numbers", buf);
            continue;
        }
        if (c == '(' || c == ')') {
            if (c == '(' && i + 1 < (size_t)n && (is_digit(buf[i + 1]) || buf[i + 1] == '-'))
                return error_set(err, "'%s': a bracketed number is not an amount", buf);
            continue;
        }
        t[m++] = c;
    }
    t[m] = '\0';

    cw = match_currency(t, m, &k);
    if (cw && cw->code) {
        cur = cw->code;
        pos = k;
    }
    if (pos < m && (t[pos] == '-' || starts(t + pos, m - pos, "−")))
        return error_set(err, "'%s' is negative", buf);
    if (pos < m && t[pos] == '+')
        pos++;
    for (; pos < m; pos++) {
        char c = t[pos];
        if (is_digit(c)) {
            any_digit = 1;
            if (c == '0' && (dot || !mant)) {
                if (dot)
                    pending_zeros++;  /* counted only when a non-zero digit follows */
                continue;
            }
            /* The zeros held back are now significant. */
            for (; pending_zeros > 0; pending_zeros--) {
                if (mant && ++digits > 19)
                    return error_set(err, "'%s' has too many digits", buf);
                mant *= 10;
                frac++;
            }
            if (++digits > 19)
                return error_set(err, "'%s' has too many digits", buf);
            mant = mant * 10 + (uint64_t)(c - '0');
            if (dot)
                frac++;
        } else if (c == ',' && any_digit && !dot && pos + 1 < m && is_digit(t[pos + 1])) {
            if (!groups_of_three(t, pos, m))
                return error_set(err, "'%s': a comma between digits must separate thousands "
                                      "(1,000.5); is it a decimal comma?", buf);
            continue;  /* thousands separator */
        } else if (c == '.' && !dot && pos + 1 < m && is_digit(t[pos + 1])) {
            dot = 1;
        } else {
            break;
        }
    }
    if (!any_digit)
        return error_set(err, "'%s' is not an amount of money", buf);
    /* Scientific notation, as a spreadsheet may write a large number
     * ("1.5E+7"): the exponent only moves the decimal point. */
    if (pos < m && (t[pos] == 'e' || t[pos] == 'E')) {
        size_t e = pos + 1;
        int neg = 0, exp10 = 0;
        if (e < m && (t[e] == '+' || t[e] == '-'))
            neg = t[e++] == '-';
        if (e < m && is_digit(t[e])) {
            for (; e < m && is_digit(t[e]); e++)
                if (exp10 < 100)
                    exp10 = exp10 * 10 + (t[e] - '0');
            if (exp10 > 40 && mant && !neg)
                return error_set(err, "'%s' is too large an amount", buf);
            if (exp10 > 40)
                exp10 = 40;  /* zero, or far below a cent */
            frac += neg ? exp10 : -exp10;
            pos = e;
        }
    }

    for (i = 0; i < sizeof(multipliers) / sizeof(multipliers[0]); i++) {
        k = starts(t + pos, m - pos, multipliers[i].text);
        if (k) {
            unit = multipliers[i].factor;
            pos += k;
            break;
        }
    }
    while (pos < m) {
        cw = match_currency(t + pos, m - pos, &k);
        if (cw) {
            yuan = 1;
            if (set_currency(&cur, cw->code) < 0)
                return error_set(err, "'%s' names two currencies", buf);
            pos += k;
        } else if ((k = starts(t + pos, m - pos, "整"))) {
            pos += k;
        } else {
            return error_set(err, "'%s' is not an amount of money: unknown unit or currency '%s'",
                             buf, t + pos);
        }
    }
    /* 万/亿 fix the unit; 元 or a currency after the number means units of
     * that currency; otherwise the number is in the column's unit (a
     * currency before the number, "USD 100", only names the currency). */
    if (!unit)
        unit = yuan ? 1 : (uint64_t)(bare_unit ? bare_unit : MONEY_UNIT_WAN);
    if (scale_decimal(mant, frac, unit * 100, &out->cents) < 0)
        return error_set(err, "'%s' is too large an amount", buf);
    memcpy(out->currency, cur ? cur : "CNY", 4);
    return 1;
}

enum money_unit value_header_money_unit(const char *header)
{
    char cur[4];
    if (!header)
        return 0;
    if (strstr(header, "亿"))
        return MONEY_UNIT_YI;
    if (strstr(header, "千万"))
        return MONEY_UNIT_QIANWAN;
    if (strstr(header, "百万"))
        return MONEY_UNIT_BAIWAN;
    if (strstr(header, "万"))
        return MONEY_UNIT_WAN;
    if (strstr(header, "千元") || strstr(header, "千美元") || strstr(header, "千港元"))
        return MONEY_UNIT_QIAN;
    if (strstr(header, "元"))
        return MONEY_UNIT_YUAN;
    /* A currency without a scale ("(USD)", "(美金)") means whole units. */
    if (value_header_currency(header, cur))
        return MONEY_UNIT_YUAN;
    return 0;
}

int value_header_currency(const char *header, char out[4])
{
    size_t i, n;
    if (!header)
        return 0;
    n = strlen(header);
    for (i = 0; i < n; i++) {
        size_t len;
        const struct currency_word *w = match_currency(header + i, n - i, &len);
        /* 元 names the unit but no currency; RMB/人民币 are the default */
        if (w && w->code && strcmp(w->code, "CNY")) {
            memcpy(out, w->code, 4);
            return 1;
        }
    }
    return 0;
}

/* ---- dates ---- */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Civil date of a day count from 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DD" for 0 <= y <= 9999, 1 <= m <= 12, 1 <= d <= 31. */
static void format_ymd(char out[11], int y, int m, int d)
{
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10 % 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10 % 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

static int valid_today(const char *today)
{
    int i;
    if (!today)
        return 0;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (today[i] != '-')
                return 0;
        } else if (!is_digit(today[i])) {
            return 0;
        }
    }
    return today[10] == '\0';
}

static int make_date(int y, int m, int d, const char *today, char out[11], const char *what,
                     struct error *err)
{
    static const char *const months[] = { "January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December" };
    if (m < 1 || m > 12)
        return error_set(err, "'%s' is not a date: there is no month %d", what, m);
    if (d < 1 || d > days_in_month(y, m))
        return error_set(err, "'%s' is not a date: %s %d has no day %d", what, months[m - 1], y,
                         d);
    if (y < 1800)
        return error_set(err, "'%s': the year %d is before 1800", what, y);
    if (y > 9999)
        return error_set(err, "'%s' is not a date", what);
    format_ymd(out, y, m, d);
    if (valid_today(today) && strcmp(out, today) > 0)
        return error_set(err, "'%s' is in the future (today is %s)", what, today);
    return 1;
}

/* Excel's 1900 date system: serial 1 is 1900-01-01 and, copying Lotus 1-2-3,
 * serial 60 is the 29 February 1900 that never was, so from serial 61 on
 * the days are counted from 1899-12-30. */
static int date_from_serial(double serial, const char *today, char out[11], const char *what,
                            struct error *err)
{
    int64_t days;
    int y, m, d;

    if (!(serial >= 1 && serial < 2958466))
        return error_set(err, "'%s' is not a date (Excel serial numbers run from 1 to 2958465)",
                         what);
    days = (int64_t)floor(serial);
    if (days == 60)
        return error_set(err, "'%s' is not a date: Excel serial 60 is 29 February 1900, "
                              "which did not exist", what);
    /* 1899-12-31 is day -25568 from 1970-01-01, 1899-12-30 is -25569 */
    civil_from_days(days < 60 ? days - 25568 : days - 25569, &y, &m, &d);
    return make_date(y, m, d, today, out, what, err);
}

/* Read 1..maxd digits at *p; -1 when there are none or more. */
static int read_int(const char *s, size_t n, size_t *p, int maxd)
{
    int v = 0, k = 0;
    while (*p < n && is_digit(s[*p])) {
        if (++k > maxd)
            return -1;
        v = v * 10 + (s[*p] - '0');
        (*p)++;
    }
    return k ? v : -1;
}

/* What may follow a date: a time of day, which is ignored. */
static int time_tail_ok(const char *s, size_t n, size_t p)
{
    if (p == n)
        return 1;
    if (s[p] == ' ' || s[p] == 'T' || s[p] == 't')
        p++;
    else
        return 0;
    if (p == n || !is_digit(s[p]))
        return 0;
    for (; p < n; p++) {
        char c = s[p];
        if (!(is_digit(c) || c == ':' || c == '.' || c == 'Z' || c == '+' || c == '-' || c == ' '))
            return 0;
    }
    return 1;
}

/* Why a text that failed to parse is not a date, when a common mistake
 * explains it: a month without a day, the year last, a two-digit year. */
static int not_a_date(struct error *err, const char *buf, size_t n)
{
    size_t p = 0, groups = 0, len[4] = { 0, 0, 0, 0 };
    while (p < n && groups < 4) {
        size_t start = p;
        while (p < n && is_digit(buf[p]))
            p++;
        if (p == start)
            break;
        len[groups++] = p - start;
        if (p < n && (buf[p] == '-' || buf[p] == '/' || buf[p] == '.'))
            p++;
        else
            break;
    }
    if (p == n && groups == 2 && len[0] == 4 && len[1] <= 2)
        return error_set(err, "'%s' is not a date: it has no day (a month, not a date)", buf);
    if (p == n && groups == 3 && len[0] <= 2 && len[1] <= 2 && len[2] == 4)
        return error_set(err, "'%s' is not a date: with the year last, the day-first and the "
                              "month-first readings differ; write it as 2019-03-05", buf);
    if (p == n && groups == 3 && len[0] == 2 && len[1] <= 2 && len[2] <= 2)
        return error_set(err, "'%s' is not a date: a two-digit year is ambiguous; write the "
                              "year in full (2019-03-05)", buf);
    return error_set(err, "'%s' is not a date", buf);
}

static int parse_date_text(const char *s, size_t len, const char *today, char out[11],
                           struct error *err)
{
    char buf[128];
    int n = fold(s, len, buf, sizeof(buf));
    size_t p = 0, k;
    int y, m, d;

    if (n < 0)
        return error_set(err, "'%s' is not a date", shown(s, len, buf));
    if (n == 0)
        return 0;
    /* All digits: YYYYMMDD or an Excel serial in text. */
    for (k = 0; k < (size_t)n && is_digit(buf[k]); k++)
        ;
    if (k == (size_t)n) {
        if (n == 8) {
            y = (buf[0] - '0') * 1000 + (buf[1] - '0') * 100 + (buf[2] - '0') * 10 + buf[3] - '0';
            m = (buf[4] - '0') * 10 + buf[5] - '0';
            d = (buf[6] - '0') * 10 + buf[7] - '0';
            return make_date(y, m, d, today, out, buf, err);
        }
        if (n == 5) {
            long serial = strtol(buf, NULL, 10);
            if (serial >= 20000 && serial <= 80000)
                return date_from_serial((double)serial, today, out, buf, err);
        }
        return error_set(err, "'%s' is not a date (a number must be YYYYMMDD or an Excel serial "
                              "between 20000 and 80000)", buf);
    }
    y = read_int(buf, (size_t)n, &p, 4);
    if (y < 0 || p != 4)
        return not_a_date(err, buf, (size_t)n);
    if (p + 1 < (size_t)n && buf[p] == ' ' && starts(buf + p + 1, (size_t)n - p - 1, "年"))
        p++;
    if ((k = starts(buf + p, (size_t)n - p, "年"))) {
        p += k;
        while (p < (size_t)n && buf[p] == ' ')
            p++;
        m = read_int(buf, (size_t)n, &p, 2);
        while (p < (size_t)n && buf[p] == ' ')
            p++;
        if (m < 0 || !(k = starts(buf + p, (size_t)n - p, "月")))
            return error_set(err, "'%s' is not a date", buf);
        p += k;
        while (p < (size_t)n && buf[p] == ' ')
            p++;
        d = read_int(buf, (size_t)n, &p, 2);
        if (d < 0)
            return error_set(err, "'%s' is not a date: it has no day (a month, not a date)", buf);
        while (p < (size_t)n && buf[p] == ' ')
            p++;
        if ((k = starts(buf + p, (size_t)n - p, "日")) || (k = starts(buf + p, (size_t)n - p, "号")))
            p += k;
        if (p < (size_t)n && buf[p] != ' ')
            return error_set(err, "'%s' is not a date", buf);
    } else if (p < (size_t)n && (buf[p] == '-' || buf[p] == '/' || buf[p] == '.')) {
        char sep = buf[p++];
        m = read_int(buf, (size_t)n, &p, 2);
        if (m < 0 || p >= (size_t)n || buf[p] != sep)
            return not_a_date(err, buf, (size_t)n);
        p++;
        d = read_int(buf, (size_t)n, &p, 2);
        if (d < 0)
            return error_set(err, "'%s' is not a date", buf);
    } else {
        return error_set(err, "'%s' is not a date", buf);
    }
    if (!time_tail_ok(buf, (size_t)n, p))
        return error_set(err, "'%s' is not a date", buf);
    return make_date(y, m, d, today, out, buf, err);
}

int value_parse_date(const struct cell *c, const char *today, char out[11], struct error *err)
{
    char show[80];

    out[0] = '\0';
    if (cell_is_blank(c))
        return 0;
    switch (c->type) {
    case CELL_NUMBER:
        /* 20190305 typed into a number cell */
        if (c->number >= 10000000 && c->number <= 99999999 && c->number == floor(c->number)) {
            char ymd[16];
            snprintf(ymd, sizeof(ymd), "%.0f", c->number);
            return parse_date_text(ymd, strlen(ymd), today, out, err);
        }
        return date_from_serial(c->number, today, out, shown(c->text, c->len, show), err);
    case CELL_DATE:
        /* "YYYY-MM-DD" or with a time; fall back on the serial */
        if (parse_date_text(c->text, c->len, today, out, NULL) == 1)
            return 1;
        return date_from_serial(c->number, today, out, shown(c->text, c->len, show), err);
    case CELL_STRING:
        return parse_date_text(c->text, c->len, today, out, err);
    default:
        return error_set(err, "'%s' is not a date", shown(c->text, c->len, show));
    }
}

void value_today(char out[11])
{
    const char *env = getenv("MAGNET_TODAY");
    time_t now;
    struct tm tm;

    if (valid_today(env)) {
        memcpy(out, env, 11);
        return;
    }
    now = time(NULL);
    localtime_r(&now, &tm);
    format_ymd(out, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ---- registration status ---- */

struct status_word {
    const char *text;
    enum ent_status st;
    size_t len;  /* set by the initialiser below: strlen(text) */
};

#define STATUS_WORD(t, st) { t, st, sizeof(t) - 1 }

/* Matched against the text with spaces and the separators ，,、;/ removed,
 * ASCII lower-cased, and anything in brackets dropped. */
static const struct status_word status_words[] = {
    STATUS_WORD("存续", STATUS_ACTIVE),       STATUS_WORD("在业", STATUS_ACTIVE),
    STATUS_WORD("在营", STATUS_ACTIVE),       STATUS_WORD("开业", STATUS_ACTIVE),
    STATUS_WORD("在册", STATUS_ACTIVE),       STATUS_WORD("正常", STATUS_ACTIVE),
    STATUS_WORD("营业", STATUS_ACTIVE),       STATUS_WORD("正常经营", STATUS_ACTIVE),
    STATUS_WORD("迁入", STATUS_ACTIVE),       STATUS_WORD("已迁入", STATUS_ACTIVE),
    /* 经营异常 is a listing in the credit system, not a registration
     * status: such an enterprise is still registered (存续). */
    STATUS_WORD("经营异常", STATUS_ACTIVE),   STATUS_WORD("active", STATUS_ACTIVE),
    STATUS_WORD("inbusiness", STATUS_ACTIVE), STATUS_WORD("existing", STATUS_ACTIVE),
    STATUS_WORD("注销", STATUS_CANCELLED),    STATUS_WORD("已注销", STATUS_CANCELLED),
    /* revoked and then cancelled: cancellation is the later, final state */
    STATUS_WORD("吊销已注销", STATUS_CANCELLED), STATUS_WORD("吊销后注销", STATUS_CANCELLED),
    STATUS_WORD("cancelled", STATUS_CANCELLED), STATUS_WORD("canceled", STATUS_CANCELLED),
    STATUS_WORD("deregistered", STATUS_CANCELLED),
    STATUS_WORD("吊销", STATUS_REVOKED),      STATUS_WORD("已吊销", STATUS_REVOKED),
    STATUS_WORD("被吊销", STATUS_REVOKED),    STATUS_WORD("吊销未注销", STATUS_REVOKED),
    STATUS_WORD("吊销营业执照", STATUS_REVOKED), STATUS_WORD("revoked", STATUS_REVOKED),
    STATUS_WORD("迁出", STATUS_MOVED_OUT),    STATUS_WORD("已迁出", STATUS_MOVED_OUT),
    STATUS_WORD("movedout", STATUS_MOVED_OUT), STATUS_WORD("moved-out", STATUS_MOVED_OUT),
    STATUS_WORD("moved_out", STATUS_MOVED_OUT),
    STATUS_WORD("停业", STATUS_SUSPENDED),    STATUS_WORD("歇业", STATUS_SUSPENDED),
    STATUS_WORD("suspended", STATUS_SUSPENDED),
    STATUS_WORD("清算", STATUS_LIQUIDATING),  STATUS_WORD("清算中", STATUS_LIQUIDATING),
    STATUS_WORD("正在清算", STATUS_LIQUIDATING), STATUS_WORD("liquidating", STATUS_LIQUIDATING),
    STATUS_WORD("liquidation", STATUS_LIQUIDATING), STATUS_WORD("inliquidation", STATUS_LIQUIDATING),
    STATUS_WORD("撤销", STATUS_OTHER),        STATUS_WORD("已撤销", STATUS_OTHER),
    STATUS_WORD("被撤销", STATUS_OTHER),      STATUS_WORD("撤销登记", STATUS_OTHER),
    STATUS_WORD("责令关闭", STATUS_OTHER),    STATUS_WORD("关闭", STATUS_OTHER),
    STATUS_WORD("解散", STATUS_OTHER),        STATUS_WORD("其他", STATUS_OTHER),
    STATUS_WORD("other", STATUS_OTHER),
};

static int status_lookup(const char *s, size_t n, enum ent_status *out)
{
    size_t i;
    if (n > 6 && ends_with(s, n, "企业"))
        n -= strlen("企业");
    for (i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++) {
        if (status_words[i].len == n && starts(s, n, status_words[i].text) == n) {
            *out = status_words[i].st;
            return 1;
        }
    }
    return 0;
}

int value_parse_status(const char *s, size_t len, enum ent_status *out, struct error *err)
{
    static const char *const seps[] = { " ", ",", "、", ";", "/", "|" };
    char buf[VALUE_MAX_TEXT], main_part[VALUE_MAX_TEXT];
    int n;
    size_t m = 0, i, depth = 0, start, part;
    enum ent_status st = STATUS_UNKNOWN, one;

    *out = STATUS_UNKNOWN;
    if (value_is_blank(s, len))
        return 0;
    n = fold(s, len, buf, sizeof(buf));
    if (n < 0)
        return error_set(err, "'%s' is not a registration status", shown(s, len, main_part));
    /* "存续（在营、开业、在册）": the part outside brackets is the status;
     * only when there is none does the bracketed text count. */
    for (i = 0; i < (size_t)n; i++) {
        if (buf[i] == '(' || buf[i] == '[')
            depth++;
        else if ((buf[i] == ')' || buf[i] == ']') && depth)
            depth--;
        else if (!depth)
            main_part[m++] = (char)lower((unsigned char)buf[i]);
    }
    if (m == 0) {
        for (i = 0; i < (size_t)n; i++)
            if (buf[i] != '(' && buf[i] != ')' && buf[i] != '[' && buf[i] != ']')
                main_part[m++] = (char)lower((unsigned char)buf[i]);
    }
    main_part[m] = '\0';
    {
        char joined[VALUE_MAX_TEXT];
        size_t jn = m;
        memcpy(joined, main_part, m + 1);
        remove_all(joined, &jn, seps, sizeof(seps) / sizeof(seps[0]));
        if (status_lookup(joined, jn, out))
            return 1;
    }
    /* "存续/在业": parts that all say the same thing. */
    for (start = 0, part = 0; start <= m;) {
        size_t end = start, k = 0;
        while (end < m) {
            for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
                if ((k = starts(main_part + end, m - end, seps[i])))
                    break;
            if (i < sizeof(seps) / sizeof(seps[0]))
                break;
            end++;
        }
        if (end > start) {
            if (!status_lookup(main_part + start, end - start, &one) || (part && one != st))
                return error_set(err, "'%s' is not a registration status", buf);
            st = one;
            part++;
        }
        if (end >= m)
            break;
        start = end + k;
    }
    if (!part)
        return error_set(err, "'%s' is not a registration status", buf);
    *out = st;
    return 1;
}

static const char *const status_names[] = {
    "unknown", "active", "cancelled", "revoked", "moved-out", "suspended", "liquidating", "other",
};

static const char *const status_labels[] = {
    "未知", "存续", "注销", "吊销", "迁出", "停业", "清算", "其他",
};

const char *value_status_name(enum ent_status st)
{
    return (unsigned)st < sizeof(status_names) / sizeof(status_names[0]) ? status_names[st]
                                                                          : "unknown";
}

const char *value_status_label(enum ent_status st)
{
    return (unsigned)st < sizeof(status_labels) / sizeof(status_labels[0]) ? status_labels[st]
                                                                           : "未知";
}

int value_status_from_name(const char *name, enum ent_status *out)
{
    size_t i;
    if (!name)
        return -1;
    for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
        if (strcmp(name, status_names[i]) == 0 || strcmp(name, status_labels[i]) == 0) {
            *out = (enum ent_status)i;
            return 0;
        }
    }
    return value_parse_status(name, strlen(name), out, NULL) == 1 ? 0 : -1;
}

/* ---- counts ---- */

int value_parse_count(const struct cell *c, int64_t *out, struct error *err)
{
    static const char *const prefixes[] = { "大约", "约为", "约", "近", "逾", "超过", "超" };
    static const char *const suffixes[] = { "余", "多", "+", "人", "名", "位", "个", "家",
                                            "户", "次", "件", "项", "左右", "以上" };
    char buf[VALUE_MAX_TEXT], show[80];
    uint64_t mant = 0, factor = 1, p10 = 1;
    int n, frac = 0, dot = 0, digits = 0;
    size_t pos = 0, i, k;

    *out = 0;
    if (cell_is_blank(c))
        return 0;
    if (c->type == CELL_NUMBER) {
        double x = c->number;
        if (!(x >= 0) || x > 9007199254740992.0)
            return error_set(err, "'%s' is not a count", shown(c->text, c->len, show));
        if (x != floor(x))
            return error_set(err, "'%s' is not a whole number", shown(c->text, c->len, show));
        *out = (int64_t)x;
        return 1;
    }
    if (c->type != CELL_STRING)
        return error_set(err, "'%s' is not a count", shown(c->text, c->len, show));
    n = fold(c->text, c->len, buf, sizeof(buf));
    if (n < 0)
        return error_set(err, "'%s' is not a count", shown(c->text, c->len, show));
    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if ((k = starts(buf, (size_t)n, prefixes[i]))) {
            pos = k;
            break;
        }
    }
    while (pos < (size_t)n && buf[pos] == ' ')
        pos++;
    if (pos < (size_t)n && buf[pos] == '-' && pos + 1 < (size_t)n && is_digit(buf[pos + 1]))
        return error_set(err, "'%s' is negative", buf);
    for (; pos < (size_t)n; pos++) {
        char ch = buf[pos];
        if (is_digit(ch)) {
            if (++digits > 18)
                return error_set(err, "'%s' is too large", buf);
            mant = mant * 10 + (uint64_t)(ch - '0');
            if (dot)
                frac++;
        } else if (ch == ',' && digits && !dot && pos + 1 < (size_t)n && is_digit(buf[pos + 1])) {
            if (!groups_of_three(buf, pos, (size_t)n))
                return error_set(err, "'%s': a comma between digits must separate thousands "
                                      "(1,234); is it a decimal comma?", buf);
            continue;
        } else if (ch == '.' && digits && !dot && pos + 1 < (size_t)n && is_digit(buf[pos + 1])) {
            dot = 1;
        } else {
            break;
        }
    }
    if (!digits)
        return error_set(err, "'%s' is not a count", buf);
    while (pos < (size_t)n && buf[pos] == ' ')
        pos++;
    if ((k = starts(buf + pos, (size_t)n - pos, "万"))) {
        factor = 10000;
        pos += k;
    }
    while (pos < (size_t)n) {
        for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
            if ((k = starts(buf + pos, (size_t)n - pos, suffixes[i])))
                break;
        if (i == sizeof(suffixes) / sizeof(suffixes[0])) {
            if (buf[pos] == ' ') {
                pos++;
                continue;
            }
            if (buf[pos] == '-' || buf[pos] == '~' || starts(buf + pos, (size_t)n - pos, "至"))
                return error_set(err, "'%s' is a range, not a count", buf);
            return error_set(err, "'%s' is not a count", buf);
        }
        pos += k;
    }
    for (i = 0; i < (size_t)frac; i++)
        p10 *= 10;
    if (mant > (uint64_t)INT64_MAX / factor)
        return error_set(err, "'%s' is too large", buf);
    mant *= factor;
    if (mant % p10)
        return error_set(err, "'%s' is not a whole number", buf);
    *out = (int64_t)(mant / p10);
    return 1;
}

/* ---- qualification tags ---- */

enum { LV_NATIONAL = 1, LV_LOCAL = 2, LV_MARKET = 4, LV_DONE = 8 };

struct tag_word {
    const char *text;  /* lower case, quotes and 企业/公司 removed */
    int tag;
    int levels;        /* which prefixes it accepts */
};

static const struct tag_word tag_words[] = {
    { "高新技术", TAG_HIGHTECH, LV_NATIONAL },
    { "高新", TAG_HIGHTECH, LV_NATIONAL },
    { "高企", TAG_HIGHTECH, LV_NATIONAL },
    { "国高企", TAG_HIGHTECH, 0 },
    { "国高新", TAG_HIGHTECH, 0 },
    { "hightech", TAG_HIGHTECH, 0 },
    { "high-tech", TAG_HIGHTECH, 0 },
    { "hnte", TAG_HIGHTECH, 0 },
    { "科技型中小", TAG_TECHSME, LV_NATIONAL | LV_LOCAL },
    { "科技中小", TAG_TECHSME, LV_NATIONAL | LV_LOCAL },
    { "科小", TAG_TECHSME, 0 },
    { "techsme", TAG_TECHSME, 0 },
    { "专精特新", TAG_SPECIALISED, LV_LOCAL },
    { "专精特新中小", TAG_SPECIALISED, LV_LOCAL },
    { "specialised", TAG_SPECIALISED, 0 },
    { "specialized", TAG_SPECIALISED, 0 },
    { "专精特新小巨人", TAG_LITTLEGIANT, LV_NATIONAL },
    { "小巨人", TAG_LITTLEGIANT, LV_NATIONAL },
    { "littlegiant", TAG_LITTLEGIANT, 0 },
    { "little-giant", TAG_LITTLEGIANT, 0 },
    { "瞪羚", TAG_GAZELLE, LV_NATIONAL | LV_LOCAL },
    { "gazelle", TAG_GAZELLE, 0 },
    { "独角兽", TAG_UNICORN, LV_NATIONAL | LV_LOCAL },
    { "unicorn", TAG_UNICORN, 0 },
    { "上市", TAG_LISTED, LV_MARKET | LV_DONE },
    { "listed", TAG_LISTED, 0 },
    { "新三板挂牌", TAG_NEEQ, LV_DONE },
    { "新三板", TAG_NEEQ, LV_DONE },
    { "三板挂牌", TAG_NEEQ, LV_DONE },
    { "挂牌", TAG_NEEQ, LV_DONE },
    { "neeq", TAG_NEEQ, 0 },
};

struct tag_prefix {
    const char *text;
    int level;
};

static const struct tag_prefix tag_prefixes[] = {
    { "国家级", LV_NATIONAL }, { "国家", LV_NATIONAL }, { "省级", LV_LOCAL },
    { "省", LV_LOCAL },        { "市级", LV_LOCAL },    { "市", LV_LOCAL },
    { "区级", LV_LOCAL },      { "区", LV_LOCAL },      { "a股", LV_MARKET },
    { "港股", LV_MARKET },     { "美股", LV_MARKET },   { "科创板", LV_MARKET },
    { "创业板", LV_MARKET },   { "主板", LV_MARKET },   { "北交所", LV_MARKET },
    { "沪市", LV_MARKET },     { "深市", LV_MARKET },   { "境内", LV_MARKET },
    { "境外", LV_MARKET },     { "海外", LV_MARKET },   { "已", LV_DONE },
};

static const char *const tag_names[TAG_COUNT] = {
    "hightech", "techsme", "specialised", "littlegiant", "gazelle", "unicorn", "listed", "neeq",
};

static const char *const tag_labels[TAG_COUNT] = {
    "国家高新技术企业", "科技型中小企业", "专精特新", "专精特新\"小巨人\"",
    "瞪羚企业",         "独角兽企业",     "上市企业", "新三板挂牌",
};

static int tag_word_lookup(const char *s, size_t n, int level)
{
    size_t i;
    for (i = 0; i < sizeof(tag_words) / sizeof(tag_words[0]); i++)
        if (equals(s, n, tag_words[i].text) && (!level || (tag_words[i].levels & level)))
            return tag_words[i].tag;
    return -1;
}

/* The tag a cleaned name stands for, or -1. */
static int tag_lookup(const char *s, size_t n)
{
    size_t i, k;
    int t;

    if (!n)
        return -1;
    if ((t = tag_word_lookup(s, n, 0)) >= 0)
        return t;
    if (n > 6 && (ends_with(s, n, "企业") || ends_with(s, n, "公司"))) {
        n -= 6;
        if ((t = tag_word_lookup(s, n, 0)) >= 0)
            return t;
    }
    for (i = 0; i < sizeof(tag_prefixes) / sizeof(tag_prefixes[0]); i++) {
        if ((k = starts(s, n, tag_prefixes[i].text)) && k < n) {
            t = tag_word_lookup(s + k, n - k, tag_prefixes[i].level);
            /* National-level 专精特新 is the 小巨人 list. */
            if (t < 0 && tag_prefixes[i].level == LV_NATIONAL &&
                (equals(s + k, n - k, "专精特新") || equals(s + k, n - k, "专精特新中小")))
                t = TAG_LITTLEGIANT;
            if (t >= 0)
                return t;
        }
    }
    return -1;
}

/* Take a year or a date out of the token: "2021", "2021年", "2021年度",
 * "2021-12-20", "2021年12月20日". Returns the year (0 for none) and writes
 * date[] when a full date was given. The token is edited in place. */
static int take_year(char *tok, size_t *n, char date[11])
{
    static const char *const after[] = { "年度", "年" };
    size_t i, j, k, e;
    int year = 0;

    date[0] = '\0';
    for (i = 0; i + 4 <= *n; i++) {
        if (!is_digit(tok[i]) || (i && is_digit(tok[i - 1])))
            continue;
        for (j = i; j < *n && is_digit(tok[j]); j++)
            ;
        if (j - i != 4)
            continue;
        year = (tok[i] - '0') * 1000 + (tok[i + 1] - '0') * 100 + (tok[i + 2] - '0') * 10 +
               (tok[i + 3] - '0');
        if (year < 1900 || year > 2100) {
            year = 0;
            continue;
        }
        e = j;
        /* a full date after the year? */
        {
            char d[11];
            size_t m = j;
            while (m < *n && (is_digit(tok[m]) || tok[m] == '-' || tok[m] == '/' ||
                              tok[m] == '.' || starts(tok + m, *n - m, "年") ||
                              starts(tok + m, *n - m, "月") || starts(tok + m, *n - m, "日")))
                m += is_digit(tok[m]) || tok[m] == '-' || tok[m] == '/' || tok[m] == '.' ? 1 : 3;
            if (m > j + 1 && parse_date_text(tok + i, m - i, NULL, d, NULL) == 1) {
                memcpy(date, d, 11);
                e = m;
            }
        }
        if (!date[0]) {
            for (k = 0; k < sizeof(after) / sizeof(after[0]); k++) {
                size_t l = starts(tok + e, *n - e, after[k]);
                if (l) {
                    e += l;
                    break;
                }
            }
        }
        memmove(tok + i, tok + e, *n - e);
        *n -= e - i;
        tok[*n] = '\0';
        break;
    }
    return year;
}

static void set_tag(struct tag_set *ts, int t, int year, const char *date)
{
    ts->mask |= 1u << t;
    if (year && year >= ts->year[t]) {
        /* the latest certification counts */
        ts->year[t] = (int16_t)year;
        memcpy(ts->date[t], date, 11);
    }
}

static void add_unknown(char *unknown, size_t unknown_len, size_t *used, const char *tok, size_t n)
{
    size_t sep = *used ? strlen("、") : 0;
    if (!unknown || !unknown_len || !n)
        return;
    if (*used + sep + n + 1 > unknown_len)
        return;  /* whole tokens only: one that does not fit is left out */
    if (sep) {
        memcpy(unknown + *used, "、", sep);
        *used += sep;
    }
    memcpy(unknown + *used, tok, n);
    *used += n;
    unknown[*used] = '\0';
}

int value_parse_tags(const char *s, size_t len, struct tag_set *out, char *unknown,
                     size_t unknown_len, struct error *err)
{
    static const char *const seps[] = { "、", ",", ";", "/", "|", " ", "\n" };
    static const char *const noise[] = { "\"", "'", "“", "”", "‘", "’", "「", "」", "『", "』",
                                         "(", ")", "[", "]", "【", "】", "认定", "入选", "获评",
                                         "复审", "通过", ":", "-", " " };
    char buf[4 * VALUE_MAX_TEXT], show[80];
    int n, last = -1, found = 0;
    size_t pos = 0, used = 0, i, k;

    memset(out, 0, sizeof(*out));
    if (unknown && unknown_len)
        unknown[0] = '\0';
    if (value_is_blank(s, len))
        return 0;
    n = fold(s, len, buf, sizeof(buf));
    if (n < 0)
        return error_set(err, "'%s' is not a list of qualifications", shown(s, len, show));
    while (pos < (size_t)n) {
        char tok[4 * VALUE_MAX_TEXT], name[4 * VALUE_MAX_TEXT], date[11];
        size_t start = pos, tn, nn, depth = 0;
        int year, t;

        /* a token runs to a separator outside brackets (k bytes long) */
        k = 0;
        while (pos < (size_t)n) {
            char c = buf[pos];
            if (c == '(' || c == '[' || starts(buf + pos, (size_t)n - pos, "【")) {
                depth++;
            } else if ((c == ')' || c == ']' || starts(buf + pos, (size_t)n - pos, "】")) &&
                       depth) {
                depth--;
            } else if (!depth) {
                for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
                    if ((k = starts(buf + pos, (size_t)n - pos, seps[i])))
                        break;
                if (i < sizeof(seps) / sizeof(seps[0]))
                    break;
            }
            pos++;
        }
        tn = pos - start;
        memcpy(tok, buf + start, tn);
        tok[tn] = '\0';
        if (pos < (size_t)n)
            pos += k;
        if (!tn)
            continue;

        memcpy(name, tok, tn + 1);
        nn = tn;
        for (i = 0; i < nn; i++)
            name[i] = (char)lower((unsigned char)name[i]);
        year = take_year(name, &nn, date);
        remove_all(name, &nn, noise, sizeof(noise) / sizeof(noise[0]));
        if (!nn) {
            /* a year on its own ("小巨人 2022年") belongs to the tag before it */
            if (year && last >= 0)
                set_tag(out, last, year, date);
            else if (year)
                add_unknown(unknown, unknown_len, &used, tok, tn), found = 1;
            continue;
        }
        t = tag_lookup(name, nn);
        if (t < 0) {
            add_unknown(unknown, unknown_len, &used, tok, tn);
            found = 1;
            last = -1;
            continue;
        }
        set_tag(out, t, year, date);
        last = t;
        found = 1;
    }
    if (out->mask & (1u << TAG_LITTLEGIANT))
        out->mask |= 1u << TAG_SPECIALISED;
    return found;
}

const char *value_tag_name(enum ent_tag t)
{
    return (unsigned)t < TAG_COUNT ? tag_names[t] : "unknown";
}

const char *value_tag_label(enum ent_tag t)
{
    return (unsigned)t < TAG_COUNT ? tag_labels[t] : "未知";
}

int value_tag_from_name(const char *name, enum ent_tag *out)
{
    struct tag_set ts;
    int t;

    if (!name)
        return -1;
    for (t = 0; t < TAG_COUNT; t++) {
        if (strcmp(name, tag_names[t]) == 0 || strcmp(name, tag_labels[t]) == 0) {
            *out = (enum ent_tag)t;
            return 0;
        }
    }
    /* An alias: exactly one tag, 小巨人 counting as itself. */
    if (value_parse_tags(name, strlen(name), &ts, NULL, 0, NULL) != 1 || !ts.mask)
        return -1;
    if (ts.mask & (1u << TAG_LITTLEGIANT))
        ts.mask = 1u << TAG_LITTLEGIANT;
    for (t = 0; t < TAG_COUNT; t++) {
        if (ts.mask == 1u << t) {
            *out = (enum ent_tag)t;
            return 0;
        }
    }
    return -1;
}

/* ---- funding round ---- */

struct round_word {
    const char *text;   /* lower case, no spaces, no 轮 */
    const char *canon;  /* NULL: a "not disclosed" spelling, no value */
};

static const struct round_word round_words[] = {
    { "种子", "seed" },        { "种子+", "seed+" },         { "seed", "seed" },
    { "天使", "angel" },       { "天使+", "angel+" },        { "angel", "angel" },
    { "天使投资", "angel" },   { "pre-天使", "pre-angel" },  { "pre天使", "pre-angel" },
    { "pre-angel", "pre-angel" },
    { "pre-ipo", "pre-ipo" },  { "preipo", "pre-ipo" },
    { "ipo", "ipo" },          { "ipo上市", "ipo" },         { "首次公开发行", "ipo" },
    { "战略融资", "strategic" }, { "战略投资", "strategic" }, { "战略", "strategic" },
    { "strategic", "strategic" },
    { "股权融资", "equity" },  { "股权投资", "equity" },     { "equity", "equity" },
    { "定向增发", "placement" }, { "定增", "placement" },    { "新三板定增", "placement" },
    { "增发", "placement" },   { "非公开发行", "placement" }, { "placement", "placement" },
    { "并购", "m&a" },         { "收购", "m&a" },            { "被收购", "m&a" },
    { "被并购", "m&a" },       { "并购重组", "m&a" },        { "m&a", "m&a" },
    { "新三板", "neeq" },      { "新三板挂牌", "neeq" },     { "neeq", "neeq" },
    { "已上市", "listed" },    { "上市", "listed" },         { "listed", "listed" },
    { "上市后", "post-ipo" },  { "ipo后", "post-ipo" },      { "post-ipo", "post-ipo" },
    { "债权融资", "debt" },    { "债权", "debt" },           { "debt", "debt" },
    { "股权转让", "transfer" }, { "transfer", "transfer" },
    { "未披露", NULL },        { "未透露", NULL },           { "不明确", NULL },
    { "undisclosed", NULL },
};

/* 1 with out set, 0 for an undisclosed round, -1 when key is no round. */
static int round_lookup(const char *key, size_t kn, char out[16])
{
    size_t i, p = 0;

    for (i = 0; i < sizeof(round_words) / sizeof(round_words[0]); i++) {
        if (equals(key, kn, round_words[i].text)) {
            if (!round_words[i].canon)
                return 0;
            snprintf(out, 16, "%s", round_words[i].canon);
            return 1;
        }
    }
    /* Lettered rounds: [pre-]A..J followed by up to two '+'. */
    if (starts(key, kn, "pre")) {
        p = 3;
        if (p < kn && key[p] == '-')
            p++;
    }
    if (p < kn && key[p] >= 'a' && key[p] <= 'j') {
        size_t q = p + 1;
        while (q < kn && key[q] == '+' && q - p <= 2)
            q++;
        if (q == kn) {
            snprintf(out, 16, "%s%.*s", p ? "pre-" : "", (int)(kn - p), key + p);
            return 1;
        }
    }
    return -1;
}

int value_parse_round(const char *s, size_t len, char out[16], struct error *err)
{
    static const char *const drop[] = { " ", "轮次", "轮", "series", "_" };
    char buf[128], key[128], show[80];
    int n;
    size_t kn, i;

    out[0] = '\0';
    if (value_is_blank(s, len))
        return 0;
    n = fold(s, len, buf, sizeof(buf));
    if (n < 0)
        return error_set(err, "'%s' is not a funding round", shown(s, len, show));
    for (i = 0; i <= (size_t)n; i++)
        key[i] = (char)lower((unsigned char)buf[i]);
    kn = (size_t)n;
    /* "pre_a" and "pre a" are "pre-a": a space or _ after pre is a hyphen */
    for (i = 0; i + 4 < kn; i++)
        if (starts(key + i, kn - i, "pre") && (key[i + 3] == ' ' || key[i + 3] == '_'))
            key[i + 3] = '-';
    remove_all(key, &kn, drop, sizeof(drop) / sizeof(drop[0]));
    for (;;) {
        int rc = round_lookup(key, kn, out);
        if (rc >= 0)
            return rc;
        /* "A轮融资", "天使轮投资": try again without the word */
        if (kn > 6 && (ends_with(key, kn, "融资") || ends_with(key, kn, "投资"))) {
            kn -= 6;
            key[kn] = '\0';
            continue;
        }
        return error_set(err, "'%s' is not a funding round", buf);
    }
}

/* The Chinese label of a canonical round, as registries and vendors write
 * it; value_parse_round() reads every label back to the same form. */
void value_round_label(const char *round, char *out, size_t outlen)
{
    static const struct {
        const char *canon, *label;
    } fixed[] = {
        { "seed", "种子轮" },       { "seed+", "种子+轮" },     { "angel", "天使轮" },
        { "angel+", "天使+轮" },    { "pre-angel", "Pre-天使轮" }, { "pre-ipo", "Pre-IPO" },
        { "ipo", "IPO" },           { "post-ipo", "上市后" },   { "listed", "已上市" },
        { "neeq", "新三板" },       { "placement", "定向增发" }, { "strategic", "战略融资" },
        { "equity", "股权融资" },   { "m&a", "并购" },          { "debt", "债权融资" },
        { "transfer", "股权转让" },
    };
    size_t i, n;
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (!strcmp(round, fixed[i].canon)) {
            snprintf(out, outlen, "%s", fixed[i].label);
            return;
        }
    /* [pre-]a..j with '+'s: "pre-a" -> "Pre-A轮", "b+" -> "B+轮" */
    n = 0;
    if (!strncmp(round, "pre-", 4)) {
        n = (size_t)snprintf(out, outlen, "Pre-");
        round += 4;
    }
    if (n < outlen && round[0] >= 'a' && round[0] <= 'j')
        snprintf(out + n, outlen - n, "%c%s轮", round[0] - 'a' + 'A', round + 1);
    else if (n < outlen)
        snprintf(out + n, outlen - n, "%s", round);
}
