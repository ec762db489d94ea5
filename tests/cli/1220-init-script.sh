#!/bin/sh
# 1220: the init script of the office server works: start runs
# clerkd --system, which gives up root for the service user and listens
# before start returns; start again changes nothing; status tells
# running from stopped (the pid file stays, as the data folder's lock);
# stop ends it and its socket; restart brings it back; the first start
# leaves root the database's administrator.  The script made
# by make is run as is, but with the test's defaults file in place of
# /etc/default/clerkd, naming a service user made for the test (removed
# at the end) and folders in the test's folder.  Needs root, useradd and
# start-stop-daemon.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

script=$top_builddir/dist/init.d/clerkd
if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null 2>&1 ||
    ! command -v userdel >/dev/null 2>&1 ||
    ! command -v start-stop-daemon >/dev/null 2>&1 || [ ! -f "$script" ]
then
	echo "1..0 # SKIP needs root, useradd, start-stop-daemon and dist/init.d/clerkd"
	trap - EXIT
	rm -rf "$T"
	exit 77
fi

svc=ct$$$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')i
useradd --system --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --user-group "$svc" || exit 1
remove_user() {
	stop_servers
	userdel "$svc" >/dev/null 2>&1
	groupdel "$svc" >/dev/null 2>&1
}
trap 'remove_user; cleanup' EXIT

# What the service user reads must be reachable (the build folder may be
# private); sanitizer reports of a server that is no longer root.
chmod 711 "$T"
pub=$T/pub
mkdir -m 755 "$pub" "$pub/forms"
cp "$CLERKD" "$pub/clerkd"
cp "$CLERK_FORMS"/*.form "$pub/forms/"
chmod 755 "$pub/clerkd"
chmod 644 "$pub"/forms/*
mkdir -m 1777 "$T/san"
export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$T/san/sanitizer"
export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$T/san/sanitizer"
# Never handed to systemctl, even on a host that runs systemd.
export SYSTEMCTL_SKIP_REDIRECT=1

data=$T/sys/var/lib/clerk
sock=$T/sys/run/clerk/clerk.sock
cat >"$T/default" <<EOF
DAEMON=$pub/clerkd
CLERKD_USER=$svc
CLERKD_DATA=$data
DAEMON_ARGS="--socket $sock --forms $pub/forms"
EOF
sed "s|/etc/default/clerkd|$T/default|g" "$script" >"$T/init"

# initd ACTION: run the script; its output in $out, its status in $rc.
initd() {
	(unset SUDO_USER; sh "$T/init" "$1") >"$T/stdout" 2>&1
	rc=$?
	out=$(cat "$T/stdout")
	err=$out
}

initd status
status 3 "status before the first start: not running (3)"

initd start
status 0 "start"
ok "$([ -S "$sock" ]; echo $?)" "the server listens when start returns"
spid=$(server_pid "$data")
ok "$([ -n "$spid" ]; echo $?)" "and runs (pid ${spid:-none})"
uid=$(id -u "$svc")
is "$(sed -n 's/^Uid:[[:space:]]*//p' "/proc/$spid/status" | tr -s '\t ' ' ')" \
    "$uid $uid $uid $uid" "as the service user"
is "$(stat -c '%a %U' "$data")" "700 $svc" "its data folder is closed"
run -S "$sock" admin user list --format tsv
status 0 "the server serves"
like "$out" "root	yes	no" \
    "root, who started it, administers the database it made"

initd status
status 0 "status: running"
like "$out" "clerkd is running (pid $spid)" "with its pid"

initd start
status 0 "start again succeeds"
is "$(server_pid "$data")" "$spid" "and leaves the running server alone"

initd stop
status 0 "stop"
wait_gone "$spid" 50
ok $? "the server is gone"
ok "$([ ! -e "$sock" ]; echo $?)" "and its socket"
ok "$([ -f "$data/clerkd.pid" ]; echo $?)" "its pid file stays (the lock)"
initd status
status 3 "status after stop: not running (3)"

initd stop
status 0 "stop again succeeds"

initd restart
status 0 "restart"
spid=$(server_pid "$data")
ok "$([ -n "$spid" ] && [ -S "$sock" ]; echo $?)" "the server is back"
initd restart
status 0 "restart a running server"
npid=$(server_pid "$data")
ok "$([ -n "$npid" ] && [ "$npid" != "$spid" ]; echo $?)" "as a new process"
run -S "$sock" admin user list --format tsv
status 0 "which serves"
initd stop
status 0 "stop at the end"

initd frobnicate
status 3 "an unknown action is status 3 (LSB)"
like "$out" "usage:" "with a usage line"

mv "$T"/san/sanitizer.* "$T/" 2>/dev/null
done_testing
