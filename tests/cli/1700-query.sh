#!/bin/sh
# 1700: clerk query and clerk list TABLE 'COND': a query's rows as a
# table (an id first), CSV, TSV or JSON; group queries with their
# subtotals and level; mistakes named by line and column, also inside a
# list condition; --explain prints a plan; a big result comes whole,
# page after page, in the query's order.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party kind=org name='ООО «Ромашка»' city=Москва manager=ivanov \
    source=реклама >/dev/null                                       # 1
clerk add party kind=person name='Петров Пётр' city=Тверь manager=petrov \
    status=active >/dev/null                                        # 2
clerk add party kind=org name='ЗАО «Берёзка»' city=москва manager=ivanov \
    status=active >/dev/null                                        # 3

run query 'party where city = Москва cols name, manager'
status 0 "query runs"
is "$out" "Id  Name           Manager
 1  ООО «Ромашка»  ivanov
 3  ЗАО «Берёзка»  ivanov" "a table: the id, then the columns asked for"

run query party where city = москва cols name --format tsv
is "$out" "id	name
1	ООО «Ромашка»
3	ЗАО «Берёзка»" "the words of an unquoted query are joined; TSV"
run query 'party where status = Активный cols name, status' --format csv
is "$out" "$(printf 'id,name,status\r\n2,Петров Пётр,active\r\n3,ЗАО «Берёзка»,active\r')" \
    "CSV: an enum by its Russian label, written by its name"
run query 'party where id = 2 cols name, status' --format json
is "$out" '[
{"id":2,"name":"Петров Пётр","status":"active"}
]' "JSON: one object per row"
run query 'party where name = nobody' --format json
is "$out" "[]" "JSON of no rows"
run query 'party where name = nobody'
status 0 "no rows is no failure"
is "$out" "" "and prints nothing as a table"
run query 'party where name = nobody cols name' --format csv
is "$out" "$(printf 'id,name\r')" "CSV of no rows has its heading"

run query 'party group manager, status count()'
is "$out" "Manager  Status    Count
ivanov   Active        1
ivanov   Lead          1
ivanov   Subtotal      2
petrov   Active        1
petrov   Subtotal      1
Total                  3" "groups with a subtotal per manager and a total"
run query 'party group manager count()' --format tsv
is "$out" "manager	count()	level
ivanov	2	0
petrov	1	0
	3	1" "files get each row's level (0 a group, 1 the total)"

run query 'party where cty = Москва'
status 1 "a bad query fails"
is "$err" "clerk: query:1:13: unknown field 'cty' in table 'party' (did you mean 'city'?)" \
    "naming line and column, with a suggestion"
run query 'paty'
status 1 "an unknown table fails"
like "$err" "query:1:1:" "at column 1"

run query 'party where city = Москва' --explain
status 0 "--explain"
like "$out" "party" "prints the plan, not rows"
unlike "$out" "Ромашка" "no rows with the plan"

# The manager compares folded, so its index is folded: a lookup, any case.
run query 'party where manager = IVANOV cols name' --explain
like "$out" "index manager:folded = 'ivanov'" "manager = X looks the folded index up"
unlike "$out" "scan" "instead of scanning"
run query 'party where manager = IVANOV cols name' --format tsv
is "$out" "id	name
1	ООО «Ромашка»
3	ЗАО «Берёзка»" "and finds the manager's clients whatever the case"
run query 'party sort -manager cols name' --explain
like "$out" "walk index manager:folded" "a sort by manager walks it"

# list TABLE COND: list's columns, the condition's columns count in it.
run list party 'manager = ivanov'
is "$out" "$(clerk query 'party where manager = ivanov')" \
    "list with a condition shows what query does"
run list party 'manager = ivanov' --sort -name --format tsv
is "$(printf '%s\n' "$out" | cut -f 1 | tr '\n' ' ')" "id 1 3 " \
    "--sort any field, '-' for descending"
run list party 'manager = ivanov' --limit 1 --format tsv
is "$(printf '%s\n' "$out" | wc -l)" 2 "--limit with a condition"
run list party 'cty = 1'
status 1 "a bad condition fails"
is "$err" "clerk: query:1:1: unknown field 'cty' in table 'party' (did you mean 'city'?)" \
    "its column counts in the condition"
run list party 'city = 1' --archived
status 2 "--archived does not go with a condition"
run list party 'city = 1' --sort 'name limit 1'
status 2 "a --sort that is not a field is refused"
like "$err" "bad --sort" "naming the option"
run list party a b c
status 2 "list takes one condition"

# Big results come page after page, in order, every row once.
awk 'BEGIN { print "kind,name,city"
	for (i = 1; i <= 450; i++) printf "org,Фирма %04d,Город%d\n", i, i % 3 }' \
    >"$T/many.csv"
clerk import party "$T/many.csv" >/dev/null
run query 'party where city = Город1 sort -name cols name' --format tsv
status 0 "a result of several pages"
is "$(printf '%s\n' "$out" | sed 1d | wc -l)" 150 "every row"
is "$(printf '%s\n' "$out" | sed -n '2p;$p' | cut -f 2 | tr '\n' ' ')" \
    "Фирма 0448 Фирма 0001 " "in the query's order, first to last"
is "$(printf '%s\n' "$out" | sed 1d | cut -f 2 | sort -r | uniq | wc -l)" 150 \
    "none twice"
run query 'party where city ^= Город cols name'
is "$(printf '%s\n' "$out" | wc -l)" 451 "a table across pages has one heading"

# A sort no index gives, over several pages' worth: one run of the
# engine, every row once, in order (notes has no index).
awk 'BEGIN { print "kind,name,notes"
	for (i = 1; i <= 1200; i++)
		printf "org,Запись %04d,n%05d\n", i, (i * 7919) % 1201 }' \
    >"$T/unsorted.csv"
clerk import party "$T/unsorted.csv" >/dev/null
awk -F, 'NR > 1 { print $3 "\t" $2 }' "$T/unsorted.csv" | LC_ALL=C sort \
    >"$T/want"
run query 'party where notes ^= n sort notes cols notes, name' --format tsv
status 0 "a big sort no index gives"
printf '%s\n' "$out" | sed 1d | cut -f 2,3 >"$T/got"
is "$(wc -l <"$T/got")" 1200 "gives every row"
is "$(cmp "$T/want" "$T/got" && echo same)" same "once each, in order"
run query 'party where notes ^= n sort -notes cols name, notes'
is "$(printf '%s\n' "$out" | sed -n '2p;$p' | awk '{ print $NF }' | tr '\n' ' ')" \
    "$(sed -n '$p;1p' "$T/want" | cut -f 1 | sort -r | tr '\n' ' ')" \
    "a table of it, descending, first to last"
is "$(printf '%s\n' "$out" | grep -c Запись)" 1200 "every row in the table"

# The group of no value is named, not a blank that reads as a total
# (the records just imported have no manager).
run query 'party where notes ^= n group manager count()'
is "$(printf '%s\n' "$out" | sed -n 2p | awk '{ print $1 }')" "(empty)" \
    "a group of no value says so"
run query 'party where notes ^= n group manager count()' --format csv
is "$(printf '%s\n' "$out" | sed -n 2p | tr -d '\r')" ",1200,0" \
    "and is empty in a file"

done_testing
