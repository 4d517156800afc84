/*
 * ent.h - the enterprise record as the registry knows it: a fixed table of
 * fields, and a record that holds a value (or nothing) for each.
 *
 * Every layer works from the same field table: the importer maps headers to
 * fields, the store maps fields to columns, the change history names
 * fields, the exporter writes them as columns. "No value" (field not set)
 * is distinct from any value, so that re-importing a file with an empty
 * cell never erases what the store knows.
 */
#ifndef MAGNET_REGISTRY_ENT_H
#define MAGNET_REGISTRY_ENT_H

#include <stddef.h>
#include <stdint.h>

#include "registry/value.h"

enum ent_field {
    F_USCC = 0,
    F_NAME,
    F_FORMER_NAMES,
    F_LEGAL_REP,
    F_CAPITAL,
    F_PAID_IN,
    F_FOUNDED,
    F_STATUS,
    F_ENT_TYPE,
    F_REGION,
    F_STREET,
    F_ADDRESS,
    F_INDUSTRY,
    F_SCOPE,
    F_STAFF,
    F_PATENTS,
    F_PAT_INVENTION,
    F_PAT_UTILITY,
    F_PAT_DESIGN,
    F_SOFTWARE_CR,
    F_TRADEMARKS,
    F_TAGS,
    F_ROUND,
    F_FUNDING_AMOUNT,
    F_FUNDING_DATE,
    F_WEBSITE,
    F_PHONE,
    F_EMAIL,
    F_EXTRA,
    F_COUNT
};

enum ent_field_type {
    FT_TEXT,    /* s */
    FT_INT,     /* i: a non-negative count */
    FT_MONEY,   /* i: cents, s: currency code */
    FT_DATE,    /* s: "YYYY-MM-DD" */
    FT_STATUS,  /* i: enum ent_status, s: the original text */
    FT_CODE,    /* s: a region, street or industry code */
    FT_TAGS,    /* tags (struct tag_set), s: its canonical text form */
    FT_JSON     /* s: a JSON object of extra columns */
};

struct ent_field_info {
    enum ent_field field;
    const char *name;   /* machine name: "capital" (CLI, JSON, mapping files, history) */
    const char *label;  /* Chinese column header used on export: "注册资本" */
    enum ent_field_type type;
};

extern const struct ent_field_info ent_fields[F_COUNT];
/* Field by machine name or Chinese label; -1 when unknown. */
int ent_field_by_name(const char *name);

struct ent_value {
    unsigned char set;  /* 0: no value */
    int64_t i;
    char *s;            /* in the record's memory; NULL when the type has no text */
    size_t len;         /* bytes in s before its NUL, so that binding needs no strlen */
};

/* The text of a record lives in chunks the record owns (struct ent_chunk,
 * see ent.c): a row of ~30 values costs one allocation instead of one per
 * value, and ent_reset() lets an importer reuse the memory row after row.
 * A value replaced by a setter stays in the chunk until the record is
 * released or reset; that is fine for records that are set once or twice
 * per field. */
struct ent_chunk;

struct ent {
    int64_t id;                  /* store row id, 0 when not stored */
    struct ent_value v[F_COUNT];
    struct tag_set tags;         /* valid when v[F_TAGS].set */
    char *name_key;              /* comparison key of the name (utf8_name_key), or NULL */
    size_t name_key_len;
    struct ent_chunk *mem;       /* the text above; NULL until the first value */
};

void ent_init(struct ent *e);
void ent_release(struct ent *e);  /* frees the values; e can be reused after ent_init */
/* Forget the values but keep (the first chunk of) the memory for the next
 * record: the same as ent_release + ent_init without the free/malloc. */
void ent_reset(struct ent *e);

/* Setters copy their arguments into the record's memory. */
void ent_set_text(struct ent *e, enum ent_field f, const char *s, size_t len);
void ent_set_name_key(struct ent *e, const char *key, size_t len);
void ent_set_int(struct ent *e, enum ent_field f, int64_t i);
void ent_set_money(struct ent *e, enum ent_field f, const struct money *m);
void ent_set_status(struct ent *e, enum ent_status st, const char *text, size_t len);
void ent_set_tags(struct ent *e, const struct tag_set *tags);
void ent_unset(struct ent *e, enum ent_field f);

/* The value of a field as text for display and the change history:
 * money "500万 CNY"-style as "5000000.00 CNY", tags as
 * "hightech:2021,specialised". Appends to out; nothing when not set. */
struct strbuf;
void ent_value_format(const struct ent *e, enum ent_field f, struct strbuf *out);

/* 1 when the two records hold the same value for f (both unset counts as equal). */
int ent_value_equal(const struct ent *a, const struct ent *b, enum ent_field f);

/* Canonical text form of a tag set: "hightech:2021,specialised:2022-05-01,listed"
 * in enum order; and back. */
void ent_tags_format(const struct tag_set *t, struct strbuf *out);
int ent_tags_parse(const char *s, struct tag_set *out);

#endif
