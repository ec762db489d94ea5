#!/bin/sh
# 1000: add, show, set, list, history, rm through the real clerk and a
# personal server it starts: Cyrillic names, valid requisites, the
# output formats, sorting, archive and purge.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

me=$(id -un)

run add party kind=org name='ООО «Ромашка»' inn=7707083893 kpp=773601001 \
    ogrn=1027700132195 bank_bik=044525225 \
    bank_corr=30101810400000000225 city=Москва \
    phones='+7 495 123-45-67, 8 916 123 45 67' emails=info@romashka.ru
status 0 "add an organisation with valid requisites"
is "$out" "1" "add prints the new id"
is "$err" "" "no warning for the first record"

run show party 1
status 0 "show it"
like "$out" "ООО «Ромашка»" "show has the Cyrillic name"
like "$out" "7707083893" "show has the INN"
like "$out" "30101810400000000225" "show has the correspondent account"
like "$out" "Revision:" "show has the revision"
like "$out" "by $me" "created by the Unix login"
# Labels are aligned: every value starts in the same display column.
cols=$(printf '%s\n' "$out" | python3 -c '
import sys, unicodedata
seen = set()
for line in sys.stdin.read().splitlines():
    label, sep, rest = line.partition(":")
    # display column where the value starts (Cyrillic is one cell wide)
    value_at = len(label) + 1 + (len(rest) - len(rest.lstrip(" ")))
    seen.add(value_at)
print(len(seen))')
is "$cols" "1" "show aligns values in one column"

run show party 1 --format json
status 0 "show as JSON"
is "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["id"], d["rev"], d["name"], d["inn"], d["phones"], d["archived"])')" \
    "1 1 ООО «Ромашка» 7707083893 ['+74951234567', '+79161234567'] False" \
    "JSON has id, revision, fields, phones as a list"

run add party kind=person name='Иванов Пётр Сергеевич' phones='8 (495) 123-45-67'
status 0 "a second party with the same phone is added"
is "$out" "2" "with id 2"
is "$err" "clerk: warning: Phones ('phones'): Client #1 ООО «Ромашка» has the same +7 495 123-45-67" \
    "with a warning naming the other party"

run add party kind=org name='АО Альфа' inn=7707083893 kpp=773601002
status 0 "same INN with another KPP is allowed"
like "$err" "INN ('inn'): Client #1 ООО «Ромашка» has the same 7707083893" \
    "and warned about"

run list party
status 0 "list"
is "$(printf '%s\n' "$out" | wc -l)" "4" "header and three rows"
like "$(printf '%s\n' "$out" | head -n 1)" "Name" "header has labels"
# Columns after Cyrillic names start at the same display column on every
# line (padding by display width, not bytes).
is "$(printf '%s\n' "$out" | python3 -c '
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
starts = set()
for line in sys.stdin.read().splitlines():
    for word in ("INN", "7707083893"):
        i = line.find(word)
        if i >= 0:
            starts.add(width(line[:i]))
print(len(starts))')" "1" "list columns are aligned by display width"

narrow=$(COLUMNS=80 "$CLERK_BIN" list party)
is "$(printf '%s\n' "$narrow" | python3 -c '
import sys
print(max(len(l) for l in sys.stdin.read().splitlines()))')" "80" \
    "a table is fitted to an 80-column terminal"
like "$narrow" "…" "cutting the widest cells"
# Narrower still: names give way, but an ИНН or a phone cut is of no
# use, so those keep their width (the first of a list of phones).
narrow=$(COLUMNS=50 "$CLERK_BIN" list party)
like "$narrow" " 7707083893 " "a narrow terminal never cuts an ИНН"
like "$narrow" "+7 495 123-45-67…" "nor the first of a client's phones"
unlike "$narrow" "ООО «Ромашка»" "the name gives way"
narrow=$(COLUMNS=30 "$CLERK_BIN" query 'party cols name, inn, created')
like "$narrow" " 7707083893 " "nor does a query's table"

run list party --format csv
status 0 "list as CSV"
is "$(printf '%s\n' "$out" | head -n 1 | tr -d '\r')" \
    "id,name,kind,inn,phones,city,manager,status" "CSV header has field names"
like "$out" '1,ООО «Ромашка»,org,7707083893,+74951234567; +79161234567,Москва,,lead' \
    "CSV row in plain form, a list's values joined by '; '"

ru=$(LC_ALL=ru_RU.UTF-8 "$CLERK_BIN" list party)
like "$ru" "Наименование" "a Russian locale gets Russian labels"
like "$ru" "Организация" "and Russian choices"
like "$(LC_ALL=ru_RU.UTF-8 "$CLERK_BIN" show party 2)" "Физическое лицо" \
    "in show too"

run list party --format json
is "$(printf '%s' "$out" | python3 -c '
import json, sys
print(",".join(str(r["id"]) for r in json.load(sys.stdin)))')" "1,2,3" \
    "JSON list in id order"

run list party --sort name --format tsv
is "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ')" "id 3 2 1 " \
    "sort by name: А, И, О"
run list party --sort -name --format tsv
is "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ')" "id 1 2 3 " \
    "sort by -name: backward"
run list party --limit 2 --format tsv
is "$(printf '%s\n' "$out" | wc -l)" "3" "--limit 2"

run set party 1 city=Санкт-Петербург 'notes=первая запись'
status 0 "set two fields"
is "$out" "" "set is quiet"
run show party 1 --format json
is "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["rev"], d["city"], d["notes"])')" "2 Санкт-Петербург первая запись" \
    "the change is stored, revision 2"

run set party 3 emails='info@romashka.ru; sales@alfa.ru'
status 0 "set an e-mail another party has"
like "$err" "warning: E-mails ('emails'): Client #1 ООО «Ромашка» has the same info@romashka.ru" \
    "warns naming it"
unlike "$err" "sales@alfa.ru" "and only about that one"
# The same mailbox in other capitals is the same address (find says so).
run set party 3 emails='INFO@Romashka.ru'
status 0 "set the e-mail in capitals"
like "$err" "warning: E-mails ('emails'): Client #1 ООО «Ромашка» has the same INFO@romashka.ru" \
    "warns all the same"
run set party 3 emails='sales@alfa.ru'

run history party 1
status 0 "history"
like "$out" "$me  created  rev 1" "history has the insert by the login"
like "$out" "$me  changed  rev 2" "and the update"
like "$out" "City: Москва → Санкт-Петербург" "with the old and new value, by its label"

run rm party 2
status 0 "rm archives"
is "$(count_rows party)" "2" "the archived record leaves the list"
is "$(count_rows party --archived)" "3" "but is there with --archived"
# Which rows are archived, in every format, as export marks them.
run list party --archived --format csv
is "$(printf '%s\n' "$out" | tr -d '\r' | sed -n '1p;3p' | sed 's/.*,//')" \
    "archived
yes" "--archived: CSV has an archived column, 'yes' on the archived row"
row=$(printf '%s\n' "$out" | tr -d '\r' | sed -n 2p)
is "${row##*,}" "" "and empty on one in use"
run list party --archived --format json
is "$(printf '%s\n' "$out" | python3 -c '
import json, sys
print([r["archived"] for r in json.load(sys.stdin)])')" \
    "[False, True, False]" "JSON says archived true or false"
run list party --archived
row=$(printf '%s\n' "$out" | sed -n 3p)
is "${row##* }" "yes" "and the table in a column"
run show party 2
like "$out" "Archived:" "show says it is archived"

run add contact party=1 name='Сидорова Анна Викторовна' position=Бухгалтер
status 0 "a contact of party 1"
run rm party 1 --purge
status 1 "a referenced party cannot be purged"
run show party 1
status 0 "and is still there"

run rm party 2 --purge
status 0 "purge an unreferenced party"
run show party 2
status 1 "purged is gone"
is "$err" "clerk: Client #2 not found" "with a clear message"

done_testing
