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
run admin user add daemon
status 0 "register another operator"
run admin user add 'Bad!'
status 2 "a bad login is a usage error"
run admin user add nosuchuser_x --admin
status 0 "a login without a Unix user is registered"
like "$err" "warning: there is no Unix user 'nosuchuser_x'" "with a warning"
run admin user disable daemon
status 0 "disable an operator"
run admin user list --format tsv
like "$out" "daemon	no	yes" "listed as disabled"
run admin user enable daemon
run admin user list --format json
like "$out" '{"login":"daemon","admin":false,"disabled":false}' "enabled again"
run admin user disable "$me"
status 1 "an administrator cannot disable themselves"
run admin user disable nobody_here
status 1 "disabling a stranger fails"

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
