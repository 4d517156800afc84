#!/usr/bin/env bash
# make bench-screen: the screening workload of issue 5 (Q1-Q8) on generated
# enterprises, answered by Magnet (`magnet screen --bench`), by SQLite (a
# flat table with B-tree indexes, bench/screen_sqlite.c) and by DuckDB (npm
# @duckdb/node-api, bench/screen_peers.mjs), each query's median of 5 runs
# after a warm-up, with the answers checked equal. Prints a Markdown table
# per scale and writes it to bench/out/screen-N.md; docs/benchmarks.md
# ("Screening") quotes it.
#
#   bench/screen.sh                 1,000,000 and 10,000,000 enterprises
#   BENCH_SCREEN_10M=0 bench/screen.sh      just 1,000,000
#   bench/screen.sh 10m             just 10,000,000 (also: 1m, or a number)
#
#   MAGNET=path  OUT=dir (default bench/out)
#   BENCH_SCREEN_NO_MAGNET=1   run the peers even if `magnet screen --bench`
#                              is missing (to test this script)
#   BENCH_SCREEN_STRICT=1      exit 1 when a goal is missed (default: only
#                              when answers differ or something is missing)
#
# Per scale, cached in OUT/screen/ and reused by later runs:
#   store-N-s1.db    `magnet gen --count N --seed 1 --home 330106` imported
#                    with `magnet import enterprises` (which classifies)
#   flat-N-s1.db     the SQLite flat table built from the store with SQL
#   duck-N-s1.duckdb the same table loaded into DuckDB from CSV
# 10M needs about 20 GB of disk for these and a few more while building.
set -euo pipefail
cd "$(dirname "$0")/.."
magnet=${MAGNET:-./build/magnet}
base=${OUT:-bench/out}
out=$base/screen
seed=1
home=330106
node_dir=$base/node
mkdir -p "$out"

die() { echo "bench/screen.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

counts=()
for a in "$@"; do
    case $a in
        1m|1M) counts+=(1000000) ;;
        10m|10M) counts+=(10000000) ;;
        *[!0-9]*|'') die "unknown argument '$a' (1m, 10m or a count)" ;;
        *) counts+=("$a") ;;
    esac
done
if [ ${#counts[@]} -eq 0 ]; then
    # the issue's two sizes; BENCH_SCREEN_10M=0 for a quick 1M-only run
    counts=(1000000)
    [ "${BENCH_SCREEN_10M:-1}" = 1 ] && counts+=(10000000)
fi

# ---- the peers and tools: fail early and say what to install ----
for t in sqlite3:sqlite3 jq:jq node:nodejs npm:npm /usr/bin/time:time cc:gcc; do
    command -v "${t%%:*}" >/dev/null || die "needs ${t%%:*} (apt-get install ${t#*:})"
done
[ -e /usr/include/sqlite3.h ] || die "needs the SQLite headers (apt-get install libsqlite3-dev)"
[ -e /usr/include/jansson.h ] || die "needs the jansson headers (apt-get install libjansson-dev)"
[ -x "$magnet" ] || make -s magnet
[ -x "$magnet" ] || die "$magnet not built"

# DuckDB from npm, into a local directory, at the version bench/package.json pins.
if ! cmp -s bench/package.json "$node_dir/package.json" ||
   [ ! -e "$node_dir/node_modules/@duckdb/node-api/package.json" ]; then
    say "installing @duckdb/node-api into $node_dir"
    mkdir -p "$node_dir"
    cp bench/package.json "$node_dir/package.json"
    (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error) >&2 ||
        die "npm install of @duckdb/node-api failed (is the npm registry reachable?)"
fi
export SCREEN_NODE_DIR=$PWD/$node_dir
duck_version=$(node -p "require('$SCREEN_NODE_DIR/node_modules/@duckdb/node-api/package.json').version") ||
    die "@duckdb/node-api is not usable in $node_dir"

# The SQLite runner: built from its source here, linked like the project.
runner=build/bench/screen_sqlite
if [ ! -x "$runner" ] || [ bench/screen_sqlite.c -nt "$runner" ]; then
    mkdir -p "$(dirname "$runner")"
    ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -include src/base/banned.h \
        -o "$runner" bench/screen_sqlite.c -lsqlite3 -ljansson || die "cannot build $runner"
fi

# Magnet's side: `magnet screen --bench FILE` and `--score-sql`.
magnet_ok=1
screen_help=$("$magnet" screen --help 2>&1 || true)
if ! grep -q -- '--bench' <<<"$screen_help"; then
    if [ "${BENCH_SCREEN_NO_MAGNET:-0}" = 1 ]; then
        magnet_ok=0
        echo "bench/screen.sh: $magnet has no 'screen --bench': running the peers only" >&2
    else
        die "$magnet has no 'screen --bench' (build the screening command first;" \
            "BENCH_SCREEN_NO_MAGNET=1 runs the peers alone)"
    fi
fi
home_arg=()
grep -q -- '--home' <<<"$screen_help" && home_arg=(--home "$home")

# The currency table of src/index/query.c as an SQL CASE over cents:
# cents * rate / 10^6 rounded half away from zero, split so that the
# product cannot overflow (capital is never negative in generated data;
# checked below).
rates_case() {
    local col=$1 cur=$2 code rate
    printf 'CASE %s' "$cur"
    while read -r code rate; do
        printf " WHEN '%s' THEN (%s / 1000000) * %s + ((%s %% 1000000) * %s + 500000) / 1000000" \
            "$code" "$col" "$rate" "$col" "$rate"
    done < <(grep -o '{ *"[A-Z]\{3\}", *[0-9]* *}' src/index/query.c | tr -d '{}",')
    printf ' END'
}
[ "$(rates_case c k | grep -o WHEN | wc -l)" -ge 10 ] ||
    die "cannot read query_rates[] from src/index/query.c"

# Magnet's fold (chain_fold) on stored text, which import has already
# cleaned (utf8_clean): ASCII to lower case, full-width forms U+FF01-FF5E to
# ASCII. SQLite's lower() folds ASCII only, which is what is wanted; the
# full-width forms that generated text holds are replaced, and build_flat
# checks that none is left.
fold() {
    echo "replace(replace(replace(replace(replace(lower($1), '；', ';'), '（', '('), '）', ')'), '，', ','), '：', ':')"
}
days() { echo "CAST(julianday($1) - 2440587.5 AS INTEGER)"; }

# flat_sql STORE GAPNODES: the SQL that builds the analytic table, one row
# per enterprise (member: in at least one node of any track; gap: in one of
# the home district's gap nodes, which `magnet screen --score-sql` lists).
flat_sql() {
    local store=$1 gap=$2 gap_expr=0
    if [ -n "$gap" ]; then
        gap_expr="EXISTS (SELECT 1 FROM ent_node n WHERE n.id = e.id AND n.node IN ($(
            tr ' ,' '\n\n' <<<"$gap" | grep . | sed "s/.*/'&'/" | paste -sd,)))"
    fi
    cat <<SQL
PRAGMA page_size = 8192;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1048576;
PRAGMA temp_store = MEMORY;
ATTACH '$store' AS s;
CREATE TABLE ent_node (
  id INTEGER NOT NULL, track TEXT NOT NULL, node TEXT NOT NULL,
  PRIMARY KEY (id, node)
) WITHOUT ROWID;
INSERT INTO ent_node SELECT ent_id, substr(node, 1, instr(node, '/') - 1), node FROM s.ent_node;
CREATE TABLE ent (
  id INTEGER PRIMARY KEY,
  uscc TEXT, region TEXT, street TEXT, industry TEXT, status INTEGER,
  capital_cny INTEGER, founded_days INTEGER, staff INTEGER, patents INTEGER,
  pat_invention INTEGER, pat_utility INTEGER, pat_design INTEGER, software_cr INTEGER,
  tags INTEGER, round TEXT, funding_days INTEGER,
  member INTEGER NOT NULL, gap INTEGER NOT NULL,
  name TEXT NOT NULL, scope TEXT
);
INSERT INTO ent
SELECT e.id, nullif(e.uscc, ''), nullif(e.region, ''), nullif(e.street, ''), nullif(e.industry, ''),
       e.status, $(rates_case e.capital e.capital_cur), $(days e.founded), e.staff, e.patents,
       e.patents_invention, e.patents_utility, e.patents_design, e.software_copyrights,
       e.tags, nullif(e.round, ''), $(days e.funding_date),
       EXISTS (SELECT 1 FROM ent_node n WHERE n.id = e.id), $gap_expr,
       $(fold e.name), $(fold e.scope)
FROM s.ent e ORDER BY e.id;
DETACH s;
CREATE UNIQUE INDEX ent_uscc ON ent(uscc);
CREATE INDEX ent_region ON ent(region);
CREATE INDEX ent_industry ON ent(industry);
CREATE INDEX ent_status ON ent(status);
CREATE INDEX ent_capital ON ent(capital_cny);
CREATE INDEX ent_founded ON ent(founded_days);
CREATE INDEX ent_staff ON ent(staff);
CREATE INDEX ent_patents ON ent(patents);
CREATE INDEX ent_tags ON ent(tags);
CREATE INDEX ent_node_node ON ent_node(node, id);
CREATE INDEX ent_node_track ON ent_node(track, id);
ANALYZE;
SQL
}

# build_flat STORE FLAT SQL
build_flat() {
    local store=$1 flat=$2
    rm -f "$flat.tmp"
    sqlite3 "$flat.tmp" >/dev/null <<<"$3"
    # What the fold must have left: no upper-case ASCII, no full-width form,
    # no ideographic space, no control character or double space.
    local left
    left=$(sqlite3 "$flat.tmp" "SELECT count(*) FROM ent WHERE name GLOB '*[A-Z！-～　]*'
        OR scope GLOB '*[A-Z！-～　]*' OR instr(name, '  ') OR instr(scope, '  ')
        OR name GLOB '*[$(printf '\001-\037')]*' OR scope GLOB '*[$(printf '\001-\037')]*'")
    [ "$left" = 0 ] || die "$flat: $left enterprises have text the SQL fold does not fold like" \
        "Magnet (extend fold() in bench/screen.sh)"
    left=$(sqlite3 "$store" "SELECT count(*) FROM ent WHERE capital < 0
        OR (capital IS NOT NULL AND capital_cur IS NULL)")
    [ "$left" = 0 ] || die "$store: $left enterprises have a negative capital or one without a" \
        "currency (rates_case() in bench/screen.sh assumes neither)"
    mv "$flat.tmp" "$flat"
}

load_duck() {
    local flat=$1 duck=$2
    rm -f "$duck.tmp" "$duck.tmp.wal"
    sqlite3 -csv -header "$flat" "SELECT * FROM ent ORDER BY id" >"$out/ent.csv"
    sqlite3 -csv -header "$flat" "SELECT id, track, node FROM ent_node" >"$out/ent_node.csv"
    node bench/screen_peers.mjs duckdb-load --db "$duck.tmp" --ent "$out/ent.csv" \
        --nodes "$out/ent_node.csv" >&2
    rm -f "$out/ent.csv" "$out/ent_node.csv"
    mv "$duck.tmp" "$duck"
}

rss_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

status=0
for n in "${counts[@]}"; do
    store=$out/store-$n-s$seed.db
    flat=$out/flat-$n-s$seed.db
    duck=$out/duck-$n-s$seed.duckdb
    # A store made by another generator is made again: the key is a hash of
    # a small sample of what `magnet gen` writes now for the same seed.
    genkey=$("$magnet" gen --count 2000 --seed "$seed" --home "$home" -q -o "$out/genkey.csv" &&
             sha1sum <"$out/genkey.csv" | cut -c1-40)
    rm -f "$out/genkey.csv"
    if [ -s "$store" ] && [ "$(cat "$store.genkey" 2>/dev/null)" != "$genkey" ]; then
        say "$store was made by another generator: making it again"
        rm -f "$store" "$store-wal" "$store-shm"
    fi
    if [ ! -s "$store" ]; then
        say "generating and importing $n enterprises into $store"
        csv=$out/gen-$n-s$seed.csv
        "$magnet" gen --count "$n" --seed "$seed" --home "$home" -o "$csv" -q
        rm -f "$store.tmp"*
        "$magnet" import enterprises "$csv" --db "$store.tmp" >&2
        rm -f "$csv"
        for x in "" -wal -shm; do [ -e "$store.tmp$x" ] && mv "$store.tmp$x" "$store$x"; done
        echo "$genkey" >"$store.genkey"
    fi

    # The score as SQL over the flat table, and the gap nodes it reads.
    score_file=$out/score-$n.sql
    rm -f "$score_file"
    if [ $magnet_ok = 1 ] && "$magnet" screen --score-sql --db "$store" "${home_arg[@]}" \
            >"$score_file.tmp" 2>"$out/score.err" && [ -s "$score_file.tmp" ]; then
        mv "$score_file.tmp" "$score_file"
    else
        echo "bench/screen.sh: no 'magnet screen --score-sql' ($(head -c 200 "$out/score.err" 2>/dev/null));" \
             "Q2's order by score is not compared" >&2
        rm -f "$score_file.tmp"
    fi
    # {"sql": EXPR, "gap_nodes": [...], "today": DAYS, "home": CODE, "note": ...}
    gap_nodes=""
    if [ -s "$score_file" ]; then
        gap_nodes=$(jq -r '.gap_nodes | join(" ")' "$score_file") ||
            die "$score_file: not the JSON 'magnet screen --score-sql' prints"
    fi

    # Rebuilt when the store or the SQL (fold, rates, gap nodes) changes.
    sql=$(flat_sql "$store" "$gap_nodes")
    key=$(sha1sum <<<"$sql" | cut -c1-40)
    if [ ! -s "$flat" ] || [ "$store" -nt "$flat" ] || [ "$(cat "$flat.key" 2>/dev/null)" != "$key" ]; then
        say "building the SQLite flat table $flat"
        build_flat "$store" "$flat" "$sql"
        echo "$key" >"$flat.key"
        rm -f "$duck"
    fi
    if [ ! -s "$duck" ] || [ "$flat" -nt "$duck" ]; then
        say "loading the flat table into DuckDB $duck"
        load_duck "$flat" "$duck"
    fi

    # 100 enterprises for Q7, drawn by a fixed generator (MINSTD) over the ids.
    maxid=$(sqlite3 "$flat" "SELECT max(id) FROM ent")
    values=$(awk -v m="$maxid" 'BEGIN { x = 20250101; for (i = 1; i <= 100; i++) {
        x = (x * 48271) % 2147483647; printf "%s(%d,%d)", (i > 1 ? "," : ""), i, 1 + x % m } }')
    sqlite3 "$flat" "WITH v(k, i) AS (VALUES $values) SELECT e.uscc FROM v JOIN ent e ON e.id = v.i
        WHERE e.uscc IS NOT NULL ORDER BY v.k" >"$out/usccs-$n.txt"

    work=$out/workload-$n.json
    tsv=$out/queries-$n.tsv
    score_arg=()
    [ -s "$score_file" ] && score_arg=(--score "$score_file")
    node bench/screen_peers.mjs workload --usccs "$out/usccs-$n.txt" "${score_arg[@]}" \
        --out-json "$work" --out-tsv "$tsv"

    load=$(cut -d' ' -f1 /proc/loadavg)
    magnet_args=()
    if [ $magnet_ok = 1 ]; then
        say "Magnet: $magnet screen --bench $tsv --db $store --json ${home_arg[*]}"
        /usr/bin/time -v -o "$out/magnet.time" "$magnet" screen --bench "$tsv" --db "$store" --json \
            "${home_arg[@]}" >"$out/magnet-$n.jsonl" || die "magnet screen --bench failed"
        magnet_args=(--magnet "$out/magnet-$n.jsonl")
    fi
    say "SQLite: $runner $flat $work"
    /usr/bin/time -v -o "$out/sqlite.time" "$runner" "$flat" "$work" >"$out/sqlite-$n.jsonl" ||
        die "the SQLite runner failed"
    say "DuckDB: node bench/screen_peers.mjs duckdb-run --db $duck"
    /usr/bin/time -v -o "$out/duckdb.time" node bench/screen_peers.mjs duckdb-run --db "$duck" \
        --workload "$work" >"$out/duckdb-$n.jsonl" || die "the DuckDB runner failed"

    cat >"$out/meta-$n.json" <<JSON
{"count": $n, "date": "$(date -u '+%Y-%m-%d %H:%M UTC')", "nproc": $(nproc),
 "cpu": "$(sed -n 's/^model name\s*: *//p' /proc/cpuinfo | head -1)",
 "ram": "$(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1048576 }' /proc/meminfo)", "load": "$load",
 "rss_magnet_kb": $( [ $magnet_ok = 1 ] && rss_kb "$out/magnet.time" || echo null),
 "rss_sqlite_kb": $(rss_kb "$out/sqlite.time"), "rss_duckdb_kb": $(rss_kb "$out/duckdb.time"),
 "duckdb_version": "$duck_version", "sqlite_version": "$(sqlite3 --version | cut -d' ' -f1)"}
JSON
    rc=0
    node bench/screen_peers.mjs report --workload "$work" "${magnet_args[@]}" \
        --sqlite "$out/sqlite-$n.jsonl" --duckdb "$out/duckdb-$n.jsonl" --meta "$out/meta-$n.json" \
        >"$base/screen-$n.md" || rc=$?
    cat "$base/screen-$n.md"
    case $rc in
        0) ;;
        3) [ "${BENCH_SCREEN_STRICT:-0}" = 1 ] && status=1 ;;
        *) status=1 ;;
    esac
    [ $magnet_ok = 1 ] || status=1
done
exit $status
