/*
 * chainmap.h - the chain map of one track for the home district (产业链
 * 地图): for every node of the track, how many enterprises the district has
 * there and the country has, the location quotient, whether the node is a
 * gap node, the district's leading firms in it, and for weak nodes the
 * strongest active firms elsewhere - the 补链 target list.
 *
 *   LQ = (local in node / local) / (national in node / national)
 *
 * where local counts every enterprise of the index registered in the home
 * region (at any level below it) and national every enterprise of the
 * index, whatever its status - the same counts index_node_is_gap() uses, so
 * a node is a gap node exactly when its LQ is below 1. LQ is undefined when
 * the home region or the node has no enterprise. A node is weak when it is
 * a gap node or the district has no enterprise in it.
 *
 * Leaders and candidates come from screen_run with the queries
 *   node:TRACK/NODE region:HOME status:active        (leaders)
 *   node:TRACK/NODE -region:HOME status:active       (candidates)
 * so their scores, chain fit for the track included, and their order are
 * exactly those of `magnet screen` with the same query.
 */
#ifndef MAGNET_INDEX_CHAINMAP_H
#define MAGNET_INDEX_CHAINMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "index/exec.h"

struct index;
struct taxonomy;
struct tax_node;
struct tax_track;

#define CHAINMAP_DEFAULT_LEADERS 5
#define CHAINMAP_DEFAULT_CANDIDATES 10
#define CHAINMAP_MAX_FIRMS 100     /* leaders or candidates per node */

struct chainmap_node {
    const struct tax_node *node;   /* in the index's taxonomy */
    size_t index;                  /* taxonomy node index */
    uint64_t local, national;      /* enterprises in the node: at home, everywhere */
    int lq_defined;
    double lq;                     /* when lq_defined */
    int gap;                       /* index_node_is_gap() */
    int weak;                      /* gap, or local == 0 */
    char *leaders_query;           /* canonical query of the leaders */
    struct screen_result leaders;  /* top N active local firms by score */
    char *candidates_query;        /* weak nodes only, else NULL */
    struct screen_result candidates;
};

struct chainmap {
    const struct tax_track *track;
    size_t track_index;
    char home[10];                 /* the home region's code */
    char home_name[96];            /* its full name */
    uint64_t local_total, national_total;
    struct chainmap_node *nodes;   /* the track's nodes in taxonomy order */
    size_t nnodes;
    size_t nweak, ngap;
    double took_ms;
};

/* The track a user means: its id (any case) or its Chinese name (as
 * utf8_name_key compares names). -1 with err listing the tracks when none. */
int chainmap_find_track(const struct taxonomy *t, const char *s, size_t *track,
                        struct error *err);

/* Build the map of track (a taxonomy index) for the index's home region,
 * with at most leaders and candidates firms per node (each capped at
 * CHAINMAP_MAX_FIRMS). -1 when the index has no home region, the track does
 * not exist or a query fails. Release with chainmap_release. */
int chainmap_build(struct index *ix, size_t track, size_t leaders, size_t candidates,
                   struct chainmap *out, struct error *err);
void chainmap_release(struct chainmap *m);

#endif
