#!/bin/sh
# 1855: import's refusals name what add's name, in the language of the
# locale: a required field the file has no column for by its label and
# name, a unique clash by the other record as a list shows it (not
# "party 1 '...'"), a reference to nothing as "Client #77", a choice
# that is none of the field's with the choices by label and name, the
# columns a file may have by label and name, a line's number of fields
# in the plural it needs, and a clash with an archived record as such.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# The server reads the translations it starts with.
russian=no
if make_russian; then
	russian=yes
	export CLERK_LOCALEDIR="$T/locale"
fi

clerk add party kind=org 'name=ООО «Альфа»' inn=7707083893 kpp=773601001 \
    >/dev/null 2>&1

printf '%s\n' 'ИНН;КПП' '7736207543;770401001' >"$T/noname.csv"
printf '%s\n' 'Наименование;ИНН;КПП;Вид' 'Б;7707083893;773601001;Организация' \
    'В;7736207543;770401001;ТОО' >"$T/dup.csv"
printf '%s\n' 'Организация;ФИО' '77;Иванов' >"$T/ref.csv"
printf '%s\n' 'Наименование;Регион' 'Г;Москва' >"$T/col.csv"
printf '%s\n' 'Наименование;Вид' 'Д' 'Е;person;x;y;z' >"$T/nf.csv"

run import party "$T/noname.csv"
status 1 "no name column"
like "$err" "noname.csv:1: Name ('name'): a value is required, but the file has no column for it" \
    "the field by label and name"
run import party "$T/dup.csv"
status 1 "a clash and a bad choice"
like "$err" "dup.csv:2: ИНН, КПП: Client #1 ООО «Альфа» has the same (ИНН 7707083893, КПП 773601001)" \
    "the clash: the file's columns, the record as a list names it"
like "$err" "dup.csv:3: Вид: unknown value 'ТОО' (expected Private person ('person'), Sole proprietor ('sole'), Organisation ('org'))" \
    "the choices by label and name"
run import contact "$T/ref.csv"
status 1 "a reference to nothing"
like "$err" "ref.csv:2: Организация: Client #77 does not exist" "as add says it"
run import party "$T/col.csv"
status 1 "an unknown column"
like "$err" "col.csv:1: Регион: unknown column; the fields of 'party' are: Kind ('kind'), Name ('name')," \
    "every field by label and name"
# A clash with an archived record says so: the lists do not show it.
clerk add party kind=org 'name=ВТБ (архив)' inn=7702070139 kpp=784201001 \
    >/dev/null 2>&1
clerk rm party 2 >/dev/null 2>&1
printf '%s\n' 'name;inn;kpp' 'ВТБ;7702070139;784201001' >"$T/arch.csv"
run import party "$T/arch.csv"
like "$err" "arch.csv:2: inn, kpp: Client #2 ВТБ (архив) (archived) has the same (inn 7702070139, kpp 784201001)" \
    "import: the other record is archived"
run add party kind=org name=ВТБ inn=7702070139 kpp=784201001
is "$err" "clerk: INN ('inn'), KPP ('kpp'): 7702070139, 784201001 already belongs to Client #2 ВТБ (архив) (archived)" \
    "add: the same"

run import party "$T/nf.csv"
like "$err" "nf.csv:2: 1 field, but the header has 2" "one field, singular"
like "$err" "nf.csv:3: 5 fields, but the header has 2" "five fields"

if [ "$russian" = yes ]; then
	export LC_ALL=ru_RU.UTF-8 LANG=ru_RU.UTF-8
	run import party "$T/noname.csv"
	like "$err" "noname.csv:1: Наименование ('name'): значение обязательно, но в файле нет такого столбца" \
	    "Russian: the field by its Russian label"
	run import party "$T/dup.csv"
	like "$err" "dup.csv:2: ИНН, КПП: то же значение у записи Клиент #1 ООО «Альфа» (ИНН 7707083893, КПП 773601001)" \
	    "Russian: the clash"
	like "$err" "dup.csv:3: Вид: неизвестное значение 'ТОО' (ожидается Физическое лицо ('person'), Индивидуальный предприниматель ('sole'), Организация ('org'))" \
	    "Russian: the choices by their Russian labels"
	run import contact "$T/ref.csv"
	like "$err" "ref.csv:2: Организация: Клиент #77 не существует" \
	    "Russian: the reference"
	run import party "$T/col.csv"
	like "$err" "поля таблицы 'party': Вид ('kind'), Наименование ('name')," \
	    "Russian: the fields"
	run import party "$T/nf.csv"
	like "$err" "nf.csv:2: 1 поле, а в заголовке — 2" "Russian: one field"
	like "$err" "nf.csv:3: 5 полей, а в заголовке — 2" "Russian: five"
	run add party kind=ТОО name=Х
	like "$err" "Вид ('kind'): неизвестное значение 'ТОО' (ожидается Физическое лицо ('person')," \
	    "add says the same"
else
	for i in 1 2 3 4 5 6 7 8; do
		echo "ok $((tap_n + 1)) # SKIP no msgfmt or no ru_RU.UTF-8 locale"
		tap_n=$((tap_n + 1))
	done
fi

done_testing
