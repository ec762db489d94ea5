#!/bin/sh
# 2540: the key bar and help of a record card follow its mode (a real
# terminal: tmux, a private server).  Typing in a field (a new card
# starts so) they offer the keys that work there (Esc Done, Tab Next
# field, F2 Save), never "e Edit", which would type an "e"; Esc stops
# typing and the card's own keys come back; e types again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='Фёдоров Илья Петрович' city=Тверь
status 0 "a client"

tmux_start 100x30
wait_for "Clients" "the home screen"
keys Down Enter
wait_for "Фёдоров Илья Петрович" "the clients' list"

# bar: the key bar, the pane's last row.
bar() {
	screen | tail -n 1
}

keys Insert
wait_for "New: Client" "Ins: a new card"
wait_for "Kind (editing)" "typing in its first field"
like "$(bar)" "F2 Save  Esc Done  Tab Next field" "the bar offers the typing keys"
unlike "$(bar)" "e Edit" "and not e Edit"
unlike "$(bar)" "Ins New" "nor a letter's command"
keys F1
wait_for "Keys while typing" "F1: the keys while typing"
likere "$(screen)" "Esc +card-field-done" "Esc stops typing"
unlike "$(screen)" "card-edit" "e is not offered"
unlike "$(screen)" "F1, ?" "nor ? (text here)"
keys Escape
wait_for "Kind (editing)" "back on the card, still typing"

# Two Tabs to Name (Kind, Status, Name); Tab moves as the bar says.
keys Tab Tab
wait_for "Name (editing)" "Tab: the next field"
text 'ООО «Тестовая Ёлка»'
keys Escape
wait_gone "Name (editing)"
ok $? "Esc: typing stopped"
like "$(screen)" "[modified]" "the edit kept, unsaved"
like "$(bar)" "e Edit" "the card's keys are back: e Edit"
unlike "$(bar)" "Esc Done" "and no Done"
keys e
wait_for "Name (editing)" "e types in the field again"
like "$(bar)" "Esc Done" "and the bar says so"
text ' плюс'
keys F2
wait_for "Client #2" "F2 saves"
run show party 2 --format json
like "$out" '"name":"ООО «Тестовая Ёлка» плюс"' "the name as typed, no stray e"

keys F10
wait_for "exit status 0" "F10 quits"
done_testing
