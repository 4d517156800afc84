/*
 * taxonomy.h - the industry-chain taxonomy: tracks (产业赛道), each a chain
 * of nodes (环节) grouped by stage, and the code and keyword rules that place
 * an enterprise in a node. The file format is data/chains/README.md.
 *
 * A taxonomy is loaded whole from a directory of .chain files, from the
 * default set embedded in the binary, or from memory (tests, the fuzz
 * target), and validated strictly: the first problem is reported as
 * "FILE:LINE: reason" and nothing is loaded. taxonomy_reload() replaces a
 * running taxonomy only when the new one loads, so a malformed edit never
 * leaves Magnet without one.
 *
 * A loaded taxonomy is immutable: any number of threads may read it.
 */
#ifndef MAGNET_CHAIN_TAXONOMY_H
#define MAGNET_CHAIN_TAXONOMY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define TAXONOMY_MAX_FILE (1u << 20)       /* bytes per .chain file */
#define TAXONOMY_MAX_TOTAL (16u << 20)     /* bytes over all files */
#define TAXONOMY_MAX_FILES 1000
#define TAXONOMY_MAX_LINE 65536            /* bytes per line */
#define TAXONOMY_MAX_ID 32                 /* bytes of a track or node id */
#define TAXONOMY_MAX_KEYWORD 64            /* characters of a keyword, after folding */
#define TAXONOMY_MAX_WEIGHT 10000          /* 100.00, in hundredths */
#define TAXONOMY_DEFAULT_WEIGHT 200        /* 2 */
#define TAXONOMY_DEFAULT_THRESHOLD 400     /* 4 */

enum tax_kind {
    TAX_CHAIN = 0,          /* nodes by stage: upstream, midstream, downstream */
    TAX_CLASSIFICATION = 1  /* a code-based catalogue: nodes by category code */
};

enum tax_stage {
    TAX_UPSTREAM = 0,
    TAX_MIDSTREAM = 1,
    TAX_DOWNSTREAM = 2,
    TAX_CATEGORY = 3        /* kind = classification: stage_text holds the code */
};

/* Weights and thresholds are fixed point, in hundredths: "1.5" is 150. */

/* A keyword, name keyword or exclusion. */
struct tax_term {
    const char *text;       /* as written (cleaned: NFC, width-folded) */
    const char *key;        /* folded with chain_fold(): what is matched */
    uint32_t key_len;
    int32_t weight;         /* exclusions: 0 */
    uint32_t id;            /* index in the taxonomy's term numbering (see taxonomy_term) */
};

/* A GB/T 4754-2017 code rule: the code covers its subclasses. */
struct tax_code {
    char code[6];           /* canonical, as industry_find_code() has it: "I", "65", "6513" */
    int level;              /* enum industry_level: 1 section .. 4 class */
    int32_t weight;
};

struct tax_node {
    const char *id;         /* "chip" */
    const char *full_id;    /* "ai/chip" */
    const char *name;       /* "AI芯片" */
    const char *stage_text; /* "upstream", or the category code "01" */
    enum tax_stage stage;
    size_t track;           /* index in taxonomy.tracks */
    const struct tax_code *codes;
    size_t ncodes;
    const struct tax_term *keywords;       /* name and scope */
    size_t nkeywords;
    const struct tax_term *name_keywords;  /* name only */
    size_t nname_keywords;
    const struct tax_term *excludes;
    size_t nexcludes;
    int32_t threshold;
    const char *file;       /* "ai.chain" */
    size_t line;            /* of its [node] header */
};

struct tax_track {
    const char *id;         /* "ai" */
    const char *name;       /* "人工智能" */
    enum tax_kind kind;
    const char *const *sources;
    size_t nsources;
    size_t first_node;      /* its nodes are nodes[first_node .. first_node + nnodes) */
    size_t nnodes;
    const char *file;
};

struct tax_pool;

struct taxonomy {
    const struct tax_track *tracks;  /* in file-name order */
    size_t ntracks;
    const struct tax_node *nodes;    /* grouped by track, in file order within one */
    size_t nnodes;
    size_t nterms;                   /* keywords + name keywords + exclusions, all nodes */
    char hash[17];                   /* version: 16 hex digits of SHA-256 over the files */
    const char *source;              /* the directory, or "built-in" */
    struct tax_pool *pool;           /* owns everything above */
};

/* One input file for taxonomy_load_files(). A name ending in ".chain" must
 * define the track of that name (ai.chain defines ai); other names (the fuzz
 * target's) skip that check. */
struct tax_file {
    const char *name;
    const char *data;
    size_t len;
};

/* Load every *.chain file of dir (other files are ignored), in name order. */
int taxonomy_load_dir(const char *dir, struct taxonomy **out, struct error *err);

/* Load the default taxonomy embedded in the binary (data/chains/ *.chain at
 * build time). */
int taxonomy_load_default(struct taxonomy **out, struct error *err);

/* Load files held in memory; source names them in messages ("dir/ai.chain:3"
 * when source is "dir"; NULL or "" for bare file names). */
int taxonomy_load_files(const struct tax_file *files, size_t n, const char *source,
                        struct taxonomy **out, struct error *err);

/* Load a bundle: files concatenated, each preceded by a line of the byte
 * 0x1C followed by its name ("\x1C" "ai.chain\n") and followed by one
 * newline that is not part of it. The embedded default is one (built by the
 * Makefile); tests may build others. */
int taxonomy_load_bundle(const char *data, size_t len, const char *source,
                         struct taxonomy **out, struct error *err);

/* Load from dir (NULL: the embedded default) and, only when that succeeds,
 * free *cur and put the new taxonomy there. On failure *cur is untouched and
 * still usable. Anything built from the old taxonomy (a classifier) must be
 * rebuilt after a successful reload. */
int taxonomy_reload(struct taxonomy **cur, const char *dir, struct error *err);

void taxonomy_free(struct taxonomy *t);

/* Lookups; NULL when absent. full_id is "track/node". */
const struct tax_track *taxonomy_track(const struct taxonomy *t, const char *id);
const struct tax_node *taxonomy_node(const struct taxonomy *t, const char *full_id);

/* "upstream", "midstream", "downstream", "category". */
const char *tax_stage_name(enum tax_stage s);
/* "上游", "中游", "下游", "类别". */
const char *tax_stage_label(enum tax_stage s);

/* A fixed-point weight as text: 400 -> "4", 150 -> "1.5", 125 -> "1.25".
 * buf needs 16 bytes; returns buf. */
char *tax_weight_format(int32_t w, char buf[16]);

#endif
