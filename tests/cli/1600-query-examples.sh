#!/bin/sh
# 1600: the examples of clerk-query(7) run as written: every "$ clerk
# ..." line of a literal block in its EXAMPLES section, against the four
# clients and three contact persons the page describes, must print the
# lines that follow it (standard output and error together).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

page=$top_srcdir/man/clerk-query.7

clerk add party kind=org name='ООО «Ромашка»' city=Москва manager=ivanov \
    status=active source=реклама tags=vip >/dev/null                   # 1
clerk add party kind=person name='Петров Пётр' city=Тверь manager=petrov \
    status=lead birthday=1980-03-15 >/dev/null                         # 2
clerk add party kind=org name='ЗАО «Берёзка»' city=москва manager=ivanov \
    status=active source=выставка >/dev/null                           # 3
clerk add party kind=sole name='ИП Сидоров' city=Казань manager=petrov \
    status=inactive source=реклама tags='vip, опт' >/dev/null          # 4
clerk add contact party=1 name='Иванов Иван' position=директор >/dev/null
clerk add contact party=3 name='Смирнова Ольга' position=бухгалтер \
    >/dev/null
clerk add contact party=4 name='Сидоров Алексей' >/dev/null
is "$(count_rows party)" 4 "the clients of the examples are there"

# Split the examples into files: N.cmd (the command) and N.want.
awk -v dir="$T" '
/^\.Sh / { inex = ($2 == "EXAMPLES") }
inex && /^\.Bd -literal/ { inblk = 1; next }
inex && /^\.Ed/ { inblk = 0; next }
inex && inblk && /^\$ / {
	n++
	print substr($0, 3) > (dir "/" n ".cmd")
	printf "" > (dir "/" n ".want")
	next
}
inex && inblk && n { print > (dir "/" n ".want") }
END { print n > (dir "/count") }
' "$page"

n=$(cat "$T/count")
[ "$n" -ge 10 ]
ok $? "the page has its examples ($n)"
i=1
while [ "$i" -le "$n" ]; do
	cmd=$(cat "$T/$i.cmd")
	got=$(eval "$cmd" 2>&1)
	want=$(cat "$T/$i.want")
	is "$got" "$want" "example $i: $cmd"
	i=$((i + 1))
done

done_testing
