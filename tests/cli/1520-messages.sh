#!/bin/sh
# 1520: messages people read.  Help lists every command, "admin
# setup-shared" (done by clerk itself) and the global options too; a
# revision from the future is no conflict but a mistake, and says so;
# export offers only the formats it writes; each option's bad value is a
# sentence of its own; the history says what happened in words; and in a
# Russian locale the client, the server's verbs and its history speak
# Russian (translations from po/ru.po through CLERK_LOCALEDIR).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# The translations, made now from po/ru.po, for the client and for the
# server it starts.
russian=
if make_russian; then
	export CLERK_LOCALEDIR="$T/locale"
	russian=yes
else
	diag "no msgfmt or no ru_RU.UTF-8 locale: Russian is not checked"
fi

run help
status 0 "help"
like "$out" "clerk admin setup-shared [--admin LOGIN]" \
    "help lists admin setup-shared"
like "$out" "-d DIR, --dir DIR" "and the options before the command"
like "$out" "--personal" "all of them"
run help admin
like "$out" "clerk admin setup-shared" "so does help admin"
unlike "$out" "Options before" "which lists only the family"
run admin
status 2 "admin alone"
like "$err" "clerk admin setup-shared [--admin LOGIN]" "shows it in the usage"

run add party name='ООО «Ромашка»' phones=+74951234567
status 0 "a party"
run set party 1 city=Тверь --rev 7
status 1 "a revision the record never had"
is "$err" "clerk: party 1 has no revision 7; it is at revision 1" \
    "is named as such, not as a change since it"
run set party 1 city=Тверь --rev 0
status 2 "revision 0"
like "$err" "bad --rev '0': revisions count from 1" "says they count from 1"
run set party 1 city=Тверь --rev x
like "$err" "bad --rev 'x': expected a whole number" "--rev names itself"
run list party --limit x
like "$err" "bad --limit 'x': expected a whole number" "--limit names itself"
run show party 1 --format json
like "$out" '"rev":1' "nothing changed"
run set party 1 city=Тверь --rev 1
status 0 "the right revision"

run export party --format table
status 2 "export has no table format"
like "$err" "export writes csv, excel, tsv or json" "and offers what it writes"
unlike "$err" "table," "without table"

run history party 1
like "$out" "  created  rev 1" "history: created"
like "$out" "  changed  rev 2" "history: changed"
clerk rm party 1 >/dev/null
run history party 1
like "$out" "  archived  rev 3" "history: archived"

run admin verify
like "$out" "table 'party': 1 record, ok" "one record, not 1 records"

# Russian, when the translations and the locale are there; the server,
# started in English above, answers each client in its language.
[ -n "$russian" ] || done_testing
ru() {
	LC_ALL=ru_RU.UTF-8 LANG=ru_RU.UTF-8 run "$@"
}
ru history party 1
like "$out" "  создана  ревизия 1" "history in Russian: created"
like "$out" "  изменена  ревизия 2" "changed"
like "$out" "  архивирована  ревизия 3" "archived"
ru set party 1 city=Тула --rev 9
like "$err" "у записи party 1 нет ревизии 9; её ревизия — 3" \
    "the future revision in Russian"
ru list party --limit x
like "$err" "неверное значение --limit 'x'" "a bad option in Russian"
like "$err" "использование: clerk list" "and the usage word"
ru help
like "$out" "Параметры перед командой" "the client's own help in Russian"
like "$out" "настроить эту машину как офисный сервер" \
    "setup-shared's help line too"
ru nosuchverb
like "$err" "clerk: " "the program's name stays"
done_testing
