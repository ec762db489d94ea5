#!/bin/sh
# run.sh: `make bench`.  Runs bench-store on BENCH_N parties (default
# 1,000,000) in a scratch folder under /tmp (removed afterwards), then
# bench-client (clients through clerkd: import, round trips and
# BENCH_CLIENTS clients editing, default 64, twice for
# BENCH_CLIENT_SECONDS, default 60: paced, with a mean think time of
# BENCH_THINK_MS, default 50, and sets on BENCH_HOT parties, default
# 100; then saturating, with no think time), prints their tables and
# writes them, with the machine and the date once, into
# tests/bench/RESULTS.md (or BENCH_RESULTS).  The client part takes the
# import (minutes at 1,000,000 rows) plus twice BENCH_CLIENT_SECONDS.
# BENCH_WHAT=store or client runs one part; tui the terminal
# interface's part (see tui_bench below); query the query engine's (see
# query_bench below).  A part replaces its own section of the results
# file and keeps the others.  Called from the build folder with
# top_srcdir and top_builddir set by the Makefile.
set -eu

: "${top_srcdir:?run me through make bench}"
: "${top_builddir:=.}"
n=${BENCH_N:-1000000}
results=${BENCH_RESULTS:-$top_srcdir/tests/bench/RESULTS.md}
prog=$top_builddir/tests/bench/bench-store
client=$top_builddir/tests/bench/bench-client
what=${BENCH_WHAT:-all}
case $what in
all|store|client|tui|query) ;;
*) echo "bench: BENCH_WHAT is store, client, tui, query or all, not '$what'" >&2
   exit 2 ;;
esac

tmp=$(mktemp -d /tmp/clerk-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

# put_section TITLE FILE: the section of the results file whose heading
# starts with "# TITLE" becomes FILE's text, where it was (or at the
# end, after one blank line); the other sections stay as they were.
put_section() {
	touch "$results"
	awk -v title="# $1" -v file="$2" '
		function put() {
			while ((getline line < file) > 0)
				print line
			close(file)
			done = 1
		}
		index($0, title) == 1 && !done {
			put(); skip = 1; next
		}
		/^# / && skip { skip = 0; print "" }
		!skip { print }
		END {
			if (!done) {
				if (NR > 0)
					print ""
				put()
			}
		}' "$results" >"$results.tmp"
	# No run of blank lines, none at the end.
	cat -s "$results.tmp" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' \
	    >"$results.tmp2"
	rm -f "$results.tmp"
	mv "$results.tmp2" "$results"
}

# The terminal interface (bench-tui: clerk --headless driven by a key
# script on BENCH_N parties): its section, "# TUI benchmark", is
# replaced in the results file (or added at its end), the rest kept.
# BENCH_WHAT=tui runs it alone; all runs it last.  BENCH_TUI_DIR (with
# BENCH_REUSE=1) keeps its database there to time the keys again.
# Each part begins with what the parts before wrote on disk (sync): run
# right after the server's part, whose gigabytes were still being written
# back, the TUI's searches twice waited 10-11 ms on the server, which
# they never did in a run of their own.
tui_bench() {
	sync
	tuidir=${BENCH_TUI_DIR:-$tmp/tui}
	echo "bench: the TUI's keys on $n parties in $tuidir" >&2
	st=0
	"$top_builddir/tests/bench/bench-tui" "$n" "$tuidir" \
	    "$top_builddir/clerk" >"$tmp/tui.md" || st=$?
	if [ "$st" -ne 0 ]; then
		{
			echo "# TUI benchmark: keystrokes on a list and a card"
			echo
			echo "bench-tui FAILED (exit status $st); its messages" \
			    "went to the terminal."
		} >"$tmp/tui.md"
	fi
	{
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine:" \
		    "$(uname -m), $(nproc) cores; load average (1, 5, 15 min)" \
		    "after: $(cut -d ' ' -f 1-3 /proc/loadavg); clerk:" \
		    "$(git -C "$top_srcdir" rev-parse --short HEAD 2>/dev/null ||
		    echo unknown)"
	} >>"$tmp/tui.md"
	cat "$tmp/tui.md"
	put_section "TUI benchmark" "$tmp/tui.md"
	echo "bench: the TUI's section written to $results" >&2
}
if [ "$what" = tui ]; then
	tui_bench
	exit 0
fi

# The query engine against SQLite (bench-query, issue 4 section 5) on
# BENCH_N parties and BENCH_INVOICES invoice-like records (default
# 5,000,000; loading them into both engines takes long at full size):
# its section, "# Query benchmark", is replaced in the results file (or
# added at its end), the rest kept.  BENCH_WHAT=query runs it alone;
# all runs it after the server's part.  BENCH_QUERY_DIR (with
# BENCH_REUSE=1) keeps the loaded data there to time the queries again.
query_bench() {
	sync
	inv=${BENCH_INVOICES:-5000000}
	qdir=${BENCH_QUERY_DIR:-$tmp/query}
	echo "bench: the query engine on $n parties and $inv invoices in" \
	    "$qdir" >&2
	mkdir -p "$qdir"
	ld=$(cut -d ' ' -f 1-3 /proc/loadavg)
	{
		echo "# Query benchmark: the query engine against SQLite"
		echo
	} >"$tmp/query.md"
	st=0
	CLERK_FORMS=${CLERK_FORMS:-$top_srcdir/forms} \
	    "$top_builddir/tests/bench/bench-query" "$n" "$inv" \
	    "$qdir" >>"$tmp/query.md" || st=$?
	if [ "$st" -ne 0 ]; then
		echo "bench-query FAILED (exit status $st); its messages" \
		    "went to the terminal." >>"$tmp/query.md"
	fi
	[ -n "${BENCH_QUERY_DIR:-}" ] || rm -rf "$qdir"
	{
		echo
		echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine:" \
		    "$(uname -m), $(nproc) cores; load average (1, 5, 15 min)" \
		    "before: $ld; after: $(cut -d ' ' -f 1-3 /proc/loadavg);" \
		    "clerk: $(git -C "$top_srcdir" rev-parse --short HEAD \
		    2>/dev/null || echo unknown)"
	} >>"$tmp/query.md"
	cat "$tmp/query.md"
	put_section "Query benchmark" "$tmp/query.md"
	echo "bench: the query engine's section written to $results" >&2
}
if [ "$what" = query ]; then
	query_bench
	exit 0
fi

sync
load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
if [ "$what" != client ]; then
	echo "bench: $n parties in $tmp" >&2
	"$prog" "$n" "$tmp/data" >"$tmp/tables.md"
	cat "$tmp/tables.md"
fi
load1=$(cut -d ' ' -f 1-3 /proc/loadavg)

# The server's part: a failure of it is reported in its section and
# does not lose the storage figures above.
if [ "$what" != store ]; then
	sync
	echo "bench: clients through clerkd, $n parties in $tmp/client" >&2
	{
		echo "# Server benchmark: clerk clients through clerkd"
		echo
		echo "Load average (1, 5, 15 min) before this part: $load1;" \
		    "after: @LOAD2@."
		echo
	} >"$tmp/client.md"
	st=0
	"$client" "$n" "$tmp/client" >>"$tmp/client.md" || st=$?
	if [ "$st" -ne 0 ]; then
		echo "bench-client FAILED (exit status $st); its messages" \
		    "went to the terminal." >>"$tmp/client.md"
	fi
	load2=$(cut -d ' ' -f 1-3 /proc/loadavg)
	sed "s/@LOAD2@/$load2/" "$tmp/client.md" >"$tmp/client.md.tmp"
	mv "$tmp/client.md.tmp" "$tmp/client.md"
	cat "$tmp/client.md"
fi

cpu=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
ram=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
fs=$(df -T /tmp 2>/dev/null | awk 'NR == 2 { print $2 }')
rev=$(git -C "$top_srcdir" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$top_srcdir" status --porcelain -- src 2>/dev/null | head -n 1)
[ -n "$dirty" ] && rev="$rev (src/ with uncommitted changes)"
cc=$(${CC:-cc} --version 2>/dev/null | head -n 1)
bdb=$(dpkg-query -W -f '${Version}' libdb5.3 2>/dev/null || echo unknown)

{
	if [ "$what" != client ]; then
		echo "# Storage benchmark: clerk's store against SQLite"
	else
		echo "# Server benchmark: clerk clients through clerkd"
	fi
	echo
	echo "Written by \`make bench\` (tests/bench/run.sh); do not edit by hand."
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(uname -srm); ${cpu:-unknown CPU}, $(nproc) cores, $ram RAM"
	echo "- scratch folder on: ${fs:-unknown} (/tmp)"
	echo "- load average (1, 5, 15 min) before: $load0; after: $load1"
	echo "- clerk: $rev; Berkeley DB $bdb; $cc; CFLAGS ${BENCH_CFLAGS:-unknown}"
	echo
	if [ "$what" != client ]; then
		cat "$tmp/tables.md"
	fi
	if [ "$what" = client ]; then
		# The title is already at the top.
		tail -n +3 "$tmp/client.md"
	fi
} >"$tmp/part.md"
# Each part replaces its own section: a run of one part keeps the
# others' figures.
if [ "$what" = client ]; then
	put_section "Server benchmark" "$tmp/part.md"
else
	put_section "Storage benchmark" "$tmp/part.md"
fi
[ "$what" = all ] && put_section "Server benchmark" "$tmp/client.md"
echo "bench: results written to $results" >&2
[ "$what" = all ] && query_bench
[ "$what" = all ] && tui_bench
exit 0
