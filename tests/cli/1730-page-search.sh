#!/bin/sh
# 1730: page --search with more than 2,000 matches, where the sort index
# is walked keys only and each id tested against the word index's set:
# on a 6,000-party demo, every page of a search, read forward and
# backward in several sorts (the rows with no city too), is the same as
# the walk that decodes and tests every record (still taken with
# --archived, which the word index cannot answer), the count is exact,
# --at and --wrap find what they should, and an archived match is gone.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run admin init
run admin demo --scale 6000
status 0 "a demo of 6000 parties"
# Three matches of "о" with no city: the part after the index's rows.
for n in 1 2 3; do
	run add party kind=person "name=Орлова Нет Города $n"
done
status 0 "parties without a city"

# The rows of a search (id and position per line), read page by page:
# walk_fwd SORT TEXT [OPTION] from the start, walk_back from the end.
walk_fwd() {
	page_walk 2,3 party --sort "$1" --search "$2" --limit 150 \
	    --cols name ${3:+"$3"}
}
walk_back() {
	page_walk 2,3 --back party --sort "$1" --search "$2" --limit 150 \
	    --cols name ${3:+"$3"}
}
shown() {
	clerk page party --search "$1" --limit 1 --cols name |
	    sed -n 's/^shown	//p'
}

# The sanitizer build (CLERK_SLOW=0) reads fewer sorts.
sorts="name -name city -city id -id"
[ "${CLERK_SLOW:-1}" = 0 ] && sorts="name -city id"
for q in о ооо "ор ал"; do
	n=$(shown "$q")
	for sort in $sorts; do
		walk_fwd "$sort" "$q" >"$T/new"
		walk_fwd "$sort" "$q" --archived >"$T/old"
		cmp -s "$T/new" "$T/old"
		ok $? "'$q' by $sort: the pages forward as the old walk's"
		is "$(wc -l <"$T/new" | tr -d ' ')" "$n" \
		    "'$q' by $sort: as many rows as shown ($n)"
		walk_back "$sort" "$q" >"$T/back"
		cmp -s "$T/back" "$T/new"
		ok $? "'$q' by $sort: backward, the same rows"
	done
done
ok "$([ "$(shown о)" -gt 2000 ] && [ "$(shown ооо)" -gt 2000 ]; \
    echo $?)" "'о' and 'ооо' match over 2000"
is "$(walk_fwd city о | tail -n 3 | cut -f 2 | grep -c '^[.]')" 3 \
    "the rows with no city come last"

# --at finds the row itself, and the next match from any row.
walk_fwd name о >"$T/o"
pos=$(sed -n 1000p "$T/o" | cut -f 2)
is "$(clerk page party --sort name --search о --limit 1 --cols name \
    --at "$pos" | grep '^row' | cut -f 3)" "$pos" "--at a match is that one"
clerk page party --sort name --limit 500 --cols name --at "$pos" |
    grep '^row' | cut -f 3 >"$T/rest"
cut -f 2 "$T/o" >"$T/opos"
for k in 2 3 4 5; do
	row=$(sed -n "${k}p" "$T/rest")
	is "$(clerk page party --sort name --search о --limit 1 \
	    --cols name --after "$row" | grep '^row' | cut -f 3)" \
	    "$(sed "1,${k}d" "$T/rest" | grep -Fx -f "$T/opos" | head -n 1)" \
	    "--after any row gives the next match ($k)"
done

# --wrap: from the last match on to the first.
last=$(tail -n 1 "$T/o" | cut -f 2)
run page party --sort name --search о --limit 1 --cols name --after "$last" \
    --wrap
is "$(printf '%s\n' "$out" | grep '^row' | cut -f 3)" \
    "$(head -n 1 "$T/o" | cut -f 2)" "--wrap goes round to the first"
like "$out" "wrapped	1" "and says so"
run page party --sort name --search о --limit 1 --cols name --at "$pos" \
    --wrap
like "$out" "wrapped	0" "no wrap when a match follows"
first=$(head -n 1 "$T/o" | cut -f 2)
run page party --sort name --search о --limit 1 --cols name --before \
    "$first" --wrap
is "$(printf '%s\n' "$out" | grep '^row' | cut -f 3)" "$last" \
    "backward it goes round to the last"

# An archived match leaves the search (and its count).
id=$(head -n 1 "$T/o" | cut -f 1)
n=$(shown о)
run rm party "$id"
status 0 "archive a match"
is "$(shown о)" "$((n - 1))" "the count drops by one"
walk_fwd name о >"$T/o2"
unlike "$(cut -f 1 "$T/o2" | tr '\n' ' ')" " $id " "the archived one is gone"
is "$(wc -l <"$T/o2" | tr -d ' ')" "$((n - 1))" "and no other"

done_testing
