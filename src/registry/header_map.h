/*
 * header_map.h - finding the header row of a spreadsheet and mapping its
 * columns to enterprise fields.
 *
 * Real exports put title rows ("2024年西湖区重点企业名单"), notes and merged
 * cells above the header, mark required columns with "*", carry units in
 * the header ("注册资本(万元)") and name the same thing a dozen ways
 * (企业名称/公司名称/名称). The header row is the first row, among the first
 * HEADER_SCAN_ROWS, with the most recognised column names; a row right below
 * it that only refines merged header cells ("专利数" over "发明 | 实用新型 |
 * 外观设计") is folded into it.
 */
#ifndef MAGNET_REGISTRY_HEADER_MAP_H
#define MAGNET_REGISTRY_HEADER_MAP_H

#include <stddef.h>

#include "base/error.h"
#include "registry/ent.h"
#include "registry/table.h"

#define HEADER_SCAN_ROWS 30

/* What a column is: an enterprise field, or one of these. */
enum column_kind {
    COL_EXTRA = F_COUNT + 1,  /* unknown: kept verbatim in the enterprise's extra columns */
    COL_IGNORE,               /* the mapping file said to drop it */
    COL_PROVINCE,             /* region names, resolved together with the others */
    COL_CITY,
    COL_COUNTY
};

struct column {
    int kind;                  /* enum ent_field or enum column_kind */
    char *header;              /* the header text as written (cleaned), "" when blank */
    char *key;                 /* the name the column's cells are kept under as extra
                                  columns: the header, "列C" for a blank one, "备注(列F)"
                                  for the second of two same-named columns */
    enum money_unit unit;      /* for money columns: the unit the header declares, else 0 */
    char currency[4];          /* for money columns: the currency it declares, else "" */
};

struct column_map {
    size_t ncols;
    struct column *cols;
    size_t header_row;         /* the (last) header row's number, as the user sees it */
};

/* A user's explicit mapping: header text -> field name or "-" to drop. */
struct mapping_rule {
    char *header;
    int kind;
};
struct mapping {
    size_t n, alloc;
    struct mapping_rule *rules;
};

/* Load a mapping file: UTF-8 lines "表头 = field" (field a name from
 * ent_fields, "province", "city", "county", "extra" or "-"), "#" comments.
 * Errors name the line. */
int mapping_load(const char *path, struct mapping *m, struct error *err);
void mapping_release(struct mapping *m);

/* The kind of column a header names (after the user mapping, when given),
 * and the money unit it declares. COL_EXTRA when unknown. */
int header_kind(const char *header, const struct mapping *m, enum money_unit *unit);

/* Build the map from candidate rows (copied by the caller; rows[0..n)).
 * Returns the index in rows of the first data row, or -1 when no row looks
 * like a header (err says what was seen). */
struct header_row_copy {
    size_t row;
    size_t ncells;
    char **cells;      /* the text, "" when empty */
    struct cell *orig; /* the cells' types and numbers (text NULL), or NULL */
};
int column_map_build(const struct header_row_copy *rows, size_t n, const struct mapping *m,
                     struct column_map *out, struct error *err);
void column_map_release(struct column_map *cm);

#endif
