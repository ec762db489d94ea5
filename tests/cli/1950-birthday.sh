#!/bin/sh
# 1950: a birthday is a day that has been, and not 150 years back: a
# slip of the year (2062, 1873) or "tomorrow" is refused where it is
# typed or imported, naming the field and the date; it was taken
# without a word.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

export CLERK_NOW=2026-03-18

run add party kind=person name='Иванов Иван' birthday=tomorrow
status 1 "tomorrow refused"
is "$err" "clerk: Birthday ('birthday'): 19.03.2026 is still to come; a \
birthday is a day that has been" "naming the field and the date"
run add party kind=person name='Иванов Иван' birthday=2062-05-01
status 1 "a year ahead refused"
run add party kind=person name='Иванов Иван' birthday=01.05.1873
status 1 "150 years back refused"
is "$err" "clerk: Birthday ('birthday'): 01.05.1873 is more than 150 years \
ago; is the year right?" "and says why"
run list party --format tsv
is "$out" "id	name	kind	inn	phones	city	manager	status" \
    "nothing written"

run add party kind=person name='Иванов Иван' birthday=today
status 0 "today is a birthday that has been"
run add party kind=person name='Старейший' birthday=18.03.1876
status 0 "150 years to the day"
run add contact party=1 name='Петров Пётр' birthday=15.03.62
status 0 "a contact's birthday too, two-digit year 1962"
run add contact party=1 name='Петров Пётр' birthday=15.03.2062
status 1 "and a contact's birthday ahead refused"

printf 'kind,name,birthday\nperson,Сидоров,01.01.1980\nperson,Кузнецов,01.01.2080\n' \
    >"$T/p.csv"
run import party "$T/p.csv"
status 1 "an import with a birthday ahead"
like "$err" "p.csv:3: birthday: 01.01.2080 is still to come" \
    "names the line"
done_testing
