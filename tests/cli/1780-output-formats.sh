#!/bin/sh
# 1780: commands show a value one way.  For people (show, the tables of
# query and list, the text of report) a phone as +7 495 123-45-67, a
# list's values joined by ", ", a date as 31.01.2026 and a reference by
# the number and name of its record, numbers right-aligned; in CSV and
# TSV values as import reads them (a list joined by "; "); in JSON a
# list field as an array (query, view, report, list, show and export
# alike), a reference by its number.  References of a long listing are
# read a page at a time, past the first page too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# A forms folder of our own, with a report of contacts by party.
F=$T/forms
mkdir "$F"
cp "$CLERK_FORMS"/*.form "$CLERK_FORMS"/*.report "$F"
export CLERK_FORMS="$F"
cat >"$F/contacts.report" <<'R'
report contacts "Contacts by client" "Контакты по клиентам"
query contact sort party, name cols party, name, phones
group party "Client" "Клиент"
R

clerk add party name='ООО «Альфа»' phones='+7 495 123-45-67, 8 916 000-00-01' \
    birthday=2020-01-31 >/dev/null
clerk add party name='ООО «Бета»' >/dev/null
clerk add contact party=1 name='Иванов Иван' phones='+7 495 123-45-67' \
    >/dev/null
clerk add contact party=2 name='Петров Пётр' >/dev/null

phones='+7 495 123-45-67, +7 916 000-00-01'
run list party --limit 1
like "$out" "$phones" "list: phones for people"
run query 'party where id = 1 cols name, phones, birthday'
like "$out" "$phones" "query's table: the same phones"
like "$out" "31.01.2020" "and the date as list shows it"
run show party 1
like "$out" "Phones:    $phones" "show: the same"
run report duplicates_by_phone least=1
like "$out" "+7 495 123-45-67 " "report: a phone as list shows it"
unlike "$out" "+74951234567" "not as stored"

csv='+74951234567; +79160000001'
run list party --format csv
like "$out" "$csv" "list's CSV: as stored, joined by '; '"
run query 'party where id = 1 cols phones' --format csv
like "$out" "$csv" "query's CSV: the same"
run export party
like "$out" "$csv" "export's CSV: the same"

json='"phones":["+74951234567","+79160000001"]'
run query 'party where id = 1 cols phones' --format json
like "$out" "$json" "query's JSON: a list as an array"
clerk view save ph 'party cols phones' >/dev/null
run view run ph --format json
like "$out" "$json" "a view's JSON: the same"
run report clients_by_manager --format json
like "$out" "$json" "report's JSON: the same"
run list party --format json
like "$out" "$json" "list's JSON: the same"
run show party 1 --format json
like "$out" "$json" "show's JSON: the same"
run export party --format json
like "$out" "$json" "export's JSON: the same"
run report duplicates_by_phone least=1 --format json
like "$out" '"phones":"+74951234567"' "a group key of a list: one value, a string"

run show contact 1
like "$out" "Organisation:  #1 ООО «Альфа»" "show: a reference by its record"
run query 'contact cols name, party'
like "$out" "Иванов Иван  #1 ООО «Альфа»" "query's table: the same, left-aligned"
like "$out" "Петров Пётр  #2 ООО «Бета»" "each by its own"
run list contact 'name ~ и'
like "$out" "#1 ООО «Альфа»" "list with a condition: the same"
run list contact
like "$out" "#1 ООО «Альфа»" "list without one: the same"
like "$out" "#2 ООО «Бета»" "each by its own"
run list contact --sort -name --format csv
like "$out" "Петров Пётр,2" "its CSV: the number"
run query 'contact group party count()'
like "$(printf '%s\n' "$out" | grep Бета)" "#2 ООО «Бета»" "a group key"
like "$out" "Organisation    Count" "left-aligned"

run query 'contact cols name, party' --format tsv
like "$out" "1	Иванов Иван	1" "TSV: a reference by its number"
run query 'contact cols name, party' --format json
like "$out" '"party":1' "JSON: by its number"
run report contacts
like "$out" "Client: #1 ООО «Альфа»" "report: a group of a reference by its record"
clerk rm party 2 >/dev/null
run show contact 2
like "$out" "#2 ООО «Бета»" "an archived record still names it"

# Past the first page of a long listing (200 rows a page).
echo name >"$T/p.csv"
echo party,name >"$T/c.csv"
i=3
while [ "$i" -le 460 ]; do
	echo "Клиент $i" >>"$T/p.csv"
	echo "$i,Контакт $i" >>"$T/c.csv"
	i=$((i + 1))
done
clerk import party "$T/p.csv" >/dev/null
clerk import contact "$T/c.csv" >/dev/null
run query 'contact where id > 2 cols party'
is "$(printf '%s\n' "$out" | sed 1d | grep -c '#[0-9]* Клиент [0-9]*$')" 458 \
    "458 rows over three pages, each reference by its record"
is "$(printf '%s\n' "$out" | tail -n 1)" "460  #460 Клиент 460" \
    "the last as well"

run query 'party where id > 0 sort -id limit 1 cols id'
is "$out" " Id   Id
460  460" "numbers right-aligned"

done_testing
