/*
 * tables.h - the generator's data: industry families with their name words
 * and business-scope phrases, industry weights, province weights, names of
 * people, trade-name syllables, roads and groups.
 *
 * Kept as C tables (not data files) so the generator needs nothing at run
 * time and the tables are type-checked. Weights are integers; where they
 * come from, and how much of them is estimate, is written in docs/data.md.
 * Every industry code named here is checked against the embedded GB/T
 * 4754-2017 table when the generator starts (and in tests/unit/test_gen.c).
 */
#ifndef MAGNET_GEN_TABLES_H
#define MAGNET_GEN_TABLES_H

#include <stdint.h>

/* Industry families: classes that share name words, scope phrases and an
 * innovation profile. */
enum gen_family {
    FAM_AGRI,
    FAM_MINING,
    FAM_FOOD,
    FAM_TEXTILE,
    FAM_WOOD,
    FAM_PAPER,
    FAM_CHEM,
    FAM_PHARMA,
    FAM_MATERIAL,     /* rubber, plastics, non-metallic minerals */
    FAM_METAL,
    FAM_MACHINERY,
    FAM_MEDDEV,
    FAM_AUTO,
    FAM_ELECTRIC,
    FAM_ELECTRONICS,
    FAM_IC,
    FAM_INSTRUMENT,
    FAM_OTHER_MFG,
    FAM_ENERGY,
    FAM_CONSTRUCTION,
    FAM_DECORATION,
    FAM_WHOLESALE,
    FAM_RETAIL,
    FAM_TRANSPORT,
    FAM_HOTEL,
    FAM_CATERING,
    FAM_TELECOM,
    FAM_INTERNET,
    FAM_SOFTWARE,
    FAM_DIGITAL,      /* animation, games, digital content */
    FAM_SPACE,        /* remote sensing, satellites, aerospace */
    FAM_FINANCE,
    FAM_INVEST,
    FAM_REALESTATE,
    FAM_RENTAL,
    FAM_BUSINESS,
    FAM_ADVERT,
    FAM_HR,
    FAM_RD,
    FAM_BIOTECH,
    FAM_TECHSERV,
    FAM_ENVIRON,
    FAM_RESIDENT,
    FAM_REPAIR,
    FAM_EDUCATION,
    FAM_HEALTH,
    FAM_MEDIA,        /* film, television, publishing */
    FAM_CULTURE,
    FAM_SPORT_ENT,
    FAM_PUBLIC,       /* divisions 91-97: never generated */
    FAM_COUNT
};

struct gen_family_info {
    const char *key;
    uint8_t tech;                 /* innovation affinity 0..100 */
    /* log2 offsets, in quarter bits, of the expected counts of inventions,
     * utility models, designs, software copyrights and trademarks */
    int8_t ip[5];
    const char *const *words;     /* industry words for names: "网络科技" */
    const char *const *phrases;   /* 一般项目 scope phrases */
    const char *const *licensed;  /* 许可项目 phrases (may be empty) */
    const char *const *shops;     /* 个体工商户 shop words; NULL: none */
};
extern const struct gen_family_info gen_families[FAM_COUNT];

/* Scope phrases any firm may add (consulting, import/export, office...). */
extern const char *const gen_common_phrases[];
/* Scope phrases for technology firms of any family. */
extern const char *const gen_tech_phrases[];

/* Divisions (大类) with their family and weights (enterprises per 10,000):
 * national, home district (Hangzhou-style tilt), and high-tech firms. */
struct gen_division {
    const char *code;
    uint8_t family;
    uint16_t nat, home, tech;
};
extern const struct gen_division gen_divisions[];
extern const unsigned gen_division_count;

/* Classes that differ from their division: a weight boost (default 10), a
 * family of their own (-1: the division's), a leading scope phrase. */
struct gen_class_info {
    const char *code;
    uint16_t boost;
    int8_t family;
    const char *phrase;
};
extern const struct gen_class_info gen_classes[];
extern const unsigned gen_class_count;

/* Enterprises by province (thousands, estimated), with the short name
 * firms use ("浙江"); city multipliers. */
struct gen_province {
    const char *code;
    uint32_t weight;
    const char *short_name;
};
extern const struct gen_province gen_provinces[];
struct gen_weight {
    const char *code;
    uint32_t weight;
};
extern const unsigned gen_province_count;
extern const struct gen_weight gen_city_boost[];  /* x10: 30 = three times */
extern const unsigned gen_city_boost_count;

/* Landline area codes by city code prefix ("3301" -> "0571"). */
struct gen_area_code {
    const char *city;
    const char *area;
};
extern const struct gen_area_code gen_area_codes[];
extern const unsigned gen_area_code_count;

/* Founding year weights 1990.. (new registrations per year, thousands). */
extern const uint32_t gen_year_weight[];
extern const unsigned gen_year_first, gen_year_count;

/* People. */
struct gen_surname {
    const char *s;
    uint32_t weight;
};
extern const struct gen_surname gen_surnames[];
extern const unsigned gen_surname_count;
extern const char *const gen_given[];
extern const unsigned gen_given_count;

/* Trade-name syllables: text, pinyin, style (0 traditional, 1 modern, 2 both). */
struct gen_syllable {
    const char *zh;
    const char *py;
    uint8_t style;
};
extern const struct gen_syllable gen_syllables[];
extern const unsigned gen_syllable_count;
/* Curated trade names for the largest groups. */
extern const struct gen_syllable gen_group_names[];
extern const unsigned gen_group_name_count;

/* Addresses. */
extern const char *const gen_roads[];
extern const unsigned gen_road_count;
extern const char *const gen_home_roads[];  /* Hangzhou Xihu roads, for --home 330106 */
extern const unsigned gen_home_road_count;
extern const char *const gen_buildings[];
extern const unsigned gen_building_count;

/* Ethnic names cut from autonomous prefectures and counties to get the
 * short place name used in firm names ("湘西土家族苗族自治州" -> "湘西"). */
extern const char *const gen_ethnic[];

#endif
