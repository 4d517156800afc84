/*
 * list.c - saved lists (清单): the snapshot a query's matches make, saving
 * and reading it through the store, the comparison with the present, and
 * the export to XLSX/CSV.
 *
 * A snapshot is every match, not the first page, so it cannot come from
 * screen_run (which ranks at most SCREEN_MAX_LIMIT): it ranks the whole
 * matching set with the executor's own ranking primitives (exec_chain,
 * exec_rank_* in index_internal.h), so scores and order are those of
 * screen_run by construction; the unit test checks the first page of each
 * order anyway.
 *
 * Saving and removing write their audit row (audit.h) inside their own
 * transaction when given an actor, so that every front end (the CLI, the
 * HTTP API) records the same row the same way, or none is committed.
 */
#include "index/list.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "base/alloc.h"
#include "base/utf8.h"
#include "chain/taxonomy.h"
#include "index/exec.h"
#include "index/index_internal.h"
#include "index/list_json.h"
#include "index/query.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "registry/table_write.h"
#include "registry/value.h"
#include "store/store.h"

/* ---- entries ---- */

void list_entries_free(struct list_entry *e, size_t n)
{
    size_t i;
    if (!e)
        return;
    for (i = 0; i < n; i++)
        free(e[i].name);
    free(e);
}

static const char *const field_names[LF_COUNT_] = {
    "score", "name", "region", "industry", "founded", "capital",
    "status", "staff", "patents", "tags", "round",
};

static const char *const field_labels[LF_COUNT_] = {
    "得分", "企业名称", "行政区划", "国标行业", "成立日期", "注册资本",
    "登记状态", "参保人数", "专利数", "企业资质", "融资轮次",
};

const char *list_field_name(enum list_field f)
{
    return (unsigned)f < LF_COUNT_ ? field_names[f] : "";
}

const char *list_field_label(enum list_field f)
{
    return (unsigned)f < LF_COUNT_ ? field_labels[f] : "";
}

/* Cents as 万元, exactly: 123456789 -> "123.456789", 800000000 -> "800". */
static void add_wan(struct strbuf *out, int64_t cents)
{
    uint64_t a = cents < 0 ? (uint64_t)(-(cents + 1)) + 1 : (uint64_t)cents;
    uint64_t whole = a / 1000000, frac = a % 1000000;
    if (cents < 0)
        strbuf_addch(out, '-');
    strbuf_addf(out, "%llu", (unsigned long long)whole);
    if (frac) {
        char digits[8];
        int end = 6;
        snprintf(digits, sizeof(digits), "%06llu", (unsigned long long)frac);
        while (end > 0 && digits[end - 1] == '0')
            end--;
        strbuf_addf(out, ".%.*s", end, digits);
    }
}

static void add_tags(struct strbuf *out, uint32_t tags)
{
    int t, first = 1;
    for (t = 0; t < TAG_COUNT; t++) {
        if (!(tags & (1u << t)))
            continue;
        strbuf_addf(out, "%s%s", first ? "" : "、", value_tag_label((enum ent_tag)t));
        first = 0;
    }
}

void list_field_text(const struct list_entry *e, enum list_field f, struct strbuf *out)
{
    switch (f) {
    case LF_SCORE:
        strbuf_addf(out, "%d", e->score);
        break;
    case LF_NAME:
        strbuf_addstr(out, e->name ? e->name : "");
        break;
    case LF_REGION: {
        const struct region *r = e->region[0] ? region_find_code(e->region) : NULL;
        if (r)
            strbuf_addf(out, "%s (%s)", r->full_name, r->code);
        else
            strbuf_addstr(out, e->region[0] ? e->region : "未知");
        break;
    }
    case LF_INDUSTRY: {
        const struct industry *ind = e->industry[0] ? industry_find_code(e->industry) : NULL;
        if (ind)
            strbuf_addf(out, "%s %s", ind->code, ind->name);
        else
            strbuf_addstr(out, e->industry[0] ? e->industry : "未知");
        break;
    }
    case LF_FOUNDED:
        if (e->founded == SCORE_UNKNOWN) {
            strbuf_addstr(out, "未知");
        } else {
            char d[11];
            query_days_date(e->founded, d);
            strbuf_addstr(out, d);
        }
        break;
    case LF_CAPITAL:
        if (e->capital_cny == SCORE_UNKNOWN) {
            strbuf_addstr(out, "未知");
        } else {
            add_wan(out, e->capital_cny);
            strbuf_addstr(out, "万");
        }
        break;
    case LF_STATUS:
        strbuf_addstr(out, value_status_label((enum ent_status)e->status));
        break;
    case LF_STAFF:
    case LF_PATENTS: {
        int64_t v = f == LF_STAFF ? e->staff : e->patents;
        if (v == SCORE_UNKNOWN)
            strbuf_addstr(out, "未知");
        else
            strbuf_addf(out, "%lld", (long long)v);
        break;
    }
    case LF_TAGS:
        if (!e->tags)
            strbuf_addstr(out, "无");
        add_tags(out, e->tags);
        break;
    case LF_ROUND:
        if (e->round[0]) {
            char label[48];
            value_round_label(e->round, label, sizeof(label));
            strbuf_addstr(out, label);
        } else {
            strbuf_addstr(out, "无");
        }
        break;
    default:
        break;
    }
}

uint32_t list_entry_diff(const struct list_entry *a, const struct list_entry *b)
{
    uint32_t m = 0;
    m |= (uint32_t)(a->score != b->score) << LF_SCORE;
    m |= (uint32_t)(strcmp(a->name ? a->name : "", b->name ? b->name : "") != 0) << LF_NAME;
    m |= (uint32_t)(strcmp(a->region, b->region) != 0) << LF_REGION;
    m |= (uint32_t)(strcmp(a->industry, b->industry) != 0) << LF_INDUSTRY;
    m |= (uint32_t)(a->founded != b->founded) << LF_FOUNDED;
    m |= (uint32_t)(a->capital_cny != b->capital_cny) << LF_CAPITAL;
    m |= (uint32_t)(a->status != b->status) << LF_STATUS;
    m |= (uint32_t)(a->staff != b->staff) << LF_STAFF;
    m |= (uint32_t)(a->patents != b->patents) << LF_PATENTS;
    m |= (uint32_t)(a->tags != b->tags) << LF_TAGS;
    m |= (uint32_t)(strcmp(a->round, b->round) != 0) << LF_ROUND;
    return m;
}

static void entry_copy(struct list_entry *dst, const struct list_entry *src)
{
    *dst = *src;
    dst->name = xstrdup(src->name ? src->name : "");
}

/* ---- metadata ---- */

void list_meta_release(struct list_meta *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->query);
    free(m->note);
    free(m->user);
    free(m->created);
    free(m->score_model);
    free(m->home);
    free(m->today);
    memset(m, 0, sizeof(*m));
}

void list_metas_free(struct list_meta *m, size_t n)
{
    size_t i;
    if (!m)
        return;
    for (i = 0; i < n; i++)
        list_meta_release(&m[i]);
    free(m);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void meta_from_store(const struct store_list_meta *s, struct list_meta *m)
{
    m->id = s->id;
    m->name = dup_or_null(s->name);
    m->query = dup_or_null(s->query);
    m->note = dup_or_null(s->note);
    m->user = dup_or_null(s->user);
    m->created = dup_or_null(s->created);
    m->score_model = dup_or_null(s->score_model);
    m->home = dup_or_null(s->home);
    m->today = dup_or_null(s->today);
    m->total = s->total < 0 ? 0 : (uint64_t)s->total;
}

/* ---- validation ---- */

static int has_control(const char *s, size_t len, int allow_newline)
{
    size_t i = 0;
    while (i < len) {
        int32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (!k)
            return 1;
        if ((cp < 0x20 && !(allow_newline && (cp == '\n' || cp == '\t'))) ||
            (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029)
            return 1;
        i += k;
    }
    return 0;
}

static int is_space_at(const char *s, size_t len, int end)
{
    static const char *const spaces[] = { " ", "\xe3\x80\x80" /* U+3000 */,
                                          "\xc2\xa0" /* U+00A0 */ };
    size_t i;
    for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
        size_t k = strlen(spaces[i]);
        if (len >= k && memcmp(end ? s + len - k : s, spaces[i], k) == 0)
            return 1;
    }
    return 0;
}

int list_name_check(const char *name, struct error *err)
{
    size_t len = name ? strlen(name) : 0, chars;
    if (!len)
        return error_code(err, LIST_E_REFUSED, "a list name cannot be empty");
    if (!utf8_valid(name, len))
        return error_code(err, LIST_E_REFUSED, "list name is not valid UTF-8");
    chars = utf8_length(name, len);
    if (chars > LIST_MAX_NAME)
        return error_code(err, LIST_E_REFUSED,
                          "list name is %zu characters long; at most %d are allowed", chars,
                          LIST_MAX_NAME);
    if (has_control(name, len, 0))
        return error_code(err, LIST_E_REFUSED, "list name contains a control character");
    if (is_space_at(name, len, 0) || is_space_at(name, len, 1))
        return error_code(err, LIST_E_REFUSED, "list name '%s' begins or ends with a space",
                          name);
    if (name[0] == '-')
        return error_code(err, LIST_E_REFUSED,
                          "list name '%s' begins with '-', which reads as an option", name);
    return 0;
}

int list_note_check(const char *note, struct error *err)
{
    size_t len, chars;
    if (!note)
        return 0;
    len = strlen(note);
    if (!utf8_valid(note, len))
        return error_code(err, LIST_E_REFUSED, "the note is not valid UTF-8");
    chars = utf8_length(note, len);
    if (chars > LIST_MAX_NOTE)
        return error_code(err, LIST_E_REFUSED,
                          "the note is %zu characters long; at most %d are allowed", chars,
                          LIST_MAX_NOTE);
    if (has_control(note, len, 1))
        return error_code(err, LIST_E_REFUSED, "the note contains a control character");
    return 0;
}

/* ---- ranking the whole matching set (see the top of the file) ---- */

/* One match with its rank key (exec.c's order rules) and its position in
 * doc order before sorting. */
struct ranked {
    struct exec_rank r;   /* first: exec_rank_cmp sorts these */
    uint32_t pos;
};

/* The matches of q with their scores and sort keys, in doc order (pos set);
 * *out caller-freed. The index's read lock must be held by the caller;
 * docs no longer in the index are left out. Sort with cmp_ranked. */
static void score_docs(struct index *ix, const struct query *q, const uint32_t *docs, size_t n,
                       const struct exec_chain *cf, struct ranked **out, size_t *nout)
{
    struct ranked *r = xmalloc(st_mult(n ? n : 1, sizeof(*r)));
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        uint32_t d = docs[i];
        if (d >= ix->cap || !roaring_bitmap_contains(ix->all, d))
            continue;
        exec_rank_key(ix, q->sort, q->sort_asc, d, exec_doc_score(ix, cf, d), &r[k].r);
        r[k].pos = (uint32_t)k;
        k++;
    }
    *out = r;
    *nout = k;
}

/* doc's fields from the index (read lock held); e->name is taken from
 * *name_buf, which is reset first and must outlive the use of e. */
static void entry_from_index(struct index *ix, uint32_t d, struct strbuf *name_buf,
                             struct list_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->doc = d;
    if (ix->uscc[d][0])
        memcpy(e->uscc, ix->uscc[d], 18);
    strbuf_reset(name_buf);
    textidx_get(ix->names, d, name_buf);
    e->name = name_buf->buf;
    if (ix->region[d] >= 0)
        snprintf(e->region, sizeof(e->region), "%s", region_at((size_t)ix->region[d])->code);
    if (ix->industry[d] >= 0)
        snprintf(e->industry, sizeof(e->industry), "%s",
                 industry_at((size_t)ix->industry[d])->code);
    e->founded = ix->founded[d] == INDEX_NO_DAY ? SCORE_UNKNOWN : ix->founded[d];
    e->capital_cny = ix->capital[d];
    e->status = ix->status[d];
    e->staff = ix->staff[d] < 0 ? SCORE_UNKNOWN : ix->staff[d];
    e->patents = ix->patents[d] < 0 ? SCORE_UNKNOWN : ix->patents[d];
    e->tags = ix->tags[d];
    if (ix->round[d])
        snprintf(e->round, sizeof(e->round), "%s", ix->rounds[ix->round[d]]);
}

static int too_many(size_t n, size_t max, struct error *err)
{
    return error_code(err, LIST_E_REFUSED,
                      "the query matches %zu enterprises; a list holds at most %zu: narrow the "
                      "query (add region:, status:active, capital>=...)",
                      n, max);
}

int list_snapshot(struct index *ix, const struct query *q, size_t max, struct list_entry **out,
                  size_t *n, struct error *err)
{
    uint32_t *docs = NULL;
    size_t ndocs = 0, nr = 0, i;
    struct ranked *r = NULL;
    struct exec_chain cf;
    struct strbuf name = STRBUF_INIT;
    struct list_entry *e, *by_doc;

    *out = NULL;
    *n = 0;
    if (screen_match_docs(ix, q, &docs, &ndocs, err) != 0) {
        err->code = LIST_E_QUERY;
        return -1;
    }
    if (ndocs > max) {
        free(docs);
        return too_many(ndocs, max, err);
    }
    pthread_rwlock_rdlock(&ix->lock);
    exec_chain_init(ix, q, &cf);
    score_docs(ix, q, docs, ndocs, &cf, &r, &nr);
    free(docs);
    /* Read the columns in doc order (one pass through memory), then put
     * the entries in rank order. */
    by_doc = xcalloc(nr ? nr : 1, sizeof(*by_doc));
    for (i = 0; i < nr; i++) {
        entry_from_index(ix, r[i].r.doc, &name, &by_doc[i]);
        by_doc[i].name = xstrdup(name.buf);
        by_doc[i].score = r[i].r.score;
    }
    exec_chain_release(&cf);
    pthread_rwlock_unlock(&ix->lock);
    qsort_r(r, nr, sizeof(*r), exec_rank_cmp, ix);
    e = xcalloc(nr ? nr : 1, sizeof(*e));
    for (i = 0; i < nr; i++) {
        e[i] = by_doc[r[i].pos];
        e[i].rank = (uint32_t)(i + 1);
    }
    free(by_doc);
    free(r);
    strbuf_release(&name);
    *out = e;
    *n = nr;
    return 0;
}

/* ---- saving and reading ---- */

static int parse_query(struct index *ix, const char *text, struct query **q, struct error *err)
{
    struct query_env env;
    char today[11];
    query_days_date(ix->today, today);
    env.taxonomy = ix->tax;
    env.today = today;
    if (query_parse(text, &env, q, err) != 0) {
        err->code = LIST_E_QUERY;
        return -1;
    }
    return 0;
}

static void store_err(struct error *err)
{
    err->code = LIST_E_STORE;
}

struct get_ctx {
    struct list_meta *m;
};

static void got_meta(const struct store_list_meta *s, void *ctx)
{
    meta_from_store(s, ((struct get_ctx *)ctx)->m);
}

static int names_of(const struct store_list_meta *m, void *ctx)
{
    struct strbuf *sb = ctx;
    if (sb->len > 400) {
        strbuf_addstr(sb, ", ...");
        return 1;
    }
    strbuf_addf(sb, "%s%s", sb->len ? ", " : "", m->name);
    return 0;
}

int list_get(struct store *st, const char *name, struct list_meta *out, struct error *err)
{
    struct get_ctx g = { out };
    struct strbuf sb = STRBUF_INIT;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_list_get(st, name, got_meta, &g, err);
    if (rc < 0) {
        store_err(err);
        return -1;
    }
    if (rc == 1)
        return 0;
    if (store_list_each(st, names_of, &sb, NULL) < 0)
        strbuf_reset(&sb);
    error_code(err, LIST_E_NOT_FOUND, "no list named '%s' (%s%s)", name,
               sb.len ? "lists: " : "no list has been saved yet", sb.buf);
    strbuf_release(&sb);
    return -1;
}

static void item_to_store(const struct list_entry *e, char founded[11],
                          struct store_list_item *it)
{
    memset(it, 0, sizeof(*it));
    it->rank = e->rank;
    it->ent_id = e->doc;
    it->uscc = e->uscc[0] ? e->uscc : NULL;
    it->name = e->name ? e->name : "";
    it->region = e->region[0] ? e->region : NULL;
    it->industry = e->industry[0] ? e->industry : NULL;
    if (e->founded != SCORE_UNKNOWN) {
        query_days_date(e->founded, founded);
        it->founded = founded;
    }
    it->capital_cny = e->capital_cny == SCORE_UNKNOWN ? STORE_LIST_NULL : e->capital_cny;
    it->status = e->status;
    it->staff = e->staff == SCORE_UNKNOWN ? STORE_LIST_NULL : e->staff;
    it->patents = e->patents == SCORE_UNKNOWN ? STORE_LIST_NULL : e->patents;
    it->tags = e->tags;
    it->round = e->round[0] ? e->round : NULL;
    it->score = e->score;
}

/* The description as the audit log keeps it (list_meta_json). Caller
 * frees; NULL when m is NULL. */
static char *meta_audit_text(const struct list_meta *m)
{
    json_t *o;
    char *text;
    if (!m)
        return NULL;
    o = list_meta_json(m);
    text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

/* Append the audit row of a change to list name; inside the caller's
 * transaction. */
static int audit_list(struct store *st, const struct audit_actor *by, const char *action,
                      const char *name, const struct list_meta *before,
                      const struct list_meta *after, struct error *err)
{
    char *b = meta_audit_text(before), *a = meta_audit_text(after);
    int rc = audit_record(st, by,
                          &(struct audit_entry){ .action = action, .entity = "list",
                                                 .entity_id = name, .before = b, .after = a },
                          (int64_t)time(NULL), NULL, err);
    free(b);
    free(a);
    return rc;
}

/* The list called name as st sees it (inside a transaction: with its own
 * writes): 1 found (*m filled, release it), 0 none, -1. */
static int meta_read(struct store *st, const char *name, struct list_meta *m, struct error *err)
{
    memset(m, 0, sizeof(*m));
    return store_list_get(st, name, got_meta, &(struct get_ctx){ m }, err);
}

/* Write the list, its items and (with by) its audit row in one
 * transaction; *out (may be NULL) gets the list as saved. */
static int write_list(struct store *st, const struct store_list_meta *m, int replace,
                      const struct list_entry *e, size_t n, const struct audit_actor *by,
                      struct list_meta *out, struct error *err)
{
    struct list_meta old, saved;
    int64_t id = 0;
    size_t i;
    int rc, had = 0;

    memset(&old, 0, sizeof(old));
    memset(&saved, 0, sizeof(saved));
    if (store_begin(st, err) != 0) {
        store_err(err);
        return -1;
    }
    if (replace) {
        /* what the audit row's "before" shows */
        if (by && (had = meta_read(st, m->name, &old, err)) < 0)
            goto fail;
        if (store_list_delete(st, m->name, err) < 0)
            goto fail;
    }
    rc = store_list_create(st, m, &id, err);
    if (rc < 0)
        goto fail;
    if (rc == 1) {
        store_rollback(st);
        list_meta_release(&old);
        return error_code(err, LIST_E_EXISTS,
                          "a list named '%s' exists already (--replace overwrites it)", m->name);
    }
    for (i = 0; i < n; i++) {
        struct store_list_item it;
        char founded[11];
        item_to_store(&e[i], founded, &it);
        if (store_list_add_item(st, id, &it, err) != 0)
            goto fail;
    }
    if (by || out) {
        rc = meta_read(st, m->name, &saved, err);
        if (rc < 0)
            goto fail;
        if (rc == 0) {
            error_set(err, "list '%s' cannot be read back after writing it", m->name);
            goto fail;
        }
    }
    if (by && audit_list(st, by, had == 1 ? "list.replace" : "list.create", m->name,
                         had == 1 ? &old : NULL, &saved, err) != 0)
        goto fail;
    if (store_commit(st, err) != 0)
        goto fail;
    list_meta_release(&old);
    if (out)
        *out = saved;
    else
        list_meta_release(&saved);
    return 0;
fail:
    store_rollback(st);
    store_err(err);
    list_meta_release(&old);
    list_meta_release(&saved);
    return -1;
}

int list_save(struct index *ix, struct store *st, const struct list_save_options *o,
              const struct audit_actor *by, struct list_meta *out, struct error *err)
{
    struct query *q = NULL;
    struct list_entry *e = NULL;
    struct list_meta existing;
    struct store_list_meta m;
    struct strbuf canon = STRBUF_INIT;
    char today[11], home[10] = "";
    size_t n = 0;
    int rc = -1;

    if (out)
        memset(out, 0, sizeof(*out));
    if (list_name_check(o->name, err) != 0 || list_note_check(o->note, err) != 0)
        return -1;
    if (o->user && (strlen(o->user) > LIST_MAX_USER || !utf8_valid(o->user, strlen(o->user))))
        return error_code(err, LIST_E_REFUSED, "the user name ($USER) is longer than %d bytes "
                                               "or not UTF-8", LIST_MAX_USER);
    if (!o->query)
        return error_code(err, LIST_E_QUERY, "no query");
    if (!o->replace) {
        /* Fail before the work when the name is taken (write_list checks
         * again inside its transaction). */
        int got = store_list_get(st, o->name, got_meta, &(struct get_ctx){ &existing }, err);
        if (got < 0) {
            store_err(err);
            return -1;
        }
        if (got == 1) {
            error_code(err, LIST_E_EXISTS,
                       "a list named '%s' exists already (saved %s, %llu enterprises; "
                       "--replace overwrites it)",
                       o->name, existing.created ? existing.created : "?",
                       (unsigned long long)existing.total);
            list_meta_release(&existing);
            return -1;
        }
    }
    if (parse_query(ix, o->query, &q, err) != 0)
        return -1;
    if (list_snapshot(ix, q, LIST_MAX_ITEMS, &e, &n, err) != 0)
        goto done;
    query_format(q, &canon);
    query_days_date(ix->today, today);
    pthread_rwlock_rdlock(&ix->lock);
    if (ix->home)
        snprintf(home, sizeof(home), "%s", ix->home->code);
    pthread_rwlock_unlock(&ix->lock);

    memset(&m, 0, sizeof(m));
    m.name = o->name;
    m.query = canon.buf;
    m.note = o->note && *o->note ? o->note : NULL;
    m.user = o->user && *o->user ? o->user : NULL;
    m.score_model = score_model_hash(ix->sm);
    m.home = home[0] ? home : NULL;
    m.today = today;
    m.total = (int64_t)n;
    if (write_list(st, &m, o->replace, e, n, by, out, err) != 0)
        goto done;
    rc = 0;
done:
    list_entries_free(e, n);
    strbuf_release(&canon);
    query_free(q);
    return rc;
}

struct all_ctx {
    struct list_meta *m;
    size_t n, alloc;
};

static int add_meta(const struct store_list_meta *s, void *vctx)
{
    struct all_ctx *a = vctx;
    if (a->n == a->alloc) {
        a->alloc = a->alloc ? 2 * a->alloc : 16;
        a->m = xrealloc(a->m, st_mult(a->alloc, sizeof(*a->m)));
    }
    meta_from_store(s, &a->m[a->n++]);
    return 0;
}

int list_all(struct store *st, struct list_meta **out, size_t *n, struct error *err)
{
    struct all_ctx a = { NULL, 0, 0 };
    *out = NULL;
    *n = 0;
    if (store_list_each(st, add_meta, &a, err) != 0) {
        list_metas_free(a.m, a.n);
        store_err(err);
        return -1;
    }
    *out = a.m;
    *n = a.n;
    return 0;
}

static void entry_from_store(const struct store_list_item *it, struct list_entry *e)
{
    int64_t days;
    memset(e, 0, sizeof(*e));
    e->doc = (uint32_t)it->ent_id;
    e->rank = (uint32_t)it->rank;
    if (it->uscc)
        snprintf(e->uscc, sizeof(e->uscc), "%s", it->uscc);
    e->name = xstrdup(it->name ? it->name : "");
    if (it->region)
        snprintf(e->region, sizeof(e->region), "%s", it->region);
    if (it->industry)
        snprintf(e->industry, sizeof(e->industry), "%s", it->industry);
    e->founded = it->founded && query_date_days(it->founded, &days) == 0 ? days : SCORE_UNKNOWN;
    e->capital_cny = it->capital_cny == STORE_LIST_NULL ? SCORE_UNKNOWN : it->capital_cny;
    e->status = (int)it->status;
    e->staff = it->staff == STORE_LIST_NULL ? SCORE_UNKNOWN : it->staff;
    e->patents = it->patents == STORE_LIST_NULL ? SCORE_UNKNOWN : it->patents;
    e->tags = (uint32_t)it->tags;
    if (it->round)
        snprintf(e->round, sizeof(e->round), "%s", it->round);
    e->score = (int)it->score;
}

struct items_ctx {
    struct list_entry *e;
    size_t n, alloc;
};

static int add_item(const struct store_list_item *it, void *vctx)
{
    struct items_ctx *c = vctx;
    if (c->n == c->alloc) {
        c->alloc = c->alloc ? 2 * c->alloc : 64;
        c->e = xrealloc(c->e, st_mult(c->alloc, sizeof(*c->e)));
    }
    entry_from_store(it, &c->e[c->n++]);
    return 0;
}

int list_items(struct store *st, const struct list_meta *m, size_t limit,
               struct list_entry **out, size_t *n, struct error *err)
{
    struct items_ctx c = { NULL, 0, 0 };
    int64_t max_rank = limit ? (int64_t)limit : INT64_MAX;
    *out = NULL;
    *n = 0;
    if (store_list_items(st, m->id, max_rank, add_item, &c, err) != 0) {
        list_entries_free(c.e, c.n);
        store_err(err);
        return -1;
    }
    *out = c.e;
    *n = c.n;
    return 0;
}

int list_remove(struct store *st, const char *name, const struct audit_actor *by,
                struct error *err)
{
    struct list_meta m;
    int rc;
    if (list_get(st, name, &m, err) != 0)   /* the message names the lists there are */
        return -1;
    list_meta_release(&m);
    if (store_begin(st, err) != 0) {
        store_err(err);
        return -1;
    }
    /* read again inside the transaction: the audit row's "before" */
    rc = by ? meta_read(st, name, &m, err) : 0;
    if (rc < 0)
        goto fail;
    rc = store_list_delete(st, name, err);
    if (rc < 0)
        goto fail;
    if (rc == 0) {
        store_rollback(st);
        list_meta_release(&m);
        return error_code(err, LIST_E_NOT_FOUND, "no list named '%s'", name);
    }
    if (by && audit_list(st, by, "list.delete", name, &m, NULL, err) != 0)
        goto fail;
    if (store_commit(st, err) != 0)
        goto fail;
    list_meta_release(&m);
    return 0;
fail:
    store_rollback(st);
    store_err(err);
    list_meta_release(&m);
    return -1;
}

/* ---- diff ---- */

struct by_doc {
    uint32_t doc;
    uint32_t idx;
};

static int cmp_by_doc(const void *a, const void *b)
{
    const struct by_doc *x = a, *y = b;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* For each kept dropped enterprise that still exists: which of q's clauses
 * it fails now. One clause at a time through the executor, so the answer
 * is the executor's own. */
static int explain_drops(struct index *ix, const struct query *q, struct list_drop *drops,
                         size_t n, struct error *err)
{
    size_t c, i, live = 0;
    for (i = 0; i < n; i++)
        live += drops[i].exists;
    if (!live)
        return 0;
    for (c = 0; c < q->nclauses; c++) {
        struct query one;
        struct strbuf text = STRBUF_INIT;
        uint32_t *docs = NULL;
        size_t nd = 0;

        memset(&one, 0, sizeof(one));
        one.clauses = &q->clauses[c];
        one.nclauses = 1;
        if (screen_match_docs(ix, &one, &docs, &nd, err) != 0)
            return -1;
        query_format(&one, &text);
        for (i = 0; i < n; i++) {
            struct list_drop *d = &drops[i];
            if (!d->exists || bsearch(&d->then.doc, docs, nd, sizeof(*docs), cmp_u32))
                continue;
            d->fails = xrealloc(d->fails, st_mult(d->nfails + 1, sizeof(*d->fails)));
            d->fails[d->nfails++] = xstrdup(text.buf);
        }
        free(docs);
        strbuf_release(&text);
    }
    return 0;
}

int list_diff(struct index *ix, struct store *st, const char *name, size_t keep,
              struct list_diff *out, struct error *err)
{
    struct query *q = NULL;
    struct list_entry *then = NULL, cur;
    size_t nthen = 0, nr = 0, ndocs = 0, i, j, k;
    struct by_doc *idx = NULL;
    uint32_t *then_of = NULL, *masks = NULL;
    unsigned char *seen = NULL;
    uint32_t *docs = NULL;
    struct ranked *r = NULL;
    struct exec_chain cf;
    struct strbuf canon = STRBUF_INIT, nbuf = STRBUF_INIT;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (keep == 0)
        keep = SIZE_MAX;
    if (list_get(st, name, &out->meta, err) != 0)
        return -1;
    if (parse_query(ix, out->meta.query, &q, err) != 0) {
        error_prefix(err, "the saved query of list '%s' no longer parses (%s): ", name,
                     out->meta.query);
        err->code = LIST_E_QUERY;
        goto done;
    }
    query_format(q, &canon);
    out->query_now = strbuf_detach(&canon, NULL);
    snprintf(out->score_model_now, sizeof(out->score_model_now), "%s",
             score_model_hash(ix->sm));
    query_days_date(ix->today, out->today_now);
    if (list_items(st, &out->meta, 0, &then, &nthen, err) != 0)
        goto done;
    out->total_then = nthen;

    idx = xmalloc(st_mult(nthen ? nthen : 1, sizeof(*idx)));
    for (i = 0; i < nthen; i++) {
        idx[i].doc = then[i].doc;
        idx[i].idx = (uint32_t)i;
    }
    qsort(idx, nthen, sizeof(*idx), cmp_by_doc);
    seen = xcalloc(nthen ? nthen : 1, 1);

    if (screen_match_docs(ix, q, &docs, &ndocs, err) != 0) {
        err->code = LIST_E_QUERY;
        goto done;
    }
    if (ndocs > LIST_MAX_ITEMS) {
        too_many(ndocs, LIST_MAX_ITEMS, err);
        goto done;
    }

    pthread_rwlock_rdlock(&ix->lock);
    if (ix->home)
        snprintf(out->home_now, sizeof(out->home_now), "%s", ix->home->code);
    exec_chain_init(ix, q, &cf);
    score_docs(ix, q, docs, ndocs, &cf, &r, &nr);
    out->total_now = nr;
    /* Pass 1, in doc order (the columns read front to back, the saved
     * entries merged by doc): which of the saved entries each match is,
     * and what changed. */
    then_of = xmalloc(st_mult(nr ? nr : 1, sizeof(*then_of)));
    masks = xcalloc(nr ? nr : 1, sizeof(*masks));
    for (i = 0, j = 0; i < nr; i++) {
        while (j < nthen && idx[j].doc < r[i].r.doc)
            j++;
        if (j == nthen || idx[j].doc != r[i].r.doc) {
            then_of[i] = UINT32_MAX;
            continue;
        }
        then_of[i] = idx[j].idx;
        seen[idx[j].idx] = 1;
        entry_from_index(ix, r[i].r.doc, &nbuf, &cur);
        cur.score = r[i].r.score;
        masks[i] = list_entry_diff(&then[idx[j].idx], &cur);
    }
    /* Pass 2, in the current order: count, and keep the first few. */
    qsort_r(r, nr, sizeof(*r), exec_rank_cmp, ix);
    for (k = 0; k < nr; k++) {
        size_t p = r[k].pos;
        int added = then_of[p] == UINT32_MAX;
        if (!added && !masks[p]) {
            out->unchanged++;
            continue;
        }
        if (added ? out->added_kept < keep : out->changed_kept < keep) {
            entry_from_index(ix, r[k].r.doc, &nbuf, &cur);
            cur.rank = (uint32_t)(k + 1);
            cur.score = r[k].r.score;
            if (added) {
                out->added = xrealloc(out->added, st_mult(out->added_kept + 1,
                                                          sizeof(*out->added)));
                entry_copy(&out->added[out->added_kept++], &cur);
            } else {
                struct list_change *ch;
                out->changed = xrealloc(out->changed, st_mult(out->changed_kept + 1,
                                                              sizeof(*out->changed)));
                ch = &out->changed[out->changed_kept++];
                entry_copy(&ch->then, &then[then_of[p]]);
                entry_copy(&ch->now, &cur);
                ch->changed = masks[p];
            }
        }
        if (added)
            out->nadded++;
        else
            out->nchanged++;
    }
    for (i = 0; i < nthen; i++) {
        struct list_drop *d;
        uint32_t doc = then[i].doc;
        if (seen[i])
            continue;
        out->ndropped++;
        if (out->dropped_kept >= keep)
            continue;
        out->dropped = xrealloc(out->dropped, st_mult(out->dropped_kept + 1,
                                                      sizeof(*out->dropped)));
        d = &out->dropped[out->dropped_kept++];
        memset(d, 0, sizeof(*d));
        entry_copy(&d->then, &then[i]);
        d->exists = doc < ix->cap && roaring_bitmap_contains(ix->all, doc);
        if (d->exists) {
            entry_from_index(ix, doc, &nbuf, &cur);
            cur.score = exec_doc_score(ix, &cf, doc);
            entry_copy(&d->now, &cur);
            d->changed = list_entry_diff(&d->then, &d->now);
        }
    }
    exec_chain_release(&cf);
    pthread_rwlock_unlock(&ix->lock);

    if (explain_drops(ix, q, out->dropped, out->dropped_kept, err) != 0)
        goto done;
    rc = 0;
done:
    if (rc != 0) {
        int code = err->code;
        list_diff_release(out);
        err->code = code;
    }
    free(r);
    free(then_of);
    free(masks);
    free(docs);
    free(seen);
    free(idx);
    list_entries_free(then, nthen);
    strbuf_release(&nbuf);
    strbuf_release(&canon);
    query_free(q);
    return rc;
}

void list_diff_release(struct list_diff *d)
{
    size_t i, k;
    list_meta_release(&d->meta);
    free(d->query_now);
    list_entries_free(d->added, d->added_kept);
    for (i = 0; i < d->dropped_kept; i++) {
        free(d->dropped[i].then.name);
        free(d->dropped[i].now.name);
        for (k = 0; k < d->dropped[i].nfails; k++)
            free(d->dropped[i].fails[k]);
        free(d->dropped[i].fails);
    }
    free(d->dropped);
    for (i = 0; i < d->changed_kept; i++) {
        free(d->changed[i].then.name);
        free(d->changed[i].now.name);
    }
    free(d->changed);
    memset(d, 0, sizeof(*d));
}

/* ---- export ---- */

enum xcol {
    XC_RANK, XC_NAME, XC_USCC, XC_SCORE, XC_REGION_CODE, XC_REGION, XC_INDUSTRY,
    XC_INDUSTRY_NAME, XC_CAPITAL, XC_FOUNDED, XC_STATUS, XC_STAFF, XC_PATENTS, XC_TAGS,
    XC_ROUND, XC_COUNT
};

static const char *const xheaders[XC_COUNT] = {
    "排名", "企业名称", "统一社会信用代码", "得分", "行政区划代码", "所在地区", "国标行业",
    "行业名称", "注册资本(折合人民币万元)", "成立日期", "登记状态", "参保人数", "专利数", "企业资质",
    "融资轮次",
};

struct export_ctx {
    struct table_writer *w;
    struct strbuf text[XC_COUNT];
    int64_t rows;
    struct error *err;
};

static void cell_text(struct cell *c, struct strbuf *sb)
{
    c->type = sb->len ? CELL_STRING : CELL_EMPTY;
    c->text = sb->buf;
    c->len = sb->len;
}

static void cell_number(struct cell *c, struct strbuf *sb, double v)
{
    cell_text(c, sb);
    if (sb->len) {
        c->type = CELL_NUMBER;
        c->number = v;
    }
}

static int export_item(const struct store_list_item *it, void *vctx)
{
    struct export_ctx *x = vctx;
    struct cell cells[XC_COUNT];
    size_t i;

    memset(cells, 0, sizeof(cells));
    for (i = 0; i < XC_COUNT; i++) {
        strbuf_reset(&x->text[i]);
        cells[i].text = "";
    }
    strbuf_addf(&x->text[XC_RANK], "%lld", (long long)it->rank);
    cell_number(&cells[XC_RANK], &x->text[XC_RANK], (double)it->rank);
    strbuf_addstr(&x->text[XC_NAME], it->name ? it->name : "");
    cell_text(&cells[XC_NAME], &x->text[XC_NAME]);
    if (it->uscc)
        strbuf_addstr(&x->text[XC_USCC], it->uscc);
    cell_text(&cells[XC_USCC], &x->text[XC_USCC]);
    strbuf_addf(&x->text[XC_SCORE], "%lld", (long long)it->score);
    cell_number(&cells[XC_SCORE], &x->text[XC_SCORE], (double)it->score);
    if (it->region) {
        const struct region *r = region_find_code(it->region);
        strbuf_addstr(&x->text[XC_REGION_CODE], it->region);
        if (r)
            strbuf_addstr(&x->text[XC_REGION], r->full_name);
    }
    cell_text(&cells[XC_REGION_CODE], &x->text[XC_REGION_CODE]);
    cell_text(&cells[XC_REGION], &x->text[XC_REGION]);
    if (it->industry) {
        const struct industry *ind = industry_find_code(it->industry);
        strbuf_addstr(&x->text[XC_INDUSTRY], it->industry);
        if (ind)
            strbuf_addstr(&x->text[XC_INDUSTRY_NAME], ind->name);
    }
    cell_text(&cells[XC_INDUSTRY], &x->text[XC_INDUSTRY]);
    cell_text(&cells[XC_INDUSTRY_NAME], &x->text[XC_INDUSTRY_NAME]);
    if (it->capital_cny != STORE_LIST_NULL)
        add_wan(&x->text[XC_CAPITAL], it->capital_cny);
    cell_number(&cells[XC_CAPITAL], &x->text[XC_CAPITAL], (double)it->capital_cny / 1e6);
    if (it->founded) {
        strbuf_addstr(&x->text[XC_FOUNDED], it->founded);
        cell_text(&cells[XC_FOUNDED], &x->text[XC_FOUNDED]);
        cells[XC_FOUNDED].type = CELL_DATE;
    }
    strbuf_addstr(&x->text[XC_STATUS], value_status_label((enum ent_status)it->status));
    cell_text(&cells[XC_STATUS], &x->text[XC_STATUS]);
    if (it->staff != STORE_LIST_NULL)
        strbuf_addf(&x->text[XC_STAFF], "%lld", (long long)it->staff);
    cell_number(&cells[XC_STAFF], &x->text[XC_STAFF], (double)it->staff);
    if (it->patents != STORE_LIST_NULL)
        strbuf_addf(&x->text[XC_PATENTS], "%lld", (long long)it->patents);
    cell_number(&cells[XC_PATENTS], &x->text[XC_PATENTS], (double)it->patents);
    add_tags(&x->text[XC_TAGS], (uint32_t)it->tags);
    cell_text(&cells[XC_TAGS], &x->text[XC_TAGS]);
    if (it->round) {
        char label[48];
        value_round_label(it->round, label, sizeof(label));
        strbuf_addstr(&x->text[XC_ROUND], label);
    }
    cell_text(&cells[XC_ROUND], &x->text[XC_ROUND]);
    if (table_writer_row(x->w, cells, XC_COUNT, x->err) != 0)
        return 1;   /* stops store_list_items, which returns it */
    x->rows++;
    return 0;
}

int list_export(struct store *st, const char *name, const char *path, int csv_bom,
                int64_t *rows, struct error *err)
{
    struct list_meta m;
    struct export_ctx x;
    size_t i;
    int rc;

    *rows = 0;
    if (table_format_of(path) < 0)
        return error_code(err, LIST_E_REFUSED, "%s: the file name must end in .xlsx or .csv",
                          path);
    if (list_get(st, name, &m, err) != 0)
        return -1;
    memset(&x, 0, sizeof(x));
    x.err = err;
    x.w = table_writer_open(path, "清单", csv_bom, err);
    if (!x.w) {
        list_meta_release(&m);
        err->code = LIST_E_IO;
        return -1;
    }
    for (i = 0; i < XC_COUNT; i++)
        strbuf_init(&x.text[i], 0);
    rc = table_writer_header(x.w, xheaders, XC_COUNT, err);
    if (rc == 0) {
        rc = store_list_items(st, m.id, INT64_MAX, export_item, &x, err);
        if (rc < 0)
            store_err(err);
        else if (rc > 0)
            err->code = LIST_E_IO;
    } else {
        err->code = LIST_E_IO;
    }
    for (i = 0; i < XC_COUNT; i++)
        strbuf_release(&x.text[i]);
    list_meta_release(&m);
    if (rc != 0) {
        table_writer_abort(x.w);
        return -1;
    }
    if (table_writer_close(x.w, err) != 0) {
        err->code = LIST_E_IO;
        return -1;
    }
    *rows = x.rows;
    return 0;
}
