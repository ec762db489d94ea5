# lib.sh: sourced by every CLI test (tests/cli/NNNN-*.sh).  Gives each
# test a fresh temporary folder with its own data folder ($CLERK_DIR) and
# private XDG_RUNTIME_DIR, so it gets its own personal server; TAP
# helpers; and a cleanup that stops every server the test started (by
# the pid in each data folder's clerkd.pid) and removes the folder.
# Tests run the real binaries from $top_builddir.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CLERK_BIN=$top_builddir/clerk
export CLERKD="$top_builddir/clerkd"
export CLERK_FORMS="${CLERK_FORMS:-$top_srcdir/forms}"
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset CLERK_SOCKET XDG_DATA_HOME LC_MESSAGES CLERK_NOW COLUMNS

T=$(mktemp -d "${TMPDIR:-/tmp}/clerk-cli.XXXXXX") || exit 1
export XDG_RUNTIME_DIR="$T/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
export CLERK_DIR="$T/data"
# A server a test forgets still goes away by itself.
export CLERK_IDLE=${CLERK_IDLE:-120}
# In a sanitizer build, reports of the daemon (whose stderr is
# /dev/null) and of clients go to files that done_testing checks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$T/sanitizer"
# The undefined-behaviour sanitizer writes to standard error whatever
# log_path says (GCC 12 with the address sanitizer): a daemon's goes to
# this file instead of /dev/null (clerkd(8)), and done_testing reads it.
export CLERK_DAEMON_STDERR="$T/daemon-stderr"
# The environment of a clerk in a tmux pane.  Such a clerk often ends
# by a hang-up (its pane or server killed), and in the sanitizer build
# LeakSanitizer's check at that exit ran for minutes at full CPU (the
# process ptraced by its tracer), leaving spinning clerks behind the
# tests; leaks are checked by the headless tests instead.
PANE_ENV="ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0"

tap_n=0
tap_failed=0

# The pid of the personal server of a data folder (default $CLERK_DIR),
# or nothing when none runs.
server_pid() {
	_pf=${1:-$CLERK_DIR}/clerkd.pid
	[ -f "$_pf" ] || return 0
	_pid=$(head -n 1 "$_pf" 2>/dev/null)
	[ -n "$_pid" ] || return 0
	# Only a live clerkd counts (a pid may have been reused).
	if [ -r "/proc/$_pid/cmdline" ] &&
	    tr '\0' ' ' < "/proc/$_pid/cmdline" | grep -q clerkd; then
		echo "$_pid"
	fi
}

# The state letter of process $1 (R, S, T, Z ...), from /proc (no ps
# needed), or nothing when there is no such process.
proc_state() {
	sed -n 's/^.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null
}

# Pids of the running clerkd processes whose arguments contain $1.
clerkd_pids() {
	for _d in /proc/[0-9]*; do
		_a=$(tr '\0' ' ' <"$_d/cmdline" 2>/dev/null) || continue
		case $_a in "$CLERKD "*"$1"*) echo "${_d#/proc/}" ;; esac
	done
}

# Wait up to $2 tenths of a second for process $1 to end; 0 if it did.
# (tests/tui/lib.sh has a wait_gone of its own, for words on the screen:
# TUI tests call this one wait_pid_gone.)
wait_gone() {
	wait_pid_gone "$@"
}
wait_pid_gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null; do
		# A zombie of ours counts as gone, once its other threads are:
		# a killed thread group's leader is a zombie while the last
		# thread still tears down the memory and then closes the files
		# (a server's socket and locks are held till then).
		case $(proc_state "$1") in
		Z*) [ "$(ls "/proc/$1/task" 2>/dev/null | wc -l)" -le 1 ] &&
			return 0 ;;
		esac
		_i=$((_i + 1))
		[ "$_i" -ge "$2" ] && return 1
		sleep 0.1
	done
	return 0
}

# Stop every server this test started (SIGTERM, so they exit cleanly
# and a sanitizer build checks them for leaks), by their pid files.
stop_servers() {
	for _pf in $(find "$T" -name clerkd.pid 2>/dev/null); do
		_pid=$(server_pid "$(dirname "$_pf")")
		[ -n "$_pid" ] || continue
		kill -TERM "$_pid" 2>/dev/null
		wait_gone "$_pid" 100 || kill -KILL "$_pid" 2>/dev/null
	done
}

cleanup() {
	stop_servers
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# clerk ARGS: the real client.
clerk() {
	"$CLERK_BIN" "$@"
}

# run ARGS: run clerk, keeping stdout in $out, stderr in $err, status in $rc.
run() {
	"$CLERK_BIN" "$@" >"$T/stdout" 2>"$T/stderr"
	rc=$?
	# (A client's undefined-behaviour report is on its standard error
	# too: kept for done_testing.)
	cat "$T/stderr" >>"$T/client-stderr"
	out=$(cat "$T/stdout")
	err=$(cat "$T/stderr")
}

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "got:  $1" "want: $2"
	fi
}

# like TEXT FIXED-STRING NAME: TEXT contains the string.
like() {
	case $1 in
	*"$2"*) ok 0 "$3" ;;
	*) ok 1 "$3"; diag "got: $1" "wanted it to contain: $2" ;;
	esac
}

# unlike TEXT FIXED-STRING NAME
unlike() {
	case $1 in
	*"$2"*) ok 1 "$3"; diag "got: $1" "wanted no: $2" ;;
	*) ok 0 "$3" ;;
	esac
}

# status WANT NAME: the last run's exit status.
status() {
	if [ "$rc" -eq "$1" ]; then
		ok 0 "$2"
	else
		ok 1 "$2"
		diag "exit status $rc, want $1" "stdout: $out" "stderr: $err"
	fi
}

# page_walk FIELDS [--back] ARGS...: every row of "clerk page ARGS...",
# read page by page from the start (with --back, from the end), in list
# order: those fields of each "row" line (cut -f: 2 the id, 3 its
# position).
page_walk() {
	_fields=$1
	shift
	_back=0
	if [ "$1" = --back ]; then
		_back=1
		shift
	fi
	_pos=
	: >"$T/walk"
	while :; do
		if [ $_back = 0 ]; then
			clerk page "$@" ${_pos:+--after "$_pos"} >"$T/pg" ||
			    return 1
			grep '^row' "$T/pg" | cut -f "$_fields" >>"$T/walk"
			_pos=$(grep '^row' "$T/pg" | tail -n 1 | cut -f 3)
		else
			if [ -n "$_pos" ]; then
				clerk page "$@" --before "$_pos" >"$T/pg" ||
				    return 1
			else
				clerk page "$@" --last >"$T/pg" || return 1
			fi
			# Each page comes in list order: before those read.
			{ grep '^row' "$T/pg" | cut -f "$_fields"
			    cat "$T/walk"; } >"$T/walk2"
			mv "$T/walk2" "$T/walk"
			_pos=$(grep '^row' "$T/pg" | head -n 1 | cut -f 3)
		fi
		grep -q '^more	1' "$T/pg" || break
	done
	cat "$T/walk"
}

# kill_import_setup KILLS: the set-up of the tests that kill an import
# at random moments: $rows parties in $T/big.csv (100,000; 20,000 with
# CLERK_SLOW=0), $kills kills (KILLS; 3 with CLERK_SLOW=0), the $seed
# of the moments (CLERK_SEED replays one, said in the log), one party
# added before, and $base the parties there are.
kill_import_setup() {
	rows=100000
	kills=$1
	if [ "${CLERK_SLOW:-1}" = 0 ]; then
		rows=20000
		kills=3
	fi
	seed=${CLERK_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
	diag "seed $seed (replay with CLERK_SEED=$seed)"
	awk -v n=$rows -f "$top_srcdir/tests/data/gen-parties.awk" \
	    >"$T/big.csv"
	clerk add party name='Клиент до импорта' >/dev/null
	base=$(count_rows party)
}

# timed_import NAME: import the $rows parties of $T/big.csv, timed:
# checks its status (NAME) and its summary, says the rate in the log.
timed_import() {
	_t0=$(date +%s%N)
	run import party "$T/big.csv"
	_t1=$(date +%s%N)
	status 0 "$1"
	is "$out" "imported $rows party records from $T/big.csv (utf-8, detected)" \
	    "with its summary"
	_ms=$(((_t1 - _t0) / 1000000))
	diag "import of $rows rows: $_ms ms, $((rows * 1000 / (_ms > 0 ? _ms : 1))) rows/s"
}

# make_russian: the Russian translations made now from po/ru.po, in
# $T/locale (for CLERK_LOCALEDIR), when msgfmt and the ru_RU.UTF-8 locale
# are there; 1 when they are not.
make_russian() {
	command -v msgfmt >/dev/null 2>&1 &&
	    locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\{0,1\}8$' ||
	    return 1
	mkdir -p "$T/locale/ru/LC_MESSAGES"
	msgfmt -o "$T/locale/ru/LC_MESSAGES/clerk.mo" \
	    "$top_srcdir/po/ru.po" || exit 1
}

# can_be_nobody: can this test run a client as the user nobody (it
# needs root, setpriv and that user)?
can_be_nobody() {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
	    id nobody >/dev/null 2>&1 &&
	    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    true >/dev/null 2>&1
}

# wait_socket PATH: wait up to 10 s for a server's socket at PATH; 0
# when it is there.
wait_socket() {
	_i=0
	while [ ! -S "$1" ] && [ "$_i" -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -S "$1" ]
}

# shared_server BIN: a shared server other users reach: the folder $pub
# open to them with a copy of the client BIN in it (the build folder may
# be private), its socket $sock there, clerkd in the foreground as $spid
# on the data folder $T/shared (which stays ours, 0700) with this test's
# user $me its administrator, its stderr in $T/clerkd.err.  0 once it
# listens.
shared_server() {
	me=$(id -un)
	pub=$T/pub
	mkdir -m 755 "$pub"
	chmod 711 "$T"
	cp "$1" "$pub/${1##*/}"
	chmod 755 "$pub/${1##*/}"
	sock=$pub/clerk.sock
	"$CLERKD" --foreground --dir "$T/shared" --socket "$sock" \
	    --admin "$me" 2>"$T/clerkd.err" &
	spid=$!
	wait_socket "$sock"
}

# as_nobody ARGS: run the clerk of shared_server as nobody against its
# socket, like run.
as_nobody() {
	(cd "$pub" && setpriv --reuid=nobody --regid="$(id -g nobody)" \
	    --clear-groups env HOME=/nonexistent "$pub/clerk" -S "$sock" "$@") \
	    >"$T/stdout" 2>"$T/stderr"
	rc=$?
	out=$(cat "$T/stdout")
	err=$(cat "$T/stderr")
}

# Number of data rows of a table (tsv has a header line).
count_rows() {
	_n=$("$CLERK_BIN" list "$@" --format tsv | wc -l)
	echo $((_n - 1))
}

done_testing() {
	stop_servers
	_reports=$(ls "$T"/sanitizer.* 2>/dev/null)
	for _f in "$T/daemon-stderr" "$T/client-stderr"; do
		if [ -f "$_f" ] && grep -qa 'runtime error:\|Sanitizer' "$_f"
		then
			_reports="$_reports $_f"
		fi
	done
	if [ -n "$_reports" ]; then
		ok 1 "no sanitizer reports from clients or servers"
		diag "$(cat $_reports | head -n 60)"
	else
		ok 0 "no sanitizer reports from clients or servers"
	fi
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ] || diag "$tap_failed of $tap_n failed"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
