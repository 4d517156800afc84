/*
 * taxonomy.c - loading and validating the industry-chain taxonomy (the
 * .chain format of data/chains/README.md).
 *
 * The files are edited by hand by a district's staff, so the loader is
 * strict and says exactly where a problem is: every message starts with
 * "FILE:LINE:" and names the key, the item and what was expected. Anything
 * that would make a node silently useless (no rules, a threshold its rules
 * can never reach, a keyword that is also one of its exclusions) is an
 * error too, not a surprise in the evaluation later.
 *
 * Syntax details the README leaves open, decided here:
 *   - '#' starts a comment at the start of a line or after white space, so
 *     a keyword may contain '#' ("C#") but not " #";
 *   - the list keys (codes, keywords, name_keywords, exclude, and source)
 *     may repeat: later lines add to the list; the other keys may not;
 *   - a weight is a number with at most two decimals, 0 to 100.
 *
 * Everything a taxonomy holds lives in one pool (an arena of strings and
 * arrays plus two lookup maps) freed at once by taxonomy_free().
 */
#include "chain/taxonomy.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/hashmap.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "chain/fold.h"
#include "chain/match.h"
#include "ref/industry.h"

_Static_assert(TAXONOMY_MAX_KEYWORD * 4 <= MATCH_MAX_PATTERN,
               "a folded keyword must fit the matcher's pattern limit");

extern const unsigned char magnet_data_chains[];
extern const size_t magnet_data_chains_len;

#define BUNDLE_SEP '\x1C'

/* ---- the pool ---- */

struct pool_block {
    struct pool_block *next;
    size_t used, size;
    /* the data follows, aligned for any object */
    _Alignas(max_align_t) unsigned char data[];
};

struct tax_pool {
    struct pool_block *blocks;
    struct hashmap tracks;  /* id -> track index + 1 */
    struct hashmap nodes;   /* full id -> node index + 1 */
};

static void *pool_alloc(struct tax_pool *p, size_t n)
{
    struct pool_block *b = p->blocks;
    n = (n + 15) & ~(size_t)15;
    if (!b || b->size - b->used < n) {
        size_t size = n > 65536 ? n : 65536;
        b = xmalloc(sizeof(*b) + size);
        b->size = size;
        b->used = 0;
        b->next = p->blocks;
        p->blocks = b;
    }
    b->used += n;
    return b->data + b->used - n;
}

static char *pool_strndup(struct tax_pool *p, const char *s, size_t n)
{
    char *d = pool_alloc(p, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void *pool_copy(struct tax_pool *p, const void *src, size_t n)
{
    void *d;
    if (!n)
        return NULL;
    d = pool_alloc(p, n);
    memcpy(d, src, n);
    return d;
}

static void pool_free(struct tax_pool *p)
{
    struct pool_block *b, *next;
    if (!p)
        return;
    for (b = p->blocks; b; b = next) {
        next = b->next;
        free(b);
    }
    hashmap_release(&p->tracks);
    hashmap_release(&p->nodes);
    free(p);
}

/* ---- the parser ---- */

enum list_kind { L_KEYWORDS, L_NAME_KEYWORDS, L_EXCLUDE, L_CODES };
static const char *const list_key[] = { "keywords", "name_keywords", "exclude", "codes" };

struct term_vec {
    struct tax_term *v;
    size_t n, alloc;
};

/* Everything being built, across files. */
struct loader {
    struct tax_pool *pool;
    const char *source;  /* prefix for file names in messages, or "" */
    struct error *err;

    struct tax_track *tracks;
    size_t ntracks, tracks_alloc;
    struct tax_node *nodes;
    size_t nnodes, nodes_alloc;

    /* the file being read */
    const char *file;    /* its name (in the pool) */
    size_t line;
    int in_track;        /* 1 in [track], 0 in a [node], -1 before any section */
    size_t track;        /* index of this file's track, when seen */
    int have_track;
    size_t track_header_line;

    /* the track section being read */
    size_t track_line[3];  /* line of id, name, kind (0: not given) */
    const char **sources;
    size_t nsources, sources_alloc;

    /* the node being read */
    struct tax_node node;
    size_t node_line[3];   /* name, stage, threshold */
    struct term_vec terms[3];  /* indexed by L_KEYWORDS .. L_EXCLUDE */
    struct tax_code *codes;
    size_t ncodes, codes_alloc;
    struct hashmap seen;   /* folded key -> bit set of the lists (1 << list_kind) holding it;
                              a code (key with its NUL) -> 1 << L_CODES */

    struct strbuf tmp, tmp2;
};

/* "SOURCE/FILE:LINE: message"; returns -1. */
static int fail(struct loader *ld, const char *fmt, ...) MAGNET_PRINTF(2, 3);
static int fail(struct loader *ld, const char *fmt, ...)
{
    char msg[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ld->line)
        return error_set(ld->err, "%s%s%s:%zu: %s", ld->source, *ld->source ? "/" : "", ld->file,
                         ld->line, msg);
    return error_set(ld->err, "%s%s%s: %s", ld->source, *ld->source ? "/" : "", ld->file, msg);
}

static int is_space_at(const char *s, size_t n, size_t i, size_t *w)
{
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
        *w = 1;
        return 1;
    }
    if (c == 0xE3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] == 0x80) {
        *w = 3;  /* U+3000 */
        return 1;
    }
    return 0;
}

/* Trim ASCII white space and U+3000 from both ends of s[*b..*e). */
static void trim(const char *s, size_t *b, size_t *e)
{
    size_t w;
    while (*b < *e && is_space_at(s, *e, *b, &w))
        *b += w;
    for (;;) {
        if (*e > *b && strchr(" \t\r\v\f", s[*e - 1]) && s[*e - 1] != '\0') {
            (*e)--;
        } else if (*e >= *b + 3 && (unsigned char)s[*e - 3] == 0xE3 &&
                   (unsigned char)s[*e - 2] == 0x80 && (unsigned char)s[*e - 1] == 0x80) {
            *e -= 3;
        } else {
            break;
        }
    }
}

/* A short, printable excerpt of a value for a message. */
static const char *excerpt(struct loader *ld, const char *s, size_t n)
{
    size_t cut = n;
    strbuf_reset(&ld->tmp2);
    if (cut > 80) {
        cut = 80;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    strbuf_add(&ld->tmp2, s, cut);
    if (cut < n)
        strbuf_addstr(&ld->tmp2, "...");
    return ld->tmp2.buf;
}

static int valid_id(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || n > TAXONOMY_MAX_ID)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* A weight or threshold: digits with at most two decimals, 0..100, in
 * hundredths. -1 when it is not one. */
static int32_t parse_weight(const char *s, size_t n)
{
    size_t i = 0;
    int64_t v = 0;
    int decimals = -1;
    if (n == 0 || n > 8)
        return -1;
    for (; i < n; i++) {
        if (s[i] == '.') {
            if (decimals >= 0 || i == 0 || i + 1 == n)
                return -1;
            decimals = 0;
        } else if (s[i] >= '0' && s[i] <= '9') {
            if (decimals >= 0 && ++decimals > 2)
                return -1;
            v = v * 10 + (s[i] - '0');
        } else {
            return -1;
        }
    }
    if (decimals < 0)
        decimals = 0;
    for (; decimals < 2; decimals++)
        v *= 10;
    return v > TAXONOMY_MAX_WEIGHT ? -1 : (int32_t)v;
}

char *tax_weight_format(int32_t w, char buf[16])
{
    int32_t a = w < 0 ? -w : w;
    if (a % 100 == 0)
        snprintf(buf, 16, "%s%d", w < 0 ? "-" : "", (int)(a / 100));
    else if (a % 10 == 0)
        snprintf(buf, 16, "%s%d.%d", w < 0 ? "-" : "", (int)(a / 100), (int)(a % 100 / 10));
    else
        snprintf(buf, 16, "%s%d.%02d", w < 0 ? "-" : "", (int)(a / 100), (int)(a % 100));
    return buf;
}

static const char *const stage_names[] = { "upstream", "midstream", "downstream", "category" };
static const char *const stage_labels[] = { "上游", "中游", "下游", "类别" };

const char *tax_stage_name(enum tax_stage s)
{
    return (unsigned)s < 4 ? stage_names[s] : "?";
}

const char *tax_stage_label(enum tax_stage s)
{
    return (unsigned)s < 4 ? stage_labels[s] : "?";
}

/* Where a node's section is, for messages about the node as a whole. */
static const char *node_label(struct loader *ld)
{
    strbuf_reset(&ld->tmp2);
    strbuf_addf(&ld->tmp2, "[node %s]", ld->node.id);
    return ld->tmp2.buf;
}

/* ---- list items ---- */

/* Split an item "text:weight" (or "text：weight") at its last colon. */
static int split_weight(struct loader *ld, const char *key, const char *s, size_t n,
                        size_t *text_len, int32_t *weight, int allow_weight)
{
    size_t i, colon = n, after = n;
    for (i = 0; i < n; i++) {
        if (s[i] == ':') {
            colon = i;
            after = i + 1;
        } else if (i + 2 < n && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
                   (unsigned char)s[i + 2] == 0x9A) {
            colon = i;  /* U+FF1A full-width colon */
            after = i + 3;
        }
    }
    *text_len = n;
    *weight = TAXONOMY_DEFAULT_WEIGHT;
    if (colon == n)
        return 0;
    {
        size_t b = after, e = n, tb = 0, te = colon;
        trim(s, &b, &e);
        trim(s, &tb, &te);
        if (!allow_weight)
            return fail(ld, "%s: '%s' has a weight, but exclusions take none", key,
                        excerpt(ld, s, n));
        if (b == e)
            return fail(ld, "%s: '%s' has no weight after the ':'", key, excerpt(ld, s, n));
        *weight = parse_weight(s + b, e - b);
        if (*weight < 0) {
            char w[96];
            snprintf(w, sizeof(w), "%s", excerpt(ld, s + b, e - b));
            return fail(ld, "%s: weight '%s' of '%s' is not a number from 0 to 100 (at most "
                            "two decimals, e.g. 2 or 1.5)", key, w, excerpt(ld, s + tb, te - tb));
        }
        *text_len = te;
    }
    return 0;
}

static int add_term(struct loader *ld, enum list_kind kind, const char *s, size_t n)
{
    struct term_vec *vec = &ld->terms[kind];
    struct tax_term *t;
    size_t text_len, chars;
    int32_t weight;
    char *key;
    size_t key_len;
    void **slot;
    int added;

    if (split_weight(ld, list_key[kind], s, n, &text_len, &weight, kind != L_EXCLUDE) != 0)
        return -1;
    strbuf_reset(&ld->tmp);
    if (utf8_clean(s, text_len, &ld->tmp) != 0)
        return fail(ld, "%s: invalid UTF-8", list_key[kind]);
    if (ld->tmp.len == 0)
        return fail(ld, "%s: an item is empty", list_key[kind]);
    key = pool_alloc(ld->pool, ld->tmp.len + 1);
    key_len = chain_fold(ld->tmp.buf, ld->tmp.len, key);
    while (key_len && key[key_len - 1] == ' ')
        key_len--;
    while (key_len && key[0] == ' ') {
        memmove(key, key + 1, key_len - 1);
        key_len--;
    }
    key[key_len] = '\0';
    chars = utf8_length(key, key_len);
    if (key_len == 0)
        return fail(ld, "%s: an item is empty", list_key[kind]);
    if (chars > TAXONOMY_MAX_KEYWORD)
        return fail(ld, "%s: '%s' is too long (%zu characters, at most %d)", list_key[kind],
                    excerpt(ld, ld->tmp.buf, ld->tmp.len), chars, TAXONOMY_MAX_KEYWORD);
    /* A term may be both a keyword and a name keyword (a bonus when it is in
     * the name), but never twice in one list, and never both counted and
     * excluded: the exclusion would cancel it wherever it occurs. */
    slot = hashmap_put(&ld->seen, key, key_len, &added);
    if (!added) {
        uintptr_t lists = (uintptr_t)*slot;
        enum list_kind other = kind == L_EXCLUDE
                                   ? ((lists & (1u << L_KEYWORDS)) ? L_KEYWORDS : L_NAME_KEYWORDS)
                                   : L_EXCLUDE;
        if (lists & (1u << kind))
            return fail(ld, "%s: '%s' is listed twice in %s", list_key[kind], ld->tmp.buf,
                        node_label(ld));
        if (lists & (1u << other))
            return fail(ld, "%s: '%s' is also in %s of %s: an exclusion cancels every keyword "
                            "it overlaps, so it could never count", list_key[kind], ld->tmp.buf,
                        list_key[other], node_label(ld));
    }
    *slot = (void *)((uintptr_t)*slot | (1u << kind));
    ALLOC_GROW(vec->v, vec->n + 1, vec->alloc);
    t = &vec->v[vec->n++];
    t->text = pool_strndup(ld->pool, ld->tmp.buf, ld->tmp.len);
    t->key = key;
    t->key_len = (uint32_t)key_len;
    t->weight = kind == L_EXCLUDE ? 0 : weight;
    t->id = 0;
    return 0;
}

static int add_code(struct loader *ld, const char *s, size_t n)
{
    const struct industry *ind;
    struct tax_code *c;
    size_t text_len;
    int32_t weight;
    char code[16];
    void **slot;
    int added;

    if (split_weight(ld, "codes", s, n, &text_len, &weight, 1) != 0)
        return -1;
    if (text_len == 0)
        return fail(ld, "codes: an item is empty");
    if (text_len >= sizeof(code))
        return fail(ld, "codes: '%s' is not a GB/T 4754-2017 code", excerpt(ld, s, text_len));
    memcpy(code, s, text_len);
    code[text_len] = '\0';
    ind = industry_find_code(code);
    if (!ind)
        return fail(ld, "codes: unknown GB/T 4754-2017 code '%s'", excerpt(ld, s, text_len));
    /* The code's own bytes are stable (the industry table lives forever). */
    slot = hashmap_put(&ld->seen, ind->code, strlen(ind->code) + 1, &added);
    if (!added)
        return fail(ld, "codes: '%s' is listed twice in %s", ind->code, node_label(ld));
    *slot = (void *)(uintptr_t)(1u << L_CODES);
    ALLOC_GROW(ld->codes, ld->ncodes + 1, ld->codes_alloc);
    c = &ld->codes[ld->ncodes++];
    memset(c, 0, sizeof(*c));
    snprintf(c->code, sizeof(c->code), "%s", ind->code);
    c->level = ind->level;
    c->weight = weight;
    return 0;
}

/* Call add_term/add_code for each item of a list value. Items are separated
 * by ',', '，' or '、'; empty items (a trailing comma) are skipped. */
static int parse_list(struct loader *ld, enum list_kind kind, const char *s, size_t n)
{
    size_t i = 0, start = 0;
    while (i <= n) {
        size_t sep = 0;
        if (i == n)
            sep = 1;
        else if (s[i] == ',')
            sep = 1;
        else if (i + 2 < n && (unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
                 (unsigned char)s[i + 2] == 0x8C)
            sep = 3;  /* ， */
        else if (i + 2 < n && (unsigned char)s[i] == 0xE3 && (unsigned char)s[i + 1] == 0x80 &&
                 (unsigned char)s[i + 2] == 0x81)
            sep = 3;  /* 、 */
        if (!sep) {
            i++;
            continue;
        }
        {
            size_t b = start, e = i;
            trim(s, &b, &e);
            if (b < e) {
                int rc = kind == L_CODES ? add_code(ld, s + b, e - b)
                                         : add_term(ld, kind, s + b, e - b);
                if (rc != 0)
                    return -1;
            }
        }
        if (i == n)
            break;
        i += sep;
        start = i;
    }
    return 0;
}

/* ---- sections ---- */

static int finish_track_keys(struct loader *ld)
{
    struct tax_track *t = &ld->tracks[ld->track];
    ld->line = ld->track_header_line;  /* messages point at the section */
    if (!t->id)
        return fail(ld, "[track] has no id (add 'id = ...')");
    if (!t->name)
        return fail(ld, "[track] has no name (add 'name = ...')");
    t->sources = pool_copy(ld->pool, ld->sources, ld->nsources * sizeof(*ld->sources));
    t->nsources = ld->nsources;
    ld->nsources = 0;
    return 0;
}

static int finish_node(struct loader *ld)
{
    struct tax_node *nd;
    int64_t most = 0, best_code = 0;
    size_t i, k;

    ld->line = ld->node.line;  /* messages point at the section */
    if (!ld->node.name)
        return fail(ld, "%s has no name (add 'name = ...')", node_label(ld));
    if (!ld->node_line[1])
        return fail(ld, "%s has no stage (add 'stage = ...')", node_label(ld));
    if (!ld->ncodes && !ld->terms[L_KEYWORDS].n && !ld->terms[L_NAME_KEYWORDS].n)
        return fail(ld, "%s has no codes, keywords or name_keywords: nothing can place an "
                        "enterprise there", node_label(ld));
    for (i = 0; i < ld->ncodes; i++)
        if (ld->codes[i].weight > best_code)
            best_code = ld->codes[i].weight;
    most = best_code;
    for (k = L_KEYWORDS; k <= L_NAME_KEYWORDS; k++)
        for (i = 0; i < ld->terms[k].n; i++)
            most += ld->terms[k].v[i].weight;
    if (most < ld->node.threshold) {
        char a[16], b[16];
        return fail(ld, "%s: threshold %s is more than all its rules together can score (%s)",
                    node_label(ld), tax_weight_format(ld->node.threshold, a),
                    tax_weight_format((int32_t)(most > INT32_MAX ? INT32_MAX : most), b));
    }
    ALLOC_GROW(ld->nodes, ld->nnodes + 1, ld->nodes_alloc);
    nd = &ld->nodes[ld->nnodes++];
    *nd = ld->node;
    nd->codes = pool_copy(ld->pool, ld->codes, ld->ncodes * sizeof(*ld->codes));
    nd->ncodes = ld->ncodes;
    nd->keywords = pool_copy(ld->pool, ld->terms[L_KEYWORDS].v,
                             ld->terms[L_KEYWORDS].n * sizeof(struct tax_term));
    nd->nkeywords = ld->terms[L_KEYWORDS].n;
    nd->name_keywords = pool_copy(ld->pool, ld->terms[L_NAME_KEYWORDS].v,
                                  ld->terms[L_NAME_KEYWORDS].n * sizeof(struct tax_term));
    nd->nname_keywords = ld->terms[L_NAME_KEYWORDS].n;
    nd->excludes = pool_copy(ld->pool, ld->terms[L_EXCLUDE].v,
                             ld->terms[L_EXCLUDE].n * sizeof(struct tax_term));
    nd->nexcludes = ld->terms[L_EXCLUDE].n;
    ld->tracks[ld->track].nnodes++;
    return 0;
}

/* End whatever section is open. */
static int end_section(struct loader *ld)
{
    if (ld->in_track == 1)
        return finish_track_keys(ld);
    if (ld->in_track == 0)
        return finish_node(ld);
    return 0;
}

static int begin_node(struct loader *ld, const char *id, size_t n)
{
    const struct tax_track *t = &ld->tracks[ld->track];
    void **slot;
    int added, k;
    size_t full_len;
    char *full;

    if (!valid_id(id, n))
        return fail(ld, "node id '%s' must be 1 to %d of a-z, 0-9, '_' and '-'", excerpt(ld, id, n),
                    TAXONOMY_MAX_ID);
    memset(&ld->node, 0, sizeof(ld->node));
    memset(ld->node_line, 0, sizeof(ld->node_line));
    for (k = 0; k < 3; k++)
        ld->terms[k].n = 0;
    ld->ncodes = 0;
    hashmap_release(&ld->seen);
    hashmap_init(&ld->seen, 64);

    full_len = strlen(t->id) + 1 + n;
    full = pool_alloc(ld->pool, full_len + 1);
    snprintf(full, full_len + 1, "%s/%.*s", t->id, (int)n, id);
    ld->node.id = full + strlen(t->id) + 1;
    ld->node.full_id = full;
    ld->node.track = ld->track;
    ld->node.threshold = TAXONOMY_DEFAULT_THRESHOLD;
    ld->node.file = ld->file;
    ld->node.line = ld->line;
    slot = hashmap_put(&ld->pool->nodes, full, full_len, &added);
    if (!added) {
        const struct tax_node *prev = &ld->nodes[(uintptr_t)*slot - 1];
        return fail(ld, "node '%.*s' is defined twice in track '%s' (first on line %zu)", (int)n,
                    id, t->id, prev->line);
    }
    *slot = (void *)(uintptr_t)(ld->nnodes + 1);
    ld->in_track = 0;
    return 0;
}

static int section(struct loader *ld, const char *s, size_t n)
{
    size_t b = 1, e = n - 1, w;
    if (s[n - 1] != ']')
        return fail(ld, "a section header must end with ']'");
    trim(s, &b, &e);
    if (e - b == 5 && !memcmp(s + b, "track", 5)) {
        if (ld->have_track)
            return fail(ld, "a second [track] section (one track per file)");
        ALLOC_GROW(ld->tracks, ld->ntracks + 1, ld->tracks_alloc);
        ld->track = ld->ntracks++;
        memset(&ld->tracks[ld->track], 0, sizeof(struct tax_track));
        ld->tracks[ld->track].file = ld->file;
        ld->tracks[ld->track].first_node = ld->nnodes;
        memset(ld->track_line, 0, sizeof(ld->track_line));
        ld->nsources = 0;
        ld->have_track = 1;
        ld->track_header_line = ld->line;
        ld->in_track = 1;
        return 0;
    }
    if (e - b >= 5 && !memcmp(s + b, "track", 5) && is_space_at(s, e, b + 5, &w))
        return fail(ld, "[track] takes no id: write 'id = ...' under it");
    if (e - b >= 4 && !memcmp(s + b, "node", 4) && (e - b == 4 || is_space_at(s, e, b + 4, &w))) {
        size_t ib = b + 4, ie = e;
        trim(s, &ib, &ie);
        if (ib == ie)
            return fail(ld, "[node] needs an id: [node chip]");
        if (!ld->have_track)
            return fail(ld, "[node %s] before [track] (the file must start with [track])",
                        excerpt(ld, s + ib, ie - ib));
        {
            size_t line = ld->line;
            if (end_section(ld) != 0)
                return -1;
            ld->line = line;
        }
        return begin_node(ld, s + ib, ie - ib);
    }
    return fail(ld, "unknown section '%s' (expected [track] or [node ID])", excerpt(ld, s, n));
}

/* ---- keys ---- */

static char *value_dup(struct loader *ld, const char *v, size_t n, const char *key)
{
    strbuf_reset(&ld->tmp);
    if (utf8_clean(v, n, &ld->tmp) != 0) {
        fail(ld, "%s: invalid UTF-8", key);
        return NULL;
    }
    return pool_strndup(ld->pool, ld->tmp.buf, ld->tmp.len);
}

/* A key that may appear once: remember where. */
static int once(struct loader *ld, size_t *line, const char *key, const char *where)
{
    if (*line)
        return fail(ld, "duplicate key '%s' in %s (first on line %zu)", key, where, *line);
    *line = ld->line;
    return 0;
}

static int track_key(struct loader *ld, const char *k, size_t kn, const char *v, size_t vn)
{
    struct tax_track *t = &ld->tracks[ld->track];
#define KEY(s) (kn == sizeof(s) - 1 && !memcmp(k, s, kn))
    if (KEY("id")) {
        const char *base = ld->file;
        size_t bn = strlen(base);
        void **slot;
        int added;
        if (once(ld, &ld->track_line[0], "id", "[track]") != 0)
            return -1;
        if (!valid_id(v, vn))
            return fail(ld, "track id '%s' must be 1 to %d of a-z, 0-9, '_' and '-'",
                        excerpt(ld, v, vn), TAXONOMY_MAX_ID);
        if (bn > 6 && !strcmp(base + bn - 6, ".chain") &&
            (bn - 6 != vn || memcmp(base, v, vn) != 0))
            return fail(ld, "track id '%.*s' does not match the file name (%s must define "
                            "'%.*s')", (int)vn, v, base, (int)(bn - 6), base);
        t->id = pool_strndup(ld->pool, v, vn);
        slot = hashmap_put(&ld->pool->tracks, t->id, vn, &added);
        if (!added)
            return fail(ld, "track '%s' is also defined in %s", t->id,
                        ld->tracks[(uintptr_t)*slot - 1].file);
        *slot = (void *)(uintptr_t)(ld->track + 1);
        return 0;
    }
    if (KEY("name")) {
        if (once(ld, &ld->track_line[1], "name", "[track]") != 0)
            return -1;
        t->name = value_dup(ld, v, vn, "name");
        return t->name ? 0 : -1;
    }
    if (KEY("kind")) {
        if (once(ld, &ld->track_line[2], "kind", "[track]") != 0)
            return -1;
        if (vn == 5 && !memcmp(v, "chain", 5))
            t->kind = TAX_CHAIN;
        else if (vn == 14 && !memcmp(v, "classification", 14))
            t->kind = TAX_CLASSIFICATION;
        else
            return fail(ld, "kind '%s' is not 'chain' or 'classification'", excerpt(ld, v, vn));
        return 0;
    }
    if (KEY("source")) {
        const char *s = value_dup(ld, v, vn, "source");
        if (!s)
            return -1;
        ALLOC_GROW(ld->sources, ld->nsources + 1, ld->sources_alloc);
        ld->sources[ld->nsources++] = s;
        return 0;
    }
    return fail(ld, "unknown key '%s' in [track] (expected id, name, kind or source)",
                excerpt(ld, k, kn));
}

static int parse_stage(struct loader *ld, const char *v, size_t vn)
{
    static const struct { const char *text; enum tax_stage stage; } names[] = {
        { "upstream", TAX_UPSTREAM }, { "midstream", TAX_MIDSTREAM },
        { "downstream", TAX_DOWNSTREAM }, { "上游", TAX_UPSTREAM },
        { "中游", TAX_MIDSTREAM }, { "下游", TAX_DOWNSTREAM },
    };
    size_t i;
    if (ld->tracks[ld->track].kind == TAX_CLASSIFICATION) {
        int ok = vn >= 2 && vn <= 4;
        for (i = 0; ok && i < vn; i++)
            ok = v[i] >= '0' && v[i] <= '9';
        if (!ok)
            return fail(ld, "stage '%s' is not a category code (2 to 4 digits, e.g. 01) as a "
                            "classification track needs", excerpt(ld, v, vn));
        ld->node.stage = TAX_CATEGORY;
        ld->node.stage_text = pool_strndup(ld->pool, v, vn);
        return 0;
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].text) == vn && !memcmp(names[i].text, v, vn)) {
            ld->node.stage = names[i].stage;
            ld->node.stage_text = stage_names[names[i].stage];
            return 0;
        }
    }
    return fail(ld, "stage '%s' is not upstream, midstream or downstream (上游, 中游, 下游)",
                excerpt(ld, v, vn));
}

static int node_key(struct loader *ld, const char *k, size_t kn, const char *v, size_t vn)
{
    const char *where = node_label(ld);
    char where_copy[64];
    snprintf(where_copy, sizeof(where_copy), "%s", where);
    if (KEY("name")) {
        if (once(ld, &ld->node_line[0], "name", where_copy) != 0)
            return -1;
        ld->node.name = value_dup(ld, v, vn, "name");
        return ld->node.name ? 0 : -1;
    }
    if (KEY("stage")) {
        if (once(ld, &ld->node_line[1], "stage", where_copy) != 0)
            return -1;
        return parse_stage(ld, v, vn);
    }
    if (KEY("threshold")) {
        if (once(ld, &ld->node_line[2], "threshold", where_copy) != 0)
            return -1;
        ld->node.threshold = parse_weight(v, vn);
        if (ld->node.threshold <= 0)
            return fail(ld, "threshold '%s' is not a number above 0 and at most 100 (at most two "
                            "decimals)", excerpt(ld, v, vn));
        return 0;
    }
    if (KEY("codes"))
        return parse_list(ld, L_CODES, v, vn);
    if (KEY("keywords"))
        return parse_list(ld, L_KEYWORDS, v, vn);
    if (KEY("name_keywords"))
        return parse_list(ld, L_NAME_KEYWORDS, v, vn);
    if (KEY("exclude"))
        return parse_list(ld, L_EXCLUDE, v, vn);
    return fail(ld, "unknown key '%s' in %s (expected name, stage, codes, keywords, "
                    "name_keywords, exclude or threshold)", excerpt(ld, k, kn), where_copy);
#undef KEY
}

/* ---- one file ---- */

/* End of the comment-free part of a line: '#' at the start or after white
 * space starts a comment. */
static size_t strip_comment(const char *s, size_t n)
{
    size_t i, w;
    for (i = 0; i < n; i++) {
        if (s[i] != '#')
            continue;
        if (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')
            return i;
        if (i >= 3 && is_space_at(s, n, i - 3, &w) && w == 3)
            return i;
    }
    return n;
}

static int parse_line(struct loader *ld, const char *s, size_t n)
{
    size_t b = 0, e = strip_comment(s, n), eq, kb, ke, vb, ve;
    trim(s, &b, &e);
    if (b == e)
        return 0;
    if (s[b] == '[')
        return section(ld, s + b, e - b);
    for (eq = b; eq < e && s[eq] != '='; eq++)
        ;
    if (eq == e)
        return fail(ld, "expected 'key = value' or a [section], found '%s'",
                    excerpt(ld, s + b, e - b));
    kb = b;
    ke = eq;
    vb = eq + 1;
    ve = e;
    trim(s, &kb, &ke);
    trim(s, &vb, &ve);
    if (kb == ke)
        return fail(ld, "a line starts with '=': no key");
    if (ld->in_track < 0)
        return fail(ld, "key '%s' outside a section (the file must start with [track])",
                    excerpt(ld, s + kb, ke - kb));
    if (vb == ve)
        return fail(ld, "key '%s' has no value", excerpt(ld, s + kb, ke - kb));
    if (ld->in_track == 1)
        return track_key(ld, s + kb, ke - kb, s + vb, ve - vb);
    return node_key(ld, s + kb, ke - kb, s + vb, ve - vb);
}

static int parse_file(struct loader *ld, const char *name, const char *data, size_t len)
{
    size_t pos = 0, bad;
    int truncated;

    ld->file = pool_strndup(ld->pool, name, strlen(name));
    ld->line = 0;
    ld->in_track = -1;
    ld->have_track = 0;
    if (len > TAXONOMY_MAX_FILE)
        return fail(ld, "the file is larger than %u bytes", TAXONOMY_MAX_FILE);
    bad = utf8_check(data, len, &truncated);
    if (bad < len || memchr(data, '\0', len)) {
        size_t i, at = bad < len ? bad : (size_t)((const char *)memchr(data, '\0', len) - data);
        ld->line = 1;
        for (i = 0; i < at; i++)
            ld->line += data[i] == '\n';
        return fail(ld, bad < len ? "invalid UTF-8 (save the file as UTF-8)"
                                  : "a NUL byte (is this a text file?)");
    }
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - pos;
        ld->line++;
        if (n > TAXONOMY_MAX_LINE)
            return fail(ld, "the line is longer than %d bytes", TAXONOMY_MAX_LINE);
        if (n && data[pos + n - 1] == '\r')
            n--;
        if (parse_line(ld, data + pos, n) != 0)
            return -1;
        pos = end + 1;
    }
    ld->line++;
    if (end_section(ld) != 0)
        return -1;
    ld->line = 0;
    if (!ld->have_track)
        return fail(ld, "no [track] section (a .chain file starts with [track])");
    if (ld->tracks[ld->track].nnodes == 0)
        return fail(ld, "track '%s' has no [node] sections", ld->tracks[ld->track].id);
    return 0;
}

/* ---- putting it together ---- */

static void hash_files(const struct tax_file *files, size_t n, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t i;
    int k;

    if (!ctx)
        abort();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (i = 0; i < n; i++) {
        unsigned char lenbuf[8];
        uint64_t l = files[i].len;
        for (k = 0; k < 8; k++)
            lenbuf[k] = (unsigned char)(l >> (8 * k));
        EVP_DigestUpdate(ctx, files[i].name, strlen(files[i].name) + 1);
        EVP_DigestUpdate(ctx, lenbuf, 8);
        EVP_DigestUpdate(ctx, files[i].data, files[i].len);
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    for (k = 0; k < 8; k++) {
        out[2 * k] = hex[md[k] >> 4];
        out[2 * k + 1] = hex[md[k] & 15];
    }
    out[16] = '\0';
}

static void loader_release(struct loader *ld)
{
    int k;
    free(ld->tracks);
    free(ld->nodes);
    free(ld->sources);
    for (k = 0; k < 3; k++)
        free(ld->terms[k].v);
    free(ld->codes);
    hashmap_release(&ld->seen);
    strbuf_release(&ld->tmp);
    strbuf_release(&ld->tmp2);
}

int taxonomy_load_files(const struct tax_file *files, size_t n, const char *source,
                        struct taxonomy **out, struct error *err)
{
    struct loader ld;
    struct taxonomy *t;
    struct tax_node *nodes;
    size_t i, total = 0;
    uint32_t term = 0;

    *out = NULL;
    memset(&ld, 0, sizeof(ld));
    ld.source = source ? source : "";
    ld.err = err;
    ld.tmp = (struct strbuf)STRBUF_INIT;
    ld.tmp2 = (struct strbuf)STRBUF_INIT;
    if (n == 0)
        return error_set(err, "%s: no .chain files", *ld.source ? ld.source : "taxonomy");
    if (n > TAXONOMY_MAX_FILES)
        return error_set(err, "%s: more than %d .chain files", ld.source, TAXONOMY_MAX_FILES);
    for (i = 0; i < n; i++)
        total += files[i].len;
    if (total > TAXONOMY_MAX_TOTAL)
        return error_set(err, "%s: the .chain files hold more than %u bytes", ld.source,
                         TAXONOMY_MAX_TOTAL);
    ld.pool = xcalloc(1, sizeof(*ld.pool));
    hashmap_init(&ld.pool->tracks, n);
    hashmap_init(&ld.pool->nodes, 256);
    for (i = 0; i < n; i++) {
        if (parse_file(&ld, files[i].name, files[i].data, files[i].len) != 0) {
            loader_release(&ld);
            pool_free(ld.pool);
            return -1;
        }
    }

    t = pool_alloc(ld.pool, sizeof(*t));
    memset(t, 0, sizeof(*t));
    t->pool = ld.pool;
    t->tracks = pool_copy(ld.pool, ld.tracks, ld.ntracks * sizeof(*ld.tracks));
    t->ntracks = ld.ntracks;
    nodes = pool_copy(ld.pool, ld.nodes, ld.nnodes * sizeof(*ld.nodes));
    t->nodes = nodes;
    t->nnodes = ld.nnodes;
    /* Number the terms: a classifier indexes its per-term state by them. */
    for (i = 0; i < ld.nnodes; i++) {
        struct tax_term *lists[3] = { (struct tax_term *)nodes[i].keywords,
                                      (struct tax_term *)nodes[i].name_keywords,
                                      (struct tax_term *)nodes[i].excludes };
        size_t counts[3] = { nodes[i].nkeywords, nodes[i].nname_keywords, nodes[i].nexcludes };
        size_t k, j;
        for (k = 0; k < 3; k++)
            for (j = 0; j < counts[k]; j++)
                lists[k][j].id = term++;
    }
    t->nterms = term;
    t->source = pool_strndup(ld.pool, ld.source, strlen(ld.source));
    hash_files(files, n, t->hash);
    loader_release(&ld);
    *out = t;
    return 0;
}

int taxonomy_load_bundle(const char *data, size_t len, const char *source,
                         struct taxonomy **out, struct error *err)
{
    struct tax_file *files = NULL;
    char **names = NULL;
    size_t n = 0, alloc = 0, names_alloc = 0, pos = 0;
    int rc = -1;

    *out = NULL;
    if (!source)
        source = "";
    /* Each file: "\x1C" NAME "\n" CONTENT "\n", up to the next "\n\x1C" or the end. */
    while (pos < len) {
        const char *nl, *next;
        size_t start, end;
        if (data[pos] != BUNDLE_SEP) {
            error_set(err, "%s: not a taxonomy bundle (byte %zu)", source, pos);
            goto out;
        }
        nl = memchr(data + pos, '\n', len - pos);
        if (!nl) {
            error_set(err, "%s: truncated taxonomy bundle", source);
            goto out;
        }
        start = (size_t)(nl - data) + 1;
        end = start;
        for (;;) {
            next = memchr(data + end, BUNDLE_SEP, len - end);
            if (!next) {
                end = len;
                break;
            }
            end = (size_t)(next - data);
            if (end > start && data[end - 1] == '\n')
                break;
            end++;
        }
        ALLOC_GROW(files, n + 1, alloc);
        ALLOC_GROW(names, n + 1, names_alloc);
        names[n] = xstrndup(data + pos + 1, (size_t)(nl - data) - pos - 1);
        files[n].name = names[n];
        files[n].data = data + start;
        files[n].len = end - start;
        /* The bundler adds a newline after each file so that the next
         * separator starts a line; it is not part of the file (and leaving
         * it out keeps the version hash equal to the directory's). */
        if (files[n].len > 0 && files[n].data[files[n].len - 1] == '\n')
            files[n].len--;
        n++;
        pos = end;
    }
    rc = taxonomy_load_files(files, n, source, out, err);
out:
    while (n > 0)
        free(names[--n]);
    free(names);
    free(files);
    return rc;
}

int taxonomy_load_default(struct taxonomy **out, struct error *err)
{
    return taxonomy_load_bundle((const char *)magnet_data_chains, magnet_data_chains_len,
                                "built-in", out, err);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int taxonomy_load_dir(const char *dir, struct taxonomy **out, struct error *err)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    struct tax_file *files = NULL;
    size_t n = 0, alloc = 0, i, total = 0;
    struct strbuf path = STRBUF_INIT, src = STRBUF_INIT;
    int rc = -1;

    *out = NULL;
    strbuf_addstr(&src, dir);
    while (src.len > 1 && src.buf[src.len - 1] == '/')
        strbuf_setlen(&src, src.len - 1);
    d = opendir(dir);
    if (!d) {
        error_set(err, "cannot read the taxonomy directory %s: %s", dir, strerror(errno));
        strbuf_release(&src);
        return -1;
    }
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l <= 6 || strcmp(de->d_name + l - 6, ".chain") != 0)
            continue;
        if (n >= TAXONOMY_MAX_FILES) {
            error_set(err, "%s: more than %d .chain files", src.buf, TAXONOMY_MAX_FILES);
            goto out;
        }
        ALLOC_GROW(names, n + 1, alloc);
        names[n++] = xstrdup(de->d_name);
    }
    if (n == 0) {
        error_set(err, "%s: no .chain files", src.buf);
        goto out;
    }
    qsort(names, n, sizeof(*names), name_cmp);
    files = xcalloc(n, sizeof(*files));
    for (i = 0; i < n; i++) {
        FILE *f;
        struct stat sb;
        char *buf;
        size_t got;
        strbuf_reset(&path);
        strbuf_addf(&path, "%s/%s", src.buf, names[i]);
        f = fopen(path.buf, "rb");
        if (!f || fstat(fileno(f), &sb) != 0) {
            error_set(err, "%s: %s", path.buf, strerror(errno));
            if (f)
                fclose(f);
            goto out;
        }
        if (!S_ISREG(sb.st_mode) || sb.st_size > (off_t)TAXONOMY_MAX_FILE ||
            total + (size_t)sb.st_size > TAXONOMY_MAX_TOTAL) {
            error_set(err, "%s: %s", path.buf,
                      S_ISREG(sb.st_mode) ? "the file is too large" : "not a regular file");
            fclose(f);
            goto out;
        }
        buf = xmalloc((size_t)sb.st_size + 1);
        got = fread(buf, 1, (size_t)sb.st_size, f);
        fclose(f);
        if (got != (size_t)sb.st_size) {
            error_set(err, "%s: read error", path.buf);
            free(buf);
            goto out;
        }
        buf[got] = '\0';
        total += got;
        files[i].name = names[i];
        files[i].data = buf;
        files[i].len = got;
    }
    rc = taxonomy_load_files(files, n, src.buf, out, err);
out:
    closedir(d);
    for (i = 0; i < n; i++) {
        if (files)
            free((char *)files[i].data);
        free(names[i]);
    }
    free(files);
    free(names);
    strbuf_release(&path);
    strbuf_release(&src);
    return rc;
}

int taxonomy_reload(struct taxonomy **cur, const char *dir, struct error *err)
{
    struct taxonomy *t;
    int rc = dir ? taxonomy_load_dir(dir, &t, err) : taxonomy_load_default(&t, err);
    if (rc != 0)
        return -1;
    taxonomy_free(*cur);
    *cur = t;
    return 0;
}

void taxonomy_free(struct taxonomy *t)
{
    if (t)
        pool_free(t->pool);  /* t itself is in the pool */
}

const struct tax_track *taxonomy_track(const struct taxonomy *t, const char *id)
{
    void *v = hashmap_get(&t->pool->tracks, id, strlen(id));
    return v ? &t->tracks[(uintptr_t)v - 1] : NULL;
}

const struct tax_node *taxonomy_node(const struct taxonomy *t, const char *full_id)
{
    void *v = hashmap_get(&t->pool->nodes, full_id, strlen(full_id));
    return v ? &t->nodes[(uintptr_t)v - 1] : NULL;
}
