#!/usr/bin/env bash
# make bench-import: import throughput and memory.
#
# 1. A generated 1,000,000-row CSV imported (parsed, validated, upserted with
#    history, into an empty store) by Magnet, against sqlite3's own
#    `.import --csv` of the same file into a plain table (no validation, no
#    indexes) in the same run: rows/s and the ratio.
# 2. A generated 1,000,000-row XLSX imported by Magnet: rows/s and peak RSS.
#
# Each timing is the best of RUNS (default 3). Results are printed and
# written to bench/out/import.md; docs/benchmarks.md quotes them.
#
#   bench/import.sh [ROWS]
set -eu
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${RUNS:-3}
out=bench/out
mkdir -p "$out"
bin=./build/magnet
[ -x "$bin" ] || make -s

csv="$out/import-$rows.csv"
xlsx="$out/import-$rows.xlsx"
[ -s "$csv" ] || $bin gen --count "$rows" --seed 1 --home 330106 -o "$csv" >/dev/null
[ -s "$xlsx" ] || $bin gen --count "$rows" --seed 1 --home 330106 -o "$xlsx" >/dev/null

now_ms() { date +%s%3N; }
load=$(cut -d' ' -f1 /proc/loadavg)
best() { sort -n | head -1; }

# magnet_csv [EXTRA ARGS]: --no-classify measures what the issue measures
# (import and validate); without it, the command also places every new
# enterprise in the chain taxonomy.
magnet_csv() {
    rm -f "$out/m.db" "$out/m.db-wal" "$out/m.db-shm"
    local t0 t1
    t0=$(now_ms)
    $bin import enterprises "$csv" --db "$out/m.db" "$@" >/dev/null
    t1=$(now_ms)
    echo $((t1 - t0))
}

sqlite_csv() {
    rm -f "$out/s.db" "$out/s.db-wal" "$out/s.db-shm"
    local t0 t1
    t0=$(now_ms)
    sqlite3 "$out/s.db" ".import --csv $csv ent" >/dev/null
    t1=$(now_ms)
    echo $((t1 - t0))
}

# interleaved, so that a busy spell hurts both alike
m_all=() s_all=() c_all=()
for i in $(seq "$runs"); do
    m_all+=("$(magnet_csv --no-classify)")
    s_all+=("$(sqlite_csv)")
    c_all+=("$(magnet_csv)")
done
m_ms=$(printf '%s\n' "${m_all[@]}" | best)
s_ms=$(printf '%s\n' "${s_all[@]}" | best)
c_ms=$(printf '%s\n' "${c_all[@]}" | best)
m_count=$(sqlite3 "$out/m.db" "SELECT count(*) FROM ent")
s_count=$(sqlite3 "$out/s.db" "SELECT count(*) FROM ent")

# XLSX: time and peak RSS from GNU time
rm -f "$out/x.db"*
/usr/bin/time -f '%e %M' -o "$out/x.time" $bin import enterprises "$xlsx" --db "$out/x.db" >/dev/null
read -r x_s x_kb < "$out/x.time"
x_count=$(sqlite3 "$out/x.db" "SELECT count(*) FROM ent")
/usr/bin/time -f '%e %M' -o "$out/c.time" $bin import enterprises "$csv" --db "$out/c2.db" --no-classify >/dev/null
read -r c_s c_kb < "$out/c.time"
rm -f "$out/c2.db"*

csv_mb=$(( $(stat -c %s "$csv") / 1048576 ))
xlsx_mb=$(( $(stat -c %s "$xlsx") / 1048576 ))
{
echo "### Import ($(date -u +%Y-%m-%d), $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'))"
echo
echo "| what | rows | time | rows/s | peak RSS |"
echo "|---|---|---|---|---|"
echo "| magnet import --no-classify, CSV ${csv_mb} MB (validate + upsert + history) | $m_count | ${m_ms} ms | $(( m_count * 1000 / m_ms )) | $(( c_kb / 1024 )) MB |"
echo "| magnet import, same, then classify the new enterprises into chains | $m_count | ${c_ms} ms | $(( m_count * 1000 / c_ms )) | |"
echo "| sqlite3 .import --csv into a plain table | $s_count | ${s_ms} ms | $(( s_count * 1000 / s_ms )) | |"
echo "| magnet import, XLSX ${xlsx_mb} MB | $x_count | ${x_s} s | $(awk -v n="$x_count" -v s="$x_s" 'BEGIN{printf "%d", n/s}') | $(( x_kb / 1024 )) MB |"
echo
echo "Magnet CSV import rate / sqlite3 .import rate: $(awk -v a="$s_ms" -v b="$m_ms" 'BEGIN{printf "%.2f", a/b}')x (goal >= 0.8x); with classification $(awk -v a="$s_ms" -v b="$c_ms" 'BEGIN{printf "%.2f", a/b}')x. Best of $runs interleaved runs each; load average at the start: $load."
} | tee "$out/import.md"
