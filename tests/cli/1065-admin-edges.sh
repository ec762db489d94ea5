#!/bin/sh
# 1065: the edges of administration: clerkd --init without --admin
# makes whoever ran it the administrator (under sudo, the user who ran
# sudo), so a database it made is never one nobody may use; verify
# names a damaged table once; a backup's folder must be named and its
# parent be there; clerkd --help is no error; a server killed under a
# client is told plainly; a personal server leaves no lock file.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

me=$(id -un)

# --- clerkd --help, as clerk --help ---------------------------------

"$CLERKD" --help >"$T/stdout" 2>"$T/stderr"
is "$?" 0 "clerkd --help succeeds"
like "$(cat "$T/stdout")" "usage: clerkd" "with the usage on standard output"
is "$(cat "$T/stderr")" "" "and nothing on standard error"
"$CLERKD" --frobnicate >"$T/stdout" 2>"$T/stderr"
is "$?" 2 "a wrong option is a usage error"
like "$(cat "$T/stderr")" "usage: clerkd" "with the usage on standard error"

# --- the creator administers -----------------------------------------

(unset SUDO_USER; "$CLERKD" --init --dir "$T/shared" --socket "$T/s.sock") \
    >"$T/init.out" 2>"$T/init.err"
is "$?" 0 "clerkd --init without --admin"
like "$(cat "$T/init.out")" "created the database in '$T/shared'" \
    "makes the database"
like "$(cat "$T/init.out")" \
    "registered '$me', who ran clerkd, as the first administrator" \
    "and says who ran it administers it"
(unset SUDO_USER; "$CLERKD" --init --dir "$T/shared" --socket "$T/s.sock") \
    >"$T/init.out" 2>"$T/init.err"
is "$(cat "$T/init.out")" "" "a second --init changes nothing"
"$CLERKD" --foreground --dir "$T/shared" --socket "$T/s.sock" \
    2>"$T/clerkd.err" &
spid=$!
wait_socket "$T/s.sock"
run -S "$T/s.sock" admin user list --format tsv
status 0 "the creator is let in"
is "$out" "$(printf 'login\tadmin\tdisabled\n%s\tyes\tno' "$me")" \
    "as the only operator, an administrator"
kill -TERM $spid
wait $spid

# A server making a database is its creator too, and logs it.
(unset SUDO_USER; "$CLERKD" --foreground --dir "$T/shared2" \
    --socket "$T/s2.sock" 2>"$T/clerkd2.err") &
wait_socket "$T/s2.sock"
run -S "$T/s2.sock" admin user list --format tsv
like "$out" "$me	yes	no" "a server's new database has its starter as administrator"
like "$(cat "$T/clerkd2.err")" "registered '$me', who started clerkd" \
    "as its log says"
stop_servers

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	SUDO_USER=nobody "$CLERKD" --init --dir "$T/sudo" \
	    --socket "$T/s3.sock" >"$T/init.out" 2>"$T/init.err"
	like "$(cat "$T/init.out")" "registered 'nobody', who ran clerkd" \
	    "under sudo, the user who ran sudo"
fi

# --- backup: where to ------------------------------------------------

# From an empty folder, which an empty name must not mean.
mkdir "$T/here"
(cd "$T/here" && "$CLERK_BIN" admin backup '' >"$T/stdout" 2>"$T/stderr")
rc=$?
err=$(cat "$T/stderr")
status 2 "an empty backup folder is a usage error"
like "$err" "the backup folder's name is empty" "and says so"
is "$(ls -A "$T/here")" "" "the current folder is not backed up into"
run admin backup "$T/no/such/bk"
status 1 "a backup under a missing folder fails"
is "$err" "clerk: cannot back up to '$T/no/such/bk': there is no folder '$T/no'; make it first" \
    "naming the highest folder missing"
ok "$([ ! -e "$T/no" ]; echo $?)" "and makes none of it"
run admin backup "$T/bk/"
status 0 "a backup to a new folder, named with a slash"
is "$out" "backed up to $T/bk" "is made"

# --- a server killed before it answers -----------------------------

# Stopped, it leaves the client's hello unread; killed then, the kernel
# resets the connection: told as the server going away, not as a bare
# "Connection reset by peer", naming the socket.
"$CLERKD" --foreground --dir "$T/k" --socket "$T/k.sock" 2>/dev/null &
kpid=$!
wait_socket "$T/k.sock"
kill -STOP $kpid
"$CLERK_BIN" -S "$T/k.sock" list party >"$T/stdout" 2>"$T/stderr" &
cpid=$!
sleep 0.5
kill -KILL $kpid
wait $cpid
rc=$?
err=$(cat "$T/stderr")
status 1 "a client whose server is killed before answering fails"
is "$err" "clerk: server at '$T/k.sock': the server closed the connection before answering (it stopped or was killed)" \
    "and says the server went away"
wait $kpid 2>/dev/null

# --- a personal server leaves no lock file behind ------------------

# One lock file per database folder ever used gathered in the socket
# folder: a server that ends cleanly removes its own.
stop_servers
clerk -d "$T/p1" add party name='ООО «Раз»' >/dev/null
ls "$XDG_RUNTIME_DIR/clerk" >"$T/ls1"
like "$(cat "$T/ls1")" ".sock.lock" "a personal server's start made a lock file"
p1=$(server_pid "$T/p1")
kill -TERM "$p1"
wait_gone "$p1" 100
is "$(ls "$XDG_RUNTIME_DIR/clerk" | grep -c '\.lock$')" "0" \
    "stopped, the server removed it"
CLERK_IDLE=1 "$CLERK_BIN" -d "$T/p2" add party name='ООО «Два»' >/dev/null
p2=$(server_pid "$T/p2")
wait_gone "$p2" 100
ok $? "a personal server exits when idle"
is "$(ls -A "$XDG_RUNTIME_DIR/clerk")" "" \
    "leaving neither socket nor lock file"
# Ten clients at once on a fresh folder still start one server.
for i in 1 2 3 4 5 6 7 8 9 10; do
	"$CLERK_BIN" -d "$T/p3" add party name="Клиент $i" >/dev/null 2>&1 &
done
wait
is "$(clerkd_pids "$T/p3" | wc -l)" "1" "ten clients at once start one server"
is "$("$CLERK_BIN" -d "$T/p3" list party --format tsv | tail -n +2 | wc -l)" \
    "10" "and all ten added"
stop_servers

# --- verify names a damaged table once ------------------------------

if command -v db5.3_dump >/dev/null 2>&1 &&
    command -v db5.3_load >/dev/null 2>&1; then
	clerk add party name='ООО «Целая»' >/dev/null
	clerk add party name='ООО «Другая»' >/dev/null
	stop_servers
	# The record of party 1 made a bare version byte and garbage,
	# with the server stopped.
	(cd "$CLERK_DIR" && db5.3_dump -h . party.db) |
	    awk 'key == " 0000000000000001" { print " 02ffff"; key = ""; next }
		{ print; key = $0 }' >"$T/party.dump"
	rm "$CLERK_DIR/party.db"
	(cd "$CLERK_DIR" && db5.3_load -h . -f "$T/party.dump" party.db)
	run admin verify
	status 1 "admin verify finds a record that does not decode"
	like "$out" "table 'party': Client #1 does not decode" "and names it"
	unlike "$out" "table 'party': table 'party'" "naming the table once"
	like "$out" "table 'contact': 0 records, ok" "the other table is fine"
	stop_servers
else
	diag "no db5.3_dump or db5.3_load: a damaged record is not checked"
fi

done_testing
