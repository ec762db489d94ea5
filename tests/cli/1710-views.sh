#!/bin/sh
# 1710: saved views: view save checks the query and keeps it normalised,
# view list shows an operator's own views and the shared ones, view run
# runs them (one's own before a shared one of the same name), view rm
# removes them; only an administrator saves or removes shared views,
# and another operator sees neither one's views nor can remove them
# (on a shared server, run as the user nobody, when root).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

clerk add party kind=org name='ООО «Ромашка»' city=Москва manager=ivanov \
    >/dev/null
clerk add party kind=person name='Петров Пётр' city=Тверь manager=petrov \
    status=active >/dev/null

run view save moscow 'party   where city = москва  cols name'
status 0 "view save"
is "$out" "" "says nothing"
run view list --format tsv
is "$out" "name	shared	query
moscow	no	party where city = москва cols name" \
    "view list: the query as the engine writes it back"
run view run moscow --format tsv
is "$out" "id	name
1	ООО «Ромашка»" "view run"
run view run moscow --explain
like "$out" "party" "view run --explain"

# A descending sort reads back as written, not as "sort - name".
run view save byname 'party sort -name, city cols name'
status 0 "view save with a descending sort"
run view list --format tsv
like "$out" "byname	no	party sort -name, city cols name" \
    "the sort's minus stays on its key"
run view run byname --format tsv
is "$out" "id	name
2	Петров Пётр
1	ООО «Ромашка»" "and it runs descending"
run view rm byname
status 0 "view rm byname"

run view save moscow 'party'
status 1 "a name taken is not overwritten"
is "$err" "clerk: you have a view 'moscow' already (--replace changes it)" \
    "and says how"
run view save moscow party where manager = petrov cols name --replace
status 0 "--replace changes it"
run view run moscow --format tsv
is "$out" "id	name
2	Петров Пётр" "the new query runs"

run view save bad 'party where cty = 1'
status 1 "a bad query is not saved"
is "$err" "clerk: query:1:13: unknown field 'cty' in table 'party' (did you mean 'city'?)" \
    "with its column"
run view save 'my view' party
status 2 "a name with a blank is refused"
like "$err" "bad view name 'my view'" "saying why"
run view save 'a:b' party
status 2 "so is one with ':'"
run view save Москва_2026 party
status 0 "a Cyrillic name is fine"
run view run nosuch
status 1 "an unknown view"
like "$err" "no view 'nosuch'" "is named"

# Shared views: the creator of a personal database is its administrator.
run view save all 'party cols name' --shared
status 0 "an administrator saves a shared view"
run view save moscow 'party where city = Тверь cols name' --shared
status 0 "a shared view may share a name with one's own"
run view list --format tsv
is "$out" "name	shared	query
moscow	no	party where manager = petrov cols name
Москва_2026	no	party
all	yes	party cols name
moscow	yes	party where city = Тверь cols name" \
    "own views, then the shared ones"
run view run all --format tsv
is "$(printf '%s\n' "$out" | wc -l)" 3 "a shared view runs"
run view run moscow --format tsv
like "$out" "Петров" "one's own view before a shared one of its name"
run view list --format json
like "$out" '{"name":"all","shared":true,"query":"party cols name"}' "JSON"

run view rm moscow
status 0 "view rm"
run view run moscow --format tsv
like "$out" "Петров Пётр" "now the shared one of the name runs"
run view rm moscow
status 1 "removing it again"
is "$err" "clerk: you have no view 'moscow'; the shared one of the name goes with --shared" \
    "is an error, which says how the shared one of the name goes"
run view rm moscow --shared
status 0 "an administrator removes a shared view"
run view run moscow
status 1 "gone"
run view rm moscow
is "$err" "clerk: you have no view 'moscow'" "without a shared one, just so"

# Another operator, on a shared server: needs root and setpriv.
if ! can_be_nobody; then
	diag "skipping the second operator: needs root, setpriv and nobody"
	done_testing
fi
shared_server "$CLERK_BIN"
clerk -S "$sock" admin user add nobody >/dev/null
clerk -S "$sock" add party name='ООО «Общая»' >/dev/null
clerk -S "$sock" view save mine 'party cols name' >/dev/null
clerk -S "$sock" view save common 'party cols name' --shared >/dev/null

as_nobody view list --format tsv
is "$out" "name	shared	query
common	yes	party cols name" "another operator sees the shared views only"
as_nobody view run mine
status 1 "and cannot run an operator's own view"
as_nobody view run common --format tsv
is "$out" "id	name
1	ООО «Общая»" "but runs a shared one"
as_nobody view save x party --shared
status 1 "a non-administrator cannot save a shared view"
is "$err" "clerk: only an administrator may save shared views" "and is told so"
as_nobody view rm common --shared
status 1 "nor remove one"
as_nobody view save mine 'party where name = x'
status 0 "the same name is free for another operator"
run -S "$sock" view run mine --format tsv
is "$out" "id	name
1	ООО «Общая»" "and the first operator's view is untouched"
kill -TERM $spid
wait $spid
ok $? "the shared server stops cleanly"

done_testing
