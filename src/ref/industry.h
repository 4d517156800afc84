/*
 * industry.h - the national economic industry classification GB/T
 * 4754-2017, embedded from data/industries-gbt4754-2017.csv.
 *
 * Levels: 1 门类 section "I", 2 大类 division "65", 3 中类 group "651",
 * 4 小类 class "6513". Lookup accepts any level, with or without the section
 * letter in front ("I6513", "I65"), and free text that carries a code or a
 * name as vendors export it: "软件开发(6513)", "[I65]软件和信息技术服务业",
 * "6513 应用软件开发", "应用软件开发".
 *
 * Immutable after industry_table_init(); safe to read from any thread.
 */
#ifndef MAGNET_REF_INDUSTRY_H
#define MAGNET_REF_INDUSTRY_H

#include <stddef.h>

enum industry_level {
    INDUSTRY_SECTION = 1,
    INDUSTRY_DIVISION = 2,
    INDUSTRY_GROUP = 3,
    INDUSTRY_CLASS = 4
};

struct industry {
    char code[6];                   /* "I", "65", "651", "6513" */
    int level;                      /* enum industry_level */
    const char *name;               /* "应用软件开发" */
    const struct industry *parent;  /* NULL for a section */
    char section;                   /* 'I' for every level under section I */
};

void industry_table_init(void);  /* idempotent, thread-safe; called by the others */
size_t industry_count(void);
const struct industry *industry_at(size_t i);

/* Exact code at any level: "I", "65", "651", "6513", "I6513", "i65". */
const struct industry *industry_find_code(const char *code);

/* Exact name (after trimming and width folding). Returns the number of
 * matches (names are unique in the standard except where a division and
 * its only group share one; then the most specific wins and 1 is returned).
 * In the 2017 table that also covers a group and its only class (202
 * chains, 国际组织 at all four levels). The list punctuation 、 and , is
 * ignored: "农林牧渔业" finds A. */
size_t industry_find_name(const char *name, const struct industry **out, size_t max);

/* Free text as found in spreadsheets: a code, a name, or both. Returns the
 * industry or NULL with a message in err saying what did not match
 * (including when the code and the name disagree).
 *
 * Codes are runs of ASCII letters and digits shaped like a code, anywhere
 * in the text and in any brackets; the rest, trimmed of separators, is the
 * name. A code and a name agree when one lies under the other, and the more
 * specific one is returned: "软件开发(6513)" -> 6513, "[I]软件和信息技术
 * 服务业" -> 65; a name that abbreviates the code's own name also agrees
 * ("软件和信息技术服务(65)"). Where a chain shares a name ("12 其他采矿业")
 * the code decides the level. Messages name the offending code and name
 * ("industry code 6513 (应用软件开发) does not match the name '基础软件开发'
 * (6511)", "unknown industry code '6510'"). errbuf may be NULL; the message
 * is cut to errlen. */
const struct industry *industry_parse(const char *text, char *errbuf, size_t errlen);

#endif
