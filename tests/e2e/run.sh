#!/usr/bin/env bash
# End-to-end tests against the real binary, one case per file in
# tests/e2e/cases/NNNN-name.case, numbered by area (1xxx registry import,
# 2xxx show/export/stats, ...).
#
# A case is a list of steps separated by lines "---". Each step has:
#   desc: what it checks (first step only, optional)
#   cmd: a shell command; `magnet` runs the binary under test. $DATA is
#        tests/data, $T a fresh directory for this case, $MAGNET_DB a fresh
#        store in $T.
#   exit: expected exit status (default 0)
#   json: a jq expression over stdout that must be true (repeatable)
#   stdout: text stdout must contain (repeatable)
#   stderr: text stderr must contain (repeatable)
#   no-stderr: text stderr must not contain (repeatable)
#   no-stdout: text stdout must not contain (repeatable)
#   file: PATH exists (repeatable);  no-file: PATH does not exist
#
#   tests/e2e/run.sh BINARY [CASE...]
set -u
bin=$(realpath "$1"); shift
root=$(cd "$(dirname "$0")/../.." && pwd)
export DATA="$root/tests/data"
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=("$root"/tests/e2e/cases/*.case)
pass=0 fail=0

magnet() { "$bin" "$@"; }
export -f magnet
export bin

# Under AddressSanitizer a process reserves terabytes of address space for its
# shadow memory and runs several times slower: cases that cap memory with
# `ulimit -v` or time with `timeout` get no memory cap and five times the
# time there. (The caps are checked on the plain build.)
if ldd "$bin" 2>/dev/null | grep -q libasan; then
    ulimit() { if [ "${1:-}" = -v ]; then return 0; fi; builtin ulimit "$@"; }
    timeout() { local t=$1; shift; command timeout $((t * 5)) "$@"; }
    export -f ulimit timeout
fi

run_case() {
    local file=$1 name T step=0 ok=1
    name=$(basename "$file" .case)
    T=$(mktemp -d)
    export T MAGNET_DB="$T/magnet.db"
    # split into steps
    awk -v dir="$T" 'BEGIN{n=0; f=dir"/step0"} /^---$/{n++; f=dir"/step"n; next} {print > f}' "$file"
    local n=0
    while [ -f "$T/step$n" ]; do
        local s="$T/step$n" cmd="" want_exit=0
        n=$((n + 1))
        cmd=$(sed -n 's/^cmd: //p' "$s")
        [ -n "$cmd" ] || continue
        want_exit=$(sed -n 's/^exit: //p' "$s"); want_exit=${want_exit:-0}
        (cd "$T" && bash -c "$cmd") >"$T/out" 2>"$T/err"
        local got=$?
        if [ "$got" != "$want_exit" ]; then
            echo "  $name step $step: exit $got, expected $want_exit: $cmd"; ok=0
        fi
        while IFS= read -r expr; do
            if ! jq -e "$expr" "$T/out" >/dev/null 2>&1; then
                echo "  $name step $step: json check failed: $expr"; ok=0
            fi
        done < <(sed -n 's/^json: //p' "$s")
        while IFS= read -r text; do
            grep -qF -- "$text" "$T/out" || { echo "  $name step $step: stdout lacks: $text"; ok=0; }
        done < <(sed -n 's/^stdout: //p' "$s")
        while IFS= read -r text; do
            grep -qF -- "$text" "$T/err" || { echo "  $name step $step: stderr lacks: $text"; ok=0; }
        done < <(sed -n 's/^stderr: //p' "$s")
        while IFS= read -r text; do
            ! grep -qF -- "$text" "$T/err" || { echo "  $name step $step: stderr has: $text"; ok=0; }
        done < <(sed -n 's/^no-stderr: //p' "$s")
        while IFS= read -r text; do
            ! grep -qF -- "$text" "$T/out" || { echo "  $name step $step: stdout has: $text"; ok=0; }
        done < <(sed -n 's/^no-stdout: //p' "$s")
        while IFS= read -r p; do
            [ -e "$T/$p" ] || { echo "  $name step $step: missing file $p"; ok=0; }
        done < <(sed -n 's/^file: //p' "$s")
        while IFS= read -r p; do
            [ ! -e "$T/$p" ] || { echo "  $name step $step: file should not exist: $p"; ok=0; }
        done < <(sed -n 's/^no-file: //p' "$s")
        if [ $ok = 0 ]; then
            echo "    stdout: $(head -c 1500 "$T/out")"
            echo "    stderr: $(head -c 1500 "$T/err")"
            break
        fi
        step=$((step + 1))
    done
    rm -rf "$T"
    if [ $ok = 1 ]; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}

for c in "${cases[@]}"; do run_case "$c"; done
echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
