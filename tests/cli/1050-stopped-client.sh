#!/bin/sh
# 1050: a client stopped (SIGSTOP) in the middle of sending a request
# holds up no one: other clients' writes and reads complete at once;
# when it continues it finishes; a client killed there costs only its
# own connection.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# Wait up to 5 s for process $1 to be stopped.
wait_stopped() {
	_i=0
	while [ $_i -lt 50 ]; do
		case $(proc_state "$1") in T*) return 0 ;; esac
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

ms() {
	echo $(($(date +%s%N) / 1000000))
}

run add party name=Первый
status 0 "a server with one record"
server=$(server_pid)

"$CLERK_BIN" --stop-mid-request add party name=Остановленный \
    >"$T/stopped.out" 2>"$T/stopped.err" &
stopped=$!
wait_stopped $stopped
ok $? "a client stops itself halfway through its request"

t0=$(ms)
run add party name=Второй
status 0 "another client adds meanwhile"
run list party --format tsv
status 0 "and lists"
t1=$(ms)
like "$out" "Второй" "seeing its record"
unlike "$out" "Остановленный" "not the half-sent one"
diag "add and list took $((t1 - t0)) ms"
ok "$([ $((t1 - t0)) -lt 3000 ]; echo $?)" "both complete at once (< 3 s)"

kill -CONT $stopped
wait $stopped
is "$?" "0" "the stopped client continues and finishes"
is "$(cat "$T/stopped.out")" "3" "its record got the next id"
is "$(count_rows party)" "3" "all three are there"

"$CLERK_BIN" --stop-mid-request set party 1 city=Тула >/dev/null 2>&1 &
victim=$!
wait_stopped $victim
kill -KILL $victim
wait $victim 2>/dev/null
run show party 1 --format json
status 0 "after a client was killed mid-request, others work"
unlike "$out" "Тула" "and its half request did nothing"
is "$(server_pid)" "$server" "the same server serves on"

# The server stops cleanly on SIGTERM though a stopped client holds a
# half-sent request; that client, continued, fails with a message.
"$CLERK_BIN" --stop-mid-request add party name=Поздний \
    >"$T/late.out" 2>"$T/late.err" &
late=$!
wait_stopped $late
kill -TERM "$server"
wait_gone "$server" 100
ok $? "SIGTERM stops the server with a stopped client connected"
kill -CONT $late
wait $late
is "$?" "1" "the client then fails"
like "$(cat "$T/late.err")" "clerk: " "with a message"
diag "$(cat "$T/late.err")"

# The server killed while a client waits: the client does not hang.
run list party --format tsv
server=$(server_pid)
"$CLERK_BIN" --stop-mid-request show party 1 >/dev/null 2>"$T/k.err" &
k=$!
wait_stopped $k
kill -KILL "$server"
wait_gone "$server" 50
kill -CONT $k
wait $k
is "$?" "1" "a client whose server was killed fails"
like "$(cat "$T/k.err")" "clerk: " "with a message"
diag "$(cat "$T/k.err")"
run list party --format tsv
status 0 "and the next clerk starts a new server"
unlike "$out" "Поздний" "the half-sent add never happened"

done_testing
