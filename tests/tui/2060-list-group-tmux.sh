#!/bin/sh
# 2060: the group view's prompt (F7) in a real terminal (tmux, a private
# server).  It offers the current column selected: what is typed
# replaces it, End keeps it to add to it.  A mistake in the keys asks
# again with what was typed, its message above and the cursor on its
# column, counted in the keys typed (not in the query the list makes
# around them with its filter).  Keys parted by blanks count as keys.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='Архипов Олег' city=Москва manager=petrov
run add party name='Борисова Анна' city=Тверь manager=petrov
run add party name='Волков Иван' city=Москва manager=ivanova
status 0 "three clients"

tmux_start 100x30
wait_for "Clients" "the home screen"
keys Down Enter
wait_for "3/3" "the clients' list"

prompt="Group by (fields, with commas): "
# On the City column (Name, Kind, INN, Phones, City), F7 offers it.
keys Tab Tab Tab Tab F7
wait_for "${prompt}City" "F7 offers the column (its label)"
text manager
wait_for "${prompt}manager" "typing replaces the offer"
unlike "$(screen)" "Citymanager" "instead of adding to it"
keys Enter
wait_for "Clients: groups" "the group view"
likere "$(screen)" "petrov +2" "by manager: petrov's two"
keys Escape
wait_for "3/3" "back in the list"

# End keeps the offer, to add a key to it.
keys F7
wait_for "${prompt}City" "the column offered again"
keys End
text ',manager'
wait_for "${prompt}City,manager" "End, then typing adds to it"
keys Enter
wait_for "Clients: groups" "the group view by two keys"
likere "$(screen)" "Москва +ivanova +1" "Moscow and ivanova"
keys Escape
wait_for "3/3" "back in the list"

# Keys parted by a blank, as the query language allows: two keys still,
# so a group opens with both in its filter.
keys F7
wait_for "${prompt}City" "the column offered"
text 'city manager'
keys Enter
wait_for "Clients: groups" "the group view by 'city manager'"
wait_for "subtotal" "with subtotals"
likere "$(screen)" "Москва +subtotal +2" "one per city"
keys Down Enter
wait_for "1/3" "Moscow and petrov's group opens one client"
like "$(screen)" "city = 'Москва' and manager = 'petrov'" \
    "filtered by both keys"
keys Escape
wait_for "filter cleared" "Esc clears that filter"

# A filter first, so the keys sit after it in the query made of them;
# a mistake asks again, its column counted in what was typed.
text '\'
wait_for "Filter:" "\\ opens the filter line"
text 'city = Москва'
keys Enter
wait_for "2/3" "Moscow's clients"
keys F7
wait_for "$prompt" "F7 with a filter on"
text 'city,managr'
keys Enter
wait_for "query:1:6: unknown field 'managr'" \
    "the mistake's column is in the keys typed"
like "$(screen)" "(did you mean 'manager'?)" "with the name meant"
like "$(screen)" "${prompt}city,managr" "asked again with what was typed"
is "$(tm display -p -t "$win" '#{cursor_x}')" \
    "$(( $(printf '%s' "$prompt" | wc -c) + 5 ))" "the cursor on the mistake"
keys End BSpace BSpace
text 'ger'
wait_for "${prompt}city,manager" "edited, not typed again"
keys Enter
wait_for "Clients: groups" "the group view"
likere "$(screen)" "Москва +petrov +1" "of the filter's rows"
unlike "$(screen)" "Тверь" "only them"

keys F10
wait_for "exit status 0" "F10 quits"
done_testing
