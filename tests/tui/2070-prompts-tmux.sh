#!/bin/sh
# 2070: prompts and messages in a real terminal (tmux, a private
# server): Ctrl-L reads the home screen again; Ctrl-U, labelled Clear,
# clears the whole filter line wherever the cursor is; a view name the
# server refuses is asked again with the name kept; a report's offered
# parameter is replaced by a character typed; a completed command's
# blank is not taken into its argument; a message repeated key after key
# is kept once, and :messages wraps a long one to be read whole.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='ООО «Ромашка»' city=Москва phones=+74951234567
status 0 "a client"
run add party name='ООО «Лютик»' city=Тверь phones=+74951234567
status 0 "another with the same phone"

tm new-session -d -s p -x 80 -y 24 "$clerk_cmd"
win=p
wait_for "▶Contact persons" "the home screen"
run add party name='ООО «Новая»'
status 0 "a client added meanwhile"
keys C-l
wait_for "#3 ООО «Новая»" "Ctrl-L reads the home screen again"

keys Down Enter
wait_for "3/3" "the clients' list"
# Ctrl-U clears the whole line, also with the cursor at its start.
keys -l '\\'
wait_for "Filter:" "the filter line"
text 'city = Москва'
# On the line first: else the wait for it to go passes at once, before
# it was ever typed.
wait_for "city = Москва" "typed on the filter line"
keys Home C-u
wait_gone "city = Москва"
ok $? "Ctrl-U clears the whole line"
keys Escape
wait_for "F4 Filter" "the filter line left"

# A view name the server refuses: asked again, the name kept.
keys V
wait_for "as the view:" "the view's name asked"
text 'Лиды по городам'
keys Enter
wait_for "bad view name" "the server's refusal shown"
like "$(screen)" "as the view: Лиды по городам" "the name kept to correct"
keys C-u
text 'leads'
keys Enter
wait_for "view 'leads' saved" "a good name saves"

# A report's parameter offered: a character typed replaces it.
keys :
wait_for ":" "the command line"
text 'report duplicates_by_phone'
keys Enter
wait_for "at least: 2" "the parameter offered"
text 3
wait_for "at least: 3" "the character typed"
unlike "$(screen)" "at least: 23" "replaces the offer"
keys Escape
wait_gone "at least:"

# Tab completes with a blank; a blank typed after it is not the name's.
keys :
text 'save-scr'
keys Tab
wait_for ":save-screen" "Tab completes"
text " $T/shot.txt"
keys Enter
wait_for "the screen is in" "the screen saved"
ok "$([ -s "$T/shot.txt" ]; echo $?)" "under the name typed, without the blank"

# A long message is read whole in :messages.
long=$T/no-such-folder-with-a-rather-long-name/and-another-one-below-it
keys :
text "save-screen $long/x.txt"
keys Enter
wait_for "cannot write" "a long message"
keys :
text messages
keys Enter
wait_for "No such file or directory" ":messages shows its end, wrapped"
keys Escape
wait_for "3/3" "back to the list"

# Typing past a field's limit: one message, not one per key.
keys Insert
wait_for "Kind (editing)" "a new card"
keys Tab Tab
wait_for "Name (editing)" "on the name"
text "$(printf 'x%.0s' $(seq 1 310))"
wait_for "at most 300 characters here" "the limit said"
keys Escape
wait_gone "Name (editing)"
keys :
text messages
keys Enter
wait_for "Messages" "the messages"
is "$(screen | grep -c 'at most 300 characters')" 1 "said once in :messages"
tm kill-server
done_testing
