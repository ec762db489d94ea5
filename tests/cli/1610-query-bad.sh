#!/bin/sh
# 1610: bad queries of every kind through clerk query: each fails with
# status 1 and a message that names line and column ("query:L:C: "),
# none crashes the server, and the server answers a good query after
# them all.  Also "list TABLE 'COND'" with a bad condition.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party kind=org name='ООО «Ромашка»' city=Москва >/dev/null

while IFS= read -r q; do
	[ -n "$q" ] || continue
	run query "$q"
	if [ "$rc" -eq 1 ] && case $err in *query:[0-9]*:[0-9]*:*) true ;;
	    *) false ;; esac; then
		ok 0 "refused with its place: $q"
	else
		ok 1 "refused with its place: $q"
		diag "status $rc" "stdout: $out" "stderr: $err"
	fi
done <<'QUERIES'
paty
party wher city = x
party where cty = x
party where city =
party where city = 'x
party where (city = x
party where city = x)
party where birthday > 2026-13-01
party where birthday > today - x
party where status = nosuch
party where status ~ act
party where name.x = 1
party where yaer(birthday) = 1
party where year(name) = 1
party where len(birthday) = 1
party where sum(name) > 1
party where id = abc
party sort
party sort nosuch
party limit -1
party limit 1 offset x
party cols
party cols name,
party group
party group city sum(name)
party group city count() sort name
party having count() > 1
party where city = x where city = y
party where city @ x
party where city = x and
party where not
party where city in ()
party where city in (x
party where city is full
party where city = x sort name sort city
party where "
contact where party = 'x' or party != 'y'
contact where party.nosuch = 1
contact where party.city.x = 1
QUERIES

run list party 'cty = Москва'
status 1 "list with a bad condition fails"
like "$err" "query:1:1: unknown field 'cty'" "naming its column in the condition"

run query 'party where city = москва cols name' --format tsv
status 0 "the server still answers"
is "$out" "id	name
1	ООО «Ромашка»" "and answers right"

done_testing
