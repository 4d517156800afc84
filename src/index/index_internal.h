/*
 * index_internal.h - the layout of the screening index, shared by the files
 * of src/index/ that build it (index.c), query it (exec.c, facet.c) and
 * report on it (chainmap.c). docs/internals/index.md explains the choices.
 */
#ifndef MAGNET_INDEX_INTERNAL_H
#define MAGNET_INDEX_INTERNAL_H

#include <pthread.h>
#include <roaring/roaring.h>

#include "index/index.h"
#include "index/score.h"
#include "index/textidx.h"
#include "registry/value.h"

struct region;
struct industry;

#define INDEX_NO_DAY INT32_MIN   /* an unknown date in a days column */

/* Numeric columns that ranges compare, each cut into bands at fixed
 * thresholds (index.c band_thresholds): a bitmap per band lets a range
 * whose ends fall on thresholds ("capital>=1000", "founded>=2015",
 * "patents>=5") be answered with bitmaps alone, and any other range be
 * narrowed to its bands before the columns are read. */
enum index_range_col { RC_CAPITAL = 0, RC_FOUNDED, RC_STAFF, RC_PATENTS, RC_COUNT };
#define INDEX_MAX_BANDS 96
#define INDEX_MAX_ROUNDS 255

/* The bitmaps, keyed the way the index keys them. Any pointer may be NULL:
 * no document has that value. */
struct index_bitmaps {
    roaring_bitmap_t **region;    /* by region table index (region_at), streets too */
    roaring_bitmap_t **industry;  /* by industry table index (industry_at) */
    roaring_bitmap_t *status[8];  /* by enum ent_status */
    roaring_bitmap_t *tag[TAG_COUNT];
    roaring_bitmap_t *round[INDEX_MAX_ROUNDS + 1]; /* by round number; 0 unused */
    roaring_bitmap_t **node;      /* by taxonomy node index */
    roaring_bitmap_t *base[101];  /* by base score (exec.c ranks big sets by score from these) */
    roaring_bitmap_t *band[RC_COUNT][INDEX_MAX_BANDS];  /* by numeric band; unknown: none */
};

struct index {
    pthread_rwlock_t lock;
    const struct taxonomy *tax;
    const struct score_model *sm;
    const struct region *home;    /* NULL: no home district, no gap nodes */
    int64_t today;
    int64_t seq;                  /* change-log sequence reflected */
    int threads;
    uint32_t walk_min;            /* INDEX_WALK_MIN unless a test set it */

    uint32_t cap;                 /* the columns hold docs 0 .. cap-1 */
    roaring_bitmap_t *all;        /* the docs that exist */

    /* Columns, by doc. Unknown: INDEX_NO_DAY for days, SCORE_UNKNOWN for
     * capital, -1 for counts and table indexes. */
    char (*uscc)[18];             /* not NUL-terminated; [0] == 0: none */
    int64_t *capital;             /* cents of CNY */
    int32_t *founded, *funding;   /* days since 1970-01-01 */
    int32_t *staff, *patents, *pat_invention, *pat_utility, *pat_design, *software_cr;
    int32_t *region;              /* region table index of ent.region */
    int32_t *street;              /* region table index of ent.street */
    int16_t *industry;            /* industry table index */
    uint8_t *status, *tags, *round, *base;  /* base: score_base() */

    struct index_bitmaps bm;
    roaring_bitmap_t **track;     /* by taxonomy track index: OR of its nodes */
    roaring_bitmap_t *any_track;  /* in at least one node */
    uint8_t *gap;                 /* by node index: 1 for a gap node of home */
    roaring_bitmap_t *any_gap;    /* in at least one gap node */

    /* Round names, numbered from 1 in order of first sight. */
    char rounds[INDEX_MAX_ROUNDS + 1][16];
    int nrounds;

    /* USCC -> doc: open addressing, 0 empty, UINT32_MAX deleted. */
    uint32_t *uscc_slots;
    size_t uscc_mask;
    size_t uscc_used;

    struct textidx *names, *scopes;
    struct index_build_stats stats;

    /* ge[c][b]: the docs in band b of column c or above, made on first use
     * (under ge_lock) and dropped by a refresh. */
    roaring_bitmap_t *ge[RC_COUNT][INDEX_MAX_BANDS + 1];
    pthread_mutex_t ge_lock;
};

/* The thresholds of column c (ascending) and how many; band b holds the
 * values v with t[b-1] <= v < t[b] (band 0: below t[0], band n: from
 * t[n-1]). */
const int64_t *index_band_thresholds(enum index_range_col c, size_t *n);
/* The band of value v in column c. */
size_t index_band_of(enum index_range_col c, int64_t v);
/* The docs whose value in column c lies in bands [lo, hi] (hi may be the
 * last band); the caller frees it. Read lock held. */
roaring_bitmap_t *index_band_range(struct index *ix, enum index_range_col c, size_t lo, size_t hi);

/* The doc with this 18-character USCC, or 0. */
uint32_t index_find_uscc(const struct index *ix, const char *uscc);

/* The score facts of doc, from the columns. */
void index_facts(const struct index *ix, uint32_t doc, struct score_facts *f);

/* Region and industry table indexes. */
size_t index_region_idx(const struct region *r);
size_t index_industry_idx(const struct industry *ind);

/* The round number of a canonical round name, 0 when no doc has it. */
int index_round_find(const struct index *ix, const char *round);

/* ---- ranking, shared by the executor (exec.c) and lists (list.c) ---- */

struct query;

/* The member and gap sets the score's chain fit uses for a query (see
 * exec.h): owned copies when the query names tracks, else the index's own
 * any_track / any_gap (owned = 0). */
struct exec_chain {
    roaring_bitmap_t *member, *gap;
    int owned;
};
void exec_chain_init(struct index *ix, const struct query *q, struct exec_chain *cc);
void exec_chain_release(struct exec_chain *cc);
/* The score of doc under that chain fit. */
int exec_doc_score(const struct index *ix, const struct exec_chain *cc, uint32_t doc);

/* A doc with its sort key, in the order rules of exec.h. */
struct exec_rank {
    uint32_t doc;
    int known;     /* the sort key is known */
    int64_t key;   /* larger ranks first (negated for ascending) */
    int score;
};
void exec_rank_key(const struct index *ix, int sort, int asc, uint32_t doc, int score,
                   struct exec_rank *r);
/* 1 when a ranks before b. */
int exec_rank_before(const struct index *ix, const struct exec_rank *a, const struct exec_rank *b);
/* qsort_r comparator over struct exec_rank (or a struct starting with
 * one); ctx is the index. */
int exec_rank_cmp(const void *a, const void *b, void *ctx);

#endif
