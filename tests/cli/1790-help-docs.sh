#!/bin/sh
# 1790: help and the manual agree.  Every option clerk help shows is in
# clerk(1) (page --nowait was not), and its SEE ALSO names every manual
# of man/.
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

done_testing
