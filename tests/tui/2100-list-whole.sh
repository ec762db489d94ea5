#!/bin/sh
# 2100: the list as a whole, not only the rows in hand: after a resize
# the rows fill the screen again (the last row at the bottom when the
# list ends there; the group view's too).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

export CLERK_NOW=2026-03-02

run admin init
run admin demo --scale 300
status 0 "a demo database of 300 clients"
last=$(clerk list party --sort name --format tsv | tail -n 1 | cut -f2)
prev=$(clerk list party --sort name --format tsv | tail -n 2 | head -n 1 |
    cut -f2)

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

done_testing
