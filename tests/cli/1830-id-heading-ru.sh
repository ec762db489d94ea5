#!/bin/sh
# 1830: in Russian the record number's column is headed "№", so a field
# labelled "Номер" (clerk-forms(5)'s deal.form) is not read twice:
# list, query, find and show, and a query's column 'id'.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! make_russian; then
	diag "no msgfmt or no ru_RU.UTF-8 locale: Russian is not checked"
	done_testing
fi
export CLERK_LOCALEDIR="$T/locale"
F=$T/forms
mkdir "$F"
cp "$CLERK_FORMS"/*.form "$F"
export CLERK_FORMS="$F"
cat >"$F/deal.form" <<'EOF'
table deal "Deal" "Сделка" "Deals" "Сделки"
list number party
field number text(20) required index unique search "Number" "Номер"
field party ref(party) required index exact "Client" "Клиент"
EOF
clerk add party name='ООО «Ромашка»' >/dev/null
clerk add deal number=Д-17 party=1 >/dev/null
ru() {
	LC_ALL=ru_RU.UTF-8 LANG=ru_RU.UTF-8 run "$@"
}

ru list deal
status 0 "list in Russian"
is "$(printf '%s\n' "$out" | sed -n 1p)" "№  Номер  Клиент" \
    "list: the number's heading is not the field's"
ru query 'deal where number ^= д cols number, id, party.id'
is "$(printf '%s\n' "$out" | sed -n 1p)" "№  Номер  №  Клиент: №" \
    "query: the same, and the column id"
ru find ромашка
is "$(printf '%s\n' "$out" | sed -n 1p)" "Таблица  №  Название       Совпадение" "find: the same"
ru show deal 1
like "$out" "№:" "show: the same"
unlike "$out" "Номер:  1" "show: not the field's label"
run list deal
is "$(printf '%s\n' "$out" | sed -n 1p)" "Id  Number  Client" "English as before"

done_testing
