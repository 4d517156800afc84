/*
 * classify.c - the classifier: one matcher over all terms of all nodes, code
 * rules resolved per industry code in advance, and a per-thread scratch so
 * that classifying an enterprise allocates nothing (see classify.h for the
 * scoring rules).
 *
 * Built once per taxonomy:
 *   - patterns: each distinct folded term is one matcher pattern whose id
 *     indexes a list of uses (node, term, kind), so "软件开发" used by ten
 *     nodes costs the automaton one pattern and the scan one report;
 *   - codes: for every code of the GB/T 4754 table, the nodes whose code
 *     rules cover it with the most specific rule of each, so an enterprise's
 *     code costs one hash lookup instead of a walk over the rules.
 *
 * Per enterprise: fold name and scope into the scratch buffer, scan, turn
 * hits into keyword and exclusion occurrences, cancel keyword occurrences
 * overlapped by an exclusion of the same node, count each keyword once per
 * node (a generation stamp per term avoids clearing arrays), add the code
 * rule, then group the evidence by node.
 */
#include "chain/classify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hashmap.h"
#include "chain/fold.h"
#include "chain/match.h"
#include "ref/industry.h"

#define FIELD_SEP '\x1F'
#define MAX_EX_EVIDENCE 256   /* exclusion evidence entries per enterprise */

enum term_kind { K_KEYWORD, K_NAME_KEYWORD, K_EXCLUDE };

struct use {
    uint32_t node;
    uint32_t term;
};

/* A term's place in the taxonomy, by term id. */
struct term_info {
    const struct tax_term *term;
    uint32_t node;
    uint8_t kind;
};

struct code_hit {
    uint32_t node;
    uint32_t code;  /* index in the node's codes */
};

struct code_list {
    uint32_t off, n;  /* in classifier.code_hits */
};

struct classifier {
    const struct taxonomy *tax;
    struct matcher *m;
    uint32_t npatterns;
    uint32_t *use_off;        /* npatterns + 1 offsets into uses */
    struct use *uses;
    struct term_info *terms;  /* by term id */
    struct hashmap codes;     /* industry code -> struct code_list */
    struct code_list *code_lists;
    struct code_hit *code_hits;
};

/* ---- building ---- */

struct pat_build {
    const char *key;
    uint32_t len;
    uint32_t term;  /* term id */
};

static int pat_cmp(const void *a, const void *b)
{
    const struct pat_build *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

static void build_terms(struct classifier *c)
{
    const struct taxonomy *t = c->tax;
    size_t i, j;
    c->terms = xcalloc(t->nterms ? t->nterms : 1, sizeof(*c->terms));
    for (i = 0; i < t->nnodes; i++) {
        const struct tax_node *n = &t->nodes[i];
        for (j = 0; j < n->nkeywords; j++)
            c->terms[n->keywords[j].id] = (struct term_info){ &n->keywords[j], (uint32_t)i,
                                                              K_KEYWORD };
        for (j = 0; j < n->nname_keywords; j++)
            c->terms[n->name_keywords[j].id] = (struct term_info){ &n->name_keywords[j],
                                                                   (uint32_t)i, K_NAME_KEYWORD };
        for (j = 0; j < n->nexcludes; j++)
            c->terms[n->excludes[j].id] = (struct term_info){ &n->excludes[j], (uint32_t)i,
                                                              K_EXCLUDE };
    }
}

static int build_patterns(struct classifier *c, struct error *err)
{
    const struct taxonomy *t = c->tax;
    struct pat_build *p = xmalloc(st_mult(t->nterms ? t->nterms : 1, sizeof(*p)));
    size_t i, n = t->nterms;
    uint32_t pat = 0;

    for (i = 0; i < n; i++)
        p[i] = (struct pat_build){ c->terms[i].term->key, c->terms[i].term->key_len, (uint32_t)i };
    qsort(p, n, sizeof(*p), pat_cmp);
    c->uses = xmalloc(st_mult(n ? n : 1, sizeof(*c->uses)));
    c->use_off = xmalloc(st_mult(n + 1, sizeof(*c->use_off)));
    for (i = 0; i < n; i++) {
        if (i == 0 || p[i].len != p[i - 1].len || memcmp(p[i].key, p[i - 1].key, p[i].len)) {
            c->use_off[pat] = (uint32_t)i;
            if (match_add(c->m, p[i].key, p[i].len, pat, err) != 0) {
                const char *text = c->terms[p[i].term].term->text;
                free(p);
                return error_prefix(err, "keyword '%s': ", text);
            }
            pat++;
        }
        c->uses[i] = (struct use){ c->terms[p[i].term].node, p[i].term };
    }
    c->use_off[pat] = (uint32_t)n;
    c->npatterns = pat;
    free(p);
    return match_compile(c->m, err);
}

/* For each industry code, the nodes covering it and each one's most
 * specific code rule. */
static void build_codes(struct classifier *c)
{
    const struct taxonomy *t = c->tax;
    size_t nind = industry_count(), i, k, hits = 0, alloc = 0;
    struct hashmap rules = HASHMAP_INIT;  /* node code -> first rule + 1 in the chain */
    struct code_hit *chain = NULL;        /* rules, linked through next[] */
    uint32_t *next = NULL;
    size_t nchain = 0, chain_alloc = 0, next_alloc = 0;
    uint32_t *seen = xcalloc(t->nnodes ? t->nnodes : 1, sizeof(*seen));

    for (i = 0; i < t->nnodes; i++) {
        for (k = 0; k < t->nodes[i].ncodes; k++) {
            const char *code = t->nodes[i].codes[k].code;
            void **slot = hashmap_put(&rules, code, strlen(code), NULL);
            ALLOC_GROW(chain, nchain + 1, chain_alloc);
            ALLOC_GROW(next, nchain + 1, next_alloc);
            chain[nchain] = (struct code_hit){ (uint32_t)i, (uint32_t)k };
            next[nchain] = (uint32_t)(uintptr_t)*slot;  /* previous head + 1, or 0 */
            *slot = (void *)(uintptr_t)(nchain + 1);
            nchain++;
        }
    }
    hashmap_init(&c->codes, nind);
    c->code_lists = xcalloc(nind ? nind : 1, sizeof(*c->code_lists));
    for (i = 0; i < nind; i++) {
        const struct industry *ind = industry_at(i), *a;
        struct code_list *cl = &c->code_lists[i];
        cl->off = (uint32_t)hits;
        /* From the code itself up to its section: the first rule seen for
         * a node is its most specific. */
        for (a = ind; a; a = a->parent) {
            uintptr_t r = (uintptr_t)hashmap_get(&rules, a->code, strlen(a->code));
            while (r) {
                const struct code_hit *h = &chain[r - 1];
                if (seen[h->node] != i + 1) {
                    seen[h->node] = (uint32_t)(i + 1);
                    ALLOC_GROW(c->code_hits, hits + 1, alloc);
                    c->code_hits[hits++] = *h;
                }
                r = next[r - 1];
            }
        }
        cl->n = (uint32_t)hits - cl->off;
        if (cl->n)
            *hashmap_put(&c->codes, ind->code, strlen(ind->code), NULL) = cl;
    }
    hashmap_release(&rules);
    free(chain);
    free(next);
    free(seen);
}

int classifier_new(const struct taxonomy *t, struct classifier **out, struct error *err)
{
    struct classifier *c = xcalloc(1, sizeof(*c));
    *out = NULL;
    c->tax = t;
    c->m = match_new();
    build_terms(c);
    if (build_patterns(c, err) != 0) {
        classifier_free(c);
        return -1;
    }
    build_codes(c);
    *out = c;
    return 0;
}

void classifier_free(struct classifier *c)
{
    if (!c)
        return;
    match_free(c->m);
    free(c->use_off);
    free(c->uses);
    free(c->terms);
    hashmap_release(&c->codes);
    free(c->code_lists);
    free(c->code_hits);
    free(c);
}

const struct taxonomy *classifier_taxonomy(const struct classifier *c)
{
    return c->tax;
}

/* ---- the scratch ---- */

struct hit {
    uint32_t pattern, start, end;
};

struct occ {
    uint32_t node, term, start, end;
    uint8_t field;
};

/* Evidence before grouping: which result slot it belongs to. */
struct kw_ev {
    uint32_t slot;
    struct classify_kw kw;
};

struct ex_ev {
    uint32_t slot;
    struct classify_ex ex;
};

struct classify_scratch {
    const struct classifier *c;
    char *text;
    size_t text_alloc;
    size_t name_len;      /* folded name, before the separator */
    size_t text_len;      /* name, separator and scope */
    int truncated;
    struct hit *hits;
    size_t nhits, hits_alloc;
    struct occ *kw, *ex;
    size_t nkw, kw_alloc, nex, ex_alloc;
    uint32_t gen;
    uint32_t *term_stamp, *term_ev;  /* by term id */
    uint32_t *node_stamp, *node_slot;  /* by node index */
    struct classify_node *nodes;
    size_t nnodes, nodes_alloc;
    struct kw_ev *kwev;
    size_t nkwev, kwev_alloc;
    struct ex_ev *exev;
    size_t nexev, exev_alloc;
    struct classify_kw *kws;     /* grouped by node */
    size_t kws_alloc;
    struct classify_ex *exs;
    size_t exs_alloc;
    uint32_t *counts;            /* per slot, for grouping */
    size_t counts_alloc;
};

struct classify_scratch *classify_scratch_new(const struct classifier *c)
{
    struct classify_scratch *s = xcalloc(1, sizeof(*s));
    size_t nt = c->tax->nterms ? c->tax->nterms : 1, nn = c->tax->nnodes ? c->tax->nnodes : 1;
    s->c = c;
    s->term_stamp = xcalloc(nt, sizeof(uint32_t));
    s->term_ev = xcalloc(nt, sizeof(uint32_t));
    s->node_stamp = xcalloc(nn, sizeof(uint32_t));
    s->node_slot = xcalloc(nn, sizeof(uint32_t));
    return s;
}

void classify_scratch_free(struct classify_scratch *s)
{
    if (!s)
        return;
    free(s->text);
    free(s->hits);
    free(s->kw);
    free(s->ex);
    free(s->term_stamp);
    free(s->term_ev);
    free(s->node_stamp);
    free(s->node_slot);
    free(s->nodes);
    free(s->kwev);
    free(s->exev);
    free(s->kws);
    free(s->exs);
    free(s->counts);
    free(s);
}

/* ---- classifying ---- */

static int collect_hit(const struct match_hit *h, void *ctx)
{
    struct classify_scratch *s = ctx;
    if (s->nhits >= CLASSIFY_MAX_HITS) {
        s->truncated = 1;
        return 1;
    }
    ALLOC_GROW(s->hits, s->nhits + 1, s->hits_alloc);
    s->hits[s->nhits++] = (struct hit){ h->id, h->start, h->start + h->len };
    return 0;
}

/* Cut len to at most max bytes without splitting a UTF-8 sequence. */
static size_t clip(const char *t, size_t len, size_t max, int *truncated)
{
    if (len <= max)
        return len;
    *truncated = 1;
    while (max > 0 && ((unsigned char)t[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static void fold_input(struct classify_scratch *s, const struct classify_input *in)
{
    size_t nl = in->name ? clip(in->name, in->name_len, CLASSIFY_MAX_NAME, &s->truncated) : 0;
    size_t sl = in->scope ? clip(in->scope, in->scope_len, CLASSIFY_MAX_SCOPE, &s->truncated) : 0;
    size_t need = nl + 1 + sl + 1;
    if (need > s->text_alloc) {
        free(s->text);
        s->text_alloc = need < 4096 ? 4096 : need;
        s->text = xmalloc(s->text_alloc);
    }
    s->name_len = nl ? chain_fold(in->name, nl, s->text) : 0;
    s->text[s->name_len] = FIELD_SEP;
    s->text_len = s->name_len + 1 + (sl ? chain_fold(in->scope, sl, s->text + s->name_len + 1) : 0);
    s->text[s->text_len] = '\0';
}

/* The result slot of node, created on first touch. */
static struct classify_node *touch(struct classify_scratch *s, uint32_t node)
{
    struct classify_node *r;
    if (s->node_stamp[node] == s->gen)
        return &s->nodes[s->node_slot[node]];
    s->node_stamp[node] = s->gen;
    s->node_slot[node] = (uint32_t)s->nnodes;
    ALLOC_GROW(s->nodes, s->nnodes + 1, s->nodes_alloc);
    r = &s->nodes[s->nnodes++];
    memset(r, 0, sizeof(*r));
    r->node = &s->c->tax->nodes[node];
    r->index = node;
    return r;
}

static int occ_cmp(const void *a, const void *b)
{
    const struct occ *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The first exclusion occurrence of o's node that overlaps o, or NULL.
 * ex is sorted by (node, end); an exclusion is at most MATCH_MAX_PATTERN
 * bytes, so only those ending within that distance after o can reach it. */
static const struct occ *overlapping_exclusion(const struct classify_scratch *s,
                                               const struct occ *o)
{
    size_t lo = 0, hi = s->nex, i;
    while (lo < hi) {  /* first with (node, end) > (o->node, o->start) */
        size_t mid = lo + (hi - lo) / 2;
        const struct occ *x = &s->ex[mid];
        if (x->node < o->node || (x->node == o->node && x->end <= o->start))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (i = lo; i < s->nex; i++) {
        const struct occ *x = &s->ex[i];
        if (x->node != o->node || x->end >= (uint64_t)o->end + MATCH_MAX_PATTERN)
            break;
        if (x->start < o->end)
            return x;
    }
    return NULL;
}

static void note_exclusion(struct classify_scratch *s, uint32_t slot, const struct occ *x,
                           const struct occ *o)
{
    const struct term_info *ti = s->c->terms;
    size_t i;
    for (i = 0; i < s->nexev; i++)
        if (s->exev[i].slot == slot && s->exev[i].ex.exclusion == ti[x->term].term &&
            s->exev[i].ex.cancelled == ti[o->term].term)
            return;
    if (s->nexev >= MAX_EX_EVIDENCE)
        return;
    ALLOC_GROW(s->exev, s->nexev + 1, s->exev_alloc);
    s->exev[s->nexev++] = (struct ex_ev){ slot, { ti[x->term].term, ti[o->term].term, o->field } };
}

static void score_keywords(struct classify_scratch *s)
{
    const struct term_info *ti = s->c->terms;
    size_t i;
    if (s->nex > 1)
        qsort(s->ex, s->nex, sizeof(*s->ex), occ_cmp);
    for (i = 0; i < s->nkw; i++) {
        const struct occ *o = &s->kw[i];
        const struct occ *x = s->nex ? overlapping_exclusion(s, o) : NULL;
        struct classify_node *r = touch(s, o->node);
        uint32_t slot = (uint32_t)(r - s->nodes);
        if (x) {
            note_exclusion(s, slot, x, o);
            continue;
        }
        if (s->term_stamp[o->term] != s->gen) {
            s->term_stamp[o->term] = s->gen;
            s->term_ev[o->term] = (uint32_t)s->nkwev;
            ALLOC_GROW(s->kwev, s->nkwev + 1, s->kwev_alloc);
            s->kwev[s->nkwev++] = (struct kw_ev){
                slot, { ti[o->term].term, ti[o->term].kind == K_NAME_KEYWORD, o->field }
            };
            r->score += ti[o->term].term->weight;
        } else {
            s->kwev[s->term_ev[o->term]].kw.fields |= o->field;
        }
    }
}

static void score_code(struct classify_scratch *s, const char *industry)
{
    const struct classifier *c = s->c;
    const struct code_list *cl;
    uint32_t i;
    if (!industry || !*industry)
        return;
    cl = hashmap_get(&c->codes, industry, strlen(industry));
    if (!cl) {
        /* Not in the canonical form the importer stores ("I6513", " 6513"). */
        const struct industry *ind = industry_find_code(industry);
        if (!ind)
            return;
        cl = hashmap_get(&c->codes, ind->code, strlen(ind->code));
        if (!cl)
            return;
    }
    for (i = 0; i < cl->n; i++) {
        const struct code_hit *h = &c->code_hits[cl->off + i];
        struct classify_node *r = touch(s, h->node);
        r->code = &r->node->codes[h->code];
        r->score += r->code->weight;
    }
}

static int node_cmp(const void *a, const void *b)
{
    const struct classify_node *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Group the evidence by result slot (a counting sort), point each result at
 * its part, then put the results in taxonomy order. */
static void finish(struct classify_scratch *s, struct classify_result *out)
{
    size_t i, n = s->nnodes, sum;

    ALLOC_GROW(s->counts, n + 1, s->counts_alloc);
    ALLOC_GROW(s->kws, s->nkwev, s->kws_alloc);
    ALLOC_GROW(s->exs, s->nexev, s->exs_alloc);

    memset(s->counts, 0, (n + 1) * sizeof(*s->counts));
    for (i = 0; i < s->nkwev; i++)
        s->counts[s->kwev[i].slot + 1]++;
    for (i = 1; i <= n; i++)
        s->counts[i] += s->counts[i - 1];
    for (i = 0; i < n; i++) {
        s->nodes[i].kws = s->kws + s->counts[i];
        s->nodes[i].nkws = s->counts[i + 1] - s->counts[i];
    }
    for (i = 0; i < s->nkwev; i++)
        s->kws[s->counts[s->kwev[i].slot]++] = s->kwev[i].kw;

    memset(s->counts, 0, (n + 1) * sizeof(*s->counts));
    for (i = 0; i < s->nexev; i++)
        s->counts[s->exev[i].slot + 1]++;
    for (i = 1; i <= n; i++)
        s->counts[i] += s->counts[i - 1];
    for (i = 0; i < n; i++) {
        s->nodes[i].exs = s->exs + s->counts[i];
        s->nodes[i].nexs = s->counts[i + 1] - s->counts[i];
    }
    for (i = 0; i < s->nexev; i++)
        s->exs[s->counts[s->exev[i].slot]++] = s->exev[i].ex;

    sum = 0;
    for (i = 0; i < n; i++) {
        struct classify_node *r = &s->nodes[i];
        int32_t th = r->node->threshold;
        r->placed = r->score >= th;
        r->confidence = r->score > 0 ? 1.0 - exp2(-(double)r->score / th) : 0.0;
        sum += (size_t)r->placed;
    }
    if (n > 1)
        qsort(s->nodes, n, sizeof(*s->nodes), node_cmp);
    out->nodes = s->nodes;
    out->nnodes = n;
    out->nplaced = sum;
    out->truncated = s->truncated;
}

size_t classify_ent(const struct classifier *c, struct classify_scratch *s,
                    const struct classify_input *in, struct classify_result *out)
{
    size_t i;
    uint32_t k;

    if (++s->gen == 0) {
        /* The stamps wrapped (after 4 billion enterprises): start afresh. */
        memset(s->term_stamp, 0, (c->tax->nterms ? c->tax->nterms : 1) * sizeof(uint32_t));
        memset(s->node_stamp, 0, (c->tax->nnodes ? c->tax->nnodes : 1) * sizeof(uint32_t));
        s->gen = 1;
    }
    s->truncated = 0;
    s->nhits = s->nkw = s->nex = s->nnodes = s->nkwev = s->nexev = 0;

    fold_input(s, in);
    match_scan(c->m, s->text, s->text_len, collect_hit, s);

    for (i = 0; i < s->nhits; i++) {
        const struct hit *h = &s->hits[i];
        uint8_t field = h->start < s->name_len ? CLASSIFY_IN_NAME : CLASSIFY_IN_SCOPE;
        for (k = c->use_off[h->pattern]; k < c->use_off[h->pattern + 1]; k++) {
            const struct use *u = &c->uses[k];
            uint8_t kind = c->terms[u->term].kind;
            struct occ o = { u->node, u->term, h->start, h->end, field };
            if (kind == K_EXCLUDE) {
                ALLOC_GROW(s->ex, s->nex + 1, s->ex_alloc);
                s->ex[s->nex++] = o;
            } else if (kind == K_KEYWORD || field == CLASSIFY_IN_NAME) {
                ALLOC_GROW(s->kw, s->nkw + 1, s->kw_alloc);
                s->kw[s->nkw++] = o;
            }
        }
    }
    score_keywords(s);
    score_code(s, in->industry);
    finish(s, out);
    return out->nplaced;
}

/* ---- evidence ---- */

const char *classify_fields_name(unsigned fields)
{
    switch (fields & 3) {
    case CLASSIFY_IN_NAME: return "name";
    case CLASSIFY_IN_SCOPE: return "scope";
    case 3: return "name+scope";
    default: return "";
    }
}

static void json_str(struct strbuf *out, const char *s)
{
    strbuf_addch(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            strbuf_addch(out, '\\');
            strbuf_addch(out, c);
        } else if (c < 0x20) {
            strbuf_addf(out, "\\u%04x", c);
        } else {
            strbuf_addch(out, c);
        }
    }
    strbuf_addch(out, '"');
}

void classify_evidence_json(const struct classify_node *n, struct strbuf *out)
{
    char w[16];
    size_t i, k;
    int any = 0, first;

    strbuf_addch(out, '{');
    if (n->code) {
        strbuf_addstr(out, "\"code\":[");
        json_str(out, n->code->code);
        strbuf_addf(out, ",%s]", tax_weight_format(n->code->weight, w));
        any = 1;
    }
    for (k = 0; k < 2; k++) {
        first = 1;
        for (i = 0; i < n->nkws; i++) {
            const struct classify_kw *kw = &n->kws[i];
            if (kw->name_only != k)
                continue;
            if (first) {
                strbuf_addstr(out, any ? "," : "");
                strbuf_addstr(out, k ? "\"nk\":[" : "\"kw\":[");
                any = 1;
            }
            strbuf_addstr(out, first ? "[" : ",[");
            first = 0;
            json_str(out, kw->term->text);
            strbuf_addf(out, ",%s", tax_weight_format(kw->term->weight, w));
            if (!k)
                strbuf_addf(out, ",\"%s\"", classify_fields_name(kw->fields));
            strbuf_addch(out, ']');
        }
        if (!first)
            strbuf_addch(out, ']');
    }
    if (n->nexs) {
        strbuf_addstr(out, any ? ",\"ex\":[" : "\"ex\":[");
        for (i = 0; i < n->nexs; i++) {
            strbuf_addstr(out, i ? ",[" : "[");
            json_str(out, n->exs[i].exclusion->text);
            strbuf_addch(out, ',');
            json_str(out, n->exs[i].cancelled->text);
            strbuf_addf(out, ",\"%s\"]", classify_fields_name(n->exs[i].field));
        }
        strbuf_addch(out, ']');
    }
    strbuf_addch(out, '}');
}
