#!/bin/sh
# 1065: the edges of administration: clerkd --init without --admin
# makes whoever ran it the administrator (under sudo, the user who ran
# sudo), so a database it made is never one nobody may use.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

me=$(id -un)

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

done_testing
