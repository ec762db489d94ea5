#!/bin/sh
# 2010: the list in a real terminal (tmux, a private server per test):
# home and the clients' list, sort and search typed as keys, the
# Russian layout's letters as hotkeys, resize to 100x30 and back to
# 80x24, NO_COLOR (bold and reverse, no colours), Russian labels, F10
# quits with status 0, and a killed pane (SIGHUP) ends clerk at once
# instead of spinning.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
# A private server per session started (a new one each time, so a
# server still going away never meets the next session).
nsock=0
sock=clerk-test-$$-0
export CLERK_NOW=2026-03-02

# start [ENV=VALUE ...]: clerk in a fresh 80x24 session.
start() {
	tm kill-server 2>/dev/null
	nsock=$((nsock + 1))
	sock=clerk-test-$$-$nsock
	tmux_start 80x24 "$@"
}

run admin init
run admin demo --scale 120
status 0 "a demo database"
first=$(clerk list party --sort name --format tsv | sed -n 2p | cut -f2)
second=$(clerk list party --sort name --format tsv | sed -n 3p | cut -f2)
last=$(clerk list party --sort name --format tsv | tail -n 1 | cut -f2)

start
wait_for "Sections" "home in a terminal"
keys Down Enter
wait_for "120/120" "Down Enter opens the clients' list"
like "$(selected)" "$first" "the first client selected"
keys j
wait_for "▶$second" "j moves down"
# Russian layout: л is k, ъ is ].
keys -l 'л'
wait_for "▶$first" "л (k in the Russian layout) moves up"
keys -l 'ъ'
wait_for "sort: Name ↓" "ъ (] in the Russian layout) sorts descending"
like "$(selected)" "$last" "the last name first"
keys -l '['
wait_for "sort: Name ↑" "[ sorts ascending again"

# Search: typed as keys, found as you type.
word=$(printf '%s\n' "$last" | cut -d' ' -f1)
keys -l '/'
wait_for "Search:" "/ opens the search line"
# The key bar is the line's while it is typed (TUI.md), the list's after.
wait_for "Esc Cancel" "the search line's key bar"
is "$(screen | tail -n 1 | sed 's/ *$//')" \
    "Enter Done  Esc Cancel  Ctrl-U Clear" "the key bar of the search line"
keys -l "$word"
keys Enter
wait_for "▶$last" "search for '$word' finds the client"
# (Found as it is typed: the row may show before Enter is read.)
wait_for "F3 Search" "the list's key bar again"
keys -l '\\'
wait_for "Filter:" "\\ opens the filter line"
wait_for "←→ Move" "its bar has the cursor's keys"
keys Escape
wait_for "F4 Filter" "Esc leaves it"
keys Escape
wait_for "Added last" "Esc goes back home"

# Resize: 100x30 and back to 80x24.
keys Down Enter
wait_screen "120/120"
tm resize-window -t t -x 100 -y 30
# The key bar's "Enter Open" is there at 80 columns too: wait for what
# only the list drawn again at 100 shows, its Manager column.
wait_for "Manager" "the list drawn again at 100x30"
is "$(screen | wc -l)" 30 "30 rows after resizing to 100x30"
w=$(screen | grep -a '120/120' | tr -d '\n' | wc -m)
ok "$([ "$w" -gt 90 ]; echo $?)" "the status line spans 100 columns ($w)"
tm resize-window -t t -x 70 -y 20
wait_for "clerk needs at least 80×24" "a terminal below 80x24 is told so"
tm resize-window -t t -x 80 -y 24
wait_for "120/120" "back at 80x24 the list is back"
keys F10
wait_for "exit status 0" "F10 quits with status 0"

# Colours by default, none with NO_COLOR: bold and reverse instead.
start
wait_screen "Sections"
colour=$(screen -e | head -n 1)
start NO_COLOR=1
wait_screen "Sections"
mono=$(screen -e | head -n 1)
like "$colour" "44m" "the title has a colour by default"
unlike "$mono" "44m" "and none with NO_COLOR"
like "$mono" "7m" "but reverse video"
keys F10
wait_screen "exit status 0"

# Russian labels by the locale.
if make_russian; then
	start LC_ALL=ru_RU.UTF-8 CLERK_LOCALEDIR="$T/locale"
	wait_for "Разделы" "home in Russian"
	keys Down Enter
	wait_for "Наименование" "the list's columns in Russian"
	like "$(screen)" "F1 Помощь" "the key bar in Russian"
	keys F10
	wait_screen "exit status 0"
else
	ok 0 "# SKIP no msgfmt or no ru_RU.UTF-8 locale"
fi

# A killed pane hangs up clerk: it must end, not spin on a dead tty.
start
wait_screen "Sections"
pid=$(tm list-panes -t t -F '#{pane_pid}')
cpid=$(pgrep -P "$pid" -x clerk 2>/dev/null || ps -o pid= --ppid "$pid" |
    head -n 1 | tr -d ' ')
tm kill-pane -t t
wait_pid_gone "$cpid" 100
ok $? "clerk ends after its pane is killed"
done_testing
