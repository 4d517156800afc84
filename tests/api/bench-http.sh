#!/usr/bin/env bash
# bench-http.sh - the HTTP server under load, with wrk, on loopback (`make bench-http`):
#
#   1. GET /api/enterprises/:uscc for random USCCs of a 1M store (Bearer
#      token), against nginx serving a static JSON file of the same size,
#      in one run: rounds alternate magnet and nginx, and the median of the
#      rounds is reported with the ratio. Twice: with the reply cache off
#      (every reply built from the store: the honest number for lookups of
#      enterprises nobody asked for recently) and with the default settings
#      (a reply cache of 16,384; over 50,000 random USCCs most requests
#      still miss it);
#   2. screening requests per second (a mix of 10 queries, limit 20);
#   3. a mixed read/write run at 64 connections: 85% enterprise lookups, 10%
#      screening, 5% list saves (replacing one of a few lists: delete,
#      snapshot and audit row in one transaction), reporting errors and p99.
#
#   tests/api/bench-http.sh [BINARY]
#     BENCH_DB       a store (default: the 1M store of bench/screen.sh,
#                    bench/out/screen/store-1000000-s1.db, made if missing);
#                    copied first, so it is not touched
#     BENCH_SECONDS  seconds per wrk run (default 10); BENCH_ROUNDS (3);
#     BENCH_MIXED_SECONDS (60)
# Needs wrk and nginx (apt-get install wrk nginx-light).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/magnet}")
secs=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
conns=${BENCH_CONNECTIONS:-64}
command -v wrk >/dev/null || { echo "bench-http: wrk is not installed (apt-get install wrk)"; exit 1; }
command -v nginx >/dev/null || { echo "bench-http: nginx is not installed (apt-get install nginx-light)"; exit 1; }
src=${BENCH_DB:-$root/bench/out/screen/store-1000000-s1.db}
if [ ! -s "$src" ]; then
    [ -z "${BENCH_DB:-}" ] || { echo "bench-http: no store at $src"; exit 1; }
    # the same store bench/screen.sh makes (and reuses)
    mkdir -p "$(dirname "$src")"
    echo "generating and importing 1,000,000 enterprises into $src ..."
    "$bin" gen --count 1000000 --seed 1 --home 330106 -o "$src.csv" -q
    rm -f "$src.tmp"*
    "$bin" import enterprises "$src.csv" --db "$src.tmp" >/dev/null
    rm -f "$src.csv"
    for x in "" -wal -shm; do [ -e "$src.tmp$x" ] && mv "$src.tmp$x" "$src$x"; done
fi

work=$(mktemp -d)
export WORK="$work" MAGNET_BIN="$bin"
. "$root/tests/api/lib.sh"
nginx_pid=""
cleanup() {
    stop_all_servers
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

echo "copying $src ..."
sqlite3 "$src" ".backup $work/bench.db"
echo "bench-viewer-1" | "$bin" user add benchviewer --role viewer --password-stdin --db "$work/bench.db" >/dev/null
echo "bench-staff-12" | "$bin" user add benchstaff --role staff --password-stdin --db "$work/bench.db" >/dev/null
"$bin" token create benchviewer --label bench --db "$work/bench.db" 2>/dev/null | head -1 >"$work/viewer.token"
"$bin" token create benchstaff --label bench --db "$work/bench.db" 2>/dev/null | head -1 >"$work/staff.token"
sqlite3 "$work/bench.db" "SELECT uscc FROM ent WHERE uscc IS NOT NULL ORDER BY random() LIMIT 50000" >"$work/usccs.txt"
ents=$(sqlite3 "$work/bench.db" "SELECT count(*) FROM ent")

start=$(date +%s.%N)
start_server bench --db "$work/bench.db" --home 330106 --data-dir "$work/files" \
    --set access_log=off --set max_connections=1024 || { cat "$work/bench.log"; exit 1; }
echo "magnet serve: $ents enterprises, ready in $(echo "$(date +%s.%N) - $start" | bc) s"
port=$(server_port bench)
base="http://127.0.0.1:$port"

cat >"$work/common.lua" <<EOF
local function lines(f) local t = {} for l in io.lines(f) do t[#t + 1] = l end return t end
ids = lines("$work/usccs.txt")
viewer = io.open("$work/viewer.token"):read("*l")
staff = io.open("$work/staff.token"):read("*l")
queries = {
  "region:330106 status:active", "track:人工智能 status:active",
  "region:浙江 -region:3301 tag:hightech", "capital>=1000 founded>=2015 sort:capital",
  "name:智能", "scope:集成电路 status:active", "industry:I65 staff>=50",
  "node:人工智能/AI芯片 region:330106", "tag:specialised round:a|b", "patents>=10 sort:patents"
}
for i, q in ipairs(queries) do
  queries[i] = q:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end)
end
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or 0, 16) % 100000)
-- Every request is formatted once, here: per request wrk then only picks
-- one, so the client's Lua costs little of the two cores it shares with
-- the server (building each request anew cost ~20% of the lookups' rate).
local ent_reqs, screen_reqs = {}, {}
for i, id in ipairs(ids) do
  ent_reqs[i] = wrk.format("GET", "/api/enterprises/" .. id,
                           { ["Authorization"] = "Bearer " .. viewer })
end
for i, q in ipairs(queries) do
  screen_reqs[i] = wrk.format("GET", "/api/enterprises?limit=20&q=" .. q,
                              { ["Authorization"] = "Bearer " .. viewer })
end
function enterprise() return ent_reqs[math.random(#ent_reqs)] end
function screen() return screen_reqs[math.random(#screen_reqs)] end
EOF
cat >"$work/ent.lua" <<EOF
dofile("$work/common.lua")
request = enterprise
EOF
cat >"$work/screen.lua" <<EOF
dofile("$work/common.lua")
request = screen
EOF
cat >"$work/mixed.lua" <<EOF
dofile("$work/common.lua")
local n = 0
request = function()
  local r = math.random(100)
  if r <= 85 then return enterprise() end
  if r <= 95 then return screen() end
  n = n + 1
  local body = string.format('{"name": "bench-%d", "query": "region:330106 tag:hightech", "replace": true}',
                             n % 4)
  return wrk.format("POST", "/api/lists", { ["Authorization"] = "Bearer " .. staff,
                                            ["Content-Type"] = "application/json" }, body)
end
EOF

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
run() {  # run LABEL URL SCRIPT [DURATION]: one wrk run, one line
    local out
    out="$work/$(printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_').out"
    wrk -t2 -c"$conns" -d"${4:-$secs}s" --latency ${3:+-s "$3"} "$2" >"$out" 2>&1
    printf '%-40s %10s req/s   p50 %-9s p99 %-9s errors %s\n' "$1" "$(rps "$out")" \
        "$(awk '$1 == "50%" {print $2}' "$out")" "$(awk '$1 == "99%" {print $2}' "$out")" \
        "$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {s = $0} END {print n + 0 (s ? " (" s ")" : "")}' "$out")"
    last_out=$out
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# versus LABEL URL: rounds of magnet's lookups and nginx alternating (the
# machine's noise hits both alike), then the medians and their ratio
versus() {
    local i mm nn m=() n=()
    for i in $(seq "$rounds"); do
        run "$1 (round $i)" "$2" "$work/ent.lua"
        m+=("$(rps "$last_out")")
        run "nginx static, $size bytes (round $i)" "http://127.0.0.1:$nport/ent.json"
        n+=("$(rps "$last_out")")
    done
    mm=$(printf '%s\n' "${m[@]}" | median)
    nn=$(printf '%s\n' "${n[@]}" | median)
    awk -v l="$1" -v a="$mm" -v b="$nn" \
        'BEGIN { printf "%-26s median %.0f req/s, nginx %.0f req/s: %.2fx nginx\n", l, a, b, a / b }' |
        tee -a "$work/summary"
}

# the same bytes from nginx
uscc=$(head -1 "$work/usccs.txt")
curl -s -H "Authorization: Bearer $(cat "$work/viewer.token")" "$base/api/enterprises/$uscc" \
    >"$work/ent.json"
size=$(wc -c <"$work/ent.json")
mkdir -p "$work/www" "$work/nginx"
cp "$work/ent.json" "$work/www/ent.json"
chmod 711 "$work"; chmod 755 "$work/www"; chmod 644 "$work/www/ent.json"  # nginx workers are not root
nport=$((port + 1))
cat >"$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nport; root $work/www; default_type application/json; }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5

echo "wrk: 2 threads, $conns connections, ${secs} s a run, $rounds rounds;" \
     "reply of GET /api/enterprises/:uscc: $size bytes; load $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/summary"
# the reply cache off: a second server on the same store
start_server nocache --db "$work/bench.db" --home 330106 --data-dir "$work/files2" \
    --set access_log=off --set max_connections=1024 --set ent_cache=0 ||
    { cat "$work/nocache.log"; exit 1; }
versus "lookup, reply cache off" "http://127.0.0.1:$(server_port nocache)/"
stop_server nocache
versus "lookup, default settings" "$base/"
run "GET /healthz" "$base/healthz"
run "screening (10 queries)" "$base/" "$work/screen.lua"
echo "screening, a mix of 10 queries: $(rps "$last_out") req/s" >>"$work/summary"
run "mixed r/w, 64 conns, ${BENCH_MIXED_SECONDS:-60} s" "$base/" "$work/mixed.lua" "${BENCH_MIXED_SECONDS:-60}"
awk '/Requests\/sec/ {r = $2} /Non-2xx/ {e += $NF} /Socket errors/ {s = $0}
     $1 == "99%" {p = $2} END {printf "mixed read/write: %s req/s, p99 %s, %d non-2xx%s\n", r, p, e,
     s ? ", " s : ", no socket errors"}' "$last_out" >>"$work/summary"
curl -s "$base/metrics" | grep -E '^magnet_index_(enterprises|bytes_total) '
echo
echo "summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)):"
cat "$work/summary"
