/*
 * export.h - writing the store's enterprises to XLSX or CSV with Chinese
 * headers, in a form the importer reads back unchanged.
 */
#ifndef MAGNET_REGISTRY_EXPORT_H
#define MAGNET_REGISTRY_EXPORT_H

#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

struct export_options {
    int csv_bom;  /* UTF-8 BOM for Excel */
    void (*progress)(int64_t rows, void *ctx);
    void *progress_ctx;
};

/* Write every enterprise to path (.xlsx or .csv). Sets *rows. Nothing is
 * left at path on failure. */
int export_enterprises(struct store *st, const char *path, const struct export_options *opt,
                       int64_t *rows, struct error *err);

/* Money as the registries write it: "500万元人民币", "1,000.5万美元". */
struct strbuf;
void export_format_money(int64_t cents, const char *currency, struct strbuf *out);

/* Qualifications as people write them: "国家高新技术企业(2021)、专精特新". */
struct tag_set;
void export_format_tags(const struct tag_set *tags, struct strbuf *out);

#endif
