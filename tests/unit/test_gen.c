/*
 * test_gen.c - the enterprise generator: determinism (bytes identical across
 * runs and thread counts), valid and unique USCCs, every cell in a format the
 * value parsers accept, distributions within tolerances, the consistency
 * rules between tags, dates and sizes, the home-district calibration, the
 * specialisms of track firms, the edges file and the XLSX writer. A drift in
 * the model fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/utf8.h"
#include "gen/dist.h"
#include "gen/gen.h"
#include "gen/tables.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "ref/uscc.h"
#include "registry/value.h"

static struct gen *make_gen(uint64_t count, uint64_t seed, const char *home, int threads)
{
    struct gen_options o;
    struct gen *g = NULL;
    struct error err = ERROR_INIT;
    memset(&o, 0, sizeof(o));
    o.count = count;
    o.seed = seed;
    o.home = home;
    o.threads = threads;
    if (gen_new(&o, &g, &err))
        fail_msg("gen_new: %s", err.msg);
    return g;
}

static int sb_write(void *ctx, const void *buf, size_t len, struct error *err)
{
    strbuf_add(ctx, buf, len);
    return 0;
}

static void csv_of(struct gen *g, struct strbuf *out)
{
    struct gen_sink sink = { sb_write, out };
    struct error err = ERROR_INIT;
    if (gen_write_csv(g, &sink, &err))
        fail_msg("gen_write_csv: %s", err.msg);
}

static void test_determinism(void **state)
{
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
    struct gen *g1 = make_gen(5000, 42, "330106", 1);
    struct gen *g2 = make_gen(5000, 42, "330106", 3);
    struct gen *g3 = make_gen(5000, 43, "330106", 2);
    csv_of(g1, &a);
    csv_of(g2, &b);
    csv_of(g3, &c);
    assert_true(a.len > 5000 * 200);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    assert_true(a.len != c.len || memcmp(a.buf, c.buf, a.len));
    /* one row alone equals the same row inside the whole run */
    {
        struct gen_ent e;
        gen_ent_make(g1, 4321, &e, 1);
        assert_non_null(strstr(a.buf, e.uscc));
        assert_non_null(strstr(a.buf, e.name));
    }
    gen_free(g1);
    gen_free(g2);
    gen_free(g3);
    strbuf_release(&a);
    strbuf_release(&b);
    strbuf_release(&c);
}

/* The bytes of a small run, pinned. Integer-only generation must give these
 * on every machine and compiler; when the model is changed on purpose,
 * update the constant (the failure message prints the new value). */
#define GOLDEN_FNV1A_1000 0xfdcabeb881416528ULL

static void test_golden(void **state)
{
    struct strbuf a = STRBUF_INIT;
    struct gen *g = make_gen(1000, 1, "330106", 2);
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;
    csv_of(g, &a);
    for (i = 0; i < a.len; i++) {
        h ^= (unsigned char)a.buf[i];
        h *= 0x100000001b3ULL;
    }
    if (h != GOLDEN_FNV1A_1000)
        fail_msg("output of --count 1000 --seed 1 --home 330106 changed: FNV-1a %#llx, pinned %#llx",
                 (unsigned long long)h, (unsigned long long)GOLDEN_FNV1A_1000);
    gen_free(g);
    strbuf_release(&a);
}

static void test_header(void **state)
{
    static const char expected[] =
        "企业名称,统一社会信用代码,法定代表人,注册资本,实缴资本,成立日期,登记状态,企业类型,所属省份,"
        "所属城市,所属区县,行政区划代码,注册地址,国标行业,经营范围,参保人数,发明专利,实用新型专利,"
        "外观设计专利,软件著作权,商标数,企业资质,融资轮次,融资金额,融资日期,官网,电话,曾用名\n";
    struct strbuf a = STRBUF_INIT;
    struct gen *g = make_gen(3, 1, NULL, 1);
    csv_of(g, &a);
    assert_true(a.len > sizeof(expected));
    assert_memory_equal(a.buf, expected, sizeof(expected) - 1);
    gen_free(g);
    strbuf_release(&a);
}

static int cmp_code(const void *x, const void *y)
{
    return memcmp(x, y, 18);
}

static void test_uscc(void **state)
{
    const uint64_t n = 100000;
    struct gen *g = make_gen(n, 7, "330106", 1);
    char(*codes)[18] = malloc(n * 18);
    struct gen_ent e;
    uint64_t i, type1 = 0;
    for (i = 0; i < n; i++) {
        char norm[USCC_LEN + 1];
        struct error err = ERROR_INIT;
        gen_ent_make(g, i, &e, 0);
        if (uscc_normalize(e.uscc, 18, norm, &err))
            fail_msg("row %llu: %s: %s", (unsigned long long)i, e.uscc, err.msg);
        assert_string_equal(norm, e.uscc);
        assert_int_equal(e.uscc[0], '9');
        assert_true(e.uscc[1] >= '1' && e.uscc[1] <= '3');
        type1 += e.uscc[1] == '1';
        assert_memory_equal(e.uscc + 2, e.county_code, 6);
        assert_non_null(region_find_code(e.county_code));
        memcpy(codes[i], e.uscc, 18);
    }
    assert_true(type1 > n * 9 / 10);
    qsort(codes, n, 18, cmp_code);
    for (i = 1; i < n; i++)
        if (!memcmp(codes[i - 1], codes[i], 18))
            fail_msg("duplicate USCC %.18s", codes[i]);
    free(codes);
    gen_free(g);
}

/* Split one CSV record (the generator's own output: quotes only around
 * fields that need them) into fields, in place. */
static size_t split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        if (*p == '"') {
            char *w = ++p;
            fields[n++] = w;
            for (;;) {
                if (p[0] == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (p[0] == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            *w = '\0';
        } else {
            fields[n++] = p;
            while (*p && *p != ',')
                p++;
        }
        if (*p != ',') {
            *p = '\0';
            break;
        }
        *p++ = '\0';
    }
    return n;
}

static struct cell text_cell(const char *s)
{
    struct cell c;
    memset(&c, 0, sizeof(c));
    c.type = CELL_STRING;
    c.text = s;
    c.len = strlen(s);
    return c;
}

/* Every cell of 20,000 rows in a format Magnet's value parsers accept. */
static void test_cells_parse(void **state)
{
    struct strbuf csv = STRBUF_INIT;
    struct gen *g = make_gen(20000, 11, "330106", 2);
    char *line, *next, *fields[GEN_NCOLS + 1];
    size_t rows = 0;
    csv_of(g, &csv);
    line = strchr(csv.buf, '\n') + 1;
    for (; *line; line = next) {
        struct error err = ERROR_INIT;
        struct money m;
        struct tag_set ts;
        struct cell c;
        char date[11], unknown[128], round[16], norm[USCC_LEN + 1], eb[256];
        enum ent_status st;
        int64_t cnt;
        size_t n, k;
        next = strchr(line, '\n');
        assert_non_null(next);
        *next++ = '\0';
        n = split_csv(line, fields, GEN_NCOLS + 1);
        assert_int_equal(n, GEN_NCOLS);
        rows++;
#define OK(expr)                                                                    \
    do {                                                                            \
        if ((expr) < 0)                                                             \
            fail_msg("row %zu: %s (%s)", rows, err.msg, fields[0]);                 \
    } while (0)
        assert_true(fields[0][0] != '\0');
        assert_true(utf8_valid(fields[0], strlen(fields[0])));
        OK(uscc_normalize(fields[1], strlen(fields[1]), norm, &err));
        for (k = 3; k <= 4; k++)
            if (fields[k][0])
                OK(value_parse_money(fields[k], strlen(fields[k]), MONEY_UNIT_WAN, &m, &err));
        c = text_cell(fields[5]);
        OK(value_parse_date(&c, GEN_DEFAULT_TODAY, date, &err));
        OK(value_parse_status(fields[6], strlen(fields[6]), &st, &err));
        assert_true(st != STATUS_UNKNOWN && st != STATUS_OTHER);
        assert_non_null(region_find_code(fields[11]));
        assert_int_equal(strlen(fields[11]), 6);
        if (!industry_parse(fields[13], eb, sizeof(eb)))
            fail_msg("row %zu: industry '%s': %s", rows, fields[13], eb);
        for (k = 15; k <= 20; k++) {
            if (!fields[k][0])
                continue;
            c = text_cell(fields[k]);
            OK(value_parse_count(&c, &cnt, &err));
        }
        if (fields[21][0]) {
            OK(value_parse_tags(fields[21], strlen(fields[21]), &ts, unknown, sizeof(unknown), &err));
            assert_string_equal(unknown, "");
            assert_true(ts.mask != 0);
        }
        if (fields[22][0]) {
            OK(value_parse_round(fields[22], strlen(fields[22]), round, &err));
            OK(value_parse_money(fields[23], strlen(fields[23]), MONEY_UNIT_WAN, &m, &err));
            c = text_cell(fields[24]);
            OK(value_parse_date(&c, GEN_DEFAULT_TODAY, date, &err));
        } else {
            assert_string_equal(fields[23], "");
            assert_string_equal(fields[24], "");
        }
#undef OK
    }
    assert_int_equal(rows, 20000);
    gen_free(g);
    strbuf_release(&csv);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int year_of_day(int day)
{
    char d[11];
    gen_date_format(day, d);
    return (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
}

/* Shapes and rules over 100,000 rows. Tolerances are wide enough for any
 * seed and narrow enough to catch a drifted model. */
static void test_distributions(void **state)
{
    const uint64_t n = 100000;
    struct gen *g = make_gen(n, 5, "330106", 1);
    struct gen_ent e;
    int64_t *cap = malloc(n * sizeof(*cap));
    uint64_t i, active = 0, home = 0, ncap = 0, big = 0, hightech = 0, zero_inv = 0, funded = 0;
    uint64_t zhejiang = 0, tibet = 0, software = 0, home_software = 0;
    int today, first_day, t, today_y;
    gen_date_parse(GEN_DEFAULT_TODAY, &today);
    gen_date_parse("1990-01-01", &first_day);
    today_y = year_of_day(today);

    for (i = 0; i < n; i++) {
        int fy;
        gen_ent_make(g, i, &e, 0);
        fy = year_of_day(e.founded);
        active += e.status == STATUS_ACTIVE;
        home += e.home;
        zhejiang += !strncmp(e.county_code, "33", 2);
        tibet += !strncmp(e.county_code, "54", 2);
        if (!strncmp(e.industry, "65", 2) || !strncmp(e.industry, "64", 2)) {
            software++;
            home_software += e.home;
        }
        if (e.home)
            assert_string_equal(e.county_code, "330106");
        /* dates */
        assert_true(e.founded <= today && e.founded >= first_day);
        if (e.round >= 0)
            assert_true(e.funding_date >= e.founded && e.funding_date <= today);
        /* tags: years, implications, sizes */
        for (t = 0; t < TAG_COUNT; t++) {
            if (!(e.tags & (1u << t)))
                continue;
            assert_true(e.tag_year[t] >= fy && e.tag_year[t] <= today_y);
            assert_int_equal(e.status, STATUS_ACTIVE);
        }
        if (e.tags & (1u << TAG_LITTLEGIANT)) {
            assert_true(e.tags & (1u << TAG_SPECIALISED));
            assert_true(e.tag_year[TAG_LITTLEGIANT] >= e.tag_year[TAG_SPECIALISED]);
        }
        if (e.tags & (1u << TAG_LISTED)) {
            assert_int_equal(e.currency, GEN_CNY);
            assert_true(e.capital >= 30000000);  /* 3000万 */
            assert_true(e.staff >= 100);
            assert_int_equal(e.round, 9);       /* IPO, in the listing year */
            assert_int_equal(year_of_day(e.funding_date), e.tag_year[TAG_LISTED]);
        }
        if (e.tags & (1u << TAG_HIGHTECH)) {
            hightech++;
            assert_true(e.pat_invention + e.pat_utility + e.software_cr > 0);
            assert_true(gen_families[e.family].tech >= 20 || e.home);
        }
        zero_inv += e.pat_invention == 0;
        funded += e.round >= 0;
        /* capital: companies 10万..100亿, branches and most 个体 none */
        if (e.type_digit == '1' && e.role != GEN_ROLE_BRANCH) {
            assert_true(e.capital >= 100000 && e.capital <= 10000000000LL);
            if (e.currency == GEN_CNY)
                cap[ncap++] = e.capital;
        }
        if (e.role == GEN_ROLE_BRANCH)
            assert_int_equal(e.capital, -1);
        if (e.paid_in >= 0)
            assert_true(e.paid_in <= e.capital);
    }
    /* ~85% active */
    assert_true(active > n * 80 / 100 && active < n * 90 / 100);
    /* home: exactly 1.5%, tilted to software and internet */
    assert_int_equal(home, n * 15 / 1000);
    assert_true(home_software * 1000 / home > 120);
    assert_true(software * 1000 / n < 120);
    /* provinces: Zhejiang dense, Tibet sparse (home rows included) */
    assert_true(zhejiang > n * 6 / 100 && zhejiang < n * 14 / 100);
    assert_true(tibet < n * 4 / 1000);
    /* capital: median 100万-300万, 1亿 and above 0.3%-2% */
    qsort(cap, ncap, sizeof(*cap), cmp_i64);
    assert_true(cap[ncap / 2] >= 1000000 && cap[ncap / 2] <= 3000000);
    for (i = 0; i < ncap; i++)
        big += cap[i] >= 100000000;
    assert_true(big * 1000 > ncap * 3 && big * 1000 < ncap * 20);
    /* rare tags and heavy-tailed patents */
    assert_true(hightech > n * 5 / 1000 && hightech < n * 25 / 1000);
    assert_true(zero_inv > n * 93 / 100);
    assert_true(funded > n * 3 / 1000 && funded < n * 15 / 1000);
    free(cap);
    gen_free(g);
}

/* The calibrated home counts are exact; past Xihu's size they are the
 * published figures. */
static void test_home_calibration(void **state)
{
    struct gen_home_figures hf;
    struct gen_ent e;
    struct gen *g = make_gen(200000, 9, "330106", 1);
    uint64_t i, rows = 0, ht = 0, listed = 0, lg = 0, spec = 0;
    gen_home_figures(g, &hf);
    assert_int_equal(hf.rows, 3000);
    assert_int_equal(hf.hightech, (1418 * 3000 + 55000) / 110000);
    assert_int_equal(hf.listed, 1);
    assert_int_equal(hf.little_giant, 1);
    for (i = 0; i < 200000; i++) {
        gen_ent_make(g, i, &e, 0);
        if (!e.home)
            continue;
        rows++;
        ht += !!(e.tags & (1u << TAG_HIGHTECH));
        listed += !!(e.tags & (1u << TAG_LISTED));
        lg += !!(e.tags & (1u << TAG_LITTLEGIANT));
        spec += !!(e.tags & (1u << TAG_SPECIALISED));
    }
    assert_int_equal(rows, hf.rows);
    assert_int_equal(ht, hf.hightech);
    assert_int_equal(listed, hf.listed);
    assert_int_equal(lg, hf.little_giant);
    assert_int_equal(spec, hf.specialised);
    gen_free(g);

    g = make_gen(10000000, 9, "330106", 1);
    gen_home_figures(g, &hf);
    assert_int_equal(hf.rows, 150000);
    assert_int_equal(hf.hightech, 1418);
    assert_int_equal(hf.listed, 38);
    assert_int_equal(hf.little_giant, 19);
    gen_free(g);
}

static void test_text(void **state)
{
    struct gen *g = make_gen(50000, 3, "330106", 1);
    struct gen_ent e;
    uint64_t i, bracket = 0, branch = 0, former = 0, home_hz = 0, home = 0;
    for (i = 0; i < 50000; i++) {
        gen_ent_make(g, i, &e, 1);
        assert_true(e.name[0] && e.legal_rep[0] && e.address[0] && e.scope[0]);
        assert_null(strchr(e.name, '('));  /* brackets are full width */
        bracket += strstr(e.name, "（") != NULL;
        former += e.former[0] != 0;
        if (e.role == GEN_ROLE_BRANCH) {
            branch++;
            assert_non_null(strstr(e.name, "分公司"));
        }
        if (e.home) {
            home++;
            home_hz += strstr(e.address, "浙江省杭州市西湖区") == e.address;
        }
        /* the address names the firm's own county */
        {
            const struct region *r = region_find_code(e.county_code);
            assert_non_null(strstr(e.address, r->full_name));
        }
    }
    assert_true(bracket > 1000);
    assert_true(branch > 100);
    assert_true(former > 1000);
    assert_int_equal(home_hz, home);
    gen_free(g);
}

/* The cluster level of a county's city (0: none), from the public table. */
static int hub_level(const char *county_code, int hub)
{
    unsigned k;
    for (k = 0; k < gen_hub_city_count; k++)
        if (gen_hub_cities[k].hub == hub && !strncmp(gen_hub_cities[k].city, county_code, 4))
            return gen_hub_cities[k].level;
    return 0;
}

static int scope_has_any(const char *scope, const char *const *l)
{
    for (; *l; l++)
        if (strstr(scope, *l))
            return 1;
    return 0;
}

/* Specialisms: firms of the priority tracks register what they do, at
 * plausible rates and where such firms are. */
static void test_specialisms(void **state)
{
    const uint64_t n = 200000;
    struct gen *g = make_gen(n, 11, "330106", 1);
    struct gen_ent e;
    uint64_t i, it = 0, it_ai = 0, chip = 0, chip_hub = 0, genai = 0, genai_young = 0, traders = 0;
    int64_t innov_ai = 0, innov_rest = 0;
    unsigned k;

    for (k = 0; k < NICHE_COUNT; k++) {
        assert_non_null(gen_niches[k].key);
        assert_non_null(gen_niches[k].words[0]);
        assert_non_null(gen_niches[k].specific[0]);
        assert_non_null(gen_niches[k].support[0]);
        assert_true(gen_niches[k].word_pct <= 100);
    }
    for (i = 0; i < n; i++) {
        int it_firm, ai;
        gen_ent_make(g, i, &e, 1);
        it_firm = (!strncmp(e.industry, "64", 2) || !strncmp(e.industry, "65", 2)) &&
                  e.type_digit == '1' && e.role != GEN_ROLE_BRANCH;
        ai = e.niche >= NICHE_AI_VISION && e.niche <= NICHE_AI_ROBOT;
        if (e.niche >= 0) {
            const struct gen_niche *ni = &gen_niches[e.niche];
            assert_true(e.niche < NICHE_COUNT);
            assert_int_equal(e.type_digit, '1');
            assert_int_not_equal(e.role, GEN_ROLE_FUND);
            assert_true(scope_has_any(e.scope, ni->specific) || scope_has_any(e.scope, ni->support));
        }
        if (it_firm) {
            it++;
            it_ai += ai;
            if (ai)
                innov_ai += e.innov;
            else
                innov_rest += e.innov;
        }
        if (!memcmp(e.industry, "6520", 4)) {
            chip++;
            chip_hub += hub_level(e.county_code, HUB_IC) > 0;
        }
        if (e.niche == NICHE_AI_MODEL) {
            genai++;
            genai_young += e.founded_y >= 2023;
        }
        traders += e.niche == NICHE_IC_TRADE;
    }
    /* a few percent of software and IT firms are AI firms, and they are
     * the innovative ones */
    assert_true(it_ai * 100 > it && it_ai * 100 < it * 8);
    assert_true(innov_ai / (int64_t)it_ai > innov_rest / (int64_t)(it - it_ai) + Q16_ONE / 8);
    /* chip design sits in its clusters; chip traders outnumber designers */
    assert_true(chip > 10 && chip_hub * 100 >= chip * 75);
    assert_true(traders > chip * 3);
    /* generative-AI firms are young */
    assert_true(genai > 20 && genai_young * 100 >= genai * 55);
    gen_free(g);
}

static void test_edges(void **state)
{
    const uint64_t n = 60000;
    struct gen *g = make_gen(n, 2, NULL, 2);
    struct strbuf out = STRBUF_INIT;
    struct gen_sink sink = { sb_write, &out };
    struct error err = ERROR_INIT;
    char(*codes)[18] = malloc(n * 18);
    char *line, *next, *f[5];
    uint64_t i, edges = 0, branches = 0, funds = 0;
    struct gen_ent e;
    for (i = 0; i < n; i++) {
        gen_ent_make(g, i, &e, 0);
        memcpy(codes[i], e.uscc, 18);
    }
    qsort(codes, n, 18, cmp_code);
    if (gen_write_edges(g, &sink, &err))
        fail_msg("edges: %s", err.msg);
    assert_memory_equal(out.buf, "investor,investee,share_pct,relation\n", 37);
    for (line = out.buf + 37; *line; line = next) {
        next = strchr(line, '\n');
        *next++ = '\0';
        assert_int_equal(split_csv(line, f, 5), 4);
        assert_non_null(bsearch(f[0], codes, n, 18, cmp_code));
        assert_non_null(bsearch(f[1], codes, n, 18, cmp_code));
        assert_true(strcmp(f[0], f[1]) != 0);
        if (!strcmp(f[3], "branch")) {
            branches++;
            assert_string_equal(f[2], "");
        } else {
            double share = strtod(f[2], NULL);
            assert_true(share > 0 && share <= 100);
            funds += !strcmp(f[3], "fund");
        }
        edges++;
    }
    assert_true(edges > n / 50);
    assert_true(branches > 0 && funds > 0);
    free(codes);
    strbuf_release(&out);
    gen_free(g);
}

static void test_xlsx(void **state)
{
    char p1[] = "/tmp/magnet-gen-XXXXXX", p2[64], p3[64];
    struct gen *g = make_gen(3000, 4, "330106", 2);
    struct error err = ERROR_INIT;
    FILE *a, *b;
    int fd = mkstemp(p1), ca, cb;
    long same = 0;
    assert_true(fd >= 0);
    close(fd);
    snprintf(p2, sizeof(p2), "%s-1.xlsx", p1);
    snprintf(p3, sizeof(p3), "%s-2.xlsx", p1);
    if (gen_write_xlsx_file(g, p2, &err) || gen_write_xlsx_file(g, p3, &err))
        fail_msg("xlsx: %s", err.msg);
    a = fopen(p2, "rb");
    b = fopen(p3, "rb");
    assert_non_null(a);
    assert_non_null(b);
    do {
        ca = getc(a);
        cb = getc(b);
        assert_int_equal(ca, cb);
        same++;
    } while (ca != EOF);
    assert_true(same > 10000);
    fclose(a);
    fclose(b);
    unlink(p1);
    unlink(p2);
    unlink(p3);
    gen_free(g);
}

static void test_options(void **state)
{
    struct gen_options o;
    struct gen *g = NULL;
    struct error err = ERROR_INIT;
    memset(&o, 0, sizeof(o));
    o.count = 0;
    assert_int_equal(gen_new(&o, &g, &err), -1);
    assert_non_null(strstr(err.msg, "count"));
    o.count = 10;
    o.home = "3301";
    assert_int_equal(gen_new(&o, &g, &err), -1);
    assert_non_null(strstr(err.msg, "home"));
    o.home = NULL;
    o.today = "2026-02-30";
    assert_int_equal(gen_new(&o, &g, &err), -1);
    assert_non_null(strstr(err.msg, "today"));
    /* an earlier today moves everything before it */
    o.today = "2015-06-30";
    assert_int_equal(gen_new(&o, &g, &err), 0);
    {
        struct gen_ent e;
        int day, i;
        gen_date_parse("2015-06-30", &day);
        for (i = 0; i < 10; i++) {
            gen_ent_make(g, (uint64_t)i, &e, 1);
            assert_true(e.founded <= day);
            assert_false(e.tags & (1u << TAG_LITTLEGIANT));  /* the programme began in 2019 */
        }
    }
    gen_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),  cmocka_unit_test(test_golden),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_uscc),         cmocka_unit_test(test_cells_parse),
        cmocka_unit_test(test_distributions), cmocka_unit_test(test_home_calibration),
        cmocka_unit_test(test_text),         cmocka_unit_test(test_specialisms),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_xlsx),         cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
