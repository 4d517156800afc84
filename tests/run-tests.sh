#!/usr/bin/env bash
# Run Magnet's test tiers and print one closing line "N passed, N failed".
#
#   tests/run-tests.sh BUILD_DIR quick|full|valgrind
#
# quick:    unit tests, fuzz corpus replay, end-to-end cases.
# full:     quick plus the slow tiers (crash test, larger generated data).
# valgrind: unit tests under valgrind.
set -u
build=${1:-build}
tier=${2:-quick}
cd "$(dirname "$0")/.."
passed=0
failed=0
failures=()

run() {  # run NAME CMD...
    local name=$1; shift
    local log="$build/test-logs/$name.log"
    mkdir -p "$build/test-logs"
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        printf 'ok   %s\n' "$name"
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf 'FAIL %s (log: %s)\n' "$name" "$log"
        tail -n 30 "$log" | sed 's/^/     /'
    fi
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.d) continue ;; esac
    if [ "$tier" = valgrind ]; then
        run "valgrind:$(basename "$t")" valgrind -q --error-exitcode=99 --leak-check=full "$t"
    else
        run "unit:$(basename "$t")" "$t"
    fi
done
[ "$tier" = valgrind ] && { echo "$passed passed, $failed failed"; [ $failed -eq 0 ]; exit; }

for r in "$build"/fuzz/replay_fuzz_*; do
    [ -x "$r" ] || continue
    name=${r##*/replay_fuzz_}
    [ -d "tests/fuzz/corpus/$name" ] || continue
    run "fuzz-replay:$name" "$r" "tests/fuzz/corpus/$name"
done

export TOOLS="$PWD/$build/tools"
if [ -x tests/e2e/run.sh ]; then
    run "e2e" tests/e2e/run.sh "$build/magnet"
fi

# The HTTP API against the real binary on loopback (tests/api/run.sh).
if [ -x tests/api/run.sh ]; then
    if [ "$tier" = full ]; then
        run "api" env API_SLOW=1 tests/api/run.sh "$build/magnet"
    else
        run "api" tests/api/run.sh "$build/magnet"
    fi
fi

# The chain classifier must keep its precision and recall (goal: 0.9 / 0.85).
if [ -x "$build/eval/eval_chains" ]; then
    run "eval:chains-dev" "$build/eval/eval_chains" --quiet tests/data/chains-eval.csv
    run "eval:chains-holdout" "$build/eval/eval_chains" --quiet --ignore-track digital_economy \
        tests/data/chains-holdout.csv
fi

if [ "$tier" = full ]; then
    for s in tests/slow/*.sh; do
        [ -x "$s" ] || continue
        run "slow:$(basename "$s" .sh)" "$s" "$build/magnet"
    done
fi

echo
if [ $failed -gt 0 ]; then
    printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
