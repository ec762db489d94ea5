#!/bin/sh
# 1880: a choice is read by the other words its form gives after 'also'
# (clerk-forms(5)): a file from 1C or a spreadsheet with "Юридическое
# лицо", "ИП", "Физ. лицо" imports as it is; add and queries read them
# too; an unknown word is still refused with the choices.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! command -v iconv >/dev/null 2>&1; then
	echo "1..0 # SKIP no iconv(1) to make the files"
	exit 0
fi

printf '%s\r\n' 'Вид;Наименование;ИНН' \
    'Юридическое лицо;ООО «Альфа»;7707083893' \
    'ИП;ИП Борисов Б. Б.;500100732259' \
    'Физ. лицо;Васильев В. В.;' \
    'ЮЛ;АО «Гамма»;7736207543' \
    'юрлицо;ПАО «Дельта»;7710140679' |
    iconv -f UTF-8 -t CP1251 >"$T/k.csv"
run import party "$T/k.csv"
status 0 "the other words of the kinds"
run export party
is "$(printf '%s\n' "$out" | tr -d '\r' | tail -n +2 | cut -d, -f2,3)" \
"org,ООО «Альфа»
sole,ИП Борисов Б. Б.
person,Васильев В. В.
org,АО «Гамма»
org,ПАО «Дельта»" "each stored as its value"

run add party kind=ИП name='ИП Г' inn=500100732259
status 0 "add reads them"
run list party "kind = ИП" --format tsv
is "$(printf '%s\n' "$out" | cut -f2 | tail -n +2)" "ИП Борисов Б. Б.
ИП Г" "and a query"

printf '%s\n' 'Вид;Наименование' 'ООО;X' >"$T/bad.csv"
run import party "$T/bad.csv"
status 1 "an unknown word"
like "$err" "bad.csv:2: Вид: unknown value 'ООО' (expected Private person ('person')," \
    "refused with the choices"

done_testing
