#!/bin/sh
# 1100: export and import round-trip exactly into a fresh database
# (quotes, commas, line breaks, lists, archived records, references
# between tables); export's formats; --dry-run writes nothing; a file
# from standard input; progress only on a terminal.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party kind=org name='ООО «Ромашка»' inn=7707083893 kpp=773601001 \
    ogrn=1027700132195 bank_bik=044525225 bank_name='ПАО Сбербанк' \
    bank_corr=30101810400000000225 city=Москва \
    phones='+7 495 123-45-67, 8 916 123 45 67' emails=info@romashka.ru \
    tags='цветы; опт' status=active manager=ivanova >/dev/null
clerk add party kind=person name='Иванов, Пётр "Петя"' birthday=31.01.1980 \
    notes='первая строка
вторая строка, с запятой; и "кавычками"' source='сайт' >/dev/null
clerk add party kind=sole name='ИП Смирнова Ё. Ю.' inn=500100732259 \
    city='Нижний Новгород' legal_address='г. Н. Новгород, ул. Ленина, д. 1' \
    >/dev/null
clerk add party name='Архивная' kind=person >/dev/null
clerk rm party 4 >/dev/null
clerk add contact party=1 name='Петров Пётр' position='Директор' \
    phones='+7 916 000-00-01' birthday=1975-05-05 notes='звонить утром' \
    >/dev/null
clerk add contact party=3 name='Смирнова Ёлка' emails='elka@example.ru' \
    >/dev/null

run export party --archived
status 0 "export party --archived"
printf '%s\n' "$out" >"$T/party1.csv"
is "$(head -n 1 "$T/party1.csv" | tr -d '\r')" \
    "id,kind,name,short_name,inn,kpp,ogrn,bank_bik,bank_name,bank_account,bank_corr,legal_address,postal_address,city,phones,emails,birthday,manager,source,status,tags,notes,archived" \
    "the header names every field, then archived"
like "$out" '"Иванов, Пётр ""Петя"""' "a value with a comma and quotes is quoted"
like "$out" '+74951234567; +79161234567' "phones plainly, in E.164, joined by '; '"
like "$out" '1980-01-31' "dates in ISO form"
like "$out" ',yes' "the archived record is marked"
run export contact
status 0 "export contact"
printf '%s\n' "$out" >"$T/contact1.csv"

# A fresh database of its own.
export CLERK_DIR="$T/data2"
run import party "$T/party1.csv"
status 0 "import the parties into a fresh database"
is "$out" "imported 4 party records from $T/party1.csv (utf-8, detected)" \
    "the summary counts them and says how the file was read"
run import contact "$T/contact1.csv"
status 0 "import the contacts, referring to the parties"
run export party --archived
printf '%s\n' "$out" >"$T/party2.csv"
run export contact
printf '%s\n' "$out" >"$T/contact2.csv"
cmp -s "$T/party1.csv" "$T/party2.csv"
ok $? "the parties export the same from both databases"
cmp -s "$T/contact1.csv" "$T/contact2.csv"
ok $? "the contacts too"
run list party --format tsv
is "$(printf '%s\n' "$out" | wc -l)" "4" "three live parties, one archived"
run show party 2 --format json
like "$out" '"notes":"первая строка\nвторая строка, с запятой; и \"кавычками\""' \
    "a line break inside a value comes back"

# Export's other formats.
run export party --format tsv
status 0 "export as TSV"
is "$(printf '%s\n' "$out" | head -n 1 | cut -f 1-3)" "$(printf 'id\tkind\tname')" \
    "TSV has the header"
is "$(printf '%s\n' "$out" | wc -l)" "4" "and no archived record without --archived"
run export party --format json --archived
status 0 "export as JSON"
is "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len(d), d[0]["name"], d[0]["phones"], d[3]["archived"], d[1]["birthday"])')" \
    "4 ООО «Ромашка» ['+74951234567', '+79161234567'] True 1980-01-31" \
    "JSON: all records, lists as arrays, archived flag"
run export party --format table
status 2 "no table format for export"
run export nosuch
status 1 "unknown table"
like "$err" "unknown table 'nosuch'" "says so"
export CLERK_DIR="$T/empty"
run export party --format json
is "$out" "[]" "an empty table is an empty JSON array"
run export party
is "$(printf '%s' "$out" | tr -d '\r' | wc -l)" "0" "and a CSV of the header only"

# --dry-run: everything is checked, nothing written.
export CLERK_DIR="$T/data2"
before=$(count_rows party --archived)
run import party "$T/party1.csv" --dry-run
status 1 "a dry run finds what a real import would: the same ИНН and КПП"
like "$err" "party1.csv:2: inn, kpp: Client #1 ООО «Ромашка» has the same (inn 7707083893, kpp 773601001)" \
    "naming the line, the fields and the record that has them"
printf 'name,city\nНовый,Тула\nЕщё один,Орёл\n' >"$T/new.csv"
run import --dry-run party "$T/new.csv"
status 0 "a good file, dry run"
is "$out" "would import 2 party records from $T/new.csv (utf-8, detected); nothing was written" \
    "says what it would import"
is "$(count_rows party --archived)" "$before" "and nothing was added"

# Standard input as the file; a relative name as typed.
run import party - <"$T/new.csv"
status 0 "import from standard input"
is "$out" "imported 2 party records from - (utf-8, detected)" "named '-'"
cd "$T" && run import party new.csv --dry-run
like "$out" "from new.csv" "a relative name is shown as given"

# Progress: none when standard error is not a terminal, on one when it is.
awk 'BEGIN { print "name,city"; for (i = 1; i <= 3000; i++) printf "Клиент %d,Тверь\n", i }' \
    >"$T/many.csv"
run import party "$T/many.csv"
status 0 "3000 rows"
unlike "$err" "imported 1" "no progress on a pipe"
is "$err" "" "nothing at all on standard error"
if command -v script >/dev/null 2>&1; then
	script -qc "'$CLERK_BIN' import party '$T/many.csv' --dry-run" /dev/null \
	    >"$T/tty.out" 2>&1
	like "$(cat "$T/tty.out")" "clerk: sending '$T/many.csv':" \
	    "on a terminal: the bytes sent"
	like "$(tr '\r' '\n' <"$T/tty.out" | grep -v '^$' | tail -n 1)" \
	    "would import 3000" \
	    "the progress line is wiped before the summary"
else
	ok 0 "# SKIP no script(1) for a terminal"
	ok 0 "# SKIP no script(1) for a terminal"
fi

run import party "$T/nonexistent.csv"
status 1 "a missing file"
is "$err" "clerk: cannot read '$T/nonexistent.csv': No such file or directory" \
    "is named, with the reason"
run import party
status 2 "no file is a usage error"
like "$err" "usage: clerk import TABLE FILE" "with the usage"
run import party "$T/new.csv" --encoding latin9
status 2 "an unknown encoding is a usage error"
like "$err" "unknown encoding 'latin9'; use utf-8, cp1251, cp866, koi8-r or auto" \
    "listing the known ones"

done_testing
