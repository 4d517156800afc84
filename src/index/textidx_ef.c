/*
 * textidx_ef.c - the compact posting lists of the text index: Elias-Fano
 * coded sorted doc ids, and the conversions between sorted ids, bit sets
 * and roaring bitmaps.
 *
 * Why Elias-Fano: most grams of enterprise names have a few hundred to a
 * few thousand documents spread over millions of ids. A roaring bitmap
 * then holds one small array container per 65,536 ids, and each container
 * costs 60 bytes or so of headers and malloc chunks for a handful of
 * 2-byte values. Elias-Fano stores n ids of a range of U ids in
 * n * (2 + log2(U / n)) bits, with no per-chunk overhead, and decodes at
 * a couple of nanoseconds an id.
 *
 * Layout of a list (n, its length, is kept by the caller):
 *   byte   L, the number of low bits per id (0..31)
 *   varint first, the smallest id; ids are coded as id - first
 *   varint the bytes of the high part (so a list's size is known without
 *          decoding it)
 *   low    n * L bits: the low L bits of each id, packed LSB first
 *   high   n + ((last - first) >> L) bits: id i sets bit (high_i + i)
 * The decoder reads whole 64-bit words, so the buffer a list lives in
 * must have EF_PAD readable bytes after its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "index/textidx_internal.h"

static unsigned ef_low_bits(uint32_t n, uint32_t first, uint32_t last)
{
    uint64_t q = ((uint64_t)last - first + 1) / n;
    unsigned l = q ? (unsigned)(63 - __builtin_clzll(q)) : 0;
    return l > 31 ? 31 : l;
}

size_t ef_bound(uint32_t n, uint32_t first, uint32_t last)
{
    unsigned l;
    if (!n)
        return 0;
    l = ef_low_bits(n, first, last);
    return 1 + 5 + 5 + ((size_t)n * l + 7) / 8 + ((size_t)n + (((uint64_t)last - first) >> l) + 7) / 8;
}

static unsigned char *put_varint(unsigned char *p, uint32_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static uint32_t get_varint(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    uint32_t v = 0;
    unsigned shift = 0;
    while (*p & 0x80) {
        v |= (uint32_t)(*p++ & 0x7F) << shift;
        shift += 7;
    }
    v |= (uint32_t)*p++ << shift;
    *pp = p;
    return v;
}

size_t ef_encode(unsigned char *out, const uint32_t *v, uint32_t n)
{
    unsigned l, i;
    uint32_t first, mask;
    unsigned char *p = out, *lo, *hi;
    size_t lobytes, hibytes;
    if (!n)
        return 0;
    first = v[0];
    l = ef_low_bits(n, first, v[n - 1]);
    mask = l ? (uint32_t)((1ull << l) - 1) : 0;
    lobytes = ((size_t)n * l + 7) / 8;
    hibytes = ((size_t)n + (((uint64_t)v[n - 1] - first) >> l) + 7) / 8;
    *p++ = (unsigned char)l;
    p = put_varint(p, first);
    p = put_varint(p, (uint32_t)hibytes);
    lo = p;
    hi = p + lobytes;
    memset(hi, 0, hibytes);
    {
        /* the low bits through a 64-bit accumulator, 32 bits at a time */
        uint64_t acc = 0;
        unsigned nacc = 0;
        unsigned char *q = lo;
        for (i = 0; i < n; i++) {
            uint32_t x = v[i] - first;
            uint64_t bit = (uint64_t)(x >> l) + i;
            acc |= (uint64_t)(x & mask) << nacc;
            nacc += l;
            if (nacc >= 32) {
                uint32_t word = (uint32_t)acc;
                memcpy(q, &word, 4);
                q += 4;
                acc >>= 32;
                nacc -= 32;
            }
            hi[bit >> 3] |= (unsigned char)(1u << (bit & 7));
        }
        for (; nacc > 0; nacc = nacc > 8 ? nacc - 8 : 0) {
            *q++ = (unsigned char)acc;
            acc >>= 8;
        }
    }
    return (size_t)(hi + hibytes - out);
}

size_t ef_size(const unsigned char *p, uint32_t n)
{
    const unsigned char *q = p + 1;
    unsigned l = *p;
    size_t hibytes;
    get_varint(&q);
    hibytes = get_varint(&q);
    return (size_t)(q - p) + ((size_t)n * l + 7) / 8 + hibytes;
}

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

void ef_decode(const unsigned char *p, uint32_t n, uint32_t *out)
{
    unsigned l = *p++;
    uint32_t first = get_varint(&p), i = 0;
    const unsigned char *lo, *hi;
    uint64_t mask = l ? (1ull << l) - 1 : 0, w;
    size_t base = 0;  /* bit position of w's bit 0 */
    get_varint(&p);   /* the high part's size */
    lo = p;
    hi = p + ((size_t)n * l + 7) / 8;
    w = load64(hi);
    while (i < n) {
        while (!w) {
            base += 64;
            w = load64(hi + base / 8);
        }
        do {
            uint64_t pos = base + (uint64_t)__builtin_ctzll(w), at = (uint64_t)i * l;
            uint32_t low = (uint32_t)((load64(lo + (at >> 3)) >> (at & 7)) & mask);
            w &= w - 1;
            out[i] = first + ((uint32_t)(pos - i) << l | low);
            i++;
        } while (w && i < n);
    }
}

void ef_decode_bits(const unsigned char *p, uint32_t n, uint64_t *bits)
{
    unsigned l = *p++;
    uint32_t first = get_varint(&p), i = 0;
    const unsigned char *lo, *hi;
    uint64_t mask = l ? (1ull << l) - 1 : 0, w;
    size_t base = 0;
    get_varint(&p);
    lo = p;
    hi = p + ((size_t)n * l + 7) / 8;
    w = load64(hi);
    while (i < n) {
        while (!w) {
            base += 64;
            w = load64(hi + base / 8);
        }
        do {
            uint64_t pos = base + (uint64_t)__builtin_ctzll(w), at = (uint64_t)i * l;
            uint32_t low = (uint32_t)((load64(lo + (at >> 3)) >> (at & 7)) & mask);
            uint32_t d = first + ((uint32_t)(pos - i) << l | low);
            w &= w - 1;
            bits[d >> 6] |= 1ull << (d & 63);
            i++;
        } while (w && i < n);
    }
}

void ef_iter_init(struct ef_iter *it, const unsigned char *p, uint32_t n)
{
    it->l = *p++;
    it->first = get_varint(&p);
    get_varint(&p);
    it->lo = p;
    it->hi = p + ((size_t)n * it->l + 7) / 8;
    it->n = n;
    it->i = 0;
    it->base = 0;
    it->w = n ? load64(it->hi) : 0;
}

int ef_iter_next(struct ef_iter *it, uint32_t *out)
{
    uint64_t pos, at, mask = it->l ? (1ull << it->l) - 1 : 0;
    if (it->i >= it->n)
        return 0;
    while (!it->w) {
        it->base += 64;
        it->w = load64(it->hi + it->base / 8);
    }
    pos = it->base + (uint64_t)__builtin_ctzll(it->w);
    at = (uint64_t)it->i * it->l;
    it->w &= it->w - 1;
    *out = it->first + ((uint32_t)(pos - it->i) << it->l |
                        (uint32_t)((load64(it->lo + (at >> 3)) >> (at & 7)) & mask));
    it->i++;
    return 1;
}

/* ---- roaring bitmaps made at once ----
 *
 * Through roaring's portable format (cookie 12346: no run containers; per
 * container its key and cardinality - 1, then a 32-bit offset each, then
 * the containers: u16 values, or a 8192-byte bitset past 4096 values), so
 * that each container is allocated once at its size. roaring_bitmap_
 * add_many costs 5-11 ns a value (CRoaring 0.2.66), this about 1. */

static roaring_bitmap_t *ser_finish(unsigned char *buf, size_t total)
{
    roaring_bitmap_t *r = roaring_bitmap_portable_deserialize_safe((const char *)buf, total);
    if (!r) {
        fprintf(stderr, "fatal: text index: roaring refused a bitmap it should read\n");
        abort();
    }
    return r;
}

roaring_bitmap_t *bm_from_sorted(const uint32_t *v, size_t n)
{
    size_t i, ncont = 0, total, data = 0, hdr, at;
    unsigned char *buf;
    roaring_bitmap_t *r;
    uint32_t word;
    if (!n)
        return roaring_bitmap_create();
    for (i = 0; i < n;) {
        uint32_t key = v[i] >> 16;
        size_t k = i;
        while (k < n && v[k] >> 16 == key)
            k++;
        data += k - i > 4096 ? 8192 : 2 * (k - i);
        ncont++;
        i = k;
    }
    total = ncont;
    hdr = 8 + 8 * total;
    buf = xmalloc(hdr + data);
    word = 12346;
    memcpy(buf, &word, 4);
    word = (uint32_t)total;
    memcpy(buf + 4, &word, 4);
    at = hdr;
    ncont = 0;
    for (i = 0; i < n;) {
        uint32_t key = v[i] >> 16, off = (uint32_t)at;
        size_t k = i, c;
        uint16_t head[2];
        while (k < n && v[k] >> 16 == key)
            k++;
        c = k - i;
        head[0] = (uint16_t)key;
        head[1] = (uint16_t)(c - 1);
        memcpy(buf + 8 + 4 * ncont, head, 4);
        memcpy(buf + 8 + 4 * total + 4 * ncont, &off, 4);
        if (c > 4096) {
            uint64_t words[1024];
            memset(words, 0, sizeof(words));
            for (; i < k; i++)
                words[(v[i] & 0xFFFF) >> 6] |= 1ull << (v[i] & 63);
            memcpy(buf + at, words, 8192);
            at += 8192;
        } else {
            for (; i < k; i++) {
                uint16_t x = (uint16_t)v[i];
                memcpy(buf + at, &x, 2);
                at += 2;
            }
        }
        ncont++;
    }
    r = ser_finish(buf, at);
    free(buf);
    return r;
}

struct bits_arg {
    uint64_t *bits;
    size_t nwords;
};

static bool or_one(uint32_t v, void *arg)
{
    struct bits_arg *a = arg;
    if ((size_t)v < a->nwords * 64)
        a->bits[v >> 6] |= 1ull << (v & 63);
    return true;
}

void bm_or_bits(const roaring_bitmap_t *bm, uint64_t *bits, size_t nwords)
{
    /* container by container (CRoaring's public container types): a bit
     * set is 1024 ORs, not 65,536 set bits */
    const roaring_array_t *ra = &bm->high_low_container;
    int32_t i;
    for (i = 0; i < ra->size; i++) {
        size_t base = (size_t)ra->keys[i] * 1024, k;
        const void *c = ra->containers[i];
        if (base >= nwords)
            break;
        switch (ra->typecodes[i]) {
        case BITSET_CONTAINER_TYPE_CODE: {
            const bitset_container_t *b = c;
            size_t e = nwords - base < 1024 ? nwords - base : 1024;
            for (k = 0; k < e; k++)
                bits[base + k] |= b->array[k];
            break;
        }
        case ARRAY_CONTAINER_TYPE_CODE: {
            const array_container_t *a = c;
            for (k = 0; k < (size_t)a->cardinality; k++) {
                size_t v = base * 64 + a->array[k];
                if (v < nwords * 64)
                    bits[v >> 6] |= 1ull << (v & 63);
            }
            break;
        }
        case RUN_CONTAINER_TYPE_CODE: {
            const run_container_t *r = c;
            int32_t j;
            for (j = 0; j < r->n_runs; j++) {
                size_t v = base * 64 + r->runs[j].value, e = v + r->runs[j].length;
                for (; v <= e && v < nwords * 64; v++)
                    bits[v >> 6] |= 1ull << (v & 63);
            }
            break;
        }
        default: {
            /* another kind of container: the whole bitmap value by value
             * (OR again what is done already: no harm) */
            struct bits_arg a;
            a.bits = bits;
            a.nwords = nwords;
            roaring_iterate(bm, or_one, &a);
            return;
        }
        }
    }
}

roaring_bitmap_t *bm_from_bits(const uint64_t *words, size_t nwords)
{
    size_t chunks = (nwords + 1023) / 1024, c, ncont = 0, total, data = 0, hdr, at;
    uint32_t *card = xmalloc((chunks ? chunks : 1) * sizeof(uint32_t)), word;
    unsigned char *buf;
    roaring_bitmap_t *r;
    for (c = 0; c < chunks; c++) {
        size_t i, e = c * 1024 + 1024 < nwords ? c * 1024 + 1024 : nwords;
        uint32_t k = 0;
        for (i = c * 1024; i < e; i++)
            k += (uint32_t)popcount64(words[i]);
        card[c] = k;
        if (k) {
            ncont++;
            data += k > 4096 ? 8192 : 2 * (size_t)k;
        }
    }
    if (!ncont) {
        free(card);
        return roaring_bitmap_create();
    }
    total = ncont;
    hdr = 8 + 8 * total;
    buf = xmalloc(hdr + data);
    word = 12346;
    memcpy(buf, &word, 4);
    word = (uint32_t)total;
    memcpy(buf + 4, &word, 4);
    at = hdr;
    ncont = 0;
    for (c = 0; c < chunks; c++) {
        size_t i, e = c * 1024 + 1024 < nwords ? c * 1024 + 1024 : nwords;
        uint16_t head[2];
        uint32_t off = (uint32_t)at;
        if (!card[c])
            continue;
        head[0] = (uint16_t)c;
        head[1] = (uint16_t)(card[c] - 1);
        memcpy(buf + 8 + 4 * ncont, head, 4);
        memcpy(buf + 8 + 4 * total + 4 * ncont, &off, 4);
        if (card[c] > 4096) {
            memset(buf + at, 0, 8192);
            memcpy(buf + at, words + c * 1024, (e - c * 1024) * 8);
            at += 8192;
        } else {
            for (i = c * 1024; i < e; i++) {
                uint64_t w = words[i];
                while (w) {
                    uint16_t x = (uint16_t)((i - c * 1024) * 64 + (size_t)__builtin_ctzll(w));
                    memcpy(buf + at, &x, 2);
                    at += 2;
                    w &= w - 1;
                }
            }
        }
        ncont++;
    }
    free(card);
    r = ser_finish(buf, at);
    free(buf);
    return r;
}
