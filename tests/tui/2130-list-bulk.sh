#!/bin/sh
# 2130: archiving from a list.  F8 archives the record under the cursor
# after a question naming it (default No) and u brings it back; Space
# tags rows (+ all of the list, - none, * the others) and F8 then
# archives the tagged ones after a question with their count.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

export CLERK_NOW=2026-03-02

run admin init
run admin demo --scale 100
status 0 "a demo database of 100 clients"

# archived: the ids of the archived clients, one a line, sorted.
archived() {
	clerk list party --archived --format csv | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print("\n".join(sorted((r["id"] for r in rows
    if r.get("archived", "1") not in ("", "0", "false")), key=int)))'
}

# One record: the question names it and defaults to No; Right Enter
# archives it, the row leaves the list; u restores it.
first=$(clerk list party --sort name --format tsv | sed -n 2p | cut -f2)
headless '<Down><Enter><F8><dump><Enter><C-l><dump><F8><Right><Enter><dump><C-l><dump>u<dump><C-l><dump>'
status 0 "headless run: one record"
like "$(screen 1)" "Archive Client #" "F8 asks, naming the record"
like "$(screen 1)" "$first" "by its name"
like "$(screen 2)" "100/100" "Enter (No, the default) archives nothing"
like "$(screen 3)" "archived Client #" "Right Enter archives"
like "$(screen 3)" "u brings it back" "and says that u undoes"
like "$(screen 4)" "99/99" "the row leaves the list"
unlike "$(screen 4)" "$first" "the archived one is not shown"
is "$(archived | wc -l | tr -d ' ')" 1 "but the server has it archived"
like "$(screen 5)" "restored Client #" "u restores it"
like "$(screen 6)" "100/100" "back in the list"
like "$(screen 6)" "$first" "where it is shown again"
is "$(archived)" "" "nothing is left archived"

# Tags: three rows tagged and marked, the count on the status line.
three=$(clerk list party --sort name --format tsv | sed -n 2,4p | cut -f1 |
    sort -n)
headless '<Down><Enter><Space><Space><Space><dump>-<dump>+<dump>*<dump><Home><Space><Space><Space><F8><dump><Right><Enter><dump><C-l><dump>'
status 0 "headless run: tags"
like "$(screen 1)" "tagged: 3" "Space tags three rows"
is "$(screen 1 | grep -c '^ \*\|^▶\*')" 3 "and they are marked"
unlike "$(screen 2)" "tagged:" "- untags them all"
like "$(screen 3)" "tagged: 100" "+ tags the whole list, not only the page"
like "$(screen 4)" "tagged: 0" "* inverts: none left tagged"
like "$(screen 5)" "Archive 3 records?" "F8 asks with the count"
like "$(screen 6)" "3 records archived" "and says how many were archived"
like "$(screen 7)" "97/97" "the three leave the list"
is "$(archived | tr '\n' ' ')" "$(echo $three) " \
    "the server has archived those three, and only them"

done_testing
