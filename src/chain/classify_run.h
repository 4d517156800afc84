/*
 * classify_run.h - classifying the enterprises of the store and writing the
 * result back: all of them (magnet classify --all) or those one import
 * batch created or updated (after magnet import).
 *
 * Two threads: one reads pages of enterprises through a second connection
 * and classifies them, the caller's thread writes the results through st.
 * Each page of results replaces the classification of exactly the
 * enterprises it covers, and the writes are committed every few tens of
 * thousands of enterprises, so readers see each enterprise either before or
 * after, never half, and an interrupted run leaves every enterprise with a
 * whole classification (old or new; ent_classified says which taxonomy).
 */
#ifndef MAGNET_CHAIN_CLASSIFY_RUN_H
#define MAGNET_CHAIN_CLASSIFY_RUN_H

#include <stdint.h>

#include "base/error.h"
#include "chain/classify.h"
#include "store/store.h"

struct classify_run_options {
    int64_t batch;    /* 0: every enterprise; else the enterprises this batch created or updated */
    int threads;      /* 1: everything on the caller's thread; 0 or 2: two threads */
    /* Called on the caller's thread after each page with the enterprises done. */
    void (*progress)(int64_t done, void *ctx);
    void *progress_ctx;
};

struct classify_run_stats {
    int64_t enterprises;  /* classified */
    int64_t placed;       /* held by at least one node */
    int64_t rows;         /* (enterprise, node) pairs written */
    int64_t truncated;    /* enterprises whose text was cut (see CLASSIFY_MAX_*) */
    int64_t taxonomy_id;  /* in the store */
};

/* Classify and write back. st must not be inside a transaction. Returns 0,
 * or -1 with err set (what was committed before stays: every enterprise
 * still has a whole classification). */
int classify_run(struct store *st, const struct classifier *c, const struct classify_run_options *opt,
                 struct classify_run_stats *stats, struct error *err);

#endif
