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

/* Clusters: where an activity concentrates. Chip design sits in a dozen
 * cities, data centres where power and land are cheap, cross-border traders
 * in the export cities of Guangdong, Zhejiang and Fujian. A city has a level
 * 0..4 per cluster kind (unlisted: 0). */
enum gen_hub {
    HUB_NONE = 0,
    HUB_IC,       /* chip design, fabs, equipment, materials */
    HUB_DIGITAL,  /* AI, cloud and data software firms */
    HUB_BIO,      /* biopharma, CRO, diagnostics */
    HUB_SPACE,    /* satellites, launchers, navigation */
    HUB_IDC,      /* data centres and computing centres */
    HUB_TRADE,    /* electronics distribution, e-commerce, cross-border trade */
    HUB_COUNT
};
struct gen_hub_city {
    uint8_t hub;
    const char *city;  /* 4-digit city code: "3101" */
    uint8_t level;     /* 1 minor, 2 major, 3 leading, 4 the national centre */
};
extern const struct gen_hub_city gen_hub_cities[];
extern const unsigned gen_hub_city_count;
/* How much likelier a specialism is in a city of each level, x8 (8 = as
 * often as anywhere); and, per mille, how often a cluster-bound industry
 * class (gen_class_hubs) drawn in a city of each level is kept. */
#define GEN_HUB_LEVELS 5
extern const uint8_t gen_hub_rate[HUB_COUNT][GEN_HUB_LEVELS];
extern const uint16_t gen_hub_keep[GEN_HUB_LEVELS];

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

/* Classes bound to a cluster: drawn elsewhere, they are mostly drawn again
 * (gen_hub_keep). */
struct gen_class_hub {
    const char *code;
    uint8_t hub;
};
extern const struct gen_class_hub gen_class_hubs[];
extern const unsigned gen_class_hub_count;

/* Specialisms: what a firm of a class actually does, in the words real
 * registrations of such firms use - an AI vision start-up among software
 * firms, a chip designer, a CRO, a data-centre operator, a chip trader.
 * A specialism adds its specific activities and supporting catalogue items
 * to the business scope and may supply the industry word of the name. */
enum gen_niche_id {
    NICHE_AI_VISION, NICHE_AI_SPEECH, NICHE_AI_MODEL, NICHE_AI_DATA, NICHE_AI_COMPUTE,
    NICHE_AI_CHIP, NICHE_AI_DRIVE, NICHE_AI_MEDICAL, NICHE_AI_INDUSTRIAL, NICHE_AI_FINANCE,
    NICHE_AI_SECURITY, NICHE_AI_PLATFORM, NICHE_AI_ROBOT,
    NICHE_CLOUD_IDC, NICHE_CLOUD_IAAS, NICHE_CLOUD_PAAS, NICHE_CLOUD_SAAS, NICHE_CLOUD_MSP,
    NICHE_CLOUD_SECURITY, NICHE_CLOUD_EDGE, NICHE_CLOUD_HARDWARE,
    NICHE_DATA_ANALYTICS, NICHE_DATA_GOVERNANCE, NICHE_DATA_GOV, NICHE_DATA_EXCHANGE,
    NICHE_DATA_MARKETING, NICHE_DATA_COLLECT, NICHE_DATA_STORAGE,
    NICHE_IC_DESIGN, NICHE_IC_EDA, NICHE_IC_MATERIALS, NICHE_IC_EQUIPMENT, NICHE_IC_FAB,
    NICHE_IC_PACKAGING, NICHE_IC_DISCRETE, NICHE_IC_SOLUTION, NICHE_IC_TRADE,
    NICHE_BIO_CRO, NICHE_BIO_DRUG, NICHE_BIO_IVD, NICHE_BIO_DIGITAL,
    NICHE_SPACE_NAV, NICHE_SPACE_SAT, NICHE_SPACE_LAUNCH,
    NICHE_MFG_SOFTWARE, NICHE_MFG_IIOT, NICHE_MFG_INTEGRATION,
    NICHE_META_XR, NICHE_META_TWIN, NICHE_META_HUMAN, NICHE_META_CONTENT, NICHE_META_CHAIN,
    NICHE_PLAT_LIVE, NICHE_PLAT_OPERATOR, NICHE_PLAT_CROSSBORDER, NICHE_PLAT_DELIVERY,
    NICHE_PLAT_LOCAL, NICHE_PLAT_B2B,
    NICHE_SVC_DESIGN,
    NICHE_NE_BATTERY, NICHE_NE_SOLAR,
    NICHE_SMART_HOME, NICHE_AI_RESELLER, NICHE_BUILDING,
    NICHE_COUNT
};

#define GEN_TRADE_CHIP 1  /* 字号 flavour: 芯 leads it (芯X微电子) */

struct gen_niche {
    const char *key;
    uint16_t since;       /* year the activity became common; 0: always */
    uint8_t innov;        /* 1: likelier for innovative firms (latent innov) */
    uint8_t trade;        /* 字号 flavour (GEN_TRADE_*), 0 none */
    uint8_t word_pct;     /* share of names that use the specialism's words */
    const char *const *words;     /* industry words for names */
    const char *const *specific;  /* the specific activities, as registered */
    const char *const *support;   /* catalogue items such firms also list */
    const char *const *licensed;  /* 许可项目 they may hold (may be empty) */
};
extern const struct gen_niche gen_niches[NICHE_COUNT];

/* Rates: firms of a class (4 digits) or division (2 digits) that have a
 * specialism, per 10,000 such firms, before the cluster, innovation and
 * founding-year multipliers. */
struct gen_niche_rate {
    const char *code;
    uint8_t niche;    /* enum gen_niche_id */
    uint16_t per10k;
    uint8_t hub;      /* the cluster whose city levels scale the rate */
};
extern const struct gen_niche_rate gen_niche_rates[];
extern const unsigned gen_niche_rate_count;

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
