#!/bin/sh
# 1140: the server killed (SIGKILL) at random moments of a 100,000-row
# import: the client says so and exits 1, the next clerk starts a new
# server that recovers, the table holds all of the import or none of it,
# and with the server stopped, db_verify ($DB_VERIFY) accepts every file
# of the data folder.  Then an import runs to the end on the recovered
# database.  The same kills then hit imports into an empty table, bulk
# loads in a bulk transaction (DB_TXN_BULK: the pages they add are not
# logged but written at the commit): all or none again, every file
# verifies.  CLERK_SLOW=0: 20,000 rows, 3 kills.  CLERK_SEED replays.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

verify=${DB_VERIFY:-$(command -v db5.3_verify)}
if [ -z "$verify" ]; then
	echo "1..0 # SKIP no db5.3_verify"
	exit 0
fi

kill_import_setup 5

# Every database file of the (stopped) server's folder; 0 if all pass.
verify_all() {
	_bad=0
	_n=0
	for _f in "$CLERK_DIR"/*.db; do
		_n=$((_n + 1))
		"$verify" -q -h "$CLERK_DIR" "$(basename "$_f")" >"$T/verify" 2>&1 ||
		    { _bad=$((_bad + 1)); diag "$(basename "$_f"): $(cat "$T/verify")"; }
	done
	[ "$_n" -gt 10 ] || { diag "only $_n files"; _bad=1; }
	return $_bad
}

stop_server() {
	_pid=$(server_pid)
	[ -n "$_pid" ] || return 0
	kill -TERM "$_pid"
	wait_gone "$_pid" 300
}

awk -v s="$seed" -v k=$kills 'BEGIN {
	srand(s)
	for (i = 0; i < k; i++)
		printf "%.2f\n", 0.2 + rand() * 2.8
}' >"$T/moments"

# kill_during_import M: a server to kill (the last round stopped it),
# the big import sent to it, the server killed M seconds in.  Sets
# $server (the one killed) and $rc (the client's status); 1 when no
# server started.
kill_during_import() {
	clerk help >/dev/null
	server=$(server_pid)
	[ -n "$server" ] || return 1
	"$CLERK_BIN" import party "$T/big.csv" >"$T/out" 2>&1 &
	_pid=$!
	sleep "$1"
	kill -KILL "$server"
	wait $_pid
	rc=$?
	return 0
}

round=0
for m in $(cat "$T/moments"); do
	round=$((round + 1))
	kill_during_import "$m" ||
	    { ok 1 "round $round: a server runs"; continue; }
	if [ $rc -eq 1 ] && grep -q "server closed the connection" "$T/out"; then
		ok 0 "kill $round at ${m} s: the client says the server went away"
	elif [ $rc -eq 0 ]; then
		ok 0 "kill $round at ${m} s: the import was over first"
	else
		ok 1 "kill $round at ${m} s: the client's message"
		diag "status $rc: $(cat "$T/out")"
	fi
	n=$(count_rows party)
	new=$(server_pid)
	if [ -n "$new" ] && [ "$new" != "$server" ]; then
		ok 0 "round $round: the next clerk started a new server"
	else
		ok 1 "round $round: a new server"
	fi
	if [ "$n" -eq "$base" ] || [ "$n" -eq $((base + rows)) ]; then
		ok 0 "round $round: $((n - base)) rows after recovery, all or none"
	else
		ok 1 "round $round: all or none"
		diag "$n parties, want $base or $((base + rows))"
	fi
	base=$n
	stop_server
	verify_all
	ok $? "round $round: db_verify accepts every file"
done

awk -v n=2000 -f "$top_srcdir/tests/data/gen-parties.awk" >"$T/small.csv"
run import party "$T/small.csv"
status 0 "an import on the recovered database"
is "$(count_rows party)" "$((base + 2000))" "adds all its rows"
stop_server
verify_all
ok $? "and db_verify accepts every file after it"

# Into an empty table (a folder of its own, made again after a load that
# was over first): a bulk load.  Timed first, whole, so that the kills
# fall anywhere in it, its transaction and commit too (a kill before
# 3 s misses the transaction of 100,000 rows).
CLERK_DIR="$T/bulk"
clerk help >/dev/null
_t0=$(date +%s%N)
run import party "$T/big.csv"
_t1=$(date +%s%N)
status 0 "a bulk load of $rows rows into an empty table"
diag "bulk load of $rows rows: $(((_t1 - _t0) / 1000000)) ms"
stop_server
rm -rf "$CLERK_DIR"
awk -v s="$seed" -v k=$kills -v ms=$(((_t1 - _t0) / 1000000)) 'BEGIN {
	srand(s + 1)
	for (i = 0; i < k; i++)
		printf "%.2f\n", (0.2 + rand() * 0.8) * ms / 1000
}' >"$T/moments"
round=0
for m in $(cat "$T/moments"); do
	round=$((round + 1))
	kill_during_import "$m" ||
	    { ok 1 "bulk $round: a server runs"; continue; }
	n=$(count_rows party)
	if [ "$n" -eq 0 ] || [ "$n" -eq "$rows" ]; then
		ok 0 "bulk $round, kill at ${m} s: $n rows after recovery, all or none"
	else
		ok 1 "bulk $round: all or none"
		diag "$n parties, want 0 or $rows"
	fi
	stop_server
	verify_all
	ok $? "bulk $round: db_verify accepts every file"
	[ "$n" -eq 0 ] || rm -rf "$CLERK_DIR"
done

done_testing
