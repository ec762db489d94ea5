#!/bin/sh
# 2120: the archived records of a table: "page --archived-only" lists
# them alone, and the list's Shift-A (":list-archived") shows them in a
# list of their own, where u (or F8) restores the one under the cursor.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

export CLERK_NOW=2026-03-02

run admin init
run admin demo --scale 100
status 0 "a demo database of 100 clients"
n3=$(clerk show party 3 --format json | sed 's/.*"name":"\([^"]*\)".*/\1/')
n7=$(clerk show party 7 --format json | sed 's/.*"name":"\([^"]*\)".*/\1/')
run rm party 3
run rm party 7
status 0 "two clients archived"

# The verb: only the archived, their count as the total.
run page party --archived-only --cols name --limit 10
like "$out" "$(printf 'total\t2')" "--archived-only: the total is theirs"
is "$(printf '%s\n' "$out" | grep -c '^row')" 2 "and only their rows"
like "$out" "$n3" "the first archived"
like "$out" "$n7" "and the second"

# The TUI: the list of the archived, and u restores one.
headless '<Down><Enter>A<dump><Down>u<dump><Up><dump><Esc><dump>u<dump>'
status 0 "headless run"
like "$(screen 1)" "2/2" "Shift-A lists the archived clients"
like "$(screen 1)" "Clients (archived)" "and says they are archived"
like "$(screen 2)" "restored Client #" "u restores the one under the cursor"
like "$(screen 3)" "1/1" "which leaves the list of the archived"
like "$(screen 4)" "99/99" "Esc: back to the list in use, with it"
like "$(screen 5)" "restored from the list of the archived (Shift-A)" \
    "u in the list in use says where records are restored"
run page party --archived-only --cols name --limit 10
is "$(printf '%s\n' "$out" | grep -c '^row')" 1 "one archived left"

done_testing
