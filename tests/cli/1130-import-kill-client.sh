#!/bin/sh
# 1130: a client killed (SIGKILL) at random moments of a 100,000-row
# import (sending the file, the server checking it, inserting) leaves the
# table with all of it or none, every time; then the whole import runs
# to the end in one transaction and its rate is reported.
# CLERK_SLOW=0 (the sanitizer build): 20,000 rows and 3 kills.
# CLERK_SEED replays the moments.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

kill_import_setup 10

# Kill moments in the first 3 seconds: the send, the checks and the start
# of the insert (the whole import takes several times that).
awk -v s="$seed" -v k=$kills 'BEGIN {
	srand(s)
	for (i = 0; i < k; i++)
		printf "%.2f\n", rand() * 3
}' >"$T/moments"

round=0
for m in $(cat "$T/moments"); do
	round=$((round + 1))
	"$CLERK_BIN" import party "$T/big.csv" >"$T/out" 2>&1 &
	pid=$!
	sleep "$m"
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	# The next client waits for the server to abort what the killed
	# one left (it holds the table's locks until then).
	n=$(count_rows party)
	if [ "$n" -eq "$base" ] || [ "$n" -eq $((base + rows)) ]; then
		ok 0 "kill $round at ${m} s: $((n - base)) rows, all or none"
	else
		ok 1 "kill $round at ${m} s: all or none"
		diag "$n parties, want $base or $((base + rows))"
	fi
	base=$n
done

timed_import "the whole import"
is "$(count_rows party)" "$((base + rows))" "every row is there"
run list party --sort -id --limit 1 --format tsv
like "$out" "Иванов Иван $rows" "the last is the file's last row"

done_testing
