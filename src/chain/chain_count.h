/*
 * chain_count.h - how many enterprises of the store each node and each
 * track of a taxonomy holds (magnet chains, the chain map).
 *
 * Counted from the stored classification in one pass over it, in
 * enterprise order, so a track's count is of distinct enterprises (a firm
 * in two nodes of a track counts once for the track).
 */
#ifndef MAGNET_CHAIN_CHAIN_COUNT_H
#define MAGNET_CHAIN_CHAIN_COUNT_H

#include <stdint.h>

#include "base/error.h"
#include "chain/taxonomy.h"
#include "store/store.h"

struct chain_counts {
    int64_t *node;        /* by node index */
    int64_t *track;       /* by track index: distinct enterprises */
    int64_t enterprises;  /* distinct enterprises in any node of t */
    int64_t other_rows;   /* stored placements in nodes t does not have (an older taxonomy) */
};

/* Fill out (chain_counts_release frees it). */
int chain_count(struct store *st, const struct taxonomy *t, struct chain_counts *out,
                struct error *err);
void chain_counts_release(struct chain_counts *c);

#endif
