/*
 * query.h - the screening query language: one string, GitHub-search style,
 * parsed into an AST that the index executor maps onto bitmaps and column
 * scans ("region:杭州|宁波 -status:注销 capital>=1000 sort:capital").
 *
 * The parser resolves everything it can at parse time, so the executor
 * never sees a name: regions become region codes, industries GB/T 4754
 * codes, tracks and nodes taxonomy ids, statuses, tags and rounds their
 * canonical names, numbers and dates closed integer ranges, and text the
 * folded pattern the text index is built with. A bad query is rejected with
 * one message that names the 1-based character position and the problem.
 *
 * docs/query.md describes the language for users; this header is the
 * contract for the executor.
 */
#ifndef MAGNET_INDEX_QUERY_H
#define MAGNET_INDEX_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

struct taxonomy;

#define QUERY_MAX_BYTES 4096   /* a longer query string is refused */
#define QUERY_MAX_TERMS 64     /* terms (clauses plus the sort) */
#define QUERY_MAX_ALTS 64      /* alternatives a|b|... in one term */

enum query_field {
    QF_TEXT = 0,   /* a bare word or "phrase": name OR scope contains it */
    QF_NAME,       /* name contains */
    QF_SCOPE,      /* business scope contains */
    QF_REGION,     /* code prefix: alt.code, alt.level */
    QF_INDUSTRY,   /* code prefix: alt.code ("I", "65", "651", "6513"), alt.level */
    QF_TRACK,      /* alt.text: track id; alt.id: index in taxonomy.tracks */
    QF_NODE,       /* alt.text: "track/node"; alt.id: index in taxonomy.nodes */
    QF_STATUS,     /* alt.id: enum ent_status; alt.code: its name */
    QF_TAG,        /* alt.id: enum ent_tag; alt.code: its name */
    QF_ROUND,      /* alt.code: canonical round from value_parse_round ("a", "pre-a") */
    QF_CAPITAL,    /* range in cents of CNY (1 万元 = 1,000,000 cents) */
    QF_FOUNDED,    /* range in days since 1970-01-01 */
    QF_STAFF,      /* range, headcount */
    QF_PATENTS,    /* range, patent count */
    QF_USCC,       /* alt.code: an 18-character USCC, normalized and check-digit valid */
    QF_COUNT
};

/* How an executor answers a field. */
enum query_kind {
    QK_TEXT,       /* substring match of alt.text */
    QK_CODE,       /* categorical: bitmap per alt */
    QK_RANGE       /* numeric column: lo <= value <= hi */
};

enum query_sort {
    QS_NONE = 0,   /* no sort term: the executor's default order */
    QS_CAPITAL,
    QS_SCORE,
    QS_FOUNDED,
    QS_STAFF,
    QS_PATENTS
};

/* Open ends of a range. */
#define QUERY_OPEN_LO INT64_MIN
#define QUERY_OPEN_HI INT64_MAX

/* One alternative of a clause; which members are set depends on the field
 * (see enum query_field). Unused members are 0 / "" / NULL. */
struct query_alt {
    size_t pos;        /* 1-based character position in the query string */
    int32_t id;        /* enum value or taxonomy index */
    int32_t level;     /* region level 1..4, industry level 1..4 */
    char code[24];     /* NUL-terminated */
    char *text;        /* owned; QK_TEXT: the folded pattern (see below) */
    size_t text_len;
    int64_t lo, hi;    /* QK_RANGE: inclusive; QUERY_OPEN_LO/HI for an open end */
};

/* A term: the alternatives are ORed; negated inverts the OR. Clauses are
 * ANDed, in the order written (the executor may reorder them). */
struct query_clause {
    enum query_field field;
    int negated;
    size_t pos;                /* 1-based character position of the term */
    struct query_alt *alts;    /* nalts >= 1 */
    size_t nalts;
};

struct query {
    struct query_clause *clauses;
    size_t nclauses;            /* 0 for an empty query: everything matches */
    enum query_sort sort;
    int sort_asc;               /* 1 for "-asc"; descending by default */
};

struct query_env {
    const struct taxonomy *taxonomy;  /* NULL: track: and node: are errors */
    const char *today;                /* "YYYY-MM-DD"; NULL = value_today(). Reserved for
                                         relative dates; checked for form only. */
};

/* Parse q (a NUL-terminated UTF-8 string). On success *out is the AST
 * (caller frees with query_free) and 0 is returned; on failure *out is
 * NULL, err holds "position N: problem" and -1 is returned. env may be
 * NULL (no taxonomy, today from the clock).
 *
 * Text patterns (QK_TEXT alt.text) are folded as
 *     chain_fold(utf8_clean(value))
 * (utf8_clean: NFC, full-width ASCII to half-width, white space collapsed,
 * trimmed; chain_fold: full-width punctuation such as （） too, ASCII lower
 * case). The text index must fold stored names and scopes (already
 * utf8_clean'd on import) with chain_fold so that a pattern matches where
 * instr(chain_fold(text), pattern) > 0. Punctuation and single spaces are
 * kept, so "软件销售；售后服务" does not contain "销售售后". */
int query_parse(const char *q, const struct query_env *env, struct query **out,
                struct error *err);

void query_free(struct query *q);

/* Append the canonical form of q to out: English field names, resolved
 * codes, ranges as lo..hi (capital in 万元, founded as YYYY-MM-DD), the
 * sort last, one space between terms. Parsing the canonical form gives the
 * same AST (and so the same canonical form); saved lists store it. */
void query_format(const struct query *q, struct strbuf *out);

const char *query_field_name(enum query_field f);  /* "region", ...; "" for QF_TEXT */
enum query_kind query_field_kind(enum query_field f);
const char *query_sort_name(enum query_sort s);    /* "capital", ...; "" for QS_NONE */

/* "YYYY-MM-DD" to days since 1970-01-01; -1 when not such a date. */
int query_date_days(const char *ymd, int64_t *out);
/* Days since 1970-01-01 to "YYYY-MM-DD". */
void query_days_date(int64_t days, char out[11]);

/* ---- currencies ----
 *
 * capital is compared in CNY. Registered capital held in another currency
 * is converted by the executor with this table (and only this table, so the
 * answers are reproducible): cny_cents = cents * cny_per_unit_e6 / 10^6,
 * rounded half away from zero. QUERY_RATES_SOURCE says where the rates come
 * from; update the table and that string together. */
struct query_rate {
    const char *currency;      /* ISO 4217, as value_parse_money writes it */
    int64_t cny_per_unit_e6;   /* CNY for one unit of the currency, times 10^6 */
};

extern const struct query_rate query_rates[];
extern const size_t query_nrates;
extern const char QUERY_RATES_SOURCE[];

/* Convert an amount in cents of currency to cents of CNY. Returns 0, or -1
 * for an unknown currency or an overflow (*out untouched). */
int query_money_to_cny(int64_t cents, const char *currency, int64_t *out);

#endif
