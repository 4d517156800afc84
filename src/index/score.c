/*
 * score.c - the enterprise score: loading the JSON model, scoring in C,
 * explaining a score line by line, and writing the same score as SQL.
 *
 * Staff edit data/scoring.json by hand, so the loader is strict: an
 * unknown key, a wrong type, a negative or oversized number, bands out of
 * order, or maxima that do not add up are errors whose message starts with
 * the JSON path of the culprit ("scale.capital[2].min: must be below
 * scale.capital[1].min (1000)"). Nothing is silently ignored except the
 * "note" strings, which are there for the editor.
 *
 * The file speaks human units (万元, years, items, days); the loader turns
 * every threshold into the unit of the facts once (cents, days, items), so
 * that scoring compares integers only and score_sql can write the very same
 * thresholds as literals. The three paths - score_base/score_total,
 * score_explain, score_sql - share the rules below and are tested against
 * each other (tests/unit/test_score.c):
 *
 *   band list   the first band from the top whose threshold the value
 *               reaches gives its points; an unknown value (or one below
 *               every band but the last) gets the last band's points, and
 *               the last band must have min 0;
 *   age         Y years are floor(Y * 365.25) days: a band of Y years
 *               matches when founded <= today - floor(Y * 1461 / 4);
 *   recency     a band of N days matches when funding_date >= today - N;
 *               unknown date or older than every band: 0 points;
 *   tags        sum of the points of the tags held, at most tags.max;
 *   round       the points listed for it, else 0 (also for none);
 *   chain       member points, plus gap points for a member in a gap node;
 *   exclusion   a listed status makes the total 0.
 */
#include "index/score.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/alloc.h"
#include "registry/value.h"

extern const unsigned char magnet_data_scoring[];
extern const size_t magnet_data_scoring_len;

#define POINTS_MAX 100
#define STATUS_SLOTS 8 /* enum ent_status values 0..STATUS_OTHER */
#define ROUND_SLOTS 128 /* at least twice SCORE_MAX_ROUNDS */

_Static_assert(STATUS_OTHER < STATUS_SLOTS, "every status fits the exclusion mask");
_Static_assert(TAG_COUNT <= 8, "a table of every set of tags stays small");
_Static_assert(ROUND_SLOTS >= 2 * SCORE_MAX_ROUNDS && SCORE_MAX_ROUNDS < 255, "round table");

/* The factors, in the breakdown's order. */
enum score_factor {
    SF_CAPITAL,
    SF_AGE,
    SF_STAFF,
    SF_INVENTION,
    SF_UTILITY,
    SF_DESIGN,
    SF_SOFTWARE,
    SF_TAGS,
    SF_ROUND,
    SF_RECENCY,
    SF_MEMBER,
    SF_GAP,
    SF_COUNT
};

_Static_assert(SF_COUNT == SCORE_MAX_LINES, "one breakdown line per factor");

enum score_dim { SD_SCALE, SD_INNOVATION, SD_GROWTH, SD_CHAIN, SD_COUNT };

static const struct {
    const char *name;
    enum score_dim dim;
} factors[SF_COUNT] = {
    [SF_CAPITAL] = { "capital", SD_SCALE },       [SF_AGE] = { "age", SD_SCALE },
    [SF_STAFF] = { "staff", SD_SCALE },           [SF_INVENTION] = { "invention", SD_INNOVATION },
    [SF_UTILITY] = { "utility", SD_INNOVATION },  [SF_DESIGN] = { "design", SD_INNOVATION },
    [SF_SOFTWARE] = { "software", SD_INNOVATION }, [SF_TAGS] = { "tags", SD_INNOVATION },
    [SF_ROUND] = { "round", SD_GROWTH },          [SF_RECENCY] = { "recency", SD_GROWTH },
    [SF_MEMBER] = { "member", SD_CHAIN },         [SF_GAP] = { "gap", SD_CHAIN },
};

static const char *const dim_names[SD_COUNT] = { "scale", "innovation", "growth", "chain" };

struct band {
    int64_t min;  /* as written: 万元, years, items */
    int64_t thr;  /* in the facts' unit: cents, days, items */
    int points;
};

struct band_list {
    size_t n;  /* >= 1 once loaded; the last band has min 0 */
    struct band b[SCORE_MAX_BANDS];
};

struct recency_band {
    int64_t within;  /* days */
    int points;
};

struct round_points {
    char name[16];
    int points;
};

struct score_model {
    uint32_t excluded;                   /* bit (1u << enum ent_status) */
    struct band_list capital, age, staff;
    struct band_list kinds[4];           /* invention, utility, design, software */
    int unsplit;                         /* SF_INVENTION..SF_DESIGN, or -1: none */
    int tag_points[TAG_COUNT];
    int tag_max;
    uint8_t tag_sum[1u << TAG_COUNT];    /* capped points of every set of tags */
    struct round_points rounds[SCORE_MAX_ROUNDS];
    size_t nrounds;
    uint8_t round_slot[ROUND_SLOTS];     /* open addressing by round_hash: index + 1, 0 empty */
    struct recency_band recency[SCORE_MAX_BANDS];
    size_t nrecency;
    int member, gap;
    int dim_max[SD_COUNT];
    int factor_max[SF_COUNT];
    char hash[13];
};

/* ---- small helpers ---- */

static int64_t sub_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b > 0 ? INT64_MIN : INT64_MAX;
    return r;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;  /* days from 0000-03-01 to 1970-01-01 */
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;                                   /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            /* [0, 365], from March 1 */
    mp = (5 * doy + 2) / 153;                                 /* [0, 11], March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void format_date(int64_t days, char *out, size_t outlen)
{
    int64_t y;
    int m, d;
    if (days < -1000000000 || days > 1000000000) {  /* beyond any calendar of interest */
        snprintf(out, outlen, "day %lld", (long long)days);
        return;
    }
    civil_from_days(days, &y, &m, &d);
    snprintf(out, outlen, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* Y years as days: floor(Y * 365.25). */
static int64_t years_to_days(int64_t years)
{
    return years * 1461 / 4;
}

/* Whole years in an age of d >= 0 days (the inverse of years_to_days:
 * the most Y with years_to_days(Y) <= d). */
static int64_t days_to_years(int64_t d)
{
    return d < INT64_MAX / 8 ? (4 * d + 3) / 1461 : d / 365;
}

/* A canonical funding round as value_parse_round writes it (value.h):
 * seed, seed+, angel, angel+, pre-angel, [pre-]a..j with up to two '+',
 * pre-ipo, ipo, post-ipo, listed, neeq, placement, strategic, equity, m&a,
 * debt, transfer. */
static int round_is_canonical(const char *s)
{
    static const char *const fixed[] = {
        "seed",     "seed+",  "angel",     "angel+",    "pre-angel", "pre-ipo", "ipo", "post-ipo",
        "listed",   "neeq",   "placement", "strategic", "equity",    "m&a",     "debt", "transfer",
    };
    size_t i, plus = 0;
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (!strcmp(s, fixed[i]))
            return 1;
    if (!strncmp(s, "pre-", 4))
        s += 4;
    if (*s < 'a' || *s > 'j')
        return 0;
    for (s++; *s == '+'; s++)
        plus++;
    return !*s && plus <= 2;
}

static uint32_t round_hash(const char *s, size_t *len)
{
    uint32_t h = 2166136261u;  /* FNV-1a */
    size_t n = 0;
    for (; s[n] && n < 16; n++)
        h = (h ^ (unsigned char)s[n]) * 16777619u;
    *len = n;
    return h;
}

/* ---- the loader ---- */

struct loader {
    const char *source;
    struct error *err;
};

#define PATH_MAX_LEN 200

/* "SOURCE: PATH: message" (or "SOURCE: message" when path is empty). */
static int fail(struct loader *ld, const char *path, const char *fmt, ...) MAGNET_PRINTF(3, 4);
static int fail(struct loader *ld, const char *path, const char *fmt, ...)
{
    char msg[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ld->source && *path)
        return error_set(ld->err, "%s: %s: %s", ld->source, path, msg);
    if (ld->source)
        return error_set(ld->err, "%s: %s", ld->source, msg);
    if (*path)
        return error_set(ld->err, "%s: %s", path, msg);
    return error_set(ld->err, "%s", msg);
}

/* path + "." + key into out, the key cut (at a character boundary) when
 * it is long: messages stay readable whatever the file holds. */
static void path_key(char *out, size_t outlen, const char *path, const char *key)
{
    size_t n = strlen(key);
    const char *more = "";
    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80)
            n--;
        more = "…";
    }
    if (snprintf(out, outlen, "%s%s%.*s%s", path, *path ? "." : "", (int)n, key, more) < 0)
        out[0] = '\0';
}

static void path_index(char *out, size_t outlen, const char *path, size_t i)
{
    if (snprintf(out, outlen, "%s[%zu]", path, i) < 0)  /* a cut path is still a path */
        out[0] = '\0';
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "a whole number";
    case JSON_REAL: return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "true/false";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* Check that v is an object with only the given keys (and "note", a
 * string, when allow_note), holding at least the first nrequired of them. */
static int check_object(struct loader *ld, const json_t *v, const char *path,
                        const char *const *keys, size_t nkeys, size_t nrequired, int allow_note)
{
    const char *key;
    json_t *val;
    char sub[PATH_MAX_LEN], expected[256];
    size_t i, n = 0;

    if (!json_is_object(v))
        return fail(ld, path, "must be an object, not %s", type_name(v));
    json_object_foreach((json_t *)v, key, val) {
        int known = 0;
        for (i = 0; i < nkeys; i++)
            known |= !strcmp(key, keys[i]);
        path_key(sub, sizeof(sub), path, key);
        if (allow_note && !strcmp(key, "note")) {
            if (!json_is_string(val))
                return fail(ld, sub, "must be a string, not %s", type_name(val));
            continue;
        }
        if (!known) {
            expected[0] = '\0';
            for (i = 0; i < nkeys; i++)
                n += (size_t)snprintf(expected + n, n < sizeof(expected) ? sizeof(expected) - n : 0,
                                      "%s%s", i ? ", " : "", keys[i]);
            return fail(ld, sub, "unknown key (expected %s%s)", expected,
                        allow_note ? " or note" : "");
        }
    }
    for (i = 0; i < nrequired; i++)
        if (!json_object_get(v, keys[i]))
            return fail(ld, path, "missing key '%s'", keys[i]);
    return 0;
}

/* A whole number lo..hi (a real such as 5.0 is refused too: every
 * threshold and point is an integer). */
static int get_int(struct loader *ld, const json_t *v, const char *path, int64_t lo, int64_t hi,
                   int64_t *out)
{
    json_int_t i;
    if (json_is_real(v))
        return fail(ld, path, "must be a whole number, not %g", json_real_value(v));
    if (!json_is_integer(v))
        return fail(ld, path, "must be a whole number, not %s", type_name(v));
    i = json_integer_value(v);
    if (i < 0 && lo >= 0)
        return fail(ld, path, "must not be negative (%lld)", (long long)i);
    if (i < lo)
        return fail(ld, path, "must be at least %lld (%lld)", (long long)lo, (long long)i);
    if (i > hi)
        return fail(ld, path, "must be at most %lld (%lld)", (long long)hi, (long long)i);
    *out = (int64_t)i;
    return 0;
}

static int get_points(struct loader *ld, const json_t *v, const char *path, int *out)
{
    int64_t p;
    if (get_int(ld, v, path, 0, POINTS_MAX, &p) != 0)
        return -1;
    *out = (int)p;
    return 0;
}

/* A band list. min_max bounds "min" (in the file's unit); scale turns a
 * min into the facts' unit (thr). */
static int load_bands(struct loader *ld, const json_t *v, const char *path, int64_t min_max,
                      int64_t (*scale)(int64_t), struct band_list *out, int *max)
{
    static const char *const keys[] = { "min", "points" };
    char ep[PATH_MAX_LEN], kp[PATH_MAX_LEN], prev[PATH_MAX_LEN];
    size_t i, n;

    if (!json_is_array(v))
        return fail(ld, path, "must be an array of bands {\"min\": ..., \"points\": ...}, not %s",
                    type_name(v));
    n = json_array_size(v);
    if (n == 0)
        return fail(ld, path, "must hold at least one band (the last with min 0)");
    if (n > SCORE_MAX_BANDS)
        return fail(ld, path, "holds %zu bands, at most %d are allowed", n, SCORE_MAX_BANDS);
    out->n = n;
    *max = 0;
    for (i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        struct band *b = &out->b[i];
        path_index(ep, sizeof(ep), path, i);
        if (check_object(ld, e, ep, keys, 2, 2, 0) != 0)
            return -1;
        path_key(kp, sizeof(kp), ep, "min");
        if (get_int(ld, json_object_get(e, "min"), kp, 0, min_max, &b->min) != 0)
            return -1;
        if (i > 0 && b->min >= out->b[i - 1].min) {
            char pp[PATH_MAX_LEN];
            path_index(pp, sizeof(pp), path, i - 1);
            path_key(prev, sizeof(prev), pp, "min");
            return fail(ld, kp, "must be below %s (%lld): bands go from the highest min down", prev,
                        (long long)out->b[i - 1].min);
        }
        b->thr = scale ? scale(b->min) : b->min;
        path_key(kp, sizeof(kp), ep, "points");
        if (get_points(ld, json_object_get(e, "points"), kp, &b->points) != 0)
            return -1;
        if (b->points > *max)
            *max = b->points;
    }
    if (out->b[n - 1].min != 0) {
        path_index(ep, sizeof(ep), path, n - 1);
        path_key(kp, sizeof(kp), ep, "min");
        return fail(ld, kp, "the last band must have min 0 (%lld): it also scores values below the "
                            "other bands and unknown values",
                    (long long)out->b[n - 1].min);
    }
    return 0;
}

static int64_t wan_to_cents(int64_t wan)
{
    return wan * 1000000;
}

#define CAPITAL_MIN_MAX 1000000000LL  /* 10万亿元 in 万元 */
#define YEARS_MIN_MAX 500
#define COUNT_MIN_MAX 1000000000LL
#define DAYS_MAX 36600                /* a century */

static int load_exclude(struct loader *ld, const json_t *v, struct score_model *m)
{
    static const char *const keys[] = { "status" };
    const json_t *list;
    char lp[PATH_MAX_LEN], ep[PATH_MAX_LEN];
    size_t i;

    if (check_object(ld, v, "exclude", keys, 1, 1, 1) != 0)
        return -1;
    list = json_object_get(v, "status");
    snprintf(lp, sizeof(lp), "exclude.status");
    if (!json_is_array(list))
        return fail(ld, lp, "must be an array of status names, not %s", type_name(list));
    for (i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        enum ent_status st;
        path_index(ep, sizeof(ep), lp, i);
        if (!json_is_string(e))
            return fail(ld, ep, "must be a status name, not %s", type_name(e));
        if (value_status_from_name(json_string_value(e), &st) != 0 || (unsigned)st >= STATUS_SLOTS)
            return fail(ld, ep,
                        "'%.40s' is not a status (expected unknown, active, cancelled, revoked, "
                        "moved-out, suspended, liquidating or other)",
                        json_string_value(e));
        if (st == STATUS_ACTIVE)
            return fail(ld, ep, "'active' cannot be excluded: it is what every other status is not");
        if (m->excluded & (1u << st))
            return fail(ld, ep, "'%s' is listed twice", value_status_name(st));
        m->excluded |= 1u << st;
    }
    return 0;
}

static int load_scale(struct loader *ld, const json_t *v, struct score_model *m)
{
    static const char *const keys[] = { "max", "capital", "age", "staff" };
    if (check_object(ld, v, "scale", keys, 4, 4, 1) != 0 ||
        load_bands(ld, json_object_get(v, "capital"), "scale.capital", CAPITAL_MIN_MAX,
                   wan_to_cents, &m->capital, &m->factor_max[SF_CAPITAL]) != 0 ||
        load_bands(ld, json_object_get(v, "age"), "scale.age", YEARS_MIN_MAX, years_to_days,
                   &m->age, &m->factor_max[SF_AGE]) != 0 ||
        load_bands(ld, json_object_get(v, "staff"), "scale.staff", COUNT_MIN_MAX, NULL, &m->staff,
                   &m->factor_max[SF_STAFF]) != 0)
        return -1;
    return 0;
}

static int load_tags(struct loader *ld, const json_t *v, struct score_model *m)
{
    static const char *const keys[] = { "max", "points" };
    const json_t *pts, *val;
    const char *key;
    char kp[PATH_MAX_LEN];
    int64_t max;
    int sum = 0;
    unsigned set;

    if (check_object(ld, v, "innovation.tags", keys, 2, 2, 1) != 0)
        return -1;
    pts = json_object_get(v, "points");
    if (!json_is_object(pts))
        return fail(ld, "innovation.tags.points", "must be an object {\"hightech\": 6, ...}, not %s",
                    type_name(pts));
    json_object_foreach((json_t *)pts, key, val) {
        int t, found = -1;
        for (t = 0; t < TAG_COUNT; t++)
            if (!strcmp(key, value_tag_name((enum ent_tag)t)))
                found = t;
        path_key(kp, sizeof(kp), "innovation.tags.points", key);
        if (found < 0)
            return fail(ld, kp, "unknown tag (expected hightech, techsme, specialised, littlegiant, "
                                "gazelle, unicorn, listed or neeq)");
        if (get_points(ld, val, kp, &m->tag_points[found]) != 0)
            return -1;
        sum += m->tag_points[found];
    }
    if (get_int(ld, json_object_get(v, "max"), "innovation.tags.max", 0, POINTS_MAX, &max) != 0)
        return -1;
    if (max > sum)
        return fail(ld, "innovation.tags.max", "%lld is more than all tags together give (%d)",
                    (long long)max, sum);
    m->tag_max = (int)max;
    for (set = 0; set < (1u << TAG_COUNT); set++) {
        int t, got = 0;
        for (t = 0; t < TAG_COUNT; t++)
            if (set & (1u << t))
                got += m->tag_points[t];
        m->tag_sum[set] = (uint8_t)(got > m->tag_max ? m->tag_max : got);
    }
    m->factor_max[SF_TAGS] = (int)max;
    return 0;
}

static int load_innovation(struct loader *ld, const json_t *v, struct score_model *m)
{
    static const char *const keys[] = { "max",      "invention",       "utility", "design",
                                        "software", "unsplit_patents", "tags" };
    static const char *const kinds[] = { "invention", "utility", "design", "software" };
    const json_t *u;
    char kp[PATH_MAX_LEN];
    int k;

    if (check_object(ld, v, "innovation", keys, 7, 7, 1) != 0)
        return -1;
    for (k = 0; k < 4; k++) {
        path_key(kp, sizeof(kp), "innovation", kinds[k]);
        if (load_bands(ld, json_object_get(v, kinds[k]), kp, COUNT_MIN_MAX, NULL, &m->kinds[k],
                       &m->factor_max[SF_INVENTION + k]) != 0)
            return -1;
    }
    u = json_object_get(v, "unsplit_patents");
    m->unsplit = -2;
    if (json_is_string(u)) {
        const char *s = json_string_value(u);
        for (k = 0; k < 3; k++)
            if (!strcmp(s, kinds[k]))
                m->unsplit = SF_INVENTION + k;
        if (!strcmp(s, "none"))
            m->unsplit = -1;
    }
    if (m->unsplit == -2)
        return fail(ld, "innovation.unsplit_patents",
                    "must be \"invention\", \"utility\", \"design\" or \"none\"");
    return load_tags(ld, json_object_get(v, "tags"), m);
}

static int load_rounds(struct loader *ld, const json_t *v, struct score_model *m)
{
    const char *key;
    const json_t *val;
    char kp[PATH_MAX_LEN];
    size_t slot, len;

    if (!json_is_object(v))
        return fail(ld, "growth.round", "must be an object {\"a\": 4, ...}, not %s", type_name(v));
    m->factor_max[SF_ROUND] = 0;
    json_object_foreach((json_t *)v, key, val) {
        struct round_points *r;
        path_key(kp, sizeof(kp), "growth.round", key);
        if (!round_is_canonical(key)) {
            char canon[16];
            if (value_parse_round(key, strlen(key), canon, NULL) == 1 && round_is_canonical(canon))
                return fail(ld, kp, "write the round as '%s'", canon);
            return fail(ld, kp, "not a canonical round (seed, seed+, angel, angel+, pre-angel, "
                                "pre-a, a, a+, a++, ... j, pre-ipo, ipo, post-ipo, listed, neeq, "
                                "placement, strategic, equity, m&a, debt, transfer)");
        }
        if (m->nrounds == SCORE_MAX_ROUNDS)
            return fail(ld, "growth.round", "lists more than %d rounds", SCORE_MAX_ROUNDS);
        r = &m->rounds[m->nrounds++];
        snprintf(r->name, sizeof(r->name), "%s", key);
        slot = round_hash(r->name, &len) % ROUND_SLOTS;
        while (m->round_slot[slot])  /* keys are unique (JSON_REJECT_DUPLICATES) */
            slot = (slot + 1) % ROUND_SLOTS;
        m->round_slot[slot] = (uint8_t)m->nrounds;
        if (get_points(ld, val, kp, &r->points) != 0)
            return -1;
        if (r->points > m->factor_max[SF_ROUND])
            m->factor_max[SF_ROUND] = r->points;
    }
    return 0;
}

static int load_recency(struct loader *ld, const json_t *v, struct score_model *m)
{
    static const char *const keys[] = { "within_days", "points" };
    char ep[PATH_MAX_LEN], kp[PATH_MAX_LEN], pp[PATH_MAX_LEN], prev[PATH_MAX_LEN];
    size_t i, n;

    if (!json_is_array(v))
        return fail(ld, "growth.recency",
                    "must be an array of bands {\"within_days\": ..., \"points\": ...}, not %s",
                    type_name(v));
    n = json_array_size(v);
    if (n > SCORE_MAX_BANDS)
        return fail(ld, "growth.recency", "holds %zu bands, at most %d are allowed", n,
                    SCORE_MAX_BANDS);
    m->nrecency = n;
    m->factor_max[SF_RECENCY] = 0;
    for (i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        struct recency_band *b = &m->recency[i];
        path_index(ep, sizeof(ep), "growth.recency", i);
        if (check_object(ld, e, ep, keys, 2, 2, 0) != 0)
            return -1;
        path_key(kp, sizeof(kp), ep, "within_days");
        if (get_int(ld, json_object_get(e, "within_days"), kp, 0, DAYS_MAX, &b->within) != 0)
            return -1;
        if (i > 0 && b->within <= m->recency[i - 1].within) {
            path_index(pp, sizeof(pp), "growth.recency", i - 1);
            path_key(prev, sizeof(prev), pp, "within_days");
            return fail(ld, kp, "must be above %s (%lld): bands go from the most recent on", prev,
                        (long long)m->recency[i - 1].within);
        }
        path_key(kp, sizeof(kp), ep, "points");
        if (get_points(ld, json_object_get(e, "points"), kp, &b->points) != 0)
            return -1;
        if (b->points > m->factor_max[SF_RECENCY])
            m->factor_max[SF_RECENCY] = b->points;
    }
    return 0;
}

static int load_growth(struct loader *ld, const json_t *v, struct score_model *m)
{
    static const char *const keys[] = { "max", "round", "recency" };
    if (check_object(ld, v, "growth", keys, 3, 3, 1) != 0 ||
        load_rounds(ld, json_object_get(v, "round"), m) != 0 ||
        load_recency(ld, json_object_get(v, "recency"), m) != 0)
        return -1;
    return 0;
}

static int load_chain(struct loader *ld, const json_t *v, struct score_model *m)
{
    static const char *const keys[] = { "max", "member", "gap" };
    if (check_object(ld, v, "chain", keys, 3, 3, 1) != 0 ||
        get_points(ld, json_object_get(v, "member"), "chain.member", &m->member) != 0 ||
        get_points(ld, json_object_get(v, "gap"), "chain.gap", &m->gap) != 0)
        return -1;
    m->factor_max[SF_MEMBER] = m->member;
    m->factor_max[SF_GAP] = m->gap;
    return 0;
}

/* Each dimension's max must be what its factors can give, and the four
 * maxima must add up to 100. */
static int check_maxima(struct loader *ld, const json_t *root, struct score_model *m)
{
    char path[PATH_MAX_LEN], parts[256];
    int d, f, sum = 0;

    for (d = 0; d < SD_COUNT; d++) {
        int64_t max;
        int given = 0;
        size_t n = 0;
        path_key(path, sizeof(path), dim_names[d], "max");
        if (get_int(ld, json_object_get(json_object_get(root, dim_names[d]), "max"), path, 0,
                    POINTS_MAX, &max) != 0)
            return -1;
        parts[0] = '\0';
        for (f = 0; f < SF_COUNT; f++) {
            if (factors[f].dim != (enum score_dim)d)
                continue;
            given += m->factor_max[f];
            n += (size_t)snprintf(parts + n, n < sizeof(parts) ? sizeof(parts) - n : 0, "%s%s %d",
                                  n ? " + " : "", factors[f].name, m->factor_max[f]);
        }
        if (max != given)
            return fail(ld, path, "is %lld, but the factors give at most %d (%s)", (long long)max,
                        given, parts);
        m->dim_max[d] = (int)max;
        sum += (int)max;
    }
    if (sum != 100)
        return fail(ld, "", "scale.max + innovation.max + growth.max + chain.max add up to %d (%d + "
                            "%d + %d + %d), not 100",
                    sum, m->dim_max[SD_SCALE], m->dim_max[SD_INNOVATION], m->dim_max[SD_GROWTH],
                    m->dim_max[SD_CHAIN]);
    return 0;
}

/* The canonical content behind score_model_hash: every number the model
 * scores with, in a fixed order and the file's units. */
static void model_canonical(const struct score_model *m, struct strbuf *sb)
{
    const struct band_list *lists[7] = { &m->capital,  &m->age,      &m->staff,   &m->kinds[0],
                                         &m->kinds[1], &m->kinds[2], &m->kinds[3] };
    size_t i, k;
    int t;

    strbuf_addf(sb, "magnet-score 1\nexclude %u\n", (unsigned)m->excluded);
    for (k = 0; k < 7; k++) {
        strbuf_addf(sb, "%s", factors[k].name);
        for (i = 0; i < lists[k]->n; i++)
            strbuf_addf(sb, " %lld:%d", (long long)lists[k]->b[i].min, lists[k]->b[i].points);
        strbuf_addch(sb, '\n');
    }
    strbuf_addf(sb, "unsplit %d\ntags %d", m->unsplit, m->tag_max);
    for (t = 0; t < TAG_COUNT; t++)
        strbuf_addf(sb, " %d", m->tag_points[t]);
    strbuf_addstr(sb, "\nround");
    /* in name order, so that the file's order does not matter */
    {
        const char *last = "";
        for (;;) {
            const struct round_points *next = NULL;
            for (i = 0; i < m->nrounds; i++)
                if (strcmp(m->rounds[i].name, last) > 0 &&
                    (!next || strcmp(m->rounds[i].name, next->name) < 0))
                    next = &m->rounds[i];
            if (!next)
                break;
            strbuf_addf(sb, " %s:%d", next->name, next->points);
            last = next->name;
        }
    }
    strbuf_addstr(sb, "\nrecency");
    for (i = 0; i < m->nrecency; i++)
        strbuf_addf(sb, " %lld:%d", (long long)m->recency[i].within, m->recency[i].points);
    strbuf_addf(sb, "\nchain %d %d\n", m->member, m->gap);
}

static void model_hash(struct score_model *m)
{
    static const char hex[] = "0123456789abcdef";
    struct strbuf sb = STRBUF_INIT;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t i;

    model_canonical(m, &sb);
    if (!EVP_Digest(sb.buf, sb.len, md, &mdlen, EVP_sha256(), NULL) || mdlen < 6) {
        fprintf(stderr, "magnet: SHA-256 failed\n");
        abort();
    }
    for (i = 0; i < 6; i++) {
        m->hash[2 * i] = hex[md[i] >> 4];
        m->hash[2 * i + 1] = hex[md[i] & 15];
    }
    m->hash[12] = '\0';
    strbuf_release(&sb);
}

int score_model_parse(const char *json, size_t len, const char *source, struct score_model **out,
                      struct error *err)
{
    static const char *const keys[] = { "version", "exclude", "scale", "innovation", "growth",
                                        "chain" };
    struct loader ld = { source, err };
    struct score_model *m;
    json_error_t jerr;
    json_t *root;
    int64_t version;
    int rc = -1;

    *out = NULL;
    if (!json) {
        json = "";
        len = 0;
    }
    if (len > SCORE_MAX_FILE)
        return fail(&ld, "", "larger than 1 MiB (%zu bytes)", len);
    {
        const char *nul = memchr(json, '\0', len);
        if (nul)
            return fail(&ld, "", "byte %zu is a NUL: not a JSON text", (size_t)(nul - json) + 1);
    }
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (source)
            return error_set(err, "%s:%d:%d: %s", source, jerr.line, jerr.column, jerr.text);
        return error_set(err, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
    }
    m = xcalloc(1, sizeof(*m));
    if (check_object(&ld, root, "", keys, 6, 6, 1) != 0 ||
        get_int(&ld, json_object_get(root, "version"), "version", 1, 1, &version) != 0 ||
        load_exclude(&ld, json_object_get(root, "exclude"), m) != 0 ||
        load_scale(&ld, json_object_get(root, "scale"), m) != 0 ||
        load_innovation(&ld, json_object_get(root, "innovation"), m) != 0 ||
        load_growth(&ld, json_object_get(root, "growth"), m) != 0 ||
        load_chain(&ld, json_object_get(root, "chain"), m) != 0 ||
        check_maxima(&ld, root, m) != 0)
        goto done;
    model_hash(m);
    *out = m;
    m = NULL;
    rc = 0;
done:
    free(m);
    json_decref(root);
    return rc;
}

int score_model_load(const char *path, struct score_model **out, struct error *err)
{
    FILE *f;
    char *buf;
    size_t len;
    int rc;

    *out = NULL;
    if (!path)
        return score_model_parse((const char *)magnet_data_scoring, magnet_data_scoring_len,
                                 "scoring.json (built in)", out, err);
    f = fopen(path, "rb");
    if (!f)
        return error_set(err, "%s: %s", path, strerror(errno));
    buf = xmalloc(SCORE_MAX_FILE + 1);
    len = fread(buf, 1, SCORE_MAX_FILE + 1, f);
    if (ferror(f)) {
        rc = error_set(err, "%s: read failed: %s", path, strerror(errno));
    } else if (len > SCORE_MAX_FILE) {
        rc = error_set(err, "%s: larger than 1 MiB", path);
    } else {
        rc = score_model_parse(buf, len, path, out, err);
    }
    fclose(f);
    free(buf);
    return rc;
}

void score_model_free(struct score_model *m)
{
    free(m);
}

const char *score_model_hash(const struct score_model *m)
{
    return m->hash;
}

int score_model_chain_max(const struct score_model *m)
{
    return m->member + m->gap;
}

/* ---- scoring ---- */

int score_excluded(const struct score_model *m, int status)
{
    return (unsigned)status < STATUS_SLOTS && (m->excluded & (1u << status));
}

/* Index of the band a value falls in. The thresholds fall strictly from
 * the top, so the bands a value does not reach are the first ones: their
 * count is the index, found without a branch. An unknown value
 * (INT64_MIN) reaches none but the last band, whose threshold is 0 and
 * which is not compared. */
static size_t band_of(const struct band_list *l, int64_t v)
{
    size_t i, idx = 0;
    for (i = 0; i + 1 < l->n; i++)
        idx += v < l->b[i].thr;
    return idx;
}

/* The same for founding dates: band i is reached when founded <= today -
 * thr, which rises with i. */
static size_t age_band_of(const struct band_list *l, int64_t founded, int64_t today)
{
    size_t i, idx = 0;
    if (founded == SCORE_UNKNOWN)
        return l->n - 1;
    for (i = 0; i + 1 < l->n; i++)
        idx += founded > sub_sat(today, l->b[i].thr);
    return idx;
}

/* The count a patent kind is scored on: its own, or the unsplit total. */
static int64_t kind_value(const struct score_model *m, const struct score_facts *f, int factor,
                          int *unsplit)
{
    int64_t v = factor == SF_INVENTION ? f->pat_invention
              : factor == SF_UTILITY   ? f->pat_utility
              : factor == SF_DESIGN    ? f->pat_design
                                       : f->software_cr;
    *unsplit = 0;
    if (factor == m->unsplit && f->pat_invention == SCORE_UNKNOWN &&
        f->pat_utility == SCORE_UNKNOWN && f->pat_design == SCORE_UNKNOWN) {
        *unsplit = f->patents != SCORE_UNKNOWN;
        return f->patents;
    }
    return v;
}

static int tag_points(const struct score_model *m, uint32_t tags)
{
    return m->tag_sum[tags & ((1u << TAG_COUNT) - 1)];
}

int score_round_points(const struct score_model *m, const char *round)
{
    size_t len, slot;
    uint32_t h;
    if (!round)
        return 0;
    h = round_hash(round, &len);
    if (len >= sizeof(m->rounds[0].name))
        return 0;  /* longer than any canonical name */
    for (slot = h % ROUND_SLOTS; m->round_slot[slot]; slot = (slot + 1) % ROUND_SLOTS) {
        const struct round_points *r = &m->rounds[m->round_slot[slot] - 1];
        if (!strcmp(r->name, round))
            return r->points;
    }
    return 0;
}

/* Index of the recency band, or nrecency for none: band i is reached when
 * funding_date >= today - within, which falls with i. */
static size_t recency_band_of(const struct score_model *m, int64_t funding, int64_t today)
{
    size_t i, idx = 0;
    if (funding == SCORE_UNKNOWN)
        return m->nrecency;
    for (i = 0; i < m->nrecency; i++)
        idx += funding < sub_sat(today, m->recency[i].within);
    return idx;
}

/* The points of every factor but chain fit. */
static void factor_points(const struct score_model *m, const struct score_facts *f, int64_t today,
                          int pts[SF_COUNT])
{
    size_t r;
    int k, unsplit;

    pts[SF_CAPITAL] = m->capital.b[band_of(&m->capital, f->capital_cny)].points;
    pts[SF_AGE] = m->age.b[age_band_of(&m->age, f->founded, today)].points;
    pts[SF_STAFF] = m->staff.b[band_of(&m->staff, f->staff)].points;
    for (k = SF_INVENTION; k <= SF_SOFTWARE; k++) {
        const struct band_list *l = &m->kinds[k - SF_INVENTION];
        pts[k] = l->b[band_of(l, kind_value(m, f, k, &unsplit))].points;
    }
    pts[SF_TAGS] = tag_points(m, f->tags);
    pts[SF_ROUND] = score_round_points(m, f->round);
    r = recency_band_of(m, f->funding_date, today);
    pts[SF_RECENCY] = r < m->nrecency ? m->recency[r].points : 0;
    pts[SF_MEMBER] = pts[SF_GAP] = 0;
}

int score_base(const struct score_model *m, const struct score_facts *f, int64_t today)
{
    int pts[SF_COUNT], k, sum = 0;
    if (score_excluded(m, f->status))
        return 0;
    factor_points(m, f, today, pts);
    for (k = 0; k < SF_COUNT; k++)
        sum += pts[k];
    return sum;
}

int score_total(const struct score_model *m, int base, int status, struct score_chain c)
{
    if (score_excluded(m, status))
        return 0;
    if (c.member)
        base += m->member + (c.gap ? m->gap : 0);
    return base;
}

/* ---- the breakdown ---- */

/* Cents as 万元: "1200万元", "0.5万元". */
static void format_wan(int64_t cents, char *out, size_t outlen)
{
    int64_t whole = cents / 1000000, frac = cents % 1000000;
    int digits = 6;
    if (cents < 0) {
        snprintf(out, outlen, "%lld分", (long long)cents);
        return;
    }
    if (!frac) {
        snprintf(out, outlen, "%lld万元", (long long)whole);
        return;
    }
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    snprintf(out, outlen, "%lld.%0*lld万元", (long long)whole, digits, (long long)frac);
}

static void format_tags(uint32_t tags, char *out, size_t outlen)
{
    size_t n = 0, left;
    int t, shown = 0, total = 0;

    out[0] = '\0';
    for (t = 0; t < TAG_COUNT; t++)
        total += !!(tags & (1u << t));
    if (!total) {
        snprintf(out, outlen, "无");
        return;
    }
    for (t = 0; t < TAG_COUNT; t++) {
        const char *name = value_tag_name((enum ent_tag)t);
        if (!(tags & (1u << t)))
            continue;
        left = total - shown - 1;
        /* keep room for ",+N" when names are still to come */
        if (n + strlen(name) + 1 + (left ? 4 : 0) >= outlen) {
            snprintf(out + n, outlen - n, "%s+%d", n ? "," : "", total - shown);
            return;
        }
        n += (size_t)snprintf(out + n, outlen - n, "%s%s", n ? "," : "", name);
        shown++;
    }
}

static void line_value(const struct score_model *m, const struct score_facts *f, int64_t today,
                       struct score_chain c, int k, char *out, size_t outlen)
{
    static const char *const unknown = "未知";
    char date[24];
    int64_t v;
    int unsplit;

    switch (k) {
    case SF_CAPITAL:
        if (f->capital_cny == SCORE_UNKNOWN)
            snprintf(out, outlen, "%s", unknown);
        else
            format_wan(f->capital_cny, out, outlen);
        return;
    case SF_AGE:
        if (f->founded == SCORE_UNKNOWN) {
            snprintf(out, outlen, "%s", unknown);
            return;
        }
        format_date(f->founded, date, sizeof(date));
        if (f->founded > today)
            snprintf(out, outlen, "%s (晚于今天)", date);
        else
            snprintf(out, outlen, "%lld年 (%s)",
                     (long long)days_to_years(sub_sat(today, f->founded)), date);
        return;
    case SF_STAFF:
        if (f->staff == SCORE_UNKNOWN)
            snprintf(out, outlen, "%s", unknown);
        else
            snprintf(out, outlen, "%lld人", (long long)f->staff);
        return;
    case SF_INVENTION:
    case SF_UTILITY:
    case SF_DESIGN:
    case SF_SOFTWARE:
        v = kind_value(m, f, k, &unsplit);
        if (v == SCORE_UNKNOWN)
            snprintf(out, outlen, "%s", unknown);
        else
            snprintf(out, outlen, unsplit ? "%lld件 (专利总数, 未分类)" : "%lld件", (long long)v);
        return;
    case SF_TAGS:
        format_tags(f->tags, out, outlen);
        return;
    case SF_ROUND:
        snprintf(out, outlen, "%.20s", f->round ? f->round : unknown);
        return;
    case SF_RECENCY:
        if (f->funding_date == SCORE_UNKNOWN) {
            snprintf(out, outlen, "%s", unknown);
            return;
        }
        format_date(f->funding_date, date, sizeof(date));
        if (f->funding_date > today)
            snprintf(out, outlen, "%s (晚于今天)", date);
        else
            snprintf(out, outlen, "%s (%lld天前)", date, (long long)sub_sat(today, f->funding_date));
        return;
    case SF_MEMBER:
        snprintf(out, outlen, "%s", c.member ? "是" : "否");
        return;
    case SF_GAP:
        snprintf(out, outlen, "%s", c.member && c.gap ? "是" : "否");
        return;
    }
    out[0] = '\0';
}

size_t score_explain(const struct score_model *m, const struct score_facts *f, struct score_chain c,
                     int64_t today, struct score_line *lines, size_t max, int *total)
{
    int pts[SF_COUNT], k, sum = 0;
    size_t n = 0;

    if (score_excluded(m, f->status)) {
        *total = 0;
        if (max) {
            lines[0].dimension = "excluded";
            lines[0].factor = "status";
            snprintf(lines[0].value, sizeof(lines[0].value), "%s",
                     value_status_label((enum ent_status)f->status));
            lines[0].points = 0;
            lines[0].max = 0;
            n = 1;
        }
        return n;
    }
    factor_points(m, f, today, pts);
    if (c.member) {
        pts[SF_MEMBER] = m->member;
        pts[SF_GAP] = c.gap ? m->gap : 0;
    }
    for (k = 0; k < SF_COUNT; k++) {
        sum += pts[k];
        if (n < max) {
            lines[n].dimension = dim_names[factors[k].dim];
            lines[n].factor = factors[k].name;
            line_value(m, f, today, c, k, lines[n].value, sizeof(lines[n].value));
            lines[n].points = pts[k];
            lines[n].max = m->factor_max[k];
            n++;
        }
    }
    *total = sum;
    return n;
}

const char *score_label(const char *name)
{
    static const struct {
        const char *name, *label;
    } labels[] = {
        { "scale", "规模" },         { "innovation", "创新" },     { "growth", "成长" },
        { "chain", "产业链契合" },   { "excluded", "排除" },       { "capital", "注册资本" },
        { "age", "成立年限" },       { "staff", "参保人数" },      { "invention", "发明专利" },
        { "utility", "实用新型专利" }, { "design", "外观设计专利" }, { "software", "软件著作权" },
        { "tags", "资质" },          { "round", "融资轮次" },      { "recency", "最近融资" },
        { "member", "所属产业链环节" }, { "gap", "补链环节" },     { "status", "登记状态" },
    };
    size_t i;
    for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(name, labels[i].name))
            return labels[i].label;
    return name;
}

/* ---- SQL ---- */

/* "(CASE WHEN col >= t1 THEN p1 ... ELSE plast END)"; the last band is the
 * ELSE, which is also where NULL lands. */
static void sql_bands(const struct band_list *l, const char *col, struct strbuf *out)
{
    size_t i;
    if (l->n == 1) {
        strbuf_addf(out, "%d", l->b[0].points);
        return;
    }
    strbuf_addstr(out, "(CASE");
    for (i = 0; i + 1 < l->n; i++)
        strbuf_addf(out, " WHEN %s >= %lld THEN %d", col, (long long)l->b[i].thr, l->b[i].points);
    strbuf_addf(out, " ELSE %d END)", l->b[l->n - 1].points);
}

static void sql_age(const struct band_list *l, int64_t today, struct strbuf *out)
{
    size_t i;
    if (l->n == 1) {
        strbuf_addf(out, "%d", l->b[0].points);
        return;
    }
    strbuf_addstr(out, "(CASE");
    for (i = 0; i + 1 < l->n; i++)
        strbuf_addf(out, " WHEN founded_days <= %lld THEN %d", (long long)sub_sat(today, l->b[i].thr),
                    l->b[i].points);
    strbuf_addf(out, " ELSE %d END)", l->b[l->n - 1].points);
}

static void sql_kind(const struct score_model *m, int k, struct strbuf *out)
{
    static const char *const cols[4] = { "pat_invention", "pat_utility", "pat_design",
                                         "software_cr" };
    const struct band_list *l = &m->kinds[k - SF_INVENTION];
    if (k != m->unsplit || l->n == 1) {
        sql_bands(l, cols[k - SF_INVENTION], out);
        return;
    }
    strbuf_addstr(out, "(CASE WHEN pat_invention IS NULL AND pat_utility IS NULL AND "
                       "pat_design IS NULL THEN ");
    sql_bands(l, "patents", out);
    strbuf_addstr(out, " ELSE ");
    sql_bands(l, cols[k - SF_INVENTION], out);
    strbuf_addstr(out, " END)");
}

static void sql_tags(const struct score_model *m, struct strbuf *out)
{
    struct strbuf sum = STRBUF_INIT;
    int t;
    for (t = 0; t < TAG_COUNT; t++)
        if (m->tag_points[t])
            strbuf_addf(&sum, "%s(CASE WHEN (tags & %u) <> 0 THEN %d ELSE 0 END)", sum.len ? " + " : "",
                        1u << t, m->tag_points[t]);
    if (!sum.len || !m->tag_max)
        strbuf_addstr(out, "0");
    else
        strbuf_addf(out, "(CASE WHEN %s > %d THEN %d ELSE %s END)", sum.buf, m->tag_max, m->tag_max,
                    sum.buf);
    strbuf_release(&sum);
}

static void sql_round(const struct score_model *m, struct strbuf *out)
{
    size_t i, n = 0;
    for (i = 0; i < m->nrounds; i++) {
        if (!m->rounds[i].points)
            continue;
        strbuf_addstr(out, n++ ? " WHEN '" : "(CASE round WHEN '");
        /* canonical names hold no quote (round_is_canonical), but stay safe */
        for (const char *p = m->rounds[i].name; *p; p++) {
            if (*p == '\'')
                strbuf_addch(out, '\'');
            strbuf_addch(out, *p);
        }
        strbuf_addf(out, "' THEN %d", m->rounds[i].points);
    }
    strbuf_addstr(out, n ? " ELSE 0 END)" : "0");
}

static void sql_recency(const struct score_model *m, int64_t today, struct strbuf *out)
{
    size_t i, n = 0;
    for (i = 0; i < m->nrecency; i++) {
        strbuf_addstr(out, n++ ? " WHEN" : "(CASE WHEN");
        strbuf_addf(out, " funding_days >= %lld THEN %d", (long long)sub_sat(today, m->recency[i].within),
                    m->recency[i].points);
    }
    strbuf_addstr(out, n ? " ELSE 0 END)" : "0");
}

static int sql_none(const char *expr)
{
    return !expr || !*expr || !strcmp(expr, "0");
}

void score_sql(const struct score_model *m, int64_t today, const char *member_sql,
               const char *gap_sql, struct strbuf *out)
{
    int k, st, n = 0;

    if (m->excluded) {
        strbuf_addstr(out, "(CASE WHEN COALESCE(status, 0) IN (");
        for (st = 0; st < STATUS_SLOTS; st++)
            if (m->excluded & (1u << st))
                strbuf_addf(out, "%s%d", n++ ? ", " : "", st);
        strbuf_addstr(out, ") THEN 0 ELSE ");
    }
    strbuf_addch(out, '(');
    sql_bands(&m->capital, "capital_cny", out);
    strbuf_addstr(out, " + ");
    sql_age(&m->age, today, out);
    strbuf_addstr(out, " + ");
    sql_bands(&m->staff, "staff", out);
    for (k = SF_INVENTION; k <= SF_SOFTWARE; k++) {
        strbuf_addstr(out, " + ");
        sql_kind(m, k, out);
    }
    strbuf_addstr(out, " + ");
    sql_tags(m, out);
    strbuf_addstr(out, " + ");
    sql_round(m, out);
    strbuf_addstr(out, " + ");
    sql_recency(m, today, out);
    if (!sql_none(member_sql) && (m->member || (m->gap && !sql_none(gap_sql)))) {
        strbuf_addf(out, " + (CASE WHEN (%s) THEN %d", member_sql, m->member);
        if (!sql_none(gap_sql) && m->gap)
            strbuf_addf(out, " + (CASE WHEN (%s) THEN %d ELSE 0 END)", gap_sql, m->gap);
        strbuf_addstr(out, " ELSE 0 END)");
    }
    strbuf_addch(out, ')');
    if (m->excluded)
        strbuf_addstr(out, " END)");
}
