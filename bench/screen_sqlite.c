/*
 * screen_sqlite.c - the SQLite side of `make bench-screen` (bench/screen.sh).
 *
 *   screen_sqlite FLAT.db WORKLOAD.json > RESULTS.jsonl
 *
 * Runs each query of the workload (its "sqlite" statements, written by
 * bench/screen_peers.mjs) on one connection kept open for the whole run:
 * the statements prepared once, then one warm-up and 5 timed runs, each
 * binding the parameters and stepping every statement to the end, timed by
 * CLOCK_MONOTONIC.
 * Prints one JSON line per query: id, median_ms, runs_ms and the rows of
 * the last run (for the answer check).
 *
 * The connection is tuned as a DBA would for a read-only analytic table on
 * a machine with RAM to spare: the file memory-mapped, a 1 GiB page cache,
 * temporary b-trees in memory, two sorter threads.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 5

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static json_t *column_value(sqlite3_stmt *s, int i)
{
    switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(s, i));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(s, i));
    case SQLITE_NULL:
        return json_null();
    default:
        return json_stringn((const char *)sqlite3_column_text(s, i),
                            (size_t)sqlite3_column_bytes(s, i));
    }
}

/* Run a prepared statement to the end with its parameters bound again;
 * with rows set, append every row to it. Returns 0 or -1 (message on stderr). */
static int run_stmt(sqlite3 *db, const char *id, sqlite3_stmt *s, json_t *params, json_t *rows)
{
    json_t *v;
    size_t k;
    int rc, i, n = sqlite3_column_count(s);

    sqlite3_reset(s);
    json_array_foreach(params, k, v) {
        if (json_is_integer(v))
            sqlite3_bind_int64(s, (int)k + 1, json_integer_value(v));
        else
            sqlite3_bind_text(s, (int)k + 1, json_string_value(v), -1, SQLITE_STATIC);
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (rows) {
            json_t *row = json_array();
            for (i = 0; i < n; i++)
                json_array_append_new(row, column_value(s, i));
            json_array_append_new(rows, row);
        }
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "screen_sqlite: %s: %s\n  in: %s\n", id, sqlite3_errmsg(db), sqlite3_sql(s));
        return -1;
    }
    return 0;
}

#define MAX_STMTS 8

/* One query: its statements prepared once (outside the timing, as a
 * program that runs the same query again would keep them), then a warm-up
 * and RUNS timed runs, each executing every statement to the end. */
static int run_query(sqlite3 *db, json_t *q)
{
    const char *id = json_string_value(json_object_get(q, "id"));
    json_t *stmts = json_object_get(q, "sqlite"), *st, *results = NULL, *runs, *line;
    sqlite3_stmt *prepared[MAX_STMTS] = { 0 };
    double ms[RUNS + 1], sorted[RUNS];
    size_t k, nstmts;
    int r, rc = -1;
    char *text;

    if (!id || !json_is_array(stmts) || json_array_size(stmts) > MAX_STMTS) {
        fprintf(stderr, "screen_sqlite: a query without an id or with no (or too many) statements\n");
        return -1;
    }
    nstmts = json_array_size(stmts);
    json_array_foreach(stmts, k, st) {
        const char *sql = json_string_value(json_object_get(st, "sql"));
        if (!sql || sqlite3_prepare_v2(db, sql, -1, &prepared[k], NULL) != SQLITE_OK) {
            fprintf(stderr, "screen_sqlite: %s: %s\n  in: %s\n", id, sqlite3_errmsg(db),
                    sql ? sql : "(no sql)");
            goto out;
        }
    }
    for (r = 0; r <= RUNS; r++) {
        double t0;
        json_decref(results);
        results = json_array();
        t0 = now_ms();
        for (k = 0; k < nstmts; k++) {
            json_t *rows = json_array(), *res = json_object();
            st = json_array_get(stmts, k);
            json_object_set(res, "role", json_object_get(st, "role"));
            json_object_set_new(res, "rows", rows);
            json_array_append_new(results, res);
            if (run_stmt(db, id, prepared[k], json_object_get(st, "params"), rows) != 0)
                goto out;
        }
        ms[r] = now_ms() - t0;
    }
    /* Building the JSON rows is inside the timing, as reading the rows into
     * JavaScript values is for DuckDB; it is a few hundred rows at most. */
    memcpy(sorted, ms + 1, sizeof(sorted));
    qsort(sorted, RUNS, sizeof(double), cmp_double);
    runs = json_array();
    for (r = 1; r <= RUNS; r++)
        json_array_append_new(runs, json_real(ms[r]));
    line = json_pack("{s:s, s:f, s:o, s:O}", "id", id, "median_ms", sorted[RUNS / 2], "runs_ms",
                     runs, "results", results);
    text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (!text)
        goto out;
    puts(text);
    fflush(stdout);
    free(text);
    rc = 0;
out:
    json_decref(results);
    for (k = 0; k < MAX_STMTS; k++)
        sqlite3_finalize(prepared[k]);
    return rc;
}

int main(int argc, char **argv)
{
    sqlite3 *db = NULL;
    json_t *w, *queries, *q;
    json_error_t jerr;
    size_t i;
    char *errmsg = NULL;

    if (argc != 3) {
        fprintf(stderr, "usage: screen_sqlite FLAT.db WORKLOAD.json\n");
        return 2;
    }
    w = json_load_file(argv[2], 0, &jerr);
    if (!w) {
        fprintf(stderr, "screen_sqlite: %s:%d: %s\n", argv[2], jerr.line, jerr.text);
        return 2;
    }
    queries = json_object_get(w, "queries");
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "screen_sqlite: cannot open %s: %s\n", argv[1],
                db ? sqlite3_errmsg(db) : "out of memory");
        return 2;
    }
    if (sqlite3_exec(db,
                     "PRAGMA mmap_size = 68719476736; PRAGMA cache_size = -1048576;"
                     "PRAGMA temp_store = MEMORY; PRAGMA threads = 2;",
                     NULL, NULL, &errmsg) != SQLITE_OK) {
        fprintf(stderr, "screen_sqlite: %s\n", errmsg);
        return 2;
    }
    json_array_foreach(queries, i, q) {
        if (run_query(db, q) != 0) {
            sqlite3_close(db);
            json_decref(w);
            return 1;
        }
    }
    sqlite3_close(db);
    json_decref(w);
    return 0;
}
