#!/bin/sh
# 2500: the record card in the headless mode (keys from a script, the
# screen dumped as text): a new organisation with a Cyrillic name and
# valid ИНН/КПП/ОГРН is saved and shows in the list; a wrong ИНН is
# refused naming the field, with the cursor put on it and nothing saved;
# an edit shows in the history tab; the records referring to a party
# show in its tab; archive asks (No by default) and u undoes it, on
# that card only; a hang-up with unsaved edits keeps a draft that the
# next start offers (Later by default, also under another locale;
# Discard), each of several in turn.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

# drafts TABLE-ID: the draft files of that card (named
# draft-TABLE-ID-DB-PID-N), none when there are none.
drafts() {
	ls "$XDG_STATE_HOME"/clerk/draft-"$1"-* 2>/dev/null
}

# The home screen lists Contact persons, then Clients: Down Enter opens
# the clients' list, a a new card (typing, in Kind, then Status, Name).
headless '<Down><Enter>a<Tab><Tab>ПАО «Сбербанк России»<Tab><Tab>7707083893<Tab>773601001<Tab>1027700132195<dump><F2><dump><Esc><dump>'
status 0 "headless run: a new organisation"
s1=$(screen 1)
like "$s1" "New: Client" "a new card"
like "$s1" "ПАО «Сбербанк России»" "the Cyrillic name typed"
like "$s1" "Name*" "required fields marked"
like "$s1" "[modified]" "unsaved changes marked"
s2=$(screen 2)
like "$s2" "Client #1" "saved: the card has its number"
like "$s2" "saved" "and says so"
like "$s2" "773601001" "КПП as typed"
like "$(screen 3)" "ПАО «Сбербанк России» Organisation 7707083893" \
    "back in the list, the new row"
run show party 1 --format json
like "$out" '"ogrn":"1027700132195"' "stored with its ОГРН"

headless '<Down><Enter>a<Tab><Tab>ООО «Ошибка»<Tab><Tab>7707083894<F2><dump><Left><dump>'
status 0 "headless run: a wrong ИНН"
like "$(screen 1)" "INN ('inn'): check digit" "refused naming the field by its label"
like "$(screen 2)" "INN (editing)" "the cursor is on the ИНН"
run list party --format csv
is "$(printf '%s\n' "$out" | wc -l)" 2 "nothing saved: still one client"
# The script ended on the refused card: its edits are a draft now.
[ -n "$(drafts party-new)" ]
ok $? "the refused new card is kept as a draft at the hang-up"
rm -rf "$XDG_STATE_HOME/clerk"

run add contact party=1 name='Греф Герман' position='Председатель правления'
status 0 "a contact of the client"

# Edit the name (Down from Kind to Name, e edits, Ctrl-U clears), save,
# then F5 twice: the contacts tab, the history tab.
headless '<Down><Enter><Enter><Down>e<C-u>ПАО Сбербанк<F2><F5><dump><F5><dump><Esc><Esc><dump>'
status 0 "headless run: edit and tabs"
like "$(screen 1)" "Греф Герман" "the contacts tab lists the contact"
like "$(screen 1)" "Contact persons (1)" "and counts it"
like "$(screen 2)" "Name: ПАО «Сбербанк России» → ПАО Сбербанк" \
    "the history tab shows the change"
like "$(screen 3)" "ПАО Сбербанк" "the list shows the new name"

# Archive: the question's default is No; then Right Enter says yes, and
# u brings the record back.
headless '<Down><Enter><Enter><F8><dump><Enter><dump><F8><Right><Enter><dump>u<dump>'
status 0 "headless run: archive and undo"
like "$(screen 1)" "Archive Client #1 ПАО Сбербанк?" "archive asks"
unlike "$(screen 2)" "(archived)" "Enter takes the default: No"
like "$(screen 3)" "Client #1 (archived)" "Right, Enter: archived"
like "$(screen 4)" "restored Client #1" "u undoes it"
run card party 1
like "$out" "record${tab:=	}1${tab}" "the record is there"
unlike "$out" "record${tab}1${tab}5${tab}1" "and not archived"
# u undoes only the archive made on the card in view: on a new card
# (Ins from the list) it restores nothing.
headless '<Down><Enter><Enter><F8><Right><Enter><Esc><Ins><Esc>u<dump>'
status 0 "headless run: archive, then u on another card"
like "$(screen 1)" "nothing to undo on this card" "u says there is nothing"
unlike "$(screen 1)" "restored" "and restores nothing"
run show party 1 --format json
like "$out" '"archived":true' "the record stays archived"
run restore party 1
status 0 "restored from the command line"

# A hang-up (the script's end) with unsaved edits keeps a draft ...
headless '<Down><Enter><Enter><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>e<C-u>Тверь'
status 0 "headless run: unsaved edits, then the terminal goes away"
[ -n "$(drafts party-1)" ]
ok $? "a draft is kept"
# ... which the next start offers; Right Enter opens it.
headless '<dump><Right><Enter><dump><F2><dump>'
status 0 "headless run: the next start"
like "$(screen 1)" "An unsaved card of Client #1" "the draft is offered"
like "$(screen 2)" "Тверь" "opened with the edit"
like "$(screen 3)" "saved" "and saved"
run show party 1 --format json
like "$out" '"city":"Тверь"' "the draft's edit is stored"
[ -z "$(drafts party-1)" ]
ok $? "the draft is gone once opened"

# The offer's default is Later (the draft stays, offered again); a draft
# kept under one locale is offered under another (it belongs to the
# database's folder, not to a translated name); Discard removes it.
headless '<Down><Enter><Enter><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>e<C-u>Псков'
headless '<dump><Enter><dump>'
like "$(screen 1)" "[ Later ]  [ Open ]  [ Discard ]" "Later, Open, Discard"
like "$(screen 2)" "the draft is kept for the next start" "Enter: later"
[ -n "$(drafts party-1)" ]
ok $? "the draft stays"
grep -q "^where	$CLERK_DIR\$" $(drafts party-1)
ok $? "it names the database's folder"
if locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\{0,1\}8$'; then
	LC_ALL=ru_RU.UTF-8 headless '<dump><Right><Right><Enter><dump>'
	like "$(screen 1)" "#1" "offered under the Russian locale too"
else
	headless '<dump><Right><Right><Enter><dump>'
	like "$(screen 1)" "#1" "offered again"
fi
[ -z "$(drafts party-1)" ]
ok $? "Discard removes it"
headless '<dump>'
unlike "$(screen 1)" "Discard" "and it is not offered any more"
run show party 1 --format json
unlike "$out" "Псков" "nor saved"

# Drafts of two records: each is offered, Later on one not hiding the
# other; both opened, one card over the other.
run add party name='ИП Петров'
status 0 "a second client"
headless '<Down><Enter><Enter><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>e<C-u>Псков'
# The first draft's offer: Enter is Later.
headless '<Enter><Down><Enter><Down><Enter><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>e<C-u>Тула'
is "$(drafts party | wc -l)" 2 "two drafts"
headless '<dump><Enter><dump><Enter><dump>'
like "$(screen 1)" "Draft 1 of 2: An unsaved card of Client" "the first offered"
like "$(screen 2)" "Draft 2 of 2: An unsaved card of Client" \
    "Later: the second offered too"
is "$(drafts party | wc -l)" 2 "both kept"
headless '<Right><Enter><Right><Enter><dump><F2><Esc><dump><F2><dump>'
s1=$(screen 1)
like "$s1" "Client #" "the second draft's card"
likere "$s1" "Тула|Псков" "with its edit"
like "$(screen 3)" "saved" "under it, the first draft's card"
run list party --format csv
like "$out" "Псков" "one draft saved"
like "$out" "Тула" "and the other"
[ -z "$(drafts party)" ]
ok $? "no drafts left"

done_testing
