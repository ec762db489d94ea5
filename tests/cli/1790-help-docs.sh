#!/bin/sh
# 1790: help and the manual agree.  Every option clerk help shows is in
# clerk(1) (page --nowait was not); its SEE ALSO names every manual of
# man/; help of a command there is not is a usage error (exit 2, as
# clerk(1) says) worded as the unknown command itself is; the Russian
# help of the list's sort keys names the field alike; and a report
# parameter's date default may be written without quotes, as
# clerk-forms(5) shows it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

man1=$top_srcdir/man/clerk.1

run help
status 0 "help"
missing=
for o in $(printf '%s\n' "$out" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -q -e "Fl ${o#-}\$" -e "Fl ${o#-}[ =]" "$man1" ||
	    missing="$missing $o"
done
is "$missing" "" "every option of clerk help is in clerk(1)"
for m in "$top_srcdir"/man/*.[1-8]; do
	page=$(basename "$m")
	name=${page%.*}
	[ "$name" = clerk ] && continue
	grep -q "^\.Xr $name ${page##*.}" "$man1"
	ok $? "clerk(1) names $name(${page##*.})"
done

run nosuch
status 2 "an unknown command is a usage error"
is "$err" "clerk: unknown command 'nosuch'; 'clerk help' lists them" \
    "and says how to find them"
run help nosuch
status 2 "help of an unknown command is one too"
like "$err" "clerk: unknown command 'nosuch'; 'clerk help' lists them" \
    "in the same words"
run help lst
status 2 "help of a typo"
like "$err" "unknown command 'lst' (did you mean 'list'?)" "suggests the command"
run help admin frob
status 2 "help of an unknown command of a family"
like "$err" "unknown command 'admin frob'" "names it"
like "$err" "clerk admin verify" "and lists the family"
run help admin
status 0 "help of a family"

# The four sort keys of the list ([ ] { }) name their field alike.
forms=$(grep -A1 -e '^msgid "sort by this column, .* (or by FIELD)"' \
    -e '^msgid "then by this column, .* (or by FIELD)"' \
    "$top_srcdir/po/ru.po" | sed -n 's/^msgstr ".*(\(или по [^)]*\))"$/\1/p' |
    sort -u)
is "$forms" "или по ПОЛЮ" "the Russian help of [ ] { } says (или по ПОЛЮ) alike"

# A date default of words, unquoted.
F=$T/forms
mkdir "$F"
cp "$CLERK_FORMS"/*.form "$F"
export CLERK_FORMS="$F"
pid=$(server_pid)
[ -n "$pid" ] && kill -TERM "$pid" && wait_gone "$pid" 100
cat >"$F/since.report" <<'R'
report since "Since" "С"
param since date default month start - 1 "Since" "С"
query party where created >= $since cols name
R
export CLERK_NOW=2026-03-15
run report since
status 0 "a date default written without quotes"
like "$out" "Since: 28.02.2026" "is read as its words say"
cat >"$F/since.report" <<'R'
report since "Since" "С"
param since date default "month start" "Since" "С"
query party where created >= $since cols name
R
run report since
status 0 "quoted, as before"
like "$out" "Since: 01.03.2026" "the same way"
cat >"$F/since.report" <<'R'
report since "Since" "С"
param n int default 2 Clients "Clients" "Клиенты"
query party where id >= $n cols name
R
run report since
status 1 "another type takes one word"
like "$err" "since.report:2: unexpected 'Clients' (expected a quoted label)" \
    "and says where the labels went wrong"

done_testing
