#!/bin/sh
# 2000: the home screen and the generic list in the headless mode (keys
# from a script, the screen dumped as text) over a fixed demo database:
# golden screens of home and the clients' list; paging; sorting by an
# index and from the F6 menu; search as you type in another case and
# with ё/е swapped, n/N and the wrap; Russian-layout letters as hotkeys;
# help from the command table; the ':' line with completion; CSV of the
# rows in hand; resize (and a too small terminal); Russian labels.
# UPDATE_GOLDEN=1 rewrites the golden screens.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

export CLERK_NOW=2026-03-02
# headless SCRIPT [SIZE]: as lib.sh's, but the screens have the
# temporary folder's name made <T> and the login <U> ($rc is clerk's).
headless() {
	printf '%s' "$1" >"$keys"
	rc=0
	"$CLERK_BIN" --headless "${2:-80x24}" --keys "$keys" \
	    >"$T/screens" 2>"$T/stderr" || rc=$?
	out=$(sed -e "s|$T|<T>|g" \
	    -e "s|^\(  Operator:  *\)$login\$|\1<U>|" -e "s|^ $login │| <U> │|" \
	    "$T/screens")
	err=$(cat "$T/stderr")
}

run admin init
run admin demo --scale 200
status 0 "a demo database of 200 clients"

headless '<dump><Down><Enter><dump>'
status 0 "headless run"
golden 2000-home.txt "$(screen 1)"
golden 2000-list.txt "$(screen 2)"
like "$(screen 1)" "Clients                            200" "the home counts"
like "$(screen 2)" "200/200" "shown/total"
like "$(screen 2)" "sort: Name ↑" "sorted by name"

# Paging never loads the table: the rows after the first screen come
# page by page, and End jumps to the last.
first=$(clerk list party --sort name --format tsv | sed -n 2p | cut -f2)
last=$(clerk list party --sort name --format tsv | tail -n 1 | cut -f2)
headless '<Down><Enter><PgDn><PgDn><dump><End><dump><Home><dump>'
like "$(screen 2)" "▶$last" "End: the last client, selected"
like "$(screen 3)" "▶$first" "Home: the first again"
unlike "$(screen 1)" "$first" "two pages down the first is gone"
like "$(screen 1)" "▶" "and a row is selected"

# ] sorts descending by the current column; F6 offers the orders.
headless '<Down><Enter>]<dump><F6><dump>Stat<Enter><dump>'
like "$(screen 1)" "▶$last" "] puts the last name first"
like "$(screen 1)" "sort: Name ↓" "and says so"
like "$(screen 2)" "Kind ↑" "F6 lists the columns, those without an index too"
like "$(screen 2)" "Order added ↑" "and the order of adding"
like "$(screen 3)" "sort: Status ↑" "typed ahead in the menu and chosen"

# A column without an index sorts too (the server reads its whole order
# once: 2050-list-wait.sh has the wait), from F6 and with [.
bd=$(clerk page party --sort birthday --limit 1 --cols name | grep '^row' |
    cut -f 4)
headless '<Down><Enter><F6>Birth<Enter><dump>'
like "$(screen 1)" "sort: Birthday ↑" "F6 offers a column without an index"
like "$(screen 1)" "▶$bd" "the earliest birthday first"
kd=$(clerk page party --sort -kind,-name --limit 1 --cols name |
    grep '^row' | cut -f 4)
headless '<Down><Enter><Tab>]<dump>'
like "$(screen 1)" "sort: Kind ↓" "] on the kind, which has no index"

# Search as you type: another case, ё for е and е for ё.
name=$(clerk list party --sort name --format tsv | cut -f2 | grep 'ё' |
    head -n 1)
word=$(printf '%s\n' "$name" | tr ' ' '\n' | grep 'ё' | head -n 1)
typed=$(printf '%s' "$word" | sed 's/ё/е/g' |
    sed 'y/абвгдежзийклмнопрстуфхцчшщъыьэюя/АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ/')
headless "<Down><Enter>/$typed<dump><Enter><dump>"
like "$(screen 1)" "Search: $typed" "the search line as typed"
like "$(screen 1)" "$word" "a match found while typing ($typed)"
sel=$(screen 2 | grep -a '▶')
like "$sel" "$word" "the match is the selected row"
headless "<Down><Enter>/НЕТ ТАКОГО<Enter><dump>"
like "$(screen 1)" "no match for 'НЕТ ТАКОГО'" "no match said"

n=$(clerk list party --format tsv | cut -f2 | grep -ci 'ив')
headless '<Down><Enter>/ив<Enter><dump>n<dump>N<dump>'
s1=$(screen 1 | grep -a '▶')
s2=$(screen 2 | grep -a '▶')
s3=$(screen 3 | grep -a '▶')
ok "$([ "$s1" != "$s2" ]; echo $?)" "n moves to another match"
is "$s3" "$s1" "N comes back"
like "$(screen 2)" "/ив:" "the status line shows the search"
keys_n=""
i=0
while [ "$i" -lt "$n" ]; do keys_n="${keys_n}n"; i=$((i + 1)); done
headless "<Down><Enter>/ив<Enter>$keys_n<dump>"
like "$(screen 1)" "search wrapped to the top" "the wrap is said"

# Russian layout: о is j (down), л is k (up), ъ is ] (descending).
headless '<Down><Enter>оо<dump>л<dump>ъ<dump>'
is "$(screen 1 | grep -an '▶' | cut -d: -f1)" 5 "о moves down (twice)"
is "$(screen 2 | grep -an '▶' | cut -d: -f1)" 4 "л moves up"
like "$(screen 3)" "sort: Name ↓" "ъ sorts descending"

# Help comes from the command table; unbound keys say so.
headless '<Down><Enter><F1><End><dump><Esc>%<dump>'
like "$(screen 1)" "list-restore" "help lists the list's commands"
like "$(screen 1)" "F10, Shift-Q" "and the global ones with their keys"
like "$(screen 2)" "% does nothing here; F1 lists the keys" \
    "an unbound key says so"

# The ':' line: Tab completes, the argument goes to the command.
headless "<Down><Enter>:list-sort-d<Tab><dump>city<Enter><dump>:list-export $T/shown.csv<Enter><dump>"
like "$(screen 1)" ":list-sort-desc" "Tab completed the name"
like "$(screen 2)" "sort: City ↓" "and it ran with its argument"
like "$(screen 3)" "rows written to '<T>/shown.csv'" "export says so"
is "$(head -n 1 "$T/shown.csv" | tr -d '\r')" \
    "name,kind,inn,phones,city,manager,status" "the CSV's header"
ok "$([ "$(wc -l <"$T/shown.csv")" -gt 20 ]; echo $?)" "and its rows"

# Resize: 100x30 lays out again, a small terminal is told, 80x24 again.
headless '<Down><Enter><resize 100x30><dump><resize 70x20><dump><resize 80x24><dump>'
is "$(screen 1 | wc -l)" 30 "30 rows at 100x30"
like "$(screen 1)" "200/200" "the list redrawn"
like "$(screen 2)" "clerk needs at least 80×24" "too small is said"
is "$(screen 3)" "$(headless '<Down><Enter><dump>'; screen 1)" \
    "back at 80x24 as before"

# Russian labels by the locale (translations made now from po/ru.po).
if make_russian; then
	export CLERK_LOCALEDIR="$T/locale"
	LC_ALL=ru_RU.UTF-8 headless '<dump><Down><Enter><dump>'
	like "$(screen 1)" "Разделы" "home in Russian"
	like "$(screen 1)" "Клиенты" "table labels in Russian"
	like "$(screen 2)" "Наименование" "column labels in Russian"
	like "$(screen 2)" "Помощь" "the key bar in Russian"
else
	ok 0 "# SKIP no msgfmt or no ru_RU.UTF-8 locale (bootstrap as root makes it)"
fi

# clerk(1)'s key list is the command table's.
"$CLERK_BIN" --tui-keys-man >"$T/keys.man"
sed -n '/^\.\\" tui-keys begin$/,/^\.\\" tui-keys end$/p' \
    "$top_srcdir/man/clerk.1" | sed '1d;$d' >"$T/keys.page"
if cmp -s "$T/keys.man" "$T/keys.page"; then
	ok 0 "clerk(1) lists the keys of the command table"
else
	ok 1 "clerk(1) lists the keys of the command table"
	diag "$(diff "$T/keys.page" "$T/keys.man" | head -20)" \
	    "(put the output of clerk --tui-keys-man in the page)"
fi
grep -q '^\.It Ic list-search ' "$T/keys.man"
ok $? "the list's commands are in it"

done_testing
