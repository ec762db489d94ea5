#!/bin/sh
# 1800: a report's total lines in text say whose total they are whole,
# over the columns without a total (or on a line of their own when
# those are too narrow), and a column of numbers is as wide as its
# numbers whatever width the report gives it, so every column stays
# under its heading.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

F=$T/forms
mkdir "$F"
cp "$CLERK_FORMS"/*.form "$F"
export CLERK_FORMS="$F"
cat >"$F/deal.form" <<'EOF'
table deal "Deal" "Сделка" "Deals" "Сделки"
list number party amount
field number text(20) required index unique "Number" "Номер"
field party ref(party) required index exact "Client" "Клиент"
field amount money default 0 "Amount" "Сумма"
field opened date "Opened" "Открыта"
EOF
cat >"$F/deals.report" <<'EOF'
report narrow "Narrow" "Узкий"
query deal sort party.city, number cols party.city, number, party.name, amount
group party.city "City" "Город"
column number width 5 "Number" "Номер"
column party.name width 20 "Client" "Клиент"
column amount width 5 total sum "Amount" "Сумма"
report tight "Tight" "Тесный"
query deal sort party.city, number cols party.city, number, opened, amount
group party.city "City" "Город"
column number width 3 right "Number" "Номер"
column opened total max "Opened" "Открыта"
column amount width 4 total sum "Amount" "Сумма"
EOF

clerk add party name='ООО «Волга»' city=Самара >/dev/null
clerk add party name='ИП Петров' kind=sole city=Тверь >/dev/null
clerk add deal number=D1 party=1 amount='1 234 567,89' opened=2026-03-01 \
    >/dev/null
clerk add deal number=D2 party=1 amount=10 opened=2026-03-05 >/dev/null
clerk add deal number=D3 party=2 amount=0,01 opened=2026-04-01 >/dev/null

# Columns: number 5 (its heading cut), the client's name 20, the amount
# as wide as its numbers (a sum's at least 14), under its heading.
run report narrow
status 0 "a report with narrow columns"
is "$(printf '%s\n' "$out" | sed -n '3,$p')" \
"  Numb…  Client                        Amount
  ───────────────────────────────────────────
City: Самара
  D1     ООО «Волга»             1,234,567.89
  D2     ООО «Волга»                    10.00
  Total for Самара               1,234,577.89
City: Тверь
  D3     ИП Петров                       0.01
  Total for Тверь                        0.01

  Grand total                    1,234,577.90" \
    "the total's label whole over the columns without one, the numbers under their heading"

# No room before the first total: the label on a line of its own, the
# totals under their columns; a right-aligned text is cut to its width
# as its heading is.
run report tight
status 0 "a report whose first column is too narrow for the label"
is "$(printf '%s\n' "$out" | sed -n '3,$p')" \
"  Nu…  Opened              Amount
  ───────────────────────────────
City: Самара
   D1  01.03.2026    1,234,567.89
   D2  05.03.2026           10.00
  Total for Самара
       05.03.2026    1,234,577.89
City: Тверь
   D3  01.04.2026            0.01
  Total for Тверь
       01.04.2026            0.01

  Grand total
       01.04.2026    1,234,577.90" \
    "the label above the totals, every total under its column"

# The files are not laid out: the same values.
run report tight --format csv
is "$(printf '%s\n' "$out" | tr -d '\r' | tail -1)" "2,,,2026-04-01,1234577.90" \
    "CSV: the grand total"

done_testing
