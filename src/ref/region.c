/*
 * region.c - the administrative division table (see region.h).
 *
 * The embedded CSV (44k rows) is read in place, once, into an array of
 * struct region in table order, plus:
 *
 *   - per level, the codes as integers, sorted for binary search;
 *   - one pool holding every full name; a name that ends its full name (all
 *     but a handful) points into it rather than being stored twice;
 *   - a name index from a key to the chain of regions that carry it, either
 *     as their table name ("西湖区", NAME_EXACT) or without the suffix
 *     ("西湖", NAME_SHORT). A short name is a prefix of the table name, so a
 *     key is an offset and a length into the pool;
 *   - a "bigram" filter from the first two characters of every key to the
 *     set of key lengths (in characters) that start with them. Scanning a
 *     string for names then costs one probe per position, plus one index
 *     lookup per length that can actually match there.
 *
 * A name made of several region names ("浙江杭州西湖区") is parsed by trying
 * every key at the current position and walking down the hierarchy; an
 * address is scanned left to right for the longest name that lies under
 * what was already found (address_match() says which names count). When a
 * name matches several regions, settle() decides what it means.
 */
#include "ref/region.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hashmap.h"  /* hashmap_hash() */
#include "ref/text.h"

extern const unsigned char magnet_data_regions[];
extern const size_t magnet_data_regions_len;

/* Longest name (bytes, after folding) region_find_name looks at: the
 * longest full name in the table is about 40 characters. */
#define NAME_CAP 512
/* Region names sit at the start of an address; the rest is not scanned. */
#define ADDRESS_CAP 600
/* Keys are at most this many characters (the longest table name has 24):
 * the bigram table keeps a 32-bit mask of key lengths. */
#define KEY_MAX_CHARS 31
/* More same-named regions than this at one step of an address is noise. */
#define ADDRESS_MAX_CANDS 32
/* Steps a name parse may take before it gives up (a real name takes a few
 * hundred; this only bounds hostile input). */
#define PARSE_BUDGET 200000
#define NO_ENTRY UINT32_MAX

enum name_kind { NAME_EXACT = 0, NAME_SHORT = 1 };

/* The name index is laid out for the cache rather than built on
 * base/hashmap: 89k keys in 8-byte slots fit in a megabyte, where
 * pointer-sized slots took three and made loading (one cache miss per
 * insert) the slowest part of region_table_init(). */
struct name_entry {
    uint32_t key;     /* offset of the key in tab.pool */
    uint32_t region;  /* index into the table */
    uint32_t next;    /* next entry with the same key, NO_ENTRY at the end */
    uint16_t len;     /* key length in bytes */
    uint16_t kind;    /* enum name_kind */
};

struct name_slot {
    uint32_t hash;
    uint32_t first;  /* entry index + 1; 0 = empty slot */
};

struct code_ix {
    uint32_t code;
    uint32_t index;
};

struct bigram_slot {
    uint32_t key;   /* two code points, folded to 16 bits each */
    uint32_t mask;  /* bit k set: a key of k characters starts here; 0 = empty */
};

static struct {
    struct region *regions;
    size_t count;
    char *pool;                      /* full names, names, folded keys */
    struct code_ix *codes[5];        /* by level 1..4, sorted */
    size_t ncodes[5];
    struct name_entry *entries;
    size_t nentries;
    struct name_slot *slots;
    size_t slot_mask;
    struct bigram_slot *bigrams;
    size_t bigram_mask;
} tab;

static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

/* City-level rows that are not places, only groupings: left out of full
 * names and never matched by name. */
static const char *const placeholder_names[] = {
    "市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划",
};

/* A string literal with its length, so suffix tests need no strlen. */
struct lit {
    const char *s;
    size_t len;
};
#define LIT(x) { x, sizeof(x) - 1 }

/* Suffixes dropped to make the short name, by level, longest first. The
 * first group ends in 自治X: what precedes it may be a list of peoples
 * without 族 ("伊犁哈萨克自治州"), so those are stripped too. */
static const struct lit auto_suffixes[] = {
    LIT("自治区"), LIT("自治州"), LIT("自治县"), LIT("自治旗"),
};
static const struct lit level_suffixes[5][8] = {
    { LIT("") },
    { LIT("省"), LIT("市") },
    { LIT("地区"), LIT("盟"), LIT("市") },
    { LIT("新区"), LIT("矿区"), LIT("林区"), LIT("特区"), LIT("区"), LIT("县"), LIT("市"),
      LIT("旗") },
    { LIT("民族苏木"), LIT("民族乡"), LIT("街道"), LIT("苏木"), LIT("镇"), LIT("乡") },
};

/* The 56 peoples (and 各, as in 龙胜各族自治县), longest first so that
 * 土家 is tried before 土. */
static const struct lit peoples[] = {
    LIT("柯尔克孜"), LIT("乌孜别克"), LIT("维吾尔"), LIT("哈萨克"), LIT("达斡尔"),
    LIT("塔吉克"), LIT("俄罗斯"), LIT("鄂温克"), LIT("塔塔尔"), LIT("鄂伦春"),
    LIT("蒙古"), LIT("布依"), LIT("朝鲜"), LIT("土家"), LIT("哈尼"), LIT("傈僳"),
    LIT("高山"), LIT("拉祜"), LIT("东乡"), LIT("纳西"), LIT("景颇"), LIT("仫佬"),
    LIT("布朗"), LIT("撒拉"), LIT("毛南"), LIT("仡佬"), LIT("锡伯"), LIT("阿昌"),
    LIT("普米"), LIT("德昂"), LIT("保安"), LIT("裕固"), LIT("独龙"), LIT("赫哲"),
    LIT("门巴"), LIT("珞巴"), LIT("基诺"), LIT("汉"), LIT("回"), LIT("藏"),
    LIT("苗"), LIT("彝"), LIT("壮"), LIT("满"), LIT("侗"), LIT("瑶"), LIT("白"),
    LIT("傣"), LIT("黎"), LIT("佤"), LIT("畲"), LIT("水"), LIT("土"), LIT("羌"),
    LIT("怒"), LIT("京"), LIT("各"),
};

/* ---- small helpers ---------------------------------------------------- */

static size_t count_chars(const char *s, size_t n)
{
    size_t i = 0, c = 0;
    int32_t cp;
    while (i < n) {
        i += ref_utf8_next(s + i, n - i, &cp);
        c++;
    }
    return c;
}

static int ends_with(const char *s, size_t n, const struct lit *suffix)
{
    size_t k = suffix->len;
    /* the last byte first: it differs for almost every suffix tried */
    return k && n >= k && s[n - 1] == suffix->s[k - 1] && memcmp(s + n - k, suffix->s, k) == 0;
}

static int is_placeholder_name(int level, const char *name, size_t n)
{
    size_t i;
    if (level != REGION_CITY)
        return 0;
    for (i = 0; i < sizeof(placeholder_names) / sizeof(placeholder_names[0]); i++)
        if (strlen(placeholder_names[i]) == n && memcmp(name, placeholder_names[i], n) == 0)
            return 1;
    return 0;
}

static size_t region_index(const struct region *r)
{
    return (size_t)(r - tab.regions);
}

/* r lies strictly under a. */
static int is_below(const struct region *r, const struct region *a)
{
    return r->level > a->level && region_is_within(r, a);
}

/* Strip peoples from the end of s[0..n): "恩施土家族苗族" -> "恩施". With
 * bare, also names without 族 ("伊犁哈萨克" -> "伊犁"). Never leaves less
 * than two characters. */
static size_t strip_peoples(const char *s, size_t n, int bare)
{
    static const struct lit zu = LIT("族");
    for (;;) {
        size_t i, stripped = 0;
        int has_zu = ends_with(s, n, &zu);
        size_t base = has_zu ? n - zu.len : n;

        if (!has_zu && !bare)
            return n;
        for (i = 0; i < sizeof(peoples) / sizeof(peoples[0]); i++) {
            size_t k = peoples[i].len;
            if (ends_with(s, base, &peoples[i]) && count_chars(s, base - k) >= 2) {
                stripped = (n - base) + k;
                break;
            }
        }
        if (!stripped) {
            /* "鄂温克族" itself: drop only the 族 */
            if (has_zu && count_chars(s, base) >= 2)
                return base;
            return n;
        }
        n -= stripped;
    }
}

/* Length of the short name of a key at a level, or 0 when there is none
 * (nothing to strip, or fewer than two characters would remain). */
static size_t short_name_len(const char *key, size_t n, int level)
{
    size_t i, len = 0;
    int autonomous = 0;

    for (i = 0; i < sizeof(auto_suffixes) / sizeof(auto_suffixes[0]); i++) {
        if (ends_with(key, n, &auto_suffixes[i])) {
            len = n - auto_suffixes[i].len;
            autonomous = 1;
            break;
        }
    }
    if (!autonomous) {
        for (i = 0; i < 8 && level_suffixes[level][i].len; i++) {
            if (ends_with(key, n, &level_suffixes[level][i])) {
                len = n - level_suffixes[level][i].len;
                break;
            }
        }
    }
    if (!len)
        return 0;
    len = strip_peoples(key, len, autonomous);
    if (count_chars(key, len) < 2)
        return 0;
    return len;
}

/* ---- the bigram table ------------------------------------------------- */

/* Folding code points to 16 bits can only make two bigrams share a slot;
 * the table is a filter in front of the name index, so that costs a
 * lookup, never a wrong answer. */
static uint32_t bigram_key(int32_t a, int32_t b)
{
    return ((uint32_t)a << 16) ^ ((uint32_t)a >> 16) ^ ((uint32_t)b & 0xFFFF) ^
           ((uint32_t)b >> 16 << 8);
}

static size_t bigram_slot_of(uint32_t key)
{
    return (size_t)((key * 0x9e3779b1U) >> 8) & tab.bigram_mask;
}

static void bigram_add(const char *key, size_t n, size_t chars)
{
    int32_t a, b;
    size_t l1 = ref_utf8_next(key, n, &a), i;
    uint32_t k;

    ref_utf8_next(key + l1, n - l1, &b);
    k = bigram_key(a, b);
    for (i = bigram_slot_of(k); tab.bigrams[i].mask && tab.bigrams[i].key != k;
         i = (i + 1) & tab.bigram_mask)
        ;
    tab.bigrams[i].key = k;
    tab.bigrams[i].mask |= (uint32_t)1 << chars;
}

/* The lengths of keys that can start at s[0..n): returns a mask of
 * character counts and fills off[k] with the byte length of the first k
 * characters for every k up to the highest bit set. */
static uint32_t key_lengths_at(const char *s, size_t n, size_t off[KEY_MAX_CHARS + 1])
{
    int32_t a, b;
    size_t l1, l2, i, pos;
    uint32_t k, mask = 0;
    int k_chars, top;

    if (n < 2)
        return 0;
    l1 = ref_utf8_next(s, n, &a);
    if (l1 >= n || a <= 0)
        return 0;
    l2 = ref_utf8_next(s + l1, n - l1, &b);
    if (b < 0)
        return 0;
    k = bigram_key(a, b);
    for (i = bigram_slot_of(k); tab.bigrams[i].mask; i = (i + 1) & tab.bigram_mask) {
        if (tab.bigrams[i].key == k) {
            mask = tab.bigrams[i].mask;
            break;
        }
    }
    if (!mask)
        return 0;
    top = 31;
    while (!(mask & ((uint32_t)1 << top)))
        top--;
    off[0] = 0;
    off[1] = l1;
    off[2] = l1 + l2;
    pos = l1 + l2;
    for (k_chars = 3; k_chars <= top; k_chars++) {
        int32_t cp;
        if (pos >= n) {
            /* the input ends: longer keys cannot match */
            mask &= ((uint32_t)1 << k_chars) - 1;
            break;
        }
        pos += ref_utf8_next(s + pos, n - pos, &cp);
        off[k_chars] = pos;
    }
    return mask;
}

/* ---- the name index --------------------------------------------------- */

static const struct name_entry *name_lookup(const char *key, size_t len)
{
    uint32_t h = hashmap_hash(key, len);
    size_t i;
    for (i = h & tab.slot_mask; tab.slots[i].first; i = (i + 1) & tab.slot_mask) {
        const struct name_entry *e;
        if (tab.slots[i].hash != h)
            continue;
        e = &tab.entries[tab.slots[i].first - 1];
        if (e->len == len && memcmp(tab.pool + e->key, key, len) == 0)
            return e;
    }
    return NULL;
}

static const struct name_entry *name_next(const struct name_entry *e)
{
    return e->next == NO_ENTRY ? NULL : &tab.entries[e->next];
}

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* A key waiting to go into the index. Loading is bound by cache misses on
 * the slot and bigram tables (one each per key, at random), so keys are
 * hashed and their slots prefetched a few keys ahead of the insert. */
struct pending_key {
    uint32_t off;     /* in tab.pool */
    uint32_t len;
    uint32_t chars;
    uint32_t region;
    uint32_t kind;
    uint32_t hash;
};

#define KEYS_AHEAD 8

struct key_queue {
    struct pending_key ring[KEYS_AHEAD];
    size_t head, count;
};

/* Insert a key. Regions are added last to first, so each chain ends up in
 * table order. */
static void name_insert(const struct pending_key *k)
{
    const char *key = tab.pool + k->off;
    uint32_t idx = (uint32_t)tab.nentries++;
    struct name_entry *e = &tab.entries[idx];
    size_t i;

    e->key = k->off;
    e->region = k->region;
    e->len = (uint16_t)k->len;
    e->kind = (uint16_t)k->kind;
    e->next = NO_ENTRY;
    for (i = k->hash & tab.slot_mask; tab.slots[i].first; i = (i + 1) & tab.slot_mask) {
        struct name_entry *head;
        if (tab.slots[i].hash != k->hash)
            continue;
        head = &tab.entries[tab.slots[i].first - 1];
        if (head->len == k->len && memcmp(tab.pool + head->key, key, k->len) == 0) {
            e->next = tab.slots[i].first - 1;
            tab.slots[i].first = idx + 1;
            return;
        }
    }
    tab.slots[i].hash = k->hash;
    tab.slots[i].first = idx + 1;
    bigram_add(key, k->len, k->chars);
}

static void name_queue(struct key_queue *q, uint32_t off, size_t len, size_t chars,
                       size_t region, enum name_kind kind)
{
    struct pending_key *k;
    const char *key = tab.pool + off;
    int32_t a, b;
    size_t l1;

    if (q->count == KEYS_AHEAD) {
        name_insert(&q->ring[q->head]);
        q->head = (q->head + 1) % KEYS_AHEAD;
        q->count--;
    }
    k = &q->ring[(q->head + q->count) % KEYS_AHEAD];
    q->count++;
    k->off = off;
    k->len = (uint32_t)len;
    k->chars = (uint32_t)chars;
    k->region = (uint32_t)region;
    k->kind = kind;
    k->hash = hashmap_hash(key, len);
    PREFETCH(&tab.slots[k->hash & tab.slot_mask]);
    l1 = ref_utf8_next(key, len, &a);
    ref_utf8_next(key + l1, len - l1, &b);
    PREFETCH(&tab.bigrams[bigram_slot_of(bigram_key(a, b))]);
}

static void name_flush(struct key_queue *q)
{
    while (q->count) {
        name_insert(&q->ring[q->head]);
        q->head = (q->head + 1) % KEYS_AHEAD;
        q->count--;
    }
}

/* ---- loading ---------------------------------------------------------- */

/* What loading needs per row beyond struct region. */
struct row_extra {
    const char *name;  /* in the embedded data, not NUL-terminated */
    uint32_t name_len;
    uint32_t full_len;
    uint32_t key;      /* offset of the folded name in the pool */
    uint32_t key_len;
    uint32_t parent_code;
    int own_name;      /* the name ends the full name (and is stored there) */
};

static int parse_digits(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;
    if (!n || n > 9)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static int cmp_code_ix(const void *a, const void *b)
{
    const struct code_ix *x = a, *y = b;
    return x->code < y->code ? -1 : x->code > y->code;
}

static const struct region *find_level_code(int level, uint32_t code)
{
    size_t lo = 0, hi = tab.ncodes[level];
    const struct code_ix *c = tab.codes[level];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].code < code)
            lo = mid + 1;
        else if (c[mid].code > code)
            hi = mid;
        else
            return &tab.regions[c[mid].index];
    }
    return NULL;
}

static const size_t code_digits[5] = { 0, 2, 4, 6, 9 };

/* A name that folding would change: full-width forms, U+3000, spaces. */
static int needs_fold(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == 0xEF || c == 0xC2 ||
            (c == 0xE3 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
             (unsigned char)s[i + 2] == 0x80))
            return 1;
    }
    return 0;
}

/* Rows into tab.regions and extra[]; codes into the per-level arrays. */
static void read_rows(struct ref_reader *rd, struct row_extra *extra, const size_t cap[5])
{
    struct ref_field f[4];
    int level;
    size_t i;

    while (ref_reader_next(rd, f)) {
        struct region *r = &tab.regions[tab.count];
        struct row_extra *x = &extra[tab.count];
        uint32_t v = 0;

        level = f[0].s[0] - '0';
        if (tab.ncodes[level] >= cap[level])  /* cannot happen: counted by the same rule */
            ref_reader_die(rd, "more rows than counted");
        if (f[1].len != code_digits[level] || parse_digits(f[1].s, f[1].len, &v) != 0)
            ref_reader_die(rd, "code does not fit its level");
        if (level == REGION_PROVINCE ? f[3].len != 0
                                     : (f[3].len != code_digits[level - 1] ||
                                        memcmp(f[3].s, f[1].s, f[3].len) != 0 ||
                                        parse_digits(f[3].s, f[3].len, &x->parent_code) != 0))
            ref_reader_die(rd, "parent is not the code of the level above");
        if (f[2].len > 200)
            ref_reader_die(rd, "name too long");
        memcpy(r->code, f[1].s, f[1].len);
        r->code[f[1].len] = '\0';
        r->level = level;
        x->name = f[2].s;
        x->name_len = (uint32_t)f[2].len;
        tab.codes[level][tab.ncodes[level]].code = v;
        tab.codes[level][tab.ncodes[level]].index = (uint32_t)tab.count;
        tab.ncodes[level]++;
        tab.count++;
    }
    for (level = 1; level <= 4; level++) {
        int sorted = 1;
        for (i = 1; i < tab.ncodes[level]; i++) {
            if (tab.codes[level][i - 1].code >= tab.codes[level][i].code) {
                sorted = 0;
                break;
            }
        }
        if (!sorted)  /* the shipped table is sorted; only a new one pays this */
            qsort(tab.codes[level], tab.ncodes[level], sizeof(struct code_ix), cmp_code_ix);
        for (i = 1; i < tab.ncodes[level]; i++) {
            if (tab.codes[level][i - 1].code == tab.codes[level][i].code) {
                fprintf(stderr, "magnet: region table: duplicate code %s\n",
                        tab.regions[tab.codes[level][i].index].code);
                abort();
            }
        }
    }
}

/* Full names, names and folded keys, all in one pool. Parents come before
 * children whatever the row order: the passes go by level. */
static void build_pool(struct row_extra *extra)
{
    size_t total = 0, i, at = 0;
    int level;

    for (level = 1; level <= 4; level++) {
        for (i = 0; i < tab.count; i++) {
            struct region *r = &tab.regions[i];
            struct row_extra *x = &extra[i];
            const struct region *pa = r->parent;
            if (r->level != level)
                continue;
            /* placeholders add nothing; nor does a county that repeats
             * its city's name (东莞市 under 东莞市) */
            x->own_name = !is_placeholder_name(level, x->name, x->name_len) &&
                          !(pa && extra[region_index(pa)].name_len == x->name_len &&
                            memcmp(extra[region_index(pa)].name, x->name, x->name_len) == 0);
            x->full_len = (pa ? extra[region_index(pa)].full_len : 0) +
                          (x->own_name ? x->name_len : 0);
            total += x->full_len + 1;
            if (!x->own_name)
                total += x->name_len + 1;
            if (needs_fold(x->name, x->name_len))
                total += x->name_len + 1;
        }
    }
    if (total > UINT32_MAX) {
        /* entries keep 32-bit offsets into the pool */
        fprintf(stderr, "magnet: region table of %zu bytes is too big\n", total);
        abort();
    }
    tab.pool = xmalloc(total ? total : 1);
    for (level = 1; level <= 4; level++) {
        for (i = 0; i < tab.count; i++) {
            struct region *r = &tab.regions[i];
            struct row_extra *x = &extra[i];
            const struct region *pa = r->parent;
            char *full = tab.pool + at;
            size_t plen = pa ? extra[region_index(pa)].full_len : 0;

            if (r->level != level)
                continue;
            if (pa)
                memcpy(full, pa->full_name, plen);
            if (x->own_name)
                memcpy(full + plen, x->name, x->name_len);
            full[x->full_len] = '\0';
            r->full_name = full;
            at += x->full_len + 1;
            if (x->own_name) {
                r->name = full + plen;
            } else {
                memcpy(tab.pool + at, x->name, x->name_len);
                tab.pool[at + x->name_len] = '\0';
                r->name = tab.pool + at;
                at += x->name_len + 1;
            }
            /* keys are in the form lookups fold their input to: a few
             * names carry full-width brackets */
            x->key = (uint32_t)(r->name - tab.pool);
            x->key_len = x->name_len;
            if (needs_fold(x->name, x->name_len)) {
                size_t fn = ref_fold(x->name, x->name_len, tab.pool + at, x->name_len + 1,
                                     REF_FOLD_DROP_SPACE);
                if (fn == (size_t)-1)
                    fn = x->name_len;  /* folding never lengthens */
                x->key = (uint32_t)at;
                x->key_len = (uint32_t)fn;
                at += x->name_len + 1;
            }
        }
    }
}

static void build_names(const struct row_extra *extra)
{
    size_t i, slots = 1024, bigram_slots = 1024;
    struct key_queue q;

    tab.entries = xmalloc(st_mult(tab.count * 2 + 1, sizeof(struct name_entry)));
    /* at most 3/4 full */
    while (slots - slots / 4 < tab.count * 2 + 1)
        slots *= 2;
    tab.slots = xcalloc(slots, sizeof(struct name_slot));
    tab.slot_mask = slots - 1;
    /* short names share their name's first two characters: at most one
     * bigram per region, in practice half that */
    while (bigram_slots < tab.count)
        bigram_slots *= 2;
    tab.bigrams = xcalloc(bigram_slots, sizeof(struct bigram_slot));
    tab.bigram_mask = bigram_slots - 1;

    memset(&q, 0, sizeof(q));
    for (i = tab.count; i-- > 0;) {
        const struct region *r = &tab.regions[i];
        const struct row_extra *x = &extra[i];
        const char *key = tab.pool + x->key;
        size_t chars, s;

        if (is_placeholder_name(r->level, r->name, x->name_len))
            continue;
        chars = count_chars(key, x->key_len);
        if (chars < 2)
            continue;
        if (chars > KEY_MAX_CHARS) {
            fprintf(stderr, "magnet: region %s: name longer than %d characters\n", r->code,
                    KEY_MAX_CHARS);
            abort();
        }
        name_queue(&q, x->key, x->key_len, chars, i, NAME_EXACT);
        s = short_name_len(key, x->key_len, r->level);
        if (s)
            name_queue(&q, x->key, s, count_chars(key, s), i, NAME_SHORT);
    }
    name_flush(&q);
}

static void table_load(void)
{
    struct ref_reader rd;
    struct row_extra *extra;
    size_t max, i, by_level[5];
    int level;

    ref_reader_init(&rd, magnet_data_regions, magnet_data_regions_len, "region");
    max = ref_reader_rows(&rd, by_level);
    tab.regions = xcalloc(max ? max : 1, sizeof(struct region));
    extra = xmalloc(st_mult(max ? max : 1, sizeof(*extra)));
    for (level = 1; level <= 4; level++)
        tab.codes[level] = xmalloc(st_mult(by_level[level] + 1, sizeof(struct code_ix)));
    read_rows(&rd, extra, by_level);
    for (i = 0; i < tab.count; i++) {
        struct region *r = &tab.regions[i];
        if (r->level > REGION_PROVINCE &&
            !(r->parent = find_level_code(r->level - 1, extra[i].parent_code))) {
            fprintf(stderr, "magnet: region %s: no parent %u in the table\n", r->code,
                    extra[i].parent_code);
            abort();
        }
    }
    build_pool(extra);
    build_names(extra);
    free(extra);
}

void region_table_init(void)
{
    pthread_once(&tab_once, table_load);
}

size_t region_count(void)
{
    region_table_init();
    return tab.count;
}

const struct region *region_at(size_t i)
{
    region_table_init();
    return i < tab.count ? &tab.regions[i] : NULL;
}

/* ---- codes ------------------------------------------------------------ */

const struct region *region_find_code(const char *code)
{
    char buf[32];
    size_t n;
    uint32_t v;
    const struct region *r;

    region_table_init();
    if (!code)
        return NULL;
    n = ref_fold(code, strlen(code), buf, sizeof(buf), 0);
    if (n == (size_t)-1)
        return NULL;
    /* the 12-digit NBS form: a street and 000 */
    if (n == 12) {
        if (memcmp(buf + 9, "000", 3) != 0)
            return NULL;
        n = 9;
    }
    if (parse_digits(buf, n, &v) != 0)
        return NULL;
    if (n == 9) {
        if ((r = find_level_code(REGION_STREET, v)) || v % 1000)
            return r;
        /* a county, city or province padded to 9 or 12 digits */
        v /= 1000;
        n = 6;
    }
    switch (n) {
    case 2:
        return find_level_code(REGION_PROVINCE, v);
    case 4:
        return find_level_code(REGION_CITY, v);
    case 6:
        /* an exact county first: 441900 is the county 东莞市, not 4419 */
        if ((r = find_level_code(REGION_COUNTY, v)) || v % 100)
            return r;
        if ((r = find_level_code(REGION_CITY, v / 100)) || v % 10000)
            return r;
        return find_level_code(REGION_PROVINCE, v / 10000);
    default:
        return NULL;
    }
}

/* ---- navigation ------------------------------------------------------- */

const struct region *region_ancestor(const struct region *r, int level)
{
    if (!r || r->level < level)
        return NULL;
    while (r && r->level > level)
        r = r->parent;
    return r;
}

int region_is_within(const struct region *r, const struct region *a)
{
    if (!r || !a)
        return 0;
    while (r && r->level > a->level)
        r = r->parent;
    return r == a;
}

/* ---- settling several matches ----------------------------------------- */

struct hit {
    uint32_t index;
    uint32_t shorts;      /* how many short names the parse used */
    uint32_t last_short;  /* the last part of the name was a short name */
};

static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    if (x->shorts != y->shorts)
        return x->shorts < y->shorts ? -1 : 1;
    return (int)x->last_short - (int)y->last_short;
}

static int hit_find(const struct hit *h, size_t n, uint32_t index)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid].index < index)
            lo = mid + 1;
        else if (h[mid].index > index)
            hi = mid;
        else
            return (int)mid;
    }
    return -1;
}

/* Reduce the regions that all match one name to what the name means, in
 * place; returns how many are left (sorted by table order).
 *
 *   1. A name written out in full beats one that needed a short name
 *      ("朝阳区" is the two districts, not also a 朝阳区街道 somewhere).
 *   2. A region that repeats its parent's name is the same place as the
 *      parent (东莞市 the county under 东莞市 the city): the more specific
 *      one stands for both.
 *   3. Otherwise, when a region and one of its descendants both match, the
 *      descendant only matched by accident of naming (海淀 = 海淀区, not its
 *      海淀街道).
 *   4. A bare name without its suffix means the biggest place of that name:
 *      "河南" is the province, not 河南蒙古族自治县; "吉林" the province, not
 *      吉林市. Places of the same level stay ambiguous ("西湖").
 */
static size_t settle(struct hit *h, size_t n)
{
    size_t i, k;
    uint32_t best = UINT32_MAX;
    unsigned char small[ADDRESS_MAX_CANDS * 2], *drop;
    int all_short = 1, top_level = 5;

    if (n == 0)
        return 0;
    qsort(h, n, sizeof(*h), cmp_hit);
    /* one entry per region, with its best parse */
    for (i = 1, k = 1; i < n; i++)
        if (h[i].index != h[k - 1].index)
            h[k++] = h[i];
    n = k;
    for (i = 0; i < n; i++)
        if (h[i].shorts < best)
            best = h[i].shorts;
    for (i = 0, k = 0; i < n; i++)
        if (h[i].shorts == best)
            h[k++] = h[i];
    n = k;

    /* the address scan settles a handful at every step: no malloc there */
    if (n <= sizeof(small)) {
        drop = small;
        memset(drop, 0, n);
    } else {
        drop = xcalloc(n, 1);
    }
    for (i = 0; i < n; i++) {
        const struct region *r = &tab.regions[h[i].index];
        const struct region *a;
        for (a = r->parent; a; a = a->parent) {
            int j = hit_find(h, n, (uint32_t)region_index(a));
            if (j < 0)
                continue;
            if (strcmp(a->name, r->name) == 0)
                drop[j] = 1;
            else
                drop[i] = 1;
        }
    }
    for (i = 0, k = 0; i < n; i++)
        if (!drop[i])
            h[k++] = h[i];
    n = k;
    if (drop != small)
        free(drop);

    for (i = 0; i < n; i++) {
        if (!h[i].last_short)
            all_short = 0;
        if (tab.regions[h[i].index].level < top_level)
            top_level = tab.regions[h[i].index].level;
    }
    if (all_short) {
        for (i = 0, k = 0; i < n; i++)
            if (tab.regions[h[i].index].level == top_level)
                h[k++] = h[i];
        n = k;
    }
    return n;
}

/* ---- names ------------------------------------------------------------ */

struct parse {
    const char *s;
    size_t n;
    struct hit *hits;
    size_t nhits, alloc;
    size_t budget;
};

/* Every way to read s[pos..n) as a chain of names going down from ctx. */
static void parse_from(struct parse *ps, size_t pos, const struct region *ctx, uint32_t shorts,
                       uint32_t last_short)
{
    size_t off[KEY_MAX_CHARS + 1];
    uint32_t mask;
    int k;

    if (pos == ps->n) {
        if (ctx) {
            ALLOC_GROW(ps->hits, ps->nhits + 1, ps->alloc);
            ps->hits[ps->nhits].index = (uint32_t)region_index(ctx);
            ps->hits[ps->nhits].shorts = shorts;
            ps->hits[ps->nhits].last_short = last_short;
            ps->nhits++;
        }
        return;
    }
    /* nothing lies below a street */
    if (ctx && ctx->level == REGION_STREET)
        return;
    mask = key_lengths_at(ps->s + pos, ps->n - pos, off);
    for (k = 2; k <= KEY_MAX_CHARS && mask >> k; k++) {
        const struct name_entry *e;
        if (!(mask & ((uint32_t)1 << k)))
            continue;
        for (e = name_lookup(ps->s + pos, off[k]); e; e = name_next(e)) {
            const struct region *r = &tab.regions[e->region];
            if (!ps->budget)
                return;
            ps->budget--;
            if (ctx && !is_below(r, ctx))
                continue;
            parse_from(ps, pos + off[k], r, shorts + e->kind, e->kind);
        }
    }
}

size_t region_find_name(const char *name, const struct region *within, int level,
                        const struct region **out, size_t max)
{
    char buf[NAME_CAP];
    struct parse ps = { 0 };
    size_t i, k, n;

    region_table_init();
    if (!name)
        return 0;
    n = ref_fold(name, strlen(name), buf, sizeof(buf), REF_FOLD_DROP_SPACE);
    if (n == (size_t)-1 || n == 0)
        return 0;
    ps.s = buf;
    ps.n = n;
    ps.budget = PARSE_BUDGET;
    parse_from(&ps, 0, NULL, 0, 0);
    if (!ps.budget) {
        /* a pathological input: better unknown than half-searched */
        free(ps.hits);
        return 0;
    }
    for (i = 0, k = 0; i < ps.nhits; i++) {
        const struct region *r = &tab.regions[ps.hits[i].index];
        if (level && r->level != level)
            continue;
        if (within && !region_is_within(r, within))
            continue;
        ps.hits[k++] = ps.hits[i];
    }
    n = settle(ps.hits, k);
    for (i = 0; i < n && i < max; i++)
        out[i] = &tab.regions[ps.hits[i].index];
    free(ps.hits);
    return n;
}

/* ---- addresses -------------------------------------------------------- */

/* Punctuation between the parts of an address ("浙江省,杭州市"); the input
 * is already width-folded, so '，' has become ','. */
static int is_separator(int32_t cp)
{
    return (cp > 0 && cp < 0x80 && !((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
                                     (cp >= 'a' && cp <= 'z'))) ||
           cp == 0x3001 /* 、 */;
}

static int under_any(const struct region *r, const uint32_t *cands, size_t nc)
{
    size_t i;
    for (i = 0; i < nc; i++)
        if (is_below(r, &tab.regions[cands[i]]))
            return 1;
    return 0;
}

/*
 * The longest name at s[pos..n) that continues what was found so far
 * (cands, none at the start). Writes the regions it names to next and
 * returns its length in bytes, or 0.
 *
 * Which names count: at the start, provinces, cities and counties by their
 * table name, and provinces and cities by their short name ("浙江杭州")
 * only when another name follows at once, so that 北京路 or 中山大道 is
 * not taken for a place. Further on, anything below what was found, by
 * table name; short names only for cities and only right after the
 * previous name. Counties and streets are never matched without their
 * suffix: 西湖文化广场 is not in 西湖区.
 */
static size_t address_match(const char *s, size_t n, size_t pos, const uint32_t *cands, size_t nc,
                            int adjacent, uint32_t *next, size_t *nnext)
{
    size_t off[KEY_MAX_CHARS + 1];
    uint32_t mask = key_lengths_at(s + pos, n - pos, off);
    int k;

    for (k = KEY_MAX_CHARS; k >= 2 && mask; k--) {
        const struct name_entry *e;
        struct hit h[ADDRESS_MAX_CANDS];
        size_t m = 0, i, j;
        int exact = 0, too_many = 0;

        if (!(mask & ((uint32_t)1 << k)))
            continue;
        mask &= ~((uint32_t)1 << k);
        for (e = name_lookup(s + pos, off[k]); e; e = name_next(e)) {
            const struct region *r = &tab.regions[e->region];
            if (nc == 0) {
                if (e->kind == NAME_EXACT ? r->level > REGION_COUNTY : r->level > REGION_CITY)
                    continue;
            } else {
                if (e->kind == NAME_SHORT && (r->level > REGION_CITY || !adjacent))
                    continue;
                if (!under_any(r, cands, nc))
                    continue;
            }
            if (m == ADDRESS_MAX_CANDS) {
                too_many = 1;
                break;
            }
            h[m].index = e->region;
            h[m].shorts = e->kind;
            h[m].last_short = e->kind;
            exact |= e->kind == NAME_EXACT;
            m++;
        }
        if (too_many || m == 0)
            continue;
        if (nc == 0 && exact) {
            for (i = 0, j = 0; i < m; i++)
                if (!h[i].shorts)
                    h[j++] = h[i];
            m = j;
        }
        m = settle(h, m);
        if (nc == 0 && !exact) {
            uint32_t tmp[ADDRESS_MAX_CANDS], conf[ADDRESS_MAX_CANDS];
            size_t q = pos + off[k], nconf;
            int32_t cp;
            for (i = 0; i < m; i++)
                tmp[i] = h[i].index;
            while (q < n) {
                size_t l = ref_utf8_next(s + q, n - q, &cp);
                if (!is_separator(cp))
                    break;
                q += l;
            }
            if (q >= n || !address_match(s, n, q, tmp, m, 1, conf, &nconf))
                continue;
        }
        for (i = 0; i < m; i++)
            next[i] = h[i].index;
        *nnext = m;
        return off[k];
    }
    return 0;
}

static const struct region *common_ancestor(const uint32_t *cands, size_t nc)
{
    const struct region *a;
    size_t i;
    if (!nc)
        return NULL;
    a = &tab.regions[cands[0]];
    for (i = 1; i < nc && a; i++) {
        const struct region *r = &tab.regions[cands[i]];
        while (a && !region_is_within(r, a))
            a = a->parent;
    }
    return a;
}

const struct region *region_from_address(const char *address)
{
    char buf[ADDRESS_CAP];
    uint32_t cands[ADDRESS_MAX_CANDS], next[ADDRESS_MAX_CANDS];
    size_t nc = 0, n, pos = 0, i;
    int adjacent = 0, deepest;

    region_table_init();
    if (!address)
        return NULL;
    n = ref_fold(address, strlen(address), buf, sizeof(buf), REF_FOLD_DROP_SPACE);
    if (n == (size_t)-1)
        n = strlen(buf);  /* scan the part that fitted */
    while (pos < n) {
        size_t nn, len = address_match(buf, n, pos, cands, nc, adjacent, next, &nn);
        int32_t cp;
        if (len) {
            memcpy(cands, next, nn * sizeof(cands[0]));
            nc = nn;
            pos += len;
            adjacent = 1;
            /* nothing lies below a street: done */
            for (i = 0, deepest = 1; i < nc; i++)
                if (tab.regions[cands[i]].level != REGION_STREET)
                    deepest = 0;
            if (deepest)
                break;
            continue;
        }
        pos += ref_utf8_next(buf + pos, n - pos, &cp);
        if (!is_separator(cp))
            adjacent = 0;
    }
    return common_ancestor(cands, nc);
}

const struct region *region_resolve(const char *text, size_t *nmatch)
{
    const struct region *m[2], *r = region_find_code(text);
    size_t n;
    *nmatch = r ? 1 : 0;
    if (r)
        return r;
    n = region_find_name(text, NULL, 0, m, 2);
    *nmatch = n;
    return n == 1 ? m[0] : NULL;
}
