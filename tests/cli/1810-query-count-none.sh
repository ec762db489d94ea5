#!/bin/sh
# 1810: aggregates without group keys are one row even when no record
# matches: how many is 0, the sum and the others empty; 'having' and
# 'limit' still apply to that row, and keyed groups of no records are
# still no rows.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party name='ООО «Ромашка»' city=Москва >/dev/null

run query 'party where city = тверь group count()'
status 0 "a count of no clients"
is "$out" "Count
    0" "is 0 in a table"
run query 'party where city = тверь group count() min(birthday)' --format csv
is "$(printf '%s\n' "$out" | tr -d '\r')" "count(),min(birthday),level
0,,0" "CSV: 0, the least of nothing empty"
run query 'party where city = тверь group count() max(name)' --format json
is "$out" '[
{"count()":0,"max(name)":null,"level":0}
]' "JSON: the same"
run list party 'city = тверь'
is "$out" "" "the list of them is empty"
run query 'party where city = тверь group count() having count() > 0' \
    --format tsv
is "$out" "count()	level" "having still tests the row"
run query 'party where city = тверь group count() limit 1 offset 1' \
    --format tsv
is "$out" "count()	level" "an offset past it skips it"
run query 'party where city = тверь group city count()' --format tsv
is "$out" "city	count()	level" "groups by a key: none, and no total"
run query 'party where city = москва group count()' --format tsv
is "$out" "count()	level
1	0" "a count of some, as before"

done_testing
