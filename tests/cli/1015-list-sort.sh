#!/bin/sh
# 1015: list --sort over many pages (the listing reads 200 records a
# page): every record once whatever the field, those with the field
# empty too (before the others, after them backward, as clerk-query(7)
# sorts empty values), a field of several values (phones, tags) through
# the query engine; --limit and --archived with them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# 700 generated parties: some without a manager, a city or an e-mail,
# many with two phones or several tags.
run admin demo --scale 700 --seed 3
status 0 "a demo database"

run list party --format csv
status 0 "list in id order"
all=$(printf '%s\n' "$out" | sed 1d | cut -d, -f1 | sort -n | tr '\n' ' ')
n=$(printf '%s\n' "$out" | sed 1d | wc -l)
ok $([ "$n" -gt 400 ]; echo $?) "the table spans several pages ($n records)"

# The ids of a listing, sorted, as one line; and how many rows it had.
ids() {
	printf '%s\n' "$out" | sed 1d | cut -d, -f1 | sort -n | tr '\n' ' '
}
rows() {
	printf '%s\n' "$out" | sed 1d | wc -l
}

for key in name -name manager -manager city -city emails -emails \
    phones -phones tags -tags inn; do
	run list party --sort "$key" --format csv
	status 0 "list --sort $key"
	is "$(rows)" "$n" "--sort $key: a row a record"
	is "$(ids)" "$all" "--sort $key: every record, each once"
done

# Order: a field that may be empty lists the empty ones first, then the
# others in the order of the field's (folded) values; backward the
# reverse.  The manager is the 7th of the list's columns.
order_ok() {
	printf '%s\n' "$out" | sed 1d | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
col = int(sys.argv[1]); desc = sys.argv[2] == "desc"
vals = [r[col].casefold().replace("ё", "е") for r in rows]
empty = [v == "" for v in vals]
k = sum(empty)
if desc:
    ok = not any(empty[:len(vals) - k]) and all(empty[len(vals) - k:])
    rest = vals[:len(vals) - k]
    ok = ok and rest == sorted(rest, reverse=True)
else:
    ok = all(empty[:k]) and not any(empty[k:])
    rest = vals[k:]
    ok = ok and rest == sorted(rest)
print("ok" if ok and k > 0 else "bad: %d empty; %r" % (k, vals[:12]))
' "$1" "$2"
}
run list party --sort manager --format csv
is "$(order_ok 6 asc)" "ok" "--sort manager: empty ones first, then by manager"
run list party --sort -manager --format csv
is "$(order_ok 6 desc)" "ok" "--sort -manager: by manager backward, empty last"

# A field of several values: a record once, where the query engine's
# sort puts it.
run list party --sort phones --format csv
first=$(printf '%s\n' "$out" | sed -n 2p | cut -d, -f1)
run query 'party sort phones limit 1' --format csv
is "$(printf '%s\n' "$out" | sed -n 2p | cut -d, -f1)" "$first" \
    "--sort phones begins where the query engine's sort does"

# --limit counts rows listed, the empty ones too.
run list party --sort manager --limit 5 --format csv
status 0 "--sort manager --limit 5"
is "$(rows)" "5" "five rows"
is "$(printf '%s\n' "$out" | python3 -c '
import csv, sys
print("".join(r[6] for r in list(csv.reader(sys.stdin))[1:]))')" "" \
    "all five without a manager"
run list party --sort phones --limit 7 --format csv
is "$(rows)" "7" "--sort phones --limit 7: seven rows"

# An archived record without a manager: gone from the listing, back
# with --archived.
run list party --sort manager --limit 1 --format csv
nomgr=$(printf '%s\n' "$out" | sed -n 2p | cut -d, -f1)
run rm party "$nomgr"
status 0 "archive party $nomgr, which has no manager"
run list party --sort manager --format csv
is "$(rows)" "$((n - 1))" "the listing leaves it out"
run list party --sort manager --archived --format csv
is "$(rows)" "$n" "--archived lists it again"
like "$out" "
$nomgr," "the archived one among them"
run list party --sort phones --archived
status 2 "--archived with a sort by phones is refused"
like "$err" "--archived does not go with a sort by 'phones'" \
    "and says why"

done_testing
