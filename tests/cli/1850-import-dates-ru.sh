#!/bin/sh
# 1850: dates as Russian offices write them are read by import and add:
# "15 марта 1980", "1 янв. 2000 г.", "15.03.1980 г.", and the midnight a
# spreadsheet adds to a date cell ("15.03.1980 0:00:00"), in a cp1251
# file as Excel saves it; an impossible or half-written one is refused
# by line and column.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! command -v iconv >/dev/null 2>&1; then
	echo "1..0 # SKIP no iconv(1) to make the files"
	exit 0
fi

printf '%s\r\n' 'Наименование;Вид;День рождения' \
    'Аникин;Физическое лицо;15 марта 1980' \
    'Борисов;Физическое лицо;1 Января 2000 г.' \
    'Васильев;Физическое лицо;31 дек. 1999 года' \
    'Гусев;Физическое лицо;15.03.1980 г.' \
    'Дмитриев;Физическое лицо;15.03.1980 0:00:00' \
    'Ершов;Физическое лицо;5 сентября 1975' \
    'Жуков;Физическое лицо;1.2.2000г.' |
    iconv -f UTF-8 -t CP1251 >"$T/dates.csv"
run import party "$T/dates.csv"
status 0 "dates in words, with г. and with a midnight"
like "$out" "imported 7 party records" "all seven"
run export party
is "$(printf '%s\n' "$out" | tr -d '\r' | cut -d, -f3,17 | tail -n +2)" \
"Аникин,1980-03-15
Борисов,2000-01-01
Васильев,1999-12-31
Гусев,1980-03-15
Дмитриев,1980-03-15
Ершов,1975-09-05
Жуков,2000-02-01" "each read as the day it names"

printf '%s\n' 'name;kind;birthday' \
    'А;person;31 февраля 1980' \
    'Б;person;15 мартобря 1980' \
    'В;person;15.03.1980 12:30' \
    'Г;person;15 марта' >"$T/bad.csv"
run import party "$T/bad.csv"
status 1 "impossible or half-written dates refused"
like "$err" "bad.csv:2: birthday: invalid date '31 февраля 1980': February 1980 has 29 days" \
    "a day the month has not"
like "$err" "bad.csv:3: birthday: invalid date '15 мартобря 1980': expected a date (2026-01-31, 2026-1-5, 31.01.2026, 1.2.2026, 31.01.26, 31 января 2026)" \
    "no such month"
like "$err" "bad.csv:4: birthday: invalid date '15.03.1980 12:30'" \
    "a time other than midnight is not dropped"
like "$err" "bad.csv:5: birthday: invalid date '15 марта'" "no year"

run add party kind=person name=Ёжиков 'birthday=7 ноября 1985 г.'
status 0 "add reads them too"
run show party 8 --format json
like "$out" '"birthday":"1985-11-07"' "as 1985-11-07"

done_testing
