#!/bin/sh
# 1940: a date compared with a date and time (created, updated) means the
# whole day, as people mean it: created = today finds what was made at
# any time today (it found only what was made at midnight).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# Records made at four moments: the server reads its clock once, so each
# moment is a server of its own.
at() {
	_p=$(server_pid)
	if [ -n "$_p" ]; then
		kill "$_p"
		wait_gone "$_p" 100
	fi
	export CLERK_NOW="$1"
}
at '2026-03-17 23:59'
clerk add party kind=person name=Вчера >/dev/null
at '2026-03-18 09:15'
clerk add party kind=person name=Утро >/dev/null
at '2026-03-18 23:30'
clerk add party kind=person name=Вечер >/dev/null
at '2026-03-19 00:00'
clerk add party kind=person name=Завтра >/dev/null
at '2026-03-18 12:00'

names() {
	run query "party where $1 sort id cols name" --format tsv
	printf '%s\n' "$out" | tail -n +2 | cut -f 2 | tr '\n' ' '
}
is "$(names 'created = today')" "Утро Вечер " "= today: any time today"
is "$(names 'created = сегодня')" "Утро Вечер " "in Russian too"
is "$(names 'created = 18.03.2026')" "Утро Вечер " "a date as written"
is "$(names 'created <= today')" "Вчера Утро Вечер " "<= today: until it ends"
is "$(names 'created < today')" "Вчера " "< today: before it began"
is "$(names 'created > today')" "Завтра " "> today: from tomorrow on"
is "$(names 'created >= today')" "Утро Вечер Завтра " ">= today: from its start"
is "$(names 'created != today')" "Вчера Завтра " "!= today: other days"
is "$(names 'created in (yesterday, tomorrow)')" "Вчера Завтра " \
    "in (…): any time of those days"
is "$(names 'created not in (today)')" "Вчера Завтра " "not in (today)"
is "$(names "created = '2026-03-18 09:15'")" "Утро " "a moment is that moment"
is "$(names "created in ('2026-03-18 09:15', yesterday)")" "Вчера Утро " \
    "a moment and a day in one list"
is "$(names 'created >= yesterday and created < today')" "Вчера " \
    "a range of days"
run query 'party where created = today group count()' --format tsv
is "$(printf '%s\n' "$out" | tail -n 1 | cut -f 1)" "2" "counted by day"
run query 'party group kind count() min(created) having min(created) = yesterday' \
    --format tsv
is "$(printf '%s\n' "$out" | sed -n 2p | cut -f 2)" "4" \
    "having: the whole day too"
done_testing
