#!/bin/sh
# 1160: an import of 1,000 rows or more into a table that holds no record
# is a bulk load (store_load()).  Bad lines anywhere in such a file (a
# checksum, one ИНН and КПП on two lines, a reference to nothing) refuse
# it with the same messages as the same file imported into a table that
# has records (line by line), and nothing is written.  A good file is
# all there: counted, verified, its records' history, search and pages
# by name as for records added one by one; a second file then goes into
# the table that is no longer empty, line by line.  A backup right after
# the bulk load (in a bulk transaction, its pages written at the commit,
# not logged) has every row, and one taken while a bulk load runs has
# all of it or none.  A file too big for the memory a bulk load may take
# goes in a plain transaction, in batches, and ends the same.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

gen="$top_srcdir/tests/data/gen-parties.awk"
# 1,500 good parties, and 1,500 others (rows 1,501 to 3,000: other ИНН,
# phones and e-mails) with a kpp column.
awk -v n=1500 -f "$gen" >"$T/good.csv"
awk -v n=3000 -f "$gen" | awk 'NR == 1 { print $0 ",kpp"; next }
	NR > 1501 { print $0 "," }' >"$T/more.csv"
{
	sed -n '1,700p' "$T/more.csv"
	echo 'org,Плохой ИНН,7707083894,Тула,,,,,'
	sed -n '701,1300p' "$T/more.csv"
	echo 'org,Орг,7736050003,Тула,,,,,773601001'
	echo 'org,Орг2,7736050003,Тула,,,,,773601001'
	sed -n '1301,$p' "$T/more.csv"
} >"$T/bad.csv"
f="$T/bad.csv"
want="clerk: $f: 2 errors, nothing imported (read as utf-8, detected):
$f:701: inn: check digit should be 3, not 4
$f:1303: inn, kpp: the same as line 1302 (inn 7736050003, kpp 773601001)"

run import party "$f"
status 1 "a big file with bad lines, into an empty table: refused"
is "$err" "$want" "every bad line, as line by line"
is "$(count_rows party --archived)" 0 "and nothing was written"

run import party "$T/good.csv"
status 0 "1,500 parties into the empty table"
is "$out" "imported 1500 party records from $T/good.csv (utf-8, detected)" \
    "with its summary"
is "$(count_rows party)" 1500 "all of them are there"
run admin verify
status 0 "the database verifies"
run history party 1234
like "$out" "$(id -un)  created  rev 1" "a party's history shows its insert, by its operator"
like "$out" "Name: Кузнецов Алексей 1234" "with its values"
run find "Петров Николай 1261"
like "$out" "Петров Николай 1261" "search finds a party of the file"
run list party --sort name --limit 2 --format tsv
is "$(echo "$out" | cut -f2 | tail -n 2)" "Васильев Алексей 1036
Васильев Алексей 1136" "a page by name starts where it should"
run list party --sort -id --limit 1 --format tsv
like "$out" "Иванов Иван 1500" "the last row has the last id"
run admin backup "$T/bk"
status 0 "a backup right after the bulk load"
is "$(CLERK_DIR="$T/bk" count_rows party)" 1500 "has every row of it"
CLERK_DIR="$T/bk" run admin verify
status 0 "and verifies"

# Into a table with records now: line by line, the same messages.
run import party "$f"
status 1 "the same bad file into a table with records: refused"
is "$err" "$want" "with the same messages"
run import party "$T/more.csv"
status 0 "a good file into the table with records, line by line"
is "$(count_rows party)" 3000 "every row of both files is there"
run admin verify
status 0 "the database verifies"

# A contact of a party that is not there, on line 601 of 1,100.
awk 'BEGIN { print "party,name"
	for (i = 1; i <= 1100; i++)
		printf "%d,Контакт %d\n", i == 600 ? 999999 : i, i }' \
    >"$T/contacts.csv"
c="$T/contacts.csv"
cwant="clerk: $c: 1 error, nothing imported (read as utf-8, detected):
$c:601: party: Client #999999 does not exist"
run import contact "$c"
status 1 "a contact of no party, into an empty table: refused"
is "$err" "$cwant" "the line and field named"
is "$(count_rows contact)" 0 "nothing was written"
clerk add contact party=1 name='Первый контакт' >/dev/null
run import contact "$c"
status 1 "the same into a table with a contact"
is "$err" "$cwant" "with the same message"

# A backup while a bulk load of 20,000 rows runs in another folder.
awk -v n=20000 -f "$gen" >"$T/big.csv"
CLERK_DIR="$T/d2" clerk help >/dev/null
CLERK_DIR="$T/d2" clerk import party "$T/big.csv" >"$T/imp.out" 2>&1 &
pid=$!
sleep 1
CLERK_DIR="$T/d2" run admin backup "$T/bk2"
status 0 "a backup asked for while a bulk load runs (it waits for the commit)"
wait $pid
ok $? "the load ends well"
n=$(CLERK_DIR="$T/bk2" count_rows party)
ok "$([ "$n" -eq 0 ] || [ "$n" -eq 20000 ]; echo $?)" \
    "the backup has all of the load or none ($n rows)"
CLERK_DIR="$T/bk2" run admin verify
status 0 "and verifies"

# Too big for the memory a bulk load may take (CLERK_IMPORT_MB of its
# server: 1 MB, some 400 rows of keys): the same file goes in a plain
# transaction, its indexes written in batches of 1 MB, and ends the same.
CLERK_IMPORT_MB=1 CLERK_DIR="$T/d3" clerk help >/dev/null
CLERK_DIR="$T/d3" run import party "$T/big.csv"
status 0 "20,000 rows with 1 MB for keys: imported"
is "$out" "imported 20000 party records from $T/big.csv (utf-8, detected)" \
    "with its summary"
CLERK_DIR="$T/d3" clerk export party >"$T/d3.csv"
CLERK_DIR="$T/d2" clerk export party >"$T/d2.csv"
ok "$(cmp -s "$T/d2.csv" "$T/d3.csv"; echo $?)" \
    "the same records, ids from 1, as the bulk load of the file"
CLERK_DIR="$T/d3" run admin verify
status 0 "the database verifies"
CLERK_DIR="$T/d3" run find "Петров Николай 19261"
like "$out" "Петров Николай 19261" "search finds a party of a later batch"

# A file whose first rows say it fits (CLERK_IMPORT_MB=40) and whose last
# 3,000 rows, with 400 tags each, need more than twice that: the bulk
# load stops after writing records, is undone, and the file goes in a
# plain transaction.
awk -v n=20000 -f "$gen" | awk 'NR == 1 { print $0 ",tags"; next }
	NR <= 17001 { print $0 ","; next }
	{ t = ""
	  for (k = 0; k < 400; k++)
		t = t (k ? ", " : "") "метка " k " для " NR " длиннее обычной"
	  print $0 ",\"" t "\"" }' >"$T/grows.csv"
CLERK_IMPORT_MB=40 CLERK_DIR="$T/d4" clerk help >/dev/null
CLERK_DIR="$T/d4" run import party "$T/grows.csv"
status 0 "20,000 rows growing past the bulk budget: imported"
is "$(CLERK_DIR="$T/d4" count_rows party)" 20000 "every row is there, once"
CLERK_DIR="$T/d4" run admin verify
status 0 "the database verifies"
CLERK_DIR="$T/d4" run find "метка 399 для 20001"
like "$out" "Иванов Иван 20000" "search finds a tag of the last row"

done_testing
