/*
 * index.h - the in-memory screening index: every enterprise of the store as
 * columns, CRoaring bitmaps and a substring text index, so that a query over
 * ten million enterprises is answered in milliseconds (exec.h).
 *
 * The index is built from the store and can always be rebuilt from it; the
 * store stays the system of record. index_refresh() catches up with what
 * was written since (the store's change log), so a write is visible to the
 * next query. Queries hold a read lock and a refresh a write lock for the
 * short moment it applies what it loaded: any number of queries run at once
 * and none sees half a write.
 *
 * Documents are the store's enterprise ids (ent.id), so a doc id is also the
 * key to everything the store holds about it. The layout and what each part
 * costs per enterprise are in docs/internals/index.md.
 */
#ifndef MAGNET_INDEX_INDEX_H
#define MAGNET_INDEX_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct store;
struct taxonomy;
struct score_model;
struct index;

struct index_options {
    const struct taxonomy *taxonomy;  /* required: track and node ids (kept, not copied) */
    const struct score_model *scoring; /* required (kept, not copied) */
    const char *home;         /* home region code (any level), or NULL: no gap nodes */
    int64_t today;            /* days since 1970-01-01 for ages and recency; 0: the clock */
    int threads;              /* build threads; 0: 2 */
};

/* Sets of more than INDEX_WALK_MIN matches are ranked without looking at
 * every match: in score order by walking the base-score buckets, in a
 * field's order by walking its numeric bands (exec.c). Changing it changes
 * no answer, only the work (tests lower it to exercise both ways). */
#define INDEX_WALK_MIN 20000
void index_set_walk_min(struct index *ix, uint32_t n);

/* Build the index of everything in st. st must stay open only for the
 * call; index_refresh() takes a store again. */
int index_build(struct store *st, const struct index_options *opt, struct index **out,
                struct error *err);

/* Apply what the store's change log says was written since the index last
 * read it. Returns the number of ids reloaded (0 when the index was
 * current): each one the log named, read again or dropped when it no longer
 * exists, up to the last id of the store or of the index's columns; or -1.
 * Safe while queries run on other threads. */
int64_t index_refresh(struct index *ix, struct store *st, struct error *err);

void index_free(struct index *ix);

/* Enterprises indexed. */
uint64_t index_count(const struct index *ix);
/* The store id (= doc) of the enterprise with this 18-character USCC as
 * the index last saw it, or 0: a hint, as current as the last refresh, for
 * a caller who then reads the row itself (store_ent_load_uscc). */
int64_t index_id_of_uscc(struct index *ix, const char *uscc);
/* The change-log sequence the index reflects. */
int64_t index_seq(const struct index *ix);

/* Bytes held by each part, for docs/benchmarks.md and /metrics. */
struct index_mem {
    uint64_t docs;
    size_t columns;        /* fixed-width per-enterprise columns */
    size_t uscc_map;       /* USCC -> doc hash table */
    size_t code_bitmaps;   /* region, industry, status, tag, round bitmaps */
    size_t chain_bitmaps;  /* track and node bitmaps */
    size_t name_text, name_grams;     /* the name text index: texts, gram bitmaps */
    size_t scope_text, scope_grams;   /* the scope text index (texts include the piece dictionary) */
    size_t total;
};
void index_memory(struct index *ix, struct index_mem *out);

/* Check the invariants: bitmaps agree with the columns, every live doc is
 * in exactly one status bitmap, the USCC map finds every doc... Slow (tests). */
int index_validate(struct index *ix, struct error *err);

/* 1 when node (a taxonomy node index) is a gap node of the home district:
 * its location quotient there, (home in node / home) / (all in node / all),
 * is below 1. */
int index_node_is_gap(const struct index *ix, size_t node);

/* Time spent by the last build, in milliseconds, by phase. */
struct index_build_stats {
    double read_ms;      /* reading the store: columns, code bitmaps, texts handed over */
    double text_ms;      /* everything after the read */
    double names_ms, scopes_ms;  /* within text_ms: the two text indexes' grams */
    double finish_ms;    /* within text_ms, beside them: USCC map, derived sets, compaction */
    double total_ms;
};
void index_build_stats(const struct index *ix, struct index_build_stats *out);

#endif
