#!/bin/sh
# 2550: a draft kept at a hang-up and opened after someone else saved
# the record goes through the conflict screen, never over their change
# (headless mode: the end of a key script is the hang-up).  Only a field
# both changed is a choice; the others are said, taken from whoever
# changed them; who changed the record and when is said; a list field
# offers both lists together, by default when both only added; a record
# archived meanwhile is restored only when asked.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

drafts() {
	ls "$XDG_STATE_HOME"/clerk/draft-"$1"-* 2>/dev/null
}
# The card of the client, its field Manager (13 rows below Kind) typed
# over with $1, then the terminal goes away: a draft.
down13='<Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>'
draft_manager() {
	headless "<Down><Enter><Enter>${down13}e<C-u>$1"
	[ -n "$(drafts party-1)" ]
	ok $? "a draft of the manager $1"
}

run add party name='ООО «Ромашка»' manager=ivanov phones='+7 495 000-00-00'
status 0 "a client"

# 1. The draft's field was changed by someone else: a clash.
draft_manager draftmgr
run set party 1 manager=petrov
status 0 "someone else sets the manager"
headless '<dump><Right><Enter><dump><F2><dump><Esc><dump>' 100x30
like "$(screen 2)" "the record was changed since the draft was kept" \
    "opening the draft says the record changed"
s3=$(screen 3)
like "$s3" "Conflict: Client #1" "F2: the conflict screen"
like "$s3" "was changed by $login at " "who changed it, and when"
like "$s3" "(revision 2) since you opened it (revision 1)" "the revisions"
like "$s3" "( ) theirs: petrov" "their value"
like "$s3" "(•) yours: draftmgr" "the draft's, chosen"
like "$(screen 4)" "not saved" "Esc: back to the card, nothing saved"
run show party 1 --format json
like "$out" '"manager":"petrov"' "their change stands"
rm -rf "$XDG_STATE_HOME/clerk"

# 2. Someone else changed another field: no clash, but still shown.
draft_manager draftmgr2
run set party 1 notes='звонил 1 марта'
status 0 "someone else sets the notes"
headless '<dump><Right><Enter><F2><dump><Enter><dump>' 100x30
s2=$(screen 2)
like "$s2" "Their changes, taken: Notes." "their field is taken"
like "$s2" "Your changes, kept: Manager." "the draft's is kept"
like "$s2" "None of their changes clashes with yours" "no choice to make"
unlike "$s2" "theirs:" "no rows to choose on"
like "$(screen 3)" "saved" "Enter saves"
run show party 1 --format json
like "$out" '"manager":"draftmgr2"' "the draft's change is stored"
like "$out" '"notes":"звонил 1 марта"' "and theirs kept"
rm -rf "$XDG_STATE_HOME/clerk"

# 3. A stale card lists only what both changed: not City and Source,
# which only they changed, with the draft's old texts as "yours".
draft_manager own
run set party 1 city=Тверь source=выставка
headless '<dump><Right><Enter><F2><dump><Esc>' 100x30
s2=$(screen 2)
unlike "$s2" "yours: Москва" "no stale values of ours"
unlike "$s2" "theirs:" "no choice: only they changed City and Source"
like "$s2" "Their changes, taken: City, Lead source." "theirs, named"
like "$s2" "Your changes, kept: Manager." "ours, named"
rm -rf "$XDG_STATE_HOME/clerk"

# 4. Both added a phone: both lists together, chosen by default.
headless "<Down><Enter><Enter><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down><Down>e, +7 926 222-22-22"
run set party 1 phones='+7 495 000-00-00, +7 916 111-11-11'
headless '<dump><Right><Enter><F2><dump><Space><dump><Space><dump><Space><Enter><dump>' 100x30
s2=$(screen 2)
like "$s2" "( ) theirs: +7 495 000-00-00, +7 916 111-11-11" "their phones"
like "$s2" "( ) yours: +7 495 000-00-00, +7 926 222-22-22" "the draft's"
like "$s2" "(•) both: +7 495 000-00-00, +7 916 111-11-11, +7 926 222-22-22" \
    "both together, by default: each only added one"
like "$(screen 3)" "(•) theirs: +7 495" "Space: theirs"
like "$(screen 4)" "(•) yours: +7 495" "Space: yours"
like "$(screen 5)" "saved" "Space: both again; Enter saves"
run show party 1 --format json
like "$out" '"phones":["+74950000000","+79161111111","+79262222222"]' \
    "no phone lost"
rm -rf "$XDG_STATE_HOME/clerk"

# 5. Archived meanwhile: said so, by whom; Enter asks (Back by default),
# Restore and save brings it back with the edit.
draft_manager fromdraft
run rm party 1
status 0 "someone else archives the client"
headless '<dump><Right><Enter><F2><dump><Enter><dump><Enter><dump>' 100x30
s2=$(screen 2)
like "$s2" "Client #1 was archived by $login at " "said to be archived, by whom"
like "$(screen 3)" "[ Back ]  [ Restore and save ]  [ Discard my changes ]" \
    "Enter asks first"
like "$(screen 4)" "Conflict: Client #1" "Back by default: still on the conflict"
run show party 1 --format json
like "$out" '"archived":true' "still archived"
unlike "$out" '"manager":"fromdraft"' "nothing saved into it"
# The hang-up on the conflict screen kept the card's edits again.
headless '<Right><Enter><F2><Enter><Right><Enter><dump>' 100x30
like "$(screen 1)" "saved" "Restore and save"
run card party 1
unlike "$out" "record${tab:=	}1${tab}[0-9]*${tab}1" "restored"
run show party 1 --format json
like "$out" '"manager":"fromdraft"' "and saved"
rm -rf "$XDG_STATE_HOME/clerk"

done_testing
