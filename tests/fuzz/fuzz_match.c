/*
 * fuzz_match.c - libFuzzer target for the multi-pattern matcher: the input
 * is cut into a few patterns and a text, and the matcher's hits must be
 * exactly those of a naive matcher, in the same order, with both automaton
 * forms (the complete DFA and the failure-link fallback that adversarial
 * pattern sets get).
 *
 * Input layout:
 *   byte 0      bits 0-2: number of patterns - 1; bit 3: "alphabet" mode;
 *               bits 4-7: stop after that many hits (0: never)
 *   per pattern one length byte (bits 0-4: length, 0 = an empty pattern,
 *               which must be refused; bit 5: add it a second time with
 *               another id), then that many bytes
 *   the rest    the text
 * In alphabet mode every pattern and text byte stands for one of a dozen
 * short strings (ASCII, CJK, a four-byte character, and pieces of them that
 * are not valid UTF-8), so that random inputs overlap a lot and cross
 * character boundaries in every way.
 *
 * The naive matcher is independent of the matcher's own UTF-8 code: it
 * finds every byte occurrence with memcmp and keeps those that start and
 * end on character boundaries, cutting the text with base/utf8's
 * utf8_decode (a lone byte where no valid sequence starts).
 *
 * The matcher is included as source to reach its flat_limit knob.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "chain/match.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PATTERNS 16

static const char *const alphabet[] = {
    "a", "b", "\xE4\xB8\xAD" /* 中 */, "\xE6\x96\x87" /* 文 */, "\xE4", "\xB8\xAD", "\xAD",
    "\xF0\x9F\x98\x80" /* U+1F600 */, "\xC3\xA9" /* é */, "\xC3", "\xE4\xB8", "\xED\xA0\x80",
};
#define NALPHA (sizeof(alphabet) / sizeof(alphabet[0]))

struct buf {
    uint8_t *p;
    size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
    if (!b->p || b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 16;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void expand(struct buf *out, const uint8_t *p, size_t n, int alpha)
{
    size_t i;
    if (!alpha) {
        buf_add(out, p, n);
        return;
    }
    for (i = 0; i < n; i++) {
        const char *s = alphabet[p[i] % NALPHA];
        buf_add(out, s, strlen(s));
    }
}

struct hit {
    uint32_t end, len, order, id;
};

struct hits {
    struct hit *v;
    size_t n, cap, stop_after;
};

static void hits_add(struct hits *h, uint32_t end, uint32_t len, uint32_t order, uint32_t id)
{
    if (h->n == h->cap) {
        h->cap = h->cap * 2 + 16;
        h->v = realloc(h->v, h->cap * sizeof(*h->v));
        if (!h->v)
            abort();
    }
    h->v[h->n].end = end;
    h->v[h->n].len = len;
    h->v[h->n].order = order;
    h->v[h->n].id = id;
    h->n++;
}

static int on_hit(const struct match_hit *hit, void *ctx)
{
    struct hits *h = ctx;
    hits_add(h, hit->start + hit->len, hit->len, 0, hit->id);
    return h->stop_after && h->n >= h->stop_after;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

struct pat {
    const uint8_t *p;
    size_t len;
    uint32_t id;
};

static void naive(const struct pat *pats, size_t npats, const uint8_t *text, size_t len,
                  struct hits *out)
{
    uint8_t *boundary = calloc(len + 1, 1);
    size_t i, j;
    if (!boundary)
        abort();
    for (i = 0; i < len;) {
        int32_t cp;
        size_t n = utf8_decode((const char *)text + i, len - i, &cp);
        boundary[i] = 1;
        i += n ? n : 1;
    }
    boundary[len] = 1;
    for (j = 0; j < npats; j++)
        for (i = 0; i + pats[j].len <= len; i++)
            if (boundary[i] && boundary[i + pats[j].len] &&
                !memcmp(text + i, pats[j].p, pats[j].len))
                hits_add(out, (uint32_t)(i + pats[j].len), (uint32_t)pats[j].len, (uint32_t)j,
                         pats[j].id);
    if (out->n)
        qsort(out->v, out->n, sizeof(*out->v), cmp_hit);
    free(boundary);
}

static void run(const struct pat *pats, size_t npats, const uint8_t *text, size_t len,
                const struct hits *want, size_t stop_after, size_t flat_limit)
{
    struct matcher *m = match_new();
    struct error err = ERROR_INIT;
    struct hits got = { NULL, 0, 0, 0 };
    size_t i, n, added = 0;

    m->flat_limit = flat_limit;
    for (i = 0; i < npats; i++) {
        if (match_add(m, (const char *)pats[i].p, pats[i].len, pats[i].id, &err) == 0)
            added++;
        else if (pats[i].len > 0 && pats[i].len <= MATCH_MAX_PATTERN)
            abort();
    }
    if (match_pattern_count(m) != added)
        abort();
    if (match_compile(m, &err) < 0)
        abort();
    if (match_add(m, "a", 1, 0, &err) == 0)
        abort();
    if (match_memory(m) == 0)
        abort();

    n = match_scan(m, (const char *)text, len, NULL, NULL);
    if (n != want->n)
        abort();
    got.stop_after = stop_after;
    n = match_scan(m, (const char *)text, len, on_hit, &got);
    if (n != got.n)
        abort();
    if (stop_after && want->n >= stop_after ? n != stop_after : n != want->n)
        abort();
    for (i = 0; i < n; i++)
        if (got.v[i].end != want->v[i].end || got.v[i].len != want->v[i].len ||
            got.v[i].id != want->v[i].id)
            abort();
    free(got.v);
    match_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf store[MAX_PATTERNS], text = { NULL, 0, 0 };
    struct pat pats[MAX_PATTERNS];
    struct hits want = { NULL, 0, 0, 0 };
    size_t npats = 0, want_pats, at = 1, i, stop_after;
    int alpha;

    if (size < 1)
        return 0;
    want_pats = (data[0] & 7) + 1;
    alpha = (data[0] >> 3) & 1;
    stop_after = data[0] >> 4;
    memset(store, 0, sizeof(store));
    for (i = 0; i < want_pats && at < size; i++) {
        size_t len = data[at] & 31, dup = (data[at] >> 5) & 1;
        at++;
        if (len > size - at)
            len = size - at;
        expand(&store[npats], data + at, len, alpha);
        pats[npats].p = store[npats].p;
        pats[npats].len = store[npats].len;
        pats[npats].id = (uint32_t)(npats * 1000 + 7);
        npats++;
        if (dup) {
            pats[npats] = pats[npats - 1];
            pats[npats].id += 1;
            npats++;
        }
        at += len;
    }
    expand(&text, data + at, size - at, alpha);
    if (!text.p)
        buf_add(&text, "", 0);
    {
        /* the naive matcher skips refused (empty) patterns as well */
        struct pat kept[MAX_PATTERNS];
        size_t nkept = 0;
        for (i = 0; i < npats; i++)
            if (pats[i].len > 0)
                kept[nkept++] = pats[i];
        naive(kept, nkept, text.p ? text.p : (const uint8_t *)"", text.len, &want);
    }
    run(pats, npats, text.p, text.len, &want, stop_after, 0);
    run(pats, npats, text.p, text.len, &want, stop_after, 1);
    free(want.v);
    free(text.p);
    for (i = 0; i < MAX_PATTERNS; i++)
        free(store[i].p);
    return 0;
}
