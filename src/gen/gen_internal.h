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
    PURPOSE_NICHE,
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
    uint8_t hub[HUB_COUNT];       /* cluster level of its city (gen_hub_cities), 0 none */
};

struct gen_province_ix {
    uint32_t first, count;  /* into gen.prov_county */
    uint64_t *cum;          /* over those counties */
};

struct gen_class {
    char code[5];
    uint8_t family;
    uint8_t hub;              /* cluster the class is bound to, HUB_NONE for none */
    const char *phrase;
    uint32_t niche_first;     /* its specialisms: gen.niche_cand[first .. first + count) */
    uint32_t niche_count;
};

/* A specialism open to the firms of a class, at a base rate. */
struct gen_niche_cand {
    uint8_t niche;            /* enum gen_niche_id */
    uint8_t hub;
    uint32_t per_million;
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

    struct gen_niche_cand *niche_cand;
    uint32_t nniche_cand;
    uint32_t *niche_cls;           /* by 4-digit class code: index into cls + 1, 0 none */

    uint64_t year_cum[4][80];
    uint32_t nyears;
    uint64_t surname_cum[128];
};

/* Specialisms (niche.c). gen_niche_prepare() fills the classes' candidate
 * lists and the counties' cluster levels (0, or -1 with err set when a
 * table names an industry class GB/T 4754-2017 lacks). gen_niche_pick()
 * returns the specialism of a firm, -1 for none; when it returns one, r
 * is the row's PURPOSE_NICHE stream after the draw, for the words. Members
 * that share their parent's class share its specialism. */
int gen_niche_prepare(struct gen *g, struct error *err);
int gen_niche_pick(const struct gen *g, const struct gen_ent *e, const struct gen_ent *parent,
                   struct rng *r);
/* Whether a firm of a cluster-bound class stays in county c (one draw from r). */
int gen_hub_keep_class(const struct gen *g, struct rng *r, uint8_t hub, uint32_t county);

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
