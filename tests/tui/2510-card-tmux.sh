#!/bin/sh
# 2510: the record card in a real terminal (tmux, a private server):
# two operators edit one record, the second to save gets the conflict
# screen with both values and keeps the one chosen; a pane killed while
# a card has unsaved edits leaves a draft that the next start offers.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='ООО «Ромашка»' inn=7707083893 city=Москва
status 0 "a client"

tm new-session -d -s card -n a -x 100 -y 30 "$clerk_cmd"
tm new-window -d -t card -n b "$clerk_cmd"
# Both operators open the client's card (home: Down to Clients, Enter;
# the list: Enter on the row).
for w in a b; do
	win=card:$w
	wait_for "Clients" "$w: the home screen"
	keys Down Enter
	wait_for "ООО «Ромашка»" "$w: the list"
	keys Enter
	wait_for "Client #1" "$w: the card"
done
# City is 10 rows down from Kind on the party form.
for w in b a; do
	win=card:$w
	keys Down Down Down Down Down Down Down Down Down Down e C-u
done
win=card:b
text Тверь
keys F2
wait_for "saved" "b saves first"
win=card:a
text Казань
keys F2
wait_for "Conflict: Client #1" "a gets the conflict screen"
wait_for "theirs: Тверь" "their value"
wait_for "yours: Казань" "and a's own"
# a's edit is the default choice; Space takes theirs, Space again a's.
keys Space
wait_for "(•) theirs: Тверь" "Space chooses theirs"
keys Space Enter
wait_for "saved" "Enter saves the choice"
run show party 1 --format json
like "$out" '"city":"Казань"' "a's value stands"
like "$out" '"rev":3' "saved on top of b's revision"
run history party 1
like "$out" "Москва → Тверь" "b's change is in the history"
like "$out" "Тверь → Казань" "then a's"

# Unsaved edits (the cursor is still on City), then the terminal dies.
keys e C-u
text Омск
wait_for "[modified]" "unsaved edits"
# All of it on the screen before the terminal dies: keys still in the
# terminal's input queue at a hang-up are lost in the kernel, before any
# program reads them (CI once killed the pane after "Омс").
wait_for "Омск" "typed to the end"
# The pane's processes, to wait for them to be gone: a clerk still
# exiting holds its live-PID lock, and the next start then takes the
# draft for a card still open elsewhere and does not offer it (seen
# once in CI on a slow host).
pane=$(tm display-message -p -t card:a '#{pane_pid}')
pids="$pane $(ps -o pid= --ppid "$pane" | tr -d ' ')"
tm kill-pane -t card:a
# The draft is written to a .tmp file and renamed: only the renamed one
# is a draft (a start between the two finds none; under ASan's slower
# exit the test once saw the .tmp file and started too soon).
draft_kept() {
	for f in "$XDG_STATE_HOME"/clerk/draft-party-1-*; do
		case $f in
		*.tmp*) ;;
		*) [ -e "$f" ] && return 0 ;;
		esac
	done
	return 1
}
i=0
while ! draft_kept && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
draft_kept
ok $? "the killed card left a draft"
gone=0
for p in $pids; do
	wait_pid_gone "$p" 100 || gone=1
done
ok $gone "and its clerk is gone"
tm new-window -d -t card -n c "$clerk_cmd"
win=card:c
wait_for "An unsaved card of Client #1" "the next start offers it"
keys Right Enter
wait_for "Омск" "opened with the edit"
keys F2
wait_for "saved" "and saved"
run show party 1 --format json
like "$out" '"city":"Омск"' "the draft's edit is stored"

win=card:b
keys F10
win=card:c
keys F10
done_testing
