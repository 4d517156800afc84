/*
 * import.c - validated, all-or-nothing import of enterprise files (see
 * import.h).
 *
 * One pass over the file: each row is parsed into a struct ent, checked,
 * and written inside the file's transaction. The first invalid row (without
 * --skip-invalid) stops the writing but not the checking, so the user gets
 * every error of the file at once; the transaction is then rolled back.
 * Memory stays bounded by a few batches of rows plus the set of USCCs seen
 * (for the "appears twice in this file" warning).
 *
 * Two threads share the work (see "rows" below): rows are read and parsed
 * in batches by whichever thread is free, and written to the store in file
 * order by the calling thread, which parses too while the next batch is not
 * ready. The file's SHA-256 is computed on a third thread while the rows
 * are read, so provenance costs no wall time.
 */
#include "registry/import.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "auth/audit.h"
#include "base/alloc.h"
#include "base/hashmap.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "ref/uscc.h"
#include "registry/table_write.h"
#include "registry/xlsx_read.h"

#define DEFAULT_MAX_ISSUES 10000

/* ---- SHA-256 on a helper thread ---- */

/* Hash path; stop early (returning -1) when *cancel becomes non-zero. */
static int sha256_file(const char *path, char out[65], const atomic_int *cancel,
                       struct error *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    EVP_MD_CTX *ctx;
    FILE *f = fopen(path, "rb");
    size_t n;
    int rc = 0;

    if (!f)
        return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        fclose(f);
        EVP_MD_CTX_free(ctx);
        return error_set(err, "sha256: cannot initialise");
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        EVP_DigestUpdate(ctx, buf, n);
        if (cancel && atomic_load(cancel)) {
            rc = error_set(err, "%s: hashing cancelled", path);
            break;
        }
    }
    if (!rc && ferror(f))
        rc = error_set(err, "%s: read error: %s", path, strerror(errno));
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    fclose(f);
    for (i = 0; i < mdlen && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return rc;
}

int import_sha256_file(const char *path, char out[65], struct error *err)
{
    return sha256_file(path, out, NULL, err);
}

struct hash_job {
    const char *path;
    char hex[65];
    struct error err;
    int rc;
    atomic_int cancel;  /* set when the import failed: the hash is not needed */
};

static void *hash_thread(void *arg)
{
    struct hash_job *j = arg;
    j->rc = sha256_file(j->path, j->hex, &j->cancel, &j->err);
    return NULL;
}

/* ---- issues ---- */

static void issue_fill(struct import_issue *is, size_t row, const struct column *col,
                       size_t colno, const char *value, const char *msg)
{
    is->row = row;
    is->column = xstrdup(col ? col->header : "");
    if (col)
        table_column_name(colno, is->col_letter);
    else
        is->col_letter[0] = '\0';
    /* Values can be long (a business scope): keep enough to recognise it. */
    if (value && strlen(value) > 200) {
        size_t k = 200;
        while (k > 0 && ((unsigned char)value[k] & 0xC0) == 0x80)
            k--;
        is->value = xmalloc(k + 4);
        memcpy(is->value, value, k);
        memcpy(is->value + k, "...", 4);
    } else {
        is->value = xstrdup(value ? value : "");
    }
    is->message = xstrdup(msg);
}

static void issue_release(struct import_issue *is)
{
    free(is->column);
    free(is->value);
    free(is->message);
}

static void issues_free(struct import_issue *arr, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        free(arr[i].column);
        free(arr[i].value);
        free(arr[i].message);
    }
    free(arr);
}

void import_result_release(struct import_result *res)
{
    free(res->source);
    issues_free(res->errors, res->errors_kept);
    issues_free(res->warnings, res->warnings_kept);
    memset(res, 0, sizeof(*res));
}

/* ---- the USCCs of a file ---- */

/* A set of normalized USCCs, each with the row it was first seen in (the
 * writer's, one lookup per row). A code is 18 characters of '0'-'Y', six
 * bits each, so it packs exactly into two words: no key copies to keep, and
 * a probe compares in place. */
struct uscc_slot {
    uint64_t a, b;  /* characters 0-9 and 10-17; a == 0 marks an empty slot */
    size_t row;
};

struct uscc_set {
    struct uscc_slot *slots;
    size_t mask, count;
    size_t expected;  /* rows the file may hold, to size the table once */
};

static void uscc_pack(const char *uscc, uint64_t *a, uint64_t *b)
{
    int i;
    *a = *b = 0;
    /* +1: no code packs to 0, which marks empty slots */
    for (i = 0; i < 10; i++)
        *a = *a << 6 | (uint64_t)((unsigned char)uscc[i] - '0' + 1);
    for (; i < USCC_LEN; i++)
        *b = *b << 6 | (uint64_t)((unsigned char)uscc[i] - '0' + 1);
}

static size_t uscc_slot_of(const struct uscc_set *set, uint64_t a, uint64_t b)
{
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
    return (size_t)(h >> 20) & set->mask;
}

static void uscc_set_grow(struct uscc_set *set)
{
    struct uscc_slot *old = set->slots;
    size_t n = old ? set->mask + 1 : 0, i, k;
    size_t cap = n ? 2 * n : (size_t)1 << 14;
    while (3 * cap < 4 * set->expected)
        cap *= 2;
    /* Zeroed by writing, not calloc: probing reads a slot before writing
     * it, and a page calloc left on the shared zero page then faults a
     * second time, with a TLB shootdown to the other thread's core. */
    set->slots = xmalloc(st_mult(cap, sizeof(*set->slots)));
    memset(set->slots, 0, cap * sizeof(*set->slots));
    set->mask = cap - 1;
    for (i = 0; i < n; i++) {
        if (!old[i].a)
            continue;
        for (k = uscc_slot_of(set, old[i].a, old[i].b); set->slots[k].a; k = (k + 1) & set->mask)
            ;
        set->slots[k] = old[i];
    }
    free(old);
}

/* Add uscc (normalized, USCC_LEN characters) first seen in row; returns
 * the earlier row when it was already there, else 0. */
static size_t uscc_set_put(struct uscc_set *set, const char *uscc, size_t row)
{
    uint64_t a, b;
    size_t k;
    if (!set->slots || 4 * (set->count + 1) > 3 * (set->mask + 1))
        uscc_set_grow(set);
    uscc_pack(uscc, &a, &b);
    for (k = uscc_slot_of(set, a, b); set->slots[k].a; k = (k + 1) & set->mask)
        if (set->slots[k].a == a && set->slots[k].b == b)
            return set->slots[k].row;
    set->slots[k].a = a;
    set->slots[k].b = b;
    set->slots[k].row = row;
    set->count++;
    return 0;
}

/* ---- the per-file state ---- */

struct importer;

/* An issue found while parsing, held with its batch until the writer
 * publishes the batch: issues are kept (up to max_issues) in file order,
 * whichever thread parsed which rows. */
struct held_issue {
    int warning;
    struct import_issue is;  /* message NULL: only counted (the kept list was full) */
};

struct issue_list {
    struct held_issue *v;
    size_t n, alloc;
};

/* One thread's view of the row it is working on: each parsing thread and
 * the writer have one. */
struct rowctx {
    struct importer *im;
    size_t row;
    int errors;
    struct issue_list *held;  /* parsing: issues go here; NULL: published at once (writer) */
    struct strbuf reasons;    /* this row's error messages, for the rejects file */
    struct strbuf tmp, tmp2;
};

struct importer {
    struct store *st;
    const struct import_options *opt;
    struct import_result *res;
    struct column_map map;
    size_t max_issues;
    char today[11];
    int64_t batch;
    int writing;            /* still writing rows (no fatal row error yet) */
    int any_without_uscc;   /* the store has enterprises without a USCC */
    /* Set by the writer once max_issues are kept: parsing threads then only
     * count their issues instead of copying their texts. */
    atomic_int errors_full, warnings_full;
    /* USCCs seen in this file -> row, for duplicate warnings (writer only) */
    struct uscc_set seen;
    /* name keys of the rows without a USCC -> first row (writer only); the
     * keys are owned copies */
    struct hashmap seen_names;
    /* rejects */
    struct table_writer *rejects;
};

static void row_error(struct rowctx *rx, const struct column *col, size_t colno,
                      const char *value, const char *fmt, ...) MAGNET_PRINTF(5, 6);

/* Add an issue to the result (writer thread): counted always, kept while
 * fewer than max_issues are; is's texts are taken over or freed. */
static void publish_issue(struct importer *im, int warning, struct import_issue *is)
{
    struct import_result *r = im->res;
    struct import_issue **arr = warning ? &r->warnings : &r->errors;
    size_t *kept = warning ? &r->warnings_kept : &r->errors_kept;
    size_t *alloc = warning ? &r->warnings_alloc : &r->errors_alloc;
    if (warning)
        r->nwarnings++;
    else
        r->nerrors++;
    if (!is->message || *kept >= im->max_issues) {
        issue_release(is);
        return;
    }
    ALLOC_GROW(*arr, *kept + 1, *alloc);
    (*arr)[(*kept)++] = *is;
    if (*kept >= im->max_issues)
        atomic_store(warning ? &im->warnings_full : &im->errors_full, 1);
}

static void publish_held(struct importer *im, struct issue_list *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        publish_issue(im, l->v[i].warning, &l->v[i].is);
    l->n = 0;
}

static void report_issue(struct rowctx *rx, int warning, const struct column *col, size_t colno,
                         const char *value, const char *msg)
{
    struct importer *im = rx->im;
    struct import_issue is;
    memset(&is, 0, sizeof(is));
    if (!atomic_load_explicit(warning ? &im->warnings_full : &im->errors_full,
                              memory_order_relaxed))
        issue_fill(&is, rx->row, col, colno, value, msg);
    if (rx->held) {
        struct issue_list *l = rx->held;
        ALLOC_GROW(l->v, l->n + 1, l->alloc);
        l->v[l->n].warning = warning;
        l->v[l->n++].is = is;
    } else {
        publish_issue(im, warning, &is);
    }
}

static void row_error(struct rowctx *rx, const struct column *col, size_t colno,
                      const char *value, const char *fmt, ...)
{
    char msg[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    report_issue(rx, 0, col, colno, value, msg);
    rx->errors++;
    if (rx->reasons.len)
        strbuf_addstr(&rx->reasons, "; ");
    if (col)
        strbuf_addf(&rx->reasons, "%s: ", col->header);
    strbuf_addstr(&rx->reasons, msg);
}

static void row_warning(struct rowctx *rx, const struct column *col, size_t colno,
                        const char *value, const char *fmt, ...) MAGNET_PRINTF(5, 6);

static void row_warning(struct rowctx *rx, const struct column *col, size_t colno,
                        const char *value, const char *fmt, ...)
{
    char msg[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    report_issue(rx, 1, col, colno, value, msg);
}

/* Remember a USCC for this file; returns the earlier row when it was seen. */
static size_t seen_uscc(struct importer *im, size_t row, const char *uscc)
{
    return uscc_set_put(&im->seen, uscc, row);
}

/* ---- cell parsing ---- */

struct region_inputs {
    const struct region *by_code;  /* from a code column */
    const struct region *street;   /* from a street column */
    const char *names[3];          /* province, city, county cell texts */
    size_t name_cols[3];
    const char *address;
    const char *street_name;       /* a street given by name */
    size_t street_col;
};

static int clean_text(struct rowctx *rx, const struct column *col, size_t colno,
                      const struct cell *c, struct strbuf *out)
{
    strbuf_reset(out);
    if (utf8_clean(c->text, c->len, out) != 0) {
        row_error(rx, col, colno, "", "not valid UTF-8 text");
        return -1;
    }
    return 0;
}

/* The text of a cell for fields that are text: numbers from XLSX keep their
 * shortest form ("13800000000"), which is what the user typed. */
static void set_clean_text(struct rowctx *rx, struct ent *e, enum ent_field f,
                           const struct column *col, size_t colno, const struct cell *c)
{
    if (clean_text(rx, col, colno, c, &rx->tmp) == 0 && rx->tmp.len)
        ent_set_text(e, f, rx->tmp.buf, rx->tmp.len);
}

static void parse_region_code(struct rowctx *rx, struct region_inputs *ri,
                              const struct column *col, size_t colno, const struct cell *c)
{
    const struct region *r;
    const struct region *m[4];
    size_t n;
    char code[16];
    size_t i, k = 0;

    for (i = 0; i < c->len && k < sizeof(code) - 1; i++)
        if (!isspace((unsigned char)c->text[i]))
            code[k++] = c->text[i];
    code[k] = '\0';
    if (c->type == CELL_NUMBER && strchr(code, '.'))
        *strchr(code, '.') = '\0';
    r = region_find_code(code);
    if (!r && k && !isdigit((unsigned char)code[0])) {
        /* A name in the code column: "浙江省杭州市西湖区". */
        n = region_find_name(c->text, NULL, 0, m, 4);
        if (n == 1)
            r = m[0];
        else if (n > 1) {
            row_error(rx, col, colno, c->text, "region '%s' is ambiguous: %s %s, %s %s%s",
                      c->text, m[0]->code, m[0]->full_name, m[1]->code, m[1]->full_name,
                      n > 2 ? ", ..." : "");
            return;
        }
    }
    if (!r) {
        row_error(rx, col, colno, c->text, "'%s' is not a region code in the national table "
                  "(NBS 2023)", c->text);
        return;
    }
    if (r->level == REGION_STREET) {
        ri->street = r;
        r = r->parent;
    }
    /* Several code columns: the most specific wins. */
    if (!ri->by_code || r->level > ri->by_code->level)
        ri->by_code = r;
}

/* An industry written as its path in the classification, as vendors export
 * it: "制造业 > 医药制造业 > 化学药品制剂制造". The last level is the answer;
 * every earlier level must be one of its ancestors. */
static const struct industry *industry_path(const char *text, char *msg, size_t msglen)
{
    char seg[8][128];
    size_t nseg = 0, i;
    const char *p = text;
    const struct industry *last, *a;
    while (*p && nseg < 8) {
        size_t n = strcspn(p, ">/");
        size_t b = 0;
        while (b < n && p[b] == ' ')
            b++;
        while (n > b && p[n - 1] == ' ')
            n--;
        if (n - b >= sizeof(seg[0]))
            return NULL;
        memcpy(seg[nseg], p + b, n - b);
        seg[nseg][n - b] = '\0';
        if (seg[nseg][0])
            nseg++;
        p += strcspn(p, ">/");
        if (*p)
            p++;
    }
    if (nseg < 2)
        return NULL;
    last = industry_parse(seg[nseg - 1], msg, msglen);
    if (!last)
        return NULL;
    for (i = 0; i + 1 < nseg; i++) {
        char m2[64];
        const struct industry *x;
        a = industry_parse(seg[i], m2, sizeof(m2));
        for (x = last; x && x != a; x = x->parent)
            ;
        if (a && !x) {
            snprintf(msg, msglen, "the path does not hold together: '%.60s' is not above '%.60s'",
                     seg[i], seg[nseg - 1]);
            return NULL;
        }
    }
    return last;
}

static void parse_industry(struct rowctx *rx, struct ent *e, const struct column *col,
                           size_t colno, const struct cell *c)
{
    char msg[256];
    const struct industry *ind = industry_parse(c->text, msg, sizeof(msg));
    const struct industry *cur;
    if (!ind && strpbrk(c->text, ">/"))
        ind = industry_path(c->text, msg, sizeof(msg));
    if (!ind) {
        row_error(rx, col, colno, c->text, "%s", msg);
        return;
    }
    cur = e->v[F_INDUSTRY].set ? industry_find_code(e->v[F_INDUSTRY].s) : NULL;
    if (cur && cur->level >= ind->level)
        return;
    ent_set_text(e, F_INDUSTRY, ind->code, strlen(ind->code));
}

/* 15 digits (spaces around allowed): the registration number enterprises
 * had before the unified social credit code. */
static int is_regno(const char *s, size_t len)
{
    size_t i, digits = 0;
    for (i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] != ' ')
            return 0;
    }
    return digits == 15;
}

/* Digits, separators and spaces only: no unit or currency written. */
static int is_bare_number(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ',' || s[i] == ' ' ||
              s[i] == 'e' || s[i] == 'E' || s[i] == '+'))
            return 0;
    return len > 0;
}

static void parse_cell(struct rowctx *rx, struct ent *e, struct region_inputs *ri,
                       json_t **extra, size_t colno, const struct cell *c)
{
    struct importer *im = rx->im;
    const struct column *col = &im->map.cols[colno];
    struct error err; /* 1 KiB: only what an empty message needs is set, per cell */
    int rc;

    err.code = 0;
    err.msg[0] = '\0';

    if (c->type == CELL_EMPTY || value_is_blank(c->text, c->len))
        return;
    if (c->type == CELL_ERROR) {
        row_error(rx, col, colno, c->text, "the cell holds the Excel error %s", c->text);
        return;
    }
    switch (col->kind) {
    case F_USCC: {
        char code[USCC_LEN + 1];
        if (is_regno(c->text, c->len)) {
            /* A pre-2015 15-digit business registration number (注册号). Under a
             * 信用代码/注册号 header it is expected: keep it; elsewhere say what it is. */
            if (strstr(col->header, "注册号")) {
                if (!*extra)
                    *extra = json_object();
                json_object_set_new(*extra, "注册号", json_stringn(c->text, c->len));
            } else {
                row_error(rx, col, colno, c->text, "'%.*s' has 15 digits: an old business "
                          "registration number (注册号), not a unified social credit code; "
                          "put it in a column named 注册号", (int)c->len, c->text);
            }
        } else if (uscc_normalize(c->text, c->len, code, &err) != 0)
            row_error(rx, col, colno, c->text, "%s", err.msg);
        else
            ent_set_text(e, F_USCC, code, USCC_LEN);
        break;
    }
    case F_NAME:
        set_clean_text(rx, e, F_NAME, col, colno, c);
        break;
    case F_FORMER_NAMES:
    case F_LEGAL_REP:
    case F_ENT_TYPE:
    case F_ADDRESS:
    case F_SCOPE:
    case F_WEBSITE:
    case F_PHONE:
    case F_EMAIL:
        set_clean_text(rx, e, (enum ent_field)col->kind, col, colno, c);
        if (col->kind == F_ADDRESS && e->v[F_ADDRESS].set)
            ri->address = e->v[F_ADDRESS].s;
        break;
    case F_CAPITAL:
    case F_PAID_IN:
    case F_FUNDING_AMOUNT: {
        struct money m;
        rc = value_parse_money(c->text, c->len, col->unit ? col->unit : MONEY_UNIT_WAN, &m, &err);
        /* A bare number in a "注册资本（万美元）" column is in the header's currency. */
        if (rc > 0 && col->currency[0] && is_bare_number(c->text, c->len))
            memcpy(m.currency, col->currency, 4);
        if (rc < 0)
            row_error(rx, col, colno, c->text, "%s", err.msg);
        else if (rc > 0)
            ent_set_money(e, (enum ent_field)col->kind, &m);
        break;
    }
    case F_FOUNDED:
    case F_FUNDING_DATE: {
        char d[11];
        rc = value_parse_date(c, im->today, d, &err);
        if (rc < 0)
            row_error(rx, col, colno, c->text, "%s", err.msg);
        else if (rc > 0)
            ent_set_text(e, (enum ent_field)col->kind, d, 10);
        break;
    }
    case F_STATUS: {
        enum ent_status stv;
        if (clean_text(rx, col, colno, c, &rx->tmp) != 0)
            break;
        if (value_parse_status(rx->tmp.buf, rx->tmp.len, &stv, &err) < 0)
            row_error(rx, col, colno, c->text, "%s", err.msg);
        else
            ent_set_status(e, stv, rx->tmp.buf, rx->tmp.len);
        break;
    }
    case F_REGION:
        parse_region_code(rx, ri, col, colno, c);
        break;
    case F_STREET: {
        const struct region *r = region_find_code(c->text);
        if (r && r->level == REGION_STREET)
            ri->street = r;
        else if (isdigit((unsigned char)c->text[0]))
            row_error(rx, col, colno, c->text, "'%s' is not a street code in the national table",
                      c->text);
        else {
            ri->street_name = c->text; /* resolved under the county in resolve_region() */
            ri->street_col = colno;
        }
        break;
    }
    case COL_PROVINCE:
    case COL_CITY:
    case COL_COUNTY:
        ri->names[col->kind - COL_PROVINCE] = c->text;
        ri->name_cols[col->kind - COL_PROVINCE] = colno;
        break;
    case F_INDUSTRY:
        parse_industry(rx, e, col, colno, c);
        break;
    case F_STAFF:
    case F_PATENTS:
    case F_PAT_INVENTION:
    case F_PAT_UTILITY:
    case F_PAT_DESIGN:
    case F_SOFTWARE_CR:
    case F_TRADEMARKS: {
        int64_t v;
        rc = value_parse_count(c, &v, &err);
        if (rc < 0)
            row_error(rx, col, colno, c->text, "%s", err.msg);
        else if (rc > 0)
            ent_set_int(e, (enum ent_field)col->kind, v);
        break;
    }
    case F_TAGS: {
        struct tag_set tags;
        char unknown[512];
        rc = value_parse_tags(c->text, c->len, &tags, unknown, sizeof(unknown), &err);
        if (rc < 0) {
            row_error(rx, col, colno, c->text, "%s", err.msg);
            break;
        }
        if (unknown[0]) {
            /* Kept verbatim with the extra columns: nothing is thrown away. */
            if (!*extra)
                *extra = json_object();
            json_object_set_new(*extra, col->key, json_stringn(c->text, c->len));
            row_warning(rx, col, colno, c->text, "unrecognised qualification '%s' kept as text",
                        unknown);
        }
        if (rc > 0 && tags.mask)
            ent_set_tags(e, &tags);
        break;
    }
    case F_ROUND: {
        char round[16];
        rc = value_parse_round(c->text, c->len, round, &err);
        if (rc < 0)
            row_error(rx, col, colno, c->text, "%s", err.msg);
        else if (rc > 0)
            ent_set_text(e, F_ROUND, round, strlen(round));
        break;
    }
    case COL_IGNORE:
        break;
    case F_EXTRA: {
        /* Magnet's own export: the extra columns as one JSON object. */
        json_t *obj = json_loadb(c->text, c->len, JSON_REJECT_DUPLICATES, NULL);
        const char *key;
        json_t *val;
        if (!obj || !json_is_object(obj)) {
            json_decref(obj);
            goto as_extra;
        }
        if (!*extra)
            *extra = json_object();
        json_object_foreach(obj, key, val) {
            if (json_is_string(val) && json_string_length(val))
                json_object_set(*extra, key, val);
        }
        json_decref(obj);
        break;
    }
    default: /* COL_EXTRA */
    as_extra:
        if (clean_text(rx, col, colno, c, &rx->tmp) != 0 || !rx->tmp.len)
            break;
        if (!*extra)
            *extra = json_object();
        json_object_set_new(*extra, col->key,
                            json_stringn(rx->tmp.buf, rx->tmp.len));
        break;
    }
}

/* ---- regions ---- */

/* Streets by county, for finding the street an address names once the
 * county is known: a county has a few dozen streets, so checking each is
 * far cheaper than a general address parse. Built once per process. */
struct street_entry {
    const struct region *r;
    size_t len;    /* of r->name */
    unsigned sig;  /* start_sig() of the name */
    int one_char;  /* the name is one character: sig says nothing */
};

struct street_list {
    size_t n, alloc;
    struct street_entry *streets;
};

static struct hashmap streets_by_county;
static pthread_once_t streets_once = PTHREAD_ONCE_INIT;

/* Bytes in the UTF-8 character that starts with byte c. */
static size_t char_len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* A number 0-511 for the first two characters of s (n bytes), or the one
 * when there is only one: equal starts give equal numbers. */
static unsigned start_sig(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = char_len(u[0]), i;
    unsigned h = 0;
    if (k < n)
        k += char_len(u[k]);
    for (i = 0; i < k && i < n; i++)
        h = h * 31 + u[i];
    return h & 511;
}

static void streets_build(void)
{
    size_t i, n = region_count();
    hashmap_init(&streets_by_county, 4096);
    for (i = 0; i < n; i++) {
        const struct region *r = region_at(i);
        struct street_list **slot;
        struct street_entry *se;
        int added;
        if (r->level != REGION_STREET || !r->parent)
            continue;
        slot = (struct street_list **)hashmap_put(&streets_by_county, r->parent->code,
                                                  strlen(r->parent->code), &added);
        if (added)
            *slot = xcalloc(1, sizeof(**slot));
        ALLOC_GROW((*slot)->streets, (*slot)->n + 1, (*slot)->alloc);
        se = &(*slot)->streets[(*slot)->n++];
        se->r = r;
        se->len = strlen(r->name);
        se->sig = start_sig(r->name, se->len);
        se->one_char = char_len((unsigned char)r->name[0]) >= se->len;
    }
}

/* The street of county that the address names, or NULL: the longest
 * street name found in it, the first such in table order. */
static const struct region *street_in_address(const struct region *county, const char *address)
{
    const struct street_list *l;
    const struct region *best = NULL;
    size_t i, best_len = 0, alen, nat = 0;
    uint64_t starts[8] = { 0 };
    /* Where each character starts and its start_sig(), for the first 256 */
    unsigned short at[256], at_sig[256];
    pthread_once(&streets_once, streets_build);
    l = hashmap_get(&streets_by_county, county->code, strlen(county->code));
    if (!l)
        return NULL;
    /* The first two characters at each character of the address (a UTF-8
     * match starts on a character boundary): a street whose first two
     * appear nowhere cannot be in it, which rules out nearly every street
     * without a search. (A name of one character is always searched.) */
    alen = strlen(address);
    for (i = 0; i < alen; i += char_len((unsigned char)address[i])) {
        unsigned sig = start_sig(address + i, alen - i);
        starts[sig >> 6] |= 1ull << (sig & 63);
        if (nat < 256 && i < 65536) {
            at[nat] = (unsigned short)i;
            at_sig[nat++] = (unsigned short)sig;
        }
    }
    for (i = 0; i < l->n; i++) {
        const struct street_entry *se = &l->streets[i];
        int found = 0;
        if (se->len <= best_len ||
            (!se->one_char && !(starts[se->sig >> 6] >> (se->sig & 63) & 1)))
            continue;
        if (se->one_char || nat == 256 || alen >= 65536) {
            found = memmem(address, alen, se->r->name, se->len) != NULL;
        } else {
            /* Only where the first two characters match. */
            size_t k;
            for (k = 0; k < nat && !found; k++)
                found = at_sig[k] == se->sig && at[k] + se->len <= alen &&
                        !memcmp(address + at[k], se->r->name, se->len);
        }
        if (found) {
            best = se->r;
            best_len = se->len;
        }
    }
    return best;
}

/* Whether a name as written ("浙江", "杭州市", "西湖区") is region r's own
 * name, with or without its suffix: the common case, checked without a
 * lookup. */
static int name_fits(const char *given, const struct region *r)
{
    size_t n = strlen(given), rn = strlen(r->name);
    while (n && given[n - 1] == ' ')
        n--;
    while (*given == ' ')
        given++, n--;
    if (n == rn)
        return !memcmp(given, r->name, n);
    return n >= 6 && n < rn && !memcmp(given, r->name, n);
}

static int regions_agree(const struct region *a, const struct region *b)
{
    return region_is_within(a, b) || region_is_within(b, a);
}

static const struct region *resolve_names(struct rowctx *rx, struct region_inputs *ri)
{
    struct importer *im = rx->im;
    static const char *const labels[] = { "province", "city", "county" };
    const struct region *within = NULL, *m[4];
    int level;
    for (level = 0; level < 3; level++) {
        const char *name = ri->names[level];
        size_t n;
        if (!name)
            continue;
        n = region_find_name(name, within, level + 1, m, 4);
        if (n == 0)
            n = region_find_name(name, within, 0, m, 4);
        if (n == 1) {
            within = m[0];
        } else {
            const struct column *col = &im->map.cols[ri->name_cols[level]];
            if (n == 0)
                row_warning(rx, col, ri->name_cols[level], name,
                            "%s '%s' is not in the national table%s%s", labels[level], name,
                            within ? " under " : "", within ? within->full_name : "");
            else
                row_warning(rx, col, ri->name_cols[level], name,
                            "%s '%s' is ambiguous: %s %s, %s %s%s; give the province or city",
                            labels[level], name, m[0]->code, m[0]->full_name, m[1]->code,
                            m[1]->full_name, n > 2 ? ", ..." : "");
            break;
        }
    }
    return within;
}

static void resolve_region(struct rowctx *rx, struct ent *e, struct region_inputs *ri)
{
    struct importer *im = rx->im;
    const struct region *r = ri->by_code, *by_names = NULL, *by_addr = NULL, *by_uscc = NULL;
    const struct region *street = ri->street;

    if (r && r->level == REGION_COUNTY && (ri->names[0] || ri->names[1] || ri->names[2])) {
        /* The usual export: the names are those of the code's own ancestors. */
        int level, fits = 1;
        for (level = 0; level < 3 && fits; level++) {
            const struct region *a = region_ancestor(r, level + 1);
            if (ri->names[level] && (!a || !name_fits(ri->names[level], a)))
                fits = 0;
        }
        if (fits)
            ri->names[0] = ri->names[1] = ri->names[2] = NULL;
    }
    if (ri->names[0] || ri->names[1] || ri->names[2]) {
        by_names = resolve_names(rx, ri);
        if (r && by_names && !regions_agree(r, by_names))
            row_warning(rx, NULL, 0, by_names->full_name,
                        "the region code says %s %s but the region names say %s %s; "
                        "kept the code", r->code, r->full_name, by_names->code,
                        by_names->full_name);
        if (!r)
            r = by_names;
    }
    if (ri->address && r && r->level == REGION_COUNTY && !street)
        street = street_in_address(r, ri->address);
    if (ri->address && (!r || r->level < REGION_COUNTY)) {
        by_addr = region_from_address(ri->address);
        if (by_addr) {
            const struct region *county = region_ancestor(by_addr, REGION_COUNTY);
            if (r && !regions_agree(r, by_addr) && (!county || !regions_agree(r, county)))
                row_warning(rx, NULL, 0, ri->address,
                            "the address is in %s but the region is %s %s; kept the region",
                            by_addr->full_name, r->code, r->full_name);
            else if (!r || by_addr->level > r->level) {
                if (by_addr->level == REGION_STREET) {
                    if (!street)
                        street = by_addr;
                    r = by_addr->parent;
                } else {
                    r = by_addr;
                }
            }
        }
    }
    if (e->v[F_USCC].set) {
        char code[7];
        memcpy(code, e->v[F_USCC].s + 2, 6);
        code[6] = '\0';
        by_uscc = region_find_code(code);
        if (by_uscc && r && !regions_agree(r, by_uscc))
            row_warning(rx, NULL, 0, e->v[F_USCC].s,
                        "the USCC was issued in %s %s but the enterprise is in %s %s",
                        by_uscc->code, by_uscc->full_name, r->code, r->full_name);
        if (!r && by_uscc)
            r = by_uscc;
    }
    if (!street && ri->street_name && r && r->level == REGION_COUNTY) {
        const struct region *m[2];
        if (region_find_name(ri->street_name, r, REGION_STREET, m, 2) == 1)
            street = m[0];
        else
            row_warning(rx, &im->map.cols[ri->street_col], ri->street_col, ri->street_name,
                        "street '%s' is not a street of %s %s", ri->street_name, r->code,
                        r->full_name);
    }
    if (street && r && !region_is_within(street, r)) {
        row_warning(rx, NULL, 0, street->code, "street %s %s is not in %s %s; ignored",
                    street->code, street->full_name, r->code, r->full_name);
        street = NULL;
    }
    if (r)
        ent_set_text(e, F_REGION, r->code, strlen(r->code));
    if (street)
        ent_set_text(e, F_STREET, street->code, strlen(street->code));
}

/* ---- writing ---- */

/* Merge the new extra columns into the old: new non-empty values win. */
static char *merge_extra(const char *old_json, const char *new_json)
{
    json_t *old = old_json ? json_loads(old_json, 0, NULL) : NULL;
    json_t *nw = json_loads(new_json, 0, NULL);
    char *out;
    if (!old || !json_is_object(old)) {
        json_decref(old);
        old = json_object();
    }
    if (nw)
        json_object_update(old, nw);
    out = json_dumps(old, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(old);
    json_decref(nw);
    return out;
}

/* Update enterprise id with the set fields of e. */
static int update_existing(struct rowctx *rx, struct ent *e, int64_t id, struct error *err)
{
    struct importer *im = rx->im;
    struct ent old;
    uint64_t changed = 0;
    int f;

    if (store_ent_load(im->st, id, &old, err) != 0)
        return -1;
    e->id = id;
    if (e->v[F_EXTRA].set) {
        char *merged = merge_extra(old.v[F_EXTRA].s, e->v[F_EXTRA].s);
        ent_set_text(e, F_EXTRA, merged, strlen(merged));
        free(merged);
    }
    for (f = 0; f < F_COUNT; f++)
        if (e->v[f].set && !ent_value_equal(&old, e, (enum ent_field)f))
            changed |= 1ull << f;
    if (changed) {
        if (store_ent_update(im->st, &old, e, changed, im->batch, err) != 0) {
            ent_release(&old);
            return -1;
        }
        im->res->counts.updated++;
    } else {
        im->res->counts.unchanged++;
    }
    ent_release(&old);
    return 0;
}

static int write_row(struct rowctx *rx, struct ent *e, struct error *err)
{
    struct importer *im = rx->im;
    int64_t ids[4];
    int n, rc;
    const char *region = e->v[F_REGION].set ? e->v[F_REGION].s : NULL;

    if (e->v[F_USCC].set) {
        if (e->v[F_NAME].set && !im->any_without_uscc) {
            rc = store_ent_insert(im->st, e, im->batch, err);
            if (rc < 0)
                return -1;
            if (rc == 0) {
                im->res->counts.inserted++;
                return 0;
            }
        }
        rc = store_ent_find_uscc(im->st, e->v[F_USCC].s, &ids[0], err);
        if (rc < 0)
            return -1;
        if (rc == 1)
            return update_existing(rx, e, ids[0], err);
        if (!e->v[F_NAME].set) {
            row_error(rx, NULL, 0, e->v[F_USCC].s,
                      "企业名称 is empty and no enterprise with USCC %s is in the store",
                      e->v[F_USCC].s);
            return 0;
        }
        if (im->any_without_uscc) {
            /* The store may know this enterprise by name only: give it its code. */
            n = store_ent_find_name(im->st, e->name_key, region, ids, 4, err);
            if (n < 0)
                return -1;
            if (n == 1) {
                struct ent old;
                int has_uscc;
                if (store_ent_load(im->st, ids[0], &old, err) != 0)
                    return -1;
                has_uscc = old.v[F_USCC].set;
                ent_release(&old);
                if (!has_uscc)
                    return update_existing(rx, e, ids[0], err);
            }
        }
    } else {
        if (!e->v[F_NAME].set) {
            row_error(rx, NULL, 0, "", "the row has neither 企业名称 nor 统一社会信用代码");
            return 0;
        }
        n = store_ent_find_name(im->st, e->name_key, region, ids, 4, err);
        if (n < 0)
            return -1;
        if (n == 1)
            return update_existing(rx, e, ids[0], err);
        if (n > 1) {
            row_error(rx, NULL, 0, e->v[F_NAME].s,
                      "no USCC, and %d enterprises named '%s'%s%s are in the store: "
                      "add the USCC to say which", n, e->v[F_NAME].s, region ? " in " : "",
                      region ? region : "");
            return 0;
        }
    }
    rc = store_ent_insert(im->st, e, im->batch, err);
    if (rc < 0)
        return -1;
    if (rc == 1) { /* cannot happen: the USCC was looked up above */
        return error_set(err, "row %zu: USCC %s appeared during the import", rx->row,
                         e->v[F_USCC].s);
    }
    im->res->counts.inserted++;
    return 0;
}

/* ---- rows: read and parsed by both threads, written in order by one ---- */

/* A parsed row on its way to the writer. */
struct row_item {
    size_t row;
    struct ent e;
    int errors;             /* errors found while parsing */
    char *reasons;          /* their messages joined, or NULL */
    const struct table_row *raw;  /* the row as read (in its batch), for the rejects file */
    int note;               /* a note or total below the table: not an enterprise */
};

#define BATCH_ROWS 512
/* A batch also ends once its rows' text passes this, so that the ring of
 * batches in flight is bounded in bytes, not only in rows: 8 batches of
 * 512 one-megabyte rows would otherwise be 4 GB. */
#define BATCH_TEXT_BYTES (4u << 20)
#define RING_BATCHES 8

/* The rows of a batch as read, copied out of the reader's buffers (which
 * the next read reuses) so that they can be parsed while another thread
 * reads on. */
struct raw_rows {
    struct table_row rows[BATCH_ROWS];
    size_t first_cell[BATCH_ROWS];
    struct cell *cells;
    size_t *text_at;        /* offset in text of each cell's text */
    size_t ncells, cells_alloc, text_at_alloc;
    char *text;
    size_t text_len, text_alloc;
};

struct row_batch {
    uint64_t seq;            /* batches are written in seq (file) order */
    size_t n;
    int parsed;              /* under feed.mu */
    struct raw_rows raw;
    struct issue_list held;  /* issues found while parsing, in row order */
    struct row_batch *next;  /* on the spare list */
    struct row_item items[BATCH_ROWS];
};

/* The rows on their way from the file to the writer. Any thread may read
 * and parse the next batch (one reads at a time, under read_mu); the
 * writer takes the batches in order, and parses batches itself while the
 * one it needs is not ready, so neither core idles whichever of parsing
 * and writing costs more. At most RING_BATCHES are read and not yet
 * written. */
struct feed {
    pthread_mutex_t mu;       /* everything but the reader */
    pthread_cond_t changed;
    pthread_mutex_t read_mu;  /* taken before mu: the reader and the pending rows */
    struct table_reader *rd;
    const struct pending *pend;
    size_t pend_next;         /* the next pending row to hand out */
    struct row_batch *ring[RING_BATCHES];  /* batch seq at ring[seq % RING_BATCHES] */
    uint64_t read_seq;        /* the next batch to read */
    uint64_t write_seq;       /* the next batch to write */
    /* Batches the writer is done with, to be filled again: their rows keep
     * their memory (ent_reset), so a steady import allocates nothing per
     * row. */
    struct row_batch *spare;
    int eof;                  /* the reader is done: no batch from read_seq on */
    int stop;                 /* the writer gave up */
    int failed;               /* the reader failed: err says why */
    struct error err;
};

static int row_is_blank(const struct table_row *tr)
{
    size_t i;
    for (i = 0; i < tr->ncells; i++) {
        const struct cell *c = &tr->cells[i];
        if (c->type != CELL_EMPTY && !value_is_blank(c->text, c->len)) {
            size_t k;
            for (k = 0; k < c->len; k++)
                if (!isspace((unsigned char)c->text[k]))
                    return 0;
        }
    }
    return 1;
}

static void item_release(struct row_item *it)
{
    ent_release(&it->e);
    free(it->reasons);
    memset(it, 0, sizeof(*it));
}

/* Make a used (or zeroed) item ready for the next row, keeping the
 * memory of its record. */
static void item_reuse(struct row_item *it)
{
    free(it->reasons);
    it->reasons = NULL;
    it->row = 0;
    it->errors = 0;
    it->note = 0;
    it->raw = NULL;
    ent_reset(&it->e);
}

static void batch_free(struct row_batch *b)
{
    size_t i;
    for (i = 0; i < BATCH_ROWS; i++)
        item_release(&b->items[i]);
    for (i = 0; i < b->held.n; i++)
        issue_release(&b->held.v[i].is);
    free(b->held.v);
    free(b->raw.cells);
    free(b->raw.text_at);
    free(b->raw.text);
    free(b);
}

/* Append row tr to raw as its k-th row (texts as offsets until raw_fix). */
static void raw_add(struct raw_rows *raw, size_t k, const struct table_row *tr)
{
    size_t i, need = raw->ncells + tr->ncells;
    ALLOC_GROW(raw->cells, need, raw->cells_alloc);
    ALLOC_GROW(raw->text_at, need, raw->text_at_alloc);
    raw->rows[k].row = tr->row;
    raw->rows[k].ncells = tr->ncells;
    raw->first_cell[k] = raw->ncells;
    for (i = 0; i < tr->ncells; i++) {
        const struct cell *c = &tr->cells[i];
        ALLOC_GROW(raw->text, raw->text_len + c->len + 1, raw->text_alloc);
        memcpy(raw->text + raw->text_len, c->text, c->len);
        raw->text[raw->text_len + c->len] = '\0';
        raw->cells[raw->ncells] = *c;
        raw->text_at[raw->ncells++] = raw->text_len;
        raw->text_len += c->len + 1;
    }
}

/* Point the n rows and their cells into raw's buffers, now that they are
 * no longer moved. */
static void raw_fix(struct raw_rows *raw, size_t n)
{
    size_t i;
    for (i = 0; i < raw->ncells; i++)
        raw->cells[i].text = raw->text + raw->text_at[i];
    for (i = 0; i < n; i++)
        raw->rows[i].cells = raw->cells + raw->first_cell[i];
}

/* Parse and check one row into it (either thread). tr must stay valid
 * until the item is written (it is kept for the rejects file). */
/* Exports end with notes and totals: "合计" or "总计" in the name column,
 * or a row whose only text is "数据来源：…", "导出时间：…", "共2条记录",
 * "注：…". They are not enterprises. Returns the text that gave it away,
 * or NULL. */
static const char *row_note(const struct importer *im, const struct table_row *tr)
{
    static const char *const totals[] = { "合计", "总计", "小计", "汇总" };
    static const char *const prefixes[] = { "数据来源", "来源：", "来源:", "导出时间", "导出日期",
                                            "统计时间", "统计日期", "截止", "截至", "制表",
                                            "注：", "注:", "备注：", "备注:", "说明：", "说明:",
                                            "填表说明", "共" };
    const struct cell *only = NULL;
    size_t i, k, filled = 0;

    for (i = 0; i < tr->ncells; i++) {
        const struct cell *c = &tr->cells[i];
        if (c->type == CELL_EMPTY || value_is_blank(c->text, c->len))
            continue;
        filled++;
        only = c;
        if (i < im->map.ncols && im->map.cols[i].kind == F_NAME)
            for (k = 0; k < sizeof(totals) / sizeof(totals[0]); k++)
                if (c->len >= strlen(totals[k]) && !memcmp(c->text, totals[k], strlen(totals[k])) &&
                    c->len <= strlen(totals[k]) + 3)
                    return c->text;
    }
    if (filled != 1 || only->type != CELL_STRING)
        return NULL;
    for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
        size_t n = strlen(prefixes[k]);
        if (only->len >= n && !memcmp(only->text, prefixes[k], n)) {
            /* "共" only as in "共2条记录" / "共 15 家": a count follows */
            if (!strcmp(prefixes[k], "共") &&
                !(only->len > n && ((only->text[n] >= '0' && only->text[n] <= '9') ||
                                    only->text[n] == ' ')))
                continue;
            return only->text;
        }
    }
    return NULL;
}

static void parse_row(struct rowctx *rx, const struct table_row *tr, struct row_item *it)
{
    struct importer *im = rx->im;
    struct ent *e = &it->e;
    struct region_inputs ri;
    json_t *extra = NULL;
    size_t i;

    item_reuse(it);
    rx->row = it->row = tr->row;
    rx->errors = 0;
    strbuf_reset(&rx->reasons);
    memset(&ri, 0, sizeof(ri));
    {
        const char *note = row_note(im, tr);
        if (note) {
            it->note = 1;
            row_warning(rx, NULL, 0, note, "a note or total below the table, not an "
                                           "enterprise: skipped");
            return;
        }
    }

    for (i = 0; i < tr->ncells; i++) {
        if (i >= im->map.ncols) {
            if (tr->cells[i].type != CELL_EMPTY && !value_is_blank(tr->cells[i].text,
                                                                   tr->cells[i].len)) {
                /* Data under no header: keep it, named by its column letter. */
                char letter[8], key[32];
                table_column_name(i, letter);
                snprintf(key, sizeof(key), "列%s", letter);
                if (!extra)
                    extra = json_object();
                if (clean_text(rx, NULL, i, &tr->cells[i], &rx->tmp) == 0)
                    json_object_set_new(extra, key, json_stringn(rx->tmp.buf, rx->tmp.len));
            }
            continue;
        }
        parse_cell(rx, e, &ri, &extra, i, &tr->cells[i]);
    }
    resolve_region(rx, e, &ri);

    if (e->v[F_NAME].set) {
        strbuf_reset(&rx->tmp2);
        utf8_name_key(e->v[F_NAME].s, e->v[F_NAME].len, &rx->tmp2);
        ent_set_name_key(e, rx->tmp2.buf, rx->tmp2.len);
    }
    /* The total when only the kinds are given. */
    if (!e->v[F_PATENTS].set &&
        (e->v[F_PAT_INVENTION].set || e->v[F_PAT_UTILITY].set || e->v[F_PAT_DESIGN].set))
        ent_set_int(e, F_PATENTS,
                    e->v[F_PAT_INVENTION].i + e->v[F_PAT_UTILITY].i + e->v[F_PAT_DESIGN].i);
    if (e->v[F_FOUNDED].set && e->v[F_TAGS].set) {
        int fy = (int)strtol(e->v[F_FOUNDED].s, NULL, 10), t;
        for (t = 0; t < TAG_COUNT; t++)
            if (e->tags.year[t] && e->tags.year[t] < fy)
                row_warning(rx, NULL, 0, e->v[F_TAGS].s,
                            "%s granted in %d, before the founding date %s",
                            value_tag_label((enum ent_tag)t), e->tags.year[t], e->v[F_FOUNDED].s);
    }
    if (extra) {
        if (json_object_size(extra)) {
            char *js = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
            ent_set_text(e, F_EXTRA, js, strlen(js));
            free(js);
        }
        json_decref(extra);
    }
    /* The "appears twice" check is the writer's, in file order (see
     * consume_row); it comes last among a row's parse issues, and this
     * one is only for rows without a USCC. */
    if (!rx->errors && !e->v[F_NAME].set && !e->v[F_USCC].set)
        row_error(rx, NULL, 0, "", "the row has neither 企业名称 nor 统一社会信用代码");
    it->errors = rx->errors;
    it->reasons = rx->errors ? xstrndup(rx->reasons.buf, rx->reasons.len) : NULL;
    it->raw = tr;
}

static int write_reject(struct importer *im, const struct row_item *it, const char *reasons,
                        struct error *err)
{
    struct cell *cells;
    size_t n = im->map.ncols, i;
    char rowtext[32];
    int rc;
    if (!im->rejects)
        return 0;
    cells = xcalloc(n + 2, sizeof(*cells));
    snprintf(rowtext, sizeof(rowtext), "%zu", it->row);
    cells[0].type = CELL_NUMBER;
    cells[0].number = (double)it->row;
    cells[0].text = rowtext;
    cells[0].len = strlen(rowtext);
    cells[1].type = CELL_STRING;
    cells[1].text = reasons;
    cells[1].len = strlen(reasons);
    for (i = 0; i < n; i++) {
        if (i < it->raw->ncells && it->raw->cells[i].type != CELL_EMPTY) {
            cells[i + 2] = it->raw->cells[i];
            /* Write back what the user had: dates as dates, numbers as numbers. */
            if (cells[i + 2].type != CELL_DATE && cells[i + 2].type != CELL_NUMBER)
                cells[i + 2].type = CELL_STRING;
        }
    }
    rc = table_writer_row(im->rejects, cells, n + 2, err);
    free(cells);
    return rc;
}

/* Write one parsed row (writer thread), its batch's parse issues published. */
static int consume_row(struct rowctx *rx, struct row_item *it, struct error *err)
{
    struct importer *im = rx->im;
    const struct ent *e = &it->e;
    int rc = 0;

    if (it->note)
        return 0;
    rx->row = it->row;
    rx->errors = it->errors;
    strbuf_reset(&rx->reasons);
    if (it->reasons)
        strbuf_addstr(&rx->reasons, it->reasons);
    /* Here rather than while parsing: rows are parsed out of order, and the
     * warning names the first row with the code. */
    if (e->v[F_USCC].set) {
        size_t prev = seen_uscc(im, rx->row, e->v[F_USCC].s);
        if (prev)
            row_warning(rx, NULL, 0, e->v[F_USCC].s,
                        "USCC %s also appears in row %zu; this row's values win",
                        e->v[F_USCC].s, prev);
    } else if (e->name_key && !rx->errors) {
        int added;
        void **slot;
        /* the same name in another region is another enterprise */
        struct strbuf k = STRBUF_INIT;
        char *key;
        strbuf_addf(&k, "%s\x1f%s", e->name_key, e->v[F_REGION].set ? e->v[F_REGION].s : "");
        key = strbuf_detach(&k, NULL);
        slot = hashmap_put(&im->seen_names, key, strlen(key), &added);
        if (added) {
            *slot = (void *)(uintptr_t)rx->row;
        } else {
            free(key);
            row_warning(rx, NULL, 0, e->v[F_NAME].s,
                        "'%s' (no USCC) also appears in row %zu; the rows are one enterprise "
                        "and this row's values win", e->v[F_NAME].s,
                        (size_t)(uintptr_t)*slot);
        }
    }
    im->res->counts.rows++;
    if (!rx->errors && im->writing)
        rc = write_row(rx, &it->e, err);
    if (rc == 0 && rx->errors) {
        im->res->counts.rejected++;
        rc = write_reject(im, it, rx->reasons.buf, err);
        /* Without --skip-invalid nothing of this file will be kept: stop
         * writing, keep checking. A dry run writes on to count exactly what
         * --skip-invalid would do, and rolls everything back anyway. */
        if (!im->opt->skip_invalid && !im->opt->dry_run)
            im->writing = 0;
    }
    return rc;
}

/* ---- the file ---- */

struct pending {
    struct header_row_copy *rows;
    size_t n, alloc;
};

static void pending_release(struct pending *p)
{
    size_t i, k;
    for (i = 0; i < p->n; i++) {
        for (k = 0; k < p->rows[i].ncells; k++)
            free(p->rows[i].cells[k]);
        free(p->rows[i].cells);
        free(p->rows[i].orig);
    }
    free(p->rows);
    memset(p, 0, sizeof(*p));
}

static void pending_add(struct pending *p, const struct table_row *tr)
{
    struct header_row_copy *c;
    size_t k;
    ALLOC_GROW(p->rows, p->n + 1, p->alloc);
    c = &p->rows[p->n++];
    c->row = tr->row;
    c->ncells = tr->ncells;
    c->cells = xcalloc(tr->ncells ? tr->ncells : 1, sizeof(char *));
    c->orig = xcalloc(tr->ncells ? tr->ncells : 1, sizeof(struct cell));
    for (k = 0; k < tr->ncells; k++) {
        c->cells[k] = xstrndup(tr->cells[k].text, tr->cells[k].len);
        c->orig[k] = tr->cells[k];
        c->orig[k].text = NULL;
    }
}

static void rowctx_init(struct rowctx *rx, struct importer *im)
{
    memset(rx, 0, sizeof(*rx));
    rx->im = im;
    strbuf_init(&rx->reasons, 0);
    strbuf_init(&rx->tmp, 0);
    strbuf_init(&rx->tmp2, 0);
}

static void rowctx_release(struct rowctx *rx)
{
    strbuf_release(&rx->reasons);
    strbuf_release(&rx->tmp);
    strbuf_release(&rx->tmp2);
}

/* Read the next batch's rows into b: first the data rows read while
 * looking for the header, then the file's (under read_mu). Returns 1 when
 * more may follow, 0 at the end of the file, -1 on a read error. */
static int feed_read(struct feed *f, struct row_batch *b, struct error *err)
{
    struct raw_rows *raw = &b->raw;
    struct table_row tr;
    size_t k = 0;
    int r = 1;

    raw->ncells = raw->text_len = 0;
    while (k < BATCH_ROWS && raw->text_len < BATCH_TEXT_BYTES && f->pend_next < f->pend->n) {
        const struct header_row_copy *c = &f->pend->rows[f->pend_next++];
        struct cell *cells = xcalloc(c->ncells + 1, sizeof(*cells));
        size_t i;
        tr.row = c->row;
        tr.ncells = c->ncells;
        tr.cells = cells;
        for (i = 0; i < c->ncells; i++) {
            cells[i] = c->orig[i];
            cells[i].text = c->cells[i];
        }
        if (!row_is_blank(&tr))
            raw_add(raw, k++, &tr);
        free(cells);
    }
    while (k < BATCH_ROWS && raw->text_len < BATCH_TEXT_BYTES &&
           (r = table_next(f->rd, &tr, err)) > 0)
        if (!row_is_blank(&tr))
            raw_add(raw, k++, &tr);
    raw_fix(raw, k);
    b->n = k;
    return r < 0 ? -1 : r > 0;
}

/* Read and parse the next batch if there is room for one. Returns 1 when it
 * did, 0 when RING_BATCHES wait to be written, -1 when there is nothing
 * more to read (the end, a read error, or the writer stopped). */
static int feed_produce(struct feed *f, struct rowctx *rx)
{
    struct row_batch *b;
    struct error err = ERROR_INIT;
    size_t k;
    int r;

    pthread_mutex_lock(&f->read_mu);
    pthread_mutex_lock(&f->mu);
    if (f->stop || f->eof || f->read_seq - f->write_seq >= RING_BATCHES) {
        r = f->stop || f->eof ? -1 : 0;
        pthread_mutex_unlock(&f->mu);
        pthread_mutex_unlock(&f->read_mu);
        return r;
    }
    b = f->spare;
    if (b)
        f->spare = b->next;
    pthread_mutex_unlock(&f->mu);
    if (!b)
        b = xcalloc(1, sizeof(*b));
    b->next = NULL;
    b->parsed = 0;

    r = feed_read(f, b, &err);
    pthread_mutex_lock(&f->mu);
    b->seq = f->read_seq++;
    f->ring[b->seq % RING_BATCHES] = b;
    if (r <= 0) {
        f->eof = 1;
        if (r < 0) {
            f->failed = 1;
            f->err = err;
        }
    }
    pthread_mutex_unlock(&f->mu);
    pthread_mutex_unlock(&f->read_mu);

    rx->held = &b->held;
    for (k = 0; k < b->n; k++)
        parse_row(rx, &b->raw.rows[k], &b->items[k]);
    rx->held = NULL;

    pthread_mutex_lock(&f->mu);
    b->parsed = 1;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mu);
    return 1;
}

/* The next batch in file order for the writer, parsing batches itself
 * (with rx) while that one is not ready; NULL after the last. */
static struct row_batch *feed_next(struct feed *f, struct rowctx *rx)
{
    struct row_batch *b;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        b = f->write_seq < f->read_seq ? f->ring[f->write_seq % RING_BATCHES] : NULL;
        if (b && b->parsed)
            break;
        if (!b && (f->eof || f->stop)) {
            pthread_mutex_unlock(&f->mu);
            return NULL;
        }
        if (!f->eof && !f->stop && f->read_seq - f->write_seq < RING_BATCHES) {
            int r;
            pthread_mutex_unlock(&f->mu);
            r = feed_produce(f, rx);
            pthread_mutex_lock(&f->mu);
            if (r != 0)
                continue;
        }
        pthread_cond_wait(&f->changed, &f->mu);
    }
    f->ring[f->write_seq % RING_BATCHES] = NULL;
    f->write_seq++;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mu);
    return b;
}

/* The writer is done with b: keep it for reuse. */
static void feed_recycle(struct feed *f, struct row_batch *b)
{
    pthread_mutex_lock(&f->mu);
    b->next = f->spare;
    f->spare = b;
    pthread_mutex_unlock(&f->mu);
}

static void feed_stop(struct feed *f)
{
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mu);
}

static void feed_release(struct feed *f)
{
    size_t i;
    while (f->spare) {
        struct row_batch *b = f->spare;
        f->spare = b->next;
        batch_free(b);
    }
    for (i = 0; i < RING_BATCHES; i++)
        if (f->ring[i])
            batch_free(f->ring[i]);
    pthread_mutex_destroy(&f->mu);
    pthread_mutex_destroy(&f->read_mu);
    pthread_cond_destroy(&f->changed);
}

struct parser {
    struct importer *im;
    struct feed *feed;
};

/* The second thread: reads and parses batches while there is room. */
static void *parser_thread(void *arg)
{
    struct parser *ps = arg;
    struct feed *f = ps->feed;
    struct rowctx rx;
    int r;

    rowctx_init(&rx, ps->im);
    while ((r = feed_produce(f, &rx)) >= 0) {
        if (r > 0)
            continue;
        pthread_mutex_lock(&f->mu);
        while (!f->stop && !f->eof && f->read_seq - f->write_seq >= RING_BATCHES)
            pthread_cond_wait(&f->changed, &f->mu);
        pthread_mutex_unlock(&f->mu);
    }
    rowctx_release(&rx);
    return NULL;
}

static int open_rejects(struct importer *im, struct error *err)
{
    const char **names;
    size_t i, n = im->map.ncols;
    int rc;
    im->rejects = table_writer_open(im->opt->rejects_path, "rejected", 1, err);
    if (!im->rejects)
        return -1;
    names = xcalloc(n + 2, sizeof(char *));
    names[0] = "原行号";
    names[1] = "错误原因";
    for (i = 0; i < n; i++)
        names[i + 2] = im->map.cols[i].header;
    rc = table_writer_header(im->rejects, names, n + 2, err);
    free(names);
    return rc;
}

static void importer_release(struct importer *im)
{
    const struct hashmap_entry *he;
    size_t pos = 0;
    column_map_release(&im->map);
    free(im->seen.slots);
    while ((he = hashmap_next(&im->seen_names, &pos)))
        free((char *)he->key);
    hashmap_release(&im->seen_names);
    table_writer_abort(im->rejects);
}

struct sheet_hint {
    const char *current;  /* the sheet read, or NULL */
    struct strbuf names;
};

static void add_sheet_name(const char *name, void *ctx)
{
    struct sheet_hint *h = ctx;
    if (h->current && !strcmp(h->current, name))
        return;
    if (h->names.len)
        strbuf_addstr(&h->names, ", ");
    strbuf_addstr(&h->names, name);
}

/* When the first sheet of a workbook has no table (an instructions sheet, a
 * cover page), say which other sheets there are. */
static void hint_other_sheets(const char *path, const char *source, struct error *err)
{
    struct sheet_hint h;
    const char *bang = source ? strrchr(source, '!') : NULL;
    size_t n;
    h.current = bang ? bang + 1 : NULL;
    strbuf_init(&h.names, 0);
    if (xlsx_sheet_names(path, add_sheet_name, &h, NULL) > 1 && h.names.len) {
        n = strlen(err->msg);
        snprintf(err->msg + n, sizeof(err->msg) - n,
                 "; the workbook has other sheets: %s (choose one with --sheet NAME)", h.names.buf);
    }
    strbuf_release(&h.names);
}

/* About how many rows path holds, from its size: a generous row is ~400
 * bytes of CSV; compressed XLSX rows are smaller, and then the table just
 * grows. Capped so that an odd file costs little memory up front. */
static size_t expected_rows(const char *path)
{
    struct stat sb;
    size_t n;
    if (stat(path, &sb) != 0 || sb.st_size <= 0)
        return 0;
    n = (size_t)sb.st_size / 400;
    return n < ((size_t)1 << 24) ? n : (size_t)1 << 24;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Issues from the two threads arrive slightly out of row order: sort them
 * back by row, keeping each row's issues in the order they were found
 * (insertion sort: stable, and fast on nearly sorted input). */
static void sort_issues(struct import_issue *arr, size_t n)
{
    size_t i, j;
    for (i = 1; i < n; i++) {
        struct import_issue t = arr[i];
        for (j = i; j > 0 && arr[j - 1].row > t.row; j--)
            arr[j] = arr[j - 1];
        arr[j] = t;
    }
}

int import_audit_hook(struct store *st, const struct import_result *res, void *ctx,
                      struct error *err)
{
    const struct import_audit *a = ctx;
    char id[32], *after;
    json_t *o;
    int rc;

    o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "file",
                  a->file ? a->file : res->source ? res->source : "", "rows",
                  (json_int_t)res->counts.rows, "inserted", (json_int_t)res->counts.inserted,
                  "updated", (json_int_t)res->counts.updated, "unchanged",
                  (json_int_t)res->counts.unchanged, "rejected",
                  (json_int_t)res->counts.rejected, "sha256", res->sha256);
    if (!o)  /* a file name that is not UTF-8 */
        o = json_pack("{s:n, s:I, s:I, s:I, s:I, s:I, s:s}", "file", "rows",
                      (json_int_t)res->counts.rows, "inserted",
                      (json_int_t)res->counts.inserted, "updated",
                      (json_int_t)res->counts.updated, "unchanged",
                      (json_int_t)res->counts.unchanged, "rejected",
                      (json_int_t)res->counts.rejected, "sha256", res->sha256);
    after = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    snprintf(id, sizeof(id), "%lld", (long long)res->batch);
    rc = audit_record(st, a->who,
                      &(struct audit_entry){ .action = "import", .entity = "batch",
                                             .entity_id = id, .after = after },
                      a->now ? a->now : (int64_t)time(NULL), NULL, err);
    free(after);
    if (rc != 0)
        return error_prefix(err, "the audit row of the import: ");
    return 0;
}

int import_file(struct store *st, const char *path, const struct import_options *opt,
                struct import_result *res, struct error *err)
{
    struct importer im;
    struct table_reader *rd;
    struct table_row tr;
    struct pending pend = { 0 };
    struct hash_job hj;
    struct feed feed;
    struct parser ps;
    struct rowctx wx, px;
    pthread_t hash_tid, parse_tid;
    int hashing = 0, parsing = 0, rc = 0, in_tx = 0, r = 0;

    memset(res, 0, sizeof(*res));
    memset(&im, 0, sizeof(im));
    memset(&feed, 0, sizeof(feed));
    res->source = xstrdup(base_name(path));
    if (opt->skip_invalid && !opt->rejects_path)
        return error_set(err, "--skip-invalid needs --rejects FILE (.csv or .xlsx), so that no "
                              "rejected row is lost");
    if (opt->rejects_path && table_format_of(opt->rejects_path) < 0)
        return error_set(err, "--rejects %s: the file name must end in .csv or .xlsx",
                         opt->rejects_path);

    rd = table_open(path, opt->sheet, err);
    if (!rd)
        return -1;
    free(res->source);
    res->source = xstrdup(rd->source ? base_name(rd->source) : base_name(path));

    im.st = st;
    im.opt = opt;
    im.res = res;
    im.max_issues = opt->max_issues ? opt->max_issues : DEFAULT_MAX_ISSUES;
    im.seen.expected = expected_rows(path);
    atomic_init(&im.errors_full, 0);
    atomic_init(&im.warnings_full, 0);
    rowctx_init(&wx, &im);
    rowctx_init(&px, &im);
    pthread_mutex_init(&feed.mu, NULL);
    pthread_mutex_init(&feed.read_mu, NULL);
    pthread_cond_init(&feed.changed, NULL);
    if (opt->today)
        snprintf(im.today, sizeof(im.today), "%s", opt->today);
    else
        value_today(im.today);

    memset(&hj, 0, sizeof(hj));
    hj.path = path;
    atomic_init(&hj.cancel, 0);
    if (pthread_create(&hash_tid, NULL, hash_thread, &hj) == 0)
        hashing = 1;

    /* Find the header among the first rows. */
    while (pend.n < HEADER_SCAN_ROWS && (r = table_next(rd, &tr, err)) > 0)
        pending_add(&pend, &tr);
    if (r < 0) {
        rc = -1;
        goto out;
    }
    if (pend.n == 0) {
        rc = error_set(err, "%s: the file has no rows", res->source);
        goto out;
    }
    r = column_map_build(pend.rows, pend.n, opt->mapping, &im.map, err);
    if (r < 0) {
        error_prefix(err, "%s: ", res->source);
        if (!opt->sheet)
            hint_other_sheets(path, rd->source, err);
        rc = -1;
        goto out;
    }
    res->header_row = im.map.header_row;

    if (opt->rejects_path && open_rejects(&im, err) != 0) {
        rc = -1;
        goto out;
    }

    /* Always in a transaction, even for a dry run: the writes are what
     * counts inserted/updated exactly, and the rollback discards them. */
    if (store_begin(st, err) != 0) {
        rc = -1;
        goto out;
    }
    in_tx = 1;
    im.any_without_uscc = store_ent_any_without_uscc(st, err);
    if (im.any_without_uscc < 0) {
        rc = -1;
        goto out;
    }
    {
        struct batch_info bi = { "import", path, NULL, opt->sheet, opt->user };
        if (store_batch_begin(st, &bi, &im.batch, err) != 0) {
            rc = -1;
            goto out;
        }
    }
    im.writing = 1;
    /* Into an empty store, the USCC and name indexes are built once at the
     * end rather than kept up row by row (see store_bulk_begin). */
    if (store_bulk_begin(st, err) < 0) {
        rc = -1;
        goto out;
    }

    /* Read and parse on a second thread too (see struct feed). */
    feed.rd = rd;
    feed.pend = &pend;
    feed.pend_next = (size_t)r;
    ps.im = &im;
    ps.feed = &feed;
    if (pthread_create(&parse_tid, NULL, parser_thread, &ps) != 0) {
        rc = error_set(err, "cannot start the parser thread");
        goto out;
    }
    parsing = 1;
    for (;;) {
        struct row_batch *b = feed_next(&feed, &px);
        size_t i;
        if (!b)
            break;
        publish_held(&im, &b->held);
        for (i = 0; i < b->n && rc == 0; i++)
            rc = consume_row(&wx, &b->items[i], err);
        feed_recycle(&feed, b);
        if (rc != 0)
            feed_stop(&feed);
        if (opt->progress)
            opt->progress((size_t)res->counts.rows, opt->progress_ctx);
    }
    pthread_join(parse_tid, NULL);
    parsing = 0;
    if (rc == 0 && feed.failed) {
        *err = feed.err;
        rc = -1;
    }

out:
    if (parsing) {
        feed_stop(&feed);
        pthread_join(parse_tid, NULL);
    }
    pending_release(&pend);
    feed_release(&feed);
    table_free(rd);
    if (hashing) {
        /* A file refused early (a NUL byte at the start of a huge file) must
         * not be read to its end just to hash it. */
        if (rc < 0)
            atomic_store(&hj.cancel, 1);
        pthread_join(hash_tid, NULL);
        if (hj.rc == 0)
            memcpy(res->sha256, hj.hex, sizeof(res->sha256));
    }
    if (rc == 0 && res->nerrors && !opt->skip_invalid)
        rc = 1;
    if (in_tx) {
        if (rc == 0 && !opt->dry_run) {
            /* The hook runs last before COMMIT, so that what it writes
             * (the audit row) commits with the batch or not at all. */
            res->batch = im.batch;
            if (store_batch_finish(st, im.batch, res->sha256[0] ? res->sha256 : NULL,
                                   &res->counts, err) != 0 ||
                store_change_log(st, im.batch, 0, 0, err) != 0 ||
                (opt->before_commit &&
                 opt->before_commit(st, res, opt->before_commit_ctx, err) != 0) ||
                store_commit(st, err) != 0) {
                store_rollback(st);
                res->batch = 0;
                rc = -1;
            } else {
                res->batch = im.batch;
                res->written = 1;
            }
        } else {
            store_rollback(st);
        }
    }
    if (rc == 1 || rc < 0) {
        /* Nothing went in: counts of what would have been written mislead. */
        if (!opt->dry_run || rc < 0)
            res->counts.inserted = res->counts.updated = res->counts.unchanged = 0;
    }
    if (im.rejects) {
        struct table_writer *w = im.rejects;
        im.rejects = NULL;
        if (rc >= 0) {
            if (table_writer_close(w, err) != 0)
                rc = -1;
        } else {
            table_writer_abort(w);
        }
    }
    sort_issues(res->errors, res->errors_kept);
    sort_issues(res->warnings, res->warnings_kept);
    rowctx_release(&wx);
    rowctx_release(&px);
    importer_release(&im);
    return rc;
}
