/*
 * list.h - saved lists (清单): a screening query kept under a name with a
 * snapshot of every enterprise it matched at that moment, ranked and
 * scored exactly as `magnet screen` ranks and scores them; and the
 * comparison of a snapshot with what the same query matches now.
 *
 * The store keeps the rows (store_list_* in store/store.h); this module
 * decides what goes in them and what a difference means. docs/lists.md is
 * the user's version.
 *
 * Errors: every function returns 0 or -1 with err->code one of enum
 * list_error, so that a front end can tell a refused request from a broken
 * store.
 */
#ifndef MAGNET_INDEX_LIST_H
#define MAGNET_INDEX_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

struct audit_actor;
struct index;
struct query;
struct store;

#define LIST_MAX_ITEMS 1000000  /* a query matching more is refused */
#define LIST_MAX_NAME 64        /* characters in a name */
#define LIST_MAX_NOTE 1000      /* characters in a note */
#define LIST_MAX_USER 128       /* bytes of the user name recorded */

enum list_error {
    LIST_E_STORE = 1,   /* the store could not be read or written */
    LIST_E_QUERY,       /* the query does not parse (message: "position N: ...") */
    LIST_E_REFUSED,     /* a bad name or note, too many matches */
    LIST_E_NOT_FOUND,   /* no list of that name */
    LIST_E_IO,          /* an export file could not be written */
    LIST_E_EXISTS       /* list_save without replace: the name is taken */
};

/* One enterprise of a list, as saved or as it is now. Unknown numbers are
 * SCORE_UNKNOWN, unknown codes "". */
struct list_entry {
    uint32_t doc;            /* the store's ent.id */
    uint32_t rank;           /* 1-based, in the query's order */
    char uscc[19];           /* "" when none */
    char *name;              /* owned */
    char region[10];
    char industry[6];
    int64_t founded;         /* days since 1970-01-01 */
    int64_t capital_cny;     /* cents of CNY */
    int status;              /* enum ent_status */
    int64_t staff, patents;
    uint32_t tags;           /* bit (1u << enum ent_tag) */
    char round[16];          /* canonical, "" none */
    int score;
};

void list_entries_free(struct list_entry *e, size_t n);

/* The fields a diff compares, as bits (1u << f) of a change mask. */
enum list_field {
    LF_SCORE = 0,
    LF_NAME,
    LF_REGION,
    LF_INDUSTRY,
    LF_FOUNDED,
    LF_CAPITAL,
    LF_STATUS,
    LF_STAFF,
    LF_PATENTS,
    LF_TAGS,
    LF_ROUND,
    LF_COUNT_
};
const char *list_field_name(enum list_field f);   /* "score", "capital", ... */
const char *list_field_label(enum list_field f);  /* "得分", "注册资本", ... */
/* The value of field f of e for people ("1200万", "存续", "国家高新技术企业、专精特新",
 * "浙江省杭州市西湖区 (330106)", "未知"). Appends to out. */
void list_field_text(const struct list_entry *e, enum list_field f, struct strbuf *out);
/* Bits of the fields whose values differ between a and b. */
uint32_t list_entry_diff(const struct list_entry *a, const struct list_entry *b);

/* A list's description. Strings owned (NULL when absent). */
struct list_meta {
    int64_t id;
    char *name, *query, *note, *user, *created, *score_model, *home, *today;
    uint64_t total;
};
void list_meta_release(struct list_meta *m);

/* 0 when name can name a list: 1 to LIST_MAX_NAME characters of valid
 * UTF-8, no control characters, no white space at either end, not starting
 * with '-'. Else -1 with err saying which rule it breaks. */
int list_name_check(const char *name, struct error *err);
/* 0 when note (NULL: none) can be a list's note: valid UTF-8, at most
 * LIST_MAX_NOTE characters, no control characters but newline and tab.
 * Else -1 (LIST_E_REFUSED) with err saying why. */
int list_note_check(const char *note, struct error *err);

/* Every enterprise q matches in ix, ranked as screen_run ranks them (the
 * query's sort, ties by USCC), with its score and fields. Refuses (-1,
 * LIST_E_REFUSED) when more than max match; *out is caller-freed with
 * list_entries_free. */
int list_snapshot(struct index *ix, const struct query *q, size_t max, struct list_entry **out,
                  size_t *n, struct error *err);

struct list_save_options {
    const char *name;
    const char *query;   /* as typed; saved in canonical form */
    const char *note;    /* NULL: none */
    const char *user;    /* NULL: unknown */
    int replace;         /* overwrite a list of that name */
};

/* Run the query on ix and save it with its snapshot in st, in one
 * transaction: all of it or nothing. With by (NULL: no audit row, for
 * tests), the audit row - action "list.create", or "list.replace" when a
 * list of that name was replaced; entity "list", entity_id the name;
 * before/after the description as list_meta_json() gives it (name, query,
 * note, user, created, score_model, home, today, total) - is written in
 * the same transaction. *out (may be NULL) describes what was saved;
 * release it. A name taken without o->replace is LIST_E_EXISTS. */
int list_save(struct index *ix, struct store *st, const struct list_save_options *o,
              const struct audit_actor *by, struct list_meta *out, struct error *err);

/* The list called name (LIST_E_NOT_FOUND names the lists there are). */
int list_get(struct store *st, const char *name, struct list_meta *out, struct error *err);

/* Every list, by name; *out caller-freed with list_metas_free. */
int list_all(struct store *st, struct list_meta **out, size_t *n, struct error *err);
void list_metas_free(struct list_meta *m, size_t n);

/* The first limit entries of a saved snapshot (0: all), in saved order. */
int list_items(struct store *st, const struct list_meta *m, size_t limit,
               struct list_entry **out, size_t *n, struct error *err);

/* Remove the list called name; with by (NULL: none), its audit row
 * ("list.delete", before = the description) in the same transaction. */
int list_remove(struct store *st, const char *name, const struct audit_actor *by,
                struct error *err);

/* An enterprise the saved list had that the query no longer matches. */
struct list_drop {
    struct list_entry then;
    int exists;              /* still in the store (and the index) */
    struct list_entry now;   /* when exists (rank 0: not ranked now) */
    uint32_t changed;        /* list_entry_diff(then, now) when exists */
    char **fails;            /* the query's clauses it fails now, canonical ("status:active") */
    size_t nfails;
};

/* An enterprise in both whose score or fields changed. */
struct list_change {
    struct list_entry then, now;
    uint32_t changed;
};

struct list_diff {
    struct list_meta meta;
    char *query_now;         /* canonical form of the saved query parsed today */
    char score_model_now[16];
    char home_now[10];       /* "" none */
    char today_now[11];
    uint64_t total_then, total_now;
    uint64_t nadded, ndropped, nchanged, unchanged;   /* exact counts */
    struct list_entry *added;      /* in current order; at most keep */
    size_t added_kept;
    struct list_drop *dropped;     /* in saved order; at most keep */
    size_t dropped_kept;
    struct list_change *changed;   /* in current order; at most keep */
    size_t changed_kept;
};

/* Compare the list called name with what its query matches in ix now:
 * added (matched now, not then), dropped (then, not now; for those that
 * still exist, the clauses they now fail and the fields that changed),
 * changed (in both; score or a field differs). Counts are exact; at most
 * keep entries of each kind are kept (0: all). Refuses when the query now
 * matches more than LIST_MAX_ITEMS. */
int list_diff(struct index *ix, struct store *st, const char *name, size_t keep,
              struct list_diff *out, struct error *err);
void list_diff_release(struct list_diff *d);

/* Write the snapshot of the list called name to path (.xlsx or .csv, by
 * extension) with Chinese headers and typed cells; *rows = rows written.
 * Nothing is left at path on failure. */
int list_export(struct store *st, const char *name, const char *path, int csv_bom,
                int64_t *rows, struct error *err);

#endif
