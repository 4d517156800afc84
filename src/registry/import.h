/*
 * import.h - importing enterprise files (CSV, XLSX) into the store.
 *
 * One file is one batch and one transaction: by default it goes in whole or
 * not at all. Every row is validated; a bad row is reported with the file,
 * sheet, row number as the user sees it, column header, value and reason.
 * With skip_invalid the valid rows are imported and the rejected ones are
 * written, each with its reasons, to a rejects file, so nothing is lost.
 *
 * Re-importing updates enterprises: by USCC, else by normalised name and
 * region (an ambiguous match is reported, never merged). A non-empty new
 * value replaces the old one, an empty cell never erases data, and every
 * changed field is recorded with its old and new value and the batch.
 */
#ifndef MAGNET_REGISTRY_IMPORT_H
#define MAGNET_REGISTRY_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "registry/header_map.h"
#include "store/store.h"

struct audit_actor;
struct import_result;

struct import_options {
    const char *sheet;               /* XLSX sheet name, NULL = first */
    const struct mapping *mapping;   /* explicit header mapping, or NULL */
    int skip_invalid;                /* import valid rows, reject the others */
    const char *rejects_path;        /* .csv or .xlsx; required with skip_invalid */
    int dry_run;                     /* validate (and count) only; write nothing */
    const char *user;                /* recorded in the batch */
    const char *today;               /* "YYYY-MM-DD" for date checks; NULL = today */
    size_t max_issues;               /* issues kept in the result (default 10000); all are counted */
    void (*progress)(size_t rows, void *ctx);
    void *progress_ctx;
    /* Called inside the import's transaction, after the batch row is
     * finished and just before COMMIT, with res->batch, res->counts and
     * res->sha256 final (res->written still 0): for what must commit with
     * the import or not at all, e.g. its audit row (import_audit_hook).
     * Non-zero (err set): the import is rolled back and import_file()
     * returns -1 with that err. Not called for a dry run or a file kept
     * out by invalid rows. NULL: none. */
    int (*before_commit)(struct store *st, const struct import_result *res, void *ctx,
                         struct error *err);
    void *before_commit_ctx;
};

struct import_issue {
    size_t row;          /* as the user sees it (Excel row / CSV record), 0 for the file */
    char *column;        /* header text, or "" */
    char col_letter[8];  /* "D", or "" */
    char *value;         /* the cell's text, or "" */
    char *message;
};

struct import_result {
    char *source;                   /* "file.xlsx!Sheet1" or "file.csv" */
    char sha256[65];
    int64_t batch;                  /* the batch id when written, else 0 */
    struct batch_counts counts;     /* rows, inserted, updated, unchanged, rejected */
    size_t header_row;
    size_t nerrors, nwarnings;      /* totals */
    struct import_issue *errors;    /* the first max_issues of each */
    size_t errors_kept, errors_alloc;
    struct import_issue *warnings;
    size_t warnings_kept, warnings_alloc;
    int written;                    /* 1 when the batch was committed */
};

/* Import one file. Returns 0 when the file was imported (or, with dry_run,
 * would have been) — with skip_invalid, rejected rows do not make it fail;
 * 1 when invalid rows kept it out (nothing written; res lists them); -1 when
 * the file or the store could not be used at all (err says why; nothing
 * written). res is filled in every case and must be released. */
int import_file(struct store *st, const char *path, const struct import_options *opt,
                struct import_result *res, struct error *err);
void import_result_release(struct import_result *res);

/* A before_commit hook that appends the import's audit row: action
 * "import", entity "batch", entity_id the batch id, after = {"file", "rows",
 * "inserted", "updated", "unchanged", "rejected", "sha256"}. ctx is a
 * struct import_audit. */
struct import_audit {
    const struct audit_actor *who;
    const char *file;   /* as the user named it; NULL: res->source */
    int64_t now;        /* unix seconds; 0: the clock */
};
int import_audit_hook(struct store *st, const struct import_result *res, void *ctx,
                      struct error *err);

/* Hex SHA-256 of a file's bytes. */
int import_sha256_file(const char *path, char out[65], struct error *err);

#endif
