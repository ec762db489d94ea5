#!/bin/sh
# 2560: the conflict screen in a real terminal (tmux, a private server,
# 100 columns): two operators add a phone each to one client, and the
# second to save is offered both phones together, by default, so none
# is lost; the screen says who changed the record and when, fits its
# explanation to the width, and lists as a choice only a field both
# changed: fields only the other changed are taken from them unasked.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

run add party name='ООО «Ромашка»' city=Москва manager=ivanov \
    phones='+7 495 000-00-00'
status 0 "a client"

tm new-session -d -s card -n a -x 100 -y 30 "$clerk_cmd"
tm new-window -d -t card -n b "$clerk_cmd"
# open_card: the client's card in window $win, the cursor in Kind.
open_card() {
	keys Down Enter
	wait_for "ООО «Ромашка»" "$win: the list"
	keys Enter
	wait_for "Client #1" "$win: the card"
}
for w in a b; do
	win=card:$w
	wait_for "Clients" "$w: the home screen"
	open_card
done
# Phones are 11 rows below Kind; e puts the cursor at the end.
for w in a b; do
	win=card:$w
	keys Down Down Down Down Down Down Down Down Down Down Down e
	wait_for "Phones (editing)" "$w: typing in Phones"
done
win=card:a
text ', +7 916 111-11-11'
keys F2
wait_for "saved" "a saves first"
win=card:b
text ', +7 926 222-22-22'
keys F2
wait_for "Conflict: Client #1" "b gets the conflict screen"
s=$(screen)
like "$s" "Client #1 was changed by $login at " "who changed it and when"
like "$s" "back to the card." "the explanation is wrapped, not cut"
like "$s" "( ) theirs: +7 495 000-00-00, +7 916 111-11-11" "their phones"
like "$s" "( ) yours: +7 495 000-00-00, +7 926 222-22-22" "b's phones"
like "$s" "(•) both: +7 495 000-00-00, +7 916 111-11-11, +7 926 222-22-22" \
    "both together, chosen: each only added"
keys Enter
wait_for "saved" "Enter saves"
run show party 1 --format json
like "$out" '"phones":["+74950000000","+79161111111","+79262222222"]' \
    "no phone lost"

# a changes City and Manager; b, on a card read before, only Source.
win=card:a
keys Escape
wait_for "1/1" "a: back in the list"
keys Enter
wait_for "Client #1" "a: the card again"
win=card:b
keys Escape
wait_for "1/1" "b: back in the list"
keys Enter
wait_for "Client #1" "b: the card again"
win=card:a
keys Down Down Down Down Down Down Down Down Down Down e C-u
text Тверь
keys Down Down Down e C-u
text petrov
keys F2
wait_for "saved" "a saves City and Manager"
win=card:b
keys Down Down Down Down Down Down Down Down Down Down Down Down Down Tab e
wait_for "Lead source (editing)" "b: typing in Source"
text выставка
keys F2
wait_for "Conflict: Client #1" "b gets the conflict screen"
s=$(screen)
like "$s" "Their changes, taken: City, Manager." "a's fields, taken"
like "$s" "Your changes, kept: Lead source." "b's own"
unlike "$s" "yours: Москва" "no value b never typed as b's"
unlike "$s" "theirs:" "nothing to choose"
keys Enter
wait_for "saved" "Enter saves"
run show party 1 --format json
like "$out" '"city":"Тверь"' "a's City"
like "$out" '"manager":"petrov"' "a's Manager"
like "$out" '"source":"выставка"' "b's Source"

keys F10
win=card:a
keys F10
done_testing
