#!/bin/sh
# 2090: a list on an 80-column terminal cuts names and other texts, not
# an ИНН or a phone (of a list of phones, the first is whole): those are
# of no use cut, so the columns on the right go off screen instead, to
# be scrolled to.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 77
fi

for n in 1 2 3; do
	run add party kind=person \
	    "name=Константинопольский Александр Вольдемарович $n" \
	    inn=500100732259 phones='+7 916 123-45-67, +7 495 765-43-21' \
	    city='Петропавловск-Камчатский' manager=konstantinopolskaya \
	    source='Повторное обращение'
done
status 0 "three clients with long names"

tm new-session -d -s t -x 80 -y 24 "$clerk_cmd"
wait_for "Clients" "the home screen"
keys Down Enter
# Not the name: the home screen's "Added last" shows it too.
wait_for "3/3" "the clients' list"
row=$(screen | grep -a 'Константинопольский' | head -n 1)
like "$row" " 500100732259 " "the ИНН whole"
like "$row" "+7 916 123-45-67" "and the first phone"
like "$row" "…" "the name cut instead"

keys F10
# Gone before the servers are stopped: the pane ends with clerk, and
# the tmux server with its last pane.
i=0
while tm has-session 2>/dev/null && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ok "$(tm has-session 2>/dev/null && echo 1 || echo 0)" "F10 quits"
done_testing
