#!/usr/bin/env bash
# Keyword-matcher throughput: Magnet's matcher (src/chain/match.c) against
# Hyperscan and a naive memmem loop, on the names and business scopes of
# generated enterprises. See bench/classify_bench.c for what is measured and
# why it is fair.
#
#   bench/classify.sh [COUNT]      default 1,000,000 enterprises; the issue's
#                                  figure is 10,000,000 (streamed in chunks)
#
# Needs libhyperscan-dev. Builds build/libmagnet.a if needed, then the bench
# program against it. Prints a markdown table and writes it to
# bench/out/classify-COUNT.md; docs/benchmarks.md quotes it.
set -eu
cd "$(dirname "$0")/.."
count=${1:-1000000}
out=bench/out
mkdir -p "$out"

if [ ! -e /usr/include/hs/hs.h ]; then
    echo "classify.sh: Hyperscan headers missing: apt-get install libhyperscan-dev" >&2
    exit 1
fi
make -s build/libmagnet.a

# the Makefile's own flags, so that the bench links like the binary does
ldlibs=$(make -np 2>/dev/null | sed -n 's/^LDLIBS *= *//p' | head -1)
bin=build/bench/classify_bench
mkdir -p "$(dirname "$bin")"
${CC:-cc} -std=c11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE -Isrc \
    -o "$bin" bench/classify_bench.c build/libmagnet.a -lhs $ldlibs

"$bin" --count "$count" | tee "$out/classify-$count.md"
