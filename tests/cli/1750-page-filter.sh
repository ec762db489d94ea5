#!/bin/sh
# 1750: lists with a filter (page --where) keep the filter's matches in
# the server (page-where.c, struct page_where) and place them by the
# list's order, as a search's: on a 3,000-party demo every page, forward
# and backward, in several sorts, is the engine's answer to the same
# query; the count is the filter's; a search narrows it; and the matches
# stay right when records are set, added and archived, and when a
# filter through a reference sees the other table change.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run admin init
run admin demo --scale 3000 --seed 5
status 0 "a demo of 3000 parties"

# walk_fwd WHERE SORT [TEXT] [TABLE]: id and position of every row;
# walk_back WHERE SORT the same from the end.
walk_fwd() {
	page_walk 2,3 "${4:-party}" --where "$1" --sort "$2" \
	    ${3:+--search "$3"} --limit 170 --cols name
}
walk_back() {
	page_walk 2,3 --back party --where "$1" --sort "$2" --limit 170 \
	    --cols name
}
# The engine's ids for the same filter and sort.
engine() {
	clerk query "${3:-party} where $1 sort $2 cols id" --format tsv |
	    sed 1d | cut -f 1
}
filtered() {
	clerk page "${3:-party}" --where "$1" ${2:+--search "$2"} --limit 1 \
	    --cols name | sed -n 's/^filtered	//p'
}

w='status = active'
n=$(engine "$w" id | wc -l | tr -d ' ')
is "$(filtered "$w")" "$n" "the filter's count ($n)"
for sort in name -name id -id; do
	walk_fwd "$w" "$sort" >"$T/fwd"
	cut -f 1 "$T/fwd" >"$T/ids"
	engine "$w" "$sort" >"$T/want"
	cmp -s "$T/ids" "$T/want"
	ok $? "'$w' by $sort: the rows of the engine, in its order"
	walk_back "$w" "$sort" >"$T/back"
	cmp -s "$T/back" "$T/fwd"
	ok $? "'$w' by $sort: backward, the same"
done
# Sorts where the list and the engine put the rows with no value
# differently (the list last): the same rows, and the same order among
# those with one.
for sort in birthday -city manager; do
	walk_fwd "$w" "$sort" | cut -f 1 | sort >"$T/ids"
	engine "$w" "$sort" | sort >"$T/want"
	cmp -s "$T/ids" "$T/want"
	ok $? "'$w' by $sort: the engine's rows"
done
walk_fwd "$w" birthday >"$T/fwd"
engine "$w and not birthday is empty" birthday >"$T/want"
head -n "$(wc -l <"$T/want")" "$T/fwd" | cut -f 1 >"$T/ids"
cmp -s "$T/ids" "$T/want"
ok $? "'$w' by birthday: those with one first, in the engine's order"

# A search narrows the filter's rows.
walk_fwd "$w" name о >"$T/s"
walk_fwd "$w" name >"$T/all"
clerk page party --sort id --search о --limit 500 --cols name >/dev/null
engine "$w and 'о'" name >"$T/want"
cut -f 1 "$T/s" >"$T/ids"
cmp -s "$T/ids" "$T/want"
ok $? "'$w' with a search: the engine's rows for both"
is "$(clerk page party --where "$w" --search о --limit 1 --cols name |
    sed -n 's/^shown	//p')" "$(wc -l <"$T/want" | tr -d ' ')" \
    "shown counts those"

# Writes since the matches were read.
walk_fwd "$w" name >"$T/before"
out_id=$(sed -n 10p "$T/before" | cut -f 1)
in_id=$(engine "status = lead" name | sed -n 7p)
run set party "$out_id" status=inactive
status 0 "a match set inactive"
run set party "$in_id" status=active
status 0 "a lead set active"
run add party kind=person "name=Новый Активный" status=active
status 0 "an active one added"
new=$(printf '%s\n' "$out" | tr -dc '0-9\n' | tail -n 1)
arch=$(sed -n 20p "$T/before" | cut -f 1)
run rm party "$arch"
status 0 "a match archived"
walk_fwd "$w" name | cut -f 1 >"$T/ids"
engine "$w" name >"$T/want"
cmp -s "$T/ids" "$T/want"
ok $? "after the writes, the rows of the engine again"
is "$(filtered "$w")" "$(wc -l <"$T/want" | tr -d ' ')" "and the count"
grep -qx "$out_id" "$T/ids"
ok $((! $?)) "the one set inactive is gone"
grep -qx "$in_id" "$T/ids"
ok $? "the one set active is there"
grep -qx "$new" "$T/ids"
ok $? "the new one is there"
grep -qx "$arch" "$T/ids"
ok $((! $?)) "the archived one is gone"

# Through a reference: the contacts of the parties in a city change
# when a party moves.
city=$(clerk query 'contact sort id limit 1 cols party.city' --format tsv |
    sed -n 2p | cut -f 2)
cw="party.city = '$city'"
walk_fwd "$cw" name "" contact | cut -f 1 >"$T/c1"
engine "$cw" name contact >"$T/want"
cmp -s "$T/c1" "$T/want"
ok $? "contacts of the parties in $city: the engine's"
pid=$(clerk query "contact where $cw sort id limit 1 cols party" \
    --format tsv | sed -n 2p | cut -f 2 | tr -dc '0-9')
[ -n "$pid" ] || pid=$(clerk show contact "$(head -n 1 "$T/c1")" |
    sed -n 's/^ *Organisation: *#\{0,1\}\([0-9]*\).*/\1/p')
run set party "$pid" "city=Нигдебург"
status 0 "their party moved"
walk_fwd "$cw" name "" contact | cut -f 1 >"$T/c2"
engine "$cw" name contact >"$T/want"
cmp -s "$T/c2" "$T/want"
ok $? "the contacts' list follows"
ok "$([ "$(wc -l <"$T/c2")" -lt "$(wc -l <"$T/c1")" ]; echo $?)" \
    "with fewer rows"

# A bad filter names where.
run page party --where 'cty = 1' --limit 1
status 1 "a bad filter is refused"
like "$err" "cty" "naming the field"

done_testing
