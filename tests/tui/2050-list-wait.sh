#!/bin/sh
# 2050: a sort, filter or End the server reads the whole table for (a
# second or two at a million rows) does not hold the terminal: the key
# is answered at once, the status line says what is awaited, the rows
# shown stay those of the old order and keys keep working on them, Esc
# stops waiting, and the new rows come by themselves when read: in the
# headless mode (<peek> sees the screen while waiting, <wait> waits) and
# in a real terminal (tmux: no key pressed after the sort).  The server
# is made slow to read with CLERK_TEST_SLOW_READ (clerkd(8)).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

export CLERK_NOW=2026-03-02
# Every whole-table read of this test's server waits 1.5 s first.
export CLERK_TEST_SLOW_READ=1500
HEADLESS_SIZE=120x30
# first SORT [WHERE]: the name of the first row of a list.  (Asked after
# the TUI has waited for that list: asked before, the server would have
# it read already.)
first() {
	if [ -n "${2:-}" ]; then
		clerk page party --sort "$1" --where "$2" --limit 1 --cols name
	else
		clerk page party --sort "$1" --limit 1 --cols name
	fi | grep '^row' | cut -f 4
}

run admin init
run admin demo --scale 200
status 0 "a demo database of 200 clients"
# The verb: --nowait answers at once that the reading is under way and
# how far (records read, of all), then the rows once it is done.
p1=$(clerk page party --sort -birthday --nowait --limit 1 --cols name)
like "$p1" "$(printf 'pending\t0\t200')" "page --nowait: pending, with the records \
read of all"
unlike "$p1" "row" "and no rows"
i=0
while [ $i -lt 100 ]; do
	p2=$(clerk page party --sort -birthday --nowait --limit 1 --cols name)
	case $p2 in *pending*) sleep 0.1; i=$((i + 1)) ;; *) break ;; esac
done
like "$p2" "$(printf 'row\t')" "then its rows"
is "$(printf '%s\n' "$p2" | grep '^row')" \
    "$(clerk page party --sort -birthday --limit 1 --cols name | grep '^row')" \
    "as without --nowait"
byname=$(first name)
third=$(clerk page party --sort name --limit 3 --cols name | grep '^row' |
    sed -n 3p | cut -f 4)

# ] on the kind (no index): the rows by name stay while the server
# reads, Down moves among them, the status line says what comes.
headless '<Down><Enter><Tab>]<peek><Down><Down><peek><wait><dump>'
status 0 "a run that waits for a sort"
s1=$(screen 1)
like "$s1" "Sorting by Kind…" "the awaited sort is said"
like "$s1" "(Esc stops waiting)" "with the way out"
like "$s1" "sort: Name ↑" "the rows are still those by name"
like "$s1" "▶$byname" "the cursor on the first of them"
like "$(screen 2)" "▶$third" "Down works while waiting"
s3=$(screen 3)
like "$s3" "sort: Kind ↓" "the sort arrives"
like "$s3" "▶$(first -kind)" "with its first row selected"
unlike "$s3" "Sorting by" "and the wait is no longer said"

# Esc stops waiting: the list as it was, still on the screen.
headless '<Down><Enter><Tab>[<peek><Esc><peek><Down><peek><F10>'
s3=$(screen 3)
like "$(screen 1)" "Sorting by Kind…" "another sort awaited"
like "$(screen 2)" "stopped waiting: the list is as it was" "Esc stops waiting"
like "$s3" "sort: Name ↑" "the order before"
like "$s3" "200/200" "and the list stays"
unlike "$s3" "Sorting by" "no wait said"

# A filter: typed, entered, awaited; the count and rows when read.
headless '<Down><Enter>\status = lead<Enter><peek><wait><dump>'
s1=$(screen 1)
like "$s1" "Filtering…" "the awaited filter is said"
like "$s1" "200/200" "the rows unfiltered meanwhile"
s2=$(screen 2)
nlead=$(clerk query "party where status = lead group count()" \
    --format tsv | sed -n 2p | cut -f1)
like "$s2" "$nlead/200 │ filter: status = lead" "the filter arrives"
like "$s2" "▶$(first name "status = lead")" "with its rows"
unlike "$s2" "Filtering…" "and the wait is no longer said"
# A wrong filter is refused at once, nothing awaited.
headless '<Down><Enter>\status = bogus<Enter><peek><Esc><peek>'
like "$(screen 1)" "'bogus' is not a value of 'status'" "a wrong filter: \
its message at once"
unlike "$(screen 2)" "Filtering…" "and no wait"
like "$(screen 2)" "200/200" "the list as it was"

# The frequency table (Shift-F) and the group view count every row:
# asked without waiting, they say so until the counts come.
headless '<Down><Enter><Tab><Tab><Tab><Tab><Tab><Tab>F<peek><wait><dump>'
like "$(screen 1)" "Counting… (Esc stops waiting)" "the frequency table: \
counting said"
nact=$(clerk query "party where status = active group count()" \
    --format tsv | sed -n 2p | cut -f1)
likere "$(screen 2)" "Active +$nact " "then the counts"
unlike "$(screen 2)" "Counting" "and the wait is no longer said"
headless '<Down><Enter><F7><C-u>status,kind<Enter><peek><Esc><peek>'
like "$(screen 1)" "Counting…" "the group view: counting said"
like "$(screen 2)" "sort: Name ↑" "Esc: back to the list at once"

# End by city (an index some rows may leave empty): the server reads the
# whole order for the last rows; Home meanwhile gives up the End.
headless '<Down><Enter><Tab><Tab><Tab><Tab>[<End><peek><wait><dump>'
lastcity=$(clerk page party --sort city --last --limit 1 --cols name |
    grep '^row' | cut -f 4)
like "$(screen 1)" "Going to the last row…" "End awaited"
like "$(screen 2)" "▶$lastcity" "End arrives at the last row by city"
firstcity=$(first city)
headless '<Down><Enter><Tab><Tab><Tab><Tab>]<End><Home><peek><wait><dump>'
unlike "$(screen 1)" "Going to the last row…" "Home gives up the End"
lastdesc=$(first -city)
like "$(screen 2)" "▶$lastdesc" "and stays at the first row"
[ "$firstcity" != "$lastdesc" ]
ok $? "(the first rows by city both ways differ)"

# In a real terminal the rows come by themselves once read.
if ! command -v tmux >/dev/null 2>&1; then
	echo "# SKIP tmux is not installed"
	done_testing
	exit
fi
tmux_start 100x30 TERM=screen
wait_for "Sections" "home in a terminal"
tm send-keys -t t Down Enter
wait_for "200/200" "the clients' list"
# An order not read before in this server: by kind, then city descending.
tm send-keys -t t -l ':list-sort-keys kind,-city'
tm send-keys -t t Enter
wait_for "Sorting…" "a sort awaited in a terminal"
wait_for "sort: Kind ↑, City ↓" "it arrives with no key pressed"
tm send-keys -t t F10
wait_for "exit status 0" "F10 quits"
done_testing
