/*
 * test_match.c - the multi-pattern matcher (chain/match.c).
 *
 * Includes the .c to reach flat_limit, which forces the failure-link form
 * that only adversarial pattern sets get otherwise, so both scan loops are
 * checked. Most tests compare the hits, in order, with a naive matcher
 * (memcmp at every offset, kept when both ends fall on character
 * boundaries as base/utf8's utf8_decode cuts the text).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/utf8.h"
#include "chain/match.c"

/* ---- helpers ---- */

struct hit {
    uint32_t start, len, id;
};

struct hits {
    struct hit *v;
    size_t n, cap;
    size_t stop_after;  /* 0: never */
    size_t calls;
};

static void hits_push(struct hits *h, uint32_t start, uint32_t len, uint32_t id)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
    }
    h->v[h->n].start = start;
    h->v[h->n].len = len;
    h->v[h->n].id = id;
    h->n++;
}

static int collect(const struct match_hit *hit, void *ctx)
{
    struct hits *h = ctx;
    h->calls++;
    hits_push(h, hit->start, hit->len, hit->id);
    return h->stop_after && h->n >= h->stop_after;
}

static int count_only(const struct match_hit *hit, void *ctx)
{
    (void)hit;
    ++*(size_t *)ctx;
    return 0;
}

struct pat {
    const char *s;
    size_t len;
    uint32_t id;
};

static struct matcher *build(const struct pat *p, size_t n, size_t flat_limit)
{
    struct matcher *m = match_new();
    struct error err = ERROR_INIT;
    size_t i;
    m->flat_limit = flat_limit;
    for (i = 0; i < n; i++)
        assert_int_equal(match_add(m, p[i].s, p[i].len, p[i].id, &err), 0);
    assert_int_equal(match_compile(m, &err), 0);
    return m;
}

/* order: end offset, then longer first, then the order patterns were added */
struct naive_hit {
    uint32_t start, len, id, order;
};

static int cmp_naive(const void *a, const void *b)
{
    const struct naive_hit *x = a, *y = b;
    uint32_t ex = x->start + x->len, ey = y->start + y->len;
    if (ex != ey)
        return ex < ey ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void naive(const struct pat *p, size_t n, const char *text, size_t len, struct hits *out)
{
    uint8_t *boundary = xcalloc(len + 1, 1);
    struct naive_hit *v = NULL;
    size_t nv = 0, cap = 0, i, j;
    for (i = 0; i < len;) {
        int32_t cp;
        size_t k = utf8_decode(text + i, len - i, &cp);
        boundary[i] = 1;
        i += k ? k : 1;
    }
    boundary[len] = 1;
    for (j = 0; j < n; j++)
        for (i = 0; i + p[j].len <= len; i++)
            if (boundary[i] && boundary[i + p[j].len] && !memcmp(text + i, p[j].s, p[j].len)) {
                ALLOC_GROW(v, nv + 1, cap);
                v[nv].start = (uint32_t)i;
                v[nv].len = (uint32_t)p[j].len;
                v[nv].id = p[j].id;
                v[nv].order = (uint32_t)j;
                nv++;
            }
    if (nv)
        qsort(v, nv, sizeof(*v), cmp_naive);
    for (i = 0; i < nv; i++)
        hits_push(out, v[i].start, v[i].len, v[i].id);
    free(v);
    free(boundary);
}

static void assert_same(const struct hits *got, const struct hits *want)
{
    size_t i;
    assert_int_equal(got->n, want->n);
    for (i = 0; i < got->n; i++) {
        assert_int_equal(got->v[i].start, want->v[i].start);
        assert_int_equal(got->v[i].len, want->v[i].len);
        assert_int_equal(got->v[i].id, want->v[i].id);
    }
}

/* Both automaton forms against the naive matcher. */
static void check(const struct pat *p, size_t n, const char *text, size_t len)
{
    struct hits want = { 0 };
    int form;
    naive(p, n, text, len, &want);
    for (form = 0; form < 2; form++) {
        struct matcher *m = build(p, n, form ? 1 : 0);
        struct hits got = { 0 };
        size_t count = 0;
        assert_int_equal(match_scan(m, text, len, collect, &got), want.n);
        assert_same(&got, &want);
        assert_int_equal(match_scan(m, text, len, NULL, NULL), want.n);
        assert_int_equal(match_scan(m, text, len, count_only, &count), want.n);
        assert_int_equal(count, want.n);
        free(got.v);
        match_free(m);
    }
    free(want.v);
}

#define P(s, id) { s, sizeof(s) - 1, id }

static void expect_hits(struct matcher *m, const char *text, const struct hit *want, size_t n)
{
    struct hits got = { 0 };
    size_t i;
    assert_int_equal(match_scan(m, text, strlen(text), collect, &got), n);
    assert_int_equal(got.n, n);
    for (i = 0; i < n; i++) {
        assert_int_equal(got.v[i].start, want[i].start);
        assert_int_equal(got.v[i].len, want[i].len);
        assert_int_equal(got.v[i].id, want[i].id);
    }
    free(got.v);
}

/* ---- tests ---- */

/* The textbook example, hits spelled out: by end offset, longer first. */
static void test_classic(void **state)
{
    static const struct pat p[] = { P("he", 1), P("she", 2), P("his", 3), P("hers", 4) };
    static const struct hit want[] = { { 1, 3, 2 }, { 2, 2, 1 }, { 2, 4, 4 } };
    struct matcher *m = build(p, 4, 0);
    (void)state;
    expect_hits(m, "ushers", want, 3);
    assert_int_equal(match_pattern_count(m), 4);
    match_free(m);
    check(p, 4, "ushers his hershe shishe", 24);
}

/* Overlapping CJK keywords; prefixes and suffixes of one another. */
static void test_overlap_cjk(void **state)
{
    static const struct pat p[] = {
        P("人工智能", 1), P("智能", 2), P("人工", 3), P("智能制造", 4), P("能", 5), P("制造", 6),
    };
    /* 人工智能制造: 人=0 工=3 智=6 能=9 制=12 造=15 */
    static const struct hit want[] = {
        { 0, 6, 3 },   /* 人工 ends at 6 */
        { 0, 12, 1 },  /* 人工智能 ends at 12, longest first */
        { 6, 6, 2 },   /* 智能 */
        { 9, 3, 5 },   /* 能 */
        { 6, 12, 4 },  /* 智能制造 ends at 18 */
        { 12, 6, 6 },  /* 制造 */
    };
    struct matcher *m = build(p, 6, 0);
    (void)state;
    expect_hits(m, "人工智能制造", want, 6);
    match_free(m);
    check(p, 6, "人工智能制造；人工智能；智能智能制造制造能", strlen("人工智能制造；人工智能；智能智能制造制造能"));
}

static void test_prefix_suffix(void **state)
{
    static const struct pat p[] = {
        P("数据", 1), P("数据处理", 2), P("大数据", 3), P("处理", 4), P("数据处理和存储支持服务", 5),
        P("存储", 6), P("服务", 7), P("支持服务", 8),
    };
    const char *text = "一般项目：大数据处理服务；数据处理和存储支持服务；数据处理和存储支持；数据";
    (void)state;
    check(p, 8, text, strlen(text));
}

/* The same bytes under two ids: both reported, in the order added. */
static void test_duplicate_ids(void **state)
{
    static const struct pat p[] = { P("芯片", 7), P("芯片设计", 8), P("芯片", 9), P("芯片", 7) };
    static const struct hit want[] = { { 0, 6, 7 }, { 0, 6, 9 }, { 0, 6, 7 }, { 0, 12, 8 } };
    struct matcher *m = build(p, 4, 0);
    (void)state;
    expect_hits(m, "芯片设计", want, 4);
    assert_int_equal(match_pattern_count(m), 4);
    match_free(m);
    check(p, 4, "芯片设计芯片芯片销售", strlen("芯片设计芯片芯片销售"));
}

/* Ids are the caller's: any 32-bit value. */
static void test_arbitrary_ids(void **state)
{
    static const struct pat p[] = { P("云", UINT32_MAX), P("云计算", 0), P("计算", 0x80000000u) };
    static const struct hit want[] = { { 0, 3, UINT32_MAX }, { 0, 9, 0 }, { 3, 6, 0x80000000u } };
    struct matcher *m = build(p, 3, 0);
    (void)state;
    expect_hits(m, "云计算", want, 3);
    match_free(m);
}

/* A pattern never starts or ends inside a character: pieces of a
 * character's encoding match only where they stand alone in invalid text. */
static void test_char_boundaries(void **state)
{
    static const struct pat p[] = {
        P("\xB8\xAD", 1),   /* the tail of 中 (E4 B8 AD) */
        P("\xE4\xB8", 2),   /* its head */
        P("\xAD", 3),       /* its last byte */
        P("中", 4),
        P("a", 5),
        P("\xE4", 6),
    };
    struct matcher *m = build(p, 6, 0);
    struct hits got = { 0 };
    (void)state;
    /* valid text: only 中 itself */
    assert_int_equal(match_scan(m, "中中", 6, collect, &got), 2);
    assert_int_equal(got.v[0].id, 4);
    assert_int_equal(got.v[1].id, 4);
    match_free(m);
    free(got.v);

    /* invalid text: a lone E4 B8 before 'a' is two characters of one byte */
    check(p, 6, "\xE4\xB8" "a", 3);
    /* E4 E4 B8 AD: a lone E4, then 中 */
    check(p, 6, "\xE4\xE4\xB8\xAD", 4);
    /* lone continuation bytes, and 中 cut short at the end */
    check(p, 6, "\xB8\xAD\xAD" "a\xE4\xB8", 6);
    /* CJK text with a stray byte in the middle of a character */
    check(p, 6, "中\xE4\xB8" "中a\xAD", 11);
}

/* Two- and four-byte characters, overlong forms and surrogates (never
 * valid, so one-byte characters), bytes C0 C1 F5..FF. */
static void test_other_encodings(void **state)
{
    static const struct pat p[] = {
        P("é", 1), P("\xF0\x9F\x98\x80", 2), P("😀中", 3), P("\xE0\x80", 4), P("\xED\xA0\x80", 5),
        P("\x80", 6), P("\xC0", 7), P("\xFF" "a", 8), P("\xF4\x90", 9), P("Ωé", 10),
        P("\xF0\x90\x80\x80", 11),
    };
    const char text[] = "é😀中😀\xE0\x80\x80\xED\xA0\x80\xC0\x80\xFF" "a\xF4\x90\x80\x80Ωé\xF0\x90\x80\x80"
                        "\xF0\x9F\x98";
    (void)state;
    check(p, 11, text, sizeof(text) - 1);
}

/* NUL is a character like any other. */
static void test_nul_bytes(void **state)
{
    static const struct pat p[] = { { "\0", 1, 1 }, { "a\0b", 3, 2 }, { "\0\0", 2, 3 } };
    (void)state;
    check(p, 3, "a\0b\0\0\0a", 7);
}

/* Case is the caller's business: bytes are compared as they are. */
static void test_exact_bytes(void **state)
{
    static const struct pat p[] = { P("AI", 1), P("ai", 2), P("Ai芯片", 3) };
    static const struct hit want[] = { { 2, 2, 2 } };
    struct matcher *m = build(p, 3, 0);
    (void)state;
    expect_hits(m, "aAai", want, 1);
    match_free(m);
    check(p, 3, "AI芯片 ai芯片 Ai芯片 aI", strlen("AI芯片 ai芯片 Ai芯片 aI"));
}

/* ASCII goes through the same two-level table as CJK: a letter must not
 * land in another page's block (with only 中 as a pattern, 'm' once
 * did: the fuzzer found it). */
static void test_ascii_pages(void **state)
{
    static const struct pat cjk[] = { P("中", 1) };
    static const struct pat mixed[] = { P("5G", 1), P("中", 2), P("m", 3), P("~", 4), P(" ", 5) };
    struct matcher *m = build(cjk, 1, 0);
    (void)state;
    assert_int_equal(match_scan(m, "mmmm-mmmm", 9, NULL, NULL), 0);
    assert_int_equal(match_scan(m, "m中m", 5, NULL, NULL), 1);
    match_free(m);
    check(mixed, 5, "5G中m~ 5g中M~~ mm 5G", strlen("5G中m~ 5g中M~~ mm 5G"));
    {
        /* every byte value before and after a CJK character */
        char text[256 * 4];
        size_t i;
        for (i = 0; i < 256; i++) {
            text[i * 4] = (char)i;
            memcpy(text + i * 4 + 1, "中", 3);
        }
        check(mixed, 5, text, sizeof(text));
        check(cjk, 1, text, sizeof(text));
    }
}

static void test_empty_text(void **state)
{
    static const struct pat p[] = { P("a", 1) };
    struct matcher *m = build(p, 1, 0);
    struct hits got = { 0 };
    (void)state;
    assert_int_equal(match_scan(m, "", 0, collect, &got), 0);
    assert_int_equal(match_scan(m, NULL, 0, collect, &got), 0);
    assert_int_equal(got.calls, 0);
    /* a text shorter than the four bytes the fast path reads */
    assert_int_equal(match_scan(m, "a", 1, NULL, NULL), 1);
    assert_int_equal(match_scan(m, "aa", 2, NULL, NULL), 2);
    assert_int_equal(match_scan(m, "aaa", 3, NULL, NULL), 3);
    match_free(m);
}

/* A matcher without patterns compiles and finds nothing. */
static void test_no_patterns(void **state)
{
    struct matcher *m = match_new();
    struct error err = ERROR_INIT;
    (void)state;
    assert_int_equal(match_compile(m, &err), 0);
    assert_int_equal(match_pattern_count(m), 0);
    assert_int_equal(match_scan(m, "人工智能", 12, NULL, NULL), 0);
    assert_true(match_memory(m) > 0);
    match_free(m);
    match_free(NULL);
}

/* The callback stops the scan; the count includes the hit that stopped it. */
static void test_early_stop(void **state)
{
    static const struct pat p[] = { P("数据", 1), P("大数据", 2), P("处理", 3) };
    const char *text = "大数据处理大数据处理大数据处理";
    int form;
    (void)state;
    for (form = 0; form < 2; form++) {
        struct matcher *m = build(p, 3, form ? 1 : 0);
        size_t k;
        for (k = 1; k <= 9; k++) {
            struct hits got = { 0 };
            got.stop_after = k;
            assert_int_equal(match_scan(m, text, strlen(text), collect, &got), k);
            assert_int_equal(got.calls, k);
            free(got.v);
        }
        {
            /* stop inside one position's output list (大数据 then 数据) */
            struct hits got = { 0 };
            got.stop_after = 1;
            assert_int_equal(match_scan(m, text, strlen(text), collect, &got), 1);
            assert_int_equal(got.v[0].id, 2);
            free(got.v);
        }
        match_free(m);
    }
}

static void test_limits(void **state)
{
    struct matcher *m = match_new();
    struct error err = ERROR_INIT;
    char big[MATCH_MAX_PATTERN + 1];
    (void)state;
    memset(big, 'x', sizeof(big));

    assert_int_equal(match_add(m, "", 0, 1, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    error_clear(&err);
    assert_int_equal(match_add(m, big, MATCH_MAX_PATTERN + 1, 2, &err), -1);
    assert_non_null(strstr(err.msg, "257"));
    assert_int_equal(match_add(m, big, MATCH_MAX_PATTERN, 3, &err), 0);
    assert_int_equal(match_add(m, "x", 1, 4, NULL), 0);
    assert_int_equal(match_add(m, "", 0, 5, NULL), -1);  /* NULL err is allowed */
    assert_int_equal(match_pattern_count(m), 2);

    /* nothing to scan before compiling */
    assert_int_equal(match_memory(m), 0);
    assert_int_equal(match_scan(m, big, sizeof(big), NULL, NULL), 0);

    assert_int_equal(match_compile(m, &err), 0);
    assert_int_equal(match_add(m, "y", 1, 6, &err), -1);
    assert_non_null(strstr(err.msg, "after"));
    assert_int_equal(match_compile(m, &err), -1);
    assert_int_equal(match_pattern_count(m), 2);

    /* the longest pattern: 257 x are 256+1 'x' hits and 2 of the long one */
    assert_int_equal(match_scan(m, big, sizeof(big), NULL, NULL), MATCH_MAX_PATTERN + 1 + 2);
    /* more than 4 GiB is refused before a byte is read */
    assert_int_equal(match_scan(m, big, (size_t)UINT32_MAX + 1, NULL, NULL), 0);
    match_free(m);
}

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Random bytes: no crash, same hits as the naive matcher. */
static void test_random_bytes(void **state)
{
    uint64_t x = 88172645463325252ull;
    static char text[1 << 16], pbuf[64][8];
    struct pat p[64];
    size_t i, j;
    (void)state;
    for (i = 0; i < sizeof(text); i++)
        text[i] = (char)(rng_next(&x) % 6 == 0 ? 0xE4 : "ab\xB8\xAD\x80\xC3\xA9\xF0"[rng_next(&x) % 8]);
    for (i = 0; i < 64; i++) {
        size_t len = 1 + rng_next(&x) % 4, at = rng_next(&x) % (sizeof(text) - 8);
        for (j = 0; j < len; j++)
            pbuf[i][j] = text[at + j];
        p[i].s = pbuf[i];
        p[i].len = len;
        p[i].id = (uint32_t)i;
    }
    check(p, 64, text, sizeof(text));
}

/* Many CJK patterns from a small alphabet, so that states inherit many
 * transitions through their failure links; both forms. */
static void test_many_patterns(void **state)
{
    static const char *const chars[] = { "技", "术", "服", "务", "数", "据", "智", "能", "制", "造",
                                         "芯", "片", "云", "算", "A", "I" };
    enum { NP = 3000 };
    struct pat *p = xmalloc(NP * sizeof(*p));
    char (*buf)[40] = xmalloc(NP * sizeof(*buf));
    struct strbuf text = STRBUF_INIT;
    uint64_t x = 1234567;
    size_t i, j;
    (void)state;
    for (i = 0; i < NP; i++) {
        size_t n = 1 + rng_next(&x) % 6, len = 0;
        for (j = 0; j < n; j++) {
            const char *c = chars[rng_next(&x) % 16];
            memcpy(buf[i] + len, c, strlen(c));
            len += strlen(c);
        }
        p[i].s = buf[i];
        p[i].len = len;
        p[i].id = (uint32_t)i;
    }
    for (i = 0; i < 20000; i++)
        strbuf_addstr(&text, chars[rng_next(&x) % 16]);
    check(p, NP, text.buf, text.len);
    strbuf_release(&text);
    free(buf);
    free(p);
}

/* A pattern set whose complete DFA is over budget takes the failure-link
 * form by itself (every pair of 300 characters: each state inherits 300
 * transitions). */
static void test_fallback_chosen(void **state)
{
    enum { NC = 300 };
    struct matcher *m = match_new();
    struct error err = ERROR_INIT;
    char s[6];
    size_t i, j, hits;
    (void)state;
    for (i = 0; i < NC; i++)
        for (j = 0; j < NC; j++) {
            /* U+4E00 + i, U+4E00 + j */
            uint32_t a = 0x4E00 + (uint32_t)i, b = 0x4E00 + (uint32_t)j;
            s[0] = (char)(0xE0 | a >> 12);
            s[1] = (char)(0x80 | (a >> 6 & 0x3F));
            s[2] = (char)(0x80 | (a & 0x3F));
            s[3] = (char)(0xE0 | b >> 12);
            s[4] = (char)(0x80 | (b >> 6 & 0x3F));
            s[5] = (char)(0x80 | (b & 0x3F));
            assert_int_equal(match_add(m, s, 6, (uint32_t)(i * NC + j), &err), 0);
        }
    assert_int_equal(match_compile(m, &err), 0);
    assert_int_equal(m->flat, 0);
    /* 一丁丂七 are U+4E00..U+4E03: three overlapping pairs */
    hits = match_scan(m, "一丁丂七", 12, NULL, NULL);
    assert_int_equal(hits, 3);
    match_free(m);
}

/* 50 MB of scope text: every occurrence counted, nothing dropped at the
 * seams of the fast path. */
static void test_huge_text(void **state)
{
    static const struct pat p[] = { P("人工智能", 1), P("软件开发", 2), P("智能", 3), P("。", 4) };
    const char *scope = "一般项目：人工智能应用软件开发；软件开发；信息技术咨询服务（除依法须经批准的项目外，"
                        "凭营业执照依法自主开展经营活动）。";
    size_t slen = strlen(scope), n = 50 * 1000 * 1000 / slen, i, count = 0;
    char *text = xmalloc(n * slen + 1);
    struct matcher *m = build(p, 4, 0);
    (void)state;
    for (i = 0; i < n; i++)
        memcpy(text + i * slen, scope, slen);
    /* per copy: 人工智能 1, 智能 1, 软件开发 2, 。 1 */
    assert_int_equal(match_scan(m, text, n * slen, count_only, &count), n * 5);
    assert_int_equal(count, n * 5);
    /* a trailing cut-off character is one-byte characters, not a match */
    text[n * slen - 1] = (char)0xE4;
    assert_int_equal(match_scan(m, text, n * slen, NULL, NULL), n * 5 - 1);
    free(text);
    match_free(m);
}

/* Compile is deterministic and match_memory is stable and modest. */
static void test_memory(void **state)
{
    static const struct pat p[] = { P("云计算", 1), P("大数据", 2), P("人工智能", 3), P("集成电路", 4) };
    struct matcher *a = build(p, 4, 0), *b = build(p, 4, 0);
    (void)state;
    assert_int_equal(match_memory(a), match_memory(b));
    assert_true(match_memory(a) < 64 * 1024);
    assert_int_equal(a->comb_size, b->comb_size);
    assert_memory_equal(a->comb, b->comb, a->comb_size * sizeof(*a->comb));
    match_free(a);
    match_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic),
        cmocka_unit_test(test_overlap_cjk),
        cmocka_unit_test(test_prefix_suffix),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_arbitrary_ids),
        cmocka_unit_test(test_char_boundaries),
        cmocka_unit_test(test_other_encodings),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_exact_bytes),
        cmocka_unit_test(test_ascii_pages),
        cmocka_unit_test(test_empty_text),
        cmocka_unit_test(test_no_patterns),
        cmocka_unit_test(test_early_stop),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_many_patterns),
        cmocka_unit_test(test_fallback_chosen),
        cmocka_unit_test(test_huge_text),
        cmocka_unit_test(test_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
