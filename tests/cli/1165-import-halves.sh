#!/bin/sh
# 1165: a big file's rows are parsed by two threads of the server, each a
# half of the file (cmd-import.c, import_rows()).  The rows, their line
# numbers, the checks across the halves (a unique value of the first half
# on a line of the second, a phone of the first half in the second) and
# the fallback when the middle of the file is inside a quoted field come
# out as one thread would make them.  Each file is over a megabyte (the
# threshold), and every row's notes are quoted and two lines long.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

rows=12000
# gen N BAREQUOTE: the header and N rows; with BAREQUOTE the first row's
# name has a plain quote inside, so a count of quotes before a line end
# is even only inside a quoted field.
gen() {
	awk -v n="$1" -v bare="$2" 'BEGIN {
		print "name,phones,notes"
		for (i = 0; i < n; i++) {
			name = sprintf("Клиент %05d", i)
			if (bare && i == 0)
				name = "Клиент 5\" дюймов"
			printf "%s,+7495%07d,\"примечание %d, с запятой\n" \
			    "и второй строкой \"\"в кавычках\"\"\"\n", \
			    name, i, i
		}
	}'
}

cd "$T" || exit 1
gen $rows 0 >good.csv
[ "$(wc -c <good.csv)" -gt 1048576 ]
ok $? "the file is over a megabyte"
run import party good.csv
status 0 "a big file imports"
like "$out" "imported $rows party records" "with every row"
run export party --format tsv
printf '%s\n' "$out" | awk -F '\t' 'NR > 1 { print $1 "\t" $3 }' >got.tsv
gen $rows 0 | awk 'NR > 1 && NR % 2 == 0 { split($0, f, ","); print NR / 2 "\t" f[1] }' >want.tsv
cmp -s got.tsv want.tsv
ok $? "every row in file order, ids ascending"
run show party $((rows - 1))
like "$out" "примечание $((rows - 2)), с запятой" "a notes field of the second half, whole"
like "$out" 'и второй строкой "в кавычках"' "with its second line and its quotes"

# Bad lines in both halves name their lines (two lines a row, the header
# one): row 5 is on line 12, row 11000 on line 22002.
gen $rows 0 | awk 'NR == 12 { sub(/^Клиент 00005,[^,]*,/, "Клиент 00005,номер,") }
    NR == 22002 { sub(/^Клиент 11000,[^,]*,/, "Клиент 11000,телефон,") } { print }' >bad.csv
run -d "$T/bad" import party bad.csv
status 1 "a file with a bad line in each half fails"
like "$err" "2 errors, nothing imported" "two errors"
like "$err" "bad.csv:12: phones:" "the first half's, on its line"
like "$err" "bad.csv:22002: phones:" "the second half's, on its line"

# One (ИНН, КПП) in both halves: the second half's line is the bad one.
gen $rows 0 | awk -F , 'BEGIN { OFS = "," }
    NR == 1 { print "name,phones,notes,kind,inn,kpp"; next }
    NR == 5 || NR == 21001 { print $0 ",org,7707083893,773601001"; next }
    NR % 2 == 1 { print $0 ",person,,"; next } { print }' >uniq.csv
run -d "$T/uniq" import party uniq.csv
status 1 "a unique value in both halves fails"
like "$err" "uniq.csv:21000: inn, kpp: the same as line 4" \
    "the second half's line names the first half's"
like "$err" "1 error, nothing imported" "and only it"

# A phone of the first half on a line of the second: a warning.
gen $rows 0 | awk 'NR == 20000 { sub(/,\+74950009999,/, ",+74950000003,") } { print }' >dup.csv
run -d "$T/dup" import party dup.csv
status 0 "a phone in both halves imports"
like "$err" "dup.csv:20000: line 8 has the same phones '+74950000003'" \
    "with a warning naming the first half's line"

# A plain quote in the first row: the middle of the file, by the count
# of quotes, falls inside a quoted field; the first half's parse runs
# past it, and the second half's work is dropped.
gen $rows 1 >quote.csv
run -d "$T/quote" import party quote.csv
status 0 "a file that fools the split imports"
like "$out" "imported $rows party records" "with every row, none twice"
run -d "$T/quote" export party --format tsv
printf '%s\n' "$out" | awk -F '\t' 'NR > 2 { print $1 "\t" $3 }' >got.tsv
sed 1d want.tsv >want2.tsv
cmp -s got.tsv want2.tsv
ok $? "every row as one thread reads it"

done_testing
