#!/bin/sh
# 1530: an import warns, as add does, about a line whose phone, e-mail
# or ИНН a record of the database has, or an earlier line of the file,
# naming the line, the record or the earlier line and the value; and
# imports every line all the same.  A dry run warns alike.  Warnings
# past the first 100 are counted, not listed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run add party name='ООО «Старая»' phones=+74950000000 inn=7707083893 \
    emails=old@example.ru
status 0 "a party in the database"

cat >"$T/dup.csv" <<'EOF'
name,phones,emails,inn
ООО Первая,+74951112233,first@example.ru,7707083893
ООО Вторая,+74959998877,second@example.ru,
ООО Третья,8 (495) 111-22-33,third@example.ru,
ООО Четвёртая,+74951112233; +74950000000,fourth@example.ru,
ООО Пятая,+74955554433,old@example.ru,
EOF
cd "$T" || exit 1
run import party dup.csv --dry-run
status 0 "a dry run with duplicates succeeds"
like "$err" "clerk: warning: dup.csv:2: party 1 'ООО «Старая»' has the same inn '7707083893'" \
    "an ИНН of the database, naming the record"
like "$err" "clerk: warning: dup.csv:4: line 2 has the same phones '+74951112233'" \
    "a phone of an earlier line, in another notation"
like "$err" "dup.csv:5: line 2 has the same phones '+74951112233'" \
    "one of a line's several phones"
like "$err" "dup.csv:5: party 1 'ООО «Старая»' has the same phones '+74950000000'" \
    "and another of them in the database"
like "$err" "dup.csv:6: party 1 'ООО «Старая»' has the same emails 'old@example.ru'" \
    "an e-mail of the database"
unlike "$err" "dup.csv:3:" "no warning for a line with nothing in common"
is "$(count_rows party)" "1" "the dry run added nothing"

run import party dup.csv
status 0 "the import succeeds"
like "$out" "imported 5 party records" "with every line"
is "$(printf '%s\n' "$err" | grep -c warning)" "5" "and the five warnings"
is "$(count_rows party)" "6" "all of them are in"

# Many: the first 100 listed, the rest counted.
{
	echo name,phones
	i=0
	while [ $i -lt 150 ]; do
		echo "Клиент $i,+74957770000"
		i=$((i + 1))
	done
} >"$T/many.csv"
run import party many.csv
status 0 "150 lines of one phone"
is "$(printf '%s\n' "$err" | grep -c 'has the same phones')" "100" \
    "100 warnings listed"
like "$err" "clerk: warning: many.csv: and 49 more warnings" \
    "and the rest counted"
like "$err" "many.csv:3: line 2 has the same phones '+74957770000'" \
    "each naming the first line"
done_testing
