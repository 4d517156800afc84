#!/usr/bin/env bash
# bench/gen.sh - time `magnet gen` writing 1M and 10M rows to CSV (with the
# Xihu home district), and print wall time, rows per second, output size
# CPU seconds (user + system, all threads) and peak RSS (from /usr/bin/time -v).
# On a busy machine wall time is inflated; CPU seconds / threads is the
# time the same run takes on an idle one.
#
#   bench/gen.sh [COUNTS...]        default: 1000000 10000000
#   MAGNET=path/to/magnet  OUT=dir  THREADS=n  bench/gen.sh
#
# The output files are deleted afterwards (10M rows is about 5.6 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
magnet=${MAGNET:-./magnet}
out=${OUT:-${TMPDIR:-/tmp}}
threads=${THREADS:-2}
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000000 10000000)
[ -x "$magnet" ] || { echo "bench/gen.sh: $magnet not built (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/gen.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

printf '%-10s %9s %9s %12s %10s %12s  %s\n' rows seconds "cpu s" rows/s "size MB" "peak RSS MB" command
for n in "${counts[@]}"; do
    file="$out/magnet-bench-gen-$n.csv"
    log="$out/magnet-bench-gen-$n.time"
    cmd=("$magnet" gen --count "$n" --seed 1 --home 330106 --threads "$threads" -q -o "$file")
    /usr/bin/time -v "${cmd[@]}" 2>"$log"
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
            for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$log")
    size=$(stat -c %s "$file")
    printf '%-10s %9.2f %9s %12.0f %10.0f %12s  %s\n' "$n" "$secs" "$cpu" "$(echo "$n / $secs" | bc -l)" \
        "$(echo "$size / 1048576" | bc -l)" "$rss" "${cmd[*]}"
    rm -f "$file" "$log"
done
