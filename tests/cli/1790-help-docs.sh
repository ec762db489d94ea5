#!/bin/sh
# 1790: help and the manual agree.  Every option clerk help shows is in
# clerk(1) (page --nowait was not); its SEE ALSO names every manual of
# man/; help of a command there is not is a usage error (exit 2, as
# clerk(1) says) worded as the unknown command itself is; and the
# Russian help of the list's sort keys names the field alike.
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

done_testing
