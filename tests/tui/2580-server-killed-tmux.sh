#!/bin/sh
# 2580: the server killed under an open clerk (a real terminal: tmux, a
# private server).  The card being edited is saved by the next F2, to
# a personal server started again by itself, and the list behind it
# reads again with Ctrl-L: a server killed or restarted costs an open
# terminal nothing (before, every call said the server went away, for
# good, and the only way out threw the edits away).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='ООО «Ромашка»' city=Москва
status 0 "a client"
run add party name='ООО «Лютик»' city=Тверь
status 0 "another"

tmux_start 100x30
wait_for "Clients" "the home screen"
keys Down Enter
wait_for "ООО «Ромашка»" "the clients' list"
keys Enter
wait_for "Client #2" "a card"
# City is 10 rows down from Kind.
keys Down Down Down Down Down Down Down Down Down Down e C-u
text Тула
keys Escape
wait_for "[modified]" "City typed over"

pid=$(server_pid)
kill -KILL "$pid"
wait_pid_gone "$pid" 100
ok $? "the server is killed"

keys F2
wait_for "saved" "F2 saves, to a server started again"
unlike "$(screen)" "went away" "no word of a server gone"
run show party 2 --format json
like "$out" '"city":"Тула"' "the edit is in the database"
new=$(server_pid)
ok "$([ -n "$new" ] && [ "$new" != "$pid" ] && echo 0 || echo 1)" "by a new server"

# The list behind, after another kill: Ctrl-L reads it again.
keys Escape
wait_for "2/2" "back in the list"
run set party 1 city=Омск
status 0 "another change meanwhile"
pid=$(server_pid)
kill -KILL "$pid"
# Gone, its connection closed, before the key: a call sent to a server
# still dying fails and says it went away.
wait_pid_gone "$pid" 100
ok $? "the new server is killed too"
keys C-l
wait_for "Омск" "Ctrl-L reads the list from a new server"
unlike "$(screen)" "went away" "and says nothing of the old one"

done_testing
