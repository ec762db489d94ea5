#!/bin/sh
# 2585: a list left open follows what another operator does (a real
# terminal: tmux, a private server; the other operator is the command
# line): a client added, renamed and archived shows in the list after a
# few seconds without a key pressed, the cursor staying on its record,
# and the home screen's counts follow too; so does a card read, not
# one with edits.  Before, only Ctrl-L or a card opened and left read
# the list again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

# Every second here (5 by default; lib.sh turns it off elsewhere).
export CLERK_TUI_IDLE=1

run add party name='ООО «Бета»' city=Москва
run add party name='ООО «Гамма»' city=Тверь
status 0 "two clients"

# wait_re ERE: wait_screen for an extended regular expression, up to
# 15 s.
wait_re() {
	_i=0
	while [ "$_i" -lt 150 ]; do
		screen | grep -aqE -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	diag "waited for: $1" "screen of $win:" "$(screen)"
	return 1
}

tmux_start 100x30
wait_for "Clients" "the home screen"
wait_re "Clients +2 "
ok $? "two clients counted"
run add party name='ООО «Дельта»' city=Омск
wait_re "Clients +3 "
ok $? "the home screen counts a client added meanwhile"
keys Down Enter
wait_for "ООО «Дельта»" "the clients' list"
keys Down
wait_for "▶ООО «Гамма»" "the cursor on Гамма"

run add party name='ООО «Альфа»' city=Сочи
status 0 "another operator adds a client"
wait_screen "ООО «Альфа»" 150
ok $? "the list shows it, no key pressed"
like "$(selected)" "ООО «Гамма»" "the cursor stays on its record"
like "$(screen)" "4/4" "the counts follow"

run set party 3 name='ООО «Дельта-Плюс»'
status 0 "renames one"
wait_screen "ООО «Дельта-Плюс»" 150
ok $? "the list shows the new name"

run rm party 1
status 0 "archives one"
wait_gone "ООО «Бета»" 150
ok $? "the archived client leaves the list"
like "$(screen)" "3/3" "the counts follow"
like "$(selected)" "ООО «Гамма»" "the cursor still on its record"

# A card read, not edited, follows too; one with edits is left alone.
keys Enter
wait_for "Client #2" "Гамма's card"
run set party 2 city=Казань
status 0 "another operator changes its city"
wait_screen "Казань" 150
ok $? "the card shows the new city, no key pressed"
keys Down Down Down Down Down Down Down Down Down Down e C-u
text Тула
keys Escape
wait_for "[modified]" "this operator types a city"
run set party 2 manager=petrov
wait_screen "petrov" 30 2>/dev/null >&2
ok "$([ $? = 1 ] && echo 0 || echo 1)" "a card with edits is not read again"
like "$(screen)" "Тула" "and keeps them"

done_testing
