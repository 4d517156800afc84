/*
 * match.c - the multi-pattern matcher (see match.h and
 * docs/internals/match.md).
 *
 * Why not a textbook byte automaton: the classifier's patterns and texts
 * are Chinese, three UTF-8 bytes a character, and a byte-at-a-time
 * automaton spends three dependent table loads on every character. This
 * one is an Aho-Corasick automaton over *characters*:
 *
 *   1. The text is cut into characters (a valid UTF-8 sequence, or a lone
 *      byte that starts none) and each character is mapped to a symbol: 1..K
 *      for the K distinct characters that occur in some pattern, 0 for all
 *      others. The map is a two-level table indexed by code point, so it
 *      costs two loads that do not depend on the automaton's state and the
 *      CPU overlaps them with the previous step.
 *   2. The automaton is a complete DFA (failure links folded in at compile
 *      time) stored as a "comb" (a double array): state s is an offset into
 *      one array of (check, next) pairs, and its transition on symbol c is
 *      comb[s + c] when comb[s + c].check == s, else root_row[c], the
 *      root's transition. Only the transitions that differ from the root's
 *      are stored, so a state costs a few entries, yet a step is one load on
 *      the state's dependency chain plus a well-predicted branch.
 *   3. States that end a pattern get the highest offsets, so "did anything
 *      match here" is one compare of the new state against a threshold.
 *      Their outputs are per-state id ranges linked by dictionary-suffix
 *      links: memory stays linear in the patterns whatever they overlap.
 *
 * When folding the failure links in would take too much memory (adversarial
 * pattern sets, such as every pair of a large alphabet) the comb keeps only
 * the trie's own edges and the scan follows failure links instead: slower,
 * but linear in size. Real keyword lists never go there.
 *
 * Characters instead of bytes also give the boundary rule of match.h for
 * free: a pattern is matched as a sequence of characters, so it can never
 * start or end inside a multi-byte character, even when the pattern or the
 * text is not valid UTF-8.
 */
#include "chain/match.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

/* ---- characters ---- */

/* A character's key: its code point, or 0xD800 + b for a lone byte b that
 * starts no valid sequence. Surrogates are never valid UTF-8, so the two
 * kinds cannot collide and every key is below 0x110000. */
#define KEY_BAD_BYTE 0xD800u

/* The first character of p[0..avail) (avail >= 1): sets *key and returns
 * its length in bytes. Strict UTF-8 as in base/utf8.h: no overlongs, no
 * surrogates, nothing above U+10FFFF; anything else is a one-byte
 * character. */
static inline size_t next_char(const uint8_t *p, size_t avail, uint32_t *key)
{
    uint32_t b0 = p[0], lo = 0x80, hi = 0xBF, cp;
    size_t n, i;

    if (b0 < 0x80) {
        *key = b0;
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        cp = b0 & 0x0F;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        cp = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        goto bad;
    }
    if (avail < n || p[1] < lo || p[1] > hi)
        goto bad;
    cp = (cp << 6) | (p[1] & 0x3Fu);
    for (i = 2; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            goto bad;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    *key = cp;
    return n;
bad:
    *key = KEY_BAD_BYTE + b0;
    return 1;
}

/* ---- the compiled form ---- */

struct comb_entry {
    uint32_t check;  /* the owning state, or COMB_EMPTY */
    uint32_t next;   /* the target state */
};

#define COMB_EMPTY UINT32_MAX
#define NONE UINT32_MAX

/* A state is the byte offset of its row in the comb (the row's index times
 * STATE_SCALE), so that the scan adds the symbol's offset and loads, with
 * no scaling on the state's dependency chain. */
#define STATE_SCALE ((uint32_t)sizeof(struct comb_entry))

/* A state that ends patterns: the ids of the patterns equal to it, and the
 * next such record for its longest proper suffix that ends patterns. */
struct out_rec {
    uint32_t first;  /* into ids[] */
    uint32_t count;
    uint32_t len;    /* pattern length in bytes */
    uint32_t link;   /* next out_rec, or NONE */
};

struct pattern_ref {
    size_t off;  /* into pat_bytes */
    uint32_t len;
    uint32_t id;
};

#define SYM_PAGES 1024  /* the BMP in pages of 64 code points */
#define SYM_PAGE_SIZE 64

/* Folding failure links in is refused beyond this many stored transitions
 * per trie node (on top of FLAT_MIN_ENTRIES): real keyword lists need two
 * or three, the full DFA of an adversarial set needs thousands. */
#define FLAT_PER_NODE 8
#define FLAT_MIN_ENTRIES (1u << 20)

struct matcher {
    int compiled;
    int flat;                   /* 1: complete DFA; 0: trie edges + failure links */
    size_t flat_limit;          /* 0: the default budget (tests lower it) */

    /* patterns, until compiled */
    char *pat_bytes;
    size_t pat_used, pat_alloc;
    struct pattern_ref *pats;
    size_t npats, pats_alloc;
    size_t pattern_count;       /* kept after the patterns are freed */

    /* characters -> symbols */
    uint16_t sym_page[SYM_PAGES];  /* BMP page -> block in sym_block */
    uint32_t *sym_block;           /* blocks of SYM_PAGE_SIZE symbols, block 0 all zero */
    size_t nblocks;
    uint32_t *astral_key;          /* keys >= 0x10000, sorted */
    uint32_t *astral_sym;
    size_t nastral;
    size_t nsym;                   /* symbols including 0 */

    /* the automaton */
    struct comb_entry *comb;
    size_t comb_size;
    uint32_t *root_row;            /* [nsym] */
    uint32_t root;                 /* states are byte offsets: see STATE_SCALE */
    uint32_t out_from;             /* states >= out_from end some pattern */
    uint32_t *out_first;           /* [(state - out_from) / STATE_SCALE] -> first out_rec */
    size_t out_first_size;
    struct out_rec *outs;
    size_t nouts;
    uint32_t *ids;
    size_t nids;
    uint32_t *fail;                /* [state / STATE_SCALE] -> failure state, when !flat */
    size_t fail_size;
};

struct matcher *match_new(void)
{
    return xcalloc(1, sizeof(struct matcher));
}

static void release_patterns(struct matcher *m)
{
    free(m->pat_bytes);
    free(m->pats);
    m->pat_bytes = NULL;
    m->pats = NULL;
    m->pat_used = m->pat_alloc = m->npats = m->pats_alloc = 0;
}

void match_free(struct matcher *m)
{
    if (!m)
        return;
    release_patterns(m);
    free(m->sym_block);
    free(m->astral_key);
    free(m->astral_sym);
    free(m->comb);
    free(m->root_row);
    free(m->out_first);
    free(m->outs);
    free(m->ids);
    free(m->fail);
    free(m);
}

int match_add(struct matcher *m, const char *pattern, size_t len, uint32_t id,
              struct error *err)
{
    struct pattern_ref *p;

    if (m->compiled)
        return error_set(err, "matcher: pattern added after match_compile");
    if (len == 0)
        return error_set(err, "matcher: empty pattern (id %u)", (unsigned)id);
    if (len > MATCH_MAX_PATTERN)
        return error_set(err, "matcher: pattern of %zu bytes (id %u), the limit is %d",
                         len, (unsigned)id, MATCH_MAX_PATTERN);
    if (m->npats >= MATCH_MAX_PATTERNS)
        return error_set(err, "matcher: more than %d patterns", MATCH_MAX_PATTERNS);
    ALLOC_GROW(m->pat_bytes, m->pat_used + len, m->pat_alloc);
    memcpy(m->pat_bytes + m->pat_used, pattern, len);
    ALLOC_GROW(m->pats, m->npats + 1, m->pats_alloc);
    p = &m->pats[m->npats++];
    p->off = m->pat_used;
    p->len = (uint32_t)len;
    p->id = id;
    m->pat_used += len;
    m->pattern_count = m->npats;
    return 0;
}

size_t match_pattern_count(const struct matcher *m)
{
    return m->pattern_count;
}

size_t match_memory(const struct matcher *m)
{
    if (!m->compiled)
        return 0;
    return sizeof(*m) + m->nblocks * SYM_PAGE_SIZE * sizeof(uint32_t) +
           m->nastral * 2 * sizeof(uint32_t) + m->comb_size * sizeof(struct comb_entry) +
           m->nsym * sizeof(uint32_t) + m->out_first_size * sizeof(uint32_t) +
           m->nouts * sizeof(struct out_rec) + m->nids * sizeof(uint32_t) +
           m->fail_size * sizeof(uint32_t);
}

/* ---- compile: small tools ---- */

/* An open-addressing map from non-zero 64-bit keys to 32-bit values, for
 * characters -> symbols and (node, symbol) -> child while building. */
struct u64map {
    uint64_t *keys;  /* 0 = empty */
    uint32_t *vals;
    size_t mask, count;
};

static void u64map_init(struct u64map *h, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2)
        cap *= 2;
    h->keys = xcalloc(cap, sizeof(*h->keys));
    h->vals = xmalloc(st_mult(cap, sizeof(*h->vals)));
    h->mask = cap - 1;
    h->count = 0;
}

static void u64map_release(struct u64map *h)
{
    free(h->keys);
    free(h->vals);
}

static size_t u64map_slot(const struct u64map *h, uint64_t key)
{
    uint64_t x = key * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(x >> 29) & h->mask;
    while (h->keys[i] && h->keys[i] != key)
        i = (i + 1) & h->mask;
    return i;
}

static void u64map_grow(struct u64map *h)
{
    struct u64map bigger;
    size_t i;
    u64map_init(&bigger, (h->mask + 1));
    for (i = 0; i <= h->mask; i++)
        if (h->keys[i]) {
            size_t j = u64map_slot(&bigger, h->keys[i]);
            bigger.keys[j] = h->keys[i];
            bigger.vals[j] = h->vals[i];
        }
    bigger.count = h->count;
    u64map_release(h);
    *h = bigger;
}

/* Insert key -> val unless present; returns the value in the map. */
static uint32_t u64map_put(struct u64map *h, uint64_t key, uint32_t val)
{
    size_t i;
    if ((h->count + 1) * 4 > (h->mask + 1) * 3)
        u64map_grow(h);
    i = u64map_slot(h, key);
    if (h->keys[i])
        return h->vals[i];
    h->keys[i] = key;
    h->vals[i] = val;
    h->count++;
    return val;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- compile: the trie ---- */

struct build {
    size_t nnodes;
    uint32_t *sym;          /* [node] symbol on the edge from the parent */
    uint32_t *parent;       /* [node] */
    uint32_t *depth;        /* [node] bytes from the root */
    uint32_t *child_off;    /* [node + 1] children in child[] */
    uint32_t *child;        /* children, each node's sorted by symbol */
    uint32_t *bfs;          /* nodes in breadth-first order */
    uint32_t *fail;         /* [node] */
    uint32_t *own_off;      /* [node + 1] ids of patterns equal to the node */
    uint32_t *out_link;     /* [node] nearest proper suffix with own ids, or NONE */
    uint32_t *e_start;      /* [node] its stored transitions in e_sym/e_tgt */
    uint32_t *e_cnt;        /* [node] how many, sorted by symbol */
    uint32_t *e_sym, *e_tgt;
    size_t e_total, e_alloc;
    uint32_t *base;         /* [node] the state's offset in the comb */
};

static void build_release(struct build *b)
{
    free(b->sym);
    free(b->parent);
    free(b->depth);
    free(b->child_off);
    free(b->child);
    free(b->bfs);
    free(b->fail);
    free(b->own_off);
    free(b->out_link);
    free(b->e_start);
    free(b->e_cnt);
    free(b->e_sym);
    free(b->e_tgt);
    free(b->base);
}

/* Characters to symbols and the symbol tables of the matcher; the trie of
 * the patterns with each pattern's end node in pat_node.
 *
 * Symbols are numbered by how often their character occurs in the
 * patterns, most often first. A state's row in the comb spans the symbols
 * from its offset on, and most lookups are misses that still read
 * comb[state + symbol]: with the common characters on small numbers, the
 * lookups of a state fall on fewer cache lines (a few percent fewer L1
 * misses on the chain keywords; cheap, so kept). */
static int build_trie(struct matcher *m, struct build *b, uint32_t *pat_node, struct error *err)
{
    struct u64map chars, edges;
    size_t maxnodes = m->pat_used + 1, i, k, nkeys = 0, count_alloc = 0;
    uint64_t *keys;
    uint32_t *count = NULL, *remap;

    u64map_init(&chars, 256);
    for (i = 0; i < m->npats; i++) {
        const uint8_t *p = (const uint8_t *)m->pat_bytes + m->pats[i].off;
        size_t len = m->pats[i].len, at = 0;
        while (at < len) {
            uint32_t key, ix;
            at += next_char(p + at, len - at, &key);
            ix = u64map_put(&chars, (uint64_t)key + 1, (uint32_t)nkeys);
            if (ix == nkeys) {
                ALLOC_GROW(count, nkeys + 1, count_alloc);
                count[nkeys++] = 0;
            }
            count[ix]++;
        }
    }
    keys = xmalloc(st_mult(nkeys + 1, sizeof(uint64_t)));
    for (i = 0; i < nkeys; i++)
        keys[i] = (uint64_t)(UINT32_MAX - count[i]) << 32 | i;
    qsort(keys, nkeys, sizeof(*keys), cmp_u64);
    remap = xmalloc(st_mult(nkeys + 1, sizeof(uint32_t)));
    for (i = 0; i < nkeys; i++)
        remap[(uint32_t)keys[i]] = (uint32_t)(i + 1);
    for (i = 0; i <= chars.mask; i++)
        if (chars.keys[i])
            chars.vals[i] = remap[chars.vals[i]];
    free(keys);
    free(remap);
    free(count);
    m->nsym = nkeys + 1;

    u64map_init(&edges, maxnodes);
    b->sym = xmalloc(st_mult(maxnodes, sizeof(uint32_t)));
    b->parent = xmalloc(st_mult(maxnodes, sizeof(uint32_t)));
    b->depth = xmalloc(st_mult(maxnodes, sizeof(uint32_t)));
    b->sym[0] = 0;
    b->parent[0] = NONE;
    b->depth[0] = 0;
    b->nnodes = 1;
    for (i = 0; i < m->npats; i++) {
        const uint8_t *p = (const uint8_t *)m->pat_bytes + m->pats[i].off;
        size_t len = m->pats[i].len, at = 0;
        uint32_t node = 0;
        while (at < len) {
            uint32_t key, sym, child;
            at += next_char(p + at, len - at, &key);
            sym = u64map_put(&chars, (uint64_t)key + 1, 0);  /* present: a lookup */
            child = u64map_put(&edges, ((uint64_t)node << 32 | sym) + 1, (uint32_t)b->nnodes);
            if (child == b->nnodes) {
                b->sym[child] = sym;
                b->parent[child] = node;
                b->depth[child] = (uint32_t)at;
                b->nnodes++;
            }
            node = child;
        }
        pat_node[i] = node;
    }
    u64map_release(&edges);
    if (b->nnodes >= UINT32_MAX / 4 || m->nsym >= UINT32_MAX / 4) {
        u64map_release(&chars);
        return error_set(err, "matcher: too many patterns to compile (%zu trie nodes)", b->nnodes);
    }

    /* symbol tables: the BMP by pages, the rest in a sorted array */
    keys = xmalloc(st_mult(chars.count + 1, sizeof(uint64_t)));
    for (i = 0, k = 0; i <= chars.mask; i++)
        if (chars.keys[i])
            keys[k++] = (chars.keys[i] - 1) << 32 | chars.vals[i];
    qsort(keys, k, sizeof(*keys), cmp_u64);
    m->nblocks = 1;
    for (i = 0; i < k; i++) {
        uint32_t key = (uint32_t)(keys[i] >> 32);
        if (key < 0x10000 && (i == 0 || (uint32_t)(keys[i - 1] >> 32) >> 6 != key >> 6))
            m->nblocks++;
        else if (key >= 0x10000)
            m->nastral++;
    }
    m->sym_block = xcalloc(m->nblocks * SYM_PAGE_SIZE, sizeof(uint32_t));
    m->astral_key = xmalloc(st_mult(m->nastral + 1, sizeof(uint32_t)));
    m->astral_sym = xmalloc(st_mult(m->nastral + 1, sizeof(uint32_t)));
    memset(m->sym_page, 0, sizeof(m->sym_page));
    {
        size_t blk = 0, na = 0;
        for (i = 0; i < k; i++) {
            uint32_t key = (uint32_t)(keys[i] >> 32), sym = (uint32_t)keys[i];
            if (key < 0x10000) {
                if (!m->sym_page[key >> 6])
                    m->sym_page[key >> 6] = (uint16_t)++blk;
                m->sym_block[(size_t)m->sym_page[key >> 6] * SYM_PAGE_SIZE + (key & 63)] = sym;
            } else {
                m->astral_key[na] = key;
                m->astral_sym[na++] = sym;
            }
        }
    }
    free(keys);
    u64map_release(&chars);
    return 0;
}

/* Children lists sorted by symbol, breadth-first order, failure links and
 * output links. */
static void build_links(struct matcher *m, struct build *b, const uint32_t *pat_node)
{
    size_t n = b->nnodes, i, head, tail;
    uint64_t *edges = xmalloc(st_mult(n, sizeof(uint64_t)));
    uint32_t *fill;

    /* children: sort (parent, symbol) pairs; the node follows from them */
    b->child_off = xcalloc(n + 1, sizeof(uint32_t));
    b->child = xmalloc(st_mult(n, sizeof(uint32_t)));
    for (i = 1; i < n; i++)
        b->child_off[b->parent[i] + 1]++;
    for (i = 0; i < n; i++)
        b->child_off[i + 1] += b->child_off[i];
    fill = xmalloc(st_mult(n, sizeof(uint32_t)));
    memcpy(fill, b->child_off, n * sizeof(uint32_t));
    for (i = 1; i < n; i++)
        b->child[fill[b->parent[i]]++] = (uint32_t)i;
    for (i = 0; i < n; i++) {
        uint32_t lo = b->child_off[i], hi = b->child_off[i + 1], j;
        if (hi - lo < 2)
            continue;
        for (j = lo; j < hi; j++)
            edges[j] = (uint64_t)b->sym[b->child[j]] << 32 | b->child[j];
        qsort(edges + lo, hi - lo, sizeof(*edges), cmp_u64);
        for (j = lo; j < hi; j++)
            b->child[j] = (uint32_t)edges[j];
    }
    free(edges);
    free(fill);

    /* own ids: patterns grouped by end node, in the order they were added */
    b->own_off = xcalloc(n + 1, sizeof(uint32_t));
    for (i = 0; i < m->npats; i++)
        b->own_off[pat_node[i] + 1]++;
    for (i = 0; i < n; i++)
        b->own_off[i + 1] += b->own_off[i];

    /* breadth first: a node's failure target is shallower, so done before it */
    b->bfs = xmalloc(st_mult(n, sizeof(uint32_t)));
    b->fail = xmalloc(st_mult(n, sizeof(uint32_t)));
    b->out_link = xmalloc(st_mult(n, sizeof(uint32_t)));
    b->bfs[0] = 0;
    b->fail[0] = 0;
    b->out_link[0] = NONE;
    head = 0;
    tail = 1;
    while (head < tail) {
        uint32_t u = b->bfs[head++], j;
        for (j = b->child_off[u]; j < b->child_off[u + 1]; j++) {
            uint32_t v = b->child[j], c = b->sym[v], f;
            b->bfs[tail++] = v;
            f = u == 0 ? NONE : b->fail[u];
            b->fail[v] = 0;
            while (f != NONE) {
                /* binary search f's sorted children for c */
                uint32_t lo = b->child_off[f], hi = b->child_off[f + 1];
                while (lo < hi) {
                    uint32_t mid = lo + (hi - lo) / 2;
                    if (b->sym[b->child[mid]] < c)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                if (lo < b->child_off[f + 1] && b->sym[b->child[lo]] == c) {
                    b->fail[v] = b->child[lo];
                    break;
                }
                f = f == 0 ? NONE : b->fail[f];
            }
            f = b->fail[v];
            b->out_link[v] = b->own_off[f + 1] > b->own_off[f] ? f : b->out_link[f];
        }
    }
}

/* The transitions each state stores. Flat: every transition that differs
 * from the root's (its own edges plus those inherited along the failure
 * chain), so that a miss always means root_row. Not flat: its own edges
 * only, and a miss means "try the failure state". Returns 1 for flat, 0
 * when the flat form would exceed its budget. */
static int build_rows(struct matcher *m, struct build *b, int try_flat)
{
    size_t n = b->nnodes, limit, i;

    limit = m->flat_limit ? m->flat_limit : FLAT_MIN_ENTRIES + FLAT_PER_NODE * n;
    b->e_start = xcalloc(n, sizeof(uint32_t));
    b->e_cnt = xcalloc(n, sizeof(uint32_t));
    b->e_total = 0;
    /* breadth first, so that a failure state's row is complete before the
     * rows that inherit from it */
    for (i = 1; i < n; i++) {
        uint32_t v = b->bfs[i], f = b->fail[v];
        uint32_t cj = b->child_off[v], ce = b->child_off[v + 1];
        uint32_t fj = 0, fe = 0;
        size_t need, at;
        if (try_flat && f != 0) {
            fj = b->e_start[f];
            fe = fj + b->e_cnt[f];
        }
        need = (ce - cj) + (fe - fj);
        if (try_flat && b->e_total + need > limit)
            return 0;
        if (b->e_total + need > b->e_alloc) {
            ALLOC_GROW(b->e_sym, b->e_total + need, b->e_alloc);
            b->e_tgt = xrealloc(b->e_tgt, st_mult(b->e_alloc, sizeof(uint32_t)));
        }
        at = b->e_total;
        /* merge two lists sorted by symbol; an own edge hides the
         * inherited transition on the same symbol */
        while (cj < ce || fj < fe) {
            uint32_t cs = cj < ce ? b->sym[b->child[cj]] : UINT32_MAX;
            uint32_t fs = fj < fe ? b->e_sym[fj] : UINT32_MAX;
            if (cs <= fs) {
                b->e_sym[at] = cs;
                b->e_tgt[at++] = b->child[cj++];
                if (cs == fs)
                    fj++;
            } else {
                b->e_sym[at] = fs;
                b->e_tgt[at++] = b->e_tgt[fj++];
            }
        }
        b->e_start[v] = (uint32_t)b->e_total;
        b->e_cnt[v] = (uint32_t)(at - b->e_total);
        b->e_total = at;
    }
    return try_flat;
}

/* ---- compile: packing the rows into the comb ---- */

/* First-fit placement of rows into one array, as in double-array tries:
 * a row's base b must be unused as a base, and the slots b + c for each of
 * its symbols c must be free. */
struct packer {
    size_t cap;
    uint8_t *slot_used, *base_used, *tries;
    size_t *next_free;  /* union-find: next free slot >= i */
    size_t search;      /* the first free slot still worth trying */
    size_t max_slot, max_base;
};

/* A slot that failed this many times as the first slot of a row is given
 * up as a starting point: keeps packing linear-ish when the front of the
 * array is nearly full. */
#define PACK_TRIES 16

static void pack_ensure(struct packer *pk, size_t need)
{
    size_t cap = pk->cap ? pk->cap : 1024, i;
    if (need <= pk->cap)
        return;
    while (cap < need)
        cap *= 2;
    pk->slot_used = xrealloc(pk->slot_used, cap);
    pk->base_used = xrealloc(pk->base_used, cap);
    pk->tries = xrealloc(pk->tries, cap);
    pk->next_free = xrealloc(pk->next_free, st_mult(cap, sizeof(size_t)));
    memset(pk->slot_used + pk->cap, 0, cap - pk->cap);
    memset(pk->base_used + pk->cap, 0, cap - pk->cap);
    memset(pk->tries + pk->cap, 0, cap - pk->cap);
    for (i = pk->cap; i < cap; i++)
        pk->next_free[i] = i;
    pk->cap = cap;
}

static size_t pack_find_free(struct packer *pk, size_t i)
{
    size_t r = i, x;
    for (;;) {
        pack_ensure(pk, r + 1);
        if (pk->next_free[r] == r)
            break;
        r = pk->next_free[r];
    }
    for (x = i; x != r;) {
        size_t nx = pk->next_free[x];
        pk->next_free[x] = r;
        x = nx;
    }
    return r;
}

/* A base >= lower for the row syms[0..k) (sorted); marks it used. */
static size_t pack_row(struct packer *pk, const uint32_t *syms, size_t k, size_t lower,
                       size_t *probe)
{
    size_t b, pos, j;

    if (k == 0) {
        /* no slots: any unused base will do */
        b = *probe > lower ? *probe : lower;
        for (;; b++) {
            pack_ensure(pk, b + 1);
            if (!pk->base_used[b])
                break;
        }
        *probe = b + 1;
    } else {
        pk->search = pack_find_free(pk, pk->search);
        pos = pack_find_free(pk, pk->search > lower + syms[0] ? pk->search : lower + syms[0]);
        for (;;) {
            b = pos - syms[0];
            pack_ensure(pk, b + syms[k - 1] + 1);
            if (!pk->base_used[b]) {
                for (j = 1; j < k; j++)
                    if (pk->slot_used[b + syms[j]])
                        break;
                if (j == k)
                    break;
            }
            if (pos == pk->search && ++pk->tries[pos] >= PACK_TRIES)
                pk->search = pack_find_free(pk, pos + 1);
            pos = pack_find_free(pk, pos + 1);
        }
        for (j = 0; j < k; j++) {
            size_t s = b + syms[j];
            pk->slot_used[s] = 1;
            pk->next_free[s] = s + 1;
            if (s > pk->max_slot)
                pk->max_slot = s;
        }
    }
    pk->base_used[b] = 1;
    if (b > pk->max_base)
        pk->max_base = b;
    return b;
}

static int has_output(const struct build *b, uint32_t v)
{
    return b->own_off[v + 1] > b->own_off[v] || b->out_link[v] != NONE;
}

/* Bases for every state: the root at 0 (its row is root_row, and keeping
 * it at 0 keeps the slots it probes at the front of the comb), then states
 * without outputs, then states with outputs above all of them. Within a
 * group, longest rows first: they are the hard ones to fit. */
static int pack_all(struct matcher *m, struct build *b, struct error *err)
{
    struct packer pk;
    size_t n = b->nnodes, i, norder = 0, probe;
    uint64_t *order = xmalloc(st_mult(n, sizeof(uint64_t)));
    int pass;

    memset(&pk, 0, sizeof(pk));
    pack_ensure(&pk, 1024);
    b->base = xmalloc(st_mult(n, sizeof(uint32_t)));
    pk.base_used[0] = 1;
    b->base[0] = 0;
    m->out_from = 1;
    for (pass = 0; pass < 2; pass++) {
        size_t lower = pass ? m->out_from : 1;
        norder = 0;
        for (i = 1; i < n; i++)
            if (has_output(b, (uint32_t)i) == pass)
                order[norder++] = (uint64_t)(UINT32_MAX - b->e_cnt[i]) << 32 | i;
        qsort(order, norder, sizeof(*order), cmp_u64);
        probe = lower;
        for (i = 0; i < norder; i++) {
            uint32_t v = (uint32_t)order[i];
            const uint32_t *row = b->e_cnt[v] ? b->e_sym + b->e_start[v] : NULL;
            size_t base = pack_row(&pk, row, b->e_cnt[v], lower, &probe);
            if (base + m->nsym >= UINT32_MAX / STATE_SCALE / 2) {
                free(order);
                free(pk.slot_used);
                free(pk.base_used);
                free(pk.tries);
                free(pk.next_free);
                return error_set(err, "matcher: automaton too large to compile");
            }
            b->base[v] = (uint32_t)base;
        }
        if (!pass)
            m->out_from = (uint32_t)(pk.max_base + 1);
    }
    m->comb_size = pk.max_base + m->nsym;
    if (pk.max_slot + 1 > m->comb_size)
        m->comb_size = pk.max_slot + 1;
    free(order);
    free(pk.slot_used);
    free(pk.base_used);
    free(pk.tries);
    free(pk.next_free);
    return 0;
}

/* ---- compile: the final tables ---- */

static void fill_tables(struct matcher *m, const struct build *b, const uint32_t *pat_node)
{
    size_t n = b->nnodes, i, j, max_base = 0;
    uint32_t *rec_of, *fill;

    m->comb = xmalloc(st_mult(m->comb_size, sizeof(struct comb_entry)));
    for (i = 0; i < m->comb_size; i++) {
        m->comb[i].check = COMB_EMPTY;
        m->comb[i].next = 0;
    }
    for (i = 1; i < n; i++) {
        uint32_t base = b->base[i];
        if (base > max_base)
            max_base = base;
        for (j = 0; j < b->e_cnt[i]; j++) {
            struct comb_entry *e = &m->comb[base + b->e_sym[b->e_start[i] + j]];
            e->check = base * STATE_SCALE;
            e->next = b->base[b->e_tgt[b->e_start[i] + j]] * STATE_SCALE;
        }
    }
    m->root = b->base[0] * STATE_SCALE;
    m->root_row = xmalloc(st_mult(m->nsym, sizeof(uint32_t)));
    for (i = 0; i < m->nsym; i++)
        m->root_row[i] = m->root;
    for (j = b->child_off[0]; j < b->child_off[1]; j++)
        m->root_row[b->sym[b->child[j]]] = b->base[b->child[j]] * STATE_SCALE;

    /* pattern ids by end node, in the order they were added */
    m->nids = m->npats;
    m->ids = xmalloc(st_mult(m->nids + 1, sizeof(uint32_t)));
    fill = xmalloc(st_mult(n, sizeof(uint32_t)));
    memcpy(fill, b->own_off, n * sizeof(uint32_t));
    for (i = 0; i < m->npats; i++)
        m->ids[fill[pat_node[i]]++] = m->pats[i].id;
    free(fill);

    rec_of = xmalloc(st_mult(n, sizeof(uint32_t)));
    m->nouts = 0;
    for (i = 0; i < n; i++)
        rec_of[i] = b->own_off[i + 1] > b->own_off[i] ? (uint32_t)m->nouts++ : NONE;
    m->outs = xmalloc(st_mult(m->nouts + 1, sizeof(struct out_rec)));
    for (i = 0; i < n; i++) {
        struct out_rec *o;
        if (rec_of[i] == NONE)
            continue;
        o = &m->outs[rec_of[i]];
        o->first = b->own_off[i];
        o->count = b->own_off[i + 1] - b->own_off[i];
        o->len = b->depth[i];
        o->link = b->out_link[i] == NONE ? NONE : rec_of[b->out_link[i]];
    }
    m->out_first_size = max_base >= m->out_from ? max_base + 1 - m->out_from : 0;
    m->out_first = xmalloc(st_mult(m->out_first_size + 1, sizeof(uint32_t)));
    for (i = 0; i < m->out_first_size; i++)
        m->out_first[i] = NONE;
    for (i = 1; i < n; i++)
        if (has_output(b, (uint32_t)i))
            m->out_first[b->base[i] - m->out_from] =
                rec_of[i] != NONE ? rec_of[i] : rec_of[b->out_link[i]];
    free(rec_of);

    if (!m->flat) {
        m->fail_size = max_base + 1;
        m->fail = xmalloc(st_mult(m->fail_size, sizeof(uint32_t)));
        for (i = 0; i < m->fail_size; i++)
            m->fail[i] = m->root;
        for (i = 1; i < n; i++)
            m->fail[b->base[i]] = b->base[b->fail[i]] * STATE_SCALE;
    }
    m->out_from *= STATE_SCALE;
}

int match_compile(struct matcher *m, struct error *err)
{
    struct build b;
    uint32_t *pat_node;
    int rc = 0;

    if (m->compiled)
        return error_set(err, "matcher: already compiled");
    memset(&b, 0, sizeof(b));
    pat_node = xmalloc(st_mult(m->npats + 1, sizeof(uint32_t)));
    if (build_trie(m, &b, pat_node, err) < 0) {
        rc = -1;
        goto out;
    }
    build_links(m, &b, pat_node);
    m->flat = build_rows(m, &b, 1);
    if (!m->flat) {
        free(b.e_start);
        free(b.e_cnt);
        build_rows(m, &b, 0);
    }
    if (pack_all(m, &b, err) < 0) {
        rc = -1;
        goto out;
    }
    fill_tables(m, &b, pat_node);
    m->compiled = 1;
    release_patterns(m);
out:
    free(pat_node);
    build_release(&b);
    return rc;
}

/* ---- scanning ---- */

typedef int (*hit_fn)(const struct match_hit *hit, void *ctx);

static inline uint32_t astral_symbol(const struct matcher *m, uint32_t key)
{
    size_t lo = 0, hi = m->nastral;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->astral_key[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->nastral && m->astral_key[lo] == key ? m->astral_sym[lo] : 0;
}

/* Report every pattern that ends at `end` in state s (s >= out_from),
 * longest first. Returns how many, with REPORT_STOP set when the callback
 * asked to stop. Out of line: hits are rare next to characters, and the
 * scan loops keep their registers. */
#define REPORT_STOP ((size_t)1 << (sizeof(size_t) * 8 - 1))

static size_t report(const struct matcher *m, uint32_t s, size_t end, hit_fn fn, void *ctx)
{
    uint32_t r = m->out_first[(s - m->out_from) / STATE_SCALE];
    size_t hits = 0;
    struct match_hit h;
    do {
        const struct out_rec *o = &m->outs[r];
        uint32_t k;
        h.start = (uint32_t)(end - o->len);
        h.len = o->len;
        for (k = 0; k < o->count; k++) {
            h.id = m->ids[o->first + k];
            hits++;
            if (fn && fn(&h, ctx))
                return hits | REPORT_STOP;
        }
        r = o->link;
    } while (r != NONE);
    return hits;
}

static inline uint32_t load_le32(const uint8_t *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap32(w);
#endif
    return w;
}

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define NOINLINE
#define ALWAYS_INLINE inline
#endif

static ALWAYS_INLINE uint32_t bmp_symbol(const struct matcher *m, uint32_t key)
{
    return m->sym_block[(size_t)m->sym_page[key >> 6] * SYM_PAGE_SIZE + (key & 63)];
}

/* The symbol of the character at t[*i], advancing *i, for when fewer than
 * four bytes are left or the fast path below does not apply. */
static ALWAYS_INLINE uint32_t slow_symbol(const struct matcher *m, const uint8_t *t, size_t len,
                                          size_t *i)
{
    uint32_t key;
    *i += next_char(t + *i, len - *i, &key);
    return key < 0x10000 ? bmp_symbol(m, key) : astral_symbol(m, key);
}

/* The same with four readable bytes at t + *i: three-byte characters (all
 * of CJK and its punctuation) first, then ASCII, the rest the slow way.
 * A three-byte character is recognised with one load and one compare, and
 * then needs no code point: its page in sym_page is the low four bits of
 * the first byte and the low six of the second, its place in the page the
 * low six of the third. Pages below 32 (overlong forms, E0 80..9F) and
 * 0x360..0x37F (surrogates, ED A0..BF) are what strict UTF-8 forbids, as
 * next_char does byte by byte. */
static ALWAYS_INLINE uint32_t fast_symbol(const struct matcher *m, const uint8_t *t, size_t len,
                                          size_t *i)
{
    uint32_t w = load_le32(t + *i);
    if (LIKELY((w & 0xC0C0F0u) == 0x8080E0u)) {
        uint32_t page = (w & 0x0Fu) << 6 | (w >> 8 & 0x3Fu);
        if (LIKELY(page >= 32 && page >> 5 != 0x1B)) {
            *i += 3;
            return m->sym_block[(size_t)m->sym_page[page] * SYM_PAGE_SIZE + (w >> 16 & 0x3Fu)];
        }
    } else if (!(w & 0x80u)) {
        *i += 1;
        return bmp_symbol(m, w & 0x7Fu);
    }
    return slow_symbol(m, t, len, i);
}

/* One step of the complete DFA: the state's own transition on c when the
 * comb holds one, else the root's. A branch, not a conditional move, on
 * purpose: misses are the common case (the root, the most frequent state,
 * owns no entry) and the branch is predicted well enough that the CPU runs
 * ahead on the predicted state instead of waiting for the load. Measured:
 * a branch-free select (mask or cmov) is 12% slower, and clang's cmov of
 * the address puts a second load on the chain. */
static ALWAYS_INLINE uint32_t flat_step(const char *comb, const uint32_t *root_row, uint32_t s,
                                        uint32_t c)
{
    const struct comb_entry *e = (const struct comb_entry *)(comb + s + (size_t)c * STATE_SCALE);
    if (UNLIKELY(e->check == s))
        return e->next;
    return root_row[c];
}

/* The flat scan's inner loop: from t[i] on, until the automaton enters a
 * state that ends some pattern (or the text ends). Returns the position
 * after the character that did it, and the state in *state.
 *
 * One load on the state's dependency chain per character, and no call in
 * the loop: with a call, compilers keep the table pointers on the stack
 * rather than in caller-saved registers, which cost a tenth of the speed. */
static NOINLINE size_t run_flat(const struct matcher *m, const uint8_t *t, size_t len,
                                size_t i, uint32_t *state)
{
    const char *comb = (const char *)m->comb;
    const uint32_t *root_row = m->root_row;
    const uint32_t out_from = m->out_from;
    size_t fast_end = len >= 3 ? len - 3 : 0;
    uint32_t s = *state;

    while (i < fast_end) {
        s = flat_step(comb, root_row, s, fast_symbol(m, t, len, &i));
        if (s >= out_from)
            goto out;
    }
    while (i < len) {
        s = flat_step(comb, root_row, s, slow_symbol(m, t, len, &i));
        if (s >= out_from)
            break;
    }
out:
    *state = s;
    return i;
}

/* The fallback's inner loop, same contract: follow failure links on a
 * miss. */
static NOINLINE size_t run_fail(const struct matcher *m, const uint8_t *t, size_t len,
                                size_t i, uint32_t *state)
{
    size_t fast_end = len >= 3 ? len - 3 : 0;
    uint32_t s = *state;

    while (i < len) {
        uint32_t c = i < fast_end ? fast_symbol(m, t, len, &i) : slow_symbol(m, t, len, &i);
        for (;;) {
            struct comb_entry e = m->comb[s / STATE_SCALE + c];
            if (e.check == s) {
                s = e.next;
                break;
            }
            if (s == m->root) {
                s = m->root_row[c];
                break;
            }
            s = m->fail[s / STATE_SCALE];
        }
        if (s >= m->out_from)
            break;
    }
    *state = s;
    return i;
}

size_t match_scan(const struct matcher *m, const char *text, size_t len,
                  int (*fn)(const struct match_hit *hit, void *ctx), void *ctx)
{
    const uint8_t *t = (const uint8_t *)text;
    size_t i = 0, hits = 0;
    uint32_t s;

    if (!m->compiled || len > UINT32_MAX || m->nouts == 0)
        return 0;
    s = m->root;
    while (i < len) {
        i = m->flat ? run_flat(m, t, len, i, &s) : run_fail(m, t, len, i, &s);
        if (s >= m->out_from) {
            size_t r = report(m, s, i, fn, ctx);
            hits += r & ~REPORT_STOP;
            if (r & REPORT_STOP)
                break;
        }
    }
    return hits;
}
