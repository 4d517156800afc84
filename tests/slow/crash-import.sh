#!/usr/bin/env bash
# Crash test: kill -9 an import of a large file at random moments, again and
# again. After each kill the store must open clean (integrity check), hold no
# unfinished batch, and every batch must be wholly there or wholly absent.
# The first half of the rounds kill imports into an empty store (0
# enterprises must remain); then one import of file A completes, and the
# second half kill imports of file B (other enterprises) into that store (A's
# N enterprises and only they must remain).
#
#   tests/slow/crash-import.sh BINARY [ROWS] [ROUNDS]
set -eu
bin=$(realpath "$1")
rows=${2:-200000}
rounds=${3:-8}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
db="$T/crash.db"

"$bin" gen --count "$rows" --seed 11 -o "$T/big.csv" -q
"$bin" gen --count "$rows" --seed 12 -o "$T/other.csv" -q
"$bin" init --db "$db" >/dev/null

# How long a full import takes, to aim the kills inside it.
start=$(date +%s%N)
"$bin" import enterprises "$T/big.csv" --db "$T/timing.db" >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "a full import of $rows rows takes ${full_ms} ms"

completed=0
rows0=$rows
file="$T/big.csv"
for i in $(seq 1 "$rounds"); do
    if [ "$i" -eq $((rounds / 2 + 1)) ] && [ "$completed" = 0 ]; then
        "$bin" import enterprises "$T/big.csv" --db "$db" >/dev/null
        completed=1
        file="$T/other.csv"
        echo "imported file A; now killing imports of file B"
    fi
    # kill somewhere between 5% and 95% of a full import's time
    delay_ms=$(( full_ms * (5 + RANDOM % 91) / 100 ))
    "$bin" import enterprises "$file" --db "$db" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%03d' $((delay_ms % 1000)))"
    [ $delay_ms -ge 1000 ] && sleep $((delay_ms / 1000))
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        echo "round $i: killed after ${delay_ms} ms"
    else
        wait "$pid"
        echo "round $i: finished before the kill"
    fi
    check=$(sqlite3 "$db" "PRAGMA integrity_check;")
    [ "$check" = ok ] || { echo "round $i: integrity check: $check"; exit 1; }
    ents=$(sqlite3 "$db" "SELECT count(*) FROM ent;")
    batches=$(sqlite3 "$db" "SELECT count(*) FROM batch;")
    inserted=$(sqlite3 "$db" "SELECT coalesce(sum(inserted), 0) FROM batch;")
    unfinished=$(sqlite3 "$db" "SELECT count(*) FROM batch WHERE finished IS NULL;")
    orphans=$(sqlite3 "$db" "SELECT count(*) FROM ent WHERE created_batch NOT IN (SELECT id FROM batch);")
    [ "$unfinished" = 0 ] || { echo "round $i: $unfinished unfinished batches"; exit 1; }
    [ "$orphans" = 0 ] || { echo "round $i: $orphans enterprises of a missing batch"; exit 1; }
    # Every batch wholly there or wholly absent: the enterprises are exactly
    # those the recorded batches inserted, in whole files.
    [ "$ents" = "$inserted" ] || { echo "round $i: $ents enterprises, batches inserted $inserted"; exit 1; }
    [ $((ents % rows0)) = 0 ] || { echo "round $i: $ents enterprises: part of a file"; exit 1; }
    # An import that finished, or was killed after its commit (while
    # classifying), left one whole batch: it completed.
    if [ "$batches" -gt "$completed" ]; then
        echo "round $i: the import had committed before the kill"
        completed=$batches
        [ "$file" = "$T/other.csv" ] && file="$T/big.csv"
    fi
    # and Magnet itself opens it
    "$bin" stats --db "$db" --json >/dev/null
done
# The killed file still imports whole afterwards.
"$bin" import enterprises "$T/other.csv" --db "$db" >/dev/null
[ "$(sqlite3 "$db" 'SELECT count(*) FROM ent;')" -ge "$rows" ]
echo "crash test: $rounds kills, store consistent every time"
