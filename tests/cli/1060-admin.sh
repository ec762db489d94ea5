#!/bin/sh
# 1060: admin: init, operators, verify and backup through the server.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

me=$(id -un)

run admin init
status 0 "admin init"
like "$out" "database: $CLERK_DIR" "says where the database is"
like "$out" "tables: contact, party" "and its tables"
like "$out" "operator: $me (administrator)" "the creator administers it"

run add party name='ООО «Ромашка»' inn=7707083893 kpp=773601001
run add contact party=1 name='Сидорова Анна'

run admin user list
status 0 "user list"
like "$out" "$me" "has the creator"

# A personal server lets in its own user alone: another operator of its
# database could never connect.
run admin user add daemon
status 1 "a personal database refuses another operator"
like "$err" "its server lets no one else in, so 'daemon' could never connect" \
    "and says why"
run admin user list --format tsv
unlike "$out" "daemon" "and registers no one"

# Operators, on a server that shares its database (its starter, this
# test's user, administers it).
"$CLERKD" --foreground --dir "$T/shared" --socket "$T/s.sock" \
    2>"$T/clerkd.err" &
spid=$!
wait_socket "$T/s.sock"
S="-S $T/s.sock"
run $S admin user add daemon
status 0 "register another operator"
is "$out" "" "quietly"
run $S admin user add daemon
status 0 "registering an operator again succeeds"
is "$out" "'daemon' is an operator already; nothing changed" "and says so"
run $S admin user add 'Bad!'
status 2 "a bad login is a usage error"
run $S admin user add nosuchuser_x --admin
status 0 "a login without a Unix user is registered"
like "$err" "warning: there is no Unix user 'nosuchuser_x'" "with a warning"
run $S admin user add nosuchuser_x
is "$out" "'nosuchuser_x' is no longer an administrator" \
    "registering an administrator as an operator says what changed"
run $S admin user disable daemon
status 0 "disable an operator"
run $S admin user disable daemon
status 0 "disabling again succeeds"
is "$out" "'daemon' is disabled already; nothing changed" "and says so"
run $S admin user list --format tsv
like "$out" "daemon	no	yes" "listed as disabled"
run $S admin user add daemon --admin
is "$out" "'daemon' is an administrator now
'daemon' is disabled: 'clerk admin user enable daemon' lets them in" \
    "a disabled operator made an administrator stays disabled, and is told"
run $S admin user enable daemon
run $S admin user list --format json
like "$out" '{"login":"daemon","admin":true,"disabled":false}' "enabled again"
run $S admin user enable daemon
is "$out" "'daemon' is enabled already; nothing changed" \
    "enabling again says so"
run $S admin user disable "$me"
status 1 "an administrator cannot disable themselves"
run $S admin user disable nobody_here
status 1 "disabling a stranger fails"
kill -TERM $spid
wait $spid

run admin verify
status 0 "admin verify"
like "$out" "table 'party': 1 record, ok" "checks the party table"
like "$out" "table 'contact': 1 record, ok" "and the contact table"
like "$out" "backup: made and verified, ok" "and a verified backup"

run admin backup "$T/bk"
status 0 "admin backup to an absolute path"
like "$out" "backed up to $T/bk" "says where"
ok "$([ -n "$(ls "$T/bk")" ]; echo $?)" "the backup folder has files"
run admin backup "$T/bk"
status 1 "a backup into a non-empty folder is refused"
(cd "$T" && "$CLERK_BIN" admin backup rel >/dev/null 2>&1)
ok "$([ -n "$(ls "$T/rel" 2>/dev/null)" ]; echo $?)" \
    "a relative backup path is the client's"

# A backup is a whole database: a server on it has the data.
CLERK_IDLE=5 "$CLERK_BIN" -d "$T/bk" show party 1 >"$T/bk.out" 2>&1
ok $? "a server opens the backup"
like "$(cat "$T/bk.out")" "ООО «Ромашка»" "and it has the data"

done_testing
