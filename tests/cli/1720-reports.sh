#!/bin/sh
# 1720: report forms: clerk report lists them with their parameters;
# the shipped ones run (groups with subtotals and a grand total, a group
# query's own subtotals, a parameter); parameters are read as their type
# and reach the query as one value whatever is typed; bad parameters and
# bad report files are named by parameter or by file:line[:column].
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party kind=org name='ООО «Ромашка»' city=Москва manager=ivanov \
    source=реклама phones='+7 495 123-45-67' >/dev/null
clerk add party kind=person name='Петров Пётр' city=Тверь manager=petrov \
    source=сайт status=active phones='+7 916 000-00-01' >/dev/null
clerk add party kind=org name='ЗАО «Берёзка»' city=Москва manager=ivanov \
    status=active phones='+7 495 123-45-67' >/dev/null 2>&1
clerk add party kind=org name='ООО «Лютик»' manager=ivanov status=active \
    phones='+7 495 123-45-67, +7 916 000-00-01' >/dev/null 2>&1

run report
status 0 "report lists the reports"
like "$out" "clients_by_manager" "clients by manager"
like "$out" "clients_by_source" "by lead source"
like "$out" "duplicates_by_phone  Duplicate clients by phone        least=2" \
    "duplicates by phone, with its parameter and default"

run report clients_by_manager
status 0 "clients by manager and status"
is "$(printf '%s\n' "$out" | sed -n '1p;5,6p;9p' )" \
"Clients by manager and status
Manager: ivanov
  Status: Active
    Total for Active                          2" \
    "title, group headers and a subtotal under its column"
like "$(printf '%s\n' "$out" | sed -n 7p)" \
    "    ЗАО «Берёзка»                             Organisation    " \
    "rows indented under their groups, in the report's widths"
like "$out" "    Total for ivanov                          3" "a manager's subtotal"
like "$out" "    Grand total                               4" "and the grand total"
run report clients_by_manager --format tsv
is "$(printf '%s\n' "$out" | sed -n '1p;4p;7p;$p' | cut -f 1-5)" \
"level	manager	status	name	kind
1	ivanov	active		2
2	ivanov			3
3				4" "TSV: levels, the keys a total sums, the count"
run report clients_by_manager --format json
like "$out" '{"level":3,"manager":null,"status":null,"name":null,"kind":4,' \
    "JSON: the grand total"
like "$out" '"title":"Clients by manager and status","params":{},"rows":[' \
    "JSON: title and parameters first"

# By lead source and the month a client was added (all of them now).
y=$(date +%Y) m=$(date +%-m)
run report clients_by_source --format tsv
is "$(printf '%s\n' "$out" | grep -v '^[12]')" "level	source	year(created)	month(created)	count()
0		$y	$m	2
0	реклама	$y	$m	1
0	сайт	$y	$m	1
3				4" "by source, year and month, and the total"
is "$(printf '%s\n' "$out" | grep -c '^[12]')" 6 \
    "a subtotal per source and year, and per source"
run report clients_by_source
like "$out" "реклама                             $y  $(printf '%8s' "$m")        1" \
    "a group, in the report's layout"
like "$out" "реклама                             $y  Subtotal        1" \
    "a subtotal labelled over the key it leaves empty"
like "$out" "Grand total                                               4" \
    "the engine's total, labelled"
like "$out" "(empty)                             $y  $(printf '%8s' "$m")        2" \
    "the clients of no source in a group that says so"

# A client is a duplicate under each phone it has (4 has two).
run report duplicates_by_phone
is "$(printf '%s\n' "$out" | sed -n '2p;6,$p')" \
"Clients with the phone, at least: 2
+7 495 123-45-67                                3
+7 916 000-00-01                                2" \
    "the parameter's default, and each duplicate phone, the commonest first, as list shows phones"
run report duplicates_by_phone least=3 --format csv
is "$out" "$(printf 'level,phones,count()\r\n0,+74951234567,3\r')" \
    "a parameter given"
run report duplicates_by_phone least=x
status 1 "a parameter of the wrong type"
is "$err" "clerk: parameter 'least': 'x' is not a whole number" "is named"
run report duplicates_by_phone lest=3
status 1 "an unknown parameter"
is "$err" "clerk: report 'duplicates_by_phone' has no parameter 'lest'; its parameters are: least" \
    "lists the right ones"
run report duplicates_by_phone least=2 least=3
status 1 "a parameter twice"
run report duplicates_by_phone 3
status 1 "a parameter without its name"
like "$err" "expected parameter=value, got '3'" "says how to give it"
run report clients_by_manger
status 1 "an unknown report"
is "$err" "clerk: no report 'clients_by_manger' (did you mean 'clients_by_manager'?)" \
    "with a suggestion"
run report clients_by_manager --format pdf
status 2 "an unknown format"

# A forms folder of our own, with reports to break.
F=$T/forms
mkdir "$F"
cp "$CLERK_FORMS"/*.form "$CLERK_FORMS"/*.report "$F"
export CLERK_FORMS="$F"
pid=$(server_pid)
[ -n "$pid" ] && kill -TERM "$pid" && wait_gone "$pid" 100
cat >"$F/test.report" <<'R'
# A report with every kind of parameter.
report params "Parameters" "Параметры"
param name text default "x' or name ~ '" "Name" "Имя"
param since date default "month start - 1" "Since" "С"
param flag bool default no "Flag" "Флаг"
param total money default "1 234,56" "Total" "Сумма"
query party where name = $name or birthday >= $since
	cols name, birthday
column name "Client" "Клиент"
R
# Parameters are values: a quote in a text does not end it.
export CLERK_NOW=2026-03-15
run report params
status 1 "a report whose parameters are not all used"
like "$err" "test.report:5: parameter 'flag' is not used in the query" \
    "is refused by file and line"
sed -i 's/^query party where name = \$name or birthday >= \$since$/query party where name = $name or birthday >= $since or name = $flag or name = $total/' \
    "$F/test.report"
run report params
status 0 "every kind of parameter binds"
is "$(printf '%s\n' "$out" | sed -n 2p)" \
    "Name: x' or name ~ ', Since: 28.02.2026, Flag: no, Total: 1,234.56" \
    "their values, the date default evaluated"
is "$(printf '%s\n' "$out" | sed -n '6,$p')" "" \
    "a text with quotes is one value: no client is called that"
run report params "name=ООО «Лютик»" --format tsv
is "$out" "level	name
0	ООО «Лютик»" "a text parameter given"
run report params since=31.12.2025 name=
like "$out" "Since: 31.12.2025" "a date given the Russian way, shown as rows show dates"
run report params since=someday
status 1 "a bad date"
like "$err" "parameter 'since': invalid date 'someday': expected a date" "is named"

bad() {
	printf '%s\n' "$1" >"$F/test.report"
	run report
	status 1 "$3"
	is "$err" "clerk: $F/test.report:$2" "$3: the message"
}
bad 'report r "R" "Р"
query party where cty = 1' "2:19: unknown field 'cty' in table 'party' (did you mean 'city'?)" \
    "a mistake in the query, by line and column"
bad 'report r "R" "Р"
query party
	where cty = 1' "3:8: unknown field 'cty' in table 'party' (did you mean 'city'?)" \
    "on a continued line of the query"
bad 'report r "R" "Р"
param p int "P" "П"
query party where name = $q' "3:26: unknown parameter 'q'" "an unknown \$name"
bad 'report r "R" "Р"
query party
column nme "N" "Н"' "3: column 'nme' is not a column of the query (they are: name, kind, inn, phones, city, manager, status; add it to the query's cols)" \
    "a column the query has not"
bad 'report r "R" "Р"
query party sort name
group manager' "3: the query must sort by the groups first (sort manager, ...)" \
    "groups out of the query's order"
bad 'report r "R" "Р"
query party group manager count()
group manager' "3: 'group' is only for queries of records: a group query groups by itself" \
    "groups over a group query"
bad 'report r "R" "Р"
query party
column name total sum' "3: column 'name': 'total sum' needs numbers, and the column is text" \
    "a sum of text"
bad 'report r "R" "Р"
query party
column name widht 3' "3: unknown attribute 'widht' (expected width N, total, format, left or right)" \
    "an unknown attribute"
bad 'report r "R" "Р"
param d date default someday "D" "Д"
query party where birthday = $d' "2: bad default: parameter 'd': invalid date 'someday': expected a date (2026-01-31, 2026-1-5, 31.01.2026, 1.2.2026, 31.01.26, 31 января 2026), today, yesterday, tomorrow, or week, month, quarter or year start or end, maybe followed by + or - a number of days, weeks, months or years" \
    "a bad default"
bad 'report r "R" "Р"' "1: report 'r' has no query" "a report without a query"
bad 'query party' "1: 'query' outside a report (a 'report' line must come first)" \
    "a query before its report"
bad 'report clients_by_source "R" "Р"
query party' "1: duplicate report 'clients_by_source' (already declared in $F/clients-by-source.report)" \
    "a name taken"
bad 'report r "R"' "1: report 'r': missing Russian label" "a missing label"
bad 'report r "R" "Р"
frob' "2: unknown keyword 'frob' (expected report, param, query, group or column)" \
    "an unknown keyword"
bad 'report r "R" "Р"
   column name' "2: only the lines of a 'query' may be indented (they continue it)" \
    "an indented line that continues nothing"
rm "$F/test.report"

done_testing
