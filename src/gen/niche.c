/*
 * niche.c - which firms have a specialism (tables_niche.c), and where the
 * cluster-bound industries sit.
 *
 * A firm's chance of a specialism is the base rate of its class, times the
 * level of its city in the specialism's cluster (an AI start-up is likelier
 * among Hangzhou's software firms than among a county town's), times its
 * latent innovation (the firms that do real AI are the ones that patent),
 * divided by 8 when it was founded before the activity took off (older
 * firms that took it up later). All integer: rates are per million, the
 * multipliers x8 and x16.
 *
 * The draw comes from the row's own PURPOSE_NICHE stream, so choosing a
 * specialism moves no other draw: a firm without one gets the words it
 * would get without specialisms. (The cluster-bound classes, by contrast,
 * are a draw of the numbers stream: gen_hub_keep_class.)
 */
#include "gen/gen_internal.h"

#include <string.h>

#include "base/alloc.h"
#include "ref/industry.h"

#define PER_MILLION 1000000u

static int code_ok(const char *code)
{
    const struct industry *in = industry_find_code(code);
    size_t n = strlen(code);
    return in && ((n == 4 && in->level == INDUSTRY_CLASS) || n == 2);
}

/* "6513" -> 6513; anything else -> 0 (no class has that code). */
static uint32_t code_number(const char *code)
{
    uint32_t v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        if (code[i] < '0' || code[i] > '9')
            return 0;
        v = v * 10 + (uint32_t)(code[i] - '0');
    }
    return v;
}

/* The classes [*first, *end) a rate applies to: its class, or all of its
 * division's (contiguous in gen.cls). */
static void rate_classes(const struct gen *g, const char *code, uint32_t *first, uint32_t *end)
{
    *first = *end = 0;
    if (code[0] && code[1] && !code[2]) {
        const struct gen_division_ix *di = &g->div[(code[0] - '0') * 10 + (code[1] - '0')];
        *first = di->first;
        *end = di->first + di->count;
    } else {
        uint32_t ix = g->niche_cls[code_number(code)];
        if (ix) {
            *first = ix - 1;
            *end = ix;
        }
    }
}

int gen_niche_prepare(struct gen *g, struct error *err)
{
    uint32_t i, c, k, total = 0, *count;

    g->niche_cls = xcalloc(10000, sizeof(*g->niche_cls));
    for (c = 0; c < g->ncls; c++)
        g->niche_cls[code_number(g->cls[c].code)] = c + 1;
    for (k = 0; k < gen_class_hub_count; k++) {
        uint32_t ix = g->niche_cls[code_number(gen_class_hubs[k].code)];
        if (!ix)
            return error_set(err, "generator cluster table names industry class %s, which the "
                                  "generator does not draw", gen_class_hubs[k].code);
        g->cls[ix - 1].hub = gen_class_hubs[k].hub;
    }

    for (k = 0; k < gen_niche_rate_count; k++) {
        const struct gen_niche_rate *nr = &gen_niche_rates[k];
        if (!code_ok(nr->code))
            return error_set(err, "generator specialism table names industry code %s, which "
                                  "GB/T 4754-2017 lacks", nr->code);
        if (nr->niche >= NICHE_COUNT || nr->hub >= HUB_COUNT)
            return error_set(err, "generator specialism table: bad entry for %s", nr->code);
    }

    /* candidates per class: count, place, fill (a division's rate applies
     * to each of its classes) */
    count = xcalloc(g->ncls ? g->ncls : 1, sizeof(*count));
    for (k = 0; k < gen_niche_rate_count; k++) {
        uint32_t first, end;
        rate_classes(g, gen_niche_rates[k].code, &first, &end);
        for (c = first; c < end; c++) {
            count[c]++;
            total++;
        }
    }
    g->niche_cand = xmalloc(st_mult(total ? total : 1, sizeof(*g->niche_cand)));
    g->nniche_cand = total;
    for (c = 0, i = 0; c < g->ncls; c++) {
        g->cls[c].niche_first = i;
        g->cls[c].niche_count = 0;
        i += count[c];
    }
    free(count);
    for (k = 0; k < gen_niche_rate_count; k++) {
        const struct gen_niche_rate *nr = &gen_niche_rates[k];
        uint32_t first, end;
        rate_classes(g, nr->code, &first, &end);
        for (c = first; c < end; c++) {
            struct gen_niche_cand *nc;
            nc = &g->niche_cand[g->cls[c].niche_first + g->cls[c].niche_count++];
            nc->niche = nr->niche;
            nc->hub = nr->hub;
            nc->per_million = (uint32_t)nr->per10k * 100u;
        }
    }

    for (i = 0; i < g->ncounty; i++)
        memset(g->county[i].hub, 0, sizeof(g->county[i].hub));
    for (k = 0; k < gen_hub_city_count; k++) {
        const struct gen_hub_city *hc = &gen_hub_cities[k];
        if (hc->hub >= HUB_COUNT)
            continue;
        for (i = 0; i < g->ncounty; i++)
            if (!memcmp(hc->city, g->county[i].r->code, 4))
                g->county[i].hub[hc->hub] = hc->level < GEN_HUB_LEVELS ? hc->level
                                                                         : GEN_HUB_LEVELS - 1;
    }
    return 0;
}

int gen_hub_keep_class(const struct gen *g, struct rng *r, uint8_t hub, uint32_t county)
{
    uint32_t level = hub < HUB_COUNT ? g->county[county].hub[hub] : GEN_HUB_LEVELS - 1;
    return rng_below(r, 1000) < gen_hub_keep[level];
}

static const struct gen_class *class_of(const struct gen *g, const char *code)
{
    uint32_t ix = g->niche_cls[code_number(code)];
    return ix ? &g->cls[ix - 1] : NULL;
}

/* Innovation multiplier, x16: 1 at the mean, 2 at +2 sd, 1/4 at -1.5 sd. */
static uint64_t innov_factor(int32_t innov)
{
    int64_t f = 16 + (int64_t)innov * 8 / Q16_ONE;
    return (uint64_t)(f < 4 ? 4 : f > 48 ? 48 : f);
}

int gen_niche_pick(const struct gen *g, const struct gen_ent *e, const struct gen_ent *parent,
                   struct rng *r)
{
    const struct gen_class *c;
    const struct gen_county *gc = &g->county[e->county_ix];
    uint64_t w[32], total = 0, u;
    uint32_t i, n;

    if (parent && !memcmp(parent->industry, e->industry, 4)) {
        rng_seed(r, g->opt.seed, e->row, PURPOSE_NICHE);
        return parent->niche;
    }
    if (e->type_digit != '1' || e->role == GEN_ROLE_FUND || e->role == GEN_ROLE_BRANCH)
        return -1;
    c = class_of(g, e->industry);
    /* partnerships here are holding and consulting shells */
    if (!c || !c->niche_count || (e->ent_type && strstr(e->ent_type, "合伙")))
        return -1;
    rng_seed(r, g->opt.seed, e->row, PURPOSE_NICHE);
    u = rng_next(r);
    n = c->niche_count < 32 ? c->niche_count : 32;
    for (i = 0; i < n; i++) {
        const struct gen_niche_cand *nc = &g->niche_cand[c->niche_first + i];
        const struct gen_niche *ni = &gen_niches[nc->niche];
        uint64_t x = (uint64_t)nc->per_million * gen_hub_rate[nc->hub][gc->hub[nc->hub]] / 8;
        if (ni->innov)
            x = x * innov_factor(e->innov) / 16;
        if (ni->since && e->founded_y < (int)ni->since)
            x /= 8;
        w[i] = x;
        total += x;
    }
    /* rates above one (a cluster multiplying a near-certain class) share
     * the whole instead of crowding out the later entries */
    u = dist_mulhi64(u, total > PER_MILLION ? total : PER_MILLION);
    for (i = 0; i < n; i++) {
        if (u < w[i])
            return g->niche_cand[c->niche_first + i].niche;
        u -= w[i];
    }
    return -1;
}
