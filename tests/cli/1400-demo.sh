#!/bin/sh
# 1400: admin demo: fills an empty database with valid parties and their
# contacts, the same seed gives the same data, another seed other data,
# a database with records is refused, and a bad --scale is a usage error.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run admin init
status 0 "admin init"

run admin demo --scale 200
status 0 "admin demo --scale 200"
like "$out" "created 200 parties and " "says what it made"
contacts=$(printf '%s\n' "$out" | sed -n 's/.* and \([0-9]*\) contacts$/\1/p')
is "$(count_rows party)" 200 "200 parties"
is "$(count_rows contact)" "$contacts" "as many contacts as it said"
ok "$([ "$contacts" -ge 20 ] && [ "$contacts" -le 600 ]; echo $?)" \
    "1 to 3 contacts for each organisation ($contacts)"
for k in person sole org; do
	like "$(clerk export party)" ",$k," "has kind $k"
done
run admin verify
status 0 "admin verify passes on the demo"
like "$out" "table 'party': 200 records, ok" "every party checks out"

run admin demo --scale 5
status 1 "a database with records is refused"
like "$err" "empty database" "with a reason"

# The same data from the same seed, in another data folder.
clerk export party >"$T/a-party.csv"
clerk export contact >"$T/a-contact.csv"
export CLERK_DIR="$T/data2"
run admin init
run admin demo --scale 200
status 0 "a second demo with the default seed"
clerk export party >"$T/b-party.csv"
clerk export contact >"$T/b-contact.csv"
cmp -s "$T/a-party.csv" "$T/b-party.csv"
ok $? "the same seed gives the same parties"
cmp -s "$T/a-contact.csv" "$T/b-contact.csv"
ok $? "and the same contacts"

export CLERK_DIR="$T/data3"
run admin init
run admin demo --scale 200 --seed 7
status 0 "a demo with --seed 7"
clerk export party >"$T/c-party.csv"
cmp -s "$T/a-party.csv" "$T/c-party.csv"
ok $((! $?)) "another seed gives other parties"
run admin verify
status 0 "which verify too"

export CLERK_DIR="$T/data4"
run admin init
for v in 0 -1 abc 10000001; do
	run admin demo --scale "$v"
	status 2 "--scale $v is a usage error"
	like "$err" "bad --scale '$v'" "and says so"
done
run admin demo --seed x
status 2 "a bad --seed is a usage error"
is "$(count_rows party)" 0 "nothing made by refused demos"

# Over more than one transaction: the batches go on where the last
# stopped, so the first parties are those of the small demo.
run admin demo --scale 1200
status 0 "a demo of 1200 parties"
is "$(count_rows party)" 1200 "1200 parties"
clerk export party | head -n 201 >"$T/d-party.csv"
cmp -s "$T/a-party.csv" "$T/d-party.csv"
ok $? "its first 200 are those of the demo of 200"

done_testing
