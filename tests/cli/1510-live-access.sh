#!/bin/sh
# 1510: access is checked at every request, not only when a connection
# opens.  A client that keeps its connection (as the terminal interface
# does; here tests/unit/client-lines) loses administration the moment
# an administrator takes it away, and a disabled operator's open
# connection gets the access layer's refusal at its next request and is
# closed.  The shared-mode half needs root, to run a client as nobody.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

LINES_BIN=$top_builddir/tests/unit/client-lines
me=$(id -un)

# lines_start OUT [RUNNER ...]: a long-lived client fed from a FIFO (kept
# open on descriptor 3), writing to OUT.
lines_start() {
	_out=$1
	shift
	rm -f "$T/fifo"
	mkfifo -m 666 "$T/fifo"
	: >"$_out"
	"$@" <"$T/fifo" >"$_out" 2>&1 &
	lines_pid=$!
	exec 3>"$T/fifo"
}

# lines_send OUT LINE: send a line and wait (5 s at most) for its
# "status" line; $out is then what came for it.
lines_send() {
	_n=$(grep -c '^status ' "$1")
	_l=$(wc -l <"$1")
	printf '%s\n' "$2" >&3
	_i=0
	while [ "$(grep -c '^status ' "$1")" -le "$_n" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	out=$(tail -n +$((_l + 1)) "$1")
}

lines_stop() {
	exec 3>&-
	wait_gone "$lines_pid" 50 || kill "$lines_pid" 2>/dev/null
	wait "$lines_pid" 2>/dev/null
	lines_rc=$?
}

# Personal mode: the creator administers, from one connection.
run admin init
status 0 "a personal database"
lines_start "$T/live.out" "$LINES_BIN"
lines_send "$T/live.out" "admin user list --format tsv"
like "$out" "status 0" "the open connection administers"
like "$out" "$me	yes	no" "as an administrator"
# Nobody else can connect here, so nobody could give it back.
run admin user add "$me"
status 1 "the only administrator cannot give up administration"
is "$err" "clerk: you cannot give up your own administration; another administrator can take it away" \
    "and is told why"
lines_send "$T/live.out" "admin user list"
like "$out" "status 0" "the open connection still administers"
lines_stop
is "$lines_rc" "0" "and its connection was never dropped"

if ! can_be_nobody; then
	diag "not root, or no setpriv or nobody: shared mode not checked"
	done_testing
fi

# Shared mode: nobody's open connection after nobody is disabled.
shared_server "$LINES_BIN"
ok $? "a shared server listens"
run -S "$sock" admin user add nobody
status 0 "nobody is registered"

# An open connection loses administration the moment it is taken away.
run -S "$sock" admin user add nobody --admin
status 0 "nobody is made an administrator"
lines_start "$T/nobody.out" setpriv --reuid=nobody \
    --regid="$(id -g nobody)" --clear-groups env HOME=/nonexistent \
    "$pub/client-lines" -S "$sock"
lines_send "$T/nobody.out" "admin user list"
like "$out" "status 0" "nobody's open connection administers"
run -S "$sock" admin user add nobody
status 0 "another connection takes administration away"
is "$out" "'nobody' is no longer an administrator" "and says so"
lines_send "$T/nobody.out" "admin user list"
like "$out" "status 1" "the open connection no longer administers"
like "$out" "only an administrator may do that; 'nobody' is not one" \
    "and is told why"
lines_send "$T/nobody.out" "list party"
like "$out" "status 0" "nobody works on an open connection"
run -S "$sock" admin user disable nobody
status 0 "the administrator disables nobody"
lines_send "$T/nobody.out" "list party"
like "$out" "status 1" "nobody's next request on that connection fails"
like "$out" "error: operator 'nobody' is disabled on this server; ask an administrator" \
    "with the access layer's refusal"
lines_send "$T/nobody.out" "list party"
like "$out" "status -1" "and the connection is closed"
lines_stop
is "$lines_rc" "1" "the client sees the connection end"
like "$(cat "$T/clerkd.err")" "refused 'nobody'" "the server logs the refusal"

run -S "$sock" admin user enable nobody
lines_start "$T/nobody2.out" setpriv --reuid=nobody \
    --regid="$(id -g nobody)" --clear-groups env HOME=/nonexistent \
    "$pub/client-lines" -S "$sock"
lines_send "$T/nobody2.out" "list party"
like "$out" "status 0" "enabled again, nobody connects and works"
lines_stop

kill -TERM $spid
wait $spid
ok $? "the shared server stops cleanly"
done_testing
