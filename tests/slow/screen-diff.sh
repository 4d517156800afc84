#!/usr/bin/env bash
# The screening engine's differential test at a larger scale: the same
# program as in 'make test' (tests/unit/test_screen_diff.c), on more
# generated enterprises and more random queries, with a query seed that
# changes from run to run (printed, so that a failure can be replayed with
# SCREEN_DIFF_SEED=... SCREEN_DIFF_ONLY=N).
#
#   tests/slow/screen-diff.sh BINARY [COUNT] [QUERIES] [AFTER]
#
# BINARY is the build's magnet (build/magnet); the test program lies beside
# it in tests/. COUNT and QUERIES default to 200000 and 2000: the first
# round, on the store as imported. AFTER (default 300) is the number of
# queries after the update batch (2,000 updated and 1,500 new enterprises
# at 200000), then a fifth of it after classifying everything and half of
# it after a range of classifications is rewritten. Nearly all of the time
# is the SQL oracle, whose cost grows with the product of enterprises and
# queries (docs/internals/screen-diff.md gives the times); the
# environment's SCREEN_DIFF_* variables, when set, take precedence.
set -eu
bin=$(realpath "$1")
prog="$(dirname "$bin")/tests/test_screen_diff"
[ -x "$prog" ] || { echo "screen-diff: $prog is not built (make unit)"; exit 1; }
export SCREEN_DIFF_COUNT=${SCREEN_DIFF_COUNT:-${2:-200000}}
export SCREEN_DIFF_QUERIES=${SCREEN_DIFF_QUERIES:-${3:-2000}}
export SCREEN_DIFF_AFTER=${SCREEN_DIFF_AFTER:-${4:-300}}
export SCREEN_DIFF_SEED=${SCREEN_DIFF_SEED:-$(( $(date +%s) % 1000000 ))}
start=$(date +%s%N)
"$prog"
echo "screen-diff: $SCREEN_DIFF_COUNT enterprises, $SCREEN_DIFF_QUERIES + $SCREEN_DIFF_AFTER" \
     "+ $((SCREEN_DIFF_AFTER / 5)) + $((SCREEN_DIFF_AFTER / 2)) queries," \
     "seed $SCREEN_DIFF_SEED: $(( ($(date +%s%N) - start) / 1000000 )) ms"
