#!/bin/sh
# 2510: the record card in a real terminal (tmux, a private server):
# two operators edit one record, the second to save gets the conflict
# screen with both values and keeps the one chosen; a pane killed while
# a card has unsaved edits leaves a draft that the next start offers.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi
export XDG_STATE_HOME="$T/state"
sock=clerk-card-$$
tm() { tmux -L "$sock" "$@"; }
cleanup_tmux() { tm kill-server 2>/dev/null; }
trap 'cleanup_tmux; cleanup' EXIT INT TERM

# The environment goes along explicitly: a tmux server started earlier
# by someone else would not have ours.
clerk_cmd="env '$PANE_ENV' CLERK_DIR='$CLERK_DIR' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' \
CLERKD='$CLERKD' CLERK_FORMS='$CLERK_FORMS' XDG_STATE_HOME='$XDG_STATE_HOME' \
LC_ALL=C.UTF-8 TERM=screen ESCDELAY=25 '$CLERK_BIN'"

# wait_for WINDOW TEXT NAME: poll the window's screen for TEXT (10 s).
wait_for() {
	_i=0
	while [ $_i -lt 100 ]; do
		_s=$(tm capture-pane -p -t "$1" 2>/dev/null)
		case $_s in *"$2"*) ok 0 "$3"; return 0 ;; esac
		sleep 0.1
		_i=$((_i + 1))
	done
	ok 1 "$3"
	diag "waited for: $2" "screen of $1:" "$_s"
	return 1
}
keys() { _w=$1; shift; tm send-keys -t "$_w" "$@"; }
text() { tm send-keys -t "$1" -l "$2"; }

run add party name='ООО «Ромашка»' inn=7707083893 city=Москва
status 0 "a client"

tm -f /dev/null new-session -d -s card -n a -x 100 -y 30 "$clerk_cmd"
tm new-window -d -t card -n b "$clerk_cmd"
# Both operators open the client's card (home: Down to Clients, Enter;
# the list: Enter on the row).
for w in a b; do
	wait_for card:$w "Clients" "$w: the home screen"
	keys card:$w Down Enter
	wait_for card:$w "ООО «Ромашка»" "$w: the list"
	keys card:$w Enter
	wait_for card:$w "Client #1" "$w: the card"
done
# City is 10 rows down from Kind on the party form.
for w in b a; do
	keys card:$w Down Down Down Down Down Down Down Down Down Down e C-u
done
text card:b Тверь
keys card:b F2
wait_for card:b "saved" "b saves first"
text card:a Казань
keys card:a F2
wait_for card:a "changed by someone else" "a gets the conflict screen"
wait_for card:a "theirs: Тверь" "their value"
wait_for card:a "yours: Казань" "and a's own"
# a's edit is the default choice; Space takes theirs, Space again a's.
keys card:a Space
wait_for card:a "(•) theirs: Тверь" "Space chooses theirs"
keys card:a Space Enter
wait_for card:a "saved" "Enter saves the choice"
run show party 1 --format json
like "$out" '"city":"Казань"' "a's value stands"
like "$out" '"rev":3' "saved on top of b's revision"
run history party 1
like "$out" "Москва → Тверь" "b's change is in the history"
like "$out" "Тверь → Казань" "then a's"

# Unsaved edits (the cursor is still on City), then the terminal dies.
keys card:a e C-u
text card:a Омск
wait_for card:a "[modified]" "unsaved edits"
tm kill-pane -t card:a
i=0
while [ ! -e "$XDG_STATE_HOME"/clerk/draft-party-1-* ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -e "$XDG_STATE_HOME"/clerk/draft-party-1-* ]
ok $? "the killed card left a draft"
tm new-window -d -t card -n c "$clerk_cmd"
wait_for card:c "An unsaved card of Client #1" "the next start offers it"
keys card:c Right Enter
wait_for card:c "Омск" "opened with the edit"
keys card:c F2
wait_for card:c "saved" "and saved"
run show party 1 --format json
like "$out" '"city":"Омск"' "the draft's edit is stored"

keys card:b F10
keys card:c F10
done_testing
