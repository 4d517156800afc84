/*
 * test_region.c - the administrative division table (ref/region.c).
 *
 * Checked against the shared copy of the data (../shared/data, read at test
 * time, relative to the repository root where the tests run), so a table
 * that the embedding or the parser mangled cannot pass: every code must
 * come back with its name and parent, every full name must lead back to its
 * region, every full name followed by a street address must too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include "ref/region.h"

#define SHARED_REGIONS "../shared/data/regions-2023.csv"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static const char *code_of(const struct region *r)
{
    return r ? r->code : "(null)";
}

/* The one region a name resolves to, or NULL when it resolves to none or
 * to several. */
static const struct region *one(const char *name)
{
    const struct region *out[4];
    size_t n = region_find_name(name, NULL, 0, out, 4);
    return n == 1 ? out[0] : NULL;
}

static size_t count_of(const char *name)
{
    return region_find_name(name, NULL, 0, NULL, 0);
}

static void expect_name(const char *name, const char *code)
{
    const struct region *r = one(name);
    if (!r || strcmp(r->code, code) != 0)
        fail_msg("'%s' resolved to %s (%zu matches), expected %s", name, code_of(r),
                 count_of(name), code);
}

static void expect_address(const char *address, const char *code)
{
    const struct region *r = region_from_address(address);
    if (code == NULL) {
        if (r)
            fail_msg("address '%s' resolved to %s, expected nothing", address, r->code);
        return;
    }
    if (!r || strcmp(r->code, code) != 0)
        fail_msg("address '%s' resolved to %s, expected %s", address, code_of(r), code);
}

/* ---- loading ----------------------------------------------------------- */

struct init_arg {
    const struct region *seen;
};

static void *init_thread(void *p)
{
    struct init_arg *a = p;
    a->seen = region_find_code("330106");
    return NULL;
}

/* Runs first: several threads race to load the table; all must see it
 * whole. Also reports what loading costs. */
static void test_concurrent_init(void **state)
{
    pthread_t th[4];
    struct init_arg args[4];
    double t0, t1;
    int i;
    (void)state;

    t0 = now_us();
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, init_thread, &args[i]), 0);
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_non_null(args[i].seen);
        assert_string_equal(args[i].seen->name, "西湖区");
    }
    t1 = now_us();
    printf("    region_table_init (4 threads racing): %.1f ms\n", (t1 - t0) / 1000);
    region_table_init();  /* idempotent */
    assert_int_equal(region_count(), 44703);
}

static void test_levels_and_order(void **state)
{
    size_t i, by_level[5] = { 0 };
    (void)state;

    for (i = 0; i < region_count(); i++) {
        const struct region *r = region_at(i);
        assert_true(r->level >= 1 && r->level <= 4);
        by_level[r->level]++;
        assert_int_equal(strlen(r->code), r->level == 4 ? 9 : (size_t)r->level * 2);
        if (r->level == 1) {
            assert_null(r->parent);
        } else {
            assert_non_null(r->parent);
            assert_int_equal(r->parent->level, r->level - 1);
            assert_memory_equal(r->parent->code, r->code, strlen(r->parent->code));
        }
        assert_non_null(r->name);
        assert_non_null(r->full_name);
    }
    assert_int_equal(by_level[1], 31);
    assert_int_equal(by_level[2], 342);
    assert_int_equal(by_level[3], 2978);
    assert_int_equal(by_level[4], 41352);
    assert_null(region_at(region_count()));
    assert_string_equal(region_at(0)->code, "11");
}

/* Every row of the shared CSV comes back from its code with its name and
 * parent. */
static void test_every_code_round_trips(void **state)
{
    FILE *f = fopen(SHARED_REGIONS, "r");
    char line[512];
    size_t rows = 0;
    (void)state;

    if (!f)
        fail_msg("cannot open %s (tests run from the repository root)", SHARED_REGIONS);
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "level,code,name,parent\n");
    while (fgets(line, sizeof(line), f)) {
        char *level, *code, *name, *parent, *nl, *save = NULL;
        const struct region *r;

        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        level = strtok_r(line, ",", &save);
        code = strtok_r(NULL, ",", &save);
        name = strtok_r(NULL, ",", &save);
        parent = strtok_r(NULL, ",", &save);
        assert_non_null(name);
        r = region_find_code(code);
        if (!r)
            fail_msg("code %s (%s) not found", code, name);
        assert_string_equal(r->code, code);
        assert_string_equal(r->name, name);
        assert_int_equal(r->level, level[0] - '0');
        if (parent)
            assert_string_equal(r->parent->code, parent);
        else
            assert_null(r->parent);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, region_count());
}

static void test_code_forms(void **state)
{
    (void)state;
    assert_string_equal(code_of(region_find_code("33")), "33");
    assert_string_equal(code_of(region_find_code("3301")), "3301");
    assert_string_equal(code_of(region_find_code("330106")), "330106");
    assert_string_equal(code_of(region_find_code("330106004")), "330106004");
    /* padded forms */
    assert_string_equal(code_of(region_find_code("330000")), "33");
    assert_string_equal(code_of(region_find_code("330100")), "3301");
    assert_string_equal(code_of(region_find_code("110000")), "11");
    assert_string_equal(code_of(region_find_code("330106004000")), "330106004");
    assert_string_equal(code_of(region_find_code("330106000000")), "330106");
    assert_string_equal(code_of(region_find_code("330000000000")), "33");
    /* a real county wins over a padded city: 441900 is the county 东莞市 */
    assert_string_equal(code_of(region_find_code("441900")), "441900");
    assert_string_equal(code_of(region_find_code("4419")), "4419");
    /* spaces and full-width digits */
    assert_string_equal(code_of(region_find_code("  330106\t")), "330106");
    assert_string_equal(code_of(region_find_code("\xE3\x80\x80" "３３０１０６")), "330106");
    /* wrong */
    assert_null(region_find_code(NULL));
    assert_null(region_find_code(""));
    assert_null(region_find_code("3"));
    assert_null(region_find_code("3300"));   /* 4 digits is a city code, and 3300 is none */
    assert_null(region_find_code("33010"));
    assert_null(region_find_code("330106001001"));
    assert_null(region_find_code("33a106"));
    assert_null(region_find_code("-33"));
    assert_null(region_find_code("330103"));  /* 下城区, merged away in 2021 */
    assert_null(region_find_code("330104"));  /* 江干区 */
    assert_null(region_find_code("3301060040000"));
}

/* ---- full names -------------------------------------------------------- */

static void test_full_names(void **state)
{
    (void)state;
    assert_string_equal(region_find_code("110101")->full_name, "北京市东城区");
    assert_string_equal(region_find_code("419001")->full_name, "河南省济源市");
    assert_string_equal(region_find_code("330106")->full_name, "浙江省杭州市西湖区");
    assert_string_equal(region_find_code("330106004")->full_name, "浙江省杭州市西湖区西溪街道");
    assert_string_equal(region_find_code("500229")->full_name, "重庆市城口县");
    assert_string_equal(region_find_code("659001")->full_name, "新疆维吾尔自治区石河子市");
    assert_string_equal(region_find_code("441900")->full_name, "广东省东莞市");
    assert_string_equal(region_find_code("441900003")->full_name, "广东省东莞市东城街道");
    assert_string_equal(region_find_code("33")->full_name, "浙江省");
    assert_string_equal(region_find_code("1101")->name, "市辖区");
    assert_string_equal(region_find_code("1101")->full_name, "北京市");
}

static int is_placeholder(const struct region *r)
{
    return r->level == REGION_CITY &&
           (strcmp(r->name, "市辖区") == 0 || strcmp(r->name, "县") == 0 ||
            strcmp(r->name, "省直辖县级行政区划") == 0 ||
            strcmp(r->name, "自治区直辖县级行政区划") == 0);
}

/* Regions with a child of the same name (东莞市 the city -> 东莞市 the
 * county): such a name means the most specific of the chain. Collected
 * once: there are a handful. */
static const struct region *same_name[2][32];
static size_t n_same_name;

static void collect_same_name(void)
{
    size_t i;
    n_same_name = 0;
    for (i = 0; i < region_count(); i++) {
        const struct region *d = region_at(i);
        if (d->parent && strcmp(d->parent->name, d->name) == 0) {
            assert_true(n_same_name < 32);
            same_name[0][n_same_name] = d->parent;
            same_name[1][n_same_name] = d;
            n_same_name++;
        }
    }
}

static const struct region *same_name_descendant(const struct region *r)
{
    size_t i;
    for (i = 0; i < n_same_name; i++)
        if (same_name[0][i] == r)
            return same_name_descendant(same_name[1][i]);
    return r;
}

/* Every full name leads back to its region; so does the table name
 * within the parent, and the full name followed by a street address. */
static void test_every_full_name_round_trips(void **state)
{
    size_t i, checked = 0;
    (void)state;

    collect_same_name();
    assert_int_equal(n_same_name, 6);
    for (i = 0; i < region_count(); i++) {
        const struct region *r = region_at(i), *out[8], *want, *got;
        char addr[512];
        size_t n, j;
        int found = 0;

        if (is_placeholder(r))
            continue;  /* its full name is its province's */
        want = same_name_descendant(r);
        got = one(r->full_name);
        if (got != want)
            fail_msg("full name %s of %s resolved to %s (%zu matches)", r->full_name, r->code,
                     code_of(got), count_of(r->full_name));
        n = region_find_name(r->name, r->parent, 0, out, 8);
        for (j = 0; j < n && j < 8; j++)
            found |= out[j] == want;
        if (!found)
            fail_msg("name %s within %s does not find %s", r->name,
                     r->parent ? r->parent->code : "-", want->code);
        snprintf(addr, sizeof(addr), "%s幸福路18号3幢", r->full_name);
        got = region_from_address(addr);
        if (got != want)
            fail_msg("address %s resolved to %s, expected %s", addr, code_of(got), want->code);
        checked++;
    }
    assert_true(checked > 44000);
}

/* ---- names ------------------------------------------------------------- */

static void test_ambiguous_name(void **state)
{
    const struct region *out[4] = { NULL };
    size_t n;
    (void)state;

    n = region_find_name("西湖区", NULL, 0, out, 4);
    assert_int_equal(n, 2);
    assert_string_equal(out[0]->code, "330106");
    assert_string_equal(out[1]->code, "360103");
    /* the count is the whole count even when out is smaller */
    out[1] = NULL;
    assert_int_equal(region_find_name("西湖区", NULL, 0, out, 1), 2);
    assert_string_equal(out[0]->code, "330106");
    assert_null(out[1]);
    assert_int_equal(region_find_name("西湖区", NULL, 0, NULL, 0), 2);
    /* short names of places of one level stay ambiguous */
    assert_int_equal(count_of("西湖"), 2);
    assert_int_equal(count_of("朝阳区"), 2);
    assert_true(count_of("城关镇") > 50);
    /* a street may carry a district's name: 东城区 in 河南 */
    assert_int_equal(count_of("东城区"), 2);
}

static void test_full_and_partial_names(void **state)
{
    (void)state;
    expect_name("浙江省杭州市西湖区", "330106");
    expect_name("杭州市西湖区", "330106");
    expect_name("杭州西湖区", "330106");
    expect_name("浙江杭州西湖区", "330106");
    expect_name("浙江省西湖区", "330106");
    expect_name("浙江西湖区", "330106");
    expect_name("江西省南昌市西湖区", "360103");
    expect_name("南昌西湖区", "360103");
    expect_name("杭州西湖", "330106");
    expect_name("杭州市西湖区西溪街道", "330106004");
    expect_name("西湖区西溪街道", "330106004");
    expect_name("浙江省杭州市", "3301");
    expect_name("北京市东城区", "110101");
    expect_name("北京东城区", "110101");
    expect_name("北京市海淀区", "110108");
    expect_name("河南省济源市", "419001");
    expect_name("重庆市城口县", "500229");
    expect_name("上海市浦东新区", "310115");
    expect_name("上海浦东", "310115");
    expect_name("广东省东莞市东城街道", "441900003");
}

static void test_short_names(void **state)
{
    (void)state;
    expect_name("杭州", "3301");
    expect_name("浙江", "33");
    expect_name("北京", "11");
    expect_name("北京市", "11");
    expect_name("上海", "31");
    expect_name("重庆", "50");
    expect_name("广西", "45");
    expect_name("内蒙古", "15");
    expect_name("新疆", "65");
    expect_name("宁夏", "64");
    expect_name("西藏", "54");
    expect_name("广西壮族自治区", "45");
    expect_name("恩施", "4228");
    expect_name("延边", "2224");
    expect_name("黔东南", "5226");
    expect_name("伊犁", "6540");
    expect_name("塔城", "6542");
    expect_name("海淀", "110108");  /* not also its 海淀街道 */
    /* a bare name means the biggest place of that name */
    expect_name("吉林", "22");
    expect_name("吉林市", "2202");
    expect_name("河南", "41");     /* not 河南蒙古族自治县 */
    expect_name("海南", "46");     /* not 海南藏族自治州 */
    /* a county that repeats its city's name is one place */
    expect_name("东莞", "441900");
    expect_name("东莞市", "441900");
    expect_name("嘉峪关市", "620201");
    expect_name("长阳", "420528");  /* 长阳土家族自治县 */
    expect_name("积石山", "622927");
}

static void test_unknown_names(void **state)
{
    (void)state;
    assert_int_equal(count_of("下城区"), 0);
    assert_int_equal(count_of("江干区"), 0);
    assert_int_equal(count_of("杭州市下城区"), 0);
    assert_int_equal(count_of("杭州市江干区"), 0);
    assert_int_equal(count_of(""), 0);
    assert_int_equal(count_of("   "), 0);
    assert_int_equal(region_find_name(NULL, NULL, 0, NULL, 0), 0);
    assert_int_equal(count_of("杭州市西湖区文三路"), 0);
    assert_int_equal(count_of("西湖区杭州市"), 0);  /* upside down */
    assert_int_equal(count_of("市辖区"), 0);         /* a grouping, not a place */
    assert_int_equal(count_of("省直辖县级行政区划"), 0);
    assert_int_equal(count_of("\xFF\xFE"), 0);
}

static void test_within_and_level(void **state)
{
    const struct region *out[4];
    const struct region *zj = region_find_code("33"), *jx = region_find_code("36");
    const struct region *hz = region_find_code("3301");
    (void)state;

    assert_int_equal(region_find_name("西湖区", zj, 0, out, 4), 1);
    assert_string_equal(out[0]->code, "330106");
    assert_int_equal(region_find_name("西湖区", jx, 0, out, 4), 1);
    assert_string_equal(out[0]->code, "360103");
    assert_int_equal(region_find_name("西湖区", hz, 0, out, 4), 1);
    assert_int_equal(region_find_name("西湖区", region_find_code("3302"), 0, out, 4), 0);
    /* within the region itself */
    assert_int_equal(region_find_name("西湖区", region_find_code("330106"), 0, out, 4), 1);
    assert_int_equal(region_find_name("西溪街道", region_find_code("330106"), 0, out, 4), 1);
    assert_string_equal(out[0]->code, "330106004");
    /* a name that also names what is above within still works */
    assert_int_equal(region_find_name("浙江省杭州市西湖区", hz, 0, out, 4), 1);
    assert_int_equal(region_find_name("西湖区", NULL, REGION_COUNTY, out, 4), 2);
    assert_int_equal(region_find_name("西湖区", NULL, REGION_CITY, out, 4), 0);
    assert_int_equal(region_find_name("杭州", NULL, REGION_CITY, out, 4), 1);
    assert_string_equal(out[0]->code, "3301");
    assert_int_equal(region_find_name("杭州", NULL, REGION_PROVINCE, out, 4), 0);
    assert_int_equal(region_find_name("东莞", NULL, REGION_CITY, out, 4), 1);
    assert_string_equal(out[0]->code, "4419");
    assert_int_equal(region_find_name("吉林", NULL, REGION_CITY, out, 4), 1);
    assert_string_equal(out[0]->code, "2202");
    assert_int_equal(region_find_name("朝阳区", region_find_code("11"), 0, out, 4), 1);
    assert_string_equal(out[0]->code, "110105");
}

static void test_width_and_spaces(void **state)
{
    (void)state;
    expect_name("  杭州市 西湖区  ", "330106");
    expect_name("\xE3\x80\x80杭州市\xE3\x80\x80西湖区\xE3\x80\x80", "330106");  /* U+3000 */
    expect_name("浙江省\t杭州市\n西湖区", "330106");
    /* full-width brackets in the table, ASCII in the input, and back */
    expect_name("中国(上海)自由贸易试验区(保税片区)", "310115501");
    expect_name("中国（上海）自由贸易试验区（保税片区）", "310115501");
    expect_name("上海市浦东新区中国(上海)自由贸易试验区(保税片区)", "310115501");
}

/* ---- navigation -------------------------------------------------------- */

static void test_ancestor_and_within(void **state)
{
    const struct region *st = region_find_code("330106004");
    const struct region *xh = region_find_code("330106");
    const struct region *hz = region_find_code("3301");
    const struct region *zj = region_find_code("33");
    (void)state;

    assert_ptr_equal(region_ancestor(st, REGION_COUNTY), xh);
    assert_ptr_equal(region_ancestor(st, REGION_CITY), hz);
    assert_ptr_equal(region_ancestor(st, REGION_PROVINCE), zj);
    assert_ptr_equal(region_ancestor(st, REGION_STREET), st);
    assert_ptr_equal(region_ancestor(xh, REGION_COUNTY), xh);
    assert_null(region_ancestor(xh, REGION_STREET));
    assert_null(region_ancestor(NULL, REGION_CITY));
    assert_true(region_is_within(st, zj));
    assert_true(region_is_within(st, st));
    assert_true(region_is_within(xh, hz));
    assert_false(region_is_within(hz, xh));
    assert_false(region_is_within(xh, region_find_code("36")));
    assert_false(region_is_within(region_find_code("360103"), hz));
    assert_false(region_is_within(NULL, zj));
}

/* ---- addresses --------------------------------------------------------- */

static void test_addresses(void **state)
{
    (void)state;
    expect_address("浙江省杭州市西湖区文三路90号", "330106");
    expect_address("杭州市西湖区西溪街道文三路90号", "330106004");
    expect_address("杭州市西湖区文三路90号东部软件园", "330106");
    expect_address("浙江杭州西湖区文三路90号", "330106");
    expect_address("杭州西湖区文三路", "330106");
    expect_address("北京市海淀区中关村大街1号", "110108");
    expect_address("北京海淀区中关村大街1号", "110108");
    expect_address("上海市浦东新区世纪大道100号", "310115");
    expect_address("河南省济源市沁园路1号", "419001");
    expect_address("广东省东莞市东城街道东城路1号", "441900003");
    expect_address("重庆市城口县葛城街道", "500229001");
    /* ambiguous, unless something later settles it */
    expect_address("西湖区文三路", NULL);
    expect_address("西湖区西溪街道文三路", "330106004");
    /* no district named: the city */
    expect_address("浙江省杭州市文三路", "3301");
    /* a district name found twice in one province leaves the province */
    expect_address("江苏省鼓楼区中山路", "32");
    /* words that only look like places */
    expect_address("北京路1号", NULL);
    expect_address("中山大道西1号", NULL);
    expect_address("北京路1号杭州市西湖区", "330106");
    expect_address("杭州西湖文化广场", NULL);
    expect_address("杭州市西湖文化广场", "3301");
    /* noise around */
    expect_address("地址：浙江省杭州市西湖区文三路90号", "330106");
    expect_address("中国浙江省杭州市西湖区", "330106");
    expect_address("  浙江省 杭州市 西湖区 文三路 ", "330106");
    expect_address("浙江省,杭州市,西湖区", "330106");
    expect_address("３１００１２　浙江省杭州市西湖区", "330106");
    /* a district that no longer exists: what is left is the city, or a
     * street that still exists names the new district */
    expect_address("杭州市下城区武林路1号", "3301");
    expect_address("杭州市江干区四季青街道", "330102014");
    expect_address("", NULL);
    expect_address("文三路90号", NULL);
    assert_null(region_from_address(NULL));
}

static void test_address_speed(void **state)
{
    static const char *const addrs[] = {
        "浙江省杭州市西湖区文三路90号东部软件园2号楼",
        "北京市海淀区中关村大街1号",
        "杭州市西湖区西溪街道文三路478号",
        "广东省深圳市南山区粤海街道科技园",
        "上海市浦东新区张江高科技园区博云路2号",
        "西湖区文三路",
        "四川省成都市高新区天府大道中段1号",
        "江苏省苏州市工业园区星湖街328号",
    };
    const size_t rounds = 4000;
    size_t i, found = 0;
    double t0, per;
    (void)state;

    region_table_init();
    t0 = now_us();
    for (i = 0; i < rounds * 8; i++)
        found += region_from_address(addrs[i % 8]) != NULL;
    per = (now_us() - t0) / (double)(rounds * 8);
    printf("    region_from_address: %.2f us per address\n", per);
    assert_true(found >= rounds * 6);
    /* 5 us is the budget on an optimised build; sanitizer builds get room */
    assert_true(per < 100.0);
}

/* Long and hostile input is bounded, not crashed on. */
static void test_long_input(void **state)
{
    char buf[8192];
    size_t i;
    (void)state;

    for (i = 0; i + 6 < sizeof(buf); i += 6)
        memcpy(buf + i, "城关", 6);
    buf[i] = '\0';
    assert_int_equal(count_of(buf), 0);
    assert_null(region_from_address(buf));
    memset(buf, 0xE5, sizeof(buf) - 1);
    buf[sizeof(buf) - 1] = '\0';
    assert_int_equal(count_of(buf), 0);
    assert_null(region_from_address(buf));
    /* names that repeat nest at most four deep */
    assert_int_equal(count_of("北京北京北京北京北京"), 0);
}

/* region_resolve: a code, a name of one region, an ambiguous or unknown one. */
static void test_resolve(void **state)
{
    size_t n = 99;
    const struct region *r = region_resolve("330106", &n);
    assert_non_null(r);
    assert_string_equal(r->code, "330106");
    assert_int_equal(n, 1);
    r = region_resolve("杭州市西湖区", &n);
    assert_non_null(r);
    assert_string_equal(r->code, "330106");
    assert_null(region_resolve("西湖区", &n));
    assert_true(n >= 2);
    assert_null(region_resolve("不存在的地方", &n));
    assert_int_equal(n, 0);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_init),
        cmocka_unit_test(test_levels_and_order),
        cmocka_unit_test(test_every_code_round_trips),
        cmocka_unit_test(test_code_forms),
        cmocka_unit_test(test_full_names),
        cmocka_unit_test(test_every_full_name_round_trips),
        cmocka_unit_test(test_ambiguous_name),
        cmocka_unit_test(test_full_and_partial_names),
        cmocka_unit_test(test_short_names),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_within_and_level),
        cmocka_unit_test(test_width_and_spaces),
        cmocka_unit_test(test_ancestor_and_within),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_address_speed),
        cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
