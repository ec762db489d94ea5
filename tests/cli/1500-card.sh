#!/bin/sh
# 1500: the verbs of the TUI's record card: "card" gives a record in the
# machine format (values as text that parses back, titles of its
# references, records that refer to it), "card TABLE new" the defaults,
# and "restore" undoes an archive.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

tab=$(printf '\t')

run add party name='ООО «Ромашка»' inn=7707083893 city=Москва \
    phones='+7 916 123-45-67, 8 495 111 22 33'
status 0 "add a party"
run add contact party=1 name='Иванов Иван' position=Директор
status 0 "add its contact"

run card party 1
status 0 "card party 1"
like "$out" "record${tab}1${tab}1${tab}0${tab}" "record line: id, rev, not archived"
like "$out" "value${tab}name${tab}ООО «Ромашка»" "name as typed"
like "$out" "value${tab}kind${tab}Organisation" "a choice by its label"
like "$out" "value${tab}phones${tab}+7 916 123-45-67, +7 495 111-22-33" \
    "a list joined by commas"
like "$out" "related${tab}contact${tab}party${tab}1${tab}Иванов Иван" \
    "the contact that refers to it"

run card contact 1
like "$out" "ref${tab}party${tab}1${tab}ООО «Ромашка»" "the title of the reference"

# What card shows is what set takes back: nothing changes.
run card party 1
phones=$(printf '%s\n' "$out" | sed -n "s/^value${tab}phones${tab}//p")
run set party 1 "phones=$phones" --rev 1
status 0 "set the shown text back"
run card party 1
like "$out" "record${tab}1${tab}1${tab}" "still revision 1: the text parsed back the same"

run card party new
status 0 "card of a new record"
like "$out" "record${tab}0${tab}0${tab}0" "no id yet"
like "$out" "value${tab}status${tab}Lead" "the default status"

run card party 9
status 1 "a missing record"
is "$err" "clerk: Client #9 not found" "says so"

run rm party 1
status 0 "archive"
run card party 1
like "$out" "record${tab}1${tab}2${tab}1${tab}" "archived"
run restore party 1
status 0 "restore"
run card party 1
like "$out" "record${tab}1${tab}3${tab}0${tab}" "back, at revision 3"
run history party 1
like "$out" "restore" "the restore is in the history"

done_testing
