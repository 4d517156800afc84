/*
 * gen_internal.h - what the generator's own files share: the prepared
 * sampling tables (struct gen) and the helpers between model.c (numbers),
 * text.c (names, scopes, addresses) and render.c (cells).
 */
#ifndef MAGNET_GEN_INTERNAL_H
#define MAGNET_GEN_INTERNAL_H

#include "gen/dist.h"
#include "gen/gen.h"
#include "gen/perm.h"
#include "gen/tables.h"
#include "ref/region.h"

/* Purposes of the per-row random streams: one stream per concern, so that
 * skipping text (with_text = 0) does not shift the numbers. */
enum {
    PURPOSE_NUM = 1,
    PURPOSE_TEXT,
    PURPOSE_GROUP,
    PURPOSE_EDGES,
    PURPOSE_PERM_HOME = 101,
    PURPOSE_PERM_ROLE,
    PURPOSE_PERM_ORG
};

enum { PROFILE_NAT = 0, PROFILE_HOME, PROFILE_TECH, PROFILE_COUNT };

struct gen_county {
    const struct region *r;
    uint32_t province;      /* index into gen_provinces */
    uint32_t street_first;  /* into gen.street */
    uint32_t street_count;
    const char *area_code;  /* landline prefix or NULL */
    uint8_t city_is_placeholder;  /* 市辖区 / 省直辖县级行政区划 */
    /* names as firms use them, computed once (text.c) */
    char province_short[16];      /* 浙江 */
    char city_short[40];          /* 杭州 */
    char county_short[40];        /* 西湖 */
    const char *city_full;        /* 杭州市 (北京市 for a municipality) */
    const char *province_full;    /* 浙江省 */
    uint8_t county_is_city;       /* a 县级市: 义乌市 */
};

struct gen_province_ix {
    uint32_t first, count;  /* into gen.prov_county */
    uint64_t *cum;          /* over those counties */
};

struct gen_class {
    char code[5];
    uint8_t family;
    const char *phrase;
};

struct gen_division_ix {
    uint32_t first, count;  /* into gen.cls */
    uint64_t *cum;
};

/* Ranges of home-district prominence ranks that carry each tag. */
struct rank_range {
    uint64_t lo, hi;  /* [lo, hi) */
};

struct gen {
    struct gen_options opt;
    char home_code[10];
    char today_str[11];
    int today, today_y, today_doy;
    uint64_t n;
    uint64_t H, P, S, F;           /* home rows, group parents, members, funds */
    struct rank_range home_tag[TAG_COUNT];
    struct gen_home_figures home_fig;
    struct perm p_home, p_role, p_org;

    uint64_t prov_cum[64];
    struct gen_province_ix prov[64];
    uint32_t *prov_county;         /* county indexes grouped by province */
    struct gen_county *county;
    uint32_t ncounty;
    const struct region **street;
    uint64_t *street_cum;          /* per county, restarting at each county's first street */
    uint32_t nstreet;
    int home_county;               /* index, -1 for none */

    struct gen_class *cls;
    uint32_t ncls;
    struct gen_division_ix div[100];  /* by division number */
    uint8_t div_num[100];             /* the division numbers that exist, in order */
    uint32_t ndiv;
    uint64_t div_cum[PROFILE_COUNT][100];

    uint64_t year_cum[4][80];
    uint32_t nyears;
    uint64_t surname_cum[128];
};

/* Names, scope, address, phone, web site, legal representative, former
 * names (text.c). parent is the group parent for subsidiaries and
 * branches, else NULL. */
void gen_text_fill(const struct gen *g, struct gen_ent *e, const struct gen_ent *parent);

/* Fill the county's short names (text.c). */
void gen_county_names(struct gen_county *gc);

/* The county record of an enterprise. */
const struct gen_county *gen_county_of(const struct gen *g, const struct gen_ent *e);

/* Date helpers (model.c). */
int gen_days_from_civil(int y, int m, int d);
void gen_civil_from_days(int day, int *y, int *m, int *d);

/* The block pipeline (gen_write.c): rows are rendered in blocks of
 * GEN_BLOCK_ROWS by the option's threads, and handed to consume() in row
 * order on the calling thread. */
#define GEN_BLOCK_ROWS 1024
typedef void (*gen_render_fn)(const struct gen *g, uint64_t first, uint64_t end,
                              struct gen_ent *scratch, struct strbuf *cells, struct strbuf *out);
typedef int (*gen_consume_fn)(void *ctx, const struct strbuf *block, uint64_t first, uint64_t end,
                              struct error *err);
int gen_pipeline(const struct gen *g, gen_render_fn render, gen_consume_fn consume, void *ctx,
                 struct error *err);

/* Round labels by index (model.c). */
extern const char *const gen_round_labels[];

#endif
