/*
 * fuzz_scoring.c - libFuzzer target for the scoring model loader
 * (index/score.c, the data/scoring.json format).
 *
 * A rejection must come with a message that names the place: it starts
 * with "fuzz:" (a JSON syntax error: "fuzz:LINE:COL:") or "fuzz: " and a
 * JSON path, since that message is all a district's editor gets.
 *
 * When the bytes load, the model must keep what the loader promises: a
 * 12-digit hex hash; for a set of facts (unknowns, band edges, every tag
 * and status, each kind of round) scores within 0..100, base scores within
 * 0..100 minus the chain maximum, a breakdown whose lines stay within
 * their maxima (which add up to 100) and add up to the total; and the SQL
 * version, run in an in-memory SQLite, gives the same totals.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/strbuf.h"
#include "index/score.h"
#include "registry/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define U SCORE_UNKNOWN
#define TODAY 20254
#define NFACTS 24

static const char *const rounds[] = { NULL, "a", "seed+", "pre-b", "ipo", "m&a", "zz", "j++" };

/* Deterministic facts spread over the ranges that matter. */
static void make_facts(struct score_facts *f, int *member, int *gap)
{
    static const int64_t counts[] = { U, 0, 1, 2, 3, 5, 9, 10, 20, 99, 100, 1000 };
    static const int64_t wan[] = { 0, 1, 499, 500, 999, 1000, 4999, 5000, 100000 };
    static const int64_t ages[] = { 0, 364, 365, 1095, 1826, 3652, 20000, -5 };
    int i;
    for (i = 0; i < NFACTS; i++) {
        f[i].capital_cny = i % 7 == 0 ? U : wan[i % 9] * 1000000 + (i % 3) - 1;
        f[i].founded = i % 5 == 0 ? U : TODAY - ages[i % 8] - (i % 2);
        f[i].staff = counts[i % 12];
        f[i].patents = counts[(i + 3) % 12];
        f[i].pat_invention = i % 4 == 0 ? counts[(i + 1) % 12] : U;
        f[i].pat_utility = i % 3 == 0 ? counts[(i + 5) % 12] : U;
        f[i].pat_design = i % 6 == 1 ? counts[(i + 7) % 12] : U;
        f[i].software_cr = counts[(i + 9) % 12];
        f[i].tags = (uint32_t)(i * 37) & ((1u << TAG_COUNT) - 1);
        if (i == 23)
            f[i].tags = 0xffffffffu;
        f[i].round = rounds[i % 8];
        f[i].funding_date = i % 4 == 1 ? U : TODAY - (int64_t)(i * 97 % 1500);
        f[i].status = i % 3 ? STATUS_ACTIVE : i % 9;
        member[i] = i % 2;
        gap[i] = i % 4 < 2;
    }
}

static void bind_int(sqlite3_stmt *s, int col, int64_t v)
{
    if (v == U)
        sqlite3_bind_null(s, col);
    else
        sqlite3_bind_int64(s, col, v);
}

static void check_sql(const struct score_model *m, const struct score_facts *f, const int *member,
                      const int *gap)
{
    sqlite3 *db;
    sqlite3_stmt *ins, *sel;
    struct strbuf sql = STRBUF_INIT;
    int i, rows = 0;

    if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "CREATE TABLE f (id INTEGER, capital_cny BIGINT, founded_days INTEGER, "
                     "staff INTEGER, patents INTEGER, pat_invention INTEGER, pat_utility INTEGER, "
                     "pat_design INTEGER, software_cr INTEGER, funding_days INTEGER, tags INTEGER, "
                     "round TEXT, status INTEGER, m INTEGER, g INTEGER)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO f VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &ins,
                           NULL) != SQLITE_OK)
        abort();
    for (i = 0; i < NFACTS; i++) {
        sqlite3_bind_int(ins, 1, i);
        bind_int(ins, 2, f[i].capital_cny);
        bind_int(ins, 3, f[i].founded);
        bind_int(ins, 4, f[i].staff);
        bind_int(ins, 5, f[i].patents);
        bind_int(ins, 6, f[i].pat_invention);
        bind_int(ins, 7, f[i].pat_utility);
        bind_int(ins, 8, f[i].pat_design);
        bind_int(ins, 9, f[i].software_cr);
        bind_int(ins, 10, f[i].funding_date);
        sqlite3_bind_int64(ins, 11, (int64_t)f[i].tags);
        if (f[i].round)
            sqlite3_bind_text(ins, 12, f[i].round, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 12);
        sqlite3_bind_int(ins, 13, f[i].status);
        sqlite3_bind_int(ins, 14, member[i]);
        sqlite3_bind_int(ins, 15, gap[i]);
        if (sqlite3_step(ins) != SQLITE_DONE)
            abort();
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    strbuf_addstr(&sql, "SELECT id, ");
    score_sql(m, TODAY, "m <> 0", "g <> 0", &sql);
    strbuf_addstr(&sql, " FROM f");
    if (sqlite3_prepare_v2(db, sql.buf, -1, &sel, NULL) != SQLITE_OK) {
        fprintf(stderr, "score_sql: %s\n%s\n", sqlite3_errmsg(db), sql.buf);
        abort();
    }
    while (sqlite3_step(sel) == SQLITE_ROW) {
        int id = sqlite3_column_int(sel, 0);
        struct score_chain c = { member[id], gap[id] };
        int want = score_total(m, score_base(m, &f[id], TODAY), f[id].status, c);
        if (sqlite3_column_type(sel, 1) != SQLITE_INTEGER || sqlite3_column_int(sel, 1) != want) {
            fprintf(stderr, "fact %d: SQL %d, C %d\n", id, sqlite3_column_int(sel, 1), want);
            abort();
        }
        rows++;
    }
    if (rows != NFACTS)
        abort();
    sqlite3_finalize(sel);
    sqlite3_close(db);
    strbuf_release(&sql);
}

static void check(const struct score_model *m)
{
    struct score_facts f[NFACTS];
    int member[NFACTS], gap[NFACTS], i;
    const char *h = score_model_hash(m);
    int chain_max = score_model_chain_max(m);

    if (strlen(h) != 12 || strspn(h, "0123456789abcdef") != 12)
        abort();
    if (chain_max < 0 || chain_max > 100)
        abort();
    make_facts(f, member, gap);
    for (i = 0; i < NFACTS; i++) {
        struct score_chain c = { member[i], gap[i] };
        struct score_line lines[SCORE_MAX_LINES];
        int base = score_base(m, &f[i], TODAY), total = score_total(m, base, f[i].status, c);
        int etotal = -1, sum = 0, maxsum = 0;
        size_t k, n = score_explain(m, &f[i], c, TODAY, lines, SCORE_MAX_LINES, &etotal);
        if (base < 0 || base > 100 - chain_max || total < 0 || total > 100 || etotal != total)
            abort();
        if (n < 1 || n > SCORE_MAX_LINES)
            abort();
        for (k = 0; k < n; k++) {
            if (lines[k].points < 0 || lines[k].points > lines[k].max ||
                strlen(lines[k].value) >= sizeof(lines[k].value))
                abort();
            sum += lines[k].points;
            maxsum += lines[k].max;
        }
        if (sum != total)
            abort();
        if (score_excluded(m, f[i].status) ? n != 1 || total != 0
                                           : n != SCORE_MAX_LINES || maxsum != 100)
            abort();
    }
    check_sql(m, f, member, gap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct score_model *m = NULL;
    struct error err = ERROR_INIT;

    if (score_model_parse((const char *)data, size, "fuzz", &m, &err) == 0) {
        check(m);
        score_model_free(m);
    } else if (m || strncmp(err.msg, "fuzz:", 5) != 0) {
        fprintf(stderr, "message without its place: %s\n", err.msg);
        abort();
    }
    return 0;
}
