#!/bin/sh
# 1110: import reads cp1251, cp866, KOI8-R, UTF-8 with a BOM and
# UTF-16, found by itself or given with --encoding, into the same
# records as the UTF-8 original; a charset that the text plainly is not
# in is refused, and invalid UTF-8 is shown by line and byte; ';' and
# tab delimiters are found from the header, whose cells may be field
# names or labels in English or Russian in any case.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

src="$top_srcdir/tests/data/parties-ru.csv"

if ! command -v iconv >/dev/null 2>&1; then
	echo "1..0 # SKIP no iconv(1) to make the files"
	exit 0
fi

# The records of a database, as export writes them, ids aside.
records() {
	"$CLERK_BIN" export party | cut -d, -f 2-
}

export CLERK_DIR="$T/utf8"
run import party "$src"
status 0 "the UTF-8 original"
is "$out" "imported 5 party records from $src (utf-8, detected; fields separated by semicolons)" \
    "found UTF-8 and semicolons"
want=$(records)
like "$want" 'Иванов Пётр Сергеевич' "Cyrillic with ё"
like "$want" '"Юридический адрес:' "a line break inside quotes"

n=0
for enc in cp1251 cp866 koi8-r; do
	iconv -f UTF-8 -t "$enc" "$src" >"$T/$enc.csv"
	n=$((n + 1))
	export CLERK_DIR="$T/auto-$enc"
	run import party "$T/$enc.csv"
	status 0 "$enc, detected"
	like "$out" "($enc, detected; fields separated by semicolons)" \
	    "says it found $enc"
	is "$(records)" "$want" "the same records as from UTF-8 ($enc, detected)"

	export CLERK_DIR="$T/given-$enc"
	run import party "$T/$enc.csv" --encoding "$enc"
	status 0 "$enc, given"
	like "$out" "($enc; fields separated by semicolons)" "says $enc, not detected"
	is "$(records)" "$want" "the same records ($enc, given)"
done

# UTF-8 with a byte order mark (Excel's "CSV UTF-8").
printf '\357\273\277' | cat - "$src" >"$T/bom.csv"
export CLERK_DIR="$T/bom"
run import party "$T/bom.csv"
status 0 "UTF-8 with a BOM"
like "$out" "(utf-8 with BOM, detected;" "says so"
is "$(records)" "$want" "the BOM is not part of the first column's name"
export CLERK_DIR="$T/bom2"
run import party "$T/bom.csv" --encoding utf-8
status 0 "UTF-8 with a BOM, given as utf-8"
is "$(records)" "$want" "the same records"

# UTF-16 with its BOM (Excel's "Unicode text", tab-separated).
python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline=""), delimiter=";"))
w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\r\n")
w.writerows(rows)' "$src" | iconv -f UTF-8 -t UTF-16 >"$T/u16.txt"
export CLERK_DIR="$T/u16"
run import party "$T/u16.txt"
status 0 "UTF-16, tab-separated"
like "$out" "(utf-16le, detected; fields separated by tabs)" "says so"
is "$(records)" "$want" "the same records"

# A charset the text is not in: refused, nothing imported.
export CLERK_DIR="$T/wrong"
clerk add party name=Один >/dev/null
run import party "$T/cp1251.csv" --encoding koi8-r
status 1 "cp1251 text said to be KOI8-R is refused"
is "$err" "clerk: $T/cp1251.csv: the text does not read as koi8-r but as cp1251 ('бХД' in koi8-r is 'Вид' in cp1251); give --encoding cp1251 (or auto)" \
    "showing how a word reads in both"
run import party "$T/koi8-r.csv" --encoding cp1251
status 1 "KOI8-R text said to be cp1251 is refused"
like "$err" "does not read as cp1251 but as koi8-r" "saying which it is"
run import party "$T/cp866.csv" --encoding koi8-r
status 1 "cp866 text said to be KOI8-R is refused"
like "$err" "does not read as koi8-r but as cp866" "saying which it is"
run import party "$src" --encoding cp1251
status 1 "UTF-8 said to be cp1251 is refused"
like "$err" "clerk: $src: the file is in UTF-8, not cp1251 ('" \
    "saying it is UTF-8"
like "$err" "' in UTF-8 is 'Р" "with a word as cp1251 would read it"
like "$err" "' in cp1251); give --encoding utf-8 (or auto)" "and what to give"
run import party "$T/cp1251.csv" --encoding utf-8
status 1 "cp1251 said to be UTF-8 is refused"
is "$err" "clerk: $T/cp1251.csv:1: invalid UTF-8 byte 0xc2 at byte 1 of the line (offset 0 in the file); the file looks like cp1251: give --encoding cp1251 (or auto)" \
    "naming the line and byte, and what it looks like"
# One bad byte in a UTF-8 file (line 4), whatever the option.
awk 'NR == 4 { $0 = $0 "\377" } { print }' "$src" >"$T/bad8.csv"
off=$(head -n 3 "$src" | wc -c)
col=$(sed -n 4p "$src" | wc -c)
off=$((off + col - 1))
run import party "$T/bad8.csv"
status 1 "a stray byte in a UTF-8 file"
is "$err" "clerk: $T/bad8.csv:4: invalid UTF-8 byte 0xff at byte $col of the line (offset $off in the file; the rest is UTF-8)" \
    "is shown by line and byte, not taken for cp1251"
run import party "$T/bad8.csv" --encoding utf-8
is "$err" "clerk: $T/bad8.csv:4: invalid UTF-8 byte 0xff at byte $col of the line (offset $off in the file; the rest is UTF-8)" \
    "the same with --encoding utf-8"
# cp1251 has no character 0x98.
printf 'name\n\300\341\230\342\n' >"$T/undef.csv"
run import party "$T/undef.csv" --encoding cp1251
status 1 "a byte cp1251 does not have"
is "$err" "clerk: $T/undef.csv:2: invalid cp1251 byte 0x98 at byte 3 of the line (offset 7 in the file)" \
    "is shown by line and byte"
# UTF-16 without its byte order mark: NUL bytes.
printf 'name\nИван\n' | iconv -f UTF-8 -t UTF-16LE >"$T/nobom.csv"
run import party "$T/nobom.csv"
status 1 "UTF-16 without a BOM"
is "$err" "clerk: $T/nobom.csv:1: a NUL byte at byte 2 of the line (offset 1 in the file): not a text file (or UTF-16 without a byte order mark)" \
    "is no text file"
is "$(count_rows party)" "1" "none of these imported anything"

# Delimiters and headers: labels in either language, any case.
export CLERK_DIR="$T/head"
printf 'NAME\tИнн\tcity\tТЕЛЕФОНЫ\n"Тест, с запятой"\t7707083893\tТула\t8 916 111 22 33\n' \
    >"$T/tab.tsv"
run import party "$T/tab.tsv"
status 0 "tabs, a name, a Russian label, capitals"
like "$out" "fields separated by tabs" "tabs found"
run show party 1 --format json
like "$out" '"name":"Тест, с запятой","short_name":null,"inn":"7707083893"' \
    "values in their fields"
like "$out" '"phones":["+79161112233"]' "the phone normalised"
printf 'Name,Short name,INN,E-mails,Lead source\nАльфа,Альфа,,a@b.ru,Сайт\n' \
    >"$T/en.csv"
run import party "$T/en.csv"
status 0 "English labels, commas"
is "$out" "imported 1 party record from $T/en.csv (utf-8, detected)" \
    "one record; commas need no mention"
printf 'Наименование;Эл. почта\r\nБета;b@c.ru\r\nГамма;"g@d.ru; h@d.ru"\r\n' \
    >"$T/crlf.csv"
run import party "$T/crlf.csv"
status 0 "CRLF line ends, semicolons, a list in one cell"
run show party 4 --format json
like "$out" '"emails":["g@d.ru","h@d.ru"]' "the list split"

done_testing
