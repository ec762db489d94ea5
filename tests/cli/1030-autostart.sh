#!/bin/sh
# 1030: the personal server: started on demand, once when two clients
# start at once, replaced when killed (its stale socket too) with the
# data intact, one per data folder, gone after its idle time, and
# stopped cleanly by SIGTERM.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

is "$(server_pid)" "" "no server before the first clerk"
run add party name='ООО «Ромашка»'
status 0 "the first clerk starts a server and adds"
pid1=$(server_pid)
ok "$([ -n "$pid1" ]; echo $?)" "a server runs for the data folder"
sock=$(ls "$XDG_RUNTIME_DIR"/clerk/*.sock 2>/dev/null)
ok "$([ -S "$sock" ]; echo $?)" "its socket is in \$XDG_RUNTIME_DIR/clerk"
is "$(stat -c %a "$XDG_RUNTIME_DIR/clerk")" "700" "the socket folder is private"
is "$(stat -c %a "$CLERK_DIR")" "700" "the data folder is private"
run list party --format tsv
is "$(server_pid)" "$pid1" "the next clerk uses the same server"

# Two clients at once on a new folder: one server, both succeed.
d2=$T/two
"$CLERK_BIN" -d "$d2" add party name=Первый >"$T/a.out" 2>"$T/a.err" &
a=$!
"$CLERK_BIN" -d "$d2" add party name=Второй >"$T/b.out" 2>"$T/b.err" &
b=$!
wait $a; ra=$?
wait $b; rb=$?
is "$ra $rb" "0 0" "two clients starting at once both succeed"
[ -s "$T/a.err" ] || [ -s "$T/b.err" ] && diag "$(cat "$T/a.err" "$T/b.err")"
# (Ids need not be consecutive: a retried transaction may use one up.)
is "$(sort -u "$T/a.out" "$T/b.out" | wc -l)" "2" "and get two ids"
is "$("$CLERK_BIN" -d "$d2" list party --format tsv | wc -l)" "3" \
    "both records are there"
n=$(clerkd_pids "--personal --dir $d2 " | wc -l)
is "$n" "1" "exactly one server runs for that folder"
pid2=$(server_pid "$d2")
ok "$([ -n "$pid2" ] && [ "$pid2" != "$pid1" ]; echo $?)" \
    "another folder has its own server"
is "$(ls "$XDG_RUNTIME_DIR"/clerk/*.sock | wc -l)" "2" "and its own socket"

# Kill -9: the socket stays behind, stale; the next clerk replaces the
# server and the data is all there (recovered).
kill -KILL "$pid1"
wait_gone "$pid1" 50
ok "$([ -S "$sock" ]; echo $?)" "a killed server leaves its socket"
run list party --format tsv
status 0 "the next clerk works"
like "$out" "ООО «Ромашка»" "and the data is there"
pid3=$(server_pid)
ok "$([ -n "$pid3" ] && [ "$pid3" != "$pid1" ]; echo $?)" "on a new server"
run add party name=После
status 0 "and it takes writes"

# SIGTERM: a clean stop removes the socket.
kill -TERM "$pid3"
wait_gone "$pid3" 100
ok $? "SIGTERM stops the server"
ok "$([ ! -e "$sock" ]; echo $?)" "and removes its socket"
is "$(count_rows party)" "2" "a restarted server has both records"

# Idle exit: with a short idle time the server goes by itself.
d3=$T/idle
CLERK_IDLE=1 "$CLERK_BIN" -d "$d3" list party >/dev/null 2>&1
pid4=$(server_pid "$d3")
ok "$([ -n "$pid4" ]; echo $?)" "a server with a 1 s idle time started"
wait_gone "$pid4" 80
ok $? "it exits when idle"
is "$(ls "$XDG_RUNTIME_DIR"/clerk/ | grep -c '\.sock$')" "2" \
    "and removes its socket"
CLERK_IDLE=1 "$CLERK_BIN" -d "$d3" list party >/dev/null 2>&1
ok $? "the next clerk starts it again"

# Without XDG_RUNTIME_DIR the socket goes to a private folder in TMPDIR.
mkdir "$T/tmp"
env -u XDG_RUNTIME_DIR TMPDIR="$T/tmp" CLERK_IDLE=5 "$CLERK_BIN" -d "$T/four" \
    list party >/dev/null 2>&1
ok $? "works without XDG_RUNTIME_DIR"
ok "$(ls "$T/tmp/clerk-$(id -u)"/*.sock >/dev/null 2>&1; echo $?)" \
    "with the socket in \$TMPDIR/clerk-UID"

# A server that cannot start says why, and so does clerk.
mkdir "$T/badforms"
printf 'table party "P" "П" "Ps" "Пс"\nfield x blah\n' >"$T/badforms/a.form"
CLERK_FORMS=$T/badforms run -d "$T/five" list party
status 1 "bad forms: clerk fails"
like "$err" "clerkd: $T/badforms/a.form:2: unknown type 'blah'" \
    "with clerkd's message naming file and line"
like "$err" "clerk: could not start the server" "and its own"
CLERKD=$T/nonexistent run -d "$T/five" list party
status 1 "no clerkd: clerk fails"
like "$err" "cannot run '$T/nonexistent' to start the server" "saying so"

done_testing
