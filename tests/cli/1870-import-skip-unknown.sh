#!/bin/sh
# 1870: import --skip-unknown leaves out a spreadsheet's own columns
# (№ п/п, Регион, a column without a name, as Excel saves a sheet with
# a touched empty column) with a warning each, and imports the rest;
# without it they are errors and nothing is imported.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! command -v iconv >/dev/null 2>&1; then
	echo "1..0 # SKIP no iconv(1) to make the files"
	exit 0
fi

printf '%s\r\n' '№ п/п;Наименование;Вид;Регион;;ИНН' \
    '1;ООО «Альфа»;Организация;Москва;;7707083893' \
    '2;Борисов Борис;Физическое лицо;;;' |
    iconv -f UTF-8 -t CP1251 >"$T/sk.csv"

run import party "$T/sk.csv"
status 1 "unknown columns refused by default"
like "$err" "sk.csv:1: № п/п: unknown column;" "№ п/п named"
like "$err" "sk.csv:1: column 5 has no name" "the nameless one too"

run import party "$T/sk.csv" --skip-unknown --dry-run
status 0 "dry run with --skip-unknown"
like "$out" "would import 2 party records" "both lines"

run import party "$T/sk.csv" --skip-unknown
status 0 "--skip-unknown"
is "$err" "clerk: warning: $T/sk.csv:1: № п/п: unknown column, not imported
clerk: warning: $T/sk.csv:1: Регион: unknown column, not imported
clerk: warning: $T/sk.csv:1: column 5 has no name: not imported" \
    "a warning for each column left out"
run export party
is "$(printf '%s\n' "$out" | tr -d '\r' | tail -n +2 | cut -d, -f2-5)" \
"org,ООО «Альфа»,,7707083893
person,Борисов Борис,," "the known columns imported"

# A misspelt required column is still an error, and so then are the
# columns left out, each with the closest field.
printf '%s\n' 'Наименованье;Вид' 'X;person' >"$T/typo.csv"
run import party "$T/typo.csv" --skip-unknown
status 1 "a required field still needs its column"
like "$err" "typo.csv:1: Name ('name'): a value is required, but the file has no column for it" \
    "says which"
like "$err" "typo.csv:1: Наименованье: unknown column (did you mean 'Наименование'?)" \
    "and the column it left out, as an error with the closest field"

done_testing
