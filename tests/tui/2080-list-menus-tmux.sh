#!/bin/sh
# 2080: the list's menus and search in a real terminal (tmux, a private
# server): F6 opens on the order in use; a search cancelled with Esc
# leaves the one before as it was, its count too; the picker's help
# lists only keys that work there (its letters are typed).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

for n in 'Дубль Один' 'Дубль Два' 'Юдин Антон' 'Юдин Борис' 'Юдин Вадим'; do
	clerk add party kind=person name="$n" >/dev/null || exit 1
done

tm new-session -d -s m -x 80 -y 24 "$clerk_cmd"
win=m
wait_for "▶Contact persons" "the home screen"
keys Down Enter
wait_for "5/5" "the clients' list"

# F6 on the order in use: Enter keeps it.
keys -l ']'
wait_for "sort: Name ↓" "] sorts by name, descending"
keys F6
wait_for "Sort by" "the sort menu"
keys Enter
wait_gone "Sort by"
wait_for "sort: Name ↓" "Enter at once keeps the order in use"

# A search, then another cancelled: the first one's status and count.
keys -l '/'
wait_for "Search:" "the search line"
text 'Дубль'
keys Enter
wait_for "/Дубль: 2" "the search and its count"
keys -l '/'
wait_for "Search:" "another search"
text 'Юдин'
wait_for "▶Юдин" "found as typed"
keys Escape
wait_gone "Search:"
wait_for "/Дубль: 2" "Esc: the search before, its count again"
unlike "$(screen)" "/Дубль: 3" "not the cancelled one's count"

# The picker types letters: its help offers no letter keys.
keys Enter
wait_for "Client #" "a card"
keys Enter
wait_for "Choose: Kind" "the picker of Kind"
keys F1
wait_for "picker-choose" "the picker's help"
unlike "$(screen)" "F1, ?" "? is typed there, not help"
unlike "$(screen)" "Shift-Q" "nor Shift-Q"
is "$(screen | grep -cE '^ *(q|:) ')" 0 "nor q, nor :"
tm kill-server
done_testing
