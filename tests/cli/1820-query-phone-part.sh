#!/bin/sh
# 1820: part of a phone as people write it finds the numbers as stored
# (+74952487182): '~' by its digits, '^=' as a start of a number, with
# 8 or 7 or no country code for a Russian one and '+' for a foreign one;
# '=' as before.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party name='ООО «Ромашка»' phones='+7 495 248-71-82' >/dev/null
clerk add party name='ИП Петров' kind=sole phones='8 916 000-00-01' >/dev/null
clerk add party name='Минск' phones='+375 17 123-45-67' >/dev/null

ids() {
	run query "party where $1 cols name" --format tsv
	printf '%s\n' "$out" | sed 1d | cut -f1 | tr '\n' ' '
}
is "$(ids "phones ^= '8 (495)'")" "1 " "^= with the trunk prefix 8"
is "$(ids "phones ^= '+7 (495)'")" "1 " "^= with +7"
is "$(ids "phones ^= 7495")" "1 " "^= with 7"
is "$(ids "phones ^= 495")" "1 " "^= with the code alone"
is "$(ids "phones ^= '8 9'")" "2 " "^= a mobile's start"
is "$(ids "phones ^= '+375'")" "3 " "^= a foreign start after '+'"
is "$(ids "phones ~ '248-71'")" "1 " "~ by the digits"
is "$(ids "phones ~ '00-00'")" "2 " "~ by the digits, another"
is "$(ids "phones ~ '123 45'")" "3 " "~ in a foreign number"
is "$(ids "phones = '8 (495) 248-71-82'")" "1 " "= reads the whole number"
is "$(ids "phones ~ 'x1'")" "" "~ a text no phone has finds none"
run query "party where phones ^= '8 (495)' group count()" --format tsv
is "$out" "count()	level
1	0" "a count by the start"

done_testing
