/*
 * fuzz_textidx.c - libFuzzer target for the text index: the input is cut
 * into a pattern and a few documents, and every answer of the index must
 * be the brute-force one (memmem over the chain_fold'ed texts), for the
 * pattern, its folded form and each of their short substrings, before and
 * after incremental changes; textidx_validate must pass.
 *
 * Input layout:
 *   byte 0   bit 0: TEXTIDX_PIECES (else PLAIN); bit 1: "alphabet" mode;
 *            bits 2-3: build threads - 1; bit 4: change docs after build;
 *            bit 5: "many" mode
 *   byte 1   pattern length (bits 0-4)
 *   then     the pattern, then the documents, separated by byte 0xFE
 * In alphabet mode every pattern and text byte stands for one of a few
 * strings (CJK, the separators in both widths, ASCII in both widths and
 * cases, white space, broken UTF-8, the name endings 有限公司 and
 * 有限责任公司 the build treats apart), so random inputs share many grams
 * and cross piece boundaries. In "many" mode each document is put COPIES
 * more times, at ids spread over 2^17, so that the build meets the paths
 * of large indexes: keys frequent enough to be posted through bit sets,
 * lists long enough to be roaring bitmaps, several blocks. Changes after
 * the build apply to every copy.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/fold.h"
#include "index/textidx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOCS 48
#define COPIES 47
#define SEP 0xFE

static const char *const alphabet[] = {
    "智", "能", "芯", "片", "销", "售", "；", ";", "，", ",", "、", "。", "a", "A",
    "Ａ", "ａ", " ", "\t", "\xE3\x80\x80", "\xE4", "\xB8\xAD", "\xE4\xB8", "\xAD", "\xFF",
    "\xEF\xBC", "\x9B", "\xE3\x80", "\x81", "有限公司", "有限责任公司", "公司", "有限",
};
#define NALPHA (sizeof(alphabet) / sizeof(alphabet[0]))

struct buf {
    char *p;
    size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void buf_reserve(struct buf *b, size_t n)
{
    if (n + 1 > b->cap) {
        b->cap = n + 1;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
}

static void expand(struct buf *out, const uint8_t *p, size_t n, int alpha)
{
    size_t i;
    out->len = 0;
    buf_add(out, "", 0);
    if (!alpha) {
        buf_add(out, p, n);
        return;
    }
    for (i = 0; i < n; i++) {
        const char *s = alphabet[p[i] % NALPHA];
        buf_add(out, s, strlen(s));
    }
}

struct doc {
    uint32_t id;
    int present;
    struct buf text, folded;
    int copies;          /* "many" mode: also at ids id + k * COPY_STEP, k = 1..copies */
};

#define COPY_STEP 400        /* above every base id (MAX_DOCS * 5 + 1) */

static void doc_set(struct doc *d, const char *s, size_t n)
{
    d->present = s != NULL;
    d->text.len = 0;
    d->folded.len = 0;
    if (!s)
        return;
    buf_add(&d->text, s, n);
    buf_reserve(&d->folded, n);
    d->folded.len = chain_fold(d->text.p, n, d->folded.p);
}

/* textidx_set on a doc and each of its copies. */
static void set_all(struct textidx *ti, const struct doc *d, const char *s, size_t n)
{
    int k;
    for (k = 0; k <= d->copies; k++)
        textidx_set(ti, d->id + (uint32_t)k * COPY_STEP, s, n);
}

static void check(const struct textidx *ti, const struct doc *docs, size_t ndocs,
                  const char *pat, size_t plen)
{
    roaring_bitmap_t *got = textidx_search(ti, pat, plen, NULL), *cand, *want;
    size_t i;
    int exact;
    want = roaring_bitmap_create();
    for (i = 0; i < ndocs; i++)
        if (docs[i].present &&
            (!plen || memmem(docs[i].folded.p, docs[i].folded.len, pat, plen))) {
            int k;
            roaring_bitmap_add(want, docs[i].id);
            for (k = 1; k <= docs[i].copies; k++)
                roaring_bitmap_add(want, docs[i].id + (uint32_t)k * COPY_STEP);
        }
    if (!roaring_bitmap_equals(got, want))
        abort();
    cand = textidx_candidates(ti, pat, plen, &exact);
    if (!roaring_bitmap_is_subset(want, cand) || (exact && !roaring_bitmap_equals(want, cand)))
        abort();
    textidx_verify(ti, pat, plen, cand);
    if (!roaring_bitmap_equals(want, cand))
        abort();
    for (i = 0; i < ndocs; i++) {
        uint32_t last = docs[i].id + (uint32_t)docs[i].copies * COPY_STEP;
        if (textidx_contains(ti, docs[i].id, pat, plen) !=
            roaring_bitmap_contains(want, docs[i].id))
            abort();
        if (textidx_contains(ti, last, pat, plen) != roaring_bitmap_contains(want, last))
            abort();
    }
    roaring_bitmap_free(got);
    roaring_bitmap_free(cand);
    roaring_bitmap_free(want);
}

static void check_all(const struct textidx *ti, const struct doc *docs, size_t ndocs,
                      const struct buf *pat, const struct buf *fpat)
{
    const struct buf *ps[2] = { pat, fpat };
    size_t k, a, n;
    struct error err = ERROR_INIT;
    if (textidx_validate(ti, &err) != 0)
        abort();
    for (k = 0; k < 2; k++) {
        check(ti, docs, ndocs, ps[k]->p, ps[k]->len);
        for (a = 0; a < ps[k]->len; a++)
            for (n = 1; n <= 7 && a + n <= ps[k]->len; n++)
                check(ti, docs, ndocs, ps[k]->p + a, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct doc docs[MAX_DOCS + 1];
    struct buf pat = { NULL, 0, 0 }, fpat = { NULL, 0, 0 }, tmp = { NULL, 0, 0 };
    struct textidx *ti;
    size_t ndocs = 0, at, plen, i;
    int alpha, many;

    if (size < 2)
        return 0;
    alpha = (data[0] >> 1) & 1;
    many = (data[0] >> 5) & 1;
    plen = data[1] & 31;
    if (plen > size - 2)
        plen = size - 2;
    expand(&pat, data + 2, plen, alpha);
    buf_reserve(&fpat, pat.len);
    fpat.len = chain_fold(pat.p, pat.len, fpat.p);
    memset(docs, 0, sizeof(docs));
    ti = textidx_new(data[0] & 1 ? TEXTIDX_PIECES : TEXTIDX_PLAIN);
    at = 2 + plen;
    while (at < size && ndocs < MAX_DOCS) {
        const uint8_t *e = memchr(data + at, SEP, size - at);
        size_t n = e ? (size_t)(e - (data + at)) : size - at;
        expand(&tmp, data + at, n, alpha);
        docs[ndocs].id = (uint32_t)ndocs * 5 + 1;
        doc_set(&docs[ndocs], tmp.p, tmp.len);
        textidx_put(ti, docs[ndocs].id, tmp.p, tmp.len);
        if (many) {
            int k;
            docs[ndocs].copies = COPIES;
            for (k = 1; k <= COPIES; k++)
                textidx_put(ti, docs[ndocs].id + (uint32_t)k * COPY_STEP, tmp.p, tmp.len);
        }
        ndocs++;
        at += n + 1;
    }
    textidx_build(ti, ((data[0] >> 2) & 3) + 1);
    check_all(ti, docs, ndocs, &pat, &fpat);

    if ((data[0] >> 4) & 1) {
        /* the first doc takes the last one's text, the second goes, and a
         * new doc holds the pattern itself */
        if (ndocs >= 1) {
            struct doc *last = &docs[ndocs - 1];
            tmp.len = 0;
            if (last->present)
                buf_add(&tmp, last->text.p, last->text.len);
            else
                buf_reserve(&tmp, 0);
            doc_set(&docs[0], tmp.p, tmp.len);
            set_all(ti, &docs[0], tmp.p, tmp.len);
        }
        if (ndocs >= 2) {
            doc_set(&docs[1], NULL, 0);
            set_all(ti, &docs[1], NULL, 0);
        }
        docs[ndocs].id = 100000;
        doc_set(&docs[ndocs], pat.p, pat.len);
        textidx_set(ti, docs[ndocs].id, pat.p, pat.len);
        ndocs++;
        check_all(ti, docs, ndocs, &pat, &fpat);
    }

    textidx_free(ti);
    for (i = 0; i <= MAX_DOCS; i++) {
        free(docs[i].text.p);
        free(docs[i].folded.p);
    }
    free(pat.p);
    free(fpat.p);
    free(tmp.p);
    return 0;
}
