#!/usr/bin/env bash
# wait-job.sh ID: poll GET /api/imports/ID until the job has finished
# (at most 60 s) and print its state. Needs BASE and TOKEN_admin.
set -u
for _ in $(seq 600); do
    s=$(curl -s -H "Authorization: Bearer $TOKEN_admin" "$BASE/api/imports/$1" | jq -r .state)
    case "$s" in queued|running) sleep 0.1 ;; *) echo "$s"; exit 0 ;; esac
done
echo "still $s after 60 s"
exit 1
