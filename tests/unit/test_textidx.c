/*
 * test_textidx.c - the exact substring text index (index/textidx.c).
 *
 * Every answer is checked against the definition: pattern P matches doc d
 * iff P is a byte substring of chain_fold(text(d)) (brute force with
 * memmem). Both storage kinds are run through the same cases; the
 * randomized test builds thousands of documents from a small alphabet of
 * CJK characters, separators, ASCII and broken UTF-8, so that patterns of
 * every length hit often and cross piece boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "chain/fold.h"
#include "index/textidx.h"

/* ---- a brute-force model of the index ---- */

#define MAX_DOCS 8192

struct model {
    char *text[MAX_DOCS];  /* NULL: no text */
    size_t len[MAX_DOCS];
};

static void model_set(struct model *m, uint32_t doc, const char *s, size_t len)
{
    free(m->text[doc]);
    m->text[doc] = NULL;
    if (s) {
        m->text[doc] = xmalloc(len + 1);
        memcpy(m->text[doc], s, len);
        m->len[doc] = len;
    }
}

static void model_free(struct model *m)
{
    size_t i;
    for (i = 0; i < MAX_DOCS; i++)
        free(m->text[i]);
    free(m);
}

static int brute_contains(const struct model *m, uint32_t doc, const char *pat, size_t plen)
{
    char *f;
    size_t fl;
    int r;
    if (!m->text[doc])
        return 0;
    if (!plen)
        return 1;
    f = xmalloc(m->len[doc] + 1);
    fl = chain_fold(m->text[doc], m->len[doc], f);
    r = memmem(f, fl, pat, plen) != NULL;
    free(f);
    return r;
}

/* Compare every query function with the model for one pattern. */
static void check_pattern(const struct textidx *ti, const struct model *m, const char *pat,
                          size_t plen, const roaring_bitmap_t *within)
{
    roaring_bitmap_t *want = roaring_bitmap_create(), *got, *cand, *ver;
    uint32_t d;
    int exact = -1;
    for (d = 0; d < MAX_DOCS; d++)
        if (brute_contains(m, d, pat, plen))
            roaring_bitmap_add(want, d);

    got = textidx_search(ti, pat, plen, NULL);
    if (!roaring_bitmap_equals(got, want)) {
        fprintf(stderr, "pattern '%.*s' (%zu bytes): search has %llu docs, brute force %llu\n",
                (int)plen, pat, plen, (unsigned long long)roaring_bitmap_get_cardinality(got),
                (unsigned long long)roaring_bitmap_get_cardinality(want));
        fail();
    }
    cand = textidx_candidates(ti, pat, plen, &exact);
    assert_true(roaring_bitmap_is_subset(want, cand));
    if (exact)
        assert_true(roaring_bitmap_equals(cand, want));
    ver = roaring_bitmap_copy(cand);
    textidx_verify(ti, pat, plen, ver);
    assert_true(roaring_bitmap_equals(ver, want));
    for (d = 0; d < MAX_DOCS; d++)
        if (textidx_contains(ti, d, pat, plen) != roaring_bitmap_contains(want, d)) {
            fprintf(stderr, "pattern '%.*s': contains(%u) wrong\n", (int)plen, pat, d);
            fail();
        }
    if (within) {
        roaring_bitmap_t *w = textidx_search(ti, pat, plen, within);
        roaring_bitmap_t *ww = roaring_bitmap_and(want, within);
        assert_true(roaring_bitmap_equals(w, ww));
        roaring_bitmap_free(w);
        roaring_bitmap_free(ww);
    }
    roaring_bitmap_free(want);
    roaring_bitmap_free(got);
    roaring_bitmap_free(cand);
    roaring_bitmap_free(ver);
}

static void check_str(const struct textidx *ti, const struct model *m, const char *pat)
{
    check_pattern(ti, m, pat, strlen(pat), NULL);
}

static void assert_valid(const struct textidx *ti)
{
    struct error err = ERROR_INIT;
    if (textidx_validate(ti, &err) != 0) {
        fprintf(stderr, "validate: %s\n", err.msg);
        fail();
    }
}

static void put_both(struct textidx *ti, struct model *m, uint32_t doc, const char *s)
{
    textidx_put(ti, doc, s, strlen(s));
    model_set(m, doc, s, strlen(s));
}

static void set_both(struct textidx *ti, struct model *m, uint32_t doc, const char *s)
{
    textidx_set(ti, doc, s, s ? strlen(s) : 0);
    model_set(m, doc, s, s ? strlen(s) : 0);
}

/* Count of docs a search finds. */
static uint64_t count(const struct textidx *ti, const char *pat)
{
    roaring_bitmap_t *b = textidx_search(ti, pat, strlen(pat), NULL);
    uint64_t n = roaring_bitmap_get_cardinality(b);
    roaring_bitmap_free(b);
    return n;
}

static int found(const struct textidx *ti, const char *pat, uint32_t doc)
{
    roaring_bitmap_t *b = textidx_search(ti, pat, strlen(pat), NULL);
    int r = roaring_bitmap_contains(b, doc);
    roaring_bitmap_free(b);
    return r;
}

static const enum textidx_kind kinds[] = { TEXTIDX_PLAIN, TEXTIDX_PIECES };

/* ---- fixed cases ---- */

static const char *const names[] = {
    NULL,
    "杭州云栖智能科技有限公司",
    "上海芯片设计有限公司",
    "AI芯片研究院（杭州）有限公司",
    "ＡＩ芯片研发中心",
    "北京5G通信技术有限公司",
    "Hangzhou Smart Tech Co., Ltd.",
    "人工智能软件开发；技术服务、技术开发。",
    "软件销售；售后服务",
    "软件销售售后服务",
    "销售，售后;维修",
    "智",
    "智能",
    "",
    "智能  科技\t有限 公司",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static struct textidx *fixed_index(enum textidx_kind kind, struct model *m, int nthreads)
{
    struct textidx *ti = textidx_new(kind);
    size_t i;
    for (i = 1; i < NNAMES; i++)
        put_both(ti, m, (uint32_t)(i * 3), names[i]);  /* sparse ids; others never put */
    textidx_build(ti, nthreads);
    return ti;
}

static const char *const fixed_patterns[] = {
    "智", "能", "智能", "芯", "芯片", "ai", "ai芯片", "5g", "5g通信", "通信", "人工智能",
    "有限公司", "科技有限公司", "hangzhou", "co.,", ", ltd", ";", ",", "、", "。", "销售;售后",
    "销售售后", "售后", "销售,售后;维修", "销售,", ";售后", "服务、技术", "开发。", "能 科",
    "能  科", "科技 有限", " ", "(杭州)", "（杭州）", "AI", "Ａ", "司", "公司", "x", "智能科技有",
    "技术服务、技术开发。",
};

static void test_fixed_patterns(void **state)
{
    size_t k, i;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = fixed_index(kinds[k], m, 2);
        assert_valid(ti);
        for (i = 0; i < sizeof(fixed_patterns) / sizeof(fixed_patterns[0]); i++)
            check_str(ti, m, fixed_patterns[i]);
        textidx_free(ti);
        model_free(m);
    }
}

static void test_semantics(void **state)
{
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = fixed_index(kinds[k], m, 1);
        char fpat[64];
        size_t fl;
        /* one and two Chinese characters, exactly */
        assert_true(found(ti, "智", 33));
        assert_true(found(ti, "智", 36));
        assert_true(found(ti, "智能", 36));
        assert_false(found(ti, "智能", 33));
        /* upper-case and full-width stored text, folded pattern */
        fl = chain_fold("ＡＩ芯片", strlen("ＡＩ芯片"), fpat);
        fpat[fl] = 0;
        assert_string_equal(fpat, "ai芯片");
        assert_true(found(ti, fpat, 9));
        assert_true(found(ti, fpat, 12));
        assert_true(found(ti, "hangzhou smart", 18));
        assert_false(found(ti, "AI", 9));  /* patterns are not folded here */
        /* mixed scripts */
        assert_true(found(ti, "5g通信", 15));
        /* across piece boundaries only where the text has them */
        assert_int_equal(count(ti, "销售;售后"), 1);
        assert_true(found(ti, "销售;售后", 24));
        assert_int_equal(count(ti, "销售售后"), 1);
        assert_true(found(ti, "销售售后", 27));
        assert_true(found(ti, "销售,售后;维修", 30));
        /* a separator by itself */
        assert_int_equal(count(ti, ";"), 3);
        assert_int_equal(count(ti, "、"), 1);
        /* white space runs fold to one space */
        assert_true(found(ti, "能 科", 42));
        assert_true(found(ti, "科技 有限 公司", 42));
        assert_false(found(ti, "能  科", 42));
        /* the empty pattern matches every text, the empty one included */
        assert_int_equal(count(ti, ""), NNAMES - 1);
        assert_true(found(ti, "", 39));
        textidx_free(ti);
        model_free(m);
    }
}

static void test_exact_flag(void **state)
{
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = fixed_index(kinds[k], m, 2);
        roaring_bitmap_t *b;
        int exact;
        b = textidx_candidates(ti, "智", strlen("智"), &exact);
        assert_int_equal(exact, 1);
        roaring_bitmap_free(b);
        b = textidx_candidates(ti, "智能", strlen("智能"), &exact);
        assert_int_equal(exact, 1);
        roaring_bitmap_free(b);
        b = textidx_candidates(ti, "ai", 2, &exact);
        assert_int_equal(exact, 1);
        roaring_bitmap_free(b);
        b = textidx_candidates(ti, "智能科", strlen("智能科"), &exact);
        assert_int_equal(exact, 0);
        roaring_bitmap_free(b);
        /* a gram nobody has: empty, and exactly so */
        b = textidx_candidates(ti, "鑫鑫鑫", strlen("鑫鑫鑫"), &exact);
        assert_int_equal(exact, 1);
        assert_true(roaring_bitmap_is_empty(b));
        roaring_bitmap_free(b);
        /* exact is optional */
        b = textidx_candidates(ti, "智", strlen("智"), NULL);
        roaring_bitmap_free(b);
        textidx_free(ti);
        model_free(m);
    }
}

static void test_get_and_absent(void **state)
{
    size_t k, i;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = fixed_index(kinds[k], m, 2);
        struct strbuf sb = STRBUF_INIT;
        for (i = 1; i < NNAMES; i++) {
            strbuf_reset(&sb);
            assert_int_equal(textidx_get(ti, (uint32_t)(i * 3), &sb), 1);
            assert_int_equal(sb.len, strlen(names[i]));
            assert_memory_equal(sb.buf, names[i], sb.len);
        }
        /* docs never put, and ids past the end */
        strbuf_reset(&sb);
        assert_int_equal(textidx_get(ti, 1, &sb), 0);
        assert_int_equal(textidx_get(ti, 0, &sb), 0);
        assert_int_equal(textidx_get(ti, 1000000, &sb), 0);
        assert_int_equal(sb.len, 0);
        assert_int_equal(textidx_contains(ti, 1, "智", strlen("智")), 0);
        assert_int_equal(textidx_contains(ti, 4000000000u, "智", strlen("智")), 0);
        assert_int_equal(textidx_max_doc(ti), (NNAMES - 1) * 3);
        strbuf_release(&sb);
        textidx_free(ti);
        model_free(m);
    }
}

static void test_set(void **state)
{
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = fixed_index(kinds[k], m, 2);
        struct strbuf sb = STRBUF_INIT;
        size_t i;
        assert_false(found(ti, "量子", 3));
        set_both(ti, m, 3, "杭州量子计算有限公司");
        assert_true(found(ti, "量子", 3));
        assert_false(found(ti, "云栖", 3));
        set_both(ti, m, 6, NULL);  /* removed */
        assert_false(found(ti, "芯", 6));
        assert_int_equal(textidx_get(ti, 6, &sb), 0);
        set_both(ti, m, 5000, "新企业：芯片销售；技术服务");  /* new doc, past the end */
        assert_true(found(ti, "芯片销售;技术", 5000));
        set_both(ti, m, 9, "");
        assert_true(found(ti, "", 9));
        assert_false(found(ti, "芯", 9));
        set_both(ti, m, 7, NULL);  /* removing a doc that has none */
        textidx_put(ti, 21, "软件销售；售后服务", strlen("软件销售；售后服务"));  /* put after build */
        model_set(m, 21, "软件销售；售后服务", strlen("软件销售；售后服务"));
        assert_valid(ti);
        for (i = 0; i < sizeof(fixed_patterns) / sizeof(fixed_patterns[0]); i++)
            check_str(ti, m, fixed_patterns[i]);
        check_str(ti, m, "量子");
        check_str(ti, m, "量子计算");
        strbuf_release(&sb);
        textidx_free(ti);
        model_free(m);
    }
}

static void test_before_build(void **state)
{
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = textidx_new(kinds[k]);
        put_both(ti, m, 5, "智能科技");
        put_both(ti, m, 5, "芯片设计；销售");  /* a second put replaces */
        put_both(ti, m, 2, "人工智能");
        set_both(ti, m, 2, NULL);
        set_both(ti, m, 3, "智能");
        /* searchable (slowly) before build, and the same after */
        check_str(ti, m, "智能");
        check_str(ti, m, "芯片");
        check_str(ti, m, "设计;销售");
        assert_valid(ti);
        textidx_build(ti, 2);
        textidx_build(ti, 2);  /* a second build does nothing */
        check_str(ti, m, "智能");
        check_str(ti, m, "芯片");
        check_str(ti, m, "设计;销售");
        check_str(ti, m, "");
        assert_valid(ti);
        textidx_free(ti);
        model_free(m);
    }
}

static void test_invalid_utf8(void **state)
{
    static const char *const texts[] = {
        "\xE4\xB8\xAD\xE6\x96\x87",  /* 中文 */
        "\xE4\xB8\xE6\x96\x87",      /* a cut-short 中, then 文 */
        "ab\xFF\xFE\x63\x64",  /* ab, two bad bytes, cd */
        "\xAD\xE6\x96\x87",          /* a stray continuation byte */
        "\xED\xA0\x80x",             /* a surrogate */
        "\xC0\xAF;\xE3\x80",         /* an overlong slash; a cut-short 、 */
        "\xE4\xB8\xAD\xEF\xBC\x9B\xE6\x96\x87",  /* 中；文 */
    };
    static const char *const pats[] = {
        "\xAD", "\xE4\xB8", "\xB8\xAD", "\xAD\xE6", "\xE4", "\xE6\x96\x87", "\xFF", "\xFF\xFE",
        "\xFE\x63", "\xED\xA0", "\xA0\x80\x78", "\xC0", "\xC0\xAF;", ";\xE3", "\xE3\x80",
        "\x80", "\xAD;\xE6", "\xAD;", "\x87", "\x9B", "\xBC\x9B\xE6",
        "\xE4\xB8\xAD;\xE6\x96\x87",
    };
    size_t k, i;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = textidx_new(kinds[k]);
        for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
            put_both(ti, m, (uint32_t)i + 1, texts[i]);
        textidx_build(ti, 2);
        assert_valid(ti);
        for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
            check_str(ti, m, pats[i]);
        for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
            /* every substring of every text */
            size_t a, b, n = strlen(texts[i]);
            for (a = 0; a < n; a++)
                for (b = a + 1; b <= n; b++)
                    check_pattern(ti, m, texts[i] + a, b - a, NULL);
        }
        textidx_free(ti);
        model_free(m);
    }
}

/* A NUL inside a text and a pattern is one more byte. */
static void test_nul_bytes(void **state)
{
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = textidx_new(kinds[k]);
        textidx_put(ti, 1, "a\0b", 3);
        model_set(m, 1, "a\0b", 3);
        textidx_put(ti, 2, "a b", 3);
        model_set(m, 2, "a b", 3);
        textidx_build(ti, 1);
        check_pattern(ti, m, "a\0b", 3, NULL);
        check_pattern(ti, m, "a b", 3, NULL);
        check_pattern(ti, m, "\0", 1, NULL);
        textidx_free(ti);
        model_free(m);
    }
}

/* Scopes whose every piece is unique cost about what plain records cost. */
static void test_unique_pieces_memory(void **state)
{
    struct textidx *plain = textidx_new(TEXTIDX_PLAIN), *pieces = textidx_new(TEXTIDX_PIECES);
    struct textidx_mem mp, mq;
    uint32_t d;
    (void)state;
    for (d = 1; d <= 4000; d++) {
        char t[256];
        int n = snprintf(t, sizeof(t), "项目%u甲；项目%u乙，项目%u丙、项目%u丁。尾%u", d, d, d, d, d);
        textidx_put(plain, d, t, (size_t)n);
        textidx_put(pieces, d, t, (size_t)n);
    }
    textidx_build(plain, 2);
    textidx_build(pieces, 2);
    textidx_memory(plain, &mp);
    textidx_memory(pieces, &mq);
    assert_int_equal(mq.docs, 4000);
    assert_true(mq.npieces < 100);
    /* a record header and a literal length per doc, and an empty dictionary */
    assert_true(mq.text_bytes + mq.dict_bytes <= mp.text_bytes + 4 * 4000 + 4096);
    textidx_free(plain);
    textidx_free(pieces);
}

/* Repeated pieces are interned and the records become small. */
static void test_pieces_shared(void **state)
{
    struct textidx *ti = textidx_new(TEXTIDX_PIECES);
    struct textidx_mem mem;
    struct model *m = xcalloc(1, sizeof(*m));
    static const char *const phrases[] = { "软件开发；", "技术服务、", "技术开发、", "货物进出口；",
                                           "电子产品销售；", "人工智能应用软件开发。" };
    uint32_t d;
    (void)state;
    for (d = 1; d <= 3000; d++) {
        char t[512];
        size_t n = 0, j;
        for (j = 0; j < 6; j++)
            if ((d >> j) & 1) {
                size_t l = strlen(phrases[j]);
                memcpy(t + n, phrases[j], l);
                n += l;
            }
        textidx_put(ti, d, t, n);
        model_set(m, d, t, n);
    }
    textidx_build(ti, 2);
    textidx_memory(ti, &mem);
    assert_int_equal(mem.npieces, 6);
    assert_true(mem.text_bytes < 3000 * 20);
    assert_true(mem.nbigrams > 10 && mem.nunigrams > 10);
    assert_true(mem.bigram_bytes > 0 && mem.unigram_bytes > 0);
    assert_valid(ti);
    check_str(ti, m, "软件开发;技术服务");
    check_str(ti, m, "开发;技术服务、技术开发、货");
    check_str(ti, m, "销售;人工");
    check_str(ti, m, "软件开发");
    check_str(ti, m, "、");
    check_str(ti, m, "。");
    check_str(ti, m, "服务、");
    textidx_free(ti);
    model_free(m);
}

/* ---- randomized differential test ---- */

static uint64_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

static const char *const alphabet[] = {
    "智", "能", "芯", "片", "销", "售", "技", "术", "服", "务", "软", "件",
    "；", "，", "、", "。", ";", ",", "：",
    "a", "B", "5", "g", " ", "  ", "\t", "Ａ", "ｇ", "（", "）",
    "\xE4", "\xB8", "\xAD", "\xFF", "\xE3\x80",
};
#define NALPHA (sizeof(alphabet) / sizeof(alphabet[0]))

static size_t random_text(char *out, size_t max_tokens, int with_bad)
{
    size_t n = 0, k, t = rng() % (max_tokens + 1);
    for (k = 0; k < t; k++) {
        size_t a = rng() % NALPHA;
        const char *s;
        if (!with_bad && a >= NALPHA - 5)
            a = rng() % 12;
        if (rng() % 3 == 0)
            a = rng() % 8;  /* favour a few characters so that patterns hit */
        s = alphabet[a];
        memcpy(out + n, s, strlen(s));
        n += strlen(s);
    }
    return n;
}

static void random_round(enum textidx_kind kind, int nthreads, uint64_t seed)
{
    struct model *m = xcalloc(1, sizeof(*m));
    struct textidx *ti = textidx_new(kind);
    roaring_bitmap_t *within = roaring_bitmap_create();
    char text[1024], fold[1024];
    uint32_t d, ndocs = 3000;
    size_t i;

    rng_state = seed;
    for (d = 1; d <= ndocs; d++) {
        size_t n;
        if (rng() % 10 == 0)
            continue;  /* never put */
        n = random_text(text, 40, rng() % 8 == 0);
        textidx_put(ti, d * 2, text, n);
        model_set(m, d * 2, text, n);
        if (rng() % 3 == 0)
            roaring_bitmap_add(within, d * 2);
    }
    textidx_build(ti, nthreads);
    assert_valid(ti);
    for (i = 0; i < 300; i++) {
        size_t n, a, fl;
        if (i % 3 == 0) {
            /* a random pattern, folded */
            n = random_text(text, 1 + i % 6, i % 5 == 0);
            if (!n)
                continue;
            fl = chain_fold(text, n, fold);
            if (!fl)
                continue;
        } else {
            /* a piece of a stored text, folded */
            uint32_t doc = (rng() % ndocs + 1) * 2;
            if (!m->text[doc] || !m->len[doc])
                continue;
            fl = chain_fold(m->text[doc], m->len[doc], fold);
            a = rng() % fl;
            n = 1 + rng() % (fl - a < 24 ? fl - a : 24);
            memmove(fold, fold + a, n);
            fl = n;
        }
        check_pattern(ti, m, fold, fl, i % 4 == 0 ? within : NULL);
    }
    /* incremental changes, then everything again */
    for (i = 0; i < 400; i++) {
        uint32_t doc = (rng() % (ndocs + 200) + 1) * 2;
        if (rng() % 4 == 0) {
            textidx_set(ti, doc, NULL, 0);
            model_set(m, doc, NULL, 0);
        } else {
            size_t n = random_text(text, 40, rng() % 8 == 0);
            textidx_set(ti, doc, text, n);
            model_set(m, doc, text, n);
        }
    }
    assert_valid(ti);
    for (i = 0; i < 100; i++) {
        size_t n = random_text(text, 1 + i % 5, 0), fl;
        if (!n)
            continue;
        fl = chain_fold(text, n, fold);
        check_pattern(ti, m, fold, fl, NULL);
    }
    roaring_bitmap_free(within);
    textidx_free(ti);
    model_free(m);
}

static void test_random_plain(void **state)
{
    (void)state;
    random_round(TEXTIDX_PLAIN, 2, 1);
    random_round(TEXTIDX_PLAIN, 1, 2);
}

static void test_random_pieces(void **state)
{
    (void)state;
    random_round(TEXTIDX_PIECES, 2, 3);
    random_round(TEXTIDX_PIECES, 3, 4);
}

/* Names: the endings the build posts as one key (有限公司, 有限责任公司),
 * whole, cut short, repeated and in the middle, next to every kind of
 * token, so that the lists it expands them into come out right. */
static const char *const name_parts[] = {
    "有限公司", "有限责任公司", "限公司", "公司", "有限", "有", "司", "责任", "任公司",
    "智", "能", "芯", "a", "B", "Ａ", " ", "（", "）", "\xE4", "\xB8", "\xFF",
};
#define NPARTS (sizeof(name_parts) / sizeof(name_parts[0]))

static size_t random_name(char *out)
{
    size_t n = 0, k, t = rng() % 6;
    for (k = 0; k < t; k++) {
        const char *p = name_parts[9 + rng() % (NPARTS - 9)];
        if (rng() % 4 == 0)
            p = name_parts[rng() % 9];
        memcpy(out + n, p, strlen(p));
        n += strlen(p);
    }
    if (rng() % 4) {
        const char *p = name_parts[rng() % 3];
        memcpy(out + n, p, strlen(p));
        n += strlen(p);
    }
    return n;
}

static void check_random_patterns(const struct textidx *ti, const struct model *m, uint32_t step,
                                  size_t count, const roaring_bitmap_t *within)
{
    char text[1024], fold[1024];
    size_t i;
    for (i = 0; i < count; i++) {
        size_t n, a, fl;
        if (i % 3 == 0) {
            n = random_name(text);
            if (!n)
                continue;
            fl = chain_fold(text, n, fold);
        } else {
            uint32_t doc = (rng() % (MAX_DOCS / step)) * step;
            if (!m->text[doc] || !m->len[doc])
                continue;
            fl = chain_fold(m->text[doc], m->len[doc], fold);
            if (!fl)
                continue;
            a = rng() % fl;
            n = 1 + rng() % (fl - a < 24 ? fl - a : 24);
            memmove(fold, fold + a, n);
            fl = n;
        }
        check_pattern(ti, m, fold, fl, i % 4 == 0 ? within : NULL);
    }
    check_str(ti, m, "有限公司");
    check_str(ti, m, "有限责任公司");
    check_str(ti, m, "限公");
    check_str(ti, m, "司");
    check_str(ti, m, "能有");
    check_str(ti, m, "公司有");
}

static void test_name_endings(void **state)
{
    struct model *m = xcalloc(1, sizeof(*m));
    struct textidx *ti = textidx_new(TEXTIDX_PLAIN);
    roaring_bitmap_t *within = roaring_bitmap_create();
    char text[1024];
    uint32_t d;
    (void)state;
    rng_state = 7;
    for (d = 1; d < MAX_DOCS; d++) {
        size_t n = random_name(text);
        textidx_put(ti, d, text, n);
        model_set(m, d, text, n);
        if (rng() % 3 == 0)
            roaring_bitmap_add(within, d);
    }
    textidx_build(ti, 2);
    assert_valid(ti);
    check_random_patterns(ti, m, 1, 200, within);
    /* and after changes */
    for (d = 0; d < 300; d++) {
        uint32_t doc = 1 + rng() % (MAX_DOCS - 1);
        size_t n = random_name(text);
        set_both(ti, m, doc, rng() % 5 ? NULL : "x");
        textidx_set(ti, doc, text, n);
        model_set(m, doc, text, n);
    }
    assert_valid(ti);
    check_random_patterns(ti, m, 1, 60, NULL);
    roaring_bitmap_free(within);
    textidx_free(ti);
    model_free(m);
}

/* Ids spread over half a million (doc d of the model is id d * 64 + 5):
 * the build goes in blocks of whole 65,536-id chunks, and the keys every
 * document has (公司, 销售) become "frequent" (posted through a bit set per
 * block) on the way. */
static void test_sparse_ids(void **state)
{
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = textidx_new(kinds[k]);
        char text[1024], fold[1024];
        uint32_t d;
        rng_state = 11 + k;
        for (d = 0; d < MAX_DOCS; d++) {
            size_t n = k ? random_text(text, 12, rng() % 8 == 0) : random_name(text);
            const char *common = k ? "；销售" : "公司";
            if (rng() % 50 == 0)
                continue;
            memcpy(text + n, common, strlen(common));
            n += strlen(common);
            textidx_put(ti, d * 64 + 5, text, n);
            model_set(m, d, text, n);
        }
        textidx_build(ti, 3);
        assert_valid(ti);
        for (d = 0; d < 60; d++) {
            size_t n = k ? random_text(text, 1 + d % 4, 0) : random_name(text), fl, j;
            roaring_bitmap_t *got, *want;
            int exact;
            if (!n)
                continue;
            want = roaring_bitmap_create();
            fl = chain_fold(text, n, fold);
            for (j = 0; j < MAX_DOCS; j++)
                if (brute_contains(m, (uint32_t)j, fold, fl))
                    roaring_bitmap_add(want, (uint32_t)j * 64 + 5);
            got = textidx_search(ti, fold, fl, NULL);
            assert_true(roaring_bitmap_equals(got, want));
            roaring_bitmap_free(got);
            got = textidx_candidates(ti, fold, fl, &exact);
            assert_true(roaring_bitmap_is_subset(want, got));
            if (exact)
                assert_true(roaring_bitmap_equals(got, want));
            roaring_bitmap_free(got);
            roaring_bitmap_free(want);
        }
        textidx_free(ti);
        model_free(m);
    }
}

/* Many docs with the same few texts: their keys get more docs than the
 * Elias-Fano threshold and become roaring bitmaps, built from the
 * frequent keys' containers. */
static void test_frequent_keys(void **state)
{
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = textidx_new(kinds[k]);
        static const char *const texts[] = { "杭州智能科技有限公司", "芯片销售；技术服务、软件开发。",
                                             "智能芯片有限责任公司", "Ａ智 能" };
        uint32_t d;
        for (d = 1; d < MAX_DOCS; d++) {
            const char *t = texts[d % 4];
            if (d % 97 == 0)
                continue;
            textidx_put(ti, d, t, strlen(t));
            model_set(m, d, t, strlen(t));
        }
        textidx_build(ti, 2);
        assert_valid(ti);
        check_str(ti, m, "智能");
        check_str(ti, m, "有限公司");
        check_str(ti, m, "芯片销售;技术");
        check_str(ti, m, "技术服务、");
        check_str(ti, m, "a智 能");
        check_str(ti, m, "司");
        set_both(ti, m, 5, "新名字有限公司");
        set_both(ti, m, 6, NULL);
        assert_valid(ti);
        check_str(ti, m, "有限公司");
        check_str(ti, m, "名字");
        textidx_free(ti);
        model_free(m);
    }
}

/* textidx_get gives back the original, whatever the fold did to it. */
static void test_originals(void **state)
{
    static const char *const texts[] = {
        "（杭州）ＡＢＣ有限公司", "Hangzhou SMART tech", "ａｂｃ　ｄ", "a  b", "a\tb", " lead",
        "trail ", "\x01ctl", "ＡＢＣ", "ABC", "abc", "(x)", "（x）", "Ａ（b）C", "\xEF\xBC",
        "\xEF\xBC\x81", "\xE3\x80\x80x", "x\xE3\x80\x80\xE3\x80\x80y", "", "\x7F",
    };
    struct textidx *ti = textidx_new(TEXTIDX_PLAIN);
    struct strbuf sb = STRBUF_INIT;
    struct model *m = xcalloc(1, sizeof(*m));
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        put_both(ti, m, (uint32_t)i + 1, texts[i]);
    textidx_build(ti, 1);
    assert_valid(ti);
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        strbuf_reset(&sb);
        assert_int_equal(textidx_get(ti, (uint32_t)i + 1, &sb), 1);
        assert_int_equal(sb.len, strlen(texts[i]));
        assert_memory_equal(sb.buf, texts[i], sb.len);
    }
    check_str(ti, m, "(杭州)abc");
    check_str(ti, m, "abc");
    check_str(ti, m, "a b");
    check_str(ti, m, "hangzhou smart");
    check_str(ti, m, "x y");
    check_str(ti, m, "!");
    strbuf_release(&sb);
    textidx_free(ti);
    model_free(m);
}

/* The same documents built with 1, 2 and 5 threads answer alike. */
static void test_threads_agree(void **state)
{
    struct textidx *ti[3];
    static const int nt[3] = { 1, 2, 5 };
    char text[1024];
    size_t i, k;
    uint32_t d;
    (void)state;
    for (k = 0; k < 3; k++) {
        ti[k] = textidx_new(TEXTIDX_PIECES);
        rng_state = 99;
        for (d = 1; d <= 2000; d++) {
            size_t n = random_text(text, 30, 1);
            textidx_put(ti[k], d, text, n);
        }
        textidx_build(ti[k], nt[k]);
        assert_valid(ti[k]);
    }
    for (i = 0; i < 60; i++) {
        char fold[64];
        size_t n = random_text(text, 1 + i % 4, 0), fl;
        roaring_bitmap_t *b[3];
        if (!n)
            continue;
        fl = chain_fold(text, n, fold);
        for (k = 0; k < 3; k++)
            b[k] = textidx_search(ti[k], fold, fl, NULL);
        assert_true(roaring_bitmap_equals(b[0], b[1]));
        assert_true(roaring_bitmap_equals(b[0], b[2]));
        for (k = 0; k < 3; k++)
            roaring_bitmap_free(b[k]);
    }
    for (k = 0; k < 3; k++)
        textidx_free(ti[k]);
}

/* Long patterns (past the stack buffers) and long texts. */
static void test_long(void **state)
{
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        struct model *m = xcalloc(1, sizeof(*m));
        struct textidx *ti = textidx_new(kinds[k]);
        struct strbuf t = STRBUF_INIT;
        size_t i;
        for (i = 0; i < 3000; i++)
            strbuf_addf(&t, "技术%zu开发；", i % 97);
        textidx_put(ti, 1, t.buf, t.len);
        model_set(m, 1, t.buf, t.len);
        put_both(ti, m, 2, "技术1开发;技术2开发;");
        textidx_build(ti, 2);
        {
            char *f = xmalloc(t.len + 1);
            size_t fl = chain_fold(t.buf, t.len, f);
            check_pattern(ti, m, f + 100, 300, NULL);
            check_pattern(ti, m, f + 7, 5000, NULL);
            check_pattern(ti, m, f, fl, NULL);
            free(f);
        }
        check_str(ti, m, "技术1开发;技术2开发;");
        assert_valid(ti);
        strbuf_release(&t);
        textidx_free(ti);
        model_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_patterns),
        cmocka_unit_test(test_semantics),
        cmocka_unit_test(test_exact_flag),
        cmocka_unit_test(test_get_and_absent),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_before_build),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_unique_pieces_memory),
        cmocka_unit_test(test_pieces_shared),
        cmocka_unit_test(test_random_plain),
        cmocka_unit_test(test_random_pieces),
        cmocka_unit_test(test_threads_agree),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_name_endings),
        cmocka_unit_test(test_sparse_ids),
        cmocka_unit_test(test_frequent_keys),
        cmocka_unit_test(test_originals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
