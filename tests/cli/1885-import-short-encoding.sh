#!/bin/sh
# 1885: a file too short to tell cp1251 from KOI8-R (a name in capitals:
# the one's capitals are the other's small letters) is refused with how
# a word reads in both, not imported as nonsense; --encoding imports it;
# a line or two of ordinary names is still found by itself.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! command -v iconv >/dev/null 2>&1; then
	echo "1..0 # SKIP no iconv(1) to make the files"
	exit 0
fi

printf '%s\r\n' 'name;kind' 'ЗАО "ЭФФЕКТ";org' |
    iconv -f UTF-8 -t CP1251 >"$T/caps.csv"
run import party "$T/caps.csv"
status 1 "capitals alone: refused"
is "$err" "clerk: $T/caps.csv: too little text to tell its encoding: it reads as 'гюн' in koi8-r and as 'ЗАО' in cp1251; give --encoding" \
    "with the word in both"
run import party "$T/caps.csv" --encoding cp1251
status 0 "given, imported"
run export party
like "$out" '1,org,"ЗАО ""ЭФФЕКТ""",' "as written"

printf '%s\r\n' 'name;kind' 'УФК;org' | iconv -f UTF-8 -t CP1251 >"$T/ufk.csv"
run import party "$T/ufk.csv"
status 1 "three letters: refused"
like "$err" "too little text to tell its encoding" "says why"

for enc in CP1251 KOI8-R CP866; do
	printf '%s\r\n' 'name;kind' 'Петров Пётр;person' |
	    iconv -f UTF-8 -t $enc >"$T/p.csv"
	run import party "$T/p.csv" --dry-run
	like "$out" "($(echo $enc | tr 'A-Z' 'a-z'), detected;" \
	    "one ordinary name in $enc is found by itself"
done

run list party --format tsv
is "$(printf '%s\n' "$out" | wc -l)" "2" "only the one given"

done_testing
