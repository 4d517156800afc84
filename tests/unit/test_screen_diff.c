/*
 * test_screen_diff.c - the differential test of the screening engine
 * (index/index.c, index/exec.c): on generated data, random queries over
 * every field and operator are answered by Magnet and by an SQL oracle
 * (SQLite over the same store); the totals, the matching sets and the
 * sorted top N (ids, USCCs, scores) must be identical.
 *
 * The oracle never asks the index anything. It translates the parsed query
 * (struct query) into SQL over the store's own tables (ent, ent_node) as
 * exec.h and docs/query.md define the semantics, with a fold() function
 * applying chain_fold, a cny() function converting capital by the rate
 * table of query.h, dates as julianday differences, the score from
 * score_sql(), and the district's gap nodes computed in SQL from location
 * quotients. docs/internals/screen-diff.md says what is checked and how.
 *
 * Four rounds: the store as first imported and indexed; after a batch of
 * updates and new enterprises written through the importer, classified and
 * applied with index_refresh (the batch path of the change log); after a
 * classify_run over everything (id ranges, ending in an open range); after
 * a rewrite of the classification of a range of ids logged as that range
 * (the range path). Every twentieth query of the first round and every
 * fifth after the writes also compares all twelve facets with GROUP BY over the
 * oracle's tables; every tenth checks the score breakdown (explain) of its
 * items. Every other query is ranked with the walks big sets take (score
 * buckets, a field's numeric bands: index_set_walk_min), the others by a
 * heap over every match.
 *
 * Sizes (environment; the defaults run in a few seconds, smaller under
 * sanitizers and valgrind):
 *   SCREEN_DIFF_COUNT      generated enterprises (default 20000)
 *   SCREEN_DIFF_QUERIES    random queries of the first round (default 1000)
 *   SCREEN_DIFF_AFTER      queries after the update batch (default 300); the
 *                          third round runs a fifth of that, the fourth half
 *   SCREEN_DIFF_SEED       query seed (default fixed; printed)
 *   SCREEN_DIFF_DATA_SEED  generator seed (default 7)
 *   SCREEN_DIFF_ONLY       run only query number N of the seed (reproduce a failure)
 *   SCREEN_DIFF_VERBOSE    1: print every query and its total
 *   SCREEN_DIFF_KEEP       1: keep the temporary store (its path is printed)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "chain/classify.h"
#include "chain/classify_run.h"
#include "chain/fold.h"
#include "chain/taxonomy.h"
#include "gen/gen.h"
#include "index/exec.h"
#include "index/index.h"
#include "index/query.h"
#include "index/score.h"
#include "ref/industry.h"
#include "ref/region.h"
#include "ref/uscc.h"
#include "registry/ent.h"
#include "registry/import.h"
#include "registry/value.h"
#include "store/store.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

#define HOME "330106"              /* 浙江省杭州市西湖区 */
#define TODAY GEN_DEFAULT_TODAY    /* the generator's and the index's today */
#define MAX_SAMPLES 4000           /* enterprises the generator draws values from */
#define MAX_SHOWN 5                /* failing queries shown in full */

/* ---- configuration ---- */

static uint64_t n_count, n_queries, n_after, query_seed, data_seed;
static int64_t only_query = -1;
static int verbose, keep;

static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *s = getenv(name);
    char *end;
    unsigned long long v;
    if (!s || !*s)
        return def;
    v = strtoull(s, &end, 10);
    if (*end) {
        fprintf(stderr, "%s='%s' is not a number; using %" PRIu64 "\n", name, s, def);
        return def;
    }
    return (uint64_t)v;
}

/* ---- random numbers (splitmix64: one stream per query, so that query i
 * of a seed is the same whatever ran before it) ---- */

static uint64_t rng;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
    return mix64(rng += 0x9E3779B97F4A7C15ULL);
}

/* The stream of query i: seeded through the mixer, so that the streams of
 * neighbouring queries are not the same sequence shifted by one. */
static void rnd_seed(uint64_t seed, uint64_t i)
{
    rng = mix64(seed ^ mix64(i + 0x632BE59BD9B4E019ULL));
}

static size_t rnd_below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static int chance(int percent)
{
    return (int)rnd_below(100) < percent;
}

/* ---- the fixture ---- */

static char tmpdir[64], dbpath[128], csvpath[128];
static struct taxonomy *tax;
static struct score_model *model;
static struct index *ix;
static sqlite3 *db;
static int64_t today_days;
static int64_t n_all;            /* enterprises in the store */
static size_t n_edges;           /* hand-made edge cases among them (the last ids) */
static struct strbuf gap_list = STRBUF_INIT;  /* SQL list of the home gap nodes: 'a/b','c/d' */
static struct strbuf base_sql = STRBUF_INIT;  /* an enterprise's score without chain fit */
static size_t n_gap_nodes;
static const struct tax_node **gap_nodes;     /* the same, as nodes */
static uint8_t *gap_member;                   /* by id: 1 when in a gap node */
static size_t gap_member_n;
static char *section_divisions[26];           /* "('63','64','65')" by section letter */
static uint32_t all_facets;                   /* the mask of every facet */

/* The writes between the rounds (see write_batch and the rounds after it). */
static int round_no = 1;                      /* 1..4 */
static int64_t edge_lo;                       /* the edge cases: edge_lo < id <= edge_lo + n_edges */
static int64_t taxonomy_id;                   /* of the taxonomy in the store (classify_run) */
enum touch_kind {
    TK_NONE = 0,
    TK_UPDATED,        /* updated by the batch, matched by USCC */
    TK_UPDATED_NAME,   /* updated by the batch, matched by name and region (no USCC) */
    TK_GIVEN_USCC,     /* had no USCC; the batch gave it one (matched by name and region) */
    TK_NEW,            /* created by the batch */
    TK_NEW_NO_USCC,    /* created by the batch, without a USCC */
    TK_RECLASSIFIED,   /* classification rewritten in the range of round 4 */
    TK_COUNT_
};
static const char *const touch_name[TK_COUNT_] = {
    "", "updated", "updated-by-name", "given-uscc", "new", "new-no-uscc", "reclassified",
};
static uint8_t *touched;                      /* by id: enum touch_kind */
static size_t touched_n;
static size_t *touched_samples;               /* indexes into samples[] of touched enterprises */
static size_t n_touched_samples;
static void w_tables_free(void);

/* What the query generator draws values from: a sample of the store. */
struct sample {
    int64_t id;
    char uscc[19];
    char *name, *scope;          /* as stored (NULL: none) */
    char region[10], street[10], industry[6];
    int64_t capital, founded, staff, patents;   /* capital in CNY cents, founded in days;
                                                   unknown: -1, founded INT64_MIN */
    char round[16];
};
static struct sample *samples;
static size_t n_samples;
static char **rounds;            /* distinct rounds in the store */
static size_t n_rounds;
static char **nonempty_nodes;    /* nodes holding at least one enterprise */
static size_t n_nonempty_nodes;

/* Text positions where ASCII letters or digits occur (for ASCII and mixed
 * patterns): sample, 0 name / 1 scope, byte offset of the run, run length. */
struct ascii_run {
    size_t sample;
    int scope;
    size_t off, len;
};
static struct ascii_run *ascii_runs;
static size_t n_ascii_runs, ascii_runs_alloc;

/* -- SQL functions of the oracle -- */

/* fold(text): chain_fold, the folding the text index is defined by. */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *s;
    char *out;
    size_t len, n;
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    s = (const char *)sqlite3_value_text(argv[0]);
    len = (size_t)sqlite3_value_bytes(argv[0]);
    out = xmalloc(len + 1);
    n = chain_fold(s, len, out);
    sqlite3_result_text(ctx, out, (int)n, free);
}

/* A 31-bit hash of a doc id: the sum of it over a set (with the count and
 * the plain sum) tells two sets apart without listing them, and fits the
 * 64-bit integers of SQLite's sum(). */
static uint64_t doc_hash(uint64_t d)
{
    return (d * 0x9E3779B97F4A7C15ULL) >> 33;
}

static void sql_dochash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int64(ctx, (int64_t)doc_hash((uint64_t)sqlite3_value_int64(argv[0])));
}

/* has(text, pattern): instr(text, pattern) > 0, by memmem. For valid
 * UTF-8 the two agree (a pattern starts with a lead byte, so a byte match
 * starts on a character boundary); instr compares at every character with
 * memcmp and made the oracle ten times slower. NULL text: NULL. */
static void sql_has(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *t, *p;
    size_t tn, pn;
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    t = (const char *)sqlite3_value_text(argv[0]);
    tn = (size_t)sqlite3_value_bytes(argv[0]);
    p = (const char *)sqlite3_value_text(argv[1]);
    pn = (size_t)sqlite3_value_bytes(argv[1]);
    sqlite3_result_int(ctx, memmem(t, tn, p, pn) != NULL);
}

/* cny(cents, currency): cents of CNY by query_rates[], rounded half away
 * from zero; NULL for an unknown currency, a missing amount or overflow.
 * Written here rather than calling query_money_to_cny so that a mistake in
 * one is not repeated in the other. */
static void sql_cny(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *cur;
    int64_t cents;
    size_t i;
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    cents = sqlite3_value_int64(argv[0]);
    cur = (const char *)sqlite3_value_text(argv[1]);
    for (i = 0; i < query_nrates; i++) {
        if (strcmp(cur, query_rates[i].currency) == 0) {
            __int128 p = (__int128)cents * query_rates[i].cny_per_unit_e6;
            __int128 q = p / 1000000, r = p % 1000000;
            if (r >= 500000)
                q++;
            else if (r <= -500000)
                q--;
            if (q > INT64_MAX || q < INT64_MIN)
                break;
            sqlite3_result_int64(ctx, (int64_t)q);
            return;
        }
    }
    sqlite3_result_null(ctx);
}

static void db_exec(const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("oracle SQL failed: %s\n%s", msg ? msg : "?", sql);
}

static sqlite3_stmt *db_prepare(const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("oracle SQL does not prepare: %s\n%s", sqlite3_errmsg(db), sql);
    return s;
}

static int64_t db_int(const char *sql)
{
    sqlite3_stmt *s = db_prepare(sql);
    int64_t v = 0;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void sql_quote(struct strbuf *sb, const char *s, size_t len)
{
    size_t i;
    strbuf_addch(sb, '\'');
    for (i = 0; i < len; i++) {
        if (s[i] == '\'')
            strbuf_addch(sb, '\'');
        strbuf_addch(sb, s[i]);
    }
    strbuf_addch(sb, '\'');
}

/* -- the edge cases: enterprises the generator never writes -- */

static const char *const edge_names[] = {
    "ABC智能科技有限公司",
    "杭州Hello World软件有限公司",
    "IBM（中国）投资有限公司",
    "云栖AI芯片设计有限公司",
    "5G通信技术（杭州）有限公司",
    "O2O电子商务有限公司",
    "e-Home家居有限公司",
    "西湖区集成电路设计中心",
    "芯",
    "智能制造Co., Ltd.",
    "“引号”贸易有限公司",
    "杭州市西湖区云计算软件开发有限公司",
};
static const char *const edge_scopes[] = {
    NULL,
    "软件开发；人工智能应用软件开发；集成电路设计",
    "5G通信技术服务；IoT设备销售；AI芯片研发",
    "一般项目：技术服务、技术开发、技术咨询。",
    "Software development; IT consulting",
    "芯片",
    "销售：服装、鞋帽；（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
};

static void edge_ent(struct ent *e, size_t k, const char *street)
{
    struct strbuf sb = STRBUF_INIT, key = STRBUF_INIT;
    const char *name = edge_names[k % (sizeof(edge_names) / sizeof(edge_names[0]))];
    const char *scope = edge_scopes[k % (sizeof(edge_scopes) / sizeof(edge_scopes[0]))];
    static const char *const dates[] = { NULL, "1969-12-31", "1970-01-01", TODAY,
                                         "2000-02-29", "1949-10-01", "2015-01-01" };
    static const char *const regions[] = { NULL, "33", "3301", HOME, "110108", HOME };
    static const char *const industries[] = { NULL, "I", "65", "651", "6513", "3971" };
    static const int64_t staffs[] = { -1, 0, 1, 50, 5000 };
    static const int64_t patents[] = { -1, 0, 5, 120 };
    static const char *const round_names[] = { NULL, "seed", "angel", "a", "pre-ipo", "m&a",
                                               "strategic" };
    struct money m;
    struct tag_set tags;
    ent_init(e);
    if (k >= sizeof(edge_names) / sizeof(edge_names[0]))
        strbuf_addf(&sb, "%s%zu号", name, k);
    else
        strbuf_addstr(&sb, name);
    ent_set_text(e, F_NAME, sb.buf, sb.len);
    utf8_name_key(sb.buf, sb.len, &key);
    ent_set_name_key(e, key.buf, key.len);
    if (scope)
        ent_set_text(e, F_SCOPE, scope, strlen(scope));
    if (k % 5 != 0) {
        char code[24];
        snprintf(code, sizeof(code), "91" HOME "MA%07u", (unsigned)(k % 10000000));
        code[17] = uscc_check_char(code);
        code[18] = 0;
        ent_set_text(e, F_USCC, code, 18);
    }
    /* capital: unknown, common CNY amounts (ties), other currencies (at
     * amounts whose conversion rounds up: 50,000.55 HKD is 45,311.4984 CNY),
     * zero, a fraction of a yuan, and an amount whose CNY value overflows */
    memset(&m, 0, sizeof(m));
    switch (k % 10) {
    case 0: break;
    case 1: m.cents = 100000000; snprintf(m.currency, 4, "CNY"); break;    /* 100万 */
    case 2: m.cents = 100000000; snprintf(m.currency, 4, "USD"); break;
    case 3: m.cents = 5000055; snprintf(m.currency, 4, "HKD"); break;
    case 4: m.cents = 10000003; snprintf(m.currency, 4, "EUR"); break;
    case 5: m.cents = 1000000000; snprintf(m.currency, 4, "JPY"); break;
    case 6: m.cents = 1000000000; snprintf(m.currency, 4, "CNY"); break;   /* 1000万 */
    case 7: m.cents = 0; snprintf(m.currency, 4, "CNY"); break;
    case 8: m.cents = 12345; snprintf(m.currency, 4, "CNY"); break;
    case 9: m.cents = k == 9 ? INT64_MAX / 2 : 500000000; snprintf(m.currency, 4, "USD"); break;
    }
    if (m.currency[0])
        ent_set_money(e, F_CAPITAL, &m);
    if (dates[k % 7])
        ent_set_text(e, F_FOUNDED, dates[k % 7], 10);
    if (k % 8)
        ent_set_status(e, (enum ent_status)(k % 8), value_status_label((enum ent_status)(k % 8)),
                       strlen(value_status_label((enum ent_status)(k % 8))));
    if (regions[k % 6]) {
        ent_set_text(e, F_REGION, regions[k % 6], strlen(regions[k % 6]));
        if (k % 6 == 5 && street)
            ent_set_text(e, F_STREET, street, strlen(street));
    }
    if (industries[(k / 2) % 6])
        ent_set_text(e, F_INDUSTRY, industries[(k / 2) % 6], strlen(industries[(k / 2) % 6]));
    if (staffs[k % 5] >= 0)
        ent_set_int(e, F_STAFF, staffs[k % 5]);
    if (patents[(k / 3) % 4] >= 0) {
        int64_t p = patents[(k / 3) % 4];
        ent_set_int(e, F_PATENTS, p);
        ent_set_int(e, F_PAT_INVENTION, p / 2);
        ent_set_int(e, F_PAT_UTILITY, p - p / 2);
        ent_set_int(e, F_PAT_DESIGN, 0);
    }
    if (k % 3 == 1)
        ent_set_int(e, F_SOFTWARE_CR, (int64_t)(k % 17));
    memset(&tags, 0, sizeof(tags));
    if (k % 10 == 9)
        tags.mask = (1u << TAG_COUNT) - 1;
    else if (k % 10)
        tags.mask = (1u << (k % TAG_COUNT)) | (k % 4 == 0 ? 1u : 0u);
    if (tags.mask)
        ent_set_tags(e, &tags);
    if (round_names[k % 7]) {
        ent_set_text(e, F_ROUND, round_names[k % 7], strlen(round_names[k % 7]));
        ent_set_text(e, F_FUNDING_DATE, k % 2 ? "2025-06-01" : "2019-03-15", 10);
    }
    strbuf_release(&sb);
    strbuf_release(&key);
}

static void insert_edges(struct store *st, size_t n)
{
    struct batch_info bi = { "import", "edge-cases", NULL, NULL, NULL };
    struct error err = ERROR_INIT;
    const char *street = NULL;
    int64_t batch;
    size_t i, k;
    for (i = 0; i < region_count(); i++) {
        const struct region *r = region_at(i);
        if (r->level == REGION_STREET && r->parent && strcmp(r->parent->code, HOME) == 0) {
            street = r->code;
            break;
        }
    }
    if (store_begin(st, &err) != 0 || store_batch_begin(st, &bi, &batch, &err) != 0)
        fail_msg("edge cases: %s", err.msg);
    for (k = 0; k < n; k++) {
        struct ent e;
        edge_ent(&e, k, street);
        if (store_ent_insert(st, &e, batch, &err) < 0)
            fail_msg("edge case %zu: %s", k, err.msg);
        ent_release(&e);
    }
    if (store_change_log(st, batch, 0, 0, &err) != 0 || store_commit(st, &err) != 0)
        fail_msg("edge cases: %s", err.msg);
}

/* -- building the store, the index and the oracle -- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void build_store(void)
{
    struct gen_options go = { 0 };
    struct gen *g = NULL;
    struct store *st = NULL;
    struct import_options io = { 0 };
    struct import_result res;
    struct classifier *cl = NULL;
    struct classify_run_options co = { 0 };
    struct classify_run_stats cs;
    struct error err = ERROR_INIT;

    go.count = n_count;
    go.seed = data_seed;
    go.home = HOME;
    go.today = TODAY;
    if (gen_new(&go, &g, &err) != 0 || gen_write_csv_file(g, csvpath, &err) != 0)
        fail_msg("gen: %s", err.msg);
    gen_free(g);
    n_edges = n_count / 200 < 64 ? 64 : (size_t)(n_count / 200);
    if (store_open(dbpath, STORE_CREATE, &st, &err) != 0)
        fail_msg("store: %s", err.msg);
    io.today = TODAY;
    memset(&res, 0, sizeof(res));
    if (import_file(st, csvpath, &io, &res, &err) != 0)
        fail_msg("import: %s (%zu errors; first: %s)", err.msg, res.nerrors,
                 res.errors_kept ? res.errors[0].message : "-");
    import_result_release(&res);
    insert_edges(st, n_edges);
    co.threads = 2;
    if (classifier_new(tax, &cl, &err) != 0 || classify_run(st, cl, &co, &cs, &err) != 0)
        fail_msg("classify: %s", err.msg);
    classifier_free(cl);
    taxonomy_id = cs.taxonomy_id;
    {
        struct index_options o = { 0 };
        o.taxonomy = tax;
        o.scoring = model;
        o.home = HOME;
        o.today = today_days;
        if (index_build(st, &o, &ix, &err) != 0)
            fail_msg("index_build: %s", err.msg);
    }
    store_close(st);
}

/* The gap nodes of the home district, in SQL alone: a node of the
 * taxonomy whose location quotient in the home district is below 1, that
 * is local(node) / local(all) < national(node) / national(all), counting
 * enterprises (any status); a node nobody holds nationally is not a gap
 * (no quotient). Must agree with the index's definition (index.c). */
static void compute_gaps(void)
{
    sqlite3_stmt *s;
    struct strbuf sql = STRBUF_INIT;
    int64_t local_all = db_int("SELECT count(*) FROM o WHERE substr(region, 1, 6) = '" HOME "'");
    strbuf_addf(&sql,
                "SELECT n.node, count(*), sum(substr(o.region, 1, 6) = '" HOME "')"
                " FROM ent_node n JOIN o ON o.id = n.ent_id GROUP BY n.node ORDER BY n.node");
    s = db_prepare(sql.buf);
    strbuf_reset(&gap_list);
    n_gap_nodes = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *node = (const char *)sqlite3_column_text(s, 0);
        int64_t national = sqlite3_column_int64(s, 1), local = sqlite3_column_int64(s, 2);
        const struct tax_node *nd = taxonomy_node(tax, node);
        if (!nd)
            continue;
        /* local / local_all < national / n_all, without division */
        if ((__int128)local * n_all < (__int128)national * local_all) {
            if (n_gap_nodes)
                strbuf_addch(&gap_list, ',');
            sql_quote(&gap_list, node, strlen(node));
            gap_nodes = xrealloc(gap_nodes, (n_gap_nodes + 1) * sizeof(*gap_nodes));
            gap_nodes[n_gap_nodes++] = nd;
        }
    }
    sqlite3_finalize(s);
    free(gap_member);
    gap_member_n = (size_t)db_int("SELECT max(id) FROM o") + 1;
    gap_member = xcalloc(gap_member_n, 1);
    if (n_gap_nodes) {
        strbuf_reset(&sql);
        strbuf_addf(&sql, "SELECT DISTINCT ent_id FROM ent_node WHERE node IN (%s)", gap_list.buf);
        s = db_prepare(sql.buf);
        while (sqlite3_step(s) == SQLITE_ROW)
            gap_member[sqlite3_column_int64(s, 0)] = 1;
        sqlite3_finalize(s);
    }
    strbuf_release(&sql);
}

static void score_expr(struct strbuf *out, const char *member, const char *gap)
{
    score_sql(model, today_days, member, gap, out);
}

/* The oracle's connection, its functions and the tables that do not
 * depend on the data: industry divisions by section, the taxonomy's nodes,
 * the tag bits. */
static void open_oracle(void)
{
    struct strbuf sql = STRBUF_INIT;
    struct error err = ERROR_INIT;
    size_t i;

    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("oracle: cannot open %s", dbpath);
    sqlite3_create_function(db, "fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_fold,
                            NULL, NULL);
    sqlite3_create_function(db, "dochash", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_dochash,
                            NULL, NULL);
    sqlite3_create_function(db, "has", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_has, NULL,
                            NULL);
    sqlite3_create_function(db, "cny", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_cny, NULL,
                            NULL);
    db_exec("PRAGMA temp_store = MEMORY");

    /* industry sections as lists of their divisions, and as a table */
    db_exec("CREATE TEMP TABLE isec (d TEXT PRIMARY KEY, s TEXT NOT NULL)");
    for (i = 0; i < 26; i++) {
        size_t j, n = 0;
        strbuf_reset(&sql);
        strbuf_addch(&sql, '(');
        for (j = 0; j < industry_count(); j++) {
            const struct industry *ind = industry_at(j);
            if (ind->level == INDUSTRY_DIVISION && ind->section == 'A' + (int)i)
                strbuf_addf(&sql, "%s'%s'", n++ ? "," : "", ind->code);
        }
        strbuf_addch(&sql, ')');
        section_divisions[i] = xstrdup(sql.buf);
    }
    for (i = 0; i < industry_count(); i++) {
        const struct industry *ind = industry_at(i);
        if (ind->level != INDUSTRY_DIVISION)
            continue;
        strbuf_reset(&sql);
        strbuf_addf(&sql, "INSERT INTO isec VALUES ('%s', '%c')", ind->code, ind->section);
        db_exec(sql.buf);
    }
    /* the nodes of the taxonomy (facets count those only) and the tag bits */
    db_exec("CREATE TEMP TABLE taxn (node TEXT PRIMARY KEY)");
    for (i = 0; i < tax->nnodes; i++) {
        strbuf_reset(&sql);
        strbuf_addstr(&sql, "INSERT INTO taxn VALUES (");
        sql_quote(&sql, tax->nodes[i].full_id, strlen(tax->nodes[i].full_id));
        strbuf_addch(&sql, ')');
        db_exec(sql.buf);
    }
    db_exec("CREATE TEMP TABLE tagbit (t INTEGER PRIMARY KEY)");
    for (i = 0; i < TAG_COUNT; i++) {
        strbuf_reset(&sql);
        strbuf_addf(&sql, "INSERT INTO tagbit VALUES (%zu)", i);
        db_exec(sql.buf);
    }
    /* a query's matching set, for its facets; the enterprises the writes touched */
    db_exec("CREATE TEMP TABLE m (id INTEGER PRIMARY KEY, f_region, f_industry, f_section,"
            " f_status, f_tags, f_round, f_year, f_capital)");
    db_exec("CREATE TEMP TABLE tch (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL)");
    if (screen_facets_parse("province,city,county,section,division,track,node,status,tag,round,"
                            "year,capital", &all_facets, &err) != 0)
        fail_msg("screen_facets_parse: %s", err.msg);
    assert_int_equal(all_facets, (1u << FACET_COUNT_) - 1);
    strbuf_release(&sql);
}

/* (Re)load the oracle's tables from the store: after every write. */
static void load_oracle(void)
{
    struct strbuf sql = STRBUF_INIT, score = STRBUF_INIT, gap = STRBUF_INIT;

    db_exec("DROP TABLE IF EXISTS temp.o");
    db_exec("DROP TABLE IF EXISTS temp.ot");
    /* One pass over ent computes what every query reads (CNY, day
     * numbers, folded texts) into temporary tables of this connection: the
     * store is not written. o holds the narrow columns (their names are
     * those score_sql() reads), ot the texts, apart, so that a scan of o
     * stays cheap and the texts are read only for rows that got that far. */
    db_exec("CREATE TEMP TABLE o (id INTEGER PRIMARY KEY, uscc, region, street, industry,"
            " capital_cny, founded_days, staff, patents, pat_invention, pat_utility, pat_design,"
            " software_cr, funding_days, tags, round, status, score_all, isection, fyear)");
    /* isection and fyear for the facets: the industry's section letter (as
     * stored, or of its division), the founding year */
    db_exec("INSERT INTO o SELECT id, nullif(uscc, ''), region, street, industry,"
            " cny(capital, coalesce(capital_cur, 'CNY')),"
            " CAST(julianday(founded) - 2440587.5 AS INTEGER),"
            " staff, patents, patents_invention, patents_utility, patents_design,"
            " software_copyrights, CAST(julianday(funding_date) - 2440587.5 AS INTEGER),"
            " coalesce(tags, 0), round, status, NULL,"
            " CASE WHEN industry GLOB '[A-Z]' THEN industry"
            " ELSE (SELECT s FROM isec WHERE d = substr(industry, 1, 2)) END,"
            " CAST(substr(founded, 1, 4) AS INTEGER) FROM ent");
    db_exec("CREATE TEMP TABLE ot (id INTEGER PRIMARY KEY, name, fname, fscope)");
    db_exec("INSERT INTO ot SELECT id, name, fold(name), fold(scope) FROM ent");
    n_all = db_int("SELECT count(*) FROM o");
    compute_gaps();
    /* The score when the query names no track: chain fit over every track. */
    if (n_gap_nodes)
        strbuf_addf(&gap, "o.id IN (SELECT ent_id FROM ent_node WHERE node IN (%s))", gap_list.buf);
    score_expr(&score, "o.id IN (SELECT ent_id FROM ent_node)", n_gap_nodes ? gap.buf : "0");
    strbuf_addf(&sql, "UPDATE o SET score_all = (%s)", score.buf);
    db_exec(sql.buf);
    /* without chain fit: what an explained item's other lines must add up to */
    strbuf_reset(&base_sql);
    strbuf_addstr(&base_sql, "SELECT (");
    score_expr(&base_sql, "0", "0");
    strbuf_addstr(&base_sql, ") FROM o WHERE id = ?1");
    strbuf_release(&sql);
    strbuf_release(&score);
    strbuf_release(&gap);
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrdup((const char *)t) : NULL;
}

static void col_copy(sqlite3_stmt *s, int i, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

static int64_t col_int(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, i);
}

static void find_ascii_runs(size_t si, int scope, const char *t)
{
    size_t i = 0, n = t ? strlen(t) : 0;
    while (i < n) {
        size_t j = i;
        while (j < n && ((t[j] >= 'a' && t[j] <= 'z') || (t[j] >= 'A' && t[j] <= 'Z') ||
                         (t[j] >= '0' && t[j] <= '9')))
            j++;
        if (j > i) {
            ALLOC_GROW(ascii_runs, n_ascii_runs + 1, ascii_runs_alloc);
            ascii_runs[n_ascii_runs++] = (struct ascii_run){ si, scope, i, j - i };
            i = j;
        } else {
            i++;
        }
    }
}

/* Draw the samples: up to MAX_SAMPLES enterprises at evenly spaced ids, plus
 * every edge case (the last ids). */
static void load_samples(void)
{
    sqlite3_stmt *s;
    int64_t step = n_all > MAX_SAMPLES ? n_all / MAX_SAMPLES + 1 : 1;
    size_t i, max = MAX_SAMPLES + n_edges + (size_t)db_int("SELECT count(*) FROM tch");

    if (!edge_lo)
        edge_lo = db_int("SELECT max(id) FROM o") - (int64_t)n_edges;
    samples = xcalloc(max, sizeof(*samples));
    s = db_prepare("SELECT id, uscc, region, street, industry, capital_cny, founded_days, staff,"
                   " patents, round, id IN (SELECT id FROM tch) FROM o"
                   " WHERE id % ?1 = 0 OR (id > ?2 AND id <= ?3) OR id IN (SELECT id FROM tch)"
                   " ORDER BY id");
    sqlite3_bind_int64(s, 1, step);
    sqlite3_bind_int64(s, 2, edge_lo);
    sqlite3_bind_int64(s, 3, edge_lo + (int64_t)n_edges);
    while (sqlite3_step(s) == SQLITE_ROW && n_samples < max) {
        struct sample *p = &samples[n_samples];
        if (sqlite3_column_int(s, 10)) {
            if (!touched_samples)
                touched_samples = xcalloc(max, sizeof(*touched_samples));
            touched_samples[n_touched_samples++] = n_samples;
        }
        n_samples++;
        p->id = sqlite3_column_int64(s, 0);
        col_copy(s, 1, p->uscc, sizeof(p->uscc));
        col_copy(s, 2, p->region, sizeof(p->region));
        col_copy(s, 3, p->street, sizeof(p->street));
        col_copy(s, 4, p->industry, sizeof(p->industry));
        p->capital = col_int(s, 5);
        p->founded = sqlite3_column_type(s, 6) == SQLITE_NULL ? INT64_MIN
                                                               : sqlite3_column_int64(s, 6);
        p->staff = col_int(s, 7);
        p->patents = col_int(s, 8);
        col_copy(s, 9, p->round, sizeof(p->round));
    }
    sqlite3_finalize(s);
    /* the texts as stored (the generator takes substrings of them) */
    s = db_prepare("SELECT name, scope FROM ent WHERE id = ?");
    for (i = 0; i < n_samples; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, samples[i].id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            samples[i].name = col_dup(s, 0);
            samples[i].scope = col_dup(s, 1);
            find_ascii_runs(i, 0, samples[i].name);
            find_ascii_runs(i, 1, samples[i].scope);
        }
    }
    sqlite3_finalize(s);

    s = db_prepare("SELECT DISTINCT round FROM ent WHERE round IS NOT NULL ORDER BY 1");
    while (sqlite3_step(s) == SQLITE_ROW) {
        rounds = xrealloc(rounds, (n_rounds + 1) * sizeof(*rounds));
        rounds[n_rounds++] = col_dup(s, 0);
    }
    sqlite3_finalize(s);
    s = db_prepare("SELECT DISTINCT node FROM ent_node ORDER BY 1");
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *node = (const char *)sqlite3_column_text(s, 0);
        if (!taxonomy_node(tax, node))
            continue;
        nonempty_nodes = xrealloc(nonempty_nodes, (n_nonempty_nodes + 1) * sizeof(char *));
        nonempty_nodes[n_nonempty_nodes++] = xstrdup(node);
    }
    sqlite3_finalize(s);
}

static int setup(void **state)
{
    struct error err = ERROR_INIT;
    double t0 = now_ms();
    int day;
    int small = SANITIZED || UNDER_VALGRIND();
    (void)state;

    /* valgrind slows SQLite down too: there the run checks memory, on
     * fewer queries, and leaves the coverage to the other runs */
    n_count = env_u64("SCREEN_DIFF_COUNT", UNDER_VALGRIND() ? 2000 : small ? 5000 : 20000);
    n_queries = env_u64("SCREEN_DIFF_QUERIES", UNDER_VALGRIND() ? 200 : 1000);
    n_after = env_u64("SCREEN_DIFF_AFTER", UNDER_VALGRIND() ? 60 : 300);
    query_seed = env_u64("SCREEN_DIFF_SEED", 20261101);
    data_seed = env_u64("SCREEN_DIFF_DATA_SEED", 7);
    if (getenv("SCREEN_DIFF_ONLY") && *getenv("SCREEN_DIFF_ONLY"))
        only_query = (int64_t)env_u64("SCREEN_DIFF_ONLY", 0);
    verbose = env_u64("SCREEN_DIFF_VERBOSE", 0) != 0;
    keep = env_u64("SCREEN_DIFF_KEEP", 0) != 0;
    if (n_count < 1000)
        n_count = 1000;
    printf("screen-diff: %" PRIu64 " enterprises (data seed %" PRIu64 "), %" PRIu64
           " + %" PRIu64 " + %" PRIu64 " + %" PRIu64 " queries (SCREEN_DIFF_SEED=%" PRIu64 ")%s\n",
           n_count, data_seed, n_queries, n_after, n_after / 5, n_after / 2, query_seed,
           UNDER_VALGRIND() ? ", reduced for valgrind" : small ? ", reduced for a sanitizer" : "");

    if (gen_date_parse(TODAY, &day) != 0)
        return -1;
    today_days = day;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/magnet-screen-diff-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(dbpath, sizeof(dbpath), "%s/store.db", tmpdir);
    snprintf(csvpath, sizeof(csvpath), "%s/gen.csv", tmpdir);
    if (taxonomy_load_default(&tax, &err) != 0 || score_model_load(NULL, &model, &err) != 0) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    build_store();
    printf("screen-diff: store and index built in %.0f ms\n", now_ms() - t0);
    open_oracle();
    load_oracle();
    load_samples();
    printf("screen-diff: oracle ready (%" PRId64 " enterprises, %zu gap nodes of " HOME
           ", %zu samples) at %.0f ms\n",
           n_all, n_gap_nodes, n_samples, now_ms() - t0);
    return 0;
}

/* Forget the samples (before drawing them again from changed data). */
static void free_samples(void)
{
    size_t i;
    for (i = 0; i < n_samples; i++) {
        free(samples[i].name);
        free(samples[i].scope);
    }
    free(samples);
    samples = NULL;
    n_samples = 0;
    free(touched_samples);
    touched_samples = NULL;
    n_touched_samples = 0;
    for (i = 0; i < n_rounds; i++)
        free(rounds[i]);
    free(rounds);
    rounds = NULL;
    n_rounds = 0;
    for (i = 0; i < n_nonempty_nodes; i++)
        free(nonempty_nodes[i]);
    free(nonempty_nodes);
    nonempty_nodes = NULL;
    n_nonempty_nodes = 0;
    free(ascii_runs);
    ascii_runs = NULL;
    n_ascii_runs = ascii_runs_alloc = 0;
}

static int teardown(void **state)
{
    char p[160];
    size_t i;
    (void)state;
    if (db)
        sqlite3_close(db);
    index_free(ix);
    score_model_free(model);
    taxonomy_free(tax);
    free_samples();
    free(touched);
    w_tables_free();
    free(gap_nodes);
    free(gap_member);
    for (i = 0; i < 26; i++)
        free(section_divisions[i]);
    strbuf_release(&gap_list);
    strbuf_release(&base_sql);
    if (keep) {
        printf("screen-diff: store kept at %s\n", dbpath);
        return 0;
    }
    unlink(csvpath);
    unlink(dbpath);
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    rmdir(tmpdir);
    return 0;
}

/* ---- coverage: what the generated queries exercised ----
 *
 * Every query carries the features it was built with ("capital>=",
 * "name:1char", "sort:founded-asc", ...). A feature counts as exercised
 * when a query carrying it had a non-trivial answer: some but not all
 * enterprises. The test fails when a required feature never was. */

#define COVERAGE_MIN_QUERIES 1000
#define MAX_FEATURES 400
#define MAX_QFEAT 96

struct feature {
    char name[48];
    uint64_t generated, nontrivial;
};
static struct feature features[MAX_FEATURES];
static size_t n_features;

static size_t feature_id(const char *name)
{
    size_t i;
    for (i = 0; i < n_features; i++)
        if (strcmp(features[i].name, name) == 0)
            return i;
    assert_true(n_features < MAX_FEATURES);
    snprintf(features[n_features].name, sizeof(features[0].name), "%s", name);
    return n_features++;
}

struct featset {
    size_t id[MAX_QFEAT];
    size_t n;
};

static void feat(struct featset *fs, const char *fmt, ...) MAGNET_PRINTF(2, 3);
static void feat(struct featset *fs, const char *fmt, ...)
{
    char name[64];
    va_list ap;
    size_t id, i;
    va_start(ap, fmt);
    vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    id = feature_id(name);
    for (i = 0; i < fs->n; i++)
        if (fs->id[i] == id)
            return;
    if (fs->n < MAX_QFEAT)
        fs->id[fs->n++] = id;
}

/* Count the features of fs, as exercised when total is non-trivial. */
static void credit(const struct featset *fs, uint64_t total)
{
    size_t i;
    for (i = 0; i < fs->n; i++) {
        features[fs->id[i]].generated++;
        if (total > 0 && total < (uint64_t)n_all)
            features[fs->id[i]].nontrivial++;
    }
}

/* 1 when every feature of fs has been exercised already. */
static int featset_done(const struct featset *fs)
{
    size_t i;
    for (i = 0; i < fs->n; i++)
        if (!features[fs->id[i]].nontrivial)
            return 0;
    return 1;
}

/* ---- the query generator ---- */

static const char *const field_word[QF_COUNT] = {
    [QF_TEXT] = "", [QF_NAME] = "name", [QF_SCOPE] = "scope", [QF_REGION] = "region",
    [QF_INDUSTRY] = "industry", [QF_TRACK] = "track", [QF_NODE] = "node",
    [QF_STATUS] = "status", [QF_TAG] = "tag", [QF_ROUND] = "round",
    [QF_CAPITAL] = "capital", [QF_FOUNDED] = "founded", [QF_STAFF] = "staff",
    [QF_PATENTS] = "patents", [QF_USCC] = "uscc",
};
static const char *const field_alias[QF_COUNT] = {
    [QF_TEXT] = "", [QF_NAME] = "名称", [QF_SCOPE] = "经营范围", [QF_REGION] = "地区",
    [QF_INDUSTRY] = "行业", [QF_TRACK] = "赛道", [QF_NODE] = "环节",
    [QF_STATUS] = "状态", [QF_TAG] = "资质", [QF_ROUND] = "轮次",
    [QF_CAPITAL] = "注册资本", [QF_FOUNDED] = "成立日期", [QF_STAFF] = "人数",
    [QF_PATENTS] = "专利", [QF_USCC] = "信用代码",
};

struct spelled {
    int id;
    const char *canon;
    const char *const words[7];
};
static const struct spelled statuses[] = {
    { STATUS_ACTIVE, "active", { "active", "存续", "在业", "在营", "开业", "正常", NULL } },
    { STATUS_CANCELLED, "cancelled", { "cancelled", "注销", "canceled", "deregistered", NULL } },
    { STATUS_REVOKED, "revoked", { "revoked", "吊销", NULL } },
    { STATUS_MOVED_OUT, "moved-out", { "moved-out", "迁出", NULL } },
    { STATUS_SUSPENDED, "suspended", { "suspended", "停业", "歇业", NULL } },
    { STATUS_LIQUIDATING, "liquidating", { "liquidating", "清算", NULL } },
    { STATUS_OTHER, "other", { "other", "其他", "撤销", "责令关闭", NULL } },
    { STATUS_UNKNOWN, "unknown", { "unknown", "未知", NULL } },
};
static const struct spelled tag_words[] = {
    { TAG_HIGHTECH, "hightech", { "hightech", "高新", "国高企", "高新技术企业", "high-tech", NULL } },
    { TAG_TECHSME, "techsme", { "techsme", "科技型中小企业", "科小", NULL } },
    { TAG_SPECIALISED, "specialised", { "specialised", "专精特新", "specialized", "srdi", NULL } },
    { TAG_LITTLEGIANT, "littlegiant", { "littlegiant", "小巨人", "little-giant", NULL } },
    { TAG_GAZELLE, "gazelle", { "gazelle", "瞪羚", "瞪羚企业", NULL } },
    { TAG_UNICORN, "unicorn", { "unicorn", "独角兽", NULL } },
    { TAG_LISTED, "listed", { "listed", "上市", "上市企业", NULL } },
    { TAG_NEEQ, "neeq", { "neeq", "挂牌", "新三板", NULL } },
};

static const char *spelling(const struct spelled *s)
{
    size_t n = 0;
    while (s->words[n])
        n++;
    return s->words[rnd_below(n)];
}

/* A sample; after the writes, two times in five one the writes touched
 * (the first round draws exactly as it always did). */
static const struct sample *any_sample(void)
{
    if (n_touched_samples && chance(40))
        return &samples[touched_samples[rnd_below(n_touched_samples)]];
    return &samples[rnd_below(n_samples)];
}

/* Decode the character starts of text (at most max). */
static size_t char_starts(const char *t, size_t len, size_t *starts, size_t max)
{
    size_t i = 0, n = 0;
    while (i < len && n < max) {
        int32_t cp;
        size_t k = utf8_decode(t + i, len - i, &cp);
        starts[n++] = i;
        i += k ? k : 1;
    }
    return n;
}

/* A character a bare (unquoted) word may hold: ASCII letters and digits,
 * CJK ideographs. Anything else is quoted so that it cannot read as an
 * operator, a field separator or a quote. */
static int bare_char(int32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

/* Characters that cannot be searched for: the quotes. */
static int quote_char(int32_t cp)
{
    return cp == '"' || cp == 0x201C || cp == 0x201D || cp == 0xFF02;
}

/* Append pattern p as one alternative of a text term: bare when it can
 * be, else (or by chance) "quoted". Returns -1 when p cannot be written. */
static int put_text(struct strbuf *out, const char *p, size_t len, struct featset *fs,
                    const char *fname)
{
    size_t i = 0;
    int bare = len > 0 && p[0] != '-', any = 0;
    while (i < len) {
        int32_t cp;
        size_t k = utf8_decode(p + i, len - i, &cp);
        if (!k || quote_char(cp))
            return -1;
        if (!bare_char(cp))
            bare = 0;
        if (cp != ' ')
            any = 1;
        i += k;
    }
    if (!any)
        return -1;
    if (bare && !chance(25)) {
        strbuf_add(out, p, len);
    } else {
        feat(fs, "%s:quoted", fname);
        if (!bare)
            feat(fs, "%s:punct-or-space", fname);
        strbuf_addch(out, '"');
        strbuf_add(out, p, len);
        strbuf_addch(out, '"');
    }
    return 0;
}

/* A text pattern for field f taken from the data: a substring of 1, 2 or
 * more characters of a stored name or scope, an ASCII run, a mix of
 * ASCII and Chinese, in upper case or full width. */
static int gen_text_alt(enum query_field f, struct strbuf *out, struct featset *fs)
{
    const char *fname = f == QF_TEXT ? "text" : field_word[f];
    const struct sample *sp = any_sample();
    int use_scope = f == QF_SCOPE || (f == QF_TEXT && chance(50));
    const char *t = use_scope ? sp->scope : sp->name;
    size_t starts[2048];
    struct strbuf p = STRBUF_INIT;
    int kind = (int)rnd_below(100), rc;

    if (kind < 22 && n_ascii_runs) {
        /* ASCII, as stored or in upper case or full width */
        const struct ascii_run *r = &ascii_runs[rnd_below(n_ascii_runs)];
        const struct sample *s2 = &samples[r->sample];
        const char *src = (r->scope ? s2->scope : s2->name) + r->off;
        size_t from = rnd_below(r->len), n = 1 + rnd_below(r->len - from), i;
        int form = (int)rnd_below(3);
        for (i = from; i < from + n; i++) {
            char c = src[i];
            if (form == 1 && c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            else if (form == 1 && c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (form == 2) {
                char fw[4];
                int32_t cp = 0xFF01 + (c - 0x21);
                fw[0] = (char)(0xE0 | (cp >> 12));
                fw[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                fw[2] = (char)(0x80 | (cp & 0x3F));
                strbuf_add(&p, fw, 3);
            } else {
                strbuf_addch(&p, c);
            }
        }
        feat(fs, "%s:ascii", fname);
        if (form == 1)
            feat(fs, "%s:case-folded", fname);
        if (form == 2)
            feat(fs, "%s:fullwidth-input", fname);
    } else if (kind < 34 && n_ascii_runs) {
        /* across the border of ASCII and Chinese */
        const struct ascii_run *r = &ascii_runs[rnd_below(n_ascii_runs)];
        const struct sample *s2 = &samples[r->sample];
        const char *src = r->scope ? s2->scope : s2->name;
        size_t n = char_starts(src, strlen(src), starts, 2048), i, at = 0;
        for (i = 0; i < n; i++)
            if (starts[i] == r->off)
                at = i;
        {
            size_t lo = at > 2 ? at - 1 - rnd_below(2) : 0;
            size_t hi = at + 1 + rnd_below(r->len + 2);
            size_t end;
            if (hi > n)
                hi = n;
            end = hi < n ? starts[hi] : strlen(src);
            strbuf_add(&p, src + starts[lo], end - starts[lo]);
        }
        feat(fs, "%s:mixed", fname);
    } else {
        size_t n, len, from, end;
        if (!t || !*t) {
            strbuf_release(&p);
            return -1;
        }
        n = char_starts(t, strlen(t), starts, 2048);
        if (kind < 56)
            len = 1;
        else if (kind < 80)
            len = 2;
        else
            len = 3 + rnd_below(6);
        if (len > n)
            len = n;
        from = rnd_below(n - len + 1);
        end = from + len < n ? starts[from + len] : strlen(t);
        strbuf_add(&p, t + starts[from], end - starts[from]);
        feat(fs, "%s:%s", fname, len == 1 ? "1char" : len == 2 ? "2char" : "long");
    }
    rc = put_text(out, p.buf, p.len, fs, fname);
    strbuf_release(&p);
    return rc;
}

static const char *const region_short[] = { "杭州", "宁波", "浙江", "北京", "上海", "广东",
                                            "深圳", "杭州市西湖区", "杭州西湖区", "西湖区" };

static int gen_region_alt(struct strbuf *out, struct featset *fs)
{
    const struct sample *sp = any_sample();
    int kind = (int)rnd_below(100), level = 1 + (int)rnd_below(4);
    char code[10];
    if (!sp->region[0])
        return -1;
    if (level == 4 && !sp->street[0])
        level = 3;
    if (level == 4)
        snprintf(code, sizeof(code), "%s", sp->street);
    else
        snprintf(code, sizeof(code), "%.*s", level * 2, sp->region);
    if (kind < 55) {
        strbuf_addstr(out, code);
        feat(fs, "region:level%d", level);
    } else if (kind < 65) {
        const struct region *r = region_at(rnd_below(region_count()));
        strbuf_addstr(out, r->code);
        feat(fs, "region:level%d", r->level);
    } else if (kind < 88) {
        const struct region *r = region_find_code(code);
        if (!r)
            return -1;
        strbuf_addstr(out, chance(50) ? r->full_name : r->name);
        feat(fs, "region:name");
    } else {
        strbuf_addstr(out, region_short[rnd_below(sizeof(region_short) / sizeof(region_short[0]))]);
        feat(fs, "region:name");
    }
    return 0;
}

static int gen_industry_alt(struct strbuf *out, struct featset *fs)
{
    const struct sample *sp = any_sample();
    const struct industry *ind = sp->industry[0] ? industry_find_code(sp->industry) : NULL;
    int kind = (int)rnd_below(100), level;
    char code[8];
    if (!ind)
        return -1;
    level = 1 + (int)rnd_below((size_t)ind->level);
    if (level == 1)
        snprintf(code, sizeof(code), "%c", ind->section);
    else
        snprintf(code, sizeof(code), "%.*s", level, ind->code);
    if (kind < 65) {
        strbuf_addstr(out, code);
        feat(fs, "industry:level%d", level);
    } else if (kind < 90 && level >= 2) {
        strbuf_addf(out, "%c%s", chance(50) ? ind->section : ind->section - 'A' + 'a', code);
        feat(fs, "industry:letter-form");
        feat(fs, "industry:level%d", level);
    } else {
        const struct industry *x = industry_find_code(code);
        if (!x)
            return -1;
        strbuf_addstr(out, x->name);
        feat(fs, "industry:name");
    }
    return 0;
}

static int gen_track_alt(struct strbuf *out, struct featset *fs)
{
    const struct tax_track *t = &tax->tracks[rnd_below(tax->ntracks)];
    if (chance(60)) {
        strbuf_addstr(out, t->id);
        feat(fs, "track:id");
    } else {
        strbuf_addstr(out, t->name);
        feat(fs, "track:name");
    }
    return 0;
}

static int gen_node_alt(struct strbuf *out, struct featset *fs)
{
    const struct tax_node *nd;
    int kind = (int)rnd_below(100);
    if (n_nonempty_nodes && chance(75))
        nd = taxonomy_node(tax, nonempty_nodes[rnd_below(n_nonempty_nodes)]);
    else
        nd = &tax->nodes[rnd_below(tax->nnodes)];
    if (kind < 55) {
        strbuf_addstr(out, nd->full_id);
        feat(fs, "node:id");
    } else if (kind < 85) {
        strbuf_addf(out, "%s/%s", tax->tracks[nd->track].name, nd->name);
        feat(fs, "node:name");
    } else {
        strbuf_addstr(out, nd->name);   /* alone: refused when not unique (then retried) */
        feat(fs, "node:bare-name");
    }
    return 0;
}

static int gen_status_alt(struct strbuf *out, struct featset *fs)
{
    const struct spelled *s = &statuses[rnd_below(sizeof(statuses) / sizeof(statuses[0]))];
    strbuf_addstr(out, spelling(s));
    feat(fs, "status:%s", s->canon);
    return 0;
}

static int gen_tag_alt(struct strbuf *out, struct featset *fs)
{
    const struct spelled *s = &tag_words[rnd_below(sizeof(tag_words) / sizeof(tag_words[0]))];
    strbuf_addstr(out, spelling(s));
    feat(fs, "tag:%s", s->canon);
    return 0;
}

static int gen_round_alt(struct strbuf *out, struct featset *fs)
{
    const char *r;
    if (!n_rounds)
        return -1;
    r = rounds[rnd_below(n_rounds)];
    if (chance(60)) {
        strbuf_addstr(out, r);
        feat(fs, "round:code");
    } else {
        char label[64];
        value_round_label(r, label, sizeof(label));
        strbuf_addstr(out, label);
        feat(fs, "round:label");
    }
    return 0;
}

static int gen_uscc_alt(struct strbuf *out, struct featset *fs)
{
    const struct sample *sp = any_sample();
    size_t i;
    if (!sp->uscc[0])
        return -1;
    if (chance(25)) {
        for (i = 0; sp->uscc[i]; i++)
            strbuf_addch(out, sp->uscc[i] >= 'A' && sp->uscc[i] <= 'Z' ? sp->uscc[i] - 'A' + 'a'
                                                                         : sp->uscc[i]);
        feat(fs, "uscc:lower-case");
    } else {
        strbuf_addstr(out, sp->uscc);
    }
    return 0;
}

/* A value of a numeric field taken from the data (so near its quantiles),
 * written as the language allows; -1 when the sample has none. */
static int numeric_value(enum query_field f, struct strbuf *out, struct featset *fs, int64_t *raw)
{
    const struct sample *sp;
    int64_t v;
    int tries = 0, want_positive = chance(60), form = (int)rnd_below(10);
    for (;;) {
        sp = any_sample();
        switch (f) {
        case QF_CAPITAL: v = sp->capital; break;
        case QF_FOUNDED: v = sp->founded; break;
        case QF_STAFF: v = sp->staff; break;
        default: v = sp->patents; break;
        }
        if (++tries > 50)
            break;
        /* most firms have no patents: look for values above the mode too */
        if (want_positive && f != QF_FOUNDED && v <= 0)
            continue;
        /* thousands separators need 1000万 or more */
        if (f == QF_CAPITAL && form == 1 && (v < 1000000000 || v % 1000000))
            continue;
        break;
    }
    if ((f == QF_FOUNDED && v == INT64_MIN) || (f != QF_FOUNDED && v < 0))
        return -1;
    *raw = v;
    if (f == QF_CAPITAL) {
        /* cents of CNY -> 万元 (1 万元 = 1,000,000 cents), exactly */
        int64_t whole = v / 1000000, frac = v % 1000000;
        char num[48];
        if (form == 0 && v % 10000 == 0) {
            /* in 亿: 1 亿 = 10^10 cents, six decimals reach 10^4 cents */
            int64_t yi = v / 10000000000LL, yf = (v % 10000000000LL) / 10000;
            if (yf) {
                snprintf(num, sizeof(num), "%" PRId64 ".%06" PRId64, yi, yf);
                while (num[strlen(num) - 1] == '0')
                    num[strlen(num) - 1] = 0;
            } else {
                snprintf(num, sizeof(num), "%" PRId64, yi);
            }
            strbuf_addf(out, "%s%s", num, chance(50) ? "亿" : "亿元");
            feat(fs, "capital:yi");
            return 0;
        }
        if (form == 1 && whole >= 1000 && !frac) {
            strbuf_addf(out, "%" PRId64 ",%03" PRId64, whole / 1000, whole % 1000);
            feat(fs, "capital:thousands");
        } else if (frac) {
            snprintf(num, sizeof(num), "%" PRId64 ".%06" PRId64, whole, frac);
            while (num[strlen(num) - 1] == '0')
                num[strlen(num) - 1] = 0;
            strbuf_addstr(out, num);
            feat(fs, "capital:decimals");
        } else {
            strbuf_addf(out, "%" PRId64, whole);
        }
        if (form == 2)
            strbuf_addstr(out, chance(50) ? "万" : "万元");
        return 0;
    }
    if (f == QF_FOUNDED) {
        char d[11];
        int y, m, dd, dform = (int)rnd_below(6);
        gen_date_format((int)v, d);
        y = (int)strtol(d, NULL, 10);
        m = (int)strtol(d + 5, NULL, 10);
        dd = (int)strtol(d + 8, NULL, 10);
        switch (dform) {
        case 0: strbuf_addf(out, "%d", y); feat(fs, "founded:year"); break;
        case 1: strbuf_addf(out, "%d年", y); feat(fs, "founded:year"); break;
        case 2: strbuf_addf(out, "%.7s", d); feat(fs, "founded:month"); break;
        case 3: strbuf_addf(out, "%d年%d月", y, m); feat(fs, "founded:month"); break;
        case 4: strbuf_addstr(out, d); feat(fs, "founded:day"); break;
        default: strbuf_addf(out, "%d/%d/%d", y, m, dd); feat(fs, "founded:day"); break;
        }
        return 0;
    }
    strbuf_addf(out, "%" PRId64, v);
    return 0;
}

/* A numeric term after the field name: an operator and a value, a range,
 * or a list of points and ranges. */
static int gen_numeric_term(enum query_field f, int list, struct strbuf *out, struct featset *fs)
{
    const char *fname = field_word[f];
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    int64_t va, vb;
    int rc = -1, op = (int)rnd_below(8), k, nalts = list ? 2 + (int)rnd_below(2) : 1;

    if (list) {
        strbuf_addch(out, ':');
        for (k = 0; k < nalts; k++) {
            int kind = (int)rnd_below(4);
            strbuf_reset(&a);
            strbuf_reset(&b);
            if (k)
                strbuf_addch(out, '|');
            if (numeric_value(f, &a, fs, &va) < 0)
                goto out;
            if (kind == 0) {
                strbuf_addstr(out, a.buf);
                feat(fs, "%s:=", fname);
            } else if (kind == 1) {
                strbuf_addf(out, "%s..", a.buf);
                feat(fs, "%s:a..", fname);
            } else if (kind == 2) {
                strbuf_addf(out, "..%s", a.buf);
                feat(fs, "%s:..b", fname);
            } else {
                if (numeric_value(f, &b, fs, &vb) < 0)
                    goto out;
                if (va <= vb)
                    strbuf_addf(out, "%s..%s", a.buf, b.buf);
                else
                    strbuf_addf(out, "%s..%s", b.buf, a.buf);
                feat(fs, "%s:a..b", fname);
            }
        }
        rc = 0;
        goto out;
    }
    if (numeric_value(f, &a, fs, &va) < 0)
        goto out;
    /* 'staff<0' matches nothing and is refused */
    if (op == 3 && va == 0 && f != QF_FOUNDED)
        op = 2;
    switch (op) {
    case 0: strbuf_addstr(out, chance(80) ? ">=" : chance(50) ? "≥" : ":>="); feat(fs, "%s>=", fname); break;
    case 1: strbuf_addstr(out, ">"); feat(fs, "%s>", fname); break;
    case 2: strbuf_addstr(out, chance(80) ? "<=" : chance(50) ? "≤" : ":<="); feat(fs, "%s<=", fname); break;
    case 3: strbuf_addstr(out, "<"); feat(fs, "%s<", fname); break;
    case 4: strbuf_addstr(out, chance(70) ? ":" : chance(50) ? "=" : "=="); feat(fs, "%s:=", fname); break;
    case 5:
        if (numeric_value(f, &b, fs, &vb) < 0)
            goto out;
        strbuf_addch(out, ':');
        if (va <= vb)
            strbuf_addf(out, "%s..%s", a.buf, b.buf);
        else
            strbuf_addf(out, "%s..%s", b.buf, a.buf);
        feat(fs, "%s:a..b", fname);
        rc = 0;
        goto out;
    case 6: strbuf_addf(out, ":%s..", a.buf); feat(fs, "%s:a..", fname); rc = 0; goto out;
    default: strbuf_addf(out, ":..%s", a.buf); feat(fs, "%s:..b", fname); rc = 0; goto out;
    }
    strbuf_addstr(out, a.buf);
    rc = 0;
out:
    strbuf_release(&a);
    strbuf_release(&b);
    return rc;
}

/* One term of field f into out; features into fs. -1: try again. */
static int gen_term(enum query_field f, struct strbuf *out, struct featset *fs)
{
    int negated = chance(20), list = chance(20), k, nalts;

    if (negated)
        strbuf_addch(out, '-');
    if (f != QF_TEXT) {
        if (chance(12)) {
            strbuf_addstr(out, field_alias[f]);
            feat(fs, "alias");
        } else {
            strbuf_addstr(out, field_word[f]);
        }
    }
    if (f == QF_CAPITAL || f == QF_FOUNDED || f == QF_STAFF || f == QF_PATENTS)
        return gen_numeric_term(f, list && chance(50), out, fs);  /* mostly the operators */
    if (f != QF_TEXT) {
        if (chance(8)) {
            strbuf_addstr(out, "：");
            feat(fs, "fullwidth-colon");
        } else {
            strbuf_addch(out, ':');
        }
    }
    nalts = list ? 2 + (int)rnd_below(2) : 1;
    for (k = 0; k < nalts; k++) {
        int rc;
        if (k)
            strbuf_addch(out, '|');
        switch (f) {
        case QF_TEXT: case QF_NAME: case QF_SCOPE: rc = gen_text_alt(f, out, fs); break;
        case QF_REGION: rc = gen_region_alt(out, fs); break;
        case QF_INDUSTRY: rc = gen_industry_alt(out, fs); break;
        case QF_TRACK: rc = gen_track_alt(out, fs); break;
        case QF_NODE: rc = gen_node_alt(out, fs); break;
        case QF_STATUS: rc = gen_status_alt(out, fs); break;
        case QF_TAG: rc = gen_tag_alt(out, fs); break;
        case QF_ROUND: rc = gen_round_alt(out, fs); break;
        default: rc = gen_uscc_alt(out, fs); break;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static const char *const sort_keys[] = { "capital", "score", "founded", "staff", "patents" };

/* A field for the next term: the numeric fields (the most operators), the
 * text fields (the most pattern kinds), status and tag (the most values)
 * twice as often as the others. */
static enum query_field pick_field(void)
{
    static const unsigned char weight[QF_COUNT] = {
        [QF_TEXT] = 2, [QF_NAME] = 2, [QF_SCOPE] = 2, [QF_REGION] = 1, [QF_INDUSTRY] = 1,
        [QF_TRACK] = 1, [QF_NODE] = 1, [QF_STATUS] = 2, [QF_TAG] = 2, [QF_ROUND] = 1,
        [QF_CAPITAL] = 2, [QF_FOUNDED] = 2, [QF_STAFF] = 2, [QF_PATENTS] = 2, [QF_USCC] = 1,
    };
    size_t total = 0, r, f;
    for (f = 0; f < QF_COUNT; f++)
        total += weight[f];
    r = rnd_below(total);
    for (f = 0; r >= weight[f]; f++)
        r -= weight[f];
    return (enum query_field)f;
}

#define MAX_TERMS 4

struct gen_query {
    struct strbuf q;
    struct featset fs;              /* of the query as a whole (sort, offset, results) */
    struct featset term[MAX_TERMS]; /* of each term, in the order of the AST's clauses */
    size_t nterms;
    size_t limit, offset;
};

/* Query number i of the seed. */
static void gen_query(uint64_t i, struct gen_query *g)
{
    struct query_env env = { tax, TODAY };
    int r, nterms, t;

    rnd_seed(query_seed, i);
    r = (int)rnd_below(100);
    nterms = r < 2 ? 0 : r < 37 ? 1 : r < 67 ? 2 : r < 87 ? 3 : MAX_TERMS;
    strbuf_reset(&g->q);
    g->fs.n = 0;
    g->nterms = 0;
    if (!nterms)
        feat(&g->fs, "empty-query");
    for (t = 0; t < nterms; t++) {
        struct strbuf term = STRBUF_INIT;
        struct featset tf;
        struct query *ast = NULL;
        struct error err = ERROR_INIT;
        int tries;
        for (tries = 0;; tries++) {
            enum query_field f = pick_field();
            strbuf_reset(&term);
            tf.n = 0;
            if (gen_term(f, &term, &tf) == 0 && query_parse(term.buf, &env, &ast, &err) == 0) {
                if (ast->nclauses == 1)
                    break;
                query_free(ast);   /* one term, one clause: anything else is retried */
                ast = NULL;
            }
            /* names that are ambiguous and samples without the value are
             * expected; anything else failing this often is a generator bug */
            if (tries == 200)
                fail_msg("query %" PRIu64 ": cannot generate a valid term; last '%s': %s", i,
                         term.buf, err.msg);
        }
        /* what the term is, from the parser's reading of it */
        {
            const struct query_clause *c = &ast->clauses[0];
            const char *fname = c->field == QF_TEXT ? "text" : field_word[c->field];
            feat(&tf, "%s", fname);
            if (c->negated)
                feat(&tf, "-%s", fname);
            if (c->nalts > 1)
                feat(&tf, "%s|", fname);
        }
        query_free(ast);
        if (t)
            strbuf_addstr(&g->q, chance(10) ? "\xE3\x80\x80" : chance(10) ? "  " : " ");
        strbuf_add(&g->q, term.buf, term.len);
        g->term[g->nterms++] = tf;
        strbuf_release(&term);
    }
    if (chance(60)) {
        const char *key = sort_keys[rnd_below(5)];
        int asc = chance(50);
        if (g->q.len)
            strbuf_addch(&g->q, ' ');
        strbuf_addf(&g->q, "sort:%s%s", key, asc ? "-asc" : chance(20) ? "-desc" : "");
        feat(&g->fs, "sort:%s%s", key, asc ? "-asc" : "");
    } else {
        feat(&g->fs, "sort:none");
    }
    g->limit = 1 + rnd_below(100);
    r = (int)rnd_below(100);
    g->offset = r < 75 ? 0 : r < 90 ? 1 + rnd_below(50) : rnd_below((size_t)n_all + 10);
    if (g->offset)
        feat(&g->fs, "offset");
}

/* ---- the oracle: the AST as SQL ---- */

static const char *range_column(enum query_field f)
{
    switch (f) {
    case QF_CAPITAL: return "capital_cny";
    case QF_FOUNDED: return "founded_days";
    case QF_STAFF: return "staff";
    default: return "patents";
    }
}

static void sql_alt(struct strbuf *w, enum query_field f, const struct query_alt *a)
{
    switch (f) {
    case QF_TEXT:
        strbuf_addstr(w, "(has(fname, ");
        sql_quote(w, a->text, a->text_len);
        strbuf_addstr(w, ") OR has(fscope, ");
        sql_quote(w, a->text, a->text_len);
        strbuf_addstr(w, "))");
        break;
    case QF_NAME:
    case QF_SCOPE:
        strbuf_addf(w, "has(%s, ", f == QF_NAME ? "fname" : "fscope");
        sql_quote(w, a->text, a->text_len);
        strbuf_addstr(w, ")");
        break;
    case QF_REGION:
        if (a->level == REGION_STREET)
            strbuf_addf(w, "street = '%s'", a->code);
        else
            strbuf_addf(w, "substr(region, 1, %zu) = '%s'", strlen(a->code), a->code);
        break;
    case QF_INDUSTRY:
        if (a->code[0] >= 'A' && a->code[0] <= 'Z')
            strbuf_addf(w, "(industry = '%s' OR substr(industry, 1, 2) IN %s)", a->code,
                        section_divisions[a->code[0] - 'A']);
        else
            strbuf_addf(w, "substr(industry, 1, %zu) = '%s'", strlen(a->code), a->code);
        break;
    case QF_TRACK:
        strbuf_addf(w, "o.id IN (SELECT ent_id FROM ent_node WHERE substr(node, 1, %zu) = '%s/')",
                    a->text_len + 1, a->text);
        break;
    case QF_NODE:
        strbuf_addf(w, "o.id IN (SELECT ent_id FROM ent_node WHERE node = '%s')", a->text);
        break;
    case QF_STATUS:
        strbuf_addf(w, "coalesce(status, 0) = %d", (int)a->id);
        break;
    case QF_TAG:
        strbuf_addf(w, "(tags >> %d) & 1", (int)a->id);
        break;
    case QF_ROUND:
        strbuf_addstr(w, "round = ");
        sql_quote(w, a->code, strlen(a->code));
        break;
    case QF_USCC:
        strbuf_addf(w, "uscc = '%s'", a->code);
        break;
    case QF_CAPITAL:
    case QF_FOUNDED:
    case QF_STAFF:
    case QF_PATENTS:
        strbuf_addf(w, "(%s IS NOT NULL", range_column(f));
        if (a->lo != QUERY_OPEN_LO)
            strbuf_addf(w, " AND %s >= %" PRId64, range_column(f), a->lo);
        if (a->hi != QUERY_OPEN_HI)
            strbuf_addf(w, " AND %s <= %" PRId64, range_column(f), a->hi);
        strbuf_addch(w, ')');
        break;
    default:
        fail_msg("oracle: field %d has no translation", (int)f);
    }
}

static int text_field(enum query_field f)
{
    return f == QF_TEXT || f == QF_NAME || f == QF_SCOPE;
}

/* The tables a query reads: the texts only when it has a text clause. */
static const char *sql_from(const struct query *q)
{
    size_t i;
    for (i = 0; i < q->nclauses; i++)
        if (text_field(q->clauses[i].field))
            return "o JOIN ot ON ot.id = o.id";
    return "o";
}

/* The WHERE condition of q ("1" for the empty query). The text clauses go
 * last: SQLite evaluates AND from the left and they cost the most. */
static void sql_where(struct strbuf *w, const struct query *q)
{
    size_t pass, i, j, n = 0;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < q->nclauses; i++) {
            const struct query_clause *c = &q->clauses[i];
            if (text_field(c->field) != (int)pass)
                continue;
            strbuf_addstr(w, n++ ? " AND " : "");
            strbuf_addstr(w, c->negated ? "NOT coalesce((" : "coalesce((");
            for (j = 0; j < c->nalts; j++) {
                strbuf_addstr(w, j ? ") OR (" : "(");
                sql_alt(w, c->field, &c->alts[j]);
            }
            strbuf_addstr(w, ")), 0)");
        }
    }
    if (!n)
        strbuf_addstr(w, "1");
}

/* The score as SQL for q: chain fit for the tracks q names in clauses that
 * are not negated (track: and node:, a node naming its track), or the
 * precomputed score over every track when it names none. */
static void sql_score(struct strbuf *out, const struct query *q)
{
    struct strbuf tracks = STRBUF_INIT, member = STRBUF_INIT, gap = STRBUF_INIT;
    size_t i, j, nt = 0;
    for (i = 0; i < q->nclauses; i++) {
        const struct query_clause *c = &q->clauses[i];
        if (c->negated || (c->field != QF_TRACK && c->field != QF_NODE))
            continue;
        for (j = 0; j < c->nalts; j++) {
            const char *t = c->alts[j].text;
            size_t len = c->field == QF_NODE ? (size_t)(strchr(t, '/') - t) : strlen(t);
            strbuf_addstr(&tracks, nt++ ? " OR " : "");
            strbuf_addf(&tracks, "substr(node, 1, %zu) = '%.*s/'", len + 1, (int)len, t);
        }
    }
    if (!nt) {
        strbuf_addstr(out, "score_all");
    } else {
        strbuf_addf(&member, "o.id IN (SELECT ent_id FROM ent_node WHERE %s)", tracks.buf);
        if (n_gap_nodes)
            strbuf_addf(&gap, "o.id IN (SELECT ent_id FROM ent_node WHERE (%s) AND node IN (%s))",
                        tracks.buf, gap_list.buf);
        strbuf_addch(out, '(');
        score_expr(out, member.buf, n_gap_nodes ? gap.buf : "0");
        strbuf_addch(out, ')');
    }
    strbuf_release(&tracks);
    strbuf_release(&member);
    strbuf_release(&gap);
}

static const char *sort_column(enum query_sort s)
{
    switch (s) {
    case QS_CAPITAL: return "capital_cny";
    case QS_FOUNDED: return "founded_days";
    case QS_STAFF: return "staff";
    case QS_PATENTS: return "patents";
    default: return "sc";
    }
}

/* One answer, from either side. The items carry the fields a result shows,
 * so that the index's columns are checked along with the order. */
struct ans_item {
    uint32_t doc;
    char uscc[19];
    int score;
    char name[192];
    char region[10], industry[6], round[16];
    int64_t capital, founded, staff, patents;   /* SCORE_UNKNOWN when unknown */
    int status;
    uint32_t tags;
    int64_t key;               /* oracle: the sort value */
    int key_known;
    /* Magnet with explain: what its breakdown says */
    int explained;
    int line_sum;              /* all lines */
    int base_sum;              /* the lines outside the chain dimension */
    int chain_points, gap_points, excluded_line;
};

/* One facet's values, as either side counts them. */
struct fval {
    char key[48];
    char label[96];            /* Magnet's */
    int64_t count;
};
struct flist {
    struct fval *v;
    size_t n, alloc;
};

struct answer {
    uint64_t total;
    uint64_t sum, sum2;        /* checksum of the matching set */
    size_t nitems;
    struct ans_item *items;
    int has_facets;
    struct flist facets[FACET_COUNT_];
};

static void answer_release(struct answer *a)
{
    size_t f;
    for (f = 0; f < FACET_COUNT_; f++)
        free(a->facets[f].v);
    free(a->items);
    memset(a, 0, sizeof(*a));
}

static void flist_add(struct flist *l, const char *key, int64_t count)
{
    ALLOC_GROW(l->v, l->n + 1, l->alloc);
    memset(&l->v[l->n], 0, sizeof(*l->v));
    snprintf(l->v[l->n].key, sizeof(l->v[0].key), "%s", key);
    l->v[l->n++].count = count;
}

/* The order facet values come in: by count descending, then by key. */
static int cmp_fval(const void *a, const void *b)
{
    const struct fval *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Each facet as a GROUP BY over the matching set (temp table m, which
 * copies the columns of o the facets read), keys as
 * exec.h documents them: region codes cut to the level, the industry
 * section letter (of a stored letter or of the division) and the 2-digit
 * division, track and node ids of the taxonomy, status and tag names, the
 * canonical round, the founding year, the capital band (万元). */
static const char *const facet_sql[FACET_COUNT_] = {
    [FACET_PROVINCE] = "SELECT substr(f_region, 1, 2), count(*) FROM m"
                       " WHERE length(f_region) >= 2 GROUP BY 1",
    [FACET_CITY] = "SELECT substr(f_region, 1, 4), count(*) FROM m WHERE length(f_region) >= 4"
                   " GROUP BY 1",
    [FACET_COUNTY] = "SELECT substr(f_region, 1, 6), count(*) FROM m"
                     " WHERE length(f_region) >= 6 GROUP BY 1",
    [FACET_SECTION] = "SELECT f_section, count(*) FROM m WHERE f_section IS NOT NULL GROUP BY 1",
    [FACET_DIVISION] = "SELECT substr(f_industry, 1, 2), count(*) FROM m"
                       " WHERE f_industry GLOB '[0-9][0-9]*' GROUP BY 1",
    [FACET_TRACK] = "SELECT substr(n.node, 1, instr(n.node, '/') - 1), count(DISTINCT n.ent_id)"
                    " FROM m CROSS JOIN ent_node n ON n.ent_id = m.id"
                    " CROSS JOIN taxn t ON t.node = n.node GROUP BY 1",
    [FACET_NODE] = "SELECT n.node, count(*) FROM m CROSS JOIN ent_node n ON n.ent_id = m.id"
                   " CROSS JOIN taxn t ON t.node = n.node GROUP BY 1",
    [FACET_STATUS] = "SELECT coalesce(f_status, 0), count(*) FROM m GROUP BY 1",
    [FACET_TAG] = "SELECT t, count(*) FROM m CROSS JOIN tagbit WHERE f_tags <> 0"
                  " AND (f_tags >> t) & 1 GROUP BY t",
    [FACET_ROUND] = "SELECT f_round, count(*) FROM m WHERE f_round IS NOT NULL AND f_round <> ''"
                    " GROUP BY 1",
    [FACET_YEAR] = "SELECT f_year, count(*) FROM m WHERE f_year IS NOT NULL GROUP BY 1",
    [FACET_CAPITAL] = "SELECT CASE WHEN f_capital >= 100000000000 THEN '100000-'"
                      " WHEN f_capital >= 10000000000 THEN '10000-100000'"
                      " WHEN f_capital >= 5000000000 THEN '5000-10000'"
                      " WHEN f_capital >= 1000000000 THEN '1000-5000'"
                      " WHEN f_capital >= 500000000 THEN '500-1000'"
                      " WHEN f_capital >= 100000000 THEN '100-500' ELSE '0-100' END,"
                      " count(*) FROM m WHERE f_capital IS NOT NULL GROUP BY 1",
};

static double facet_ms;   /* the oracle's time on facets */
static double facet_ms_each[FACET_COUNT_];

static void oracle_facets(struct answer *out)
{
    int f;
    double t0 = now_ms();
    out->has_facets = 1;
    for (f = 0; f < FACET_COUNT_; f++) {
        sqlite3_stmt *s = db_prepare(facet_sql[f]);
        struct flist *l = &out->facets[f];
        double t1 = now_ms();
        while (sqlite3_step(s) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(s, 0);
            int64_t n = sqlite3_column_int64(s, 1);
            if (f == FACET_STATUS)
                key = value_status_name((enum ent_status)sqlite3_column_int(s, 0));
            else if (f == FACET_TAG)
                key = value_tag_name((enum ent_tag)sqlite3_column_int(s, 0));
            flist_add(l, key ? key : "(null)", n);
        }
        sqlite3_finalize(s);
        if (l->n > 1)
            qsort(l->v, l->n, sizeof(*l->v), cmp_fval);
        facet_ms_each[f] += now_ms() - t1;
    }
    facet_ms += now_ms() - t0;
}

static int64_t col_known(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? SCORE_UNKNOWN : sqlite3_column_int64(s, i);
}

static void oracle_run(const struct query *q, size_t limit, size_t offset, int facets,
                       struct strbuf *sql_top, struct answer *out)
{
    struct strbuf where = STRBUF_INIT, sql = STRBUF_INIT, score = STRBUF_INIT;
    const char *key = sort_column(q->sort);
    sqlite3_stmt *s;
    size_t top_at, k;

    memset(out, 0, sizeof(*out));
    sql_where(&where, q);
    /* the matching set, evaluated once into m (with what the facets read);
     * its count and an order-free checksum */
    strbuf_reset(sql_top);
    db_exec("DELETE FROM m");
    strbuf_addf(&sql, "INSERT INTO m SELECT o.id, region, industry, isection, status, tags, round,"
                      " fyear, capital_cny FROM %s WHERE %s", sql_from(q), where.buf);
    db_exec(sql.buf);
    strbuf_addf(sql_top, "%s;\n  ", sql.buf);
    strbuf_reset(&sql);
    strbuf_addstr(&sql, "SELECT count(*), coalesce(sum(id), 0), coalesce(sum(dochash(id)), 0)"
                        " FROM m");
    if (facets)
        oracle_facets(out);
    s = db_prepare(sql.buf);
    if (sqlite3_step(s) == SQLITE_ROW) {
        out->total = (uint64_t)sqlite3_column_int64(s, 0);
        out->sum = (uint64_t)sqlite3_column_int64(s, 1);
        out->sum2 = (uint64_t)sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);

    /* the top N in the order of exec.h */
    sql_score(&score, q);
    if (!strcmp(key, "sc"))
        key = score.buf;
    strbuf_addf(sql_top, "%s;\n  ", sql.buf);
    top_at = sql_top->len;
    strbuf_addf(sql_top,
                "SELECT o.id, coalesce(uscc, ''), %s AS sc, %s AS k, coalesce(region, ''),"
                " coalesce(industry, ''), coalesce(round, ''), capital_cny, founded_days, staff,"
                " patents, coalesce(status, 0), tags FROM m CROSS JOIN o ON o.id = m.id"
                " ORDER BY k IS NULL, k %s, uscc IS NULL, uscc, o.id LIMIT %zu OFFSET %zu",
                score.buf, key, q->sort_asc ? "ASC" : "DESC", limit, offset);
    s = db_prepare(sql_top->buf + top_at);
    out->items = xcalloc(limit, sizeof(*out->items));
    while (sqlite3_step(s) == SQLITE_ROW && out->nitems < limit) {
        struct ans_item *it = &out->items[out->nitems++];
        it->doc = (uint32_t)sqlite3_column_int64(s, 0);
        col_copy(s, 1, it->uscc, sizeof(it->uscc));
        it->score = sqlite3_column_int(s, 2);
        it->key_known = sqlite3_column_type(s, 3) != SQLITE_NULL;
        it->key = sqlite3_column_int64(s, 3);
        col_copy(s, 4, it->region, sizeof(it->region));
        col_copy(s, 5, it->industry, sizeof(it->industry));
        col_copy(s, 6, it->round, sizeof(it->round));
        it->capital = col_known(s, 7);
        it->founded = col_known(s, 8);
        it->staff = col_known(s, 9);
        it->patents = col_known(s, 10);
        it->status = sqlite3_column_int(s, 11);
        it->tags = (uint32_t)sqlite3_column_int64(s, 12);
    }
    sqlite3_finalize(s);
    /* the names, as stored */
    s = db_prepare("SELECT name FROM ot WHERE id = ?");
    for (k = 0; k < out->nitems; k++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, out->items[k].doc);
        if (sqlite3_step(s) == SQLITE_ROW)
            col_copy(s, 0, out->items[k].name, sizeof(out->items[k].name));
    }
    sqlite3_finalize(s);
    strbuf_release(&where);
    strbuf_release(&sql);
    strbuf_release(&score);
}

/* The enterprises one clause matches on its own (the oracle's count). */
static uint64_t clause_count(const struct query_clause *c)
{
    struct query one;
    struct strbuf where = STRBUF_INIT, sql = STRBUF_INIT;
    uint64_t n;
    memset(&one, 0, sizeof(one));
    one.clauses = (struct query_clause *)c;
    one.nclauses = 1;
    sql_where(&where, &one);
    strbuf_addf(&sql, "SELECT count(*) FROM %s WHERE %s", sql_from(&one), where.buf);
    n = (uint64_t)db_int(sql.buf);
    strbuf_release(&where);
    strbuf_release(&sql);
    return n;
}

/* Read what the breakdown of an item says into it; problems into msg. */
static void read_explain(const struct screen_item *si, struct ans_item *it, size_t at,
                         struct strbuf *msg)
{
    size_t k;
    it->explained = 1;
    if (!si->lines || si->nlines < 1 || si->nlines > SCORE_MAX_LINES) {
        strbuf_addf(msg, "explain: item %zu (doc %u) has %zu breakdown lines\n", at, si->doc,
                    si->nlines);
        return;
    }
    for (k = 0; k < si->nlines; k++) {
        const struct score_line *l = &si->lines[k];
        if (!l->dimension || !l->factor || l->points < 0 || l->points > l->max ||
            (!l->value[0] && strcmp(l->dimension, "excluded") != 0)) {
            strbuf_addf(msg, "explain: item %zu (doc %u) line %zu: %s/%s '%s' %d of %d\n", at,
                        si->doc, k, l->dimension ? l->dimension : "(null)",
                        l->factor ? l->factor : "(null)", l->value, l->points, l->max);
            continue;
        }
        it->line_sum += l->points;
        if (strcmp(l->dimension, "chain") == 0) {
            it->chain_points += l->points;
            if (strcmp(l->factor, "gap") == 0)
                it->gap_points += l->points;
        } else {
            it->base_sum += l->points;
        }
        if (strcmp(l->dimension, "excluded") == 0)
            it->excluded_line = 1;
    }
    if (it->line_sum != si->score)
        strbuf_addf(msg, "explain: item %zu (doc %u): the breakdown sums to %d, the score is %d\n",
                    at, si->doc, it->line_sum, si->score);
    if (it->excluded_line && (si->nlines != 1 || si->score != 0))
        strbuf_addf(msg, "explain: item %zu (doc %u): excluded with %zu lines and score %d\n", at,
                    si->doc, si->nlines, si->score);
    if (it->excluded_line != score_excluded(model, si->status))
        strbuf_addf(msg, "explain: item %zu (doc %u) status %d: %s excluded line\n", at,
                    si->doc, si->status, it->excluded_line ? "an" : "no");
}

static unsigned walk_turn;

static int magnet_run(const char *qs, const struct query *ast, size_t limit, size_t offset,
                      uint32_t facets, int explain, struct answer *out, char **canonical,
                      struct strbuf *msg)
{
    struct screen_request req;
    struct screen_result res;
    struct error err = ERROR_INIT;
    uint32_t *docs = NULL;
    size_t n = 0, i;

    memset(out, 0, sizeof(*out));
    memset(&req, 0, sizeof(req));
    memset(&res, 0, sizeof(res));
    /* every other query ranks any set of more than one match by walking
     * the score buckets or the field's bands, the others as the default
     * size rule says (at this scale: a heap over every match) */
    index_set_walk_min(ix, (walk_turn++ & 1) ? 1 : INDEX_WALK_MIN);
    req.q = qs;
    req.limit = limit;
    req.offset = offset;
    req.facets = facets;
    req.explain = explain;
    if (screen_run(ix, &req, &res, &err) != 0) {
        strbuf_addf(msg, "screen_run failed: %s", err.msg);
        return -1;
    }
    out->total = res.total;
    out->items = xcalloc(res.nitems ? res.nitems : 1, sizeof(*out->items));
    for (i = 0; i < res.nitems; i++) {
        const struct screen_item *si = &res.items[i];
        struct ans_item *it = &out->items[i];
        it->doc = si->doc;
        snprintf(it->uscc, sizeof(it->uscc), "%s", si->uscc);
        it->score = si->score;
        snprintf(it->name, sizeof(it->name), "%s", si->name ? si->name : "");
        snprintf(it->region, sizeof(it->region), "%s", si->region);
        snprintf(it->industry, sizeof(it->industry), "%s", si->industry);
        snprintf(it->round, sizeof(it->round), "%s", si->round);
        it->capital = si->capital_cny;
        it->founded = si->founded;
        it->staff = si->staff;
        it->patents = si->patents;
        it->status = si->status;
        it->tags = si->tags;
        if (explain)
            read_explain(si, it, i + offset, msg);
        else if (si->lines || si->nlines)
            strbuf_addf(msg, "item %zu has a breakdown nobody asked for\n", i + offset);
    }
    out->nitems = res.nitems;
    if (res.facet_mask != facets)
        strbuf_addf(msg, "facets: asked for mask %#x, the result says %#x\n", facets,
                    res.facet_mask);
    if (facets) {
        int f;
        out->has_facets = 1;
        for (f = 0; f < FACET_COUNT_; f++) {
            const struct screen_facet_result *r = &res.facets[f];
            for (i = 0; i < r->n; i++) {
                flist_add(&out->facets[f], r->values[i].key, r->values[i].count);
                snprintf(out->facets[f].v[i].label, sizeof(out->facets[f].v[i].label), "%s",
                         r->values[i].label);
            }
        }
    }
    *canonical = xstrdup(res.canonical ? res.canonical : "");
    screen_result_release(&res);
    if (screen_match_docs(ix, ast, &docs, &n, &err) != 0) {
        strbuf_addf(msg, "screen_match_docs failed: %s", err.msg);
        return -1;
    }
    for (i = 0; i < n; i++) {
        out->sum += docs[i];
        out->sum2 += doc_hash(docs[i]);
        if (i && docs[i] <= docs[i - 1] && !strstr(msg->buf, "not sorted"))
            strbuf_addf(msg, "screen_match_docs: docs not sorted at %zu ", i);
    }
    if (n != out->total)
        strbuf_addf(msg, "screen_match_docs gives %zu docs, screen_run a total of %" PRIu64 " ",
                    n, out->total);
    free(docs);
    return 0;
}

/* ---- reporting a difference ---- */

static void show_row(struct strbuf *msg, const char *side, const struct ans_item *it)
{
    sqlite3_stmt *s = db_prepare("SELECT fname, capital_cny, founded_days, staff, patents, status,"
                                 " region, street, industry, tags, round, score_all"
                                 " FROM o JOIN ot ON ot.id = o.id WHERE o.id = ?");
    sqlite3_bind_int64(s, 1, it->doc);
    strbuf_addf(msg, "    %s doc %u uscc %s score %d", side, it->doc, it->uscc[0] ? it->uscc : "-",
                it->score);
    if (sqlite3_step(s) == SQLITE_ROW) {
        int c;
        strbuf_addstr(msg, " |");
        for (c = 0; c < 12; c++) {
            const unsigned char *t = sqlite3_column_text(s, c);
            strbuf_addf(msg, " %s", t ? (const char *)t : "NULL");
        }
    }
    strbuf_addch(msg, '\n');
    sqlite3_finalize(s);
}

/* The docs in one set and not the other, by listing both. */
static void show_set_difference(struct strbuf *msg, const struct query *ast)
{
    struct strbuf where = STRBUF_INIT, sql = STRBUF_INIT;
    struct error err = ERROR_INIT;
    uint32_t *docs = NULL, *odocs = NULL;
    size_t n = 0, on = 0, i = 0, j = 0, shown = 0;
    sqlite3_stmt *s;

    sql_where(&where, ast);
    strbuf_addf(&sql, "SELECT o.id FROM %s WHERE %s ORDER BY o.id", sql_from(ast), where.buf);
    s = db_prepare(sql.buf);
    while (sqlite3_step(s) == SQLITE_ROW) {
        odocs = xrealloc(odocs, (on + 1) * sizeof(*odocs));
        odocs[on++] = (uint32_t)sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    if (screen_match_docs(ix, ast, &docs, &n, &err) != 0)
        strbuf_addf(msg, "  screen_match_docs: %s\n", err.msg);
    while ((i < n || j < on) && shown < 8) {
        struct ans_item it;
        memset(&it, 0, sizeof(it));
        if (j >= on || (i < n && docs[i] < odocs[j])) {
            it.doc = docs[i++];
            show_row(msg, "only Magnet:", &it);
            shown++;
        } else if (i >= n || odocs[j] < docs[i]) {
            it.doc = odocs[j++];
            show_row(msg, "only oracle:", &it);
            shown++;
        } else {
            i++;
            j++;
        }
    }
    free(docs);
    free(odocs);
    strbuf_release(&where);
    strbuf_release(&sql);
}

/* ---- the test ---- */

struct run_stats {
    double oracle_ms, magnet_ms;
    uint64_t failed, nontrivial, empty, everything;
    uint64_t ties, no_uscc_items, unknown_key_items, gap_items;
    uint64_t facet_queries, explained_items, touched_items;
};

/* Note what the answer exercised beyond the query's own features: ties
 * broken by USCC, items without a USCC, unknown sort values, members of a
 * gap node. */
static void note_answer(const struct answer *a, struct featset *fs, struct run_stats *rs)
{
    size_t i;
    for (i = 0; i < a->nitems; i++) {
        const struct ans_item *it = &a->items[i], *prev = i ? &a->items[i - 1] : NULL;
        int tie = prev && it->key_known && prev->key_known && it->key == prev->key;
        if (tie && it->uscc[0] && prev->uscc[0]) {
            feat(fs, "result:tie-by-uscc");
            rs->ties++;
        }
        if (!it->uscc[0]) {
            feat(fs, "result:no-uscc");
            rs->no_uscc_items++;
            if (tie)
                feat(fs, "result:tie-by-id");
        }
        if (!it->key_known) {
            feat(fs, "result:unknown-sort-value");
            rs->unknown_key_items++;
        }
        if (it->doc < gap_member_n && gap_member[it->doc]) {
            feat(fs, "result:gap-member");
            rs->gap_items++;
        }
        if (it->doc < touched_n && touched[it->doc]) {
            feat(fs, "write:%s", touch_name[touched[it->doc]]);
            rs->touched_items++;
        }
    }
}

/* What differs between two items, "" when nothing. */
static void item_diff(const struct ans_item *m, const struct ans_item *o, struct strbuf *out)
{
    if (m->doc != o->doc)
        strbuf_addf(out, " doc %u/%u", m->doc, o->doc);
    if (strcmp(m->uscc, o->uscc))
        strbuf_addf(out, " uscc '%s'/'%s'", m->uscc, o->uscc);
    if (m->score != o->score)
        strbuf_addf(out, " score %d/%d", m->score, o->score);
    if (strcmp(m->name, o->name))
        strbuf_addf(out, " name '%s'/'%s'", m->name, o->name);
    if (strcmp(m->region, o->region))
        strbuf_addf(out, " region '%s'/'%s'", m->region, o->region);
    if (strcmp(m->industry, o->industry))
        strbuf_addf(out, " industry '%s'/'%s'", m->industry, o->industry);
    if (strcmp(m->round, o->round))
        strbuf_addf(out, " round '%s'/'%s'", m->round, o->round);
    if (m->capital != o->capital)
        strbuf_addf(out, " capital %" PRId64 "/%" PRId64, m->capital, o->capital);
    if (m->founded != o->founded)
        strbuf_addf(out, " founded %" PRId64 "/%" PRId64, m->founded, o->founded);
    if (m->staff != o->staff)
        strbuf_addf(out, " staff %" PRId64 "/%" PRId64, m->staff, o->staff);
    if (m->patents != o->patents)
        strbuf_addf(out, " patents %" PRId64 "/%" PRId64, m->patents, o->patents);
    if (m->status != o->status)
        strbuf_addf(out, " status %d/%d", m->status, o->status);
    if (m->tags != o->tags)
        strbuf_addf(out, " tags %u/%u", m->tags, o->tags);
}

static int answers_equal(const struct answer *m, const struct answer *o)
{
    struct strbuf d = STRBUF_INIT;
    size_t i;
    int eq = m->total == o->total && m->sum == o->sum && m->sum2 == o->sum2 &&
             m->nitems == o->nitems;
    for (i = 0; eq && i < m->nitems; i++) {
        item_diff(&m->items[i], &o->items[i], &d);
        eq = d.len == 0;
    }
    strbuf_release(&d);
    return eq;
}

static void report(uint64_t i, const char *qs, const char *canonical, const struct query *ast,
                   const struct gen_query *g, const char *sql, const struct answer *m,
                   const struct answer *o, const char *extra)
{
    struct strbuf msg = STRBUF_INIT;
    size_t k, n = m->nitems > o->nitems ? m->nitems : o->nitems;
    strbuf_addf(&msg, "\nMISMATCH query %" PRIu64 " of round %d (SCREEN_DIFF_SEED=%" PRIu64
                " SCREEN_DIFF_ONLY=%" PRIu64 ")\n  query:     %s\n  canonical: %s\n"
                "  limit %zu offset %zu\n  oracle SQL: %s\n",
                i, round_no, query_seed, i, qs, canonical, g->limit, g->offset, sql);
    while (extra && *extra) {
        const char *nl = strchr(extra, '\n');
        int len = nl ? (int)(nl - extra) : (int)strlen(extra);
        strbuf_addf(&msg, "  %.*s\n", len, extra);
        extra += len + (nl != NULL);
    }
    strbuf_addf(&msg, "  total: Magnet %" PRIu64 ", oracle %" PRIu64 "%s\n", m->total, o->total,
                m->sum != o->sum || m->sum2 != o->sum2 ? " (the matching sets differ)" : "");
    if (m->sum != o->sum || m->sum2 != o->sum2)
        show_set_difference(&msg, ast);
    for (k = 0; k < n && k < 40; k++) {
        struct strbuf d = STRBUF_INIT;
        if (k < m->nitems && k < o->nitems) {
            item_diff(&m->items[k], &o->items[k], &d);
            if (!d.len) {
                strbuf_release(&d);
                continue;
            }
        }
        strbuf_addf(&msg, "  item %zu differs (Magnet/oracle):%s\n", k + g->offset, d.buf);
        if (k < m->nitems)
            show_row(&msg, "Magnet:", &m->items[k]);
        if (k < o->nitems)
            show_row(&msg, "oracle:", &o->items[k]);
        strbuf_release(&d);
    }
    fputs(msg.buf, stdout);
    strbuf_release(&msg);
}

/* The label a facet value must carry: the reference tables' names. */
static const char *expected_label(int f, const char *key, char *buf, size_t size)
{
    static const char *const band_labels[][2] = {
        { "100000-", "10亿以上" },        { "10000-100000", "1亿-10亿" },
        { "5000-10000", "5000万-1亿" },   { "1000-5000", "1000万-5000万" },
        { "500-1000", "500万-1000万" },   { "100-500", "100万-500万" },
        { "0-100", "100万以下" },
    };
    const struct region *r;
    const struct industry *ind;
    const struct tax_node *nd;
    enum ent_status st;
    enum ent_tag tg;
    size_t i;

    switch (f) {
    case FACET_PROVINCE:
    case FACET_CITY:
    case FACET_COUNTY:
        r = region_find_code(key);
        return r ? r->full_name : NULL;
    case FACET_SECTION:
    case FACET_DIVISION:
        ind = industry_find_code(key);
        return ind ? ind->name : NULL;
    case FACET_TRACK:
        for (i = 0; i < tax->ntracks; i++)
            if (strcmp(tax->tracks[i].id, key) == 0)
                return tax->tracks[i].name;
        return NULL;
    case FACET_NODE:
        nd = taxonomy_node(tax, key);
        return nd ? nd->name : NULL;
    case FACET_STATUS:
        return value_status_from_name(key, &st) == 0 ? value_status_label(st) : NULL;
    case FACET_TAG:
        return value_tag_from_name(key, &tg) == 0 ? value_tag_label(tg) : NULL;
    case FACET_ROUND:
        value_round_label(key, buf, size);
        return buf;
    case FACET_YEAR:
        return key;
    default:
        for (i = 0; i < sizeof(band_labels) / sizeof(band_labels[0]); i++)
            if (strcmp(band_labels[i][0], key) == 0)
                return band_labels[i][1];
        return NULL;
    }
}

static void show_flist(struct strbuf *msg, const char *side, const struct flist *l, size_t from)
{
    size_t k;
    strbuf_addf(msg, "    %s (%zu values)%s", side, l->n, from ? " ..." : "");
    for (k = from; k < l->n && k < from + 12; k++)
        strbuf_addf(msg, " %s=%" PRId64, l->v[k].key, l->v[k].count);
    if (k < l->n)
        strbuf_addstr(msg, " ...");
    strbuf_addch(msg, '\n');
}

/* Every facet of Magnet against the oracle's GROUP BY: the same values
 * with the same counts, in the documented order, with their labels. */
static void compare_facets(const struct answer *m, const struct answer *o, struct strbuf *msg,
                           struct featset *fs)
{
    int f;
    for (f = 0; f < FACET_COUNT_; f++) {
        const struct flist *a = &m->facets[f], *b = &o->facets[f];
        const char *name = screen_facet_name((enum screen_facet)f);
        size_t k, bad = SIZE_MAX;
        for (k = 1; k < a->n; k++)
            if (cmp_fval(&a->v[k - 1], &a->v[k]) >= 0) {
                strbuf_addf(msg, "facet %s: values out of order at %zu (%s=%" PRId64
                            " before %s=%" PRId64 ")\n", name, k, a->v[k - 1].key,
                            a->v[k - 1].count, a->v[k].key, a->v[k].count);
                break;
            }
        for (k = 0; k < a->n || k < b->n; k++)
            if (k >= a->n || k >= b->n || strcmp(a->v[k].key, b->v[k].key) != 0 ||
                a->v[k].count != b->v[k].count) {
                bad = k;
                break;
            }
        if (bad != SIZE_MAX) {
            size_t from = bad > 3 ? bad - 3 : 0;
            strbuf_addf(msg, "facet %s differs at value %zu:\n", name, bad);
            show_flist(msg, "Magnet:", a, from);
            show_flist(msg, "oracle:", b, from);
        }
        for (k = 0; k < a->n; k++) {
            char buf[96];
            const char *want = expected_label(f, a->v[k].key, buf, sizeof(buf));
            if (!want || strcmp(want, a->v[k].label) != 0) {
                strbuf_addf(msg, "facet %s value %s: label '%s', expected '%s'\n", name,
                            a->v[k].key, a->v[k].label, want ? want : "(no such value)");
                break;
            }
        }
        if (b->n >= 2)
            feat(fs, "facet:%s", name);
    }
    if (o->total > (uint64_t)n_all / 2)
        feat(fs, "facet:big-result");
    if (o->total < (uint64_t)n_all / 20)
        feat(fs, "facet:small-result");
}

/* The breakdown of each explained item against the oracle: its lines
 * outside chain fit add up to the score without chain fit. */
static void check_explain(const struct answer *m, struct strbuf *msg, struct featset *fs)
{
    sqlite3_stmt *s = db_prepare(base_sql.buf);
    size_t k;
    for (k = 0; k < m->nitems; k++) {
        const struct ans_item *it = &m->items[k];
        int base = -1;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, it->doc);
        if (sqlite3_step(s) == SQLITE_ROW)
            base = sqlite3_column_int(s, 0);
        if (!it->explained)
            strbuf_addf(msg, "explain: item %zu (doc %u) has no breakdown\n", k, it->doc);
        else if (it->base_sum != base)
            strbuf_addf(msg, "explain: item %zu (doc %u): the lines outside chain fit sum to %d,"
                        " the oracle's score without chain fit is %d\n", k, it->doc,
                        it->base_sum, base);
        feat(fs, "explain:item");
        if (it->excluded_line)
            feat(fs, "explain:excluded");
        if (it->chain_points)
            feat(fs, "explain:chain");
        if (it->gap_points)
            feat(fs, "explain:gap");
    }
    sqlite3_finalize(s);
}

static uint64_t n_shown;   /* failing queries shown so far (all rounds) */

static void run_one(uint64_t i, struct gen_query *g, struct run_stats *rs)
{
    struct query_env env = { tax, TODAY };
    struct query *ast = NULL;
    struct error err = ERROR_INIT;
    struct answer m, o;
    struct strbuf sql = STRBUF_INIT, canon = STRBUF_INIT, msg = STRBUF_INIT;
    char *canonical = NULL;
    double t0, oracle_ms;
    size_t k;
    /* facets: every twentieth query of the first round, every fifth after the writes */
    int want_facets = i % (round_no == 1 ? 20 : 5) == 0, want_explain = i % 10 == 7;

    gen_query(i, g);
    if (query_parse(g->q.buf, &env, &ast, &err) != 0)
        fail_msg("query %" PRIu64 " '%s' does not parse: %s", i, g->q.buf, err.msg);
    query_format(ast, &canon);
    t0 = now_ms();
    oracle_run(ast, g->limit, g->offset, want_facets, &sql, &o);
    oracle_ms = now_ms() - t0;
    rs->oracle_ms += oracle_ms;
    t0 = now_ms();
    if (magnet_run(g->q.buf, ast, g->limit, g->offset, want_facets ? all_facets : 0, want_explain,
                   &m, &canonical, &msg) != 0) {
        if (n_shown++ < MAX_SHOWN)
            report(i, g->q.buf, canon.buf, ast, g, sql.buf, &m, &o, msg.buf);
        rs->failed++;
        goto out;
    }
    rs->magnet_ms += now_ms() - t0;
    if (strcmp(canonical, canon.buf) != 0)
        strbuf_addf(&msg, "canonical form: screen_run gives '%s', query_format '%s'\n", canonical,
                    canon.buf);
    if (want_facets) {
        compare_facets(&m, &o, &msg, &g->fs);
        rs->facet_queries++;
    }
    if (want_explain) {
        check_explain(&m, &msg, &g->fs);
        rs->explained_items += m.nitems;
    }
    if (verbose)
        printf("query %" PRIu64 ": %s  [limit %zu offset %zu] -> %" PRIu64 " (oracle %.1f ms)\n",
               i, g->q.buf, g->limit, g->offset, o.total, oracle_ms);
    if (!answers_equal(&m, &o) || msg.len) {
        if (n_shown++ < MAX_SHOWN)
            report(i, g->q.buf, canon.buf, ast, g, sql.buf, &m, &o, msg.buf);
        rs->failed++;
    }
    if (o.total == 0)
        rs->empty++;
    else if (o.total == (uint64_t)n_all)
        rs->everything++;
    else
        rs->nontrivial++;
    note_answer(&o, &g->fs, rs);
    credit(&g->fs, o.total);
    assert_int_equal(ast->nclauses, g->nterms);
    for (k = 0; k < g->nterms; k++) {
        uint64_t n = o.total;
        /* a term whose features still wait for a non-trivial answer: its
         * own clause's count decides (a conjunction of four is mostly empty) */
        if (!(n > 0 && n < (uint64_t)n_all) && !featset_done(&g->term[k]))
            n = clause_count(&ast->clauses[k]);
        credit(&g->term[k], n);
    }
out:
    answer_release(&m);
    answer_release(&o);
    free(canonical);
    query_free(ast);
    strbuf_release(&sql);
    strbuf_release(&canon);
    strbuf_release(&msg);
}

/* ---- the writes between the rounds ----
 *
 * Round 2 writes a CSV and imports it with the real importer: a few hundred
 * enterprises updated (capital, status, region and street, industry, name,
 * scope, tags, staff, patents, round, founding date; values set where they
 * were unknown; enterprises without a USCC matched by name and region, some
 * given a USCC) and a few hundred new ones (some without a USCC); the batch
 * is classified and the index catches up with index_refresh. Round 3
 * classifies everything again (the change log gets id ranges and an open
 * one, past the last id). Round 4 rewrites the classification of a range
 * of ids through the store and logs that range: the index reloads exactly
 * the range. The writes depend on the data seed only, never on the query
 * seed, so SCREEN_DIFF_ONLY replays a later round's query faithfully. */

static void mark_touched(int64_t id, enum touch_kind k)
{
    if (id < 0)
        return;
    if ((size_t)id >= touched_n) {
        size_t n = (size_t)id + 4096;
        touched = xrealloc(touched, n);
        memset(touched + touched_n, 0, n - touched_n);
        touched_n = n;
    }
    touched[id] = (uint8_t)k;
}

static enum touch_kind touched_at(int64_t id)
{
    return id >= 0 && (size_t)id < touched_n ? (enum touch_kind)touched[id] : TK_NONE;
}

enum wcol {
    W_NAME, W_USCC, W_CAPITAL, W_FOUNDED, W_STATUS, W_REGION, W_STREET, W_INDUSTRY, W_SCOPE,
    W_STAFF, W_PATENTS, W_INVENTION, W_TAGS, W_ROUND, W_FUNDING_DATE, W_COUNT
};
static const char *const wcol_header[W_COUNT] = {
    "企业名称", "统一社会信用代码", "注册资本", "成立日期", "登记状态", "行政区划代码", "所属街道",
    "国标行业", "经营范围", "参保人数", "专利数", "发明专利", "企业资质", "融资轮次", "融资日期",
};

static void csv_row(struct strbuf *out, struct strbuf *cells)
{
    int c;
    size_t i;
    for (c = 0; c < W_COUNT; c++) {
        if (c)
            strbuf_addch(out, ',');
        if (!cells[c].len)
            continue;
        strbuf_addch(out, '"');
        for (i = 0; i < cells[c].len; i++) {
            if (cells[c].buf[i] == '"')
                strbuf_addch(out, '"');
            strbuf_addch(out, cells[c].buf[i]);
        }
        strbuf_addch(out, '"');
    }
    strbuf_addstr(out, "\r\n");
}

/* Regions and industries to draw from. */
static const struct region **w_regions[4];   /* by level - 1 */
static size_t w_nregions[4];
static const struct region **home_streets;
static size_t n_home_streets;
static const struct industry **w_industries[4];
static size_t w_nindustries[4];

static void w_tables(void)
{
    size_t i;
    int l;
    if (w_nregions[0])
        return;
    for (l = 0; l < 4; l++) {
        w_regions[l] = xcalloc(region_count(), sizeof(*w_regions[l]));
        w_industries[l] = xcalloc(industry_count(), sizeof(*w_industries[l]));
    }
    home_streets = xcalloc(region_count(), sizeof(*home_streets));
    for (i = 0; i < region_count(); i++) {
        const struct region *r = region_at(i);
        l = r->level - 1;
        w_regions[l][w_nregions[l]++] = r;
        if (r->level == REGION_STREET && r->parent && strcmp(r->parent->code, HOME) == 0)
            home_streets[n_home_streets++] = r;
    }
    for (i = 0; i < industry_count(); i++) {
        const struct industry *ind = industry_at(i);
        l = ind->level - 1;
        w_industries[l][w_nindustries[l]++] = ind;
    }
}

static void w_tables_free(void)
{
    int l;
    for (l = 0; l < 4; l++) {
        free(w_regions[l]);
        free(w_industries[l]);
    }
    free(home_streets);
}

/* The region of a row: the home district often (it moves the gap nodes),
 * else a county, a city or a province; a street of home now and then. */
static void w_region(struct strbuf *region, struct strbuf *street)
{
    int k = (int)rnd_below(100);
    const struct region *r;
    if (k < 35) {
        strbuf_addstr(region, HOME);
        if (n_home_streets && chance(50))
            strbuf_addstr(street, home_streets[rnd_below(n_home_streets)]->code);
        return;
    }
    r = k < 70 ? w_regions[2][rnd_below(w_nregions[2])]
        : k < 85 ? w_regions[1][rnd_below(w_nregions[1])]
                 : w_regions[0][rnd_below(w_nregions[0])];
    strbuf_addstr(region, r->code);
}

static void w_industry(struct strbuf *out)
{
    int k = (int)rnd_below(100), l = k < 70 ? 3 : k < 90 ? 1 : 2;
    strbuf_addstr(out, w_industries[l][rnd_below(w_nindustries[l])]->code);
}

static void w_capital(struct strbuf *out)
{
    switch (rnd_below(9)) {
    case 0: strbuf_addf(out, "%zu万元", 1 + rnd_below(20000)); break;
    case 1: strbuf_addf(out, "%zu万美元", 1 + rnd_below(5000)); break;
    case 2: strbuf_addf(out, "%zu.%02zu万港元", rnd_below(3000), rnd_below(100)); break;
    case 3: strbuf_addf(out, "%zu亿", 1 + rnd_below(20)); break;
    case 4: strbuf_addf(out, "%zu元", 1000 + rnd_below(999000)); break;
    case 5: strbuf_addf(out, "人民币%zu万元", 100 + rnd_below(900)); break;
    case 6: strbuf_addf(out, "%zu万欧元", 10 + rnd_below(990)); break;
    case 7: strbuf_addf(out, "%zu,%03zu万元", 1 + rnd_below(30), rnd_below(1000)); break;
    default: strbuf_addf(out, "%zu万", 10 * (1 + rnd_below(100))); break;
    }
}

/* A date between first and today (days), in one of the accepted forms. */
static void w_date(struct strbuf *out, int first)
{
    char d[11];
    int day = first + (int)rnd_below((size_t)(today_days - first + 1));
    gen_date_format(day, d);
    if (chance(25))
        strbuf_addf(out, "%d年%d月%d日", (int)strtol(d, NULL, 10), (int)strtol(d + 5, NULL, 10),
                    (int)strtol(d + 8, NULL, 10));
    else
        strbuf_addstr(out, d);
}

static void w_status(struct strbuf *out)
{
    static const char *const extra[] = { "吊销，未注销", "在业", "存续（在营、开业、在册）", "撤销" };
    if (chance(20))
        strbuf_addstr(out, extra[rnd_below(4)]);
    else
        strbuf_addstr(out, value_status_label((enum ent_status)(1 + rnd_below(7))));
}

static void w_tags(struct strbuf *out)
{
    size_t n = 1 + rnd_below(3), k;
    for (k = 0; k < n; k++) {
        if (k)
            strbuf_addstr(out, "、");
        strbuf_addstr(out, value_tag_label((enum ent_tag)rnd_below(TAG_COUNT)));
        if (chance(30))
            strbuf_addf(out, "(%zu)", 2015 + rnd_below(10));
    }
}

/* Rounds the first import has and some it has not (new interned values). */
static void w_round(struct strbuf *round, struct strbuf *date)
{
    static const char *const labels[] = { "天使轮", "Pre-A轮", "A轮", "B+轮", "C轮", "战略融资",
                                          "IPO", "种子轮", "债权融资", "股权转让", "定向增发",
                                          "并购", "Pre-IPO", "E轮" };
    strbuf_addstr(round, labels[rnd_below(sizeof(labels) / sizeof(labels[0]))]);
    if (chance(80))
        w_date(date, (int)today_days - 3650);
}

/* A name nobody has: words, ASCII and full-width among them, and a serial. */
static void w_name(struct strbuf *out, size_t serial)
{
    static const char *const pre[] = { "杭州", "浙江", "西湖", "北京", "深圳", "", "" };
    static const char *const core[] = { "星河", "数智", "云帆", "芯源", "蓝海", "极光", "量子", "AI",
                                        "IoT", "ＡＢＣ", "Nova", "5G", "智造", "生物" };
    static const char *const suf[] = { "科技有限公司", "信息技术有限公司", "智能装备有限公司",
                                       "生物医药有限公司", "（杭州）半导体有限公司", "软件股份有限公司" };
    strbuf_addstr(out, pre[rnd_below(sizeof(pre) / sizeof(pre[0]))]);
    strbuf_addstr(out, core[rnd_below(sizeof(core) / sizeof(core[0]))]);
    strbuf_addstr(out, core[rnd_below(sizeof(core) / sizeof(core[0]))]);
    strbuf_addstr(out, suf[rnd_below(sizeof(suf) / sizeof(suf[0]))]);
    strbuf_addf(out, "%zu号", serial);
}

/* A scope: another enterprise's (so the classifier places it), now and then
 * with a phrase that names a chain. */
static void w_scope(struct strbuf *out)
{
    static const char *const more[] = { "AI芯片研发", "5G通信设备销售", "IoT平台开发",
                                        "新能源汽车零部件制造", "生物医药研发", "工业机器人制造",
                                        "集成电路设计", "Software development" };
    const struct sample *sp = &samples[rnd_below(n_samples)];
    if (sp->scope && *sp->scope)
        strbuf_addstr(out, sp->scope);
    if (!out->len || chance(50)) {
        if (out->len)
            strbuf_addstr(out, "；");
        strbuf_addstr(out, more[rnd_below(sizeof(more) / sizeof(more[0]))]);
    }
}

/* A USCC nobody has: 91, the region padded to 6 digits, a letter pair and
 * a serial, the check character. */
static void w_uscc(char out[19], const char *region, char letter, size_t serial)
{
    char first[24];
    size_t i;
    snprintf(first, sizeof(first), "91%-6.6sM%c%07zu", region, letter, serial % 10000000);
    for (i = 2; i < 8; i++)
        if (first[i] == ' ')
            first[i] = '0';
    memcpy(out, first, 17);
    out[17] = uscc_check_char(first);
    out[18] = 0;
}

/* The fields an update target had unknown (bit per enum wcol). */
struct target {
    int64_t id;
    enum touch_kind kind;
    char uscc[19];
    char *name;
    char region[10];
    unsigned unknown, set;
    int64_t staff;
};

static void target_add(struct target **t, size_t *n, int64_t id, enum touch_kind kind)
{
    static size_t alloc;
    static const int cols[] = { W_CAPITAL, W_FOUNDED, W_STATUS, W_REGION, W_INDUSTRY, W_SCOPE,
                                W_STAFF, W_PATENTS, W_ROUND, W_TAGS };
    sqlite3_stmt *s = db_prepare("SELECT coalesce(uscc, ''), name, coalesce(region, ''),"
                                 " capital IS NULL, founded IS NULL, coalesce(status, 0) = 0,"
                                 " region IS NULL, industry IS NULL, scope IS NULL,"
                                 " staff IS NULL, patents IS NULL, round IS NULL,"
                                 " coalesce(tags, 0) = 0, staff FROM ent WHERE id = ?1");
    struct target *p;
    size_t c;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW)
        fail_msg("write: enterprise %" PRId64 " is not in the store", id);
    if (!*t)
        alloc = 0;
    ALLOC_GROW(*t, *n + 1, alloc);
    p = &(*t)[(*n)++];
    memset(p, 0, sizeof(*p));
    p->id = id;
    p->kind = kind;
    col_copy(s, 0, p->uscc, sizeof(p->uscc));
    p->name = col_dup(s, 1);
    col_copy(s, 2, p->region, sizeof(p->region));
    for (c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
        if (sqlite3_column_int(s, 3 + (int)c))
            p->unknown |= 1u << cols[c];
    p->staff = col_int(s, 13);
    sqlite3_finalize(s);
    mark_touched(id, kind);
}

static int64_t *ids_of(const char *sql, size_t *n)
{
    sqlite3_stmt *s = db_prepare(sql);
    int64_t *ids = NULL;
    size_t alloc = 0;
    *n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        ALLOC_GROW(ids, *n + 1, alloc);
        ids[(*n)++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return ids;
}

/* Fill the cells of an update row for target t. */
static void update_row(struct target *t, struct strbuf *cells, size_t serial)
{
    int by_name = t->kind == TK_UPDATED_NAME || t->kind == TK_GIVEN_USCC;
#define MAYBE(col, percent) (((t->unknown >> (col)) & 1) ? chance(85) : chance(percent))
    if (by_name) {
        /* matched by name and region: both as stored */
        strbuf_addstr(&cells[W_NAME], t->name);
        strbuf_addstr(&cells[W_REGION], t->region);
        if (t->kind == TK_GIVEN_USCC) {
            w_uscc(t->uscc, t->region, 'D', serial);
            strbuf_addstr(&cells[W_USCC], t->uscc);
        }
    } else {
        strbuf_addstr(&cells[W_USCC], chance(10) ? "" : t->uscc);
        if (!cells[W_USCC].len) {
            /* lower case and spaced: the importer normalises it */
            size_t i;
            for (i = 0; i < 18; i++)
                strbuf_addch(&cells[W_USCC], t->uscc[i] >= 'A' && t->uscc[i] <= 'Z'
                                                 ? (char)(t->uscc[i] - 'A' + 'a') : t->uscc[i]);
            strbuf_addch(&cells[W_USCC], ' ');
        }
        if (chance(40))
            w_name(&cells[W_NAME], serial);
        if (MAYBE(W_REGION, 25))
            w_region(&cells[W_REGION], &cells[W_STREET]);
    }
    if (MAYBE(W_CAPITAL, 40))
        w_capital(&cells[W_CAPITAL]);
    if (MAYBE(W_FOUNDED, 25))
        w_date(&cells[W_FOUNDED], chance(10) ? -3000 : 5479 /* 1985 */);
    if (MAYBE(W_STATUS, 30))
        w_status(&cells[W_STATUS]);
    if (MAYBE(W_INDUSTRY, 25))
        w_industry(&cells[W_INDUSTRY]);
    if (MAYBE(W_SCOPE, 30))
        w_scope(&cells[W_SCOPE]);
    if (MAYBE(W_TAGS, 25))
        w_tags(&cells[W_TAGS]);
    if (MAYBE(W_ROUND, 20))
        w_round(&cells[W_ROUND], &cells[W_FUNDING_DATE]);
    if (MAYBE(W_PATENTS, 30)) {
        size_t p = rnd_below(4) ? rnd_below(20) : rnd_below(400);
        strbuf_addf(&cells[W_PATENTS], "%zu", p);
        if (chance(50))
            strbuf_addf(&cells[W_INVENTION], "%zu", rnd_below(p + 1));
    }
    /* staff always, and always different: every row changes something */
    if (t->staff >= 0)
        strbuf_addf(&cells[W_STAFF], "%" PRId64 "%s", t->staff + 1 + (int64_t)rnd_below(100),
                    chance(20) ? "人" : "");
    else
        strbuf_addf(&cells[W_STAFF], "%zu", rnd_below(4) ? rnd_below(300) : rnd_below(5000));
#undef MAYBE
    {
        int c;
        for (c = 0; c < W_COUNT; c++)
            if (cells[c].len)
                t->set |= 1u << c;
    }
}

static void new_row(struct strbuf *cells, size_t serial, int with_uscc)
{
    w_name(&cells[W_NAME], serial);
    w_region(&cells[W_REGION], &cells[W_STREET]);
    if (with_uscc) {
        char u[19];
        w_uscc(u, cells[W_REGION].buf, 'C', serial);
        strbuf_addstr(&cells[W_USCC], u);
    }
    if (chance(80))
        w_capital(&cells[W_CAPITAL]);
    if (chance(80))
        w_date(&cells[W_FOUNDED], 5479);
    if (chance(70))
        w_status(&cells[W_STATUS]);
    if (chance(80))
        w_industry(&cells[W_INDUSTRY]);
    if (chance(80))
        w_scope(&cells[W_SCOPE]);
    if (chance(60))
        strbuf_addf(&cells[W_STAFF], "%zu", rnd_below(500));
    if (chance(50))
        strbuf_addf(&cells[W_PATENTS], "%zu", rnd_below(50));
    if (chance(25))
        w_tags(&cells[W_TAGS]);
    if (chance(25))
        w_round(&cells[W_ROUND], &cells[W_FUNDING_DATE]);
}

/* The writes are done: check the index against the store and make the
 * oracle and the samples the queries draw from current. */
static void after_writes(const char *what, int64_t reloaded, double t0)
{
    struct strbuf sql = STRBUF_INIT;
    size_t i;
    int64_t seq;

    load_oracle();
    db_exec("DELETE FROM tch");
    db_exec("BEGIN");
    for (i = 0; i < touched_n; i++)
        if (touched[i]) {
            strbuf_reset(&sql);
            strbuf_addf(&sql, "INSERT INTO tch VALUES (%zu, %d)", i, touched[i]);
            db_exec(sql.buf);
        }
    db_exec("COMMIT");
    free_samples();
    load_samples();
    seq = db_int("SELECT coalesce(max(seq), 0) FROM change_log");
    printf("screen-diff: %s: index_refresh reloaded %" PRId64 "; %" PRId64 " enterprises,"
           " %zu gap nodes, change log at %" PRId64 " (%.0f ms)\n",
           what, reloaded, n_all, n_gap_nodes, seq, now_ms() - t0);
    assert_int_equal(index_count(ix), (uint64_t)n_all);
    assert_int_equal(index_seq(ix), seq);
    strbuf_release(&sql);
}

static struct store *open_store(void)
{
    struct store *st = NULL;
    struct error err = ERROR_INIT;
    if (store_open(dbpath, STORE_OPEN_EXISTING, &st, &err) != 0)
        fail_msg("store: %s", err.msg);
    return st;
}

static int64_t refresh_and_validate(struct store *st)
{
    struct error err = ERROR_INIT;
    double t0 = now_ms(), t1;
    int64_t n = index_refresh(ix, st, &err);
    if (n < 0)
        fail_msg("index_refresh: %s", err.msg);
    t1 = now_ms();
    if (index_validate(ix, &err) != 0)
        fail_msg("index_validate after index_refresh: %s", err.msg);
    printf("screen-diff: index_refresh %.0f ms, index_validate %.0f ms\n", t1 - t0,
           now_ms() - t1);
    /* nothing new: nothing to do */
    assert_int_equal(index_refresh(ix, st, &err), 0);
    return n;
}

/* Round 2: the update batch through the importer, classified, refreshed. */
static void write_batch(void)
{
    static const char *const known_sql[W_COUNT] = {
        [W_CAPITAL] = "capital IS NOT NULL", [W_FOUNDED] = "founded IS NOT NULL",
        [W_STATUS] = "coalesce(status, 0) <> 0", [W_REGION] = "region IS NOT NULL",
        [W_INDUSTRY] = "industry IS NOT NULL", [W_SCOPE] = "scope IS NOT NULL",
        [W_STAFF] = "staff IS NOT NULL", [W_PATENTS] = "patents IS NOT NULL",
        [W_ROUND] = "round IS NOT NULL", [W_TAGS] = "coalesce(tags, 0) <> 0",
    };
    size_t n_upd = n_count / 50 < 80 ? 80 : n_count / 50 > 2000 ? 2000 : (size_t)(n_count / 50);
    size_t n_new = n_upd * 3 / 4, n_new_no_uscc = 0, nt = 0, i, n, spaced, tries;
    struct target *t = NULL;
    struct strbuf cells[W_COUNT], csv = STRBUF_INIT, sql = STRBUF_INIT;
    struct store *st;
    struct import_options io = { 0 };
    struct import_result res;
    struct classifier *cl = NULL;
    struct classify_run_options co = { 0 };
    struct classify_run_stats cs;
    struct error err = ERROR_INIT;
    size_t became_known[W_COUNT] = { 0 }, wanted_known[W_COUNT] = { 0 };
    int64_t *ids, max_id = db_int("SELECT max(id) FROM ent"), reloaded;
    double t0 = now_ms(), t1;
    FILE *f;
    int c;

    rnd_seed(data_seed ^ 0xB47C4ULL, 2);
    w_tables();
    /* the edge cases with a USCC (most unknowns are there) */
    strbuf_addf(&sql, "SELECT id FROM ent WHERE id > %" PRId64 " AND uscc IS NOT NULL ORDER BY id",
                edge_lo);
    ids = ids_of(sql.buf, &n);
    for (i = 0; i < n && nt < n_upd / 2; i++)
        target_add(&t, &nt, ids[i], TK_UPDATED);
    free(ids);
    /* without a USCC, unique by name and region: updated by name, or given a USCC */
    ids = ids_of("SELECT id FROM ent e WHERE uscc IS NULL AND region IS NOT NULL AND"
                 " (SELECT count(*) FROM ent x WHERE x.name_hash = e.name_hash"
                 " AND x.name_key = e.name_key AND x.region = e.region) = 1 ORDER BY id", &n);
    for (i = 0; i < n; i++)
        target_add(&t, &nt, ids[i], i % 2 ? TK_GIVEN_USCC : TK_UPDATED_NAME);
    free(ids);
    /* generated enterprises with something unknown, spread over the ids */
    strbuf_reset(&sql);
    strbuf_addf(&sql, "SELECT id FROM ent WHERE id <= %" PRId64 " AND uscc IS NOT NULL AND"
                " (capital IS NULL OR founded IS NULL OR coalesce(status, 0) = 0 OR region IS NULL"
                " OR industry IS NULL OR staff IS NULL OR patents IS NULL OR round IS NULL)"
                " ORDER BY id", edge_lo);
    ids = ids_of(sql.buf, &n);
    spaced = n / (n_upd / 4) + 1;
    for (i = 0; i < n && nt < n_upd * 3 / 4; i += spaced)
        if (touched_at(ids[i]) == TK_NONE)
            target_add(&t, &nt, ids[i], TK_UPDATED);
    free(ids);
    /* and any others */
    for (tries = 0; nt < n_upd && tries < 100 * n_upd; tries++) {
        int64_t id = 1 + (int64_t)rnd_below((size_t)edge_lo);
        strbuf_reset(&sql);
        strbuf_addf(&sql, "SELECT count(*) FROM ent WHERE id = %" PRId64 " AND uscc IS NOT NULL",
                    id);
        if (touched_at(id) == TK_NONE && db_int(sql.buf))
            target_add(&t, &nt, id, TK_UPDATED);
    }
    n_upd = nt;

    for (c = 0; c < W_COUNT; c++)
        strbuf_init(&cells[c], 64);
    strbuf_addstr(&csv, "\xEF\xBB\xBF");   /* a BOM, as Excel writes */
    for (c = 0; c < W_COUNT; c++)
        strbuf_addf(&csv, "%s%s", c ? "," : "", wcol_header[c]);
    strbuf_addstr(&csv, "\r\n");
    for (i = 0; i < nt + n_new; i++) {
        for (c = 0; c < W_COUNT; c++)
            strbuf_reset(&cells[c]);
        if (i < nt) {
            update_row(&t[i], cells, i);
        } else {
            int with_uscc = !chance(30);
            new_row(cells, i, with_uscc);
            n_new_no_uscc += !with_uscc;
        }
        csv_row(&csv, cells);
    }
    f = fopen(csvpath, "wb");
    if (!f || fwrite(csv.buf, 1, csv.len, f) != csv.len || fclose(f) != 0)
        fail_msg("cannot write %s", csvpath);

    st = open_store();
    io.today = TODAY;
    memset(&res, 0, sizeof(res));
    t1 = now_ms();
    if (import_file(st, csvpath, &io, &res, &err) != 0)
        fail_msg("import of the update batch: %s (%zu errors; first: row %zu %s: %s)", err.msg,
                 res.nerrors, res.errors_kept ? res.errors[0].row : 0,
                 res.errors_kept ? res.errors[0].column : "-",
                 res.errors_kept ? res.errors[0].message : "-");
    printf("screen-diff: update batch %" PRId64 ": %zu rows, %zu updated, %zu inserted (%zu"
           " without USCC), %zu unchanged, %zu warnings; written in %.0f ms, imported in %.0f ms\n",
           res.batch, (size_t)res.counts.rows, (size_t)res.counts.updated,
           (size_t)res.counts.inserted, n_new_no_uscc, (size_t)res.counts.unchanged,
           res.nwarnings, t1 - t0, now_ms() - t1);
    assert_int_equal(res.counts.updated, n_upd);
    assert_int_equal(res.counts.inserted, n_new);
    co.batch = res.batch;
    co.threads = 2;
    if (classifier_new(tax, &cl, &err) != 0 || classify_run(st, cl, &co, &cs, &err) != 0)
        fail_msg("classify the update batch: %s", err.msg);
    classifier_free(cl);
    assert_int_equal(cs.enterprises, n_upd + n_new);
    reloaded = refresh_and_validate(st);
    assert_int_equal(reloaded, (int64_t)(n_upd + n_new));
    store_close(st);
    import_result_release(&res);

    /* what the batch did: the new enterprises, the unknown values now known,
     * the codes given */
    strbuf_reset(&sql);
    strbuf_addf(&sql, "SELECT id, uscc IS NULL FROM ent WHERE id > %" PRId64 " ORDER BY id", max_id);
    {
        sqlite3_stmt *s = db_prepare(sql.buf);
        while (sqlite3_step(s) == SQLITE_ROW)
            mark_touched(sqlite3_column_int64(s, 0),
                         sqlite3_column_int(s, 1) ? TK_NEW_NO_USCC : TK_NEW);
        sqlite3_finalize(s);
    }
    strbuf_reset(&sql);
    strbuf_addf(&sql, "SELECT count(*) FROM ent WHERE id > %" PRId64 " AND uscc IS NULL", max_id);
    assert_int_equal(db_int(sql.buf), n_new_no_uscc);
    for (i = 0; i < nt; i++) {
        for (c = 0; c < W_COUNT; c++) {
            if (!known_sql[c] || !((t[i].unknown & t[i].set) >> c & 1))
                continue;
            strbuf_reset(&sql);
            strbuf_addf(&sql, "SELECT %s FROM ent WHERE id = %" PRId64, known_sql[c], t[i].id);
            wanted_known[c]++;
            became_known[c] += db_int(sql.buf) != 0;
        }
        if (t[i].kind == TK_GIVEN_USCC) {
            strbuf_reset(&sql);
            strbuf_addf(&sql, "SELECT count(*) FROM ent WHERE id = %" PRId64 " AND uscc = '%s'",
                        t[i].id, t[i].uscc);
            if (db_int(sql.buf) != 1)
                fail_msg("the batch did not give enterprise %" PRId64 " the USCC %s", t[i].id,
                         t[i].uscc);
        }
        free(t[i].name);
    }
    strbuf_reset(&sql);
    for (c = 0; c < W_COUNT; c++) {
        if (!known_sql[c])
            continue;
        strbuf_addf(&sql, " %s %zu/%zu", wcol_header[c], became_known[c], wanted_known[c]);
        if (became_known[c] != wanted_known[c] || !wanted_known[c])
            fail_msg("the update batch set %zu of %zu unknown values of %s", became_known[c],
                     wanted_known[c], wcol_header[c]);
    }
    printf("screen-diff: unknown values set:%s\n", sql.buf);
    free(t);
    for (c = 0; c < W_COUNT; c++)
        strbuf_release(&cells[c]);
    strbuf_release(&csv);
    strbuf_release(&sql);
    after_writes("after the update batch", reloaded, t0);
}

/* Round 3: everything classified again. The log gets a range per chunk and
 * an open range past the last id, so the refresh counts every id up to
 * 2^32 - 2 and takes its rebuild path. */
static void classify_everything(void)
{
    struct store *st = open_store();
    struct classifier *cl = NULL;
    struct classify_run_options co = { 0 };
    struct classify_run_stats cs;
    struct error err = ERROR_INIT;
    double t0 = now_ms();
    int64_t reloaded;

    co.threads = 2;
    if (classifier_new(tax, &cl, &err) != 0 || classify_run(st, cl, &co, &cs, &err) != 0)
        fail_msg("classify everything: %s", err.msg);
    classifier_free(cl);
    assert_int_equal(cs.enterprises, n_all);
    reloaded = refresh_and_validate(st);
    store_close(st);
    after_writes("after classify_run over everything", reloaded, t0);
}

/* Round 4: the classification of the ids in (lo, hi] rewritten through the
 * store - one in three left in no node, the others put in one to three
 * nodes, gap nodes half the time - and logged as that range only. hi lies
 * past the last id: ids that do not exist are in the range too. */
static void reclassify_range(void)
{
    struct store *st = open_store();
    struct error err = ERROR_INIT;
    int64_t max_id = db_int("SELECT max(id) FROM ent"), lo = edge_lo > 300 ? edge_lo - 300 : 0;
    int64_t hi = max_id + 64, reloaded, *ids;
    size_t n, i;
    double t0 = now_ms();
    struct strbuf sql = STRBUF_INIT;

    rnd_seed(data_seed ^ 0xB47C4ULL, 4);
    strbuf_addf(&sql, "SELECT id FROM ent WHERE id > %" PRId64 " AND id <= %" PRId64 " ORDER BY id",
                lo, hi);
    ids = ids_of(sql.buf, &n);
    if (store_begin(st, &err) != 0 || store_chain_clear_range(st, lo, hi, &err) != 0)
        fail_msg("reclassify: %s", err.msg);
    for (i = 0; i < n; i++) {
        struct chain_node_row rows[3];
        const struct tax_node *chosen[3];
        size_t k = 0, want = (size_t)(ids[i] % 3), j;
        if (want == 2)
            want += rnd_below(2);
        while (k < want) {
            const struct tax_node *nd = n_gap_nodes && chance(50)
                                            ? gap_nodes[rnd_below(n_gap_nodes)]
                                            : &tax->nodes[rnd_below(tax->nnodes)];
            for (j = 0; j < k && chosen[j] != nd; j++)
                ;
            if (j < k)
                continue;
            chosen[k] = nd;
            rows[k] = (struct chain_node_row){ nd->full_id, 1.0, 1.0, "{}", 2 };
            k++;
        }
        if (store_chain_replace(st, ids[i], taxonomy_id, rows, k, 1, &err) != 0)
            fail_msg("reclassify %" PRId64 ": %s", ids[i], err.msg);
        mark_touched(ids[i], TK_RECLASSIFIED);
    }
    if (store_change_log(st, 0, lo, hi, &err) != 0 || store_commit(st, &err) != 0)
        fail_msg("reclassify: %s", err.msg);
    reloaded = refresh_and_validate(st);
    /* every existing id of the range; the ones past the last are counted
     * only as far as the index's columns reach (after a rebuild: not at all) */
    if (reloaded < (int64_t)n || reloaded > hi - lo)
        fail_msg("reclassify: index_refresh reloaded %" PRId64 ", not %zu to %" PRId64, reloaded,
                 n, hi - lo);
    store_close(st);
    free(ids);
    strbuf_release(&sql);
    after_writes("after a range of classifications rewritten", reloaded, t0);
}

/* The features every run must have exercised non-trivially in its first
 * round; what is missing goes to missing. */
static void check_coverage(struct strbuf *missing_out)
{
    static const char *const fixed[] = {
        "region:level1", "region:level2", "region:level3", "region:level4", "region:name",
        "industry:level1", "industry:level2", "industry:level3", "industry:level4",
        "industry:letter-form", "industry:name",
        "track:id", "track:name", "node:id", "node:name",
        "round:code", "round:label", "uscc:lower-case",
        "founded:year", "founded:month", "founded:day",
        "capital:decimals", "capital:yi", "capital:thousands",
        "sort:none", "offset", "alias", "fullwidth-colon",
        "result:tie-by-uscc", "result:no-uscc", "result:unknown-sort-value",
        "result:gap-member",
    };
    static const char *const text_kinds[] = { "1char", "2char", "long", "ascii", "mixed",
                                              "quoted", "case-folded", "fullwidth-input" };
    static const char *const range_ops[] = { ">=", ">", "<=", "<", ":=", ":a..b", ":a..", ":..b" };
    struct strbuf missing = STRBUF_INIT, name = STRBUF_INIT;
    size_t i, j;
    int f;

#define REQUIRE(...)                                                                              \
    do {                                                                                          \
        size_t id_;                                                                               \
        strbuf_reset(&name);                                                                      \
        strbuf_addf(&name, __VA_ARGS__);                                                          \
        id_ = feature_id(name.buf);                                                               \
        if (!features[id_].nontrivial)                                                            \
            strbuf_addf(&missing, " %s(%" PRIu64 " generated)", name.buf, features[id_].generated); \
    } while (0)

    for (f = 0; f < QF_COUNT; f++) {
        const char *fname = f == QF_TEXT ? "text" : field_word[f];
        REQUIRE("%s", fname);
        REQUIRE("-%s", fname);
        REQUIRE("%s|", fname);
    }
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        REQUIRE("%s", fixed[i]);
    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        REQUIRE("status:%s", statuses[i].canon);
    for (i = 0; i < sizeof(tag_words) / sizeof(tag_words[0]); i++)
        REQUIRE("tag:%s", tag_words[i].canon);
    for (i = 0; i < 3; i++)
        for (j = 0; j < sizeof(text_kinds) / sizeof(text_kinds[0]); j++)
            REQUIRE("%s:%s", i == 0 ? "text" : i == 1 ? "name" : "scope", text_kinds[j]);
    for (f = QF_CAPITAL; f <= QF_PATENTS; f++)
        for (j = 0; j < sizeof(range_ops) / sizeof(range_ops[0]); j++)
            REQUIRE("%s%s", field_word[f], range_ops[j]);
    for (i = 0; i < 5; i++) {
        REQUIRE("sort:%s", sort_keys[i]);
        REQUIRE("sort:%s-asc", sort_keys[i]);
    }
#undef REQUIRE
    strbuf_add(missing_out, missing.buf, missing.len);
    strbuf_release(&missing);
    strbuf_release(&name);
}

/* What the rounds after the writes, the facets and explain must have met
 * (over all rounds): every facet compared with two values or more, on big
 * and small results; explained items, excluded ones and ones with chain
 * points; every kind of enterprise the writes touched in some page. */
static void check_coverage_after(struct strbuf *missing)
{
    static const char *const fixed[] = {
        "facet:big-result", "facet:small-result", "explain:item", "explain:excluded",
        "explain:chain", "explain:gap",
    };
    char name[64];
    size_t i;
    for (i = 0; i < FACET_COUNT_ + sizeof(fixed) / sizeof(fixed[0]) + TK_COUNT_ - 1; i++) {
        size_t id;
        if (i < FACET_COUNT_)
            snprintf(name, sizeof(name), "facet:%s", screen_facet_name((enum screen_facet)i));
        else if (i < FACET_COUNT_ + sizeof(fixed) / sizeof(fixed[0]))
            snprintf(name, sizeof(name), "%s", fixed[i - FACET_COUNT_]);
        else
            snprintf(name, sizeof(name), "write:%s",
                     touch_name[i - FACET_COUNT_ - sizeof(fixed) / sizeof(fixed[0]) + 1]);
        id = feature_id(name);
        if (!features[id].nontrivial)
            strbuf_addf(missing, " %s(%" PRIu64 " generated)", name, features[id].generated);
    }
}

/* One round of queries: numbers first .. first + count - 1. */
static uint64_t run_round(const char *what, uint64_t first, uint64_t count, struct gen_query *g)
{
    struct run_stats rs;
    uint64_t i, ran = 0;
    double t0 = now_ms();

    memset(&rs, 0, sizeof(rs));
    for (i = first; i < first + count; i++) {
        if (only_query >= 0 && i != (uint64_t)only_query)
            continue;
        run_one(i, g, &rs);
        ran++;
    }
    printf("screen-diff: %s: %" PRIu64 " queries in %.0f ms (oracle %.0f ms, Magnet %.1f ms):"
           " %" PRIu64 " with some matches, %" PRIu64 " with none, %" PRIu64 " with all;"
           " %" PRIu64 " ties by USCC, %" PRIu64 " items without USCC, %" PRIu64
           " with an unknown sort value; %" PRIu64 " with facets, %" PRIu64 " items explained,"
           " %" PRIu64 " items the writes touched%s\n",
           what, ran, now_ms() - t0, rs.oracle_ms, rs.magnet_ms, rs.nontrivial, rs.empty,
           rs.everything, rs.ties, rs.no_uscc_items, rs.unknown_key_items, rs.facet_queries,
           rs.explained_items, rs.touched_items, rs.failed ? "; FAILED" : "");
    return rs.failed;
}

static void test_differential(void **state)
{
    struct gen_query g;
    struct strbuf missing = STRBUF_INIT;
    uint64_t failed = 0, first = 0, ran_after = 0;
    double t0 = now_ms();
    size_t k;
    (void)state;

    memset(&g, 0, sizeof(g));
    strbuf_init(&g.q, 256);
    /* the data must hold what the queries are meant to meet */
    assert_true(db_int("SELECT count(*) FROM o WHERE region = '" HOME "'") >= 10);
    assert_true(db_int("SELECT count(*) FROM o WHERE uscc IS NULL") > 0);
    assert_true(db_int("SELECT count(*) FROM o WHERE capital_cny IS NULL") > 0);
    assert_true(db_int("SELECT count(DISTINCT score_all) FROM o") > 20);
    assert_true(n_gap_nodes > 0);
    assert_true(db_int("SELECT count(*) FROM o WHERE EXISTS (SELECT 1 FROM ent_node n"
                       " WHERE n.ent_id = o.id)") > 0);
    assert_int_equal(index_count(ix), (uint64_t)n_all);

    failed += run_round("as imported", first, n_queries, &g);
    first += n_queries;
    if (only_query < 0 && n_queries >= COVERAGE_MIN_QUERIES)
        check_coverage(&missing);
    else
        printf("screen-diff: coverage not checked (it needs all of at least %d queries)\n",
               COVERAGE_MIN_QUERIES);

    /* the rounds after the writes (skipped when replaying a query before them) */
    if (only_query < 0 || (uint64_t)only_query >= first) {
        round_no = 2;
        write_batch();
        failed += run_round("after the update batch", first, n_after, &g);
        first += n_after;
        ran_after += n_after;
    }
    if (only_query < 0 || (uint64_t)only_query >= first) {
        round_no = 3;
        classify_everything();
        failed += run_round("after classify_run over everything", first, n_after / 5, &g);
        first += n_after / 5;
        ran_after += n_after / 5;
    }
    if (only_query < 0 || (uint64_t)only_query >= first) {
        round_no = 4;
        reclassify_range();
        failed += run_round("after a range of classifications rewritten", first, n_after / 2,
                            &g);
        first += n_after / 2;
        ran_after += n_after / 2;
    }
    printf("screen-diff: all rounds in %.0f ms (the oracle's facets %.0f ms)\n", now_ms() - t0,
           facet_ms);
    if (verbose) {
        for (k = 0; k < FACET_COUNT_; k++)
            printf("  facet %-10s %8.0f ms\n", screen_facet_name((enum screen_facet)k),
                   facet_ms_each[k]);
        for (k = 0; k < n_features; k++)
            printf("  %-32s %6" PRIu64 " generated %6" PRIu64 " non-trivial\n", features[k].name,
                   features[k].generated, features[k].nontrivial);
    }
    strbuf_release(&g.q);
    fflush(stdout);   /* the reports above before cmocka's message on stderr */
    if (failed)
        fail_msg("%" PRIu64 " queries answered differently (the first %d shown above; reproduce"
                 " one with SCREEN_DIFF_SEED=%" PRIu64 " SCREEN_DIFF_ONLY=N)",
                 failed, MAX_SHOWN, query_seed);
    if (only_query < 0 && n_queries >= COVERAGE_MIN_QUERIES && ran_after >= 200)
        check_coverage_after(&missing);
    if (missing.len)
        fail_msg("the random queries never exercised (with some but not all enterprises"
                 " matching):%s", missing.buf);
    strbuf_release(&missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
