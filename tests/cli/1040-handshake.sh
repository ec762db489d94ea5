#!/bin/sh
# 1040: the version handshake: a client and a server of different
# protocols refuse each other with one clear message, and the server
# goes on serving the others.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run --version
status 0 "clerk --version"
like "$out" "(protocol " "names the protocol"
version=$(printf '%s' "$out" | cut -d' ' -f2)

run add party name='ООО «Ромашка»'
status 0 "a server is running"

run --protocol-version 99 list party
status 1 "a client of another protocol is refused"
is "$err" "clerk: clerk $version cannot talk to clerkd $version (protocol 99 vs 1); restart the server" \
    "with the message naming both versions"
run list party --format tsv
status 0 "the server still serves others"

# A server of another protocol, on a socket of its own.
"$CLERKD" --foreground --dir "$T/other" --socket "$T/other.sock" \
    --protocol-version 2 2>"$T/clerkd.err" &
spid=$!
wait_socket "$T/other.sock"
run -S "$T/other.sock" list party
status 1 "a server of another protocol refuses the client"
is "$err" "clerk: clerk $version cannot talk to clerkd $version (protocol 1 vs 2); restart the server" \
    "with the same message"
kill -TERM $spid
wait $spid
ok $? "that server stops cleanly on SIGTERM"
like "$(cat "$T/clerkd.err")" "refused pid" "and logged the refusal"

run -S "$T/nowhere.sock" list party
status 1 "no server at an explicit socket"
like "$err" "cannot connect to the clerk server at '$T/nowhere.sock'" \
    "says where it looked"

# The client side never links the store or Berkeley DB (DESIGN.md §2).
if command -v nm >/dev/null 2>&1; then
	is "$(nm "$CLERK_BIN" | grep -c -E ' (store_|access_|cmd_run|db_create)')" \
	    "0" "clerk has no store, access or cmd code in it"
fi
unlike "$(ldd "$CLERK_BIN" 2>&1)" "libdb" "clerk does not link libdb"
like "$(ldd "$CLERKD" 2>&1)" "libdb" "clerkd does"

done_testing
