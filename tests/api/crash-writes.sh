#!/usr/bin/env bash
# crash-writes.sh ROUNDS: kill -9 the server while clients write, repeatedly.
# Each round starts a server on a copy of the main store, runs four clients
# that save lists as fast as they can (each remembers the names the server
# acknowledged with 201), kills the server with SIGKILL after a moment, and
# restarts it: every acknowledged list must be there, and the audit log
# must have a list.create row for each. Needs MAIN_DB, WORK, MAGNET_BIN,
# TOKEN_staff, TOKEN_admin (tests/api/run.sh).
set -u
. "$API_DIR/lib.sh"
rounds=${1:-5}
db="$T/crash.db"
sqlite3 "$MAIN_DB" ".backup $db"
: >"$T/acked"
for round in $(seq "$rounds"); do
    start_server crash --db "$db" --data-dir "$T/files" --set access_log=off || { echo "no start"; exit 1; }
    port=$(server_port crash)
    pids=()
    for c in 1 2 3 4; do
        (
            i=0
            while :; do
                i=$((i + 1))
                name="crash-$round-$c-$i"
                code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $TOKEN_staff" \
                    -H 'Content-Type: application/json' \
                    -d "{\"name\": \"$name\", \"query\": \"status:active\"}" "http://127.0.0.1:$port/api/lists")
                [ "$code" = 201 ] && echo "$name" >>"$T/acked.$c"
                [ "$code" = 000 ] && break
            done
        ) &
        pids+=($!)
    done
    sleep "0.$((RANDOM % 9 + 1))"
    kill -KILL "$(server_pid crash)"
    wait "${pids[@]}" 2>/dev/null
    rm -f "$WORK/crash.pid"
done
cat "$T"/acked.* >"$T/acked" 2>/dev/null
n=$(wc -l <"$T/acked")
start_server crash --db "$db" --data-dir "$T/files" --set access_log=off || { echo "no restart"; exit 1; }
port=$(server_port crash)
missing=0
while read -r name; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN_staff" "http://127.0.0.1:$port/api/lists/$name")
    [ "$code" = 200 ] || { echo "acknowledged but missing: $name ($code)"; missing=$((missing + 1)); }
done <"$T/acked"
audited=$(curl -s -H "Authorization: Bearer $TOKEN_admin" "http://127.0.0.1:$port/api/audit?entity=list&limit=1000" |
    jq -r '.items[] | select(.action == "list.create") | .entity_id' | sort -u)
noaudit=0
while read -r name; do
    grep -qxF "$name" <<<"$audited" || { echo "no audit row: $name"; noaudit=$((noaudit + 1)); }
done <"$T/acked"
stop_server crash
echo "crash test: $rounds kills, $n writes acknowledged, $missing missing, $noaudit without an audit row"
[ "$n" -gt 0 ] && [ $missing -eq 0 ] && [ $noaudit -eq 0 ]
