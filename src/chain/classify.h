/*
 * classify.h - placing an enterprise in the nodes of the industry-chain
 * taxonomy, with the evidence that put it there.
 *
 * One matcher holds every keyword, name keyword and exclusion of every node
 * (a string used by several nodes is one pattern); an enterprise's name and
 * business scope are folded (chain/fold.h) and scanned once, as
 * name "\x1F" scope so that no match spans the two fields. Per node:
 *
 *   score = weight of the most specific code rule covering the enterprise's
 *           GB/T 4754 code (65 covers 6513; 6513 beats 65)
 *         + the weight of each distinct keyword found in the name or scope
 *         + the weight of each distinct name keyword found in the name,
 *
 * where a keyword occurrence overlapped by an occurrence of one of the same
 * node's exclusions does not count ("芯片销售" cancels "芯片" inside it, not
 * a "芯片设计" elsewhere in the scope). The node holds the enterprise when
 * score >= threshold, with
 *
 *   confidence = 1 - 2^(-score / threshold)
 *
 * in [0, 1): 0.5 exactly at the threshold, 0.75 at twice it, 0.875 at three
 * times; more agreeing evidence, higher confidence, never certainty. Nodes
 * that scored below their threshold (or whose keywords were all cancelled)
 * are reported too, as candidates, so an explanation can say why a firm is
 * not somewhere.
 *
 * A classifier is immutable once built and may be shared by threads; each
 * thread classifies with its own scratch, which allocates nothing once it
 * has grown to the largest enterprise seen.
 */
#ifndef MAGNET_CHAIN_CLASSIFY_H
#define MAGNET_CHAIN_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "chain/taxonomy.h"

/* Text beyond these is not scanned (the result says it was truncated):
 * registered names are short and scopes a few hundred characters, so only
 * garbage is that long, and it must not cost unbounded time. */
#define CLASSIFY_MAX_NAME 4096      /* bytes */
#define CLASSIFY_MAX_SCOPE 65536    /* bytes */
#define CLASSIFY_MAX_HITS 16384     /* pattern occurrences per enterprise */

struct classifier;
struct classify_scratch;

/* Build a classifier over t, which must outlive it. */
int classifier_new(const struct taxonomy *t, struct classifier **out, struct error *err);
void classifier_free(struct classifier *c);
const struct taxonomy *classifier_taxonomy(const struct classifier *c);

struct classify_scratch *classify_scratch_new(const struct classifier *c);
void classify_scratch_free(struct classify_scratch *s);

struct classify_input {
    const char *name;       /* may be NULL */
    size_t name_len;
    const char *scope;      /* may be NULL */
    size_t scope_len;
    const char *industry;   /* GB/T 4754 code as stored ("6513"), or NULL */
};

enum {
    CLASSIFY_IN_NAME = 1,
    CLASSIFY_IN_SCOPE = 2
};

/* A keyword that counted for a node. */
struct classify_kw {
    const struct tax_term *term;
    uint8_t name_only;      /* from name_keywords */
    uint8_t fields;         /* CLASSIFY_IN_NAME | CLASSIFY_IN_SCOPE: where it counted */
};

/* An exclusion that cancelled a keyword (once per exclusion and keyword). */
struct classify_ex {
    const struct tax_term *exclusion;
    const struct tax_term *cancelled;
    uint8_t field;          /* where (the first time) */
};

struct classify_node {
    const struct tax_node *node;
    uint32_t index;             /* in taxonomy.nodes */
    int32_t score;              /* hundredths */
    const struct tax_code *code;  /* the code rule that counted, or NULL */
    double confidence;
    int placed;                 /* score >= threshold */
    const struct classify_kw *kws;
    size_t nkws;
    const struct classify_ex *exs;
    size_t nexs;
};

struct classify_result {
    const struct classify_node *nodes;  /* every node with any evidence, in taxonomy order */
    size_t nnodes;
    size_t nplaced;                     /* how many of them hold the enterprise */
    int truncated;                      /* text or hits beyond the limits were ignored */
};

/* Classify one enterprise. out points into s: valid until the next call
 * with s. Returns the number of nodes that hold the enterprise. */
size_t classify_ent(const struct classifier *c, struct classify_scratch *s,
                    const struct classify_input *in, struct classify_result *out);

/* The evidence of one node as compact JSON, appended to out:
 *   {"code":["65",3],"kw":[["AI芯片",4,"name"],["GPU",3,"name+scope"]],
 *    "nk":[["芯",1]],"ex":[["芯片销售","芯片","scope"]]}
 * code: the code rule and its weight; kw: keywords with weight and where
 * they counted; nk: name keywords; ex: exclusion, the keyword it cancelled
 * and where. Members without entries are left out. */
void classify_evidence_json(const struct classify_node *n, struct strbuf *out);

/* "name", "scope" or "name+scope". */
const char *classify_fields_name(unsigned fields);

#endif
