#!/bin/sh
# 1620: dates are read the same wherever one is typed: a record's date
# field, a query (quoted or not) and a report's parameter take the same
# forms and the same words (today, month start - 1 month); a two-digit
# year is the one within 80 years before and 19 after the current year,
# not always 20YY; a bad date's message lists every form it would take.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# A Wednesday, so week, month and quarter start all differ.
export CLERK_NOW=2026-03-18

# The birthday is the date field typed here; its validator (1950) would
# refuse the years ahead this test reads, so it is left out.
mkdir "$T/forms"
cp "$CLERK_FORMS"/*.form "$CLERK_FORMS"/*.report "$T/forms/"
sed -i 's/ validator birthday//' "$T/forms/party.form"
export CLERK_FORMS="$T/forms"

bday() {
	run query "party where id = $1 cols birthday" --format tsv
	printf '%s\n' "$out" | sed -n 2p | cut -f 2
}

run add party kind=person name='Старик' birthday=15.03.80
status 0 "a birthday with a two-digit year"
is "$(bday 1)" "1980-03-15" "80 is 1980, not 2080"
clerk add party kind=person name=A birthday=31.12.99 >/dev/null
is "$(bday 2)" "1999-12-31" "99 is 1999"
clerk add party kind=person name=B birthday=01.01.45 >/dev/null
is "$(bday 3)" "2045-01-01" "45 is 2045, within 19 years ahead"
clerk add party kind=person name=C birthday=01.01.46 >/dev/null
is "$(bday 4)" "1946-01-01" "46 is 1946, within 80 years back"
clerk add party kind=person name=D birthday=31.01.26 >/dev/null
is "$(bday 5)" "2026-01-31" "26 is this year"

run query "party where birthday = 15.03.80 cols name"
is "$out" "Id  Name
 1  Старик" "a query reads a two-digit year the same way"

# The words, quoted or not, on add and set and in a query.
run add party kind=person name=E birthday='month start'
status 0 "a record's date takes 'month start'"
is "$(bday 6)" "2026-03-01" "the first of the month"
run set party 6 birthday='Today - 1 week'
status 0 "and 'today - 1 week', in any case"
is "$(bday 6)" "2026-03-11" "a week ago"
run set party 6 birthday='quarter start + 2 months'
is "$(bday 6)" "2026-03-01" "quarter start plus two months"
run set party 6 birthday=вчера
is "$(bday 6)" "2026-03-17" "вчера"
run query "party where birthday >= 'month start' cols name"
status 0 "a query takes 'month start' quoted"
is "$out" "Id  Name
 3  B
 6  E" "as it does unquoted"
run query "party where birthday >= month start cols name"
is "$out" "Id  Name
 3  B
 6  E" "unquoted"
run query "party where birthday = 'today - 1' cols name"
is "$out" "Id  Name
 6  E" "'today - 1' quoted"
run query "party where birthday >= quarter start and birthday < 2026-06-01 cols name"
is "$out" "Id  Name
 5  D
 6  E" "quarter start unquoted"

# A bad date lists every form, wherever it is typed; nothing changes.
forms="expected a date (2026-01-31, 2026-1-5, 31.01.2026, 1.2.2026, 31.01.26, 31 января 2026), today, yesterday, tomorrow, or week, month, quarter or year start or end, maybe followed by + or - a number of days, weeks, months or years"
run set party 6 birthday='month begin'
status 1 "a bad date on set"
is "$err" "clerk: Birthday ('birthday'): invalid date 'month begin': $forms" \
    "lists every accepted form"
is "$(bday 6)" "2026-03-17" "and changes nothing"
run query "party where birthday >= 'someday' cols name"
status 1 "a bad quoted date in a query"
is "$err" "clerk: query:1:25: invalid date 'someday': $forms" \
    "points at its column and lists the forms"
run query "party where birthday >= today - x cols name"
status 1 "a bad offset unquoted"
is "$err" "clerk: query:1:33: expected a number of days, found 'x'" \
    "points at it"
F=$T/forms
mkdir "$F"
cp "$CLERK_FORMS"/*.form "$F"
cat >"$F/test.report" <<'R'
report since "Since" "С"
param since date default "month start - 1 month" "Since" "С"
query party where birthday >= $since
	cols name, birthday
R
export CLERK_FORMS="$F"
pid=$(server_pid)
[ -n "$pid" ] && kill -TERM "$pid" && wait_gone "$pid" 100
run report since --format tsv
status 0 "a report's date default in words"
is "$(printf '%s\n' "$out" | cut -f 2 | tr '\n' ' ')" \
    "name B E " "month start - 1 month is 1 February"
run report since since='today - 1' --format tsv
is "$(printf '%s\n' "$out" | cut -f 2 | tr '\n' ' ')" "name B E " \
    "a parameter takes 'today - 1'"
run report since since=01.01.80 --format tsv
is "$(printf '%s\n' "$out" | cut -f 2 | tr '\n' ' ')" \
    "name Старик A B D E " "and a two-digit year, the same way"
run report since since=someday
status 1 "a bad parameter"
is "$err" "clerk: parameter 'since': invalid date 'someday': $forms" \
    "lists the same forms"

done_testing
