#!/bin/sh
# 2030: the list's query side in a real terminal (tmux, a private server
# per test): a filter typed with a query and cleared with Esc; a sort by
# two columns from the keys; the frequency table of status and its
# drill-down; a saved view's round trip (V saves the filter and sort,
# F9 loads them into a fresh list, a taken name is replaced only when
# confirmed, and 'clerk view run' agrees with the list).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/lib.sh"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi
export CLERK_NOW=2026-03-02

run admin init
run admin demo --scale 120
status 0 "a demo database"
count() {
	clerk query "party where $1 group count()" --format tsv | sed -n 2p |
	    cut -f1
}
nact=$(count "status = active")
nmsk=$(count "city = Москва")

tmux_start 100x30 TERM=screen
wait_for "Sections" "home in a terminal"
keys Down Enter
wait_for "120/120" "the clients' list"

# A filter with a query; Esc clears it.
text '\'
wait_for "Filter:" "\\ opens the filter line"
text 'status = active'
keys Enter
wait_for "$nact/120" "the filter's rows counted ($nact/120)"
like "$(screen)" "filter: status = active" "the filter on the status line"
unlike "$(screen)" " Lead" "no other status listed"
keys Escape
wait_for "filter cleared" "Esc clears the filter, and says so"
keys Home
wait_for "120/120" "all rows again"

# Sort by two columns: [ on status, then } on manager.
keys Tab Tab Tab Tab Tab Tab
text '['
wait_for "sort: Status ↑" "[ sorts by status"
keys BTab
text '}'
wait_for "sort: Status ↑, Manager ↓" "} adds manager, descending"
first=$(clerk query 'party sort status, -manager cols name' --format tsv |
    sed -n 2p | cut -f2)
like "$(selected)" "$first" "the first row of the two keys' order"

# The frequency table of status (most frequent first) and a drill-down.
keys Tab
text 'F'
wait_for "Share" "Shift-F: the frequency table"
like "$(screen)" "█" "with bars"
top=$(clerk query 'party group status count() sort -count()' --format tsv |
    sed -n 2p)
topn=$(printf '%s\n' "$top" | cut -f2)
like "$(screen)" "$topn" "the most frequent status's count ($topn)"
keys Enter
wait_for "$topn/120" "Enter lists its rows"
like "$(screen)" "filter: status = '" "as a filter"
keys Escape
wait_for "filter cleared" "Esc: back to all rows"

# A saved view: the filter and sort saved with V ...
text '\'
text 'city = Москва'
keys Enter
wait_for "$nmsk/120" "Moscow's clients ($nmsk)"
keys BTab BTab BTab BTab BTab BTab BTab
text ']'
wait_for "sort: Name ↓" "by name, descending"
text 'V'
wait_for "Save the filter and sort as the view:" "V asks for a name"
text 'moscow'
keys Enter
wait_for "view 'moscow' saved" "saved"
run view list --format tsv
likere "$out" "moscow	no	party where city = Москва sort - ?name" \
    "clerk view list shows it"
# ... and loaded into a fresh list with F9.
keys Escape
wait_for "filter cleared" "the filter cleared"
keys Escape
wait_for "Sections" "back home"
keys Down Enter
wait_for "sort: Name ↑" "a fresh list"
keys F9
wait_for "moscow — party where city" "F9 lists the saved views"
keys Enter
wait_for "view 'moscow' loaded" "Enter loads it"
keys Home
wait_for "$nmsk/120" "its rows"
like "$(screen)" "filter: city = Москва" "its filter"
like "$(screen)" "sort: Name ↓" "its order"
want=$(clerk view run moscow --format tsv | sed -n 2p | cut -f2)
like "$(selected)" "$want" "the first row as 'clerk view run' has it"

# A taken name: No (the default) keeps the view, Replace changes it.
text '['
wait_for "sort: Name ↑" "the order changed"
text 'V'
wait_for "view: moscow" "the name offered is the view's"
keys Enter
wait_for "Replace it?" "a taken name asks"
keys Enter
wait_for "view 'moscow' kept as it was" "No by default"
run view list --format tsv
likere "$out" "sort - ?name" "the view as it was"
text 'V'
wait_for "view: moscow" "again"
keys Enter
wait_for "Replace it?" "asked again"
keys Right Enter
wait_for "view 'moscow' saved" "Replace"
run view list --format tsv
like "$out" "moscow	no	party where city = Москва sort name" \
    "the view changed"

keys F10
wait_for "exit status 0" "F10 quits"
done_testing
