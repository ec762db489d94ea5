#!/bin/sh
# 1120: bad input to import: every bad line is reported as
# FILE:LINE: field: message, all of them (up to 100, then "and N
# more"), in line order, and then nothing at all is imported.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party kind=org name='ООО «Ромашка»' inn=7707083893 kpp=773601001 \
    >/dev/null
before=$(count_rows party)

long=$(printf 'Я%.0s' $(seq 1 301))
cat >"$T/bad.csv" <<EOF
name,inn,kpp,kind,birthday,emails,phones,status
Хороший,,,person,,,,
$long,,,person,,,,
Плохой ИНН,7707083894,,org,,,,
Дата,,,person,31.02.2000,,,
Почта,,,person,,not-an-address,,
Телефон,,,person,,,12,
Вид,,,martian,,,,
Статус,,,person,,,,closed
Коротко,1,2
Двойник,7707083893,773601001,org,,,,
"Кавычки" внутри,,,person,,,,
Без вида,,,,,,,
,,,person,,,,
Орг,7736050003,773601001,org,,,,
Орг2,7736050003,773601001,org,,,,
"Не закрыта,,,person,,,,
EOF
run import party "$T/bad.csv"
status 1 "a file with bad lines is refused"
f="$T/bad.csv"
is "$err" "clerk: $f: 13 errors, nothing imported (read as utf-8, detected):
$f:3: name: 301 characters long, at most 300 allowed
$f:4: inn: check digit should be 3, not 4
$f:5: birthday: invalid date '31.02.2000': February 2000 has 29 days
$f:6: emails: has no '@'; an e-mail address looks like name@example.ru
$f:7: phones: too short: 2 digits; a Russian number has 10 after +7 or 8 (with the area code)
$f:8: kind: unknown value 'martian' (expected Private person ('person'), Sole proprietor ('sole'), Organisation ('org'))
$f:9: status: unknown value 'closed' (expected Lead ('lead'), Active ('active'), Inactive ('inactive'))
$f:10: 3 fields, but the header has 8
$f:11: inn, kpp: Client #1 ООО «Ромашка» has the same (inn 7707083893, kpp 773601001)
$f:12: name: text after the closing quote (a quote inside a quoted field must be doubled)
$f:14: name: a value is required
$f:16: inn, kpp: the same as line 15 (inn 7736050003, kpp 773601001)
$f:17: name: a quoted field is not closed" \
    "every bad line, by line and field: length, checksum, date, e-mail, phone, choices, field count, uniques in the database and in the file, quotes"
is "$(count_rows party)" "$before" "and nothing was imported"
run import party "$T/bad.csv" --dry-run
status 1 "a dry run fails the same way"
like "$err" "$f: 13 errors, nothing imported" "with the same count"

# The header.
printf 'nmae,NAME,Наименование,city,ИНН,inn,\nx,y,z,Тула,,,\n' >"$T/hdr.csv"
run import party "$T/hdr.csv"
status 1 "a bad header"
is "$err" "clerk: $T/hdr.csv: 4 errors, nothing imported (read as utf-8, detected):
$T/hdr.csv:1: nmae: unknown column (did you mean 'name'?)
$T/hdr.csv:1: name: column 3 'Наименование' is the same field as column 2 'NAME'
$T/hdr.csv:1: inn: column 6 'inn' is the same field as column 5 'ИНН'
$T/hdr.csv:1: column 7 has no name" \
    "unknown (with a suggestion), repeated and unnamed columns"
printf 'zzz,name\n1,Икс\n' >"$T/hdr2.csv"
run import party "$T/hdr2.csv"
like "$err" "hdr2.csv:1: zzz: unknown column; the fields of 'party' are: Kind ('kind'), Name ('name'), Short name ('short_name')," \
    "an unknown column with nothing close lists the fields"
printf 'city\nТула\n' >"$T/hdr3.csv"
run import party "$T/hdr3.csv"
like "$err" "hdr3.csv:1: Name ('name'): a value is required, but the file has no column for it" \
    "a required field without a column"
: >"$T/empty.csv"
run import party "$T/empty.csv"
status 1 "an empty file"
like "$err" "empty.csv: the file is empty; its first line must name the fields" \
    "says what the first line must be"
printf 'name\n' >"$T/only.csv"
run import party "$T/only.csv"
status 0 "a header alone imports nothing, and is no error"
is "$out" "imported 0 party records from $T/only.csv (utf-8, detected)" "says so"

# References.
printf 'party,name\n77,Никто\n1,Кто-то\n0,Ноль\n' >"$T/contact.csv"
run import contact "$T/contact.csv"
status 1 "a contact of a party that does not exist"
like "$err" "contact.csv:2: party: Client #77 does not exist" "names the line and field"
like "$err" "contact.csv:4: party: " "and an impossible reference"
unlike "$err" "contact.csv:3" "not the good line"
is "$(count_rows contact)" "0" "no contact was imported"

# Many bad lines: the first 100, then a count.
awk 'BEGIN { print "name,inn"; for (i = 1; i <= 150; i++) print "X" i ",123" }' \
    >"$T/many.csv"
run import party "$T/many.csv"
status 1 "150 bad lines"
like "$err" "clerk: $T/many.csv: 150 errors, nothing imported" "counted"
is "$(printf '%s\n' "$err" | grep -c "many.csv:[0-9]*: inn: ")" "100" \
    "100 of them listed"
is "$(printf '%s\n' "$err" | tail -n 1)" "and 50 more" "then how many more"
is "$(printf '%s\n' "$err" | sed -n 2p)" \
    "$T/many.csv:2: inn: must be 10 digits (an organisation's INN), not 3" \
    "from the first (a party is an organisation unless told)"

# Other tables and tables that do not exist.
run import paty "$T/many.csv"
status 1 "an unknown table"
is "$err" "clerk: unknown table 'paty' (did you mean 'party'?)" "with a suggestion"
is "$(count_rows party)" "$before" "still nothing was imported"

# A file with the labels as its header: a mistake is told by the column
# as the file names it, as an unclosed quote is.
printf 'Наименование,ИНН,Статус,Город\nАльфа,7707083894,active,Тверь\nБета,,zzz,Тверь\nГамма,,lead,"Казань\n' \
    >"$T/ru.csv"
run import party "$T/ru.csv"
status 1 "a file with Russian headers and three bad lines"
like "$err" "ru.csv:2: ИНН: check digit should be 3, not 4" "the ИНН by its header"
like "$err" "ru.csv:3: Статус: unknown value 'zzz'" "the status by its header"
like "$err" "ru.csv:4: Город: a quoted field is not closed" "as the quote was"

done_testing
