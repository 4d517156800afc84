/*
 * gen.h - the realistic enterprise generator behind `magnet gen`.
 *
 * Generates N enterprises that look and behave like a national registry
 * export: real region and industry codes with realistic skew, names that
 * agree with region and industry, standard-style business scopes, heavy-
 * tailed capital, staff and patents, rare and consistent qualification
 * tags, funding rounds, groups of subsidiaries and branches, and a home
 * district calibrated to published figures (see docs/data.md).
 *
 * Determinism: row i is a pure function of (options, i). Every random draw
 * comes from a stream seeded by (seed, i, purpose) and every quantity is an
 * integer, so the same options give byte-identical output on any machine,
 * with any number of threads. The generation "today" is an option, not the
 * clock, for the same reason.
 *
 * Life cycle: gen_new() validates the options and builds the sampling
 * tables (a few milliseconds); gen_free(). A struct gen is immutable after
 * gen_new() and may be shared by threads.
 */
#ifndef MAGNET_GEN_GEN_H
#define MAGNET_GEN_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "ref/region.h"
#include "registry/value.h"

/* The fixed generation date used when none is given: output must not change
 * from one day to the next. */
#define GEN_DEFAULT_TODAY "2026-11-01"
#define GEN_MAX_COUNT 100000000ULL  /* the organisation-code space is 10^8 */
#define GEN_NCOLS 28
#define GEN_MAX_THREADS 16

struct gen_options {
    uint64_t count;     /* rows, 1..GEN_MAX_COUNT */
    uint64_t seed;
    const char *home;   /* 6-digit county code of the home district, NULL or "" for none */
    const char *today;  /* "YYYY-MM-DD", NULL for GEN_DEFAULT_TODAY */
    int threads;        /* writer threads, 0 for 2; output does not depend on it */
};

/* The CSV/XLSX header, in column order. */
extern const char *const gen_columns[GEN_NCOLS];

enum gen_role {
    GEN_ROLE_PLAIN = 0,
    GEN_ROLE_PARENT,      /* head of a group */
    GEN_ROLE_SUBSIDIARY,  /* owned by a group parent */
    GEN_ROLE_BRANCH,      /* 分公司 of a group parent */
    GEN_ROLE_FUND         /* investment fund (有限合伙) */
};

enum gen_currency { GEN_CNY = 0, GEN_USD, GEN_HKD };

/* How a row writes its values, as real exports vary. */
#define GEN_STYLE_THOUSANDS 1u      /* money with thousands separators: 1,000.5万 */
#define GEN_STYLE_INDUSTRY_NAME 2u  /* 国标行业 as "应用软件开发(6513)" */

/* One generated enterprise. Money is in whole units of its currency
 * (元, US$, HK$); -1 means "no value" (the cell is left empty). */
struct gen_ent {
    uint64_t row;
    enum gen_role role;
    uint64_t parent_row;          /* for subsidiaries and branches */
    uint64_t group;               /* group number of parents and members */
    int share_bp;                 /* parent's share in basis points (subsidiaries) */
    int home;                     /* 1 when in the home district */
    char type_digit;              /* USCC type: '1' enterprise, '2' 个体, '3' 合作社 */
    char uscc[19];
    const struct region *county;  /* the county (region table) */
    const char *county_code;      /* 6 digits, points into the region table */
    uint32_t county_ix;           /* internal index of the county */
    int32_t street_ix;            /* internal index of the street, -1 when none */
    char industry[5];             /* GB/T 4754 class */
    int family;                   /* enum gen_family */
    const char *class_phrase;     /* the class's leading scope phrase, or NULL */
    int32_t z, innov;             /* latent size and innovation, q16 sd */
    int founded;                  /* day number (days since 1970-01-01) */
    int founded_y;                /* its year */
    int64_t capital, paid_in;     /* whole currency units, -1 = empty */
    enum gen_currency currency;
    enum ent_status status;
    int status_label;             /* which spelling of the status */
    int64_t staff;                /* -1 = empty */
    int64_t pat_invention, pat_utility, pat_design, software_cr, trademarks;
    uint32_t tags;                /* bit (1u << enum ent_tag) */
    int16_t tag_year[TAG_COUNT];
    int round;                    /* index into the round labels, -1 none */
    int64_t funding;              /* whole currency units, -1 none */
    enum gen_currency funding_currency;
    int funding_date;             /* day number, valid when round >= 0 */
    const char *ent_type;         /* 企业类型 */
    uint32_t style;               /* presentation choices (GEN_STYLE_*) */
    /* text, filled when asked for */
    int niche;                    /* specialism (enum gen_niche_id in tables.h), -1 none or
                                   * text not asked for */
    char trade[16];               /* 字号: "云栖" */
    char trade_py[48];            /* its pinyin: "yunqi" */
    char name[160];
    char former[320];
    char legal_rep[160];
    char address[256];
    char scope[1600];
    char website[64];
    char phone[24];
};

struct gen;

int gen_new(const struct gen_options *opt, struct gen **out, struct error *err);
void gen_free(struct gen *g);

uint64_t gen_count(const struct gen *g);
/* Rows in the home district and the calibrated tag counts among them
 * (exact, by construction); all 0 without --home. */
struct gen_home_figures {
    uint64_t rows, hightech, listed, little_giant, specialised;
};
void gen_home_figures(const struct gen *g, struct gen_home_figures *out);

/* Generate row i (< count). with_text = 0 skips names, scopes and addresses
 * (about five times faster; enough for the edges file and statistics). */
void gen_ent_make(const struct gen *g, uint64_t i, struct gen_ent *e, int with_text);

/* The row's cells as text, in gen_columns order: fields are appended to
 * out back to back and field k is out[off[k] .. off[k+1]). */
void gen_ent_cells(const struct gen_ent *e, struct strbuf *out, size_t off[GEN_NCOLS + 1]);

/* Day number <-> "YYYY-MM-DD" (proleptic Gregorian). */
int gen_date_parse(const char *s, int *day);
void gen_date_format(int day, char out[11]);

/* ---- writers (gen_write.c, gen_xlsx.c, gen_edges.c) ---- */

/* Where bytes go: write all len bytes or fail with a message. */
struct gen_sink {
    int (*write)(void *ctx, const void *buf, size_t len, struct error *err);
    void *ctx;
};

/* The whole CSV (header and rows) to a sink, rows generated in blocks by
 * the option's threads and written in order. */
int gen_write_csv(const struct gen *g, const struct gen_sink *sink, struct error *err);
/* The same to a file (created or truncated). */
int gen_write_csv_file(const struct gen *g, const char *path, struct error *err);
/* XLSX via libxlsxwriter in constant-memory mode; a new sheet every
 * 1,048,575 rows (Excel's limit, header included). */
int gen_write_xlsx_file(const struct gen *g, const char *path, struct error *err);
/* Shareholding and branch edges (see docs/data.md for the columns). */
int gen_write_edges(const struct gen *g, const struct gen_sink *sink, struct error *err);
int gen_write_edges_file(const struct gen *g, const char *path, struct error *err);

#endif
