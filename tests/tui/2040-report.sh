#!/bin/sh
# 2040: the report view in the headless mode: F7 on the home screen
# lists the reports by title; a report's parameter is asked with its
# label and default; a value the server refuses is named and asked
# again, and Esc then keeps the values the report ran with; the text is
# the server's report, scrolled down and sideways; F7 exports the CSV
# of the same parameters; ":report NAME" runs one from a list; the
# Russian locale gets the Russian titles; "report --format lines" is
# the machine list behind the menu.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

export CLERK_NOW=2026-03-02
# The TUI runs in the temporary folder: its exports land there.
HEADLESS_DIR=$T

run admin init
run admin demo --scale 200
status 0 "a demo database of 200 clients"
# Some clients share a phone, so the duplicates report has rows.
run set party 2 phones=+74951234567
run set party 3 phones=+74951234567
run set party 4 phones=+74951234567

run report --format lines
status 0 "report --format lines"
like "$out" "report${tab:=	}duplicates_by_phone${tab}Duplicate clients by phone" \
    "a report line: name and title"
like "$out" "param${tab}duplicates_by_phone${tab}least${tab}int${tab}Clients with the phone, at least${tab}2" \
    "a parameter line: report, name, type, label, default"
run report duplicates_by_phone --format lines
status 2 "lines is only the list's format"

# The menu: titles, not file names.
headless '<F7><dump><Esc><dump>'
status 0 "headless run: the menu"
like "$(screen 1)" "Duplicate clients by phone" "the menu lists the titles"
like "$(screen 1)" "Clients by manager and status" "every report"
like "$(screen 2)" "Enter Open  F7 Reports" "Esc: back home, F7 on the bar"

# The parameter: its label and default; the report as the server lays
# it out, its parameters on the status line.
headless '<F7><Down><Down><Enter><dump><Enter><dump>'
like "$(screen 1)" "Clients with the phone, at least: 2" \
    "the parameter asked with its label and default"
like "$(screen 2)" "clerk — Duplicate clients by phone" "the report's title"
printf '%s\n' "$(screen 2)" | grep -q '^ *+7 495 123-45-67  *3$'
ok $? "the shared phone, 3 clients"
like "$(screen 2)" "filter: least=2" "the parameters on the status line"
like "$(screen 2)" "F4 Params  F5 Rerun  F7 Export  Esc Close" "its key bar"

# A refused value is named and asked again; Esc keeps the values the
# report ran with, so the export is of those.
headless '<F7><Down><Down><Enter><Enter><F4><C-u>x<Enter><dump><Esc><dump><F7><C-u>dup.csv<Enter><dump>'
like "$(screen 1)" "parameter 'least': 'x' is not a whole number" \
    "the server's refusal is shown"
like "$(screen 1)" "Clients with the phone, at least: x" \
    "and the question asked again"
like "$(screen 2)" "filter: least=2" "Esc: the values it ran with"
like "$(screen 3)" "the report is written to 'dup.csv'" "F7 exports"
clerk report duplicates_by_phone least=2 --format csv >"$T/want.csv"
cmp -s "$T/want.csv" "$T/dup.csv"
ok $? "the file is the server's CSV of the same parameters"

# Another value runs it again; none match 4.
headless '<F7><Down><Down><Enter><Enter><F4><C-u>4<Enter><dump>'
like "$(screen 1)" "filter: least=4" "F4 runs it with another value"
unlike "$(screen 1)" "74951234567" "which no phone reaches"

# Scrolling: down a page, sideways over a wide report.
headless '<F7><Enter><dump><PgDn><dump><Right><Right><dump><Left><Left><dump>' 80x24
like "$(screen 1)" "line 1 of " "a long report starts at line 1"
like "$(screen 2)" "line 21 of " "PgDn scrolls a page"
like "$(screen 3)" "column 17" "Right Right scrolls 16 cells"
unlike "$(screen 4)" "column" "Left Left scrolls back"

# From any screen, by name.
headless '<Down><Enter>:report clients_by_source<Enter><dump><Esc><dump>'
like "$(screen 1)" "clerk — Clients by lead source and month" \
    ":report NAME runs it from a list"
like "$(screen 2)" "clerk — Clients" "Esc: back to the list"
headless ':report nosuch<Enter><dump>'
like "$(screen 1)" "no report 'nosuch'" "an unknown report is named"

if locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\{0,1\}8$'; then
	LC_ALL=ru_RU.UTF-8 headless '<F7><dump>'
	like "$(screen 1)" "Дубли клиентов по телефону" \
	    "the Russian locale's titles"
else
	ok 0 "# SKIP no ru_RU.UTF-8 locale"
fi

done_testing
