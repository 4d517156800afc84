/*
 * exec.h - answering a screening query from the index: the matching set,
 * its size, the top N in the asked order with scores (and on request their
 * breakdown), and facet counts.
 *
 * Semantics (docs/query.md is the user's version):
 *   - clauses are ANDed; the alternatives of one clause ORed; a negated
 *     clause is the complement of its set among all enterprises (so
 *     -capital>=1000 keeps the enterprises whose capital is unknown);
 *   - a range never matches an unknown value;
 *   - region and industry match by code prefix at the level written; a
 *     street (9 digits) matches the street column;
 *   - text matches the folded name or scope by substring, exactly;
 *   - order: the sort field descending (ascending with -asc), unknown
 *     values last either way, ties by USCC ascending, enterprises without a
 *     USCC after those with one, then by id. No sort term means score.
 *   - score: score_total() of the enterprise's base score and its chain fit
 *     for the tracks the query names (track:, node:, not negated), or for
 *     every track when it names none.
 */
#ifndef MAGNET_INDEX_EXEC_H
#define MAGNET_INDEX_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "index/query.h"
#include "index/score.h"

struct index;

#define SCREEN_DEFAULT_LIMIT 50
#define SCREEN_MAX_LIMIT 10000
#define SCREEN_MAX_OFFSET 1000000

enum screen_facet {
    FACET_PROVINCE = 0,
    FACET_CITY,
    FACET_COUNTY,
    FACET_SECTION,     /* industry section letter */
    FACET_DIVISION,    /* industry division, 2 digits */
    FACET_TRACK,
    FACET_NODE,
    FACET_STATUS,
    FACET_TAG,
    FACET_ROUND,
    FACET_YEAR,        /* founding year */
    FACET_CAPITAL,     /* capital band (万元 CNY) */
    FACET_COUNT_
};
const char *screen_facet_name(enum screen_facet f);  /* "province", ... */
/* Parse "province,round,tag" into a bit mask (1u << facet); error names the bad one. */
int screen_facets_parse(const char *list, uint32_t *mask, struct error *err);

struct screen_request {
    const char *q;          /* the query string (or NULL with ast set) */
    const struct query *ast; /* an already parsed query, used when q is NULL */
    size_t limit;           /* 0: SCREEN_DEFAULT_LIMIT */
    size_t offset;
    uint32_t facets;        /* bit (1u << enum screen_facet) */
    int explain;            /* fill each item's breakdown */
    int no_items;           /* count (and facets) only */
};

struct screen_item {
    uint32_t doc;           /* = the store's ent.id */
    char uscc[19];          /* "" when the enterprise has none */
    char *name;             /* owned */
    char region[10];        /* code as stored, "" unknown */
    char industry[6];
    int64_t capital_cny;    /* cents, SCORE_UNKNOWN */
    int64_t founded;        /* days since 1970-01-01, SCORE_UNKNOWN */
    int64_t staff, patents; /* SCORE_UNKNOWN */
    int status;             /* enum ent_status */
    uint32_t tags;
    char round[16];
    int score;
    struct score_line *lines;  /* explain: the breakdown (owned) */
    size_t nlines;
};

struct screen_facet_value {
    char key[48];           /* "33", "I", "hightech", "2015", "1000-5000" */
    char label[96];         /* "浙江省", "信息传输、软件和信息技术服务业", ... */
    int64_t count;
};

struct screen_facet_result {
    struct screen_facet_value *values;   /* by count descending, then key */
    size_t n;
};

struct screen_result {
    uint64_t total;
    struct screen_item *items;
    size_t nitems;
    struct screen_facet_result facets[FACET_COUNT_];  /* those asked for */
    uint32_t facet_mask;
    char *canonical;        /* the query in canonical form (query_format) */
    double took_ms;
};

/* Run a query. Returns 0, or -1 with err naming the problem (a parse error
 * keeps the parser's "position N: ..." message). env supplies the
 * taxonomy for track:/node: (NULL: the index's). */
int screen_run(struct index *ix, const struct screen_request *req, struct screen_result *out,
               struct error *err);
void screen_result_release(struct screen_result *r);

/* The set of docs matching q, as a sorted array (tests, lists): *docs is
 * xmalloc'ed, caller frees. */
int screen_match_docs(struct index *ix, const struct query *q, uint32_t **docs, size_t *n,
                      struct error *err);

/* The taxonomy and today the index answers with. */
const struct taxonomy *index_taxonomy(const struct index *ix);

#endif
