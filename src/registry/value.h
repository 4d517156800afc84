/*
 * value.h - parsers for the values found in enterprise spreadsheets:
 * money, dates, registration statuses, counts, qualification tags and
 * funding rounds. Each takes a cell's text (and, where it matters, its XLSX
 * type) and returns 1 for a value, 0 for "no value" (empty, "-", "—", "/",
 * "无", "暂无", "null", "N/A"...), or -1 with a message in err saying why the
 * text is not such a value. The messages name the problem, not the row: the
 * importer adds row and column.
 *
 * Every parser first folds full-width ASCII (Ａ１，（) to half-width and
 * all white space (U+3000, NBSP...) to single spaces, so "５００万元" is
 * "500万元". docs/formats.md lists the accepted forms for users.
 */
#ifndef MAGNET_REGISTRY_VALUE_H
#define MAGNET_REGISTRY_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "registry/table.h"

/* ---- money ---- */

/* The unit a bare number is in: from the column header ("注册资本(万元)",
 * "注册资本（元）"), else MONEY_UNIT_WAN, the registries' convention. */
enum money_unit {
    MONEY_UNIT_YUAN = 1,
    MONEY_UNIT_QIAN = 1000,         /* 千元 */
    MONEY_UNIT_WAN = 10000,
    MONEY_UNIT_BAIWAN = 1000000,    /* 百万元 */
    MONEY_UNIT_QIANWAN = 10000000,  /* 千万元 */
    MONEY_UNIT_YI = 100000000
};

struct money {
    int64_t cents;     /* amount in 1/100 of the currency unit: "1,000.5万" -> 1000500000 */
    char currency[4];  /* ISO 4217: "CNY", "USD", "HKD", "EUR", "JPY", "GBP", ... */
};

/* "500万元人民币", "500万人民币", "1,000.5万美元", "5000000元", "300(万元)",
 * "1.2亿", "500", "５００万元" (full width), "人民币500万元", "USD 100万". A
 * number with more than two decimals of the currency unit is rounded half
 * away from zero. Negative amounts are an error.
 *
 * Form: [currency] number [千|万|百万|千万|亿|万亿] [元] [currency] [整],
 * spaces and brackets around units ignored ("300（万元）", "500万(元)").
 * The number: digits, "," thousands separators, one "." (at most 19
 * significant digits, else "has too many digits"), optionally an exponent
 * as spreadsheets write large numbers ("1.5E+7"); parsed as a decimal,
 * never through a float. The unit: a multiplier word if there is one;
 * else 元 or a currency word after the number means units of the currency
 * ("5000000元", "500美元"); else bare_unit (0 = 万). A currency before the
 * number only names the currency: "USD 100" is 100 of bare_unit.
 * Currencies: 人民币 RMB CNY ¥ ￥ (CNY, also the default), 美元 美金 USD US$ $,
 * 港元 港币 HKD HK$, 欧元 EUR €, 日元 JPY, 英镑 GBP £, 澳元 AUD, 加元 CAD,
 * 新加坡元 SGD, 瑞士法郎 CHF, 韩元 KRW, 新台币 台币 TWD, 澳门元 MOP, 卢布 RUB.
 * Errors: "'-500万' is negative", "'五百万' is not an amount of money",
 * "'500万元/年' is not an amount of money: unknown unit or currency '/年'",
 * "'500 300' holds two numbers", "'500万美元人民币' names two currencies",
 * "'(500)': a bracketed number is not an amount", "... is too large an
 * amount" (past INT64_MAX cents). A blank gives 0 with out zeroed. */
int value_parse_money(const char *s, size_t len, enum money_unit bare_unit, struct money *out,
                      struct error *err);

/* Find the unit a header declares: "注册资本(万元)" -> MONEY_UNIT_WAN,
 * "注册资本（元）" -> MONEY_UNIT_YUAN; 0 when the header names none.
 * The first of 亿, 万, 元 found anywhere in the header decides, in that
 * order ("注册资本(万美元)" -> MONEY_UNIT_WAN). */
enum money_unit value_header_money_unit(const char *header);

/* The currency a header declares for its bare numbers: "注册资本（万美元）",
 * "Registered Capital (USD)" -> "USD"; 0 when it names none (then CNY). */
int value_header_currency(const char *header, char out[4]);

/* ---- dates ---- */

/* "2019-03-05", "2019/3/5", "2019.3.5", "2019年3月5日", "20190305",
 * "2019-03-05 00:00:00", an Excel serial number (a CELL_NUMBER or a bare
 * integer 1..2958465 in text) and CELL_DATE cells. Writes "YYYY-MM-DD".
 * The date must exist in the calendar and not lie after today
 * ("YYYY-MM-DD"; NULL = no check).
 *
 * Precisely: Y-M-D with one separator - / or . used twice (1- or 2-digit
 * month and day), "YYYY年M月D日" (日 or 号 optional, spaces allowed),
 * YYYYMMDD; each may be followed by a time ("T08:30:00", " 0:00",
 * "+08:00"), which is ignored. Excel serials use the 1900 date system with
 * Lotus's 29 February 1900: serial 60 is an error, 61 is 1900-03-01. A
 * CELL_NUMBER may be any serial 1..2958465 (a fraction is the time of day)
 * or an eight-digit YYYYMMDD (20190305 typed into a number cell);
 * in text only five-digit integers 20000..80000 (1954-10-03..2119-01-10)
 * count as serials, so that "2019" or "12345" is not taken for a date.
 * Rejected: month 0 or 13, a day the month lacks ("February 2019 has no
 * day 30"), years before 1800, dates after today, two-digit years,
 * day-first forms ("05/03/2019"), CELL_BOOL and Excel errors other than
 * #N/A (which is blank). */
int value_parse_date(const struct cell *c, const char *today, char out[11], struct error *err);

/* Today's date in local time, "YYYY-MM-DD"; $MAGNET_TODAY overrides it
 * (for tests). */
void value_today(char out[11]);

/* ---- registration status ---- */

enum ent_status {
    STATUS_UNKNOWN = 0,
    STATUS_ACTIVE,       /* 存续 在业 在营 开业 在册 正常 */
    STATUS_CANCELLED,    /* 注销 */
    STATUS_REVOKED,      /* 吊销 (also "吊销，未注销") */
    STATUS_MOVED_OUT,    /* 迁出 */
    STATUS_SUSPENDED,    /* 停业 歇业 */
    STATUS_LIQUIDATING,  /* 清算 */
    STATUS_OTHER         /* recognised as a status but none of the above (撤销, 责令关闭...) */
};

/* "存续（在营、开业、在册）" -> STATUS_ACTIVE. Unrecognised text is an error.
 *
 * The text outside brackets decides ("存续（在营、开业、在册）" is 存续);
 * parts separated by ，、/; must agree ("存续/在业"). Decisions:
 * "吊销，未注销" is STATUS_REVOKED; "吊销，已注销" is STATUS_CANCELLED (it
 * was revoked, then cancelled: cancellation is final); 迁入 is
 * STATUS_ACTIVE (registered here now); 经营异常 is STATUS_ACTIVE: it is a
 * listing in the credit-information system, not a registration status, and
 * such an enterprise is still 存续. 撤销, 责令关闭, 关闭, 解散, 其他 are
 * STATUS_OTHER. English: active, in business, existing, cancelled,
 * canceled, deregistered, revoked, moved out / moved-out, suspended,
 * liquidating, liquidation, other (any case). A trailing 企业 is ignored. */
int value_parse_status(const char *s, size_t len, enum ent_status *out, struct error *err);
const char *value_status_name(enum ent_status st);  /* "active", "cancelled", ... */
const char *value_status_label(enum ent_status st); /* "存续", "注销", ... */
int value_status_from_name(const char *name, enum ent_status *out); /* "active" or "存续" */

/* ---- counts ---- */

/* Non-negative integers: "12", "1,234", "12人", "约50", "50.0", CELL_NUMBER.
 * A fraction or a negative number is an error.
 *
 * Also "1.2万" (12000), a leading 约/大约/近/逾/超过 and a trailing
 * 余/多/+/以上/左右 with a unit 人/名/位/个/家/户/次/件/项 ("50余人"): the
 * number is taken as it stands. A range ("50-99人", "50~99") is an error,
 * as are CELL_DATE and CELL_BOOL cells. */
int value_parse_count(const struct cell *c, int64_t *out, struct error *err);

/* ---- qualification tags ---- */

enum ent_tag {
    TAG_HIGHTECH = 0,    /* 国家高新技术企业 (高新技术企业, 国高企, 高企) */
    TAG_TECHSME,         /* 科技型中小企业 */
    TAG_SPECIALISED,     /* 专精特新 (专精特新中小企业) */
    TAG_LITTLEGIANT,     /* 专精特新"小巨人" (小巨人) */
    TAG_GAZELLE,         /* 瞪羚 */
    TAG_UNICORN,         /* 独角兽 */
    TAG_LISTED,          /* 上市 (A股/港股/美股 上市公司) */
    TAG_NEEQ,            /* 新三板挂牌 (挂牌) */
    TAG_COUNT
};

struct tag_set {
    uint32_t mask;                  /* bit (1u << tag) set when present */
    int16_t year[TAG_COUNT];        /* year granted when the text gives one, else 0 */
    char date[TAG_COUNT][11];       /* "YYYY-MM-DD" when a full date is given, else "" */
};

/* "国家高新技术企业、专精特新", "高新技术企业(2021)；瞪羚企业", "小巨人 2022年",
 * separated by 、，,；;/| or spaces. A 小巨人 implies 专精特新. Unknown
 * qualifications are not an error: they are returned in unknown (joined
 * with "、") so the importer can keep them.
 *
 * Returns 1 when the text held anything (known or unknown), 0 for blank,
 * -1 only for text that is not UTF-8. Separators inside brackets do not
 * split. Quotes ("" “” 「」) and a trailing 企业/公司 are ignored. A year
 * (1900..2100) or a full date may stand in the token ("高新技术企业(2021)",
 * "（2021年认定）", "2019年高新技术企业", "(2021-12-20)") or as the next token
 * ("小巨人 2022年"); when a tag appears twice the latest year counts. The
 * implied 专精特新 of a 小巨人 gets no year. Level prefixes: 国家/国家级 for
 * 高新 and 小巨人 (and "国家级专精特新" means 小巨人); 国家/省/市/区(级) for
 * 专精特新, 科技型中小企业, 瞪羚, 独角兽; "省级高新技术企业" is a different,
 * provincial title and so unknown, as are 准独角兽, 准瞪羚, 雏鹰. 上市 takes
 * a market (A股, 港股, 美股, 科创板, 创业板, 主板, 北交所...) or 已; 挂牌 and
 * 新三板(挂牌) take 已. English names (hightech, ...) are accepted.
 * unknown may be NULL; tokens that do not fit in unknown_len are left out
 * whole. */
int value_parse_tags(const char *s, size_t len, struct tag_set *out, char *unknown,
                     size_t unknown_len, struct error *err);
const char *value_tag_name(enum ent_tag t);   /* "hightech", ... */
const char *value_tag_label(enum ent_tag t);  /* "国家高新技术企业", ... */
int value_tag_from_name(const char *name, enum ent_tag *out); /* name, label or alias */

/* ---- funding round ---- */

/* "天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", ..., "战略融资", "IPO", "新三板定增"...
 * Writes a canonical short form ("angel", "pre-a", "a", "a+", "b", ...,
 * "strategic", "ipo", ...) to out.
 *
 * The canonical forms: seed, seed+, angel, angel+, pre-angel, [pre-]a..j
 * with up to two '+' (pre-a, a, a+, a++, pre-b, ..., j), pre-ipo, ipo,
 * post-ipo (上市后), listed (已上市), neeq (新三板), placement (定向增发,
 * 定增, 新三板定增, 增发), strategic (战略融资/投资), equity (股权融资),
 * m&a (并购, 收购), debt (债权融资), transfer (股权转让). 轮, 轮次, "Series",
 * spaces and a trailing 融资/投资 are ignored; case does not matter.
 * 未披露/未透露/不明确 are blank (0). Anything else is an error
 * ("'C轮及以后' is not a funding round"). */
int value_parse_round(const char *s, size_t len, char out[16], struct error *err);

/* The Chinese label of a canonical round ("pre-a" -> "Pre-A轮", "strategic"
 * -> "战略融资"), which value_parse_round() reads back to the same form. */
void value_round_label(const char *round, char *out, size_t outlen);

/* ---- text ---- */

/* 1 when the text is one of the "no value" spellings: empty or white space,
 * any run of dashes (- -- — —— – ― ‐ －), / \ ? 无 暂无 无数据 未知 不详
 * 未公开 不公开 未披露 空 (空) (空白), and, in any case, null none nil n/a na
 * #n/a nan. "0" is a value, not a blank. */
int value_is_blank(const char *s, size_t len);

#endif
