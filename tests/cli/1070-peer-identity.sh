#!/bin/sh
# 1070: a shared server knows each client by its Unix user, from the
# socket alone: an unregistered user is refused with the access layer's
# message, a registered one works and the audit trail names the real
# login, a disabled one is refused again, and none can read the data
# folder; a refusal is in the client's language.  Needs root, to run a
# client as the user nobody.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! can_be_nobody; then
	echo "1..0 # SKIP needs root, setpriv and the user nobody"
	trap - EXIT
	rm -rf "$T"
	exit 77
fi

# The translations, for the server and the other user's client alike.
russian=
if make_russian; then
	chmod -R a+rX "$T/locale"
	export CLERK_LOCALEDIR="$T/locale"
	russian=yes
fi

# A folder the other user can reach, with a copy of clerk in it; the
# data folder stays root's, 0700.
shared_server "$CLERK_BIN"
ok $? "a shared server listens"
is "$(stat -c %a "$sock")" "666" "its socket is open to all (access decides)"

run -S "$sock" admin user list --format tsv
status 0 "the administrator given by --admin is in"
like "$out" "$me	yes	no" "as an administrator"

as_nobody list party
status 1 "an unregistered user is refused"
is "$err" "clerk: you are not a clerk operator on this server; ask an administrator" \
    "with the access layer's message"

# The refusal comes before any request, and so before the client's
# language was sent with one: the hello carries it too.
if [ -n "$russian" ]; then
	LC_ALL=ru_RU.UTF-8 as_nobody list party
	status 1 "an unregistered user in Russian is refused"
	like "$err" "вы не оператор clerk на этом сервере" \
	    "in Russian, the client's language"
	LC_ALL=C.UTF-8 as_nobody list party
	like "$err" "you are not a clerk operator" \
	    "and in English in an English client's, from the same server"
else
	diag "no msgfmt or no ru_RU.UTF-8 locale: Russian is not checked"
fi

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
