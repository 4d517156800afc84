#!/usr/bin/env bash
# make demo: a believable district on the embedded store.
#
# Generates about 1,000,000 enterprises across China with a realistic Xihu
# (杭州市西湖区, 330106) population, imports them into demo.db through the
# real importer (reused when it already exists), and shows the district.
# DEMO_COUNT overrides the size. Then it creates the demo accounts (when
# missing) and serves the HTTP API (and the web UI, when web/ exists) on
# DEMO_LISTEN (default 127.0.0.1:8080) until Ctrl-C; DEMO_SERVE=0 skips that.
set -eu
cd "$(dirname "$0")/.."
bin=./build/magnet
db=${DEMO_DB:-demo.db}
count=${DEMO_COUNT:-1000000}

if [ -s "$db" ] && $bin stats --db "$db" --json >/dev/null 2>&1; then
    echo "reusing $db (delete it to regenerate)"
else
    rm -f "$db" "$db-wal" "$db-shm"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "generating $count enterprises (seed 1, home 330106 西湖区)..."
    start=$(date +%s)
    $bin gen --count "$count" --seed 1 --home 330106 -o "$tmp/demo.csv" -q
    echo "importing into $db..."
    $bin import enterprises "$tmp/demo.csv" --db "$db"
    echo "done in $(( $(date +%s) - start )) s"
fi

echo
$bin stats --db "$db" | head -24
echo
echo "one enterprise of the home district (a high-tech firm in a priority chain):"
uscc=$(sqlite3 "$db" "SELECT e.uscc FROM ent e JOIN ent_node n ON n.ent_id = e.id
                      WHERE e.region = '330106' AND e.tags_text LIKE '%hightech%'
                        AND n.node NOT LIKE 'digital_economy/%'
                      ORDER BY e.capital DESC LIMIT 1")
[ -n "$uscc" ] || uscc=$(sqlite3 "$db" "SELECT uscc FROM ent WHERE region = '330106' ORDER BY capital DESC LIMIT 1")
$bin show "$uscc" --db "$db"
echo
echo "screening: active AI-chain firms in Zhejiang outside Hangzhou, best first:"
$bin screen 'track:人工智能 region:浙江 -region:3301 status:active' --limit 10 --home 330106 --db "$db"
echo
echo "Try: ./magnet screen 'name:智能 capital>=1000 founded>=2015 sort:capital' --db $db"
echo "     ./magnet screen 'region:330106 tag:高新' --explain --facets division,tag --db $db"
echo "     ./magnet show <USCC or name> --db $db     ./magnet chains --db $db"
echo "     ./magnet classify --explain $uscc --db $db     ./magnet export enterprises -o out.xlsx --db $db"

[ "${DEMO_SERVE:-1}" = 0 ] && exit 0

# Demo accounts, one per role (made once; the passwords are for the demo only).
listen=${DEMO_LISTEN:-127.0.0.1:8080}
logins=""
for spec in admin:admin:demo-admin-pass staff:staff:demo-staff-pass leader:leader:demo-leader-pass \
            viewer:viewer:demo-viewer-pass; do
    IFS=: read -r name role pass <<<"$spec"
    if ! $bin user ls --json --db "$db" 2>/dev/null | grep -q "\"name\": *\"$name\""; then
        echo "$pass" | $bin user add "$name" --role "$role" --password-stdin --db "$db" >/dev/null
    fi
    logins="$logins  $name / $pass ($role)\n"
done
web=()
[ -d web ] && web=(--web web)

echo
echo "serving the demo on http://$listen/ (Ctrl-C stops it)"
printf 'demo logins (name / password):\n%b' "$logins"
echo "  log in:  curl -c jar -H 'Content-Type: application/json' -d '{\"name\":\"staff\",\"password\":\"demo-staff-pass\"}' http://$listen/api/session"
echo "  screen:  curl -b jar 'http://$listen/api/enterprises?q=region:330106%20tag:hightech&limit=5'"
echo "  the API: http://$listen/api/openapi.json (docs/api.md)"
exec $bin serve --db "$db" --listen "$listen" --home 330106 --data-dir build/demo-files "${web[@]}"
