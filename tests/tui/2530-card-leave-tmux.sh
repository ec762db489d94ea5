#!/bin/sh
# 2530: no way off a record card loses its unsaved edits unasked (a
# real terminal: tmux, a private server).  q, its Russian-layout twin й
# and ":back" ask the question Esc asks, with No by default and Esc
# for No; archiving the record and undoing it keep the edits; F10 in a
# terminal too small to ask in keeps them as a draft.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='ООО «Ромашка»' city=Москва
status 0 "a client"

tmux_start 100x30
wait_for "Clients" "the home screen"
keys Down Enter
wait_for "ООО «Ромашка»" "the clients' list"

# edit_city TEXT: the card's City (10 rows down from Kind) typed over,
# typing stopped with Esc: the card is modified, nothing saved.
edit_city() {
	keys Down Down Down Down Down Down Down Down Down Down e C-u
	text "$1"
	keys Escape
	wait_for "[modified]" "City typed over with $1: the card is modified"
}

keys Enter
wait_for "Client #1" "its card"
edit_city Тверь
keys q
wait_for "Discard the changes to this card?" "q asks, as Esc does"
like "$(screen)" "[ No ]  [ Discard ]" "No first"
keys Enter
wait_gone "Discard the changes"
ok $? "Enter takes the default, No"
like "$(screen)" "Client #1" "still on the card"
like "$(screen)" "Тверь" "with the edit"
text 'й'
wait_for "Discard the changes to this card?" "й (q in the Russian layout) asks"
keys Escape
wait_gone "Discard the changes"
ok $? "Esc on the question is No"
like "$(screen)" "Тверь" "the edit is still there"
text ':back'
keys Enter
wait_for "Discard the changes to this card?" "so does :back"
keys Right Enter
wait_for "1/1" "Discard: back in the list"
run show party 1 --format json
like "$out" '"city":"Москва"' "nothing saved"

# Archive and its undo read the record again (its state and revision
# change): the edits stay, and are saved on top.
keys Enter
wait_for "Client #1" "the card again"
edit_city Тверь
keys F8
wait_for "Archive Client #1 ООО «Ромашка»?" "F8 asks"
keys Right Enter
wait_for "Client #1 (archived)" "archived"
like "$(screen)" "Тверь" "the edit is still on the card"
keys u
wait_for "restored Client #1" "u brings it back"
like "$(screen)" "Тверь" "the edit is still there"
keys F2
wait_for "saved" "F2 saves it"
run show party 1 --format json
like "$out" '"city":"Тверь"' "the edit is stored"
keys Escape
wait_for "1/1" "Esc: nothing unsaved, back in the list at once"

# A terminal too small for a question: F10 still quits, and says first
# that the edits are kept as a draft, which the next start offers.
keys Enter
wait_for "Client #1" "the card again"
edit_city Омск
# All typed before the resize (keys after it are dropped while the
# terminal is too small).
wait_for "Омск" "the whole city typed"
# Esc too ("City", no longer "City (editing)"): a key still unread at
# the resize comes after it, and is dropped.
wait_for "City [modified]" "typing stopped"
tm resize-window -t t -x 70 -y 20
wait_for "Unsaved changes are kept as a draft" "too small: the screen says so"
keys F10
wait_for "exit status 0" "F10 quits"
ls "$XDG_STATE_HOME"/clerk/draft-party-1-* >/dev/null 2>&1
ok $? "the edit is kept as a draft"
# The next start in a tmux server of its own: this one, its last session
# gone, exits, and a session started on it meanwhile fails ("server
# exited unexpectedly").
tm kill-server
sock=clerk-tui-$$-2
tmux_start 100x30
wait_for "An unsaved card of Client #1" "the next start offers it"
keys Right Enter
wait_for "Омск" "opened with the edit"
keys F2
wait_for "saved" "and saved"
run show party 1 --format json
like "$out" '"city":"Омск"' "the edit is stored"

keys F10
wait_for "exit status 0" "F10 quits"
done_testing
