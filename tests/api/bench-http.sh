#!/usr/bin/env bash
# bench-http.sh - the HTTP server under load, with wrk, on loopback:
#
#   1. GET /api/enterprises/:uscc (random USCCs of the store, Bearer token)
#      against nginx serving a static JSON file of the same size, in one run;
#   2. screening requests per second (a mix of queries, limit 20);
#   3. a mixed read/write run at 64 connections: 85% enterprise lookups, 10%
#      screening, 5% list saves (replacing one of a few lists: delete,
#      snapshot and audit row in one transaction), reporting errors and p99.
#
#   tests/api/bench-http.sh [BINARY]      (BENCH_DB: a store, default demo.db,
#                                          copied first; BENCH_SECONDS: 15)
# Needs wrk and nginx (apt-get install wrk nginx-light). The store is copied
# (sqlite3 .backup), so demo.db is not touched.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/magnet}")
src=${BENCH_DB:-$root/demo.db}
secs=${BENCH_SECONDS:-15}
conns=${BENCH_CONNECTIONS:-64}
command -v wrk >/dev/null || { echo "bench-http: wrk is not installed (apt-get install wrk)"; exit 1; }
[ -s "$src" ] || { echo "bench-http: no store at $src (make demo builds demo.db)"; exit 1; }

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
function enterprise()
  return wrk.format("GET", "/api/enterprises/" .. ids[math.random(#ids)],
                    { ["Authorization"] = "Bearer " .. viewer })
end
function screen()
  return wrk.format("GET", "/api/enterprises?limit=20&q=" .. queries[math.random(#queries)],
                    { ["Authorization"] = "Bearer " .. viewer })
end
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

run() {  # run LABEL URL SCRIPT [DURATION]
    local out
    out="$work/$(printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_').out"
    wrk -t2 -c"$conns" -d"${4:-$secs}s" --latency ${3:+-s "$3"} "$2" >"$out" 2>&1
    printf '%-28s %10s req/s   p50 %-9s p99 %-9s errors %s\n' "$1" \
        "$(awk '/Requests\/sec/ {print $2}' "$out")" \
        "$(awk '$1 == "50%" {print $2}' "$out")" "$(awk '$1 == "99%" {print $2}' "$out")" \
        "$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {s = $0} END {print n + 0 (s ? " (" s ")" : "")}' "$out")"
}

# the same bytes from nginx
uscc=$(head -1 "$work/usccs.txt")
curl -s -H "Authorization: Bearer $(cat "$work/viewer.token")" "$base/api/enterprises/$uscc" \
    >"$work/ent.json"
size=$(wc -c <"$work/ent.json")
if command -v nginx >/dev/null; then
    mkdir -p "$work/www" "$work/nginx"
    cp "$work/ent.json" "$work/www/ent.json"
    chmod 711 "$work"; chmod 755 "$work/www"; chmod 644 "$work/www/ent.json"  # nginx workers are not root
    nport=$((port + 1))
    cat >"$work/nginx.conf" <<EOF
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
EOF
    nginx -c "$work/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    sleep 0.5
fi

echo "wrk: 2 threads, $conns connections, ${secs} s each; reply of GET /api/enterprises/:uscc: $size bytes"
run "GET /api/enterprises/:uscc" "$base/" "$work/ent.lua"
if [ -n "$nginx_pid" ]; then
    run "nginx static ($size bytes)" "http://127.0.0.1:$nport/ent.json"
fi
run "GET /healthz" "$base/healthz"
run "screening (10 queries)" "$base/" "$work/screen.lua"
conns=64
run "mixed r/w, 64 conns, 60 s" "$base/" "$work/mixed.lua" "${BENCH_MIXED_SECONDS:-60}"
if [ -n "$nginx_pid" ]; then
    awk -v a="$(awk '/Requests\/sec/ {print $2}' "$work/GET__api_enterprises__uscc.out")" \
        -v b="$(awk '/Requests\/sec/ {print $2}' "$work"/nginx_static*.out)" \
        'BEGIN { printf "enterprise lookup / nginx: %.2fx\n", a / b }'
fi
curl -s "$base/metrics" | grep -E '^magnet_index_(enterprises|bytes_total) '
