#!/bin/sh
# 2520: a new client in a real terminal (tmux, a private server): an
# organisation with a Cyrillic name and a valid ИНН, КПП and ОГРН is
# saved and shows in the list; a wrong ИНН is refused naming the field,
# and nothing is saved; an edit shows in the history tab; a search
# typed in another case and with е for ё finds the client; a warning of
# the server's stays in view after "saved"; wrong fields and a unique
# clash of two fields mark each field they name.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='Фёдоров Илья Петрович' city=Тверь
status 0 "a private client"

tm new-session -d -s t -x 80 -y 24 "$clerk_cmd"
wait_for "Clients" "the home screen"
keys Down Enter
wait_for "Фёдоров Илья Петрович" "the clients' list"

# A new organisation: the card opens on Kind; two Tabs to Name, two to
# ИНН, then КПП and ОГРН.
keys a
wait_for "New: Client" "a opens a new card"
keys Tab Tab
text 'ПАО «Сбербанк России»'
keys Tab Tab
text 7707083893
keys Tab
text 773601001
keys Tab
text 1027700132195
keys F2
wait_for "Client #2" "F2 saves it: the card has its number"
run show party 2 --format json
like "$out" '"name":"ПАО «Сбербанк России»"' "stored with its Cyrillic name"
like "$out" '"kpp":"773601001"' "its КПП"
like "$out" '"ogrn":"1027700132195"' "and its ОГРН"
keys Escape
wait_for "ПАО «Сбербанк России»" "back in the list, the new row"
wait_for "2/2" "counted"

# A wrong ИНН (its check digit): refused naming the field, the cursor
# on it, nothing saved.
keys a
wait_for "New: Client" "another new card"
keys Tab Tab
text 'ООО «Ошибка»'
keys Tab Tab
text 7707083894
keys F2
wait_for "INN ('inn'): check digit" "the wrong ИНН is refused, naming the field by its label"
# The message stays until the next key; then the status line shows
# where the cursor is.
keys Left
wait_for "INN (editing)" "the cursor is on the ИНН"
is "$(clerk list party --format csv | wc -l)" 3 "nothing saved: still two clients"
# Esc ends the editing, Esc again asks before the edits are thrown
# away (No by default); Right Enter says yes.
keys Escape Escape
wait_for "Discard the changes to this card?" "Esc asks first"
keys Right Enter
wait_for "2/2" "back in the list"

# An edit: the new organisation's name (the first row, sorted by name),
# then the history tab (F5: contacts, F5: history).
keys Home Enter
wait_for "Client #2" "its card"
keys Down e C-u
text 'ПАО Сбербанк'
keys F2
wait_for "saved" "the edit saved"
keys F5 F5
wait_for "Name: ПАО «Сбербанк России» → ПАО Сбербанк" \
    "the history tab shows the change"
keys Escape
wait_for "2/2" "Esc: back in the list"

# Search as you type, in another case and with е for ё.
keys -l '/'
wait_for "Search:" "/ opens the search line"
text 'фЕДОР'
keys Enter
wait_for "▶Фёдоров Илья Петрович" "'фЕДОР' finds Фёдоров"

# A branch of the bank, its ИНН with another КПП: saved with the
# server's warning, which "saved" does not hide.
keys a
wait_for "New: Client" "a new card"
keys Tab Tab
text 'ПАО Сбербанк, филиал'
keys Tab Tab
text 7707083893
keys Tab
text 773601002
keys F2
wait_for "saved; INN ('inn'): Client #2 ПАО Сбербанк has the same" \
    "saved, and the warning still shown, naming the ИНН and the bank"
keys Escape
wait_for "3/3" "back in the list"

# Two wrong fields: both refused at once, both marked on the card (the
# label and the entry of each in the error colours).
keys a
wait_for "New: Client" "another new card"
keys Tab Tab
text 'ООО «Две ошибки»'
keys Tab Tab
text 7707083894
keys Tab
text 77360100
keys F2
wait_for "KPP ('kpp'): must be 9 characters" "both named"
row=$(screen -e | grep -a 'KPP' | head -n 1)
is "$(printf '%s' "$row" | grep -o '\[41m' | wc -l)" 4 \
    "ИНН and КПП both marked, label and entry"

# Both set right, but to the bank's ИНН and КПП, which are unique among
# organisations: the store refuses, naming both fields as the card
# labels them, and the card marks both.
keys C-u
text 7707083893
keys Tab C-u
text 773601001
keys F2
wait_for "INN ('inn'), KPP ('kpp'): 7707083893, 773601001 already" \
    "a unique clash names both fields"
row=$(screen -e | grep -a 'KPP' | head -n 1)
is "$(printf '%s' "$row" | grep -o '\[41m' | wc -l)" 4 \
    "and the card marks both, label and entry"

# (F10 would only ask first: the card has unsaved edits.)
tm kill-server
done_testing
