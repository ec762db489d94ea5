#!/bin/sh
# 1705: the planner sizes ranges (store_key_share) and says so in
# --explain ("N rows"; "~N rows" estimated, in an index too big to count,
# which test-key-share covers): on 3,000 invoices whose amount is their
# number, an open range over all of them and its negation (the query of
# 49 s at 5,000,000) are a scan that stops at the first match, a small
# negated range walks the index, an equality of three quarters of the
# table is not gathered, and a limit with no sort streams in id order.
# A contains on a text with a folded index reads that index's keys, not
# every record.  Every plan gives the rows a full scan gives.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# An invoice table beside the shipped forms, before the server starts.
mkdir "$T/forms"
cp "$CLERK_FORMS"/*.form "$T/forms/"
cat >"$T/forms/invoice.form" <<'FORM'
table invoice "Invoice" "Счёт" "Invoices" "Счета"
field number int required "Number" "Номер"
field amount money required index exact "Amount" "Сумма"
field status enum required default issued index exact "Status" "Статус"
	value issued "Issued" "Выставлен"
	value paid "Paid" "Оплачен"
field memo text(100) index folded "Memo" "Примечание"
FORM
export CLERK_FORMS="$T/forms"
awk 'BEGIN { print "number,amount,status,memo"
	for (i = 1; i <= 3000; i++)
		printf "%d,%d.00,%s,%s %d\n", i, i, i % 4 == 0 ? "issued" : "paid",
		    i % 500 == 0 ? "ООО «РОМАШКА»" : "Поставка бумаги", i }' \
    >"$T/inv.csv"
run admin init
run import invoice "$T/inv.csv"
status 0 "3000 invoices"

# The ids of a query's rows on one line.
ids() {
	"$CLERK_BIN" query "$1" --format tsv | sed 1d | cut -f1 | tr '\n' ' '
}

q='invoice where amount > 0 and not amount < 0 limit 1'
run query "$q" --explain
status 0 "--explain of an open range and its negation"
like "$out" "index amount:exact between bounds: 3,000 rows" \
    "sizes the range (its runs counted: exactly)"
like "$out" "a scan reads fewer records than a walk of its index" \
    "finds it covers the table"
like "$out" "invoice: scan all 3000 records in id order" "and scans"
unlike "$out" "sort:" "in id order, no sort: the scan streams"
is "$(ids "$q")" "1 " "the first match, invoice 1"

q='invoice where amount > 1500 limit 1'
run query "$q" --explain
like "$out" "scan all 3000 records in id order" \
    "half the table and a limit: a scan"
unlike "$out" "sort:" "that stops at the first match"
is "$(ids "$q")" "1501 " "the first invoice over 1500"

q='invoice where not amount >= 30'
run query "$q" --explain
like "$out" "index amount:exact between bounds: 29 rows" \
    "a negated range of a required number is sized as a range"
like "$out" "invoice: walk index amount:exact between bounds" \
    "a small one walks the index"
is "$(ids "$q" | wc -w)" 29 "and finds its 29 invoices"

q='invoice where amount > 2990'
run query "$q" --explain
like "$out" "walk index amount:exact between bounds" \
    "a small open range at the end walks the index"
is "$(ids "$q")" "2991 2992 2993 2994 2995 2996 2997 2998 2999 3000 " \
    "in id order"

q='invoice where status = paid'
run query "$q" --explain
like "$out" "index status:exact = 'paid': 2,250 rows, too many to gather" \
    "an equality of three quarters is counted (no ~: exactly), not gathered"
like "$out" "scan all 3000 records" "and the table scanned"
is "$(ids "$q" | wc -w)" 2250 "its rows"

q='invoice where status = issued and amount < 20'
run query "$q" --explain
like "$out" "walk index amount:exact between bounds" \
    "the smaller of two conditions is walked"
is "$(ids "$q")" "4 8 12 16 " "the rows both let through"

q='invoice where amount < 100 sort -amount limit 3'
run query "$q" --explain
like "$out" "walk index amount:exact backward between bounds (the sort's order)" \
    "a sort by the range's field walks it in the sort's order"
is "$(ids "$q")" "99 98 97 " "the three largest under 100"

q='invoice where memo ~ ромаш'
run query "$q" --explain
like "$out" "index memo:folded, the keys containing 'ромаш': 6 records" \
    "a contains reads the folded index's keys"
like "$out" "invoice: 6 candidate records by index" "then those records"
is "$(ids "$q")" "500 1000 1500 2000 2500 3000 " "the six, any case"
run query 'invoice where memo ~ ромаш limit 2' --explain
like "$out" "scan all 3000 records" "a few rows in id order: a scan stops at them"
run query 'invoice where memo ~ "бумаги 1"' --explain
like "$out" "more than 300 keys contain 'бумаги 1'" \
    "a contains of many stops its walk and scans"
is "$(ids 'invoice where memo ~ "бумаги 1" and amount < 12')" "1 10 11 " \
    "with the rows a scan gives"

done_testing
