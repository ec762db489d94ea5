# lib.sh: sourced by every TUI test (tests/tui/NNNN-*.sh) in place of
# tests/cli/lib.sh, which it sources (a fresh temporary folder with its
# own data folder and personal server, the TAP helpers, the cleanup).
# Adds what the TUI tests share: the headless mode run on a key script
# and its screens, golden screens, and clerk in tmux (a private tmux
# server per test, killed at the end) with its pane polled for a text,
# never a blind sleep.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

export XDG_STATE_HOME="$T/state"
# Screens left idle read themselves again after CLERK_TUI_IDLE seconds
# (5): none in the tests but those about it, whose timing would depend
# on how loaded the machine is.
export CLERK_TUI_IDLE=${CLERK_TUI_IDLE:-0}
keys=$T/keys
golden=$top_srcdir/tests/tui/golden
login=$(id -un)

# headless SCRIPT [SIZE]: run the TUI on the key script (at SIZE, else
# $HEADLESS_SIZE, else 80x24; in the folder $HEADLESS_DIR, else here):
# its screens in $out, its status in $rc, its stderr in $err.
headless() {
	printf '%s' "$1" >"$keys"
	out=$(cd "${HEADLESS_DIR:-.}" && "$CLERK_BIN" --headless \
	    "${2:-${HEADLESS_SIZE:-80x24}}" --keys "$keys" 2>"$T/stderr")
	rc=$?
	cat "$T/stderr" >>"$T/client-stderr"
	err=$(cat "$T/stderr")
}

# screen N: the Nth screen dumped by the last headless run.
# screen [ARGS]: what the tmux pane $win shows now (ARGS go to
# capture-pane: -e for the colours and attributes).
screen() {
	case ${1:-} in
	[0-9]*)
		printf '%s\n' "$out" | awk -v n="$1" '
			/^@@ screen / { k++; next }
			k == n { print }'
		;;
	*)
		tm capture-pane -p -t "$win" "$@" 2>/dev/null
		;;
	esac
}

# golden NAME TEXT: compare with (or, with UPDATE_GOLDEN, write) the
# file NAME of tests/tui/golden.
golden() {
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		printf '%s\n' "$2" >"$golden/$1"
	fi
	if printf '%s\n' "$2" | cmp -s - "$golden/$1"; then
		ok 0 "screen $1 as golden"
	else
		ok 1 "screen $1 as golden"
		diag "$(printf '%s\n' "$2" | diff "$golden/$1" - | head -40)"
	fi
}

# likere TEXT ERE NAME: like, with an extended regular expression.
likere() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got: $1" "wanted it to match: $2"
	fi
}

# tmux: tm runs it on this test's private server (socket $sock; a test
# may start a fresh one by changing $sock after killing the old), the
# pane the helpers below work on is $win.
sock=clerk-tui-$$
win=t
tm() {
	tmux -L "$sock" -f /dev/null "$@"
}
tui_cleanup() {
	command -v tmux >/dev/null 2>&1 && tm kill-server 2>/dev/null
	cleanup
}
trap tui_cleanup EXIT

# A clerk in a pane of its own, the environment given explicitly: a
# tmux server started earlier by someone else would not have ours.
clerk_cmd="env '$PANE_ENV' CLERK_DIR='$CLERK_DIR' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' \
CLERKD='$CLERKD' CLERK_FORMS='$CLERK_FORMS' XDG_STATE_HOME='$XDG_STATE_HOME' \
CLERK_TUI_IDLE='$CLERK_TUI_IDLE' \
LC_ALL=C.UTF-8 TERM=screen ESCDELAY=25 '$CLERK_BIN'"

# tmux_start SIZE [ENV=VALUE ...]: clerk in a new session "t" of SIZE
# (as 80x24); when it ends, the pane says "exit status N".
tmux_start() {
	_size=$1
	shift
	tm new-session -d -x "${_size%x*}" -y "${_size#*x}" -s t \
	    "env '$PANE_ENV' $* '$CLERK_BIN'; echo \"exit status \$?\"; sleep 30"
	tm set-option -t t remain-on-exit on >/dev/null
}

# wait_screen TEXT [TENTHS]: poll the pane until it shows TEXT (up to
# TENTHS tenths of a second, 100); 0 when it did, else 1 with the screen
# in the log.
wait_screen() {
	_i=0
	while [ "$_i" -lt "${2:-100}" ]; do
		screen | grep -aqF -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	diag "waited for: $1" "screen of $win:" "$(screen)"
	return 1
}

# wait_gone TEXT [TENTHS]: poll the pane until it no longer shows TEXT
# (a question answered, a screen left); as wait_screen.
wait_gone() {
	_i=0
	while [ "$_i" -lt "${2:-100}" ]; do
		screen | grep -aqF -- "$1" || return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	diag "waited for this to go: $1" "screen of $win:" "$(screen)"
	return 1
}

# wait_for TEXT NAME: the check that the pane comes to show TEXT.
wait_for() {
	wait_screen "$1"
	_r=$?
	ok "$_r" "$2"
	return "$_r"
}

# keys KEY...: tmux key names typed in the pane; text TEXT: literally.
keys() {
	tm send-keys -t "$win" "$@"
}
text() {
	tm send-keys -t "$win" -l "$1"
}

# selected: the row with the cursor mark.
selected() {
	screen | grep -a '▶' | sed 's/^▶//'
}
