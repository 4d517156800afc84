#!/usr/bin/env bash
# Install the Debian 12 packages Magnet builds, tests and runs with, when any
# is missing. Used by `make` (the deps target) and by .ci/run. Safe to rerun.
# With the argument "bench", also the peers of `make bench-http` (wrk, nginx).
set -eu
pkgs=(
    build-essential clang pkg-config make
    libsqlite3-dev sqlite3
    libmicrohttpd-dev libjansson-dev
    libxlsxwriter-dev libminizip-dev zlib1g-dev libexpat1-dev
    libutf8proc-dev libroaring-dev libargon2-dev libssl-dev
    libcmocka-dev libclang-rt-14-dev libhyperscan-dev
    jq procps time bc curl python3
)
# `tools/install-deps.sh bench`: also what the benchmarks compare against
[ "${1:-}" = bench ] && pkgs+=(wrk nginx-light)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null; then
    SUDO=sudo
else
    echo "magnet needs these Debian packages: ${missing[*]}" >&2
    echo "run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
