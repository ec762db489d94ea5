#!/bin/sh
# 1020: optimistic revisions: set --rev N refuses when the record moved
# past revision N since, with the store's message, and loses nothing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

run add party name='ООО «Ромашка»' city=Москва
status 0 "add"

run set party 1 city=Тверь --rev 1
status 0 "set at the revision read"
run set party 1 city=Казань --rev 1
status 1 "set at a stale revision is a conflict"
like "$err" "Client #1 was changed by" "the message names the record"
like "$err" "since revision 1: City" "and the field changed since, by labels"
run show party 1 --format json
like "$out" '"city":"Тверь"' "the first change stands"
like "$out" '"rev":2' "at revision 2"

run set party 1 city=Казань --rev 2
status 0 "set at the current revision"
run set party 1 --rev=3 notes=ok
status 0 "--rev=N form"
run set party 1 city=Омск --rev 0
status 2 "revision 0 is a usage error"
run set party 1 city=Омск --rev x
status 2 "a non-number revision is a usage error"
run set party 1 city=Омск --rev 99
status 1 "a future revision is a conflict too"

run set party 1 city=Казань
status 0 "setting the same value"
run show party 1 --format json
like "$out" '"rev":4' "does not make a new revision"

run set party 7 city=Омск
status 1 "set on a missing record"
is "$err" "clerk: Client #7 not found" "says so"

done_testing
