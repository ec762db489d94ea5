#!/bin/sh
# 2590: a card's edits are kept as they are typed (a real terminal:
# tmux, a private server).  clerk killed with kill -9 in the middle of
# typing, which no hang-up handler sees, loses nothing: the next start
# offers the draft and opens it with the text typed.  Another clerk of
# the same operator started meanwhile is not offered the draft of a
# card still open in the first; saving removes the draft.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='ООО «Ромашка»' city=Москва
status 0 "a client"

# clerk_pid SESSION: the clerk running in the session's pane.
clerk_pid() {
	ps -o pid= --ppid "$(tm display-message -p -t "$1" '#{pane_pid}')" |
	    tr -d ' '
}
drafts() {
	ls "$XDG_STATE_HOME/clerk" 2>/dev/null | grep -v '\.tmp' |
	    grep -c '^draft-'
}

tmux_start 100x30
wait_for "Clients" "the home screen"
keys Down Enter
wait_for "ООО «Ромашка»" "the clients' list"
keys Enter
wait_for "Client #1" "the card"
# City is 10 rows down from Kind; still typing when killed.
keys Down Down Down Down Down Down Down Down Down Down e C-u
text 'Тверь, не сохранено'
wait_for "[modified]" "City typed over, not saved"
wait_for "Тверь, не сохранено" "all of it"
ok "$([ "$(drafts)" = 1 ] && echo 0 || echo 1)" "kept as a draft already"

# A second clerk meanwhile: the first one's card is its own.
tm new-session -d -s two -x 100 -y 30 "$clerk_cmd"
win=two
wait_for "Clients" "a second clerk starts"
unlike "$(screen)" "unsaved card" "and is not offered the open card"
# Gone before the end's count of the marks of clerks running (its own
# goes when it exits): the pane's processes, clerk among them.
pane=$(tm display-message -p -t two '#{pane_pid}')
pids="$pane $(ps -o pid= --ppid "$pane" | tr -d ' ')"
tm kill-session -t two
gone=0
for p in $pids; do
	wait_pid_gone "$p" 100 || gone=1
done
ok $gone "the second clerk ends with its session"
win=t

# The process itself, not the pane's "exit status 137": the shell's
# "Killed" line before it wraps with the sanitizer build's long
# environment, and cut the words in two.
pid=$(clerk_pid t)
kill -KILL "$pid"
wait_pid_gone "$pid" 100
ok $? "the first clerk is killed"
# The next start in a tmux server of its own: this one, its last session
# gone, exits, and a session started on it meanwhile fails ("server
# exited unexpectedly", seen under load).
tm kill-server
sock=clerk-tui-$$-2
tmux_start 100x30
wait_for "An unsaved card of Client #1" "the next start offers the draft"
keys Right Enter
wait_for "Тверь, не сохранено" "Open: the text typed is back"
keys F2
wait_for "saved" "and saved"
run show party 1 --format json
like "$out" '"city":"Тверь, не сохранено"' "in the database"
ok "$([ "$(drafts)" = 0 ] && echo 0 || echo 1)" "no draft left"
keys F10
wait_for "exit status 0" "clerk ends"
ok "$(ls "$XDG_STATE_HOME/clerk" | grep -c '^live-' | grep -qx 0 && echo 0 ||
    echo 1)" "nor its mark of running"

done_testing
