#!/usr/bin/env bash
# The role matrix over the whole route table (magnet serve --routes): every
# route is called by an anonymous client and by each role (with its API
# token), and the answer must follow the table:
#   not public, no credentials     -> 401
#   the role is not in the route's  -> 403
#   otherwise                       -> neither 401 nor 403
# Writes are sent with bodies the handlers refuse (an unknown field, no
# upload) and path parameters that name nothing, so that an allowed call
# changes nothing: what matters is that it got past the check.
# Needs BASE, ROUTES, USCC1 and TOKEN_<role> (tests/api/run.sh).
set -u
roles=(anon admin staff leader dept viewer)
checked=0 bad=0
while IFS=$'\t' read -r method pattern public allowed; do
    path=$pattern
    path=${path//:uscc/$USCC1}
    path=${path//:name/no-such-name-zz}
    path=${path//:id/999999}
    path=${path//:track/ai}
    for role in "${roles[@]}"; do
        args=(-X "$method")
        [ "$method" = GET ] || args+=(-H 'Content-Type: application/json' --data-binary '{"zz_unknown":1}')
        if [ "$role" != anon ]; then
            v="TOKEN_$role"
            args+=(-H "Authorization: Bearer ${!v}")
        fi
        got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${args[@]}" "$BASE$path")
        if [ "$public" = true ]; then
            want="any"
        elif [ "$role" = anon ]; then
            want=401
        elif [[ ",$allowed," == *",$role,"* ]]; then
            want="allowed"
        else
            want=403
        fi
        case "$want" in
            any) ok=1 ;;
            allowed) [ "$got" != 401 ] && [ "$got" != 403 ] && ok=1 || ok=0 ;;
            *) [ "$got" = "$want" ] && ok=1 || ok=0 ;;
        esac
        checked=$((checked + 1))
        if [ $ok = 0 ]; then
            echo "$method $pattern as $role: got $got, expected $want"
            bad=$((bad + 1))
        fi
    done
done < <(jq -r '.[] | [.method, .pattern, (.public | tostring), (.roles | join(","))] | @tsv' "$ROUTES")
echo "role matrix: $checked calls, $bad wrong"
[ $bad -eq 0 ]
