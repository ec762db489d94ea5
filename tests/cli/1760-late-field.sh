#!/bin/sh
# 1760: a required field added to a form whose table has records is
# missing from those records (adding a field never rewrites data), so
# neither a query nor a list may take its index for every record: a sort
# by it lists the old records too, a negated range finds them, and the
# list's pages and End reach them.  A field that was required since its
# table began is trusted as set in every record; one made optional at
# some start is not trusted again.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

mkdir "$T/forms"
cp "$CLERK_FORMS"/*.form "$T/forms/"
form() {
	cat >"$T/forms/item.form" <<FORM
table item "Item" "Предмет" "Items" "Предметы"
field name text(40) required index folded search "Name" "Название"
$1
FORM
}
form ""
export CLERK_FORMS="$T/forms"
# Tables of a thousand records or more are planned by estimates.
n=1200
run admin init
awk -v n=$n 'BEGIN { print "name"
	for (i = 0; i < n; i++) printf "item %04d\n", i }' >"$T/items.csv"
run import item "$T/items.csv"
status 0 "$n items without a weight"

# Now the form requires a weight, with an index.
stop_servers
form 'field weight int required default 0 index exact "Weight" "Вес"'
run add item name=heavy weight=50
status 0 "a new item has a weight"
total=$((n + 1))

count() {
	clerk query "$1" --format tsv | sed 1d | wc -l | tr -d ' '
}
is "$(count 'item where not weight < 0')" "$total" \
    "not weight < 0: the old items (no weight) match too"
is "$(count 'item where not weight >= 10')" "$n" \
    "not weight >= 10: every old item"
is "$(count 'item sort weight')" "$total" "sort weight lists every item"
is "$(count 'item sort -weight')" "$total" "and descending"
is "$(clerk query 'item sort -weight limit 1' --format tsv | sed -n 2p |
    cut -f2)" "heavy" "the one with a weight first, descending"
is "$(page_walk 2 item --sort weight --limit 50 --cols name | wc -l |
    tr -d ' ')" "$total" "the list by weight pages through every item"
last=$(clerk page item --sort weight --last --limit 1 --cols name |
    grep '^row' | cut -f 4)
is "$last" "item 1199" "End reaches the old items (no weight, by id)"

# A field required since the table began is trusted: its sort streams
# from the index.
like "$(clerk query 'item sort name limit 5' --explain)" "name" \
    "a sort by the name (required from the start) uses its index"

# Made optional at some start, then required again: not trusted.
stop_servers
form 'field weight int default 0 index exact "Weight" "Вес"'
run add item name=light
stop_servers
form 'field weight int required default 0 index exact "Weight" "Вес"'
is "$(count 'item sort weight')" "$((total + 1))" \
    "optional once, the weight is not trusted again"
done_testing
