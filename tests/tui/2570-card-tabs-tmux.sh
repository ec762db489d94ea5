#!/bin/sh
# 2570: the card's other tabs in a real terminal (tmux, a private
# server): the history says what changed by the fields' labels and the
# values as people read them (a choice by its label, a date as
# 31.01.2026, a reference by its number and name, an empty value as
# "—"), pages with PgDn, PgUp, Home and End, and wraps a long change to
# be read whole; the related records page the same way.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='ООО «Ромашка»' inn=7707083893 city=Москва
status 0 "a client"
run add party name='ООО «Лютик»' city=Тверь
status 0 "another"
i=1
while [ "$i" -le 30 ]; do
	clerk add contact party=1 name="$(printf 'Контакт %02d' "$i")" \
	    >/dev/null || exit 1
	i=$((i + 1))
done
run add contact party=2 name='Иванов Иван'
run set contact 31 party=1 birthday=1992-02-29 phones=+79161234567
status 0 "the contact moved, with a birthday and a phone"
run set party 1 status=active
for c in Тула Омск Казань Пермь Курск Орёл Томск Псков Сочи Чита Уфа; do
	clerk set party 1 city="$c" >/dev/null || exit 1
done
note=$(printf 'слово%02d ' $(seq 1 60))КОНЕЦ
run set party 1 notes="$note"
status 0 "a long note"

tm new-session -d -s tabs -x 80 -y 24 "$clerk_cmd"
win=tabs
wait_for "Clients" "the home screen"
keys Down Enter
wait_for "ООО «Ромашка»" "the list"
keys Down Enter
wait_for "Client #1" "the card"
keys F5
# The tab bar names "Contact persons (31)" on the card's first tab too:
# wait for the tab's own rows.
wait_for "▶Контакт 01" "the contacts' tab, on the first contact"
like "$(screen)" "Contact persons (31)" "all of them counted"
keys PgDn
wait_gone "▶Контакт 01"
likere "$(selected)" "Контакт (1[5-9]|2[0-9])" "PgDn moves a page down"
keys End
wait_for "▶Иванов Иван" "End to the last"
keys PgUp
wait_gone "▶Иванов Иван"
keys Home
wait_for "▶Контакт 01" "Home to the first"
unlike "$(screen)" "does nothing here" "no complaint about the keys"

keys F5
# The tab bar names History all along: wait for the tab's own lines.
wait_for "Status: Lead → Active" "the history tab, a choice by its label"
like "$(screen)" "City: Москва → Тула" "a field by its label"
unlike "$(screen)" "Уфа" "the last change below the page"
keys PgDn
wait_for "City: Чита → Уфа" "PgDn pages the history"
keys PgUp
wait_for "City: Москва → Тула" "PgUp back"
keys End
wait_for "КОНЕЦ" "End shows the last change, the long note read whole"
like "$(screen)" "Notes: — → слово01" "an empty value as —"
like "$(screen)" "слово40" "the middle of the note too"
unlike "$(screen)" "…" "nothing cut"
likere "$(screen)" "^ {6}слово[0-9]+ слово" "wrapped at a blank, under the text"
keys Home
wait_for "created" "Home back to the top"
unlike "$(screen)" "does nothing here" "no complaint about the keys"
keys Escape
# (Not the name: the history shows it too.)
wait_for "2/2" "back to the list"

# The contact's history: a reference by number and name, a date and a
# phone as people read them.
tm kill-server
sock=clerk-tui-$$-2
tm new-session -d -s tabs -x 100 -y 30 "$clerk_cmd"
wait_for "▶Contact persons" "the home screen again"
keys Enter
wait_for "▶Иванов Иван" "the contacts' list"
keys Enter
wait_for "Contact person #31" "the contact's card"
keys F5
wait_for "Organisation: #2 ООО «Лютик» → #1 ООО «Ромашка»" \
    "its history, a reference by number and name"
like "$(screen)" "Birthday: — → 29.02.1992" "a date as people write it"
like "$(screen)" "Phones: — → +7 916 123-45-67" "a phone as people write it"
keys F10
done_testing
