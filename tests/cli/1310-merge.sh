#!/bin/sh
# 1310: clerk merge: B into A in one transaction: what refers to B moves
# to A, A's empty fields are filled from B and lists united, A's values
# kept where both differ (and said), B archived with a note, all of it
# audited; --dry-run changes nothing; refusals change nothing; unique
# constraints never leave half a merge.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

me=$(id -un)

# A field of a record as JSON (python's repr for lists).
field() {
	"$CLERK_BIN" show "$1" "$2" --format json | python3 -c '
import json, sys
print(json.load(sys.stdin)[sys.argv[1]])' "$3"
}

clerk add party kind=org name='ООО «Ромашка»' inn=7707083893 \
    phones='+7 495 123-45-67' emails=info@romashka.ru city=Москва \
    tags=цветы >/dev/null                                           # 1
clerk add party kind=org name='Ромашка ООО' inn=7707083893 \
    kpp=773601001 phones='8 495 123 45 67; +7 495 765-43-21' \
    emails='INFO@romashka.ru, sales@romashka.ru' city=Тверь \
    tags='Цветы, опт' bank_bik=044525225 \
    bank_account=40702810938000000001 notes='старый клиент' \
    >/dev/null 2>&1                                                 # 2
clerk add party kind=person name='Третьяков Игорь' >/dev/null      # 3
clerk add contact party=2 name='Сидоров Иван' >/dev/null           # 1
clerk add contact party=2 name='Петрова Ольга' >/dev/null          # 2
clerk rm contact 2
clerk add contact party=1 name='Иванов Пётр' >/dev/null            # 3
clerk add contact party=3 name='Третьякова Анна' >/dev/null        # 4

# The duplicate warnings of add and set name the other record.
run add party kind=person name='Дубль' phones='+7 495 765 43 21'
like "$err" "Phones ('phones'): Client #2 Ромашка ООО has the same +7 495 765-43-21" \
    "add warns naming the record with the same phone"
run set party 4 emails=sales@romashka.ru
like "$err" "E-mails ('emails'): Client #2 Ромашка ООО has the same sales@romashka.ru" \
    "set warns naming the record with the same e-mail"
clerk rm party 4 --purge

# Dry run: the report, and nothing changed.
run merge party 1 2 --dry-run
status 0 "dry run"
like "$out" "would merge party 2 'Ромашка ООО' into party 1 'ООО «Ромашка»'" \
    "dry run says what it would merge"
like "$out" "filled kpp: '773601001'" "and what it would fill"
like "$out" "dry run: nothing changed" "and that nothing changed"
is "$(field party 1 rev)" "1" "A unchanged"
is "$(field party 2 archived)" "False" "B not archived"
is "$(field contact 1 party)" "2" "contacts not moved"
is "$(clerk history party 2 | grep -c 'rev ')" "1" "nothing audited"

run merge party 1 2
status 0 "merge"
like "$out" "merged party 2 'Ромашка ООО' into party 1 'ООО «Ромашка»'" \
    "says what it merged"
like "$out" "filled kpp: '773601001'" "reports a filled field"
like "$out" "filled bank_account: '40702810938000000001'" "another"
like "$out" "added to phones: now '+7 495 123-45-67, +7 495 765-43-21'" \
    "reports a united list"
like "$out" "kept city: 'Москва' (party 2 had 'Тверь')" \
    "reports a conflict: A's value kept, B's shown"
like "$out" "kept name: 'ООО «Ромашка»' (party 2 had 'Ромашка ООО')" \
    "the name too"
like "$out" "moved contact 1 'Сидоров Иван' to party 1" "reports a moved contact"
like "$out" "moved contact 2 'Петрова Ольга' to party 1" \
    "an archived contact is moved as well"
like "$out" "cleared kpp of party 2" \
    "says B gave up the КПП A took (ИНН+КПП is unique)"
like "$out" "archived party 2 (notes: merged into party 1)" "B archived"
unlike "$out" "kept inn" "equal values are not conflicts"

is "$(field party 1 kpp)" "773601001" "A's empty КПП filled from B"
is "$(field party 1 city)" "Москва" "A's city kept"
is "$(field party 1 phones)" "['+74951234567', '+74957654321']" \
    "phones united without the duplicate in another notation"
is "$(field party 1 emails)" "['info@romashka.ru', 'sales@romashka.ru']" \
    "e-mails united, the same address in capitals not repeated"
is "$(field party 1 tags)" "['цветы', 'опт']" \
    "tags united, case-insensitively"
is "$(field party 1 notes)" "старый клиент" "A's empty notes filled"
is "$(field party 1 rev)" "2" "A changed in one revision"
is "$(field party 2 archived)" "True" "B archived, not purged"
is "$(field party 2 kpp)" "None" "B's КПП cleared"
is "$(field party 2 inn)" "7707083893" "B keeps the rest"
like "$(field party 2 notes)" "старый клиент
merged into party 1" "B's notes say where it went"
for c in 1 2 3; do
	is "$(field contact $c party)" "1" "contact $c refers to A"
done
is "$(field contact 4 party)" "3" "another party's contact untouched"
is "$(count_rows party)" "2" "B left the list"
is "$(clerk find ромашка --format tsv | tail -n +2 | cut -f 1,2 | tr '\t' :)" \
    "party:1" "find finds A only"

run history contact 1
like "$out" "Organisation: #2 " "the move is in the contact's audit trail"
like "$out" " → #1 " "by the numbers and names of the records"
like "$out" "$me  changed" "by the operator"
run history party 2
like "$out" "archive" "B's archiving is audited"
like "$out" "KPP: 773601001 → —" "so is the КПП it gave up"
run history party 1
like "$out" "KPP: — → 773601001" "A's filling is audited"

run admin verify
status 0 "indexes consistent after the merge"

# Refusals change nothing.
run merge party 1 1
status 1 "into itself"
is "$err" "clerk: cannot merge party 1 into itself" "says so"
run merge party 1 99
status 1 "unknown B"
is "$err" "clerk: Client #99 not found" "names it"
run merge party 99 1
status 1 "unknown A"
is "$err" "clerk: Client #99 not found" "names it"
run merge party 2 3
status 1 "into an archived record"
is "$err" "clerk: cannot merge into party 2: it is archived" "says so"
is "$(field party 3 archived)" "False" "B of a refused merge untouched"
run merge party 1 contact 4
status 2 "records of different tables"
like "$err" "cannot merge records of different tables ('party' and 'contact')" \
    "says so"
run merge party 1
status 2 "one id"
run merge party 1 x
status 2 "a bad id"
run merge partie 1 3
status 1 "unknown table"
like "$err" "did you mean 'party'" "with a suggestion"
is "$(field party 3 rev)" "1" "nothing changed by the refusals"
is "$(field party 1 rev)" "2" "nor A"

# Merging contacts: the same verb for any table.
run merge contact 3 4
status 0 "merge two contacts"
like "$out" "kept party: '1' (contact 4 had '3')" "a reference is a value too"

# A unique key another record holds is not taken, and the merge goes on.
clerk add party kind=org name='Дельта' inn=7728168971 kpp=772801001 \
    >/dev/null                                                     # 5
clerk add party kind=org name='Дельта А' kpp=772801001 >/dev/null # 6
clerk add party kind=org name='Дельта Б' inn=7728168971 kpp=772801002 \
    >/dev/null 2>&1                                                 # 7
run merge party 6 7
status 0 "merge where A would take a key party 5 has"
like "$out" "not taken inn '7728168971' from party 7: party 5 has the same inn, kpp" \
    "says which record holds it"
is "$(field party 6 inn)" "None" "the ИНН not taken"
is "$(field party 7 archived)" "True" "B archived all the same"

# An account that does not fit A's БИК is not taken.
clerk add party name='Гамма' bank_bik=044525974 >/dev/null        # 8
clerk add party name='Гамма 2' bank_bik=044525225 \
    bank_account=40702810938000000001 >/dev/null                   # 9
run merge party 8 9
status 0 "merge with an account of another bank"
like "$out" "not taken bank_account '40702810938000000001' from party 9: field 'bank_account'" \
    "says why the account was not taken"
is "$(field party 8 bank_account)" "None" "A stays valid"

# An archived B can be merged: what refers to it still moves.
clerk rm party 3
run merge party 1 3
status 0 "merge an archived B"
like "$out" "moved contact 4 'Третьякова Анна' to party 1" \
    "its (archived) contact moves"
like "$out" "noted in party 3 (archived already): merged into party 1" \
    "and it gets the note"
is "$(field contact 4 party)" "1" "the contact refers to A"

run admin verify
status 0 "indexes consistent after all the merges"

# All or nothing: a form whose unique pair has no index, so only the
# store's own check finds the clash, after B was changed already.
mkdir "$T/forms"
cat >"$T/forms/firm.form" <<'EOF'
table firm "Firm" "Фирма" "Firms" "Фирмы"
list name code region
field name text(100) required index folded search "Name" "Название"
field code text(10) "Code" "Код"
field region text(10) "Region" "Регион"
field notes text(30) "Notes" "Заметки"
unique code region
EOF
cat >"$T/forms/worker.form" <<'EOF'
table worker "Worker" "Работник" "Workers" "Работники"
field firm ref(firm) required index exact "Firm" "Фирма"
field name text(100) required "Name" "Имя"
EOF
f() { CLERK_FORMS="$T/forms" "$CLERK_BIN" -d "$T/firms" "$@"; }
f add firm name=X code=1 region=77 >/dev/null                      # 1
f add firm name=A code=1 >/dev/null                                # 2
f add firm name=B region=77 notes=123456789012345678901234567890 \
    >/dev/null                                                      # 3
f add worker firm=3 name=w >/dev/null
run -d "$T/firms" merge firm 2 3
status 1 "a clash only the store sees fails the merge"
like "$err" "Code ('code'), Region ('region'): 1, 77 already belongs to Firm #1 X" \
    "with the store's message"
run -d "$T/firms" show firm 3 --format json
like "$out" '"rev":1' "B not changed"
like "$out" '"archived":false' "B not archived"
like "$out" '"notes":"123456789012345678901234567890"' "B's notes as they were"
run -d "$T/firms" show worker 1 --format json
like "$out" '"firm":3' "its worker not moved"
run -d "$T/firms" history firm 3
is "$(printf '%s\n' "$out" | grep -c ' rev ')" "1" "nothing audited"

# The note fits the notes field, cutting old notes from the front.
f add firm name=D notes=abcdefghijklmnopqrstuvwxyz0123 >/dev/null # 4
run -d "$T/firms" merge firm 1 4
status 0 "merge into X"
run -d "$T/firms" show firm 4 --format json
like "$out" '"notes":"tuvwxyz0123\nmerged into firm 1"' \
    "old notes cut to make room for the note"

# An organisation merged into a private person: what only an
# organisation has (a 10-digit ИНН, a КПП, an ОГРН) is not taken.
pid=$("$CLERK_BIN" add party kind=person name='Сидоров Пётр')
oid=$("$CLERK_BIN" add party kind=org name='ООО Сидоров и партнёры' \
    inn=7736050003 kpp=773601001 ogrn=1027700070518)
run merge party "$pid" "$oid"
status 0 "merge an organisation into a person"
like "$out" "not taken kpp '773601001' from party $oid: field 'kpp': only an organisation has a KPP, not a private person" \
    "its КПП is not taken, and why"
like "$out" "not taken inn '7736050003'" "nor its ИНН"
like "$out" "not taken ogrn '1027700070518'" "nor its ОГРН"
is "$(field party "$pid" kpp)" "None" "the person has no КПП"

done_testing
