#!/bin/sh
# 1540: a record refused on save (add, set: the command line and the
# terminal's card alike) names each wrong field by the label the card
# shows, in the client's language, with the name a command line types
# it by; and names every wrong field at once, in the order of the card,
# whether its value did not parse or the record fails a check.  So do
# the store's own refusals (a unique value another record has, a
# reference to no record) and the warnings of a value another record
# has too, with the other record as a list shows it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

russian=
if make_russian; then
	export CLERK_LOCALEDIR="$T/locale"
	russian=yes
else
	diag "no msgfmt or no ru_RU.UTF-8 locale: Russian is not checked"
fi

run add party name=X inn=7707083894
status 1 "a wrong ИНН is refused"
is "$err" "clerk: INN ('inn'): check digit should be 3, not 4" \
    "named by its label and its name"

# The card's order: birthday (beside the city) before phones, though
# the form declares phones first; the ИНН before both.
run add party name=X phones=abc birthday=31.02.2020 inn=7707083894
status 1 "three wrong values"
is "$err" "clerk: INN ('inn'): check digit should be 3, not 4; Birthday ('birthday'): invalid date '31.02.2020': February 2020 has 29 days; Phones ('phones'): unexpected character 'a'" \
    "all three, in the card's order"
run add party phones=abc
status 1 "a value that does not parse and a required one missing"
is "$err" "clerk: Name ('name'): a value is required; Phones ('phones'): unexpected character 'a'" \
    "both"
is "$(count_rows party)" 0 "nothing was added"

run add party name='ООО «Альфа»' inn=7707083893
status 0 "a good party"
run set party 1 phones=abc birthday=31.02.2020 kpp=7736
status 1 "set with three wrong values"
is "$err" "clerk: KPP ('kpp'): must be 9 characters: 4 digits, 2 digits or capital Latin letters, 3 digits, not 4 characters; Birthday ('birthday'): invalid date '31.02.2020': February 2020 has 29 days; Phones ('phones'): unexpected character 'a'" \
    "names them all in the card's order"
run set party 1 phones=abc city=Тверь
status 1 "a wrong value with a good one"
like "$err" "Phones ('phones')" "is refused"
run show party 1 --format json
like "$out" '"rev":1' "and nothing was written"
run set party 1 name= phones=abc --rev 1
is "$err" "clerk: Name ('name'): a value is required; Phones ('phones'): unexpected character 'a'" \
    "a field emptied that must have a value, and a wrong one"
run set party 1 phones=abc phones=+74951234567
status 0 "a value given again, right the second time"

[ -n "$russian" ] || done_testing
ru() {
	LC_ALL=ru_RU.UTF-8 LANG=ru_RU.UTF-8 run "$@"
}
ru add party name=X inn=7707083894 birthday=31.02.2020
status 1 "in Russian"
is "$err" "clerk: ИНН ('inn'): контрольная цифра должна быть 3, а не 4; День рождения ('birthday'): неверная дата '31.02.2020': в феврале 2020 года 29 дней" \
    "the card's labels, in Russian"

run add party kind=org name='ООО «Бета»' inn=7707083893 kpp=773601001
run add party kind=org name='ООО «Гамма»' inn=7707083893 kpp=773601001
ru add party kind=org name='ООО «Гамма»' inn=7707083893 kpp=773601001
status 1 "a unique clash, in Russian"
is "$err" "clerk: ИНН ('inn'), КПП ('kpp'): 7707083893, 773601001 уже принадлежит записи Клиент #2 ООО «Бета»" \
    "names the fields and the client that has them, in Russian"
ru add contact party=99 name='Никто'
status 1 "a reference to no record, in Russian"
is "$err" "clerk: Организация ('party'): Клиент #99 не существует" \
    "names the field and the missing record, in Russian"
ru add party kind=person name='Дубль' phones='8 495 123 45 67'
status 0 "a phone another client has: added"
is "$err" "clerk: предупреждение: Телефоны ('phones'): +7 495 123-45-67 есть и у записи Клиент #1 ООО «Альфа»" \
    "with a warning in Russian, the phone as the card shows it"

done_testing
