#!/bin/sh
# 1200: the office server end to end, as root sets it up.  "clerk admin
# setup-shared" makes the service user, the folders and the database
# with its first administrator, and a second run changes nothing;
# "clerkd --system", started by root, gives up root for that user for
# good; clients find it by its socket; a registered operator works, an
# unregistered one gets exactly the refusal and nothing more, the audit
# trail names the real logins whatever the client's environment says,
# and no operator can open or list the data files.  The system paths
# are put under the test's folder (CLERK_SYSTEM_ROOT).  Needs root,
# useradd and setpriv: the service user and two operators are made for
# the test and removed at the end, whatever happens.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1 ||
    ! command -v useradd >/dev/null 2>&1 ||
    ! command -v userdel >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root, setpriv, useradd and userdel"
	trap - EXIT
	rm -rf "$T"
	exit 77
fi

# Unique names (a login is at most 32 bytes): the service user and
# operators A and B.
sfx=$$$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
svc=ct${sfx}s
opa=ct${sfx}a
opb=ct${sfx}b
made_users=""
remove_users() {
	stop_servers
	for _u in $made_users; do
		userdel "$_u" >/dev/null 2>&1
		groupdel "$_u" >/dev/null 2>&1
	done
}
trap 'remove_users; cleanup' EXIT
for u in "$opa" "$opb"; do
	useradd --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$u" || exit 1
	made_users="$made_users $u"
done
made_users="$made_users $svc"	# made by setup-shared below

# What the other users run must be theirs to reach: a public folder with
# copies of the programs and forms (the build folder may be private).
chmod 711 "$T"
pub=$T/pub
mkdir -m 755 "$pub" "$pub/forms"
cp "$CLERK_BIN" "$CLERKD" "$pub/"
cp "$CLERK_FORMS"/*.form "$pub/forms/"
chmod 755 "$pub/clerk" "$pub/clerkd"
chmod 644 "$pub"/forms/*
export CLERK_FORMS="$pub/forms" CLERKD="$pub/clerkd"
# Sanitizer reports of a server that is no longer root.
mkdir -m 1777 "$T/san"
export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$T/san/sanitizer"
export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$T/san/sanitizer"

sys=$T/sys
export CLERK_SYSTEM_ROOT="$sys"
data=$sys/var/lib/clerk
sock=$sys/run/clerk/clerk.sock

# as USER ARGS: run clerk as USER, shared-mode defaults (no CLERK_DIR),
# with the environment assignments in $claim.
claim=
as() {
	_u=$1
	shift
	# shellcheck disable=SC2086
	(cd "$pub" && env -u CLERK_DIR $claim setpriv --reuid="$_u" \
	    --regid="$(id -g "$_u")" --init-groups "$pub/clerk" "$@") \
	    >"$T/stdout" 2>"$T/stderr"
	rc=$?
	out=$(cat "$T/stdout")
	err=$(cat "$T/stderr")
}

# setup: clerk admin setup-shared as root, for the test's service user.
setup() {
	run admin setup-shared --user "$svc" "$@"
}

# State of the system paths: names, modes and owners.
modes() {
	find "$sys" -exec stat -c '%n %a %U %G' {} + | sort
}

# --- setting up ------------------------------------------------------

as "$opa" admin setup-shared --admin "$opa" --user "$svc"
status 1 "setup-shared refuses an operator who is not root"
like "$err" "must be run as root" "and says it needs root"
ok "$([ ! -e "$sys" ] && ! id "$svc" >/dev/null 2>&1; echo $?)" \
    "and changes nothing"

(unset SUDO_USER; run admin setup-shared --user "$svc"; echo "$rc" >"$T/rc")
is "$(cat "$T/rc")" 1 "setup-shared needs a first administrator"

SUDO_USER=$opa
export SUDO_USER
run admin setup-shared --user "$svc"
unset SUDO_USER
status 0 "setup-shared sets the shared server up"
like "$out" "made the system user '$svc'" "it made the service user"
like "$out" "created the database in '$data'" "and the database"
like "$out" "registered '$opa' as the first administrator" \
    "with sudo's user as the first administrator"
like "$out" "systemctl enable --now clerkd" "and tells the next steps"
id "$svc" >/dev/null 2>&1
ok $? "the service user exists"
is "$(stat -c '%a %U %G' "$data")" "700 $svc $svc" \
    "the data folder is 0700, the service user's"
is "$(stat -c '%a %U %G' "$sys/run/clerk")" "755 $svc $svc" \
    "the socket's folder is 0755, the service user's"
is "$(stat -c '%a %U' "$sys/var/backups/clerk")" "700 $svc" \
    "the backup folder is 0700, the service user's"
is "$(find "$data" ! -user "$svc" | wc -l)" 0 \
    "every file of the database is the service user's"

before=$(modes)
setup --admin "$opb"
status 0 "a second setup-shared succeeds"
like "$out" "nothing changed" "and says it changed nothing"
like "$out" "was not registered" "it does not add a second first administrator"
is "$(modes)" "$before" "no file, mode or owner changed"

# Folders clerkd --system will not take: another's with files in it, a
# shared one like /tmp, the data folder for the socket.
mkdir -m 755 "$T/other"
touch "$T/other/x"
for bad in "--dir $T/other --socket $sock|belongs to uid 0" \
    "--dir $data --socket /tmp/ct$sfx.sock|shared by all" \
    "--dir $data --socket $data/clerk.sock|must not be in the data folder"; do
	# shellcheck disable=SC2086
	"$CLERKD" --system --user "$svc" ${bad%|*} >/dev/null 2>"$T/bad.err"
	is "$?" 1 "clerkd --system refuses ${bad%|*}"
	like "$(cat "$T/bad.err")" "${bad#*|}" "with a message: ${bad#*|}"
done
is "$(stat -c '%U' "$T/other")" root "and changes nothing of another's folder"

# --- the server ------------------------------------------------------

"$CLERKD" --system --user "$svc" --dir "$data" --socket "$sock" \
    2>"$T/clerkd.err"
ok $? "clerkd --system starts as root"
spid=$(server_pid "$data")
ok "$([ -n "$spid" ]; echo $?)" "and runs (pid ${spid:-none})"
uid=$(id -u "$svc")
gid=$(id -g "$svc")
is "$(sed -n 's/^Uid:[[:space:]]*//p' "/proc/$spid/status" | tr -s '\t ' ' ')" \
    "$uid $uid $uid $uid" "it runs as the service user (real, effective, saved)"
is "$(sed -n 's/^Gid:[[:space:]]*//p' "/proc/$spid/status" | tr -s '\t ' ' ')" \
    "$gid $gid $gid $gid" "in its group"
is "$(sed -n 's/^Groups:[[:space:]]*//p' "/proc/$spid/status" | tr -d ' ')" \
    "$gid" "and no other group"
is "$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$spid/status")" \
    "0000000000000000" "with no capabilities"
is "$(stat -c '%a %U' "$sock")" "666 $svc" \
    "its socket is open to all (the server decides who gets in)"

as "$opa" --version
status 0 "operators can run the client"
as "$opa" admin user list --format tsv
status 0 "the first administrator works, found by the socket alone"
like "$out" "$opa	yes	no" "as an administrator"

as "$opb" list party
status 1 "an unregistered operator is refused"
is "$err" "clerk: you are not a clerk operator on this server; ask an administrator" \
    "with exactly the message"
is "$out" "" "and nothing more"

claim="USER=$opb LOGNAME=$opb SUDO_USER=$opb"
as "$opa" add party name='ООО «Первая»'
status 0 "A adds a party while its environment names B"
claim=
as "$opa" admin user add "$opb"
status 0 "A registers B"
claim="USER=$opa LOGNAME=$opa SUDO_USER=$opa"
as "$opb" set party 1 city=Тверь
status 0 "now B works, with an environment naming A"
claim=
as "$opb" admin user add root
status 1 "but B may not administer"
as "$opa" history party 1
like "$out" "$opa  created  rev 1" "the audit trail names A for the insert"
like "$out" "$opb  changed  rev 2" "and B for the update"
as "$opb" show party 1
like "$out" "by $opb" "and so does the record"

for u in "$opa" "$opb"; do
	(cd "$pub" && setpriv --reuid="$u" --regid="$(id -g "$u")" \
	    --init-groups ls "$data") >/dev/null 2>"$T/ls.err"
	ok "$([ $? -ne 0 ]; echo $?)" "$u cannot list the data folder"
	like "$(cat "$T/ls.err")" "Permission denied" "permission denied"
	(cd "$pub" && setpriv --reuid="$u" --regid="$(id -g "$u")" \
	    --init-groups cat "$data/party.db") >/dev/null 2>"$T/cat.err"
	ok "$([ $? -ne 0 ]; echo $?)" "$u cannot open a data file"
	like "$(cat "$T/cat.err")" "Permission denied" "permission denied"
done

as "$opa" admin backup "$sys/var/backups/clerk/b1"
status 0 "the administrator backs up into the backup folder"
is "$(stat -c '%U' "$sys/var/backups/clerk/b1/party.db")" "$svc" \
    "the copy is the service user's"
# The server writes the copy, not the operator: a folder the service
# user cannot write in is refused naming that user.
mkdir -m 700 "$T/closed"
as "$opa" admin backup "$T/closed/b2"
status 1 "a backup where the service user may not write fails"
is "$err" "clerk: cannot back up to '$T/closed/b2': Permission denied; the server writes the backup as its user '$svc', who must be able to write in '$T/closed'" \
    "naming the user that must be able to write there"

(cd "$pub" && setpriv --reuid="$opa" --regid="$(id -g "$opa")" \
    --init-groups "$pub/clerkd" --system --user "$svc" --dir "$data" \
    --socket "$sock") >/dev/null 2>"$T/sys.err"
is "$?" 1 "clerkd --system refuses an operator"
like "$(cat "$T/sys.err")" "runs as the user '$svc'" \
    "and says who may start it"

# Personal mode on demand, beside the office server (root's personal
# data in the test's folder).
personal() {
	(unset CLERK_DIR; XDG_DATA_HOME=$T/xdg; export XDG_DATA_HOME
	    run "$@"; echo "$rc" >"$T/rc"; printf '%s' "$err" >"$T/err")
	rc=$(cat "$T/rc")
	err=$(cat "$T/err")
	out=$(cat "$T/stdout")
}
personal list party
status 1 "without -d or CLERK_DIR, root's clerk goes to the office server"
like "$err" "not a clerk operator" "where root is no operator"
personal --personal add party name=Личная
status 0 "with --personal, to a personal server"
personal --personal list party --format tsv
like "$out" "Личная" "which keeps its own database"
as "$opa" list party --format tsv
unlike "$out" "Личная" "apart from the office's"

setup --admin "$opa"
status 0 "setup-shared with the server running succeeds"
like "$out" "nothing changed" "and changes nothing"
like "$out" "The server is running" "and says the server runs"

kill -TERM "$spid"
wait_gone "$spid" 100
ok $? "the server stops on SIGTERM"
ok "$([ ! -e "$sock" ]; echo $?)" "and removes its socket"
as "$opa" list party
status 1 "with the server stopped, a client fails"
like "$err" "is not running" "saying the office server is not running"

mv "$T"/san/sanitizer.* "$T/" 2>/dev/null
done_testing
