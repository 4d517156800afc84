/*
 * score.h - the transparent 0-100 enterprise score of the screening engine.
 *
 * The model (data/scoring.json, editable by staff, docs/scoring.md) gives
 * points in four dimensions whose maxima add up to 100:
 *
 *   scale       registered capital, age, headcount                 (bands)
 *   innovation  invention / utility-model / design patents,
 *               software copyrights (bands), qualification tags (capped sum)
 *   growth      latest funding round (table), its recency (bands)
 *   chain       member of a chosen chain node, and of a district gap node
 *
 * and excludes firms whose registration status says they are gone (total 0).
 * Everything is integer arithmetic on integer thresholds, so the same score
 * written as SQL (score_sql) gives identical numbers in SQLite and DuckDB.
 *
 * Chain fit is decided by the executor, not here: `member` is 1 when the
 * enterprise sits in at least one node of the tracks the query names with
 * track:/node: (of any track when the query names none); `gap` is 1 when
 * one of those nodes is a gap node of the home district. The score only
 * turns them into points; gap points count only for members.
 */
#ifndef MAGNET_INDEX_SCORE_H
#define MAGNET_INDEX_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

#define SCORE_MAX_FILE (1u << 20)  /* a larger model file is refused */
#define SCORE_MAX_BANDS 16         /* bands in one band list */
#define SCORE_MAX_ROUNDS 64        /* entries in growth.round */
#define SCORE_MAX_LINES 12         /* lines of a breakdown (score_explain) */

struct score_model;

/* Load the model from a file; path NULL: the embedded data/scoring.json.
 * On success *out is the model (caller frees with score_model_free) and 0
 * is returned; else *out is NULL, -1 is returned and err says
 * "FILE: JSON.PATH: problem". */
int score_model_load(const char *path, struct score_model **out, struct error *err);

/* The same from memory (at most SCORE_MAX_FILE bytes, need not be
 * NUL-terminated); source names it in messages ("SOURCE: ..."; NULL: no
 * prefix). */
int score_model_parse(const char *json, size_t len, const char *source, struct score_model **out,
                      struct error *err);

void score_model_free(struct score_model *m);

/* A short hex digest (12 characters) of the model's canonical content:
 * white space, key order and notes in the file do not change it. Lists
 * record it so that a later diff can tell a changed model from changed
 * data. Valid as long as m. */
const char *score_model_hash(const struct score_model *m);

/* The most points chain fit can give (member + gap); score_base gives at
 * most 100 minus this. */
int score_model_chain_max(const struct score_model *m);

#define SCORE_UNKNOWN INT64_MIN

/* What the score reads about one enterprise. Counts and dates are
 * SCORE_UNKNOWN when not known. */
struct score_facts {
    int64_t capital_cny;   /* registered capital in cents of CNY */
    int64_t founded;       /* days since 1970-01-01 */
    int64_t staff, patents, pat_invention, pat_utility, pat_design, software_cr;
    uint32_t tags;         /* bit (1u << enum ent_tag) from registry/value.h */
    const char *round;     /* canonical round ("a", "pre-a", ...) or NULL */
    int64_t funding_date;  /* days since 1970-01-01 */
    int status;            /* enum ent_status (registry/value.h) */
};

/* Chain fit of one enterprise for the query's tracks (see the top). */
struct score_chain {
    int member;
    int gap;
};

/* 1 when the status excludes the enterprise (total 0). */
int score_excluded(const struct score_model *m, int status);

/* Points without chain fit (0 .. 100 - score_model_chain_max), or 0 for
 * excluded firms; today in days since 1970-01-01. */
int score_base(const struct score_model *m, const struct score_facts *f, int64_t today);

/* Total 0..100 from a base and the chain fit (excluded firms stay 0: pass
 * the facts' status). */
int score_total(const struct score_model *m, int base, int status, struct score_chain c);

/* Points of one canonical round in the model (0 when not listed or NULL). */
int score_round_points(const struct score_model *m, const char *round);

/* One line of a breakdown. dimension and factor are static machine names
 * ("scale", "capital"); value is the fact as shown to staff ("1200万元",
 * "8年 (2017-03-01)", "未知"); max is the most the factor can give. */
struct score_line {
    const char *dimension;
    const char *factor;
    char value[64];
    int points;
    int max;
};

/* The breakdown: one line per factor, in a fixed order (scale: capital,
 * age, staff; innovation: invention, utility, design, software, tags;
 * growth: round, recency; chain: member, gap); returns the number of lines
 * written (<= max; SCORE_MAX_LINES always suffice) and the total via
 * *total. The lines' points sum to the total. An excluded firm gets one
 * line: dimension "excluded", factor "status", its status as value, 0
 * points. */
size_t score_explain(const struct score_model *m, const struct score_facts *f, struct score_chain c,
                     int64_t today, struct score_line *lines, size_t max, int *total);

/* Chinese labels for staff: "scale" -> "规模", "capital" -> "注册资本";
 * the name itself when unknown. */
const char *score_label(const char *name);

/* The same score as an SQL expression (SQLite and DuckDB both accept it)
 * over a table with columns capital_cny (BIGINT cents), founded_days,
 * staff, patents, pat_invention, pat_utility, pat_design, software_cr,
 * funding_days (INTEGER; all may be NULL for unknown), tags (INTEGER
 * bitmask), round (TEXT, NULL), status (INTEGER, NULL = unknown), plus two
 * SQL boolean expressions supplied by the caller for chain membership and
 * gap membership ("0", "" or NULL for none: the term is then left out).
 * today is written into the expression as an integer literal. Appends to
 * out. Gives the same integers as score_total(score_base(...)). */
void score_sql(const struct score_model *m, int64_t today, const char *member_sql,
               const char *gap_sql, struct strbuf *out);

#endif
