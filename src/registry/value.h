/*
 * value.h - parsers for the values found in enterprise spreadsheets:
 * money, dates, registration statuses, counts, qualification tags and
 * funding rounds. Each takes a cell's text (and, where it matters, its XLSX
 * type) and returns 1 for a value, 0 for "no value" (empty, "-", "—", "/",
 * "无", "暂无", "null", "N/A"...), or -1 with a message in err saying why the
 * text is not such a value. The messages name the problem, not the row: the
 * importer adds row and column.
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
    MONEY_UNIT_WAN = 10000,
    MONEY_UNIT_YI = 100000000
};

struct money {
    int64_t cents;     /* amount in 1/100 of the currency unit: "1,000.5万" -> 1000500000 */
    char currency[4];  /* ISO 4217: "CNY", "USD", "HKD", "EUR", "JPY", "GBP", ... */
};

/* "500万元人民币", "500万人民币", "1,000.5万美元", "5000000元", "300(万元)",
 * "1.2亿", "500", "５００万元" (full width), "人民币500万元", "USD 100万". A
 * number with more than two decimals of the currency unit is rounded half
 * away from zero. Negative amounts are an error. */
int value_parse_money(const char *s, size_t len, enum money_unit bare_unit, struct money *out,
                      struct error *err);

/* Find the unit a header declares: "注册资本(万元)" -> MONEY_UNIT_WAN,
 * "注册资本（元）" -> MONEY_UNIT_YUAN; 0 when the header names none. */
enum money_unit value_header_money_unit(const char *header);

/* ---- dates ---- */

/* "2019-03-05", "2019/3/5", "2019.3.5", "2019年3月5日", "20190305",
 * "2019-03-05 00:00:00", an Excel serial number (a CELL_NUMBER or a bare
 * integer 1..2958465 in text) and CELL_DATE cells. Writes "YYYY-MM-DD".
 * The date must exist in the calendar and not lie after today
 * ("YYYY-MM-DD"; NULL = no check). */
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

/* "存续（在营、开业、在册）" -> STATUS_ACTIVE. Unrecognised text is an error. */
int value_parse_status(const char *s, size_t len, enum ent_status *out, struct error *err);
const char *value_status_name(enum ent_status st);  /* "active", "cancelled", ... */
const char *value_status_label(enum ent_status st); /* "存续", "注销", ... */
int value_status_from_name(const char *name, enum ent_status *out); /* "active" or "存续" */

/* ---- counts ---- */

/* Non-negative integers: "12", "1,234", "12人", "约50", "50.0", CELL_NUMBER.
 * A fraction or a negative number is an error. */
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
 * with "、") so the importer can keep them. */
int value_parse_tags(const char *s, size_t len, struct tag_set *out, char *unknown,
                     size_t unknown_len, struct error *err);
const char *value_tag_name(enum ent_tag t);   /* "hightech", ... */
const char *value_tag_label(enum ent_tag t);  /* "国家高新技术企业", ... */
int value_tag_from_name(const char *name, enum ent_tag *out); /* name, label or alias */

/* ---- funding round ---- */

/* "天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", ..., "战略融资", "IPO", "新三板定增"...
 * Writes a canonical short form ("angel", "pre-a", "a", "a+", "b", ...,
 * "strategic", "ipo", ...) to out. */
int value_parse_round(const char *s, size_t len, char out[16], struct error *err);

/* ---- text ---- */

/* 1 when the text is one of the "no value" spellings. */
int value_is_blank(const char *s, size_t len);

#endif
