#!/usr/bin/env bash
# API tests against the real binary on loopback, one case per file in
# tests/api/cases/NNNN-name.case, numbered by area (0xxx service, 1xxx
# sessions and accounts, 2xxx enterprises, 3xxx imports, 4xxx chains and
# lists, 5xxx limits and hostile input, 9xxx whole-table checks).
#
# One server is started for all cases, on a store made from tests/data
# with one account and one API token per role, small limits (so that the
# limit cases are cheap) and a web directory. A case that needs its own
# server (shutdown, connection limit) starts one with start_server
# (tests/api/lib.sh).
#
# A case is a list of steps separated by lines "---". A step is a request
# or a shell command:
#   desc: what it checks (first step only, optional)
#   slow: yes              run only with API_SLOW=1 (make test-full)
#   request: METHOD PATH   PATH is sent as is (no dot-segment removal)
#   as: ROLE               admin, staff, staff2, leader, dept, viewer (their API
#                          token), cookie (the session in this case's cookie jar),
#                          or anon (default)
#   csrf: yes              with as: cookie, send X-CSRF-Token: ${CSRF}
#   header: NAME: VALUE    an extra request header (repeatable)
#   body: TEXT             a JSON body (Content-Type: application/json unless a
#                          header: says otherwise)
#   body-file: FILE        the body from a file
#   form: FIELD=VALUE      a multipart field, curl -F syntax (@file) (repeatable)
#   status: N              the expected status (required for requests)
#   json: EXPR             a jq expression over the reply that must be true
#   header-has: TEXT       a reply header line contains TEXT (case-insensitive)
#   no-header: TEXT        no reply header line contains TEXT
#   body-has: TEXT         the raw reply contains TEXT
#   save: NAME EXPR        export NAME = the jq expression's value (raw)
#   schema: no             do not validate the reply against the OpenAPI document
#   cmd: SHELL             run a command instead (exit: N, stdout: TEXT, stderr: TEXT)
# ${NAME} in any value is replaced by the variable's value: BASE (the
# server's URL), DATA (tests/data), T (this case's directory), USCC1 (an
# enterprise's USCC), and what save: and the environment set.
#
# Every JSON reply is validated against the schema the OpenAPI document
# gives for its route and status (tests/tools/apicheck.c), and at the end
# every route of the table must have had a successful (2xx) reply.
#
#   tests/api/run.sh BINARY [CASE...]
set -u
bin=$(realpath "$1"); shift
root=$(cd "$(dirname "$0")/../.." && pwd)
export DATA="$root/tests/data" API_DIR="$root/tests/api" MAGNET_BIN="$bin"
export TOOLS=${TOOLS:-$root/build/tools}
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=("$root"/tests/api/cases/*.case)
pass=0 fail=0 skipped=0

work=$(mktemp -d)
export WORK="$work"
# shellcheck source=tests/api/lib.sh
. "$API_DIR/lib.sh"
cleanup() {
    stop_all_servers
    rm -rf "$work"
}
trap cleanup EXIT

# ---- the fixture ----
db="$work/api.db"
"$bin" import enterprises "$DATA/clean.csv" --db "$db" >/dev/null 2>&1 || { echo "fixture: import failed"; exit 1; }
"$bin" import enterprises "$DATA/update.csv" --db "$db" >/dev/null 2>&1 || true
for spec in admin:admin staff:staff staff2:staff leader:leader viewer:viewer locky:viewer \
            victim:viewer; do
    name=${spec%%:*} role=${spec#*:}
    echo "pass-$name-123" | "$bin" user add "$name" --role "$role" --password-stdin --db "$db" \
        >/dev/null 2>&1 || { echo "fixture: user $name"; exit 1; }
done
echo "pass-dept-123" | "$bin" user add dept --role dept --dept 西湖区经信局 --password-stdin \
    --db "$db" >/dev/null 2>&1 || { echo "fixture: user dept"; exit 1; }
for name in admin staff staff2 leader dept viewer; do
    tok=$("$bin" token create "$name" --label api-test --db "$db" 2>/dev/null | head -1)
    [ -n "$tok" ] || { echo "fixture: token for $name"; exit 1; }
    export "TOKEN_$name=$tok"
done
export USCC1=$(sqlite3 "$db" "SELECT uscc FROM ent WHERE uscc IS NOT NULL ORDER BY id LIMIT 1")
mkdir -p "$work/web/sub" "$work/files"
printf '<!doctype html><title>Magnet</title>\n' >"$work/web/index.html"
printf 'console.log("magnet");\n' >"$work/web/app.js"
printf 'body{}\n' >"$work/web/style.css"
printf '<p>page</p>\n' >"$work/web/sub/page.html"
printf 'secret\n' >"$work/web/.env"
printf 'outside\n' >"$work/outside.txt"
ln -s "$work/outside.txt" "$work/web/leak.txt"
ln -s /etc "$work/web/etc"

"$bin" serve --openapi >"$work/openapi.json" || { echo "cannot print the OpenAPI document"; exit 1; }
"$bin" serve --routes >"$work/routes.json" || { echo "cannot print the route table"; exit 1; }
export OPENAPI="$work/openapi.json" ROUTES="$work/routes.json"

start_server main --db "$db" --home 330106 --web "$work/web" --data-dir "$work/files" \
    --set max_body_bytes=64K --set max_upload_bytes=4M --set max_page_size=100 \
    --set request_timeout=2 --set login_fail_max=3 --set login_addr_fail_max=100000 \
    --set login_lockout=600 --set argon2_m_kib=64 --set argon2_t=1 --set export_max_rows=1000 \
    || { echo "the server did not start:"; cat "$work/main.log"; exit 1; }
export BASE="http://127.0.0.1:$(server_port main)" MAIN_DB="$db"
coverage="$work/coverage"
: >"$coverage"

# ${NAME} -> value
expand() {
    local s=$1 out="" name
    while [[ $s =~ ^([^$]*)\$\{([A-Za-z_][A-Za-z0-9_]*)\}(.*)$ ]]; do
        name=${BASH_REMATCH[2]}
        out+="${BASH_REMATCH[1]}${!name-}"
        s=${BASH_REMATCH[3]}
    done
    printf '%s' "$out$s"
}

# values of KEY: lines of a step, expanded, one per line
vals() { sed -n "s/^$1: //p" "$2" | while IFS= read -r l; do expand "$l"; printf '\n'; done; }

run_request() {  # run_request STEPFILE CASEDIR NAME -> 0 ok
    local s=$1 T=$2 name=$3 line method path as status got ct args=() ok=1
    line=$(vals request "$s" | head -1)
    method=${line%% *}
    path=${line#* }
    as=$(vals as "$s" | head -1)
    status=$(vals status "$s" | head -1)
    case "$as" in
        ""|anon) ;;
        cookie) args+=(-b "$T/jar" -c "$T/jar") ;;
        *) local v="TOKEN_$as"; args+=(-H "Authorization: Bearer ${!v}") ;;
    esac
    [ "$(vals csrf "$s" | head -1)" = yes ] && args+=(-H "X-CSRF-Token: ${CSRF-}")
    while IFS= read -r h; do [ -n "$h" ] && args+=(-H "$h"); done < <(vals header "$s")
    if grep -q '^body: ' "$s"; then
        vals body "$s" | head -1 | tr -d '\n' >"$T/req"
        grep -qi '^header: content-type' "$s" || args+=(-H 'Content-Type: application/json')
        args+=(--data-binary "@$T/req")
    fi
    if grep -q '^body-file: ' "$s"; then
        args+=(--data-binary "@$(vals body-file "$s" | head -1)")
        grep -qi '^header: content-type' "$s" || args+=(-H 'Content-Type: application/json')
    fi
    while IFS= read -r f; do [ -n "$f" ] && args+=(-F "$f"); done < <(vals form "$s")
    if [ "$method" = HEAD ]; then
        args+=(--head)
    else
        args+=(-X "$method")
    fi
    got=$(curl -sS --path-as-is --max-time 30 -o "$T/out" -D "$T/hdr" -w '%{http_code}' \
        "${args[@]}" "$BASE$path" 2>"$T/curlerr")
    [ -f "$T/out" ] || : >"$T/out"
    if [ "$got" != "$status" ]; then
        echo "  $name: $method $path: status $got, expected $status"; ok=0
    fi
    while IFS= read -r expr; do
        [ -n "$expr" ] || continue
        jq -e "$expr" "$T/out" >/dev/null 2>&1 || { echo "  $name: $method $path: json check failed: $expr"; ok=0; }
    done < <(vals json "$s")
    while IFS= read -r text; do
        [ -n "$text" ] || continue
        grep -qiF -- "$text" "$T/hdr" || { echo "  $name: $method $path: no header: $text"; ok=0; }
    done < <(vals header-has "$s")
    while IFS= read -r text; do
        [ -n "$text" ] || continue
        ! grep -qiF -- "$text" "$T/hdr" || { echo "  $name: $method $path: header present: $text"; ok=0; }
    done < <(vals no-header "$s")
    while IFS= read -r text; do
        [ -n "$text" ] || continue
        grep -qF -- "$text" "$T/out" || { echo "  $name: $method $path: body lacks: $text"; ok=0; }
    done < <(vals body-has "$s")
    while IFS= read -r sv; do
        [ -n "$sv" ] || continue
        export "${sv%% *}=$(jq -r "${sv#* }" "$T/out" 2>/dev/null)"
    done < <(vals save "$s")
    # the reply must be what the OpenAPI document says
    ct=$(grep -i '^content-type:' "$T/hdr" | tail -1 | sed 's/^[^:]*: *//; s/\r$//')
    if [ "$(vals schema "$s" | head -1)" != no ] && [ "$method" != HEAD ]; then
        if ! "$TOOLS/apicheck" response "$OPENAPI" "$method" "$path" "$got" "$T/out" "$ct" \
            >"$T/check" 2>"$T/checkerr"; then
            echo "  $name: $method $path: the reply does not match the OpenAPI document:"
            sed 's/^/      /' "$T/checkerr" | head -20
            ok=0
        fi
        [ -s "$T/check" ] && echo "$(head -1 "$T/check") $got" >>"$coverage"
    fi
    if [ $ok = 0 ]; then
        if grep -qiE '^content-type: *(application/json|text/)' "$T/hdr"; then
            echo "    reply: $(head -c 1200 "$T/out")"
        else
            echo "    reply: ($(wc -c <"$T/out") bytes of ${ct:-no content type})"
        fi
        return 1
    fi
    return 0
}

run_cmd() {  # run_cmd STEPFILE CASEDIR NAME
    local s=$1 T=$2 name=$3 cmd want got ok=1
    cmd=$(sed -n 's/^cmd: //p' "$s")
    want=$(vals exit "$s" | head -1); want=${want:-0}
    (cd "$T" && bash -c "$cmd") >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "  $name: exit $got, expected $want: $cmd"; ok=0
    fi
    while IFS= read -r text; do
        [ -n "$text" ] || continue
        grep -qF -- "$text" "$T/out" || { echo "  $name: stdout lacks: $text"; ok=0; }
    done < <(vals stdout "$s")
    while IFS= read -r text; do
        [ -n "$text" ] || continue
        grep -qF -- "$text" "$T/err" || { echo "  $name: stderr lacks: $text"; ok=0; }
    done < <(vals stderr "$s")
    while IFS= read -r expr; do
        [ -n "$expr" ] || continue
        jq -e "$expr" "$T/out" >/dev/null 2>&1 || { echo "  $name: json check failed: $expr"; ok=0; }
    done < <(vals json "$s")
    if [ $ok = 0 ]; then
        echo "    stdout: $(head -c 1500 "$T/out")"
        echo "    stderr: $(head -c 1500 "$T/err")"
        return 1
    fi
    return 0
}

run_case() {
    local file=$1 name T n=0 ok=1
    name=$(basename "$file" .case)
    if grep -q '^slow: yes' "$file" && [ "${API_SLOW:-0}" != 1 ]; then
        skipped=$((skipped + 1)); echo "skip $name (slow: API_SLOW=1)"; return
    fi
    T=$(mktemp -d -p "$work")
    export T
    awk -v dir="$T" 'BEGIN{f=dir"/step0"} /^---$/{n++; f=dir"/step"n; next} {print > f}' "$file"
    while [ -f "$T/step$n" ]; do
        local s="$T/step$n"
        n=$((n + 1))
        if grep -q '^request: ' "$s"; then
            run_request "$s" "$T" "$name step $((n - 1))" || { ok=0; break; }
        elif grep -q '^cmd: ' "$s"; then
            run_cmd "$s" "$T" "$name step $((n - 1))" || { ok=0; break; }
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}

for c in "${cases[@]}"; do run_case "$c"; done

# Every route answered successfully at least once (only when every case ran).
if [ $# -eq 0 ]; then
    missing=0
    while IFS= read -r r; do
        m=${r%% *} p=${r#* }
        t=$(printf '%s' "$p" | sed -E 's/:([a-z_]+)/{\1}/g')
        if ! grep -qE "^$m $(printf '%s' "$t" | sed 's/[{}.]/\\&/g') 2[0-9][0-9]$" "$coverage"; then
            echo "  coverage: no test got a 2xx from $m $p"; missing=1
        fi
    done < <(jq -r '.[] | "\(.method) \(.pattern)"' "$ROUTES")
    if [ $missing = 1 ]; then fail=$((fail + 1)); echo "FAIL route-coverage"; else pass=$((pass + 1)); echo "ok   route-coverage"; fi
fi

if ! server_alive main; then
    echo "FAIL the server died during the tests:"; tail -20 "$work/main.log"; fail=$((fail + 1))
else
    # a clean stop after the whole workload (and, under ASan, no leak on the way out)
    stop_server main TERM
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL the server exited $rc on SIGTERM:"; tail -20 "$work/main.log"; fail=$((fail + 1))
    fi
fi
# No request may have been a 500: that is a bug or a broken store, never bad input.
if grep -E '^[0-9T:Z-]+ [^ ]+ [A-Z]+ [^ ]+ 50[0-2] ' "$work"/*.log >"$work/5xx" 2>/dev/null; then
    echo "FAIL requests answered 500:"; head -20 "$work/5xx"; fail=$((fail + 1))
fi
if grep -q -i 'AddressSanitizer\|ThreadSanitizer\|runtime error' "$work"/*.log 2>/dev/null; then
    echo "FAIL sanitizer reports in the server logs:"; grep -h -A30 -i 'AddressSanitizer\|ThreadSanitizer\|runtime error' "$work"/*.log | head -40
    fail=$((fail + 1))
fi
echo "api: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ]
