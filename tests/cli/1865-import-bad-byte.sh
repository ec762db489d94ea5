#!/bin/sh
# 1865: a bad byte in the middle of a big cp1251 or UTF-8 file is shown
# by its line and its byte in that line (where an editor shows it), with
# its offset in the file; nothing is imported.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! command -v iconv >/dev/null 2>&1; then
	echo "1..0 # SKIP no iconv(1) to make the files"
	exit 0
fi

# 300 lines of cp1251 as Excel saves them; line 152 has 0x98, which
# cp1251 lacks, as its 7th byte (after "15;Кли").
{
	printf 'Наименование;Вид\r\n'
	i=1
	while [ $i -le 150 ]; do
		printf 'Клиент %d;Физическое лицо\r\n' $i
		i=$((i + 1))
	done
} | iconv -f UTF-8 -t CP1251 >"$T/w.csv"
off=$(wc -c <"$T/w.csv")
off=$((off + 6))
printf '15;\312\353\350\230\345\355\362;x\r\n' >>"$T/w.csv"
printf 'Ещё;Физическое лицо\r\n' | iconv -f UTF-8 -t CP1251 >>"$T/w.csv"
run import party "$T/w.csv" --encoding cp1251
status 1 "a byte cp1251 does not have"
is "$err" "clerk: $T/w.csv:152: invalid cp1251 byte 0x98 at byte 7 of the line (offset $off in the file)" \
    "line 152, byte 7 of it, and the offset"

# The same in UTF-8: a stray 0xff as the 5th byte of line 101.
{
	printf 'name;kind\n'
	i=1
	while [ $i -le 99 ]; do
		printf 'Клиент %d;person\n' $i
		i=$((i + 1))
	done
} >"$T/u.csv"
off=$(wc -c <"$T/u.csv")
off=$((off + 4))
printf 'Abcd\377;person\nЕщё;person\n' >>"$T/u.csv"
run import party "$T/u.csv"
status 1 "a stray byte in UTF-8"
is "$err" "clerk: $T/u.csv:101: invalid UTF-8 byte 0xff at byte 5 of the line (offset $off in the file; the rest is UTF-8)" \
    "line 101, byte 5 of it"
run list party
is "$out" "" "nothing imported"

done_testing
