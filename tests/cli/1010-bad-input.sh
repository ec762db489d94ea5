#!/bin/sh
# 1010: bad input through the CLI gets a message naming what and where,
# the right exit status (1 failed, 2 usage), and changes nothing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run add party name='ООО «Ромашка»' inn=7707083893 kpp=773601001
status 0 "a valid party"
before=$(count_rows party)

run add party name='Плохой ИНН' inn=7707083894
status 1 "an ИНН with a wrong checksum is refused"
like "$err" "inn" "the message names the field"
is "$(count_rows party)" "$before" "nothing was added"

run add party name='Плохой КПП' kpp=77360100
status 1 "a short КПП is refused"
like "$err" "kpp" "naming kpp"

run add party name='Плохой ОГРН' ogrn=1027700132194
status 1 "an ОГРН with a wrong check digit is refused"
like "$err" "ogrn" "naming ogrn"

run add party name='Плохой счёт' bank_bik=044525225 bank_corr=30101810400000000226
status 1 "a correspondent account that does not match the БИК is refused"
like "$err" "bank_corr" "naming bank_corr"

run add party name='Плохая почта' emails=not-an-address
status 1 "a bad e-mail is refused"
like "$err" "emails" "naming emails"

run add party kind=martian name=X
status 1 "an unknown enum value is refused"
like "$err" "kind" "naming kind"

long=$(printf 'Я%.0s' $(seq 1 301))
run add party name="$long"
status 1 "a name over 300 characters is refused"
like "$err" "name" "naming name"

run add party inn=7707083893
status 1 "a party without its required name is refused"
like "$err" "name" "naming the missing field"
is "$(count_rows party)" "$before" "still nothing was added"

run add party kind=org name='Двойник' inn=7707083893 kpp=773601001
status 1 "a second organisation with the same ИНН and КПП is refused"
is "$err" "clerk: INN ('inn'), KPP ('kpp'): 7707083893, 773601001 already belongs to Client #1 ООО «Ромашка»" \
    "naming the fields as the card labels them, and the one that has them"
run add contact party=77 name='Никто'
status 1 "a contact of a missing party is refused"
is "$err" "clerk: Organisation ('party'): Client #77 does not exist" \
    "saying so, the field named as the card labels it"
run add party name=X birthday=31.02.2000
status 1 "an impossible date is refused"
like "$err" "Birthday ('birthday'): invalid date" "naming the field"
is "$(count_rows party)" "$before" "none of these added anything"

run set party 1 inn=123
status 1 "set with a bad ИНН is refused"
run show party 1 --format json
like "$out" '"inn":"7707083893"' "and the record is unchanged"
like "$out" '"rev":1' "at revision 1"

run add paty name=x
status 1 "unknown table"
is "$err" "clerk: unknown table 'paty' (did you mean 'party'?)" \
    "suggests the table"
run list zzzzzz
like "$err" "unknown table 'zzzzzz'; the tables are: " \
    "lists the tables when nothing is close"

run add party nmae=x
status 1 "unknown field"
is "$err" "clerk: unknown field 'nmae' in table 'party' (did you mean 'name'?)" \
    "suggests the field"

run add party name
status 2 "an argument without = is a usage error"
like "$err" "expected field=value, got 'name'" "says what it expected"
like "$err" "usage: clerk add TABLE field=value ..." "and shows the usage"

run add party
status 2 "add with nothing to add"

run add
status 2 "add without a table"
is "$err" "usage: clerk add TABLE field=value ..." "prints only the usage"

run show party abc
status 2 "a bad id is a usage error"
like "$err" "bad id 'abc'" "naming it"

run show party 999
status 1 "a missing record"
is "$err" "clerk: Client #999 not found" "says so"

run list party --sort notes
status 1 "sorting by a field without an index"
like "$err" "cannot sort 'party' by 'notes'" "says why"
like "$err" "sort by one of: id, " "and what can be used"

run list party --format xml
status 2 "unknown format"
run list party --limit x
status 2 "bad limit"
run list party --bogus
status 2 "unknown option"
like "$err" "unknown option '--bogus'" "names the option"
run list party --sort
status 2 "option without its value"
like "$err" "option '--sort' needs a value" "says so"

run frobnicate
status 2 "unknown command"
like "$err" "unknown command 'frobnicate'" "names it"
run lsit party
like "$err" "did you mean 'list'?" "suggests a command"

run admin
status 2 "admin alone"
like "$err" "usage: clerk admin init" "lists the admin commands"
like "$err" "clerk admin user add LOGIN [--admin]" "all of them"

"$CLERK_BIN" >"$T/stdout" 2>"$T/stderr"
rc=$?
err=$(cat "$T/stderr")
out=
status 1 "no arguments and no terminal: the TUI cannot start"
like "$err" "the terminal interface needs a terminal" "says so, and where the commands are"

run help
status 0 "help"
like "$out" "clerk list TABLE" "help lists the verbs"
run help admin user
like "$out" "clerk admin user disable LOGIN" "help for a family"
unlike "$out" "clerk add" "only that family"

is "$(count_rows party)" "$before" "after all that, nothing changed"

done_testing
