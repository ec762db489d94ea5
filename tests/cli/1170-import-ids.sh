#!/bin/sh
# 1170: import keeps the ids of an id column, as export writes it, so a
# migration table by table keeps every reference right: two linked
# tables with a purged id between records come back with the same
# references.  Ids a record has (archived too), a purged record had, an
# earlier line has, or that are no positive whole number, are bad lines;
# an empty id cell gets a new id; later adds go on after the largest.
# Both ways of importing: line by line, and a bulk load of 1,000 lines
# or more into an empty table (ascending, and in any order with new ids
# among them).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party kind=org name=Alpha >/dev/null
clerk add party kind=org name=Beta >/dev/null
clerk add party kind=org name=Gamma >/dev/null
clerk rm party 1 --purge >/dev/null
clerk add contact party=3 name='Гамма контакт' >/dev/null
clerk add party kind=org name=Delta >/dev/null
clerk export party >"$T/p.csv"
clerk export contact >"$T/c.csv"
old=$CLERK_DIR

CLERK_DIR=$T/rt
run import party "$T/p.csv"
status 0 "parties with their ids into a new database"
run import contact "$T/c.csv"
status 0 "then their contacts"
run export contact
is "$out" "$(cat "$T/c.csv")" "the contact refers to the same party"
run show contact 1
like "$out" "Gamma" "which is Gamma, not the party after the purged one"
run export party
is "$out" "$(cat "$T/p.csv")" "every party has its id back"
run add party kind=org name=Epsilon
is "$out" "5" "an add after the import takes the next id"

# The same ids again: a record of the table has each.
run import party "$T/p.csv"
status 1 "ids the table has are refused"
like "$err" "p.csv:2: id: Client #2 Beta has this id already" \
    "naming the line and the record"
like "$err" "p.csv:4: id: Client #4 Delta has this id already" \
    "every such line"
clerk rm party 5 >/dev/null
printf 'id,kind,name\n5,org,Again\n' >"$T/five.csv"
run import party "$T/five.csv"
like "$err" "five.csv:2: id: Client #5 Epsilon has this id already" \
    "an archived record's id too"
clerk rm party 5 --purge >/dev/null
run import party "$T/five.csv"
status 1 "a purged record's id is refused"
like "$err" "five.csv:2: id: Client #5 was purged, and an id is never given twice" \
    "an id is never given twice"
printf 'id,kind,name\n10,org,A\n,org,B\n10,org,C\nx,org,D\n0,org,E\n9007199254740992,org,F\n' \
    >"$T/bad.csv"
run import party "$T/bad.csv"
status 1 "bad ids"
like "$err" "bad.csv:4: id: 10 is on line 2 too" "an id of an earlier line"
like "$err" "bad.csv:5: id: 'x' is not a positive whole number" "no number"
like "$err" "bad.csv:6: id: '0' is not a positive whole number" "zero"
like "$err" "bad.csv:7: id: '9007199254740992' is too big for an id" \
    "too big"
like "$err" "4 errors, nothing imported" "and nothing imported"
is "$(count_rows party)" "3" "the table is as it was"

# Line by line into a table that holds records: new ids after the kept.
printf 'id,kind,name\n,org,New1\n20,org,Twenty\n,org,New2\n' >"$T/mix.csv"
run import party "$T/mix.csv"
status 0 "kept and new ids mixed, line by line"
run export party
like "$out" "20,org,Twenty" "the kept id"
like "$out" "21,org,New1" "a new id after the largest kept"
like "$out" "22,org,New2" "and the next"
run add party kind=org name=After
is "$out" "23" "an add after them"

# Bulk loads into empty tables: ids ascending, and shuffled with empty
# cells among them.
awk 'BEGIN { print "id,kind,name"
	for (i = 1; i <= 1500; i++) printf "%d,org,N%d\n", 2 * i, i }' \
    >"$T/asc.csv"
CLERK_DIR=$T/bulk1
run import party "$T/asc.csv"
status 0 "a bulk load keeping ascending ids"
run show party 3000
like "$out" "N1500" "the last row has its id"
run add party kind=org name=After
is "$out" "3001" "an add after it takes the next id"
awk 'BEGIN { srand(7); print "id,kind,name"
	for (i = 1; i <= 1500; i++) v[i] = i
	for (i = 1500; i > 1; i--) { j = int(rand() * i) + 1; t = v[i]; v[i] = v[j]; v[j] = t }
	for (i = 1; i <= 1500; i++)
		printf "%s,org,M%d\n", i % 5 ? 3 * v[i] : "", v[i] }' >"$T/shuf.csv"
CLERK_DIR=$T/bulk2
run import party "$T/shuf.csv"
status 0 "ids in no order, some new, into an empty table"
run find M$(awk -F, 'NR == 3 { sub(/^M/, "", $3); print $3 }' "$T/shuf.csv")
like "$out" "$(awk -F, 'NR == 3 { print $1 }' "$T/shuf.csv")" \
    "a record is found by a word under its kept id"
run add party kind=org name=After
is "$out" "4801" "new ids after the largest kept (4500 + 300 new), then an add"
run admin verify
status 0 "every index agrees with the records"

done_testing
