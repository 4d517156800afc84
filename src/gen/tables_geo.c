/*
 * tables_geo.c - where enterprises are and when they were founded: weights
 * of provinces and major cities, landline area codes, registrations per
 * year. All figures are rounded estimates (see docs/data.md); they shape the
 * skew, they are not statistics to quote.
 */
#include "gen/tables.h"

/* Enterprises (thousands) by province, around 2023: SAMR and provincial
 * press figures as recalled, rounded. Guangdong, Jiangsu, Shandong and
 * Zhejiang dense; Tibet, Qinghai, Ningxia sparse. */
const struct gen_province gen_provinces[] = {
    { "11", 2100, "北京" }, { "12", 650, "天津" },  { "13", 2000, "河北" }, { "14", 900, "山西" },
    { "15", 550, "内蒙古" }, { "21", 1200, "辽宁" }, { "22", 600, "吉林" },  { "23", 650, "黑龙江" },
    { "31", 2700, "上海" }, { "32", 4000, "江苏" }, { "33", 3400, "浙江" }, { "34", 2100, "安徽" },
    { "35", 2000, "福建" }, { "36", 1200, "江西" }, { "37", 3600, "山东" }, { "41", 2600, "河南" },
    { "42", 1800, "湖北" }, { "43", 1500, "湖南" }, { "44", 7600, "广东" }, { "45", 1000, "广西" },
    { "46", 800, "海南" },  { "50", 1200, "重庆" }, { "51", 1900, "四川" }, { "52", 950, "贵州" },
    { "53", 1000, "云南" }, { "54", 80, "西藏" },   { "61", 1300, "陕西" }, { "62", 450, "甘肃" },
    { "63", 100, "青海" },  { "64", 180, "宁夏" },  { "65", 500, "新疆" },
};
const unsigned gen_province_count = sizeof(gen_provinces) / sizeof(gen_provinces[0]);

/* Cities whose counties weigh more than their count suggests (x10):
 * provincial capitals and the big economic centres. */
const struct gen_weight gen_city_boost[] = {
    { "4403", 60 }, { "4401", 50 }, { "4419", 30 }, { "4406", 25 }, { "4413", 12 }, { "4404", 12 },
    { "3205", 40 }, { "3201", 30 }, { "3202", 20 }, { "3204", 15 }, { "3206", 12 },
    { "3301", 45 }, { "3302", 25 }, { "3303", 20 }, { "3307", 18 }, { "3306", 12 }, { "3304", 12 },
    { "3702", 25 }, { "3701", 25 }, { "3706", 12 }, { "3707", 12 },
    { "3502", 25 }, { "3501", 25 }, { "3505", 20 },
    { "4201", 40 }, { "4301", 35 }, { "4101", 40 }, { "5101", 50 }, { "6101", 40 }, { "3401", 35 },
    { "3601", 25 }, { "2101", 25 }, { "2102", 25 }, { "2201", 30 }, { "2301", 30 }, { "1301", 25 },
    { "1401", 25 }, { "1501", 20 }, { "4501", 30 }, { "4601", 30 }, { "4602", 15 }, { "5201", 30 },
    { "5301", 35 }, { "5401", 30 }, { "6201", 30 }, { "6301", 30 }, { "6401", 25 }, { "6501", 30 },
};
const unsigned gen_city_boost_count = sizeof(gen_city_boost) / sizeof(gen_city_boost[0]);

/* Clusters (see enum gen_hub), by city: level 4 the national centre, 3 the
 * leading centres, 2 the major ones, 1 the minor ones. Judgement from where the industry
 * associations and city plans place their firms (chip design: the ICCAD
 * city ranking - Shanghai, Shenzhen, Beijing, Wuxi, Suzhou, Hangzhou,
 * Nanjing, Hefei, Xi'an, Chengdu, Xiamen, Zhuhai, Wuhan lead; data
 * centres: the 东数西算 hubs and the rings around Beijing, Shanghai and
 * Guangzhou-Shenzhen). Not statistics. */
const struct gen_hub_city gen_hub_cities[] = {
    /* chips */
    { HUB_IC, "3101", 3 }, { HUB_IC, "4403", 3 }, { HUB_IC, "1101", 3 }, { HUB_IC, "3205", 3 },
    { HUB_IC, "3202", 3 }, { HUB_IC, "3301", 2 }, { HUB_IC, "3201", 2 }, { HUB_IC, "3401", 2 },
    { HUB_IC, "6101", 2 }, { HUB_IC, "5101", 2 }, { HUB_IC, "3502", 2 }, { HUB_IC, "4404", 2 },
    { HUB_IC, "4201", 2 }, { HUB_IC, "4401", 1 }, { HUB_IC, "1201", 1 }, { HUB_IC, "3701", 1 },
    { HUB_IC, "3702", 1 }, { HUB_IC, "4301", 1 }, { HUB_IC, "5001", 1 }, { HUB_IC, "2102", 1 },
    { HUB_IC, "3306", 1 }, { HUB_IC, "3302", 1 }, { HUB_IC, "3204", 1 }, { HUB_IC, "3501", 1 },
    { HUB_IC, "4419", 1 }, { HUB_IC, "2101", 1 },
    /* AI, cloud, data software */
    { HUB_DIGITAL, "1101", 4 }, { HUB_DIGITAL, "3101", 3 }, { HUB_DIGITAL, "4403", 3 },
    { HUB_DIGITAL, "3301", 3 }, { HUB_DIGITAL, "4401", 2 }, { HUB_DIGITAL, "3201", 2 },
    { HUB_DIGITAL, "3205", 2 }, { HUB_DIGITAL, "5101", 2 }, { HUB_DIGITAL, "3401", 2 },
    { HUB_DIGITAL, "4201", 2 }, { HUB_DIGITAL, "6101", 2 }, { HUB_DIGITAL, "1201", 1 },
    { HUB_DIGITAL, "3702", 1 }, { HUB_DIGITAL, "3701", 1 }, { HUB_DIGITAL, "4301", 1 },
    { HUB_DIGITAL, "5001", 1 }, { HUB_DIGITAL, "3502", 1 }, { HUB_DIGITAL, "3501", 1 },
    { HUB_DIGITAL, "4101", 1 }, { HUB_DIGITAL, "2102", 1 }, { HUB_DIGITAL, "2101", 1 },
    { HUB_DIGITAL, "3202", 1 }, { HUB_DIGITAL, "3302", 1 }, { HUB_DIGITAL, "5201", 1 },
    { HUB_DIGITAL, "4406", 1 }, { HUB_DIGITAL, "4419", 1 },
    /* biopharma (泰州 医药城, 长春 vaccines, 石家庄 pharma) */
    { HUB_BIO, "3101", 3 }, { HUB_BIO, "3205", 3 }, { HUB_BIO, "1101", 3 }, { HUB_BIO, "3301", 2 },
    { HUB_BIO, "4401", 2 }, { HUB_BIO, "4403", 2 }, { HUB_BIO, "3201", 2 }, { HUB_BIO, "4201", 2 },
    { HUB_BIO, "5101", 2 }, { HUB_BIO, "3212", 2 }, { HUB_BIO, "1201", 1 }, { HUB_BIO, "3701", 1 },
    { HUB_BIO, "1301", 1 }, { HUB_BIO, "2201", 1 }, { HUB_BIO, "3702", 1 }, { HUB_BIO, "4301", 1 },
    { HUB_BIO, "5001", 1 }, { HUB_BIO, "3502", 1 }, { HUB_BIO, "3302", 1 }, { HUB_BIO, "3401", 1 },
    { HUB_BIO, "6101", 1 }, { HUB_BIO, "4404", 1 },
    /* space */
    { HUB_SPACE, "1101", 4 }, { HUB_SPACE, "6101", 3 }, { HUB_SPACE, "3101", 2 },
    { HUB_SPACE, "5101", 2 }, { HUB_SPACE, "4201", 2 }, { HUB_SPACE, "4301", 2 },
    { HUB_SPACE, "4403", 1 }, { HUB_SPACE, "2301", 1 }, { HUB_SPACE, "3201", 1 },
    { HUB_SPACE, "3301", 1 }, { HUB_SPACE, "1201", 1 }, { HUB_SPACE, "3702", 1 },
    { HUB_SPACE, "4401", 1 }, { HUB_SPACE, "5001", 1 },
    /* data centres */
    { HUB_IDC, "1307", 3 }, { HUB_IDC, "1310", 3 }, { HUB_IDC, "1509", 3 }, { HUB_IDC, "5201", 3 },
    { HUB_IDC, "6405", 3 }, { HUB_IDC, "1101", 2 }, { HUB_IDC, "1501", 2 }, { HUB_IDC, "6210", 2 },
    { HUB_IDC, "4402", 2 }, { HUB_IDC, "3402", 2 }, { HUB_IDC, "3101", 2 }, { HUB_IDC, "3205", 2 },
    { HUB_IDC, "4401", 2 }, { HUB_IDC, "4403", 2 }, { HUB_IDC, "3301", 2 }, { HUB_IDC, "5001", 2 },
    { HUB_IDC, "5101", 2 }, { HUB_IDC, "1201", 1 }, { HUB_IDC, "3201", 1 }, { HUB_IDC, "3702", 1 },
    { HUB_IDC, "4201", 1 }, { HUB_IDC, "6101", 1 },
    /* electronics distribution and e-commerce (华强北, 义乌, 广州 and 杭州 e-commerce) */
    { HUB_TRADE, "4403", 3 }, { HUB_TRADE, "4401", 3 }, { HUB_TRADE, "3307", 3 },
    { HUB_TRADE, "4419", 2 }, { HUB_TRADE, "3301", 2 }, { HUB_TRADE, "3302", 2 },
    { HUB_TRADE, "3502", 2 }, { HUB_TRADE, "3505", 2 }, { HUB_TRADE, "3101", 2 },
    { HUB_TRADE, "3501", 1 }, { HUB_TRADE, "3205", 1 }, { HUB_TRADE, "1101", 1 },
    { HUB_TRADE, "4406", 1 }, { HUB_TRADE, "4420", 1 }, { HUB_TRADE, "3201", 1 },
    { HUB_TRADE, "4201", 1 }, { HUB_TRADE, "5101", 1 }, { HUB_TRADE, "3702", 1 },
};
const unsigned gen_hub_city_count = sizeof(gen_hub_cities) / sizeof(gen_hub_cities[0]);

/* Specialism multipliers by city level, x8. Chip and space firms outside
 * their clusters are rare (1/8), AI and software firms merely less common
 * (1/2), data centres follow power and land. */
const uint8_t gen_hub_rate[HUB_COUNT][GEN_HUB_LEVELS] = {
    [HUB_NONE] = { 8, 8, 8, 8, 8 },
    [HUB_IC] = { 1, 10, 24, 36, 36 },
    [HUB_DIGITAL] = { 4, 10, 16, 24, 40 },
    [HUB_BIO] = { 3, 10, 20, 28, 28 },
    [HUB_SPACE] = { 1, 10, 24, 40, 48 },
    [HUB_IDC] = { 3, 12, 24, 40, 40 },
    [HUB_TRADE] = { 4, 10, 20, 32, 32 },
};
/* A cluster-bound class drawn outside its clusters is kept 6% of the time
 * (the draw is repeated otherwise), in a minor centre 35%. */
const uint16_t gen_hub_keep[GEN_HUB_LEVELS] = { 60, 350, 1000, 1000, 1000 };

const struct gen_area_code gen_area_codes[] = {
    { "1101", "010" },  { "1201", "022" },  { "3101", "021" },  { "5001", "023" },  { "5002", "023" },
    { "4401", "020" },  { "4403", "0755" }, { "4419", "0769" }, { "4406", "0757" }, { "4404", "0756" },
    { "4413", "0752" }, { "3201", "025" },  { "3205", "0512" }, { "3202", "0510" }, { "3204", "0519" },
    { "3206", "0513" }, { "3301", "0571" }, { "3302", "0574" }, { "3303", "0577" }, { "3307", "0579" },
    { "3306", "0575" }, { "3304", "0573" }, { "3305", "0572" }, { "3310", "0576" }, { "3702", "0532" },
    { "3701", "0531" }, { "3706", "0535" }, { "3707", "0536" }, { "3502", "0592" }, { "3501", "0591" },
    { "3505", "0595" }, { "4201", "027" },  { "4301", "0731" }, { "4101", "0371" }, { "5101", "028" },
    { "6101", "029" },  { "3401", "0551" }, { "3601", "0791" }, { "2101", "024" },  { "2102", "0411" },
    { "2201", "0431" }, { "2301", "0451" }, { "1301", "0311" }, { "1401", "0351" }, { "1501", "0471" },
    { "4501", "0771" }, { "4601", "0898" }, { "4602", "0898" }, { "5201", "0851" }, { "5301", "0871" },
    { "5401", "0891" }, { "6201", "0931" }, { "6301", "0971" }, { "6401", "0951" }, { "6501", "0991" },
};
const unsigned gen_area_code_count = sizeof(gen_area_codes) / sizeof(gen_area_codes[0]);

/* Weight of each founding year among enterprises on the register today
 * (thousands): new registrations per year, thinned for older cohorts that
 * have since been struck off. The 2014 commercial-registration reform
 * (subscribed capital, simplified procedures) shows as the step up. Years
 * after the last entry reuse it. */
const unsigned gen_year_first = 1990;
const uint32_t gen_year_weight[] = {
    40,   45,   70,   100,  110,  110,  100,  100,  110,  120,   /* 1990-1999 */
    140,  160,  180,  220,  250,  280,  310,  340,  370,  420,   /* 2000-2009 */
    520,  600,  650,  850,  1250, 1500, 1800, 2150, 2450, 2700,  /* 2010-2019 */
    2800, 3000, 2900, 3050, 3000, 3000, 3000,                    /* 2020-2026 */
};
const unsigned gen_year_count = sizeof(gen_year_weight) / sizeof(gen_year_weight[0]);
