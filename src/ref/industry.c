/*
 * industry.c - the GB/T 4754-2017 industry classification (see industry.h).
 *
 * 1,971 rows: a hash map by code and one by name key is all the structure
 * needed. The work is in industry_parse(), which has to read what vendors'
 * exports put in an industry column - a code, a name, or both in any order
 * and bracket style - and refuse, with a message naming both, a code and a
 * name that point at different industries, since that usually means a sheet
 * still coded with the 2011 edition.
 */
#include "ref/industry.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "base/hashmap.h"
#include "ref/text.h"

extern const unsigned char magnet_data_industries[];
extern const size_t magnet_data_industries_len;

/* Industry text longer than this (bytes) is not an industry. */
#define TEXT_CAP 512
/* A code and a name; more code-like tokens than this is not a cell we can
 * read. */
#define MAX_CODES 4

static struct {
    struct industry *items;
    size_t count;
    char *pool;                /* names and name keys, NUL-terminated */
    struct hashmap by_code;    /* "I", "65", "6513" -> struct industry * */
    struct hashmap by_name;    /* name key -> the most specific industry */
} tab;

static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

/* The key names are compared by: width-folded, upper case, without spaces
 * and without the list punctuation that exports drop or change
 * ("农林牧渔业" for 农、林、牧、渔业). Writes at most cap bytes with the NUL;
 * returns the length or (size_t)-1 when it does not fit. */
static size_t name_key(const char *s, size_t n, char *out, size_t cap)
{
    size_t len = ref_fold(s, n, out, cap, REF_FOLD_DROP_SPACE | REF_FOLD_UPPER);
    size_t i, o = 0;

    if (len == (size_t)-1)
        return len;
    for (i = 0; i < len;) {
        if (out[i] == ',' || out[i] == ';') {
            i++;
        } else if (len - i >= 3 && memcmp(out + i, "、", 3) == 0) {
            i += 3;
        } else {
            out[o++] = out[i++];
        }
    }
    out[o] = '\0';
    return o;
}

static int is_within(const struct industry *x, const struct industry *a)
{
    while (x && x->level > a->level)
        x = x->parent;
    return x == a;
}

static void table_load(void)
{
    struct ref_reader rd;
    struct ref_field f[4];
    size_t max, pool_len, i;
    char *p;

    ref_reader_init(&rd, magnet_data_industries, magnet_data_industries_len, "industry");
    max = ref_reader_rows(&rd, NULL);
    tab.items = xcalloc(max ? max : 1, sizeof(struct industry));
    hashmap_init(&tab.by_code, max);
    hashmap_init(&tab.by_name, max);
    /* names and their keys, NUL-terminated; a key is never longer than
     * its name */
    pool_len = st_mult(magnet_data_industries_len + 1, 2);
    tab.pool = p = xmalloc(pool_len);

    while (ref_reader_next(&rd, f)) {
        struct industry *ind = &tab.items[tab.count];
        int level = f[0].s[0] - '0', added;
        size_t kn;
        void **slot;

        /* a section is one letter, the others 2, 3 and 4 digits */
        if (f[1].len != (size_t)(level == 1 ? 1 : level))
            ref_reader_die(&rd, "code does not fit its level");
        for (i = 0; i < f[1].len; i++) {
            char c = f[1].s[i];
            if (level == 1 ? (c < 'A' || c > 'Z') : (c < '0' || c > '9'))
                ref_reader_die(&rd, "code does not fit its level");
        }
        memcpy(ind->code, f[1].s, f[1].len);
        ind->code[f[1].len] = '\0';
        ind->level = level;
        memcpy(p, f[2].s, f[2].len);
        p[f[2].len] = '\0';
        ind->name = p;
        p += f[2].len + 1;
        if (level > 1) {
            ind->parent = hashmap_get(&tab.by_code, f[3].s, f[3].len);
            if (!ind->parent || ind->parent->level != level - 1)
                ref_reader_die(&rd, "parent is not the level above (or comes later)");
            ind->section = ind->parent->section;
        } else {
            if (f[3].len)
                ref_reader_die(&rd, "a section with a parent");
            ind->section = ind->code[0];
        }
        slot = hashmap_put(&tab.by_code, ind->code, f[1].len, &added);
        if (!added)
            ref_reader_die(&rd, "duplicate code");
        *slot = ind;

        kn = name_key(ind->name, f[2].len, p, f[2].len + 1);
        if (kn == (size_t)-1 || kn == 0)
            ref_reader_die(&rd, "name is empty after folding");
        slot = hashmap_put(&tab.by_name, p, kn, &added);
        if (added || is_within(ind, *slot)) {
            /* a group that repeats its division's name (or a class its
             * group's) stands for both: keep the most specific */
            *slot = ind;
        } else {
            ref_reader_die(&rd, "a name shared by industries that are not one chain");
        }
        p += kn + 1;
        tab.count++;
    }
}

void industry_table_init(void)
{
    pthread_once(&tab_once, table_load);
}

size_t industry_count(void)
{
    industry_table_init();
    return tab.count;
}

const struct industry *industry_at(size_t i)
{
    industry_table_init();
    return i < tab.count ? &tab.items[i] : NULL;
}

/* Code lookup on an already folded, upper-case string. */
static const struct industry *find_code(const char *s, size_t n)
{
    const struct industry *ind;
    size_t i;

    if (n == 1)
        return s[0] >= 'A' && s[0] <= 'Z' ? hashmap_get(&tab.by_code, s, 1) : NULL;
    if (n < 2 || n > 5)
        return NULL;
    if (s[0] >= 'A' && s[0] <= 'Z') {
        /* "I6513": the digits must lie in that section */
        s++;
        n--;
        if (n < 2 || s[0] < '0' || s[0] > '9')
            return NULL;
        ind = find_code(s, n);
        return ind && ind->section == s[-1] ? ind : NULL;
    }
    if (n > 4)
        return NULL;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return NULL;
    return hashmap_get(&tab.by_code, s, n);
}

const struct industry *industry_find_code(const char *code)
{
    char buf[16];
    size_t n;

    industry_table_init();
    if (!code)
        return NULL;
    n = ref_fold(code, strlen(code), buf, sizeof(buf), REF_FOLD_DROP_SPACE | REF_FOLD_UPPER);
    if (n == (size_t)-1)
        return NULL;
    return find_code(buf, n);
}

static const struct industry *find_name(const char *s, size_t n)
{
    char key[TEXT_CAP];
    size_t kn = name_key(s, n, key, sizeof(key));
    if (kn == (size_t)-1 || kn == 0)
        return NULL;
    return hashmap_get(&tab.by_name, key, kn);
}

size_t industry_find_name(const char *name, const struct industry **out, size_t max)
{
    const struct industry *ind;

    industry_table_init();
    if (!name)
        return 0;
    ind = find_name(name, strlen(name));
    if (!ind)
        return 0;
    if (max)
        out[0] = ind;
    return 1;
}

/* ---- free text -------------------------------------------------------- */

static int is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* A run of ASCII letters and digits that has the shape of a code: a
 * section letter, or 2 to 4 digits with an optional section letter. */
static int code_shaped(const char *s, size_t n)
{
    size_t i, first = 0;
    if (n == 1)
        return (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z');
    if ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))
        first = 1;
    if (n - first < 2 || n - first > 4)
        return 0;
    for (i = first; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static const char *const cjk_brackets[] = {
    "【", "】", "〔", "〕", "《", "》", "「", "」", "『", "』", "、", "。", "：",
};

/* Bytes of a CJK bracket or punctuation mark at s, 0 when there is none. */
static size_t cjk_punct_at(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < sizeof(cjk_brackets) / sizeof(cjk_brackets[0]); i++)
        if (n >= 3 && memcmp(s, cjk_brackets[i], 3) == 0)
            return 3;
    return 0;
}

static size_t count_byte(const char *s, size_t n, char c)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

/* Trim what separated a name from a code: spaces, punctuation and
 * brackets - but not the round brackets that belong to a name such as
 * 门诊部（所）, so a '(' or ')' goes only while they are unbalanced. */
static void trim_piece(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n, k;

    for (;;) {
        if (!len)
            break;
        if ((k = cjk_punct_at(p, len))) {
            p += k;
            len -= k;
        } else if (p[0] == ')' ||
                   (p[0] == '(' && count_byte(p, len, '(') > count_byte(p, len, ')'))) {
            p++;
            len--;
        } else if (p[0] != '(' && (unsigned char)p[0] < 0x80 && !is_alnum(p[0])) {
            p++;
            len--;
        } else {
            break;
        }
    }
    for (;;) {
        char c;
        if (!len)
            break;
        c = p[len - 1];
        if (len >= 3 && cjk_punct_at(p + len - 3, 3)) {
            len -= 3;
        } else if (c == '(' ||
                   (c == ')' && count_byte(p, len, ')') > count_byte(p, len, '('))) {
            len--;
        } else if (c != ')' && (unsigned char)c < 0x80 && !is_alnum(c)) {
            len--;
        } else {
            break;
        }
    }
    *s = p;
    *n = len;
}

/* Quote at most about 60 bytes of user text, cut at a character. */
static int quote_len(const char *s, size_t n)
{
    size_t i = 0;
    int32_t cp;
    while (i < n) {
        size_t l = ref_utf8_next(s + i, n - i, &cp);
        if (i + l > 60)
            break;
        i += l;
    }
    return (int)i;
}

static const struct industry *fail(char *errbuf, size_t errlen, const char *fmt, ...)
    MAGNET_PRINTF(3, 4);

static const struct industry *fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (errbuf && errlen) {
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return NULL;
}

/* The name of an industry with a code that is not under the code: one
 * name often abbreviates the other ("软件和信息技术服务" for 65). */
static int names_agree(const char *given, size_t n, const struct industry *ind)
{
    char a[TEXT_CAP], b[TEXT_CAP];
    size_t an = name_key(given, n, a, sizeof(a));
    size_t bn = name_key(ind->name, strlen(ind->name), b, sizeof(b));
    if (an == (size_t)-1 || bn == (size_t)-1 || an < 6 || bn < 6)
        return 0;  /* fewer than two characters says nothing */
    return strstr(a, b) != NULL || strstr(b, a) != NULL;
}

const struct industry *industry_parse(const char *text, char *errbuf, size_t errlen)
{
    char buf[TEXT_CAP], name[TEXT_CAP];
    size_t n, i, ncodes = 0, nlen = 0, piece_start = 0;
    struct { size_t at, len; } codes[MAX_CODES];
    const struct industry *code_ind = NULL, *name_ind;
    size_t code_tok = 0;

    industry_table_init();
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!text)
        return fail(errbuf, errlen, "no industry given");
    n = ref_fold(text, strlen(text), buf, sizeof(buf), 0);
    if (n == (size_t)-1)
        return fail(errbuf, errlen, "industry text is too long (%zu bytes)", strlen(text));
    if (n == 0)
        return fail(errbuf, errlen, "industry is empty");

    /* the whole cell is a name (some names hold ASCII: 三维(3D)打印) or a code */
    if ((name_ind = find_name(buf, n)))
        return name_ind;
    {
        char up[TEXT_CAP];
        size_t un = ref_fold(buf, n, up, sizeof(up), REF_FOLD_DROP_SPACE | REF_FOLD_UPPER);
        if (un != (size_t)-1 && (code_ind = find_code(up, un)))
            return code_ind;
    }

    /* otherwise split it into code-shaped tokens and the name around them */
    for (i = 0; i < n;) {
        size_t j = i;
        if (!is_alnum(buf[i])) {
            i++;
            continue;
        }
        while (j < n && is_alnum(buf[j]))
            j++;
        if (code_shaped(buf + i, j - i)) {
            const char *piece = buf + piece_start;
            size_t plen = i - piece_start;
            if (ncodes == MAX_CODES)
                return fail(errbuf, errlen, "industry '%.*s' has more than %d codes",
                            quote_len(buf, n), buf, MAX_CODES);
            codes[ncodes].at = i;
            codes[ncodes].len = j - i;
            ncodes++;
            trim_piece(&piece, &plen);
            if (plen && nlen + plen < sizeof(name)) {
                memcpy(name + nlen, piece, plen);
                nlen += plen;
            }
            piece_start = j;
        }
        i = j;
    }
    {
        const char *piece = buf + piece_start;
        size_t plen = n - piece_start;
        trim_piece(&piece, &plen);
        if (plen && nlen + plen < sizeof(name)) {
            memcpy(name + nlen, piece, plen);
            nlen += plen;
        }
    }
    name[nlen] = '\0';

    /* every code must be known and all of them on one line of descent */
    for (i = 0; i < ncodes; i++) {
        char up[8];
        const struct industry *c;
        size_t k, len = codes[i].len;
        for (k = 0; k < len; k++) {
            char ch = buf[codes[i].at + k];
            up[k] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
        }
        up[len] = '\0';
        c = find_code(up, len);
        if (!c) {
            const struct industry *d = len > 1 && up[0] >= 'A' && up[0] <= 'Z'
                                           ? find_code(up + 1, len - 1)
                                           : NULL;
            if (d)
                return fail(errbuf, errlen,
                            "industry code '%s': %s (%s) is in section %c, not %c", up,
                            d->code, d->name, d->section, up[0]);
            return fail(errbuf, errlen, "unknown industry code '%s' (not in GB/T 4754-2017)",
                        up);
        }
        if (!code_ind || is_within(c, code_ind)) {
            code_ind = c;
            code_tok = i;
        } else if (!is_within(code_ind, c)) {
            return fail(errbuf, errlen, "industry codes '%s' (%s) and '%.*s' (%s) disagree",
                        c->code, c->name, (int)codes[code_tok].len, buf + codes[code_tok].at,
                        code_ind->name);
        }
    }

    if (!nlen) {
        if (code_ind)
            return code_ind;
        return fail(errbuf, errlen, "'%.*s' is not an industry code or name", quote_len(buf, n),
                    buf);
    }
    name_ind = find_name(name, nlen);
    if (!code_ind) {
        if (name_ind)
            return name_ind;
        for (i = 0; i < nlen && (unsigned char)name[i] < 0x80; i++)
            ;
        if (i == nlen)  /* no Chinese at all: not meant as a name */
            return fail(errbuf, errlen, "'%.*s' is not an industry code or name",
                        quote_len(buf, n), buf);
        return fail(errbuf, errlen, "unknown industry name '%.*s' (not in GB/T 4754-2017)",
                    quote_len(name, nlen), name);
    }
    if (!name_ind) {
        if (names_agree(name, nlen, code_ind))
            return code_ind;
        return fail(errbuf, errlen,
                    "industry code %s is %s, but the name '%.*s' is not an industry", code_ind->code,
                    code_ind->name, quote_len(name, nlen), name);
    }
    /* the code's own name, where a chain shares it ("12 其他采矿业") */
    if (name_ind != code_ind && is_within(name_ind, code_ind) &&
        strcmp(name_ind->name, code_ind->name) == 0)
        return code_ind;
    /* one under the other is the same industry described at two levels
     * ("软件开发(6513)"): take the more specific */
    if (is_within(name_ind, code_ind))
        return name_ind;
    if (is_within(code_ind, name_ind))
        return code_ind;
    return fail(errbuf, errlen, "industry code %s (%s) does not match the name '%s' (%s)",
                code_ind->code, code_ind->name, name_ind->name, name_ind->code);
}
