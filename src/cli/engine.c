/*
 * engine.c - opening the store, taxonomy, scoring model and index for the
 * screening commands, and the JSON form of a screening result.
 */
#include "cli/engine.h"

#include <stdlib.h>
#include <string.h>

#include "cli/chain_view.h"
#include "cli/cli.h"
#include "index/query.h"
#include "index/screen_json.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/value.h"

static int resolve_home(const char *cmd, const char *home, char out[10])
{
    const struct region *rg;
    size_t n;
    out[0] = '\0';
    if (!home || !*home)
        return 0;
    if (!(rg = region_resolve(home, &n))) {
        fprintf(stderr, "magnet %s: home region '%s' is %s\n", cmd, home,
                n ? "ambiguous: give its code" : "unknown");
        return EXIT_USAGE;
    }
    snprintf(out, 10, "%s", rg->code);
    return 0;
}

int engine_open_noindex(const char *cmd, const struct engine_flags *f, struct engine *e)
{
    struct error err = ERROR_INIT;
    char today[11];
    int64_t days;
    int status;

    memset(e, 0, sizeof(*e));
    status = resolve_home(cmd, f->home ? f->home : getenv("MAGNET_HOME"), e->home);
    if (status)
        return status;
    value_today(today);
    e->today = query_date_days(today, &days) == 0 ? days : 0;
    status = chain_view_load(cmd, f->chains, &e->tax);
    if (status)
        return status;
    if (score_model_load(f->scoring, &e->sm, &err) != 0) {
        fprintf(stderr, "magnet %s: %s\n", cmd, err.msg);
        engine_close(e);
        return EXIT_INVALID;
    }
    if (store_open(cli_db_path(f->db), STORE_OPEN_EXISTING, &e->st, &err) != 0) {
        cli_print_error(&err);
        engine_close(e);
        return EXIT_FAIL;
    }
    return 0;
}

int engine_open(const char *cmd, const struct engine_flags *f, struct engine *e)
{
    struct error err = ERROR_INIT;
    struct index_options opt;
    int status = engine_open_noindex(cmd, f, e);
    if (status)
        return status;
    memset(&opt, 0, sizeof(opt));
    opt.taxonomy = e->tax;
    opt.scoring = e->sm;
    opt.home = e->home[0] ? e->home : NULL;
    opt.today = e->today;
    if (index_build(e->st, &opt, &e->ix, &err) != 0) {
        cli_print_error(&err);
        engine_close(e);
        return EXIT_FAIL;
    }
    return 0;
}

void engine_close(struct engine *e)
{
    index_free(e->ix);
    store_close(e->st);
    score_model_free(e->sm);
    taxonomy_free(e->tax);
    memset(e, 0, sizeof(*e));
}

json_t *engine_result_json(const struct engine *e, const struct screen_result *r)
{
    (void)e;
    return screen_result_json(r);
}
