#!/bin/sh
# 2595: the group view's prompt takes fields by the labels the operator
# reads (either language, any case, ё as е), and offers the column's
# label: "Город", "вид, ГОРОД" and "City" group as city and kind do
# (before, a label was refused as an unknown field of table 'party',
# and the prompt offered the field's internal name).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

run add party kind=person name='Иванов' city=Москва
run add party kind=person name='Петров' city=Москва
run add party kind=org name='ООО «Альфа»' city=Тверь
status 0 "three clients"

# The list's columns: Name, Kind, INN, Phones, City (four Tabs).
headless '<Down><Enter><Tab><Tab><Tab><Tab><F7><dump><Enter><dump>' 100x30
like "$(screen 1)" "Group by (fields, with commas): City" \
    "the prompt offers the column's label"
likere "$(screen 2)" "Москва +2" "City groups by city"
likere "$(screen 2)" "Тверь +1" "each city"

headless '<Down><Enter><F7><C-u>kind, CITY<Enter><dump>' 100x30
likere "$(screen 1)" "Private person +Москва +2" "a name and a label in capitals"

if ! make_russian; then
	echo "# no Russian locale: the rest skipped"
	done_testing
	exit 0
fi
export CLERK_LOCALEDIR="$T/locale" LC_ALL=ru_RU.UTF-8
headless '<Down><Enter><Tab><Tab><Tab><Tab><F7><dump><Enter><dump>' 100x30
like "$(screen 1)" "Группировать по (поля через запятую): Город" \
    "in Russian the offer is Город"
likere "$(screen 2)" "Москва +2" "which groups"
headless "<Down><Enter><F7><C-u>вид, ГОРОД<Enter><dump>" 100x30
likere "$(screen 1)" "Физическое лицо +Москва +2" "вид, ГОРОД group"
unlike "$(screen 1)" "неизвестное поле" "no refusal"
headless '<Down><Enter><F7><C-u>Вид Город<Enter><dump>' 100x30
likere "$(screen 1)" "Физическое лицо +Москва +2" \
    "labels parted by a blank, as names may be"

done_testing
