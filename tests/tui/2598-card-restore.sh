#!/bin/sh
# 2598: a card of an archived record (opened from the archived list, or
# from a list read before someone else archived it) restores it with
# F8, after a question whose default is No, and the key bar says
# Restore there (before, it offered Archive, F8 said "already
# archived", and u only undid one's own archive: no way back from the
# card).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

run add party name='ООО «Ромашка»' city=Москва
run rm party 1
status 0 "a client archived (by someone else)"

headless '<Down><Enter>A<Enter><dump><F8><dump><Enter><dump>' 100x30
like "$(screen 1)" "Client #1 (archived)" "the archived client's card"
like "$(screen 1)" "F8 Restore" "the key bar offers Restore"
unlike "$(screen 1)" "F8 Archive" "not Archive"
like "$(screen 2)" "Restore Client #1 ООО «Ромашка» from the archive?" \
    "F8 asks first"
like "$(screen 2)" "[ No ]  [ Restore ]" "No first"
unlike "$(screen 3)" "restored" "Enter takes No"
run show party 1 --format json
like "$out" '"archived":true' "still archived"

headless '<Down><Enter>A<Enter><F8><Right><Enter><dump>' 100x30
like "$(screen 1)" "restored Client #1" "Restore brings it back"
like "$(screen 1)" "F8 Archive" "and the key bar offers Archive again"
run show party 1 --format json
unlike "$out" '"archived":true' "restored in the database"

done_testing
