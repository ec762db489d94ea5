#!/bin/sh
# 1770: the count a list gives ("total" of clerk page, which the
# terminal's home screen and list status line show) counts what the
# list shows: the records in use, and the archived too with --archived
# only, in every way a page is made (in id order, by an index, by the
# engine, searched, filtered, from the end), and after archive, restore
# and purge.  admin verify checks the count of archived records.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run admin init
for n in Альфа Бета Гамма Дельта; do
	clerk add party name="ООО $n" city=Тверь >/dev/null
done
clerk rm party 2 >/dev/null
clerk rm party 4 >/dev/null

total() {
	clerk page party "$@" --limit 5 --cols name | sed -n 's/^total	//p'
}
rows() {
	clerk page party "$@" --limit 5 --cols name | grep -c '^row'
}

is "$(total)" 2 "2 of 4 parties archived: the list counts 2"
is "$(rows)" 2 "and shows 2"
is "$(total --last)" 2 "from the end (the home screen's call), 2"
is "$(total --sort name)" 2 "by an index, 2"
is "$(total --sort -city,name)" 2 "by the engine, 2"
is "$(total --search ооо)" 2 "searched, 2"
is "$(total --where 'city = Тверь')" 2 "filtered, 2"
is "$(total --archived)" 4 "with --archived, 4"
is "$(rows --archived)" 4 "as it shows 4"
is "$(total --archived --sort name)" 4 "by an index with --archived, 4"

clerk restore party 2 >/dev/null
is "$(total)" 3 "a restore counts again"
clerk rm party 4 --purge >/dev/null
is "$(total)" 3 "purging an archived record leaves the count"
is "$(total --archived)" 3 "and takes it from --archived's"
clerk rm party 3 --purge >/dev/null
is "$(total)" 2 "purging one in use takes it"

run admin verify
status 0 "admin verify finds the counts right"
like "$out" "table 'party': 2 records, ok" "and says so"

done_testing
