#!/bin/sh
# run.sh: `make bench`.  Runs bench-store on BENCH_N parties (default
# 1,000,000) in a scratch folder under /tmp (removed afterwards), prints
# its tables and writes them, with the machine and the date, into
# tests/bench/RESULTS.md (or BENCH_RESULTS).  Called from the build
# folder with top_srcdir and top_builddir set by the Makefile.
set -eu

: "${top_srcdir:?run me through make bench}"
: "${top_builddir:=.}"
n=${BENCH_N:-1000000}
results=${BENCH_RESULTS:-$top_srcdir/tests/bench/RESULTS.md}
prog=$top_builddir/tests/bench/bench-store

tmp=$(mktemp -d /tmp/clerk-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "bench: $n parties in $tmp" >&2
load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
"$prog" "$n" "$tmp/data" >"$tmp/tables.md"
load1=$(cut -d ' ' -f 1-3 /proc/loadavg)
cat "$tmp/tables.md"

cpu=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
ram=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
fs=$(df -T /tmp 2>/dev/null | awk 'NR == 2 { print $2 }')
rev=$(git -C "$top_srcdir" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$top_srcdir" status --porcelain -- src 2>/dev/null | head -n 1)
[ -n "$dirty" ] && rev="$rev (src/ with uncommitted changes)"
cc=$(${CC:-cc} --version 2>/dev/null | head -n 1)
bdb=$(dpkg-query -W -f '${Version}' libdb5.3 2>/dev/null || echo unknown)

{
	echo "# Storage benchmark: clerk's store against SQLite"
	echo
	echo "Written by \`make bench\` (tests/bench/run.sh); do not edit by hand."
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(uname -srm); ${cpu:-unknown CPU}, $(nproc) cores, $ram RAM"
	echo "- scratch folder on: ${fs:-unknown} (/tmp)"
	echo "- load average (1, 5, 15 min) before: $load0; after: $load1"
	echo "- clerk: $rev; Berkeley DB $bdb; $cc; CFLAGS ${BENCH_CFLAGS:-unknown}"
	echo
	cat "$tmp/tables.md"
} >"$results.tmp"
mv "$results.tmp" "$results"
echo "bench: results written to $results" >&2
