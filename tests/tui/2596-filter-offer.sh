#!/bin/sh
# 2596: F4 offers the filter in force selected, as the other prompts
# offer their values: a name typed replaces it (before, it was glued to
# the old filter, "ивановпетров", which found nothing), End keeps it to
# be refined, Backspace clears it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

run add party kind=person name='Иванов Иван' city=Москва
run add party kind=person name='Петров Пётр' city=Москва
run add party kind=person name='Петрова Анна' city=Тверь
status 0 "three clients"

headless '<Down><Enter><F4>иванов<Enter><F4>петров<Enter><dump>' 100x30
s=$(screen 1)
like "$s" "filter: петров" "a name typed replaces the filter"
like "$s" "2/3" "and finds the Petrovs"
unlike "$s" "ивановпетров" "not glued to the old one"

headless '<Down><Enter><F4>петров<Enter><F4><End> city = Тверь<Enter><dump>' \
    100x30
s=$(screen 1)
like "$s" "Петрова Анна" "End keeps the filter to refine it"
like "$s" "1/3" "refined"

headless '<Down><Enter><F4>петров<Enter><F4><BS><Enter><dump>' 100x30
like "$(screen 1)" "filter cleared" "Backspace clears it, Enter lifts the filter"
like "$(screen 1)" "Иванов Иван" "every row again"

done_testing
