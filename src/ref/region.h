/*
 * region.h - the national administrative divisions (NBS statistical division
 * codes 2023, GB/T 2260 based), embedded in the binary from
 * data/regions-2023.csv.
 *
 * Codes by level: province "33", city "3301", county "330106", street
 * "330106001". Six-digit padded forms ("330000", "330100") and the 12-digit
 * NBS form of a street ("330106001000") are accepted on lookup.
 *
 * Names: the table's own names ("西湖区"), full names from the province down
 * ("浙江省杭州市西湖区", the placeholder levels 市辖区/县/省直辖县级行政区划
 * left out), partial names ("杭州市西湖区", "杭州西湖区", "浙江杭州西湖区") and
 * names without their suffix ("杭州", "浙江"). A name that matches several
 * regions is ambiguous and reported as such, never guessed.
 *
 * The table is immutable after region_table_init() and safe to read from any
 * thread.
 */
#ifndef MAGNET_REF_REGION_H
#define MAGNET_REF_REGION_H

#include <stddef.h>

enum region_level {
    REGION_PROVINCE = 1,
    REGION_CITY = 2,
    REGION_COUNTY = 3,
    REGION_STREET = 4
};

struct region {
    char code[10];                /* 2, 4, 6 or 9 digits, NUL-terminated */
    int level;                    /* enum region_level */
    const char *name;             /* the table's name: "西湖区" */
    const char *full_name;        /* "浙江省杭州市西湖区" */
    const struct region *parent;  /* NULL for a province */
};

/* Load the embedded table. Idempotent and thread-safe; every other function
 * calls it itself, so calling it first is only a way to pay the cost early. */
void region_table_init(void);

/* Number of regions and iteration in table order (province, then its
 * cities, ... as in the CSV). */
size_t region_count(void);
const struct region *region_at(size_t i);

/* Exact code lookup at any level (see the header comment for accepted
 * forms; surrounding spaces are ignored). NULL when unknown. */
const struct region *region_find_code(const char *code);

/* Resolve a name. Writes up to max matches to out and returns how many
 * regions matched in all (which may exceed max): 0 unknown, 1 found,
 * more than 1 ambiguous. within, when not NULL, restricts the search to
 * regions under it (or it itself). level, when not 0, restricts the
 * level. When a name matches at several levels the most specific match of
 * the name as written wins ("杭州市西湖区" is the county, not the city).
 *
 * In detail (out may be NULL when max is 0; matches come in table order):
 *   - Full-width ASCII and all white space (U+3000 too) are folded away
 *     first: "杭州市 西湖区", "中国(上海)..." for "中国（上海）...".
 *   - A name may chain several region names, each under the one before,
 *     levels may be skipped, and each part may drop its suffix (省 市 区 县
 *     旗 盟 地区 自治区/州/县/旗 街道 镇 乡 and the peoples before 自治X):
 *     "浙江杭州西湖区", "浙江省西湖区", "广西" for 广西壮族自治区. The
 *     placeholder cities (市辖区, 县, 省直辖县级行政区划, ...) match nothing.
 *   - Readings that spell every part out beat readings that shorten one
 *     ("朝阳区" is the two districts, not also a street 朝阳区街道).
 *   - A county that repeats its city's name is the same place and the
 *     county stands for both: "东莞市" -> 441900 (level 2 gives 4419).
 *   - A bare name without its suffix means the biggest place of that name:
 *     "吉林" and "河南" are the provinces, "海淀" the district (not its
 *     海淀街道); places of one level stay ambiguous ("西湖" -> 2).
 *   - Names longer than 512 bytes and pathological inputs give 0. */
size_t region_find_name(const char *name, const struct region *within, int level,
                        const struct region **out, size_t max);

/* A region given as a code or as a name that names exactly one region
 * (the home district of a command or a server): the region, or NULL with
 * *nmatch the number of regions the name matched (0: unknown; more:
 * ambiguous, give the code). */
const struct region *region_resolve(const char *text, size_t *nmatch);

/* Find the county (and the street, when the address names one under that
 * county) that an address names: "浙江省杭州市西湖区文三路90号" -> 330106.
 * Returns the most specific region found unambiguously, or NULL.
 *
 * The address is read left to right, each region name found having to lie
 * under the previous one ("北京市海淀区..." -> 110108, skipping 市辖区).
 * Counties and streets must carry their suffix (西湖文化广场 is not in
 * 西湖区); provinces and cities may drop theirs ("浙江杭州西湖区...") but a
 * leading one only counts when another name follows it at once (北京路1号
 * is no place). A later name can settle an earlier ambiguity ("西湖区西溪
 * 街道" -> 330106004); one that stays unsettled leaves the regions' common
 * ancestor, or NULL ("西湖区文三路"). Only the first 600 bytes are read;
 * about a microsecond per address. */
const struct region *region_from_address(const char *address);

/* The ancestor of r at the given level (r itself when it is at that level),
 * or NULL when r is above that level. */
const struct region *region_ancestor(const struct region *r, int level);

/* 1 when r is a or lies under a. */
int region_is_within(const struct region *r, const struct region *a);

#endif
