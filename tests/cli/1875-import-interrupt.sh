#!/bin/sh
# 1875: Ctrl-C (SIGINT) during an import line by line imports nothing;
# a bulk load, which goes on once begun, says so on the terminal before
# it begins, and an interrupted one leaves all of the file or none.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

rows=20000
awk -v n=$rows -f "$top_srcdir/tests/data/gen-parties.awk" >"$T/big.csv"

# Line by line: the table holds a record.
clerk add party name='Клиент до импорта' >/dev/null
# A non-interactive shell's background commands ignore SIGINT: env(1)
# gives it back, so the client takes it as a terminal's Ctrl-C.
if ! env --default-signal=INT true 2>/dev/null; then
	echo "1..0 # SKIP no env --default-signal (coreutils 8.31)"
	exit 0
fi
base=1
for m in 0.1 0.3 0.6; do
	env --default-signal=INT "$CLERK_BIN" import party "$T/big.csv" \
	    >"$T/out" 2>&1 &
	pid=$!
	sleep $m
	kill -INT $pid 2>/dev/null
	wait $pid
	rc=$?
	n=$(count_rows party)
	if [ "$rc" -eq 0 ]; then
		# Done before the signal: all of it.
		is "$n" "$((base + rows))" "SIGINT at $m s came late: all rows"
	elif [ "$n" -eq "$((base + rows))" ]; then
		# During the commit itself (a loaded machine): too late,
		# but all of it.
		ok 0 "SIGINT at $m s came during the commit: all rows"
	else
		is "$n" "$base" "SIGINT at $m s: nothing imported (exit $rc)"
	fi
	base=$n
done

if command -v script >/dev/null 2>&1; then
	script -qc "'$CLERK_BIN' import party '$T/big.csv' --dry-run" \
	    /dev/null >"$T/tty.out" 2>&1
	unlike "$(cat "$T/tty.out")" "in bulk" \
	    "a dry run says nothing of a bulk load"
	export CLERK_DIR="$T/bulk"
	script -qc "'$CLERK_BIN' import party '$T/big.csv'" /dev/null \
	    >"$T/tty.out" 2>&1
	like "$(cat "$T/tty.out")" "importing $rows rows in bulk: once begun, it goes on to its end even if interrupted" \
	    "a bulk load says on the terminal that Ctrl-C will not stop it"
	is "$(count_rows party)" "$rows" "and imports the file"
	export CLERK_DIR="$T/data"
	script -qc "'$CLERK_BIN' import party '$T/big.csv'" /dev/null \
	    >"$T/tty.out" 2>&1
	like "$(cat "$T/tty.out")" "importing $rows rows" \
	    "line by line: the plain progress"
	unlike "$(cat "$T/tty.out")" "in bulk" "without the bulk note"
else
	for i in 1 2 3 4 5; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP no script(1) for a terminal"
	done
fi

done_testing
