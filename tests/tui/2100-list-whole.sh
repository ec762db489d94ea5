#!/bin/sh
# 2100: the list as a whole, not only the rows in hand: after a resize
# the rows fill the screen again (the last row at the bottom when the
# list ends there; the group view's too); :list-export writes the whole
# list, filtered and in its order, and says how many rows of how many.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

export CLERK_NOW=2026-03-02

run admin init
run admin demo --scale 300
status 0 "a demo database of 300 clients"
last=$(clerk list party --sort name --format tsv | tail -n 1 | cut -f2)
prev=$(clerk list party --sort name --format tsv | tail -n 2 | head -n 1 |
    cut -f2)

# names FILE: the first column of a CSV file, its header left out.
names() {
	python3 -c '
import csv, sys
with open(sys.argv[1], newline="") as f:
	for row in list(csv.reader(f))[1:]:
		print(row[0])' "$1"
}

# body SCREEN: the rows between the list's header and the status line.
body() {
	screen "$1" | sed -n '3,$p' | sed '$d' | sed '$d'
}

# End, then a taller window: the rows fill it, the last at the bottom.
headless '<Down><Enter><End><resize 130x40><dump><Up><dump>'
status 0 "End and a resize"
is "$(body 1 | grep -c '^ *$')" 0 "no blank rows under the last after growing"
like "$(body 1 | tail -n 1)" "▶$last" "the last row at the bottom"
like "$(body 2 | tail -n 2 | head -n 1)" "▶$prev" "Up from it as before"
# The same in the middle of a list that ends below: filled from after.
headless '<Down><Enter><PgDn><PgDn><resize 130x40><dump>'
is "$(body 1 | grep -c '^ *$')" 0 "filled from below in the middle"
# Smaller and larger again.
headless '<Down><Enter><End><resize 100x30><resize 80x24><resize 120x40><dump>'
is "$(body 1 | grep -c '^ *$')" 0 "filled after shrinking and growing"
like "$(body 1 | tail -n 1)" "▶$last" "the last still at the bottom"
# The group view too: End, then taller, the total at the bottom.
headless '<Down><Enter><F7><C-u>status,city<Enter><End><resize 130x40><dump>'
is "$(body 1 | grep -c '^ *$')" 0 "the group view filled after growing"
like "$(body 1 | tail -n 1)" "Total" "its total at the bottom"

# :list-export writes the whole list, not the rows in hand, in its
# order and with its filter, and says how many of how many.
headless "<Down><Enter>:list-export $T/all.csv<Enter><dump>"
like "$(screen 1)" "300 of 300 rows written to '$T/all.csv'" \
    "the export says how many of how many"
is "$(wc -l <"$T/all.csv")" 301 "a header and every row"
clerk page party --sort name --limit 500 --cols name | grep '^row' |
    cut -f 4 >"$T/want"
names "$T/all.csv" >"$T/got"
ok "$(cmp -s "$T/want" "$T/got"; echo $?)" "in the list's order"
where="city = Москва"
nw=$(clerk page party --where "$where" --limit 1 | grep '^filtered' |
    cut -f 2)
headless "<Down><Enter>\\$where<Enter>]:list-export $T/msk.csv<Enter><dump>"
like "$(screen 1)" "$nw of $nw rows written" "a filtered list: its rows"
clerk page party --sort -name --where "$where" --limit 500 --cols name |
    grep '^row' | cut -f 4 >"$T/want"
names "$T/msk.csv" >"$T/got"
ok "$(cmp -s "$T/want" "$T/got"; echo $?)" "filtered, in the order asked for"
# A file that cannot be written is said, and nothing is left behind.
headless "<Down><Enter>:list-export $T/no/such/x.csv<Enter><dump>"
like "$(screen 1)" "cannot write '$T/no/such/x.csv'" "a bad folder is said"

done_testing
