#!/bin/sh
# 1740: lists sorted where no index gives the order (a field without
# one, several keys) come from the server's whole order of the list in
# memory (page-full.c, struct page_full): on a 3,000-party demo every row
# comes once, in the order of its keys (no value last, either way),
# backward as forward, a search keeps the same order, and the order
# stays right across updates, additions, an archive and a 300-row
# import (past the side array's merge).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run admin init
run admin demo --scale 3000 --seed 11
status 0 "a demo of 3000 parties"

# walk_fwd SORT [TEXT [OPTION]]: id, position, birthday, status of every
# row; walk_back the same from the end.
walk_fwd() {
	page_walk 2- party --sort "$1" ${2:+--search "$2"} --limit 170 \
	    --cols birthday,status ${3:-}
}
walk_back() {
	page_walk 2- --back party --sort "$1" ${2:+--search "$2"} \
	    --limit 170 --cols birthday,status ${3:-}
}
# The rows' (key, id) ascending, as the positions say: the hex of the
# key orders as its bytes, equal keys by id (descending when $2 is -1:
# the last sort key descends).
positions_ascend() {
	cut -f 2 "$1" | awk -F. -v dir="${2:-1}" '
		# As strings: a key of digits only would compare as a number.
		{ key = "x" $1 }
		NR > 1 && key < k { bad = 1 }
		NR > 1 && key == k && ($2 - i) * dir <= 0 { bad = 1 }
		{ k = key; i = $2 } END { exit bad }'
}
# The birthdays (dd.mm.yyyy or yyyy-mm-dd) in order, empty last;
# $2 = -1 for descending.
dates_ordered() {
	cut -f 3 "$1" | awk -v dir="${2:-1}" '
		function key(s,  a) {
			if (s ~ /^[0-9][0-9]\.[0-9][0-9]\.[0-9][0-9][0-9][0-9]$/) {
				split(s, a, "."); return a[3] a[2] a[1]
			}
			gsub(/-/, "", s); return s
		}
		$0 == "" { empty = 1; next }
		empty { bad = 1 }
		{ k = key($0); if (NR > 1 && p != "" && (dir > 0 ? k < p : k > p)) bad = 1; p = k }
		END { exit bad }'
}
total() {
	clerk page party --limit 1 --cols name | sed -n 's/^total	//p'
}

n=$(total)
for sort in birthday -birthday status,-birthday -kind,birthday,id; do
	walk_fwd "$sort" >"$T/fwd"
	is "$(wc -l <"$T/fwd" | tr -d ' ')" "$n" "by $sort: every row"
	is "$(cut -f 1 "$T/fwd" | sort -u | wc -l | tr -d ' ')" "$n" \
	    "by $sort: each once"
	last=${sort##*,}
	dir=1
	[ "${last#-}" != "$last" ] && dir=-1
	positions_ascend "$T/fwd" $dir
	ok $? "by $sort: in the order of their keys"
	walk_back "$sort" >"$T/back"
	cmp -s "$T/fwd" "$T/back"
	ok $? "by $sort: backward, the same rows"
done
walk_fwd birthday >"$T/fwd"
dates_ordered "$T/fwd"
ok $? "by birthday: ascending, the organisations (none) last"
ok "$(tail -n 1 "$T/fwd" | cut -f 3 | grep -c .)" "the last has none"
walk_fwd -birthday >"$T/fwd"
dates_ordered "$T/fwd" -1
ok $? "by -birthday: descending, none still last"
walk_fwd status,-birthday >"$T/fwd"
cut -f 4 "$T/fwd" | uniq >"$T/st"
is "$(tr '\n' ' ' <"$T/st")" "Active Inactive Lead " \
    "by status,-birthday: the statuses in order of their names"
grep '	Active$' "$T/fwd" >"$T/act"
dates_ordered "$T/act" -1
ok $? "by status,-birthday: birthdays descending within a status"

# A search: the list's rows that match, in the list's order.
for q in о "ива"; do
	walk_fwd id "$q" | cut -f 1 | sort >"$T/m"
	walk_fwd birthday "$q" >"$T/s"
	walk_fwd birthday >"$T/all"
	awk -F'\t' 'NR == FNR { m[$1] = 1; next } ($1 in m)' "$T/m" \
	    "$T/all" >"$T/want"
	cmp -s "$T/s" "$T/want"
	ok $? "'$q' by birthday: the matches in the list's order"
	is "$(clerk page party --sort birthday --search "$q" --limit 1 \
	    --cols name | sed -n 's/^shown	//p')" \
	    "$(wc -l <"$T/m" | tr -d ' ')" "'$q' by birthday: shown counts them"
done

# A list by an indexed field some rows leave empty (city): those rows
# come from the order in memory, with the index's positions, so pages of
# the two follow each other; the same rows as the older way (the index,
# then a scan for the rows with no city), which --archived still takes.
for k in 1 2 3; do
	run add party kind=person "name=Без Города $k"
done
status 0 "parties without a city"
for sort in city -city; do
	walk_fwd "$sort" "" --archived >"$T/old"
	walk_fwd "$sort" >"$T/fwd"
	cmp -s "$T/fwd" "$T/old"
	ok $? "by $sort: the rows as the index and the scan give them"
	walk_back "$sort" >"$T/back"
	cmp -s "$T/back" "$T/old"
	ok $? "by $sort: backward, the same"
	is "$(clerk page party --sort "$sort" --last --limit 3 --cols city |
	    grep -c '^row.*	$')" 3 "by $sort: End shows the rows with none"
done
pos=$(sed -n 2000p "$T/old" | cut -f 2)
is "$(clerk page party --sort -city --at "$pos" --limit 1 --cols name |
    grep '^row' | cut -f 3)" "$pos" "by -city: --at a row is that row"

# Writes since the order was read.
first=$(walk_fwd birthday | head -n 1 | cut -f 1)
id=$(walk_fwd birthday | sed -n 500p | cut -f 1)
run set party "$id" birthday=1900-01-02
status 0 "a birthday set earliest"
is "$(clerk page party --sort birthday --limit 1 --cols name |
    grep '^row' | cut -f 2)" "$id" "it comes first"
run add party kind=person "name=Самый Старый" birthday=1900-01-01
status 0 "one older added"
new=$(printf '%s\n' "$out" | tr -dc '0-9\n' | tail -n 1)
clerk page party --sort birthday --limit 3 --cols name | grep '^row' |
    cut -f 2 >"$T/top"
is "$(tr '\n' ' ' <"$T/top")" "$new $id $first " "it goes before"
run rm party "$new"
status 0 "the new one archived"
is "$(clerk page party --sort birthday --limit 1 --cols name |
    grep '^row' | cut -f 2)" "$id" "and gone from the list"
run set party "$id" birthday=
status 0 "the birthday cleared"
is "$(clerk page party --sort birthday --last --limit 1 --cols name |
    grep '^row' | cut -f 2)" "$(clerk page party --sort id --last \
    --limit 500 --cols birthday | grep '^row' | awk -F'\t' '$4 == ""' |
    tail -n 1 | cut -f 2)" "with none it is among the last, by id"

# 300 rows at once: more than the side array holds, so merged.
{
	echo "kind,name,birthday"
	i=0
	while [ $i -lt 300 ]; do
		printf 'person,Импорт Номер %d,19%02d-0%d-1%d\n' $i \
		    $((i % 100)) $((i % 9 + 1)) $((i % 9))
		i=$((i + 1))
	done
} >"$T/more.csv"
run import party "$T/more.csv"
status 0 "300 imported"
# total counts the records in use: the archived one is not.
n=$(total)
walk_fwd birthday >"$T/fwd"
is "$(wc -l <"$T/fwd" | tr -d ' ')" "$n" \
    "every row but the archived one"
is "$(cut -f 1 "$T/fwd" | sort -u | wc -l | tr -d ' ')" "$n" \
    "each once"
positions_ascend "$T/fwd" 1
ok $? "in the order of their keys"
dates_ordered "$T/fwd"
ok $? "birthdays ascending"
walk_back birthday >"$T/back"
cmp -s "$T/fwd" "$T/back"
ok $? "backward, the same rows"

# --at a row, an engine's ordinal, and bad keys.
pos=$(sed -n 100p "$T/fwd" | cut -f 2)
is "$(clerk page party --sort birthday --at "$pos" --limit 1 --cols name |
    grep '^row' | cut -f 3)" "$pos" "--at a row is that row"
run page party --sort birthday --after q10 --limit 1 --cols name
status 0 "an engine's ordinal is taken"
run page party --sort birthday,nosuch --limit 1
status 1 "an unknown sort field is refused"
like "$err" "nosuch" "naming it"

done_testing
