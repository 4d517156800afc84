/*
 * engine.h - what the screening commands (magnet screen, list, chain map)
 * share: the store, the taxonomy, the scoring model and the index built
 * from them, opened from the common flags.
 */
#ifndef MAGNET_CLI_ENGINE_H
#define MAGNET_CLI_ENGINE_H

#include <jansson.h>

#include "chain/taxonomy.h"
#include "index/exec.h"
#include "index/index.h"
#include "index/score.h"
#include "store/store.h"

struct engine_flags {
    const char *db;       /* --db */
    const char *chains;   /* --chains DIR */
    const char *scoring;  /* --scoring FILE */
    const char *home;     /* --home REGION (code or name); else $MAGNET_HOME */
    int quiet;
};

struct engine {
    struct store *st;
    struct taxonomy *tax;
    struct score_model *sm;
    struct index *ix;
    char home[10];        /* resolved code, "" none */
    int64_t today;
};

/* Open everything and build the index. On failure prints the problem as
 * "magnet CMD: ..." and returns an exit status; 0 on success. */
int engine_open(const char *cmd, const struct engine_flags *f, struct engine *e);
/* The same without building the index (e->ix NULL). */
int engine_open_noindex(const char *cmd, const struct engine_flags *f, struct engine *e);
void engine_close(struct engine *e);

/* The JSON of a screening result (also what the HTTP API returns). */
json_t *engine_result_json(const struct engine *e, const struct screen_result *r);

#endif
