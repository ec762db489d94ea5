#!/bin/sh
# 1070: a shared server knows each client by its Unix user, from the
# socket alone: an unregistered user is refused with the access layer's
# message, a registered one works and the audit trail names the real
# login, a disabled one is refused again, and none can read the data
# folder.  Needs root, to run a client as the user nobody.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1 ||
    ! id nobody >/dev/null 2>&1 ||
    ! setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    true >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root, setpriv and the user nobody"
	trap - EXIT
	rm -rf "$T"
	exit 77
fi
me=$(id -un)

# A folder the other user can reach, with a copy of clerk in it (the
# build folder may be private); the data folder stays root's, 0700.
pub=$T/pub
mkdir -m 755 "$pub"
chmod 711 "$T"
cp "$CLERK_BIN" "$pub/clerk"
chmod 755 "$pub/clerk"
sock=$pub/clerk.sock

# as_nobody ARGS: run clerk as nobody against the shared socket.
as_nobody() {
	(cd "$pub" && setpriv --reuid=nobody --regid="$(id -g nobody)" \
	    --clear-groups env HOME=/nonexistent "$pub/clerk" -S "$sock" "$@") \
	    >"$T/stdout" 2>"$T/stderr"
	rc=$?
	out=$(cat "$T/stdout")
	err=$(cat "$T/stderr")
}

"$CLERKD" --foreground --dir "$T/shared" --socket "$sock" --admin "$me" \
    2>"$T/clerkd.err" &
spid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ok "$([ -S "$sock" ]; echo $?)" "a shared server listens"
is "$(stat -c %a "$sock")" "666" "its socket is open to all (access decides)"

run -S "$sock" admin user list --format tsv
status 0 "the administrator given by --admin is in"
like "$out" "$me	yes	no" "as an administrator"

as_nobody list party
status 1 "an unregistered user is refused"
is "$err" "clerk: you are not a clerk operator on this server; ask an administrator" \
    "with the access layer's message"

run -S "$sock" admin user add nobody
status 0 "the administrator registers nobody"
as_nobody add party name='ООО «От nobody»'
status 0 "now nobody can add"
as_nobody admin user add someone
status 1 "but not administer"
run -S "$sock" history party 1
like "$out" "nobody  created  rev 1" "the audit trail names the real login"
run -S "$sock" show party 1
like "$out" "by nobody" "and so does the record"

(cd "$pub" && setpriv --reuid=nobody --regid="$(id -g nobody)" \
    --clear-groups ls "$T/shared" >/dev/null 2>&1)
ok "$([ $? -ne 0 ]; echo $?)" "nobody cannot read the data folder"

run -S "$sock" admin user disable nobody
as_nobody list party
status 1 "a disabled operator is refused"
like "$err" "disabled" "and told so"

kill -TERM $spid
wait $spid
ok $? "the shared server stops cleanly"
unlike "$(cat "$T/clerkd.err")" "error" "and logged no error"
ok "$([ ! -e "$sock" ]; echo $?)" "and removed its socket"

done_testing
