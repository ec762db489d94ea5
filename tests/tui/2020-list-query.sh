#!/bin/sh
# 2020: the list's query side in the headless mode: a filter and its
# clearing, a mistake shown with the cursor at its column, a sort by two
# columns, the frequency table of status and its drill-down, the group
# view; golden screens of the frequency table and of a card; and "page"
# itself: --where by position, rows with no value in the sort's field
# still listed (after the others, both directions).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

export CLERK_NOW=2026-03-02

run admin init
run admin demo --scale 200
status 0 "a demo database of 200 clients"
nact=$(clerk query 'party where status = active group count()' \
    --format tsv | sed -n 2p | cut -f1)

# A filter: shown/total and the filter on the status line; Esc clears.
headless '<Down><Enter>\status = active<Enter><dump><Esc><dump><Down><dump>'
status 0 "headless run"
like "$(screen 1)" "$nact/200" "the filter's rows of all ($nact/200)"
like "$(screen 1)" "filter: status = active" "the filter is on the status line"
unlike "$(screen 1)" "Lead" "no other status is listed"
like "$(screen 3)" "200/200" "Esc clears it"
like "$(screen 2)" "filter cleared" "and says so"

# A mistake: the message above the line, the cursor at its column (X
# typed there lands before the wrong word).
headless '<Down><Enter>\status = active and stauts = 1<Enter><dump>X<dump>'
like "$(screen 1)" "query:1:21: unknown field 'stauts'" "the mistake is named"
like "$(screen 2)" "Filter: status = active and Xstauts = 1" \
    "the cursor was at its column"

# Sort by two columns: status, then name descending.
first=$(clerk query 'party sort status, -name cols name' --format tsv |
    sed -n 2p | cut -f2)
headless '<Down><Enter>:list-sort-keys status,-name<Enter><dump>'
like "$(screen 1)" "sort: Status ↑, Name ↓" "two keys on the status line"
like "$(screen 1)" "▶$first" "the first row of the two keys' order"
headless '<Down><Enter><Tab><Tab><Tab><Tab><Tab><Tab>[<BTab>}<dump>'
like "$(screen 1)" "sort: Status ↑, Manager ↓" "[ then } make two keys"

# The frequency table of status, most frequent first, and the drill.
headless '<Down><Enter><Tab><Tab><Tab><Tab><Tab><Tab>F<dump><Enter><dump>'
likere "$(screen 1)" "Active +$nact " "Active with its count"
like "$(screen 1)" "█" "a bar"
like "$(screen 1)" "%" "a share"
like "$(screen 2)" "$nact/200" "Enter lists that value's rows"
like "$(screen 2)" "filter: status = 'active'" "as a filter"

# With a filter the frequency counts only its rows.
headless "<Down><Enter>\\city = Москва<Enter><Tab><Tab><Tab><Tab>F<dump>"
nmsk=$(clerk query 'party where city = Москва group count()' \
    --format tsv | sed -n 2p | cut -f1)
likere "$(screen 1)" "Москва +$nmsk " "the frequency of the filtered rows"

# The group view: counts by status and city with subtotals.
headless '<Down><Enter><F7><C-u>status,city<Enter><dump><End><dump>'
likere "$(screen 1)" "Status +City +Count" "the group view's columns"
likere "$(screen 2)" "Total +200" "the grand total"

# Golden screens of the fixed demo database (UPDATE_GOLDEN=1 rewrites
# them): the frequency table of status, and the card of the first client
# by name, with the operator's login made <U>.
# The login's length moves what follows it: the status line's blanks
# are squeezed and the stamp line (who and when) is left out.
unlogin() {
	sed -e "/^ $login │/{s/^ $login │/ <U> │/;s/   */ /g;}" \
	    -e "s/^created .* by $login.*/<stamp>/"
}
headless '<Down><Enter><Tab><Tab><Tab><Tab><Tab><Tab>F<dump><Esc><Enter><dump>'
golden 2020-freq.txt "$(screen 1 | unlogin)"
golden 2020-card.txt "$(screen 2 | unlogin)"

# page: --where by position, forward and back.
p1=$(clerk page party --where 'status = active' --sort name --limit 3 \
    --cols name)
like "$p1" "filtered	$nact" "page --where counts the filtered rows"
pos=$(printf '%s\n' "$p1" | grep '^row' | tail -n 1 | cut -f3)
p2=$(clerk page party --where 'status = active' --sort name --limit 3 \
    --cols name --after "$pos")
p3=$(clerk page party --where 'status = active' --sort name --limit 3 \
    --cols name --before "$(printf '%s\n' "$p2" | grep '^row' |
    head -n 1 | cut -f3)")
is "$(printf '%s\n' "$p3" | grep '^row')" \
    "$(printf '%s\n' "$p1" | grep '^row')" "--before gives the page before"
p=$(clerk page party --where 'staus = 1' 2>&1)
like "$p" "query:1:1: unknown field 'staus'" "a bad condition's column"

# Rows with no city still appear when sorting by city, after the others.
run add party kind=org name='ООО Без города' status=lead
id=$(clerk query "party where name = 'ООО Без города' cols id" \
    --format tsv | sed -n 2p | cut -f1)
for s in city -city; do
	last=$(clerk page party --sort $s --last --limit 1 --cols name |
	    grep '^row' | cut -f2)
	is "$last" "$id" "sort $s: the record with no city is listed (last)"
done

done_testing
